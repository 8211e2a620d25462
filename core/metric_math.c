/*
 * metric_math.c: the arithmetic behind a metric's status: the planned path, a least-squares projection, and
 * run-chart signals.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "metric.h"

/* IHI's fixed run-chart rules. */
#define SHIFT_LEN 6
#define TREND_LEN 5
/* Anhøj's rules are calibrated for this many useful points and more. */
#define ANHOEJ_MIN 10
/* The false-signal rate the crossings limit is set at. */
#define CROSSING_ALPHA 0.05

static const char *const status_names[] = {"met", "on_track", "at_risk",
					   "off_track", "no_data", "baseline"};

const char *up_metric_status_name(up_metric_status s)
{
	if ((size_t)s >= UP_COUNTOF(status_names))
		return "?";
	return status_names[s];
}

double up_plan_at(double baseline, double target, int32_t t0,
		  int32_t deadline, int32_t t)
{
	/* Deadline first: a deadline at or before t0 means the target holds
	 * from then on, and there is no slope to divide by. */
	if (t >= deadline)
		return target;
	if (t <= t0)
		return baseline;
	return baseline + (target - baseline) * (double)(t - t0) /
				  (double)(deadline - t0);
}

int up_least_squares(const double *x, const double *y, size_t n,
		     double *slope, double *intercept)
{
	double mx = 0, my = 0, sxx = 0, sxy = 0;
	int spread = 0;
	if (n < 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
		spread |= x[i] != x[0];
	}
	if (!spread)
		return -1;
	mx /= (double)n;
	my /= (double)n;
	/* Centred sums: day numbers near 20000 would lose digits in the
	 * textbook sum(x*x) - n*mean^2. */
	for (size_t i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
	}
	if (sxx == 0)
		return -1;
	*slope = sxy / sxx;
	*intercept = my - *slope * mx;
	return 0;
}

/*
 * V reaches GOAL in the metric's direction.  Values come out of divisions
 * and sums (ratios, means, the plan itself), so a value that is the goal
 * on paper must not miss it by a rounding error.
 */
static int reaches(double v, double goal, int increase)
{
	double eps = 1e-9 * (1.0 + fabs(goal));
	return increase ? v >= goal - eps : v <= goal + eps;
}

/* The least-squares line through the last RECENT points at the deadline,
 * or NaN when there are fewer than two points or one distinct day. */
static double project(const up_judge_in *in)
{
	size_t k = in->recent < in->n ? in->recent : in->n;
	size_t first = in->n - k;
	double slope, at_deadline, *x;
	if (k < 2)
		return NAN;
	/* Days counted from the deadline make the intercept the answer,
	 * with no cancellation against large day numbers. */
	x = up_xmalloc(k * sizeof *x);
	for (size_t i = 0; i < k; i++)
		x[i] = (double)in->days[first + i] - (double)in->deadline;
	if (up_least_squares(x, in->values + first, k, &slope,
			     &at_deadline) != 0)
		at_deadline = NAN;
	free(x);
	return at_deadline;
}

void up_metric_judge(const up_judge_in *in, up_judge_out *out)
{
	out->value = out->expected = out->projected = NAN;
	if (in->n == 0) {
		out->status = UP_METRIC_NO_DATA;
		return;
	}
	size_t last = in->n - 1;
	double v = in->values[last];
	double slack = in->increase ? -in->tolerance : in->tolerance;
	out->value = v;
	out->expected = up_plan_at(in->baseline, in->target, in->t0,
				   in->deadline, in->days[last]);
	out->projected = project(in);
	if (in->n < in->baseline_points)
		out->status = UP_METRIC_BASELINE; /* nothing to judge yet */
	else if (reaches(v, in->target, in->increase) &&
	    (last == 0 || reaches(in->values[last - 1], in->target,
				  in->increase)))
		out->status = UP_METRIC_MET;
	else if (reaches(v, out->expected + slack, in->increase))
		out->status = UP_METRIC_ON_TRACK;
	else if (!isnan(out->projected) && in->days[last] < in->deadline &&
		 reaches(out->projected, in->target, in->increase))
		out->status = UP_METRIC_AT_RISK; /* never once time is up */
	else
		out->status = UP_METRIC_OFF_TRACK;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(const double *y, size_t n)
{
	double *s = up_xmalloc(n * sizeof *s), m;
	memcpy(s, y, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

/*
 * The smallest k with P(X <= k) >= 0.05 for X ~ Binomial(m, 1/2): R's
 * qbinom(0.05, m, 0.5).  Terms are built in logs so that 0.5^m does not
 * underflow on a long series.
 */
static size_t binom_lower_quantile(size_t m)
{
	double lp = (double)m * log(0.5), cdf = 0;
	for (size_t k = 0; k < m; k++) {
		cdf += exp(lp);
		if (cdf >= CROSSING_ALPHA)
			return k;
		lp += log((double)(m - k) / (double)(k + 1));
	}
	return m;
}

/* Runs and crossings over the points off the median; points on it
 * neither count nor break a run. */
static void runs(const double *y, size_t n, up_signals *out)
{
	size_t run = 0;
	int side = -1;
	for (size_t i = 0; i < n; i++) {
		if (y[i] == out->median)
			continue;
		int up = y[i] > out->median;
		out->useful++;
		if (up == side) {
			run++;
		} else {
			out->crossings += side >= 0;
			side = up;
			run = 1;
		}
		if (run > out->longest_run)
			out->longest_run = run;
	}
}

/*
 * The latest run of LEN or more points on one side of the median: its
 * first and last point in *FROM and *TO (to the latest point when nothing
 * after it ends the run), and whether it is above.  0 when there is none.
 */
static int latest_run(const double *y, size_t n, double median, size_t len,
		      size_t *from, size_t *to, int *above)
{
	size_t run = 0, start = 0, last = 0;
	int side = -1, found = 0;
	for (size_t i = 0; i < n; i++) {
		if (y[i] == median)
			continue;
		int up = y[i] > median;
		if (up != side) {
			side = up;
			start = i;
			run = 0;
		}
		last = i;
		if (++run >= len) {
			*from = start;
			*to = i;
			*above = up;
			found = 1;
		}
	}
	if (found && *to == last)
		*to = n - 1; /* unbroken: the points after it are on the median */
	return found;
}

/* Trends over every point; a point equal to the one before is skipped.
 * The span of the latest trend starts at the point it moves away from. */
static void trends(const double *y, size_t n, up_signals *out)
{
	size_t len = 1, longest = 0, start = 0, prev = 0, last = 0;
	int dir = 0;
	for (size_t i = 1; i < n; i++) {
		if (y[i] == y[prev])
			continue;
		int d = y[i] > y[prev] ? 1 : -1;
		if (d != dir) {
			start = prev;
			len = 1;
			dir = d;
		}
		prev = last = i;
		if (++len > longest)
			longest = len;
		if (len >= TREND_LEN) { /* again, the latest trend's */
			out->trend_up = d > 0;
			out->trend_from = start;
			out->trend_to = i;
		}
	}
	out->trend = longest >= TREND_LEN;
	if (!out->trend)
		out->trend_up = 0;
	else if (out->trend_to == last)
		out->trend_to = n - 1; /* unbroken: the rest equals its end */
}

void up_run_chart(const double *y, size_t n, up_signals *out)
{
	memset(out, 0, sizeof *out);
	out->median = n ? median(y, n) : NAN;
	runs(y, n, out);
	trends(y, n, out);
	out->shift = latest_run(y, n, out->median, SHIFT_LEN,
				&out->shift_from, &out->shift_to,
				&out->shift_up);
	if (out->useful == 0)
		return;
	out->run_limit = (size_t)lround(log2((double)out->useful) + 3.0);
	out->crossing_min = binom_lower_quantile(out->useful - 1);
	if (out->useful < ANHOEJ_MIN)
		return;
	int above;
	out->anhoej_runs = latest_run(y, n, out->median, out->run_limit + 1,
				      &out->run_from, &out->run_to, &above);
	out->anhoej_crossings = out->crossings < out->crossing_min;
}
