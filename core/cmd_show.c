/*
 * cmd_show.c: the commands that read a stored cycle, the last or
 * --cycle N: uptake status and uptake explain.  Neither writes; explain
 * reads program.yaml, without its packs, for the metrics' definitions.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct {
	const char *unit, *cycle;
} show_args;

static int show_opt(globals *g, void *ctx, const char *name,
		    const char *val)
{
	show_args *a = ctx;
	if (!cli_common_opt(g, name, val))
		return 0;
	if (!strcmp(name, "unit"))
		a->unit = val;
	else
		a->cycle = val; /* --cycle */
	return 0;
}

/* --cycle's value into *N (0, the latest, when not given); nonzero after
 * a usage error. */
static int cycle_arg(const char *cmd, const char *val, long long *n)
{
	*n = 0;
	if (!val || cli_cycle_number(val, n))
		return 0;
	return cli_usage_error(cmd, "--cycle needs a cycle number, 1 or more");
}

int cmd_status(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"unit", required_argument, 0, 0},
		{"cycle", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	show_args a = {0};
	long long number;
	int done = cli_options_only(g, "status", argc, argv, opts, show_opt,
				    &a);
	if (done >= 0)
		return done;
	if (cycle_arg("status", a.cycle, &number))
		return EXIT_USAGE;
	up_error *err = up_error_new();
	up_store *store = NULL;
	up_cycle *cycle = NULL;
	int rc = cli_with_cycle(g, number, a.unit, &cycle, &store, err);
	if (rc == UP_OK)
		rc = up_status_print(cycle, a.unit, stdout, g->flags, err);
	int status = cli_report(err, rc);
	up_cycle_free(cycle);
	up_store_close(store);
	up_error_free(err);
	return status;
}

/*
 * program.yaml without its packs, for the metrics' definitions, or NULL
 * with a warning: explain still shows what the cycle stored when the
 * program is broken or gone.
 */
static up_program *metric_definitions(globals *g)
{
	up_error *err = up_error_new();
	up_program *prog = NULL;
	if (cli_load_facts(g, &prog, err) != UP_OK) {
		fputs("uptake: warning: program.yaml does not load (see 'uptake "
		      "check'): metrics show what the cycle stored, without "
		      "their series\n", stderr);
		up_program_free(prog);
		prog = NULL;
	}
	up_error_free(err);
	return prog;
}

int cmd_explain(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"cycle", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	show_args a = {0};
	long long number;
	int first = cli_parse_opts(g, "explain", argc, argv, opts, show_opt,
				   &a);
	if (first == -2)
		return cli_help_of("explain");
	if (first < 0)
		return EXIT_USAGE;
	if (first >= argc)
		return cli_usage_error("explain", "which unit?");
	if (argc - first > 2)
		return cli_usage_error("explain", "unexpected argument '%s'",
				       argv[first + 2]);
	if (cycle_arg("explain", a.cycle, &number))
		return EXIT_USAGE;
	up_error *err = up_error_new();
	up_store *store = NULL;
	up_cycle *cycle = NULL;
	up_program *prog = NULL;
	int rc = cli_with_cycle(g, number, argv[first], &cycle, &store, err);
	if (rc == UP_OK) {
		prog = metric_definitions(g);
		rc = up_explain_print_metrics(cycle, store, prog, argv[first],
					      first + 1 < argc ? argv[first + 1]
					      : NULL, stdout, g->flags, err);
	}
	int status = cli_report(err, rc);
	up_program_free(prog);
	up_cycle_free(cycle);
	up_store_close(store);
	up_error_free(err);
	return status;
}
