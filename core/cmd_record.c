/*
 * cmd_record.c: the commands that write facts: uptake record (one dated
 * fact from options) and uptake import (a CSV export).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

typedef struct {
	const char *names[80], *values[80];
	size_t n;
} record_args;

static int record_opt(globals *g, void *ctx, const char *name,
		      const char *val)
{
	record_args *r = ctx;
	if (!cli_common_opt(g, name, val))
		return 0;
	if (r->n == 80) {
		cli_usage_error("record", "too many options");
		return -1;
	}
	r->names[r->n] = name;
	r->values[r->n++] = val;
	return 0;
}

int cmd_record(globals *g, int argc, char **argv)
{
	static const struct option engagement[] = {
		{"db", required_argument, 0, 0},
		{"person", required_argument, 0, 0},
		{"level", required_argument, 0, 0},
		{"date", required_argument, 0, 0},
		{"note", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	static const struct option training[] = {
		{"db", required_argument, 0, 0},
		{"person", required_argument, 0, 0},
		{"date", required_argument, 0, 0},
		{"topic", required_argument, 0, 0},
		{"outcome", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	static const struct option event[] = {
		{"db", required_argument, 0, 0},
		{"kind", required_argument, 0, 0},
		{"date", required_argument, 0, 0},
		{"unit", required_argument, 0, 0},
		{"people", required_argument, 0, 0},
		{"note", required_argument, 0, 0},
		{"attr", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	static const struct option leave[] = {
		{"db", required_argument, 0, 0},
		{"person", required_argument, 0, 0},
		{"date", required_argument, 0, 0},
		{"note", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	static const struct option role[] = {
		{"db", required_argument, 0, 0},
		{"person", required_argument, 0, 0},
		{"add", required_argument, 0, 0},
		{"remove", required_argument, 0, 0},
		{"date", required_argument, 0, 0},
		{"note", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	static const struct option move[] = {
		{"db", required_argument, 0, 0},
		{"person", required_argument, 0, 0},
		{"unit", required_argument, 0, 0},
		{"date", required_argument, 0, 0},
		{"note", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	static const char *const kinds[] = {"engagement", "event", "training",
					    "leave", "role", "move"};
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "--help") ||
				  !strcmp(argv[1], "-h")))
			return cli_help_of("record");
		return cli_usage_error("record", "say what to record: "
				       "engagement, event, training, leave, "
				       "role or move");
	}
	const char *kind = argv[1];
	const struct option *opts = !strcmp(kind, "event") ? event
		: !strcmp(kind, "training") ? training
		: !strcmp(kind, "engagement") ? engagement
		: !strcmp(kind, "leave") ? leave
		: !strcmp(kind, "role") ? role
		: !strcmp(kind, "move") ? move : NULL;
	if (!opts) {
		const char *hint = up_did_you_mean(kind, kinds,
						   sizeof kinds / sizeof *kinds);
		if (hint)
			return cli_usage_error("record", "cannot record '%s' "
					       "(did you mean '%s'?)", kind,
					       hint);
		return cli_usage_error("record", "cannot record '%s' "
				       "(engagement, event, training, leave, "
				       "role or move)", kind);
	}
	record_args r = {0};
	int first = cli_parse_opts(g, "record", argc - 1, argv + 1, opts,
				   record_opt, &r);
	if (first == -2)
		return cli_help_of("record");
	if (first < 0)
		return EXIT_USAGE;
	if (first < argc - 1)
		return cli_usage_error("record", "unexpected argument '%s'",
				       argv[first + 1]);
	up_error *err = up_error_new();
	up_program *prog = NULL;
	up_store *store = NULL;
	long long id = 0;
	int rc = cli_load_facts(g, &prog, err);
	if (rc == UP_OK)
		rc = up_store_open(&store, g->dir, g->db, 0, err);
	if (rc == UP_OK)
		rc = up_record(store, prog, kind, r.n, r.names, r.values, &id,
			       err);
	if (rc == UP_OK)
		printf("recorded %s %lld\n", kind, id);
	int status = cli_report(err, rc);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	return status;
}

/* Progress on stderr: a percentage, rewritten in place (TTY only). */
static void show_progress(void *ctx, unsigned long long done,
			  unsigned long long total)
{
	const char *file = ctx;
	if (total)
		fprintf(stderr, "\ruptake: importing %s: %3llu%%", file,
			done * 100 / total);
	if (done >= total)
		fputc('\n', stderr);
}

/* Corrections are listed once the import has committed: up to
 * SHOWN_CHANGES of them, every one with --dry-run. */
enum { SHOWN_CHANGES = 20 };

static void note_change(void *ctx, const char *unit, const char *series,
			const char *period, double was, double now)
{
	fprintf(ctx, "  %s %s %s: %.12g -> %.12g\n", unit, series, period, was,
		now);
}

static void note_person(void *ctx, const char *person, const char *what)
{
	fprintf(ctx, "  %s: %s\n", person, what);
}

static void print_counts(const up_import_opts *o, const char *kind,
			 const char *file, const up_import_counts *n,
			 const char *changes)
{
	printf("%s %lld row%s of %s from %s: %lld added, %lld changed, %lld "
	       "unchanged%s\n", o->dry_run ? "would import" : "imported",
	       n->rows, n->rows == 1 ? "" : "s", kind, file, n->added,
	       n->changed, n->unchanged, o->dry_run ? " (nothing written)"
						    : "");
	const char *s = changes;
	for (long long i = 0; s && *s; i++) {
		const char *end = strchr(s, '\n');
		if (!o->dry_run && i == SHOWN_CHANGES) {
			printf("  ... and %lld more (--dry-run lists them)\n",
			       n->changed - SHOWN_CHANGES);
			break;
		}
		printf("%.*s\n", (int)(end - s), s);
		s = end + 1;
	}
}

static int import_opt(globals *g, void *ctx, const char *name,
		      const char *val)
{
	up_import_opts *o = ctx;
	if (!cli_common_opt(g, name, val))
		return 0;
	if (!strcmp(name, "wide"))
		o->wide = 1;
	else if (!strcmp(name, "dry-run"))
		o->dry_run = 1;
	else if (!strcmp(name, "map") && o->map)
		return cli_usage_error("import", "--map is given twice: give "
				       "one list, a=A,b=B"), 1;
	else if (!strcmp(name, "map"))
		o->map = val;
	else if (!strcmp(name, "as-of"))
		o->as_of = val;
	else if (o->ignore)
		return cli_usage_error("import", "--ignore is given twice: "
				       "give one list, A,B"), 1;
	else
		o->ignore = val;
	return 0;
}

int cmd_import(globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 0},
		{"map", required_argument, 0, 0},
		{"ignore", required_argument, 0, 0},
		{"wide", no_argument, 0, 0},
		{"dry-run", no_argument, 0, 0},
		{"as-of", required_argument, 0, 0},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	up_import_opts o = {0};
	int first = cli_parse_opts(g, "import", argc, argv, opts, import_opt,
				   &o);
	if (first == -2)
		return cli_help_of("import");
	if (first < 0)
		return EXIT_USAGE;
	if (argc - first != 2)
		return cli_usage_error("import", argc - first < 2
				       ? "say what to import and from which "
					 "file"
				       : "unexpected argument '%s'",
				       argc - first > 2 ? argv[first + 2] : "");
	const char *kind = argv[first], *file = argv[first + 1];
	/* Only worth a progress line for a file that takes a while. */
	struct stat sb;
	int big = stat(file, &sb) == 0 && sb.st_size > (8 << 20);
	o.progress = big && isatty(STDERR_FILENO) ? show_progress : NULL;
	o.progress_ctx = (void *)file;
	char *changes = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&changes, &len);
	if (!mem) {
		perror("uptake: import");
		return 70;
	}
	o.on_change = note_change;
	o.on_person_change = note_person;
	o.change_ctx = mem;
	up_error *err = up_error_new();
	up_program *prog = NULL;
	up_store *store = NULL;
	up_import_counts n = {0};
	int rc = cli_load_facts(g, &prog, err);
	if (rc == UP_OK)
		rc = up_store_open(&store, g->dir, g->db, 0, err);
	if (rc == UP_OK)
		rc = up_import_with(store, prog, kind, file, &o, &n, err);
	fclose(mem);
	if (rc == UP_OK)
		print_counts(&o, kind, file, &n, changes);
	int status = cli_report(err, rc);
	free(changes);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	return status;
}
