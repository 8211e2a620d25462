/*
 * test_sandbox.c: the Lua sandbox as a security boundary:
 * forbidden globals, escape attempts, limits, the ctx API and declaration
 * errors.  Every test builds a fresh program in its own temporary directory.
 */
#define _GNU_SOURCE /* sched_setaffinity: a cycle on one core */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

#define AS_OF "2024-06-30"
#define AT "'pilot->scale'" /* the boundary most test rules guard */

/*
 * The world every test runs in, as of AS_OF:
 *   org (evaluate) > hosp (pilot) > ward (pilot); org > clinic (procure)
 * People are listed in unit preorder, then by id; zed has no unit.  Eve's
 * engagement and event e4 are dated after AS_OF, so no rule may see them.
 */
static const char world_yaml[] =
	"program: sandbox-test\n"
	"title: Sandbox test\n"
	"organization: Test Org\n"
	"start: 2024-01-01\n"
	"stages: [evaluate, procure, pilot, scale]\n"
	"units:\n"
	"  - {id: org, name: Test Org, stage: evaluate}\n"
	"  - {id: hosp, name: Hospital, parent: org, stage: pilot}\n"
	"  - {id: ward, name: Ward One, parent: hosp, stage: pilot,\n"
	"     go_live: 2024-03-01, staff: 12, attrs: {region: north}}\n"
	"  - {id: clinic, name: Clinic, parent: org, stage: procure}\n"
	"people:\n"
	"  - {id: olga, name: Olga Org, unit: org, roles: [executive],\n"
	"     engagement: bought_in}\n"
	"  - {id: cat, name: Cat Exec, unit: hosp, roles: [executive],\n"
	"     engagement: involved}\n"
	"  - {id: ann, name: Ann Champion, unit: ward,\n"
	"     roles: [clinician_champion, physician], engagement: bought_in,\n"
	"     since: 2024-01-10}\n"
	"  - {id: bob, name: Bob Nurse, unit: ward, roles: [nurse],\n"
	"     engagement: informed}\n"
	"  - {id: eve, name: Eve Manager, unit: ward,\n"
	"     roles: [first_line_manager], engagement: bought_in,\n"
	"     since: 2024-09-01}\n"
	"  - {id: dan, name: Dan Surgeon, unit: clinic, roles: [surgeon],\n"
	"     engagement: consulted}\n"
	"  - {id: zed, name: Zed Nowhere, roles: [partner_contact]}\n";

static char *dir;
static up_error *err;
static up_program *prog;
static up_store *store;
static up_facts facts;
static int have_facts;
static up_host *host;

static void setup(void)
{
	dir = tu_mkdtemp();
	err = up_error_new();
	ck_assert_ptr_nonnull(err);
}

static void teardown(void)
{
	up_host_close(host);
	if (have_facts)
		up_facts_free(&facts);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	tu_rmtree(dir);
	free(dir);
	host = NULL;
	have_facts = 0;
	store = NULL;
	prog = NULL;
	err = NULL;
	dir = NULL;
}

/* Every message in err, one a line, for failure reports. */
static const char *errors(void)
{
	static char text[8192];
	text[0] = '\0';
	for (size_t i = 0; i < up_error_count(err); i++) {
		size_t n = strlen(text);
		snprintf(text + n, sizeof text - n, "%s\n",
			 up_error_message(err, i));
	}
	return text;
}

/* program.yaml: the world, RULES (a YAML list) and EXTRA lines. */
static void write_program(const char *rules, const char *extra)
{
	char *text = up_xasprintf("%srules: %s\n%s", world_yaml, rules, extra);
	tu_write(dir, "program.yaml", text);
	free(text);
}

static void record(const char *kind, const char *const names[],
		   const char *const values[], size_t n)
{
	int rc = up_record(store, prog, kind, n, names, values, NULL, err);
	ck_assert_msg(rc == UP_OK, "recording %s: %s", kind, errors());
}

static void event(const char *note, const char *kind, const char *date,
		  const char *unit, const char *people, const char *attr)
{
	const char *names[6] = {"note", "kind", "date"};
	const char *values[6] = {note, kind, date};
	size_t n = 3;
	if (unit) {
		names[n] = "unit";
		values[n++] = unit;
	}
	if (people) {
		names[n] = "people";
		values[n++] = people;
	}
	if (attr) {
		names[n] = "attr";
		values[n++] = attr;
	}
	record("event", names, values, n);
}

static void engagement(const char *person, const char *level,
		       const char *date)
{
	const char *names[] = {"person", "level", "date"};
	const char *values[] = {person, level, date};
	record("engagement", names, values, 3);
}

/* Loads the program, mirrors it into a fresh store and records events
 * e1-e5 and two later engagements of bob's. */
static void open_world(void)
{
	int rc = up_program_load(&prog, dir, err);
	ck_assert_msg(rc == UP_OK, "loading the program: %s", errors());
	rc = up_store_open(&store, dir, NULL, 0, err);
	ck_assert_msg(rc == UP_OK, "opening the store: %s", errors());
	ck_assert_int_eq(up_store_begin(store, err), UP_OK);
	rc = up_store_sync(store, prog, err);
	ck_assert_msg(rc == UP_OK, "syncing: %s", errors());
	ck_assert_int_eq(up_store_commit(store, err), UP_OK);
	event("e1", "consultation", "2024-02-01", "ward", "ann,bob", NULL);
	event("e2", "meeting", "2024-03-15", "hosp", "cat", "outcome=held");
	event("e3", "consultation", "2024-05-01", "clinic", "dan", NULL);
	event("e4", "consultation", "2024-08-01", "ward", "ann", NULL);
	event("e5", "decision", AS_OF, "org", NULL, NULL);
	engagement("bob", "involved", "2024-05-01");
	engagement("bob", "bought_in", "2024-07-15");
}

/* Reads the facts as of AS_OF and opens the sandbox; returns its code. */
static int open_host(void)
{
	int32_t day;
	ck_assert_int_eq(up_date_parse(AS_OF, &day, NULL), UP_OK);
	int rc = up_facts_load(&facts, store, day, err);
	ck_assert_msg(rc == UP_OK, "loading facts: %s", errors());
	have_facts = 1;
	return up_host_open(&host, prog, err);
}

/* The world with LUA as its only rule file, rules/t.lua. */
static void boot_with(const char *lua, const char *extra)
{
	write_program("[rules/t.lua]", extra);
	tu_write(dir, "rules/t.lua", lua);
	open_world();
	int rc = open_host();
	ck_assert_msg(rc == UP_OK, "opening the host: %s", errors());
}

static void boot(const char *lua)
{
	boot_with(lua, "");
}

static const up_decl *decl(const char *id)
{
	for (size_t i = 0; i < up_host_ndecls(host); i++)
		if (!strcmp(up_host_decl(host, i)->id, id))
			return up_host_decl(host, i);
	ck_abort_msg("no rule '%s' declared", id);
	return NULL;
}

static void eval(const char *id, const char *unit, up_result *r)
{
	int ui = up_facts_unit(&facts, unit);
	ck_assert_msg(ui >= 0, "no unit '%s'", unit);
	up_host_eval(host, decl(id), &facts, ui, r);
}

static const char *const status_names[] = {"pass", "fail", "warn", "score",
					   "skip", "error"};

static void check_status(const char *id, const char *unit, const up_result *r,
			 up_res_status want)
{
	ck_assert_msg(r->status == want, "%s on %s: %s (%s), expected %s", id,
		      unit, status_names[r->status],
		      r->message ? r->message : "", status_names[want]);
	ck_assert_ptr_nonnull(r->message);
}

/* Evaluates rule ID on UNIT: status WANT and exactly message MSG. */
static void expect(const char *id, const char *unit, up_res_status want,
		   const char *msg)
{
	up_result r;
	eval(id, unit, &r);
	check_status(id, unit, &r, want);
	ck_assert_msg(!strcmp(r.message, msg), "%s on %s: message '%s', "
		      "expected '%s'", id, unit, r.message, msg);
	up_result_free(&r);
}

/* As expect(), with PART somewhere in the message. */
static void expect_part(const char *id, const char *unit, up_res_status want,
			const char *part)
{
	up_result r;
	eval(id, unit, &r);
	check_status(id, unit, &r, want);
	ck_assert_msg(strstr(r.message, part) != NULL, "%s on %s: message '%s'"
		      " lacks '%s'", id, unit, r.message, part);
	up_result_free(&r);
}

/* ------------------------------------------------------------------ */
/* Forbidden globals                                                    */
/* ------------------------------------------------------------------ */

static const struct {
	const char *expr, *want;
} hidden[] = {
	{"io", "nil"}, {"os", "nil"}, {"require", "nil"}, {"debug", "nil"},
	{"package", "nil"}, {"load", "nil"}, {"loadstring", "nil"},
	{"dofile", "nil"}, {"loadfile", "nil"}, {"collectgarbage", "nil"},
	{"rawset", "nil"}, {"print", "nil"}, {"string.dump", "nil"},
	{"math.random", "nil"}, {"math.randomseed", "nil"},
	/* the shared string metatable is hidden behind __metatable */
	{"getmetatable('')", "false"},
	/* the same, reached other ways */
	{"('').dump", "nil"}, {"_G.io", "nil"}, {"_ENV.require", "nil"},
	/* coroutines would run outside the instruction hook */
	{"coroutine", "nil"},
};

START_TEST(forbidden_global_is_absent)
{
	char lua[600];
	snprintf(lua, sizeof lua,
		 "gate { id = 'hidden', at = " AT ", check = function(ctx)\n"
		 "  local v = %s\n"
		 "  if v == %s then return pass('hidden') end\n"
		 "  return fail('visible: %%s', tostring(v))\n"
		 "end }\n", hidden[_i].expr, hidden[_i].want);
	boot(lua);
	up_result r;
	eval("hidden", "ward", &r);
	ck_assert_msg(r.status == UP_RES_PASS && !strcmp(r.message, "hidden"),
		      "%s: %s (%s)", hidden[_i].expr, status_names[r.status],
		      r.message);
	up_result_free(&r);
}
END_TEST

/* The control for the loop above: what the allow-list lets through. */
START_TEST(allowed_globals_are_present)
{
	boot("gate { id = 'present', at = " AT ", check = function(ctx)\n"
	     "  local fs = { pairs, ipairs, next, pcall, error, select, type,\n"
	     "    tostring, tonumber, rawget, rawequal, rawlen, setmetatable,\n"
	     "    getmetatable, assert, xpcall, string.format, table.concat,\n"
	     "    math.floor, utf8.char, pass, fail, warn, score, skip }\n"
	     "  for i = 1, 25 do\n"
	     "    if type(fs[i]) ~= 'function' then return fail('#%d', i) end\n"
	     "  end\n"
	     "  return pass('%s %s', _VERSION, ('abc'):upper())\n"
	     "end }\n");
	expect("present", "ward", UP_RES_PASS, "Lua 5.4 ABC");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Escape attempts                                                      */
/* ------------------------------------------------------------------ */

START_TEST(environment_metatable_is_protected)
{
	boot("gate { id = 'set', at = " AT ", check = function(ctx)\n"
	     "  setmetatable(_G, {})\n"
	     "  return pass()\n"
	     "end }\n"
	     "gate { id = 'get', at = " AT ", check = function(ctx)\n"
	     "  return pass(tostring(getmetatable(_G)))\n"
	     "end }\n");
	expect("set", "ward", UP_RES_ERROR,
	       "rules/t.lua:2: cannot change a protected metatable");
	expect("get", "ward", UP_RES_PASS, "false");
}
END_TEST

START_TEST(library_tables_are_read_only)
{
	boot("gate { id = 'upper', at = " AT ", check = function(ctx)\n"
	     "  string.upper = nil\n"
	     "  return pass()\n"
	     "end }\n"
	     "gate { id = 'add', at = " AT ", check = function(ctx)\n"
	     "  string.x = 1\n"
	     "  return pass()\n"
	     "end }\n"
	     "gate { id = 'math', at = " AT ", check = function(ctx)\n"
	     "  math.floor = function() return 0 end\n"
	     "  return pass()\n"
	     "end }\n"
	     "gate { id = 'dsl', at = " AT ", check = function(ctx)\n"
	     "  local ok, e = pcall(function() table.insert = nil end)\n"
	     "  return pass('%s', tostring(ok))\n"
	     "end }\n"
	     "gate { id = 'after', at = " AT ", check = function(ctx)\n"
	     "  return pass('%s %s %s', ('x'):upper(), tostring(string.x),\n"
	     "              math.floor(2.5))\n"
	     "end }\n");
	expect("upper", "ward", UP_RES_ERROR,
	       "rules/t.lua:2: attempt to modify a read-only table");
	expect("add", "ward", UP_RES_ERROR,
	       "rules/t.lua:6: attempt to modify a read-only table");
	expect("math", "ward", UP_RES_ERROR,
	       "rules/t.lua:10: attempt to modify a read-only table");
	expect("dsl", "ward", UP_RES_PASS, "false");
	expect("after", "ward", UP_RES_PASS, "X nil 2");
}
END_TEST

START_TEST(string_metatable_cannot_change)
{
	boot("gate { id = 'index', at = " AT ", check = function(ctx)\n"
	     "  getmetatable('').__index = { upper = print }\n"
	     "  return pass()\n"
	     "end }\n"
	     "gate { id = 'set', at = " AT ", check = function(ctx)\n"
	     "  setmetatable('', {})\n"
	     "  return pass()\n"
	     "end }\n"
	     "gate { id = 'through', at = " AT ", check = function(ctx)\n"
	     "  local s = 'abc'\n"
	     "  s.upper = function() return 'p' end\n"
	     "  return pass()\n"
	     "end }\n"
	     "gate { id = 'after', at = " AT ", check = function(ctx)\n"
	     "  return pass(('abc'):upper())\n"
	     "end }\n");
	expect("index", "ward", UP_RES_ERROR,
	       "rules/t.lua:2: attempt to index a boolean value");
	expect_part("set", "ward", UP_RES_ERROR,
		    "rules/t.lua:6: bad argument #1 to 'setmetatable' "
		    "(table expected, got string)");
	expect_part("through", "ward", UP_RES_ERROR, "rules/t.lua:11: "
		    "attempt to index a string value");
	expect("after", "ward", UP_RES_PASS, "ABC");
}
END_TEST

START_TEST(binary_chunk_is_refused_at_load)
{
	write_program("[rules/bin.lua, rules/t.lua]", "");
	/* What string.dump would make: the signature, then bytecode. */
	tu_write(dir, "rules/bin.lua", "\033LuaT\001\002\003 bytecode");
	tu_write(dir, "rules/t.lua",
		 "gate { id = 'ok', at = " AT ", check = function(ctx)\n"
		 "  return pass('still here')\n"
		 "end }\n");
	open_world();
	ck_assert_int_eq(open_host(), UP_EINPUT);
	ck_assert_uint_eq(up_error_count(err), 1);
	ck_assert_int_eq(up_error_code(err), UP_EINPUT);
	const char *m = up_error_message(err, 0);
	ck_assert_str_eq(m, "rules/bin.lua: error: attempt to load a binary "
			 "chunk (mode is 't')");
	ck_assert_uint_eq(up_host_ndecls(host), 1);
	expect("ok", "ward", UP_RES_PASS, "still here");
}
END_TEST

START_TEST(pairs_does_not_leak_the_hidden_table)
{
	boot("gate { id = 'leak', at = " AT ", check = function(ctx)\n"
	     "  local f, s = pairs(string)\n"
	     "  s.upper = function() return 'pwned' end\n"
	     "  return pass()\n"
	     "end }\n"
	     "gate { id = 'after', at = " AT ", check = function(ctx)\n"
	     "  local n = 0\n"
	     "  for k, v in pairs(math) do n = n + 1 end\n"
	     "  return pass('%s %s', ('x'):upper(), tostring(n > 10))\n"
	     "end }\n");
	/* pairs hands out next and the proxy itself, never the table it
	 * hides */
	expect("leak", "ward", UP_RES_ERROR,
	       "rules/t.lua:3: attempt to modify a read-only table");
	expect("after", "ward", UP_RES_PASS, "X true");
}
END_TEST

START_TEST(finalizers_are_refused)
{
	/* A __gc would run at collection or lua_close, outside any budget. */
	boot("gate { id = 'gc', at = " AT ", check = function(ctx)\n"
	     "  keep = setmetatable({}, { __gc = function() while true do end end })\n"
	     "  return pass()\n"
	     "end }\n"
	     "gate { id = 'plain', at = " AT ", check = function(ctx)\n"
	     "  local t = setmetatable({}, { __index = function() return 7 end })\n"
	     "  return pass('%d', t.x)\n"
	     "end }\n");
	expect("gc", "ward", UP_RES_ERROR,
	       "rules/t.lua:2: __gc metamethods are not allowed in rules");
	expect("plain", "ward", UP_RES_PASS, "7");
}
END_TEST

START_TEST(every_error_points_at_the_rule)
{
	boot("gate { id = 'tail', at = " AT ", must = false, check = function(ctx)\n"
	     "  return score(11)\n"
	     "end }\n"
	     "gate { id = 'level0', at = " AT ", check = function(ctx)\n"
	     "  error('a: b', 0)\n"
	     "end }\n"
	     "gate { id = 'format', at = " AT ", check = function(ctx)\n"
	     "  return fail('%d', 'x')\n"
	     "end }\n");
	/* the line of the call, though pass() & co. are C to the rule */
	expect_part("tail", "ward", UP_RES_ERROR, "rules/t.lua:2: ");
	expect("level0", "ward", UP_RES_ERROR, "rules/t.lua:4: a: b");
	expect_part("format", "ward", UP_RES_ERROR, "rules/t.lua:7: bad "
		    "argument #2 to 'format'");
}
END_TEST

START_TEST(date_helpers_stay_in_range)
{
	boot("gate { id = 'past', at = " AT ", check = function(ctx)\n"
	     "  return pass(ctx:add_days('9999-12-31', 1))\n"
	     "end }\n"
	     "gate { id = 'stages', at = " AT ", check = function(ctx)\n"
	     "  local ok = pcall(function() ctx.program.stages[1] = 'x' end)\n"
	     "  local ok2 = pcall(function() ctx.unit.attrs.region = 'y' end)\n"
	     "  return pass('%d %s %s %s', #ctx.program.stages,\n"
	     "              table.concat(ctx.program.stages, ','),\n"
	     "              tostring(ok), tostring(ok2))\n"
	     "end }\n");
	expect("past", "ward", UP_RES_ERROR, "rules/t.lua:2: add_days: 1 days "
	       "from 9999-12-31 leaves the years 1000-9999");
	expect("stages", "ward", UP_RES_PASS,
	       "4 evaluate,procure,pilot,scale false false");
}
END_TEST

START_TEST(declaring_inside_a_rule_is_refused)
{
	/* Declarations during evaluation reallocated the registry under the
	 * cycle's feet (a use after free). */
	boot("gate { id = 'g', at = " AT ", check = function(ctx)\n"
	     "  gate { id = 'late', at = " AT ", check = function() return pass() end }\n"
	     "  return pass()\n"
	     "end }\n");
	expect("g", "ward", UP_RES_ERROR, "rules/t.lua:2: gate{} and check{} "
	       "belong at the top level of a rule file, not inside a rule");
	ck_assert_uint_eq(up_host_ndecls(host), 1);
}
END_TEST

START_TEST(declarations_are_read_once)
{
	/* An __index that answers differently on each read cannot pass the
	 * checks with one value and declare another. */
	write_program("[rules/t.lua]", "");
	tu_write(dir, "rules/t.lua",
		 "local n = 0\n"
		 "gate(setmetatable({}, { __index = function(t, k)\n"
		 "  if k == 'id' then n = n + 1; return n == 1 and 'x' or {} end\n"
		 "  if k == 'at' then return " AT " end\n"
		 "  if k == 'check' then return function() return pass() end end\n"
		 "end }))\n");
	open_world();
	ck_assert_int_eq(open_host(), UP_EINPUT);
	ck_assert_str_eq(up_error_message(err, 0), "rules/t.lua:2: error: "
			 "gate: 'id' is required");
	ck_assert_uint_eq(up_host_ndecls(host), 0);
}
END_TEST

START_TEST(tampered_results_are_errors)
{
	boot("gate { id = 'nan', at = " AT ", must = false, check = function(ctx)\n"
	     "  local r = score(5); r.score = 0/0; return r\n"
	     "end }\n"
	     "gate { id = 'big', at = " AT ", must = false, check = function(ctx)\n"
	     "  local r = score(5); r.score = 1000; return r\n"
	     "end }\n"
	     "gate { id = 'status', at = " AT ", check = function(ctx)\n"
	     "  local r = pass(); r.status = 'great'; return r\n"
	     "end }\n");
	expect("nan", "ward", UP_RES_ERROR, "rules/t.lua:1: rule 'nan' returned "
	       "a result with a bad status or a score outside 0-10");
	expect("big", "ward", UP_RES_ERROR, "rules/t.lua:4: rule 'big' returned "
	       "a result with a bad status or a score outside 0-10");
	expect("status", "ward", UP_RES_ERROR, "rules/t.lua:7: rule 'status' "
	       "returned a result with a bad status or a score outside 0-10");
}
END_TEST

START_TEST(text_out_of_rules_is_valid_utf8)
{
	boot("gate { id = 'cut', at = " AT ", check = function(ctx)\n"
	     "  return fail(string.rep('a', 1999) .. '\\u{e9}')\n"
	     "end }\n"
	     "gate { id = 'bytes', at = " AT ", check = function(ctx)\n"
	     "  return pass('caf\\xe9', { note = 'x\\xff' })\n"
	     "end }\n"
	     "gate { id = 'raise', at = " AT ", check = function(ctx)\n"
	     "  error('bad \\xff byte')\n"
	     "end }\n");
	up_result r;
	eval("cut", "ward", &r);
	ck_assert_int_eq(r.status, UP_RES_FAIL);
	ck_assert(up_utf8_valid(r.message, strlen(r.message)));
	ck_assert_str_eq(r.message + 1999, "...");
	up_result_free(&r);
	eval("bytes", "ward", &r);
	ck_assert_str_eq(r.message, "caf\xEF\xBF\xBD");
	ck_assert_str_eq(json_string_value(json_object_get(r.evidence, "note")),
			 "x\xEF\xBF\xBD");
	up_result_free(&r);
	expect("raise", "ward", UP_RES_ERROR,
	       "rules/t.lua:8: bad \xEF\xBF\xBD byte");
}
END_TEST

START_TEST(work_in_c_counts_against_the_budget)
{
	boot_with("gate { id = 'move', at = " AT ", check = function(ctx)\n"
		  "  table.move({}, 1, math.maxinteger - 10, 2)\n"
		  "  return pass()\n"
		  "end }\n"
		  "gate { id = 'rep', at = " AT ", check = function(ctx)\n"
		  "  for i = 1, 1000 do local s = string.rep('x', 4000000) end\n"
		  "  return pass()\n"
		  "end }\n"
		  "gate { id = 'after', at = " AT ", check = function(ctx)\n"
		  "  return pass('fine')\n"
		  "end }\n", "limits: {instructions: 100000}\n");
	expect("move", "ward", UP_RES_ERROR,
	       "rules/t.lua:2: table.move: more than 10000000 elements");
	expect_part("rep", "ward", UP_RES_ERROR, "instruction limit exceeded");
	expect("after", "ward", UP_RES_PASS, "fine");
}
END_TEST

START_TEST(evidence_is_bounded_and_exact)
{
	boot("gate { id = 'huge', at = " AT ", check = function(ctx)\n"
	     "  local s, ev = string.rep('y', 2000), {}\n"
	     "  for i = 1, 9999 do ev[i] = s end\n"
	     "  return pass('ok', { list = ev })\n"
	     "end }\n"
	     "gate { id = 'keys', at = " AT ", check = function(ctx)\n"
	     "  local ev = {}\n"
	     "  for i = 1, 8 do ev[string.rep('k', 70) .. i] = i end\n"
	     "  return pass('ok', ev)\n"
	     "end }\n"
	     "gate { id = 'holes', at = " AT ", check = function(ctx)\n"
	     "  return pass('ok', { list = { nil, 'x', nil, nil, 'z' } })\n"
	     "end }\n");
	up_result r;
	eval("huge", "ward", &r);
	char *text = json_dumps(r.evidence, JSON_COMPACT);
	ck_assert_msg(strlen(text) < (100 << 10), "%zu bytes", strlen(text));
	free(text);
	up_result_free(&r);
	eval("keys", "ward", &r);
	ck_assert_uint_eq(json_object_size(r.evidence), 8);
	char key[80];
	snprintf(key, sizeof key, "%.70s5", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
	ck_assert_int_eq(json_integer_value(json_object_get(r.evidence, key)), 5);
	up_result_free(&r);
	eval("holes", "ward", &r);
	text = json_dumps(r.evidence, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(text, "{\"list\":{\"2\":\"x\",\"5\":\"z\"}}");
	free(text);
	up_result_free(&r);
}
END_TEST

START_TEST(pairs_walks_keys_in_order)
{
	/* The stock pairs follows a per-process hash seed; cycles must be
	 * reproducible, so rules iterate in key order. */
	boot("gate { id = 'order', at = " AT ", check = function(ctx)\n"
	     "  local t = { zeta = 1, alpha = 2, mid = 3, [3] = 'c', [1] = 'a',\n"
	     "              [2.5] = 'b', [true] = 't' }\n"
	     "  local out = {}\n"
	     "  for k, v in pairs(t) do out[#out + 1] = tostring(k) end\n"
	     "  local attrs = {}\n"
	     "  for k in pairs(ctx.unit.attrs) do attrs[#attrs + 1] = k end\n"
	     "  return pass('%s | %s', table.concat(out, ' '), table.concat(attrs, ' '))\n"
	     "end }\n");
	expect("order", "ward", UP_RES_PASS,
	       "1 2.5 3 alpha mid zeta true | region");
}
END_TEST

START_TEST(evidence_cut_keeps_the_first_keys_in_order)
{
	/* More keys than evidence holds: which are kept must not follow
	 * Lua's hash order, which differs in every process. */
	boot("gate { id = 'cut', at = " AT ", check = function(ctx)\n"
	     "  local ev = {}\n"
	     "  for i = 1, 20000 do ev[('k%05d'):format((i * 7919) % 20000)] = i end\n"
	     "  ev[3] = 'three'\n"
	     "  return pass('ok', ev)\n"
	     "end }\n");
	up_result r;
	eval("cut", "ward", &r);
	size_t n = json_object_size(r.evidence);
	ck_assert_msg(n > 1000 && n < 20000, "%zu keys", n);
	ck_assert_str_eq(json_string_value(json_object_get(r.evidence, "3")),
			 "three");
	ck_assert_str_eq(json_string_value(json_object_get(r.evidence, "...")),
			 "...");
	/* n - 2 string keys kept besides "3" and "...": k00000 on */
	char key[16];
	for (size_t i = 0; i < n - 2; i++) {
		snprintf(key, sizeof key, "k%05zu", i);
		ck_assert_msg(json_object_get(r.evidence, key), "%s missing",
			      key);
	}
	snprintf(key, sizeof key, "k%05zu", n - 2);
	ck_assert_ptr_null(json_object_get(r.evidence, key));
	up_result_free(&r);
}
END_TEST

START_TEST(events_person_takes_a_list)
{
	boot("gate { id = 'p', at = " AT ", check = function(ctx)\n"
	     "  return pass('%d %d %d', #ctx:events{ person = { 'nobody' } },\n"
	     "              #ctx:events{ person = { 'dan', 'cat' } },\n"
	     "              #ctx:events{ person = 'ann' })\n"
	     "end }\n");
	expect("p", "ward", UP_RES_PASS, "0 2 1");
}
END_TEST

/* The limit that trips is the one under test, on any machine (Valgrind
 * included): the deadline is set far beyond what the budget takes. */
#define NO_DEADLINE "limits: {time_ms: 3600000}\n"

START_TEST(endless_loop_stops_and_next_rule_runs)
{
	boot_with("gate { id = 'spin', at = " AT ", check = function(ctx)\n"
		  "  if ctx.unit.id == 'ward' then\n"
		  "    local ok = pcall(function()\n"
		  "      while true do end\n"
		  "    end)\n"
		  "    return pass('pcall swallowed the limit: %s', tostring(ok))\n"
		  "  end\n"
		  "  return pass('no loop in %s', ctx.unit.id)\n"
		  "end }\n"
		  "gate { id = 'next', at = " AT ", check = function(ctx)\n"
		  "  local n = 0\n"
		  "  for i = 1, 1000 do n = n + i end\n"
		  "  return pass('%d', n)\n"
		  "end }\n", NO_DEADLINE);
	expect("spin", "ward", UP_RES_ERROR,
	       "rules/t.lua:4: instruction limit exceeded (10000000)");
	expect("next", "ward", UP_RES_PASS, "500500");
	expect("spin", "hosp", UP_RES_PASS, "no loop in hosp");
	expect("spin", "ward", UP_RES_ERROR,
	       "rules/t.lua:4: instruction limit exceeded (10000000)");
}
END_TEST

START_TEST(memory_bomb_stops_and_next_rule_runs)
{
	boot_with("gate { id = 'bomb', at = " AT ", check = function(ctx)\n"
		  "  if ctx.unit.id == 'ward' then\n"
		  "    local hoard = {}\n"
		  "    pcall(function()\n"
		  "      for i = 1, 1e9 do\n"
		  "        hoard[i] = string.rep('x', 100) .. i\n"
		  "      end\n"
		  "    end)\n"
		  "    return pass('pcall swallowed the limit: %d', #hoard)\n"
		  "  end\n"
		  "  return pass('no bomb in %s', ctx.unit.id)\n"
		  "end }\n"
		  "gate { id = 'next', at = " AT ", check = function(ctx)\n"
		  "  local t = {}\n"
		  "  for i = 1, 1000 do t[i] = ('y'):rep(10) .. i end\n"
		  "  return pass('%d', #t)\n"
		  "end }\n", NO_DEADLINE);
	expect("bomb", "ward", UP_RES_ERROR,
	       "rules/t.lua:1: memory limit exceeded (64 MiB)");
	size_t peak = 0, now = up_host_memory(host, &peak);
	ck_assert_uint_le(peak, (size_t)64 << 20);
	ck_assert_uint_lt(now, (size_t)8 << 20); /* the hoard was collected */
	expect("next", "ward", UP_RES_PASS, "1000");
	expect("bomb", "hosp", UP_RES_PASS, "no bomb in hosp");
}
END_TEST

START_TEST(one_huge_allocation_is_refused)
{
	boot("gate { id = 'huge', at = " AT ", check = function(ctx)\n"
	     "  local s = string.rep('x', 1 << 30)\n"
	     "  return pass('%d', #s)\n"
	     "end }\n"
	     "gate { id = 'next', at = " AT ", check = function(ctx)\n"
	     "  return pass('fine')\n"
	     "end }\n");
	expect("huge", "ward", UP_RES_ERROR,
	       "rules/t.lua:1: memory limit exceeded (64 MiB)");
	expect("next", "ward", UP_RES_PASS, "fine");
}
END_TEST

START_TEST(deep_recursion_is_an_error)
{
	/* the stack trips first on any machine (Valgrind included) */
	boot_with("gate { id = 'lua', at = " AT ", check = function(ctx)\n"
		  "  local function f(n) return 1 + f(n + 1) end\n"
		  "  return pass('%d', f(1))\n"
		  "end }\n"
		  "gate { id = 'c', at = " AT ", check = function(ctx)\n"
		  "  local t = setmetatable({}, { __index = function(t, k)\n"
		  "    return t[k] end })\n"
		  "  return pass('%s', t.x)\n"
		  "end }\n"
		  "gate { id = 'next', at = " AT ", check = function(ctx)\n"
		  "  return pass('fine')\n"
		  "end }\n", NO_DEADLINE);
	expect_part("lua", "ward", UP_RES_ERROR, "rules/t.lua:2: ");
	expect_part("lua", "ward", UP_RES_ERROR, "stack overflow");
	expect_part("c", "ward", UP_RES_ERROR, "rules/t.lua:7: ");
	expect_part("c", "ward", UP_RES_ERROR, "C stack overflow");
	expect("next", "ward", UP_RES_PASS, "fine");
}
END_TEST

START_TEST(raised_errors_carry_file_and_line)
{
	boot("gate { id = 'table', at = " AT ", check = function(ctx)\n"
	     "  error({})\n"
	     "end }\n"
	     "gate { id = 'nil', at = " AT ", check = function(ctx)\n"
	     "  error()\n"
	     "end }\n"
	     "gate { id = 'text', at = " AT ", check = function(ctx)\n"
	     "  error('boom')\n"
	     "end }\n"
	     "gate { id = 'level0', at = " AT ", check = function(ctx)\n"
	     "  error('no position', 0)\n"
	     "end }\n"
	     "gate { id = 'runtime', at = " AT ", check = function(ctx)\n"
	     "  return pass(ctx.nothing.here)\n"
	     "end }\n"
	     "gate { id = 'score', at = " AT ", must = false,\n"
	     "  check = function(ctx) local r = score(11) return r end }\n");
	expect("table", "ward", UP_RES_ERROR,
	       "rules/t.lua:1: error object is a table value");
	expect("nil", "ward", UP_RES_ERROR,
	       "rules/t.lua:4: error object is a nil value");
	expect("text", "ward", UP_RES_ERROR, "rules/t.lua:8: boom");
	expect("level0", "ward", UP_RES_ERROR, "rules/t.lua:10: no position");
	expect("runtime", "ward", UP_RES_ERROR, "rules/t.lua:14: attempt to "
	       "index a nil value (field 'nothing')");
	expect("score", "ward", UP_RES_ERROR, "rules/t.lua:17: score: the "
	       "first argument must be a number from 0 to 10");
}
END_TEST

START_TEST(only_dsl_results_count)
{
	static const char *const ids[] = {"nothing", "forged", "copied",
					  "string", "function", "twice"};
	boot("gate { id = 'nothing', at = " AT ", check = function(ctx)\n"
	     "end }\n"
	     "gate { id = 'forged', at = " AT ", check = function(ctx)\n"
	     "  return { status = 'pass', message = 'forged' }\n"
	     "end }\n"
	     "gate { id = 'copied', at = " AT ", check = function(ctx)\n"
	     "  local mt = getmetatable(pass())\n"
	     "  return setmetatable({ status = 'pass' }, mt or {})\n"
	     "end }\n"
	     "gate { id = 'string', at = " AT ", check = function(ctx)\n"
	     "  return 'pass'\n"
	     "end }\n"
	     "gate { id = 'function', at = " AT ", check = function(ctx)\n"
	     "  return pass\n"
	     "end }\n"
	     "gate { id = 'twice', at = " AT ", check = function(ctx)\n"
	     "  return nil, pass()\n"
	     "end }\n"
	     "gate { id = 'real', at = " AT ", check = function(ctx)\n"
	     "  return pass('real')\n"
	     "end }\n");
	static const int lines[] = {1, 3, 6, 10, 13, 16};
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
		char want[300];
		snprintf(want, sizeof want, "rules/t.lua:%d: rule '%s' "
			 "returned no result (return pass(), fail(), warn(), "
			 "score() or skip())", lines[i], ids[i]);
		expect(ids[i], "ward", UP_RES_ERROR, want);
	}
	expect("real", "ward", UP_RES_PASS, "real");
}
END_TEST

START_TEST(file_globals_are_private)
{
	write_program("[rules/a.lua, rules/b.lua]", "");
	tu_write(dir, "rules/a.lua",
		 "secret = 'from a'\n"
		 "gate { id = 'a-reads', at = " AT ", check = function(ctx)\n"
		 "  return pass(tostring(secret))\n"
		 "end }\n");
	tu_write(dir, "rules/b.lua",
		 "local saw = tostring(secret)\n"
		 "secret = 'from b'\n"
		 "gate { id = 'b-saw', at = " AT ", check = function(ctx)\n"
		 "  return pass(saw)\n"
		 "end }\n"
		 "gate { id = 'b-writes', at = " AT ", check = function(ctx)\n"
		 "  secret = 'changed by b'\n"
		 "  _G.other = 1\n"
		 "  return pass(secret)\n"
		 "end }\n");
	open_world();
	ck_assert_msg(open_host() == UP_OK, "%s", errors());
	expect("b-saw", "ward", UP_RES_PASS, "nil");
	expect("b-writes", "ward", UP_RES_PASS, "changed by b");
	expect("a-reads", "ward", UP_RES_PASS, "from a");
}
END_TEST

START_TEST(shared_base_cannot_change)
{
	write_program("[rules/a.lua, rules/b.lua]", "");
	tu_write(dir, "rules/a.lua",
		 "pairs = nil\n"
		 "ipairs = function() error('hijacked') end\n"
		 "string = { format = function() return 'hijacked' end }\n"
		 "gate { id = 'a-own', at = " AT ", check = function(ctx)\n"
		 "  return pass('%s %s', type(pairs), string.format('x'))\n"
		 "end }\n");
	tu_write(dir, "rules/b.lua",
		 "gate { id = 'b-base', at = " AT ", check = function(ctx)\n"
		 "  local n = 0\n"
		 "  for _ in pairs({ 1, 2 }) do n = n + 1 end\n"
		 "  for _ in ipairs({ 1, 2, 3 }) do n = n + 1 end\n"
		 "  return pass('%d %s', n, string.format('%03d', 7))\n"
		 "end }\n");
	open_world();
	ck_assert_msg(open_host() == UP_OK, "%s", errors());
	/* pairs = nil only removed a's own (absent) global: the base shows
	 * through; the shadows stay in a. */
	expect("a-own", "ward", UP_RES_PASS, "function hijacked");
	expect("b-base", "ward", UP_RES_PASS, "5 007");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Limits from program.yaml                                             */
/* ------------------------------------------------------------------ */

static const char limits_lua[] =
	"gate { id = 'busy', at = " AT ", check = function(ctx)\n"
	"  local n = 0\n"
	"  for i = 1, 50000 do n = n + i end\n"
	"  return pass('%d', n)\n"
	"end }\n"
	"gate { id = 'hungry', at = " AT ", check = function(ctx)\n"
	"  local t = {}\n"
	"  for i = 1, 80 do t[i] = string.rep('x', 100000) .. i end\n"
	"  return pass('%d', #t)\n"
	"end }\n";

START_TEST(tight_limits_trip)
{
	boot_with(limits_lua, "limits: {instructions: 10000, memory_mb: 4}\n");
	expect("busy", "ward", UP_RES_ERROR,
	       "rules/t.lua:3: instruction limit exceeded (10000)");
	expect("hungry", "ward", UP_RES_ERROR,
	       "rules/t.lua:6: memory limit exceeded (4 MiB)");
	size_t peak = 0;
	up_host_memory(host, &peak);
	ck_assert_uint_le(peak, (size_t)4 << 20);
}
END_TEST

/* memory_mb bounds what one call holds, not the garbage the collector
 * has yet to take: 'churn' leaves 2.5 MiB of strings each call under a
 * 4 MiB limit, 'tables' makes 8 MiB of tables it drops as it goes, and
 * every call passes. */
START_TEST(garbage_does_not_count)
{
	boot_with("gate { id = 'churn', at = " AT ", check = function(ctx)\n"
		  "  local t = {}\n"
		  "  for i = 1, 25 do t[i] = string.rep('x', 100000) .. i end\n"
		  "  return pass('%d', #t)\n"
		  "end }\n"
		  "gate { id = 'tables', at = " AT ", check = function(ctx)\n"
		  "  local n = 0\n"
		  "  for i = 1, 100 do\n"
		  "    local t = {}\n"
		  "    for j = 1, 5000 do t[j] = j end\n"
		  "    n = n + #t\n"
		  "  end\n"
		  "  return pass('%d', n)\n"
		  "end }\n",
		  "limits: {memory_mb: 4}\n");
	for (int i = 0; i < 20; i++) {
		expect("churn", "ward", UP_RES_PASS, "25");
		expect("tables", "ward", UP_RES_PASS, "500000");
	}
}
END_TEST

START_TEST(time_limit_trips)
{
	/* An instruction budget too big to matter: the deadline stops the
	 * loop, names itself and the next rule runs. */
	boot_with("gate { id = 'spin', at = " AT ", check = function(ctx)\n"
		  "  while true do end\n"
		  "end }\n"
		  "gate { id = 'next', at = " AT ", check = function(ctx)\n"
		  "  return pass('fine')\n"
		  "end }\n",
		  "limits: {instructions: 10000000000, time_ms: 50}\n");
	expect("spin", "ward", UP_RES_ERROR,
	       "rules/t.lua:2: time limit exceeded (50 ms)");
	expect("next", "ward", UP_RES_PASS, "fine");
}
END_TEST

/* A cycle judges org and hosp in one half, ward and clinic in the other
 * (in a thread of its own when there are two cores): the same document
 * on one core as on two. */
static const char halves_lua[] =
	"check { id = 'each', check = function(ctx)\n"
	"  ctx:follow_up{ days = 7, note = 'look at ' .. ctx.unit.id }\n"
	"  if ctx.unit.id == 'org' or ctx.unit.id == 'clinic' then\n"
	"    error(ctx.unit.id .. ' breaks')\n"
	"  end\n"
	"  return fail('%s has %d people', ctx.unit.id,\n"
	"              #ctx:people{ unit = ctx.unit.id })\n"
	"end }\n"
	"gate { id = 'spin', at = " AT ", check = function(ctx)\n"
	"  while ctx.unit.id == 'ward' do end\n"
	"  return pass(ctx.unit.id)\n"
	"end }\n";

static json_t *judged(int one_core)
{
	cpu_set_t all, one;
	ck_assert_int_eq(sched_getaffinity(0, sizeof all, &all), 0);
	CPU_ZERO(&one);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &all)) {
			CPU_SET(c, &one);
			break;
		}
	if (one_core)
		ck_assert_int_eq(sched_setaffinity(0, sizeof one, &one), 0);
	json_t *doc = up_cycle_judge(store, prog, AS_OF, 1, UP_KNOWN_ALL, err);
	ck_assert_int_eq(sched_setaffinity(0, sizeof all, &all), 0);
	ck_assert_msg(doc != NULL, "judging: %s", errors());
	return doc;
}

static const char *unit_message(const json_t *doc, size_t i, int gate)
{
	const json_t *u = json_array_get(json_object_get(doc, "units"), i);
	const json_t *r = gate
		? json_array_get(json_object_get(json_array_get(
			json_object_get(u, "gates"), 0), "criteria"), 0)
		: json_array_get(json_object_get(u, "findings"), 0);
	return json_string_value(json_object_get(r, "message"));
}

START_TEST(cycle_halves_are_one_cycle)
{
	boot_with(halves_lua, "limits: {instructions: 10000000000, "
		  "time_ms: 50}\n");
	json_t *two = judged(0), *one = judged(1);
	ck_assert_msg(json_equal(one, two), "one core and two differ");
	static const char *const ids[] = {"org", "hosp", "ward", "clinic"};
	const json_t *units = json_object_get(two, "units");
	ck_assert_int_eq(json_array_size(units), 4);
	for (size_t i = 0; i < 4; i++)
		ck_assert_str_eq(json_string_value(json_object_get(
			json_array_get(units, i), "id")), ids[i]);
	ck_assert_str_eq(unit_message(two, 1, 0), "hosp has 1 people");
	ck_assert_str_eq(unit_message(two, 2, 0), "ward has 3 people");
	ck_assert_str_eq(unit_message(two, 1, 1), "hosp");
	/* the second half's limits hold in its own thread */
	ck_assert_str_eq(unit_message(two, 2, 1),
			 "rules/t.lua:10: time limit exceeded (50 ms)");
	/* errors in unit order: org's, the spin at ward, clinic's */
	static const char *const erred[] = {"org", "ward", "clinic"};
	const json_t *errs = json_object_get(two, "errors");
	ck_assert_int_eq(json_array_size(errs), 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_str_eq(json_string_value(json_object_get(
			json_array_get(errs, i), "unit")), erred[i]);
	json_decref(one);
	json_decref(two);
	/* a cycle stores what both halves asked (listed by due day and id);
	 * the rules that raised at org and clinic asked nothing */
	up_cycle *c = NULL;
	ck_assert_msg(up_cycle_run(&c, store, prog, AS_OF, err) == UP_OK,
		      "cycle: %s", errors());
	const json_t *fu = json_object_get(c->doc, "followups");
	ck_assert_int_eq(json_array_size(fu), 2);
	for (size_t k = 1; k < 3; k++) {
		int seen = 0;
		for (size_t i = 0; i < 2; i++)
			seen += !strcmp(json_string_value(json_object_get(
				json_array_get(fu, i), "unit")), ids[k]);
		ck_assert_msg(seen == 1, "%s asked %d follow-ups", ids[k],
			      seen);
	}
	up_cycle_free(c);
}
END_TEST

/* A metric{} sees those declared before it, at any unit, and never its
 * own at another unit, in whichever half the unit is judged. */
START_TEST(metrics_see_those_before_them)
{
	boot("metric { id = 'a', target = 1, compute = function(ctx)\n"
	     "  return #ctx.unit.id\n"
	     "end }\n"
	     "metric { id = 'b', target = 1, compute = function(ctx)\n"
	     "  local a = ctx:metric('a', { unit = 'clinic' })\n"
	     "  local mine = ctx:metric('b', { unit = 'org' })\n"
	     "  return a.value * 10 + (mine and 1 or 0)\n"
	     "end }\n");
	json_t *two = judged(0), *one = judged(1);
	ck_assert_msg(json_equal(one, two), "one core and two differ");
	size_t i, k;
	json_t *u, *m;
	json_array_foreach(json_object_get(two, "units"), i, u) {
		int seen = 0;
		json_array_foreach(json_object_get(u, "metrics"), k, m) {
			if (strcmp(json_string_value(json_object_get(m,
					"metric")), "b"))
				continue;
			ck_assert_double_eq(json_number_value(json_object_get(
				m, "value")), 60);
			seen++;
		}
		ck_assert_int_eq(seen, 1);
	}
	ck_assert_uint_eq(i, 4);
	json_decref(one);
	json_decref(two);
}
END_TEST

/* What the store keeps of a rule's follow-ups on a unit is the first, so
 * that is all a call holds; reminders are capped per call, not per
 * cycle, so a system of many units may ask more than the cap in all. */
START_TEST(requests_are_capped_per_call)
{
	boot("gate { id = 'many', at = " AT ", check = function(ctx)\n"
	     "  for i = 1, 6000 do ctx:remind{ days = 1, person = 'p' .. i } end\n"
	     "  for i = 1, 20000 do ctx:follow_up{ days = i % 9 + 2 } end\n"
	     "  return pass('asked')\n"
	     "end }\n"
	     "gate { id = 'runaway', at = " AT ", check = function(ctx)\n"
	     "  for i = 1, 10001 do ctx:remind{ days = 1, role = 'nurse' } end\n"
	     "  return pass('asked')\n"
	     "end }\n");
	expect("many", "ward", UP_RES_PASS, "asked");
	expect("many", "hosp", UP_RES_PASS, "asked");
	const up_request *r;
	ck_assert_uint_eq(up_host_requests(host, &r), 12002);
	ck_assert(!r[6000].remind && r[6000].due == r[12001].due);
	int32_t as_of;
	ck_assert_int_eq(up_date_parse(AS_OF, &as_of, NULL), UP_OK);
	ck_assert_int_eq(r[6000].due, as_of + 3); /* the first: 1 % 9 + 2 */
	expect("runaway", "ward", UP_RES_ERROR, "rules/t.lua:7: remind: "
	       "more than 10000 requests from one rule on one unit");
	ck_assert_uint_eq(up_host_requests(host, &r), 12002);
}
END_TEST

START_TEST(default_limits_let_the_same_rules_pass)
{
	boot(limits_lua);
	expect("busy", "ward", UP_RES_PASS, "1250025000");
	expect("hungry", "ward", UP_RES_PASS, "80");
}
END_TEST

/* ------------------------------------------------------------------ */
/* ctx                                                                  */
/* ------------------------------------------------------------------ */

START_TEST(ctx_now_unit_and_program)
{
	boot("gate { id = 'unit', at = " AT ", check = function(ctx)\n"
	     "  local u = ctx.unit\n"
	     "  return pass(ctx.now, { id = u.id, name = u.name,\n"
	     "    stage = u.stage, parent = u.parent, go_live = u.go_live,\n"
	     "    staff = u.staff, region = u.attrs.region,\n"
	     "    program = ctx.program.id, org = ctx.program.organization,\n"
	     "    stages = table.concat(ctx.program.stages, ',') })\n"
	     "end }\n");
	up_result r;
	eval("unit", "ward", &r);
	check_status("unit", "ward", &r, UP_RES_PASS);
	ck_assert_str_eq(r.message, AS_OF);
	json_t *e = r.evidence;
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(json_string_value(json_object_get(e, "id")), "ward");
	ck_assert_str_eq(json_string_value(json_object_get(e, "name")),
			 "Ward One");
	ck_assert_str_eq(json_string_value(json_object_get(e, "stage")),
			 "pilot");
	ck_assert_str_eq(json_string_value(json_object_get(e, "parent")),
			 "hosp");
	ck_assert_str_eq(json_string_value(json_object_get(e, "go_live")),
			 "2024-03-01");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "staff")), 12);
	ck_assert_str_eq(json_string_value(json_object_get(e, "region")),
			 "north");
	ck_assert_str_eq(json_string_value(json_object_get(e, "program")),
			 "sandbox-test");
	ck_assert_str_eq(json_string_value(json_object_get(e, "org")),
			 "Test Org");
	ck_assert_str_eq(json_string_value(json_object_get(e, "stages")),
			 "evaluate,procure,pilot,scale");
	up_result_free(&r);

	/* The root: no parent, go-live, staff or attributes. */
	eval("unit", "org", &r);
	check_status("unit", "org", &r, UP_RES_PASS);
	e = r.evidence;
	ck_assert_str_eq(json_string_value(json_object_get(e, "id")), "org");
	ck_assert_ptr_null(json_object_get(e, "parent"));
	ck_assert_ptr_null(json_object_get(e, "go_live"));
	ck_assert_ptr_null(json_object_get(e, "staff"));
	ck_assert_ptr_null(json_object_get(e, "region"));
	up_result_free(&r);
}
END_TEST

START_TEST(ctx_is_read_only)
{
	boot("gate { id = 'field', at = " AT ", check = function(ctx)\n"
	     "  ctx.x = 1\n"
	     "  return pass()\n"
	     "end }\n"
	     "gate { id = 'now', at = " AT ", check = function(ctx)\n"
	     "  ctx.now = '2099-01-01'\n"
	     "  return pass()\n"
	     "end }\n"
	     "gate { id = 'unit', at = " AT ", check = function(ctx)\n"
	     "  ctx.unit.stage = 'scale'\n"
	     "  return pass()\n"
	     "end }\n"
	     "gate { id = 'program', at = " AT ", check = function(ctx)\n"
	     "  ctx.program.id = 'other'\n"
	     "  return pass()\n"
	     "end }\n"
	     "gate { id = 'meta', at = " AT ", check = function(ctx)\n"
	     "  setmetatable(ctx, nil)\n"
	     "  return pass()\n"
	     "end }\n"
	     "gate { id = 'method', at = " AT ", check = function(ctx)\n"
	     "  ctx.people = function() return {} end\n"
	     "  return pass()\n"
	     "end }\n"
	     "gate { id = 'after', at = " AT ", check = function(ctx)\n"
	     "  return pass('%s %s %s %s', ctx.now, ctx.unit.stage,\n"
	     "              tostring(ctx.x), getmetatable(ctx))\n"
	     "end }\n");
	expect("field", "ward", UP_RES_ERROR,
	       "rules/t.lua:2: attempt to modify a read-only table");
	expect("now", "ward", UP_RES_ERROR,
	       "rules/t.lua:6: attempt to modify a read-only table");
	expect("unit", "ward", UP_RES_ERROR,
	       "rules/t.lua:10: attempt to modify a read-only table");
	expect("program", "ward", UP_RES_ERROR,
	       "rules/t.lua:14: attempt to modify a read-only table");
	expect("meta", "ward", UP_RES_ERROR,
	       "rules/t.lua:18: cannot change a protected metatable");
	expect("method", "ward", UP_RES_ERROR,
	       "rules/t.lua:22: attempt to modify a read-only table");
	expect("after", "ward", UP_RES_PASS, AS_OF " pilot nil false");
}
END_TEST

/*
 * One rule per expression, each on its own line of rules/t.lua, each
 * returning pass(show(EXPR)): lists of people, units or events as their
 * ids (events by note), lists of strings joined, anything else tostring.
 */
static const char show_lua[] =
	"local function show(v) if type(v) ~= 'table' then return tostring(v)"
	" end local out = {} for i, x in ipairs(v) do out[i] = type(x) == "
	"'table' and (x.note or x.id) or tostring(x) end return "
	"table.concat(out, ',') end\n"
	"local A = " AT "\n";
enum { SHOW_LINES = 2 };

typedef struct {
	const char *expr, *want;
} query;

/* rules/t.lua with one rule per expression. */
static void write_queries(const query *q, size_t n)
{
	up_buf b = {0};
	up_buf_puts(&b, show_lua);
	for (size_t i = 0; i < n; i++)
		up_buf_printf(&b, "gate { id = 'q%zu', at = A, check = "
			      "function(ctx) return pass('%%s', show(%s)) "
			      "end }\n", i, q[i].expr);
	write_program("[rules/t.lua]", "");
	tu_write(dir, "rules/t.lua", b.buf);
	up_buf_free(&b);
}

static void boot_queries(const query *q, size_t n)
{
	write_queries(q, n);
	open_world();
	ck_assert_msg(open_host() == UP_OK, "opening the host: %s",
		      errors());
}

/* Each expression yields WANT on unit ward. */
static void run_queries(const query *q, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof id, "q%zu", i);
		up_result r;
		eval(id, "ward", &r);
		ck_assert_msg(r.status == UP_RES_PASS && !strcmp(r.message,
								 q[i].want),
			      "%s: %s '%s', expected '%s'", q[i].expr,
			      status_names[r.status], r.message, q[i].want);
		up_result_free(&r);
	}
}

static void expect_queries(const query *q, size_t n)
{
	boot_queries(q, n);
	run_queries(q, n);
}

/* Each expression raises "rules/t.lua:LINE: WANT" on unit ward. */
static void expect_query_errors(const query *q, size_t n)
{
	boot_queries(q, n);
	for (size_t i = 0; i < n; i++) {
		char id[32], want[600];
		snprintf(id, sizeof id, "q%zu", i);
		snprintf(want, sizeof want, "rules/t.lua:%zu: %s",
			 i + SHOW_LINES + 1, q[i].want);
		up_result r;
		eval(id, "ward", &r);
		ck_assert_msg(r.status == UP_RES_ERROR && !strcmp(r.message,
								  want),
			      "%s: %s '%s', expected error '%s'", q[i].expr,
			      status_names[r.status], r.message, want);
		up_result_free(&r);
	}
}

START_TEST(ctx_people_filters)
{
	static const query q[] = {
		{"ctx:people()", "olga,cat,ann,bob,eve,dan,zed"},
		{"ctx:people{}", "olga,cat,ann,bob,eve,dan,zed"},
		{"ctx:people{ role = 'nurse' }", "bob"},
		{"ctx:people{ role = { 'nurse', 'surgeon' } }", "bob,dan"},
		{"ctx:people{ role = {} }", ""},
		{"ctx:people{ role = 'physician' }", "ann"},
		{"ctx:people{ unit = 'ward' }", "ann,bob,eve"},
		{"ctx:people{ unit = ctx.unit.id }", "ann,bob,eve"},
		{"ctx:people{ unit = 'hosp' }", "cat"},
		{"ctx:people{ within = 'hosp' }", "cat,ann,bob,eve"},
		{"ctx:people{ within = 'org' }", "olga,cat,ann,bob,eve,dan"},
		{"ctx:people{ within = 'clinic' }", "dan"},
		{"ctx:people{ min_engagement = 'involved' }",
		 "olga,cat,ann,bob"},
		{"ctx:people{ min_engagement = 'bought_in' }", "olga,ann"},
		{"ctx:people{ min_engagement = 'unaware' }",
		 "olga,cat,ann,bob,dan"},
		{"ctx:people{ role = 'clinician_champion',"
		 " min_engagement = 'bought_in' }", "ann"},
		{"ctx:people{ within = 'hosp', role = 'executive' }", "cat"},
		{"ctx:people{ unit = 'ward', role = 'executive' }", ""},
		/* lineage: the unit, those above it and no unit (zed) */
		{"ctx:people{ lineage = 'ward' }", "olga,cat,ann,bob,eve,zed"},
		{"ctx:people{ lineage = 'clinic' }", "olga,dan,zed"},
		{"ctx:people{ lineage = 'ward', role = 'executive' }",
		 "olga,cat"},
		{"ctx:people{ lineage = 'hosp', within = 'org' }", "olga,cat"},
		/* id: in list order, each once */
		{"ctx:people{ id = 'dan' }", "dan"},
		{"ctx:people{ id = { 'zed', 'ann', 'nobody', 'ann' } }",
		 "ann,zed"},
		{"ctx:people{ id = 'dan', within = 'hosp' }", ""},
		{"ctx:people{ id = { 'dan', 'cat' }, lineage = 'ward' }", "cat"},
		{"ctx:people{ id = {} }", ""},
		/* fields of one person */
		{"ctx:people{ role = 'physician' }[1].roles",
		 "clinician_champion,physician"},
		{"ctx:people{ role = 'physician' }[1].name", "Ann Champion"},
		{"ctx:people{ role = 'physician' }[1].unit", "ward"},
		{"#ctx:people{ include_left = true }", "7"},
		{"#ctx:people{ include_left = false }", "7"},
		{"ctx:people{ role = 'physician' }[1].engagement", "bought_in"},
		{"ctx:people{ role = 'physician' }[1].engaged_on",
		 "2024-01-10"},
		{"ctx:people{ role = 'partner_contact' }[1].unit", "nil"},
		/* bob's involved (05-01) shows; his bought_in (07-15) not */
		{"ctx:people{ role = 'nurse' }[1].engagement", "involved"},
		{"ctx:people{ role = 'nurse' }[1].engaged_on", "2024-05-01"},
		/* eve's only engagement is dated 2024-09-01 */
		{"ctx:people{ role = 'first_line_manager' }[1].engagement",
		 "nil"},
		/* found by role first, the scope still applies */
		{"ctx:people{ within = 'org', role = 'nurse' }", "bob"},
		{"ctx:people{ within = 'clinic', role = 'nurse' }", ""},
		{"ctx:people{ unit = 'ward', role = { 'nurse', 'surgeon' } }",
		 "bob"},
		{"ctx:people{ role = { 'surgeon', 'nurse', 'nurse' } }",
		 "bob,dan"},
		{"ctx:people{ role = { 'executive', 'physician' } }",
		 "olga,cat,ann"},
		{"ctx:people{ role = 'nobody_has_this' }", ""},
	};
	expect_queries(q, sizeof q / sizeof *q);
}
END_TEST

/* limit keeps the first of the list, in its own order; the rest of the
 * filter is applied first. */
START_TEST(ctx_limit_keeps_the_first)
{
	static const query q[] = {
		{"ctx:people{ limit = 2 }", "olga,cat"},
		{"ctx:people{ limit = 100 }", "olga,cat,ann,bob,eve,dan,zed"},
		{"ctx:people{ role = { 'nurse', 'surgeon' }, limit = 1 }",
		 "bob"},
		{"ctx:people{ within = 'hosp', limit = 2.0 }", "cat,ann"},
		{"ctx:people{ include_left = true, limit = 7 }",
		 "olga,cat,ann,bob,eve,dan,zed"},
		{"ctx:events{ limit = 1 }", "e1"},
		{"ctx:events{ kind = 'consultation', limit = 5 }", "e1,e3"},
		{"ctx:events{ lineage = 'ward', limit = 2 }", "e1,e2"},
		{"ctx:units{ limit = 3 }", "org,hosp,ward"},
		{"ctx:units{ parent = 'org', limit = 1 }", "hosp"},
		{"#ctx:trainings{ limit = 2 }", "2"},
		{"ctx:trainings{ within = 'ward', limit = 1 }[1].person",
		 "ann"},
		{"#ctx:trainings{}", "3"},
	};
	write_queries(q, UP_COUNTOF(q));
	open_world();
	const char *names[] = {"person", "date"};
	const char *const sessions[][2] = {{"ann", "2024-03-01"},
		{"bob", "2024-03-02"}, {"dan", "2024-04-01"}};
	for (size_t i = 0; i < UP_COUNTOF(sessions); i++)
		record("training", names, sessions[i], 2);
	ck_assert_msg(open_host() == UP_OK, "opening the host: %s",
		      errors());
	run_queries(q, UP_COUNTOF(q));
}
END_TEST

START_TEST(ctx_events_filters)
{
	static const query q[] = {
		/* e4 (2024-08-01) is after the as-of date: never seen */
		{"ctx:events()", "e1,e2,e3,e5"},
		{"ctx:events{ kind = 'consultation' }", "e1,e3"},
		{"ctx:events{ kind = { 'meeting', 'decision' } }", "e2,e5"},
		{"ctx:events{ kind = 'story' }", ""},
		{"ctx:events{ unit = 'ward' }", "e1"},
		{"ctx:events{ unit = 'org' }", "e5"},
		{"ctx:events{ within = 'hosp' }", "e1,e2"},
		{"ctx:events{ within = 'org' }", "e1,e2,e3,e5"},
		{"ctx:events{ since = '2024-03-15' }", "e2,e3,e5"},
		{"ctx:events{ ['until'] = '2024-03-15' }", "e1,e2"},
		{"ctx:events{ since = '2024-03-01', ['until'] = '2024-05-31' }",
		 "e2,e3"},
		{"ctx:events{ since = '2024-07-01' }", ""},
		{"ctx:events{ ['until'] = '2030-01-01', unit = 'ward' }", "e1"},
		{"ctx:events{ person = 'ann' }", "e1"},
		{"ctx:events{ person = 'bob', kind = 'consultation' }", "e1"},
		{"ctx:events{ person = 'dan', unit = 'ward' }", ""},
		{"ctx:events{ person = 'nobody' }", ""},
		{"ctx:events{ person = { 'dan', 'ann', 'bob' } }", "e1,e3"},
		/* lineage: on the unit, above it, or on no unit */
		{"ctx:events{ lineage = 'ward' }", "e1,e2,e5"},
		{"ctx:events{ lineage = 'clinic' }", "e3,e5"},
		{"ctx:events{ lineage = 'ward', kind = 'meeting' }", "e2"},
		{"ctx:events{ lineage = 'hosp', within = 'hosp' }", "e2"},
		/* a subtree's events by date, whatever their units' order */
		{"ctx:events{ within = 'org', kind = { 'consultation',"
		 " 'decision' } }", "e1,e3,e5"},
		/* fields of one event */
		{"ctx:events{ kind = 'meeting' }[1].date", "2024-03-15"},
		{"ctx:events{ kind = 'meeting' }[1].unit", "hosp"},
		{"ctx:events{ kind = 'meeting' }[1].kind", "meeting"},
		{"ctx:events{ kind = 'meeting' }[1].attrs.outcome", "held"},
		{"ctx:events{ unit = 'ward' }[1].people", "ann,bob"},
		{"#ctx:events{ kind = 'decision' }[1].people", "0"},
	};
	expect_queries(q, sizeof q / sizeof *q);
}
END_TEST

START_TEST(ctx_units_filters)
{
	static const query q[] = {
		{"ctx:units()", "org,hosp,ward,clinic"},
		{"ctx:units{ parent = 'org' }", "hosp,clinic"},
		{"ctx:units{ parent = 'hosp' }", "ward"},
		{"ctx:units{ parent = 'ward' }", ""},
		{"ctx:units{ parent = ctx.unit.parent }", "ward"},
		{"ctx:units{ within = 'hosp' }", "hosp,ward"},
		{"ctx:units{ within = 'hosp', parent = 'org' }", "hosp"},
		/* lineage: nearest first */
		{"ctx:units{ lineage = 'ward' }", "ward,hosp,org"},
		{"ctx:units{ lineage = ctx.unit.id, stage = 'pilot' }",
		 "ward,hosp"},
		{"ctx:units{ lineage = 'clinic', within = 'hosp' }", ""},
		{"ctx:units{ lineage = 'org' }", "org"},
		{"ctx:units{ stage = 'pilot' }", "hosp,ward"},
		{"ctx:units{ stage = { 'evaluate', 'procure' } }",
		 "org,clinic"},
		{"ctx:units{ parent = 'org', stage = 'procure' }", "clinic"},
		{"ctx:units{ parent = 'org' }[1].name", "Hospital"},
		{"ctx:units{ parent = 'org' }[1].parent", "org"},
	};
	expect_queries(q, sizeof q / sizeof *q);
}
END_TEST

START_TEST(ctx_date_helpers)
{
	static const query q[] = {
		{"ctx:days_between('2024-02-28', '2024-03-01')", "2"},
		{"ctx:days_between('2023-02-28', '2023-03-01')", "1"},
		{"ctx:days_between('2000-02-28', '2000-03-01')", "2"},
		{"ctx:days_between('1900-02-28', '1900-03-01')", "1"},
		{"ctx:days_between('2024-03-01', '2024-02-28')", "-2"},
		{"ctx:days_between('2024-01-01', '2025-01-01')", "366"},
		{"ctx:days_between('2023-01-01', '2024-01-01')", "365"},
		{"ctx:days_between(ctx.now, ctx.now)", "0"},
		{"ctx:days_between(ctx.unit.go_live, ctx.now)", "121"},
		{"ctx:add_days('2024-02-28', 1)", "2024-02-29"},
		{"ctx:add_days('2023-02-28', 1)", "2023-03-01"},
		{"ctx:add_days('2024-03-01', -1)", "2024-02-29"},
		{"ctx:add_days('2100-02-28', 1)", "2100-03-01"},
		{"ctx:add_days('2000-02-28', 1)", "2000-02-29"},
		{"ctx:add_days('2024-12-31', 1)", "2025-01-01"},
		{"ctx:add_days('2024-01-01', 366)", "2025-01-01"},
		{"ctx:add_days(ctx.now, -90)", "2024-04-01"},
		{"ctx:add_days(ctx.now, 0)", AS_OF},
		{"ctx:add_days('2024-01-01', 2.0)", "2024-01-03"},
	};
	expect_queries(q, sizeof q / sizeof *q);
}
END_TEST

START_TEST(ctx_bad_queries_raise)
{
	static const query q[] = {
		{"ctx:people{ rol = 'nurse' }",
		 "people: unknown filter 'rol' (did you mean 'role'?)"},
		{"ctx:people{ xyzzy = 1 }", "people: unknown filter 'xyzzy'"},
		{"ctx:people{ 'nurse' }", "people: unknown filter 'number'"},
		{"ctx:events{ kinds = 'meeting' }",
		 "events: unknown filter 'kinds' (did you mean 'kind'?)"},
		{"ctx:events{ untill = '2024-01-01' }",
		 "events: unknown filter 'untill' (did you mean 'until'?)"},
		{"ctx:units{ parnt = 'org' }",
		 "units: unknown filter 'parnt' (did you mean 'parent'?)"},
		{"ctx:people{ unit = 'nowhere' }",
		 "people: unknown unit 'nowhere' in 'unit'"},
		{"ctx:people{ within = 'nowhere' }",
		 "people: unknown unit 'nowhere' in 'within'"},
		{"ctx:units{ parent = 'nowhere' }",
		 "units: unknown unit 'nowhere' in 'parent'"},
		{"ctx:units{ lineage = 'nowhere' }",
		 "units: unknown unit 'nowhere' in 'lineage'"},
		{"ctx:events{ lineage = 'nowhere' }",
		 "events: unknown unit 'nowhere' in 'lineage'"},
		{"ctx:people{ lineage = 'nowhere' }",
		 "people: unknown unit 'nowhere' in 'lineage'"},
		{"ctx:people{ id = 5 }",
		 "people: 'id' must be a string or a list of strings"},
		{"ctx:people{ min_engagement = 'keen' }",
		 "people: min_engagement 'keen' is not on the ladder (unaware, "
		 "informed, consulted, involved, bought_in)"},
		{"ctx:people{ role = 5 }",
		 "people: 'role' must be a string or a list of strings"},
		{"ctx:people{ include_left = 'yes' }",
		 "people: 'include_left' must be true or false"},
		{"ctx:people{ limit = 0 }",
		 "people: 'limit' must be a whole number, at least 1"},
		{"ctx:events{ limit = 1.5 }",
		 "events: 'limit' must be a whole number, at least 1"},
		{"ctx:units{ limit = '2' }",
		 "units: 'limit' must be a whole number, at least 1"},
		{"ctx:trainings{ limit = -1 }",
		 "trainings: 'limit' must be a whole number, at least 1"},
		{"ctx:events{ kind = true }",
		 "events: 'kind' must be a string or a list of strings"},
		{"ctx:events{ since = '2024-02-30' }",
		 "events: bad date in 'since' (no such day in that month)"},
		{"ctx:events{ ['until'] = 'tomorrow' }",
		 "events: bad date in 'until' (expected a date as YYYY-MM-DD)"},
		{"ctx:people('nurse')",
		 "bad argument #1 to 'people' (table expected, got string)"},
		{"ctx:days_between('2024-01-01', 'soon')",
		 "bad date 'soon' (expected a date as YYYY-MM-DD)"},
		{"ctx:days_between('2023-02-29', '2024-01-01')",
		 "bad date '2023-02-29' (no such day in that month)"},
		{"ctx:add_days('2023-02-29', 1)",
		 "bad date '2023-02-29' (no such day in that month)"},
		{"ctx:add_days('2024-13-01', 1)",
		 "bad date '2024-13-01' (month out of range (01-12))"},
		{"ctx:add_days('2024-01-01', 1.5)",
		 "bad argument #2 to 'add_days' (number has no integer "
		 "representation)"},
		{"ctx:add_days('2024-01-01')",
		 "bad argument #2 to 'add_days' (number expected, got no "
		 "value)"},
		{"ctx:add_days('2024-01-01', 5000000)",
		 "add_days: 5000000 days from 2024-01-01 leaves the years 1000-9999"},
	};
	expect_query_errors(q, sizeof q / sizeof *q);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Declaration errors                                                   */
/* ------------------------------------------------------------------ */

/* Each declaration sits on line 3 of rules/t.lua, under a comment and
 * a helper. */
static const struct {
	const char *decl, *want;
} bad_decls[] = {
	{"gate {}", "gate: 'id' is required"},
	{"gate { id = 'g', check = f }", "gate: 'at' is required"},
	{"gate { id = 'g', at = 'evaluate->procure' }",
	 "gate: 'check' is required"},
	{"gate { id = 7, at = 'evaluate->procure', check = f }",
	 "gate: 'id' must be a string, not a number"},
	{"gate { id = 'g', at = {}, check = f }",
	 "gate: 'at' must be a string, not a table"},
	{"gate { id = 'g', at = 'evaluate->procure', check = 'yes' }",
	 "gate: 'check' must be a function, not a string"},
	{"gate { id = 'g', at = 'evaluate->procure', check = f, must = 'no' }",
	 "gate: 'must' must be a boolean, not a string"},
	{"gate { id = 'g', at = 'evaluate->procure', check = f, weight = '2' }",
	 "gate: 'weight' must be a number, not a string"},
	{"gate { id = 'g', at = 'evaluate->procure', check = f, weight = 0 }",
	 "gate: 'weight' must be a positive number (at most 1000000)"},
	{"gate { id = 'g', at = 'evaluate->procure', check = f, weight = -1 }",
	 "gate: 'weight' must be a positive number (at most 1000000)"},
	{"gate { id = 'g', at = 'evaluate->procure', check = f,"
	 " weight = 0/0 }", "gate: 'weight' must be a positive number (at most 1000000)"},
	{"gate { id = 'g', at = 'evaluate->procure', check = f,"
	 " weight = math.huge }", "gate: 'weight' must be a positive number (at most 1000000)"},
	{"gate { id = 'g', at = 'evaluate->procure', check = f,"
	 " on_fail = 'abort' }",
	 "gate: 'on_fail' must be hold, recycle, kill or conditional_go"},
	{"gate { id = 'g', at = 'evaluate->procure', check = f,"
	 " on_fail = 3 }", "gate: 'on_fail' must be a string, not a number"},
	{"gate { id = 'g', at = 'evaluate->procure', check = f,"
	 " title = 1 }", "gate: 'title' must be a string, not a number"},
	{"gate { id = 'g', at = 'evaluate->procure', check = f, wieght = 2 }",
	 "gate: unknown field 'wieght'"},
	{"gate { id = 'g', at = 'evaluate->procure', check = f,"
	 " severity = 'high' }", "gate: unknown field 'severity'"},
	{"gate 'g'", "gate expects a table: gate { id = ..., check = "
	 "function(ctx) ... end }"},
	{"check { check = f }", "check: 'id' is required"},
	{"check { id = 'c', check = f, severity = 'urgent' }",
	 "check: 'severity' must be low, medium, high or critical"},
	{"check { id = 'c', check = f, stages = 'pilot' }",
	 "check: 'stages' must be a table, not a string"},
	{"check { id = 'c', check = f, stages = { 1 } }",
	 "check: 'stages' must list stage names"},
	{"check { id = 'c', check = f, at = 'pilot->scale' }",
	 "check: unknown field 'at'"},
	/* found by the core after the file ran */
	{"gate { id = 'g', at = 'evaluate-procure', check = f }",
	 "gate 'g': 'at' must be a boundary such as 'evaluate->procure'"},
	{"gate { id = 'g', at = 'evaluate->pilot', check = f }",
	 "gate 'g': 'evaluate->pilot' is not a boundary between consecutive "
	 "stages"},
	{"gate { id = 'g', at = 'evalute->procure', check = f }",
	 "gate 'g': unknown stage 'evalute' (did you mean 'evaluate'?)"},
	{"gate { id = 'g', at = 'procure->scail', check = f }",
	 "gate 'g': unknown stage 'scail' (did you mean 'scale'?)"},
	{"check { id = 'c', check = f, stages = { 'pilto' } }",
	 "check 'c': unknown stage 'pilto' (did you mean 'pilot'?)"},
	{"gate { id = 'bad id!', at = 'evaluate->procure', check = f }",
	 "rule id 'bad id!' is not a valid id (use letters, digits, '_', '-' "
	 "and '.')"},
	{"gate { id = 'g', at = 'evaluate->procure', check = f }"
	 " gate { id = 'g', at = 'procure->pilot', check = f }",
	 "duplicate rule id 'g' (first declared at rules/t.lua:3)"},
	/* does not compile */
	{"gate { id = 'g' at = 'x' }", "'}' expected near 'at'"},
};

START_TEST(bad_declaration_is_reported_at_its_line)
{
	write_program("[rules/t.lua]", "");
	char lua[600];
	snprintf(lua, sizeof lua, "-- line 1\n"
		 "local f = function(ctx) return pass() end\n"
		 "%s\n", bad_decls[_i].decl);
	tu_write(dir, "rules/t.lua", lua);
	ck_assert_int_eq(up_program_load(&prog, dir, err), UP_OK);
	ck_assert_int_eq(up_program_check(prog, err), UP_EINPUT);
	char want[600];
	snprintf(want, sizeof want, "rules/t.lua:3: error: %s",
		 bad_decls[_i].want);
	ck_assert_msg(up_error_count(err) == 1, "%s: %zu errors: %s",
		      bad_decls[_i].decl, up_error_count(err), errors());
	ck_assert_msg(!strcmp(up_error_message(err, 0), want),
		      "%s:\n got '%s'\nwant '%s'", bad_decls[_i].decl,
		      up_error_message(err, 0), want);
}
END_TEST

/* The good declarations of a program check clean, and a bad file does
 * not take another file's rules with it. */
START_TEST(good_declarations_check_clean)
{
	write_program("[rules/good.lua, rules/bad.lua]", "");
	tu_write(dir, "rules/good.lua",
		 "gate { id = 'g1', at = 'evaluate->procure',\n"
		 "  check = function(ctx) return pass() end }\n"
		 "gate { id = 'g2', at = 'pilot->scale', must = false,\n"
		 "  weight = 2.5, on_fail = 'kill', title = 'Two',\n"
		 "  check = function(ctx) return score(7) end }\n"
		 "check { id = 'c1', severity = 'high', stages = { 'pilot' },\n"
		 "  check = function(ctx) return warn('w') end }\n");
	tu_write(dir, "rules/bad.lua",
		 "gate { id = 'b1', at = 'evaluate->procure',\n"
		 "  check = function(ctx) return pass() end }\n"
		 "gate { id = 'b2', at = 'evaluate->procure', on_fail = 'x',\n"
		 "  check = function(ctx) return pass() end }\n");
	open_world();
	ck_assert_int_eq(open_host(), UP_EINPUT);
	ck_assert_uint_eq(up_error_count(err), 1);
	ck_assert_str_eq(up_error_message(err, 0), "rules/bad.lua:3: error: "
			 "gate: 'on_fail' must be hold, recycle, kill or conditional_go");
	/* bad.lua is dropped whole; good.lua's three rules stay */
	ck_assert_uint_eq(up_host_ndecls(host), 3);
	const up_decl *g2 = decl("g2");
	ck_assert_int_eq(g2->kind, UP_DECL_GATE);
	ck_assert_int_eq(g2->must, 0);
	ck_assert_double_eq(g2->weight, 2.5);
	ck_assert_str_eq(g2->on_fail, "kill");
	ck_assert_str_eq(g2->title, "Two");
	ck_assert_str_eq(g2->at, "pilot->scale");
	ck_assert_str_eq(g2->file, "rules/good.lua");
	ck_assert_int_eq(g2->line, 3);
	const up_decl *g1 = decl("g1");
	ck_assert_int_eq(g1->must, 1);
	ck_assert_double_eq(g1->weight, 1);
	ck_assert_str_eq(g1->on_fail, "hold");
	ck_assert_str_eq(g1->title, "g1");
	const up_decl *c1 = decl("c1");
	ck_assert_int_eq(c1->kind, UP_DECL_CHECK);
	ck_assert_str_eq(c1->severity, "high");
	ck_assert_uint_eq(c1->nstages, 1);
	ck_assert_str_eq(c1->stages[0], "pilot");
	ck_assert_int_eq(c1->line, 6);
	up_result r;
	eval("g2", "ward", &r);
	check_status("g2", "ward", &r, UP_RES_SCORE);
	ck_assert_double_eq(r.score, 7);
	up_result_free(&r);
	expect("c1", "ward", UP_RES_WARN, "w");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sandbox");
	struct {
		const char *name;
		TCase *tc;
	} cases[] = {{"globals", NULL}, {"escapes", NULL}, {"limits", NULL},
		     {"ctx", NULL}, {"declarations", NULL}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		cases[i].tc = tcase_create(cases[i].name);
		tcase_add_checked_fixture(cases[i].tc, setup, teardown);
		tcase_set_timeout(cases[i].tc, 60);
		suite_add_tcase(s, cases[i].tc);
	}
	TCase *tc = cases[0].tc;
	tcase_add_loop_test(tc, forbidden_global_is_absent, 0,
			    (int)(sizeof hidden / sizeof *hidden));
	tcase_add_test(tc, allowed_globals_are_present);

	tc = cases[1].tc;
	tcase_add_test(tc, environment_metatable_is_protected);
	tcase_add_test(tc, library_tables_are_read_only);
	tcase_add_test(tc, string_metatable_cannot_change);
	tcase_add_test(tc, binary_chunk_is_refused_at_load);
	tcase_add_test(tc, pairs_does_not_leak_the_hidden_table);
	tcase_add_test(tc, declaring_inside_a_rule_is_refused);
	tcase_add_test(tc, declarations_are_read_once);
	tcase_add_test(tc, tampered_results_are_errors);
	tcase_add_test(tc, text_out_of_rules_is_valid_utf8);
	tcase_add_test(tc, work_in_c_counts_against_the_budget);
	tcase_add_test(tc, evidence_is_bounded_and_exact);
	tcase_add_test(tc, pairs_walks_keys_in_order);
	tcase_add_test(tc, evidence_cut_keeps_the_first_keys_in_order);
	tcase_add_test(tc, events_person_takes_a_list);
	tcase_add_test(tc, finalizers_are_refused);
	tcase_add_test(tc, every_error_points_at_the_rule);
	tcase_add_test(tc, date_helpers_stay_in_range);
	tcase_add_test(tc, endless_loop_stops_and_next_rule_runs);
	tcase_add_test(tc, memory_bomb_stops_and_next_rule_runs);
	tcase_add_test(tc, one_huge_allocation_is_refused);
	tcase_add_test(tc, deep_recursion_is_an_error);
	tcase_add_test(tc, raised_errors_carry_file_and_line);
	tcase_add_test(tc, only_dsl_results_count);
	tcase_add_test(tc, file_globals_are_private);
	tcase_add_test(tc, shared_base_cannot_change);

	tc = cases[2].tc;
	tcase_add_test(tc, tight_limits_trip);
	tcase_add_test(tc, garbage_does_not_count);
	tcase_add_test(tc, time_limit_trips);
	tcase_add_test(tc, default_limits_let_the_same_rules_pass);

	tc = cases[3].tc;
	tcase_add_test(tc, ctx_now_unit_and_program);
	tcase_add_test(tc, ctx_is_read_only);
	tcase_add_test(tc, ctx_people_filters);
	tcase_add_test(tc, ctx_limit_keeps_the_first);
	tcase_add_test(tc, cycle_halves_are_one_cycle);
	tcase_add_test(tc, requests_are_capped_per_call);
	tcase_add_test(tc, metrics_see_those_before_them);
	tcase_add_test(tc, ctx_events_filters);
	tcase_add_test(tc, ctx_units_filters);
	tcase_add_test(tc, ctx_date_helpers);
	tcase_add_test(tc, ctx_bad_queries_raise);

	tc = cases[4].tc;
	tcase_add_loop_test(tc, bad_declaration_is_reported_at_its_line, 0,
			    (int)(sizeof bad_decls / sizeof *bad_decls));
	tcase_add_test(tc, good_declarations_check_clean);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
