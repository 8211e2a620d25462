/*
 * dashboard_metrics.c: the report's run charts: each metric's series per
 * unit, its planned path, median and the points of its latest signals,
 * judged again from the store as the cycle judged them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "dashboard.h"
#include "metric.h"

/* ---- run-chart marks: the spans metric_math.c reports ---- */

void up_dash_marks(const double *y, size_t n, double median,
		   unsigned char *marks)
{
	up_signals sig;
	memset(marks, 0, n);
	if (!n)
		return;
	up_run_chart(y, n, &sig);
	for (size_t k = sig.shift_from; sig.shift && k <= sig.shift_to; k++)
		if (y[k] != median) /* on the median: neither counts nor breaks */
			marks[k] |= UP_MARK_SHIFT;
	for (size_t k = sig.trend_from; sig.trend && k <= sig.trend_to; k++)
		marks[k] |= UP_MARK_TREND;
}

/* ---- metric series ---- */

/* A point of a series: its period, its day on the x axis (the period's
 * last day) and its value. */
static json_t *point(const char *period, double value)
{
	up_period pd;
	if (up_period_parse(period, &pd, NULL) != 0)
		return NULL;
	return UP_JSON(json_pack("{s:s, s:i, s:f}", "period", period, "x",
				 (int)pd.end, "value", value));
}

/* P's definition of metric ID; none without a program (explain, when
 * program.yaml does not load). */
static const up_metric_def *metric_def(const up_program *p, const char *id)
{
	for (size_t i = 0; p && i < p->nmetrics; i++)
		if (!strcmp(p->metrics[i].id, id))
			return &p->metrics[i];
	return NULL;
}

/* The engine's own judgement of one unit's series, with its history:
 * the metric scoped to the unit alone is judged as the program's roll-up,
 * which metrics.c reports with every period. */
static json_t *judged_with_history(const up_program *p, up_facts *f,
				   const up_metric_def *d, const char *unit,
				   double target)
{
	up_metric_def m = *d;
	char *scope[1] = {(char *)unit};
	m.scope.v = scope;
	m.scope.n = 1;
	m.target = target;
	m.unit_targets = NULL;
	m.nunit_targets = 0;
	up_program q = *p;
	q.metrics = &m;
	q.nmetrics = 1;
	json_t *all = up_metrics_eval(&q, f);
	for (size_t u = 0; u < f->nunits; u++)
		json_decref(f->unit_metrics[u]);
	free(f->unit_metrics);
	f->unit_metrics = NULL;
	json_t *j = json_incref(json_array_get(all, 0));
	json_decref(all);
	return j;
}

/* The planned path at each point, as metrics.c draws it; none for a
 * target that holds every period, where the target line says it all. */
static void add_plan(const up_program *p, const up_metric_def *d,
		     json_t *points, double target)
{
	size_t n = json_array_size(points);
	if (!d || !n || d->per_period)
		return;
	json_t *first = json_array_get(points, 0);
	int32_t start, t0;
	up_date_parse(p->start, &start, NULL);
	up_period p0;
	up_period_of((up_period_kind)d->period, start, &p0);
	double base = d->baseline;
	t0 = p0.start;
	if (d->baseline_auto) {
		base = json_number_value(json_object_get(first, "value"));
		t0 = (int32_t)json_integer_value(json_object_get(first, "x"));
	}
	size_t i;
	json_t *pt;
	json_array_foreach(points, i, pt) {
		int32_t x = (int32_t)json_integer_value(json_object_get(pt,
									"x"));
		json_object_set_new(pt, "plan", json_real(up_plan_at(base,
			target, t0, d->deadline, x)));
	}
}

/* Median and marks over the series' values, as the engine judged it. */
static void add_run_chart(json_t *series)
{
	json_t *points = json_object_get(series, "points");
	size_t n = json_array_size(points);
	if (!n)
		return;
	double *y = up_xcalloc(n, sizeof *y);
	unsigned char *marks = up_xcalloc(n, 1);
	for (size_t i = 0; i < n; i++)
		y[i] = json_number_value(json_object_get(
			json_array_get(points, i), "value"));
	up_signals sig;
	up_run_chart(y, n, &sig);
	up_dash_marks(y, n, sig.median, marks);
	json_object_set_new(series, "median", json_real(sig.median));
	json_object_set_new(series, "runs", UP_JSON(json_pack(
		"{s:I, s:I, s:I, s:I, s:I}", "off_median",
		(json_int_t)sig.useful, "longest_run",
		(json_int_t)sig.longest_run, "run_limit",
		(json_int_t)sig.run_limit, "crossings",
		(json_int_t)sig.crossings, "crossings_min",
		(json_int_t)sig.crossing_min)));
	for (size_t i = 0; i < n; i++)
		if (marks[i])
			json_object_set_new(json_array_get(points, i), "mark",
					    json_integer(marks[i]));
	free(y);
	free(marks);
}

static int close_to(const json_t *a, const json_t *b)
{
	if (!json_is_number(a) || !json_is_number(b))
		return json_is_number(a) == json_is_number(b);
	double x = json_number_value(a), y = json_number_value(b);
	return fabs(x - y) <= 1e-6 * (fabs(x) > 1 ? fabs(x) : 1);
}

/* The last point's value and plan against what the cycle stored: they
 * differ when program.yaml changed the metric since the cycle ran. */
static void check_against(json_t *series, const json_t *stored)
{
	json_t *points = json_object_get(series, "points");
	json_t *last = json_array_get(points, json_array_size(points) - 1);
	if (!last || !json_is_number(json_object_get(stored, "value")))
		return;
	int same = !strcmp(up_dash_str(last, "period"),
			   up_dash_str(stored, "period")) &&
		close_to(json_object_get(last, "value"),
			 json_object_get(stored, "value")) &&
		(!json_object_get(last, "plan") ||
		 close_to(json_object_get(last, "plan"),
			  json_object_get(stored, "expected")));
	if (!same)
		json_object_set_new(series, "differs", json_true());
}

/* The head of a series: what the cycle stored for the unit (or the
 * program, when UNIT is NULL). */
static json_t *series_head(const json_t *stored, const char *unit,
			   const char *name, int depth, const char *source)
{
	json_t *s = UP_JSON(json_pack("{s:s?, s:s, s:i, s:s}", "unit", unit,
		"name", name, "depth", depth, "source", source));
	static const char *const keys[] = {"period", "value", "target",
					   "expected", "status", "signals"};
	for (size_t i = 0; i < UP_COUNTOF(keys); i++) {
		json_t *v = json_object_get(stored, keys[i]);
		json_object_set(s, keys[i], v ? v : json_null());
	}
	json_object_set_new(s, "points", json_array());
	return s;
}

static void points_from_history(json_t *series, const json_t *hist)
{
	json_t *points = json_object_get(series, "points");
	size_t i;
	json_t *h;
	json_array_foreach(hist, i, h) {
		json_t *v = json_object_get(h, "value");
		json_t *pt = json_is_number(v) ? point(up_dash_str(h,
			"period"), json_number_value(v)) : NULL;
		if (pt)
			json_array_append_new(points, pt);
	}
}

/* A metric over observations: the roll-up's history as stored, a unit's
 * judged again from the store with the metric's definition. */
static json_t *observed_series(const up_program *p, up_facts *f,
			       const json_t *stored, const char *unit,
			       const char *name, int depth)
{
	const up_metric_def *d = metric_def(p, up_dash_str(stored, "metric"));
	json_t *s = series_head(stored, unit, name, depth, "observations");
	json_t *hist = json_object_get(stored, "history"), *j = NULL;
	double target = json_number_value(json_object_get(stored, "target"));
	if (!hist && d && unit) {
		j = judged_with_history(p, f, d, unit, target);
		hist = json_object_get(j, "history");
	}
	points_from_history(s, hist);
	json_decref(j);
	if (!hist) { /* the metric is gone from program.yaml */
		json_object_set_new(s, "source", json_string("cycle"));
		json_t *pt = json_is_number(json_object_get(stored, "value"))
			? point(up_dash_str(stored, "period"),
				json_number_value(json_object_get(stored,
								  "value")))
			: NULL;
		if (pt)
			json_array_append_new(json_object_get(s, "points"),
					      pt);
		return s;
	}
	if (strcmp(up_dash_str(stored, "status"), "no_data")) {
		add_plan(p, d, json_object_get(s, "points"), target);
		add_run_chart(s);
	}
	check_against(s, stored);
	return s;
}

/*
 * The values a computed metric (a rule's metric{}) had in each stored
 * cycle up to NUMBER and its date: {unit or "": [point...]}, one point
 * per date (the latest cycle run for it).
 */
static json_t *computed_history(up_store *s, long long number,
				const char *as_of, const char *metric,
				const char *only, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), only
		? "SELECT as_of, unit, value, expected, cycle FROM cycle_metrics"
		  " WHERE metric = ?3 AND unit = ?4 AND cycle <= ?1"
		  " AND as_of <= ?2 ORDER BY as_of, cycle"
		: "SELECT as_of, unit, value, expected, cycle FROM cycle_metrics"
		  " WHERE metric = ?3 AND cycle <= ?1 AND as_of <= ?2"
		  " ORDER BY as_of, cycle", -1, &st, NULL)) {
		up_store_fail(s, "reading cycles", err);
		return NULL;
	}
	if (only)
		sqlite3_bind_text(st, 4, only, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 1, number);
	sqlite3_bind_text(st, 2, as_of, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, metric, -1, SQLITE_STATIC);
	json_t *byunit = json_object();
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *day = (const char *)sqlite3_column_text(st, 0);
		const char *unit = (const char *)sqlite3_column_text(st, 1);
		if (!day || !unit)
			continue;
		json_t *dates = json_object_get(byunit, unit);
		if (!dates) {
			dates = json_object();
			json_object_set_new(byunit, unit, dates);
		}
		if (sqlite3_column_type(st, 2) == SQLITE_NULL) {
			json_object_del(dates, day);
			continue;
		}
		json_t *pt = point(day, sqlite3_column_double(st, 2));
		if (pt && sqlite3_column_type(st, 3) != SQLITE_NULL)
			json_object_set_new(pt, "plan", json_real(
				sqlite3_column_double(st, 3)));
		if (pt) /* a later run for the same day replaces it */
			json_object_set_new(dates, day, pt);
	}
	if (sqlite3_finalize(st) != SQLITE_OK) {
		json_decref(byunit);
		up_store_fail(s, "reading cycles", err);
		return NULL;
	}
	return byunit;
}

static json_t *computed_series(const json_t *hist, const json_t *stored,
			       const char *unit, const char *name, int depth)
{
	json_t *s = series_head(stored, unit, name, depth, "cycles");
	json_t *points = json_object_get(s, "points");
	const char *k;
	json_t *pt;
	json_object_foreach(json_object_get(hist, unit ? unit : ""), k, pt)
		json_array_append(points, pt);
	return s;
}

/* Whether any unit of stored cycle NUMBER had a denominator of METRIC:
 * explain reads one unit's record, and the others decide too. */
static int stored_denominator(up_store *s, long long number,
			      const char *metric)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT 1 FROM cycle_metrics"
			       " WHERE cycle = ?1 AND metric = ?2 AND"
			       " denominator IS NOT NULL LIMIT 1", -1, &st,
			       NULL))
		return 0;
	sqlite3_bind_int64(st, 1, number);
	sqlite3_bind_text(st, 2, metric, -1, SQLITE_STATIC);
	int found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Shown as a percentage: a ratio, or a rule's metric with a denominator. */
static int is_percent(up_store *s, long long number, const json_t *doc,
		      const json_t *m)
{
	if (!strcmp(up_dash_str(m, "kind"), "ratio"))
		return 1;
	if (json_is_number(json_object_get(m, "denominator")))
		return 1;
	if (stored_denominator(s, number, up_dash_str(m, "metric")))
		return 1;
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(doc, "units"), i, u) {
		const json_t *um = up_dash_item(json_object_get(u,
			"metrics"), "metric", up_dash_str(m, "metric"));
		if (json_is_number(json_object_get(um, "denominator")))
			return 1;
	}
	return 0;
}

static const char *metric_title(const up_program *p, const json_t *doc,
				const char *id)
{
	const up_metric_def *d = metric_def(p, id);
	if (d && d->title)
		return d->title;
	const json_t *r = up_dash_item(json_object_get(doc, "rules"), "rule",
				       id);
	return r ? up_dash_str(r, "title") : NULL;
}

/* The entry of metric M: its series for the organisation, then for each
 * unit, or for unit ONLY alone when given. */
static json_t *metric_entry(up_store *s, const up_program *p, up_facts *f,
			    const json_t *doc, long long number,
			    const json_t *m, const char *only, up_error *err)
{
	const char *id = up_dash_str(m, "metric");
	int computed = !strcmp(up_dash_str(m, "kind"), "computed");
	json_t *hist = computed ? computed_history(s, number, up_dash_str(doc,
				  "as_of"), id, only, err) : NULL;
	if (computed && !hist)
		return NULL;
	char *org = p && p->organization
		? up_xasprintf("%s (organisation)", p->organization)
		: up_xstrdup("Organisation");
	json_t *list = json_array();
	if (!only)
		json_array_append_new(list, computed
			? computed_series(hist, m, NULL, org, 0)
			: observed_series(p, f, m, NULL, org, 0));
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(doc, "units"), i, u) {
		const json_t *um = up_dash_item(json_object_get(u,
			"metrics"), "metric", id);
		const char *uid = up_dash_str(u, "id");
		int depth = up_dash_depth(f, uid) + 1;
		if (um && (!only || !strcmp(uid, only)))
			json_array_append_new(list, computed
				? computed_series(hist, um, uid,
						  up_dash_str(u, "name"), depth)
				: observed_series(p, f, um, uid,
						  up_dash_str(u, "name"),
						  depth));
	}
	json_decref(hist);
	free(org);
	const up_metric_def *d = metric_def(p, id);
	return UP_JSON(json_pack("{s:s, s:s?, s:s, s:s?, s:b, s:b, s:o}",
		"metric", id, "title", metric_title(p, doc, id), "kind",
		up_dash_str(m, "kind"), "direction", d ? d->increase
		? "increase" : "decrease" : NULL, "per_period", d &&
		d->per_period, "percent", is_percent(s, number, doc, m),
		"series", list));
}

json_t *up_dash_metrics(up_store *s, const up_program *p, up_facts *f,
			const json_t *doc, long long number, up_error *err)
{
	json_t *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(doc, "metrics"), i, m) {
		json_t *e = metric_entry(s, p, f, doc, number, m, NULL, err);
		if (!e) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, e);
	}
	return out;
}


json_t *up_dash_unit_metrics(up_store *s, const up_program *p,
			     const json_t *doc, long long number,
			     const char *unit, up_error *err)
{
	int32_t day;
	up_facts f;
	if (up_date_parse(up_dash_str(doc, "as_of"), &day, NULL) != UP_OK) {
		up_err(err, UP_EINTERNAL, "cycle %lld's record is damaged",
		       number);
		return NULL;
	}
	/* the series the cycle saw: corrections since stay out */
	if (up_facts_load_as_ran(&f, s, number, day, UP_FACTS_OBS, unit,
				 err) != UP_OK)
		return NULL;
	json_t *out = json_array();
	const json_t *u = up_dash_item(json_object_get(doc, "units"), "id",
				       unit);
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(u, "metrics"), i, m) {
		json_t *e = metric_entry(s, p, &f, doc, number, m, unit, err);
		if (!e) {
			json_decref(out);
			out = NULL;
			break;
		}
		json_array_append_new(out, e);
	}
	up_facts_free(&f);
	return out;
}
