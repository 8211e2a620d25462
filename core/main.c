/*
 * main.c: the uptake command line.  Parses arguments, calls libuptake and
 * maps its codes to exit statuses; it holds no logic the library lacks.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	while ((c = getopt_long(argc, argv, "+h", opts, &ix)) != -1) {
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
	printf("usage: uptake %s %s\n\n%s\n%s", c->name, c->args, c->summary,
	       c->help);
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
	static const struct option opts[] = {
		{"db", required_argument, 0, 0},
		{"person", required_argument, 0, 0},
		{"level", required_argument, 0, 0},
		{"date", required_argument, 0, 0},
		{"note", required_argument, 0, 0},
		{"kind", required_argument, 0, 0},
		{"unit", required_argument, 0, 0},
		{"people", required_argument, 0, 0},
		{"attr", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "--help") ||
				  !strcmp(argv[1], "-h")))
			return help_of("record");
		return usage_error("record", "say what to record: engagement "
				   "or event");
	}
	const char *kind = argv[1];
	if (strcmp(kind, "engagement") && strcmp(kind, "event"))
		return usage_error("record", "cannot record '%s' (engagement "
				   "or event)", kind);
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

/* 1 if any condition of the comma list holds; -1 on an unknown name. */
static int fail_on(const up_cycle *c, const char *list, const char **bad)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", list);
	int hit = 0;
	char *save = NULL;
	for (char *w = strtok_r(buf, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		int h = up_cycle_has(c, w);
		if (h < 0) {
			*bad = list;
			return -1;
		}
		hit |= h;
	}
	return hit;
}

static int check_fail_on(const char *list)
{
	static const char *const ok[] = {"go", "conditional_go", "hold",
					 "recycle", "kill", "error", "warn",
					 "fail"};
	char buf[256];
	if (strlen(list) >= sizeof buf)
		return -1;
	snprintf(buf, sizeof buf, "%s", list);
	char *save = NULL;
	int n = 0;
	for (char *w = strtok_r(buf, ",", &save); w;
	     w = strtok_r(NULL, ",", &save), n++) {
		size_t i = 0;
		while (i < sizeof ok / sizeof *ok && strcmp(ok[i], w))
			i++;
		if (i == sizeof ok / sizeof *ok)
			return -1;
	}
	return n ? 0 : -1;
}

static int cmd_cycle(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"as-of", required_argument, 0, 0},
		{"fail-on", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	cycle_args a = {0};
	int first = parse_opts(g, "cycle", argc, argv, opts, cycle_opt, &a);
	if (first == -2)
		return help_of("cycle");
	if (first < 0)
		return EXIT_USAGE;
	if (first < argc)
		return usage_error("cycle", "unexpected argument '%s'",
				   argv[first]);
	if (a.fail_on && check_fail_on(a.fail_on))
		return usage_error("cycle", "--fail-on '%s': use a comma list "
				   "of go, conditional_go, hold, recycle, "
				   "kill, error, warn, fail", a.fail_on);
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
	const char *bad = NULL;
	if (status == 0 && a.fail_on && fail_on(cycle, a.fail_on, &bad) > 0)
		status = EXIT_FAILON;
	up_cycle_free(cycle);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	return status;
}

/* status and explain read the last stored cycle; no program needed. */
static int with_latest(globals *g, up_cycle **cycle, up_store **store,
		       up_error *err)
{
	int rc = up_store_open(store, g->dir, g->db, UP_STORE_READONLY, err);
	return rc == UP_OK ? up_cycle_latest(cycle, *store, err) : rc;
}

static int cmd_status(globals *g, int argc, char **argv)
{
	int first = simple_opts(g, "status", argc, argv, 1);
	if (first == -2)
		return help_of("status");
	if (first < 0)
		return EXIT_USAGE;
	if (first < argc)
		return usage_error("status", "unexpected argument '%s'",
				   argv[first]);
	up_error *err = up_error_new();
	up_store *store = NULL;
	up_cycle *cycle = NULL;
	int rc = with_latest(g, &cycle, &store, err);
	if (rc == UP_OK)
		rc = up_status_print(cycle, stdout, g->flags);
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

static const command commands[] = {
	{"check", "[--db PATH]",
	 "Validate program.yaml and compile every rule file in the sandbox.\n",
	 "Exit status 0 when valid, 65 with every problem listed otherwise.\n"
	 "Nothing is written.\n", cmd_check},
	{"record", "engagement|event --field VALUE ...",
	 "Record one dated fact in the store, in one transaction.\n",
	 "\nengagement:\n"
	 "  --person ID     a person of the program\n"
	 "  --level LEVEL   unaware, informed, consulted, involved, bought_in\n"
	 "  --date DATE     YYYY-MM-DD\n"
	 "  --note TEXT\n"
	 "\nevent:\n"
	 "  --kind KIND     consultation, meeting, deliverable, story, "
	 "decision,\n"
	 "                  contract, plan, budget\n"
	 "  --date DATE     YYYY-MM-DD\n"
	 "  --unit ID       the unit it concerns\n"
	 "  --people A,B    people who took part\n"
	 "  --note TEXT\n"
	 "  --attr K=V      an attribute; repeatable.  Checked: proposed_by=us|"
	 "them,\n"
	 "                  outcome=held|cancelled|no_show, in_person=yes|no,\n"
	 "                  owner=PERSON, due=DATE, done=DATE\n"
	 "\nBad values exit 65 and write nothing.\n", cmd_record},
	{"cycle", "[--as-of DATE] [--json] [--fail-on LIST] [--db PATH]",
	 "Evaluate every unit's next gate and every check as of DATE (default\n"
	 "today) and store the results.\n",
	 "\n  --as-of DATE     judge the facts known on DATE\n"
	 "  --json           print the cycle as JSON\n"
	 "  --fail-on LIST   exit 1 if any of these occurs: go, "
	 "conditional_go,\n"
	 "                   hold, recycle, kill, error, warn, fail\n",
	 cmd_cycle},
	{"status", "[--json] [--db PATH]",
	 "Show the last cycle's stage, gate decision and findings per unit.\n",
	 "", cmd_status},
	{"explain", "UNIT [GATE-or-RULE] [--json] [--db PATH]",
	 "Explain a unit's gate decision from the last cycle: every criterion\n"
	 "with its status, message, evidence and source location.\n", "",
	 cmd_explain},
	{"help", "[COMMAND]", "Show help for uptake or one command.\n", "",
	 cmd_help},
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
	      "Stage gates, success metrics and follow-ups for digital health "
	      "rollouts.\n\ncommands:\n", fp);
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(fp, "  %-9s %s", commands[i].name, commands[i].summary);
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
