/* cmd_init.c: uptake init DIR [--from EXAMPLE]: start a program directory
 * that passes check and cycle as written. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int init_opt(globals *g, void *ctx, const char *name, const char *val)
{
	(void)g; /* init takes no --db: it makes no store */
	if (!strcmp(name, "from"))
		*(const char **)ctx = val;
	return 0;
}

int cmd_init(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *from = NULL;
	int first = cli_parse_opts(g, "init", argc, argv, opts, init_opt,
				   &from);
	if (first == -2)
		return cli_help_of("init");
	if (first < 0)
		return EXIT_USAGE;
	if (first >= argc)
		return cli_usage_error("init", "missing operand (usage: uptake "
				       "init DIR [--from EXAMPLE])");
	if (first + 1 < argc)
		return cli_usage_error("init", "unexpected argument '%s'",
				       argv[first + 1]);
	/* as git -C does: a relative DIR is below -C's directory */
	char path[4096];
	const char *dir = argv[first];
	if (dir[0] != '/' && strcmp(g->dir, ".")) {
		if (snprintf(path, sizeof path, "%s/%s", g->dir, dir) >=
		    (int)sizeof path)
			return cli_usage_error("init", "the path is too long");
		dir = path;
	}
	int len = (int)strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--; /* say new/ as new */
	up_error *err = up_error_new();
	int rc = up_program_init(dir, from, err);
	if (rc == UP_OK && from)
		printf("copied the example %s into %.*s/ (its README.md walks "
		       "through it), with .luarc.json\n", from, len, dir);
	else if (rc == UP_OK)
		printf("wrote %.*s/: program.yaml, rules/local.lua, README.md, "
		       ".gitignore, .luarc.json\n", len, dir);
	if (rc == UP_OK && strcmp(dir, ".") && strcmp(dir, "./"))
		printf("next: cd %.*s && uptake check && uptake cycle\n", len,
		       dir);
	else if (rc == UP_OK)
		printf("next: uptake check && uptake cycle\n");
	int status = cli_report(err, rc);
	up_error_free(err);
	return status;
}
