/*
 * test_pack.c: pack manifests, the parameter values a program gives a
 * pack, and where packs are found (core/pack.c, core/packuse.c).
 *
 * As in test_loader.c, the tables pin every message a consultant writing
 * pack.yaml or an admin writing program.yaml sees, position and all:
 * "DIR/pack.yaml:LINE:COL: error: ...", every problem in one run, in file
 * order.  Good manifests and values are read back field by field, and
 * parameter values with their JSON types (an integer is not a real).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "pack.h"
#include "testutil.h"

enum { MAX_MSGS = 8 };

static char *dir;
static up_error *err;

static void setup(void)
{
	dir = tu_mkdtemp();
	err = up_error_new();
	ck_assert_ptr_nonnull(err);
}

static void teardown(void)
{
	/* Under valgrind the tests share one process (CK_FORK=no). */
	unsetenv("UPTAKE_PACK_PATH");
	up_error_free(err);
	tu_rmtree(dir);
	free(dir);
}

/* Every message of err, one per line, for assertion messages. */
static const char *messages(void)
{
	static char out[8192];
	out[0] = '\0';
	for (size_t i = 0; i < up_error_count(err); i++) {
		size_t len = strlen(out);
		snprintf(out + len, sizeof out - len, "\n    %s",
			 up_error_message(err, i));
	}
	return out;
}

/* Exactly the messages WANT (NULL-terminated), each after PREFIX. */
static void expect_messages(const char *name, const char *prefix,
			    const char *const *want)
{
	size_t n = 0;
	while (n < MAX_MSGS && want[n])
		n++;
	ck_assert_msg(up_error_count(err) == n, "%s: %zu messages, want %zu:%s",
		      name, up_error_count(err), n, messages());
	for (size_t i = 0; i < n; i++) {
		char *w = up_xasprintf("%s%s", prefix, want[i]);
		ck_assert_msg(!strcmp(up_error_message(err, i), w),
			      "%s: message %zu:\n    got  %s\n    want %s",
			      name, i, up_error_message(err, i), w);
		free(w);
	}
}

/* A compact JSON text of J, for comparing values with their types. */
static char *dump(const json_t *j)
{
	char *s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT |
			     JSON_SORT_KEYS);
	ck_assert_ptr_nonnull(s);
	return s;
}

static void json_is(const json_t *j, const char *want)
{
	char *s = dump(j);
	ck_assert_str_eq(s, want);
	free(s);
}

/* ---- bad manifests ---- */

/* Lines 1-4 of a manifest the rows extend; a.lua exists in every row. */
#define MHEAD                                                              \
	"name: mini\n"                                                     \
	"version: 1.2.0\n"                                                 \
	"title: A small pack\n"                                            \
	"rules: [a.lua]\n"
/* One parameter on line 6. */
#define PARAM(p) MHEAD "params:\n" p "\n"
/* Lines 1-3 without rules, for rows about rules: on line 4. */
#define NOR "name: mini\nversion: 1.2.0\ntitle: A small pack\n"

/* After "DIR/pack.yaml:". */
#define AT(line, col, what) #line ":" #col ": error: " what

#define TYPES                                                              \
	"'type' must be integer, number, string, boolean, date, days or "  \
	"enum, or a list of one as [string]"
#define INSIDE "must be a path inside the pack, without '..' or hidden parts"
#define NOT_SEMVER(v) "'version': '" v "' is not a semantic version: "

static const struct bad_manifest {
	const char *name;
	const char *yaml;
	const char *files[3]; /* besides a.lua, made with "-- x" in them */
	const char *msgs[MAX_MSGS];
} bad_manifests[] = {
	/* ---- keys ---- */
	{"missing every required key", "description: x\n", {NULL},
	 {AT(1, 1, "missing required key 'name'"),
	  AT(1, 1, "missing required key 'version'"),
	  AT(1, 1, "missing required key 'title'"),
	  AT(1, 1, "missing required key 'rules'")}},
	{"misspelt version",
	 "name: mini\ntitle: t\nverison: 1.2.0\nrules: [a.lua]\n", {NULL},
	 {AT(1, 1, "missing required key 'version'"),
	  AT(3, 1, "unknown key 'verison' (did you mean 'version'?)")}},
	{"unknown key without hint", MHEAD "colour: blue\n", {NULL},
	 {AT(5, 1, "unknown key 'colour'")}},
	{"duplicate key", MHEAD "title: again\n", {NULL},
	 {AT(5, 1, "duplicate key 'title'")}},
	{"a list, not a mapping", "- name: mini\n", {NULL},
	 {AT(1, 1, "pack.yaml must be a mapping, not a list")}},

	/* ---- name and version ---- */
	{"name not an id", "name: my pack\nversion: 1.2.0\ntitle: t\n"
			   "rules: [a.lua]\n", {NULL},
	 {AT(1, 7, "'name' 'my pack' is not a valid id (use letters, digits, "
		   "'_', '-' and '.')")}},
	{"name with a dot", "name: my.pack\nversion: 1.2.0\ntitle: t\n"
			    "rules: [a.lua]\n", {NULL},
	 {AT(1, 7, "'name' 'my.pack': a pack name has no '.'")}},
	{"name a list", "name: [mini]\nversion: 1.2.0\ntitle: t\n"
			"rules: [a.lua]\n", {NULL},
	 {AT(1, 7, "'name' must be a string, not a list")}},
	{"version not MAJOR.MINOR.PATCH", "name: mini\nversion: 1.2\ntitle: t\n"
					  "rules: [a.lua]\n", {NULL},
	 {AT(2, 10, NOT_SEMVER("1.2") "expected MAJOR.MINOR.PATCH")}},
	{"version with a v", "name: mini\nversion: v1.2.0\ntitle: t\n"
			     "rules: [a.lua]\n", {NULL},
	 {AT(2, 10, NOT_SEMVER("v1.2.0") "leading 'v' not allowed")}},
	{"version with a leading zero", "name: mini\nversion: 1.02.0\n"
					"title: t\nrules: [a.lua]\n", {NULL},
	 {AT(2, 10, NOT_SEMVER("1.02.0") "leading zero in 'MINOR'")}},

	/* ---- requires and depends ---- */
	{"requires not a range", MHEAD "requires: \">=one\"\n", {NULL},
	 {AT(5, 11, "'requires': '>=one' is not a version range: bad version "
		    "'one' in range")}},
	{"requires a later uptake", MHEAD "requires: \">=1.0\"\n", {NULL},
	 {AT(5, 11, "this pack requires uptake >=1.0; this is uptake 0.2.0")}},
	{"requires an earlier uptake", MHEAD "requires: \"~0.1.4\"\n", {NULL},
	 {AT(5, 11, "this pack requires uptake ~0.1.4; this is uptake "
		    "0.2.0")}},
	{"depends on itself", MHEAD "depends: {mini: \"^1.0\"}\n", {NULL},
	 {AT(5, 11, "a pack cannot depend on itself")}},
	{"depends with a bad range", MHEAD "depends: {other: \"^1.y\"}\n",
	 {NULL},
	 {AT(5, 18, "dependency 'other': '^1.y' is not a version range: bad "
		    "version '1.y' in range")}},
	{"depends with an unknown operator",
	 MHEAD "depends: {other: \"=>1\"}\n", {NULL},
	 {AT(5, 18, "dependency 'other': '=>1' is not a version range: "
		    "unknown operator '=>'")}},
	{"depends on a bad name", MHEAD "depends: {\"a b\": \"*\"}\n", {NULL},
	 {AT(5, 11, "a dependency 'a b' is not a valid id (use letters, "
		    "digits, '_', '-' and '.')")}},
	{"depends a list", MHEAD "depends: [other]\n", {NULL},
	 {AT(5, 10, "'depends' must be a mapping, not a list")}},
	/* A dependency is a directory on the search path: not '..'. */
	{"depends on ..", MHEAD "depends: {\"..\": \"*\", \".\": \"*\", "
			     "a.b: \"*\"}\n", {NULL},
	 {AT(5, 11, "dependency '..': a pack name has no '.'"),
	  AT(5, 22, "dependency '.': a pack name has no '.'"),
	  AT(5, 32, "dependency 'a.b': a pack name has no '.'")}},

	/* ---- rules ---- */
	{"rules empty", NOR "rules: []\n", {NULL},
	 {AT(4, 8, "'rules' is empty: a pack has at least one rule file")}},
	{"rules a scalar", NOR "rules: a.lua\n", {NULL},
	 {AT(4, 8, "'rules' must be a list, not a scalar")}},
	{"rule not .lua", NOR "rules: [a.py]\n", {"a.py"},
	 {AT(4, 9, "rule file 'a.py' must be a .lua file")}},
	{"rule with ..", NOR "rules: [../a.lua]\n", {NULL},
	 {AT(4, 9, "rule file '../a.lua' " INSIDE)}},
	{"rule with .. inside", NOR "rules: [lib/../a.lua]\n", {"lib/x.lua"},
	 {AT(4, 9, "rule file 'lib/../a.lua' " INSIDE)}},
	{"rule absolute", NOR "rules: [/tmp/a.lua]\n", {NULL},
	 {AT(4, 9, "rule file '/tmp/a.lua' " INSIDE)}},
	{"rule hidden", NOR "rules: [lib/.a.lua]\n", {"lib/.a.lua"},
	 {AT(4, 9, "rule file 'lib/.a.lua' " INSIDE)}},
	{"rule missing", NOR "rules: [a.lua, b.lua]\n", {NULL},
	 {AT(4, 16, "rule file 'b.lua' does not exist in the pack")}},
	{"rule a directory", NOR "rules: [d.lua]\n", {"d.lua/x.lua"},
	 {AT(4, 9, "rule file 'd.lua' does not exist in the pack")}},
	{"rule listed twice", NOR "rules: [a.lua, a.lua]\n", {NULL},
	 {AT(4, 16, "rule file 'a.lua' is listed twice")}},
	/* Once per file, at its second item, not once per pair. */
	{"rules listed many times",
	 NOR "rules: [a.lua, b.lua, a.lua, a.lua, b.lua, a.lua]\n",
	 {"b.lua"},
	 {AT(4, 23, "rule file 'a.lua' is listed twice"),
	  AT(4, 37, "rule file 'b.lua' is listed twice")}},
	{"missing rule listed twice", NOR "rules: [a.lua, c.lua, c.lua]\n",
	 {NULL},
	 {AT(4, 16, "rule file 'c.lua' does not exist in the pack"),
	  AT(4, 23, "rule file 'c.lua' is listed twice")}},
	/* Each rule's problem at its own item, after an item skipped. */
	{"rule after a bad item", NOR "rules: [[x], a.lua, b.lua]\n", {NULL},
	 {AT(4, 9, "'rules' must be a string, not a list"),
	  AT(4, 21, "rule file 'b.lua' does not exist in the pack")}},

	/* ---- params: types ---- */
	{"type misspelt", PARAM("  p: {type: integr, default: 1, doc: d}"),
	 {NULL},
	 {AT(6, 13, "param 'p': " TYPES " (did you mean 'integer'?)")}},
	{"type unknown", PARAM("  p: {type: colour, default: x, doc: d}"),
	 {NULL}, {AT(6, 13, "param 'p': " TYPES)}},
	{"list type misspelt",
	 PARAM("  p: {type: [strng], default: [x], doc: d}"), {NULL},
	 {AT(6, 13, "param 'p': " TYPES " (did you mean 'string'?)")}},
	{"list type quoted",
	 PARAM("  p: {type: \"[string]\", default: [x], doc: d}"), {NULL},
	 {AT(6, 13, "param 'p': " TYPES " (write a list type unquoted: "
		    "type: [string])")}},
	{"list type of two",
	 PARAM("  p: {type: [string, integer], default: [x], doc: d}"), {NULL},
	 {AT(6, 13, "param 'p': " TYPES)}},

	/* ---- params: bounds and values ---- */
	{"min on a string",
	 PARAM("  p: {type: string, default: x, min: 1, doc: d}"), {NULL},
	 {AT(6, 38, "param 'p': 'min' and 'max' are for integer, number and "
		    "days")}},
	{"max on a boolean",
	 PARAM("  p: {type: boolean, default: true, max: 1, doc: d}"), {NULL},
	 {AT(6, 42, "param 'p': 'min' and 'max' are for integer, number and "
		    "days")}},
	{"max below min",
	 PARAM("  p: {type: integer, default: 5, min: 10, max: 1, doc: d}"),
	 {NULL}, {AT(6, 48, "param 'p': 'max' 1 is below 'min' 10")}},
	{"min not a number",
	 PARAM("  p: {type: number, default: 1, min: low, doc: d}"), {NULL},
	 {AT(6, 38, "param 'p': 'min' must be a number")}},
	/* Bounds are decimal, as values are: not strtod's other forms. */
	{"min in hex",
	 PARAM("  p: {type: number, default: 1, min: 0x1p-3, max: 0x10, "
	       "doc: d}"), {NULL},
	 {AT(6, 38, "param 'p': 'min' must be a number"),
	  AT(6, 51, "param 'p': 'max' must be a number")}},
	{"enum without values", PARAM("  p: {type: enum, default: a, doc: d}"),
	 {NULL}, {AT(6, 6, "param 'p': an enum needs 'values'")}},
	{"values on a string",
	 PARAM("  p: {type: string, values: [a], default: a, doc: d}"), {NULL},
	 {AT(6, 29, "param 'p': 'values' are for enum")}},
	{"enum value twice",
	 PARAM("  p: {type: enum, values: [a, b, a], default: a, doc: d}"),
	 {NULL}, {AT(6, 34, "param 'p': value 'a' is listed twice")}},
	/* Once per value, at its second item, not once per pair. */
	{"enum values many times",
	 PARAM("  p: {type: enum, values: [a, b, a, a, b, a, c], default: a, "
	       "doc: d}"),
	 {NULL}, {AT(6, 34, "param 'p': value 'a' is listed twice"),
		  AT(6, 40, "param 'p': value 'b' is listed twice")}},
	{"enum values empty",
	 PARAM("  p: {type: enum, values: [], default: a, doc: d}"), {NULL},
	 {AT(6, 27, "param 'p': 'values' is empty")}},

	/* ---- params: defaults ---- */
	{"default not whole",
	 PARAM("  p: {type: integer, default: 1.5, doc: d}"), {NULL},
	 {AT(6, 31, "param 'p': 'default' must be a whole number, not "
		    "'1.5'")}},
	{"default a hex float",
	 PARAM("  p: {type: number, default: 0x1p3, doc: d}"), {NULL},
	 {AT(6, 30, "param 'p': 'default' must be a number, not '0x1p3'")}},
	{"default above max",
	 PARAM("  p: {type: days, default: 400, min: 1, max: 365, doc: d}"),
	 {NULL},
	 {AT(6, 28, "param 'p': 'default' must be a whole number of days from "
		    "1 to 365, not '400'")}},
	{"default below min",
	 PARAM("  p: {type: number, default: -0.5, min: 0, doc: d}"), {NULL},
	 {AT(6, 30, "param 'p': 'default' must be a number of at least 0, "
		    "not '-0.5'")}},
	{"default not a value",
	 PARAM("  p: {type: enum, values: [hold, recycle], default: kill, "
	       "doc: d}"), {NULL},
	 {AT(6, 53, "param 'p': 'default' must be one of hold, recycle, not "
		    "'kill'")}},
	{"default yes", PARAM("  p: {type: boolean, default: yes, doc: d}"),
	 {NULL},
	 {AT(6, 31, "param 'p': 'default' must be true or false, not "
		    "'yes'")}},
	{"default no such day",
	 PARAM("  p: {type: date, default: 2026-02-30, doc: d}"), {NULL},
	 {AT(6, 28, "param 'p': 'default' must be a date (YYYY-MM-DD), not "
		    "'2026-02-30'")}},
	{"default a mapping",
	 PARAM("  p: {type: string, default: {a: 1}, doc: d}"), {NULL},
	 {AT(6, 30, "param 'p': 'default' must be a string, not a "
		    "mapping")}},
	{"list default with a bad item",
	 PARAM("  p: {type: [integer], default: [1, two, 3], doc: d}"), {NULL},
	 {AT(6, 37, "param 'p': 'default' must be a list, each item a whole "
		    "number, not 'two'")}},
	{"list default a scalar",
	 PARAM("  p: {type: [string], default: nurse, doc: d}"), {NULL},
	 {AT(6, 32, "param 'p': 'default' must be a list, each item a string, "
		    "not 'nurse'")}},

	/* ---- params: doc, keys and names ---- */
	{"doc missing", PARAM("  p: {type: string, default: x}"), {NULL},
	 {AT(6, 6, "param 'p' needs 'doc'")}},
	{"type and default missing", PARAM("  p: {doc: d, min: 1}"), {NULL},
	 {AT(6, 6, "param 'p' needs 'type'"),
	  AT(6, 6, "param 'p' needs 'default'")}},
	{"doc on two lines",
	 PARAM("  p: {type: string, default: x, doc: \"two\\nlines\"}"),
	 {NULL}, {AT(6, 38, "param 'p': 'doc' is one line")}},
	{"doc empty", PARAM("  p: {type: string, default: x, doc: ~}"), {NULL},
	 {AT(6, 38, "param 'p': 'doc' must be a string, not empty")}},
	{"param key misspelt",
	 PARAM("  p: {type: string, default: x, doc: d, dfault: y}"), {NULL},
	 {AT(6, 41, "unknown key 'dfault' (did you mean 'default'?)")}},
	{"param name with a dot",
	 PARAM("  bad.name: {type: string, default: x, doc: d}"), {NULL},
	 {AT(6, 3, "param 'bad.name' is not a valid name (use letters, "
		   "digits, '_' and '-')")}},
	{"param twice",
	 PARAM("  p: {type: string, default: x, doc: d}\n"
	       "  p: {type: string, default: y, doc: d}"), {NULL},
	 {AT(7, 3, "param 'p' is declared twice")}},
	{"param three times",
	 PARAM("  p: {type: string, default: x, doc: d}\n"
	       "  q: {type: string, default: x, doc: d}\n"
	       "  p: {type: string, default: y, doc: d}\n"
	       "  p: {type: string, default: z, doc: d}"), {NULL},
	 {AT(8, 3, "param 'p' is declared twice")}},
	{"param a scalar", PARAM("  p: 3"), {NULL},
	 {AT(6, 6, "a param must be a mapping, not a scalar")}},
	{"params a list", MHEAD "params: [p]\n", {NULL},
	 {AT(5, 9, "'params' must be a mapping, not a list")}},

	/*
	 * All at once, in file order; a parameter's default is not judged
	 * against bounds or values that are themselves wrong, whatever came
	 * before it.
	 */
	{"several at once",
	 "name: my pack\n"
	 "version: 1.2\n"
	 "title: t\n"
	 "rules: [a.lua, a.lua, ../b.lua]\n"
	 "depends: {x: \"*\"}\n"
	 "params:\n"
	 "  p: {type: integer, default: 5, min: 10, max: 1, doc: d}\n"
	 "  q: {type: enum, default: a, doc: d}\n"
	 "licence: MIT\n",
	 {NULL},
	 {AT(1, 7, "'name' 'my pack' is not a valid id (use letters, digits, "
		   "'_', '-' and '.')"),
	  AT(2, 10, NOT_SEMVER("1.2") "expected MAJOR.MINOR.PATCH"),
	  AT(4, 16, "rule file 'a.lua' is listed twice"),
	  AT(4, 23, "rule file '../b.lua' " INSIDE),
	  AT(7, 48, "param 'p': 'max' 1 is below 'min' 10"),
	  AT(8, 6, "param 'q': an enum needs 'values'"),
	  AT(9, 1, "unknown key 'licence' (did you mean 'license'?)")}},
};

START_TEST(bad_manifest)
{
	const struct bad_manifest *b = &bad_manifests[_i];
	tu_write(dir, "pack.yaml", b->yaml);
	tu_write(dir, "a.lua", "-- a\n");
	for (size_t i = 0; i < UP_COUNTOF(b->files) && b->files[i]; i++)
		tu_write(dir, b->files[i], "-- x\n");
	up_pack *pk = (up_pack *)&pk; /* must come back NULL */
	int rc = up_pack_load(&pk, dir, err);
	ck_assert_msg(rc == UP_EINPUT, "%s: rc %d:%s", b->name, rc, messages());
	ck_assert_ptr_null(pk);
	ck_assert_int_eq(up_error_code(err), UP_EINPUT);
	char *prefix = up_xasprintf("%s/pack.yaml:", dir);
	expect_messages(b->name, prefix, b->msgs);
	free(prefix);
}
END_TEST

START_TEST(missing_manifest)
{
	up_pack *pk = NULL;
	ck_assert_int_eq(up_pack_load(&pk, dir, err), UP_EINPUT);
	ck_assert_ptr_null(pk);
	static const char *const want[] = {
		"pack.yaml: error: cannot read: No such file or directory",
		NULL};
	char *prefix = up_xasprintf("%s/", dir);
	expect_messages("missing", prefix, want);
	free(prefix);
}
END_TEST

/* ---- a good manifest, read back ---- */

static const char good_manifest[] =
	"name: clinician-buy-in\n"
	"version: 1.0.0-rc.1+build.5\n"
	"title: Clinicians before the sale\n"
	"description: >\n"
	"  Front-line clinicians\n"
	"  consulted.\n"
	"authors: [Ann Example, Bob Example]\n"
	"license: MIT\n"
	"requires: \">=0.2 <1\"\n"
	"depends: {other-pack: \"^1.0\", third: \"~2.1.0 || >=3\"}\n"
	"rules: [golive.lua, contract/contract.lua]\n"
	"params:\n"
	"  champion_active_days:\n"
	"    type: days\n"
	"    default: 90\n"
	"    min: 1\n"
	"    max: 365\n"
	"    doc: A champion counts as active when seen within this many days\n"
	"  share: {type: number, default: 0.25, min: 0, max: 1, doc: a share}\n"
	"  count: {type: integer, default: -3, min: -10, doc: a count}\n"
	"  whole_share: {type: number, default: 1, doc: a real written "
	"whole}\n"
	"  word: {type: string, default: \"007\", doc: a word}\n"
	"  on: {type: boolean, default: true, doc: a switch}\n"
	"  since: {type: date, default: 2026-02-28, doc: a day}\n"
	"  front_line_roles:\n"
	"    type: [string]\n"
	"    default: [surgeon, physician, nurse]\n"
	"    doc: Roles that count as front-line clinicians\n"
	"  weeks: {type: [integer], default: [], max: 52, doc: weeks}\n"
	"  on_missing:\n"
	"    type: enum\n"
	"    values: [hold, recycle]\n"
	"    default: recycle\n"
	"    doc: What a missing champion does to the gate\n";

START_TEST(good_manifest_reads_back)
{
	tu_write(dir, "pack.yaml", good_manifest);
	tu_write(dir, "golive.lua", "-- golive\n");
	tu_write(dir, "contract/contract.lua", "-- contract\n");
	up_pack *pk = NULL;
	int rc = up_pack_load(&pk, dir, err);
	ck_assert_msg(rc == UP_OK, "load:%s", messages());
	ck_assert_uint_eq(up_error_count(err), 0);
	ck_assert_ptr_nonnull(pk);
	ck_assert_str_eq(pk->dir, dir);
	char *file = tu_path(dir, "pack.yaml");
	ck_assert_str_eq(pk->file, file);
	free(file);
	char sum[65];
	up_sha256_hex(good_manifest, strlen(good_manifest), sum);
	ck_assert_str_eq(pk->manifest_sha256, sum);

	ck_assert_str_eq(pk->name, "clinician-buy-in");
	ck_assert_str_eq(pk->version_s, "1.0.0-rc.1"); /* build dropped */
	ck_assert_int_eq(pk->version.major, 1);
	ck_assert_int_eq(pk->version.minor, 0);
	ck_assert_int_eq(pk->version.patch, 0);
	ck_assert_str_eq(pk->version.pre, "rc.1");
	ck_assert_str_eq(pk->title, "Clinicians before the sale");
	ck_assert_str_eq(pk->description, "Front-line clinicians consulted.\n");
	ck_assert_str_eq(pk->license, "MIT");
	ck_assert_str_eq(pk->requires, ">=0.2 <1");
	ck_assert_uint_eq(pk->nauthors, 2);
	ck_assert_str_eq(pk->authors[0], "Ann Example");
	ck_assert_str_eq(pk->authors[1], "Bob Example");

	ck_assert_uint_eq(pk->ndeps, 2);
	ck_assert_str_eq(pk->deps[0].name, "other-pack");
	ck_assert_str_eq(pk->deps[0].range, "^1.0");
	ck_assert_int_eq(pk->deps[0].line, 10);
	ck_assert_int_eq(pk->deps[0].col, 11);
	ck_assert_str_eq(pk->deps[1].name, "third");
	ck_assert_str_eq(pk->deps[1].range, "~2.1.0 || >=3");
	ck_assert_int_eq(pk->deps[1].col, 31);

	ck_assert_uint_eq(pk->nrules, 2); /* in the order written */
	ck_assert_str_eq(pk->rules[0], "golive.lua");
	ck_assert_str_eq(pk->rules[1], "contract/contract.lua");

	static const struct {
		const char *name, *type, *def, *desc;
		int has_min, has_max;
		double min, max;
	} want[] = {
		{"champion_active_days", "days", "90",
		 "a whole number of days from 1 to 365", 1, 1, 1, 365},
		{"share", "number", "0.25", "a number from 0 to 1", 1, 1, 0, 1},
		{"count", "integer", "-3", "a whole number of at least -10", 1,
		 0, -10, 0},
		{"whole_share", "number", "1.0", "a number", 0, 0, 0, 0},
		{"word", "string", "\"007\"", "a string", 0, 0, 0, 0},
		{"on", "boolean", "true", "true or false", 0, 0, 0, 0},
		{"since", "date", "\"2026-02-28\"", "a date (YYYY-MM-DD)", 0, 0,
		 0, 0},
		{"front_line_roles", "[string]",
		 "[\"surgeon\",\"physician\",\"nurse\"]",
		 "a list, each item a string", 0, 0, 0, 0},
		{"weeks", "[integer]", "[]",
		 "a list, each item a whole number of at most 52", 0, 1, 0, 52},
		{"on_missing", "enum", "\"recycle\"", "one of hold, recycle", 0,
		 0, 0, 0},
	};
	ck_assert_uint_eq(pk->nparams, UP_COUNTOF(want));
	for (size_t i = 0; i < UP_COUNTOF(want); i++) {
		const up_param *pm = &pk->params[i];
		char buf[200];
		ck_assert_str_eq(pm->name, want[i].name);
		ck_assert_ptr_eq(up_pack_param(pk, want[i].name), pm);
		ck_assert_str_eq(up_param_type_name(pm, buf, sizeof buf),
				 want[i].type);
		ck_assert_int_eq(pm->list, want[i].type[0] == '[');
		json_is(pm->def, want[i].def);
		up_param_describe(pm, buf, sizeof buf);
		ck_assert_str_eq(buf, want[i].desc);
		ck_assert_int_eq(pm->has_min, want[i].has_min);
		ck_assert_int_eq(pm->has_max, want[i].has_max);
		if (pm->has_min)
			ck_assert_double_eq(pm->min, want[i].min);
		if (pm->has_max)
			ck_assert_double_eq(pm->max, want[i].max);
	}
	/* The JSON types themselves, not just their text. */
	ck_assert(json_is_integer(pk->params[0].def));
	ck_assert(json_is_real(pk->params[1].def));
	ck_assert(json_is_integer(pk->params[2].def));
	ck_assert(json_is_real(pk->params[3].def));
	ck_assert(json_is_string(pk->params[4].def));
	ck_assert(json_is_true(pk->params[5].def));
	ck_assert(json_is_array(pk->params[7].def));
	ck_assert_str_eq(pk->params[0].doc, "A champion counts as active when "
			 "seen within this many days");
	const up_param *e = &pk->params[9];
	ck_assert_int_eq(e->type, UP_PT_ENUM);
	ck_assert_uint_eq(e->nvalues, 2);
	ck_assert_str_eq(e->values[0], "hold");
	ck_assert_str_eq(e->values[1], "recycle");
	ck_assert_ptr_null(up_pack_param(pk, "nope"));
	up_pack_free(pk);
}
END_TEST

/* The optional keys may all be left out. */
START_TEST(minimal_manifest)
{
	tu_write(dir, "pack.yaml", "name: m\nversion: 0.0.1\ntitle: M\n"
		 "rules: [m.lua]\n");
	tu_write(dir, "m.lua", "-- m\n");
	up_pack *pk = NULL;
	int rc = up_pack_load(&pk, dir, err);
	ck_assert_msg(rc == UP_OK, "load:%s", messages());
	ck_assert_str_eq(pk->version_s, "0.0.1");
	ck_assert_ptr_null(pk->description);
	ck_assert_ptr_null(pk->license);
	ck_assert_ptr_null(pk->requires);
	ck_assert_uint_eq(pk->nauthors, 0);
	ck_assert_uint_eq(pk->ndeps, 0);
	ck_assert_uint_eq(pk->nparams, 0);
	ck_assert_uint_eq(pk->nrules, 1);
	up_pack_free(pk);
	up_pack_free(NULL);
}
END_TEST

/* ---- parameter values from program.yaml ---- */

/* Lines 1-5 of a program; its packs: entries start on line 6. */
#define PHEAD                                                              \
	"program: p\n"                                                     \
	"start: 2026-01-01\n"                                              \
	"stages: [a, b]\n"                                                 \
	"units: [{id: r, stage: a}]\n"                                     \
	"packs:\n"

/* A pack with a parameter of every type. */
static const char mini_manifest[] =
	"name: mini\n"
	"version: 1.2.0\n"
	"title: A small pack\n"
	"rules: [mini.lua]\n"
	"params:\n"
	"  n: {type: integer, default: 3, min: 0, max: 10, doc: a count}\n"
	"  x: {type: number, default: 0.5, doc: a share}\n"
	"  s: {type: string, default: hi, doc: a word}\n"
	"  b: {type: boolean, default: false, doc: a switch}\n"
	"  d: {type: date, default: 2026-01-01, doc: a day}\n"
	"  days: {type: days, default: 90, min: 1, max: 365, doc: how long}\n"
	"  mode: {type: enum, values: [hold, recycle], default: hold, "
	"doc: what}\n"
	"  roles: {type: [string], default: [nurse], doc: who}\n"
	"  counts: {type: [integer], default: [], doc: how many}\n";

static void write_mini(const char *where)
{
	char *f = up_xasprintf("%s/pack.yaml", where);
	tu_write(dir, f, mini_manifest);
	free(f);
	f = up_xasprintf("%s/mini.lua", where);
	tu_write(dir, f, "-- mini\n");
	free(f);
}

/* Writes program.yaml (PHEAD and PACKS) and loads it. */
static int load_program(const char *packs, up_program **out)
{
	char *yaml = up_xasprintf(PHEAD "%s", packs);
	tu_write(dir, "program.yaml", yaml);
	free(yaml);
	*out = (up_program *)out; /* must come back NULL on failure */
	return up_program_load(out, dir, err);
}

static up_program *load_program_ok(const char *packs)
{
	up_program *p = NULL;
	int rc = load_program(packs, &p);
	ck_assert_msg(rc == UP_OK, "load:%s", messages());
	ck_assert_uint_eq(up_error_count(err), 0);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* After "program.yaml:"; the value of with: starts at column 23. */
#define WAT(col, what) "6:" #col ": error: pack 'mini': " what

static const struct bad_with {
	const char *name;
	const char *with;
	const char *msgs[MAX_MSGS];
} bad_withs[] = {
	{"integer above max", "{n: 11}",
	 {WAT(27, "'n' must be a whole number from 0 to 10, not '11'")}},
	{"integer not whole", "{n: 2.5}",
	 {WAT(27, "'n' must be a whole number from 0 to 10, not '2.5'")}},
	{"integer quoted", "{n: \"3\"}",
	 {WAT(27, "'n' must be a whole number from 0 to 10, not '3'")}},
	{"integer in hex", "{n: 0x3}",
	 {WAT(27, "'n' must be a whole number from 0 to 10, not '0x3'")}},
	{"number a word", "{x: abc}",
	 {WAT(27, "'x' must be a number, not 'abc'")}},
	{"number infinite", "{x: inf}",
	 {WAT(27, "'x' must be a number, not 'inf'")}},
	/* Decimal notation only, not every form strtod takes. */
	{"number a hex float", "{x: 0x1p3}",
	 {WAT(27, "'x' must be a number, not '0x1p3'")}},
	{"number in hex", "{x: 0x10}",
	 {WAT(27, "'x' must be a number, not '0x10'")}},
	{"number nan", "{x: nan}",
	 {WAT(27, "'x' must be a number, not 'nan'")}},
	{"number ending in a point", "{x: 1.}",
	 {WAT(27, "'x' must be a number, not '1.'")}},
	{"number a bare exponent", "{x: 1e}",
	 {WAT(27, "'x' must be a number, not '1e'")}},
	{"number too large", "{x: 1e999}",
	 {WAT(27, "'x' must be a number, not '1e999'")}},
	{"integer with two signs", "{n: +-3}",
	 {WAT(27, "'n' must be a whole number from 0 to 10, not '+-3'")}},
	{"integer with an exponent", "{n: 1e1}",
	 {WAT(27, "'n' must be a whole number from 0 to 10, not '1e1'")}},
	{"number empty", "{x: }", /* libyaml places it at the '}' */
	 {WAT(27, "'x' must be a number, not ''")}},
	{"string a mapping", "{s: {a: 1}}",
	 {WAT(27, "'s' must be a string, not a mapping")}},
	{"string a list", "{s: [a]}",
	 {WAT(27, "'s' must be a string, not a list")}},
	{"string null", "{s: ~}",
	 {WAT(27, "'s' must be a string, not '~'")}},
	{"boolean yes", "{b: yes}",
	 {WAT(27, "'b' must be true or false, not 'yes'")}},
	{"boolean quoted", "{b: \"true\"}",
	 {WAT(27, "'b' must be true or false, not 'true'")}},
	{"date no such month", "{d: 2026-13-01}",
	 {WAT(27, "'d' must be a date (YYYY-MM-DD), not '2026-13-01'")}},
	{"date a word", "{d: tomorrow}",
	 {WAT(27, "'d' must be a date (YYYY-MM-DD), not 'tomorrow'")}},
	{"days above max", "{days: 400}",
	 {WAT(30, "'days' must be a whole number of days from 1 to 365, not "
		  "'400'")}},
	{"days below min", "{days: 0}",
	 {WAT(30, "'days' must be a whole number of days from 1 to 365, not "
		  "'0'")}},
	{"days not whole", "{days: 1.5}",
	 {WAT(30, "'days' must be a whole number of days from 1 to 365, not "
		  "'1.5'")}},
	{"days a mapping", "{days: {a: 1}}",
	 {WAT(30, "'days' must be a whole number of days from 1 to 365, not "
		  "a mapping")}},
	{"enum not a value", "{mode: kill}",
	 {WAT(30, "'mode' must be one of hold, recycle, not 'kill'")}},
	{"enum in the wrong case", "{mode: Hold}",
	 {WAT(30, "'mode' must be one of hold, recycle, not 'Hold'")}},
	{"list a scalar", "{roles: nurse}",
	 {WAT(31, "'roles' must be a list, each item a string, not "
		  "'nurse'")}},
	{"list with a list item", "{roles: [nurse, [x]]}",
	 {WAT(39, "'roles' must be a list, each item a string, not a "
		  "list")}},
	{"list of integers with a real", "{counts: [1, 2.5]}",
	 {WAT(36, "'counts' must be a list, each item a whole number, not "
		  "'2.5'")}},
	{"list a mapping", "{counts: {a: 1}}",
	 {WAT(32, "'counts' must be a list, each item a whole number, not a "
		  "mapping")}},
	{"unknown parameter with hint", "{dayz: 3}",
	 {WAT(24, "unknown parameter 'dayz' (did you mean 'days'?)")}},
	{"unknown parameter", "{colour: 3}",
	 {WAT(24, "unknown parameter 'colour'")}},
	/* Not last-wins: each key again is an error, at the key. */
	{"parameter twice", "{n: 1, x: 2, n: 2}",
	 {"6:36: error: duplicate key 'n'"}},
	{"with a list", "[1]",
	 {"6:23: error: 'with' must be a mapping, not a list"}},
	{"several at once", "{n: 11, b: maybe, dayz: 1}",
	 {WAT(27, "'n' must be a whole number from 0 to 10, not '11'"),
	  WAT(34, "'b' must be true or false, not 'maybe'"),
	  WAT(41, "unknown parameter 'dayz' (did you mean 'days'?)")}},
};

START_TEST(bad_with)
{
	const struct bad_with *b = &bad_withs[_i];
	write_mini("packs/mini");
	char *packs = up_xasprintf("  - {use: mini, with: %s}\n", b->with);
	up_program *p = NULL;
	int rc = load_program(packs, &p);
	free(packs);
	ck_assert_msg(rc == UP_EINPUT, "%s: rc %d:%s", b->name, rc, messages());
	ck_assert_ptr_null(p);
	expect_messages(b->name, "program.yaml:", b->msgs);
}
END_TEST

START_TEST(good_with_values)
{
	write_mini("packs/mini");
	up_program *p = load_program_ok(
		"  - use: mini\n"
		"    with: {n: 10, x: 2, s: \"42\", b: true, d: 2026-05-01,\n"
		"           days: 1, mode: recycle, roles: [a, \"b c\"],\n"
		"           counts: [-1, 0, 7]}\n");
	ck_assert_uint_eq(p->npacks, 1);
	const json_t *w = p->packs[0].params;
	json_is(w, "{\"b\":true,\"counts\":[-1,0,7],\"d\":\"2026-05-01\","
		   "\"days\":1,\"mode\":\"recycle\",\"n\":10,\"roles\":"
		   "[\"a\",\"b c\"],\"s\":\"42\",\"x\":2.0}");
	ck_assert(json_is_integer(json_object_get(w, "n")));
	ck_assert(json_is_real(json_object_get(w, "x")));
	ck_assert(json_is_string(json_object_get(w, "s")));
	ck_assert(json_is_true(json_object_get(w, "b")));
	ck_assert(json_is_integer(json_object_get(w, "days")));
	ck_assert(json_is_integer(json_array_get(json_object_get(w, "counts"),
						 0)));
	ck_assert_int_eq(p->packs[0].line, 6);
	ck_assert_int_eq(p->packs[0].col, 10);
	up_program_free(p);
}
END_TEST

/* Decimal notation in every form it has; '+' as '-' for both. */
START_TEST(decimal_values)
{
	static const struct {
		const char *with, *want;
	} rows[] = {
		{"{x: -.5e1}", "-5.0"},  {"{x: +.25}", "0.25"},
		{"{x: 1E+2}", "100.0"},  {"{x: 2.5e-1}", "0.25"},
		{"{x: +7}", "7.0"},      {"{x: 007}", "7.0"},
		{"{n: +3}", "3"},        {"{n: -0}", "0"},
		{"{n: 010}", "10"},
	};
	write_mini("packs/mini");
	for (size_t i = 0; i < UP_COUNTOF(rows); i++) {
		char *packs = up_xasprintf("  - {use: mini, with: %s}\n",
					   rows[i].with);
		up_program *p = load_program_ok(packs);
		free(packs);
		const char *name = rows[i].with[1] == 'x' ? "x" : "n";
		json_is(json_object_get(p->packs[0].params, name),
			rows[i].want);
		up_program_free(p);
	}
}
END_TEST

/* An override names each rule once. */
START_TEST(override_twice)
{
	write_mini("packs/mini");
	up_program *p = NULL;
	ck_assert_int_eq(load_program("  - use: mini\n"
				      "    override: {r: {must: false},\n"
				      "               r: {must: true}}\n", &p),
			 UP_EINPUT);
	ck_assert_ptr_null(p);
	static const char *const want[] = {
		"8:16: error: duplicate key 'r'", NULL};
	expect_messages("override twice", "program.yaml:", want);
}
END_TEST

START_TEST(defaults_fill_what_with_leaves_out)
{
	write_mini("packs/mini");
	up_program *p = load_program_ok(
		"  - {use: mini, with: {days: 30, b: false, x: -1.5e1}}\n");
	json_is(p->packs[0].params,
		"{\"b\":false,\"counts\":[],\"d\":\"2026-01-01\",\"days\":30,"
		"\"mode\":\"hold\",\"n\":3,\"roles\":[\"nurse\"],\"s\":\"hi\","
		"\"x\":-15.0}");
	ck_assert(json_is_false(json_object_get(p->packs[0].params, "b")));
	up_program_free(p);

	/* No with: at all: every default. */
	p = load_program_ok("  - use: mini\n");
	json_is(p->packs[0].params,
		"{\"b\":false,\"counts\":[],\"d\":\"2026-01-01\",\"days\":90,"
		"\"mode\":\"hold\",\"n\":3,\"roles\":[\"nurse\"],\"s\":\"hi\","
		"\"x\":0.5}");
	up_program_free(p);
}
END_TEST

/* ---- the search path ---- */

/* A pack NAME at VERSION in DIR/WHERE with one rule file and DEPENDS (a
 * flow mapping or NULL). */
static void write_pack(const char *where, const char *name,
		       const char *version, const char *depends)
{
	char *yaml = up_xasprintf("name: %s\nversion: %s\ntitle: %s\n"
				  "rules: [%s.lua]\n%s%s%s"
				  "params:\n"
				  "  k: {type: integer, default: 5, doc: k}\n",
				  name, version, name, name,
				  depends ? "depends: " : "",
				  depends ? depends : "", depends ? "\n" : "");
	char *f = up_xasprintf("%s/pack.yaml", where);
	tu_write(dir, f, yaml);
	free(f);
	f = up_xasprintf("%s/%s.lua", where, name);
	tu_write(dir, f, "-- rules\n");
	free(f);
	free(yaml);
}

/* UPTAKE_PACK_PATH: a directory that does not exist, then DIR/shared. */
static char *use_pack_path(void)
{
	char *shared = tu_path(dir, "shared");
	char *path = up_xasprintf("%s/none::%s", dir, shared);
	ck_assert_int_eq(setenv("UPTAKE_PACK_PATH", path, 1), 0);
	free(path);
	return shared;
}

START_TEST(program_packs_come_first)
{
	char *shared = use_pack_path();
	write_mini("packs/mini"); /* 1.2.0 */
	write_pack("shared/mini", "mini", "2.0.0", NULL);
	up_program *p = load_program_ok("  - use: mini\n");
	ck_assert_str_eq(p->packs[0].pack->version_s, "1.2.0");
	ck_assert_str_eq(p->packs[0].shown, "packs/mini");
	ck_assert_str_eq(p->packs[0].origin, "program");
	ck_assert_str_eq(p->rules[0].path, "mini/mini.lua");
	up_program_free(p);

	/* The first that satisfies the range wins, wherever it is. */
	p = load_program_ok("  - {use: mini, version: \"^2\"}\n");
	ck_assert_str_eq(p->packs[0].pack->version_s, "2.0.0");
	char *where = tu_path(shared, "mini");
	ck_assert_str_eq(p->packs[0].shown, where);
	ck_assert_str_eq(p->packs[0].origin, "path");
	json_is(p->packs[0].params, "{\"k\":5}");
	free(where);
	up_program_free(p);
	free(shared);
}
END_TEST

START_TEST(no_version_satisfies)
{
	char *shared = use_pack_path();
	write_mini("packs/mini");
	write_pack("shared/mini", "mini", "2.0.0", NULL);
	up_program *p = NULL;
	ck_assert_int_eq(load_program("  - {use: mini, version: \"^3\"}\n", &p),
			 UP_EINPUT);
	ck_assert_ptr_null(p);
	char *want = up_xasprintf("program.yaml:6:11: error: no version of "
				  "pack 'mini' satisfies '^3': found 1.2.0 in "
				  "packs/mini, 2.0.0 in %s/mini", shared);
	ck_assert_msg(up_error_count(err) == 1, "%s", messages());
	ck_assert_str_eq(up_error_message(err, 0), want);
	free(want);
	free(shared);
}
END_TEST

START_TEST(a_pack_by_path)
{
	write_pack("vendor/x", "xpack", "1.0.0", NULL);
	up_program *p =
		load_program_ok("  - {use: ./vendor/x, with: {k: 9}}\n");
	ck_assert_uint_eq(p->npacks, 1);
	ck_assert_str_eq(p->packs[0].pack->name, "xpack");
	ck_assert_str_eq(p->packs[0].shown, "./vendor/x");
	ck_assert_str_eq(p->packs[0].origin, "dir");
	json_is(p->packs[0].params, "{\"k\":9}");
	ck_assert_uint_eq(p->nrules, 1);
	ck_assert_str_eq(p->rules[0].path, "xpack/xpack.lua");
	ck_assert_str_eq(p->rules[0].src, "-- rules\n");
	up_program_free(p);

	/* A path is checked against version: too, and must hold a pack. */
	static const char *const want[] = {
		"6:11: error: pack 'xpack' (./vendor/x) is version 1.0.0, "
		"which does not satisfy '^2'",
		"7:11: error: './vendor/none' is not a pack: it has no "
		"pack.yaml",
		NULL};
	ck_assert_int_eq(load_program("  - {use: ./vendor/x, version: \"^2\"}\n"
				      "  - {use: ./vendor/none}\n", &p),
			 UP_EINPUT);
	expect_messages("by path", "program.yaml:", want);
}
END_TEST

START_TEST(dependencies_come_with_defaults)
{
	char *shared = use_pack_path();
	write_pack("packs/a", "a", "1.0.0", "{b: \"^1.1\"}");
	write_pack("shared/b", "b", "1.1.3", NULL);
	up_program *p = load_program_ok("  - {use: a, with: {k: 1}}\n");
	ck_assert_uint_eq(p->npacks, 2);
	const up_pack_use *a = &p->packs[0], *b = &p->packs[1];
	ck_assert_str_eq(a->pack->name, "a");
	ck_assert_ptr_null(a->needed_by);
	json_is(a->params, "{\"k\":1}");
	ck_assert_str_eq(b->pack->name, "b");
	ck_assert_str_eq(b->pack->version_s, "1.1.3");
	ck_assert_str_eq(b->origin, "path");
	ck_assert_str_eq(b->needed_by, "needed by a 1.0.0");
	ck_assert_int_eq(b->line, 0);
	json_is(b->params, "{\"k\":5}");
	ck_assert_uint_eq(p->nrules, 2);
	ck_assert_str_eq(p->rules[0].path, "a/a.lua");
	ck_assert_str_eq(p->rules[1].path, "b/b.lua");
	ck_assert_int_eq(p->rules[1].pack, 1);
	up_program_free(p);

	/* Used by the program itself, its version must satisfy the range. */
	write_pack("packs/b", "b", "2.0.0", NULL);
	ck_assert_int_eq(load_program("  - use: a\n  - use: b\n", &p),
			 UP_EINPUT);
	/* reported where the pack asks for it */
	static const char *const want[] = {
		"/packs/a/pack.yaml:5:11: error: needs 'b' ^1.1, but b 2.0.0 "
		"is used (packs/b, used by program.yaml)",
		NULL};
	expect_messages("conflict", dir, want);
	free(shared);
}
END_TEST

START_TEST(a_dependency_cycle)
{
	write_pack("packs/a", "a", "1.0.0", "{b: \"*\"}");
	write_pack("packs/b", "b", "1.0.0", "{a: \"*\"}");
	up_program *p = NULL;
	ck_assert_int_eq(load_program("  - use: a\n", &p), UP_EINPUT);
	ck_assert_ptr_null(p);
	static const char *const want[] = {
		"6:3: error: packs depend on each other in a cycle: "
		"a -> b -> a",
		NULL};
	expect_messages("cycle", "program.yaml:", want);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pack");
	TCase *tc = tcase_create("manifest");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, bad_manifest, 0,
			    (int)UP_COUNTOF(bad_manifests));
	tcase_add_test(tc, missing_manifest);
	tcase_add_test(tc, good_manifest_reads_back);
	tcase_add_test(tc, minimal_manifest);
	suite_add_tcase(s, tc);
	tc = tcase_create("with");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, bad_with, 0, (int)UP_COUNTOF(bad_withs));
	tcase_add_test(tc, good_with_values);
	tcase_add_test(tc, decimal_values);
	tcase_add_test(tc, override_twice);
	tcase_add_test(tc, defaults_fill_what_with_leaves_out);
	suite_add_tcase(s, tc);
	tc = tcase_create("search");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, program_packs_come_first);
	tcase_add_test(tc, no_version_satisfies);
	tcase_add_test(tc, a_pack_by_path);
	tcase_add_test(tc, dependencies_come_with_defaults);
	tcase_add_test(tc, a_dependency_cycle);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
