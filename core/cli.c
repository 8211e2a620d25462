/*
 * cli.c: the helpers every command shares: option parsing, --help, usage
 * errors and the mapping of libuptake's codes to exit statuses.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
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
int cli_report(up_error *err, int rc)
{
	for (size_t i = 0; i < up_error_count(err); i++)
		fprintf(stderr, "uptake: %s\n", up_error_message(err, i));
	if (rc != UP_OK && up_error_count(err) == 0)
		fprintf(stderr, "uptake: error: %s\n", up_errstr(rc));
	return up_exit_status(rc);
}

/* " (did you mean '--NAME'?)" for the option of OPTS nearest to ARG
 * ("--as-fo" or "--as-fo=DATE"), in BUF; "" when none is near. */
static const char *option_hint(const char *arg, const struct option *opts,
			       char *buf, size_t size)
{
	const char *names[64];
	size_t n = 0;
	for (; n < 64 && opts[n].name; n++)
		names[n] = opts[n].name;
	buf[0] = '\0';
	if (strncmp(arg, "--", 2))
		return buf;
	char name[64];
	snprintf(name, sizeof name, "%.*s", (int)strcspn(arg + 2, "="),
		 arg + 2);
	const char *hint = up_did_you_mean(name, names, n);
	if (hint)
		snprintf(buf, size, " (did you mean '--%s'?)", hint);
	return buf;
}

/*
 * getopt_long over a subcommand's arguments.  Each option calls back with
 * its long name and value; unknown options and missing values are usage
 * errors.  Returns the index of the first operand, -2 for --help, or -1
 * after an error.
 */
int cli_parse_opts(globals *g, const char *cmd, int argc, char **argv,
		   const struct option *opts, cli_opt_fn fn, void *ctx)
{
	optind = 0; /* GNU: reinitialise for each subcommand */
	opterr = 0;
	int c, ix;
	char hint[96];
	while ((c = getopt_long(argc, argv, "h", opts, &ix)) != -1) {
		if (c == 'h')
			return -2;
		if (c == '?' || c == ':') {
			if (optopt)
				cli_usage_error(cmd, "option '-%c' is not "
						"known or needs a value",
						optopt);
			else
				cli_usage_error(cmd, "option '%s' is not "
						"known or needs a value%s",
						argv[optind - 1],
						option_hint(argv[optind - 1],
							    opts, hint,
							    sizeof hint));
			return -1;
		}
		if (fn(g, ctx, opts[ix].name, optarg) != 0)
			return -1;
	}
	return optind;
}

int cli_common_opt(globals *g, const char *name, const char *val)
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

int cli_common_opt_cb(globals *g, void *ctx, const char *name,
		      const char *val)
{
	(void)ctx;
	return cli_common_opt(g, name, val);
}

int cli_cycle_number(const char *s, long long *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	long long n = strtoll(s, &end, 10);
	if (errno || *end || n < 1)
		return 0;
	*out = n;
	return 1;
}

int cli_help_of(const char *cmd)
{
	const command *c = cli_find_command(cmd);
	printf("usage: uptake %s %s\n\n", c->name, c->args);
	if (c->help)
		fputs(c->help, stdout);
	else /* import: the formats live in the library */
		printf("Loads a CSV file with a header row in one transaction. "
		       "A bad row fails\nthe whole file (exit 65) and nothing "
		       "is imported; importing the same\nfile again changes "
		       "nothing.  It says what it added, changed and left\n"
		       "unchanged, and lists each observation it changed: the "
		       "value replaced is\nkept, so 'uptake replay' reads a "
		       "past cycle's facts as they were; and\neach person a "
		       "re-import changes: never overwritten, what differs "
		       "becomes\na dated change.\nThe formats:\n\n%s",
		       up_import_help());
	if (!c->help)
		fputs("\nExports as systems write them: the delimiter (',', ';' "
		      "or tab) is read\nfrom the header line, and a ';' or tab "
		      "file may write 12,5 for 12.5.\n"
		      "\n  --map OURS=THEIRS,...  the export's names for "
		      "uptake's columns\n"
		      "  --ignore COL,...       columns of the export to skip\n"
		      "  --wide                 observations as unit, period "
		      "and a column per\n"
		      "                         series (a series is named by "
		      "its header, or --map)\n"
		      "  --dry-run              read and check it all, say what "
		      "would change, and\n"
		      "                         write nothing\n"
		      "  --as-of DATE           people: the day the changes a "
		      "re-import finds\n"
		      "                         hold from (default: today, "
		      "UTC)\n"
		      "\nExamples:\n"
		      "  uptake import observations observations.csv\n"
		      "  uptake import people people.csv && uptake import "
		      "trainings trainings.csv\n"
		      "  uptake import people people.csv --as-of 2026-06-01 "
		      "--dry-run\n"
		      "  uptake import people_changes changes.csv\n"
		      "  uptake import observations bookings.csv --wide \\\n"
		      "         --map unit=Mottagning,period=Manad,"
		      "digital=Digitala\n", stdout);
	return 0;
}

/* Parses options that are only --db, --json and --help. */
int cli_simple_opts(globals *g, const char *cmd, int argc, char **argv,
		    int json_ok)
{
	static const struct option with_json[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	static const struct option without[] = {
		{"db", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	return cli_parse_opts(g, cmd, argc, argv,
			      json_ok ? with_json : without,
			      cli_common_opt_cb, NULL);
}

int cli_load(globals *g, up_program **prog, up_error *err)
{
	return up_program_load(prog, g->dir, err);
}

int cli_load_facts(globals *g, up_program **prog, up_error *err)
{
	return up_program_open(prog, g->dir, UP_PROGRAM_NO_PACKS, err);
}

int cli_options_only(globals *g, const char *cmd, int argc, char **argv,
		     const struct option *opts, cli_opt_fn fn, void *ctx)
{
	int first = cli_parse_opts(g, cmd, argc, argv, opts, fn, ctx);
	if (first == -2)
		return cli_help_of(cmd);
	if (first < 0)
		return EXIT_USAGE;
	if (first < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'",
				       argv[first]);
	return -1;
}

/* status and explain read a stored cycle: the last, or NUMBER; with
 * UNIT, that unit's record alone. */
int cli_with_cycle(globals *g, long long number, const char *unit,
		   up_cycle **cycle, up_store **store, up_error *err)
{
	int rc = up_store_open(store, g->dir, g->db, UP_STORE_READONLY, err);
	if (rc != UP_OK)
		return rc;
	/* neither prints the reminders: up_cycle_read leaves them out */
	return up_cycle_read(cycle, *store, number, unit, err);
}
