/* test_training.c: training plans over the default 300-day cadence, every
 * state boundary, reschedules and resets, and the plan as a pure function
 * of the sessions and the date. */
#include <stdint.h>
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
	/* the next waits for it, 24 days after its new day */
	expect_slot(&p, 3, 0, 3, "2026-04-30", "2026-04-30", UP_SLOT_PENDING);
	plan_free(&p);

	p = derive(&r, s, 2, a + 36);
	expect_slot(&p, 2, 0, 2, "2026-03-23", "2026-04-06", UP_SLOT_OVERDUE);
	plan_free(&p);

	/* Day 33 is after the first window: the slot is done late, and the
	 * plan goes on from that session, 24 days to the next one. */
	p = derive(&r, s, 3, a + 36);
	ck_assert_uint_eq(p.n, 8);
	ck_assert_uint_eq(p.nr, 0);
	expect_slot(&p, 2, 0, 2, "2026-03-23", "2026-04-06", UP_SLOT_DONE);
	expect_done(&p, 2, "2026-04-04");
	ck_assert(p.slots[2].late);
	expect_slot(&p, 3, 0, 3, "2026-04-28", "2026-04-28", UP_SLOT_PENDING);
	expect_slot(&p, 6, 0, 6, "2026-10-10", "2026-10-10", UP_SLOT_PENDING);
	/* day 300 + 12 is past the plan's end */
	expect_slot(&p, 7, 0, 7, "2027-01-08", "2027-01-08",
		    UP_SLOT_CANCELLED);
	plan_free(&p);
}
END_TEST

/* A session after the first window and before the moved one still
 * counts: nobody is overdue for a slot a later session covered. */
START_TEST(late_session_satisfies_and_the_plan_goes_on)
{
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a);
	/* slot 1 (day 7) closes on day 14 and moves to 21, window 14..28:
	 * day 26 is late for it, on time for nothing else */
	up_session s[] = {{.day = a}, {.day = a + 26}};
	plan p = derive(&r, s, 2, a + 27);
	ck_assert_uint_eq(p.nr, 0);
	expect_slot(&p, 1, 0, 1, "2026-03-09", "2026-03-23", UP_SLOT_DONE);
	expect_done(&p, 1, "2026-03-28");
	ck_assert(p.slots[1].late);
	ck_assert(!p.slots[0].late);
	/* the next interval (14 days) counts from the session */
	expect_slot(&p, 2, 0, 2, "2026-04-11", "2026-04-11", UP_SLOT_PENDING);
	plan_free(&p);
	/* within the grace of the planned day: on time, nothing moves */
	up_session t[] = {{.day = a}, {.day = a + 14}};
	p = derive(&r, t, 2, a + 15);
	ck_assert(!p.slots[1].late);
	expect_slot(&p, 2, 0, 2, "2026-03-23", "2026-03-23", UP_SLOT_DUE);
	plan_free(&p);
}
END_TEST

START_TEST(second_miss_lapses_until_a_session)
{
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a);
	/* Slot 2 moves to day 35, its window closes on 42: lapsed on 43. */
	up_session s[] = {{.day = a}, {.day = a + 7}, {.day = a + 100}};
	plan p = derive(&r, s, 2, a + 42);
	ck_assert_uint_eq(p.nr, 0);
	expect_slot(&p, 2, 0, 2, "2026-03-23", "2026-04-06", UP_SLOT_OVERDUE);
	plan_free(&p);

	/* one escalation, no further slot, however long it lasts */
	for (int32_t d = 43; d < 100; d += 56) {
		p = derive(&r, s, 2, a + d);
		ck_assert_uint_eq(p.n, 8);
		ck_assert_uint_eq(p.nr, 1);
		expect_reset(&p, 0, "2026-04-14", 1, 0);
		ck_assert_int_eq(p.resets[0].closed, UP_NEVER);
		expect_slot(&p, 0, 0, 0, "2026-03-02", "2026-03-02",
			    UP_SLOT_DONE);
		expect_slot(&p, 1, 0, 1, "2026-03-09", "2026-03-09",
			    UP_SLOT_DONE);
		expect_slot(&p, 2, 0, 2, "2026-03-23", "2026-04-06",
			    UP_SLOT_MISSED);
		for (size_t i = 3; i < 8; i++)
			ck_assert_int_eq(p.slots[i].state, UP_SLOT_CANCELLED);
		plan_free(&p);
	}

	/* The session of day 100 ends the lapse and restarts the plan from
	 * its first interval, on that day: it is the restart's first slot. */
	p = derive(&r, s, 3, a + 101);
	static const char *const gen1[] = {
		"2026-06-10", "2026-06-17", "2026-07-01", "2026-07-25",
		"2026-09-08", "2026-11-07"}; /* 100 + 210: out */
	ck_assert_uint_eq(p.n, 8 + UP_COUNTOF(gen1));
	ck_assert_uint_eq(p.nr, 1);
	expect_reset(&p, 0, "2026-04-14", 1, 0);
	expect_day(p.resets[0].closed, "2026-06-10", "closed", 0);
	ck_assert_int_eq(p.resets[0].why, UP_CLOSED_SESSION);
	expect_slot(&p, 8, 1, 0, gen1[0], gen1[0], UP_SLOT_DONE);
	expect_done(&p, 8, "2026-06-10");
	expect_slot(&p, 9, 1, 1, gen1[1], gen1[1], UP_SLOT_DUE);
	for (size_t i = 2; i < UP_COUNTOF(gen1); i++)
		expect_slot(&p, 8 + i, 1, (int)i, gen1[i], gen1[i],
			    UP_SLOT_PENDING);
	plan_free(&p);
}
END_TEST

/* A lapse with nobody coming back closes when the plan ends. */
START_TEST(a_lapse_closes_when_the_plan_ends)
{
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a);
	r.window_end = a + 60;
	plan p = derive(&r, NULL, 0, a + 60);
	ck_assert_uint_eq(p.nr, 1);
	ck_assert_int_eq(p.resets[0].closed, UP_NEVER);
	plan_free(&p);
	p = derive(&r, NULL, 0, a + 61);
	ck_assert_uint_eq(p.nr, 1);
	ck_assert_int_eq(p.resets[0].closed, a + 61);
	ck_assert_int_eq(p.resets[0].why, UP_CLOSED_PLAN_END);
	plan_free(&p);
}
END_TEST

/* The day a person leaves, what was open is cancelled and an open
 * escalation closes; sessions after it count for nothing. */
START_TEST(leaving_cancels_what_was_open)
{
	int32_t a = day(GO_LIVE);
	up_plan_rules r = rules(a);
	r.stop = a + 50;
	up_session s[] = {{.day = a}, {.day = a + 60}};
	plan p = derive(&r, s, 2, a + 49);
	ck_assert_uint_eq(p.nr, 1); /* lapsed on day 22 */
	ck_assert_int_eq(p.resets[0].closed, UP_NEVER);
	ck_assert_int_eq(p.slots[1].state, UP_SLOT_MISSED);
	plan_free(&p);
	p = derive(&r, s, 2, a + 80);
	ck_assert_uint_eq(p.nr, 1);
	ck_assert_int_eq(p.resets[0].closed, a + 50);
	ck_assert_int_eq(p.resets[0].why, UP_CLOSED_LEFT);
	for (size_t i = 0; i < p.n; i++)
		ck_assert(p.slots[i].state == UP_SLOT_DONE ||
			  p.slots[i].state == UP_SLOT_MISSED ||
			  p.slots[i].state == UP_SLOT_CANCELLED);
	plan_free(&p);
	/* with nothing missed: the open slots are cancelled */
	up_session t[] = {{.day = a}, {.day = a + 7}, {.day = a + 21},
			  {.day = a + 45}};
	p = derive(&r, t, 4, a + 80);
	ck_assert_uint_eq(p.nr, 0);
	ck_assert_int_eq(p.slots[3].state, UP_SLOT_DONE);
	for (size_t i = 4; i < p.n; i++)
		ck_assert_int_eq(p.slots[i].state, UP_SLOT_CANCELLED);
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
	ck_assert_uint_eq(p.n, 8 + UP_COUNTOF(gen1));
	ck_assert_uint_eq(p.nr, 1);
	expect_reset(&p, 0, "2026-03-09", 1, 1);
	ck_assert_int_eq(p.resets[0].closed, UP_NEVER);
	expect_slot(&p, 0, 0, 0, "2026-03-02", "2026-03-02", UP_SLOT_DONE);
	/* The failed session still satisfies its slot, and only that one. */
	expect_slot(&p, 1, 0, 1, "2026-03-09", "2026-03-09", UP_SLOT_DONE);
	expect_done(&p, 1, "2026-03-09");
	ck_assert(p.slots[1].failed);
	/* the rest of the first plan is cancelled, listed at its days */
	for (size_t i = 2; i < 8; i++)
		expect_slot(&p, i, 0, (int)i, default_days[i], default_days[i],
			    UP_SLOT_CANCELLED);
	expect_slot(&p, 8, 1, 0, gen1[0], gen1[0], UP_SLOT_DUE);
	for (size_t i = 1; i < UP_COUNTOF(gen1); i++)
		expect_slot(&p, 8 + i, 1, (int)i, gen1[i], gen1[i],
			    UP_SLOT_PENDING);
	plan_free(&p);
	/* the next session, whatever its outcome, closes the escalation */
	up_session t[] = {{.day = a}, {.day = a + 7, .failed = 1},
			  {.day = a + 8}};
	p = derive(&r, t, 3, a + 10);
	ck_assert_int_eq(p.resets[0].closed, a + 8);
	ck_assert_int_eq(p.resets[0].why, UP_CLOSED_SESSION);
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
	ck_assert_uint_eq(p.n, 5 + 3);
	expect_reset(&p, 0, "2026-04-01", 1, 1);
	expect_slot(&p, 2, 0, 2, "2026-04-01", "2026-04-01", UP_SLOT_DONE);
	expect_slot(&p, 3, 0, 3, "2026-05-01", "2026-05-01",
		    UP_SLOT_CANCELLED);
	expect_slot(&p, 5, 1, 1, "2026-04-01", "2026-04-01", UP_SLOT_DUE);
	expect_slot(&p, 6, 1, 2, "2026-05-01", "2026-05-01", UP_SLOT_PENDING);
	expect_slot(&p, 7, 1, 3, "2026-05-31", "2026-05-31", UP_SLOT_PENDING);
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
		/* Only the first open slot can be due, whatever the dates;
		 * the next keeps its interval from the first's (new) day. */
		if (!p.nr) {
			ck_assert_int_eq(p.slots[1].state, UP_SLOT_PENDING);
			ck_assert_int_eq(p.slots[1].due, a + 7 + at[i].due);
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

/* Three generations of history: a late session, a failed check on day
 * 54 (the plan restarts), a lapse on day 97 after two misses, ended by
 * the session of day 120; late sessions after it move the plan on.
 * Sessions after day 200 are in the input. */
static const up_session history[] = {
	{0, 0}, {7, 0}, {30, 0}, {54, 1},      /* gen 0: 21 done late */
	{55, 0}, {62, 0},                      /* gen 1 from 54: 75 missed */
	{120, 0}, {127, 0}, {160, 0}, {200, 0}, /* gen 2 from 120 */
	{260, 0},
};

static void expect_same_past(const plan *before, const plan *now)
{
	ck_assert_uint_ge(now->nr, before->nr);
	for (size_t i = 0; i < before->nr; i++) {
		ck_assert_int_eq(now->resets[i].day, before->resets[i].day);
		ck_assert_int_eq(now->resets[i].gen, before->resets[i].gen);
		if (before->resets[i].closed != UP_NEVER)
			ck_assert_int_eq(now->resets[i].closed,
					 before->resets[i].closed);
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
			  x->state == y->state && x->done_on == y->done_on &&
			  x->late == y->late && x->failed == y->failed);
	}

	/* And the history reads as intended. */
	ck_assert_uint_eq(direct.nr, 2);
	expect_reset(&direct, 0, "2026-04-25", 1, 1);   /* day 54 */
	expect_day(direct.resets[0].closed, "2026-04-26", "closed", 0);
	expect_reset(&direct, 1, "2026-06-07", 2, 0);   /* day 97 */
	expect_day(direct.resets[1].closed, "2026-06-30", "closed", 1);
	ck_assert_uint_eq(direct.n, 8 + 7 + 6);
	/* gen 0: day 21 done late on 30, the plan goes on 9 days later */
	expect_slot(&direct, 2, 0, 2, "2026-03-23", "2026-04-06",
		    UP_SLOT_DONE);
	expect_done(&direct, 2, "2026-04-01");
	expect_slot(&direct, 3, 0, 3, "2026-04-25", "2026-04-25",
		    UP_SLOT_DONE);
	ck_assert(direct.slots[3].failed);
	expect_slot(&direct, 4, 0, 4, "2026-06-09", "2026-06-09",
		    UP_SLOT_CANCELLED);
	/* gen 1 from day 54: day 75 missed twice */
	expect_slot(&direct, 8, 1, 0, "2026-04-25", "2026-04-25",
		    UP_SLOT_DONE);
	expect_done(&direct, 8, "2026-04-26");
	expect_slot(&direct, 10, 1, 2, "2026-05-16", "2026-05-30",
		    UP_SLOT_MISSED);
	expect_slot(&direct, 11, 1, 3, "2026-06-09", "2026-06-09",
		    UP_SLOT_CANCELLED);
	/* gen 2 from day 120, two late sessions */
	expect_slot(&direct, 15, 2, 0, "2026-06-30", "2026-06-30",
		    UP_SLOT_DONE);
	expect_slot(&direct, 17, 2, 2, "2026-07-21", "2026-08-04",
		    UP_SLOT_DONE);
	expect_done(&direct, 17, "2026-08-09");
	expect_slot(&direct, 18, 2, 3, "2026-09-02", "2026-09-16",
		    UP_SLOT_DONE);
	expect_done(&direct, 18, "2026-09-18");
	expect_slot(&direct, 19, 2, 4, "2026-11-02", "2026-11-02",
		    UP_SLOT_PENDING);
	expect_slot(&direct, 20, 2, 5, "2027-01-01", "2027-01-01",
		    UP_SLOT_CANCELLED);
	plan_free(&direct);
	plan_free(&last);
}
END_TEST

/* ---- properties over generated histories ---- */

/* xorshift64*: the same histories on every run and machine. */
static uint64_t rnd_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ULL;
}

static int rnd(uint64_t *x, int lo, int hi) /* in [lo, hi] */
{
	return lo + (int)(rnd_next(x) % (uint64_t)(hi - lo + 1));
}

typedef struct {
	int offsets[8];
	up_plan_rules r;
	up_session s[24];
	size_t ns;
} history_case;

/* A plan and sessions from SEED: offsets up to 8 (before the anchor one
 * time in four), grace 0-10, reschedule at least the grace, sessions
 * around the whole window, one in ten a failed check. */
static void generate(history_case *h, uint64_t seed, int32_t anchor)
{
	uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
	size_t n = (size_t)rnd(&x, 1, 8);
	int d = rnd(&x, 0, 3) ? 0 : -rnd(&x, 1, 30);
	for (size_t i = 0; i < n; i++) {
		h->offsets[i] = d;
		d += rnd(&x, 1, 60);
	}
	int grace = rnd(&x, 0, 10);
	h->r = (up_plan_rules){.anchor = anchor, .offsets = h->offsets,
			       .noffsets = n, .grace = grace,
			       .reschedule = grace + rnd(&x, 1, 10),
			       .window_end = anchor + h->offsets[n - 1] +
					     rnd(&x, 0, 60)};
	h->ns = (size_t)rnd(&x, 0, 24);
	int32_t lo = anchor - 40, hi = h->r.window_end + 60;
	for (size_t i = 0; i < h->ns; i++)
		h->s[i] = (up_session){rnd(&x, lo, hi), rnd(&x, 0, 9) == 0};
	for (size_t i = 1; i < h->ns; i++) /* sorted by day */
		for (size_t j = i; j > 0 && h->s[j - 1].day > h->s[j].day; j--) {
			up_session t = h->s[j];
			h->s[j] = h->s[j - 1];
			h->s[j - 1] = t;
		}
}

/* The properties of one plan as of day D. */
static void check_converges(const history_case *h, const plan *p, int32_t d,
			    uint64_t seed)
{
	int grace = h->r.grace;
	/* at most one open escalation, and only the latest */
	for (size_t i = 0; i + 1 < p->nr; i++)
		ck_assert_msg(p->resets[i].closed != UP_NEVER,
			      "seed %llu day %d: escalation %zu still open",
			      (unsigned long long)seed, (int)d, i);
	int lapsed = p->nr && !p->resets[p->nr - 1].failed_check &&
		     p->resets[p->nr - 1].closed == UP_NEVER;
	size_t lapses = 0, second_misses = 0, open = 0;
	for (size_t i = 0; i < p->nr; i++)
		lapses += !p->resets[i].failed_check;
	for (size_t i = 0; i < p->n; i++) {
		const up_slot *sl = &p->slots[i];
		second_misses += sl->state == UP_SLOT_MISSED && sl->rescheduled;
		if (sl->state != UP_SLOT_DUE && sl->state != UP_SLOT_OVERDUE &&
		    sl->state != UP_SLOT_PENDING)
			continue;
		/* lapsed: no further slot until a session */
		ck_assert_msg(!lapsed, "seed %llu day %d: a slot while lapsed",
			      (unsigned long long)seed, (int)d);
		if (sl->state == UP_SLOT_PENDING)
			continue;
		open++;
		/* nobody is overdue within the grace after a session */
		for (size_t k = 0; k < h->ns && sl->state == UP_SLOT_OVERDUE;
		     k++)
			ck_assert_msg(!(h->s[k].day <= d &&
					d <= h->s[k].day + grace),
				      "seed %llu day %d: overdue %d days "
				      "after a session",
				      (unsigned long long)seed, (int)d,
				      (int)(d - h->s[k].day));
		/* ...nor for a slot a session since its window opened
		 * covers: every such session after its generation began
		 * was used */
		int32_t lo = sl->planned - grace;
		for (size_t k = 0; k < p->nr; k++)
			if (p->resets[k].gen == sl->gen) {
				int32_t start = p->resets[k].failed_check
					? p->resets[k].day : p->resets[k].closed;
				lo = start + 1 > lo ? start + 1 : lo;
			}
		size_t sessions = 0, used = 0;
		for (size_t k = 0; k < h->ns; k++)
			sessions += h->s[k].day >= lo && h->s[k].day <= d;
		for (size_t k = 0; k < p->n; k++)
			used += p->slots[k].state == UP_SLOT_DONE &&
				p->slots[k].done_on >= lo &&
				p->slots[k].done_on <= d;
		ck_assert_msg(sessions == used, "seed %llu day %d: a session "
			      "left unused while a slot is open",
			      (unsigned long long)seed, (int)d);
	}
	ck_assert_msg(open <= 1, "seed %llu day %d: %zu slots open",
		      (unsigned long long)seed, (int)d, open);
	/* one escalation per lapse, one lapse per second miss */
	ck_assert_msg(lapses == second_misses, "seed %llu day %d: %zu lapses, "
		      "%zu second misses", (unsigned long long)seed, (int)d,
		      lapses, second_misses);
}

START_TEST(generated_histories_converge)
{
	int32_t a = day(GO_LIVE);
	for (uint64_t seed = 1; seed <= 200; seed++) {
		history_case h;
		generate(&h, seed, a);
		int32_t from = a - 40, to = h.r.window_end + 80;
		plan last = derive(&h.r, h.s, h.ns, from);
		for (int32_t d = from + 1; d <= to; d++) {
			plan p = derive(&h.r, h.s, h.ns, d);
			check_converges(&h, &p, d, seed);
			expect_same_past(&last, &p);
			plan_free(&last);
			last = p;
		}
		/* the plan of the last day, derived directly, is the same */
		plan direct = derive(&h.r, h.s, h.ns, to);
		ck_assert_uint_eq(direct.n, last.n);
		ck_assert_uint_eq(direct.nr, last.nr);
		for (size_t i = 0; i < direct.n; i++) {
			const up_slot *x = &direct.slots[i], *y = &last.slots[i];
			ck_assert(x->gen == y->gen && x->k == y->k &&
				  x->planned == y->planned && x->due == y->due &&
				  x->state == y->state &&
				  x->done_on == y->done_on && x->late == y->late);
		}
		plan_free(&direct);
		plan_free(&last);
	}
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
	tcase_add_test(tm, late_session_satisfies_and_the_plan_goes_on);
	tcase_add_test(tm, second_miss_lapses_until_a_session);
	tcase_add_test(tm, a_lapse_closes_when_the_plan_ends);
	tcase_add_test(tm, leaving_cancels_what_was_open);
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

	/* a few thousand plans, each day by day: slow under the sanitizers */
	TCase *tg = tcase_create("generated");
	tcase_set_timeout(tg, 120);
	tcase_add_test(tg, generated_histories_converge);
	suite_add_tcase(s, tg);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
