/*
 * test_people.c: people who come and go, with dates (people.c, and the
 * people kinds of import.c), on real stores.
 *
 * What is pinned: a leave, a role taken on or given up and a move hold
 * from their date on, so the facts as of an earlier day see the person
 * as they were; leavers are kept apart from those present; a change that
 * contradicts the store is refused with a precise message and writes
 * nothing; a re-import of people turns what differs from what the file
 * said before into changes dated --as-of, never overwriting, refuses a
 * new name and warns of a new id with a known name; people_changes rows
 * are checked, dated and idempotent; a leaver's open reminders close
 * with the reason and nothing else does; a store from before people's
 * history (schema version 9) migrates and keeps its people.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sqlite3.h>

#include "internal.h"
#include "testutil.h"

static const char program_yaml[] =
	"program: people\n"
	"start: 2026-01-01\n"
	"stages: [pilot, scale]\n"
	"units:\n"
	"  - {id: org, name: Org, stage: pilot}\n"
	"  - {id: ward, name: Ward, parent: org, stage: pilot,"
	" go_live: 2026-02-02}\n"
	"  - {id: clinic, name: Clinic, parent: org, stage: pilot}\n"
	"people:\n"
	"  - {id: dr-lind, name: Dr Lind, unit: ward,"
	" roles: [physician, clinician_champion], engagement: consulted}\n"
	"  - {id: ann, name: Ann Berg, unit: ward, roles: [nurse]}\n"
	"  - {id: kim, name: Kim Sund, unit: clinic,"
	" roles: [first_line_manager], joined: 2026-02-01}\n";

static char *dir;
static up_error *err;
static up_program *prog;
static up_store *store;
static sqlite3 *db;

static void messages_to(const up_error *e, char *out, size_t n)
{
	out[0] = '\0';
	for (size_t i = 0; i < up_error_count(e); i++) {
		size_t len = strlen(out);
		snprintf(out + len, n - len, "\n    %s",
			 up_error_message(e, i));
	}
}

static void setup(void)
{
	char msgs[2000];
	dir = tu_mkdtemp();
	err = up_error_new();
	tu_write(dir, "program.yaml", program_yaml);
	int rc = up_program_load(&prog, dir, err);
	messages_to(err, msgs, sizeof msgs);
	ck_assert_msg(rc == UP_OK, "load: %s", msgs);
	rc = up_store_open(&store, dir, NULL, 0, err);
	messages_to(err, msgs, sizeof msgs);
	ck_assert_msg(rc == UP_OK, "open: %s", msgs);
	db = up_store_db(store);
	/* program.yaml's people in the store, as every command syncs them */
	ck_assert_int_eq(up_store_begin(store, err), UP_OK);
	ck_assert_int_eq(up_store_sync(store, prog, err), UP_OK);
	ck_assert_int_eq(up_store_commit(store, err), UP_OK);
}

static void teardown(void)
{
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	tu_rmtree(dir);
	free(dir);
}

/* The rows SQL returns, a line each, columns joined by '|'. */
static char *dump(const char *sql)
{
	sqlite3_stmt *st;
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK,
		      "%s: %s", sql, sqlite3_errmsg(db));
	up_buf b = {0};
	up_buf_puts(&b, "");
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			up_buf_printf(&b, "%s%s", i ? "|" : "", v ? v : "NULL");
		}
		up_buf_puts(&b, "\n");
	}
	sqlite3_finalize(st);
	return b.buf;
}

static void expect_dump(const char *sql, const char *want)
{
	char *got = dump(sql);
	ck_assert_msg(!strcmp(got, want), "%s:\n--- got\n%s--- want\n%s", sql,
		      got, want);
	free(got);
}

/* Everything a person's changes touch, for "nothing was written". */
static char *snapshot(void)
{
	static const char *const sql[] = {
		"SELECT * FROM people ORDER BY id",
		"SELECT id, person, change, value, date, note, source, batch,"
		" import_key FROM people_history ORDER BY id",
		"SELECT * FROM engagements ORDER BY id"};
	up_buf b = {0};
	up_buf_puts(&b, "");
	for (size_t i = 0; i < UP_COUNTOF(sql); i++) {
		char *d = dump(sql[i]);
		up_buf_printf(&b, "== %s\n%s", sql[i], d);
		free(d);
	}
	return b.buf;
}

/* up_record with fields "name=value" ...; the messages in *msgs. */
static int record(const char *kind, const char *const *fields, size_t n)
{
	const char *names[16], *values[16];
	char buf[16][200];
	ck_assert(n <= 16);
	for (size_t i = 0; i < n; i++) {
		snprintf(buf[i], sizeof buf[i], "%s", fields[i]);
		char *eq = strchr(buf[i], '=');
		ck_assert_ptr_nonnull(eq);
		*eq = '\0';
		names[i] = buf[i];
		values[i] = eq + 1;
	}
	up_error_clear(err);
	return up_record(store, prog, kind, n, names, values, NULL, err);
}

#define RECORD_OK(kind, ...)                                                \
	do {                                                                \
		const char *const f_[] = {__VA_ARGS__};                     \
		char m_[2000];                                              \
		int rc_ = record(kind, f_, UP_COUNTOF(f_));                 \
		messages_to(err, m_, sizeof m_);                            \
		ck_assert_msg(rc_ == UP_OK, "record %s:%s", kind, m_);      \
	} while (0)

/* The one message of err is WANT, and nothing was written. */
static void expect_refused(const char *kind, const char *const *fields,
			   size_t n, const char *want)
{
	char *before = snapshot();
	char msgs[2000];
	int rc = record(kind, fields, n);
	messages_to(err, msgs, sizeof msgs);
	ck_assert_msg(rc == UP_EINPUT && up_error_count(err) == 1 &&
		      !strcmp(up_error_message(err, 0), want),
		      "record %s: want\n    %s\ngot %d:%s", kind, want, rc, msgs);
	char *after = snapshot();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}

/* Facts as of DATE: "id@unit[roles]" of each present person and
 * "id@unit[roles] left D" of each leaver, space-separated. */
static char *who_where(const char *date)
{
	up_facts f;
	int32_t day;
	ck_assert_int_eq(up_date_parse(date, &day, NULL), UP_OK);
	ck_assert_int_eq(up_facts_load(&f, store, day, err), UP_OK);
	up_buf b = {0};
	up_buf_puts(&b, "");
	for (size_t i = 0; i < f.npeople + f.nleavers; i++) {
		const up_person *p = i < f.npeople ? &f.people[i]
						   : &f.leavers[i - f.npeople];
		char *roles = json_dumps(p->roles, JSON_COMPACT);
		up_buf_printf(&b, "%s%s@%s%s", b.len ? " " : "", p->id,
			      p->unit_ix >= 0 ? f.units[p->unit_ix].id : "-",
			      roles);
		if (p->left)
			up_buf_printf(&b, " left %s", p->left);
		ck_assert(!p->left == (i < f.npeople));
		free(roles);
	}
	up_facts_free(&f);
	return b.buf;
}

static void expect_people(const char *date, const char *want)
{
	char *got = who_where(date);
	ck_assert_msg(!strcmp(got, want), "as of %s:\n    got  %s\n    want %s",
		      date, got, want);
	free(got);
}

/* ---- importing ---- */

static up_buf changes; /* what on_person_change said, a line each */

static void on_person(void *ctx, const char *person, const char *what)
{
	(void)ctx;
	up_buf_printf(&changes, "%s: %s\n", person, what);
}

/* Imports TEXT as KIND (as of AS_OF, may be NULL): the code, with the
 * counts in *c and the listed changes in `changes`. */
static int import(const char *kind, const char *text, const char *as_of,
		  int dry, up_import_counts *c)
{
	tu_write(dir, "in.csv", text);
	char *path = tu_path(dir, "in.csv");
	up_import_opts o = {.as_of = as_of, .dry_run = dry,
			    .on_person_change = on_person};
	up_buf_free(&changes);
	up_buf_puts(&changes, "");
	up_error_clear(err);
	memset(c, 0, sizeof *c);
	int rc = up_import_with(store, prog, kind, path, &o, c, err);
	free(path);
	return rc;
}

static void import_ok(const char *kind, const char *text, const char *as_of,
		      long long added, long long changed, long long unchanged)
{
	up_import_counts c;
	char msgs[4000];
	int rc = import(kind, text, as_of, 0, &c);
	messages_to(err, msgs, sizeof msgs);
	ck_assert_msg(rc == UP_OK, "import %s: %d%s", kind, rc, msgs);
	ck_assert_msg(c.added == added && c.changed == changed &&
		      c.unchanged == unchanged, "import %s: %lld added, %lld "
		      "changed, %lld unchanged; want %lld, %lld, %lld", kind,
		      c.added, c.changed, c.unchanged, added, changed,
		      unchanged);
}

/* The import fails with exactly WANT ("@" for "PATH"), writing nothing. */
static void import_refused(const char *kind, const char *text,
			   const char *as_of, const char *const *want,
			   size_t n)
{
	char *before = snapshot();
	up_import_counts c;
	char msgs[4000];
	int rc = import(kind, text, as_of, 0, &c);
	messages_to(err, msgs, sizeof msgs);
	ck_assert_msg(rc == UP_EINPUT && up_error_count(err) == n,
		      "import %s: want %zu messages, got %d:%s", kind, n, rc,
		      msgs);
	char *path = tu_path(dir, "in.csv");
	for (size_t i = 0; i < n; i++) {
		char *full = up_xasprintf("%s%s", path, want[i] + 1);
		ck_assert_msg(!strcmp(up_error_message(err, i), full),
			      "message %zu:\n    got  %s\n    want %s", i,
			      up_error_message(err, i), full);
		free(full);
	}
	free(path);
	char *after = snapshot();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}

/* ---- dated changes ---- */

START_TEST(changes_hold_from_their_date)
{
	RECORD_OK("role", "person=ann", "add=clinician_champion",
		  "date=2026-03-01");
	RECORD_OK("move", "person=ann", "unit=clinic", "date=2026-04-01",
		  "note=covers for Kim");
	RECORD_OK("role", "person=dr-lind", "remove=clinician_champion",
		  "date=2026-03-15");
	RECORD_OK("leave", "person=dr-lind", "date=2026-05-01",
		  "note=retired");
	/* recorded out of date order: the dates decide */
	RECORD_OK("role", "person=dr-lind", "add=mentor", "date=2026-02-20");
	expect_people("2026-01-15",
		      "ann@ward[\"nurse\"] "
		      "dr-lind@ward[\"physician\",\"clinician_champion\"]");
	expect_people("2026-02-20",
		      "ann@ward[\"nurse\"] "
		      "dr-lind@ward[\"physician\",\"clinician_champion\","
		      "\"mentor\"] kim@clinic[\"first_line_manager\"]");
	expect_people("2026-03-01",
		      "ann@ward[\"nurse\",\"clinician_champion\"] "
		      "dr-lind@ward[\"physician\",\"clinician_champion\","
		      "\"mentor\"] kim@clinic[\"first_line_manager\"]");
	expect_people("2026-04-01",
		      "dr-lind@ward[\"physician\",\"mentor\"] "
		      "ann@clinic[\"nurse\",\"clinician_champion\"] "
		      "kim@clinic[\"first_line_manager\"]");
	expect_people("2026-04-30",
		      "dr-lind@ward[\"physician\",\"mentor\"] "
		      "ann@clinic[\"nurse\",\"clinician_champion\"] "
		      "kim@clinic[\"first_line_manager\"]");
	expect_people("2026-05-01",
		      "ann@clinic[\"nurse\",\"clinician_champion\"] "
		      "kim@clinic[\"first_line_manager\"] "
		      "dr-lind@ward[\"physician\",\"mentor\"] left 2026-05-01");
	/* the baseline is as program.yaml has it; the history beside it */
	expect_dump("SELECT id, unit, roles FROM people ORDER BY id",
		    "ann|ward|[\"nurse\"]\n"
		    "dr-lind|ward|[\"physician\",\"clinician_champion\"]\n"
		    "kim|clinic|[\"first_line_manager\"]\n");
	expect_dump("SELECT id, person, change, value, date, note, source,"
		    " batch, recorded_at IS NOT NULL FROM people_history"
		    " ORDER BY id",
		    "1|ann|add_role|clinician_champion|2026-03-01|NULL|record|"
		    "NULL|1\n"
		    "2|ann|move|clinic|2026-04-01|covers for Kim|record|NULL|1\n"
		    "3|dr-lind|remove_role|clinician_champion|2026-03-15|NULL|"
		    "record|NULL|1\n"
		    "4|dr-lind|leave|NULL|2026-05-01|retired|record|NULL|1\n"
		    "5|dr-lind|add_role|mentor|2026-02-20|NULL|record|NULL|1\n");
	/* a sync of program.yaml leaves the history be */
	ck_assert_int_eq(up_store_begin(store, err), UP_OK);
	ck_assert_int_eq(up_store_sync(store, prog, err), UP_OK);
	ck_assert_int_eq(up_store_commit(store, err), UP_OK);
	expect_people("2026-05-01",
		      "ann@clinic[\"nurse\",\"clinician_champion\"] "
		      "kim@clinic[\"first_line_manager\"] "
		      "dr-lind@ward[\"physician\",\"mentor\"] left 2026-05-01");
}
END_TEST

#define REFUSED(want, kind, ...)                                            \
	do {                                                                \
		const char *const f_[] = {__VA_ARGS__};                     \
		expect_refused(kind, f_, UP_COUNTOF(f_), want);             \
	} while (0)

START_TEST(contradictions_are_refused)
{
	REFUSED("error: --add: ann holds the role 'nurse' already on "
		"2026-03-01", "role", "person=ann", "add=nurse",
		"date=2026-03-01");
	REFUSED("error: --remove: ann does not hold the role 'nures' on "
		"2026-03-01 (did you mean 'nurse'?)", "role", "person=ann",
		"remove=nures", "date=2026-03-01");
	REFUSED("error: --remove: ann does not hold the role 'executive' on "
		"2026-03-01 (roles then: nurse)", "role", "person=ann",
		"remove=executive", "date=2026-03-01");
	REFUSED("error: --unit: ann is in 'ward' already on 2026-03-01",
		"move", "person=ann", "unit=ward", "date=2026-03-01");
	REFUSED("error: unknown unit 'wrd' (did you mean 'ward'?)", "move",
		"person=ann", "unit=wrd", "date=2026-03-01");
	REFUSED("error: unknown person 'anne' (did you mean 'ann'?)", "leave",
		"person=anne", "date=2026-03-01");
	REFUSED("error: --date: 2026-01-15 is before kim joined (2026-02-01)",
		"role", "person=kim", "add=nurse", "date=2026-01-15");
	REFUSED("error: give --add ROLE or --remove ROLE", "role",
		"person=ann", "add=a", "remove=nurse", "date=2026-03-01");
	REFUSED("error: give --add ROLE or --remove ROLE", "role",
		"person=ann", "date=2026-03-01");
	REFUSED("error: --add: 'a b' is not a valid role (use letters, "
		"digits, '_', '-' and '.')", "role", "person=ann", "add=a b",
		"date=2026-03-01");
	REFUSED("error: --unit is required", "move", "person=ann",
		"date=2026-03-01");
	REFUSED("error: leave has no field 'unit'", "leave", "person=ann",
		"unit=ward", "date=2026-03-01");
	RECORD_OK("leave", "person=dr-lind", "date=2026-05-01");
	REFUSED("error: --date: dr-lind left on 2026-05-01: nothing changes "
		"for someone who left", "role", "person=dr-lind", "add=mentor",
		"date=2026-05-01");
	REFUSED("error: --date: dr-lind left on 2026-05-01 already", "leave",
		"person=dr-lind", "date=2026-06-01");
	REFUSED("error: --date: dr-lind left on 2026-05-01 already", "leave",
		"person=dr-lind", "date=2026-04-01");
	/* before the leave, a change may still come in */
	RECORD_OK("role", "person=dr-lind", "add=mentor", "date=2026-04-30");
	RECORD_OK("move", "person=ann", "unit=clinic", "date=2026-06-01");
	REFUSED("error: --date: ann has a change dated 2026-06-01 (move "
		"clinic), on or after leaving: record the leave after it",
		"leave", "person=ann", "date=2026-05-15");
	RECORD_OK("leave", "person=ann", "date=2026-06-02");
}
END_TEST

/* ---- people again ---- */

static const char first_csv[] =
	"id,name,unit,roles,engagement\n"
	"zoe,Zoe Ek,ward,nurse,informed\n"
	"yan,Yan Li,ward,nurse;first_line_manager,\n";

static const char june_csv[] =
	"id,name,unit,roles,engagement\n"
	"zoe,Zoe Ek,clinic,nurse;ambassador,involved\n"
	"yan,Yan Li,ward,nurse;first_line_manager,\n";

static int level_of(const char *id, const char *date)
{
	up_facts f;
	int32_t day;
	ck_assert_int_eq(up_date_parse(date, &day, NULL), UP_OK);
	ck_assert_int_eq(up_facts_load(&f, store, day, err), UP_OK);
	int level = -2;
	for (size_t i = 0; i < f.npeople; i++)
		if (!strcmp(f.people[i].id, id))
			level = f.people[i].level;
	up_facts_free(&f);
	return level;
}

START_TEST(reimport_dates_what_changed)
{
	import_ok("people", first_csv, NULL, 2, 0, 0);
	import_ok("people", first_csv, "2026-06-01", 0, 0, 2);
	ck_assert_str_eq(changes.buf, "");
	char *before = snapshot();
	up_import_counts c;
	ck_assert_int_eq(import("people", june_csv, "2026-06-01", 1, &c),
			 UP_OK);
	ck_assert_int_eq(c.changed, 1);
	char *after = snapshot();
	ck_assert_str_eq(before, after); /* a dry run */
	free(before);
	free(after);
	import_ok("people", june_csv, "2026-06-01", 0, 1, 1);
	ck_assert_str_eq(changes.buf, "zoe: unit ward -> clinic, role "
			 "+ambassador, engagement informed -> involved from "
			 "2026-06-01\n");
	/* nothing written over: the baseline stays, the changes are dated */
	expect_dump("SELECT id, name, unit, roles, level, level_since FROM"
		    " people WHERE source = 'import' ORDER BY id",
		    "yan|Yan Li|ward|[\"nurse\",\"first_line_manager\"]|NULL|"
		    "NULL\n"
		    "zoe|Zoe Ek|ward|[\"nurse\"]|informed|2026-01-01\n");
	expect_dump("SELECT person, change, value, date, source, batch FROM"
		    " people_history ORDER BY id",
		    "zoe|move|clinic|2026-06-01|people|3\n"
		    "zoe|add_role|ambassador|2026-06-01|people|3\n");
	expect_dump("SELECT person, level, date, source FROM engagements",
		    "zoe|involved|2026-06-01|people\n");
	char *may = who_where("2026-05-31"), *june = who_where("2026-06-01");
	ck_assert_ptr_nonnull(strstr(may, "zoe@ward[\"nurse\"]"));
	ck_assert_ptr_nonnull(strstr(june,
				     "zoe@clinic[\"nurse\",\"ambassador\"]"));
	free(may);
	free(june);
	ck_assert_int_eq(level_of("zoe", "2026-05-31"),
			 up_level_index("informed"));
	ck_assert_int_eq(level_of("zoe", "2026-06-01"),
			 up_level_index("involved"));

	/* the same export again, on another day: nothing */
	import_ok("people", june_csv, "2026-07-01", 0, 0, 2);
	ck_assert_str_eq(changes.buf, "");
	/* a change recorded since stays when the same export comes again */
	RECORD_OK("role", "person=zoe", "remove=ambassador",
		  "date=2026-07-01");
	RECORD_OK("engagement", "person=zoe", "level=bought_in",
		  "date=2026-07-01");
	import_ok("people", june_csv, "2026-08-01", 0, 0, 2);
	char *aug = who_where("2026-08-01");
	ck_assert_ptr_nonnull(strstr(aug, "zoe@clinic[\"nurse\"]"));
	free(aug);
	ck_assert_int_eq(level_of("zoe", "2026-08-01"),
			 up_level_index("bought_in"));
	/* what the export drops is given up from --as-of */
	import_ok("people", "id,roles\nzoe,ambassador\n", "2026-09-01", 0, 1,
		  0);
	ck_assert_str_eq(changes.buf, "zoe: role -nurse from 2026-09-01\n");
	char *sep = who_where("2026-09-01");
	ck_assert_ptr_nonnull(strstr(sep, "zoe@clinic[]"));
	free(sep);
	/* an empty cell, or a missing column, changes nothing */
	import_ok("people", "id,unit,roles,engagement\nzoe,,,\n", "2026-10-01",
		  0, 0, 1);
}
END_TEST

START_TEST(reimport_renames_no_one)
{
	import_ok("people", first_csv, NULL, 2, 0, 0);
	static const char *const want[] = {
		"@:2: error: column 'name': person 'zoe' is 'Zoe Ek' in the "
		"store, not 'Zoe Eck': a re-import renames no one (is the id "
		"right?)"};
	import_refused("people", "id,name,unit,roles\n"
		       "zoe,Zoe Eck,clinic,nurse\n", "2026-06-01", want, 1);
	/* one imported with only an id may be named */
	import_ok("people", "id,unit\nxia,ward\n", NULL, 1, 0, 0);
	import_ok("people", "id,name\nxia,Xia Wu\n", NULL, 0, 1, 0);
	ck_assert_str_eq(changes.buf, "xia: named Xia Wu\n");
	expect_dump("SELECT name FROM people WHERE id = 'xia'", "Xia Wu\n");
	/* a new id with a known name is added, with a warning */
	import_ok("people", "id,name,unit\nzoey,Zoe Ek,ward\n"
		  "anna,Ann Berg,ward\n", NULL, 2, 0, 0);
	char *path = tu_path(dir, "in.csv");
	char *w1 = up_xasprintf("%s:2: warning: column 'id': new person "
				"'zoey' has the name of 'zoe' (Zoe Ek): is the "
				"id right?", path);
	char *w2 = up_xasprintf("%s:3: warning: column 'id': new person "
				"'anna' has the name of 'ann' (Ann Berg): is "
				"the id right?", path);
	ck_assert_int_eq(up_error_count(err), 2);
	ck_assert_str_eq(up_error_message(err, 0), w1);
	ck_assert_str_eq(up_error_message(err, 1), w2);
	ck_assert_int_eq(up_error_code(err), UP_OK);
	free(w1);
	free(w2);
	free(path);
	/* --as-of dates a re-import of people only */
	up_import_counts c;
	ck_assert_int_eq(import("trainings", "person,date\nzoe,2026-03-01\n",
				"2026-03-01", 0, &c), UP_EINPUT);
	ck_assert_str_eq(up_error_message(err, 0), "error: --as-of dates what "
			 "a re-import of people changes; trainings rows carry "
			 "their own dates");
	ck_assert_int_eq(import("people", first_csv, "2026-02-30", 0, &c),
			 UP_EINPUT);
	static const char bad[] = "error: --as-of: invalid date '2026-02-30': ";
	ck_assert_int_eq(strncmp(up_error_message(err, 0), bad,
				 strlen(bad)), 0);
}
END_TEST

START_TEST(reimport_left)
{
	import_ok("people", "id,name,unit,roles,joined\n"
		  "zoe,Zoe Ek,ward,nurse,\n"
		  "wes,Wes Ohm,ward,nurse,2026-03-01\n", NULL, 2, 0, 0);
	import_ok("people", "id,name,left\nzoe,Zoe Ek,2026-06-30\n",
		  "2026-06-01", 0, 1, 0);
	ck_assert_str_eq(changes.buf, "zoe: left on 2026-06-30\n");
	import_ok("people", "id,name,left\nzoe,Zoe Ek,2026-06-30\n",
		  "2026-07-01", 0, 0, 1);
	/* a leaver stays in the store, but as of the day they are gone */
	char *june = who_where("2026-06-29"), *july = who_where("2026-06-30");
	ck_assert_ptr_nonnull(strstr(june, "zoe@ward[\"nurse\"] "));
	ck_assert_ptr_nonnull(strstr(july, "zoe@ward[\"nurse\"] left "
				     "2026-06-30"));
	free(june);
	free(july);
	static const char *const again[] = {
		"@:2: error: column 'left': zoe left on 2026-06-30 already; the "
		"file says 2026-07-31"};
	import_refused("people", "id,left\nzoe,2026-07-31\n", "2026-07-01",
		       again, 1);
	static const char *const after[] = {
		"@:2: error: column 'unit': zoe left on 2026-06-30: a re-import "
		"changes nothing for someone who left (the file says unit ward "
		"-> clinic)"};
	import_refused("people", "id,unit\nzoe,clinic\n", "2026-07-01", after,
		       1);
	static const char *const early[] = {
		"@:2: error: column 'roles': the changes hold from 2026-02-01 "
		"(--as-of), before wes joined (2026-03-01)",
		"@:3: error: column 'left': 2026-02-01 is before vic joined "
		"(2026-03-01)"};
	import_refused("people", "id,roles,joined,left\n"
		       "wes,nurse;ambassador,,\n"
		       "vic,,2026-03-01,2026-02-01\n", "2026-02-01", early, 2);
	/* a new person who has left already */
	import_ok("people", "id,unit,left\nvic,ward,2026-03-01\n", NULL, 1, 0,
		  0);
	char *march = who_where("2026-03-01");
	ck_assert_ptr_nonnull(strstr(march, "vic@ward[] left 2026-03-01"));
	free(march);
}
END_TEST

/* ---- people_changes ---- */

START_TEST(people_changes_are_dated_and_checked)
{
	static const char text[] =
		"person,date,change,unit,role,note\n"
		"ann,2026-03-01,add_role,,clinician_champion,\n"
		"ann,2026-04-01,move,clinic,,covers\n"
		"dr-lind,2026-05-01,leave,,,retired\n";
	import_ok("people_changes", text, NULL, 3, 0, 0);
	import_ok("people_changes", text, NULL, 0, 0, 3);
	expect_people("2026-05-01",
		      "ann@clinic[\"nurse\",\"clinician_champion\"] "
		      "kim@clinic[\"first_line_manager\"] "
		      "dr-lind@ward[\"physician\",\"clinician_champion\"] left "
		      "2026-05-01");
	expect_dump("SELECT person, change, value, date, note, source, batch,"
		    " length(import_key) FROM people_history ORDER BY id",
		    "ann|add_role|clinician_champion|2026-03-01|NULL|import|1|"
		    "64\n"
		    "ann|move|clinic|2026-04-01|covers|import|1|64\n"
		    "dr-lind|leave|NULL|2026-05-01|retired|import|1|64\n");
	static const char *const bad[] = {
		"@:2: error: column 'person': unknown person 'anne' (did you "
		"mean 'ann'?)",
		"@:3: error: column 'change': 'mov' is not a change (did you "
		"mean 'move'?)",
		"@:4: error: column 'unit': a move needs the unit moved to",
		"@:5: error: column 'unit': only a move has a unit, not "
		"add_role",
		"@:6: error: column 'role': only add_role and remove_role have "
		"a role, not leave",
		"@:7: error: column 'change': 'quit' is not a change (leave, "
		"move, add_role, remove_role)",
		"@:8: error: column 'date': a value is required"};
	import_refused("people_changes", "person,date,change,unit,role\n"
		       "anne,2026-03-01,leave,,\n"
		       "ann,2026-03-01,mov,clinic,\n"
		       "ann,2026-03-01,move,,\n"
		       "ann,2026-03-01,add_role,ward,x\n"
		       "ann,2026-03-01,leave,,nurse\n"
		       "ann,2026-03-01,quit,,\n"
		       "ann,,leave,,\n", NULL, bad, 7);
	/* checked against the store and the lines before */
	static const char *const twice[] = {
		"@:3: error: column 'role': kim holds the role 'mentor' already "
		"on 2026-03-02"};
	import_refused("people_changes", "person,date,change,unit,role\n"
		       "kim,2026-03-01,add_role,,mentor\n"
		       "kim,2026-03-02,add_role,,mentor\n", NULL, twice, 1);
	static const char *const early[] = {
		"@:2: error: column 'date': 2026-01-15 is before kim joined "
		"(2026-02-01)"};
	import_refused("people_changes", "person,date,change,unit,role\n"
		       "kim,2026-01-15,add_role,,nurse\n", NULL, early, 1);
	static const char *const gone[] = {
		"@:2: error: column 'date': dr-lind left on 2026-05-01: nothing "
		"changes for someone who left"};
	import_refused("people_changes", "person,date,change,unit,role\n"
		       "dr-lind,2026-06-01,move,clinic,\n", NULL, gone, 1);
	static const char *const same[] = {
		"@:2: error: column 'unit': ann is in 'clinic' already on "
		"2026-04-02"};
	import_refused("people_changes", "person,date,change,unit,role\n"
		       "ann,2026-04-02,move,clinic,\n", NULL, same, 1);
}
END_TEST

/* ---- the schedule: a leaver's reminders ---- */

START_TEST(a_leavers_open_reminders_close_with_the_reason)
{
	ck_assert_int_eq(sqlite3_exec(db,
		"INSERT INTO reminders(id, kind, person, role, unit, due,"
		" planned, note, state, acked, cancelled) VALUES"
		" ('r1', 'training_refresher', 'dr-lind', NULL, 'ward',"
		"  '2026-05-10', '2026-05-10', 'training refresher 3',"
		"  'pending', 0, 0),"
		" ('r2', 'training_refresher', 'dr-lind', NULL, 'ward',"
		"  '2026-04-10', '2026-04-10', 'training refresher 2', 'done',"
		"  0, 0),"
		" ('r3', 'escalation', 'dr-lind', 'first_line_manager', 'ward',"
		"  '2026-04-20', '2026-04-20', 'plan restarted', 'escalated',"
		"  0, 0),"
		" ('r4', 'rule', 'dr-lind', NULL, 'ward', '2026-04-25',"
		"  '2026-04-25', 'acked', 'pending', 1, 0),"
		" ('r5', 'deliverable', 'dr-lind', NULL, 'ward', '2026-05-20',"
		"  '2026-05-20', 'the plan', 'pending', 0, 0),"
		" ('r6', 'training_refresher', 'ann', NULL, 'ward',"
		"  '2026-05-10', '2026-05-10', 'training refresher 3',"
		"  'pending', 0, 0),"
		" ('r7', 'rule', 'dr-lind', NULL, 'ward', '2026-05-25',"
		"  '2026-05-25', NULL, 'pending', 0, 0),"
		" ('r8', 'training_refresher', 'dr-lind', NULL, 'ward',"
		"  '2026-03-10', '2026-03-10', 'training refresher 1',"
		"  'missed', 0, 0)", NULL, NULL, NULL), SQLITE_OK);
	RECORD_OK("leave", "person=dr-lind", "date=2026-05-01");
	static const char rows[] = "SELECT id, cancelled, sequence, updated_in,"
				   " note FROM reminders ORDER BY id";
	char *untouched = dump(rows);
	for (int pass = 0; pass < 2; pass++) {
		/* before the leave nothing closes; from it on, once */
		const char *dates[] = {"2026-04-30", "2026-05-02"};
		up_facts f;
		int32_t day;
		ck_assert_int_eq(up_date_parse(dates[pass], &day, NULL), UP_OK);
		ck_assert_int_eq(up_facts_load(&f, store, day, err), UP_OK);
		ck_assert_int_eq(f.nleavers, (size_t)pass);
		ck_assert_int_eq(up_people_close_leavers(store, &f, 7, err),
				 UP_OK);
		up_facts_free(&f);
		if (pass == 0)
			expect_dump(rows, untouched);
	}
	static const char closed[] =
		"r1|1|1|7|training refresher 3 (closed: left on 2026-05-01)\n"
		"r2|0|0|NULL|training refresher 2\n"
		"r3|1|1|7|plan restarted (closed: left on 2026-05-01)\n"
		"r4|0|0|NULL|acked\n"
		"r5|0|0|NULL|the plan\n"
		"r6|0|0|NULL|training refresher 3\n"
		"r7|1|1|7|closed: left on 2026-05-01\n"
		"r8|0|0|NULL|training refresher 1\n";
	expect_dump(rows, closed);
	/* the next cycle finds them closed: nothing moves */
	up_facts f;
	int32_t day;
	ck_assert_int_eq(up_date_parse("2026-06-01", &day, NULL), UP_OK);
	ck_assert_int_eq(up_facts_load(&f, store, day, err), UP_OK);
	ck_assert_int_eq(up_people_close_leavers(store, &f, 8, err), UP_OK);
	up_facts_free(&f);
	expect_dump(rows, closed);
	free(untouched);
}
END_TEST

/* ---- a store from before ---- */

/* A store as schema version 9 wrote it (before people's history): a
 * program.yaml person, an imported one, a training. */
static const char store_v9[] =
	"CREATE TABLE units( id TEXT PRIMARY KEY, name TEXT NOT NULL,"
	" parent TEXT REFERENCES units(id) DEFERRABLE INITIALLY DEFERRED,"
	" stage TEXT NOT NULL, go_live TEXT, staff INTEGER, attrs TEXT NOT"
	" NULL DEFAULT '{}', ord INTEGER NOT NULL, active INTEGER NOT NULL"
	" DEFAULT 1, source TEXT NOT NULL DEFAULT 'program');\n"
	"INSERT INTO units"
	" VALUES('org','Org',NULL,'evaluate',NULL,NULL,'{}',0,1,'program');\n"
	"INSERT INTO units"
	" VALUES('ward','Ward','org','pilot','2026-02-02',NULL,'{}',1,1,'pr"
	"ogram');\n"
	"CREATE TABLE people( id TEXT PRIMARY KEY, name TEXT NOT NULL,"
	" unit TEXT REFERENCES units(id) DEFERRABLE INITIALLY DEFERRED,"
	" roles TEXT NOT NULL DEFAULT '[]', joined TEXT, ord INTEGER NOT"
	" NULL, active INTEGER NOT NULL DEFAULT 1, source TEXT NOT NULL"
	" DEFAULT 'program', level TEXT, level_since TEXT);\n"
	"INSERT INTO people VALUES('dr-lind','Dr"
	" Lind','ward','[\"clinician_champion\"]',NULL,0,1,'program','consu"
	"lted','2026-01-01');\n"
	"INSERT INTO people VALUES('kim','Kim"
	" Berg','ward','[\"nurse\",\"first_line_manager\"]',NULL,2,1,'impor"
	"t','informed','2026-01-01');\n"
	"CREATE TABLE engagements( id INTEGER PRIMARY KEY, person TEXT NOT"
	" NULL REFERENCES people(id), level TEXT NOT NULL CHECK (level IN"
	" ('unaware','informed',  'consulted','involved','bought_in')),"
	" date TEXT NOT NULL, note TEXT, source TEXT NOT NULL, import_key"
	" TEXT);\n"
	"CREATE TABLE events( id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
	" date TEXT NOT NULL, unit TEXT REFERENCES units(id), note TEXT,"
	" attrs TEXT NOT NULL DEFAULT '{}', import_key TEXT);\n"
	"CREATE TABLE event_people( event INTEGER NOT NULL REFERENCES"
	" events(id) ON DELETE CASCADE, person TEXT NOT NULL REFERENCES"
	" people(id), PRIMARY KEY (event, person)) WITHOUT ROWID;\n"
	"CREATE TABLE cycles( id INTEGER PRIMARY KEY, as_of TEXT NOT NULL,"
	" ran_at TEXT NOT NULL, program_hash TEXT NOT NULL, doc TEXT NOT"
	" NULL, known INTEGER);\n"
	"CREATE TABLE cycle_files( cycle INTEGER NOT NULL REFERENCES"
	" cycles(id), path TEXT NOT NULL, sha256 TEXT NOT NULL, PRIMARY"
	" KEY (cycle, path)) WITHOUT ROWID;\n"
	"CREATE TABLE results( cycle INTEGER NOT NULL REFERENCES"
	" cycles(id), unit TEXT NOT NULL, gate TEXT, rule TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('criterion','finding')), must"
	" INTEGER, status TEXT NOT NULL, severity TEXT, score REAL,"
	" message TEXT, evidence TEXT, source TEXT);\n"
	"CREATE TABLE decisions( cycle INTEGER NOT NULL REFERENCES"
	" cycles(id), unit TEXT NOT NULL, gate TEXT NOT NULL, decision"
	" TEXT NOT NULL, score REAL, PRIMARY KEY (cycle, unit, gate))"
	" WITHOUT ROWID;\n"
	"CREATE TABLE observations( unit TEXT NOT NULL REFERENCES"
	" units(id), series TEXT NOT NULL, period TEXT NOT NULL, kind"
	" INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,"
	" value REAL NOT NULL, batch INTEGER NOT NULL, PRIMARY KEY (unit,"
	" series, period)) WITHOUT ROWID;\n"
	"CREATE TABLE trainings( id INTEGER PRIMARY KEY, person TEXT NOT"
	" NULL REFERENCES people(id), date TEXT NOT NULL, topic TEXT,"
	" failed INTEGER NOT NULL DEFAULT 0, import_key TEXT);\n"
	"INSERT INTO trainings VALUES(1,'kim','2026-02-03',NULL,0,NULL);\n"
	"CREATE TABLE followups( id TEXT PRIMARY KEY, source TEXT NOT"
	" NULL, rule TEXT, unit TEXT NOT NULL, due TEXT NOT NULL, note"
	" TEXT, asked_in INTEGER REFERENCES cycles(id), ran_in INTEGER"
	" REFERENCES cycles(id), result TEXT) WITHOUT ROWID;\n"
	"CREATE TABLE reminders( id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
	" person TEXT, role TEXT, unit TEXT NOT NULL, due TEXT NOT NULL,"
	" planned TEXT, note TEXT, state TEXT NOT NULL, acked INTEGER NOT"
	" NULL DEFAULT 0, snoozed_until TEXT, sequence INTEGER NOT NULL"
	" DEFAULT 0, cancelled INTEGER NOT NULL DEFAULT 0, raised_in"
	" INTEGER, updated_in INTEGER) WITHOUT ROWID;\n"
	"CREATE TABLE cycle_packs( cycle INTEGER NOT NULL REFERENCES"
	" cycles(id), name TEXT NOT NULL, version TEXT NOT NULL, sha256"
	" TEXT NOT NULL, PRIMARY KEY (cycle, name)) WITHOUT ROWID;\n"
	"CREATE TABLE stage_history( id INTEGER PRIMARY KEY, unit TEXT NOT"
	" NULL REFERENCES units(id), from_stage TEXT NOT NULL, to_stage"
	" TEXT NOT NULL, at TEXT NOT NULL, by TEXT NOT NULL REFERENCES"
	" people(id), note TEXT, cycle INTEGER REFERENCES cycles(id),"
	" decision TEXT, override INTEGER NOT NULL DEFAULT 0, reason TEXT,"
	" recorded_at TEXT NOT NULL);\n"
	"CREATE TABLE conditions( id INTEGER PRIMARY KEY, unit TEXT NOT"
	" NULL REFERENCES units(id), gate TEXT NOT NULL, rule TEXT NOT"
	" NULL, due TEXT NOT NULL, advance INTEGER NOT NULL REFERENCES"
	" stage_history(id), status TEXT NOT NULL DEFAULT 'open' CHECK"
	" (status IN ('open',  'met')), met_on TEXT, met_in INTEGER"
	" REFERENCES cycles(id));\n"
	"CREATE TABLE condition_strikes( condition INTEGER NOT NULL"
	" REFERENCES conditions(id), at TEXT NOT NULL, cycle INTEGER NOT"
	" NULL REFERENCES cycles(id), PRIMARY KEY (condition, at)) WITHOUT"
	" ROWID;\n"
	"CREATE TABLE waivers( id INTEGER PRIMARY KEY, unit TEXT NOT NULL"
	" REFERENCES units(id), rule TEXT NOT NULL, reason TEXT NOT NULL,"
	" by TEXT NOT NULL REFERENCES people(id), since TEXT NOT NULL,"
	" until TEXT NOT NULL, recorded_at TEXT NOT NULL);\n"
	"CREATE TABLE imports( id INTEGER PRIMARY KEY, at TEXT NOT NULL,"
	" kind TEXT NOT NULL, file TEXT NOT NULL, added INTEGER NOT NULL"
	" DEFAULT 0, changed INTEGER NOT NULL DEFAULT 0, unchanged INTEGER"
	" NOT NULL DEFAULT 0);\n"
	"INSERT INTO imports"
	" VALUES(1,'2026-02-01T09:00:00Z','people','people.csv',1,0,0);\n"
	"CREATE TABLE observation_history( unit TEXT NOT NULL, series TEXT"
	" NOT NULL, period TEXT NOT NULL, kind INTEGER NOT NULL, start"
	" INTEGER NOT NULL, end INTEGER NOT NULL, value REAL NOT NULL,"
	" batch INTEGER NOT NULL, replaced_by INTEGER NOT NULL, PRIMARY"
	" KEY (unit, series, period, batch)) WITHOUT ROWID;\n"
	"CREATE INDEX engagements_person ON engagements(person, date);\n"
	"CREATE INDEX events_date ON events(date);\n"
	"CREATE INDEX results_cycle ON results(cycle, unit);\n"
	"CREATE INDEX observations_series ON observations(series, end);\n"
	"CREATE UNIQUE INDEX events_import_key ON events(import_key) WHERE"
	" import_key IS NOT NULL;\n"
	"CREATE UNIQUE INDEX engagements_import_key ON"
	" engagements(import_key) WHERE import_key IS NOT NULL;\n"
	"CREATE INDEX trainings_person ON trainings(person, date);\n"
	"CREATE UNIQUE INDEX trainings_import_key ON trainings(import_key)"
	" WHERE import_key IS NOT NULL;\n"
	"CREATE INDEX followups_pending ON followups(due) WHERE ran_in IS"
	" NULL;\n"
	"CREATE INDEX reminders_due ON reminders(due);\n"
	"CREATE INDEX followups_open ON followups(source, rule, unit)"
	" WHERE ran_in IS NULL;\n"
	"CREATE INDEX stage_history_unit ON stage_history(unit, at);\n"
	"CREATE INDEX conditions_unit ON conditions(unit);\n"
	"CREATE INDEX waivers_unit ON waivers(unit, rule);\n"
	"CREATE INDEX observation_history_replaced ON"
	" observation_history(replaced_by);\n"
	"PRAGMA user_version = 9;\n";

static const char program_v9[] =
	"program: p\n"
	"start: 2026-01-01\n"
	"stages: [evaluate, procure, pilot, scale]\n"
	"units:\n"
	"  - {id: org, name: Org, stage: evaluate}\n"
	"  - {id: ward, name: Ward, parent: org, stage: pilot,"
	" go_live: 2026-02-02}\n"
	"people:\n"
	"  - {id: dr-lind, name: Dr Lind, unit: ward,"
	" roles: [clinician_champion], engagement: consulted}\n";

START_TEST(a_store_from_before_migrates)
{
	/* the fixture's store is not used: one written by version 9 is */
	char *old = tu_mkdtemp();
	tu_write(old, "program.yaml", program_v9);
	tu_write(old, ".uptake/keep", "");
	char *path = tu_path(old, ".uptake/state.db");
	sqlite3 *raw;
	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, store_v9, NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);
	up_store_close(store);
	up_program_free(prog);
	store = NULL;
	prog = NULL;
	char msgs[2000];
	int rc = up_program_load(&prog, old, err);
	if (rc == UP_OK)
		rc = up_store_open(&store, old, NULL, 0, err);
	messages_to(err, msgs, sizeof msgs);
	ck_assert_msg(rc == UP_OK, "open: %s", msgs);
	db = up_store_db(store);
	char *version = up_xasprintf("%d\n", up_store_schema_version());
	expect_dump("PRAGMA user_version", version);
	free(version);
	expect_dump("SELECT count(*) FROM people_history", "0\n");
	/* its people are as they were, and come and go from now on */
	expect_people("2026-03-01",
		      "dr-lind@ward[\"clinician_champion\"] "
		      "kim@ward[\"nurse\",\"first_line_manager\"]");
	RECORD_OK("leave", "person=kim", "date=2026-04-01");
	RECORD_OK("role", "person=dr-lind", "add=mentor", "date=2026-04-01");
	expect_people("2026-04-01",
		      "dr-lind@ward[\"clinician_champion\",\"mentor\"] "
		      "kim@ward[\"nurse\",\"first_line_manager\"] left "
		      "2026-04-01");
	expect_dump("SELECT person, date FROM trainings", "kim|2026-02-03\n");
	expect_dump("PRAGMA foreign_key_check", "");
	expect_dump("PRAGMA integrity_check", "ok\n");
	free(path);
	tu_rmtree(old);
	free(old);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("people");
	TCase *tc = tcase_create("changes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, changes_hold_from_their_date);
	tcase_add_test(tc, contradictions_are_refused);
	tcase_add_test(tc, a_leavers_open_reminders_close_with_the_reason);
	tcase_add_test(tc, a_store_from_before_migrates);
	suite_add_tcase(s, tc);
	tc = tcase_create("imports");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, reimport_dates_what_changed);
	tcase_add_test(tc, reimport_renames_no_one);
	tcase_add_test(tc, reimport_left);
	tcase_add_test(tc, people_changes_are_dated_and_checked);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	up_buf_free(&changes);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
