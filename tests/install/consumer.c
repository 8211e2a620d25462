/* consumer.c EXAMPLE NEW: a program outside uptake's tree, built against
 * an installed libuptake with pkg-config: loads and checks the program in
 * EXAMPLE and prints its id, its packs and where uptake finds its shipped
 * files; then starts a program in NEW and loads that too. */
#include <stdio.h>

#include <uptake.h>

static int load(const char *dir, up_error *err)
{
	up_program *prog = NULL;
	int rc = up_program_load(&prog, dir, err);
	if (rc == UP_OK)
		rc = up_program_check(prog, err);
	if (rc == UP_OK) {
		printf("program %s\n", up_program_id(prog));
		for (size_t i = 0; i < up_program_npacks(prog); i++) {
			const char *name, *version, *sha, *where;
			up_program_pack(prog, i, &name, &version, &sha, &where);
			printf("pack %s %s from %s\n", name, version, where);
		}
	}
	up_program_free(prog);
	return rc;
}

int main(int argc, char **argv)
{
	static const char *const keys[] = {"program", "start", "stages"};
	if (argc != 3) {
		fputs("usage: consumer EXAMPLE NEW\n", stderr);
		return 2;
	}
	up_error *err = up_error_new();
	int rc = load(argv[1], err);
	if (rc == UP_OK)
		printf("packs %s\nexamples %s\nluals %s\nstgae: %s\n",
		       up_pack_builtin_dir(), up_examples_dir(),
		       up_luals_dir(), up_did_you_mean("stgae", keys, 3));
	if (rc == UP_OK)
		rc = up_program_init(argv[2], NULL, err);
	if (rc == UP_OK)
		rc = load(argv[2], err);
	for (size_t i = 0; i < up_error_count(err); i++)
		fprintf(stderr, "consumer: %s\n", up_error_message(err, i));
	up_error_free(err);
	return up_exit_status(rc);
}
