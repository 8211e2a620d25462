/*
 * cmd_report.c: uptake report, the dashboard of a stored cycle as one
 * HTML page and/or Markdown, each file replaced whole or not at all.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct {
	const char *html, *md, *cycle;
} report_args;

static int report_opt(globals *g, void *ctx, const char *name,
		      const char *val)
{
	report_args *a = ctx;
	if (!cli_common_opt(g, name, val))
		return 0;
	if (!strcmp(name, "html"))
		a->html = val;
	else if (!strcmp(name, "md"))
		a->md = val;
	else
		a->cycle = val;
	return 0;
}

int cmd_report(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0},
		{"html", required_argument, 0, 0},
		{"md", required_argument, 0, 0},
		{"cycle", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	report_args a = {0};
	int done = cli_options_only(g, "report", argc, argv, opts, report_opt,
				    &a);
	if (done >= 0)
		return done;
	long long cycle = 0; /* the latest */
	if (!a.html && !a.md)
		return cli_usage_error("report", "give --html FILE, --md FILE "
				       "or both");
	if (a.html && a.md && !strcmp(a.html, a.md))
		return cli_usage_error("report", "--html and --md name the "
				       "same file");
	if (a.cycle && !cli_cycle_number(a.cycle, &cycle))
		return cli_usage_error("report", "--cycle needs a cycle "
				       "number, 1 or more");
	up_error *err = up_error_new();
	up_program *prog = NULL;
	up_store *store = NULL;
	int rc = cli_load_facts(g, &prog, err);
	if (rc == UP_OK)
		rc = up_store_open(&store, g->dir, g->db, UP_STORE_READONLY,
				   err);
	if (rc == UP_OK)
		rc = up_report_save(store, prog, cycle, a.html, a.md, err);
	int status = cli_report(err, rc);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	return status;
}
