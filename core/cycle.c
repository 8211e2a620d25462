/*
 * cycle.c: one evaluation cycle.  Everything it writes goes
 * in one IMMEDIATE transaction taken before the facts are read, so a cycle
 * sees one consistent store and two cycles never interleave.
 */
#define _GNU_SOURCE /* sched_getaffinity: the cores this process may use */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"
#include "pack.h"

#define JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(12))

static double round4(double x)
{
	return round(x * 10000.0) / 10000.0;
}

/* The criterion status a rule's result shows as. */
static const char *criterion_status(const up_result *r, int must,
				    double threshold)
{
	switch (r->status) {
	case UP_RES_PASS:
	case UP_RES_WARN: return "pass";
	case UP_RES_FAIL: return "fail";
	case UP_RES_SKIP: return "skip";
	case UP_RES_WAIVED: return "waived";
	case UP_RES_SCORE:
		if (must)
			return "error";
		return r->score / 10.0 >= threshold - 1e-9 ? "pass" : "fail";
	default: return "error";
	}
}

/* score() means nothing for a must-meet criterion or a check; say so. */
static void reject_score(up_result *r, const up_decl *d)
{
	if (r->status != UP_RES_SCORE)
		return;
	free(r->message);
	r->message = up_xasprintf("%s:%d: rule '%s': score() is only for "
				  "should-meet gate criteria (must = false)",
				  d->file, d->line, d->id);
	r->status = UP_RES_ERROR;
}

static json_t *source_of(const up_decl *d)
{
	return json_sprintf("%s:%d", d->file, d->line);
}

/* Where R was decided: the line of the return or error, else the
 * declaration's. */
static json_t *decided_at(const up_decl *d, const up_result *r)
{
	return r->at ? json_string(r->at) : source_of(d);
}

static void add_error(json_t *errors, const up_decl *d, const char *unit,
		      const char *message)
{
	json_array_append_new(errors, UP_JSON(json_pack("{s:s, s:s?, s:s}",
		"rule", d ? d->id : "", "unit", unit, "message", message)));
}

/* A new reference: the rule's evidence, or an empty object. */
static json_t *evidence_of(const up_result *r)
{
	return r->evidence ? json_incref(r->evidence) : json_object();
}

static json_t *criterion_json(const up_decl *d, const up_result *r,
			      double threshold)
{
	json_t *c = UP_JSON(json_pack("{s:s, s:s, s:b, s:f, s:s}", "rule", d->id,
			      "title", d->title, "must", d->must, "weight",
			      d->weight, "status",
			      criterion_status(r, d->must, threshold)));
	if (!d->must)
		json_object_set_new(c, "score", r->status == UP_RES_SCORE
			? json_real(r->score) : json_null());
	if (r->status == UP_RES_WARN)
		json_object_set_new(c, "warning", json_true());
	json_object_set_new(c, "message", json_string(r->message));
	json_object_set_new(c, "evidence", evidence_of(r));
	json_object_set_new(c, "source", decided_at(d, r));
	return c;
}

/* A criterion a person waived: shown as waived, with who, why and until
 * when, and what the rule itself said ("judged"). */
static void waive(json_t *c, const json_t *w)
{
	json_object_set(c, "judged", json_object_get(c, "status"));
	json_object_set_new(c, "status", json_string("waived"));
	json_object_set_new(c, "waiver", UP_JSON(json_pack("{s:O, s:O, s:O}",
		"by", json_object_get(w, "by"), "reason",
		json_object_get(w, "reason"), "until",
		json_object_get(w, "until"))));
}

/* One sentence on why the gate decided as it did: what could not be
 * judged first, then the must-meet criteria that failed. */
static json_t *reason(const up_decision *dec, const up_criterion *cr,
		      const up_decl **ds, const up_result *rs, size_t n,
		      double threshold)
{
	up_buf b = {0};
	const char *sep = "";
	for (size_t i = 0; i < n; i++) {
		if (cr[i].status != UP_RES_ERROR &&
		    !(cr[i].must && cr[i].status == UP_RES_SCORE))
			continue;
		up_buf_printf(&b, "%scannot judge %s: %s", sep, ds[i]->id,
			      rs[i].message ? rs[i].message : "an error");
		sep = "; ";
	}
	int unjudged = b.len > 0;
	for (size_t i = 0; i < n && !unjudged; i++) {
		if (!cr[i].must || cr[i].status != UP_RES_FAIL)
			continue;
		up_buf_printf(&b, "%smust-meet '%s' failed", sep, ds[i]->id);
		sep = "; ";
	}
	if (!dec->decision)
		up_buf_puts(&b, n ? "no decision: every criterion skipped"
				  : "no decision: no criterion covers this "
				    "gate");
	else if (!b.len && dec->has_score)
		up_buf_printf(&b, "should-meet score %.2f %s threshold %.2f",
			      dec->score, dec->score >= threshold - 1e-9
				      ? "meets" : "is below", threshold);
	else if (!b.len)
		up_buf_puts(&b, "every must-meet criterion passed");
	for (size_t i = 0, w = 0; i < n; i++)
		if (cr[i].status == UP_RES_WAIVED)
			up_buf_printf(&b, "%s'%s'", w++ ? ", " : "; waived: ",
				      ds[i]->id);
	json_t *j = json_string(b.buf);
	up_buf_free(&b);
	return j;
}

static json_t *eval_gate(up_host *h, const up_program *p, const up_facts *f,
			 int ui, const char *boundary, json_t *errors)
{
	const up_gate_cfg *cfg = up_gate_config(p, boundary);
	double threshold = cfg ? cfg->threshold : UP_DEFAULT_THRESHOLD;
	double margin = cfg ? cfg->margin : UP_DEFAULT_MARGIN;
	size_t n = up_host_ndecls(h), k = 0;
	up_criterion *cr = up_xcalloc(n + 1, sizeof *cr);
	const up_decl **ds = up_xcalloc(n + 1, sizeof *ds);
	up_result *rs = up_xcalloc(n + 1, sizeof *rs);
	json_t *criteria = json_array();
	for (size_t i = 0; i < n; i++) {
		const up_decl *d = up_host_decl(h, i);
		if (d->kind != UP_DECL_GATE || strcmp(d->at, boundary))
			continue;
		up_result *r = &rs[k];
		up_host_eval(h, d, f, ui, r);
		if (d->must)
			reject_score(r, d);
		if (r->status == UP_RES_ERROR)
			add_error(errors, d, f->units[ui].id, r->message);
		json_t *cj = criterion_json(d, r, threshold);
		const json_t *w = up_ledger_waiver(f->ledger, ui, d->id);
		if (w)
			waive(cj, w);
		json_array_append_new(criteria, cj);
		cr[k] = (up_criterion){d->must, d->weight, d->on_fail,
				       w ? UP_RES_WAIVED : r->status, r->score};
		ds[k++] = d;
	}
	up_decision dec;
	up_gate_decide(cr, k, threshold, margin, &dec);
	json_t *g = UP_JSON(json_pack("{s:s, s:o, s:o, s:f, s:o, s:o}", "gate",
		boundary, "decision", dec.decision ? json_string(dec.decision)
		: json_null(), "score", dec.has_score
		? json_real(round4(dec.score)) : json_null(), "threshold",
		threshold, "reason", reason(&dec, cr, ds, rs, k, threshold),
		"criteria", criteria));
	for (size_t i = 0; i < k; i++)
		up_result_free(&rs[i]);
	free(rs);
	free(cr);
	free(ds);
	return g;
}

static int applies(const up_decl *d, const char *stage)
{
	if (!d->stages)
		return 1;
	for (size_t i = 0; i < d->nstages; i++)
		if (!strcmp(d->stages[i], stage))
			return 1;
	return 0;
}

static json_t *eval_checks(up_host *h, const up_facts *f, int ui,
			   json_t *errors)
{
	json_t *findings = json_array();
	const up_unit *u = &f->units[ui];
	for (size_t i = 0; i < up_host_ndecls(h); i++) {
		const up_decl *d = up_host_decl(h, i);
		if (d->kind != UP_DECL_CHECK || !applies(d, u->stage))
			continue;
		up_result r;
		up_host_eval(h, d, f, ui, &r);
		reject_score(&r, d);
		static const char *const names[] = {"pass", "fail", "warn",
						    "score", "skip", "error"};
		if (r.status == UP_RES_ERROR)
			add_error(errors, d, u->id, r.message);
		if (r.status == UP_RES_FAIL || r.status == UP_RES_WARN ||
		    r.status == UP_RES_ERROR)
			json_array_append_new(findings, UP_JSON(json_pack(
				"{s:s, s:s, s:s, s:s, s:s, s:o, s:o}",
				"rule", d->id, "title", d->title, "status",
				names[r.status], "severity", d->severity,
				"message", r.message, "evidence",
				evidence_of(&r),
				"source", decided_at(d, &r))));
		up_result_free(&r);
	}
	return findings;
}

static json_t *eval_unit(up_host *h, const up_program *p, const up_facts *f,
			 int ui, json_t *errors)
{
	const up_unit *u = &f->units[ui];
	json_t *gates = json_array();
	int si = up_stage_index(p, u->stage);
	if (si >= 0 && (size_t)si + 1 < p->nstages) {
		char boundary[300];
		snprintf(boundary, sizeof boundary, "%s->%s", u->stage,
			 p->stages[si + 1]);
		json_array_append_new(gates, eval_gate(h, p, f, ui, boundary,
						       errors));
	}
	json_t *j = UP_JSON(json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "id",
			 u->id, "name", u->name, "stage", u->stage, "gates",
			 gates, "findings", eval_checks(h, f, ui, errors),
			 "metrics", up_metrics_of_unit(f, ui)));
	const json_t *ov = up_ledger_override(f->ledger, ui);
	if (ov) /* its stage was forced past a gate: say so wherever shown */
		json_object_set(j, "override", (json_t *)ov);
	return j;
}

static json_t *files_json(const up_program *p)
{
	json_t *a = json_array();
	json_array_append_new(a, UP_JSON(json_pack("{s:s, s:s}", "path", p->file,
					   "sha256", p->hash)));
	for (size_t i = 0; i < p->nrules; i++)
		json_array_append_new(a, UP_JSON(json_pack("{s:s, s:s}", "path",
			p->rules[i].path, "sha256", p->rules[i].hash)));
	return a;
}

/* Each pack as it ran: name, version and content hash, for audits and
 * for replaying the cycle with the same rules. */
static json_t *packs_json(const up_program *p)
{
	json_t *a = json_array();
	for (size_t i = 0; i < p->npacks; i++)
		json_array_append_new(a, UP_JSON(json_pack("{s:s, s:s, s:s}",
			"name", p->packs[i].pack->name, "version",
			p->packs[i].pack->version_s, "sha256",
			p->packs[i].digest.sha256)));
	return a;
}

static const char *const decl_kinds[] = {"gate", "check", "metric"};

/* What every rule says of itself, once per cycle rather than once per
 * unit: explanations and reports look it up by rule id. */
static json_t *rules_json(const up_host *h)
{
	json_t *a = json_array();
	for (size_t i = 0; i < up_host_ndecls(h); i++) {
		const up_decl *d = up_host_decl(h, i);
		json_t *r = UP_JSON(json_pack(
			"{s:s, s:s, s:s, s:o, s:s?, s:s?, s:s?, s:s?}",
			"rule", d->id, "kind", decl_kinds[d->kind], "title",
			d->title, "location", source_of(d), "rationale",
			d->rationale, "source", d->cite, "remediation",
			d->remediation, "owner", d->owner));
		if (d->kind == UP_DECL_GATE)
			json_object_set_new(r, "at", json_string(d->at));
		if (d->kind == UP_DECL_CHECK) {
			json_t *st = d->stages ? json_array() : json_null();
			for (size_t k = 0; k < d->nstages; k++)
				json_array_append_new(st, json_string(
					d->stages[k]));
			json_object_set_new(r, "stages", st);
		}
		json_array_append_new(a, r);
	}
	return a;
}

/* metric{} D of units LO to HI (not included), their points appended to
 * POINTS in order: set aside, not yet the units'. */
static void metric_points(up_host *h, const up_program *p, const up_facts *f,
			  const up_decl *d, size_t lo, size_t hi,
			  json_t *points, json_t *errors)
{
	for (size_t u = lo; u < hi; u++) {
		double v, num, den;
		char *why = NULL;
		if (up_host_compute(h, d, f, (int)u, &v, &num, &den, &why)) {
			add_error(errors, d, f->units[u].id, why);
			free(why);
		}
		json_array_append_new(points, up_metric_point(p, f, d, v, num,
							      den));
	}
}

/* D's points, all units', become theirs; the roots' are the program's. */
static void publish(const up_decl *d, up_facts *f, const json_t *points,
		    json_t *program_level)
{
	for (size_t u = 0; u < f->nunits; u++) {
		json_t *j = json_array_get(points, u);
		if (f->units[u].parent_ix < 0)
			json_array_append(program_level, j);
		json_object_set(f->unit_metrics[u], d->id, j);
	}
}

static void computed_metrics(up_host *h, const up_program *p, up_facts *f,
			     json_t *program_level, json_t *errors);

/* What running one follow-up found, as of its own due day. */
static json_t *run_followup(up_host *h, const up_program *p, up_facts *fd,
			    const json_t *fu)
{
	const char *rule = json_string_value(json_object_get(fu, "rule"));
	const char *unit = json_string_value(json_object_get(fu, "unit"));
	json_t *out = UP_JSON(json_pack("{s:O, s:s, s:O, s:O}", "id",
		json_object_get(fu, "id"), "due", fd->as_of_s, "rule",
		json_object_get(fu, "rule"), "unit", json_object_get(fu,
		"unit")));
	int ui = unit ? up_facts_unit(fd, unit) : -1;
	const up_decl *d = rule ? up_host_find(h, rule) : NULL;
	if (ui < 0 || (rule && !d) || (d && d->kind == UP_DECL_METRIC)) {
		json_object_set_new(out, "status", json_string("skip"));
		json_object_set_new(out, "message", json_string(ui < 0
			? "the unit is gone" : "the rule is gone"));
		return out;
	}
	if (d) {
		static const char *const names[] = {"pass", "fail", "warn",
						    "score", "skip", "error"};
		up_result r;
		up_host_eval(h, d, fd, ui, &r);
		json_object_set_new(out, "status", json_string(names[r.status]));
		json_object_set_new(out, "message", json_string(r.message));
		up_result_free(&r);
		return out;
	}
	/* the cadence: the unit's whole gate and checks */
	json_t *errors = json_array();
	json_t *u = eval_unit(h, p, fd, ui, errors);
	json_t *g = json_array_get(json_object_get(u, "gates"), 0);
	json_object_set(out, "decision", g ? json_object_get(g, "decision")
					   : json_null());
	json_object_set_new(out, "findings", json_integer((json_int_t)
		json_array_size(json_object_get(u, "findings"))));
	json_object_set_new(out, "errors", json_integer((json_int_t)
		json_array_size(errors)));
	json_decref(u);
	json_decref(errors);
	return out;
}

/*
 * Runs every follow-up due up to the cycle's date, oldest day first, each
 * as of its own day and exactly once; one run may ask for the next.
 */
static int catch_up(up_store *s, up_host *h, const up_program *p,
		    const up_facts *f, long long number, json_t *ran,
		    up_error *err)
{
	int32_t day;
	int rc, found;
	while ((found = up_schedule_next_due(s, f->as_of, &day, err)) == 1) {
		up_facts fd;
		if ((rc = up_facts_load(&fd, s, day, err)) != UP_OK)
			return rc;
		/* the day's metrics, computed ones too, as the rules of a
		 * daily cycle would have seen them */
		json_t *dm = up_metrics_eval(p, &fd), *derr = json_array();
		computed_metrics(h, p, &fd, dm, derr);
		json_decref(dm);
		json_decref(derr);
		json_t *list = up_schedule_due_on(s, day, err);
		rc = list ? UP_OK : UP_EINTERNAL;
		size_t i;
		json_t *fu;
		json_array_foreach(list, i, fu) {
			json_t *res = run_followup(h, p, &fd, fu);
			if (rc == UP_OK)
				rc = up_schedule_mark_ran(s, json_string_value(
					json_object_get(fu, "id")), number, res,
					err);
			json_array_append_new(ran, res);
		}
		json_decref(list);
		if (rc == UP_OK)
			rc = up_schedule_requests(s, h, &fd, number, err);
		up_facts_free(&fd);
		if (rc != UP_OK)
			return rc;
	}
	return found < 0 ? found : UP_OK;
}

/* The reminders to act on as of the date: due, overdue, escalated or
 * lapsed, as `uptake due` would show them (snoozed and done ones are
 * not). */
static json_t *actionable(up_store *s, const up_program *p, int32_t day,
			  up_error *err)
{
	json_t *all = up_due_list(s, p->cadence.grace_days, day, NULL, NULL,
				  err);
	if (!all)
		return NULL;
	json_t *out = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(all, i, r) {
		const char *st = json_string_value(json_object_get(r, "state"));
		if (!strcmp(st, "due") || !strcmp(st, "overdue") ||
		    !strcmp(st, "escalated") || !strcmp(st, "lapsed"))
			json_array_append(out, r);
	}
	json_decref(all);
	return out;
}

/*
 * A cycle dated before one already run replays the past: it judges as of
 * that day, but the schedule (follow-ups run, reminders raised) belongs to
 * the present and is left as it is.
 */
static int is_replay(up_store *s, const up_facts *f, long long number,
		     int *replay, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT max(as_of) > ?1 FROM"
			       " cycles WHERE id < ?2", -1, &st, NULL))
		return up_store_fail(s, "reading cycles", err);
	sqlite3_bind_text(st, 1, f->as_of_s, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, number);
	*replay = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	return sqlite3_finalize(st) == SQLITE_OK
		? UP_OK : up_store_fail(s, "reading cycles", err);
}

/* What the rules say of every unit, from the facts alone: judging reads
 * no store, so a cycle judges without holding the write lock. */
typedef struct {
	up_host *h;
	json_t *metrics, *units, *errors;
	up_requests asked; /* the units' ctx:follow_up and ctx:remind */
} judgement;

static void judgement_free(judgement *j)
{
	if (j->h)
		up_host_unstash_requests(j->h, &j->asked);
	up_host_close(j->h);
	json_decref(j->metrics);
	json_decref(j->units);
	json_decref(j->errors);
	memset(j, 0, sizeof *j);
}

/* Units LO to HI (not included) judged by H, in order. */
static void judge_units(up_host *h, const up_program *p, const up_facts *f,
			size_t lo, size_t hi, json_t *units, json_t *errors)
{
	for (size_t i = lo; i < hi; i++)
		json_array_append_new(units, eval_unit(h, p, f, (int)i,
						       errors));
}

/* The second half of the units, judged by sandboxes of its own: opened,
 * used and closed by one thread, as the deadline's timer needs.  Its
 * metric points, errors and units wait here for the first half's. */
typedef struct {
	const up_host *first; /* whose declarations the requests name */
	const up_program *p;
	const up_facts *f;
	size_t lo, hi;
	up_host *h; /* while open */
	int opened; /* its host opened: it judges its half */
	json_t *points, *metric_errors, *units, *errors;
	up_requests asked;
	pthread_barrier_t *step; /* with the first half, between metrics */
} half;

static void half_open(half *w)
{
	up_error *err = up_error_new();
	if (up_host_open(&w->h, w->p, err) != UP_OK) {
		up_host_close(w->h);
		w->h = NULL;
	}
	w->opened = w->h != NULL;
	up_error_free(err);
}

static void half_metric(half *w, size_t i)
{
	if (w->h)
		metric_points(w->h, w->p, w->f, up_host_decl(w->h, i), w->lo,
			      w->hi, w->points, w->metric_errors);
}

static void half_units(half *w)
{
	if (!w->h)
		return;
	judge_units(w->h, w->p, w->f, w->lo, w->hi, w->units, w->errors);
	up_host_take_requests(w->h, w->first, &w->asked);
	up_host_close(w->h);
	w->h = NULL;
}

static int is_metric(const up_host *h, size_t i)
{
	return up_host_decl(h, i)->kind == UP_DECL_METRIC;
}

/* Each metric{}: its half, then wait while the first half publishes. */
static void *half_thread(void *arg)
{
	half *w = arg;
	half_open(w);
	for (size_t i = 0; i < up_host_ndecls(w->first); i++) {
		if (!is_metric(w->first, i))
			continue;
		half_metric(w, i);
		pthread_barrier_wait(w->step); /* both halves computed */
		pthread_barrier_wait(w->step); /* the points published */
	}
	half_units(w);
	return NULL;
}

/* Each metric{} of H for every unit, published before the next one
 * starts: units to MID by H, the rest by W's host (in its thread when
 * STEP is set, else here) or by H when W has none. */
static void judge_metrics(up_host *h, const up_program *p, up_facts *f,
			  size_t mid, half *w, pthread_barrier_t *step,
			  json_t *program_level, json_t *errors)
{
	json_t *points = json_array();
	for (size_t i = 0; i < up_host_ndecls(h); i++) {
		if (!is_metric(h, i))
			continue;
		const up_decl *d = up_host_decl(h, i);
		metric_points(h, p, f, d, 0, mid, points, errors);
		if (step)
			pthread_barrier_wait(step);
		else
			half_metric(w, i);
		if (!w->opened)
			metric_points(h, p, f, d, mid, f->nunits, w->points,
				      w->metric_errors);
		json_array_extend(points, w->points);
		json_array_extend(errors, w->metric_errors);
		json_array_clear(w->points);
		json_array_clear(w->metric_errors);
		publish(d, f, points, program_level);
		json_array_clear(points);
		if (step)
			pthread_barrier_wait(step);
	}
	json_decref(points);
}

/* metric{} rules for every unit, by H alone (a follow-up's day). */
static void computed_metrics(up_host *h, const up_program *p, up_facts *f,
			     json_t *program_level, json_t *errors)
{
	half none = {.points = json_array(), .metric_errors = json_array()};
	judge_metrics(h, p, f, f->nunits, &none, NULL, program_level, errors);
	json_decref(none.points);
	json_decref(none.metric_errors);
}

/* Whether this process may run on more than one core (taskset and
 * cgroups may allow fewer than the machine has). */
static int several_cores(void)
{
	cpu_set_t set;
	return sched_getaffinity(0, sizeof set, &set) == 0 &&
	       CPU_COUNT(&set) > 1;
}

/* Starts W's thread, or says it will run in this one. */
static int start_half(half *w, pthread_t *t, pthread_barrier_t *step)
{
	/* pack tests note coverage and globals in the program */
	if (w->lo == 0 || w->p->coverage || w->p->globals_written ||
	    !several_cores() || pthread_barrier_init(step, NULL, 2))
		return 0;
	w->step = step;
	if (pthread_create(t, NULL, half_thread, w) == 0)
		return 1;
	pthread_barrier_destroy(step);
	w->step = NULL;
	return 0;
}

/*
 * A cycle's units are judged in two halves, the second by sandboxes of
 * its own, in a thread of its own when the machine has a second core
 * and no pack test is watching; else after the first.  Either way each
 * sandbox sees the same calls in the same order, so the cycle is the
 * same, whatever the machine.  Each metric{} is computed for every unit
 * before any unit's value is published (the next metric{} and the gates
 * read them), and the halves' errors, units and requests follow one
 * another as one pass would have made them.
 */
static void judge_halves(up_host *h, const up_program *p, up_facts *f,
			 json_t *program_level, json_t *units,
			 json_t *errors)
{
	size_t mid = f->nunits / 2;
	half w = {.first = h, .p = p, .f = f, .lo = mid, .hi = f->nunits,
		  .points = json_array(), .metric_errors = json_array(),
		  .units = json_array(), .errors = json_array()};
	pthread_t t;
	pthread_barrier_t step;
	int threaded = start_half(&w, &t, &step);
	if (!threaded && mid > 0)
		half_open(&w);
	judge_metrics(h, p, f, mid, &w, threaded ? &step : NULL,
		      program_level, errors);
	judge_units(h, p, f, 0, mid, units, errors);
	if (threaded) {
		pthread_join(t, NULL);
		pthread_barrier_destroy(&step);
	} else {
		half_units(&w);
	}
	up_host_append_requests(h, &w.asked);
	if (!w.opened)
		judge_units(h, p, f, mid, f->nunits, units, errors);
	json_array_extend(units, w.units);
	json_array_extend(errors, w.errors);
	json_decref(w.points);
	json_decref(w.metric_errors);
	json_decref(w.units);
	json_decref(w.errors);
}

static int judge(const up_program *p, up_facts *f, judgement *j,
		 up_error *err)
{
	memset(j, 0, sizeof *j);
	up_error *lerr = up_error_new();
	/* A rule file that does not load stops the cycle as it stops check:
	 * a gate judged on a rule set that is not all there means nothing.
	 * Mistakes in program.yaml's pack choices say all there is to say. */
	if (up_host_open(&j->h, p, lerr) != UP_OK) {
		size_t flen = strlen(p->file);
		int only_yaml = up_host_bad_choices(j->h);
		for (size_t i = 0; i < up_error_count(lerr); i++) {
			const char *m = up_error_message(lerr, i);
			if (!only_yaml ||
			    (!strncmp(m, p->file, flen) && m[flen] == ':'))
				up_err_raw(err, UP_EINPUT, m);
		}
		up_error_free(lerr);
		up_host_close(j->h);
		j->h = NULL;
		return UP_EINPUT;
	}
	up_error_free(lerr);
	/* Metrics first: rules read them through ctx:metric. */
	j->metrics = up_metrics_eval(p, f);
	j->errors = json_array();
	j->units = json_array();
	judge_halves(j->h, p, f, j->metrics, j->units, j->errors);
	up_host_stash_requests(j->h, &j->asked);
	return UP_OK;
}

/* The schedule and the cycle's document from a judgement; with REPLAY set
 * (or for a date before one already run) the schedule and the ledger are
 * read, never written. */
static json_t *settle(up_store *s, const up_program *p, up_facts *f,
		      judgement *j, long long number, int replay,
		      up_error *err)
{
	up_host *h = j->h;
	json_t *ran = json_array();
	int rc = replay ? UP_OK : is_replay(s, f, number, &replay, err);
	if (rc == UP_OK && !replay)
		rc = up_schedule_cadence(s, p, f, number, err);
	if (rc == UP_OK && !replay)
		rc = up_schedule_waivers(s, number, err);
	if (rc == UP_OK && !replay)
		rc = catch_up(s, h, p, f, number, ran, err);
	up_host_unstash_requests(h, &j->asked);
	/* conditions of earlier conditional gos: strikes, and kill on the
	 * third; before the requests are cleared or stored */
	if (rc == UP_OK)
		rc = up_ledger_judge(s, h, p, f, j->units, number, replay, err);
	if (replay)
		up_host_clear_requests(h);
	if (rc == UP_OK && !replay)
		rc = up_schedule_requests(s, h, f, number, err);
	/* People who left have no plan (they are not in f->people); their
	 * open reminders close now, with the reason, before the plans are
	 * made, so the schedule's own clean-up finds them closed. */
	if (rc == UP_OK && !replay)
		rc = up_people_close_leavers(s, f, number, err);
	if (rc == UP_OK && !replay)
		rc = up_schedule_trainings(s, p, f, number, err);
	if (rc == UP_OK && !replay)
		rc = up_schedule_deliverables(s, f, number, err);
	json_t *reminders = rc == UP_OK ? actionable(s, p, f->as_of, err) : NULL;
	json_t *pending = rc == UP_OK ? up_schedule_pending(s, f->as_of, err)
				      : NULL;
	json_t *doc = UP_JSON(json_pack("{s:s, s:I, s:s, s:o, s:o, s:o, s:o, "
					"s:o, s:o, s:o, s:o}", "program", p->id,
		"cycle", (json_int_t)number, "as_of", f->as_of_s, "units",
		j->units, "metrics", j->metrics, "followups",
		pending ? pending : json_array(), "reminders",
		reminders ? reminders : json_array(), "errors", j->errors,
		"files", files_json(p), "packs", packs_json(p), "rules",
		rules_json(h)));
	j->units = j->metrics = j->errors = NULL; /* the document's now */
	json_decref(ran); /* results are stored with each follow-up */
	if (rc != UP_OK || !reminders || !pending) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static json_t *evaluate(up_store *s, const up_program *p, up_facts *f,
			long long number, int replay, up_error *err)
{
	judgement j;
	if (judge(p, f, &j, err) != UP_OK)
		return NULL;
	json_t *doc = settle(s, p, f, &j, number, replay, err);
	judgement_free(&j);
	return doc;
}

/* ---- storing ---- */

static int store_row(up_store *s, sqlite3_stmt *st, long long cycle,
		     const char *unit, const char *gate, const char *kind,
		     const json_t *c, up_error *err)
{
	static const char *const texts[] = {"rule", "status", "severity",
					    "message", "source"};
	static const int cols[] = {4, 7, 8, 10, 12};
	sqlite3_bind_int64(st, 1, cycle);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	if (gate)
		sqlite3_bind_text(st, 3, gate, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, kind, -1, SQLITE_STATIC);
	for (size_t i = 0; i < UP_COUNTOF(texts); i++) {
		const char *v = json_string_value(json_object_get(c, texts[i]));
		if (v)
			sqlite3_bind_text(st, cols[i], v, -1, SQLITE_STATIC);
	}
	json_t *must = json_object_get(c, "must");
	if (must)
		sqlite3_bind_int(st, 6, json_is_true(must));
	json_t *sc = json_object_get(c, "score");
	if (json_is_number(sc))
		sqlite3_bind_double(st, 9, json_number_value(sc));
	char *ev = json_dumps(json_object_get(c, "evidence"),
			      JSON_FLAGS | JSON_ENCODE_ANY);
	sqlite3_bind_text(st, 11, ev ? ev : "{}", -1, SQLITE_TRANSIENT);
	free(ev);
	int rc = sqlite3_step(st) == SQLITE_DONE
		? UP_OK : up_store_fail(s, "storing results", err);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static int store_results(up_store *s, long long cycle, const json_t *doc,
			 up_error *err)
{
	sqlite3 *db = up_store_db(s);
	sqlite3_stmt *res, *dec;
	if (sqlite3_prepare_v2(db, "INSERT INTO results(cycle, unit, gate,"
		" rule, kind, must, status, severity, score, message, evidence,"
		" source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
		" ?12)", -1, &res, NULL))
		return up_store_fail(s, "storing results", err);
	if (sqlite3_prepare_v2(db, "INSERT INTO decisions(cycle, unit, gate,"
		" decision, score) VALUES (?, ?, ?, ?, ?)", -1, &dec, NULL)) {
		sqlite3_finalize(res);
		return up_store_fail(s, "storing decisions", err);
	}
	int rc = UP_OK;
	size_t i, j, k;
	json_t *u, *g, *c;
	json_array_foreach(json_object_get(doc, "units"), i, u) {
		const char *uid = json_string_value(json_object_get(u, "id"));
		json_array_foreach(json_object_get(u, "gates"), j, g) {
			const char *gid =
				json_string_value(json_object_get(g, "gate"));
			const char *dv = json_string_value(json_object_get(g,
							   "decision"));
			sqlite3_bind_int64(dec, 1, cycle);
			sqlite3_bind_text(dec, 2, uid, -1, SQLITE_STATIC);
			sqlite3_bind_text(dec, 3, gid, -1, SQLITE_STATIC);
			sqlite3_bind_text(dec, 4, dv, -1, SQLITE_STATIC);
			json_t *sc = json_object_get(g, "score");
			if (json_is_number(sc))
				sqlite3_bind_double(dec, 5, json_number_value(sc));
			/* no decision, no row: a gate nothing judged */
			if (dv && rc == UP_OK && sqlite3_step(dec) != SQLITE_DONE)
				rc = up_store_fail(s, "storing decisions", err);
			sqlite3_reset(dec);
			sqlite3_clear_bindings(dec);
			json_array_foreach(json_object_get(g, "criteria"), k, c) {
				if (rc == UP_OK)
					rc = store_row(s, res, cycle, uid, gid,
						       "criterion", c, err);
			}
		}
		json_array_foreach(json_object_get(u, "findings"), k, c) {
			if (rc == UP_OK)
				rc = store_row(s, res, cycle, uid, NULL,
					       "finding", c, err);
		}
	}
	sqlite3_finalize(res);
	sqlite3_finalize(dec);
	return rc;
}

/* The cycle's row comes first, so what the cycle schedules can name it;
 * its document is filled in at the end of the same transaction. */
static int open_cycle(up_store *s, const up_program *p, const char *as_of,
		      long long number, long long known, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "INSERT INTO cycles(id, as_of,"
		" ran_at, program_hash, doc, known) VALUES (?, ?, strftime("
		"'%Y-%m-%dT%H:%M:%SZ', 'now'), ?, '{}', ?)", -1, &st, NULL))
		return up_store_fail(s, "storing the cycle", err);
	sqlite3_bind_int64(st, 1, number);
	sqlite3_bind_text(st, 2, as_of, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, known);
	int rc = sqlite3_step(st) == SQLITE_DONE
		? UP_OK : up_store_fail(s, "storing the cycle", err);
	sqlite3_finalize(st);
	return rc;
}

static int store_packs(up_store *s, long long number, const json_t *doc,
		       up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "INSERT INTO cycle_packs(cycle,"
			       " name, version, sha256) VALUES (?, ?, ?, ?)",
			       -1, &st, NULL))
		return up_store_fail(s, "storing the packs", err);
	int rc = UP_OK;
	size_t i;
	json_t *pk;
	json_array_foreach(json_object_get(doc, "packs"), i, pk) {
		static const char *const keys[] = {"name", "version", "sha256"};
		sqlite3_bind_int64(st, 1, number);
		for (int k = 0; k < 3; k++)
			sqlite3_bind_text(st, k + 2, json_string_value(
				json_object_get(pk, keys[k])), -1,
				SQLITE_STATIC);
		if (rc == UP_OK && sqlite3_step(st) != SQLITE_DONE)
			rc = up_store_fail(s, "storing the packs", err);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

/* A metric the report charts from the stored cycles: a rule's metric{}
 * (its history is what the cycles said), or one with a denominator (a
 * percentage). */
static int charted(const json_t *m)
{
	const char *kind = json_string_value(json_object_get(m, "kind"));
	return (kind && !strcmp(kind, "computed")) ||
	       json_is_number(json_object_get(m, "denominator"));
}

static void bind_number(sqlite3_stmt *st, int i, const json_t *v)
{
	if (json_is_number(v))
		sqlite3_bind_double(st, i, json_number_value(v));
	else
		sqlite3_bind_null(st, i);
}

/* The charted metrics of one unit ("" for the organisation). */
static int store_metrics(up_store *s, sqlite3_stmt *st, long long number,
			 const char *as_of, const char *unit,
			 const json_t *metrics, up_error *err)
{
	size_t i;
	json_t *m;
	json_array_foreach(metrics, i, m) {
		const char *id = json_string_value(json_object_get(m,
								  "metric"));
		if (!id || !charted(m))
			continue;
		sqlite3_bind_int64(st, 1, number);
		sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, as_of, -1, SQLITE_STATIC);
		bind_number(st, 5, json_object_get(m, "value"));
		bind_number(st, 6, json_object_get(m, "expected"));
		bind_number(st, 7, json_object_get(m, "denominator"));
		int step = sqlite3_step(st);
		sqlite3_reset(st);
		if (step != SQLITE_DONE)
			return up_store_fail(s, "storing the cycle's metrics",
					     err);
	}
	return UP_OK;
}

/*
 * Each unit's record in a row of its own, so reading one unit (explain)
 * never parses the whole system's; the charted metrics in rows a report
 * finds by metric and unit instead of walking every cycle's record.
 */
static int store_units(up_store *s, const json_t *doc, long long number,
		       up_error *err)
{
	sqlite3 *db = up_store_db(s);
	sqlite3_stmt *u, *m;
	if (sqlite3_prepare_v2(db, "INSERT INTO cycle_units(cycle, ord, unit,"
			       " doc) VALUES (?, ?, ?, ?)", -1, &u, NULL))
		return up_store_fail(s, "storing the cycle", err);
	if (sqlite3_prepare_v2(db, "INSERT INTO cycle_metrics(cycle, unit,"
			       " metric, as_of, value, expected, denominator)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &m, NULL)) {
		sqlite3_finalize(u);
		return up_store_fail(s, "storing the cycle", err);
	}
	const char *as_of = json_string_value(json_object_get(doc, "as_of"));
	if (!as_of)
		as_of = "";
	int rc = store_metrics(s, m, number, as_of, "",
			       json_object_get(doc, "metrics"), err);
	size_t i;
	json_t *unit;
	json_array_foreach(json_object_get(doc, "units"), i, unit) {
		const char *id = json_string_value(json_object_get(unit, "id"));
		char *text = json_dumps(unit, JSON_FLAGS);
		if (rc != UP_OK || !text) {
			free(text);
			rc = rc != UP_OK ? rc : up_err(err, UP_EINTERNAL,
				"the cycle's JSON could not be written");
			break;
		}
		sqlite3_bind_int64(u, 1, number);
		sqlite3_bind_int64(u, 2, (sqlite3_int64)i);
		sqlite3_bind_text(u, 3, id ? id : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(u, 4, text, -1, free);
		int step = sqlite3_step(u);
		sqlite3_reset(u);
		if (step != SQLITE_DONE)
			rc = up_store_fail(s, "storing the cycle", err);
		else if (id) /* "" is the organisation's */
			rc = store_metrics(s, m, number, as_of, id,
					   json_object_get(unit, "metrics"),
					   err);
	}
	sqlite3_finalize(u);
	sqlite3_finalize(m);
	return rc;
}

/* The record of the cycle itself: its units (store_units) and its
 * reminders (a column: only the whole document has them) apart, each
 * key keeping its place in the document, empty. */
static char *header_text(json_t *doc)
{
	static const char *const apart[] = {"units", "reminders"};
	json_t *kept[UP_COUNTOF(apart)];
	for (size_t i = 0; i < UP_COUNTOF(apart); i++) {
		kept[i] = json_incref(json_object_get(doc, apart[i]));
		json_object_set_new(doc, apart[i], json_array());
	}
	char *text = json_dumps(doc, JSON_FLAGS);
	for (size_t i = 0; i < UP_COUNTOF(apart); i++)
		json_object_set_new(doc, apart[i],
				    kept[i] ? kept[i] : json_array());
	return text;
}

static int store_cycle(up_store *s, json_t *doc, long long number,
		       up_error *err)
{
	sqlite3 *db = up_store_db(s);
	sqlite3_stmt *st;
	char *text = header_text(doc);
	char *rem = json_dumps(json_object_get(doc, "reminders"), JSON_FLAGS);
	int rc = UP_OK;
	if (!text || !rem) {
		free(text);
		free(rem);
		return up_err(err, UP_EINTERNAL, "the cycle's JSON could not be "
			      "written");
	}
	if (sqlite3_prepare_v2(db, "UPDATE cycles SET doc = ?, reminders = ?"
			       " WHERE id = ?", -1, &st, NULL)) {
		free(text);
		free(rem);
		return up_store_fail(s, "storing the cycle", err);
	}
	sqlite3_bind_text(st, 1, text, -1, free);
	sqlite3_bind_text(st, 2, rem, -1, free);
	sqlite3_bind_int64(st, 3, number);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = up_store_fail(s, "storing the cycle", err);
	sqlite3_finalize(st);
	if (rc != UP_OK || sqlite3_prepare_v2(db, "INSERT INTO cycle_files"
			"(cycle, path, sha256) VALUES (?, ?, ?)", -1, &st, NULL))
		return rc != UP_OK ? rc : up_store_fail(s, "storing", err);
	size_t i;
	json_t *fj;
	json_array_foreach(json_object_get(doc, "files"), i, fj) {
		sqlite3_bind_int64(st, 1, number);
		sqlite3_bind_text(st, 2, json_string_value(json_object_get(
				  fj, "path")), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, json_string_value(json_object_get(
				  fj, "sha256")), -1, SQLITE_STATIC);
		if (rc == UP_OK && sqlite3_step(st) != SQLITE_DONE)
			rc = up_store_fail(s, "storing file hashes", err);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (rc == UP_OK)
		rc = store_packs(s, number, doc, err);
	if (rc == UP_OK)
		rc = store_units(s, doc, number, err);
	return rc == UP_OK ? store_results(s, number, doc, err) : rc;
}

static int next_number(up_store *s, long long *out, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT coalesce(max(id), 0) + 1"
			       " FROM cycles", -1, &st, NULL))
		return up_store_fail(s, "numbering the cycle", err);
	int rc = sqlite3_step(st) == SQLITE_ROW
		? UP_OK : up_store_fail(s, "numbering the cycle", err);
	*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

static up_cycle *cycle_new(json_t *doc)
{
	up_cycle *c = up_xcalloc(1, sizeof *c);
	c->doc = doc;
	c->number = json_integer_value(json_object_get(doc, "cycle"));
	return c;
}

/* A read transaction: what it reads is one snapshot, and writers go on. */
static int begin_read(up_store *s, up_error *err)
{
	if (sqlite3_exec(up_store_db(s), "BEGIN", NULL, NULL, NULL))
		return up_store_fail(s, "reading the store", err);
	return UP_OK;
}

/* The last import the facts include: a replay reads the facts as they
 * were. */
static int last_import(up_store *s, long long *out, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT coalesce(max(id), 0)"
			       " FROM imports", -1, &st, NULL))
		return up_store_fail(s, "reading imports", err);
	int rc = sqlite3_step(st) == SQLITE_ROW
		? UP_OK : up_store_fail(s, "reading imports", err);
	*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

/* The facts as of DAY, and the number the cycle will have, from one
 * snapshot; the program's own units and people are written first. */
static int snapshot(up_store *s, const up_program *p, int32_t day,
		    up_facts *f, long long *number, long long *known,
		    up_error *err)
{
	int rc = up_store_begin(s, err);
	if (rc != UP_OK)
		return rc;
	rc = up_store_sync(s, p, err);
	rc = rc == UP_OK ? up_store_commit(s, err) : rc;
	if (rc != UP_OK) {
		up_store_rollback(s);
		return rc;
	}
	if ((rc = begin_read(s, err)) != UP_OK)
		return rc;
	rc = next_number(s, number, err);
	if (rc == UP_OK)
		rc = last_import(s, known, err);
	if (rc == UP_OK)
		rc = up_facts_load(f, s, day, err);
	up_store_rollback(s); /* a read: nothing to keep */
	return rc;
}

/* RACED: another cycle was stored first; judge again, at most
 * CYCLE_TRIES times. */
enum { RACED = 1, CYCLE_TRIES = 4 };

/* Under the write lock: the cycle's row, its schedule and its document
 * in *DOC; RACED when another cycle took NUMBER meanwhile. */
static int store(up_store *s, const up_program *p, up_facts *f, judgement *j,
		 long long number, long long known, json_t **doc,
		 up_error *err)
{
	long long now;
	*doc = NULL;
	int rc = up_store_begin(s, err);
	if (rc != UP_OK)
		return rc;
	rc = next_number(s, &now, err);
	if (rc == UP_OK && now != number) {
		up_store_rollback(s);
		return RACED;
	}
	if (rc == UP_OK)
		rc = open_cycle(s, p, f->as_of_s, number, known, err);
	if (rc == UP_OK)
		*doc = settle(s, p, f, j, number, 0, err);
	if (rc == UP_OK)
		rc = *doc ? store_cycle(s, *doc, number, err)
		    : up_error_code(err) ? up_error_code(err) : UP_EINTERNAL;
	if (rc == UP_OK)
		rc = up_store_commit(s, err);
	if (rc != UP_OK) {
		up_store_rollback(s);
		json_decref(*doc);
		*doc = NULL;
	}
	return rc;
}

/* One try: RACED, and ERR untouched, when another cycle was stored
 * while this one judged. */
static int judge_and_store(up_store *s, const up_program *p, int32_t day,
			   json_t **doc, up_error *err)
{
	up_facts f;
	long long number = 0, known = 0;
	int rc = snapshot(s, p, day, &f, &number, &known, err);
	if (rc != UP_OK)
		return rc;
	judgement j;
	rc = judge(p, &f, &j, err);
	if (rc == UP_OK)
		rc = store(s, p, &f, &j, number, known, doc, err);
	judgement_free(&j);
	up_facts_free(&f);
	return rc;
}

/*
 * The rules judge from a snapshot of the facts with no lock held, so a
 * record or an import started during a long cycle waits only for the
 * short writes at either end.  Two cycles started together both judge;
 * the one that stores second judges again, from what the first stored.
 */

int up_cycle_run(up_cycle **out, up_store *s, const up_program *p,
		 const char *as_of, up_error *err)
{
	*out = NULL;
	int32_t day = up_date_today();
	const char *why;
	if (p->no_packs) /* a cycle without the packs would pass them by */
		return up_err(err, UP_EINTERNAL, "the program was loaded "
			      "without its packs (UP_PROGRAM_NO_PACKS)");
	if (as_of && up_date_parse(as_of, &day, &why) != UP_OK)
		return up_err(err, UP_EINPUT, "invalid as-of date '%s' (%s)",
			      as_of, why);
	json_t *doc = NULL;
	int rc = RACED;
	for (int tries = 0; rc == RACED && tries < CYCLE_TRIES; tries++)
		rc = judge_and_store(s, p, day, &doc, err);
	if (rc == RACED)
		return up_err(err, UP_EBUSY, "%s: other cycles were stored "
			      "while this one judged, %d times; run it again",
			      up_store_path(s), CYCLE_TRIES);
	if (rc != UP_OK)
		return rc;
	*out = cycle_new(doc);
	return UP_OK;
}

json_t *up_cycle_judge(up_store *s, const up_program *p, const char *as_of,
			long long number, long long known, up_error *err)
{
	int32_t day;
	const char *why;
	up_facts f;
	if (up_date_parse(as_of, &day, &why) != UP_OK) {
		up_err(err, UP_EINTERNAL, "cycle %lld has an invalid as-of date "
		       "'%s' (%s)", number, as_of, why);
		return NULL;
	}
	if (up_facts_load_known(&f, s, day, known, err) != UP_OK)
		return NULL;
	json_t *doc = evaluate(s, p, &f, number, 1, err);
	up_facts_free(&f);
	if (!doc && !up_error_code(err))
		up_err(err, UP_EINTERNAL, "cycle %lld could not be judged",
		       number);
	return doc;
}

/* Appends the stored units of cycle NUMBER (UNIT's alone when not
 * NULL) to UNITS, in the order the cycle judged them. */
static int read_units(up_store *s, long long number, const char *unit,
		      json_t *units, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), unit
			? "SELECT doc FROM cycle_units WHERE cycle = ?1 AND"
			  " unit = ?2 ORDER BY ord"
			: "SELECT doc FROM cycle_units WHERE cycle = ?1 ORDER"
			  " BY ord", -1, &st, NULL))
		return up_store_fail(s, "reading a cycle", err);
	sqlite3_bind_int64(st, 1, number);
	if (unit)
		sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	int step, damaged = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW && !damaged) {
		json_t *u = json_loads((const char *)sqlite3_column_text(st, 0),
				       0, NULL);
		damaged = !json_is_object(u);
		json_array_append_new(units, u ? u : json_null());
	}
	int rc = step == SQLITE_DONE || (step == SQLITE_ROW && damaged)
		? UP_OK : up_store_fail(s, "reading a cycle", err);
	sqlite3_finalize(st);
	if (rc == UP_OK && damaged)
		rc = up_err(err, UP_EINTERNAL, "the record of cycle %lld in %s "
			    "is damaged; restore it from a backup", number,
			    up_store_path(s));
	return rc;
}

/* The units of a record stored whole: UNIT's alone when not NULL. */
static void whole_units(const json_t *whole, const char *unit,
			json_t *units)
{
	size_t i;
	json_t *u;
	json_array_foreach(whole, i, u) {
		const char *id = json_string_value(json_object_get(u, "id"));
		if (!unit || (id && !strcmp(id, unit)))
			json_array_append(units, u);
	}
}

int up_cycle_doc(up_store *s, long long number, const char *unit,
		 unsigned what, json_t **out, up_error *err)
{
	*out = NULL;
	sqlite3_stmt *st;
	/* a reader of units has no use for the whole system's reminders,
	 * and not selecting them spares reading their overflow pages */
	if (sqlite3_prepare_v2(up_store_db(s), !(what & UP_CYCLE_REMINDERS)
			       ? "SELECT doc, NULL FROM cycles WHERE id = ?1"
			       : "SELECT doc, reminders FROM cycles WHERE"
				 " id = ?1", -1, &st, NULL))
		return up_store_fail(s, "reading a cycle", err);
	sqlite3_bind_int64(st, 1, number);
	int step = sqlite3_step(st);
	json_t *doc = NULL, *rem = NULL;
	if (step == SQLITE_ROW)
		doc = json_loads((const char *)sqlite3_column_text(st, 0), 0,
				 NULL);
	if (step == SQLITE_ROW && sqlite3_column_type(st, 1) != SQLITE_NULL) {
		rem = json_loads((const char *)sqlite3_column_text(st, 1), 0,
				 NULL);
		if (!json_is_array(rem)) {
			json_decref(doc);
			doc = NULL; /* damaged */
		}
	}
	int rc = step == SQLITE_ROW || step == SQLITE_DONE
		? UP_OK : up_store_fail(s, "reading a cycle", err);
	sqlite3_finalize(st);
	if (rc != UP_OK || step == SQLITE_DONE) {
		json_decref(rem);
		json_decref(doc);
		return rc;
	}
	json_t *units = json_array();
	/* a record stored whole (units in it: see migration 12 -> 13) is
	 * read as it is */
	json_t *whole = json_object_get(doc, "units");
	if (!json_is_object(doc))
		rc = up_err(err, UP_EINTERNAL, "the record of cycle %lld in %s "
			    "is damaged; restore it from a backup", number,
			    up_store_path(s));
	else if (json_array_size(whole))
		whole_units(whole, unit, units);
	else
		rc = read_units(s, number, unit, units, err);
	if (rc != UP_OK) {
		json_decref(rem);
		json_decref(units);
		json_decref(doc);
		return rc;
	}
	json_object_set_new(doc, "units", units);
	if (rem)
		json_object_set_new(doc, "reminders", rem);
	*out = doc;
	return UP_OK;
}

/* The number of the last stored cycle; UP_EINPUT when none has run. */
static int latest_number(up_store *s, long long *out, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT max(id) FROM cycles",
			       -1, &st, NULL))
		return up_store_fail(s, "reading the last cycle", err);
	int step = sqlite3_step(st);
	int none = step == SQLITE_ROW && sqlite3_column_type(st, 0) ==
					 SQLITE_NULL;
	*out = sqlite3_column_int64(st, 0);
	int rc = step == SQLITE_ROW
		? UP_OK : up_store_fail(s, "reading the last cycle", err);
	sqlite3_finalize(st);
	if (rc == UP_OK && none)
		rc = up_err(err, UP_EINPUT, "no cycle has run yet (run "
			    "'uptake cycle')");
	return rc;
}

/* Did-you-mean over the units cycle NUMBER judged, when UNIT is not
 * one of them. */
static int unknown_unit(up_store *s, long long number, const char *unit,
			up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT unit FROM cycle_units"
			       " WHERE cycle = ?1 ORDER BY ord", -1, &st, NULL))
		return up_store_fail(s, "reading a cycle", err);
	sqlite3_bind_int64(st, 1, number);
	size_t n = 0, cap = 0;
	char **ids = NULL;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			ids = up_xrealloc(ids, cap * sizeof *ids);
		}
		ids[n++] = up_xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	const char *hint = up_did_you_mean(unit, (const char **)ids, n);
	if (hint)
		up_err(err, UP_EINPUT, "unknown unit '%s' (did you mean "
		       "'%s'?)", unit, hint);
	else
		up_err(err, UP_EINPUT, "unknown unit '%s'", unit);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return UP_EINPUT;
}

/* Stored cycle NUMBER (0: the last), with UNIT's record alone when not
 * NULL, and what was advanced since it ran. */
static int read_cycle(up_cycle **out, up_store *s, long long number,
		      const char *unit, unsigned what, up_error *err)
{
	*out = NULL;
	if (number < 0)
		return up_history_no_cycle(s, number, err);
	int rc = number ? UP_OK : latest_number(s, &number, err);
	json_t *doc = NULL;
	if (rc == UP_OK)
		rc = up_cycle_doc(s, number, unit, what, &doc, err);
	if (rc != UP_OK)
		return rc;
	if (!doc)
		return up_history_no_cycle(s, number, err);
	if (unit && !json_array_size(json_object_get(doc, "units"))) {
		json_decref(doc);
		return unknown_unit(s, number, unit, err);
	}
	up_cycle *c = cycle_new(doc);
	/* status and explain say what was advanced since it ran */
	c->moves = up_ledger_moves_since(s, c->number, err);
	if (!c->moves) {
		up_cycle_free(c);
		return up_error_code(err) ? up_error_code(err) : UP_EINTERNAL;
	}
	*out = c;
	return UP_OK;
}

int up_cycle_latest(up_cycle **out, up_store *s, up_error *err)
{
	return read_cycle(out, s, 0, NULL, UP_CYCLE_REMINDERS, err);
}

int up_cycle_load(up_cycle **out, up_store *s, long long number,
		  up_error *err)
{
	if (number <= 0) {
		*out = NULL;
		return up_history_no_cycle(s, number, err);
	}
	return read_cycle(out, s, number, NULL, UP_CYCLE_REMINDERS, err);
}

int up_cycle_read(up_cycle **out, up_store *s, long long number,
		  const char *unit, up_error *err)
{
	return read_cycle(out, s, number, unit, 0, err);
}

void up_cycle_free(up_cycle *c)
{
	if (!c)
		return;
	json_decref(c->doc);
	json_decref(c->moves);
	free(c);
}

long long up_cycle_number(const up_cycle *c)
{
	return c->number;
}

int up_cycle_has(const up_cycle *c, const char *cond)
{
	static const char *const decisions[] = {"go", "conditional_go", "hold",
						"recycle", "kill"};
	int is_decision = 0;
	for (size_t i = 0; i < UP_COUNTOF(decisions); i++)
		is_decision |= !strcmp(cond, decisions[i]);
	if (!strcmp(cond, "error"))
		return json_array_size(json_object_get(c->doc, "errors")) > 0;
	if (!is_decision && strcmp(cond, "warn") && strcmp(cond, "fail"))
		return -1;
	size_t i, j;
	json_t *u, *x;
	json_array_foreach(json_object_get(c->doc, "units"), i, u) {
		json_t *list = json_object_get(u, is_decision ? "gates"
							      : "findings");
		json_array_foreach(list, j, x) {
			const char *v = json_string_value(json_object_get(
				x, is_decision ? "decision" : "status"));
			if (v && !strcmp(v, cond))
				return 1;
		}
	}
	return 0;
}

/* Whether a rule file of P names series NAME as a literal: ctx:series
 * with "NAME" or 'NAME' as its first argument. */
static int rule_reads(const up_program *p, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < p->nrules; i++) {
		const char *src = p->rules[i].src, *at = src;
		while ((at = strstr(at, "series")) != NULL) {
			const char *q = at + 6;
			at = q;
			while (*q == ' ' || *q == '(' || *q == '\t')
				q++;
			if ((*q == '"' || *q == '\'') &&
			    !strncmp(q + 1, name, len) && q[1 + len] == *q)
				return 1;
		}
	}
	return 0;
}

/*
 * Series one side uses and the other does not know: a metric reading a
 * series no import has (a typo, or data not yet imported), an imported
 * series nothing reads.  Rules are scanned for ctx:series("NAME").
 */
static void check_series(const up_program *p, const up_facts *f,
			 up_error *warn)
{
	for (size_t i = 0; f->nstored && i < p->nmetrics; i++) {
		const up_metric_def *m = &p->metrics[i];
		const char *names[] = {m->numerator, m->denominator, m->series};
		for (size_t k = 0; k < UP_COUNTOF(names); k++) {
			if (!names[k] || up_facts_stored(f, names[k]))
				continue;
			const char *hint = up_did_you_mean(names[k],
				(const char *const *)f->stored, f->nstored);
			up_warn_at(warn, p->file, m->line, m->col, "metric "
				   "'%s' reads series '%s', which no import "
				   "has%s%s%s", m->id, names[k], hint
				   ? " (did you mean '" : "", hint ? hint : "",
				   hint ? "'?)" : "");
		}
	}
	for (size_t i = 0; i < f->nstored; i++) {
		const char *name = f->stored[i];
		int used = up_packs_name(p, name) || rule_reads(p, name);
		for (size_t k = 0; !used && k < p->nmetrics; k++) {
			const up_metric_def *m = &p->metrics[k];
			used = (m->numerator && !strcmp(m->numerator, name)) ||
			       (m->denominator &&
				!strcmp(m->denominator, name)) ||
			       (m->series && !strcmp(m->series, name));
		}
		if (!used)
			up_warn_at(warn, p->file, 0, 0, "series '%s' is "
				   "imported, but no metric, pack parameter or "
				   "rule reads it", name);
	}
}

int up_program_check_targets(const up_program *p, up_store *s,
			     const char *as_of, up_error *warn)
{
	int32_t day = up_date_today();
	const char *why;
	if (as_of && up_date_parse(as_of, &day, &why) != UP_OK)
		return up_err(warn, UP_EINPUT, "invalid as-of date '%s': %s",
			      as_of, why);
	up_facts f;
	int rc = up_facts_load(&f, s, day, warn);
	if (rc != UP_OK)
		return rc;
	up_metrics_check_targets(p, &f, warn);
	check_series(p, &f, warn);
	up_facts_free(&f);
	return UP_OK;
}
