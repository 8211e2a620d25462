/*
 * bench_sandbox.c: what the sandbox's time and C-work bounds cost, against
 * the raw limit measured in the same run.
 *
 * Each rule below is evaluated three ways, the same number of times:
 *
 *   raw        the rule's function in a plain Lua state with Lua's own
 *              library, called from C with lua_pcall (ctx a plain table)
 *   unbounded  a sandboxed rule call with Lua's own library and no
 *              deadline: the sandbox as it was before the bounds
 *   bounded    the sandbox as it is: the step-counted pattern matcher,
 *              the counted table functions, charged string and utf8
 *              functions, xpcall, the deadline and its timer
 *
 * and printed as rule evaluations per second, each as a ratio of raw, and
 * what the bounds add to the unbounded time.  The three ways take turns,
 * ROUNDS times, and each keeps its fastest round: the machine's other
 * work slows a round down, never speeds one up.
 *
 * Usage: bench_sandbox [CALLS]   (default 100000 per rule, way and round)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "host_priv.h"
#include "internal.h"

/* Every rule is a gate{} in the sandbox and a plain function in raw. */
static const struct {
	const char *id, *body;
} rules[] = {
	{"trivial", "  return pass()\n"},
	{"strings",
	 "  local slug = ctx.unit.name:lower():gsub('%s+', '-')\n"
	 "  local k, v = ('site=north; beds=24'):match('(%w+)=(%w+)')\n"
	 "  local n = 0\n"
	 "  for w in TEXT:gmatch('%a+') do n = n + 1 end\n"
	 "  local at = TEXT:find('needle', 1, true)\n"
	 "  return pass('%s %s=%s %d words %s', slug, k, v, n, tostring(at))\n"},
	{"tables",
	 "  local t = {}\n"
	 "  for i = 1, 64 do t[i] = (i * 7919) % 101 end\n"
	 "  table.sort(t, function(a, b) return a > b end)\n"
	 "  table.insert(t, 1, 0)\n"
	 "  table.remove(t)\n"
	 "  local parts = {}\n"
	 "  for i = 1, 16 do parts[i] = tostring(t[i]) end\n"
	 "  return pass('%s %d', table.concat(parts, ','),\n"
	 "              select('#', table.unpack(t)))\n"},
	{"format",
	 "  local s = string.format('%-12s %5.1f%% %d/%d', ctx.unit.name,\n"
	 "                          42.5, 17, 40)\n"
	 "  return pass('%s (%s)', s:upper(), utf8.len(s))\n"},
};

/* About 1 KB of prose, a file-level local of the rule file. */
#define TEXT \
	"local TEXT = ('The ward adopted the new pathway after a pilot of " \
	"twelve weeks; nurses and physicians met every Tuesday to review " \
	"what worked. '):rep(8) .. 'needle'\n"

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

static void make_program(const char *dir)
{
	write_file(dir, "program.yaml",
		   "program: bench\nstart: 2026-01-01\n"
		   "stages: [pilot, scale]\n"
		   "rules: [rules.lua]\nunits:\n"
		   "  - {id: org, name: Org, stage: pilot}\n"
		   "  - {id: w1, name: Ward Twelve North, parent: org, "
		   "stage: pilot}\n");
	up_buf b = {0};
	up_buf_puts(&b, TEXT);
	for (size_t i = 0; i < UP_COUNTOF(rules); i++)
		up_buf_printf(&b, "gate { id = '%s', at = 'pilot->scale',\n"
			      "  check = function(ctx)\n%s  end }\n",
			      rules[i].id, rules[i].body);
	write_file(dir, "rules.lua", b.buf);
	up_buf_free(&b);
}

/* The raw limit: the same function in a plain state, called N times. */
static double raw_calls(size_t r, long n)
{
	lua_State *L = luaL_newstate();
	luaL_openlibs(L);
	up_buf b = {0};
	up_buf_puts(&b, TEXT
		    "local function pass(fmt, ...)\n"
		    "  return { status = 'pass', message = fmt and "
		    "string.format(fmt, ...) or '' }\n"
		    "end\n"
		    "return function(ctx)\n");
	up_buf_printf(&b, "%send\n", rules[r].body);
	if (luaL_dostring(L, b.buf)) {
		fprintf(stderr, "bench: %s\n", lua_tostring(L, -1));
		exit(1);
	}
	up_buf_free(&b);
	lua_newtable(L); /* ctx */
	lua_newtable(L);
	lua_pushliteral(L, "Ward Twelve North");
	lua_setfield(L, -2, "name");
	lua_setfield(L, -2, "unit");
	double t0 = now();
	for (long i = 0; i < n; i++) {
		lua_pushvalue(L, -2);
		lua_pushvalue(L, -2);
		if (lua_pcall(L, 1, 1, 0)) {
			fprintf(stderr, "bench: %s\n", lua_tostring(L, -1));
			exit(1);
		}
		lua_pop(L, 1);
	}
	double dt = now() - t0;
	lua_close(L);
	return dt / (double)n;
}

/* One sandboxed rule, N times on the same unit (ctx built once). */
static double evals(const up_program *p, const up_facts *f, size_t r,
		    long n, int unbounded)
{
	up_error *err = up_error_new();
	up_host *h = NULL;
	up_sandbox_bench_unbounded = unbounded;
	if (up_host_open(&h, p, err) != UP_OK) {
		fprintf(stderr, "bench: %s\n", up_error_message(err, 0));
		exit(1);
	}
	up_sandbox_bench_unbounded = 0;
	const up_decl *d = up_host_find(h, rules[r].id);
	double t0 = now();
	for (long i = 0; i < n; i++) {
		up_result res;
		up_host_eval(h, d, f, 1, &res);
		if (res.status != UP_RES_PASS) {
			fprintf(stderr, "bench: %s: %s\n", rules[r].id,
				res.message);
			exit(1);
		}
		up_result_free(&res);
	}
	double dt = now() - t0;
	up_host_close(h);
	up_error_free(err);
	return dt / (double)n;
}

int main(int argc, char **argv)
{
	enum { ROUNDS = 7 };
	long n = argc > 1 ? atol(argv[1]) : 100000;
	char dir[] = "/tmp/uptake-bench-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	make_program(dir);
	up_error *err = up_error_new();
	up_program *p = NULL;
	up_store *s = NULL;
	up_facts f;
	int32_t day;
	if (up_program_load(&p, dir, err) ||
	    up_store_open(&s, dir, NULL, 0, err) ||
	    up_store_begin(s, err) || up_store_sync(s, p, err) ||
	    up_store_commit(s, err) ||
	    up_date_parse("2026-03-01", &day, NULL) ||
	    up_facts_load(&f, s, day, err)) {
		fprintf(stderr, "bench: %s\n", up_error_message(err, 0));
		return 1;
	}
	printf("%ld calls per rule, way and round, best of %d rounds; "
	       "evaluations per second, and as a ratio of raw\n", n, ROUNDS);
	printf("%-8s %12s %12s %6s %12s %6s %9s\n", "rule", "raw", "unbounded",
	       "x raw", "bounded", "x raw", "bounds");
	for (size_t r = 0; r < UP_COUNTOF(rules); r++) {
		double raw = 1e9, unb = 1e9, bnd = 1e9;
		for (int k = 0; k < ROUNDS; k++) {
			double t = raw_calls(r, n);
			raw = t < raw ? t : raw;
			t = evals(p, &f, r, n, 1);
			unb = t < unb ? t : unb;
			t = evals(p, &f, r, n, 0);
			bnd = t < bnd ? t : bnd;
		}
		printf("%-8s %12.0f %12.0f %6.2f %12.0f %6.2f %+8.1f%%\n",
		       rules[r].id, 1 / raw, 1 / unb, raw / unb, 1 / bnd,
		       raw / bnd, (bnd / unb - 1) * 100);
	}
	up_facts_free(&f);
	up_store_close(s);
	up_program_free(p);
	up_error_free(err);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
