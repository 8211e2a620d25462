/* test_training.c: training plans over the default 300-day cadence, every
 * state boundary, reschedules and resets, and the plan as a pure function
 * of the sessions and the date. */
#include <stdlib.h>

#include <check.h>

#include "internal.h"
#include "training.h"

/* The default schedule: expanding intervals over ~300 days. */
static const int cadence[] = {0, 7, 21, 45, 90, 150, 210, 300};
static const int manager_cadence[] = {-14, 0, 30, 60, 90};

#define GO_LIVE "2026-03-02"

typedef struct {
	up_slot *slots;
	size_t n;
	up_reset *resets;
	size_t nr;
} plan;

static int32_t day(const char *s)
{
	int32_t d;
	ck_assert_msg(up_date_parse(s, &d, NULL) == UP_OK, "bad date %s", s);
	return d;
}

/* The default rules: anchored at go-live, 300 days, grace and reschedule 7. */
static up_plan_rules rules(int32_t anchor)
{
	return (up_plan_rules){.anchor = anchor, .window_end = anchor + 300,
			       .offsets = cadence,
			       .noffsets = UP_COUNTOF(cadence),
			       .grace = 7, .reschedule = 7};
}

static plan derive(const up_plan_rules *r, const up_session *s, size_t ns,
		   int32_t as_of)
{
	plan p;
	up_training_plan(r, s, ns, as_of, &p.slots, &p.n, &p.resets, &p.nr);
	ck_assert(p.n == 0 || p.slots);
	ck_assert(p.nr == 0 || p.resets);
	return p;
}

static void plan_free(plan *p)
{
	free(p->slots);
	free(p->resets);
}

static void expect_day(int32_t got, const char *want, const char *what,
		       size_t i)
{
	char buf[11];
	up_date_format(got, buf);
	ck_assert_msg(got == day(want), "slot %zu: %s %s, want %s", i, what,
		      buf, want);
}

/* Slot I is (GEN, K), planned on PLANNED, due on DUE, in state STATE. */
static void expect_slot(const plan *p, size_t i, int gen, int k,
			const char *planned, const char *due,
			up_slot_state state)
{
	ck_assert_msg(i < p->n, "slot %zu missing (%zu slots)", i, p->n);
	const up_slot *sl = &p->slots[i];
	ck_assert_msg(sl->gen == gen && sl->k == k,
		      "slot %zu: gen %d k %d, want gen %d k %d", i, sl->gen,
		      sl->k, gen, k);
	expect_day(sl->planned, planned, "planned", i);
	expect_day(sl->due, due, "due", i);
	ck_assert_msg(sl->state == state, "slot %zu: state %d, want %d", i,
		      (int)sl->state, (int)state);
	ck_assert_int_eq(sl->rescheduled, sl->due != sl->planned);
}

static void expect_done(const plan *p, size_t i, const char *on)
{
	ck_assert_int_eq(p->slots[i].state, UP_SLOT_DONE);
	expect_day(p->slots[i].done_on, on, "done on", i);
}

static void expect_reset(const plan *p, size_t i, const char *on, int gen,
			 int failed_check)
{
	ck_assert_msg(i < p->nr, "reset %zu missing (%zu resets)", i, p->nr);
	expect_day(p->resets[i].day, on, "reset on", i);
	ck_assert_int_eq(p->resets[i].gen, gen);
	ck_assert_int_eq(p->resets[i].failed_check, failed_check);
}

static const char *const default_days[] = {
	"2026-03-02", "2026-03-09", "2026-03-23", "2026-04-16",
	"2026-05-31", "2026-07-30", "2026-09-28", "2026-12-27"};

/* ---- the first plan ---- */

START_TEST(default_plan_dates)
{
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a);
	plan p = derive(&r, NULL, 0, a - 30);
	ck_assert_uint_eq(p.n, 8); /* day 300 is window_end itself: kept */
	ck_assert_uint_eq(p.nr, 0);
	ck_assert_ptr_null(p.resets);
	for (size_t i = 0; i < p.n; i++)
		expect_slot(&p, i, 0, (int)i, default_days[i], default_days[i],
			    UP_SLOT_PENDING);
	plan_free(&p);
}
END_TEST

START_TEST(every_session_on_time_is_done)
{
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a);
	up_session s[UP_COUNTOF(cadence)];
	for (size_t i = 0; i < UP_COUNTOF(cadence); i++)
		s[i] = (up_session){.day = a + cadence[i]};
	plan p = derive(&r, s, UP_COUNTOF(s), a + 330);
	ck_assert_uint_eq(p.n, 8);
	ck_assert_uint_eq(p.nr, 0);
	for (size_t i = 0; i < p.n; i++) {
		expect_slot(&p, i, 0, (int)i, default_days[i], default_days[i],
			    UP_SLOT_DONE);
		expect_done(&p, i, default_days[i]);
	}
	plan_free(&p);
}
END_TEST

START_TEST(sessions_within_grace_satisfy)
{
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a);
	/* Day -7: the earliest day for slot 0.  Day 14: the last day for
	 * slot 1 and the first for slot 2; the earlier slot takes it. */
	up_session s[] = {{.day = a - 7}, {.day = a + 14}};
	plan p = derive(&r, s, 2, a + 16);
	expect_slot(&p, 0, 0, 0, "2026-03-02", "2026-03-02", UP_SLOT_DONE);
	expect_done(&p, 0, "2026-02-23");
	expect_slot(&p, 1, 0, 1, "2026-03-09", "2026-03-09", UP_SLOT_DONE);
	expect_done(&p, 1, "2026-03-16");
	expect_slot(&p, 2, 0, 2, "2026-03-23", "2026-03-23", UP_SLOT_DUE);
	plan_free(&p);

	/* One day outside the window is no session at all. */
	up_session early[] = {{.day = a - 8}};
	p = derive(&r, early, 1, a);
	expect_slot(&p, 0, 0, 0, "2026-03-02", "2026-03-02", UP_SLOT_DUE);
	plan_free(&p);
}
END_TEST

/* ---- misses ---- */

START_TEST(one_miss_is_rescheduled_then_attended)
{
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a);
	/* Nothing near day 21: at 29 it moves to 21 + 7 + 7 = 35. */
	up_session s[] = {{.day = a}, {.day = a + 7}, {.day = a + 33}};
	plan p = derive(&r, s, 2, a + 29);
	expect_slot(&p, 2, 0, 2, "2026-03-23", "2026-04-06", UP_SLOT_DUE);
	expect_slot(&p, 3, 0, 3, "2026-04-16", "2026-04-16", UP_SLOT_PENDING);
	plan_free(&p);

	p = derive(&r, s, 2, a + 36);
	expect_slot(&p, 2, 0, 2, "2026-03-23", "2026-04-06", UP_SLOT_OVERDUE);
	plan_free(&p);

	p = derive(&r, s, 3, a + 36);
	ck_assert_uint_eq(p.n, 8);
	ck_assert_uint_eq(p.nr, 0);
	expect_slot(&p, 2, 0, 2, "2026-03-23", "2026-04-06", UP_SLOT_DONE);
	expect_done(&p, 2, "2026-04-04");
	expect_slot(&p, 3, 0, 3, "2026-04-16", "2026-04-16", UP_SLOT_PENDING);
	plan_free(&p);
}
END_TEST

START_TEST(second_miss_resets_to_the_first_interval)
{
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a);
	/* Slot 2 moves to day 35, its window closes on 42: reset on 43. */
	up_session s[] = {{.day = a}, {.day = a + 7}};
	plan p = derive(&r, s, 2, a + 42);
	ck_assert_uint_eq(p.nr, 0);
	expect_slot(&p, 2, 0, 2, "2026-03-23", "2026-04-06", UP_SLOT_OVERDUE);
	plan_free(&p);

	p = derive(&r, s, 2, a + 43);
	static const char *const gen1[] = {
		"2026-04-14", "2026-04-21", "2026-05-05", "2026-05-29",
		"2026-07-13", "2026-09-11", "2026-11-10"}; /* 43 + 300: out */
	ck_assert_uint_eq(p.n, 3 + UP_COUNTOF(gen1));
	ck_assert_uint_eq(p.nr, 1);
	expect_reset(&p, 0, "2026-04-14", 1, 0);
	expect_slot(&p, 0, 0, 0, "2026-03-02", "2026-03-02", UP_SLOT_DONE);
	expect_slot(&p, 1, 0, 1, "2026-03-09", "2026-03-09", UP_SLOT_DONE);
	expect_slot(&p, 2, 0, 2, "2026-03-23", "2026-04-06", UP_SLOT_MISSED);
	expect_slot(&p, 3, 1, 0, gen1[0], gen1[0], UP_SLOT_DUE);
	for (size_t i = 1; i < UP_COUNTOF(gen1); i++)
		expect_slot(&p, 3 + i, 1, (int)i, gen1[i], gen1[i],
			    UP_SLOT_PENDING);
	plan_free(&p);
}
END_TEST

START_TEST(failed_check_resets)
{
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a);
	up_session s[] = {{.day = a}, {.day = a + 7, .failed = 1}};
	plan p = derive(&r, s, 2, a + 10);
	static const char *const gen1[] = {
		"2026-03-09", "2026-03-16", "2026-03-30", "2026-04-23",
		"2026-06-07", "2026-08-06", "2026-10-05"}; /* 7 + 300: out */
	ck_assert_uint_eq(p.n, 2 + UP_COUNTOF(gen1));
	ck_assert_uint_eq(p.nr, 1);
	expect_reset(&p, 0, "2026-03-09", 1, 1);
	expect_slot(&p, 0, 0, 0, "2026-03-02", "2026-03-02", UP_SLOT_DONE);
	/* The failed session still satisfies its slot, and only that one. */
	expect_slot(&p, 1, 0, 1, "2026-03-09", "2026-03-09", UP_SLOT_DONE);
	expect_done(&p, 1, "2026-03-09");
	expect_slot(&p, 2, 1, 0, gen1[0], gen1[0], UP_SLOT_DUE);
	for (size_t i = 1; i < UP_COUNTOF(gen1); i++)
		expect_slot(&p, 2 + i, 1, (int)i, gen1[i], gen1[i],
			    UP_SLOT_PENDING);
	plan_free(&p);
}
END_TEST

START_TEST(last_slot_is_never_moved_past_window_end)
{
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a);
	up_session s[UP_COUNTOF(cadence) - 1];
	for (size_t i = 0; i < UP_COUNTOF(s); i++)
		s[i] = (up_session){.day = a + cadence[i]};
	plan p = derive(&r, s, UP_COUNTOF(s), a + 308);
	ck_assert_uint_eq(p.n, 8);
	ck_assert_uint_eq(p.nr, 0); /* one miss is no reset */
	expect_slot(&p, 7, 0, 7, "2026-12-27", "2026-12-27", UP_SLOT_MISSED);
	plan_free(&p);
}
END_TEST

/* ---- who and when ---- */

START_TEST(joining_mid_window_gets_the_slots_that_fit)
{
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a + 100);
	r.window_end = a + 300;
	static const char *const want[] = {"2026-06-10", "2026-06-17",
					   "2026-07-01", "2026-07-25",
					   "2026-09-08", "2026-11-07"};
	plan p = derive(&r, NULL, 0, a + 50);
	ck_assert_uint_eq(p.n, UP_COUNTOF(want));
	for (size_t i = 0; i < p.n; i++)
		expect_slot(&p, i, 0, (int)i, want[i], want[i],
			    UP_SLOT_PENDING);
	plan_free(&p);
}
END_TEST

START_TEST(managers_are_trained_before_go_live)
{
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a);
	r.offsets = manager_cadence;
	r.noffsets = UP_COUNTOF(manager_cadence);
	r.window_end = a + 90;
	plan p = derive(&r, NULL, 0, a - 22);
	ck_assert_uint_eq(p.n, 5);
	expect_slot(&p, 0, 0, 0, "2026-02-16", "2026-02-16", UP_SLOT_PENDING);
	expect_slot(&p, 4, 0, 4, "2026-05-31", "2026-05-31", UP_SLOT_PENDING);
	plan_free(&p);

	p = derive(&r, NULL, 0, a - 21);
	expect_slot(&p, 0, 0, 0, "2026-02-16", "2026-02-16", UP_SLOT_DUE);
	plan_free(&p);

	/* A reset never schedules before its own day: the -14 slot is
	 * skipped, and k keeps naming the offset. */
	up_session s[] = {{.day = a - 14}, {.day = a},
			  {.day = a + 30, .failed = 1}};
	p = derive(&r, s, 3, a + 31);
	ck_assert_uint_eq(p.n, 3 + 3);
	expect_reset(&p, 0, "2026-04-01", 1, 1);
	expect_slot(&p, 2, 0, 2, "2026-04-01", "2026-04-01", UP_SLOT_DONE);
	expect_slot(&p, 3, 1, 1, "2026-04-01", "2026-04-01", UP_SLOT_DUE);
	expect_slot(&p, 4, 1, 2, "2026-05-01", "2026-05-01", UP_SLOT_PENDING);
	expect_slot(&p, 5, 1, 3, "2026-05-31", "2026-05-31", UP_SLOT_PENDING);
	plan_free(&p);
}
END_TEST

static void expect_shifted(const plan *p, const plan *q, int32_t by)
{
	ck_assert_uint_eq(p->n, q->n);
	for (size_t i = 0; i < p->n; i++) {
		const up_slot *x = &p->slots[i], *y = &q->slots[i];
		ck_assert_int_eq(x->gen, y->gen);
		ck_assert_int_eq(x->k, y->k);
		ck_assert_int_eq(x->planned + by, y->planned);
		ck_assert_int_eq(x->due + by, y->due);
		ck_assert_int_eq(x->state, y->state);
	}
}

START_TEST(a_moved_go_live_moves_every_slot)
{
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a), moved = rules(a + 10);
	plan p = derive(&r, NULL, 0, a - 30);
	plan q = derive(&moved, NULL, 0, a - 30);
	ck_assert_uint_eq(q.n, 8);
	expect_shifted(&p, &q, 10);
	plan_free(&p);
	plan_free(&q);

	/* Through a reset too: the same history ten days later. */
	up_session s[] = {{.day = a}, {.day = a + 7, .failed = 1},
			  {.day = a + 16}};
	up_session t[UP_COUNTOF(s)];
	for (size_t i = 0; i < UP_COUNTOF(s); i++)
		t[i] = (up_session){s[i].day + 10, s[i].failed};
	p = derive(&r, s, 3, a + 60);
	q = derive(&moved, t, 3, a + 70);
	ck_assert_uint_eq(q.nr, p.nr);
	ck_assert_uint_ge(q.nr, 1);
	for (size_t i = 0; i < q.nr; i++) {
		ck_assert_int_eq(q.resets[i].day, p.resets[i].day + 10);
		ck_assert_int_eq(q.resets[i].gen, p.resets[i].gen);
	}
	expect_shifted(&p, &q, 10);
	plan_free(&p);
	plan_free(&q);
}
END_TEST

/* ---- boundaries ---- */

START_TEST(state_at_each_boundary)
{
	static const struct {
		int as_of;
		up_slot_state state;
		int due, nresets;
	} at[] = {
		{-8, UP_SLOT_PENDING, 0, 0},  /* due - grace - 1 */
		{-7, UP_SLOT_DUE, 0, 0},      /* due - grace */
		{7, UP_SLOT_DUE, 0, 0},       /* due + grace: late, not over */
		{8, UP_SLOT_DUE, 14, 0},      /* due + grace + 1: moved */
		{14, UP_SLOT_DUE, 14, 0},     /* the new due day */
		{15, UP_SLOT_OVERDUE, 14, 0}, /* past it, within grace */
		{21, UP_SLOT_OVERDUE, 14, 0},
		{22, UP_SLOT_MISSED, 14, 1},  /* second miss: reset */
	};
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a);
	for (size_t i = 0; i < UP_COUNTOF(at); i++) {
		plan p = derive(&r, NULL, 0, a + at[i].as_of);
		const up_slot *sl = &p.slots[0];
		ck_assert_msg(sl->state == at[i].state &&
				      sl->due == a + at[i].due,
			      "as of day %d: state %d due %d", at[i].as_of,
			      (int)sl->state, (int)(sl->due - a));
		ck_assert_int_eq(sl->planned, a);
		ck_assert_int_eq(sl->rescheduled, at[i].due != 0);
		ck_assert_uint_eq(p.nr, (size_t)at[i].nresets);
		if (p.nr)
			ck_assert_int_eq(p.resets[0].day, a + 22);
		/* Only the first open slot can be due, whatever the dates. */
		if (!p.nr) {
			ck_assert_int_eq(p.slots[1].state, UP_SLOT_PENDING);
			ck_assert_int_eq(p.slots[1].due, a + 7);
		}
		plan_free(&p);
	}
}
END_TEST

START_TEST(empty_plan_allocates_nothing)
{
	up_plan_rules r = rules(day(GO_LIVE));
	r.offsets = NULL;
	r.noffsets = 0;
	up_session s[] = {{.day = r.anchor, .failed = 1}};
	plan p = derive(&r, s, 1, r.anchor + 10);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_uint_eq(p.nr, 0);
	ck_assert_ptr_null(p.slots);
	ck_assert_ptr_null(p.resets);
}
END_TEST

/* ---- a function of the sessions and the date ---- */

/* Two generations of history: a failed check on day 45, then a second
 * miss of gen 1's third slot; sessions after day 200 are in the input. */
static const up_session history[] = {
	{0, 0}, {7, 0}, {33, 0}, {45, 1},      /* gen 0: 21 moved to 35 */
	{47, 0}, {52, 0},                      /* gen 1 from 45: 66 missed */
	{88, 0}, {95, 0}, {125, 0}, {140, 0}, {171, 0}, /* gen 2 from 88 */
	{238, 0}, {298, 0},
};

static void expect_same_past(const plan *before, const plan *now)
{
	ck_assert_uint_ge(now->nr, before->nr);
	for (size_t i = 0; i < before->nr; i++) {
		ck_assert_int_eq(now->resets[i].day, before->resets[i].day);
		ck_assert_int_eq(now->resets[i].gen, before->resets[i].gen);
	}
	for (size_t i = 0; i < before->n; i++) {
		const up_slot *b = &before->slots[i];
		if (b->state != UP_SLOT_DONE && b->state != UP_SLOT_MISSED)
			continue;
		ck_assert_uint_lt(i, now->n);
		const up_slot *n = &now->slots[i];
		ck_assert_int_eq(n->gen, b->gen);
		ck_assert_int_eq(n->k, b->k);
		ck_assert_int_eq(n->state, b->state);
		ck_assert_int_eq(n->due, b->due);
		if (b->state == UP_SLOT_DONE)
			ck_assert_int_eq(n->done_on, b->done_on);
	}
}

START_TEST(day_by_day_equals_direct)
{
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a);
	up_session s[UP_COUNTOF(history)];
	for (size_t i = 0; i < UP_COUNTOF(s); i++)
		s[i] = (up_session){history[i].day + a, history[i].failed};

	plan last = derive(&r, s, UP_COUNTOF(s), a);
	for (int32_t d = 1; d <= 200; d++) {
		plan p = derive(&r, s, UP_COUNTOF(s), a + d);
		expect_same_past(&last, &p);
		plan_free(&last);
		last = p;
	}
	plan direct = derive(&r, s, UP_COUNTOF(s), a + 200);
	ck_assert_uint_eq(direct.n, last.n);
	ck_assert_uint_eq(direct.nr, last.nr);
	for (size_t i = 0; i < direct.n; i++) {
		const up_slot *x = &direct.slots[i], *y = &last.slots[i];
		ck_assert(x->gen == y->gen && x->k == y->k &&
			  x->planned == y->planned && x->due == y->due &&
			  x->rescheduled == y->rescheduled &&
			  x->state == y->state && x->done_on == y->done_on);
	}

	/* And the history reads as intended. */
	ck_assert_uint_eq(direct.nr, 2);
	expect_reset(&direct, 0, "2026-04-16", 1, 1);
	expect_reset(&direct, 1, "2026-05-29", 2, 0);
	ck_assert_uint_eq(direct.n, 4 + 3 + 7);
	expect_slot(&direct, 2, 0, 2, "2026-03-23", "2026-04-06",
		    UP_SLOT_DONE);
	expect_slot(&direct, 6, 1, 2, "2026-05-07", "2026-05-21",
		    UP_SLOT_MISSED);
	expect_slot(&direct, 9, 2, 2, "2026-06-19", "2026-07-03",
		    UP_SLOT_DONE);
	expect_done(&direct, 9, "2026-07-05");
	expect_done(&direct, 11, "2026-08-20");
	expect_slot(&direct, 12, 2, 5, "2026-10-26", "2026-10-26",
		    UP_SLOT_PENDING);
	expect_slot(&direct, 13, 2, 6, "2026-12-25", "2026-12-25",
		    UP_SLOT_PENDING);
	plan_free(&direct);
	plan_free(&last);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("training");
	TCase *tp = tcase_create("plan");
	tcase_add_test(tp, default_plan_dates);
	tcase_add_test(tp, every_session_on_time_is_done);
	tcase_add_test(tp, sessions_within_grace_satisfy);
	tcase_add_test(tp, empty_plan_allocates_nothing);
	suite_add_tcase(s, tp);

	TCase *tm = tcase_create("misses");
	tcase_add_test(tm, one_miss_is_rescheduled_then_attended);
	tcase_add_test(tm, second_miss_resets_to_the_first_interval);
	tcase_add_test(tm, failed_check_resets);
	tcase_add_test(tm, last_slot_is_never_moved_past_window_end);
	suite_add_tcase(s, tm);

	TCase *tw = tcase_create("who_and_when");
	tcase_add_test(tw, joining_mid_window_gets_the_slots_that_fit);
	tcase_add_test(tw, managers_are_trained_before_go_live);
	tcase_add_test(tw, a_moved_go_live_moves_every_slot);
	suite_add_tcase(s, tw);

	TCase *tb = tcase_create("boundaries");
	tcase_add_test(tb, state_at_each_boundary);
	tcase_add_test(tb, day_by_day_equals_direct);
	suite_add_tcase(s, tb);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
