/*
 * cmd_show.c: the commands that read the last stored cycle: uptake status
 * and uptake explain.  Neither loads the program nor writes.
 */
#include <stdio.h>

#include "cli.h"

static int status_opt(globals *g, void *ctx, const char *name,
		      const char *val)
{
	if (!cli_common_opt(g, name, val))
		return 0;
	*(const char **)ctx = val; /* --unit */
	return 0;
}

int cmd_status(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"unit", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *unit = NULL;
	int done = cli_options_only(g, "status", argc, argv, opts,
				    status_opt, &unit);
	if (done >= 0)
		return done;
	up_error *err = up_error_new();
	up_store *store = NULL;
	up_cycle *cycle = NULL;
	int rc = cli_with_latest(g, &cycle, &store, err);
	if (rc == UP_OK)
		rc = up_status_print(cycle, unit, stdout, g->flags, err);
	int status = cli_report(err, rc);
	up_cycle_free(cycle);
	up_store_close(store);
	up_error_free(err);
	return status;
}

int cmd_explain(globals *g, int argc, char **argv)
{
	int first = cli_simple_opts(g, "explain", argc, argv, 1);
	if (first == -2)
		return cli_help_of("explain");
	if (first < 0)
		return EXIT_USAGE;
	if (first >= argc)
		return cli_usage_error("explain", "which unit?");
	if (argc - first > 2)
		return cli_usage_error("explain", "unexpected argument '%s'",
				       argv[first + 2]);
	up_error *err = up_error_new();
	up_store *store = NULL;
	up_cycle *cycle = NULL;
	int rc = cli_with_latest(g, &cycle, &store, err);
	if (rc == UP_OK)
		rc = up_explain_print(cycle, argv[first],
				      first + 1 < argc ? argv[first + 1] : NULL,
				      stdout, g->flags, err);
	int status = cli_report(err, rc);
	up_cycle_free(cycle);
	up_store_close(store);
	up_error_free(err);
	return status;
}
