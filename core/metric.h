/*
 * metric.h: periods and the arithmetic of success metrics: planned paths, projections, status and run-chart
 * signals.  Pure functions over arrays: no Lua, no SQLite, so every
 * boundary is unit-testable.
 */
#ifndef UP_METRIC_H
#define UP_METRIC_H

#include <stddef.h>
#include <stdint.h>

/* ---- periods (period.c) ---- */

typedef enum {
	UP_PERIOD_DAY,
	UP_PERIOD_WEEK,    /* ISO 8601 week, Monday to Sunday */
	UP_PERIOD_MONTH,
	UP_PERIOD_QUARTER
} up_period_kind;

typedef struct {
	up_period_kind kind;
	int32_t start, end; /* day numbers, both inclusive */
} up_period;

/*
 * Parses "2026-03" (month), "2026-Q1" (quarter), "2026-W07" (ISO week,
 * W53 only in years that have one) or "2026-03-15" (a day).  On failure
 * returns -1 and a static reason in *why.
 */
int up_period_parse(const char *s, up_period *out, const char **why);
/* Canonical text of P as parse accepts it: out needs 11 bytes. */
void up_period_format(const up_period *p, char out[11]);
/* The period of KIND that contains DAY. */
void up_period_of(up_period_kind kind, int32_t day, up_period *out);
/* The period after P, of the same kind. */
void up_period_next(const up_period *p, up_period *out);
/* "week", "month", "quarter" (and "day"); -1 for anything else. */
int up_period_kind_parse(const char *s);
const char *up_period_kind_name(up_period_kind kind);

/*
 * A deadline: a date "YYYY-MM-DD", or an offset from FROM such as "+2y",
 * "+18m", "+6w", "+90d".  Month arithmetic clamps to the month's end
 * (2024-01-31 +1m is 2024-02-29).  -1 and a static reason on failure.
 */
int up_deadline_parse(const char *s, int32_t from, int32_t *out,
		      const char **why);

/* ---- judging a series against its target (metric_math.c) ---- */

typedef enum {
	UP_METRIC_MET,
	UP_METRIC_ON_TRACK,
	UP_METRIC_AT_RISK,
	UP_METRIC_OFF_TRACK,
	UP_METRIC_NO_DATA,
	UP_METRIC_BASELINE
} up_metric_status;

/* "met", "on_track", "at_risk", "off_track", "no_data", "baseline". */
const char *up_metric_status_name(up_metric_status s);

/*
 * The planned value on day T of a straight path from BASELINE on day T0
 * to TARGET on DEADLINE (the planned path): baseline + (target - baseline) *
 * (t - t0) / (deadline - t0), held at TARGET after the deadline and at
 * BASELINE before T0.
 */
double up_plan_at(double baseline, double target, int32_t t0,
		  int32_t deadline, int32_t t);

/*
 * Least-squares line through (x[i], y[i]).  Returns -1 with fewer than two
 * points or when every x is equal.
 */
int up_least_squares(const double *x, const double *y, size_t n,
		     double *slope, double *intercept);

typedef struct {
	/* The series, oldest first: one value per period, at the period's
	 * last day (days[i]).  Periods without data are left out. */
	const double *values;
	const int32_t *days;
	size_t n;
	double baseline, target;
	int increase;      /* 1: higher is better; 0: lower is better */
	double tolerance;  /* allowed shortfall against the plan, >= 0 */
	int32_t t0, deadline;
	int32_t as_of;     /* the end of the latest period judged */
	size_t recent;     /* points the projection uses, e.g. 6 */
	size_t baseline_points; /* with fewer points than this the status is
				 * baseline (0: judge from the first point) */
} up_judge_in;

typedef struct {
	up_metric_status status;
	double value;     /* the latest value (NaN when no data) */
	double expected;  /* the plan at the latest point's day */
	double projected; /* the projection at the deadline (NaN if none) */
} up_judge_out;

/*
 * The statuses, direction-aware:
 *   no_data    no value at all;
 *   baseline   fewer than BASELINE_POINTS values: the baseline is still
 *              being measured, so there is nothing to judge yet;
 *   met        the latest value reaches the target, and so did the one
 *              before it when there is one (reached and held);
 *   on_track   the latest value is at or beyond plan - tolerance;
 *   at_risk    behind that, but the least-squares line through the last
 *              RECENT points reaches the target by the deadline, which
 *              is still ahead of the latest point;
 *   off_track  otherwise.
 */
void up_metric_judge(const up_judge_in *in, up_judge_out *out);

/* Run-chart signals over a series (IHI and Anhøj). */
typedef struct {
	double median;
	size_t useful;       /* points not on the median */
	size_t longest_run;  /* longest run on one side of the median */
	size_t run_limit;    /* round(log2(useful) + 3) */
	size_t crossings;    /* median crossings among useful points */
	size_t crossing_min; /* lower 5% binomial quantile of (useful-1, 0.5) */
	int anhoej_runs;     /* longest_run > run_limit, with 10+ useful */
	int anhoej_crossings;/* crossings < crossing_min, with 10+ useful */
	int shift;           /* 6+ consecutive useful points on one side */
	int shift_up;        /* the latest such run is above the median */
	int trend;           /* 5+ points steadily rising or falling; equal
			      * neighbours neither count nor break */
	int trend_up;        /* the latest such trend rises */
	/*
	 * The points each signal spans, as indices into the series, both
	 * inclusive: the latest shift, the latest trend, and the latest run
	 * longer than run_limit (anhoej_runs); few crossings is a property
	 * of the whole series, 0 to n - 1.  A run or trend that no later
	 * point has ended (later points on the median, or equal to the one
	 * before, neither count nor break it) spans to the latest point,
	 * n - 1: the signal is current.  Zero when the signal is off.
	 */
	size_t shift_from, shift_to;
	size_t trend_from, trend_to;
	size_t run_from, run_to;
} up_signals;

void up_run_chart(const double *y, size_t n, up_signals *out);

#endif
