/*
 * cmd_pack.c: uptake pack new|check|test|list|lock|keygen|sign: what a
 * consultant uses to write, test, pin and sign rule packs.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

typedef struct {
	const char *name, *args, *help;
	int (*run)(globals *g, int argc, char **argv);
} subcommand;

static const subcommand *find_sub(const char *name);

static int sub_help(const char *name)
{
	const subcommand *s = find_sub(name);
	printf("usage: uptake pack %s %s\n\n%s", s->name, s->args, s->help);
	return 0;
}

/*
 * Options of a pack subcommand: the index of the first operand, or an
 * exit status + 1000 when done (help printed, usage error).
 */
typedef struct {
	int json, coverage;
	const char *key;
} pack_opts;

static int pack_opt(globals *g, void *ctx, const char *name, const char *val)
{
	pack_opts *o = ctx;
	if (!strcmp(name, "json"))
		o->json = 1;
	else if (!strcmp(name, "coverage"))
		o->coverage = 1;
	else if (!strcmp(name, "key"))
		o->key = val;
	else
		return cli_common_opt(g, name, val);
	return 0;
}

static int parse(globals *g, const char *sub, int argc, char **argv,
		 const struct option *opts, pack_opts *o, int min, int max,
		 int *first)
{
	char cmd[64];
	snprintf(cmd, sizeof cmd, "pack %s", sub);
	*first = cli_parse_opts(g, cmd, argc, argv, opts, pack_opt, o);
	if (*first == -2)
		return sub_help(sub);
	if (*first < 0)
		return EXIT_USAGE;
	int n = argc - *first;
	if (n < min)
		return cli_usage_error(cmd, "missing operand (usage: uptake "
				       "pack %s %s)", sub, find_sub(sub)->args);
	if (max >= 0 && n > max)
		return cli_usage_error(cmd, "unexpected argument '%s'",
				       argv[*first + max]);
	return -1;
}

static int finish(up_error *err, int rc)
{
	int status = cli_report(err, rc);
	up_error_free(err);
	return status;
}

static int pack_test(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, 0, 0}, {"coverage", no_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	pack_opts o = {0};
	int first, done = parse(g, "test", argc, argv, opts, &o, 1, -1, &first);
	if (done >= 0)
		return done;
	up_error *err = up_error_new();
	size_t failed = 0;
	unsigned flags = (o.json ? UP_PRINT_JSON : 0) |
			 (o.coverage ? UP_PACKTEST_COVERAGE : 0);
	int rc = up_pack_test((const char *const *)argv + first,
			      (size_t)(argc - first), flags, stdout, &failed,
			      err);
	int status = finish(err, rc);
	return status ? status : failed ? EXIT_FAILON : 0;
}

static int pack_lock(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	pack_opts o = {0};
	int first, done = parse(g, "lock", argc, argv, opts, &o, 0, 0, &first);
	if (done >= 0)
		return done;
	up_error *err = up_error_new();
	up_program *prog = NULL;
	int rc = up_program_open(&prog, g->dir, UP_PROGRAM_UNLOCKED, err);
	if (rc == UP_OK)
		rc = up_pack_lock(prog, stdout, err);
	up_program_free(prog);
	return finish(err, rc);
}

static int pack_keygen(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	pack_opts o = {0};
	int first, done = parse(g, "keygen", argc, argv, opts, &o, 1, 1,
				&first);
	if (done >= 0)
		return done;
	up_error *err = up_error_new();
	int rc = up_pack_keygen(argv[first], err);
	if (rc == UP_OK)
		printf("wrote %s.key (secret: keep it, mode 0600) and %s.pub "
		       "(list it under trust:)\n", argv[first], argv[first]);
	return finish(err, rc);
}

static int pack_sign(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	pack_opts o = {0};
	int first, done = parse(g, "sign", argc, argv, opts, &o, 1, 1, &first);
	if (done >= 0)
		return done;
	if (!o.key)
		return cli_usage_error("pack sign", "--key KEYFILE is required");
	up_error *err = up_error_new();
	int rc = up_pack_sign(argv[first], o.key, err);
	if (rc == UP_OK)
		printf("signed %s: wrote %s/pack.sig\n", argv[first],
		       argv[first]);
	return finish(err, rc);
}

static int pack_list(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	pack_opts o = {0};
	int first, done = parse(g, "list", argc, argv, opts, &o, 0, 0, &first);
	if (done >= 0)
		return done;
	up_error *err = up_error_new();
	int rc = up_pack_list(g->dir, stdout, o.json ? UP_PRINT_JSON : 0, err);
	return finish(err, rc);
}

static int pack_check(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	pack_opts o = {0};
	int first, done = parse(g, "check", argc, argv, opts, &o, 1, -1,
				&first);
	if (done >= 0)
		return done;
	up_error *err = up_error_new();
	int rc = UP_OK, tried = 0;
	for (int i = first; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISREG(st.st_mode))
			continue; /* a README among the packs of a glob */
		tried++;
		size_t before = up_error_count(err);
		int one = up_pack_check(argv[i], err);
		if (one == UP_OK && up_error_count(err) == before)
			printf("%s: ok\n", argv[i]);
		else if (one == UP_OK)
			printf("%s: ok, with warnings\n", argv[i]);
		if (one != UP_OK)
			rc = one;
	}
	if (!tried) { /* files only: nothing checked is not valid */
		up_error_free(err);
		fprintf(stderr, "uptake: error: no pack directory among the "
			"arguments\n");
		return up_exit_status(UP_EINPUT);
	}
	return finish(err, rc);
}

static int pack_new(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	pack_opts o = {0};
	int first, done = parse(g, "new", argc, argv, opts, &o, 1, 1, &first);
	if (done >= 0)
		return done;
	up_error *err = up_error_new();
	int rc = up_pack_new(argv[first], err);
	if (rc == UP_OK)
		printf("wrote %s/: pack.yaml, rules.lua, tests/rules.yaml, "
		       "README.md, .luarc.json\ntry: uptake pack check %s && uptake pack "
		       "test %s\n", argv[first], argv[first], argv[first]);
	return finish(err, rc);
}

static const subcommand subs[] = {
	{"new", "NAME",
	 "Writes the directory NAME with a pack scaffold: a manifest, one gate,\n"
	 "one check, their tests and a README.  It passes 'pack check' and\n"
	 "'pack test' as written, and a .luarc.json for the Lua language\n"
	 "server.  An existing NAME is left alone.\n"
	 "\nExample:\n"
	 "  uptake pack new wards && uptake pack test wards --coverage\n",
	 pack_new},
	{"check", "DIR...",
	 "Validates each pack's manifest and parameters and compiles its rule\n"
	 "files.  Warns on writes to undeclared globals, unknown ctx fields\n"
	 "and rules without title, rationale, source, remediation or owner.\n"
	 "Exit status 0 when valid, 65 otherwise.  Files among the\n"
	 "arguments (a README from rules/*) are skipped.\n"
	 "\nExamples:\n"
	 "  uptake pack check wards\n"
	 "  uptake pack check rules/*\n",
	 pack_check},
	{"test", "DIR... [--coverage] [--json]",
	 "Runs the cases in DIR/tests/*.yaml: each a small program, its facts,\n"
	 "an as-of date and what the rules, gates and metrics must give.\n"
	 "Prints each failing case with what was expected and what came.\n"
	 "Exit status 1 when a case fails, 65 when a pack cannot be tested.\n"
	 "Files among the arguments (a README from rules/*) are skipped.\n"
	 "\n  --coverage   the share of the pack's rules and rule lines that "
	 "ran,\n               and the rules whose tests expect only one "
	 "outcome\n  --json       one JSON document\n"
	 "\nExamples:\n"
	 "  uptake pack test wards --coverage\n"
	 "  uptake pack test rules/* --json\n",
	 pack_test},
	{"list", "[--json]",
	 "Lists the packs on the search path: the program's packs/, each\n"
	 "directory of UPTAKE_PACK_PATH, then the packs that ship with uptake;\n"
	 "with versions, rule counts and where each was found.\n"
	 "\nExample:\n"
	 "  uptake -C examples/surgical-journey pack list\n",
	 pack_list},
	{"lock", "",
	 "Writes uptake.lock beside program.yaml: each pack's name, version,\n"
	 "where it was found and the SHA-256 of its files.  From then on\n"
	 "check, cycle and replay refuse a pack that no longer matches.\n"
	 "\nExample:\n"
	 "  uptake pack lock && git add uptake.lock\n",
	 pack_lock},
	{"keygen", "NAME",
	 "Writes an Ed25519 key pair: NAME.key (secret, mode 0600) and\n"
	 "NAME.pub (list it under trust: in program.yaml).  Existing files\n"
	 "are never overwritten.\n"
	 "\nExample:\n"
	 "  uptake pack keygen keys/consultant\n",
	 pack_keygen},
	{"sign", "DIR --key NAME.key",
	 "Signs the pack in DIR: writes DIR/pack.sig, the file listing and an\n"
	 "Ed25519 signature over the pack's SHA-256.\n"
	 "\nExample:\n"
	 "  uptake pack sign wards --key keys/consultant.key\n",
	 pack_sign},
};

static const subcommand *find_sub(const char *name)
{
	for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
		if (!strcmp(subs[i].name, name))
			return &subs[i];
	return NULL;
}

int cmd_pack(globals *g, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		if (argc < 2)
			return cli_usage_error("pack", "say what to do: new, "
					       "check, test, list, lock, keygen "
					       "or sign");
		return cli_help_of("pack");
	}
	const subcommand *s = find_sub(argv[1]);
	const char *names[sizeof subs / sizeof *subs];
	for (size_t i = 0; !s && i < sizeof subs / sizeof *subs; i++)
		names[i] = subs[i].name;
	const char *hint = s ? NULL : up_did_you_mean(argv[1], names,
		sizeof names / sizeof *names);
	if (hint)
		return cli_usage_error("pack", "unknown pack command '%s' (did "
				       "you mean '%s'?)", argv[1], hint);
	if (!s)
		return cli_usage_error("pack", "unknown pack command '%s' (new, "
				       "check, test, list, lock, keygen, sign)",
				       argv[1]);
	return s->run(g, argc - 1, argv + 1);
}
