/*
 * main.c: the uptake command line.  Parses arguments, calls libuptake and
 * maps its codes to exit statuses; it holds no logic the library lacks.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uptake.h"

enum { EXIT_FAILON = 1, EXIT_USAGE = 2 };

typedef struct {
	const char *dir; /* -C */
	const char *db;  /* --db */
	unsigned flags;  /* UP_PRINT_* */
} globals;

typedef struct {
	const char *name, *args, *summary, *help;
	int (*run)(globals *g, int argc, char **argv);
} command;

static const command *find_command(const char *name);

__attribute__((format(printf, 2, 3)))
static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("uptake: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'uptake %s%s--help'.\n", cmd ? cmd : "",
		cmd ? " " : "");
	return EXIT_USAGE;
}

/* Prints every message of err as "uptake: MESSAGE" and maps the code. */
static int report(up_error *err, int rc)
{
	for (size_t i = 0; i < up_error_count(err); i++)
		fprintf(stderr, "uptake: %s\n", up_error_message(err, i));
	if (rc != UP_OK && up_error_count(err) == 0)
		fprintf(stderr, "uptake: error: %s\n", up_errstr(rc));
	return up_exit_status(rc);
}

/*
 * getopt_long over a subcommand's arguments.  Each option calls back with
 * its long name and value; unknown options and missing values are usage
 * errors.  Returns the index of the first operand, or -1 after an error.
 */
typedef int (*opt_fn)(globals *g, void *ctx, const char *name,
		      const char *val);

static int parse_opts(globals *g, const char *cmd, int argc, char **argv,
		      const struct option *opts, opt_fn fn, void *ctx)
{
	optind = 0; /* GNU: reinitialise for each subcommand */
	opterr = 0;
	int c, ix;
	while ((c = getopt_long(argc, argv, "h", opts, &ix)) != -1) {
		if (c == 'h')
			return -2;
		if (c == '?' || c == ':') {
			if (optopt)
				usage_error(cmd, "option '-%c' is not known or "
					    "needs a value", optopt);
			else
				usage_error(cmd, "option '%s' is not known or "
					    "needs a value", argv[optind - 1]);
			return -1;
		}
		if (fn(g, ctx, opts[ix].name, optarg) != 0)
			return -1;
	}
	return optind;
}

static int common_opt(globals *g, const char *name, const char *val)
{
	if (!strcmp(name, "db")) {
		g->db = val;
		return 0;
	}
	if (!strcmp(name, "json")) {
		g->flags |= UP_PRINT_JSON;
		return 0;
	}
	return 1;
}

static int common_opt_cb(globals *g, void *ctx, const char *name,
			 const char *val)
{
	(void)ctx;
	return common_opt(g, name, val);
}

static int help_of(const char *cmd)
{
	const command *c = find_command(cmd);
	printf("usage: uptake %s %s\n\n", c->name, c->args);
	if (c->help)
		fputs(c->help, stdout);
	else /* import: the formats live in the library */
		printf("Loads a CSV file with a header row in one transaction. "
		       "A bad row fails\nthe whole file (exit 65) and nothing "
		       "is imported; importing the same\nfile again changes "
		       "nothing.  The formats:\n\n%s", up_import_help());
	return 0;
}

/* Parses options that are only --db, --json and --help. */
static int simple_opts(globals *g, const char *cmd, int argc, char **argv,
		       int json_ok)
{
	static const struct option with_json[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	static const struct option without[] = {
		{"db", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	return parse_opts(g, cmd, argc, argv, json_ok ? with_json : without,
			  common_opt_cb, NULL);
}

static int load(globals *g, up_program **prog, up_error *err)
{
	return up_program_load(prog, g->dir, err);
}

/*
 * Options for a command that takes no operands: -1 to go on, or the exit
 * status to return (help printed, or a usage error).
 */
static int options_only(globals *g, const char *cmd, int argc, char **argv,
			const struct option *opts, opt_fn fn, void *ctx)
{
	int first = parse_opts(g, cmd, argc, argv, opts, fn, ctx);
	if (first == -2)
		return help_of(cmd);
	if (first < 0)
		return EXIT_USAGE;
	if (first < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[first]);
	return -1;
}

/* ---- commands ---- */

static int cmd_check(globals *g, int argc, char **argv)
{
	int first = simple_opts(g, "check", argc, argv, 0);
	if (first == -2)
		return help_of("check");
	if (first < 0)
		return EXIT_USAGE;
	if (first < argc)
		return usage_error("check", "unexpected argument '%s'",
				   argv[first]);
	up_error *err = up_error_new();
	up_program *prog = NULL;
	int rc = load(g, &prog, err);
	if (rc == UP_OK)
		rc = up_program_check(prog, err);
	/* With data in the store, also check the targets against it. */
	up_store *store = NULL;
	if (rc == UP_OK && up_store_open(&store, g->dir, g->db,
					 UP_STORE_READONLY, NULL) == UP_OK)
		rc = up_program_check_targets(prog, store, NULL, err);
	up_store_close(store);
	if (rc == UP_OK)
		printf("%s/program.yaml: ok\n", up_program_dir(prog));
	int status = report(err, rc);
	up_program_free(prog);
	up_error_free(err);
	return status;
}

typedef struct {
	const char *names[80], *values[80];
	size_t n;
} record_args;

static int record_opt(globals *g, void *ctx, const char *name,
		      const char *val)
{
	record_args *r = ctx;
	if (!common_opt(g, name, val))
		return 0;
	if (r->n == 80) {
		usage_error("record", "too many options");
		return -1;
	}
	r->names[r->n] = name;
	r->values[r->n++] = val;
	return 0;
}

static int cmd_record(globals *g, int argc, char **argv)
{
	static const struct option engagement[] = {
		{"db", required_argument, 0, 0},
		{"person", required_argument, 0, 0},
		{"level", required_argument, 0, 0},
		{"date", required_argument, 0, 0},
		{"note", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	static const struct option training[] = {
		{"db", required_argument, 0, 0},
		{"person", required_argument, 0, 0},
		{"date", required_argument, 0, 0},
		{"topic", required_argument, 0, 0},
		{"outcome", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	static const struct option event[] = {
		{"db", required_argument, 0, 0},
		{"kind", required_argument, 0, 0},
		{"date", required_argument, 0, 0},
		{"unit", required_argument, 0, 0},
		{"people", required_argument, 0, 0},
		{"note", required_argument, 0, 0},
		{"attr", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "--help") ||
				  !strcmp(argv[1], "-h")))
			return help_of("record");
		return usage_error("record", "say what to record: engagement, "
				   "event or training");
	}
	const char *kind = argv[1];
	const struct option *opts = !strcmp(kind, "event") ? event
		: !strcmp(kind, "training") ? training
		: !strcmp(kind, "engagement") ? engagement : NULL;
	if (!opts)
		return usage_error("record", "cannot record '%s' (engagement, "
				   "event or training)", kind);
	record_args r = {0};
	int first = parse_opts(g, "record", argc - 1, argv + 1, opts,
			       record_opt, &r);
	if (first == -2)
		return help_of("record");
	if (first < 0)
		return EXIT_USAGE;
	if (first < argc - 1)
		return usage_error("record", "unexpected argument '%s'",
				   argv[first + 1]);
	up_error *err = up_error_new();
	up_program *prog = NULL;
	up_store *store = NULL;
	long long id = 0;
	int rc = load(g, &prog, err);
	if (rc == UP_OK)
		rc = up_store_open(&store, g->dir, g->db, 0, err);
	if (rc == UP_OK)
		rc = up_record(store, prog, kind, r.n, r.names, r.values, &id,
			       err);
	if (rc == UP_OK)
		printf("recorded %s %lld\n", kind, id);
	int status = report(err, rc);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	return status;
}

/* Progress on stderr: a percentage, rewritten in place (TTY only). */
static void show_progress(void *ctx, unsigned long long done,
			  unsigned long long total)
{
	const char *file = ctx;
	if (total)
		fprintf(stderr, "\ruptake: importing %s: %3llu%%", file,
			done * 100 / total);
	if (done >= total)
		fputc('\n', stderr);
}

static int cmd_import(globals *g, int argc, char **argv)
{
	int first = simple_opts(g, "import", argc, argv, 0);
	if (first == -2)
		return help_of("import");
	if (first < 0)
		return EXIT_USAGE;
	if (argc - first != 2)
		return usage_error("import", argc - first < 2
				   ? "say what to import and from which file"
				   : "unexpected argument '%s'",
				   argc - first > 2 ? argv[first + 2] : "");
	const char *kind = argv[first], *file = argv[first + 1];
	/* Only worth a progress line for a file that takes a while. */
	struct stat sb;
	int big = stat(file, &sb) == 0 && sb.st_size > (8 << 20);
	up_progress_fn progress = big && isatty(STDERR_FILENO)
		? show_progress : NULL;
	up_error *err = up_error_new();
	up_program *prog = NULL;
	up_store *store = NULL;
	long long rows = 0;
	int rc = load(g, &prog, err);
	if (rc == UP_OK)
		rc = up_store_open(&store, g->dir, g->db, 0, err);
	if (rc == UP_OK)
		rc = up_import(store, prog, kind, file, progress, (void *)file,
			       &rows, err);
	if (rc == UP_OK)
		printf("imported %lld row%s of %s from %s\n", rows,
		       rows == 1 ? "" : "s", kind, file);
	int status = report(err, rc);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	return status;
}

typedef struct {
	const char *as_of;
	const char *fail_on;
} cycle_args;

static int cycle_opt(globals *g, void *ctx, const char *name,
		     const char *val)
{
	cycle_args *a = ctx;
	if (!common_opt(g, name, val))
		return 0;
	if (!strcmp(name, "as-of"))
		a->as_of = val;
	else
		a->fail_on = val;
	return 0;
}

/* 1 if any condition of the (checked) comma list holds. */
static int fail_on(const up_cycle *c, const char *list)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", list);
	int hit = 0;
	char *save = NULL;
	for (char *w = strtok_r(buf, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		hit |= up_cycle_has(c, w) > 0;
	}
	return hit;
}

/* NULL if LIST is a comma list of known conditions, else the bad word
 * (in a static buffer). */
static const char *check_fail_on(const char *list)
{
	static const char *const ok[] = {"go", "conditional_go", "hold",
					 "recycle", "kill", "error", "warn",
					 "fail"};
	static char buf[256];
	snprintf(buf, sizeof buf, "%s", list);
	if (strlen(list) >= sizeof buf || !*list)
		return list;
	char *save = NULL;
	for (char *w = strtok_r(buf, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		size_t i = 0;
		while (i < sizeof ok / sizeof *ok && strcmp(ok[i], w))
			i++;
		if (i == sizeof ok / sizeof *ok)
			return w;
	}
	return NULL;
}

static int cmd_cycle(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"as-of", required_argument, 0, 0},
		{"fail-on", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	cycle_args a = {0};
	int done = options_only(g, "cycle", argc, argv, opts, cycle_opt, &a);
	if (done >= 0)
		return done;
	const char *bad = a.fail_on ? check_fail_on(a.fail_on) : NULL;
	if (bad)
		return usage_error("cycle", "--fail-on: unknown condition '%s' "
				   "(use a comma list of go, conditional_go, "
				   "hold, recycle, kill, error, warn, fail)",
				   bad);
	up_error *err = up_error_new();
	up_program *prog = NULL;
	up_store *store = NULL;
	up_cycle *cycle = NULL;
	int rc = load(g, &prog, err);
	if (rc == UP_OK)
		rc = up_store_open(&store, g->dir, g->db, 0, err);
	if (rc == UP_OK)
		rc = up_cycle_run(&cycle, store, prog, a.as_of, err);
	if (rc == UP_OK)
		rc = up_cycle_print(cycle, stdout, g->flags);
	int status = report(err, rc);
	if (status == 0 && a.fail_on && fail_on(cycle, a.fail_on) > 0)
		status = EXIT_FAILON;
	up_cycle_free(cycle);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	return status;
}

typedef struct {
	const char *as_of, *unit, *person, *days;
} due_args;

static int due_opt(globals *g, void *ctx, const char *name, const char *val)
{
	due_args *a = ctx;
	if (!common_opt(g, name, val))
		return 0;
	if (!strcmp(name, "as-of"))
		a->as_of = val;
	else if (!strcmp(name, "unit"))
		a->unit = val;
	else if (!strcmp(name, "person"))
		a->person = val;
	else
		a->days = val;
	return 0;
}

static int cmd_due(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"as-of", required_argument, 0, 0},
		{"unit", required_argument, 0, 0},
		{"person", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	due_args a = {0};
	int done = options_only(g, "due", argc, argv, opts, due_opt, &a);
	if (done >= 0)
		return done;
	up_error *err = up_error_new();
	up_program *prog = NULL;
	up_store *store = NULL;
	int rc = load(g, &prog, err);
	if (rc == UP_OK)
		rc = up_store_open(&store, g->dir, g->db, UP_STORE_READONLY,
				   err);
	if (rc == UP_OK)
		rc = up_due_print(store, prog, a.as_of, a.unit, a.person,
				  stdout, g->flags, err);
	int status = report(err, rc);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	return status;
}

/* Writes the calendar to PATH.tmp, then renames it over PATH, so PATH is
 * either the old file or the whole new one.  Returns the exit status. */
static int write_calendar_file(up_store *store, const up_program *prog,
			       const char *as_of, const char *path,
			       up_error *err)
{
	size_t n = strlen(path) + sizeof ".tmp";
	char *tmp = malloc(n);
	if (!tmp)
		return report(err, UP_ENOMEM);
	snprintf(tmp, n, "%s.tmp", path);
	FILE *fp = fopen(tmp, "wb");
	if (!fp) {
		fprintf(stderr, "uptake: %s: error: cannot write: %s\n", tmp,
			strerror(errno));
		free(tmp);
		return up_exit_status(UP_EINPUT);
	}
	int rc = up_calendar_write(store, prog, as_of, fp, err);
	int ok = rc == UP_OK && fsync(fileno(fp)) == 0;
	ok = fclose(fp) == 0 && ok;
	ok = ok && rename(tmp, path) == 0;
	int status = report(err, rc);
	if (rc == UP_OK && !ok) {
		fprintf(stderr, "uptake: %s: error: cannot write: %s\n", path,
			strerror(errno));
		status = up_exit_status(UP_EINTERNAL);
	}
	if (!ok)
		remove(tmp);
	free(tmp);
	return status;
}

static int cmd_calendar(globals *g, int argc, char **argv)
{
	/* its own loop: parse_opts knows no short option but -h */
	static const struct option opts[] = {
		{"db", required_argument, 0, 0},
		{"as-of", required_argument, 0, 0},
		{"output", required_argument, 0, 'o'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *as_of = NULL, *out = NULL;
	optind = 0;
	opterr = 0;
	int c, ix;
	while ((c = getopt_long(argc, argv, "ho:", opts, &ix)) != -1) {
		if (c == 'h')
			return help_of("calendar");
		if (c == '?' || c == ':') {
			if (optopt)
				return usage_error("calendar", "option '-%c' is "
						   "not known or needs a value",
						   optopt);
			return usage_error("calendar", "option '%s' is not "
					   "known or needs a value",
					   argv[optind - 1]);
		}
		if (c == 'o')
			out = optarg;
		else if (!strcmp(opts[ix].name, "db"))
			g->db = optarg;
		else
			as_of = optarg;
	}
	if (optind < argc)
		return usage_error("calendar", "unexpected argument '%s'",
				   argv[optind]);
	up_error *err = up_error_new();
	up_program *prog = NULL;
	up_store *store = NULL;
	int rc = load(g, &prog, err);
	if (rc == UP_OK)
		rc = up_store_open(&store, g->dir, g->db, UP_STORE_READONLY,
				   err);
	int status;
	if (rc == UP_OK && out)
		status = write_calendar_file(store, prog, as_of, out, err);
	else
		status = report(err, rc == UP_OK ? up_calendar_write(store,
					prog, as_of, stdout, err) : rc);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	return status;
}

/* ack ID and snooze ID --days N */
static int cmd_act(globals *g, int argc, char **argv, int snooze)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0},
		{"days", required_argument, 0, 0},
		{"as-of", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *cmd = snooze ? "snooze" : "ack";
	due_args a = {0};
	int first = parse_opts(g, cmd, argc, argv, opts, due_opt, &a);
	if (first == -2)
		return help_of(cmd);
	if (first < 0)
		return EXIT_USAGE;
	if (argc - first != 1)
		return usage_error(cmd, "give one reminder id (see 'uptake "
				   "due')");
	if (!snooze && (a.days || a.as_of))
		return usage_error(cmd, "ack takes only an id");
	char *end = NULL;
	long days = a.days ? strtol(a.days, &end, 10) : 0;
	if (snooze && (!a.days || *end || end == a.days || days < 1 ||
		       days > 365))
		return usage_error(cmd, "--days N is required: a whole number "
				   "from 1 to 365");
	up_error *err = up_error_new();
	up_store *store = NULL;
	int rc = up_store_open(&store, g->dir, g->db, 0, err);
	if (rc == UP_OK)
		rc = snooze ? up_reminder_snooze(store, argv[first], (int)days,
						 a.as_of, err)
			    : up_reminder_ack(store, argv[first], err);
	if (rc == UP_OK)
		printf("%s %s\n", snooze ? "snoozed" : "acknowledged",
		       argv[first]);
	int status = report(err, rc);
	up_store_close(store);
	up_error_free(err);
	return status;
}

static int cmd_ack(globals *g, int argc, char **argv)
{
	return cmd_act(g, argc, argv, 0);
}

static int cmd_snooze(globals *g, int argc, char **argv)
{
	return cmd_act(g, argc, argv, 1);
}

/* status and explain read the last stored cycle; no program needed. */
static int with_latest(globals *g, up_cycle **cycle, up_store **store,
		       up_error *err)
{
	int rc = up_store_open(store, g->dir, g->db, UP_STORE_READONLY, err);
	return rc == UP_OK ? up_cycle_latest(cycle, *store, err) : rc;
}

static int status_opt(globals *g, void *ctx, const char *name,
		      const char *val)
{
	if (!common_opt(g, name, val))
		return 0;
	*(const char **)ctx = val; /* --unit */
	return 0;
}

static int cmd_status(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"unit", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *unit = NULL;
	int done = options_only(g, "status", argc, argv, opts, status_opt,
				&unit);
	if (done >= 0)
		return done;
	up_error *err = up_error_new();
	up_store *store = NULL;
	up_cycle *cycle = NULL;
	int rc = with_latest(g, &cycle, &store, err);
	if (rc == UP_OK)
		rc = up_status_print(cycle, unit, stdout, g->flags, err);
	int status = report(err, rc);
	up_cycle_free(cycle);
	up_store_close(store);
	up_error_free(err);
	return status;
}

static int cmd_explain(globals *g, int argc, char **argv)
{
	int first = simple_opts(g, "explain", argc, argv, 1);
	if (first == -2)
		return help_of("explain");
	if (first < 0)
		return EXIT_USAGE;
	if (first >= argc)
		return usage_error("explain", "which unit?");
	if (argc - first > 2)
		return usage_error("explain", "unexpected argument '%s'",
				   argv[first + 2]);
	up_error *err = up_error_new();
	up_store *store = NULL;
	up_cycle *cycle = NULL;
	int rc = with_latest(g, &cycle, &store, err);
	if (rc == UP_OK)
		rc = up_explain_print(cycle, argv[first],
				      first + 1 < argc ? argv[first + 1] : NULL,
				      stdout, g->flags, err);
	int status = report(err, rc);
	up_cycle_free(cycle);
	up_store_close(store);
	up_error_free(err);
	return status;
}

static int cmd_help(globals *g, int argc, char **argv);

/* summary: one line for the command list; help: the rest of --help. */
static const command commands[] = {
	{"check", "[--db PATH]",
	 "validate program.yaml and compile the rule files",
	 "Validates program.yaml and compiles every rule file in the sandbox,\n"
	 "running its declarations but no rule.  Exit status 0 when valid, 65\n"
	 "with every problem listed otherwise.  Nothing is written.\n",
	 cmd_check},
	{"record", "engagement|event|training --field VALUE ...",
	 "record one dated fact",
	 "Records one dated fact in the store, in one transaction.  Bad values\n"
	 "exit 65 and write nothing.\n"
	 "\nuptake record engagement:\n"
	 "  --person ID     a person of the program\n"
	 "  --level LEVEL   unaware, informed, consulted, involved, bought_in\n"
	 "  --date DATE     YYYY-MM-DD\n"
	 "  --note TEXT\n"
	 "\nuptake record event:\n"
	 "  --kind KIND     consultation, meeting, deliverable, story, "
	 "decision,\n"
	 "                  contract, plan, budget\n"
	 "  --date DATE     YYYY-MM-DD\n"
	 "  --unit ID       the unit it concerns\n"
	 "  --people A,B    the people who took part\n"
	 "  --note TEXT\n"
	 "  --attr K=V      an attribute; repeatable.  Checked: "
	 "proposed_by=us|them,\n"
	 "                  outcome=held|cancelled|no_show, in_person=yes|no,\n"
	 "                  owner=PERSON, due=DATE, done=DATE\n"
	 "\nuptake record training:\n"
	 "  --person ID     who attended\n"
	 "  --date DATE     YYYY-MM-DD\n"
	 "  --topic TEXT\n"
	 "  --outcome O     passed (default) or failed: a failed check starts\n"
	 "                  the person's plan again from its first interval\n",
	 cmd_record},
	{"import", "KIND FILE [--db PATH]",
	 "load a CSV export: units, people, engagements, events, observations",
	 NULL, cmd_import},
	{"cycle", "[--as-of DATE] [--json] [--fail-on LIST] [--db PATH]",
	 "judge every unit's next gate and every check",
	 "Evaluates every unit's next gate and every check as of DATE and\n"
	 "stores the results in one transaction.\n"
	 "\n  --as-of DATE     judge the facts known on DATE (default: today, "
	 "UTC)\n"
	 "  --json           print the cycle as JSON\n"
	 "  --fail-on LIST   exit 1 if any of these occurs: go, "
	 "conditional_go,\n"
	 "                   hold, recycle, kill, error, warn, fail\n",
	 cmd_cycle},
	{"status", "[--unit U] [--json] [--db PATH]",
	 "show the last cycle's decisions per unit",
	 "Shows the last cycle's stage, gate decision, score and number of\n"
	 "findings per unit.\n", cmd_status},
	{"explain", "UNIT [GATE-or-RULE] [--json] [--db PATH]",
	 "explain why a unit's gate decided as it did",
	 "Explains a unit's gate decision in the last cycle: every criterion\n"
	 "with its status, message, evidence and source location, then the\n"
	 "unit's findings.  GATE-or-RULE narrows it to one gate or rule.\n",
	 cmd_explain},
	{"due", "[--as-of DATE] [--unit U] [--person P] [--json] [--db PATH]",
	 "list the reminders and follow-ups to act on",
	 "Lists reminders as of DATE (default: today): training refreshers,\n"
	 "follow-ups, escalations, and rules' reminders that are due, overdue,\n"
	 "escalated or snoozed, or due within 14 days.  A cycle raises them.\n",
	 cmd_due},
	{"calendar", "[--as-of DATE] [-o FILE] [--db PATH]",
	 "export reminders and follow-ups as iCalendar",
	 "Writes every reminder (training refreshers, escalations, rules'\n"
	 "reminders, follow-ups) as an iCalendar (RFC 5545) to-do with a stable\n"
	 "UID, to standard output or FILE.  DTSTAMP is DATE, so the same store\n"
	 "and date give the same file.  Done items are COMPLETED, cancelled\n"
	 "ones CANCELLED.\n"
	 "\n  --as-of DATE        the export's date (default: today, UTC)\n"
	 "  -o, --output FILE   write FILE (via FILE.tmp, renamed when whole)\n",
	 cmd_calendar},
	{"ack", "ID [--db PATH]", "mark a reminder done",
	 "Marks the reminder ID (from uptake due) done.  An unknown id exits "
	 "65.\n", cmd_ack},
	{"snooze", "ID --days N [--as-of DATE] [--db PATH]",
	 "hide a reminder for N days",
	 "Hides the reminder ID for N days (1-365) from DATE (default: "
	 "today).\n", cmd_snooze},
	{"help", "[COMMAND]", "show help for uptake or one command",
	 "Shows help for uptake, or for one command.\n", cmd_help},
};

static const command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void main_usage(FILE *fp)
{
	fputs("usage: uptake [-C DIR] [--db PATH] COMMAND [ARGS]\n\n"
	      "Executable stage gates for taking digital health from pilot to "
	      "daily use.\n\ncommands:\n", fp);
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(fp, "  %-9s %s\n", commands[i].name,
			commands[i].summary);
	fputs("\noptions:\n"
	      "  -C DIR      the program directory (default: .)\n"
	      "  --db PATH   the state database (default: DIR/.uptake/"
	      "state.db)\n"
	      "  --version   print the version\n"
	      "\nRun 'uptake COMMAND --help' for a command's options.\n", fp);
}

static int cmd_help(globals *g, int argc, char **argv)
{
	(void)g;
	if (argc < 2) {
		main_usage(stdout);
		return 0;
	}
	if (!find_command(argv[1]))
		return usage_error(NULL, "unknown command '%s'", argv[1]);
	return help_of(argv[1]);
}

int main(int argc, char **argv)
{
	globals g = {".", NULL, 0};
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--version")) {
			printf("uptake %s\n", UP_VERSION);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			main_usage(stdout);
			return 0;
		} else if (!strcmp(a, "-C") || !strcmp(a, "--db")) {
			if (i + 1 >= argc)
				return usage_error(NULL, "option '%s' needs a "
						   "value", a);
			*(a[1] == 'C' ? &g.dir : &g.db) = argv[++i];
		} else {
			return usage_error(NULL, "unknown option '%s'", a);
		}
	}
	if (i >= argc) {
		main_usage(stderr);
		return EXIT_USAGE;
	}
	const command *c = find_command(argv[i]);
	if (!c)
		return usage_error(NULL, "unknown command '%s'", argv[i]);
	const char *nc = getenv("NO_COLOR");
	if (isatty(STDOUT_FILENO) && !(nc && *nc))
		g.flags |= UP_PRINT_COLOR;
	return c->run(&g, argc - i, argv + i);
}
