/*
 * test_loader.c: program.yaml and rule files as an admin writes them.
 *
 * The bad-input table pins every message an admin sees, position and all,
 * because those messages are the product's interface to a person fixing a
 * file: "program.yaml:LINE:COL: error: what (hint)", 1-based, every problem
 * in one run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

enum { MAX_MSGS = 8 };

/* The head of a valid program the table rows extend: lines 1-5. */
#define HEAD                                                               \
	"program: p\n"                                                     \
	"start: 2026-01-01\n"                                              \
	"stages: [evaluate, pilot, scale]\n"                               \
	"units:\n"                                                         \
	"  - {id: org, stage: pilot}\n"

#define AT(line, col, what) "program.yaml:" #line ":" #col ": error: " what

static const struct bad_case {
	const char *name;
	const char *yaml;
	const char *msgs[MAX_MSGS]; /* in the order reported */
} bad[] = {
	/* ---- YAML syntax, libyaml's own words ---- */
	{"unclosed flow sequence",
	 "program: p\n"
	 "stages: [a, b\n"
	 "units: []\n",
	 {AT(3, 6, "did not find expected ',' or ']' (while parsing a flow "
		   "sequence)")}},
	{"key indented under a scalar",
	 "program: p\n"
	 "start: 2026-01-01\n"
	 "  stages: [a, b]\n",
	 {AT(3, 9, "mapping values are not allowed in this context")}},
	{"entry indented off its list",
	 "program: p\n"
	 "units:\n"
	 "  - id: a\n"
	 "   stage: b\n",
	 {AT(4, 4, "did not find expected '-' indicator (while parsing a "
		   "block collection)")}},
	{"tab used for indentation",
	 "program: p\n"
	 "units:\n"
	 "\t- {id: org}\n",
	 {AT(3, 1, "found character that cannot start any token (while "
		   "scanning for the next token)")}},
	{"empty file", "", {AT(1, 1, "the file is empty")}},
	{"document is a scalar", "hello\n",
	 {AT(1, 1, "program.yaml must be a mapping, not a scalar")}},
	{"two documents", HEAD "---\nprogram: q\n",
	 {AT(6, 1, "only one YAML document is allowed")}},
	{"anchor on a mapping",
	 HEAD "people:\n"
	      "  - &a {id: ann, unit: org}\n",
	 {AT(7, 5, "anchors are not supported")}},
	{"anchor on a scalar", "program: &p p\n",
	 {AT(1, 10, "anchors are not supported")}},
	{"alias", HEAD "title: *x\n", {AT(6, 8, "aliases are not supported")}},
	{"nesting bomb", HEAD "x: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
			      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]"
			      "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
	 {AT(6, 67, "nesting deeper than 64 levels")}},

	/* ---- keys ---- */
	{"unknown top-level key with hint", HEAD "stgaes: [x]\n",
	 {AT(6, 1, "unknown key 'stgaes' (did you mean 'stages'?)")}},
	{"unknown top-level key without hint", HEAD "colour: blue\n",
	 {AT(6, 1, "unknown key 'colour'")}},
	{"unknown unit key with hint",
	 "program: p\n"
	 "start: 2026-01-01\n"
	 "stages: [evaluate, pilot, scale]\n"
	 "units:\n"
	 "  - {id: org, stgae: pilot}\n",
	 {AT(5, 5, "unit 'org' needs a 'stage'"),
	  AT(5, 15, "unknown key 'stgae' (did you mean 'stage'?)")}},
	{"duplicate top-level key", HEAD "title: a\ntitle: b\n",
	 {AT(7, 1, "duplicate key 'title'")}},
	{"missing every required key", "title: x\n",
	 {AT(1, 1, "missing required key 'program'"),
	  AT(1, 1, "missing required key 'start'"),
	  AT(1, 1, "missing required key 'stages'"),
	  AT(1, 1, "missing required key 'units'")}},
	{"missing units",
	 "program: p\n"
	 "start: 2026-01-01\n"
	 "stages: [a, b]\n",
	 {AT(1, 1, "missing required key 'units'")}},

	/* ---- types ---- */
	{"stages as a mapping",
	 "program: p\n"
	 "start: 2026-01-01\n"
	 "stages: {evaluate: 1, pilot: 2}\n"
	 "units:\n"
	 "  - {id: org, stage: pilot}\n",
	 {AT(3, 9, "'stages' must be a list, not a mapping")}},
	{"units as a scalar",
	 "program: p\n"
	 "start: 2026-01-01\n"
	 "stages: [evaluate, pilot, scale]\n"
	 "units: org\n",
	 {AT(4, 8, "'units' must be a list, not a scalar")}},
	{"staff not a number", HEAD "  - {id: w, parent: org, stage: pilot, "
				    "staff: many}\n",
	 {AT(6, 47, "unit 'w': 'staff' must be a whole number")}},
	{"program id a list, one stage, unit a scalar",
	 "program: [p]\n"
	 "start: 2026-01-01\n"
	 "stages: [evaluate]\n"
	 "units:\n"
	 "  - org\n",
	 {AT(1, 10, "'program' must be a string, not a list"),
	  AT(3, 9, "'stages' needs at least two stages"),
	  AT(5, 5, "a unit must be a mapping, not a scalar")}},
	{"empty start",
	 "program: p\n"
	 "start:\n"
	 "stages: [a, b]\n"
	 "units:\n"
	 "  - {id: org, stage: a}\n",
	 {AT(2, 7, "'start' must be a string, not empty")}},

	/* ---- dates ---- */
	{"no such day and no such month",
	 "program: p\n"
	 "start: 2026-02-30\n"
	 "stages: [evaluate, pilot]\n"
	 "units:\n"
	 "  - {id: org, stage: pilot, go_live: 2026-13-01}\n",
	 {AT(2, 8, "'start': invalid date '2026-02-30': no such day in that "
		   "month"),
	  AT(5, 38, "'go_live': invalid date '2026-13-01': month out of "
		    "range (01-12)")}},

	/* ---- the unit tree ---- */
	{"parent does not exist",
	 HEAD "  - {id: ward, stage: pilot, parent: orgg}\n",
	 {AT(6, 38, "unit 'ward': unknown parent unit 'orgg' (did you mean "
		    "'org'?)")}},
	{"parent does not exist, nothing close",
	 HEAD "  - {id: ward, stage: pilot, parent: hospital}\n",
	 {AT(6, 38, "unit 'ward': unknown parent unit 'hospital'")}},
	{"cycle a->b->a",
	 HEAD "  - {id: a, stage: pilot, parent: b}\n"
	      "  - {id: b, stage: pilot, parent: a}\n",
	 {AT(6, 35, "unit 'a' is its own ancestor (the unit tree has a "
		    "cycle)"),
	  AT(7, 35, "unit 'b' is its own ancestor (the unit tree has a "
		    "cycle)")}},
	{"no root: every unit has a parent",
	 "program: p\n"
	 "start: 2026-01-01\n"
	 "stages: [a, b]\n"
	 "units:\n"
	 "  - {id: x, stage: a, parent: y}\n"
	 "  - {id: y, stage: a, parent: x}\n",
	 {AT(5, 3, "no root unit: the first unit without a 'parent' is the "
		   "organisation"),
	  AT(5, 31, "unit 'x' is its own ancestor (the unit tree has a "
		    "cycle)"),
	  AT(6, 31, "unit 'y' is its own ancestor (the unit tree has a "
		    "cycle)")}},
	{"unit is its own parent",
	 HEAD "  - {id: w, stage: pilot, parent: w}\n",
	 {AT(6, 35, "unit 'w' is its own ancestor (the unit tree has a "
		    "cycle)")}},
	{"second parentless unit", HEAD "  - {id: ward, stage: pilot}\n",
	 {AT(6, 5, "unit 'ward' has no parent; only the root unit 'org' may "
		   "omit it")}},
	{"duplicate unit id", HEAD "  - {id: org, stage: pilot, parent: org}\n",
	 {AT(6, 10, "duplicate unit id 'org'")}},
	{"stage not listed, with and without hint",
	 "program: p\n"
	 "start: 2026-01-01\n"
	 "stages: [evaluate, pilot, scale]\n"
	 "units:\n"
	 "  - {id: org, stage: pilott}\n"
	 "  - {id: ward, stage: sustain, parent: org}\n",
	 {AT(5, 22, "unit 'org': unknown stage 'pilott' (did you mean "
		    "'pilot'?)"),
	  AT(6, 23, "unit 'ward': unknown stage 'sustain'")}},

	/* ---- people ---- */
	{"person in a unit that does not exist",
	 HEAD "people:\n"
	      "  - {id: ann, unit: orgx}\n"
	      "  - {id: bob, unit: zzzzz}\n",
	 {AT(7, 21, "person 'ann': unknown unit 'orgx' (did you mean "
		    "'org'?)"),
	  AT(8, 21, "person 'bob': unknown unit 'zzzzz'")}},
	{"duplicate person id",
	 HEAD "people:\n"
	      "  - {id: ann, unit: org}\n"
	      "  - {id: ann, unit: org}\n",
	 {AT(8, 10, "duplicate person id 'ann'")}},
	{"engagement off the ladder, with and without hint",
	 HEAD "people:\n"
	      "  - {id: ann, unit: org, engagement: bought-in}\n"
	      "  - {id: bob, unit: org, engagement: enthusiastic}\n",
	 {AT(7, 38, "person 'ann': engagement level 'bought-in' is not on "
		    "the ladder (did you mean 'bought_in'?)"),
	  AT(8, 38, "person 'bob': engagement level 'enthusiastic' is not "
		    "on the ladder (unaware, informed, consulted, involved, "
		    "bought_in)")}},
	{"since without engagement",
	 HEAD "people:\n"
	      "  - {id: ann, since: 2026-01-05}\n",
	 {AT(7, 22, "person 'ann': 'since' dates an 'engagement', which is "
		    "missing")}},

	/* ---- gates and limits ---- */
	{"gate keys that are not consecutive boundaries",
	 HEAD "gates:\n"
	      "  evaluate->scale: {threshold: 0.7}\n"
	      "  pilot: {}\n"
	      "  scale->pilot: {}\n",
	 {AT(7, 3, "gate 'evaluate->scale' is not a boundary between two "
		   "consecutive stages (write it as 'from->to')"),
	  AT(8, 3, "gate 'pilot' is not a boundary between two consecutive "
		   "stages (write it as 'from->to')"),
	  AT(9, 3, "gate 'scale->pilot' is not a boundary between two "
		   "consecutive stages (write it as 'from->to')")}},
	{"gate threshold out of range, margin not a number",
	 HEAD "gates:\n"
	      "  pilot->scale: {threshold: 1.5, margin: x}\n",
	 {AT(7, 29, "gate 'pilot->scale': 'threshold' must be between 0 and "
		    "1, not 1.5"),
	  AT(7, 42, "gate 'pilot->scale': 'margin' must be a number")}},
	{"gate config key misspelt",
	 HEAD "gates:\n"
	      "  pilot->scale: {treshold: 0.5}\n",
	 {AT(7, 18, "unknown key 'treshold' (did you mean 'threshold'?)")}},
	{"gate listed twice",
	 HEAD "gates:\n"
	      "  pilot->scale: {threshold: 0.5}\n"
	      "  pilot->scale: {threshold: 0.6}\n",
	 {AT(8, 3, "duplicate key 'pilot->scale'")}},
	{"limits out of range",
	 HEAD "limits: {instructions: 5, memory_mb: 99999, time_ms: 9}\n",
	 {AT(6, 24, "limits.instructions must be between 10000 and "
		    "10000000000, not 5"),
	  AT(6, 38, "limits.memory_mb must be between 4 and 4096, not "
		    "99999"),
	  AT(6, 54, "limits.time_ms must be between 10 and 3600000, not "
		    "9")}},
	{"limits not whole numbers",
	 HEAD "limits:\n"
	      "  instructions: 1e6\n"
	      "  memory_mb: '64'\n"
	      "  time_ms: 1.5\n",
	 {AT(7, 17, "limits.instructions must be a whole number"),
	  AT(8, 14, "limits.memory_mb must be a whole number"),
	  AT(9, 12, "limits.time_ms must be a whole number")}},

	/* ---- rule files ---- */
	{"missing rule file", HEAD "rules: [rules/missing.lua]\n",
	 {AT(6, 9, "rule file 'rules/missing.lua': cannot read: No such "
		   "file or directory")}},
	{"rule files outside the program directory",
	 HEAD "rules: [../x.lua, /etc/passwd]\n",
	 {AT(6, 9, "rule file '../x.lua' must be a path inside the program "
		   "directory"),
	  AT(6, 19, "rule file '/etc/passwd' must be a path inside the "
		    "program directory")}},

	/* ---- several problems, all reported in one run, in order ---- */
	/* ---- training plans ---- */
	{"training plans by audience, each problem at its place",
	 HEAD "  - {id: ward, parent: org, stage: pilot, go_live: 2026-02-01}\n"
	      "cadence:\n"
	      "  followups_to: first line manager\n"
	      "  training:\n"
	      "    - {id: nurses, role: [nurse], units: [wrd],"
	      " offsets_days: [0, 7, 7]}\n"
	      "    - {id: nurses, roles: [nurse]}\n"
	      "    - {roles: [x]}\n"
	      "    - {id: dated, anchor: 2026-02-30, topic: []}\n",
	 {AT(8, 17, "cadence.followups_to 'first line manager' is not a "
		    "valid id (use letters, digits, '_', '-' and '.')"),
	  AT(10, 20, "unknown key 'role' (did you mean 'roles'?)"),
	  AT(10, 43, "plan 'nurses': unknown unit 'wrd' (did you mean "
		     "'ward'?)"),
	  AT(10, 70, "plan 'nurses': offsets_days must ascend, and 7 does "
		     "not"),
	  AT(11, 12, "duplicate training plan id 'nurses'"),
	  AT(12, 7, "a training plan needs an 'id'"),
	  AT(13, 27, "plan 'dated': anchor: invalid date '2026-02-30': no "
		     "such day in that month"),
	  AT(13, 46, "plan 'dated': 'topic' needs at least one")}},
	{"a plan's anchor, and a plan that is not a mapping",
	 HEAD "cadence:\n"
	      "  training:\n"
	      "    - {id: a, anchor: tomorrow, grace_days: 91}\n"
	      "    - [b]\n",
	 {AT(8, 23, "plan 'a': anchor must be go_live, joined or a date "
		    "(YYYY-MM-DD)"),
	  AT(8, 45, "plan 'a': grace_days must be between 0 and 90, not 91"),
	  AT(9, 7, "a training plan must be a mapping, not a list")}},
	{"an audience in the single map says how to write it",
	 HEAD "cadence:\n"
	      "  training:\n"
	      "    roles: [nurse]\n"
	      "    window_days: 30\n",
	 {AT(8, 5, "'roles' is a key of a plan by audience: write "
		   "cadence.training as a list of plans, each with an id")}},
	{"training neither a mapping nor a list",
	 HEAD "cadence: {training: yes}\n",
	 {AT(6, 21, "cadence.training must be a mapping or a list of plans, "
		    "not a scalar")}},
	{"several errors at once",
	 "program: p\n"
	 "start: 2026-02-30\n"
	 "stages: [evaluate, pilot, scale]\n"
	 "units:\n"
	 "  - {id: org, stage: pilot}\n"
	 "  - {id: ward, stage: pilott, staff: -3, parent: orgg}\n"
	 "people:\n"
	 "  - {id: ann, unit: wrd, engagement: bought-in}\n"
	 "rules: [rules/none.lua]\n",
	 {AT(2, 8, "'start': invalid date '2026-02-30': no such day in that "
		   "month"),
	  AT(6, 23, "unit 'ward': unknown stage 'pilott' (did you mean "
		    "'pilot'?)"),
	  AT(6, 38, "unit 'ward': 'staff' must be between 0 and 10000000, "
		    "not -3"),
	  AT(6, 50, "unit 'ward': unknown parent unit 'orgg' (did you mean "
		    "'org'?)"),
	  AT(8, 21, "person 'ann': unknown unit 'wrd' (did you mean "
		    "'ward'?)"),
	  AT(8, 38, "person 'ann': engagement level 'bought-in' is not on "
		    "the ladder (did you mean 'bought_in'?)"),
	  AT(9, 9, "rule file 'rules/none.lua': cannot read: No such file "
		   "or directory")}},
};

static size_t nmsgs(const struct bad_case *c)
{
	size_t n = 0;
	while (n < MAX_MSGS && c->msgs[n])
		n++;
	return n;
}

/* Every message, one a line, for a readable failure report. */
static char *all_messages(const up_error *err)
{
	up_buf b = {0};
	up_buf_puts(&b, "");
	for (size_t i = 0; i < up_error_count(err); i++)
		up_buf_printf(&b, "\n    %s", up_error_message(err, i));
	return b.buf;
}

START_TEST(bad_program_yaml)
{
	const struct bad_case *c = &bad[_i];
	char *dir = tu_mkdtemp();
	tu_write(dir, "program.yaml", c->yaml);
	up_error *err = up_error_new();
	up_program *prog = NULL;
	int rc = up_program_load(&prog, dir, err);
	char *got = all_messages(err);
	ck_assert_msg(rc == UP_EINPUT, "[%s] rc %d, messages:%s", c->name, rc,
		      got);
	ck_assert_ptr_null(prog);
	ck_assert_int_eq(up_error_code(err), UP_EINPUT);
	ck_assert_msg(up_error_count(err) == nmsgs(c),
		      "[%s] %zu messages, want %zu:%s", c->name,
		      up_error_count(err), nmsgs(c), got);
	for (size_t i = 0; i < nmsgs(c); i++)
		ck_assert_msg(!strcmp(up_error_message(err, i), c->msgs[i]),
			      "[%s] message %zu:\n    got  %s\n    want %s",
			      c->name, i, up_error_message(err, i),
			      c->msgs[i]);
	free(got);
	up_error_free(err);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * Bytes libyaml's reader rejects.  The position is not pinned here: the
 * loader reports these at 1:1 wherever they are (see the report that came
 * with this file); the test pins that they are input errors, not crashes.
 */
START_TEST(bad_bytes_are_input_errors)
{
	static const struct {
		const char *yaml, *what;
	} cases[] = {
		{HEAD "title: ab\xff" "cd\n", "error: invalid leading UTF-8 octet"},
		{HEAD "title: ab\x01" "cd\n",
		 "error: control characters are not allowed"},
	};
	for (size_t i = 0; i < UP_COUNTOF(cases); i++) {
		char *dir = tu_mkdtemp();
		tu_write(dir, "program.yaml", cases[i].yaml);
		up_error *err = up_error_new();
		up_program *prog = NULL;
		ck_assert_int_eq(up_program_load(&prog, dir, err), UP_EINPUT);
		ck_assert_ptr_null(prog);
		ck_assert_uint_eq(up_error_count(err), 1);
		const char *m = up_error_message(err, 0);
		ck_assert_msg(!strncmp(m, "program.yaml:", 13), "%s", m);
		size_t lm = strlen(m), lw = strlen(cases[i].what);
		ck_assert_msg(lm > lw && !strcmp(m + lm - lw, cases[i].what),
			      "%s", m);
		up_error_free(err);
		tu_rmtree(dir);
		free(dir);
	}
}
END_TEST

START_TEST(missing_program_yaml)
{
	char *dir = tu_mkdtemp();
	up_error *err = up_error_new();
	up_program *prog = NULL;
	ck_assert_int_eq(up_program_load(&prog, dir, err), UP_EINPUT);
	ck_assert_ptr_null(prog);
	ck_assert_uint_eq(up_error_count(err), 1);
	char *path = tu_path(dir, "program.yaml");
	char *want = up_xasprintf("%s: error: cannot read: No such file or "
			    "directory", path);
	ck_assert_str_eq(up_error_message(err, 0), want);
	free(want);
	free(path);
	up_error_free(err);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* ---- valid programs ---- */

static const char full_program[] =
	"program: regional-digital-meetings\n"
	"title: Digital patient meetings\n"
	"organization: Region Nord\n"
	"start: 2026-01-01\n"
	"stages: [evaluate, procure, pilot, scale, sustain]\n"
	"units:\n"
	"  - {id: region-nord, name: Region Nord, stage: scale}\n"
	"  - {id: hospital-a, name: Hospital A, parent: region-nord, "
	"stage: pilot}\n"
	"  - id: cardio-north\n"
	"    name: Cardiology North\n"
	"    parent: hospital-a\n"
	"    stage: pilot\n"
	"    go_live: 2026-02-01\n"
	"    staff: 42\n"
	"    attrs: {site: north, floor: '3'}\n"
	"people:\n"
	"  - {id: dr-lind, name: Dr Lind, unit: cardio-north, "
	"roles: [clinician_champion, physician], engagement: bought_in, "
	"since: 2026-02-15, joined: 2025-06-01}\n"
	"  - {id: exec-1, roles: [executive]}\n"
	"metrics:\n"
	"  digital_share: {numerator: digital_meetings, denominator: visits,\n"
	"                  target: 0.30, deadline: +2y}\n"
	"packs:\n"
	"  - {use: mini, version: \"^1\", with: {days: 30}}\n"
	"rules: [rules/local.lua]\n"
	"gates:\n"
	"  pilot->scale: {threshold: 0.7}\n"
	"  evaluate->procure: {}\n"
	"cadence:\n"
	"  evaluation: monthly\n";

static const char local_rules[] =
	"gate {\n"
	"  id = \"champion\", at = \"evaluate->procure\",\n"
	"  check = function(ctx) return pass() end,\n"
	"}\n";

static up_program *load_ok(const char *dir)
{
	up_error *err = up_error_new();
	up_program *prog = NULL;
	int rc = up_program_load(&prog, dir, err);
	ck_assert_msg(rc == UP_OK, "load failed: %s",
		      up_error_count(err) ? up_error_message(err, 0) : "?");
	/* Only warnings, and they leave the code at UP_OK. */
	for (size_t i = 0; i < up_error_count(err); i++)
		ck_assert_msg(strstr(up_error_message(err, i), ": warning: "),
			      "unexpected: %s", up_error_message(err, i));
	ck_assert_int_eq(up_error_code(err), UP_OK);
	ck_assert_ptr_nonnull(prog);
	up_error_free(err);
	return prog;
}

static const char mini_manifest[] =
	"name: mini\nversion: 1.2.0\ntitle: A small pack\n"
	"rules: [mini.lua]\n"
	"params:\n"
	"  days: {type: days, default: 90, min: 1, max: 365, doc: how long}\n";

/* A pack in the program's packs/ directory is found by name, and its
 * rule files come before the program's own, named PACK/FILE. */
START_TEST(packs_load_from_the_program_directory)
{
	char *dir = tu_mkdtemp();
	tu_write(dir, "program.yaml",
		 "program: p\nstart: 2026-01-01\nstages: [a, b]\n"
		 "units: [{id: r, stage: a}]\n"
		 "packs:\n  - {use: mini, with: {days: 7}}\n"
		 "rules: [own.lua]\n");
	tu_write(dir, "own.lua", "-- nothing\n");
	tu_write(dir, "packs/mini/pack.yaml", mini_manifest);
	tu_write(dir, "packs/mini/mini.lua", "-- nothing either\n");
	up_error *err = up_error_new();
	up_program *prog = NULL;
	ck_assert_int_eq(up_program_load(&prog, dir, err), UP_OK);
	ck_assert_uint_eq(up_error_count(err), 0);
	ck_assert_uint_eq(prog->nrules, 2);
	ck_assert_str_eq(prog->rules[0].path, "mini/mini.lua");
	ck_assert_int_eq(prog->rules[0].pack, 0);
	ck_assert_str_eq(prog->rules[1].path, "own.lua");
	ck_assert_int_eq(prog->rules[1].pack, -1);
	const char *name, *version, *sha, *where;
	ck_assert_uint_eq(up_program_npacks(prog), 1);
	ck_assert_int_eq(up_program_pack(prog, 0, &name, &version, &sha,
					 &where), UP_OK);
	ck_assert_str_eq(name, "mini");
	ck_assert_str_eq(version, "1.2.0");
	ck_assert_str_eq(where, "packs/mini");
	ck_assert_uint_eq(strlen(sha), 64);
	ck_assert_int_eq(up_program_pack(prog, 1, &name, &version, &sha,
					 &where), UP_EINPUT);
	up_program_free(prog);
	up_error_free(err);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(valid_program_loads)
{
	char *dir = tu_mkdtemp();
	tu_write(dir, "program.yaml", full_program);
	tu_write(dir, "rules/local.lua", local_rules);
	tu_write(dir, "packs/mini/pack.yaml", mini_manifest);
	tu_write(dir, "packs/mini/mini.lua", "-- empty\n");
	up_program *p = load_ok(dir);
	ck_assert_str_eq(up_program_id(p), "regional-digital-meetings");
	ck_assert_str_eq(up_program_dir(p), dir);
	ck_assert_str_eq(p->title, "Digital patient meetings");
	ck_assert_str_eq(p->organization, "Region Nord");
	ck_assert_str_eq(p->start, "2026-01-01");
	ck_assert_uint_eq(p->nstages, 5);
	ck_assert_str_eq(p->stages[0], "evaluate");
	ck_assert_str_eq(p->stages[4], "sustain");
	ck_assert_int_eq(up_stage_index(p, "pilot"), 2);
	ck_assert_int_eq(up_stage_index(p, "nope"), -1);

	ck_assert_uint_eq(p->nunits, 3);
	const up_unit_def *root = &p->units[0], *h = &p->units[1],
			  *c = &p->units[2];
	ck_assert_str_eq(root->id, "region-nord");
	ck_assert_ptr_null(root->parent);
	ck_assert_int_eq(root->parent_ix, -1);
	ck_assert_int_eq(root->stage_ix, 3);
	ck_assert_int_eq(root->staff, -1);
	ck_assert_ptr_null(root->go_live);
	ck_assert_int_eq(h->parent_ix, 0);
	ck_assert_str_eq(c->name, "Cardiology North");
	ck_assert_str_eq(c->parent, "hospital-a");
	ck_assert_int_eq(c->parent_ix, 1);
	ck_assert_int_eq(c->stage_ix, 2);
	ck_assert_str_eq(c->go_live, "2026-02-01");
	ck_assert_int_eq(c->staff, 42);
	ck_assert_str_eq(json_string_value(json_object_get(c->attrs, "site")),
			 "north");
	ck_assert_str_eq(json_string_value(json_object_get(c->attrs, "floor")),
			 "3");

	ck_assert_uint_eq(p->npeople, 2);
	const up_person_def *lind = &p->people[0], *ex = &p->people[1];
	ck_assert_str_eq(lind->name, "Dr Lind");
	ck_assert_str_eq(lind->unit, "cardio-north");
	ck_assert_uint_eq(lind->nroles, 2);
	ck_assert_str_eq(lind->roles[0], "clinician_champion");
	ck_assert_str_eq(lind->roles[1], "physician");
	ck_assert_int_eq(lind->engagement, up_level_index("bought_in"));
	ck_assert_int_eq(lind->engagement, 4);
	ck_assert_str_eq(lind->since, "2026-02-15");
	ck_assert_str_eq(lind->joined, "2025-06-01");
	ck_assert_str_eq(ex->name, "exec-1"); /* the id when no name */
	ck_assert_ptr_null(ex->unit);
	ck_assert_int_eq(ex->engagement, -1);
	ck_assert_ptr_null(ex->since);

	ck_assert_uint_eq(p->nrules, 2); /* the pack's file first */
	ck_assert_str_eq(p->rules[0].path, "mini/mini.lua");
	ck_assert_str_eq(p->rules[1].path, "rules/local.lua");
	ck_assert_str_eq(p->rules[1].src, local_rules);
	ck_assert_uint_eq(p->rules[1].len, strlen(local_rules));
	char h2[65];
	up_sha256_hex(local_rules, strlen(local_rules), h2);
	ck_assert_str_eq(p->rules[1].hash, h2);

	const up_gate_cfg *g = up_gate_config(p, "pilot->scale");
	ck_assert_ptr_nonnull(g);
	ck_assert_double_eq_tol(g->threshold, 0.7, 1e-12);
	ck_assert_double_eq_tol(g->margin, UP_DEFAULT_MARGIN, 1e-12);

	up_error *err = up_error_new();
	ck_assert_int_eq(up_program_check(p, err), UP_OK);
	/* only warnings: a gate is owed for each boundary still ahead of a
	 * unit (the earliest starts at pilot; evaluate->pilot is passed) */
	ck_assert_int_eq(up_error_code(err), UP_OK);
	ck_assert_uint_eq(up_error_count(err), 2);
	for (size_t i = 0; i < up_error_count(err); i++)
		ck_assert_msg(strstr(up_error_message(err, i), ": warning: no "
				     "rule covers the gate '"), "%s",
			      up_error_message(err, i));
	up_error_free(err);
	up_program_free(p);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(defaults)
{
	char *dir = tu_mkdtemp();
	tu_write(dir, "program.yaml", HEAD
		 "gates:\n"
		 "  evaluate->pilot: {}\n");
	up_program *p = load_ok(dir);
	ck_assert_int_eq(p->instructions, 10000000LL);
	ck_assert_uint_eq(p->memory_bytes, (size_t)64 << 20);
	ck_assert_int_eq(p->time_ms, 5000);
	ck_assert_ptr_null(p->title);
	ck_assert_ptr_null(p->organization);
	ck_assert_uint_eq(p->nrules, 0);
	ck_assert_uint_eq(p->npeople, 0);
	/* Named with no settings: the defaults. */
	const up_gate_cfg *g = up_gate_config(p, "evaluate->pilot");
	ck_assert_ptr_nonnull(g);
	ck_assert_double_eq_tol(g->threshold, 0.6, 1e-12);
	ck_assert_double_eq_tol(g->margin, 0.1, 1e-12);
	/* Not named: no config, so the cycle uses the defaults. */
	ck_assert_ptr_null(up_gate_config(p, "pilot->scale"));
	ck_assert_double_eq_tol(UP_DEFAULT_THRESHOLD, 0.6, 1e-12);
	ck_assert_double_eq_tol(UP_DEFAULT_MARGIN, 0.1, 1e-12);
	ck_assert_int_eq(p->units[0].staff, -1);
	ck_assert_str_eq(p->units[0].name, "org"); /* the id when no name */
	ck_assert_int_eq(json_object_size(p->units[0].attrs), 0);
	up_program_free(p);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(limits_in_range)
{
	char *dir = tu_mkdtemp();
	tu_write(dir, "program.yaml", HEAD
		 "limits: {instructions: 10000, memory_mb: 4096, "
		 "time_ms: 3600000}\n");
	up_program *p = load_ok(dir);
	ck_assert_int_eq(p->instructions, 10000LL);
	ck_assert_uint_eq(p->memory_bytes, (size_t)4096 << 20);
	ck_assert_int_eq(p->time_ms, 3600000);
	up_program_free(p);
	tu_write(dir, "program.yaml", HEAD "limits: {memory_mb: 4}\n");
	p = load_ok(dir);
	ck_assert_int_eq(p->instructions, UP_DEFAULT_INSTRUCTIONS);
	ck_assert_uint_eq(p->memory_bytes, (size_t)4 << 20);
	ck_assert_int_eq(p->time_ms, UP_DEFAULT_TIME_MS);
	up_program_free(p);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(engagement_since)
{
	char *dir = tu_mkdtemp();
	tu_write(dir, "program.yaml", HEAD
		 "people:\n"
		 "  - {id: ann, unit: org, engagement: consulted, "
		 "since: 2026-03-31}\n"
		 "  - {id: bob, unit: org, engagement: involved}\n");
	up_program *p = load_ok(dir);
	ck_assert_uint_eq(p->npeople, 2);
	ck_assert_int_eq(p->people[0].engagement, 2);
	ck_assert_str_eq(p->people[0].since, "2026-03-31");
	ck_assert_int_eq(p->people[1].engagement, 3);
	ck_assert_ptr_null(p->people[1].since); /* the store uses 'start' */
	up_program_free(p);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static int is_hex64(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!strchr("0123456789abcdef", s[n]))
			return 0;
	return n == 64;
}

START_TEST(hash_follows_the_file)
{
	char *dir = tu_mkdtemp();
	static const char text[] = HEAD;
	tu_write(dir, "program.yaml", text);
	up_program *a = load_ok(dir);
	const char *ha = up_program_hash(a);
	ck_assert_msg(is_hex64(ha), "hash '%s'", ha);
	char want[65];
	up_sha256_hex(text, strlen(text), want);
	ck_assert_str_eq(ha, want);

	up_program *same = load_ok(dir);
	ck_assert_str_eq(up_program_hash(same), ha);
	up_program_free(same);

	/* A comment changes nothing the loader sees, but the bytes. */
	tu_write(dir, "program.yaml", HEAD "# a comment\n");
	up_program *b = load_ok(dir);
	ck_assert_msg(is_hex64(up_program_hash(b)), "hash '%s'",
		      up_program_hash(b));
	ck_assert_str_ne(up_program_hash(b), ha);
	up_program_free(a);
	up_program_free(b);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* ---- up_program_check: rule files compiled and declared ---- */

/* Loads a program whose rules: are FILES and runs up_program_check. */
static int check_rules(const char *rules_line, const char *const *files,
		       const char *const *texts, size_t n, up_error *err)
{
	char *dir = tu_mkdtemp();
	char *yaml = up_xasprintf("program: p\n"
				  "start: 2026-01-01\n"
				  "stages: [evaluate, pilot, scale]\n"
				  "units:\n"
				  "  - {id: org, stage: pilot}\n"
				  "%s\n", rules_line);
	tu_write(dir, "program.yaml", yaml);
	free(yaml);
	for (size_t i = 0; i < n; i++)
		tu_write(dir, files[i], texts[i]);
	up_program *p = load_ok(dir);
	int rc = up_program_check(p, err);
	up_program_free(p);
	tu_rmtree(dir);
	free(dir);
	return rc;
}

static void expect_messages(const up_error *err, const char *const *want,
			    size_t n)
{
	char *got = all_messages(err);
	ck_assert_msg(up_error_count(err) == n, "%zu messages, want %zu:%s",
		      up_error_count(err), n, got);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(!strcmp(up_error_message(err, i), want[i]),
			      "message %zu:\n    got  %s\n    want %s", i,
			      up_error_message(err, i), want[i]);
	free(got);
}

START_TEST(rule_syntax_error)
{
	static const char *const files[] = {"rules/x.lua"};
	static const char *const texts[] = {
		"gate {\n"
		"  id = \"g1\",\n"
		"  at = \"evaluate->pilot\",\n"
		"  check = function(ctx) return pass() end\n"
		"  title = \"no comma before me\",\n"
		"}\n"};
	up_error *err = up_error_new();
	ck_assert_int_eq(check_rules("rules: [rules/x.lua]", files, texts, 1,
				     err), UP_EINPUT);
	static const char *const want[] = {
		"rules/x.lua:5: error: '}' expected (to close '{' at line 1) "
		"near 'title'"};
	expect_messages(err, want, 1);
	up_error_free(err);
}
END_TEST

START_TEST(rule_unterminated_file)
{
	static const char *const files[] = {"rules/x.lua"};
	static const char *const texts[] = {
		"check {\n"
		"  id = \"c1\",\n"
		"  check = function(ctx) return pass() end,\n"};
	up_error *err = up_error_new();
	ck_assert_int_eq(check_rules("rules: [rules/x.lua]", files, texts, 1,
				     err), UP_EINPUT);
	static const char *const want[] = {
		"rules/x.lua:4: error: unexpected symbol near <eof>"};
	expect_messages(err, want, 1);
	up_error_free(err);
}
END_TEST

START_TEST(gate_boundaries_checked)
{
	static const char *const files[] = {"rules/x.lua"};
	static const char *const texts[] = {
		"gate { id = \"ok\", at = \"evaluate->pilot\",\n"
		"       check = function(ctx) return pass() end }\n"
		"gate { id = \"to-sustain\", at = \"scale->sustain\", "
		"check = function(ctx) return pass() end }\n"
		"\n"
		"gate {\n"
		"  id = \"leap\",\n"
		"  at = \"evaluate->scale\",\n"
		"  check = function(ctx) return pass() end,\n"
		"}\n"
		"gate { id = \"typo\", at = \"evaluat->pilot\", "
		"check = function(ctx) return pass() end }\n"
		"gate { id = \"backwards\", at = \"scale->pilot\", "
		"check = function(ctx) return pass() end }\n"
		"gate { id = \"noarrow\", at = \"pilot\", "
		"check = function(ctx) return pass() end }\n"
		"check { id = \"c\", stages = {\"pilto\"}, "
		"check = function(ctx) return pass() end }\n"};
	up_error *err = up_error_new();
	ck_assert_int_eq(check_rules("rules: [rules/x.lua]", files, texts, 1,
				     err), UP_EINPUT);
	static const char *const want[] = {
		"rules/x.lua:3: error: gate 'to-sustain': unknown stage "
		"'sustain'",
		"rules/x.lua:5: error: gate 'leap': 'evaluate->scale' is not a "
		"boundary between consecutive stages",
		"rules/x.lua:10: error: gate 'typo': unknown stage 'evaluat' "
		"(did you mean 'evaluate'?)",
		"rules/x.lua:11: error: gate 'backwards': 'scale->pilot' is not "
		"a boundary between consecutive stages",
		"rules/x.lua:12: error: gate 'noarrow': 'at' must be a boundary "
		"such as 'evaluate->pilot'",
		"rules/x.lua:13: error: check 'c': unknown stage 'pilto' (did "
		"you mean 'pilot'?)"};
	expect_messages(err, want, UP_COUNTOF(want));
	up_error_free(err);
}
END_TEST

START_TEST(duplicate_rule_ids_across_files)
{
	static const char *const files[] = {"rules/a.lua", "rules/b.lua"};
	static const char *const texts[] = {
		"-- a\n"
		"gate { id = \"champion\", at = \"evaluate->pilot\", "
		"check = function(ctx) return pass() end }\n",
		"-- b\n"
		"\n"
		"check { id = \"champion\", "
		"check = function(ctx) return pass() end }\n"};
	up_error *err = up_error_new();
	ck_assert_int_eq(check_rules("rules: [rules/a.lua, rules/b.lua]",
				     files, texts, 2, err), UP_EINPUT);
	static const char *const want[] = {
		"rules/b.lua:3: error: duplicate rule id 'champion' (first "
		"declared at rules/a.lua:2)"};
	expect_messages(err, want, 1);
	up_error_free(err);
}
END_TEST

START_TEST(good_rules_check_clean)
{
	static const char *const files[] = {"rules/x.lua"};
	static const char *const texts[] = {
		"gate { id = \"g\", at = \"pilot->scale\", must = false,\n"
		"       weight = 2, check = function(ctx) return score(5) end }\n"
		"check { id = \"c\", severity = \"high\", stages = {\"pilot\"},\n"
		"        check = function(ctx) return warn(\"x\") end }\n"};
	up_error *err = up_error_new();
	ck_assert_int_eq(check_rules("rules: [rules/x.lua]", files, texts, 1,
				     err), UP_OK);
	/* its units all start at the last boundary, which it covers */
	ck_assert_uint_eq(up_error_count(err), 0);
	up_error_free(err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("loader");
	TCase *tc = tcase_create("bad_yaml");
	tcase_add_loop_test(tc, bad_program_yaml, 0, (int)UP_COUNTOF(bad));
	tcase_add_test(tc, bad_bytes_are_input_errors);
	tcase_add_test(tc, missing_program_yaml);
	suite_add_tcase(s, tc);
	tc = tcase_create("good_yaml");
	tcase_add_test(tc, valid_program_loads);
	tcase_add_test(tc, packs_load_from_the_program_directory);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, limits_in_range);
	tcase_add_test(tc, engagement_since);
	tcase_add_test(tc, hash_follows_the_file);
	suite_add_tcase(s, tc);
	tc = tcase_create("check");
	tcase_add_test(tc, rule_syntax_error);
	tcase_add_test(tc, rule_unterminated_file);
	tcase_add_test(tc, gate_boundaries_checked);
	tcase_add_test(tc, duplicate_rule_ids_across_files);
	tcase_add_test(tc, good_rules_check_clean);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
