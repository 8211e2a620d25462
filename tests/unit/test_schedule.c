/* test_schedule.c: follow-ups and reminders over real cycles: catch-up
 * equals daily running, nothing runs or is raised twice, and two
 * processes at once leave one sound store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "internal.h"
#include "testutil.h"

static const char program_yaml[] =
	"program: sched\n"
	"start: 2026-01-01\n"
	"stages: [prepare, live, sustain]\n"
	"units:\n"
	"  - {id: org, stage: live}\n"
	"  - {id: ward, parent: org, stage: live, go_live: 2026-02-02}\n"
	"people:\n"
	"  - {id: anna, unit: ward, roles: [nurse]}\n"
	"  - {id: bo, unit: ward, roles: [nurse]}\n"
	"  - {id: cecilia, unit: ward, roles: [first_line_manager]}\n"
	"  - {id: dan, unit: ward, roles: [nurse], joined: 2026-05-01}\n"
	"rules: [rules/r.lua]\n"
	"cadence:\n"
	"  evaluation: monthly\n"
	"  training: {grace_days: 7, reschedule_days: 7}\n";

/* Fails until anna attends twice, and asks to look again in 30 days. */
static const char rule_lua[] =
	"gate { id = 'trained', at = 'live->sustain', check = function(ctx)\n"
	"  local t = ctx:trainings{ person = 'anna' }\n"
	"  if #t < 2 then\n"
	"    ctx:follow_up{ days = 30, note = 'anna not yet trained twice' }\n"
	"    return fail('%d session(s)', #t)\n"
	"  end\n"
	"  return pass('%d sessions', #t)\n"
	"end }\n";

typedef struct {
	char *dir;
	up_program *prog;
	up_store *store;
	up_error *err;
} world;

static void open_world_with(world *w, const char *rules)
{
	w->dir = tu_mkdtemp();
	tu_write(w->dir, "program.yaml", program_yaml);
	tu_write(w->dir, "rules/r.lua", rules);
	w->err = up_error_new();
	ck_assert_int_eq(up_program_load(&w->prog, w->dir, w->err), UP_OK);
	ck_assert_int_eq(up_store_open(&w->store, w->dir, NULL, 0, w->err),
			 UP_OK);
}

static void open_world(world *w)
{
	open_world_with(w, rule_lua);
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
		     const char *outcome)
{
	const char *n[] = {"person", "date", "outcome"};
	const char *v[] = {person, date, outcome};
	ck_assert_int_eq(up_record(w->store, w->prog, "training",
				   outcome ? 3 : 2, n, v, NULL, w->err), UP_OK);
}

/* anna: on time twice; bo: misses a slot and then its new date (reset);
 * cecilia: a failed check; dan joins in May. */
static void sessions(world *w)
{
	training(w, "anna", "2026-02-02", NULL);
	training(w, "anna", "2026-02-10", NULL);
	training(w, "bo", "2026-02-03", NULL);
	training(w, "cecilia", "2026-01-20", NULL);
	training(w, "cecilia", "2026-02-03", "failed");
	training(w, "dan", "2026-05-02", NULL);
}

static void cycle_at(world *w, int32_t day)
{
	char d[11];
	up_date_format(day, d);
	up_cycle *c = NULL;
	int rc = up_cycle_run(&c, w->store, w->prog, d, w->err);
	ck_assert_msg(rc == UP_OK, "cycle %s: %s", d,
		      up_error_message(w->err, 0));
	up_cycle_free(c);
}

/* A table as text, one row a line, for comparing two stores. */
static char *dump(world *w, const char *sql)
{
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(up_store_db(w->store), sql, -1,
					    &st, NULL), SQLITE_OK);
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

static const char reminders_sql[] =
	"SELECT id, kind, person, role, unit, due, planned, state, cancelled"
	" FROM reminders ORDER BY id";
static const char followups_sql[] =
	"SELECT id, source, rule, unit, due, ran_in IS NOT NULL, result"
	" FROM followups ORDER BY id";

/* Every line of SUB is a line of ALL. */
static void lines_within(const char *sub, const char *all)
{
	while (*sub) {
		size_t n = strcspn(sub, "\n") + 1;
		char *line = up_xstrndup(sub, n);
		ck_assert_msg(strstr(all, line) != NULL, "only in the gap: %s",
			      line);
		free(line);
		sub += n;
	}
}

/* What `uptake due` lists on DAY, as JSON text. */
static char *listed(world *w, int32_t day)
{
	json_t *all = up_due_list(w->store, w->prog->cadence.grace_days, day,
				  NULL, NULL, w->err);
	ck_assert_ptr_nonnull(all);
	char *s = json_dumps(all, JSON_COMPACT);
	json_decref(all);
	return s;
}

START_TEST(catch_up_equals_daily_cycles)
{
	world daily, gap;
	open_world(&daily);
	open_world(&gap);
	sessions(&daily);
	sessions(&gap);
	int32_t day0;
	up_date_parse("2026-01-15", &day0, NULL);
	for (int32_t d = day0; d <= day0 + 200; d++)
		cycle_at(&daily, d);
	cycle_at(&gap, day0);
	cycle_at(&gap, day0 + 200);
	/* the gap stores what is near or open on its days; the daily
	 * cycles also what was near on one of theirs, kept up to date: the
	 * same rows where both have one, the same list */
	char *a = dump(&daily, reminders_sql), *b = dump(&gap, reminders_sql);
	lines_within(b, a);
	ck_assert_msg(strstr(a, "escalation") != NULL, "no escalation:\n%s", a);
	ck_assert_msg(strstr(a, "cancelled") != NULL, "nothing cancelled");
	free(a);
	free(b);
	a = listed(&daily, day0 + 200);
	b = listed(&gap, day0 + 200);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	a = dump(&daily, followups_sql);
	b = dump(&gap, followups_sql);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	/* asked on 01-15, run on 02-14 (as of that day anna has trained
	 * twice, so nobody asks again), for both units */
	char *ran = dump(&gap, "SELECT unit, due FROM followups WHERE source ="
			 " 'rule' ORDER BY unit, due");
	ck_assert_str_eq(ran, "org|2026-02-14|\nward|2026-02-14|\n");
	free(ran);
	close_world(&daily);
	close_world(&gap);
}
END_TEST

START_TEST(nothing_runs_or_is_raised_twice)
{
	world w;
	open_world_with(&w,
		 "gate { id = 'ask', at = 'live->sustain', check = function(ctx)\n"
		 "  ctx:follow_up{ days = 10 }\n"
		 "  ctx:remind{ role = 'first_line_manager', days = 5, note = 'look' }\n"
		 "  return fail('not yet')\n"
		 "end }\n");
	int32_t d;
	up_date_parse("2026-03-01", &d, NULL);
	cycle_at(&w, d);
	cycle_at(&w, d);
	char *once = dump(&w, followups_sql), *rem = dump(&w, reminders_sql);
	cycle_at(&w, d);
	char *again = dump(&w, followups_sql), *rem2 = dump(&w, reminders_sql);
	ck_assert_str_eq(once, again);
	ck_assert_str_eq(rem, rem2);
	/* one pending follow-up per rule and unit, however often asked */
	char *pending = dump(&w, "SELECT count(*) FROM followups WHERE source"
			     " = 'rule' AND ran_in IS NULL");
	ck_assert_str_eq(pending, "2|\n"); /* org and ward */
	/* ten days on, each runs once and asks for the next */
	cycle_at(&w, d + 10);
	cycle_at(&w, d + 10);
	char *ran = dump(&w, "SELECT unit, due, ran_in FROM followups WHERE"
			 " source = 'rule' ORDER BY unit, due");
	ck_assert_str_eq(ran, "org|2026-03-11|4|\norg|2026-03-21|NULL|\n"
			 "ward|2026-03-11|4|\nward|2026-03-21|NULL|\n");
	free(once);
	free(again);
	free(rem);
	free(rem2);
	free(pending);
	free(ran);
	close_world(&w);
}
END_TEST

START_TEST(cadence_moves_with_go_live)
{
	world w;
	open_world(&w);
	int32_t d;
	up_date_parse("2026-02-20", &d, NULL);
	cycle_at(&w, d);
	char *before = dump(&w, "SELECT id FROM followups WHERE source ="
			    " 'cadence' ORDER BY id");
	char *dues = dump(&w, "SELECT due FROM followups WHERE source ="
			  " 'cadence' ORDER BY due");
	ck_assert_str_eq(dues, "2026-03-02|\n2026-04-02|\n2026-05-02|\n");
	free(dues);
	/* the ward's go-live slips by ten days */
	char *yaml = up_xasprintf("%s", program_yaml);
	char *at = strstr(yaml, "2026-02-02");
	memcpy(at, "2026-02-12", 10);
	tu_write(w.dir, "program.yaml", yaml);
	free(yaml);
	up_program_free(w.prog);
	w.prog = NULL;
	ck_assert_int_eq(up_program_load(&w.prog, w.dir, w.err), UP_OK);
	cycle_at(&w, d);
	/* the same ids, each ten days later; nothing doubled */
	char *after = dump(&w, "SELECT id FROM followups WHERE source ="
			   " 'cadence' ORDER BY id");
	ck_assert_str_eq(before, after);
	dues = dump(&w, "SELECT due FROM followups WHERE source = 'cadence'"
		    " ORDER BY due");
	ck_assert_str_eq(dues, "2026-03-12|\n2026-04-12|\n2026-05-12|\n");
	free(dues);
	char *seq = dump(&w, "SELECT min(r.sequence), max(r.sequence) FROM"
			 " reminders r JOIN followups f ON f.id = r.id"
			 " WHERE f.source = 'cadence'");
	ck_assert_str_eq(seq, "1|1|\n");
	free(seq);
	free(before);
	free(after);
	close_world(&w);
}
END_TEST

/* Routine evaluations start with the program: a ward live since June
 * 2025 in a program that began in 2026 is evaluated from January on,
 * each evaluation keeping its month since go-live (its id); one a
 * hostile file says went live in 1012 asks for none, where each of its
 * 1,200 months would have been judged, one load of the facts each. */
START_TEST(cadence_starts_with_the_program)
{
	world w;
	w.dir = tu_mkdtemp();
	char *yaml = up_xasprintf("%s", program_yaml);
	memcpy(strstr(yaml, "2026-02-02"), "2025-06-02", 10);
	char *more = up_xasprintf("%.*s  - {id: old, parent: org, stage: live,"
				  " go_live: 1012-03-02}\n%s",
				  (int)(strstr(yaml, "people:") - yaml), yaml,
				  strstr(yaml, "people:"));
	tu_write(w.dir, "program.yaml", more);
	tu_write(w.dir, "rules/r.lua", rule_lua);
	free(yaml);
	free(more);
	w.err = up_error_new();
	ck_assert_int_eq(up_program_load(&w.prog, w.dir, w.err), UP_OK);
	ck_assert_int_eq(up_store_open(&w.store, w.dir, NULL, 0, w.err),
			 UP_OK);
	int32_t d;
	up_date_parse("2026-02-20", &d, NULL);
	cycle_at(&w, d);
	char *dues = dump(&w, "SELECT unit, due FROM followups WHERE source ="
			  " 'cadence' ORDER BY due");
	ck_assert_str_eq(dues, "ward|2026-01-02|\nward|2026-02-02|\n"
			 "ward|2026-03-02|\nward|2026-04-02|\n"
			 "ward|2026-05-02|\n");
	free(dues);
	close_world(&w);
}
END_TEST

START_TEST(catch_up_sees_each_day)
{
	/* every follow-up runs as of its own day, with that day's ctx and
	 * computed metrics; a rule's reminder is raised once however often
	 * it is asked; two cycles at one date print the same JSON */
	world w;
	open_world_with(&w,
		"metric { id = 'always', target = 1, compute = function(ctx)\n"
		"  return 1 end }\n"
		"gate { id = 'day', at = 'live->sustain', check = function(ctx)\n"
		"  ctx:follow_up{ days = 1 }\n"
		"  ctx:remind{ role = 'first_line_manager', days = 5 }\n"
		"  local m = ctx:metric('always')\n"
		"  return fail('now=%s metric=%s', ctx.now, m and m.status or 'nil')\n"
		"end }\n");
	int32_t d;
	up_date_parse("2026-03-01", &d, NULL);
	cycle_at(&w, d);
	cycle_at(&w, d + 1);
	cycle_at(&w, d + 2);
	cycle_at(&w, d + 4);
	char *res = dump(&w, "SELECT due, json_extract(result, '$.message')"
			 " FROM followups WHERE unit = 'ward' AND ran_in IS NOT"
			 " NULL AND source = 'rule' ORDER BY due");
	ck_assert_str_eq(res,
		"2026-03-02|now=2026-03-02 metric=met|\n"
		"2026-03-03|now=2026-03-03 metric=met|\n"
		"2026-03-04|now=2026-03-04 metric=met|\n"
		"2026-03-05|now=2026-03-05 metric=met|\n");
	char *rem = dump(&w, "SELECT count(*) FROM reminders WHERE kind ="
			 " 'rule' AND unit = 'ward'");
	ck_assert_str_eq(rem, "1|\n");
	up_cycle *a = NULL, *b = NULL;
	ck_assert_int_eq(up_cycle_run(&a, w.store, w.prog, "2026-03-05", w.err),
			 UP_OK);
	ck_assert_int_eq(up_cycle_run(&b, w.store, w.prog, "2026-03-05", w.err),
			 UP_OK);
	json_object_del(a->doc, "cycle");
	json_object_del(b->doc, "cycle");
	ck_assert(json_equal(a->doc, b->doc));
	up_cycle_free(a);
	up_cycle_free(b);
	free(res);
	free(rem);
	close_world(&w);
}
END_TEST

START_TEST(late_sessions_withdraw_what_they_undo)
{
	world w;
	open_world(&w);
	int32_t d;
	up_date_parse("2026-03-20", &d, NULL);
	cycle_at(&w, d); /* anna attended nothing: her plan restarts */
	char *esc = dump(&w, "SELECT count(*) > 0 FROM reminders WHERE kind ="
			 " 'escalation' AND person = 'anna' AND NOT cancelled");
	ck_assert_str_eq(esc, "1|\n");
	free(esc);
	/* the sessions were held; the export came late */
	training(&w, "anna", "2026-02-02", NULL);
	training(&w, "anna", "2026-02-09", NULL);
	training(&w, "anna", "2026-02-23", NULL);
	training(&w, "anna", "2026-03-19", NULL);
	cycle_at(&w, d);
	esc = dump(&w, "SELECT count(*) FROM reminders WHERE kind ="
		   " 'escalation' AND person = 'anna' AND NOT cancelled");
	ck_assert_str_eq(esc, "0|\n");
	char *gen1 = dump(&w, "SELECT count(*) FROM reminders WHERE person ="
			  " 'anna' AND note LIKE '%restarted%' AND NOT cancelled");
	ck_assert_str_eq(gen1, "0|\n");
	free(esc);
	free(gen1);
	close_world(&w);
}
END_TEST

START_TEST(replaying_the_past_leaves_the_schedule)
{
	world w;
	open_world(&w);
	sessions(&w);
	int32_t d;
	up_date_parse("2026-06-01", &d, NULL);
	cycle_at(&w, d);
	char *rem = dump(&w, reminders_sql), *fu = dump(&w, followups_sql);
	char *seq = dump(&w, "SELECT sum(sequence) FROM reminders");
	cycle_at(&w, d - 100); /* what did the board say in February? */
	char *rem2 = dump(&w, reminders_sql), *fu2 = dump(&w, followups_sql);
	char *seq2 = dump(&w, "SELECT sum(sequence) FROM reminders");
	ck_assert_str_eq(rem, rem2);
	ck_assert_str_eq(fu, fu2);
	ck_assert_str_eq(seq, seq2);
	free(rem);
	free(rem2);
	free(fu);
	free(fu2);
	free(seq);
	free(seq2);
	close_world(&w);
}
END_TEST

START_TEST(two_processes_at_once)
{
	world w;
	open_world(&w);
	sessions(&w);
	char *path = tu_path(w.dir, ".uptake/state.db");
	pid_t kids[2];
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			up_error *e = up_error_new();
			up_program *p = NULL;
			up_store *s = NULL;
			up_cycle *c = NULL;
			int rc = up_program_load(&p, w.dir, e);
			if (rc == UP_OK)
				rc = up_store_open(&s, w.dir, NULL, 0, e);
			if (rc == UP_OK)
				rc = up_cycle_run(&c, s, p, "2026-06-01", e);
			_exit(rc == UP_OK ? 0 : rc == UP_EBUSY ? 75 : 1);
		}
	}
	int ok = 0;
	for (int i = 0; i < 2; i++) {
		int status;
		waitpid(kids[i], &status, 0);
		ck_assert(WIFEXITED(status));
		ck_assert_msg(WEXITSTATUS(status) == 0 ||
			      WEXITSTATUS(status) == 75, "exit %d",
			      WEXITSTATUS(status));
		ok += WEXITSTATUS(status) == 0;
	}
	ck_assert_int_ge(ok, 1);
	char *check = dump(&w, "PRAGMA integrity_check");
	ck_assert_str_eq(check, "ok|\n");
	char *cycles = dump(&w, "SELECT count(*) FROM cycles");
	char want[16];
	snprintf(want, sizeof want, "%d|\n", ok);
	ck_assert_str_eq(cycles, want);
	/* the same reminders as one cycle alone would raise */
	char *dups = dump(&w, "SELECT count(*) - count(DISTINCT kind || "
			  "coalesce(person, '') || unit || due) FROM reminders"
			  " WHERE NOT cancelled");
	ck_assert_str_eq(dups, "0|\n");
	free(check);
	free(cycles);
	free(dups);
	free(path);
	close_world(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("schedule");
	TCase *tc = tcase_create("schedule");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, catch_up_equals_daily_cycles);
	tcase_add_test(tc, nothing_runs_or_is_raised_twice);
	tcase_add_test(tc, cadence_moves_with_go_live);
	tcase_add_test(tc, cadence_starts_with_the_program);
	tcase_add_test(tc, catch_up_sees_each_day);
	tcase_add_test(tc, late_sessions_withdraw_what_they_undo);
	tcase_add_test(tc, replaying_the_past_leaves_the_schedule);
	tcase_add_test(tc, two_processes_at_once);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
