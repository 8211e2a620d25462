/* cmd_check.c: uptake check: validate program.yaml and compile the rules. */
#include <stdio.h>

#include "cli.h"

int cmd_check(globals *g, int argc, char **argv)
{
	int first = cli_simple_opts(g, "check", argc, argv, 0);
	if (first == -2)
		return cli_help_of("check");
	if (first < 0)
		return EXIT_USAGE;
	if (first < argc)
		return cli_usage_error("check", "unexpected argument '%s'",
				       argv[first]);
	up_error *err = up_error_new();
	up_program *prog = NULL;
	int rc = cli_load(g, &prog, err);
	if (rc == UP_OK)
		rc = up_program_check(prog, err);
	/* With data in the store, also check the targets against it. */
	up_store *store = NULL;
	if (rc == UP_OK && up_store_open(&store, g->dir, g->db,
					 UP_STORE_READONLY, NULL) == UP_OK)
		rc = up_program_check_targets(prog, store, NULL, err);
	up_store_close(store);
	if (rc == UP_OK)
		printf("%s/program.yaml: ok\n", up_program_dir(prog));
	int status = cli_report(err, rc);
	up_program_free(prog);
	up_error_free(err);
	return status;
}
