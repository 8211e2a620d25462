/*
 * cmd_history.c: uptake history: the stored cycles and, with --diff, what
 * changed between two of them.  Reads the store only; needs no program.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int history_opt(globals *g, void *ctx, const char *name,
		       const char *val)
{
	if (!cli_common_opt(g, name, val))
		return 0;
	*(int *)ctx = 1; /* --diff */
	return 0;
}

/* 1 and *OUT when S is a cycle number: digits only (whether that cycle
 * exists is for the store to say). */
static int cycle_number(const char *s, long long *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	long long n = strtoll(s, &end, 10);
	if (errno || *end)
		return 0;
	*out = n;
	return 1;
}

/* The operands: none, or with --diff the two cycle numbers into AB.
 * -1 when they fit, else the exit status after a usage error. */
static int history_operands(int diff, int n, char **args, long long ab[2])
{
	if (!diff && n > 0)
		return cli_usage_error("history", "unexpected argument '%s' "
				       "(to compare two cycles: --diff A B)",
				       args[0]);
	if (diff && n != 2)
		return cli_usage_error("history", "--diff needs two cycle "
				       "numbers, A and B");
	for (int i = 0; diff && i < 2; i++)
		if (!cycle_number(args[i], &ab[i]))
			return cli_usage_error("history", "--diff: '%s' is not "
					       "a cycle number", args[i]);
	return -1;
}

int cmd_history(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"diff", no_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int diff = 0;
	int first = cli_parse_opts(g, "history", argc, argv, opts, history_opt,
				   &diff);
	if (first == -2)
		return cli_help_of("history");
	if (first < 0)
		return EXIT_USAGE;
	long long ab[2] = {0, 0};
	int done = history_operands(diff, argc - first, argv + first, ab);
	if (done >= 0)
		return done;
	up_error *err = up_error_new();
	up_store *store = NULL;
	int rc = up_store_open(&store, g->dir, g->db, UP_STORE_READONLY, err);
	if (rc == UP_OK && diff)
		rc = up_history_diff_print(store, ab[0], ab[1], stdout,
					   g->flags, err);
	else if (rc == UP_OK)
		rc = up_history_print(store, stdout, g->flags, err);
	int status = cli_report(err, rc);
	up_store_close(store);
	up_error_free(err);
	return status;
}
