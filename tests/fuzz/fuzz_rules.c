/*
 * fuzz_rules.c: any bytes as a rule file, evaluated on every unit of a
 * small fixed program.  Whatever a rule does, the host must return a
 * result for every declaration and stay within its limits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char program_yaml[] =
	"program: fuzz\nstart: 2026-01-01\nstages: [a, b, c]\n"
	"units:\n  - {id: root, stage: a}\n  - {id: u1, parent: root, stage: a}\n"
	"  - {id: u2, parent: u1, stage: b, go_live: 2026-02-01, staff: 3}\n"
	"people:\n  - {id: p1, unit: u1, roles: [surgeon], engagement: bought_in}\n"
	"rules: [f.lua]\nlimits: {instructions: 100000, memory_mb: 8}\n";

static char dir[256];
static up_store *store;
static up_facts facts;

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s/uptake-fuzz-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		abort();
	up_program *p = NULL;
	char path[300];
	snprintf(path, sizeof path, "%s/f.lua", dir);
	FILE *fp = fopen(path, "w");
	if (!fp)
		abort();
	fclose(fp);
	snprintf(path, sizeof path, "%s/state.db", dir);
	if (up_program_parse(&p, dir, program_yaml, sizeof program_yaml - 1, 0,
			     NULL) ||
	    up_store_open(&store, dir, path, 0, NULL) ||
	    up_store_begin(store, NULL) || up_store_sync(store, p, NULL) ||
	    up_store_commit(store, NULL))
		abort();
	int32_t day;
	up_date_parse("2026-03-01", &day, NULL);
	if (up_facts_load(&facts, store, day, NULL))
		abort();
	up_program_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!store)
		setup();
	char path[300];
	snprintf(path, sizeof path, "%s/f.lua", dir);
	FILE *fp = fopen(path, "wb");
	if (!fp)
		abort();
	fwrite(data, 1, size, fp);
	fclose(fp);
	up_program *p = NULL;
	if (up_program_parse(&p, dir, program_yaml, sizeof program_yaml - 1, 0,
			     NULL))
		abort();
	up_error *err = up_error_new();
	up_host *h = NULL;
	up_host_open(&h, p, err);
	for (size_t i = 0; i < up_host_ndecls(h); i++)
		for (size_t u = 0; u < facts.nunits; u++) {
			up_result r;
			up_host_eval(h, up_host_decl(h, i), &facts, (int)u, &r);
			if (r.status == UP_RES_ERROR && !r.message)
				abort();
			up_result_free(&r);
		}
	size_t peak = 0;
	up_host_memory(h, &peak);
	if (peak > ((size_t)8 << 20) + 4096)
		abort(); /* the cap held */
	up_host_close(h);
	up_error_free(err);
	up_program_free(p);
	return 0;
}
