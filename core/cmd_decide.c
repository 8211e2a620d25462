/*
 * cmd_decide.c: what people decide on what a cycle recommends: uptake
 * advance and stages (moving units through the gates), waive and waivers
 * (recorded, expiring exceptions to one criterion).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int advance_opt(globals *g, void *ctx, const char *name,
		       const char *val)
{
	up_advance_opts *o = ctx;
	if (!cli_common_opt(g, name, val))
		return 0;
	if (!strcmp(name, "to"))
		o->to = val;
	else if (!strcmp(name, "by"))
		o->by = val;
	else if (!strcmp(name, "note"))
		o->note = val;
	else if (!strcmp(name, "override"))
		o->override = 1;
	else if (!strcmp(name, "reason"))
		o->reason = val;
	else if (!strcmp(name, "conditions-due"))
		o->conditions_due = val;
	else
		o->as_of = val;
	return 0;
}

/* Exactly N operands from FIRST, else a usage error naming WHAT. */
static int operands(const char *cmd, int argc, char **argv, int first,
		    int n, const char *what)
{
	if (argc - first < n)
		return cli_usage_error(cmd, "%s", what);
	if (argc - first > n)
		return cli_usage_error(cmd, "unexpected argument '%s'",
				       argv[first + n]);
	return 0;
}

int cmd_advance(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0},
		{"to", required_argument, 0, 0},
		{"by", required_argument, 0, 0},
		{"note", required_argument, 0, 0},
		{"override", no_argument, 0, 0},
		{"reason", required_argument, 0, 0},
		{"conditions-due", required_argument, 0, 0},
		{"as-of", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	up_advance_opts o = {0};
	int first = cli_parse_opts(g, "advance", argc, argv, opts,
				   advance_opt, &o);
	if (first == -2)
		return cli_help_of("advance");
	if (first < 0)
		return EXIT_USAGE;
	if (operands("advance", argc, argv, first, 1, "which unit?"))
		return EXIT_USAGE;
	if (!o.to || !o.by)
		return cli_usage_error("advance", "--to STAGE and --by PERSON "
				       "are required");
	o.unit = argv[first];
	up_error *err = up_error_new();
	up_program *prog = NULL;
	up_store *store = NULL;
	int rc = cli_load_facts(g, &prog, err);
	if (rc == UP_OK)
		rc = up_store_open(&store, g->dir, g->db, 0, err);
	if (rc == UP_OK)
		rc = up_advance(store, prog, &o, stdout, err);
	int status = cli_report(err, rc);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	return status;
}

int cmd_stages(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int done = cli_options_only(g, "stages", argc, argv, opts,
				    cli_common_opt_cb, NULL);
	if (done >= 0)
		return done;
	up_error *err = up_error_new();
	up_store *store = NULL;
	int rc = up_store_open(&store, g->dir, g->db, UP_STORE_READONLY, err);
	if (rc == UP_OK)
		rc = up_stages_print(store, stdout, g->flags, err);
	int status = cli_report(err, rc);
	up_store_close(store);
	up_error_free(err);
	return status;
}

static int waive_opt(globals *g, void *ctx, const char *name,
		     const char *val)
{
	up_waive_opts *o = ctx;
	if (!cli_common_opt(g, name, val))
		return 0;
	if (!strcmp(name, "reason"))
		o->reason = val;
	else if (!strcmp(name, "by"))
		o->by = val;
	else if (!strcmp(name, "until"))
		o->until = val;
	else
		o->as_of = val;
	return 0;
}

int cmd_waive(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0},
		{"reason", required_argument, 0, 0},
		{"by", required_argument, 0, 0},
		{"until", required_argument, 0, 0},
		{"as-of", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	up_waive_opts o = {0};
	int first = cli_parse_opts(g, "waive", argc, argv, opts, waive_opt,
				   &o);
	if (first == -2)
		return cli_help_of("waive");
	if (first < 0)
		return EXIT_USAGE;
	if (operands("waive", argc, argv, first, 2, "which unit and rule?"))
		return EXIT_USAGE;
	if (!o.reason || !o.by || !o.until)
		return cli_usage_error("waive", "--reason TEXT, --by PERSON "
				       "and --until DATE are required");
	o.unit = argv[first];
	o.rule = argv[first + 1];
	up_error *err = up_error_new();
	up_program *prog = NULL;
	up_store *store = NULL;
	int rc = cli_load(g, &prog, err);
	if (rc == UP_OK)
		rc = up_store_open(&store, g->dir, g->db, 0, err);
	if (rc == UP_OK)
		rc = up_waive(store, prog, &o, stdout, err);
	int status = cli_report(err, rc);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	return status;
}

static int waivers_opt(globals *g, void *ctx, const char *name,
		       const char *val)
{
	if (cli_common_opt(g, name, val))
		*(const char **)ctx = val; /* --as-of */
	return 0;
}

int cmd_waivers(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"as-of", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *as_of = NULL;
	int done = cli_options_only(g, "waivers", argc, argv, opts,
				    waivers_opt, &as_of);
	if (done >= 0)
		return done;
	up_error *err = up_error_new();
	up_store *store = NULL;
	int rc = up_store_open(&store, g->dir, g->db, UP_STORE_READONLY, err);
	if (rc == UP_OK)
		rc = up_waivers_print(store, as_of, stdout, g->flags, err);
	int status = cli_report(err, rc);
	up_store_close(store);
	up_error_free(err);
	return status;
}
