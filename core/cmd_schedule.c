/*
 * cmd_schedule.c: the reminders a cycle raises: uptake due lists them
 * (for one person, as a message, or counted per unit), ack and snooze
 * act on one, calendar exports them as iCalendar, and plan shows one
 * person's training plans.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* due's options, and ack's and snooze's (--days, --as-of), and plan's. */
typedef struct {
	const char *as_of, *unit, *person, *days, *for_person, *format;
	int summary;
} due_args;

static int due_opt(globals *g, void *ctx, const char *name, const char *val)
{
	due_args *a = ctx;
	if (!cli_common_opt(g, name, val))
		return 0;
	if (!strcmp(name, "as-of"))
		a->as_of = val;
	else if (!strcmp(name, "unit"))
		a->unit = val;
	else if (!strcmp(name, "person"))
		a->person = val;
	else if (!strcmp(name, "for"))
		a->for_person = val;
	else if (!strcmp(name, "summary"))
		a->summary = 1;
	else if (!strcmp(name, "format"))
		a->format = val;
	else
		a->days = val;
	return 0;
}

/* The program and the store, read-only, for a command that lists. */
static int open_read(globals *g, up_program **prog, up_store **store,
		     up_error *err)
{
	int rc = cli_load_facts(g, prog, err);
	if (rc == UP_OK)
		rc = up_store_open(store, g->dir, g->db, UP_STORE_READONLY,
				   err);
	return rc;
}

int cmd_due(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"as-of", required_argument, 0, 0},
		{"unit", required_argument, 0, 0},
		{"person", required_argument, 0, 0},
		{"for", required_argument, 0, 0},
		{"summary", no_argument, 0, 0},
		{"format", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	due_args a = {0};
	int done = cli_options_only(g, "due", argc, argv, opts, due_opt, &a);
	if (done >= 0)
		return done;
	if (a.format && strcmp(a.format, "table") && strcmp(a.format, "text")
	    && strcmp(a.format, "md"))
		return cli_usage_error("due", "--format must be table, text or "
				       "md, not '%s'", a.format);
	if (a.format && (g->flags & UP_PRINT_JSON))
		return cli_usage_error("due", "give --json or --format, not "
				       "both");
	up_error *err = up_error_new();
	up_program *prog = NULL;
	up_store *store = NULL;
	int rc = open_read(g, &prog, &store, err);
	up_due_opts o = {.as_of = a.as_of, .unit = a.unit,
			 .person = a.person, .for_person = a.for_person,
			 .summary = a.summary, .format = a.format};
	if (rc == UP_OK)
		rc = up_due_write(store, prog, &o, stdout, g->flags, err);
	int status = cli_report(err, rc);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	return status;
}

int cmd_plan(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"as-of", required_argument, 0, 0},
		{"person", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	due_args a = {0};
	int done = cli_options_only(g, "plan", argc, argv, opts, due_opt, &a);
	if (done >= 0)
		return done;
	if (!a.person)
		return cli_usage_error("plan", "--person P is required");
	up_error *err = up_error_new();
	up_program *prog = NULL;
	up_store *store = NULL;
	int rc = open_read(g, &prog, &store, err);
	if (rc == UP_OK)
		rc = up_plan_print(store, prog, a.person, a.as_of, stdout,
				   g->flags, err);
	int status = cli_report(err, rc);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	return status;
}

/* Writes the calendar to PATH.tmp, then renames it over PATH, so PATH is
 * either the old file or the whole new one.  Returns the exit status. */
static int write_calendar_file(up_store *store, const up_program *prog,
			       const due_args *a, const char *path,
			       up_error *err)
{
	size_t n = strlen(path) + sizeof ".tmp";
	char *tmp = malloc(n);
	if (!tmp)
		return cli_report(err, UP_ENOMEM);
	snprintf(tmp, n, "%s.tmp", path);
	FILE *fp = fopen(tmp, "wb");
	if (!fp) {
		fprintf(stderr, "uptake: %s: error: cannot write: %s\n", tmp,
			strerror(errno));
		free(tmp);
		return up_exit_status(UP_EINPUT);
	}
	int rc = up_calendar_write_for(store, prog, a->as_of, a->unit,
				       a->for_person, fp, err);
	int ok = rc == UP_OK && fsync(fileno(fp)) == 0;
	ok = fclose(fp) == 0 && ok;
	ok = ok && rename(tmp, path) == 0;
	int status = cli_report(err, rc);
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

int cmd_calendar(globals *g, int argc, char **argv)
{
	/* its own loop: cli_parse_opts knows no short option but -h */
	static const struct option opts[] = {
		{"db", required_argument, 0, 0},
		{"as-of", required_argument, 0, 0},
		{"unit", required_argument, 0, 0},
		{"for", required_argument, 0, 0},
		{"output", required_argument, 0, 'o'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	due_args a = {0};
	const char *out = NULL;
	optind = 0;
	opterr = 0;
	int c, ix;
	while ((c = getopt_long(argc, argv, "ho:", opts, &ix)) != -1) {
		if (c == 'h')
			return cli_help_of("calendar");
		if (c == '?' || c == ':') {
			if (optopt)
				return cli_usage_error("calendar", "option "
						       "'-%c' is not known "
						       "or needs a value",
						       optopt);
			return cli_usage_error("calendar", "option '%s' is "
					       "not known or needs a value",
					       argv[optind - 1]);
		}
		if (c == 'o')
			out = optarg;
		else if (!strcmp(opts[ix].name, "db"))
			g->db = optarg;
		else
			due_opt(g, &a, opts[ix].name, optarg);
	}
	if (optind < argc)
		return cli_usage_error("calendar", "unexpected argument '%s'",
				       argv[optind]);
	up_error *err = up_error_new();
	up_program *prog = NULL;
	up_store *store = NULL;
	int rc = open_read(g, &prog, &store, err);
	int status;
	if (rc == UP_OK && out)
		status = write_calendar_file(store, prog, &a, out, err);
	else
		status = cli_report(err, rc == UP_OK ? up_calendar_write_for(
			store, prog, a.as_of, a.unit, a.for_person, stdout, err)
			: rc);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	return status;
}

/* ack ID and snooze ID --days N */
static int act(globals *g, int argc, char **argv, int snooze)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0},
		{"days", required_argument, 0, 0},
		{"as-of", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *cmd = snooze ? "snooze" : "ack";
	due_args a = {0};
	int first = cli_parse_opts(g, cmd, argc, argv, opts, due_opt, &a);
	if (first == -2)
		return cli_help_of(cmd);
	if (first < 0)
		return EXIT_USAGE;
	if (argc - first != 1)
		return cli_usage_error(cmd, "give one reminder id (see "
				       "'uptake due')");
	if (!snooze && (a.days || a.as_of))
		return cli_usage_error(cmd, "ack takes only an id");
	char *end = NULL;
	long days = a.days ? strtol(a.days, &end, 10) : 0;
	if (snooze && (!a.days || *end || end == a.days || days < 1 ||
		       days > 365))
		return cli_usage_error(cmd, "--days N is required: a whole "
				       "number from 1 to 365");
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
	int status = cli_report(err, rc);
	up_store_close(store);
	up_error_free(err);
	return status;
}

int cmd_ack(globals *g, int argc, char **argv)
{
	return act(g, argc, argv, 0);
}

int cmd_snooze(globals *g, int argc, char **argv)
{
	return act(g, argc, argv, 1);
}
