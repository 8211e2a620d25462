/*
 * cmd_history.c: the commands that look back: uptake history (the stored
 * cycles and, with --diff, what changed between two of them; needs no
 * program) and uptake replay (stored cycles judged with other rules).
 * Both read the store only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static int history_opt(globals *g, void *ctx, const char *name,
		       const char *val)
{
	if (!cli_common_opt(g, name, val))
		return 0;
	*(int *)ctx = 1; /* --diff */
	return 0;
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
		if (!cli_cycle_number(args[i], &ab[i]))
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

/* ---- uptake replay ---- */

typedef struct {
	const char *from, *to, *rules, *pack, *known_at;
} replay_args;

static int replay_opt(globals *g, void *ctx, const char *name,
		      const char *val)
{
	replay_args *a = ctx;
	if (!cli_common_opt(g, name, val))
		return 0;
	const char **slot = !strcmp(name, "from") ? &a->from
		: !strcmp(name, "to") ? &a->to
		: !strcmp(name, "rules") ? &a->rules
		: !strcmp(name, "known-at") ? &a->known_at : &a->pack;
	*slot = val;
	return 0;
}

/* A directory given on the command line, as given: a relative one is
 * relative to where uptake runs, as with any command.  NULL after a
 * usage error. */
static char *dir_arg(const char *opt, const char *path)
{
	struct stat sb;
	const char *why = stat(path, &sb) != 0 ? strerror(errno)
		: !S_ISDIR(sb.st_mode) ? "not a directory" : NULL;
	if (why) {
		cli_usage_error("replay", "%s '%s': %s", opt, path, why);
		return NULL;
	}
	return strdup(path);
}

/* The options into O; -1 when they fit, else the exit status. */
static int replay_options(const replay_args *a, up_replay_opts *o,
			  char **rules, char **pack_name, char **pack_path)
{
	if (!a->from)
		return cli_usage_error("replay", "which cycles? (--from CYCLE)");
	if (!cli_cycle_number(a->from, &o->from))
		return cli_usage_error("replay", "--from: '%s' is not a cycle "
				       "number", a->from);
	if (a->to && !cli_cycle_number(a->to, &o->to))
		return cli_usage_error("replay", "--to: '%s' is not a cycle "
				       "number", a->to);
	const char *eq = a->pack ? strchr(a->pack, '=') : NULL;
	if (a->pack && (!eq || eq == a->pack || !eq[1]))
		return cli_usage_error("replay", "--pack needs NAME=PATH, not "
				       "'%s'", a->pack);
	if (a->rules && !(*rules = dir_arg("--rules", a->rules)))
		return EXIT_USAGE;
	if (a->pack && !(*pack_path = dir_arg("--pack", eq + 1)))
		return EXIT_USAGE;
	if (a->pack)
		*pack_name = strndup(a->pack, (size_t)(eq - a->pack));
	o->known_at = a->known_at;
	o->rules_dir = *rules;
	o->pack_name = *pack_name;
	o->pack_path = *pack_path;
	return -1;
}

int cmd_replay(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0}, {"json", no_argument, 0, 0},
		{"from", required_argument, 0, 0},
		{"to", required_argument, 0, 0},
		{"rules", required_argument, 0, 0},
		{"pack", required_argument, 0, 0},
		{"known-at", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	replay_args a = {0};
	int done = cli_options_only(g, "replay", argc, argv, opts, replay_opt,
				    &a);
	if (done >= 0)
		return done;
	up_replay_opts o = {0};
	char *rules = NULL, *pack_name = NULL, *pack_path = NULL;
	done = replay_options(&a, &o, &rules, &pack_name, &pack_path);
	if (done >= 0) {
		free(rules);
		free(pack_path);
		return done;
	}
	up_error *err = up_error_new();
	up_store *store = NULL;
	int rc = up_store_open(&store, g->dir, g->db, UP_STORE_READONLY, err);
	if (rc == UP_OK)
		rc = up_replay_print(store, g->dir, &o, stdout, g->flags, err);
	int status = cli_report(err, rc);
	up_store_close(store);
	up_error_free(err);
	free(rules);
	free(pack_name);
	free(pack_path);
	return status;
}
