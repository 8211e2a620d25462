/*
 * due.c: what to act on, as of a date, and for whom: every reminder names
 * who acts on it (an escalation the escalate_to role of the person's unit,
 * a follow-up the unit's followups_to role, a slot the person); `uptake
 * due --for P` keeps what P must act on, grouped by unit; --summary counts
 * per unit.  Acting on a reminder (ack, snooze) is here too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "plan.h"

enum { HORIZON_DAYS = UP_DUE_LOOKAHEAD_DAYS, MAX_GRACE = 90,
       TRAINED_DAYS = 90 };

static int32_t day_or_today(const char *as_of, up_error *err, int *rc)
{
	int32_t d = up_date_today();
	const char *why;
	*rc = UP_OK;
	if (as_of && up_date_parse(as_of, &d, &why) != UP_OK)
		*rc = up_err(err, UP_EINPUT, "invalid as-of date '%s': %s",
			     as_of, why);
	return d;
}

enum { C_ID, C_DUE, C_PERSON, C_ROLE, C_UNIT, C_KIND, C_STATE, C_ACKED,
       C_SNOOZED, C_NOTE, C_PLAN, C_OPENS, C_CLOSES };

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* A day column, or FALLBACK when it is empty or not a day. */
static int32_t day_col(sqlite3_stmt *st, int i, int32_t fallback)
{
	int32_t d;
	return col(st, i) && up_date_parse(col(st, i), &d, NULL) == UP_OK
		? d : fallback;
}

/*
 * The state a reminder shows as of DAY; NULL when it is not listed.  A
 * lapse stays listed while it holds, acknowledged or not: the person
 * still has to come back.  A training slot's window is the one its plan
 * gave it (reminders stored before plans had one: due +- GRACE).
 */
static const char *state_as_of(sqlite3_stmt *st, int32_t day, int grace)
{
	const char *kind = col(st, C_KIND), *stored = col(st, C_STATE);
	const char *snoozed = col(st, C_SNOOZED);
	int32_t due, until;
	if (up_date_parse(col(st, C_DUE), &due, NULL) != UP_OK)
		return NULL; /* not a day uptake wrote; skip it */
	int hidden = snoozed && up_date_parse(snoozed, &until, NULL) == UP_OK &&
		     until > day;
	if (!strcmp(stored, "lapsed"))
		return hidden ? "snoozed" : "lapsed";
	if (sqlite3_column_int(st, C_ACKED))
		return "done";
	if (hidden)
		return "snoozed";
	if (!strcmp(stored, "done") || !strcmp(stored, "missed") ||
	    !strcmp(stored, "cancelled"))
		return "done"; /* history: a missed slot was moved or lapsed */
	if (!strcmp(stored, "escalated") || !strcmp(stored, "overdue"))
		return stored;
	/* A training slot the cycle left pending waits for the ones before
	 * it; only the plan (the next cycle) makes it due. */
	int training = !strcmp(kind, "training_refresher");
	int g = training ? grace : 0;
	int32_t lo = day_col(st, C_OPENS, due - g);
	int32_t hi = day_col(st, C_CLOSES, due + g);
	if (day < lo || (training && !strcmp(stored, "pending")))
		return lo - day <= HORIZON_DAYS ? "pending" : NULL;
	return day <= hi ? "due" : "overdue";
}

/*
 * What can be listed: not cancelled, not done (a stored done, missed or
 * cancelled state lists as done), of the unit and person asked for.  The
 * first two terms are those of the index reminders_open, word for word
 * (SQLite uses a partial index only then), so the list reads what is
 * open, not the history; a person or a unit is looked up by its index.
 */
static sqlite3_stmt *open_reminders(up_store *s, const char *units,
				    const char *person, const char *theirs)
{
	char *sql = up_xasprintf("SELECT id, due, person, role, unit, kind,"
		" state, acked, snoozed_until, note, plan, opens, closes"
		" FROM reminders WHERE NOT cancelled"
		" AND state NOT IN ('done', 'missed', 'cancelled')%s%s%s%s"
		" AND (due <= ?3 OR state IN ('escalated', 'overdue',"
		" 'lapsed')) ORDER BY due, id", units ? " AND (unit IN (SELECT"
		" value FROM json_each(?1))" : "", units && theirs
		? " OR person = ?4" : "", units ? ")" : "",
		person ? " AND person = ?2" : "");
	sqlite3_stmt *st;
	int bad = sqlite3_prepare_v2(up_store_db(s), sql, -1, &st, NULL);
	free(sql);
	if (bad)
		return NULL;
	if (units)
		sqlite3_bind_text(st, 1, units, -1, SQLITE_STATIC);
	if (person)
		sqlite3_bind_text(st, 2, person, -1, SQLITE_STATIC);
	if (units && theirs)
		sqlite3_bind_text(st, 4, theirs, -1, SQLITE_STATIC);
	return st;
}

/* up_due_list; with UNITS and THEIRS, also THEIRS's own reminders
 * wherever they were raised. */
static json_t *due_list(up_store *s, int grace, int32_t day,
			const char *units, const char *person,
			const char *theirs, up_error *err)
{
	sqlite3_stmt *st = open_reminders(s, units, person, theirs);
	if (!st) {
		up_store_fail(s, "reading reminders", err);
		return NULL;
	}
	/* nothing later than the horizon can show (a plan's grace is at most
	 * MAX_GRACE days): let the index skip it */
	char last[11];
	up_date_format(day + HORIZON_DAYS + MAX_GRACE, last);
	sqlite3_bind_text(st, 3, last, -1, SQLITE_TRANSIENT);
	json_t *list = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *state = state_as_of(st, day, grace);
		if (!state || !strcmp(state, "done"))
			continue;
		json_t *o = json_object();
		static const char *const k[] = {"id", "due", "person", "role",
						"unit", "kind"};
		for (int i = 0; i < 6; i++) {
			const char *v = col(st, i);
			if (v)
				json_object_set_new(o, k[i], json_string(v));
		}
		json_object_set_new(o, "state", json_string(state));
		if (col(st, C_NOTE))
			json_object_set_new(o, "note",
					    json_string(col(st, C_NOTE)));
		if (col(st, C_PLAN))
			json_object_set_new(o, "plan",
					    json_string(col(st, C_PLAN)));
		if (col(st, C_OPENS) && col(st, C_CLOSES)) {
			json_object_set_new(o, "opens",
					    json_string(col(st, C_OPENS)));
			json_object_set_new(o, "closes",
					    json_string(col(st, C_CLOSES)));
		}
		if (!strcmp(state, "lapsed") && sqlite3_column_int(st, C_ACKED))
			json_object_set_new(o, "acknowledged", json_true());
		json_array_append_new(list, o);
	}
	if (sqlite3_finalize(st) != SQLITE_OK) {
		json_decref(list);
		up_store_fail(s, "reading reminders", err);
		return NULL;
	}
	return list;
}

json_t *up_due_list(up_store *s, int grace, int32_t day, const char *units,
		    const char *person, up_error *err)
{
	return due_list(s, grace, day, units, person, NULL, err);
}

/* ---- who acts on what ---- */

/* The facts as of the listing day, and lookups on them. */
struct up_audience {
	const up_program *p;
	up_facts f;
	up_strmap people; /* id -> index into f.people */
	int for_ix;       /* the --for person's index, or -1 */
	const char *for_id;
};
typedef struct up_audience who;

static const char *item_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static int person_ix(const who *w, const char *id)
{
	return id && *id ? up_strmap_get(&w->people, id) : -1;
}

static json_t *ids_of(const up_facts *f, const int *ix, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(f->people[ix[i]].id));
	return a;
}

/* The role that acts on a training slot of PLAN (its escalate_to), for
 * telling a person's manager. */
static const char *plan_role(const who *w, const char *plan)
{
	const up_plan_def *pl = up_plan_find(w->p, plan);
	if (!pl && w->p->cadence.nplans)
		pl = &w->p->cadence.plans[0];
	return pl ? pl->escalate_to : NULL;
}

/* Who acts on item O: a slot, a deliverable or a rule's reminder to a
 * person: that person; an escalation: the escalate_to role of the
 * person's unit, never them; a follow-up or a reminder to a role: the
 * role's holders, up the tree. */
static json_t *addressees(const who *w, const json_t *o)
{
	const char *kind = item_str(o, "kind"), *person = item_str(o, "person");
	int ui = up_facts_unit(&w->f, item_str(o, "unit"));
	const char *role = NULL;
	int pi = -1;
	if (!strcmp(kind, "escalation")) {
		role = item_str(o, "role");
		pi = person_ix(w, person);
	} else if (*person) {
		json_t *a = json_array();
		json_array_append_new(a, json_string(person));
		return a;
	} else {
		role = !strcmp(kind, "rule") && *item_str(o, "role")
			? item_str(o, "role") : w->p->cadence.followups_to;
	}
	size_t n;
	int *ix = up_addressees(&w->f, ui, pi, role, &n);
	json_t *a = ids_of(&w->f, ix, n);
	free(ix);
	return a;
}

static int holds(const json_t *ids, const char *id)
{
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v) {
		if (!strcmp(json_string_value(v), id))
			return 1;
	}
	return 0;
}

/* Whether the --for person tells the person of a training slot to come:
 * they are among whom that person's escalations go to. */
static int manages(const who *w, const json_t *o)
{
	int pi = person_ix(w, item_str(o, "person"));
	if (pi < 0 || pi == w->for_ix)
		return 0;
	size_t n;
	int *ix = up_addressees(&w->f, w->f.people[pi].unit_ix, pi,
				plan_role(w, item_str(o, "plan")), &n);
	int found = 0;
	for (size_t i = 0; i < n; i++)
		found |= ix[i] == w->for_ix;
	free(ix);
	return found;
}

/*
 * Why the --for person sees item O: "own" (their slots, deliverables and
 * reminders, and their own lapse: they have to come back), "staff" (an
 * escalation addressed to them, or a slot due or overdue of someone whose
 * escalations would be) or "unit" (a follow-up or a role's reminder of a
 * unit they act for); NULL: not theirs.
 */
static const char *relation(const who *w, const json_t *o)
{
	const char *kind = item_str(o, "kind"), *state = item_str(o, "state");
	int mine = !strcmp(item_str(o, "person"), w->for_id);
	if (!strcmp(kind, "escalation")) {
		if (mine)
			return !strcmp(state, "lapsed") ? "own" : NULL;
		return holds(json_object_get(o, "to"), w->for_id) ? "staff"
								  : NULL;
	}
	if (mine)
		return "own";
	if (!strcmp(kind, "training_refresher"))
		return (!strcmp(state, "due") || !strcmp(state, "overdue")) &&
		       manages(w, o) ? "staff" : NULL;
	return holds(json_object_get(o, "to"), w->for_id) ? "unit" : NULL;
}

static int in_subtree(const up_facts *f, int top, int ui)
{
	return top < 0 || (ui >= 0 && ui >= f->units[top].pre &&
			   ui <= f->units[top].post);
}

static const char *name_of(const who *w, const char *id)
{
	int pi = person_ix(w, id);
	if (pi >= 0 && w->f.people[pi].name)
		return w->f.people[pi].name;
	for (size_t i = 0; i < w->f.nleavers; i++)
		if (!strcmp(w->f.leavers[i].id, id) && w->f.leavers[i].name)
			return w->f.leavers[i].name;
	return id;
}

/* Marks unit UI and those above it (bit 2: a subtree's marks, bit 1,
 * do not stop the walk). */
static void mark_up(const up_facts *f, int ui, unsigned char *mark)
{
	for (; ui >= 0 && !(mark[ui] & 2); ui = f->units[ui].parent_ix)
		mark[ui] |= 2;
}

/* Marks the units of PERSON's reminders, and those above each. */
static int own_units(up_store *s, const up_facts *f, const char *person,
		     unsigned char *mark, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT DISTINCT unit FROM"
			       " reminders WHERE person = ?1", -1, &st, NULL))
		return up_store_fail(s, "reading reminders", err);
	sqlite3_bind_text(st, 1, person, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		mark_up(f, up_facts_unit(f, (const char *)
					 sqlite3_column_text(st, 0)), mark);
	return sqlite3_finalize(st) == SQLITE_OK
		? UP_OK : up_store_fail(s, "reading reminders", err);
}

/* Marks the subtree of unit UI (bit 1). */
static void mark_subtree(const up_facts *f, int ui, unsigned char *mark)
{
	for (int i = ui; i >= 0 && i <= f->units[ui].post; i++)
		mark[i] |= 1;
}

/*
 * The units whose people a listing for PERSON and of UNIT's subtree
 * (either may be NULL, not both) can need, as a JSON array (malloc'ed)
 * in *OUT.  A reminder goes to a role's holders from its unit up: so
 * PERSON receives only those of their own unit's subtree, where the
 * people decide which, and their own reminders (raised before a move)
 * name holders up from where they were raised; UNIT's reminders name
 * holders in its subtree and above it.
 */
static int near_units(up_store *s, int32_t day, const char *person,
		      const char *unit, char **out, up_error *err)
{
	up_facts f;
	up_facts_want just = {.parts = person ? UP_FACTS_PEOPLE : 0,
			      .known = UP_KNOWN_ALL, .people_in = "[]",
			      .person = person};
	*out = NULL;
	int rc = up_facts_load_some(&f, s, day, &just, err);
	if (rc != UP_OK)
		return rc;
	unsigned char *mark = up_xcalloc(f.nunits + 1, 1);
	if (person && f.npeople && f.people[0].unit_ix >= 0)
		mark_subtree(&f, f.people[0].unit_ix, mark);
	if (person)
		rc = own_units(s, &f, person, mark, err);
	int ui = unit ? up_facts_unit(&f, unit) : -1;
	if (ui >= 0) {
		mark_subtree(&f, ui, mark);
		mark_up(&f, ui, mark);
	}
	json_t *ids = json_array();
	for (size_t i = 0; i < f.nunits; i++)
		if (mark[i])
			json_array_append_new(ids, json_string(f.units[i].id));
	/* a unit the facts do not know keeps every unit (in_subtree) */
	if (rc == UP_OK && (person || ui >= 0))
		*out = json_dumps(ids, JSON_COMPACT);
	json_decref(ids);
	free(mark);
	up_facts_free(&f);
	return rc;
}

/* Whom reminders go to needs the units and people (PARTS adds what
 * else is read), never the events or observations; for one person or
 * one unit's subtree, the people near them (near_units). */
static int audience_open(up_audience **out, up_store *s, const up_program *p,
			 int32_t day, const char *for_person,
			 const char *unit, unsigned parts, up_error *err)
{
	char *near = NULL;
	*out = NULL;
	int rc = for_person || unit
		? near_units(s, day, for_person, unit, &near, err) : UP_OK;
	if (rc != UP_OK)
		return rc;
	who *w = up_xcalloc(1, sizeof *w);
	*w = (who){.p = p, .for_ix = -1, .for_id = for_person};
	up_facts_want want = {.parts = UP_FACTS_PEOPLE | parts,
			      .known = UP_KNOWN_ALL, .people_in = near,
			      .person = for_person};
	rc = up_facts_load_some(&w->f, s, day, &want, err);
	free(near);
	if (rc != UP_OK) {
		free(w);
		*out = NULL;
		return rc;
	}
	for (size_t i = 0; i < w->f.npeople; i++)
		up_strmap_put(&w->people, w->f.people[i].id, (int)i);
	w->for_ix = person_ix(w, for_person);
	*out = w;
	return UP_OK;
}

int up_audience_open(up_audience **out, up_store *s, const up_program *p,
		     int32_t day, const char *for_person, up_error *err)
{
	return audience_open(out, s, p, day, for_person, NULL, 0, err);
}

void up_audience_close(up_audience *w)
{
	if (!w)
		return;
	up_strmap_free(&w->people);
	up_facts_free(&w->f);
	free(w);
}

/* Narrows [*LO, *HI] (unit indexes, in preorder) to the subtree of UI. */
static void narrow(const up_facts *f, int ui, int *lo, int *hi)
{
	if (f->units[ui].pre > *lo)
		*lo = f->units[ui].pre;
	if (f->units[ui].post < *hi)
		*hi = f->units[ui].post;
}

json_t *up_audience_units(up_audience *w, const char *unit)
{
	const up_facts *f = &w->f;
	int top = unit ? up_facts_unit(f, unit) : -1;
	int mine = w->for_ix >= 0 ? f->people[w->for_ix].unit_ix : -1;
	/* a unit not in the facts keeps every unit (in_subtree) */
	if (top < 0 && !w->for_id)
		return NULL;
	json_t *a = json_array();
	if (w->for_id && mine < 0)
		return a; /* theirs alone */
	int lo = 0, hi = (int)f->nunits - 1;
	if (top >= 0)
		narrow(f, top, &lo, &hi);
	if (w->for_id)
		narrow(f, mine, &lo, &hi);
	for (int ui = lo; ui <= hi; ui++)
		json_array_append_new(a, json_string(f->units[ui].id));
	return a;
}

int up_audience_keeps(up_audience *w, json_t *o, const char *unit)
{
	int top = unit ? up_facts_unit(&w->f, unit) : -1;
	if (!in_subtree(&w->f, top, up_facts_unit(&w->f, item_str(o, "unit"))))
		return 0;
	if (!w->for_id)
		return 1;
	json_object_set_new(o, "to", addressees(w, o));
	return relation(w, o) != NULL;
}

/* ---- grouping and counting ---- */

/* An item with its unit's place in the tree, for sorting. */
typedef struct {
	int unit;
	json_t *o;
} placed;

static int by_unit(const void *a, const void *b)
{
	const placed *x = a, *y = b;
	if (x->unit != y->unit)
		return (unsigned)x->unit < (unsigned)y->unit ? -1 : 1;
	int c = strcmp(item_str(x->o, "due"), item_str(y->o, "due"));
	return c ? c : strcmp(item_str(x->o, "id"), item_str(y->o, "id"));
}

/* ITEMS grouped by unit, units in tree order: {as_of, person?, name?,
 * units: [{unit, name, items}]}; each item gains the name of its person. */
static json_t *grouped(who *w, json_t *items, const char *as_of)
{
	size_t n = json_array_size(items);
	placed *pv = up_xcalloc(n + 1, sizeof *pv);
	for (size_t i = 0; i < n; i++) {
		pv[i].o = json_array_get(items, i);
		pv[i].unit = up_facts_unit(&w->f, item_str(pv[i].o, "unit"));
	}
	qsort(pv, n, sizeof *pv, by_unit);
	json_t **v = up_xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = pv[i].o;
	free(pv);
	json_t *doc = json_object(), *units = json_array(), *cur = NULL;
	json_object_set_new(doc, "as_of", json_string(as_of));
	if (w->for_id) {
		json_object_set_new(doc, "person", json_string(w->for_id));
		json_object_set_new(doc, "name",
				    json_string(name_of(w, w->for_id)));
	}
	for (size_t i = 0; i < n; i++) {
		const char *unit = item_str(v[i], "unit");
		if (!cur || strcmp(item_str(cur, "unit"), unit)) {
			int ui = up_facts_unit(&w->f, unit);
			cur = json_object();
			json_object_set_new(cur, "unit", json_string(unit));
			json_object_set_new(cur, "name", json_string(
				ui >= 0 && w->f.units[ui].name
				? w->f.units[ui].name : unit));
			json_object_set_new(cur, "items", json_array());
			json_array_append_new(units, cur);
		}
		if (*item_str(v[i], "person"))
			json_object_set_new(v[i], "name", json_string(
				name_of(w, item_str(v[i], "person"))));
		json_array_append(json_object_get(cur, "items"), v[i]);
	}
	free(v);
	json_object_set_new(doc, "units", units);
	return doc;
}

static int unit_depth(const up_facts *f, int ui)
{
	int d = 0;
	while (ui >= 0 && (ui = f->units[ui].parent_ix) >= 0)
		d++;
	return d;
}

/* The units the --for person acts for: their own, those of the people
 * whose escalations go to them, those whose follow-ups do. */
static void units_of(const who *w, unsigned char *mark)
{
	const up_facts *f = &w->f;
	if (w->for_ix >= 0 && f->people[w->for_ix].unit_ix >= 0)
		mark[f->people[w->for_ix].unit_ix] = 1;
	for (size_t pi = 0; pi < f->npeople; pi++)
		for (size_t k = 0; k < w->p->cadence.nplans; k++) {
			const up_plan_def *pl = &w->p->cadence.plans[k];
			if ((int)pi == w->for_ix || f->people[pi].unit_ix < 0
			    || mark[f->people[pi].unit_ix]
			    || up_plan_fits(pl, f, pi, NULL) != UP_PLAN_ON)
				continue;
			size_t n;
			int *ix = up_addressees(f, f->people[pi].unit_ix,
						(int)pi, pl->escalate_to, &n);
			for (size_t i = 0; i < n; i++)
				if (ix[i] == w->for_ix)
					mark[f->people[pi].unit_ix] = 1;
			free(ix);
		}
	for (size_t ui = 0; ui < f->nunits; ui++) {
		size_t n;
		int *ix = up_addressees(f, (int)ui, -1,
					w->p->cadence.followups_to, &n);
		for (size_t i = 0; i < n; i++)
			if (ix[i] == w->for_ix)
				mark[ui] = 1;
		free(ix);
	}
}

/* Per person: on a plan as of the date, and trained in the last
 * TRAINED_DAYS days (any session). */
static void people_flags(const who *w, unsigned char *on, unsigned char *trained)
{
	const up_facts *f = &w->f;
	for (size_t pi = 0; pi < f->npeople; pi++)
		for (size_t k = 0; k < w->p->cadence.nplans && !on[pi]; k++)
			on[pi] = up_plan_fits(&w->p->cadence.plans[k], f, pi,
					      NULL) == UP_PLAN_ON;
	for (size_t i = 0; i < f->ntrainings; i++)
		if (f->trainings[i].day > f->as_of - TRAINED_DAYS)
			trained[f->trainings[i].person_ix] = 1;
}

/*
 * Per unit in SCOPE (tree order), the unit and every unit below it: the
 * people on a training plan, how many trained in the last 90 days, and
 * the reminders of ITEMS due, overdue and lapsed.
 */
static json_t *summary(const who *w, const json_t *items,
		       const unsigned char *scope)
{
	const up_facts *f = &w->f;
	unsigned char *on = up_xcalloc(f->npeople + 1, 1);
	unsigned char *trained = up_xcalloc(f->npeople + 1, 1);
	people_flags(w, on, trained);
	/* each unit's own counts, then its subtree's: units are stored in
	 * tree order, so a child comes after its parent; one pass each, not
	 * units x (people + items) */
	static const char *const states[] = {"due", "overdue", "lapsed"};
	json_int_t (*c)[5] = up_xcalloc(f->nunits + 1, sizeof *c);
	for (size_t pi = 0; pi < f->npeople; pi++) {
		int u = f->people[pi].unit_ix;
		if (on[pi] && u >= 0) {
			c[u][0]++;
			c[u][1] += trained[pi];
		}
	}
	size_t i;
	json_t *o;
	json_array_foreach(items, i, o) {
		int u = up_facts_unit(f, item_str(o, "unit"));
		for (int k = 0; u >= 0 && k < 3; k++)
			c[u][2 + k] += !strcmp(item_str(o, "state"), states[k]);
	}
	for (size_t ui = f->nunits; ui-- > 1;) {
		int parent = f->units[ui].parent_ix;
		for (int k = 0; parent >= 0 && k < 5; k++)
			c[parent][k] += c[ui][k];
	}
	json_t *rows = json_array();
	for (size_t ui = 0; ui < f->nunits; ui++) {
		if (!scope[ui])
			continue;
		json_int_t people = c[ui][0], tr = c[ui][1];
		json_int_t n[3] = {c[ui][2], c[ui][3], c[ui][4]};
		json_array_append_new(rows, UP_JSON(json_pack(
			"{s:s, s:s, s:i, s:I, s:I, s:o, s:I, s:I, s:I}",
			"unit", f->units[ui].id, "name", f->units[ui].name
			? f->units[ui].name : f->units[ui].id, "depth",
			unit_depth(f, (int)ui), "people", people, "trained", tr,
			"share", people ? json_real((double)tr / (double)people)
			: json_null(), "due", n[0], "overdue", n[1], "lapsed",
			n[2])));
	}
	free(c);
	free(on);
	free(trained);
	json_t *doc = UP_JSON(json_pack("{s:s, s:i, s:o}", "as_of",
		f->as_of_s, "days", TRAINED_DAYS, "units", rows));
	if (w->for_id)
		json_object_set_new(doc, "person", json_string(w->for_id));
	return doc;
}

/* ---- the command ---- */

static int check_ids(up_store *s, const up_due_opts *o, up_error *err)
{
	/* a typo must not read as "nothing due" */
	int rc = UP_OK;
	if (rc == UP_OK && o->unit)
		rc = up_ledger_known(s, "units", "unit", o->unit, err);
	if (rc == UP_OK && o->person)
		rc = up_ledger_known(s, "people", "person", o->person, err);
	if (rc == UP_OK && o->for_person)
		rc = up_ledger_known(s, "people", "person", o->for_person,
				     err);
	if (rc == UP_OK && o->format && strcmp(o->format, "table") &&
	    strcmp(o->format, "text") && strcmp(o->format, "md"))
		rc = up_err(err, UP_EINPUT, "unknown format '%s' (table, text "
			    "or md)", o->format);
	return rc;
}

/* The listed items that concern the unit subtree and the --for person,
 * each with who acts on it ("to") and, with --for, why ("for"). */
static json_t *select_items(const who *w, json_t *all, int top)
{
	json_t *out = json_array();
	size_t i;
	json_t *o;
	json_array_foreach(all, i, o) {
		if (!in_subtree(&w->f, top, up_facts_unit(&w->f,
				item_str(o, "unit"))))
			continue;
		json_object_set_new(o, "to", addressees(w, o));
		if (w->for_id) {
			const char *why = relation(w, o);
			if (!why)
				continue;
			json_object_set_new(o, "for", json_string(why));
		}
		json_array_append(out, o);
	}
	return out;
}

static void write_doc(const json_t *doc, FILE *fp)
{
	json_dumpf(doc, fp, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	fputc('\n', fp);
}

static void print_due(const up_due_opts *o, const json_t *items,
		      json_t *doc, const json_t *sum, FILE *fp,
		      unsigned flags)
{
	int text = o->format && !strcmp(o->format, "text");
	int md = o->format && !strcmp(o->format, "md");
	if (sum) {
		if (flags & UP_PRINT_JSON)
			write_doc(sum, fp);
		else
			up_print_due_summary(sum, fp, md);
	} else if (text || md) {
		up_print_due_message(doc, fp, md);
	} else if (flags & UP_PRINT_JSON) {
		if (o->for_person)
			write_doc(doc, fp);
		else
			write_doc(items, fp);
	} else if (o->for_person) {
		/* one person's list: unit by unit, as the message */
		json_t *flat = json_array();
		size_t i;
		json_t *u;
		json_array_foreach(json_object_get(doc, "units"), i, u)
			json_array_extend(flat, json_object_get(u, "items"));
		up_print_due(flat, fp, flags);
		json_decref(flat);
	} else {
		up_print_due(items, fp, flags);
	}
}

int up_due_write(up_store *s, const up_program *p, const up_due_opts *o,
		 FILE *fp, unsigned flags, up_error *err)
{
	int rc;
	int32_t day = day_or_today(o->as_of, err, &rc);
	if (rc == UP_OK)
		rc = check_ids(s, o, err);
	who *w = NULL;
	if (rc == UP_OK)
		rc = audience_open(&w, s, p, day, o->for_person, o->unit,
				   o->summary ? UP_FACTS_TRAININGS : 0, err);
	if (rc != UP_OK)
		return rc;
	int top = o->unit ? up_facts_unit(&w->f, o->unit) : -1;
	/* what can be kept: the unit's subtree, and with --for the units
	 * the person acts for (theirs: their own reminders, anywhere) */
	char *units = NULL;
	if (o->for_person) {
		json_t *u = up_audience_units(w, o->unit);
		units = u ? json_dumps(u, JSON_COMPACT) : NULL;
		json_decref(u);
	} else if (top >= 0) {
		units = up_facts_subtree_json(&w->f, top);
	}
	json_t *all = due_list(s, p->cadence.grace_days, day, units,
			       o->person, o->for_person, err);
	free(units);
	if (!all) {
		up_audience_close(w);
		return up_error_code(err) ? up_error_code(err) : UP_EINTERNAL;
	}
	json_t *items = select_items(w, all, top), *doc = NULL, *sum = NULL;
	if (o->summary) {
		unsigned char *scope = up_xcalloc(w->f.nunits + 1, 1);
		if (o->for_person)
			units_of(w, scope);
		for (size_t ui = 0; ui < w->f.nunits; ui++)
			scope[ui] = (o->for_person ? scope[ui] : 1) &&
				    in_subtree(&w->f, top, (int)ui);
		sum = summary(w, items, scope);
		free(scope);
	} else if (o->for_person || (o->format &&
				     strcmp(o->format, "table"))) {
		doc = grouped(w, items, w->f.as_of_s);
	}
	print_due(o, items, doc, sum, fp, flags);
	json_decref(sum);
	json_decref(doc);
	json_decref(items);
	json_decref(all);
	up_audience_close(w);
	return UP_OK;
}

int up_due_print(up_store *s, const up_program *p, const char *as_of,
		 const char *unit, const char *person, FILE *fp,
		 unsigned flags, up_error *err)
{
	up_due_opts o = {.as_of = as_of, .unit = unit, .person = person};
	return up_due_write(s, p, &o, fp, flags, err);
}

/* Runs SQL on the reminder ID; UP_EINPUT when there is no such id. */
static int change(up_store *s, const char *sql, const char *id,
		  const char *text, up_error *err)
{
	int rc = up_store_begin(s, err);
	if (rc != UP_OK)
		return rc;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), sql, -1, &st, NULL)) {
		rc = up_store_fail(s, "changing a reminder", err);
		up_store_rollback(s);
		return rc;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (text)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	int changed = sqlite3_changes(up_store_db(s));
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		rc = up_store_fail(s, "changing a reminder", err);
	else if (!changed)
		rc = up_err(err, UP_EINPUT, "no reminder '%s' (see 'uptake "
			    "due')", id);
	if (rc != UP_OK) {
		up_store_rollback(s);
		return rc;
	}
	return up_store_commit(s, err);
}

int up_reminder_ack(up_store *s, const char *id, up_error *err)
{
	/* a new SEQUENCE tells calendars the item changed */
	return change(s, "UPDATE reminders SET acked = 1, sequence = sequence"
		      " + 1 WHERE id = ?1", id, NULL, err);
}

int up_reminder_snooze(up_store *s, const char *id, int days,
		       const char *as_of, up_error *err)
{
	int rc;
	int32_t day = day_or_today(as_of, err, &rc);
	if (rc != UP_OK)
		return rc;
	if (days < 1 || days > 365)
		return up_err(err, UP_EINPUT, "--days must be from 1 to 365");
	char until[11];
	up_date_format(day + days, until);
	return change(s, "UPDATE reminders SET snoozed_until = ?2, sequence ="
		      " sequence + 1 WHERE id = ?1", id, until, err);
}
