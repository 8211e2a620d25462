/*
 * fuzz_ctx.c: the Lua-to-C boundary of ctx.  The input is decoded into a
 * rule that calls ctx's methods, one after another, each under pcall,
 * with arguments of every type: nil, booleans, integers to their
 * extremes, NaN and infinities, odd and huge strings, filter tables with
 * the right keys and wrong values, long lists, read-only tables of ctx,
 * tables whose metamethods raise or call ctx again, and what earlier
 * calls returned.  The rule runs as a gate, a check or a metric{} on two
 * units of a small program whose store holds a little of everything, so
 * the second evaluation may also call the first one's ctx.
 *
 * What must hold: every call returns or raises a string, and the rule
 * then returns its own result, unless a sandbox limit stopped it, which
 * must say so; follow-ups and reminders asked for are well formed; the
 * memory cap holds; nothing crashes or leaks.  Before the first input
 * the harness lists ctx's fields and aborts if one is not in METHODS or
 * FIELDS below: a new ctx method must be fuzzed too.
 *
 * Input: byte 0 picks the rule kind and the unit, then each call takes
 * a byte for the method, one for how to call it and the bytes its
 * arguments need (see call() and value()).  README.md has the details.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every method of ctx, with the filter keys it reads (NULL: it takes
 * positional arguments). */
static const struct {
	const char *name;
	const char *keys[10]; /* NULL-terminated */
} methods[] = {
	{"people", {"role", "unit", "within", "min_engagement",
		    "include_left", "id", "lineage", "limit"}},
	{"events", {"kind", "unit", "within", "person", "since", "until",
		    "lineage", "limit"}},
	{"units", {"parent", "within", "stage", "lineage", "limit"}},
	{"days_between", {NULL}},
	{"add_days", {NULL}},
	{"metric", {"unit"}},
	{"series", {"unit", "within", "from", "to", "limit"}},
	{"follow_up", {"days", "note"}},
	{"remind", {"days", "note", "role", "person"}},
	{"trainings", {"person", "unit", "within", "since", "limit"}},
	{"coverage", {"unit", "days"}},
};

/* The other fields of ctx, "NAME:TYPE". */
static const char *const fields[] = {"now:string", "params:table",
				     "program:table", "unit:table"};

static const char program_yaml[] =
	"program: fuzz-ctx\n"
	"start: 2026-01-05\n"
	"stages: [pilot, scale, live]\n"
	"units:\n"
	"  - {id: region, name: Region, stage: pilot}\n"
	"  - {id: north, parent: region, stage: scale, go_live: 2026-02-02,\n"
	"     staff: 30, attrs: {site: north}}\n"
	"  - {id: ward, parent: north, stage: live, go_live: 2026-01-12,\n"
	"     staff: 5}\n"
	"people:\n"
	"  - {id: anna, unit: region, roles: [executive],\n"
	"     engagement: bought_in}\n"
	"  - {id: dr-a, unit: north, roles: [surgeon, clinician_champion],\n"
	"     engagement: consulted}\n"
	"  - {id: nurse-b, unit: ward, roles: [nurse, first_line_manager],\n"
	"     engagement: informed, joined: 2026-02-01}\n"
	"  - {id: nobody, roles: [consultant]}\n"
	"metrics:\n"
	"  digital_share: {numerator: digital_visits, denominator: visits,\n"
	"                  target: 0.3, deadline: +1y}\n"
	"  weekly: {kind: sum, series: visits, target: 20, period: week,\n"
	"           per_period: true, scope: north}\n"
	"rules: [f.lua]\n"
	"limits: {instructions: 2000000, memory_mb: 16, time_ms: 3000}\n";

static const struct {
	const char *kind, *csv;
} seed[] = {
	{"observations", "unit,series,period,value\n"
			 "north,visits,2026-01,200\n"
			 "north,digital_visits,2026-01,20\n"
			 "north,visits,2026-02,210\n"
			 "north,digital_visits,2026-02,31\n"
			 "ward,visits,2026-W05,40\n"
			 "ward,visits,2026-Q1,150\n"},
	{"events", "kind,date,unit,people,note,attr.outcome\n"
		   "consultation,2026-02-03,north,dr-a;nurse-b,Workshop,held\n"
		   "meeting,2026-03-10,ward,nurse-b,,no_show\n"
		   "deliverable,2026-01-20,,,Plan,\n"},
	{"trainings", "person,date,topic,outcome\n"
		      "nurse-b,2026-02-20,booking,\n"
		      "dr-a,2026-03-02,booking,failed\n"
		      "anna,2026-03-03,,\n"},
	{"engagements", "person,level,date,note\n"
			"dr-a,involved,2026-02-10,content workshop\n"},
	{"people_changes", "person,date,change,unit,role,note\n"
			   "nurse-b,2026-03-01,add_role,,clinician_champion,\n"
			   "dr-a,2026-03-15,leave,,,moved\n"},
};

static char dir[256];
static up_facts facts;
static int32_t as_of;

/* ---- setup ---- */

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_ctx: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

static void write_file(const char *name, const char *text, size_t len)
{
	char path[300];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(text, 1, len, fp) != len || fclose(fp))
		fail("cannot write", path);
}

static up_program *load(void)
{
	up_program *p = NULL;
	up_error *err = up_error_new();
	if (up_program_parse(&p, dir, program_yaml, sizeof program_yaml - 1,
			     0, err))
		fail("program.yaml", up_error_message(err, 0));
	up_error_free(err);
	return p;
}

static void fill_store(void)
{
	char path[300], csv[300];
	snprintf(path, sizeof path, "%s/state.db", dir);
	snprintf(csv, sizeof csv, "%s/in.csv", dir);
	up_program *p = load();
	up_store *s = NULL;
	up_error *err = up_error_new();
	if (up_store_open(&s, dir, path, 0, err))
		fail("store", up_error_message(err, 0));
	for (size_t i = 0; i < UP_COUNTOF(seed); i++) {
		write_file("in.csv", seed[i].csv, strlen(seed[i].csv));
		if (up_import(s, p, seed[i].kind, csv, NULL, NULL, NULL, err))
			fail(seed[i].kind, up_error_message(err, 0));
	}
	up_date_parse("2026-04-01", &as_of, NULL);
	if (up_facts_load(&facts, s, as_of, err))
		fail("facts", up_error_message(err, 0));
	json_decref(up_metrics_eval(p, &facts)); /* for ctx:metric */
	up_error_free(err);
	up_store_close(s);
	up_program_free(p);
}

/* ---- running a rule file ---- */

typedef struct {
	up_program *p;
	up_host *h;
} loaded;

static void open_rules(loaded *l, const char *src, size_t len)
{
	write_file("f.lua", src, len);
	l->p = load();
	up_error *err = up_error_new();
	if (up_host_open(&l->h, l->p, err) != UP_OK)
		fail("the generated rule does not load",
		     up_error_message(err, 0));
	up_error_free(err);
}

static void close_rules(loaded *l)
{
	up_host_close(l->h);
	up_program_free(l->p);
}

static const up_decl *decl(const up_host *h, const char *id)
{
	const up_decl *d = up_host_find(h, id);
	if (!d)
		fail("no rule", id);
	return d;
}

/* ctx's fields, as "NAME:TYPE" in key order, against METHODS and FIELDS. */
static void check_ctx_fields(void)
{
	static const char src[] =
		"check { id = 'fields', check = function(ctx)\n"
		"  local t = {}\n"
		"  for k, v in pairs(ctx) do t[#t + 1] = k .. ':' .. type(v) end\n"
		"  return pass('', t)\n"
		"end }\n";
	loaded l;
	open_rules(&l, src, sizeof src - 1);
	up_result r;
	up_host_eval(l.h, decl(l.h, "fields"), &facts, 0, &r);
	if (r.status != UP_RES_PASS || !json_is_array(r.evidence))
		fail("listing ctx", r.message);
	size_t i;
	json_t *v;
	json_array_foreach(r.evidence, i, v) {
		const char *f = json_string_value(v);
		int known = 0;
		for (size_t k = 0; k < UP_COUNTOF(methods); k++) {
			size_t n = strlen(methods[k].name);
			known |= !strncmp(f, methods[k].name, n) &&
				 !strcmp(f + n, ":function");
		}
		for (size_t k = 0; k < UP_COUNTOF(fields); k++)
			known |= !strcmp(f, fields[k]);
		if (!known)
			fail("ctx has a field this harness does not fuzz "
			     "(add it to methods[] or fields[] in "
			     "tests/fuzz/fuzz_ctx.c)", f);
	}
	if (json_array_size(r.evidence) !=
	    UP_COUNTOF(methods) + UP_COUNTOF(fields))
		fail("ctx lacks a method or field the harness lists", NULL);
	up_result_free(&r);
	close_rules(&l);
}

/* At exit: the facts freed, the directory gone. */
static void cleanup(void)
{
	static const char *const names[] = {"f.lua", "in.csv", "state.db",
					    "state.db-wal", "state.db-shm"};
	up_facts_free(&facts);
	for (size_t i = 0; i < UP_COUNTOF(names); i++) {
		char path[300];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		remove(path);
	}
	remove(dir);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s/uptake-fuzz-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	write_file("f.lua", "", 0);
	fill_store();
	check_ctx_fields();
}

/* ---- decoding the input into Lua ---- */

typedef struct {
	const uint8_t *p;
	size_t n;
	up_buf *out;
	int calls; /* results so far: R[1] .. R[calls] */
} gen;

static unsigned next(gen *g)
{
	if (!g->n)
		return 0;
	g->n--;
	return *g->p++;
}

static const char *pick(gen *g, const char *const *list, size_t n)
{
	return list[next(g) % n];
}
#define PICK(g, list) pick((g), (list), UP_COUNTOF(list))

static void put(gen *g, const char *s)
{
	up_buf_puts(g->out, s);
}

/* Bytes of the input as a Lua string literal, every byte escaped. */
static void raw_string(gen *g, size_t len)
{
	put(g, "\"");
	for (size_t i = 0; i < len && g->n; i++)
		up_buf_printf(g->out, "\\%03u", next(g));
	put(g, "\"");
}

static const char *const integers[] = {
	"math.mininteger", "math.maxinteger", "0", "-1", "1", "2147483647",
	"-2147483648", "4294967296", "3650", "3651", "90", "9007199254740993",
	"-3650", "(math.mininteger + 1)", "10000", "365"};
static const char *const floats[] = {
	"(0/0)", "(1/0)", "(-1/0)", "(-(0/0))", "0.5", "-0.0", "1e308",
	"5e-324", "3650.0", "1.0", "2^53", "2^63", "-2^63", "1e-300",
	"90.5", "(2^31 + 0.5)"};
/* Names and values the program and store have, and near misses. */
static const char *const words[] = {
	"region", "north", "ward", "nowhere", "Region", "anna", "dr-a",
	"nurse-b", "nobody", "nurse", "surgeon", "executive",
	"clinician_champion", "first_line_manager", "consultant", "unaware",
	"informed", "consulted", "involved", "bought_in", "bought-in",
	"consultation", "meeting", "deliverable", "visits", "digital_visits",
	"visit", "digital_share", "weekly", "m", "fz/m", "digital_shar", "",
	" ", "a/b", "%s%n%d", "\\0", "\\255\\254", "pilot", "scale", "live",
	"unit", "role", "days", "note", "__index", "..", "2026-04-01"};
static const char *const dates[] = {
	"2026-01-01", "1000-01-01", "9999-12-31", "2024-02-29", "2026-02-29",
	"0999-12-31", "2026-Q1", "2026-W53", "2020-W53", "2026-03",
	"2026-13-01", "2026-04-01", "2026-03-15", "10000-01-01", "2026-1-1",
	"+1y", "2026-03-15 ", "1000-W01", "9999-Q4", "2026-W00"};
static const char *const numeric_strings[] = {
	"'12'", "' 12 '", "'0x10'", "'1e3'", "'-5'", "'3650'", "'nan'",
	"'inf'", "'90.0'", "'9223372036854775808'"};
static const char *const ctx_values[] = {
	"ctx", "old", "ctx.unit", "ctx.params", "ctx.program",
	"ctx.program.stages", "ctx.unit.attrs", "ctx.now", "old.unit",
	"ctx.unit.id"};
static const char *const functions[] = {
	"function() end", "ctx.people", "error", "pcall",
	"function() return ctx end"};
/* What a hostile table's __index does when ctx reads a key of it. */
static const char *const hostile[] = {
	"error('boom')", "error(('x'):rep(5000))", "return ctx:people{}",
	"return ctx:follow_up{days = 1}", "return old:units{}",
	"return k", "return {}", "return 0/0", "return ('y'):rep(100000)",
	"local t = {} for i = 1, 1e9 do t[i] = i end"};
static const char *const rep_counts[] = {"100", "4096", "65536",
					 "1 << 20", "8 << 20", "(1 << 40)"};
static const char *const list_sizes[] = {"1000", "100000", "3", "1e7"};

static void value(gen *g, int depth);

/* A table of key = value pairs, KEYS' keys for odd bytes; with the top
 * bit of its first byte, behind an __index that ctx's reads of absent
 * keys run. */
static void pairs_table(gen *g, int depth, const char *const *keys)
{
	unsigned first = next(g), n = first % 5;
	if (first & 0x80)
		put(g, "setmetatable(");
	put(g, "{");
	for (unsigned i = 0; i < n; i++) {
		unsigned how = next(g);
		size_t nk = 0;
		while (keys && keys[nk])
			nk++;
		if (how & 1 && nk) {
			up_buf_printf(g->out, "[\"%s\"] = ", keys[how / 2 % nk]);
		} else {
			put(g, "[");
			value(g, depth + 1);
			put(g, "] = ");
		}
		value(g, depth + 1);
		put(g, ", ");
	}
	put(g, "}");
	if (first & 0x80)
		up_buf_printf(g->out, ", {__index = function(t, k) %s end})",
			      PICK(g, hostile));
}

/* Every filter key any method reads, for tables not shaped for one. */
static const char *const any_keys[] = {
	"role", "unit", "within", "min_engagement", "include_left", "kind",
	"person", "lineage", "id", "limit", NULL};

static void value(gen *g, int depth)
{
	unsigned t = next(g) % 20;
	if (depth > 3)
		t = t % 9; /* scalars only, so the source stays small */
	switch (t) {
	case 0: put(g, "nil"); break;
	case 1: put(g, next(g) & 1 ? "true" : "false"); break;
	case 2: up_buf_printf(g->out, "%d", (int)(int8_t)next(g)); break;
	case 3: put(g, PICK(g, integers)); break;
	case 4: put(g, PICK(g, floats)); break;
	case 5: raw_string(g, next(g) % 24); break;
	case 6: up_buf_printf(g->out, "\"%s\"", PICK(g, words)); break;
	case 7: up_buf_printf(g->out, "\"%s\"", PICK(g, dates)); break;
	case 8: put(g, PICK(g, numeric_strings)); break;
	case 9:
		up_buf_printf(g->out, "(\"%s\"):rep(%s)", PICK(g, words),
			      PICK(g, rep_counts));
		break;
	case 10: pairs_table(g, depth, any_keys); break;
	case 11:
		put(g, "{");
		for (unsigned i = 0, n = next(g) % 5; i < n; i++) {
			value(g, depth + 1);
			put(g, ", ");
		}
		put(g, "}");
		break;
	case 12: put(g, PICK(g, ctx_values)); break;
	case 13: put(g, PICK(g, functions)); break;
	case 14:
		up_buf_printf(g->out, "setmetatable({}, {__index = function(t, "
			      "k) %s end})", PICK(g, hostile));
		break;
	case 15:
		up_buf_printf(g->out, "L(%s, \"%s\")", PICK(g, list_sizes),
			      PICK(g, words));
		break;
	case 16:
		if (g->calls)
			up_buf_printf(g->out, "R[%u]", next(g) % g->calls + 1);
		else
			put(g, "R");
		break;
	case 17:
		put(g, "{x = ");
		value(g, depth + 1);
		put(g, "}");
		break;
	case 18:
		/* a date built of input digits, of the right shape */
		up_buf_printf(g->out, "\"%04u-%02u-%02u\"", next(g) * 40u % 10000u,
			      next(g) % 14u, next(g) % 33u);
		break;
	default:
		up_buf_printf(g->out, "\"%u-Q%u\"", 1990u + next(g) % 50u,
			      next(g) % 6u);
		break;
	}
}

/* The arguments a method expects, filled with values that are mostly of
 * the right kind: the paths past the first type check. */
static void shaped_args(gen *g, size_t m)
{
	const char *name = methods[m].name;
	if (!strcmp(name, "days_between") || !strcmp(name, "add_days")) {
		next(g) & 1 ? value(g, 1)
			    : (void)up_buf_printf(g->out, "\"%s\"",
						  PICK(g, dates));
		put(g, ", ");
		if (!strcmp(name, "add_days") && next(g) & 1)
			put(g, PICK(g, integers));
		else
			value(g, 1);
		return;
	}
	if (!strcmp(name, "series") || !strcmp(name, "metric")) {
		next(g) & 1 ? value(g, 1)
			    : (void)up_buf_printf(g->out, "\"%s\"",
						  PICK(g, words));
		put(g, ", ");
	}
	pairs_table(g, 1, methods[m].keys);
}

/* One call: R[n] = C(function() return ctx.M(SELF, ARGS) end). */
static void call(gen *g)
{
	size_t m = next(g) % UP_COUNTOF(methods);
	unsigned how = next(g);
	const char *self[] = {"ctx", "old", NULL, ""};
	const char *s = self[how & 3];
	up_buf_printf(g->out, "R[%d] = C(function() return %s.%s(",
		      ++g->calls, how & 4 ? "old" : "ctx", methods[m].name);
	if (s)
		put(g, s);
	else
		value(g, 1);
	if ((how & 3) != 3) { /* "": no arguments at all */
		if (how & 8) {
			put(g, ", ");
			shaped_args(g, m);
		} else {
			for (unsigned i = 0, n = how >> 4 & 3; i < n; i++) {
				put(g, ", ");
				value(g, 1);
			}
		}
	}
	put(g, ") end)\n");
}

/* The rule: helpers, then the calls, then one declaration of each kind
 * around them. */
static const char prologue[] =
	"local saved\n"
	"local function walk(v, depth)\n"
	"  if type(v) ~= 'table' or depth > 2 then return end\n"
	"  local n = 0\n"
	"  for _, x in pairs(v) do\n"
	"    n = n + 1\n"
	"    if n > 64 then break end\n"
	"    walk(x, depth + 1)\n"
	"  end\n"
	"  local _ = #v\n"
	"end\n"
	"local function C(f)\n"
	"  local ok, r = pcall(f)\n"
	"  if ok then walk(r, 0) return r end\n"
	"  if type(r) ~= 'string' then\n"
	"    error('FUZZ: ctx raised a ' .. type(r), 0)\n"
	"  end\n"
	"end\n"
	"local function L(n, w)\n"
	"  local t = {}\n"
	"  for i = 1, n do t[i] = w end\n"
	"  return t\n"
	"end\n"
	"local function body(ctx)\n"
	"  local old = saved or ctx\n"
	"  saved = ctx\n"
	"  local R = {}\n";

static const char epilogue[] =
	"end\n"
	"gate { id = 'g', at = 'pilot->scale',\n"
	"  check = function(ctx) body(ctx) return pass('done') end }\n"
	"check { id = 'c', check = function(ctx) body(ctx) return pass('done')"
	" end }\n"
	"metric { id = 'm', target = 1,\n"
	"  compute = function(ctx) body(ctx) return 1 end }\n";

enum { MAX_CALLS = 48 };

/* ---- what must hold ---- */

/* A rule either ran to its end or was stopped by a limit, saying so. */
static void check_ending(const char *message)
{
	if (message && strstr(message, "limit exceeded") &&
	    !strstr(message, "FUZZ:"))
		return;
	fail("a call escaped its pcall", message);
}

static void check_requests(up_host *h)
{
	const up_request *r;
	size_t n = up_host_requests(h, &r);
	for (size_t i = 0; i < n; i++) {
		if (r[i].due <= as_of || r[i].due > as_of + 3650)
			fail("a request due out of range", r[i].rule);
		if (r[i].note && (strlen(r[i].note) > 503 ||
				  !up_utf8_valid(r[i].note, strlen(r[i].note))))
			fail("a request's note is not clean", r[i].rule);
		if ((r[i].role && !up_is_id(r[i].role)) ||
		    (r[i].person && !up_is_id(r[i].person)) ||
		    (r[i].remind && !r[i].role == !r[i].person) ||
		    !r[i].rule || (size_t)r[i].unit_ix >= facts.nunits)
			fail("a malformed request", r[i].rule);
	}
	up_host_clear_requests(h);
}

static void run(up_host *h, unsigned kind, int unit)
{
	static const char *const ids[] = {"g", "c", "m"};
	const up_decl *d = decl(h, ids[kind]);
	if (kind == 2) {
		double v, num, den;
		char *why = NULL;
		if (up_host_compute(h, d, &facts, unit, &v, &num, &den, &why))
			check_ending(why);
		else if (v != 1)
			fail("metric{} computed the wrong value", NULL);
		free(why);
	} else {
		up_result r;
		up_host_eval(h, d, &facts, unit, &r);
		if (r.status != UP_RES_PASS)
			check_ending(r.message);
		up_result_free(&r);
	}
	check_requests(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!facts.nunits)
		setup();
	up_buf src = {0};
	gen g = {data, size, &src, 0};
	unsigned first = next(&g);
	put(&g, prologue);
	while (g.n && g.calls < MAX_CALLS)
		call(&g);
	put(&g, epilogue);
	if (getenv("UPTAKE_FUZZ_SHOW")) /* what an input decodes to */
		fprintf(stderr, "%s", src.buf);
	loaded l;
	open_rules(&l, src.buf, src.len);
	int unit = (int)(first / 3 % facts.nunits);
	run(l.h, first % 3, unit);
	run(l.h, first % 3, (unit + 1) % (int)facts.nunits);
	size_t peak = 0;
	up_host_memory(l.h, &peak);
	if (peak > ((size_t)16 << 20) + 4096)
		fail("the memory cap did not hold", NULL);
	close_rules(&l);
	up_buf_free(&src);
	return 0;
}
