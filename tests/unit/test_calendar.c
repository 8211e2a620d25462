/*
 * test_calendar.c: the iCalendar export of stores built by real cycles,
 * read back with libical's parser.
 *
 * What is pinned: CRLF line ends, lines of at most 75 octets, folds that
 * never split a UTF-8 sequence; one VERSION and PRODID; one UID and one
 * DTSTAMP (the as-of day, UTC) per VTODO; UIDs unique, made of ids only
 * and stable across exports and cycles; TEXT with commas, semicolons,
 * backslashes and newlines round-trips; a moved go-live keeps the UIDs
 * and raises SEQUENCE; cancelled slots are sent as CANCELLED.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libical/ical.h>
#include <sqlite3.h>

#include "internal.h"
#include "testutil.h"

/* Names longer than a content line: Swedish letters, and 80 octets of
 * emoji with no space, where a fold can only fall inside non-ASCII text;
 * commas and semicolons to escape. */
#define ASA "Åsa Öberg-Ljungström-Åkerlund " \
	"🩺🩺🩺🩺🩺🩺🩺🩺🩺🩺🩺🩺🩺🩺🩺🩺🩺🩺🩺🩺 Överläkare"
#define ORTO "Ortopedi; avd. 3, plan 2"
#define TITLE "Införande, Ortopedi; våren 2026"

static const char program_fmt[] =
	"program: cal\n"
	"title: \"" TITLE "\"\n"
	"start: 2026-01-01\n"
	"stages: [prepare, live, sustain]\n"
	"units:\n"
	"  - {id: org, name: Region Norr, stage: prepare}\n"
	"  - {id: orto, name: \"" ORTO "\", parent: org, stage: live,"
	" go_live: %s}\n"
	"people:\n"
	"  - {id: asa, name: \"" ASA "\", unit: orto, roles: [nurse]}\n"
	"  - {id: bo, name: Bo Ek, unit: orto, roles: [first_line_manager]}\n"
	"rules: [rules/r.lua]\n"
	"cadence: {evaluation: monthly}\n";

#define NOTE "Call back, then; write it down\nin the log \\ twice"

/* A reminder and a follow-up from a rule, with a note to escape. */
static const char rule_lua[] =
	"check { id = 'ask', severity = 'low', stages = { 'live' },\n"
	"  check = function(ctx)\n"
	"    ctx:remind{ person = 'asa', days = 14,\n"
	"                note = 'Call back, then; write it down\\nin the log"
	" \\\\ twice' }\n"
	"    ctx:follow_up{ days = 30, note = 'look again, please' }\n"
	"    return pass('asked')\n"
	"  end }\n";

typedef struct {
	char *dir;
	up_program *prog;
	up_store *store;
	up_error *err;
} world;

static void write_program(world *w, const char *go_live)
{
	char *yaml = up_xasprintf(program_fmt, go_live);
	tu_write(w->dir, "program.yaml", yaml);
	free(yaml);
}

static void load_program(world *w)
{
	up_program_free(w->prog);
	w->prog = NULL;
	int rc = up_program_load(&w->prog, w->dir, w->err);
	ck_assert_msg(rc == UP_OK, "load: %s", up_error_message(w->err, 0));
}

static void open_world(world *w)
{
	*w = (world){.dir = tu_mkdtemp(), .err = up_error_new()};
	write_program(w, "2026-03-02");
	tu_write(w->dir, "rules/r.lua", rule_lua);
	load_program(w);
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

static void training(world *w, const char *person, const char *date)
{
	const char *n[] = {"person", "date"};
	const char *v[] = {person, date};
	ck_assert_int_eq(up_record(w->store, w->prog, "training", 2, n, v,
				   NULL, w->err), UP_OK);
}

static void cycle_at(world *w, const char *as_of)
{
	up_cycle *c = NULL;
	int rc = up_cycle_run(&c, w->store, w->prog, as_of, w->err);
	ck_assert_msg(rc == UP_OK, "cycle %s: %s", as_of,
		      up_error_message(w->err, 0));
	up_cycle_free(c);
}

/*
 * Åsa attends the first two sessions (go-live 03-02) and misses the third
 * twice: her plan restarts on 04-14.  Bo, a manager, never comes: his
 * plan restarts on 03-10.  The dropped slots are cancelled.
 */
static void reset_world(world *w)
{
	open_world(w);
	training(w, "asa", "2026-03-02");
	training(w, "asa", "2026-03-09");
	/* cycles every week, as a subscribed calendar sees them: a slot is
	 * on it from the cycle in which it comes near */
	static const char *const days[] = {"2026-02-20", "2026-02-27",
		"2026-03-06", "2026-03-10", "2026-03-17", "2026-03-24",
		"2026-03-31", "2026-04-07", "2026-04-14", "2026-04-20"};
	for (size_t i = 0; i < UP_COUNTOF(days); i++)
		cycle_at(w, days[i]);
}

static long long count(world *w, const char *sql)
{
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(up_store_db(w->store), sql, -1,
					    &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	long long n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* ---- the export, as text and parsed ---- */

typedef struct {
	char *text;
	size_t len;
	icalcomponent *cal;
} export;

static export export_at(world *w, const char *as_of)
{
	export e = {0};
	FILE *fp = open_memstream(&e.text, &e.len);
	ck_assert_ptr_nonnull(fp);
	int rc = up_calendar_write(w->store, w->prog, as_of, fp, w->err);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_msg(rc == UP_OK, "export: %s", up_error_message(w->err, 0));
	ck_assert_uint_eq(strlen(e.text), e.len);
	e.cal = icalparser_parse_string(e.text);
	ck_assert_ptr_nonnull(e.cal);
	ck_assert_int_eq(icalcomponent_isa(e.cal), ICAL_VCALENDAR_COMPONENT);
	ck_assert_int_eq(icalcomponent_count_errors(e.cal), 0);
	return e;
}

static void export_free(export *e)
{
	icalcomponent_free(e->cal);
	free(e->text);
}

/* One VTODO as read back. */
typedef struct {
	const char *uid, *summary, *description, *kind;
	char due[9];
	int sequence;
	enum icalproperty_status status;
} todo;

static todo todo_of(icalcomponent *c)
{
	todo t = {0};
	t.uid = icalcomponent_get_uid(c);
	t.summary = icalcomponent_get_summary(c);
	t.description = icalcomponent_get_description(c);
	icalproperty *p = icalcomponent_get_first_property(c,
		ICAL_CATEGORIES_PROPERTY);
	t.kind = p ? icalproperty_get_categories(p) : NULL;
	struct icaltimetype due = icalcomponent_get_due(c);
	ck_assert_msg(due.is_date, "%s: DUE is not a DATE", t.uid);
	snprintf(t.due, sizeof t.due, "%04d%02d%02d", due.year, due.month,
		 due.day);
	t.sequence = icalcomponent_get_sequence(c);
	t.status = icalcomponent_get_status(c);
	return t;
}

/* Every VTODO of E; *n receives the count.  Malloc'ed. */
static todo *todos(const export *e, size_t *n)
{
	size_t cap = (size_t)icalcomponent_count_components(e->cal,
		ICAL_VTODO_COMPONENT);
	todo *t = calloc(cap + 1, sizeof *t);
	*n = 0;
	for (icalcomponent *c = icalcomponent_get_first_component(e->cal,
			ICAL_VTODO_COMPONENT); c;
	     c = icalcomponent_get_next_component(e->cal,
			ICAL_VTODO_COMPONENT))
		t[(*n)++] = todo_of(c);
	ck_assert_uint_eq(*n, cap);
	return t;
}

static const todo *find(const todo *t, size_t n, const char *uid)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].uid, uid))
			return &t[i];
	return NULL;
}

static const todo *find_summary(const todo *t, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].summary && !strcmp(t[i].summary, s))
			return &t[i];
	return NULL;
}

/* ---- the tests ---- */

/* Every line ends in CRLF, holds at most 75 octets and is valid UTF-8 on
 * its own, so no fold splits a sequence; some folds fall inside the long
 * Swedish name, where only a UTF-8 boundary can take them. */
START_TEST(lines_are_crlf_short_and_whole_utf8)
{
	world w;
	reset_world(&w);
	export e = export_at(&w, "2026-04-20");
	const char *s = e.text, *end = e.text + e.len;
	int folds = 0, folds_in_utf8 = 0;
	for (const char *p = s; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		ck_assert_msg(nl != NULL, "the last line has no line end");
		ck_assert_msg(nl > p && nl[-1] == '\r', "no CRLF at byte %zu",
			      (size_t)(nl - s));
		size_t len = (size_t)(nl - 1 - p);
		int shown = len > 200 ? 200 : (int)len;
		ck_assert_msg(len <= 75, "%zu octets: %.*s", len, shown, p);
		ck_assert_msg(!memchr(p, '\r', len), "a bare CR: %.*s", shown,
			      p);
		ck_assert_msg(up_utf8_valid(p, len), "split UTF-8: %.*s",
			      shown, p);
		if (*p == ' ') {
			folds++;
			/* the octets either side of this fold */
			folds_in_utf8 |= (unsigned char)p[1] >= 0x80 &&
					 (unsigned char)p[-3] >= 0x80;
		}
		p = nl + 1;
	}
	ck_assert_int_gt(folds, 0);
	ck_assert_msg(folds_in_utf8, "no fold between two non-ASCII letters");
	export_free(&e);
	close_world(&w);
}
END_TEST

START_TEST(one_uid_and_dtstamp_per_todo)
{
	world w;
	reset_world(&w);
	export e = export_at(&w, "2026-04-20");
	ck_assert_int_eq(icalcomponent_count_properties(e.cal,
		ICAL_VERSION_PROPERTY), 1);
	ck_assert_str_eq(icalproperty_get_version(
		icalcomponent_get_first_property(e.cal, ICAL_VERSION_PROPERTY)),
		"2.0");
	ck_assert_int_eq(icalcomponent_count_properties(e.cal,
		ICAL_PRODID_PROPERTY), 1);
	ck_assert_str_eq(icalproperty_get_prodid(
		icalcomponent_get_first_property(e.cal, ICAL_PRODID_PROPERTY)),
		"-//uptake//uptake " UP_VERSION "//EN");
	ck_assert_ptr_nonnull(strstr(e.text, "\r\nX-WR-CALNAME:"));
	size_t n;
	todo *t = todos(&e, &n);
	/* a follow-up is a reminder too, under the same id */
	long long want = count(&w, "SELECT count(*) FROM (SELECT id FROM"
			       " reminders UNION SELECT id FROM followups"
			       " WHERE ran_in IS NULL)");
	ck_assert_int_eq((long long)n, want);
	ck_assert_uint_gt(n, 10);
	size_t i = 0;
	for (icalcomponent *c = icalcomponent_get_first_component(e.cal,
			ICAL_VTODO_COMPONENT); c;
	     c = icalcomponent_get_next_component(e.cal,
			ICAL_VTODO_COMPONENT), i++) {
		ck_assert_int_eq(icalcomponent_count_properties(c,
			ICAL_UID_PROPERTY), 1);
		ck_assert_int_eq(icalcomponent_count_properties(c,
			ICAL_DTSTAMP_PROPERTY), 1);
		ck_assert_int_eq(icalcomponent_count_properties(c,
			ICAL_DTEND_PROPERTY) + icalcomponent_count_properties(c,
			ICAL_DURATION_PROPERTY) + icalcomponent_count_properties(c,
			ICAL_RRULE_PROPERTY), 0);
		struct icaltimetype st = icalcomponent_get_dtstamp(c);
		ck_assert(icaltime_is_utc(st));
		ck_assert_int_eq(st.year, 2026);
		ck_assert_int_eq(st.month, 4);
		ck_assert_int_eq(st.day, 20);
		ck_assert_int_eq(st.hour + st.minute + st.second, 0);
		/* 16 hex digits of an id and the program: nothing personal */
		const char *uid = t[i].uid;
		ck_assert_uint_eq(strspn(uid, "0123456789abcdef"), 16);
		ck_assert_str_eq(uid + 16, "@cal.uptake");
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(t[j].uid, uid);
	}
	free(t);
	export_free(&e);
	close_world(&w);
}
END_TEST

START_TEST(text_round_trips_escaped)
{
	world w;
	reset_world(&w);
	export e = export_at(&w, "2026-04-20");
	size_t n;
	todo *t = todos(&e, &n);
	const todo *r = find_summary(t, n, "Training refresher 1: " ASA ", "
				     ORTO);
	ck_assert_msg(r != NULL, "no refresher 1 for Åsa");
	ck_assert_str_eq(r->kind, "training_refresher");
	ck_assert_str_eq(r->description, "training refresher 1");
	ck_assert_str_eq(r->due, "20260302");
	r = find_summary(t, n, "Reminder: " ASA ", " ORTO);
	ck_assert_msg(r != NULL, "no rule reminder for Åsa");
	ck_assert_str_eq(r->description, NOTE);
	ck_assert_str_eq(r->kind, "rule");
	ck_assert_ptr_nonnull(find_summary(t, n, "Follow-up of ask: " ORTO));
	ck_assert_ptr_nonnull(find_summary(t, n, "Routine evaluation: " ORTO));
	ck_assert_ptr_nonnull(find_summary(t, n, "Escalation to first line "
					   "manager: Bo Ek, " ORTO));
	/* as written, unfolded: RFC 5545 escapes */
	char *flat = up_xstrdup(e.text);
	char *wr = flat;
	for (const char *p = flat; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ')
			p += 2;
		else
			*wr++ = *p;
	}
	*wr = '\0';
	ck_assert_ptr_nonnull(strstr(flat, "Ortopedi\\; avd. 3\\, plan 2"));
	ck_assert_ptr_nonnull(strstr(flat, "\r\nDESCRIPTION:Call back\\, then\\;"
				     " write it down\\nin the log \\\\ twice\r\n"));
	ck_assert_ptr_nonnull(strstr(flat, "\r\nNAME:Införande\\, Ortopedi\\;"
				     " våren 2026\r\n"));
	free(flat);
	icalproperty *name = icalcomponent_get_first_property(e.cal,
		ICAL_NAME_PROPERTY);
	ck_assert_ptr_nonnull(name);
	ck_assert_str_eq(icalproperty_get_name(name), TITLE);
	free(t);
	export_free(&e);
	close_world(&w);
}
END_TEST

/* The same store and date export the same bytes; a later cycle keeps
 * every UID it had. */
START_TEST(uids_are_stable)
{
	world w;
	reset_world(&w);
	export a = export_at(&w, "2026-04-20"), b = export_at(&w, "2026-04-20");
	ck_assert_uint_eq(a.len, b.len);
	ck_assert(memcmp(a.text, b.text, a.len) == 0);
	cycle_at(&w, "2026-05-20");
	export c = export_at(&w, "2026-05-20");
	size_t na, nc;
	todo *ta = todos(&a, &na), *tc = todos(&c, &nc);
	for (size_t i = 0; i < na; i++) {
		const todo *same = find(tc, nc, ta[i].uid);
		/* a follow-up that ran since is no longer to do */
		if (!strcmp(ta[i].kind, "followup") && !same)
			continue;
		ck_assert_msg(same != NULL, "%s (%s) is gone", ta[i].uid,
			      ta[i].summary);
		ck_assert_str_eq(same->summary, ta[i].summary);
	}
	free(ta);
	free(tc);
	export_free(&a);
	export_free(&b);
	export_free(&c);
	close_world(&w);
}
END_TEST

START_TEST(moved_go_live_keeps_uids_and_raises_sequence)
{
	world w;
	open_world(&w);
	cycle_at(&w, "2026-02-20");
	export a = export_at(&w, "2026-02-20");
	write_program(&w, "2026-03-12");
	load_program(&w);
	cycle_at(&w, "2026-02-21");
	export b = export_at(&w, "2026-02-21");
	size_t na, nb, moved = 0;
	todo *ta = todos(&a, &na), *tb = todos(&b, &nb);
	for (size_t i = 0; i < na; i++) {
		if (strcmp(ta[i].kind, "training_refresher"))
			continue;
		const todo *now = find(tb, nb, ta[i].uid);
		ck_assert_msg(now != NULL, "%s (%s) is gone", ta[i].uid,
			      ta[i].summary);
		int32_t was, is;
		char d[11];
		snprintf(d, sizeof d, "%.4s-%.2s-%.2s", ta[i].due,
			 ta[i].due + 4, ta[i].due + 6);
		ck_assert_int_eq(up_date_parse(d, &was, NULL), UP_OK);
		snprintf(d, sizeof d, "%.4s-%.2s-%.2s", now->due, now->due + 4,
			 now->due + 6);
		ck_assert_int_eq(up_date_parse(d, &is, NULL), UP_OK);
		ck_assert_int_eq(is - was, 10);
		ck_assert_int_eq(ta[i].sequence, 0);
		ck_assert_int_eq(now->sequence, 1);
		moved++;
	}
	/* the slots stored on 02-20 (within the 45 days a cycle stores
	 * ahead), each moved: Åsa's first three (go-live day, a week and
	 * three weeks after), Bo's three (before, on and a month after) */
	ck_assert_uint_eq(moved, 6);
	free(ta);
	free(tb);
	export_free(&a);
	export_free(&b);
	close_world(&w);
}
END_TEST

/* The slots a lapse dropped are sent as CANCELLED, the missed one too;
 * attended ones as COMPLETED.  An acknowledged lapse stays NEEDS-ACTION
 * while it holds: the session that ends it completes it. */
START_TEST(cancelled_items_are_sent)
{
	world w;
	reset_world(&w);
	long long cancelled = count(&w, "SELECT count(*) FROM reminders"
				    " WHERE cancelled");
	ck_assert_int_gt(cancelled, 0);
	long long missed = count(&w, "SELECT count(*) FROM reminders"
				 " WHERE state = 'missed' AND NOT cancelled");
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(up_store_db(w.store),
		"SELECT id FROM reminders WHERE kind = 'escalation'"
		" AND person = 'asa'", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	char *esc = up_xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	ck_assert_int_eq(up_reminder_ack(w.store, esc, w.err), UP_OK);
	export e = export_at(&w, "2026-04-20");
	size_t n, ncancelled = 0, ncompleted = 0;
	todo *t = todos(&e, &n);
	for (size_t i = 0; i < n; i++) {
		if (t[i].status == ICAL_STATUS_CANCELLED) {
			ck_assert_str_eq(t[i].kind, "training_refresher");
			ncancelled++;
		}
		ncompleted += t[i].status == ICAL_STATUS_COMPLETED;
	}
	ck_assert_int_eq((long long)ncancelled, cancelled + missed);
	/* two sessions and the follow-ups that ran */
	long long ran = count(&w, "SELECT count(*) FROM followups WHERE ran_in"
			      " IS NOT NULL");
	ck_assert_int_gt(ran, 0);
	ck_assert_int_eq((long long)ncompleted, 2 + ran);
	char *uid = up_xasprintf("%s@cal.uptake", esc);
	const todo *r = find(t, n, uid);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, ICAL_STATUS_NEEDSACTION);
	ck_assert_str_eq(r->kind, "escalation");
	free(t);
	export_free(&e);
	/* asa comes back: the lapse ends, its escalation is done */
	training(&w, "asa", "2026-04-21");
	cycle_at(&w, "2026-04-22");
	e = export_at(&w, "2026-04-22");
	t = todos(&e, &n);
	r = find(t, n, uid);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, ICAL_STATUS_COMPLETED);
	free(uid);
	free(esc);
	free(t);
	export_free(&e);
	close_world(&w);
}
END_TEST

START_TEST(bad_as_of_writes_nothing)
{
	world w;
	open_world(&w);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	ck_assert_int_eq(up_calendar_write(w.store, w.prog, "2026-02-30", fp,
					   w.err), UP_EINPUT);
	fclose(fp);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(up_error_message(w.err, 0), "error: invalid as-of "
			 "date '2026-02-30': no such day in that month");
	free(buf);
	close_world(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("calendar");
	TCase *tc = tcase_create("format");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, lines_are_crlf_short_and_whole_utf8);
	tcase_add_test(tc, one_uid_and_dtstamp_per_todo);
	tcase_add_test(tc, text_round_trips_escaped);
	tcase_add_test(tc, bad_as_of_writes_nothing);
	suite_add_tcase(s, tc);
	tc = tcase_create("changes");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, uids_are_stable);
	tcase_add_test(tc, moved_go_live_keeps_uids_and_raises_sequence);
	tcase_add_test(tc, cancelled_items_are_sent);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
