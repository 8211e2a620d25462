/*
 * cmd_cycle.c: uptake cycle: judge every unit's next gate, print the board
 * and, with --fail-on, exit 1 when a listed condition occurs.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct {
	const char *as_of;
	const char *fail_on;
} cycle_args;

static int cycle_opt(globals *g, void *ctx, const char *name,
		     const char *val)
{
	cycle_args *a = ctx;
	if (!cli_common_opt(g, name, val))
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

int cmd_cycle(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"as-of", required_argument, 0, 0},
		{"fail-on", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	cycle_args a = {0};
	int done = cli_options_only(g, "cycle", argc, argv, opts, cycle_opt,
				    &a);
	if (done >= 0)
		return done;
	const char *bad = a.fail_on ? check_fail_on(a.fail_on) : NULL;
	if (bad)
		return cli_usage_error("cycle", "--fail-on: unknown condition "
				       "'%s' (use a comma list of go, "
				       "conditional_go, hold, recycle, kill, "
				       "error, warn, fail)", bad);
	up_error *err = up_error_new();
	up_program *prog = NULL;
	up_store *store = NULL;
	up_cycle *cycle = NULL;
	int rc = cli_load(g, &prog, err);
	if (rc == UP_OK)
		rc = up_store_open(&store, g->dir, g->db, 0, err);
	if (rc == UP_OK)
		rc = up_cycle_run(&cycle, store, prog, a.as_of, err);
	if (rc == UP_OK)
		rc = up_cycle_print_since(cycle, store, stdout, g->flags,
					  err);
	int status = cli_report(err, rc);
	if (status == 0 && a.fail_on && fail_on(cycle, a.fail_on) > 0)
		status = EXIT_FAILON;
	up_cycle_free(cycle);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	return status;
}
