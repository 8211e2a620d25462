/*
 * bench_engine.c: what a rule evaluation costs against the raw limit
 * measured in the same run.
 *
 *   raw     a Lua function returning a table, called from C with lua_pcall
 *   eval    one sandboxed rule call: budget armed, ctx built, result read
 *   query   the same with a ctx:people{within=...} over the whole tree
 *   cycle   a full up_cycle_run: sync, facts, every rule on every unit,
 *           results stored in SQLite
 *
 * Usage: bench_engine [UNITS [PEOPLE_PER_UNIT]]   (default 2000, 10)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "internal.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	if (!fp || fputs(text, fp) < 0 || fclose(fp)) {
		perror(path);
		exit(1);
	}
}

static void make_program(const char *dir, int units, int per_unit)
{
	up_buf b = {0};
	up_buf_puts(&b, "program: bench\nstart: 2026-01-01\n"
		    "stages: [evaluate, pilot, scale, sustain]\n"
		    "rules: [rules.lua]\nunits:\n"
		    "  - {id: org, stage: evaluate}\n");
	int hospitals = units / 50 + 1;
	for (int h = 0; h < hospitals; h++)
		up_buf_printf(&b, "  - {id: h%d, parent: org, stage: pilot}\n",
			      h);
	for (int u = 0; u < units; u++)
		up_buf_printf(&b, "  - {id: u%d, parent: h%d, stage: pilot, "
			      "staff: 30, go_live: 2026-02-01}\n", u,
			      u % hospitals);
	up_buf_puts(&b, "people:\n");
	static const char *const roles[] = {"surgeon", "nurse",
					    "first_line_manager", "staff"};
	static const char *const levels[] = {"informed", "consulted",
					     "involved", "bought_in"};
	for (int u = 0; u < units; u++)
		for (int p = 0; p < per_unit; p++)
			up_buf_printf(&b, "  - {id: p%d-%d, unit: u%d, roles: "
				      "[%s], engagement: %s}\n", u, p, u,
				      roles[p % 4], levels[(u + p) % 4]);
	write_file(dir, "program.yaml", b.buf);
	up_buf_free(&b);
	write_file(dir, "rules.lua",
		   "gate { id = 'trivial', at = 'pilot->scale', must = false,\n"
		   "  check = function(ctx) return pass() end }\n"
		   "gate { id = 'champion', at = 'pilot->scale',\n"
		   "  check = function(ctx)\n"
		   "    local c = ctx:people{ unit = ctx.unit.id, role = 'surgeon',\n"
		   "                          min_engagement = 'bought_in' }\n"
		   "    if #c == 0 then return fail('no champion in %s', ctx.unit.id) end\n"
		   "    return pass('%d', #c)\n"
		   "  end }\n"
		   "gate { id = 'tree', at = 'evaluate->pilot',\n"
		   "  check = function(ctx)\n"
		   "    return pass('%d', #ctx:people{ within = ctx.unit.id,\n"
		   "                                   min_engagement = 'consulted' })\n"
		   "  end }\n");
}

/* The raw limit: lua_pcall of a Lua function that builds a small table,
 * as pass() does, with nothing else around it. */
static double raw_calls(long n)
{
	lua_State *L = luaL_newstate();
	luaL_openlibs(L);
	(void)luaL_dostring(L, "return function(ctx) return { status = 'pass', "
		      "message = '' } end");
	double t0 = now();
	for (long i = 0; i < n; i++) {
		lua_pushvalue(L, -1);
		lua_newtable(L);
		lua_pcall(L, 1, 1, 0);
		lua_pop(L, 1);
	}
	double dt = now() - t0;
	lua_close(L);
	return dt / (double)n;
}

/* STRIDE 0 judges one unit over and over (ctx built once); 1 moves to the
 * next unit every call (ctx built every time). */
static double evals(up_host *h, const up_facts *f, const char *id, long n,
		    int stride)
{
	const up_decl *d = NULL;
	for (size_t i = 0; i < up_host_ndecls(h); i++)
		if (!strcmp(up_host_decl(h, i)->id, id))
			d = up_host_decl(h, i);
	double t0 = now();
	for (long i = 0; i < n; i++) {
		up_result r;
		up_host_eval(h, d, f,
			     (int)(1 + (size_t)(i * stride) % (f->nunits - 1)), &r);
		up_result_free(&r);
	}
	return (now() - t0) / (double)n;
}

int main(int argc, char **argv)
{
	int units = argc > 1 ? atoi(argv[1]) : 2000;
	int per_unit = argc > 2 ? atoi(argv[2]) : 10;
	char dir[] = "/tmp/uptake-bench-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	make_program(dir, units, per_unit);
	up_error *err = up_error_new();
	up_program *p = NULL;
	up_store *s = NULL;
	double t0 = now();
	if (up_program_load(&p, dir, err) || up_store_open(&s, dir, NULL, 0, err)) {
		fprintf(stderr, "bench: %s\n", up_error_message(err, 0));
		return 1;
	}
	double t_load = now() - t0;

	t0 = now();
	up_cycle *c = NULL;
	if (up_cycle_run(&c, s, p, "2026-03-01", err)) {
		fprintf(stderr, "bench: %s\n", up_error_message(err, 0));
		return 1;
	}
	double t_cycle = now() - t0;
	size_t evaluated = 0;
	size_t i;
	json_t *u, *g;
	json_array_foreach(json_object_get(c->doc, "units"), i, u) {
		size_t k;
		json_array_foreach(json_object_get(u, "gates"), k, g)
			evaluated += json_array_size(json_object_get(g, "criteria"));
	}
	up_cycle_free(c);

	up_facts f;
	int32_t day;
	up_date_parse("2026-03-01", &day, NULL);
	up_facts_load(&f, s, day, err);
	up_host *h = NULL;
	up_host_open(&h, p, err);
	long n = 200000;
	double raw = raw_calls(n);
	double trivial = evals(h, &f, "trivial", n, 0);
	double fresh = evals(h, &f, "trivial", n, 1);
	double unitq = evals(h, &f, "champion", n / 4, 1);
	size_t peak = 0;
	up_host_memory(h, &peak);
	up_host_close(h);
	up_facts_free(&f);

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("units %d, people %d, rule evaluations in the cycle %zu\n",
	       units + units / 50 + 2, units * per_unit, evaluated);
	printf("load program.yaml + open store   %8.3f s\n", t_load);
	printf("full cycle (stored)              %8.3f s   %.0f evaluations/s\n",
	       t_cycle, (double)evaluated / t_cycle);
	printf("raw lua_pcall returning a table  %8.0f ns\n", raw * 1e9);
	printf("sandboxed rule, trivial          %8.0f ns   ratio %.1f x raw\n",
	       trivial * 1e9, trivial / raw);
	printf("sandboxed rule, new unit each    %8.0f ns   ratio %.1f x raw\n",
	       fresh * 1e9, fresh / raw);
	printf("sandboxed rule, ctx:people{unit} %8.0f ns   ratio %.1f x raw\n",
	       unitq * 1e9, unitq / raw);
	printf("sandbox peak memory              %8.2f MiB\n",
	       (double)peak / (1 << 20));
	printf("process peak RSS                 %8.1f MiB\n",
	       (double)ru.ru_maxrss / 1024);
	up_store_close(s);
	up_program_free(p);
	up_error_free(err);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
