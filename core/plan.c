/*
 * plan.c: training plans by audience: who is on which plan and from when,
 * which sessions count for it, the ids of its reminders, and who acts on
 * an escalation (the escalate_to role of the person's unit, never the
 * person, up the tree when the unit has nobody else).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

int up_person_has_role(const up_person *p, const char *role)
{
	size_t i;
	json_t *r;
	json_array_foreach(p->roles, i, r) {
		if (!strcmp(json_string_value(r), role))
			return 1;
	}
	return 0;
}

static int holds_any(const up_person *p, const up_strv *roles)
{
	for (size_t i = 0; i < roles->n; i++)
		if (up_person_has_role(p, roles->v[i]))
			return 1;
	return 0;
}

/*
 * The day P came under plan PL by a dated change, or 0: the day they
 * moved to their unit, and for a plan by roles, the first day they held
 * one of its roles when they took each on by a change (a role they held
 * from the start puts them under it from the start).
 */
static int32_t under_plan_since(const up_person *p, const up_plan_def *pl)
{
	int32_t since = 0, day;
	if (p->moved_on[0] && up_date_parse(p->moved_on, &day, NULL) == UP_OK)
		since = day;
	int32_t role_day = INT32_MAX;
	for (size_t i = 0; i < pl->roles.n && role_day; i++) {
		if (!up_person_has_role(p, pl->roles.v[i]))
			continue;
		const char *d = json_string_value(json_object_get(
			p->roles_since, pl->roles.v[i]));
		if (!d || up_date_parse(d, &day, NULL) != UP_OK)
			role_day = 0; /* held from the start */
		else if (day < role_day)
			role_day = day;
	}
	if (pl->roles.n && role_day != INT32_MAX && role_day > since)
		since = role_day;
	return since;
}

/* Whether unit UI is in the subtree of one of UNITS. */
static int within_units(const up_facts *f, int ui, const up_strv *units)
{
	for (size_t i = 0; i < units->n; i++) {
		int top = up_facts_unit(f, units->v[i]);
		if (top >= 0 && ui >= f->units[top].pre &&
		    ui <= f->units[top].post)
			return 1;
	}
	return 0;
}

/* The day a person leaves, or 0.  The facts keep those who had left
 * apart (up_facts.leavers), so this is for a leave that a person in
 * f->people carries. */
static int32_t left_on(const up_person *p)
{
	int32_t d;
	return p->left && up_date_parse(p->left, &d, NULL) == UP_OK ? d : 0;
}

up_plan_fit up_plan_fits(const up_plan_def *pl, const up_facts *f, size_t pi,
			 up_plan_rules *out)
{
	const up_person *p = &f->people[pi];
	if (p->unit_ix < 0)
		return UP_PLAN_NO_UNIT;
	if (pl->roles.n && !holds_any(p, &pl->roles))
		return UP_PLAN_ROLES;
	if (holds_any(p, &pl->except))
		return UP_PLAN_EXCEPT;
	if (pl->units.n && !within_units(f, p->unit_ix, &pl->units))
		return UP_PLAN_UNITS;
	const up_unit *u = &f->units[p->unit_ix];
	int32_t go, joined;
	if (!u->go_live || up_date_parse(u->go_live, &go, NULL) != UP_OK)
		return UP_PLAN_NOT_LIVE;
	if (!out)
		return UP_PLAN_ON;
	int32_t day0 = pl->anchor == UP_ANCHOR_DATE ? pl->anchor_day : go;
	int has_joined = p->joined &&
			 up_date_parse(p->joined, &joined, NULL) == UP_OK;
	*out = (up_plan_rules){.anchor = day0, .offsets = pl->offsets,
			       .noffsets = pl->noffsets,
			       .grace = pl->grace_days,
			       .reschedule = pl->reschedule_days,
			       .stop = left_on(p)};
	if (has_joined && joined > day0)
		out->anchor = joined;
	/* a move or a role taken on counts from its day, as joining does:
	 * no slot before it is theirs to miss */
	int32_t since = under_plan_since(p, pl);
	if (since > out->anchor)
		out->anchor = since;
	/* go_live and a date: the window is the unit's, or the date's, so a
	 * late joiner gets the slots that fit; joined: their own */
	out->window_end = (pl->anchor == UP_ANCHOR_JOINED ? out->anchor : day0)
			  + pl->window_days;
	return UP_PLAN_ON;
}

static int topic_counts(const up_plan_def *pl, const char *topic)
{
	if (!pl->topics.n)
		return 1;
	for (size_t i = 0; topic && i < pl->topics.n; i++)
		if (!strcmp(pl->topics.v[i], topic))
			return 1;
	return 0;
}

/* The first of person PI's sessions in F (sorted by person, then day). */
static size_t first_session(const up_facts *f, size_t pi)
{
	size_t lo = 0, hi = f->ntrainings;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->trainings[mid].person_ix < (int)pi)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t up_plan_sessions(const up_plan_def *pl, const up_facts *f, size_t pi,
			up_session *buf)
{
	size_t n = 0;
	for (size_t i = first_session(f, pi); i < f->ntrainings &&
	     f->trainings[i].person_ix == (int)pi; i++)
		if (topic_counts(pl, f->trainings[i].topic))
			buf[n++] = (up_session){f->trainings[i].day,
						f->trainings[i].failed};
	return n;
}

size_t up_plan_max_sessions(const up_facts *f)
{
	size_t most = 0, run = 0;
	for (size_t i = 0; i < f->ntrainings; i++) {
		run = i && f->trainings[i].person_ix ==
			   f->trainings[i - 1].person_ix ? run + 1 : 1;
		most = run > most ? run : most;
	}
	return most;
}

void up_plan_slot_id(char out[17], const up_plan_def *pl, const char *person,
		     const char *unit, int gen, int k)
{
	char g[16], kk[16];
	snprintf(g, sizeof g, "%d", gen);
	snprintf(kk, sizeof kk, "%d", k);
	const char *parts[] = {person, unit, g, kk, pl->id};
	up_stable_id(out, "training", parts, pl->legacy ? 4 : 5);
}

void up_plan_escalation_id(char out[17], const up_plan_def *pl,
			   const char *person, const char *unit, int gen)
{
	char g[16];
	snprintf(g, sizeof g, "%d", gen);
	const char *parts[] = {person, unit, g, pl->id};
	up_stable_id(out, "escalation", parts, pl->legacy ? 3 : 4);
}

const up_plan_def *up_plan_find(const up_program *p, const char *id)
{
	for (size_t i = 0; id && i < p->cadence.nplans; i++)
		if (!strcmp(p->cadence.plans[i].id, id))
			return &p->cadence.plans[i];
	return NULL;
}

/* People are sorted by unit preorder, then id: a unit's are one run. */
static size_t unit_people(const up_facts *f, int ui, size_t *end)
{
	size_t lo = 0, hi = f->npeople;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((unsigned)f->people[mid].unit_ix < (unsigned)ui)
			lo = mid + 1;
		else
			hi = mid;
	}
	*end = lo;
	while (*end < f->npeople && f->people[*end].unit_ix == ui)
		++*end;
	return lo;
}

int *up_addressees(const up_facts *f, int ui, int pi, const char *role,
		   size_t *n)
{
	*n = 0;
	if (!role || ui < 0)
		return NULL;
	/* never the person: when they hold the role, the parent's holders */
	if (pi >= 0 && up_person_has_role(&f->people[pi], role))
		ui = f->units[ui].parent_ix;
	for (; ui >= 0; ui = f->units[ui].parent_ix) {
		size_t end, from = unit_people(f, ui, &end);
		int *out = NULL;
		for (size_t i = from; i < end; i++) {
			if ((int)i == pi ||
			    !up_person_has_role(&f->people[i], role))
				continue;
			out = up_xrealloc(out, (*n + 1) * sizeof *out);
			out[(*n)++] = (int)i;
		}
		if (*n)
			return out;
	}
	return NULL;
}

void up_plan_cancel_reason(char *buf, size_t size, const up_slot *sl,
			   const up_reset *rs, size_t nrs,
			   const up_plan_rules *r)
{
	char d[11];
	for (size_t i = 0; i < nrs; i++)
		if (rs[i].gen == sl->gen + 1) {
			up_date_format(rs[i].day, d);
			snprintf(buf, size, rs[i].failed_check
				 ? "the plan restarted after a failed check "
				   "on %s" : "lapsed on %s", d);
			return;
		}
	if (sl->planned > r->window_end || !r->stop) {
		snprintf(buf, size, "a late session moved it past the plan's "
			 "end");
		return;
	}
	up_date_format(r->stop, d);
	snprintf(buf, size, "left on %s", d);
}

const char *up_plan_closed_why(up_close_why why)
{
	switch (why) {
	case UP_CLOSED_SESSION: return "attended on";
	case UP_CLOSED_SUPERSEDED: return "replaced by a newer escalation on";
	case UP_CLOSED_PLAN_END: return "the plan ended on";
	case UP_CLOSED_LEFT: return "left on";
	default: return "open";
	}
}

/* ---- uptake plan --person P ---- */

static json_t *day_json(int32_t day)
{
	char d[11];
	up_date_format(day, d);
	return json_string(d);
}

static json_t *strv_json(const up_strv *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(a, json_string(v->v[i]));
	return a;
}

static const char *const slot_states[] = {
	[UP_SLOT_DONE] = "done", [UP_SLOT_PENDING] = "pending",
	[UP_SLOT_DUE] = "due", [UP_SLOT_OVERDUE] = "overdue",
	[UP_SLOT_MISSED] = "missed", [UP_SLOT_CANCELLED] = "cancelled"};

/* Why a slot is where it is, in words. */
static void slot_why(char *buf, size_t size, const up_slot *sl,
		     const up_reset *rs, size_t nrs, const up_plan_rules *r)
{
	char d[11];
	up_date_format(sl->planned, d);
	switch (sl->state) {
	case UP_SLOT_DONE:
		snprintf(buf, size, "%s", sl->failed
			 ? "failed check: the plan restarted from its first "
			   "interval" : sl->late
			 ? "late: the plan goes on from this session"
			 : "on time");
		return;
	case UP_SLOT_MISSED:
		if (sl->rescheduled)
			snprintf(buf, size, "missed on %s and again when moved: "
				 "lapsed", d);
		else
			snprintf(buf, size, "missed; too near the plan's end "
				 "to move");
		return;
	case UP_SLOT_CANCELLED:
		up_plan_cancel_reason(buf, size, sl, rs, nrs, r);
		return;
	default:
		if (sl->rescheduled)
			snprintf(buf, size, "missed on %s, moved once", d);
		else
			buf[0] = '\0';
	}
}

static json_t *slot_json(const up_plan_def *pl, const up_person *p,
			 const char *unit, const up_plan_rules *r,
			 const up_slot *sl, const up_reset *rs, size_t nrs)
{
	char id[17], why[160];
	up_plan_slot_id(id, pl, p->id, unit, sl->gen, sl->k);
	slot_why(why, sizeof why, sl, rs, nrs, r);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "generation", json_integer(sl->gen));
	json_object_set_new(o, "slot", json_integer(sl->k + 1));
	json_object_set_new(o, "planned", day_json(sl->planned));
	json_object_set_new(o, "due", day_json(sl->due));
	json_object_set_new(o, "opens", day_json(sl->due - r->grace));
	json_object_set_new(o, "closes", day_json(sl->due + r->grace));
	json_object_set_new(o, "state", json_string(slot_states[sl->state]));
	json_object_set_new(o, "session", sl->state == UP_SLOT_DONE
			    ? day_json(sl->done_on) : json_null());
	json_object_set_new(o, "late", json_boolean(sl->late));
	json_object_set_new(o, "failed", json_boolean(sl->failed));
	json_object_set_new(o, "why", json_string(why));
	return o;
}

static json_t *escalation_json(const up_plan_def *pl, const up_facts *f,
			       size_t pi, const up_reset *t)
{
	const up_person *p = &f->people[pi];
	char id[17];
	up_plan_escalation_id(id, pl, p->id, f->units[p->unit_ix].id, t->gen);
	size_t n;
	int *ix = up_addressees(f, p->unit_ix, (int)pi, pl->escalate_to, &n);
	json_t *to = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(to, json_string(f->people[ix[i]].id));
	free(ix);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "generation", json_integer(t->gen));
	json_object_set_new(o, "day", day_json(t->day));
	json_object_set_new(o, "cause", json_string(t->failed_check
						    ? "failed_check" : "lapse"));
	json_object_set_new(o, "state", json_string(
		t->closed != UP_NEVER ? "closed" : t->failed_check
		? "escalated" : "lapsed"));
	json_object_set_new(o, "closed", t->closed != UP_NEVER
			    ? day_json(t->closed) : json_null());
	json_object_set_new(o, "why", t->closed != UP_NEVER
			    ? json_string(up_plan_closed_why(t->why))
			    : json_null());
	json_object_set_new(o, "role", json_string(pl->escalate_to));
	json_object_set_new(o, "to", to);
	return o;
}

/* lapsed, overdue, due, pending (a slot to come) or complete. */
static const char *plan_status(const up_slot *sl, size_t n,
			       const up_reset *rs, size_t nrs)
{
	if (nrs && !rs[nrs - 1].failed_check && rs[nrs - 1].closed == UP_NEVER)
		return "lapsed";
	for (size_t i = 0; i < n; i++)
		if (sl[i].state == UP_SLOT_DUE || sl[i].state == UP_SLOT_OVERDUE)
			return slot_states[sl[i].state];
	for (size_t i = 0; i < n; i++)
		if (sl[i].state == UP_SLOT_PENDING)
			return "pending";
	return "complete";
}

static json_t *plan_json(const up_plan_def *pl, const up_facts *f,
			 size_t pi, up_session *buf)
{
	const up_person *p = &f->people[pi];
	const char *unit = f->units[p->unit_ix].id;
	up_plan_rules r;
	up_plan_fits(pl, f, pi, &r);
	size_t ns = up_plan_sessions(pl, f, pi, buf);
	up_slot *sl = NULL;
	up_reset *rs = NULL;
	size_t n = 0, nrs = 0;
	up_training_plan(&r, buf, ns, f->as_of, &sl, &n, &rs, &nrs);
	json_t *slots = json_array(), *escalations = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(slots, slot_json(pl, p, unit, &r, &sl[i],
						       rs, nrs));
	for (size_t i = 0; i < nrs; i++)
		json_array_append_new(escalations,
				      escalation_json(pl, f, pi, &rs[i]));
	static const char *const anchors[] = {"go_live", "joined", "date"};
	json_t *o = json_object();
	json_object_set_new(o, "plan", json_string(pl->id));
	json_object_set_new(o, "status", json_string(plan_status(sl, n, rs,
								 nrs)));
	json_object_set_new(o, "anchor", json_string(anchors[pl->anchor]));
	json_object_set_new(o, "start", day_json(r.anchor));
	json_object_set_new(o, "ends", day_json(r.window_end));
	json_object_set_new(o, "grace_days", json_integer(pl->grace_days));
	json_object_set_new(o, "reschedule_days",
			    json_integer(pl->reschedule_days));
	json_object_set_new(o, "topics", strv_json(&pl->topics));
	json_object_set_new(o, "escalate_to", json_string(pl->escalate_to));
	json_object_set_new(o, "sessions", json_integer((json_int_t)ns));
	json_object_set_new(o, "slots", slots);
	json_object_set_new(o, "escalations", escalations);
	free(sl);
	free(rs);
	return o;
}

static void why_not(char *buf, size_t size, up_plan_fit fit,
		    const up_plan_def *pl, const up_facts *f,
		    const up_person *p)
{
	up_buf b = {0};
	const up_strv *v = fit == UP_PLAN_ROLES ? &pl->roles
			 : fit == UP_PLAN_EXCEPT ? &pl->except : &pl->units;
	for (size_t i = 0; i < v->n; i++)
		up_buf_printf(&b, "%s%s", i ? ", " : "", v->v[i]);
	switch (fit) {
	case UP_PLAN_NO_UNIT:
		snprintf(buf, size, "in no unit");
		break;
	case UP_PLAN_NOT_LIVE:
		snprintf(buf, size, "unit %s has no go-live",
			 f->units[p->unit_ix].id);
		break;
	case UP_PLAN_ROLES:
		snprintf(buf, size, "holds none of its roles (%s)", b.buf);
		break;
	case UP_PLAN_EXCEPT:
		snprintf(buf, size, "holds a role it leaves out (%s)", b.buf);
		break;
	default:
		snprintf(buf, size, "unit %s is outside its units (%s)",
			 f->units[p->unit_ix].id, b.buf);
	}
	up_buf_free(&b);
}

static json_t *person_plans(const up_program *prog, const up_facts *f,
			    size_t pi)
{
	const up_person *p = &f->people[pi];
	json_t *plans = json_array(), *off = json_array();
	up_session *buf = up_xcalloc(up_plan_max_sessions(f) + 1, sizeof *buf);
	for (size_t k = 0; k < prog->cadence.nplans; k++) {
		const up_plan_def *pl = &prog->cadence.plans[k];
		up_plan_fit fit = up_plan_fits(pl, f, pi, NULL);
		if (fit == UP_PLAN_ON) {
			json_array_append_new(plans, plan_json(pl, f, pi, buf));
			continue;
		}
		char why[200];
		why_not(why, sizeof why, fit, pl, f, p);
		json_array_append_new(off, UP_JSON(json_pack("{s:s, s:s}",
			"plan", pl->id, "why", why)));
	}
	free(buf);
	json_t *doc = json_object();
	json_object_set_new(doc, "person", json_string(p->id));
	json_object_set_new(doc, "name", json_string(p->name ? p->name
								: p->id));
	json_object_set_new(doc, "unit", p->unit_ix >= 0
			    ? json_string(f->units[p->unit_ix].id)
			    : json_null());
	json_object_set_new(doc, "roles", json_deep_copy(p->roles));
	json_object_set_new(doc, "as_of", json_string(f->as_of_s));
	json_object_set_new(doc, "present", json_true());
	json_object_set_new(doc, "left", json_null());
	json_object_set_new(doc, "plans", plans);
	json_object_set_new(doc, "not_on", off);
	return doc;
}

/* Someone who had left by the date is on no plan; say who they were and
 * since when, rather than treating them as a stranger. */
static json_t *leaver_json(const up_facts *f, const up_person *p)
{
	return UP_JSON(json_pack("{s:s, s:s, s:o, s:O, s:s, s:b, s:s, s:[], "
		"s:[]}", "person", p->id, "name", p->name ? p->name : p->id,
		"unit", p->unit_ix >= 0 ? json_string(f->units[p->unit_ix].id)
					: json_null(),
		"roles", p->roles, "as_of", f->as_of_s, "present", 0,
		"left", p->left, "plans", "not_on"));
}

static const char *js(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void join_ids(up_buf *b, const json_t *a)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
		up_buf_printf(b, "%s%s", i ? ", " : "", json_string_value(v));
}

/* A table row, without the padding its empty last columns leave. */
__attribute__((format(printf, 2, 3)))
static void put_row(FILE *fp, const char *fmt, ...)
{
	char s[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s, sizeof s, fmt, ap);
	va_end(ap);
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
	up_print_text(fp, "%s\n", s);
}

/* One plan as a table: its slots generation by generation, each
 * generation's escalation after it. */
static void print_plan(FILE *fp, const json_t *pl)
{
	up_buf b = {0};
	fputc('\n', fp);
	up_buf_printf(&b, "plan %s: %s, from %s to %s, grace %lld days, "
		      "moved once by %lld; ", js(pl, "plan"), js(pl, "status"),
		      js(pl, "start"), js(pl, "ends"),
		      (long long)json_integer_value(json_object_get(pl,
			"grace_days")),
		      (long long)json_integer_value(json_object_get(pl,
			"reschedule_days")));
	if (json_array_size(json_object_get(pl, "topics"))) {
		up_buf_puts(&b, "sessions of ");
		join_ids(&b, json_object_get(pl, "topics"));
	} else {
		up_buf_puts(&b, "every session counts");
	}
	up_print_text(fp, "%s\n", b.buf);
	up_buf_free(&b);
	fprintf(fp, "%-16s  %-5s  %-10s  %-22s  %-9s  %-10s  %s\n", "ID",
		"SLOT", "DUE", "WINDOW", "STATE", "SESSION", "WHY");
	const json_t *slots = json_object_get(pl, "slots");
	const json_t *esc = json_object_get(pl, "escalations");
	size_t i = 0, e = 0;
	for (json_int_t gen = 0;; gen++) {
		int any = 0;
		for (; i < json_array_size(slots); i++) {
			const json_t *s = json_array_get(slots, i);
			if (json_integer_value(json_object_get(s,
						"generation")) != gen)
				break;
			any = 1;
			char label[32], window[32];
			snprintf(label, sizeof label, gen ? "r%lld.%lld" : "%lld",
				 gen ? (long long)gen : (long long)json_integer_value(
					json_object_get(s, "slot")),
				 (long long)json_integer_value(json_object_get(s,
					"slot")));
			snprintf(window, sizeof window, "%s..%s", js(s, "opens"),
				 js(s, "closes"));
			const char *state = js(s, "state");
			if (!strcmp(state, "done") &&
			    json_is_true(json_object_get(s, "late")))
				state = "done late";
			put_row(fp, "%-16s  %-5s  %-10s  %-22s  %-9s  %-10s"
				"  %s", js(s, "id"), label, js(s, "due"),
				      window, state, js(s, "session"),
				      js(s, "why"));
		}
		if (e < json_array_size(esc)) {
			const json_t *x = json_array_get(esc, e++);
			up_buf w = {0};
			up_buf_printf(&w, "%s to %s: ", !strcmp(js(x, "cause"),
				      "lapse") ? "lapsed, escalated"
				      : "failed check, escalated",
				      js(x, "role"));
			if (json_array_size(json_object_get(x, "to")))
				join_ids(&w, json_object_get(x, "to"));
			else
				up_buf_puts(&w, "nobody holds it");
			if (*js(x, "closed"))
				up_buf_printf(&w, "; closed: %s %s",
					      js(x, "why"), js(x, "closed"));
			put_row(fp, "%-16s  %-5s  %-10s  %-22s  %-9s  %-10s"
				"  %s", js(x, "id"), "-", js(x, "day"),
				      "", js(x, "state"), "", w.buf);
			up_buf_free(&w);
			any = 1;
		}
		if (!any && i >= json_array_size(slots))
			break;
	}
}

static void print_person(FILE *fp, const json_t *doc)
{
	up_buf b = {0};
	up_buf_printf(&b, "%s (%s)", js(doc, "name"), js(doc, "person"));
	if (*js(doc, "unit"))
		up_buf_printf(&b, ", unit %s", js(doc, "unit"));
	if (json_array_size(json_object_get(doc, "roles"))) {
		up_buf_puts(&b, ", roles ");
		join_ids(&b, json_object_get(doc, "roles"));
	}
	up_buf_printf(&b, ", as of %s", js(doc, "as_of"));
	up_print_text(fp, "%s\n", b.buf);
	up_buf_free(&b);
	const json_t *plans = json_object_get(doc, "plans");
	if (*js(doc, "left"))
		up_print_text(fp, "left on %s: on no plan since, and what was "
			      "open closed with the leave\n", js(doc, "left"));
	else if (!json_is_true(json_object_get(doc, "present")))
		up_print_text(fp, "not one of the program's people as of %s "
			      "(joined later): no plan\n", js(doc, "as_of"));
	else if (!json_array_size(plans))
		fputs("on no training plan\n", fp);
	size_t i;
	json_t *pl;
	json_array_foreach(plans, i, pl)
		print_plan(fp, pl);
	const json_t *off = json_object_get(doc, "not_on");
	if (json_array_size(off))
		fputs("\nnot on:\n", fp);
	json_array_foreach(off, i, pl)
		up_print_text(fp, "  %s: %s\n", js(pl, "plan"), js(pl, "why"));
}

int up_plan_print(up_store *s, const up_program *prog, const char *person,
		  const char *as_of, FILE *fp, unsigned flags, up_error *err)
{
	int32_t day = up_date_today();
	const char *why;
	if (as_of && up_date_parse(as_of, &day, &why) != UP_OK)
		return up_err(err, UP_EINPUT, "invalid as-of date '%s': %s",
			      as_of, why);
	int rc = up_ledger_known(s, "people", "person", person, err);
	up_facts f;
	if (rc != UP_OK || (rc = up_facts_load(&f, s, day, err)) != UP_OK)
		return rc;
	json_t *doc = NULL;
	for (size_t pi = 0; pi < f.npeople && !doc; pi++)
		if (!strcmp(f.people[pi].id, person))
			doc = person_plans(prog, &f, pi);
	for (size_t pi = 0; pi < f.nleavers && !doc; pi++)
		if (!strcmp(f.leavers[pi].id, person))
			doc = leaver_json(&f, &f.leavers[pi]);
	if (!doc)
		doc = UP_JSON(json_pack("{s:s, s:s, s:n, s:[], s:s, s:b, "
			"s:n, s:[], s:[]}", "person", person, "name", person,
			"unit", "roles", "as_of", f.as_of_s, "present", 0,
			"left", "plans", "not_on"));
	if (flags & UP_PRINT_JSON) {
		json_dumpf(doc, fp, JSON_INDENT(2));
		fputc('\n', fp);
	} else {
		print_person(fp, doc);
	}
	json_decref(doc);
	up_facts_free(&f);
	return UP_OK;
}
