/*
 * metrics.c: success metrics in a cycle.  Observations are summed per
 * unit and period, rolled up the unit tree by adding counts (never by
 * averaging ratios), and each unit's series is judged against its path
 * from baseline to target (metric.h has the arithmetic).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "metric.h"

enum { RECENT = 6, STALE_PERIODS = 3 };

/* What one unit had in one period: enough to build any metric kind. */
typedef struct {
	double num, den; /* ratio */
	double sum;
	long count;
	double latest;
	int32_t latest_end;
} cell;

typedef struct {
	const up_metric_def *m;
	const up_facts *f;
	up_period *periods; /* the metric's periods from start to as-of */
	size_t nperiods;
	cell *cells;        /* nunits x nperiods, own data then rolled up */
	char *in_scope;     /* per unit */
	int *role;          /* per series: what it adds (see series_role) */
} evaluation;

enum { ROLE_NONE, ROLE_NUM, ROLE_NUM_EXCL, ROLE_DEN, ROLE_DEN_EXCL,
       ROLE_SERIES };

static int in_list(const up_strv *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 1;
	return 0;
}

static int series_role(const up_metric_def *m, const char *name)
{
	if (m->kind != UP_MK_RATIO)
		return m->series && !strcmp(m->series, name) ? ROLE_SERIES
							     : ROLE_NONE;
	if (m->numerator && !strcmp(m->numerator, name))
		return ROLE_NUM;
	if (m->denominator && !strcmp(m->denominator, name))
		return ROLE_DEN;
	if (in_list(&m->num_excl, name))
		return ROLE_NUM_EXCL;
	if (in_list(&m->den_excl, name) || in_list(&m->den_exc, name))
		return ROLE_DEN_EXCL;
	return ROLE_NONE;
}

/* Periods from the one holding the program start to the last one that
 * has ended by as-of: only complete periods are judged. */
static void make_periods(evaluation *ev, int32_t start)
{
	up_period p;
	up_period_of((up_period_kind)ev->m->period, start, &p);
	size_t cap = 16;
	ev->periods = up_xcalloc(cap, sizeof *ev->periods);
	while (p.end <= ev->f->as_of) {
		if (ev->nperiods == cap) {
			cap *= 2;
			ev->periods = up_xrealloc(ev->periods,
						  cap * sizeof *ev->periods);
		}
		ev->periods[ev->nperiods++] = p;
		up_period_next(&p, &p);
	}
}

static long period_index(const evaluation *ev, int32_t day)
{
	size_t lo = 0, hi = ev->nperiods;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ev->periods[mid].end < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ev->nperiods && ev->periods[lo].start <= day ? (long)lo
								  : -1;
}

static void mark_scope(evaluation *ev)
{
	const up_facts *f = ev->f;
	for (size_t u = 0; u < f->nunits; u++) {
		int in = ev->m->scope.n == 0;
		for (size_t s = 0; !in && s < ev->m->scope.n; s++) {
			int r = up_facts_unit(f, ev->m->scope.v[s]);
			in = r >= 0 && (int)u >= f->units[r].pre &&
			     (int)u <= f->units[r].post;
		}
		ev->in_scope[u] = (char)in;
	}
}

/* An observation lands in the metric period that holds its first day. */
static void add_observations(evaluation *ev)
{
	const up_facts *f = ev->f;
	for (size_t i = 0; i < f->nobs; i++) {
		const up_obs *o = &f->obs[i];
		int role = o->series >= 0 ? ev->role[o->series] : ROLE_NONE;
		if (role == ROLE_NONE || !ev->in_scope[o->unit_ix])
			continue;
		long t = period_index(ev, o->start);
		if (t < 0)
			continue;
		cell *c = &ev->cells[(size_t)o->unit_ix * ev->nperiods +
				     (size_t)t];
		c->count++;
		switch (role) {
		case ROLE_NUM: c->num += o->value; break;
		case ROLE_NUM_EXCL: c->num -= o->value; break;
		case ROLE_DEN: c->den += o->value; break;
		case ROLE_DEN_EXCL: c->den -= o->value; break;
		default:
			c->sum += o->value;
			if (o->end >= c->latest_end) {
				c->latest = o->value;
				c->latest_end = o->end;
			}
		}
	}
}

/* Children into parents, deepest first (units are in preorder). */
static void roll_up(evaluation *ev)
{
	const up_facts *f = ev->f;
	for (size_t u = f->nunits; u-- > 0;) {
		int p = f->units[u].parent_ix;
		if (p < 0 || !ev->in_scope[u])
			continue;
		for (size_t t = 0; t < ev->nperiods; t++) {
			cell *c = &ev->cells[u * ev->nperiods + t];
			cell *pc = &ev->cells[(size_t)p * ev->nperiods + t];
			pc->num += c->num;
			pc->den += c->den;
			pc->sum += c->sum;
			pc->count += c->count;
			pc->latest += c->latest; /* a level: units add up */
		}
	}
}

/* The metric's value for a cell, or NaN when it has no data. */
static double cell_value(const up_metric_def *m, const cell *c)
{
	if (c->count == 0)
		return NAN;
	switch (m->kind) {
	case UP_MK_RATIO: return c->den > 0 ? c->num / c->den : NAN;
	case UP_MK_COUNT: return (double)c->count;
	case UP_MK_SUM: return c->sum;
	case UP_MK_MEAN: return c->sum / (double)c->count;
	default: return c->latest;
	}
}

static double target_for(const up_metric_def *m, const char *unit)
{
	for (size_t i = 0; unit && i < m->nunit_targets; i++)
		if (!strcmp(m->unit_targets[i].unit, unit))
			return m->unit_targets[i].target;
	return m->target;
}

static json_t *num_or_null(double x)
{
	return isfinite(x) ? json_real(round(x * 1e9) / 1e9) : json_null();
}

/* One signal's name and span, when it is on. */
typedef struct {
	const char *name;
	size_t from, to;
} signal_span;

/* The signals that are on, in the order the "signals" list gives them;
 * returns how many (at most four). */
static size_t signals_on(const up_signals *s, size_t n, signal_span out[4])
{
	size_t k = 0;
	if (s->shift)
		out[k++] = (signal_span){s->shift_up ? "shift_up" : "shift_down",
					 s->shift_from, s->shift_to};
	if (s->trend)
		out[k++] = (signal_span){s->trend_up ? "trend_up" : "trend_down",
					 s->trend_from, s->trend_to};
	if (s->anhoej_runs)
		out[k++] = (signal_span){"long_run", s->run_from, s->run_to};
	if (s->anhoej_crossings)
		out[k++] = (signal_span){"few_crossings", 0, n ? n - 1 : 0};
	return k;
}

static json_t *signal_names(const up_signals *s, size_t n)
{
	signal_span on[4];
	size_t k = signals_on(s, n, on);
	json_t *a = json_array();
	for (size_t i = 0; i < k; i++)
		json_array_append_new(a, json_string(on[i].name));
	return a;
}

/* Each signal with the periods it spans (labels as the history gives
 * them) and whether it reaches the latest point: AT maps the N points of
 * the series to the evaluation's periods. */
static json_t *signal_periods(const evaluation *ev, const up_signals *s,
			      const size_t *at, size_t n)
{
	signal_span on[4];
	size_t k = signals_on(s, n, on);
	json_t *a = json_array();
	for (size_t i = 0; i < k; i++) {
		char from[11], to[11];
		up_period_format(&ev->periods[at[on[i].from]], from);
		up_period_format(&ev->periods[at[on[i].to]], to);
		json_array_append_new(a, UP_JSON(json_pack("{s:s, s:s, s:s, s:b}",
			"signal", on[i].name, "from", from, "to", to,
			"current", on[i].to + 1 == n)));
	}
	return a;
}

/* Judges one series of cells (a unit's, or the program's sum). */
static json_t *judge(const evaluation *ev, const cell *row, const char *unit,
		     int history)
{
	const up_metric_def *m = ev->m;
	size_t n = ev->nperiods, k = 0;
	double *vals = up_xcalloc(n + 1, sizeof *vals);
	int32_t *days = up_xcalloc(n + 1, sizeof *days);
	size_t *at = up_xcalloc(n + 1, sizeof *at);
	json_t *hist = json_array();
	for (size_t t = 0; t < n; t++) {
		double v = cell_value(m, &row[t]);
		if (isnan(v))
			continue;
		vals[k] = v;
		days[k] = ev->periods[t].end;
		at[k++] = t;
		if (history) {
			char label[11];
			up_period_format(&ev->periods[t], label);
			json_array_append_new(hist, UP_JSON(json_pack("{s:s, s:o}",
				"period", label, "value", num_or_null(v))));
		}
	}
	/* The latest period with data, and how many complete periods have
	 * ended since: the export's lag, stale or not. */
	char latest[11] = "";
	size_t behind = k ? n - 1 - at[k - 1] : 0;
	if (k)
		up_period_format(&ev->periods[at[k - 1]], latest);
	/* Data that stopped coming is no data, not a frozen last value. */
	if (k && at[k - 1] + STALE_PERIODS < n)
		k = 0;
	double target = target_for(m, unit);
	up_judge_in in = {vals, days, k, m->baseline, target, m->increase,
			  m->tolerance, 0, m->deadline,
			  n ? ev->periods[n - 1].end : ev->f->as_of, RECENT, 0};
	if (m->baseline_auto && k) {
		in.baseline = vals[0];
		in.t0 = days[0];
		/* the first points measure the baseline; nothing to judge yet */
		in.baseline_points = m->baseline_points;
	} else {
		in.t0 = n ? ev->periods[0].start : ev->f->as_of;
	}
	if (m->per_period && n) { /* the same target every period */
		up_period next;
		up_period_next(&ev->periods[n - 1], &next);
		in.baseline_points = 0;
		in.baseline = target;
		in.t0 = ev->periods[0].start;
		in.deadline = next.end;
	}
	up_judge_out out;
	up_metric_judge(&in, &out);
	up_signals sig;
	up_run_chart(vals, k, &sig);
	char label[11] = "";
	const cell *last = k ? &row[at[k - 1]] : NULL;
	if (k)
		up_period_format(&ev->periods[at[k - 1]], label);
	int ratio = m->kind == UP_MK_RATIO;
	json_t *j = UP_JSON(json_pack("{s:s, s:s?, s:o, s:o, s:o, s:o, s:o, s:s, s:o, "
			      "s:o, s:I, s:s?, s:o}",
		"metric", m->id, "period", k ? label : NULL,
		"value", num_or_null(k ? out.value : NAN),
		"numerator", num_or_null(ratio && last ? last->num : NAN),
		"denominator", num_or_null(ratio && last ? last->den : NAN),
		"target", num_or_null(target),
		"expected", num_or_null(k ? out.expected : NAN),
		"status", up_metric_status_name(out.status),
		"signals", signal_names(&sig, k),
		"signal_periods", signal_periods(ev, &sig, at, k),
		"points", (json_int_t)k, "latest_period", *latest ? latest : NULL,
		"periods_behind", *latest ? json_integer((json_int_t)behind)
					  : json_null()));
	static const char *const kinds[] = {"ratio", "count", "sum", "mean",
					    "latest"};
	json_object_set_new(j, "kind", json_string(kinds[m->kind]));
	if (history)
		json_object_set_new(j, "history", hist);
	else
		json_decref(hist);
	free(vals);
	free(days);
	free(at);
	return j;
}

/* The program's own series: the sum of the topmost units in scope. */
static json_t *judge_program(const evaluation *ev)
{
	const up_facts *f = ev->f;
	size_t n = ev->nperiods;
	cell *total = up_xcalloc(n + 1, sizeof *total);
	for (size_t u = 0; u < f->nunits; u++) {
		int p = f->units[u].parent_ix;
		if (!ev->in_scope[u] || (p >= 0 && ev->in_scope[p]))
			continue;
		for (size_t t = 0; t < n; t++) {
			const cell *c = &ev->cells[u * n + t];
			total[t].num += c->num;
			total[t].den += c->den;
			total[t].sum += c->sum;
			total[t].count += c->count;
			total[t].latest += c->latest;
		}
	}
	json_t *j = judge(ev, total, NULL, 1);
	free(total);
	return j;
}

static void evaluation_free(evaluation *ev)
{
	free(ev->periods);
	free(ev->cells);
	free(ev->in_scope);
	free(ev->role);
}

static void evaluate_metric(const up_program *p, up_facts *f,
			    const up_metric_def *m, json_t *program_level)
{
	evaluation ev = {.m = m, .f = f};
	int32_t start;
	up_date_parse(p->start, &start, NULL);
	make_periods(&ev, start);
	ev.cells = up_xcalloc(f->nunits * ev.nperiods + 1, sizeof *ev.cells);
	ev.in_scope = up_xcalloc(f->nunits + 1, 1);
	ev.role = up_xcalloc(f->nseries + 1, sizeof *ev.role);
	for (size_t s = 0; s < f->nseries; s++)
		ev.role[s] = series_role(m, f->series[s]);
	mark_scope(&ev);
	add_observations(&ev);
	roll_up(&ev);
	for (size_t u = 0; u < f->nunits; u++)
		if (ev.in_scope[u])
			json_object_set_new(f->unit_metrics[u], m->id,
				judge(&ev, &ev.cells[u * ev.nperiods],
				      f->units[u].id, 0));
	json_array_append_new(program_level, judge_program(&ev));
	evaluation_free(&ev);
}

json_t *up_metrics_eval(const up_program *p, up_facts *f)
{
	f->unit_metrics = up_xcalloc(f->nunits + 1, sizeof *f->unit_metrics);
	for (size_t u = 0; u < f->nunits; u++)
		f->unit_metrics[u] = json_object();
	json_t *all = json_array();
	for (size_t i = 0; i < p->nmetrics; i++)
		evaluate_metric(p, f, &p->metrics[i], all);
	return all;
}

json_t *up_metrics_of_unit(const up_facts *f, int ui)
{
	json_t *a = json_array();
	if (!f->unit_metrics)
		return a;
	const char *k;
	json_t *v;
	json_object_foreach(f->unit_metrics[ui], k, v)
		json_array_append(a, v);
	return a;
}

/* ---- do the unit targets add up to the organisation's? ---- */

/* Leaves of the scope: units in scope with no child in scope. */
static int is_leaf(const evaluation *ev, size_t u)
{
	const up_facts *f = ev->f;
	for (size_t c = u + 1; c < f->nunits && f->units[c].pre <=
	     f->units[u].post; c++)
		if (ev->in_scope[c])
			return 0;
	return 1;
}

static void check_metric_targets(const up_program *p, const up_facts *f,
				 const up_metric_def *m, up_error *warn)
{
	evaluation ev = {.m = m, .f = f};
	int32_t start;
	up_date_parse(p->start, &start, NULL);
	make_periods(&ev, start);
	ev.cells = up_xcalloc(f->nunits * ev.nperiods + 1, sizeof *ev.cells);
	ev.in_scope = up_xcalloc(f->nunits + 1, 1);
	ev.role = up_xcalloc(f->nseries + 1, sizeof *ev.role);
	for (size_t s = 0; s < f->nseries; s++)
		ev.role[s] = series_role(m, f->series[s]);
	mark_scope(&ev);
	add_observations(&ev);
	/* Weights: each leaf's denominator (or value) over the last three
	 * periods with data, the best guess at its share of what is to come;
	 * the latest periods may simply not be exported yet. */
	size_t last = 0;
	for (size_t u = 0; u < f->nunits; u++)
		for (size_t t = 0; ev.in_scope[u] && t < ev.nperiods; t++)
			if (ev.cells[u * ev.nperiods + t].count && t + 1 > last)
				last = t + 1;
	size_t from = last > 3 ? last - 3 : 0;
	double wsum = 0, tsum = 0, plain = 0;
	size_t leaves = 0;
	for (size_t u = 0; u < f->nunits; u++) {
		if (!ev.in_scope[u] || !is_leaf(&ev, u))
			continue;
		double w = 0;
		for (size_t t = from; t < last; t++) {
			const cell *c = &ev.cells[u * ev.nperiods + t];
			w += m->kind == UP_MK_RATIO ? c->den : 1;
		}
		double target = target_for(m, f->units[u].id);
		wsum += w;
		tsum += w * target;
		plain += target;
		leaves++;
	}
	int ratio_like = m->kind == UP_MK_RATIO || m->kind == UP_MK_MEAN;
	double reach = ratio_like ? (wsum > 0 ? tsum / wsum : NAN) : plain;
	int short_of = m->increase ? reach < m->target - 1e-9
				   : reach > m->target + 1e-9;
	if (leaves && isfinite(reach) && short_of && m->nunit_targets)
		up_warn_at(warn, p->file, m->line, m->col, "metric '%s': the "
			   "unit targets%s reach %.4g, %s the organisation's "
			   "target %.4g", m->id, ratio_like
			   ? " weighted by each unit's recent denominator"
			   : " added up", reach, m->increase ? "below"
							     : "above",
			   m->target);
	evaluation_free(&ev);
}

void up_metrics_check_targets(const up_program *p, const up_facts *f,
			      up_error *warn)
{
	for (size_t i = 0; i < p->nmetrics; i++)
		check_metric_targets(p, f, &p->metrics[i], warn);
}

/* ---- metrics computed by rules (metric{}) ---- */

json_t *up_metric_point(const up_program *p, const up_facts *f,
			const up_decl *d, double value, double num, double den)
{
	int32_t start = f->as_of, deadline = f->as_of;
	up_date_parse(p->start, &start, NULL);
	if (d->deadline)
		up_deadline_parse(d->deadline, start, &deadline, NULL);
	int has = isfinite(value);
	up_judge_in in = {&value, &f->as_of, has ? 1 : 0,
			  d->has_baseline ? d->baseline : d->target, d->target,
			  d->increase, d->tolerance, start, deadline, f->as_of,
			  RECENT, 0};
	up_judge_out out;
	up_metric_judge(&in, &out);
	return UP_JSON(json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, "
				 "s:[], s:[], s:I, s:s?, s:o, s:s}",
		"metric", d->id, "period", f->as_of_s,
		"value", num_or_null(has ? value : NAN),
		"numerator", num_or_null(num), "denominator", num_or_null(den),
		"target", num_or_null(d->target),
		"expected", num_or_null(has ? out.expected : NAN),
		"status", up_metric_status_name(out.status), "signals",
		"signal_periods", "points", (json_int_t)(has ? 1 : 0),
		"latest_period", has ? f->as_of_s : NULL,
		"periods_behind", has ? json_integer(0) : json_null(),
		"kind", "computed"));
}
