/* test_metric.c: periods, deadlines, plan and status boundaries, run-chart
 * rules: the arithmetic every metric report rests on. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "metric.h"

/* A hair: far above the judge's rounding allowance, far below any real
 * difference between two values. */
#define HAIR 1e-6

static int32_t day(const char *s)
{
	int32_t d;
	ck_assert_msg(up_date_parse(s, &d, NULL) == UP_OK, "bad date %s", s);
	return d;
}

static void expect_period(const char *in, up_period_kind kind,
			  const char *start, const char *end)
{
	up_period p;
	const char *why = NULL;
	ck_assert_msg(up_period_parse(in, &p, &why) == 0, "%s: %s", in, why);
	ck_assert_int_eq(p.kind, kind);
	ck_assert_msg(p.start == day(start) && p.end == day(end),
		      "%s: wrong span", in);
}

static void expect_format(const up_period *p, const char *want)
{
	char out[11];
	up_period_format(p, out);
	ck_assert_str_eq(out, want);
}

/* ---- periods ---- */

START_TEST(months_parse)
{
	expect_period("2026-03", UP_PERIOD_MONTH, "2026-03-01", "2026-03-31");
	expect_period("2024-02", UP_PERIOD_MONTH, "2024-02-01", "2024-02-29");
	expect_period("2026-02", UP_PERIOD_MONTH, "2026-02-01", "2026-02-28");
	expect_period("1900-02", UP_PERIOD_MONTH, "1900-02-01", "1900-02-28");
	expect_period("2000-02", UP_PERIOD_MONTH, "2000-02-01", "2000-02-29");
	expect_period("2026-12", UP_PERIOD_MONTH, "2026-12-01", "2026-12-31");
}
END_TEST

START_TEST(quarters_parse)
{
	expect_period("2026-Q1", UP_PERIOD_QUARTER, "2026-01-01", "2026-03-31");
	expect_period("2024-Q1", UP_PERIOD_QUARTER, "2024-01-01", "2024-03-31");
	expect_period("2026-Q2", UP_PERIOD_QUARTER, "2026-04-01", "2026-06-30");
	expect_period("2026-Q3", UP_PERIOD_QUARTER, "2026-07-01", "2026-09-30");
	expect_period("2026-Q4", UP_PERIOD_QUARTER, "2026-10-01", "2026-12-31");
}
END_TEST

START_TEST(iso_weeks_parse)
{
	/* 2026-01-01 is a Thursday, so week 1 reaches back into 2025. */
	expect_period("2026-W01", UP_PERIOD_WEEK, "2025-12-29", "2026-01-04");
	/* 2021-01-01 is a Friday: week 1 starts after it. */
	expect_period("2021-W01", UP_PERIOD_WEEK, "2021-01-04", "2021-01-10");
	expect_period("2026-W07", UP_PERIOD_WEEK, "2026-02-09", "2026-02-15");
	/* Long years: Thursday start (2015, 2026) or leap Wednesday (2020). */
	expect_period("2020-W53", UP_PERIOD_WEEK, "2020-12-28", "2021-01-03");
	expect_period("2015-W53", UP_PERIOD_WEEK, "2015-12-28", "2016-01-03");
	expect_period("2026-W53", UP_PERIOD_WEEK, "2026-12-28", "2027-01-03");
	expect_period("2021-W52", UP_PERIOD_WEEK, "2021-12-27", "2022-01-02");
}
END_TEST

START_TEST(week_53_only_in_long_years)
{
	static const char *const bad[] = {"2021-W53", "2025-W53", "2027-W53",
					  "2019-W53"};
	for (size_t i = 0; i < UP_COUNTOF(bad); i++) {
		up_period p;
		const char *why = NULL;
		ck_assert_msg(up_period_parse(bad[i], &p, &why) == -1,
			      "%s accepted", bad[i]);
		ck_assert_str_eq(why, "that year has no ISO week 53");
	}
}
END_TEST

START_TEST(days_parse)
{
	expect_period("2024-02-29", UP_PERIOD_DAY, "2024-02-29", "2024-02-29");
	expect_period("2026-03-15", UP_PERIOD_DAY, "2026-03-15", "2026-03-15");
}
END_TEST

START_TEST(periods_round_trip)
{
	static const char *const ok[] = {
		"2026-03", "2024-02", "1000-01", "9999-12", "2026-Q1",
		"2024-Q4", "2026-W01", "2026-W07", "2020-W53", "2015-W53",
		"2026-W53", "2021-W01", "2024-02-29", "2026-12-31"};
	for (size_t i = 0; i < UP_COUNTOF(ok); i++) {
		up_period p;
		ck_assert_int_eq(up_period_parse(ok[i], &p, NULL), 0);
		expect_format(&p, ok[i]);
	}
}
END_TEST

START_TEST(bad_periods_say_why)
{
	static const char *const shape =
		"expected a period: YYYY-MM, YYYY-Qn, YYYY-Www or YYYY-MM-DD";
	static const struct {
		const char *in, *why;
	} bad[] = {
		{"2026-13", "month out of range (01-12)"},
		{"2026-00", "month out of range (01-12)"},
		{"2026-Q0", "quarter out of range (1-4)"},
		{"2026-Q5", "quarter out of range (1-4)"},
		{"2026-W00", "week out of range (01-53)"},
		{"2026-W54", "week out of range (01-53)"},
		{"0999-01", "year out of range (1000-9999)"},
		{"0999-W01", "year out of range (1000-9999)"},
		{"2026-02-30", "no such day in that month"},
		{"2025-02-29", "no such day in that month"},
		{"2026-13-01", "month out of range (01-12)"},
		{"", shape},         {"2026", shape},     {"2026-3", shape},
		{"2026-q1", shape},  {"2026-W7", shape},  {"2026-Qx", shape},
		{"2026-W1x", shape}, {"2026-03x", shape}, {"2026/03", shape},
		{"20x6-03", shape},  {"2026-03-1", shape},
		{"2026-03/15", shape}, {"2026-03-15 ", shape},
	};
	for (size_t i = 0; i < UP_COUNTOF(bad); i++) {
		up_period p;
		const char *why = NULL;
		ck_assert_msg(up_period_parse(bad[i].in, &p, &why) == -1,
			      "'%s' accepted", bad[i].in);
		ck_assert_str_eq(why, bad[i].why);
	}
}
END_TEST

START_TEST(period_of_a_day)
{
	static const struct {
		up_period_kind kind;
		const char *day, *want;
	} cases[] = {
		{UP_PERIOD_WEEK, "2021-01-01", "2020-W53"},
		{UP_PERIOD_WEEK, "2021-01-03", "2020-W53"},
		{UP_PERIOD_WEEK, "2021-01-04", "2021-W01"},
		{UP_PERIOD_WEEK, "2025-12-29", "2026-W01"},
		{UP_PERIOD_WEEK, "2024-12-30", "2025-W01"},
		{UP_PERIOD_WEEK, "2027-01-01", "2026-W53"},
		{UP_PERIOD_WEEK, "1969-12-31", "1970-W01"},
		{UP_PERIOD_MONTH, "2024-02-29", "2024-02"},
		{UP_PERIOD_MONTH, "2024-12-31", "2024-12"},
		{UP_PERIOD_QUARTER, "2024-05-31", "2024-Q2"},
		{UP_PERIOD_QUARTER, "2024-12-31", "2024-Q4"},
		{UP_PERIOD_QUARTER, "2025-01-01", "2025-Q1"},
		{UP_PERIOD_DAY, "2024-02-29", "2024-02-29"},
	};
	for (size_t i = 0; i < UP_COUNTOF(cases); i++) {
		up_period p, q;
		up_period_of(cases[i].kind, day(cases[i].day), &p);
		expect_format(&p, cases[i].want);
		ck_assert_int_eq(up_period_parse(cases[i].want, &q, NULL), 0);
		ck_assert_msg(p.kind == q.kind && p.start == q.start &&
				      p.end == q.end,
			      "%s: span differs from parse", cases[i].day);
	}
	up_period p;
	up_period_of(UP_PERIOD_MONTH, day("2024-02-10"), &p);
	ck_assert_int_eq(p.end - p.start + 1, 29);
	up_period_of(UP_PERIOD_QUARTER, day("2024-02-10"), &p);
	ck_assert_int_eq(p.end - p.start + 1, 91);
}
END_TEST

START_TEST(next_period_crosses_year_ends)
{
	static const struct {
		const char *from, *want;
	} cases[] = {
		{"2024-12", "2025-01"},   {"2024-01", "2024-02"},
		{"2024-Q4", "2025-Q1"},   {"2026-Q1", "2026-Q2"},
		{"2020-W53", "2021-W01"}, {"2026-W52", "2026-W53"},
		{"2021-W52", "2022-W01"}, {"2025-W52", "2026-W01"},
		{"2024-02-28", "2024-02-29"}, {"2024-02-29", "2024-03-01"},
		{"2025-12-31", "2026-01-01"},
	};
	for (size_t i = 0; i < UP_COUNTOF(cases); i++) {
		up_period p, n;
		ck_assert_int_eq(up_period_parse(cases[i].from, &p, NULL), 0);
		up_period_next(&p, &n);
		ck_assert_int_eq(n.kind, p.kind);
		ck_assert_int_eq(n.start, p.end + 1);
		expect_format(&n, cases[i].want);
	}
	up_period p, n;
	ck_assert_int_eq(up_period_parse("2024-01", &p, NULL), 0);
	up_period_next(&p, &n);
	ck_assert_int_eq(n.end, day("2024-02-29"));
}
END_TEST

START_TEST(period_kinds)
{
	static const char *const names[] = {"day", "week", "month",
					    "quarter"};
	for (size_t i = 0; i < UP_COUNTOF(names); i++) {
		ck_assert_int_eq(up_period_kind_parse(names[i]), (int)i);
		ck_assert_str_eq(up_period_kind_name((up_period_kind)i),
				 names[i]);
	}
	ck_assert_int_eq(up_period_kind_parse("year"), -1);
	ck_assert_int_eq(up_period_kind_parse("Month"), -1);
	ck_assert_int_eq(up_period_kind_parse(""), -1);
}
END_TEST

/* ---- deadlines ---- */

START_TEST(deadline_offsets)
{
	static const struct {
		const char *from, *spec, *want;
	} cases[] = {
		{"2024-02-29", "+2y", "2026-02-28"},
		{"2024-02-29", "+4y", "2028-02-29"},
		{"2024-01-31", "+1m", "2024-02-29"},
		{"2025-01-31", "+1m", "2025-02-28"},
		{"2024-03-31", "+1m", "2024-04-30"},
		{"2024-08-31", "+18m", "2026-02-28"},
		{"2024-01-15", "+18m", "2025-07-15"},
		{"2024-12-30", "+6w", "2025-02-10"},
		{"2024-01-01", "+90d", "2024-03-31"},
		{"2025-01-01", "+90d", "2025-04-01"},
		{"2024-01-01", "+100y", "2124-01-01"},
		{"2024-01-01", "+1200m", "2124-01-01"},
		{"2024-01-01", "+36524d", "2124-01-01"},
		{"2024-01-01", "+007d", "2024-01-08"},
	};
	for (size_t i = 0; i < UP_COUNTOF(cases); i++) {
		int32_t got;
		const char *why = NULL;
		char out[11];
		ck_assert_msg(up_deadline_parse(cases[i].spec,
						day(cases[i].from), &got,
						&why) == 0,
			      "%s: %s", cases[i].spec, why);
		up_date_format(got, out);
		ck_assert_msg(!strcmp(out, cases[i].want), "%s %s: got %s",
			      cases[i].from, cases[i].spec, out);
	}
}
END_TEST

START_TEST(deadline_dates)
{
	int32_t got;
	ck_assert_int_eq(up_deadline_parse("2027-06-30", day("2026-01-01"),
					   &got, NULL),
			 0);
	ck_assert_int_eq(got, day("2027-06-30"));
}
END_TEST

START_TEST(bad_deadlines_say_why)
{
	static const char *const shape =
		"expected a deadline: YYYY-MM-DD or +N with y, m, w or d";
	static const struct {
		const char *in, *why;
	} bad[] = {
		{"+0d", "deadline offset must be positive"},
		{"+0y", "deadline offset must be positive"},
		{"+101y", "deadline offset over 100 years"},
		{"+1201m", "deadline offset over 100 years"},
		{"+36525d", "deadline offset over 100 years"},
		{"+5218w", "deadline offset over 100 years"},
		{"+99999999999d", "deadline offset over 100 years"},
		{"2026-02-30", "no such day in that month"},
		{"2026-13-01", "month out of range (01-12)"},
		{"", shape},      {"+", shape},     {"+d", shape},
		{"+2", shape},    {"+2x", shape},   {"+2Y", shape},
		{"-2y", shape},   {"2y", shape},    {"+2y ", shape},
		{"+ 2y", shape},  {"+2.5y", shape}, {"+-2y", shape},
		{"2026-1-01", shape},
	};
	for (size_t i = 0; i < UP_COUNTOF(bad); i++) {
		int32_t got = 12345;
		const char *why = NULL;
		ck_assert_msg(up_deadline_parse(bad[i].in, day("2024-01-01"),
						&got, &why) == -1,
			      "'%s' accepted", bad[i].in);
		ck_assert_str_eq(why, bad[i].why);
		ck_assert_int_eq(got, 12345);
	}
}
END_TEST

/* ---- the plan and the least-squares line ---- */

START_TEST(plan_follows_a_straight_path)
{
	ck_assert_double_eq(up_plan_at(10, 110, 100, 200, 100), 10);
	ck_assert_double_eq(up_plan_at(10, 110, 100, 200, 150), 60);
	ck_assert_double_eq(up_plan_at(10, 110, 100, 200, 175), 85);
	ck_assert_double_eq(up_plan_at(10, 110, 100, 200, 200), 110);
	ck_assert_double_eq(up_plan_at(10, 110, 100, 200, 250), 110);
	ck_assert_double_eq(up_plan_at(10, 110, 100, 200, 50), 10);
	/* Lower is better: the same path, downhill. */
	ck_assert_double_eq(up_plan_at(80, 20, 0, 60, 30), 50);
	/* A deadline on t0: no slope, the target holds from then on. */
	ck_assert_double_eq(up_plan_at(0, 1, 100, 100, 100), 1);
	ck_assert_double_eq(up_plan_at(0, 1, 100, 100, 99), 0);
}
END_TEST

START_TEST(least_squares_is_exact_on_a_line)
{
	const double x[] = {1, 2, 4, 7, 20000}, y[] = {5, 7, 11, 17, 40003};
	double slope = 0, icpt = 0;
	ck_assert_int_eq(up_least_squares(x, y, 5, &slope, &icpt), 0);
	ck_assert_double_eq_tol(slope, 2, 1e-9);
	ck_assert_double_eq_tol(icpt, 3, 1e-6);
	/* Noise around a flat line: the fit is its mean. */
	const double x2[] = {0, 1, 2, 3}, y2[] = {1, 3, 1, 3};
	ck_assert_int_eq(up_least_squares(x2, y2, 4, &slope, &icpt), 0);
	ck_assert_double_eq_tol(slope, 0.4, 1e-12);
	ck_assert_double_eq_tol(icpt, 1.4, 1e-12);
}
END_TEST

START_TEST(least_squares_needs_two_distinct_x)
{
	const double x[] = {5, 5, 5}, y[] = {1, 2, 3};
	double slope = 42, icpt = 42;
	ck_assert_int_eq(up_least_squares(x, y, 0, &slope, &icpt), -1);
	ck_assert_int_eq(up_least_squares(x, y, 1, &slope, &icpt), -1);
	ck_assert_int_eq(up_least_squares(x, y, 3, &slope, &icpt), -1);
	ck_assert_double_eq(slope, 42);
	ck_assert_double_eq(icpt, 42);
}
END_TEST

/* ---- status ---- */

/*
 * A path from 0 on day 0 to 100 on day 100 (or 100 down to 0), tolerance
 * 5: at day 90 the plan is 90 (10 going down), so on_track needs 85 (15).
 */
static up_judge_out judge(int increase, const double *v, const int32_t *d,
			  size_t n, size_t recent)
{
	up_judge_in in = {
		.values = v, .days = d, .n = n,
		.baseline = increase ? 0 : 100, .target = increase ? 100 : 0,
		.increase = increase, .tolerance = 5,
		.t0 = 0, .deadline = 100, .as_of = n ? d[n - 1] : 100,
		.recent = recent,
	};
	up_judge_out out;
	up_metric_judge(&in, &out);
	return out;
}

#define ck_status(out, want)                                               \
	ck_assert_msg((out).status == (want), "status %s, want %s",        \
		      up_metric_status_name((out).status),                 \
		      up_metric_status_name(want))

static const int32_t days2[] = {80, 90};

START_TEST(on_track_at_plan_minus_tolerance)
{
	const double v[] = {85, 85};
	up_judge_out o = judge(1, v, days2, 2, 6);
	ck_status(o, UP_METRIC_ON_TRACK);
	ck_assert_double_eq(o.value, 85);
	ck_assert_double_eq(o.expected, 90);
	ck_assert_double_eq_tol(o.projected, 85, 1e-9);
	/* A single point judges the same. */
	ck_status(judge(1, v + 1, days2 + 1, 1, 6), UP_METRIC_ON_TRACK);
}
END_TEST

START_TEST(a_hair_behind_is_at_risk_when_the_line_gets_there)
{
	/* From 60 on day 80: the line through the hair-short point still
	 * clears 100 by day 100. */
	const double v[] = {60, 85 - HAIR};
	up_judge_out o = judge(1, v, days2, 2, 6);
	ck_status(o, UP_METRIC_AT_RISK);
	ck_assert_double_eq_tol(o.projected, 110, 1e-3);
}
END_TEST

START_TEST(a_hair_behind_is_off_track_when_it_does_not)
{
	const double v[] = {85 - HAIR, 85 - HAIR};
	up_judge_out o = judge(1, v, days2, 2, 6);
	ck_status(o, UP_METRIC_OFF_TRACK);
	/* One point: no line at all. */
	o = judge(1, v + 1, days2 + 1, 1, 6);
	ck_status(o, UP_METRIC_OFF_TRACK);
	ck_assert(isnan(o.projected));
}
END_TEST

START_TEST(projection_exactly_at_target_is_at_risk)
{
	const double hits[] = {60, 80}, misses[] = {61, 80};
	up_judge_out o = judge(1, hits, days2, 2, 6);
	ck_status(o, UP_METRIC_AT_RISK);
	ck_assert_double_eq_tol(o.projected, 100, 1e-9);
	o = judge(1, misses, days2, 2, 6);
	ck_status(o, UP_METRIC_OFF_TRACK);
	ck_assert_double_eq_tol(o.projected, 99, 1e-9);
}
END_TEST

START_TEST(projection_uses_only_recent_points)
{
	const int32_t d[] = {60, 70, 80, 90};
	const double v[] = {100, 100, 60, 80};
	/* The last two rise to 100 by the deadline; all four fall to 60. */
	up_judge_out o = judge(1, v, d, 4, 2);
	ck_status(o, UP_METRIC_AT_RISK);
	ck_assert_double_eq_tol(o.projected, 100, 1e-9);
	o = judge(1, v, d, 4, 6);
	ck_status(o, UP_METRIC_OFF_TRACK);
	ck_assert_double_eq_tol(o.projected, 60, 1e-9);
	/* Fewer than two recent points: no projection. */
	o = judge(1, v, d, 4, 1);
	ck_status(o, UP_METRIC_OFF_TRACK);
	ck_assert(isnan(o.projected));
}
END_TEST

START_TEST(met_means_reached_and_held)
{
	const double held[] = {100, 100}, once[] = {99, 120};
	ck_status(judge(1, held, days2, 2, 6), UP_METRIC_MET);
	/* Reached once: ahead of plan, but not yet met. */
	ck_status(judge(1, once, days2, 2, 6), UP_METRIC_ON_TRACK);
	/* The first point ever, at target: nothing before it to hold. */
	ck_status(judge(1, held, days2, 1, 6), UP_METRIC_MET);
	/* Reached then lost. */
	const double lost[] = {100, 86};
	ck_status(judge(1, lost, days2, 2, 6), UP_METRIC_ON_TRACK);
}
END_TEST

START_TEST(decrease_mirrors_every_boundary)
{
	const double edge[] = {15, 15}, risk[] = {40, 15 + HAIR},
		     off[] = {15 + HAIR, 15 + HAIR}, held[] = {0, -1},
		     once[] = {1, 0}, exact[] = {40, 20};
	up_judge_out o = judge(0, edge, days2, 2, 6);
	ck_status(o, UP_METRIC_ON_TRACK);
	ck_assert_double_eq(o.expected, 10);
	ck_status(judge(0, risk, days2, 2, 6), UP_METRIC_AT_RISK);
	ck_status(judge(0, off, days2, 2, 6), UP_METRIC_OFF_TRACK);
	ck_status(judge(0, held, days2, 2, 6), UP_METRIC_MET);
	ck_status(judge(0, once, days2, 2, 6), UP_METRIC_ON_TRACK);
	/* Down 20 a step reaches 0 by day 100 exactly. */
	o = judge(0, exact, days2, 2, 6);
	ck_status(o, UP_METRIC_AT_RISK);
	ck_assert_double_eq_tol(o.projected, 0, 1e-9);
	/* Well above target in a lower-is-better metric is behind. */
	const double high[] = {100, 100};
	ck_status(judge(0, high, days2, 2, 6), UP_METRIC_OFF_TRACK);
}
END_TEST

START_TEST(after_the_deadline_the_plan_is_the_target)
{
	const int32_t d[] = {110, 120};
	const double v[] = {95, 95}, short_of[] = {94, 94};
	up_judge_out o = judge(1, v, d, 2, 6);
	ck_status(o, UP_METRIC_ON_TRACK);
	ck_assert_double_eq(o.expected, 100);
	ck_status(judge(1, short_of, d, 2, 6), UP_METRIC_OFF_TRACK);
}
END_TEST

START_TEST(no_data)
{
	up_judge_out o = judge(1, NULL, NULL, 0, 6);
	ck_status(o, UP_METRIC_NO_DATA);
	ck_assert(isnan(o.value));
	ck_assert(isnan(o.expected));
	ck_assert(isnan(o.projected));
}
END_TEST

START_TEST(status_names)
{
	ck_assert_str_eq(up_metric_status_name(UP_METRIC_MET), "met");
	ck_assert_str_eq(up_metric_status_name(UP_METRIC_ON_TRACK),
			 "on_track");
	ck_assert_str_eq(up_metric_status_name(UP_METRIC_AT_RISK), "at_risk");
	ck_assert_str_eq(up_metric_status_name(UP_METRIC_OFF_TRACK),
			 "off_track");
	ck_assert_str_eq(up_metric_status_name(UP_METRIC_NO_DATA), "no_data");
	ck_assert_str_eq(up_metric_status_name(UP_METRIC_BASELINE),
			 "baseline");
}
END_TEST

START_TEST(baseline_until_enough_points)
{
	/* Far above the plan and the target: met from the first point on,
	 * unless the first points are the baseline still being measured. */
	const double v[] = {150, 160, 170};
	const int32_t d[] = {10, 20, 30};
	up_judge_in in = {
		.values = v, .days = d, .baseline = 0, .target = 100,
		.increase = 1, .tolerance = 5, .t0 = 0, .deadline = 100,
		.recent = 6, .baseline_points = 3,
	};
	up_judge_out out;
	for (size_t n = 1; n <= 3; n++) {
		in.n = n;
		in.as_of = d[n - 1];
		up_metric_judge(&in, &out);
		ck_status(out, n < 3 ? UP_METRIC_BASELINE : UP_METRIC_MET);
		/* the value and the plan are there all the same */
		ck_assert_double_eq(out.value, v[n - 1]);
		ck_assert_double_eq_tol(out.expected, d[n - 1], 1e-9);
	}
	/* none asked for: judged from the first point */
	in.baseline_points = 0;
	in.n = 1;
	up_metric_judge(&in, &out);
	ck_status(out, UP_METRIC_MET);
	in.baseline_points = 1;
	up_metric_judge(&in, &out);
	ck_status(out, UP_METRIC_MET);
	/* no data stays no data */
	in.baseline_points = 3;
	in.n = 0;
	up_metric_judge(&in, &out);
	ck_status(out, UP_METRIC_NO_DATA);
}
END_TEST

/* ---- run charts ---- */

static up_signals chart(const double *y, size_t n)
{
	up_signals s;
	up_run_chart(y, n, &s);
	return s;
}

START_TEST(median_of_odd_and_even_series)
{
	const double odd[] = {3, 1, 2}, even[] = {4, 1, 3, 2};
	up_signals s = chart(odd, 3);
	ck_assert_double_eq(s.median, 2);
	ck_assert_uint_eq(s.useful, 2);
	s = chart(even, 4);
	ck_assert_double_eq(s.median, 2.5);
	ck_assert_uint_eq(s.useful, 4);
	s = chart(NULL, 0);
	ck_assert(isnan(s.median));
	ck_assert_uint_eq(s.useful, 0);
	ck_assert(!s.shift && !s.trend && !s.anhoej_runs &&
		  !s.anhoej_crossings);
}
END_TEST

START_TEST(points_on_the_median_neither_count_nor_break)
{
	/* Median 5; the 5s sit inside a run of four below. */
	const double y[] = {1, 2, 5, 3, 5, 4, 9, 9, 9};
	up_signals s = chart(y, UP_COUNTOF(y));
	ck_assert_double_eq(s.median, 5);
	ck_assert_uint_eq(s.useful, 7);
	ck_assert_uint_eq(s.longest_run, 4);
	ck_assert_uint_eq(s.crossings, 1);
	/* Ties on the median only: nothing useful at all. */
	const double flat[] = {7, 7, 7, 7};
	s = chart(flat, 4);
	ck_assert_uint_eq(s.useful, 0);
	ck_assert_uint_eq(s.longest_run, 0);
	ck_assert_uint_eq(s.crossings, 0);
	ck_assert_uint_eq(s.run_limit, 0);
}
END_TEST

START_TEST(shift_of_six_not_five)
{
	const double six[] = {8, 2, 2, 2, 5, 2, 2, 2, 8, 8, 8, 8, 8, 5};
	const double five[] = {8, 2, 2, 2, 2, 2, 8, 8, 8, 8, 8, 2};
	up_signals s = chart(six, UP_COUNTOF(six));
	ck_assert_double_eq(s.median, 5);
	ck_assert_uint_eq(s.useful, 12);
	ck_assert_uint_eq(s.longest_run, 6);
	ck_assert(s.shift);
	ck_assert(!s.shift_up);
	/* A shift is not yet an Anhøj run signal: the limit for 12 is 7. */
	ck_assert_uint_eq(s.run_limit, 7);
	ck_assert(!s.anhoej_runs);
	s = chart(five, UP_COUNTOF(five));
	ck_assert_uint_eq(s.longest_run, 5);
	ck_assert(!s.shift);
	/* Six above. */
	const double up[] = {2, 2, 2, 8, 8, 8, 8, 8, 8, 2, 2, 2};
	s = chart(up, UP_COUNTOF(up));
	ck_assert(s.shift);
	ck_assert(s.shift_up);
}
END_TEST

START_TEST(no_anhoej_signal_under_ten_useful_points)
{
	/* Seven below, eight on the median, two above: nine useful points. */
	const double y[] = {1, 1, 1, 1, 1, 1, 1, 5, 5, 5, 5, 5, 5, 5, 5, 9, 9};
	up_signals s = chart(y, UP_COUNTOF(y));
	ck_assert_double_eq(s.median, 5);
	ck_assert_uint_eq(s.useful, 9);
	ck_assert_uint_eq(s.longest_run, 7);
	ck_assert_uint_eq(s.run_limit, 6);
	ck_assert_uint_eq(s.crossings, 1);
	ck_assert_uint_eq(s.crossing_min, 2);
	ck_assert(!s.anhoej_runs);
	ck_assert(!s.anhoej_crossings);
	ck_assert(s.shift); /* IHI's rule has no such floor */
}
END_TEST

START_TEST(anhoej_run_signal_at_ten_useful_points)
{
	/* The same shape with a third point above: ten useful points. */
	const double y[] = {1, 1, 1, 1, 1, 1, 1, 5, 5, 5, 5, 5, 9, 9, 9};
	up_signals s = chart(y, UP_COUNTOF(y));
	ck_assert_double_eq(s.median, 5);
	ck_assert_uint_eq(s.useful, 10);
	ck_assert_uint_eq(s.longest_run, 7);
	ck_assert_uint_eq(s.run_limit, 6);
	ck_assert(s.anhoej_runs);
	ck_assert(s.anhoej_crossings); /* 1 crossing, 2 needed */
}
END_TEST

START_TEST(too_few_crossings_in_twenty_points)
{
	/* Runs of 4, 3, 3, 4, 3, 3: five crossings, at most 4 in a run. */
	const double five[] = {1, 1, 1, 1, 9, 9, 9, 1, 1, 1,
			       9, 9, 9, 9, 1, 1, 1, 9, 9, 9};
	/* Runs of 3, 3, 3, 4, 2, 3, 2: six crossings. */
	const double six[] = {1, 1, 1, 9, 9, 9, 1, 1, 1, 9,
			      9, 9, 9, 1, 1, 9, 9, 9, 1, 1};
	up_signals s = chart(five, 20);
	ck_assert_uint_eq(s.useful, 20);
	ck_assert_uint_eq(s.crossings, 5);
	ck_assert_uint_eq(s.crossing_min, 6);
	ck_assert_uint_eq(s.run_limit, 7);
	ck_assert(s.anhoej_crossings);
	ck_assert(!s.anhoej_runs);
	ck_assert(!s.shift);
	s = chart(six, 20);
	ck_assert_uint_eq(s.crossings, 6);
	ck_assert(!s.anhoej_crossings);
}
END_TEST

START_TEST(crossing_minimum_matches_qbinom)
{
	/* Strictly rising series: every point useful, the median between
	 * the middle two.  qbinom(0.05, n - 1, 0.5) from R. */
	static const struct {
		size_t n, crossing_min, run_limit;
	} known[] = {
		{10, 2, 6}, {12, 3, 7}, {20, 6, 7}, {24, 8, 8}, {30, 10, 8},
		{100, 41, 10},
	};
	double y[100];
	for (size_t i = 0; i < UP_COUNTOF(y); i++)
		y[i] = (double)i;
	for (size_t i = 0; i < UP_COUNTOF(known); i++) {
		up_signals s = chart(y, known[i].n);
		ck_assert_uint_eq(s.useful, known[i].n);
		ck_assert_uint_eq(s.crossing_min, known[i].crossing_min);
		ck_assert_uint_eq(s.run_limit, known[i].run_limit);
	}
	/* 3000 alternating points: 0.5^2999 underflows a double, the
	 * quantile must not.  qbinom(0.05, 2999, 0.5) = 1454. */
	double *big = malloc(3000 * sizeof *big);
	for (size_t i = 0; i < 3000; i++)
		big[i] = i % 2 ? 1 : -1;
	up_signals s = chart(big, 3000);
	free(big);
	ck_assert_double_eq(s.median, 0);
	ck_assert_uint_eq(s.useful, 3000);
	ck_assert_uint_eq(s.crossings, 2999);
	ck_assert_uint_eq(s.crossing_min, 1454);
	ck_assert(!s.anhoej_crossings);
}
END_TEST

START_TEST(trend_of_five_with_an_equal_neighbour)
{
	/* The repeated 3 is skipped: 1 2 3 4 5 is five points. */
	const double five[] = {1, 2, 3, 3, 4, 5};
	const double four[] = {1, 2, 2, 3, 4};
	const double down[] = {5, 4, 3, 3, 2, 1};
	const double turn[] = {0, 1, 3, 2, 1, 0, -1};
	up_signals s = chart(five, UP_COUNTOF(five));
	ck_assert(s.trend);
	ck_assert(s.trend_up);
	s = chart(four, UP_COUNTOF(four));
	ck_assert(!s.trend);
	s = chart(down, UP_COUNTOF(down));
	ck_assert(s.trend);
	ck_assert(!s.trend_up);
	/* The turning point starts the falling trend: 3 2 1 0 -1. */
	s = chart(turn, UP_COUNTOF(turn));
	ck_assert(s.trend);
	ck_assert(!s.trend_up);
	const double wobble[] = {1, 2, 3, 4, 3, 4, 5, 6};
	s = chart(wobble, UP_COUNTOF(wobble));
	ck_assert(!s.trend);
}
END_TEST

/* ---- the span of each signal ---- */

START_TEST(spans_of_the_latest_shift_and_trend)
{
	/* Twelve rising low points, then six rising high ones: one trend
	 * over everything, and the latest shift is the high run (the median
	 * sits between the 9th and 10th points). */
	double up[18];
	for (int i = 0; i < 18; i++)
		up[i] = i < 12 ? 1.0 + 0.01 * i : 5.0 + 0.01 * i;
	up_signals s = chart(up, 18);
	ck_assert(s.shift && s.shift_up);
	ck_assert_uint_eq(s.shift_from, 9);
	ck_assert_uint_eq(s.shift_to, 17);
	ck_assert(s.trend && s.trend_up);
	ck_assert_uint_eq(s.trend_from, 0);
	ck_assert_uint_eq(s.trend_to, 17);
	/* Anhøj: 9 in a run against a limit of round(log2(18) + 3) = 7; the
	 * latest such run is the high one. */
	ck_assert(s.anhoej_runs);
	ck_assert_uint_eq(s.run_from, 9);
	ck_assert_uint_eq(s.run_to, 17);
}
END_TEST

START_TEST(a_shift_that_ended_is_not_current)
{
	/* Six above the median, then points on it (60) and below it (10):
	 * the shift spans the first six months and ended in the seventh. */
	const double y[] = {70, 72, 71, 73, 72, 74, 10,
			    60, 10, 60, 10, 60, 10, 60};
	up_signals s = chart(y, UP_COUNTOF(y));
	ck_assert_double_eq(s.median, 60);
	ck_assert(s.shift && s.shift_up);
	ck_assert_uint_eq(s.shift_from, 0);
	ck_assert_uint_eq(s.shift_to, 5);
	ck_assert(!s.trend);
	ck_assert(!s.anhoej_runs); /* 6 against a limit of 6 */
	ck_assert(s.anhoej_crossings);
	/* The same six above with the latest point on the median: nothing
	 * ended the run, so it reaches the latest point. */
	const double on[] = {1, 1, 1, 1, 1, 1, 9, 9, 9, 9, 9, 9, 5};
	s = chart(on, UP_COUNTOF(on));
	ck_assert_double_eq(s.median, 5);
	ck_assert(s.shift && s.shift_up);
	ck_assert_uint_eq(s.shift_from, 6);
	ck_assert_uint_eq(s.shift_to, 12);
	/* A point above the median ends a run below it (the 7s are on
	 * the median). */
	const double back[] = {7, 7, 7, 7, 7, 7, 1, 1, 1, 1, 1, 1, 9};
	s = chart(back, UP_COUNTOF(back));
	ck_assert_double_eq(s.median, 7);
	ck_assert(s.shift && !s.shift_up);
	ck_assert_uint_eq(s.shift_from, 6);
	ck_assert_uint_eq(s.shift_to, 11);
}
END_TEST

START_TEST(a_trend_that_turned_is_not_current)
{
	/* Equal neighbours at the end neither count nor break: current. */
	const double flat_end[] = {1, 2, 3, 4, 5, 5, 5};
	up_signals s = chart(flat_end, UP_COUNTOF(flat_end));
	ck_assert(s.trend && s.trend_up);
	ck_assert_uint_eq(s.trend_from, 0);
	ck_assert_uint_eq(s.trend_to, 6);
	/* A fall after it ends it at its top. */
	const double turned[] = {1, 2, 3, 4, 5, 4};
	s = chart(turned, UP_COUNTOF(turned));
	ck_assert(s.trend && s.trend_up);
	ck_assert_uint_eq(s.trend_from, 0);
	ck_assert_uint_eq(s.trend_to, 4);
	/* The turning point starts the falling trend: 3 2 1 0 -1. */
	const double turn[] = {0, 1, 3, 2, 1, 0, -1};
	s = chart(turn, UP_COUNTOF(turn));
	ck_assert(s.trend && !s.trend_up);
	ck_assert_uint_eq(s.trend_from, 2);
	ck_assert_uint_eq(s.trend_to, 6);
	/* A plateau inside the trend is part of its span. */
	const double plateau[] = {9, 1, 2, 2, 3, 4, 5, 3};
	s = chart(plateau, UP_COUNTOF(plateau));
	ck_assert(s.trend && s.trend_up);
	ck_assert_uint_eq(s.trend_from, 1);
	ck_assert_uint_eq(s.trend_to, 6);
}
END_TEST

/* A deterministic series of N values in 0..RANGE-1. */
static void lcg_series(unsigned *seed, double *y, size_t n, unsigned range)
{
	for (size_t i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		y[i] = (double)((*seed >> 16) % range);
	}
}

/* The points of Y[FROM..TO] off the median, on one side: how many, or 0
 * when a point is on the other side. */
static size_t one_side(const double *y, size_t from, size_t to, double med,
		       int above)
{
	size_t k = 0;
	for (size_t i = from; i <= to; i++) {
		if (y[i] == med)
			continue;
		if ((y[i] > med) != above)
			return 0;
		k++;
	}
	return k;
}

/* The run starting at FROM is the latest of LEN or more: it starts off
 * the median, after a point on the other side (or at the start), and no
 * later run reaches LEN; it ends where the next point off the median is
 * on the other side, or at the latest point. */
static void check_latest_run(const double *y, size_t n, double med,
			     size_t len, size_t from, size_t to, int above)
{
	ck_assert_uint_le(from, to);
	ck_assert_uint_lt(to, n);
	ck_assert(y[from] != med);
	ck_assert_uint_ge(one_side(y, from, to, med, above), len);
	for (size_t i = from; i-- > 0;)
		if (y[i] != med) {
			ck_assert((y[i] > med) != above);
			break;
		}
	size_t next = to + 1;
	while (next < n && y[next] == med)
		next++;
	if (to + 1 < n) { /* ended: by a point on the other side */
		ck_assert_uint_lt(next, n);
		ck_assert(y[to] != med);
		ck_assert((y[next] > med) != above);
	}
	/* no later run of LEN */
	size_t run = 0;
	int side = -1;
	for (size_t i = next; i < n; i++) {
		if (y[i] == med)
			continue;
		int up = y[i] > med;
		run = up == side ? run + 1 : 1;
		side = up;
		ck_assert_uint_lt(run, len);
	}
}

START_TEST(spans_agree_with_the_signals)
{
	unsigned seed = 11;
	double y[40];
	for (int k = 0; k < 5000; k++) {
		size_t n = 1 + (size_t)(k % 40);
		lcg_series(&seed, y, n, 2 + (unsigned)(k % 9));
		up_signals s = chart(y, n);
		if (s.shift)
			check_latest_run(y, n, s.median, 6, s.shift_from,
					 s.shift_to, s.shift_up);
		else
			ck_assert(!s.shift_from && !s.shift_to);
		if (s.anhoej_runs)
			check_latest_run(y, n, s.median, s.run_limit + 1,
					 s.run_from, s.run_to,
					 y[s.run_from] > s.median);
		else
			ck_assert(!s.run_from && !s.run_to);
		if (!s.trend) {
			ck_assert(!s.trend_from && !s.trend_to);
			continue;
		}
		/* five or more moves the trend's way, none against it */
		size_t moves = 1;
		ck_assert_uint_lt(s.trend_to, n);
		for (size_t i = s.trend_from + 1; i <= s.trend_to; i++) {
			ck_assert(y[i] == y[i - 1] ||
				  (y[i] > y[i - 1]) == s.trend_up);
			moves += y[i] != y[i - 1];
		}
		ck_assert_uint_ge(moves, 5);
		/* ended by a move the other way, or reaching the latest */
		if (s.trend_to + 1 < n) {
			size_t i = s.trend_to + 1;
			while (i < n && y[i] == y[s.trend_to])
				i++;
			ck_assert_uint_lt(i, n);
			ck_assert((y[i] > y[s.trend_to]) != s.trend_up);
		}
	}
}
END_TEST

START_TEST(no_risk_once_the_deadline_has_passed)
{
	/* falling but projected (backwards) above target: past the deadline
	 * that is off track, not at risk */
	double v[] = {0.50, 0.45, 0.40, 0.35, 0.30, 0.25};
	int32_t d[] = {100, 130, 160, 190, 220, 250};
	up_judge_in in = {v, d, 6, 0.50, 0.40, 1, 0.0, 100, 130, 250, 6, 0};
	up_judge_out out;
	up_metric_judge(&in, &out);
	ck_assert_int_eq(out.status, UP_METRIC_OFF_TRACK);
}
END_TEST

START_TEST(direction_is_the_latest_shift)
{
	/* Twelve low months, then six high ones: the earlier run is longer,
	 * but the news is the recent move up.  And a fall after a rise. */
	double up[18], down[16];
	for (int i = 0; i < 18; i++)
		up[i] = i < 12 ? 1.0 + 0.01 * i : 5.0 + 0.01 * i;
	up_signals s;
	up_run_chart(up, 18, &s);
	ck_assert_int_eq(s.shift, 1);
	ck_assert_int_eq(s.shift_up, 1);
	for (int i = 0; i < 16; i++)
		down[i] = i < 10 ? 5.0 + 0.01 * i : 1.0 - 0.01 * i;
	up_run_chart(down, 16, &s);
	ck_assert_int_eq(s.shift, 1);
	ck_assert_int_eq(s.shift_up, 0);
	ck_assert_int_eq(s.trend, 1);
	ck_assert_int_eq(s.trend_up, 0); /* the latest trend falls */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("metric");
	TCase *tp = tcase_create("period");
	tcase_add_test(tp, months_parse);
	tcase_add_test(tp, quarters_parse);
	tcase_add_test(tp, iso_weeks_parse);
	tcase_add_test(tp, week_53_only_in_long_years);
	tcase_add_test(tp, days_parse);
	tcase_add_test(tp, periods_round_trip);
	tcase_add_test(tp, bad_periods_say_why);
	tcase_add_test(tp, period_of_a_day);
	tcase_add_test(tp, next_period_crosses_year_ends);
	tcase_add_test(tp, period_kinds);
	suite_add_tcase(s, tp);

	TCase *td = tcase_create("deadline");
	tcase_add_test(td, deadline_offsets);
	tcase_add_test(td, deadline_dates);
	tcase_add_test(td, bad_deadlines_say_why);
	suite_add_tcase(s, td);

	TCase *tl = tcase_create("line");
	tcase_add_test(tl, plan_follows_a_straight_path);
	tcase_add_test(tl, least_squares_is_exact_on_a_line);
	tcase_add_test(tl, least_squares_needs_two_distinct_x);
	suite_add_tcase(s, tl);

	TCase *tj = tcase_create("judge");
	tcase_add_test(tj, on_track_at_plan_minus_tolerance);
	tcase_add_test(tj, a_hair_behind_is_at_risk_when_the_line_gets_there);
	tcase_add_test(tj, a_hair_behind_is_off_track_when_it_does_not);
	tcase_add_test(tj, projection_exactly_at_target_is_at_risk);
	tcase_add_test(tj, projection_uses_only_recent_points);
	tcase_add_test(tj, met_means_reached_and_held);
	tcase_add_test(tj, decrease_mirrors_every_boundary);
	tcase_add_test(tj, after_the_deadline_the_plan_is_the_target);
	tcase_add_test(tj, no_data);
	tcase_add_test(tj, status_names);
	tcase_add_test(tj, baseline_until_enough_points);
	suite_add_tcase(s, tj);

	TCase *tr = tcase_create("run_chart");
	tcase_add_test(tr, median_of_odd_and_even_series);
	tcase_add_test(tr, points_on_the_median_neither_count_nor_break);
	tcase_add_test(tr, shift_of_six_not_five);
	tcase_add_test(tr, direction_is_the_latest_shift);
	tcase_add_test(tr, no_risk_once_the_deadline_has_passed);
	tcase_add_test(tr, no_anhoej_signal_under_ten_useful_points);
	tcase_add_test(tr, anhoej_run_signal_at_ten_useful_points);
	tcase_add_test(tr, too_few_crossings_in_twenty_points);
	tcase_add_test(tr, crossing_minimum_matches_qbinom);
	tcase_add_test(tr, trend_of_five_with_an_equal_neighbour);
	tcase_add_test(tr, spans_of_the_latest_shift_and_trend);
	tcase_add_test(tr, a_shift_that_ended_is_not_current);
	tcase_add_test(tr, a_trend_that_turned_is_not_current);
	tcase_add_test(tr, spans_agree_with_the_signals);
	suite_add_tcase(s, tr);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
