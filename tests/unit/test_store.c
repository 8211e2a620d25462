/*
 * test_store.c: the state database, on real SQLite files.
 *
 * What is pinned: a new store is created WAL with foreign keys and the
 * current schema; reopening changes nothing; a store from a newer uptake
 * is refused; a read-only open never creates a file; up_record writes a
 * whole fact or nothing; a cycle is stored with its results and decisions,
 * is deterministic for a date, sees nothing dated after that date; a
 * locked store yields UP_EBUSY and no write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <check.h>
#include <sqlite3.h>

#include "internal.h"
#include "testutil.h"

/* ---- fixtures ---- */

static const char program_yaml[] =
	"program: p\n"
	"start: 2026-01-01\n"
	"stages: [evaluate, procure, pilot, scale]\n"
	"units:\n"
	"  - {id: org, name: Org, stage: evaluate}\n"
	"  - {id: ward, name: Ward, parent: org, stage: pilot}\n"
	"people:\n"
	"  - {id: dr-lind, name: Dr Lind, unit: ward, "
	"roles: [clinician_champion], engagement: consulted}\n"
	"  - {id: nurse-ann, unit: ward, roles: [nurse]}\n"
	"rules: [rules/champion.lua]\n";

static const char champion_lua[] =
	"gate {\n"
	"  id = \"champion\", at = \"evaluate->procure\",\n"
	"  title = \"A bought-in clinician champion\",\n"
	"  check = function(ctx)\n"
	"    local champs = ctx:people{ role = \"clinician_champion\",\n"
	"      min_engagement = \"bought_in\", within = ctx.unit.id }\n"
	"    if #champs == 0 then\n"
	"      return fail(\"no bought-in clinician champion in %s\",\n"
	"                  ctx.unit.name)\n"
	"    end\n"
	"    return pass(\"%d champion(s)\", #champs, { first = champs[1].id })\n"
	"  end,\n"
	"}\n"
	"check {\n"
	"  id = \"pilot-meetings\", severity = \"low\", stages = { \"pilot\" },\n"
	"  check = function(ctx)\n"
	"    local m = ctx:events{ kind = \"meeting\", unit = ctx.unit.id }\n"
	"    return warn(\"%d meeting(s) in %s\", #m, ctx.unit.id)\n"
	"  end,\n"
	"}\n";

typedef struct {
	char *dir;
	up_program *prog;
	up_store *store;
	up_error *err;
} fixture;

static void messages_to(const up_error *err, char *out, size_t n)
{
	out[0] = '\0';
	for (size_t i = 0; i < up_error_count(err); i++) {
		size_t len = strlen(out);
		snprintf(out + len, n - len, "\n    %s",
			 up_error_message(err, i));
	}
}

/* A program with one rule file and a store at DIR/.uptake/state.db. */
static void setup(fixture *fx)
{
	char msgs[2000];
	fx->dir = tu_mkdtemp();
	fx->err = up_error_new();
	tu_write(fx->dir, "program.yaml", program_yaml);
	tu_write(fx->dir, "rules/champion.lua", champion_lua);
	int rc = up_program_load(&fx->prog, fx->dir, fx->err);
	messages_to(fx->err, msgs, sizeof msgs);
	ck_assert_msg(rc == UP_OK, "load: %s", msgs);
	rc = up_store_open(&fx->store, fx->dir, NULL, 0, fx->err);
	messages_to(fx->err, msgs, sizeof msgs);
	ck_assert_msg(rc == UP_OK, "open: %s", msgs);
}

static void teardown(fixture *fx)
{
	up_store_close(fx->store);
	up_program_free(fx->prog);
	up_error_free(fx->err);
	tu_rmtree(fx->dir);
	free(fx->dir);
}

static long long count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK,
		      "%s: %s", sql, sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	long long n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The first column of the first row as text (malloc'ed), or NULL. */
static char *text1(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK,
		      "%s: %s", sql, sqlite3_errmsg(db));
	char *out = NULL;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		out = up_xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static void expect_text(sqlite3 *db, const char *sql, const char *want)
{
	char *got = text1(db, sql);
	ck_assert_msg(got && !strcmp(got, want), "%s:\n    got  %s\n    want %s",
		      sql, got ? got : "(null)", want);
	free(got);
}

/* PRAGMA integrity_check is "ok" and foreign_key_check finds nothing. */
static void expect_sound(sqlite3 *db)
{
	expect_text(db, "PRAGMA integrity_check", "ok");
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1,
					    &st, NULL), SQLITE_OK);
	int step = sqlite3_step(st);
	ck_assert_msg(step == SQLITE_DONE, "foreign_key_check: table %s",
		      step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0)
					 : sqlite3_errmsg(db));
	sqlite3_finalize(st);
}

static int exists_path(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

static void expect_one_message(const up_error *err, const char *want)
{
	char msgs[4000];
	messages_to(err, msgs, sizeof msgs);
	ck_assert_msg(up_error_count(err) == 1 &&
		      !strcmp(up_error_message(err, 0), want),
		      "want one message:\n    %s\ngot:%s", want, msgs);
}

/* ---- opening ---- */

START_TEST(new_store_is_created_and_configured)
{
	char *dir = tu_mkdtemp();
	char *path = tu_path(dir, ".uptake/state.db");
	up_error *err = up_error_new();
	up_store *s = NULL;
	ck_assert(!exists_path(path));
	ck_assert_int_eq(up_store_open(&s, dir, NULL, 0, err), UP_OK);
	ck_assert_uint_eq(up_error_count(err), 0);
	ck_assert(exists_path(path));
	sqlite3 *db = up_store_db(s);
	ck_assert_int_eq(count(db, "PRAGMA user_version"),
			 up_store_schema_version());
	ck_assert_int_ge(up_store_schema_version(), 1);
	expect_text(db, "PRAGMA journal_mode", "wal");
	ck_assert_int_eq(count(db, "PRAGMA foreign_keys"), 1);
	expect_text(db, "PRAGMA integrity_check", "ok");
	static const char *const tables[] = {
		"units", "people", "engagements", "events", "event_people",
		"cycles", "cycle_files", "results", "decisions"};
	for (size_t i = 0; i < UP_COUNTOF(tables); i++) {
		char *sql = up_xasprintf("SELECT count(*) FROM sqlite_schema "
					 "WHERE type = 'table' AND name = '%s'",
					 tables[i]);
		ck_assert_msg(count(db, sql) == 1, "no table %s", tables[i]);
		free(sql);
	}
	up_store_close(s);
	up_store_close(NULL); /* NULL-safe */

	/* An explicit path is created as given, with no .uptake beside it. */
	char *other = tu_path(dir, "elsewhere.db");
	ck_assert_int_eq(up_store_open(&s, dir, other, 0, err), UP_OK);
	ck_assert(exists_path(other));
	ck_assert_int_eq(count(up_store_db(s), "PRAGMA user_version"),
			 up_store_schema_version());
	up_store_close(s);
	free(other);
	up_error_free(err);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(reopening_keeps_data)
{
	fixture fx;
	setup(&fx);
	static const char *const n[] = {"person", "level", "date", "note"};
	static const char *const v[] = {"dr-lind", "involved", "2026-02-01",
					"met twice"};
	long long id = 0;
	ck_assert_int_eq(up_record(fx.store, fx.prog, "engagement", 4, n, v,
				   &id, fx.err), UP_OK);
	sqlite3 *db = up_store_db(fx.store);
	char *schema = text1(db, "SELECT group_concat(sql, ';') FROM "
				 "(SELECT sql FROM sqlite_schema ORDER BY name)");
	long long units = count(db, "SELECT count(*) FROM units");
	up_store_close(fx.store);
	fx.store = NULL;
	for (int round = 0; round < 2; round++) {
		ck_assert_int_eq(up_store_open(&fx.store, fx.dir, NULL, 0,
					       fx.err), UP_OK);
		db = up_store_db(fx.store);
		ck_assert_int_eq(count(db, "PRAGMA user_version"),
				 up_store_schema_version());
		char *again = text1(db, "SELECT group_concat(sql, ';') FROM "
					"(SELECT sql FROM sqlite_schema ORDER BY "
					"name)");
		ck_assert_str_eq(again, schema);
		free(again);
		ck_assert_int_eq(count(db, "SELECT count(*) FROM units"), units);
		char *sql = up_xasprintf("SELECT level || '/' || date || '/' || "
					 "note FROM engagements WHERE id = %lld",
					 id);
		expect_text(db, sql, "involved/2026-02-01/met twice");
		free(sql);
		expect_sound(db);
		up_store_close(fx.store);
		fx.store = NULL;
	}
	free(schema);
	ck_assert_uint_eq(up_error_count(fx.err), 0);
	teardown(&fx);
}
END_TEST

START_TEST(newer_schema_is_refused)
{
	char *dir = tu_mkdtemp();
	char *path = tu_path(dir, "state.db");
	up_error *err = up_error_new();
	up_store *s = NULL;
	ck_assert_int_eq(up_store_open(&s, dir, path, 0, err), UP_OK);
	up_store_close(s);
	int newer = up_store_schema_version() + 7;
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	char *sql = up_xasprintf("PRAGMA user_version = %d", newer);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	free(sql);
	sqlite3_close(db);

	s = NULL;
	ck_assert_int_eq(up_store_open(&s, dir, path, 0, err), UP_EINPUT);
	ck_assert_ptr_null(s);
	char *want = up_xasprintf("error: %s has schema version %d, newer than "
				  "this uptake understands (%d); upgrade "
				  "uptake", path, newer,
				  up_store_schema_version());
	expect_one_message(err, want);
	free(want);
	ck_assert_int_eq(up_error_code(err), UP_EINPUT);

	/* Refused, not rewritten. */
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(count(db, "PRAGMA user_version"), newer);
	sqlite3_close(db);
	up_error_free(err);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(readonly_open_of_missing_store)
{
	char *dir = tu_mkdtemp();
	char *uptake_dir = tu_path(dir, ".uptake");
	char *path = tu_path(dir, ".uptake/state.db");
	up_error *err = up_error_new();
	up_store *s = NULL;
	ck_assert_int_eq(up_store_open(&s, dir, NULL, UP_STORE_READONLY, err),
			 UP_EINPUT);
	ck_assert_ptr_null(s);
	char *want = up_xasprintf("error: no state database at %s (run "
				  "'uptake cycle' first)", path);
	expect_one_message(err, want);
	free(want);
	ck_assert(!exists_path(path));
	ck_assert(!exists_path(uptake_dir));

	/* The same with --db. */
	up_error_clear(err);
	char *other = tu_path(dir, "other.db");
	ck_assert_int_eq(up_store_open(&s, dir, other, UP_STORE_READONLY, err),
			 UP_EINPUT);
	want = up_xasprintf("error: no state database at %s (run 'uptake "
			    "cycle' first)", other);
	expect_one_message(err, want);
	free(want);
	ck_assert(!exists_path(other));

	/* Once it exists, a read-only open works. */
	up_error_clear(err);
	ck_assert_int_eq(up_store_open(&s, dir, NULL, 0, err), UP_OK);
	up_store_close(s);
	ck_assert_int_eq(up_store_open(&s, dir, NULL, UP_STORE_READONLY, err),
			 UP_OK);
	ck_assert_int_eq(count(up_store_db(s), "PRAGMA user_version"),
			 up_store_schema_version());
	up_store_close(s);
	up_error_free(err);
	free(other);
	free(path);
	free(uptake_dir);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* ---- up_record ---- */

START_TEST(record_engagement_and_event)
{
	fixture fx;
	setup(&fx);
	sqlite3 *db = up_store_db(fx.store);
	static const char *const en[] = {"person", "level", "date", "note"};
	static const char *const ev[] = {"dr-lind", "bought_in", "2026-03-01",
					 "signed up to champion"};
	long long id = 0;
	ck_assert_int_eq(up_record(fx.store, fx.prog, "engagement", 4, en, ev,
				   &id, fx.err), UP_OK);
	ck_assert_int_gt(id, 0);
	char *sql = up_xasprintf("SELECT person || '|' || level || '|' || date"
				 " || '|' || note || '|' || source FROM "
				 "engagements WHERE id = %lld", id);
	expect_text(db, sql, "dr-lind|bought_in|2026-03-01|signed up to "
			     "champion|record");
	free(sql);
	/* The program's baseline stays on the person, not in the history. */
	ck_assert_int_eq(count(db, "SELECT count(*) FROM engagements"), 1);
	expect_text(db, "SELECT level || '|' || level_since FROM people WHERE "
			"id = 'dr-lind'", "consulted|2026-01-01");
	ck_assert_int_eq(count(db, "SELECT count(*) FROM units WHERE active"),
			 2);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM people WHERE active"),
			 2);
	expect_sound(db);

	static const char *const nn[] = {"kind", "date", "unit", "people",
					 "note", "attr", "attr", "attr"};
	static const char *const nv[] = {"meeting", "2026-03-02", "ward",
					 "nurse-ann,dr-lind", "kick-off",
					 "proposed_by=them", "outcome=held",
					 "in_person=yes"};
	long long eid = 0;
	ck_assert_int_eq(up_record(fx.store, fx.prog, "event", 8, nn, nv, &eid,
				   fx.err), UP_OK);
	ck_assert_int_gt(eid, 0);
	sql = up_xasprintf("SELECT kind || '|' || date || '|' || unit || '|' "
			   "|| note || '|' || attrs FROM events WHERE id = %lld",
			   eid);
	expect_text(db, sql, "meeting|2026-03-02|ward|kick-off|{\"in_person\":"
			     "\"yes\",\"outcome\":\"held\",\"proposed_by\":"
			     "\"them\"}");
	free(sql);
	sql = up_xasprintf("SELECT group_concat(person, ',') FROM (SELECT "
			   "person FROM event_people WHERE event = %lld ORDER BY "
			   "person)", eid);
	expect_text(db, sql, "dr-lind,nurse-ann");
	free(sql);
	expect_sound(db);

	/* An event with no unit, people or attributes. */
	static const char *const mn[] = {"kind", "date"};
	static const char *const mv[] = {"decision", "2026-03-03"};
	ck_assert_int_eq(up_record(fx.store, fx.prog, "event", 2, mn, mv, NULL,
				   fx.err), UP_OK);
	expect_text(db, "SELECT coalesce(unit, 'none') || '|' || attrs FROM "
			"events WHERE kind = 'decision'", "none|{}");
	ck_assert_int_eq(count(db, "SELECT count(*) FROM events"), 2);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM event_people"), 2);
	ck_assert_uint_eq(up_error_count(fx.err), 0);
	expect_sound(db);
	teardown(&fx);
}
END_TEST

static const struct bad_record {
	const char *name, *kind;
	size_t n;
	const char *names[8], *values[8];
	const char *msgs[6];
} bad_records[] = {
	{"unknown person with hint", "engagement", 3,
	 {"person", "level", "date"}, {"dr-lnd", "bought_in", "2026-03-01"},
	 {"error: unknown person 'dr-lnd' (did you mean 'dr-lind'?)"}},
	{"unknown person, nothing close", "engagement", 3,
	 {"person", "level", "date"}, {"someone", "bought_in", "2026-03-01"},
	 {"error: unknown person 'someone'"}},
	{"invalid date", "engagement", 3, {"person", "level", "date"},
	 {"dr-lind", "bought_in", "2026-02-30"},
	 {"error: --date: invalid date '2026-02-30': no such day in that "
	  "month"}},
	{"level off the ladder, with hint", "engagement", 3,
	 {"person", "level", "date"}, {"dr-lind", "bought-in", "2026-03-01"},
	 {"error: --level: 'bought-in' is not on the ladder (did you mean "
	  "'bought_in'?)"}},
	{"level off the ladder, without hint", "engagement", 3,
	 {"person", "level", "date"}, {"dr-lind", "thrilled", "2026-03-01"},
	 {"error: --level: 'thrilled' is not on the ladder (unaware, "
	  "informed, consulted, involved, bought_in)"}},
	{"level, date and person all wrong", "engagement", 3,
	 {"person", "level", "date"}, {"dr-lnd", "thrilled", "2026-13-01"},
	 {"error: --level: 'thrilled' is not on the ladder (unaware, "
	  "informed, consulted, involved, bought_in)",
	  "error: --date: invalid date '2026-13-01': month out of range "
	  "(01-12)",
	  "error: unknown person 'dr-lnd' (did you mean 'dr-lind'?)"}},
	{"missing fields", "engagement", 1, {"person"}, {"dr-lind"},
	 {"error: --level is required", "error: --date is required"}},
	{"field of the other kind", "engagement", 1, {"unit"}, {"ward"},
	 {"error: engagement has no field 'unit'"}},
	{"field given twice", "event", 3, {"kind", "date", "date"},
	 {"meeting", "2026-03-01", "2026-03-02"},
	 {"error: --date given twice"}},
	{"unknown kind of fact", "visit", 0, {0}, {0},
	 {"error: cannot record 'visit' (engagement, event, training, "
	  "leave, role or move)"}},
	{"training without a date, bad outcome", "training", 2,
	 {"person", "outcome"}, {"dr-lind", "so-so"},
	 {"error: --date is required"}},
	{"unknown unit", "event", 3, {"kind", "date", "unit"},
	 {"meeting", "2026-03-01", "wrd"},
	 {"error: unknown unit 'wrd' (did you mean 'ward'?)"}},
	{"unknown event kind", "event", 2, {"kind", "date"},
	 {"meting", "2026-03-01"},
	 {"error: --kind: unknown event kind 'meting' (did you mean "
	  "'meeting'?)"}},
	{"bad attribute value", "event", 4, {"kind", "date", "unit", "attr"},
	 {"meeting", "2026-03-01", "ward", "outcome=maybe"},
	 {"error: --attr outcome: 'maybe' is not one of "
	  "held|cancelled|no_show"}},
	{"attribute without '='", "event", 4, {"kind", "date", "unit", "attr"},
	 {"meeting", "2026-03-01", "ward", "outcome"},
	 {"error: --attr 'outcome' is not key=value"}},
	{"deliverable owner unknown", "event", 5,
	 {"kind", "date", "unit", "attr", "attr"},
	 {"deliverable", "2026-03-01", "ward", "due=2026-04-01", "owner=zed"},
	 {"error: unknown person 'zed'"}},
	{"deliverable due not a date", "event", 3, {"kind", "date", "attr"},
	 {"deliverable", "2026-03-01", "due=soon"},
	 {"error: --attr due: invalid date 'soon': expected a date as "
	  "YYYY-MM-DD"}},
	{"one unknown person among people", "event", 4,
	 {"kind", "date", "unit", "people"},
	 {"meeting", "2026-03-01", "ward", "dr-lind,nobody"},
	 {"error: unknown person 'nobody'"}},
	{"person listed twice", "event", 3, {"kind", "date", "people"},
	 {"meeting", "2026-03-01", "dr-lind,dr-lind"},
	 {"error: --people: 'dr-lind' is listed twice"}},
	{"every event field wrong at once", "event", 5,
	 {"kind", "date", "unit", "people", "attr"},
	 {"meting", "2026-02-30", "wrd", "nurse-an", "in_person=maybe"},
	 {"error: --kind: unknown event kind 'meting' (did you mean "
	  "'meeting'?)",
	  "error: --date: invalid date '2026-02-30': no such day in that "
	  "month",
	  "error: unknown unit 'wrd' (did you mean 'ward'?)",
	  "error: unknown person 'nurse-an' (did you mean 'nurse-ann'?)",
	  "error: --attr in_person: 'maybe' is not one of yes|no"}},
};

static const char counts_sql[] =
	"SELECT (SELECT count(*) FROM engagements) || '/' ||"
	" (SELECT count(*) FROM events) || '/' ||"
	" (SELECT count(*) FROM event_people) || '/' ||"
	" coalesce((SELECT group_concat(id) FROM engagements), '') || '/' ||"
	" (SELECT count(*) FROM units) || '/' || (SELECT count(*) FROM people)";

START_TEST(bad_record_writes_nothing)
{
	const struct bad_record *b = &bad_records[_i];
	fixture fx;
	setup(&fx);
	sqlite3 *db = up_store_db(fx.store);
	/* Some facts first, so "unchanged" is not just "still empty". */
	static const char *const en[] = {"person", "level", "date"};
	static const char *const ev[] = {"nurse-ann", "informed",
					 "2026-02-01"};
	ck_assert_int_eq(up_record(fx.store, fx.prog, "engagement", 3, en, ev,
				   NULL, fx.err), UP_OK);
	static const char *const nn[] = {"kind", "date", "people"};
	static const char *const nv[] = {"story", "2026-02-02", "nurse-ann"};
	ck_assert_int_eq(up_record(fx.store, fx.prog, "event", 3, nn, nv, NULL,
				   fx.err), UP_OK);
	char *before = text1(db, counts_sql);

	long long id = -1;
	int rc = up_record(fx.store, fx.prog, b->kind, b->n, b->names,
			   b->values, &id, fx.err);
	char msgs[4000];
	messages_to(fx.err, msgs, sizeof msgs);
	ck_assert_msg(rc == UP_EINPUT, "[%s] rc %d:%s", b->name, rc, msgs);
	ck_assert_int_eq(id, -1); /* untouched on failure */
	size_t want = 0;
	while (want < UP_COUNTOF(b->msgs) && b->msgs[want])
		want++;
	ck_assert_msg(up_error_count(fx.err) == want,
		      "[%s] %zu messages, want %zu:%s", b->name,
		      up_error_count(fx.err), want, msgs);
	for (size_t i = 0; i < want; i++)
		ck_assert_msg(!strcmp(up_error_message(fx.err, i), b->msgs[i]),
			      "[%s] message %zu:\n    got  %s\n    want %s",
			      b->name, i, up_error_message(fx.err, i),
			      b->msgs[i]);
	char *after = text1(db, counts_sql);
	ck_assert_str_eq(after, before);
	ck_assert_int_ne(sqlite3_get_autocommit(db), 0); /* no open txn */
	expect_sound(db);
	free(before);
	free(after);
	teardown(&fx);
}
END_TEST

/* ---- cycles ---- */

static up_cycle *run_cycle(fixture *fx, const char *as_of)
{
	up_cycle *c = NULL;
	int rc = up_cycle_run(&c, fx->store, fx->prog, as_of, fx->err);
	char msgs[4000];
	messages_to(fx->err, msgs, sizeof msgs);
	ck_assert_msg(rc == UP_OK, "cycle %s: rc %d:%s", as_of, rc, msgs);
	ck_assert_ptr_nonnull(c);
	return c;
}

static char *printed_json(const up_cycle *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(up_cycle_print(c, fp, UP_PRINT_JSON), UP_OK);
	fclose(fp);
	return buf;
}

/* Replaces the first FROM in S by TO, in place (same length). */
static void replace_once(char *s, const char *from, const char *to)
{
	ck_assert_uint_eq(strlen(from), strlen(to));
	char *at = strstr(s, from);
	ck_assert_msg(at != NULL, "no '%s' in %s", from, s);
	memcpy(at, to, strlen(to));
}

static char *decision(sqlite3 *db, long long cycle, const char *unit)
{
	char *sql = up_xasprintf("SELECT decision FROM decisions WHERE cycle ="
				 " %lld AND unit = '%s'", cycle, unit);
	char *d = text1(db, sql);
	free(sql);
	return d;
}

START_TEST(cycle_is_stored)
{
	fixture fx;
	setup(&fx);
	sqlite3 *db = up_store_db(fx.store);
	up_cycle *c = run_cycle(&fx, "2026-02-28");
	ck_assert_int_eq(up_cycle_number(c), 1);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM cycles"), 1);
	char *want = up_xasprintf("1|2026-02-28|%s", up_program_hash(fx.prog));
	expect_text(db, "SELECT id || '|' || as_of || '|' || program_hash FROM "
			"cycles", want);
	free(want);
	/* Every input file with its hash, for audit and replay. */
	want = up_xasprintf("program.yaml=%s,rules/champion.lua=%s",
			    up_program_hash(fx.prog), fx.prog->rules[0].hash);
	expect_text(db, "SELECT group_concat(path || '=' || sha256) FROM "
			"(SELECT * FROM cycle_files WHERE cycle = 1 ORDER BY path)",
		    want);
	free(want);

	/* org faces evaluate->procure with no bought-in champion: hold;
	 * no rule covers the ward's pilot->scale, so it has no decision,
	 * and no row */
	expect_text(db, "SELECT group_concat(unit || ' ' || gate || ' ' || "
			"decision || ' ' || coalesce(score, '-'), '; ') FROM "
			"(SELECT * FROM decisions WHERE cycle = 1 ORDER BY unit)",
		    "org evaluate->procure hold -");
	expect_text(db, "SELECT group_concat(unit || ' ' || coalesce(gate, '-')"
			" || ' ' || rule || ' ' || kind || ' ' || coalesce(must, '-') || "
			"' ' || "
			"status || ' ' || coalesce(severity, '-') || ' ' || "
			"message || ' ' || evidence || ' ' || source, '; ') FROM "
			"(SELECT * FROM results WHERE cycle = 1 ORDER BY unit)",
		    "org evaluate->procure champion criterion 1 fail - no "
		    "bought-in clinician champion in Org {} "
		    "rules/champion.lua:8; " /* the lines that decided */
		    "ward - pilot-meetings finding - warn low 0 meeting(s) in "
		    "ward {} rules/champion.lua:18");

	ck_assert_int_eq(up_cycle_has(c, "hold"), 1);
	ck_assert_int_eq(up_cycle_has(c, "go"), 0); /* ward: no decision */
	ck_assert_int_eq(up_cycle_has(c, "kill"), 0);
	ck_assert_int_eq(up_cycle_has(c, "warn"), 1);
	ck_assert_int_eq(up_cycle_has(c, "fail"), 0);
	ck_assert_int_eq(up_cycle_has(c, "error"), 0);
	ck_assert_int_eq(up_cycle_has(c, "maybe"), -1);

	/* The stored document is the one the cycle returned: its record,
	 * its units' rows and its reminders read back whole. */
	json_t *stored = NULL;
	ck_assert_int_eq(up_cycle_doc(fx.store, 1, NULL, UP_CYCLE_REMINDERS,
				      &stored, fx.err),
			 UP_OK);
	ck_assert_ptr_nonnull(stored);
	ck_assert(json_equal(stored, c->doc));
	ck_assert_str_eq(json_string_value(json_object_get(stored, "as_of")),
			 "2026-02-28");
	json_decref(stored);
	ck_assert_int_ne(sqlite3_get_autocommit(db), 0);
	expect_sound(db);
	up_cycle_free(c);
	up_cycle_free(NULL); /* NULL-safe */
	teardown(&fx);
}
END_TEST

START_TEST(same_date_same_json)
{
	fixture fx;
	setup(&fx);
	sqlite3 *db = up_store_db(fx.store);
	static const char *const nn[] = {"kind", "date", "unit", "people"};
	static const char *const nv[] = {"meeting", "2026-02-10", "ward",
					 "dr-lind,nurse-ann"};
	ck_assert_int_eq(up_record(fx.store, fx.prog, "event", 4, nn, nv, NULL,
				   fx.err), UP_OK);
	up_cycle *a = run_cycle(&fx, "2026-02-28");
	up_cycle *b = run_cycle(&fx, "2026-02-28");
	ck_assert_int_eq(up_cycle_number(a), 1);
	ck_assert_int_eq(up_cycle_number(b), 2);

	/* Printed: byte-identical once the cycle number is equalised. */
	char *ja = printed_json(a), *jb = printed_json(b);
	ck_assert_str_ne(ja, jb);
	replace_once(ja, "\"cycle\": 1,", "\"cycle\": 2,");
	ck_assert_str_eq(ja, jb);
	ck_assert(strstr(ja, "1 meeting(s) in ward") != NULL);
	free(ja);
	free(jb);

	/* Stored: the same. */
	char *da = text1(db, "SELECT doc FROM cycles WHERE id = 1");
	char *dbb = text1(db, "SELECT doc FROM cycles WHERE id = 2");
	replace_once(da, "\"cycle\":1,", "\"cycle\":2,");
	ck_assert_str_eq(da, dbb);
	free(da);
	free(dbb);

	/* And the rows: nothing in one cycle that is not in the other. */
	static const char cols[] = "unit, gate, rule, kind, must, status, "
				   "severity, score, message, evidence, source";
	char *sql = up_xasprintf("SELECT count(*) FROM (SELECT %s FROM results "
				 "WHERE cycle = 1 EXCEPT SELECT %s FROM results "
				 "WHERE cycle = 2)", cols, cols);
	ck_assert_int_eq(count(db, sql), 0);
	free(sql);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM results WHERE cycle = 1"),
			 count(db, "SELECT count(*) FROM results WHERE cycle = 2"));
	ck_assert_int_eq(count(db, "SELECT count(*) FROM (SELECT unit, gate, "
				   "decision, score FROM decisions WHERE cycle = 1 "
				   "EXCEPT SELECT unit, gate, decision, score FROM "
				   "decisions WHERE cycle = 2)"), 0);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM decisions"), 2); /* org, twice */
	expect_sound(db);
	up_cycle_free(a);
	up_cycle_free(b);
	teardown(&fx);
}
END_TEST

static const char *org_message(const up_cycle *c)
{
	json_t *org = json_array_get(json_object_get(c->doc, "units"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(org, "id")), "org");
	json_t *gate = json_array_get(json_object_get(org, "gates"), 0);
	json_t *crit = json_array_get(json_object_get(gate, "criteria"), 0);
	return json_string_value(json_object_get(crit, "message"));
}

START_TEST(later_facts_are_invisible)
{
	fixture fx;
	setup(&fx);
	sqlite3 *db = up_store_db(fx.store);
	/* The champion buys in, and the ward meets, on 1 March. */
	static const char *const en[] = {"person", "level", "date"};
	static const char *const ev[] = {"dr-lind", "bought_in", "2026-03-01"};
	ck_assert_int_eq(up_record(fx.store, fx.prog, "engagement", 3, en, ev,
				   NULL, fx.err), UP_OK);
	static const char *const mn[] = {"kind", "date", "unit"};
	static const char *const mv[] = {"meeting", "2026-03-01", "ward"};
	ck_assert_int_eq(up_record(fx.store, fx.prog, "event", 3, mn, mv, NULL,
				   fx.err), UP_OK);

	up_cycle *before = run_cycle(&fx, "2026-02-28");
	char *d = decision(db, 1, "org");
	ck_assert_str_eq(d, "hold");
	free(d);
	ck_assert_str_eq(org_message(before),
			 "no bought-in clinician champion in Org");
	ck_assert_int_eq(up_cycle_has(before, "hold"), 1);
	expect_text(db, "SELECT message FROM results WHERE cycle = 1 AND "
			"unit = 'ward'", "0 meeting(s) in ward");

	up_cycle *on = run_cycle(&fx, "2026-03-01");
	d = decision(db, 2, "org");
	ck_assert_str_eq(d, "go");
	free(d);
	ck_assert_str_eq(org_message(on), "1 champion(s)");
	ck_assert_int_eq(up_cycle_has(on, "hold"), 0);
	expect_text(db, "SELECT evidence FROM results WHERE cycle = 2 AND "
			"unit = 'org'", "{\"first\":\"dr-lind\"}");
	expect_text(db, "SELECT message FROM results WHERE cycle = 2 AND "
			"unit = 'ward'", "1 meeting(s) in ward");

	/* Replaying the earlier date gives the earlier answer. */
	up_cycle *again = run_cycle(&fx, "2026-02-28");
	d = decision(db, 3, "org");
	ck_assert_str_eq(d, "hold");
	free(d);
	char *j1 = printed_json(before), *j3 = printed_json(again);
	replace_once(j1, "\"cycle\": 1,", "\"cycle\": 3,");
	ck_assert_str_eq(j1, j3);
	free(j1);
	free(j3);
	expect_sound(db);
	up_cycle_free(before);
	up_cycle_free(on);
	up_cycle_free(again);
	teardown(&fx);
}
END_TEST

START_TEST(latest_cycle)
{
	fixture fx;
	setup(&fx);
	up_cycle *c = NULL;
	ck_assert_int_eq(up_cycle_latest(&c, fx.store, fx.err), UP_EINPUT);
	ck_assert_ptr_null(c);
	expect_one_message(fx.err, "error: no cycle has run yet (run 'uptake "
				   "cycle')");
	up_error_clear(fx.err);
	ck_assert_int_eq(count(up_store_db(fx.store),
			       "SELECT count(*) FROM cycles"), 0);

	static const char *const dates[] = {"2026-02-01", "2026-03-15",
					    "2026-01-10"};
	up_cycle *last = NULL;
	for (size_t i = 0; i < UP_COUNTOF(dates); i++) {
		up_cycle_free(last);
		last = run_cycle(&fx, dates[i]);
	}
	ck_assert_int_eq(up_cycle_latest(&c, fx.store, fx.err), UP_OK);
	ck_assert_uint_eq(up_error_count(fx.err), 0);
	/* The latest run, not the latest date. */
	ck_assert_int_eq(up_cycle_number(c), 3);
	ck_assert_str_eq(json_string_value(json_object_get(c->doc, "as_of")),
			 "2026-01-10");
	char *ja = printed_json(c), *jb = printed_json(last);
	ck_assert_str_eq(ja, jb);
	free(ja);
	free(jb);
	up_cycle_free(c);
	up_cycle_free(last);

	/* A bad as-of date runs nothing. */
	c = NULL;
	ck_assert_int_eq(up_cycle_run(&c, fx.store, fx.prog, "2026-02-30",
				      fx.err), UP_EINPUT);
	ck_assert_ptr_null(c);
	expect_one_message(fx.err, "error: invalid as-of date '2026-02-30' (no "
				   "such day in that month)");
	ck_assert_int_eq(count(up_store_db(fx.store),
			       "SELECT count(*) FROM cycles"), 3);
	teardown(&fx);
}
END_TEST

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(busy_store_writes_nothing)
{
	fixture fx;
	setup(&fx);
	sqlite3 *db = up_store_db(fx.store);
	char *path = tu_path(fx.dir, ".uptake/state.db");
	char *before = text1(db, counts_sql);

	sqlite3 *other;
	ck_assert_int_eq(sqlite3_open_v2(path, &other, SQLITE_OPEN_READWRITE,
					 NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
				      NULL), SQLITE_OK);

	static const char *const en[] = {"person", "level", "date"};
	static const char *const ev[] = {"dr-lind", "bought_in", "2026-03-01"};
	long long id = -1;
	double t0 = now_seconds();
	int rc = up_record(fx.store, fx.prog, "engagement", 3, en, ev, &id,
			   fx.err);
	double waited = now_seconds() - t0;
	ck_assert_int_eq(rc, UP_EBUSY);
	ck_assert_int_eq(up_error_code(fx.err), UP_EBUSY);
	ck_assert_int_eq(up_exit_status(rc), 75);
	ck_assert_int_eq(id, -1);
	ck_assert_msg(waited > 4.0, "gave up after %.2f s", waited);
	char *want = up_xasprintf("error: begin: the store %s is busy (another "
				  "uptake is using it); try again", path);
	expect_one_message(fx.err, want);
	free(want);
	ck_assert_int_ne(sqlite3_get_autocommit(db), 0);

	ck_assert_int_eq(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(other);
	char *after = text1(db, counts_sql);
	ck_assert_str_eq(after, before);
	expect_sound(db);

	/* Once the lock is gone the same record goes through. */
	up_error_clear(fx.err);
	ck_assert_int_eq(up_record(fx.store, fx.prog, "engagement", 3, en, ev,
				   &id, fx.err), UP_OK);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM engagements"), 1);
	free(before);
	free(after);
	free(path);
	teardown(&fx);
}
END_TEST

START_TEST(readers_do_not_wait_for_a_writer)
{
	fixture fx;
	setup(&fx);
	up_cycle_free(run_cycle(&fx, "2026-02-28"));
	char *path = tu_path(fx.dir, ".uptake/state.db");
	sqlite3 *other;
	ck_assert_int_eq(sqlite3_open_v2(path, &other, SQLITE_OPEN_READWRITE,
					 NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
				      NULL), SQLITE_OK);
	/* A running cycle holds the write lock; status must not wait. */
	double t0 = now_seconds();
	up_store *ro = NULL;
	up_cycle *c = NULL;
	ck_assert_int_eq(up_store_open(&ro, fx.dir, NULL, UP_STORE_READONLY,
				       fx.err), UP_OK);
	ck_assert_int_eq(up_cycle_latest(&c, ro, fx.err), UP_OK);
	ck_assert_msg(now_seconds() - t0 < 1.0, "a reader waited");
	ck_assert_int_eq(up_cycle_number(c), 1);
	up_cycle_free(c);
	up_store_close(ro);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	free(path);
	teardown(&fx);
}
END_TEST

START_TEST(people_exist_from_their_joined_date)
{
	fixture fx;
	setup(&fx);
	/* A champion who joins in September does not count in June. */
	char *yaml = up_xasprintf("%s", program_yaml);
	char *at = strstr(yaml, "engagement: consulted}");
	ck_assert_ptr_nonnull(at);
	char *text = up_xasprintf("%.*sengagement: bought_in, joined: "
				  "2026-09-01}%s", (int)(at - yaml), yaml,
				  at + strlen("engagement: consulted}"));
	tu_write(fx.dir, "program.yaml", text);
	up_program_free(fx.prog);
	fx.prog = NULL;
	ck_assert_int_eq(up_program_load(&fx.prog, fx.dir, fx.err), UP_OK);
	up_cycle *june = run_cycle(&fx, "2026-06-01");
	ck_assert_str_eq(org_message(june),
			 "no bought-in clinician champion in Org");
	up_cycle *autumn = run_cycle(&fx, "2026-09-01");
	ck_assert_str_eq(org_message(autumn), "1 champion(s)");
	up_cycle_free(june);
	up_cycle_free(autumn);
	free(yaml);
	free(text);
	teardown(&fx);
}
END_TEST

START_TEST(metrics_computed_by_rules)
{
	fixture fx;
	setup(&fx);
	tu_write(fx.dir, "rules/champion.lua",
		 "metric {\n"
		 "  id = 'engaged_share', target = 0.5, tolerance = 0.1,\n"
		 "  compute = function(ctx)\n"
		 "    local all = ctx:people{ within = ctx.unit.id }\n"
		 "    if #all == 0 then return nil end\n"
		 "    local n = #ctx:people{ within = ctx.unit.id, min_engagement = 'consulted' }\n"
		 "    return { numerator = n, denominator = #all }\n"
		 "  end,\n"
		 "}\n"
		 "metric { id = 'broken', target = 1, compute = function(ctx) return 'x' end }\n"
		 "gate { id = 'uses-it', at = 'evaluate->procure', check = function(ctx)\n"
		 "  local m = ctx:metric('engaged_share')\n"
		 "  return pass('%s %.2f', m.status, m.value)\n"
		 "end }\n");
	up_program_free(fx.prog);
	fx.prog = NULL;
	ck_assert_int_eq(up_program_load(&fx.prog, fx.dir, fx.err), UP_OK);
	up_cycle *c = run_cycle(&fx, "2026-02-28");
	/* dr-lind consulted, nurse-ann not: 1 of 2 */
	ck_assert_str_eq(org_message(c), "met 0.50"); /* reached */
	json_t *org = json_array_get(json_object_get(c->doc, "units"), 0);
	/* in declaration order */
	json_t *m = json_array_get(json_object_get(org, "metrics"), 1);
	ck_assert_str_eq(json_string_value(json_object_get(m, "metric")),
			 "broken");
	ck_assert_str_eq(json_string_value(json_object_get(m, "status")),
			 "no_data");
	m = json_array_get(json_object_get(org, "metrics"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(m, "metric")),
			 "engaged_share");
	ck_assert_double_eq(json_number_value(json_object_get(m, "numerator")), 1);
	ck_assert_double_eq(json_number_value(json_object_get(m, "denominator")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(m, "kind")),
			 "computed");
	json_t *top = json_object_get(c->doc, "metrics");
	ck_assert_uint_eq(json_array_size(top), 2);
	json_t *e = json_array_get(json_object_get(c->doc, "errors"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "message")),
			 "rules/champion.lua:10: metric 'broken' returned "
			 "neither a number, nil nor { value =, numerator =, "
			 "denominator = }");
	up_cycle_free(c);
	teardown(&fx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("open");
	tcase_add_test(tc, new_store_is_created_and_configured);
	tcase_add_test(tc, metrics_computed_by_rules);
	tcase_add_test(tc, readers_do_not_wait_for_a_writer);
	tcase_add_test(tc, people_exist_from_their_joined_date);
	tcase_add_test(tc, reopening_keeps_data);
	tcase_add_test(tc, newer_schema_is_refused);
	tcase_add_test(tc, readonly_open_of_missing_store);
	suite_add_tcase(s, tc);
	tc = tcase_create("record");
	tcase_add_test(tc, record_engagement_and_event);
	tcase_add_loop_test(tc, bad_record_writes_nothing, 0,
			    (int)UP_COUNTOF(bad_records));
	suite_add_tcase(s, tc);
	tc = tcase_create("cycle");
	tcase_add_test(tc, cycle_is_stored);
	tcase_add_test(tc, same_date_same_json);
	tcase_add_test(tc, later_facts_are_invisible);
	tcase_add_test(tc, latest_cycle);
	suite_add_tcase(s, tc);
	tc = tcase_create("busy");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, busy_store_writes_nothing);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
