/* test_plans.c: training plans by audience over real cycles: who is on
 * which plan, whom an escalation goes to, what `uptake due --for` and
 * --summary list, reminder ids that a store from before plans keeps, and
 * daily cycles against a gap over generated histories. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sqlite3.h>

#include "plan.h"
#include "testutil.h"

/* Cardiologists on a unit of nurses: a plan for nurses (only sessions on
 * the journey count), one for first-line managers.  mats manages
 * Cardiology and is a nurse too; Dermatology has no manager of its own;
 * hugo is the hospital's. */
static const char audience_yaml[] =
	"program: audience\n"
	"start: 2026-01-01\n"
	"stages: [prepare, live, sustain]\n"
	"units:\n"
	"  - {id: org, name: Region, stage: live}\n"
	"  - {id: hosp, name: Hospital, parent: org, stage: live}\n"
	"  - {id: cardio, name: Cardiology, parent: hosp, stage: live,"
	" go_live: 2026-03-02}\n"
	"  - {id: derm, name: Dermatology, parent: hosp, stage: live,"
	" go_live: 2026-03-02}\n"
	"people:\n"
	"  - {id: hugo, name: Hugo Holm, unit: hosp,"
	" roles: [first_line_manager]}\n"
	"  - {id: mats, name: Mats Berg, unit: cardio,"
	" roles: [first_line_manager, nurse]}\n"
	"  - {id: nils, name: Nils Ek, unit: cardio, roles: [nurse]}\n"
	"  - {id: nina, name: Nina Ek, unit: cardio, roles: [nurse]}\n"
	"  - {id: carl, name: Carl Lund, unit: cardio, roles: [cardiologist]}\n"
	"  - {id: dora, name: Dora Sund, unit: derm, roles: [nurse]}\n"
	"cadence:\n"
	"  evaluation: monthly\n"
	"  training:\n"
	"    - {id: nurses, roles: [nurse], topic: journey,"
	" offsets_days: [0, 14, 30], window_days: 120, grace_days: 3}\n"
	"    - {id: managers, roles: [first_line_manager],"
	" offsets_days: [-14, 0, 30], window_days: 90, grace_days: 3}\n";

typedef struct {
	char *dir;
	up_program *prog;
	up_store *store;
	up_error *err;
} world;

static void open_world(world *w, const char *yaml)
{
	w->dir = tu_mkdtemp();
	tu_write(w->dir, "program.yaml", yaml);
	w->err = up_error_new();
	ck_assert_msg(up_program_load(&w->prog, w->dir, w->err) == UP_OK,
		      "%s", up_error_count(w->err)
		      ? up_error_message(w->err, 0) : "?");
	ck_assert_int_eq(up_store_open(&w->store, w->dir, NULL, 0, w->err),
			 UP_OK);
}

static void close_world(world *w)
{
	up_store_close(w->store);
	up_program_free(w->prog);
	up_error_free(w->err);
	tu_rmtree(w->dir);
	free(w->dir);
}

static void training(world *w, const char *person, const char *date,
		     const char *topic)
{
	const char *n[] = {"person", "date", "topic"};
	const char *v[] = {person, date, topic};
	ck_assert_int_eq(up_record(w->store, w->prog, "training",
				   topic ? 3 : 2, n, v, NULL, w->err), UP_OK);
}

static void cycle_at(world *w, const char *date)
{
	up_cycle *c = NULL;
	int rc = up_cycle_run(&c, w->store, w->prog, date, w->err);
	ck_assert_msg(rc == UP_OK, "cycle %s: %s", date,
		      up_error_message(w->err, 0));
	up_cycle_free(c);
}

/* A table as text, one row a line. */
static char *dump(world *w, const char *sql)
{
	sqlite3_stmt *st;
	ck_assert_msg(sqlite3_prepare_v2(up_store_db(w->store), sql, -1, &st,
					 NULL) == SQLITE_OK, "%s", sql);
	up_buf b = {0};
	up_buf_add(&b, "", 0);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			up_buf_printf(&b, "%s|", v ? v : "NULL");
		}
		up_buf_puts(&b, "\n");
	}
	sqlite3_finalize(st);
	return b.buf;
}

static void expect_sql(world *w, const char *sql, const char *want)
{
	char *got = dump(w, sql);
	ck_assert_msg(!strcmp(got, want), "%s\n got:\n%s want:\n%s", sql, got,
		      want);
	free(got);
}

/* `uptake due` with OPTS, as JSON. */
static json_t *due_json(world *w, up_due_opts o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(fp);
	int rc = up_due_write(w->store, w->prog, &o, fp, UP_PRINT_JSON,
			      w->err);
	fclose(fp);
	ck_assert_msg(rc == UP_OK, "due: %s", up_error_message(w->err, 0));
	json_error_t je;
	json_t *j = json_loads(buf, 0, &je);
	ck_assert_msg(j != NULL, "not JSON: %s\n%s", je.text, buf);
	free(buf);
	return j;
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* "person:kind:state>to,to" per item, sorted as listed, one a line;
 * with --for, "unit/for " before each. */
static char *items_text(const json_t *items, const char *unit)
{
	up_buf b = {0};
	up_buf_add(&b, "", 0);
	size_t i, j;
	json_t *o, *t;
	json_array_foreach(items, i, o) {
		if (unit)
			up_buf_printf(&b, "%s/%s ", unit, str(o, "for"));
		up_buf_printf(&b, "%s:%s:%s:%s>", str(o, "person"),
			      str(o, "kind"), str(o, "plan"), str(o, "state"));
		json_array_foreach(json_object_get(o, "to"), j, t)
			up_buf_printf(&b, "%s%s", j ? "," : "",
				      json_string_value(t));
		up_buf_puts(&b, "\n");
	}
	return b.buf;
}

static char *grouped_text(const json_t *doc)
{
	up_buf b = {0};
	up_buf_add(&b, "", 0);
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(doc, "units"), i, u) {
		char *t = items_text(json_object_get(u, "items"), str(u, "unit"));
		up_buf_puts(&b, t);
		free(t);
	}
	return b.buf;
}

/* The audience's month: see audience_yaml and the comments below. */
static void audience_month(world *w)
{
	open_world(w, audience_yaml);
	training(w, "mats", "2026-02-16", "leadership");
	training(w, "mats", "2026-03-02", "leadership"); /* not the journey */
	training(w, "nils", "2026-03-02", "journey");
	training(w, "nils", "2026-03-16", "other");      /* not the journey */
	training(w, "nina", "2026-03-02", "journey");
	training(w, "nina", "2026-03-16", "journey");
	cycle_at(w, "2026-03-31");
}

START_TEST(plans_by_audience)
{
	world w;
	audience_month(&w);
	/* the cardiologist is on no plan: no reminder at all */
	expect_sql(&w, "SELECT count(*) FROM reminders WHERE person = 'carl'",
		   "0|\n");
	/* hugo's unit is not live: no plan for him either */
	expect_sql(&w, "SELECT count(*) FROM reminders WHERE person = 'hugo'",
		   "0|\n");
	/* mats is on both plans; the others on the nurses' (what is near
	 * or open on 03-31: a slot or a lapse each) */
	expect_sql(&w, "SELECT DISTINCT person, plan FROM reminders WHERE"
		   " kind IN ('training_refresher', 'escalation')"
		   " ORDER BY person, plan",
		   "dora|nurses|\nmats|managers|\nmats|nurses|\n"
		   "nils|nurses|\nnina|nurses|\n");
	/* a session on another topic counts for nothing: nils lapsed */
	json_t *all = due_json(&w, (up_due_opts){.as_of = "2026-03-31"});
	char *got = items_text(all, NULL);
	ck_assert_str_eq(got,
		"mats:escalation:nurses:lapsed>hugo\n"
		"dora:escalation:nurses:lapsed>hugo\n"
		"nils:escalation:nurses:lapsed>mats\n"
		"nina:training_refresher:nurses:due>nina\n"
		"mats:training_refresher:managers:due>mats\n"
		":followup::pending>mats\n"
		":followup::pending>hugo\n");
	free(got);
	json_decref(all);
	/* the list form's ids carry the plan's id (nils's lapse, which
	 * starts generation 1) */
	char id[17];
	const up_plan_def *pl = up_plan_find(w.prog, "nurses");
	ck_assert_ptr_nonnull(pl);
	ck_assert(!pl->legacy);
	up_plan_escalation_id(id, pl, "nils", "cardio", 1);
	char *sql = up_xasprintf("SELECT count(*) FROM reminders WHERE id ="
				 " '%s' AND plan = 'nurses'", id);
	expect_sql(&w, sql, "1|\n");
	free(sql);
	close_world(&w);
}
END_TEST

START_TEST(due_for_a_manager_and_for_staff)
{
	world w;
	audience_month(&w);
	/* mats: his own lapse and slot, his nurse's lapse and slot, and
	 * the unit's follow-up; not dora's, not the hospital's */
	json_t *doc = due_json(&w, (up_due_opts){.as_of = "2026-03-31",
						 .for_person = "mats"});
	ck_assert_str_eq(str(doc, "person"), "mats");
	ck_assert_str_eq(str(doc, "name"), "Mats Berg");
	char *got = grouped_text(doc);
	ck_assert_str_eq(got,
		"cardio/own mats:escalation:nurses:lapsed>hugo\n"
		"cardio/staff nils:escalation:nurses:lapsed>mats\n"
		"cardio/staff nina:training_refresher:nurses:due>nina\n"
		"cardio/own mats:training_refresher:managers:due>mats\n"
		"cardio/unit :followup::pending>mats\n");
	free(got);
	json_decref(doc);
	/* hugo: mats's lapse (mats manages, so it goes up to him), dora's
	 * (Dermatology has no manager), and Dermatology's follow-up */
	doc = due_json(&w, (up_due_opts){.as_of = "2026-03-31",
					 .for_person = "hugo"});
	got = grouped_text(doc);
	/* mats's escalations go to hugo: on his own plan too, mats is one
	 * of hugo's staff */
	ck_assert_str_eq(got,
		"cardio/staff mats:escalation:nurses:lapsed>hugo\n"
		"cardio/staff mats:training_refresher:managers:due>mats\n"
		"derm/staff dora:escalation:nurses:lapsed>hugo\n"
		"derm/unit :followup::pending>hugo\n");
	free(got);
	json_decref(doc);
	/* a member of staff: their own lapse, nothing of anyone else's */
	doc = due_json(&w, (up_due_opts){.as_of = "2026-03-31",
					 .for_person = "nils"});
	got = grouped_text(doc);
	ck_assert_str_eq(got, "cardio/own nils:escalation:nurses:lapsed>mats\n");
	free(got);
	json_decref(doc);
	doc = due_json(&w, (up_due_opts){.as_of = "2026-03-31",
					 .for_person = "nina"});
	got = grouped_text(doc);
	ck_assert_str_eq(got,
		"cardio/own nina:training_refresher:nurses:due>nina\n");
	free(got);
	json_decref(doc);
	/* --unit takes a subtree */
	doc = due_json(&w, (up_due_opts){.as_of = "2026-03-31",
					 .unit = "hosp", .for_person = "hugo"});
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "units")), 2);
	json_decref(doc);
	doc = due_json(&w, (up_due_opts){.as_of = "2026-03-31",
					 .unit = "derm"});
	got = items_text(doc, NULL);
	ck_assert_str_eq(got, "dora:escalation:nurses:lapsed>hugo\n"
			      ":followup::pending>hugo\n");
	free(got);
	json_decref(doc);
	close_world(&w);
}
END_TEST

START_TEST(summary_per_unit)
{
	world w;
	audience_month(&w);
	json_t *doc = due_json(&w, (up_due_opts){.as_of = "2026-03-31",
						 .summary = 1});
	up_buf b = {0};
	up_buf_add(&b, "", 0);
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(doc, "units"), i, r)
		up_buf_printf(&b, "%s %lld %lld/%lld %lld %lld %lld\n",
			      str(r, "unit"),
			      (long long)json_integer_value(json_object_get(r,
				"depth")),
			      (long long)json_integer_value(json_object_get(r,
				"trained")),
			      (long long)json_integer_value(json_object_get(r,
				"people")),
			      (long long)json_integer_value(json_object_get(r,
				"due")),
			      (long long)json_integer_value(json_object_get(r,
				"overdue")),
			      (long long)json_integer_value(json_object_get(r,
				"lapsed")));
	/* people on a plan (not carl, not hugo), trained in 90 days */
	ck_assert_str_eq(b.buf, "org 0 3/4 2 0 3\nhosp 1 3/4 2 0 3\n"
				"cardio 2 3/3 2 0 2\nderm 2 0/1 0 0 1\n");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "days")), 90);
	up_buf_free(&b);
	json_decref(doc);
	/* for a manager: the units they act for */
	doc = due_json(&w, (up_due_opts){.as_of = "2026-03-31",
					 .for_person = "mats", .summary = 1});
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "units")), 1);
	ck_assert_str_eq(str(json_array_get(json_object_get(doc, "units"), 0),
			     "unit"), "cardio");
	json_decref(doc);
	close_world(&w);
}
END_TEST

/* An escalation goes to the role of the person's unit, never to the
 * person: up the tree while the unit has nobody else. */
START_TEST(addressees_go_up_the_tree)
{
	world w;
	audience_month(&w);
	up_facts f;
	int32_t d;
	up_date_parse("2026-03-31", &d, NULL);
	ck_assert_int_eq(up_facts_load(&f, w.store, d, w.err), UP_OK);
	int cardio = up_facts_unit(&f, "cardio"), derm = up_facts_unit(&f,
									"derm");
	int mats = -1, nils = -1;
	for (size_t i = 0; i < f.npeople; i++) {
		if (!strcmp(f.people[i].id, "mats"))
			mats = (int)i;
		if (!strcmp(f.people[i].id, "nils"))
			nils = (int)i;
	}
	size_t n;
	int *ix = up_addressees(&f, cardio, nils, "first_line_manager", &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(f.people[ix[0]].id, "mats");
	free(ix);
	ix = up_addressees(&f, cardio, mats, "first_line_manager", &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(f.people[ix[0]].id, "hugo");
	free(ix);
	ix = up_addressees(&f, derm, -1, "first_line_manager", &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(f.people[ix[0]].id, "hugo");
	free(ix);
	/* nobody holds it anywhere: nobody, and no crash */
	ix = up_addressees(&f, cardio, nils, "executive", &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(ix);
	up_facts_free(&f);
	close_world(&w);
}
END_TEST

/* ---- a store from before plans by audience ---- */

static const char legacy_yaml[] =
	"program: legacy\n"
	"start: 2026-01-01\n"
	"stages: [prepare, live, sustain]\n"
	"units:\n"
	"  - {id: org, stage: live}\n"
	"  - {id: ward, parent: org, stage: live, go_live: 2026-02-02}\n"
	"people:\n"
	"  - {id: anna, unit: ward, roles: [nurse]}\n"
	"  - {id: bo, unit: ward, roles: [nurse]}\n"
	"  - {id: cecilia, unit: ward, roles: [first_line_manager]}\n";

static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	ck_assert_msg(fp != NULL, "cannot read %s", path);
	up_buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		up_buf_add(&b, chunk, n);
	fclose(fp);
	return b.buf;
}

/* A store made of FILE in tests/unit/data, written by an older uptake,
 * for YAML. */
/* As open_old, with SQL run on the old store before uptake opens it. */
static void open_old_with(world *w, const char *yaml, const char *file,
			  const char *sql);

static void open_old(world *w, const char *yaml, const char *file)
{
	open_old_with(w, yaml, file, "");
}

static void open_old_with(world *w, const char *yaml, const char *file,
			  const char *then)
{
	w->dir = tu_mkdtemp();
	tu_write(w->dir, "program.yaml", yaml);
	tu_write(w->dir, ".uptake/.keep", "");
	const char *data = getenv("UP_TEST_DATA");
	ck_assert_msg(data != NULL, "UP_TEST_DATA is not set");
	char *path = tu_path(data, file);
	char *sql = read_file(path);
	free(path);
	char *db = tu_path(w->dir, ".uptake/state.db");
	sqlite3 *h;
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	char *msg = NULL;
	ck_assert_msg(sqlite3_exec(h, sql, NULL, NULL, &msg) == SQLITE_OK,
		      "%s", msg ? msg : "?");
	ck_assert_msg(sqlite3_exec(h, then, NULL, NULL, &msg) == SQLITE_OK,
		      "%s", msg ? msg : "?");
	sqlite3_close(h);
	free(sql);
	free(db);
	w->err = up_error_new();
	ck_assert_int_eq(up_program_load(&w->prog, w->dir, w->err), UP_OK);
	ck_assert_msg(up_store_open(&w->store, w->dir, NULL, 0, w->err) ==
		      UP_OK, "%s", up_error_message(w->err, 0));
}

/* tests/unit/data/store-v9.sql, written by uptake before plans by
 * audience: an escalation for anna every three weeks, one of them
 * acknowledged. */
static void open_legacy(world *w)
{
	open_old(w, legacy_yaml, "store-v9.sql");
}

START_TEST(a_store_from_before_keeps_its_ids)
{
	world old, fresh;
	open_legacy(&old);
	char want[16];
	snprintf(want, sizeof want, "%d|\n", up_store_schema_version());
	expect_sql(&old, "PRAGMA user_version", want);
	/* 13 escalations, none cancelled, before */
	expect_sql(&old, "SELECT count(*) FROM reminders WHERE kind ="
		   " 'escalation' AND NOT cancelled", "13|\n");
	cycle_at(&old, "2026-06-01");
	/* one per person now, with the id it had: the first lapse's */
	expect_sql(&old, "SELECT id, person, plan, state, acked FROM reminders"
		   " WHERE kind = 'escalation' AND NOT cancelled ORDER BY id",
		   "023582dbf7ecb41c|bo|staff|lapsed|0|\n"
		   "378ec420998d563c|cecilia|first_line_manager|lapsed|0|\n"
		   "f3ddd90d2d20cae0|anna|staff|lapsed|1|\n");
	expect_sql(&old, "SELECT count(*) FROM reminders WHERE kind ="
		   " 'escalation' AND cancelled AND reason IS NOT NULL",
		   "10|\n");
	/* acknowledged, anna's lapse is still listed: she has not come
	 * back; bo's stays snoozed */
	json_t *all = due_json(&old, (up_due_opts){.as_of = "2026-06-01"});
	char *got = items_text(all, NULL);
	ck_assert_str_eq(got,
		"anna:escalation:staff:lapsed>cecilia\n"
		"bo:escalation:staff:snoozed>cecilia\n"
		"cecilia:escalation:first_line_manager:lapsed>\n");
	free(got);
	ck_assert(json_is_true(json_object_get(json_array_get(all, 0),
					       "acknowledged")));
	json_decref(all);
	/* the same facts in a new store give the same ids, no new one
	 * (and no history: what was done or missed before its first cycle
	 * was never near in it) */
	open_world(&fresh, legacy_yaml);
	training(&fresh, "bo", "2026-02-02", NULL);
	training(&fresh, "bo", "2026-02-09", NULL);
	training(&fresh, "cecilia", "2026-01-19", NULL);
	training(&fresh, "cecilia", "2026-02-02", NULL);
	cycle_at(&fresh, "2026-06-01");
	static const char live[] = "SELECT id, kind, person, due, state, plan"
		" FROM reminders WHERE NOT cancelled AND kind IN"
		" ('training_refresher', 'escalation')"
		" AND state NOT IN ('done', 'missed') ORDER BY id";
	char *a = dump(&old, live), *b = dump(&fresh, live);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	/* anna comes back: her lapse ends, the acknowledgement stays */
	training(&old, "anna", "2026-06-03", NULL);
	cycle_at(&old, "2026-06-04");
	expect_sql(&old, "SELECT state, reason, acked FROM reminders WHERE"
		   " id = 'f3ddd90d2d20cae0'",
		   "done|attended on 2026-06-03|1|\n");
	close_world(&old);
	close_world(&fresh);
}
END_TEST

/* ---- a store from before the slot keys ---- */

/* docs/cadence.md's ward, and olle, who lapses as nora does. */
static const char keyed_yaml[] =
	"program: cadence\n"
	"start: 2026-01-05\n"
	"stages: [prepare, live, sustain]\n"
	"units:\n"
	"  - {id: clinic, name: The clinic, stage: live}\n"
	"  - {id: ward, name: Ward 3, parent: clinic, stage: live,"
	" go_live: 2026-03-02}\n"
	"people:\n"
	"  - {id: nora, name: Nora Lind, unit: ward, roles: [nurse]}\n"
	"  - {id: mona, name: Mona Berg, unit: ward,"
	" roles: [first_line_manager]}\n"
	"  - {id: olle, name: Olle Ek, unit: ward, roles: [nurse]}\n"
	"cadence:\n"
	"  evaluation: monthly\n"
	"  training:\n"
	"    window_days: 90\n"
	"    offsets_days: [0, 7, 21, 45]\n"
	"    grace_days: 3\n"
	"    reschedule_days: 7\n"
	"    first_line_manager:\n"
	"      offsets_days: [-14, 0, 30]\n";

/* What a calendar and `uptake due` see of every reminder. */
static const char seen_sql[] =
	"SELECT id, kind, person, due, planned, state, cancelled, acked,"
	" snoozed_until, sequence, plan, opens, closes, reason, note"
	" FROM reminders ORDER BY id";

START_TEST(a_store_from_before_the_keys_keeps_ids_and_sequences)
{
	world old, fresh;
	/* tests/unit/data/store-v11.sql: every slot stored, far-off and
	 * past ones too, without keys; its last cycle ran on 03-26 */
	open_old(&old, keyed_yaml, "store-v11.sql");
	char want[16];
	snprintf(want, sizeof want, "%d|\n", up_store_schema_version());
	expect_sql(&old, "PRAGMA user_version", want);
	expect_sql(&old, "SELECT count(*), count(gen) FROM reminders",
		   "20|0|\n");
	char *before = dump(&old, seen_sql);
	/* the same day again: every row matched by id, nothing changes
	 * but the keys, which every slot's row now has */
	cycle_at(&old, "2026-03-26");
	char *after = dump(&old, seen_sql);
	ck_assert_str_eq(before, after);
	expect_sql(&old, "SELECT kind, count(*) FROM reminders WHERE"
		   " kind IN ('training_refresher', 'escalation')"
		   " AND (gen IS NULL OR gen < 0) GROUP BY kind", "");
	expect_sql(&old, "SELECT gen, slot FROM reminders WHERE id IN"
		   " ('fe4f3352198b05b0', '60d06eeed7ed5155',"
		   " '03a841c09b6ba9a7') ORDER BY id",
		   "1|NULL|\n1|1|\n0|1|\n");
	/* matched by key from now on: a day later, still nothing */
	cycle_at(&old, "2026-03-27");
	char *later = dump(&old, seen_sql);
	ck_assert_str_eq(before, later);
	/* nora comes on 03-31: her slot is done, mona's of 04-01, missed,
	 * moves to 04-11; each grows its SEQUENCE once, as before */
	training(&old, "nora", "2026-03-31", NULL);
	cycle_at(&old, "2026-04-06");
	expect_sql(&old, "SELECT id, due, state, sequence FROM reminders"
		   " WHERE id IN ('03a841c09b6ba9a7', '0f3c3646a0e886b8',"
		   " '3c7ffc0d8e2d9544', '60d06eeed7ed5155') ORDER BY id",
		   "03a841c09b6ba9a7|2026-03-23|lapsed|1|\n"
		   "0f3c3646a0e886b8|2026-04-11|pending|1|\n"
		   "3c7ffc0d8e2d9544|2026-04-14|pending|0|\n"
		   "60d06eeed7ed5155|2026-03-31|done|1|\n");
	/* and lists what a new store with the same sessions lists, under
	 * the same ids */
	open_world(&fresh, keyed_yaml);
	training(&fresh, "mona", "2026-02-16", NULL);
	training(&fresh, "nora", "2026-03-02", NULL);
	training(&fresh, "olle", "2026-03-02", NULL);
	training(&fresh, "mona", "2026-03-03", NULL);
	training(&fresh, "nora", "2026-03-24", NULL);
	training(&fresh, "nora", "2026-03-31", NULL);
	cycle_at(&fresh, "2026-04-06");
	static const char listed[] = "SELECT id, kind, person, due, state,"
		" plan FROM reminders WHERE NOT cancelled AND (state IN"
		" ('due', 'overdue', 'lapsed', 'escalated') OR (state ="
		" 'pending' AND due <= '2026-04-20')) ORDER BY id";
	char *a = dump(&old, listed), *b = dump(&fresh, listed);
	ck_assert_str_eq(a, b);
	ck_assert_msg(strstr(a, "0f3c3646a0e886b8|training_refresher|mona|"
			     "2026-04-11|pending") != NULL, "%s", a);
	free(a);
	free(b);
	free(before);
	free(after);
	free(later);
	close_world(&old);
	close_world(&fresh);
}
END_TEST

/* ---- daily cycles against a gap, over generated histories ---- */

static const char generated_yaml[] =
	"program: gen\n"
	"start: 2026-01-01\n"
	"stages: [prepare, live, sustain]\n"
	"units:\n"
	"  - {id: org, stage: live}\n"
	"  - {id: ward, parent: org, stage: live, go_live: 2026-02-02}\n"
	"people:\n"
	"  - {id: p0, unit: ward, roles: [nurse]}\n"
	"  - {id: p1, unit: ward, roles: [nurse]}\n"
	"  - {id: p2, unit: ward, roles: [nurse, first_line_manager]}\n"
	"  - {id: p3, unit: ward, roles: [first_line_manager]}\n"
	"  - {id: p4, unit: ward, roles: [nurse], joined: 2026-04-01}\n"
	"cadence:\n"
	"  training:\n"
	"    - {id: staff, roles: [nurse], offsets_days: [0, 7, 21, 45, 90],"
	" window_days: 150, grace_days: 5, reschedule_days: 5}\n"
	"    - {id: lead, roles: [first_line_manager],"
	" offsets_days: [-14, 0, 30, 60], window_days: 120, grace_days: 3,"
	" reschedule_days: 4}\n";

static uint64_t rnd_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ULL;
}

/* Sessions for SEED: each person about one day in twelve, some of them
 * failed checks; the same on every run. */
static void generated_sessions(world *w, uint64_t seed, int32_t from,
			       int32_t to)
{
	uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 7;
	for (int p = 0; p < 5; p++)
		for (int32_t d = from; d <= to; d++) {
			if (rnd_next(&x) % 12)
				continue;
			char day[11], person[4];
			up_date_format(d, day);
			snprintf(person, sizeof person, "p%d", p);
			const char *n[] = {"person", "date", "outcome"};
			const char *v[] = {person, day, "failed"};
			int failed = rnd_next(&x) % 10 == 0;
			ck_assert_int_eq(up_record(w->store, w->prog,
				"training", failed ? 3 : 2, n, v, NULL,
				w->err), UP_OK);
		}
}

static const char reminders_sql[] =
	"SELECT id, kind, person, role, unit, due, planned, state, cancelled,"
	" plan, opens, closes, reason, note FROM reminders ORDER BY id";

/* As `uptake due` lists them on DAY: at most one escalation per person
 * and plan, and nobody overdue within the grace after a session. */
static void check_listed(world *w, int32_t day, uint64_t seed)
{
	json_t *all = up_due_list(w->store, 5, day, NULL, NULL, w->err);
	ck_assert_ptr_nonnull(all);
	size_t i, j;
	json_t *o, *q;
	json_array_foreach(all, i, o) {
		if (!strcmp(str(o, "kind"), "escalation"))
			json_array_foreach(all, j, q)
				ck_assert_msg(j == i || strcmp(str(q, "kind"),
					"escalation") || strcmp(str(q, "person"),
					str(o, "person")) || strcmp(str(q,
					"plan"), str(o, "plan")),
					"seed %llu: two escalations of %s",
					(unsigned long long)seed,
					str(o, "person"));
		if (strcmp(str(o, "state"), "overdue") ||
		    strcmp(str(o, "kind"), "training_refresher"))
			continue;
		int grace = !strcmp(str(o, "plan"), "staff") ? 5 : 3;
		char lo[11], hi[11];
		up_date_format(day - grace, lo);
		up_date_format(day, hi);
		char *sql = up_xasprintf("SELECT count(*) FROM trainings WHERE"
					 " person = '%s' AND date BETWEEN '%s'"
					 " AND '%s'", str(o, "person"), lo, hi);
		char *n = dump(w, sql);
		ck_assert_msg(!strcmp(n, "0|\n"), "seed %llu: %s overdue on "
			      "%s within the grace after a session",
			      (unsigned long long)seed, str(o, "person"), hi);
		free(n);
		free(sql);
	}
	json_decref(all);
}

/* A and B line by line: the first that differs, not the whole tables. */
static void same_lines(const char *a, const char *b)
{
	for (size_t line = 1;; line++) {
		size_t na = strcspn(a, "\n"), nb = strcspn(b, "\n");
		ck_assert_msg(na == nb && !memcmp(a, b, na), "line %zu:\n"
			      "daily %.*s\ngap   %.*s", line, (int)na, a,
			      (int)nb, b);
		if (!a[na])
			break;
		a += na + 1;
		b += nb + 1;
	}
}

/* Every line of SUB is a line of ALL. */
static void lines_within(const char *sub, const char *all, uint64_t seed)
{
	while (*sub) {
		size_t n = strcspn(sub, "\n") + 1;
		char *line = up_xstrndup(sub, n);
		ck_assert_msg(strstr(all, line) != NULL, "seed %llu: only in "
			      "the gap: %s", (unsigned long long)seed, line);
		free(line);
		sub += n;
	}
}

START_TEST(generated_daily_cycles_equal_a_gap)
{
	uint64_t seed = (uint64_t)_i + 1;
	world daily, gap;
	open_world(&daily, generated_yaml);
	open_world(&gap, generated_yaml);
	int32_t day0;
	up_date_parse("2026-01-15", &day0, NULL);
	generated_sessions(&daily, seed, day0, day0 + 200);
	generated_sessions(&gap, seed, day0, day0 + 200);
	for (int32_t d = day0; d <= day0 + 200; d++) {
		char s[11];
		up_date_format(d, s);
		cycle_at(&daily, s);
		check_listed(&daily, d, seed);
	}
	cycle_at(&gap, "2026-01-15");
	char s[11];
	up_date_format(day0 + 200, s);
	cycle_at(&gap, s);
	/* the gap stores what is near or open on its two days, the daily
	 * cycles also what was on one of theirs, kept up to date: the same
	 * rows where both have one, and the same list */
	char *a = dump(&daily, reminders_sql), *b = dump(&gap, reminders_sql);
	lines_within(b, a, seed);
	ck_assert(strstr(a, "|lapsed|") || strstr(a, "lapsed on"));
	free(a);
	free(b);
	json_t *la = up_due_list(daily.store, 5, day0 + 200, NULL, NULL,
				 daily.err);
	json_t *lb = up_due_list(gap.store, 5, day0 + 200, NULL, NULL,
				 gap.err);
	ck_assert(la && lb);
	a = json_dumps(la, JSON_INDENT(1));
	b = json_dumps(lb, JSON_INDENT(1));
	same_lines(a, b);
	free(a);
	free(b);
	json_decref(la);
	json_decref(lb);
	close_world(&daily);
	close_world(&gap);
}
END_TEST

/* Cycle N of a store, as up_cycle_doc reads it (UNIT's alone), dumped
 * with its keys in the order they were stored. */
static char *read_back(world *w, long long n, const char *unit)
{
	json_t *doc = NULL;
	ck_assert_msg(up_cycle_doc(w->store, n, unit,
				   unit ? 0 : UP_CYCLE_REMINDERS, &doc, w->err) == UP_OK,
		      "%s", up_error_message(w->err, 0));
	ck_assert_ptr_nonnull(doc);
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

/* A store from before cycles were kept by unit: each cycle reads back
 * as it was written, whole and one unit at a time, and new cycles keep
 * their units and reminders apart from the record. */
START_TEST(stored_cycles_read_back_by_unit)
{
	world old;
	open_old(&old, keyed_yaml, "store-v11.sql");
	const char *data = getenv("UP_TEST_DATA");
	char *path = tu_path(data, "store-v11.sql");
	char *sql = read_file(path);
	sqlite3 *h;
	ck_assert_int_eq(sqlite3_open(":memory:", &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT id, doc FROM cycles"
					    " ORDER BY id", -1, &st, NULL),
			 SQLITE_OK);
	int cycles = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		long long n = sqlite3_column_int64(st, 0);
		json_t *was = json_loads((const char *)sqlite3_column_text(st,
					 1), 0, NULL);
		char *want = json_dumps(was, JSON_COMPACT);
		char *got = read_back(&old, n, NULL);
		ck_assert_str_eq(got, want);
		size_t i;
		json_t *u;
		json_array_foreach(json_object_get(was, "units"), i, u) {
			json_t *one = json_deep_copy(was);
			json_t *units = json_array();
			json_array_append(units, u);
			json_object_set_new(one, "units", units);
			json_object_set_new(one, "reminders", json_array());
			char *w1 = json_dumps(one, JSON_COMPACT);
			char *g1 = read_back(&old, n, json_string_value(
				json_object_get(u, "id")));
			ck_assert_str_eq(g1, w1);
			free(w1);
			free(g1);
			json_decref(one);
		}
		free(want);
		free(got);
		json_decref(was);
		cycles++;
	}
	ck_assert_int_eq(cycles, 5);
	sqlite3_finalize(st);
	sqlite3_close(h);
	free(sql);
	free(path);
	up_cycle *c = NULL;
	ck_assert_int_eq(up_cycle_read(&c, old.store, 2, "wrd", old.err),
			 UP_EINPUT);
	ck_assert_str_eq(up_error_message(old.err, 0), "error: unknown unit "
			 "'wrd' (did you mean 'ward'?)");
	cycle_at(&old, "2026-03-27");
	expect_sql(&old, "SELECT json_array_length(doc, '$.units'),"
		   " json_array_length(doc, '$.reminders'), reminders IS NOT"
		   " NULL, (SELECT group_concat(unit) FROM (SELECT unit"
		   " FROM cycle_units WHERE cycle = 6 ORDER BY ord))"
		   " FROM cycles WHERE id = 6", "0|0|1|clinic,ward|\n");
	ck_assert_int_eq(up_cycle_latest(&c, old.store, old.err), UP_OK);
	char *latest = json_dumps(c->doc, JSON_COMPACT);
	char *again = read_back(&old, 6, NULL);
	ck_assert_str_eq(latest, again);
	free(latest);
	free(again);
	up_cycle_free(c);
	close_world(&old);
}
END_TEST

/* Records valid as JSON but odd inside (a unit that is no object, a
 * metric that is a string) do not stop the migration: they stay whole
 * and read as they are; the others are split. */
START_TEST(odd_records_stay_whole)
{
	world old;
	open_old_with(&old, keyed_yaml, "store-v11.sql",
		"UPDATE cycles SET doc = json_insert(doc, '$.units[#]', 'x')"
		" WHERE id = 3;"
		"UPDATE cycles SET doc = json_insert(doc, '$.metrics[#]', 'm')"
		" WHERE id = 4;");
	expect_sql(&old, "SELECT cycle, count(*) FROM cycle_units GROUP BY"
		   " cycle", "1|2|\n2|2|\n4|2|\n5|2|\n");
	json_t *doc = NULL;
	ck_assert_int_eq(up_cycle_doc(old.store, 3, NULL, 0, &doc, old.err),
			 UP_OK);
	ck_assert_int_eq(json_array_size(json_object_get(doc, "units")), 3);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
		doc, "units"), 2)), "x");
	json_decref(doc);
	ck_assert_int_eq(up_cycle_doc(old.store, 3, "ward", 0, &doc, old.err),
			 UP_OK);
	ck_assert_int_eq(json_array_size(json_object_get(doc, "units")), 1);
	json_decref(doc);
	close_world(&old);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plans");
	TCase *ta = tcase_create("audience");
	tcase_set_timeout(ta, 60);
	tcase_add_test(ta, plans_by_audience);
	tcase_add_test(ta, a_store_from_before_the_keys_keeps_ids_and_sequences);
	tcase_add_test(ta, due_for_a_manager_and_for_staff);
	tcase_add_test(ta, summary_per_unit);
	tcase_add_test(ta, addressees_go_up_the_tree);
	suite_add_tcase(s, ta);

	TCase *tl = tcase_create("legacy");
	tcase_set_timeout(tl, 60);
	tcase_add_test(tl, a_store_from_before_keeps_its_ids);
	tcase_add_test(tl, stored_cycles_read_back_by_unit);
	tcase_add_test(tl, odd_records_stay_whole);
	suite_add_tcase(s, tl);

	TCase *tg = tcase_create("generated");
	tcase_set_timeout(tg, 300);
	tcase_add_loop_test(tg, generated_daily_cycles_equal_a_gap, 0, 2);
	suite_add_tcase(s, tg);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
