/*
 * run.c: runs one hostile rule file of tests/sandbox against the sandbox
 * and checks what its header comment expects.
 *
 *   sandbox_run CASE.lua
 *   sandbox_run --registered DIR CASE...   every .lua file in DIR is a CASE
 *
 * The case is rules/hostile.lua of a small program beside
 * rules/witness.lua, a file of its own whose rule exercises what a
 * hostile rule might break (the string library and its metatable,
 * table.sort, gmatch, gsub, its own globals).  The witness runs, then the
 * hostile rule on two units, then the witness again: the witness must
 * give the same result both times, the hostile rule what its header says
 * on both units, and each call must end within its bound.  A crash is a
 * failure of this process.
 *
 * Header lines (the file's leading "--" comments):
 *   -- expect: pass|fail|warn|skip|error|load-error|same-as-lua
 *                            (same-as-lua: a pass whose message and
 *                            evidence, a list of strings, are what the
 *                            same check gives in a plain Lua state)
 *   -- message: the whole message        -- message-part: a piece of it
 *   -- message-max: N        the message has at most N bytes
 *   -- evidence: {...}       the evidence, compact JSON with sorted keys
 *   -- evidence-max: N       the evidence's JSON has at most N bytes
 *   -- limits: {...}         program.yaml's limits (default below)
 *   -- compile: binary       the file is given to uptake as bytecode
 *   -- bound-ms: N           each call's bound (default: time_ms plus
 *                            SLACK_MS, and SLACK_MS times VALGRIND_SLOW
 *                            under Valgrind)
 *   -- processes: N          the case runs in N processes (this one and
 *                            N - 1 fresh ones, each with its own address
 *                            layout and so its own string hash seed), and
 *                            every unit's status, message and evidence
 *                            must be byte for byte the same in all
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#include "internal.h"

enum { SLACK_MS = 1000, VALGRIND_SLOW = 30 };

#define DEFAULT_LIMITS "{instructions: 1000000, memory_mb: 16, time_ms: 60000}"

static const char witness_lua[] =
	"witness_secret = 'w' -- a global of this file\n"
	"gate { id = 'witness', at = 'pilot->scale', check = function(ctx)\n"
	"  local t = { 'b', 'c', 'a' }\n"
	"  table.sort(t)\n"
	"  local n = 0\n"
	"  for _ in ('a b c'):gmatch('%a') do n = n + 1 end\n"
	"  return pass('%s %s %s %d %s %s %s %s %d', table.concat(t),\n"
	"              ('hello'):upper(), (('a-b'):gsub('-', '+')), n,\n"
	"              tostring(getmetatable('')), type(hostile_global),\n"
	"              type(string.dump), witness_secret,\n"
	"              #ctx:people{})\n"
	"end }\n";
static const char witness_says[] = "abc HELLO a+b 3 false nil nil w 1";

typedef struct {
	char *expect, *message, *part, *evidence, *limits, *compile;
	long message_max, evidence_max, bound_ms, processes;
} expectations;

/* Set in the processes a case with '-- processes: N' starts. */
#define CHILD_ENV "UP_SANDBOX_RUN_CHILD"

static int failures;

__attribute__((format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	failures++;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		perror(path);
		exit(2);
	}
	up_buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		up_buf_add(&b, chunk, n);
	fclose(fp);
	up_buf_add(&b, "", 0);
	*len = b.len;
	return b.buf;
}

static void write_file(const char *dir, const char *name, const char *text,
		       size_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(text, 1, len, fp) != len || fclose(fp)) {
		perror(path);
		exit(2);
	}
}

/* The leading comment lines "-- key: value" of SRC. */
static void parse(const char *src, expectations *x)
{
	memset(x, 0, sizeof *x);
	const char *line = src;
	while (!strncmp(line, "--", 2)) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *text = up_xstrndup(line + 2, len - 2);
		char *colon = strstr(text, ": ");
		char *key = text + strspn(text, " ");
		if (colon) {
			*colon = '\0';
			char *value = up_xstrdup(colon + 2);
			char **slot = !strcmp(key, "expect") ? &x->expect
				: !strcmp(key, "message") ? &x->message
				: !strcmp(key, "message-part") ? &x->part
				: !strcmp(key, "evidence") ? &x->evidence
				: !strcmp(key, "limits") ? &x->limits
				: !strcmp(key, "compile") ? &x->compile : NULL;
			if (slot) {
				free(*slot);
				*slot = value;
			} else {
				long n = strtol(value, NULL, 10);
				if (!strcmp(key, "message-max"))
					x->message_max = n;
				else if (!strcmp(key, "evidence-max"))
					x->evidence_max = n;
				else if (!strcmp(key, "bound-ms"))
					x->bound_ms = n;
				else if (!strcmp(key, "processes"))
					x->processes = n;
				free(value);
			}
		}
		free(text);
		if (!end)
			break;
		line = end + 1;
	}
	if (!x->expect) {
		fprintf(stderr, "the case has no '-- expect:' line\n");
		exit(2);
	}
}

/* What the file's one check returns in a plain Lua state with Lua's own
 * library and a bare pass(): the expected message and evidence. */
static void as_lua(const char *src, size_t len, expectations *x)
{
	static const char dsl[] =
		"local checks = ...\n"
		"function gate(spec) checks[#checks + 1] = spec.check end\n"
		"function pass(fmt, ...)\n"
		"  local n, ev = select('#', ...)\n"
		"  if n > 0 and type((select(n, ...))) == 'table' then\n"
		"    ev, n = (select(n, ...)), n - 1\n"
		"  end\n"
		"  return { message = n > 0 and string.format(fmt, ...) or fmt,\n"
		"           evidence = ev }\n"
		"end\n";
	lua_State *L = luaL_newstate();
	luaL_openlibs(L);
	lua_newtable(L);
	if (luaL_loadstring(L, dsl) || (lua_pushvalue(L, 1), 0) ||
	    lua_pcall(L, 1, 0, 0) ||
	    luaL_loadbufferx(L, src, len, "=hostile", "t") ||
	    lua_pcall(L, 0, 0, 0) || lua_rawgeti(L, 1, 1) != LUA_TFUNCTION ||
	    (lua_newtable(L), lua_pcall(L, 1, 1, 0)) ||
	    lua_getfield(L, -1, "message") != LUA_TSTRING) {
		fprintf(stderr, "in plain Lua: %s\n", lua_tostring(L, -1));
		exit(2);
	}
	x->message = up_xstrdup(lua_tostring(L, -1));
	json_t *ev = json_array();
	lua_getfield(L, -2, "evidence");
	for (lua_Integer i = 1; lua_istable(L, -1) && lua_rawgeti(L, -1, i) ==
	     LUA_TSTRING; i++) {
		size_t n;
		const char *line = lua_tolstring(L, -1, &n);
		char *clean = up_utf8_clean(line, n, 2000, &n);
		json_array_append_new(ev, json_stringn(clean, n));
		free(clean);
		lua_pop(L, 1);
	}
	x->evidence = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(ev);
	lua_close(L);
	free(x->expect);
	x->expect = up_xstrdup("pass");
}

static int lua_writer(lua_State *L, const void *p, size_t sz, void *ud)
{
	(void)L;
	up_buf_add(ud, p, sz);
	return 0;
}

/* The rule file as bytecode, made by the stock Lua. */
static char *compile(const char *src, size_t len, size_t *out)
{
	lua_State *L = luaL_newstate();
	if (luaL_loadbufferx(L, src, len, "@rules/hostile.lua", "t")) {
		fprintf(stderr, "%s\n", lua_tostring(L, -1));
		exit(2);
	}
	up_buf b = {0};
	lua_dump(L, lua_writer, &b, 0);
	lua_close(L);
	*out = b.len;
	return b.buf;
}

static int rm_one(const char *path, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static const char *status_name(up_res_status s)
{
	static const char *const names[] = {"pass", "fail", "warn", "score",
					    "skip", "error"};
	return (size_t)s < UP_COUNTOF(names) ? names[s] : "?";
}

/* Under Valgrind a time limit trips wherever the slow run has got to:
 * its message is checked from the limit on, without the line. */
static int same_message(const char *m, const char *want)
{
	static const char limit[] = ": time limit exceeded";
	const char *a = strstr(m, limit), *b = strstr(want, limit);
	if (RUNNING_ON_VALGRIND && a && b)
		return !strcmp(a, b);
	return !strcmp(m, want);
}

static void check_message(const expectations *x, const char *m)
{
	if (x->message && !same_message(m, x->message))
		fail("message '%s', expected '%s'", m, x->message);
	if (x->part && !strstr(m, x->part))
		fail("message '%s' lacks '%s'", m, x->part);
	if (x->message_max && (long)strlen(m) > x->message_max)
		fail("message of %zu bytes, more than %ld", strlen(m),
		     x->message_max);
}

/* What each unit's result was, one "result:" line each, without the
 * times: what every process of a '-- processes: N' case must agree on. */
static up_buf results;

static void check_result(const expectations *x, const char *unit,
			 const up_result *r)
{
	if (strcmp(status_name(r->status), x->expect))
		fail("status '%s', expected '%s'", status_name(r->status),
		     x->expect);
	check_message(x, r->message ? r->message : "");
	char *ev = r->evidence ? json_dumps(r->evidence, JSON_COMPACT |
					    JSON_SORT_KEYS | JSON_ENCODE_ANY)
			       : up_xstrdup("null");
	char *line = up_xasprintf("result: %s: %s: %s %s\n", unit,
				  status_name(r->status),
				  r->message ? r->message : "", ev);
	up_buf_add(&results, line, strlen(line));
	free(line);
	if (x->evidence && strcmp(ev, x->evidence))
		fail("evidence %s, expected %s", ev, x->evidence);
	if (x->evidence_max && (long)strlen(ev) > x->evidence_max)
		fail("evidence of %zu bytes, more than %ld: %.200s...",
		     strlen(ev), x->evidence_max, ev);
	free(ev);
}

static const up_decl *find_decl(up_host *h, const char *file)
{
	const up_decl *found = NULL;
	for (size_t i = 0; i < up_host_ndecls(h); i++) {
		const up_decl *d = up_host_decl(h, i);
		if (!strcmp(d->file, file)) {
			if (found) {
				fprintf(stderr, "%s declares more than one rule\n",
					file);
				exit(2);
			}
			found = d;
		}
	}
	return found;
}

/* Runs the witness; its message, which must be witness_says. */
static void witness(up_host *h, const up_facts *f, const char *when)
{
	const up_decl *w = find_decl(h, "rules/witness.lua");
	if (!w) {
		fail("no witness rule %s", when);
		return;
	}
	up_result r;
	up_host_eval(h, w, f, 0, &r);
	if (r.status != UP_RES_PASS || strcmp(r.message, witness_says))
		fail("the witness says '%s' %s", r.message ? r.message : "",
		     when);
	up_result_free(&r);
}

/* Runs SELF CASE in a fresh process (exec, so with an address layout of
 * its own) and returns the "result:" lines it printed, or NULL if it
 * failed. */
static char *run_child(const char *self, const char *case_path)
{
	int fd[2];
	if (pipe(fd) != 0) {
		perror("pipe");
		exit(2);
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		setenv(CHILD_ENV, "1", 1);
		execl(self, self, case_path, (char *)NULL);
		perror(self);
		_exit(127);
	}
	close(fd[1]);
	up_buf out = {0};
	char chunk[4096];
	ssize_t n;
	while ((n = read(fd[0], chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		up_buf_add(&out, chunk, (size_t)n);
	}
	close(fd[0]);
	int status = 0;
	pid_t done;
	while ((done = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	up_buf_add(&out, "", 1);
	if (done != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(out.buf); /* it said why on stderr */
		return NULL;
	}
	up_buf lines = {0};
	for (char *l = out.buf; l && *l;) {
		char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l + 1) : strlen(l);
		if (!strncmp(l, "result: ", 8))
			up_buf_add(&lines, l, len);
		l += len;
	}
	up_buf_add(&lines, "", 1);
	free(out.buf);
	return lines.buf;
}

/* 1 if a .lua file of DIR is not among the ARGC names of ARGV. */
static int registered(const char *dir, int argc, char **argv)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int bad = !d;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".lua"))
			continue;
		int found = 0;
		for (int i = 0; i < argc && !found; i++)
			found = strlen(argv[i]) == n - 4 &&
				!strncmp(argv[i], e->d_name, n - 4);
		if (!found) {
			fprintf(stderr, "%s is not in sandbox_cases "
				"(tests/sandbox/meson.build)\n", e->d_name);
			bad = 1;
		}
	}
	if (d)
		closedir(d);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "--registered"))
		return registered(argv[2], argc - 3, argv + 3);
	if (argc != 2) {
		fprintf(stderr, "usage: sandbox_run CASE.lua\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	size_t len;
	char *src = slurp(argv[1], &len);
	expectations x;
	parse(src, &x);
	if (!strcmp(x.expect, "same-as-lua"))
		as_lua(src, len, &x);

	const char *tmp = getenv("TMPDIR");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/uptake-sandbox-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	char sub[4200];
	snprintf(sub, sizeof sub, "%s/rules", dir);
	mkdir(sub, 0777);
	char *yaml = up_xasprintf(
		"program: sandbox\n"
		"start: 2026-01-01\n"
		"stages: [pilot, scale]\n"
		"units:\n"
		"  - {id: org, name: Org, stage: pilot}\n"
		"  - {id: ward, name: Ward, parent: org, stage: pilot}\n"
		"people:\n"
		"  - {id: ann, name: Ann, unit: ward, roles: [nurse],\n"
		"     engagement: informed}\n"
		"rules: [rules/witness.lua, rules/hostile.lua]\n"
		"limits: %s\n", x.limits ? x.limits : DEFAULT_LIMITS);
	write_file(dir, "program.yaml", yaml, strlen(yaml));
	free(yaml);
	write_file(dir, "rules/witness.lua", witness_lua, strlen(witness_lua));
	if (x.compile && !strcmp(x.compile, "binary")) {
		size_t blen;
		char *bin = compile(src, len, &blen);
		write_file(dir, "rules/hostile.lua", bin, blen);
		free(bin);
	} else {
		write_file(dir, "rules/hostile.lua", src, len);
	}

	up_error *err = up_error_new();
	up_program *p = NULL;
	up_store *s = NULL;
	up_host *h = NULL;
	up_facts f;
	int32_t day;
	if (up_program_load(&p, dir, err) ||
	    up_store_open(&s, dir, NULL, 0, err) ||
	    up_store_begin(s, err) || up_store_sync(s, p, err) ||
	    up_store_commit(s, err) ||
	    up_date_parse("2026-03-01", &day, NULL) ||
	    up_facts_load(&f, s, day, err)) {
		fprintf(stderr, "setting up: %s\n", up_error_message(err, 0));
		return 2;
	}
	double bound = x.bound_ms ? (double)x.bound_ms
		: (double)p->time_ms +
		  SLACK_MS * (RUNNING_ON_VALGRIND ? VALGRIND_SLOW : 1);
	double t0 = now_ms();
	int rc = up_host_open(&h, p, err);
	double worst = now_ms() - t0;
	if (!strcmp(x.expect, "load-error")) {
		if (rc == UP_OK)
			fail("the file loaded");
		for (size_t i = 0; i < up_error_count(err); i++) {
			const char *m = up_error_message(err, i);
			printf("load: %s\n", m);
			if (strstr(m, "rules/hostile.lua"))
				check_message(&x, m);
			else
				fail("another file fails to load: %s", m);
		}
		if (!up_error_count(err))
			fail("no load error");
	} else if (rc != UP_OK) {
		for (size_t i = 0; i < up_error_count(err); i++)
			fail("load: %s", up_error_message(err, i));
	}
	const up_decl *d = find_decl(h, "rules/hostile.lua");
	if (!d && strcmp(x.expect, "load-error"))
		fail("rules/hostile.lua declares no rule");
	witness(h, &f, "before the hostile rule");
	for (int unit = 0; d && unit < 2; unit++) {
		up_result r;
		t0 = now_ms();
		up_host_eval(h, d, &f, unit, &r);
		double dt = now_ms() - t0;
		printf("%s: %s: %s (%.0f ms)\n", f.units[unit].id,
		       status_name(r.status), r.message ? r.message : "", dt);
		check_result(&x, f.units[unit].id, &r);
		up_result_free(&r);
		if (dt > worst)
			worst = dt;
	}
	witness(h, &f, "after the hostile rule");
	t0 = now_ms();
	up_host_close(h);
	if (now_ms() - t0 > worst)
		worst = now_ms() - t0;
	printf("worst: %.0f ms (bound %.0f ms)\n", worst, bound);
	up_buf_add(&results, "", 1);
	fputs(results.buf, stdout);
	/* /proc/self/exe reads as this binary under Valgrind too (not
	 * Valgrind's), so the other processes run natively, each with its
	 * own layout. */
	char self[4096];
	ssize_t selflen = readlink("/proc/self/exe", self, sizeof self - 1);
	if (x.processes > 1 && selflen <= 0)
		fail("cannot find this program to run it again");
	self[selflen > 0 ? selflen : 0] = '\0';
	fflush(stdout);
	for (long i = 1; selflen > 0 && i < x.processes && !getenv(CHILD_ENV);
	     i++) {
		char *other = run_child(self, argv[1]);
		if (other && strcmp(other, results.buf))
			fail("process %ld of %ld gives other results:\n%s"
			     "where this one gave:\n%s", i + 1, x.processes,
			     other, results.buf);
		else if (!other)
			fail("process %ld of %ld failed", i + 1, x.processes);
		free(other);
	}
	free(results.buf);
	if (worst > bound)
		fail("a call took %.0f ms, more than its bound of %.0f ms",
		     worst, bound);
	up_facts_free(&f);
	up_store_close(s);
	up_program_free(p);
	up_error_free(err);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(src);
	char *own[] = {x.expect, x.message, x.part, x.evidence, x.limits,
		       x.compile};
	for (size_t i = 0; i < UP_COUNTOF(own); i++)
		free(own[i]);
	return failures ? 1 : 0;
}
