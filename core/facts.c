/*
 * facts.c: reads what the store knows as of a date into memory once per
 * cycle, so rules query arrays instead of SQLite (and no statement is ever
 * live across a Lua call).  Units are kept in preorder, so "this unit and
 * everything below it" is an interval test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"

static char *col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? up_xstrdup((const char *)s) : NULL;
}

static json_t *col_json(sqlite3_stmt *st, int i, int array)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	json_t *j = s ? json_loads((const char *)s, 0, NULL) : NULL;
	if (!j || (array ? !json_is_array(j) : !json_is_object(j))) {
		json_decref(j);
		j = array ? json_array() : json_object();
	}
	return j;
}

typedef struct {
	const char *id;
	int ix;
} id_ix;

static int id_ix_cmp(const void *a, const void *b)
{
	return strcmp(((const id_ix *)a)->id, ((const id_ix *)b)->id);
}

static void index_units(up_facts *f)
{
	id_ix *tmp = up_xcalloc(f->nunits + 1, sizeof *tmp);
	for (size_t i = 0; i < f->nunits; i++)
		tmp[i] = (id_ix){f->units[i].id, (int)i};
	qsort(tmp, f->nunits, sizeof *tmp, id_ix_cmp);
	f->by_id = up_xcalloc(f->nunits + 1, sizeof *f->by_id);
	for (size_t i = 0; i < f->nunits; i++)
		f->by_id[i] = tmp[i].ix;
	free(tmp);
}

int up_facts_unit(const up_facts *f, const char *id)
{
	size_t lo = 0, hi = f->nunits;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(f->units[f->by_id[mid]].id, id);
		if (c == 0)
			return f->by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Reorders units into preorder (children in store order) and numbers
 * each unit's subtree interval.  A unit whose parent is not active is
 * treated as a root. */
/* The state of one preorder walk: see preorder(). */
typedef struct {
	const up_facts *f;
	int *parent, *first, *next, *newix, *stack;
	char *seen;
	up_unit *out;
	size_t k;
} walk;

/* Depth-first from R, children in store order. */
static void visit(walk *w, int r)
{
	size_t sp = 0;
	w->stack[sp++] = r;
	while (sp) {
		int u = w->stack[--sp];
		w->seen[u] = 1;
		w->newix[u] = (int)w->k;
		w->out[w->k] = w->f->units[u];
		w->out[w->k].pre = w->out[w->k].post = (int)w->k;
		w->k++;
		size_t mark = sp; /* push children, then reverse them */
		for (int c = w->first[u]; c >= 0; c = w->next[c])
			if (!w->seen[c])
				w->stack[sp++] = c;
		for (size_t a = mark, b = sp; a + 1 < b; a++, b--) {
			int t = w->stack[a];
			w->stack[a] = w->stack[b - 1];
			w->stack[b - 1] = t;
		}
	}
}

/* Reorders units into preorder (children in store order) and numbers
 * each unit's subtree interval.  A unit whose parent is not active is a
 * root; so is one on a cycle in the store's data, which the loaders
 * refuse but a damaged store might hold. */
static void preorder(up_facts *f, const char **parents)
{
	size_t n = f->nunits;
	index_units(f);
	walk w = {f, up_xcalloc(n + 1, sizeof(int)),
		  up_xcalloc(n + 1, sizeof(int)), up_xcalloc(n + 1, sizeof(int)),
		  up_xcalloc(n + 1, sizeof(int)), up_xcalloc(n + 1, sizeof(int)),
		  up_xcalloc(n + 1, 1), up_xcalloc(n + 1, sizeof(up_unit)), 0};
	for (size_t i = 0; i < n; i++)
		w.first[i] = w.next[i] = -1;
	for (size_t i = n; i-- > 0;) { /* reversed: lists end up in order */
		w.parent[i] = parents[i] ? up_facts_unit(f, parents[i]) : -1;
		if (w.parent[i] >= 0) {
			w.next[i] = w.first[w.parent[i]];
			w.first[w.parent[i]] = (int)i;
		}
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t r = 0; r < n; r++) {
			if (w.seen[r] || (pass == 0 && w.parent[r] >= 0))
				continue;
			w.parent[r] = -1;
			visit(&w, (int)r);
		}
	for (size_t i = 0; i < n; i++)
		w.out[w.newix[i]].parent_ix =
			w.parent[i] >= 0 ? w.newix[w.parent[i]] : -1;
	for (size_t i = n; i-- > 0;) {
		int pi = w.out[i].parent_ix;
		if (pi >= 0 && w.out[i].post > w.out[pi].post)
			w.out[pi].post = w.out[i].post;
	}
	free(f->units);
	f->units = w.out;
	free(f->by_id);
	index_units(f);
	free(w.parent);
	free(w.first);
	free(w.next);
	free(w.newix);
	free(w.stack);
	free(w.seen);
}

/* A unit's stage as of the date: its last advance by then, else the
 * starting stage program.yaml (or an import) gave it. */
static int load_units(up_facts *f, up_store *s, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s),
		"SELECT id, name, parent, coalesce((SELECT to_stage FROM"
		"  stage_history WHERE unit = units.id AND at <= ?1"
		"  ORDER BY at DESC, id DESC LIMIT 1), stage),"
		" go_live, coalesce(staff, -1),"
		" attrs FROM units WHERE active ORDER BY ord, id", -1, &st,
		NULL))
		return up_store_fail(s, "reading units", err);
	sqlite3_bind_text(st, 1, f->as_of_s, -1, SQLITE_STATIC);
	size_t cap = 0;
	const char **parents = NULL;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (f->nunits == cap) {
			cap = cap ? 2 * cap : 64;
			f->units = up_xrealloc(f->units, cap * sizeof *f->units);
			parents = up_xrealloc(parents, cap * sizeof *parents);
		}
		up_unit *u = &f->units[f->nunits];
		memset(u, 0, sizeof *u);
		u->id = col_str(st, 0);
		u->name = col_str(st, 1);
		u->parent = col_str(st, 2);
		u->stage = col_str(st, 3);
		u->go_live = col_str(st, 4);
		u->staff = sqlite3_column_int64(st, 5);
		u->attrs = col_json(st, 6, 0);
		parents[f->nunits++] = u->parent;
	}
	/* finalize reports a step that failed: never judge on half the facts */
	int bad = sqlite3_finalize(st) != SQLITE_OK;
	preorder(f, parents);
	free(parents);
	return bad ? up_store_fail(s, "reading units", err) : UP_OK;
}

static int person_cmp(const void *a, const void *b)
{
	const up_person *x = a, *y = b;
	if (x->unit_ix != y->unit_ix) /* no unit sorts last */
		return (unsigned)x->unit_ix < (unsigned)y->unit_ix ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* The later of the latest recorded engagement and the program.yaml
 * baseline, both as of the date; a record wins a tie. */
static void engagement_as_of(up_person *p, sqlite3_stmt *st, const char *as_of)
{
	const char *lv = (const char *)sqlite3_column_text(st, 4);
	const char *d = (const char *)sqlite3_column_text(st, 5);
	const char *blv = (const char *)sqlite3_column_text(st, 6);
	const char *bd = (const char *)sqlite3_column_text(st, 7);
	if (blv && bd && strcmp(bd, as_of) <= 0 && (!d || strcmp(bd, d) > 0)) {
		lv = blv;
		d = bd;
	}
	p->level = lv ? up_level_index(lv) : -1;
	snprintf(p->engaged_on, sizeof p->engaged_on, "%s", lv && d ? d : "");
}

static int load_people(up_facts *f, up_store *s, const up_facts_want *want,
		       up_error *err)
{
	sqlite3_stmt *st;
	char *sql = up_xasprintf(
		"SELECT p.id, p.name, p.unit, p.roles, e.level, e.date,"
		" p.level, p.level_since, p.joined"
		" FROM people p LEFT JOIN engagements e ON e.id ="
		" (SELECT id FROM engagements WHERE person = p.id AND date <= ?1"
		"  ORDER BY date DESC, id DESC LIMIT 1)"
		" WHERE p.active AND (p.joined IS NULL OR p.joined <= ?1)%s",
		want->people_in
		? " AND (p.id = ?3 OR p.unit IN (SELECT value FROM json_each(?2))"
		  " OR p.id IN (SELECT person FROM people_history WHERE change"
		  " = 'move' AND date <= ?1 AND value IN (SELECT value FROM"
		  " json_each(?2))) OR p.id IN (SELECT person FROM reminders"
		  " WHERE unit IN (SELECT value FROM json_each(?2))))" : "");
	int bad = sqlite3_prepare_v2(up_store_db(s), sql, -1, &st, NULL);
	free(sql);
	if (bad)
		return up_store_fail(s, "reading people", err);
	sqlite3_bind_text(st, 1, f->as_of_s, -1, SQLITE_STATIC);
	if (want->people_in) {
		sqlite3_bind_text(st, 2, want->people_in, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, want->person ? want->person : "", -1,
				  SQLITE_STATIC);
	}
	size_t cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (f->npeople == cap) {
			cap = cap ? 2 * cap : 64;
			f->people = up_xrealloc(f->people,
						cap * sizeof *f->people);
		}
		up_person *p = &f->people[f->npeople++];
		memset(p, 0, sizeof *p);
		p->id = col_str(st, 0);
		p->name = col_str(st, 1);
		const char *unit = (const char *)sqlite3_column_text(st, 2);
		p->unit_ix = unit ? up_facts_unit(f, unit) : -1;
		p->roles = col_json(st, 3, 1);
		engagement_as_of(p, st, f->as_of_s);
		p->joined = col_str(st, 8);
	}
	if (sqlite3_finalize(st) != SQLITE_OK)
		return up_store_fail(s, "reading people", err);
	/* moves, roles and leaves dated by then; leavers apart */
	int rc = up_people_apply(f, s, err);
	if (rc != UP_OK)
		return rc;
	if (f->npeople)
		qsort(f->people, f->npeople, sizeof *f->people, person_cmp);
	if (f->nleavers)
		qsort(f->leavers, f->nleavers, sizeof *f->leavers, person_cmp);
	return UP_OK;
}

static int load_events(up_facts *f, up_store *s, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s),
		"SELECT e.id, e.kind, e.date, e.unit, e.note, e.attrs,"
		" (SELECT json_group_array(person) FROM (SELECT person FROM"
		"  event_people WHERE event = e.id ORDER BY person))"
		" FROM events e WHERE e.date <= ?1 ORDER BY e.date, e.id", -1,
		&st, NULL))
		return up_store_fail(s, "reading events", err);
	sqlite3_bind_text(st, 1, f->as_of_s, -1, SQLITE_STATIC);
	size_t cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (f->nevents == cap) {
			cap = cap ? 2 * cap : 64;
			f->events = up_xrealloc(f->events,
						cap * sizeof *f->events);
		}
		up_event *e = &f->events[f->nevents++];
		memset(e, 0, sizeof *e);
		e->id = sqlite3_column_int64(st, 0);
		e->kind = col_str(st, 1);
		e->date = col_str(st, 2);
		up_date_parse(e->date, &e->day, NULL);
		const char *unit = (const char *)sqlite3_column_text(st, 3);
		e->unit_ix = unit ? up_facts_unit(f, unit) : -1;
		e->note = col_str(st, 4);
		e->attrs = col_json(st, 5, 0);
		e->people = col_json(st, 6, 1);
	}
	if (sqlite3_finalize(st) != SQLITE_OK)
		return up_store_fail(s, "reading events", err);
	return UP_OK;
}

static int session_cmp(const void *a, const void *b)
{
	const up_session_rec *x = a, *y = b;
	if (x->person_ix != y->person_ix)
		return x->person_ix < y->person_ix ? -1 : 1;
	return x->day < y->day ? -1 : x->day > y->day;
}

/* Trainings attended by active people as of the date. */
static int load_trainings(up_facts *f, up_store *s, up_error *err)
{
	up_strmap ix = {0};
	for (size_t i = 0; i < f->npeople; i++)
		up_strmap_put(&ix, f->people[i].id, (int)i);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT person, date, failed,"
			       " topic FROM trainings WHERE date <= ?1"
			       " ORDER BY person, date, id", -1, &st, NULL)) {
		up_strmap_free(&ix);
		return up_store_fail(s, "reading trainings", err);
	}
	sqlite3_bind_text(st, 1, f->as_of_s, -1, SQLITE_STATIC);
	size_t cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int pi = up_strmap_get(&ix, (const char *)sqlite3_column_text(st, 0));
		if (pi < 0)
			continue;
		if (f->ntrainings == cap) {
			cap = cap ? 2 * cap : 256;
			f->trainings = up_xrealloc(f->trainings,
						   cap * sizeof *f->trainings);
		}
		up_session_rec *t = &f->trainings[f->ntrainings++];
		t->person_ix = pi;
		up_date_parse((const char *)sqlite3_column_text(st, 1), &t->day,
			      NULL);
		t->failed = sqlite3_column_int(st, 2);
		t->topic = col_str(st, 3);
	}
	up_strmap_free(&ix);
	if (sqlite3_finalize(st) != SQLITE_OK)
		return up_store_fail(s, "reading trainings", err);
	if (f->ntrainings)
		qsort(f->trainings, f->ntrainings, sizeof *f->trainings,
		      session_cmp);
	return UP_OK;
}

/* The index of NAME in the sorted list V of N, or -1. */
static int sorted_find(const char *const *v, size_t n, const char *name)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid], name);
		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int up_facts_series(const up_facts *f, const char *name)
{
	return sorted_find((const char *const *)f->series, f->nseries, name);
}

int up_facts_stored(const up_facts *f, const char *name)
{
	return sorted_find((const char *const *)f->stored, f->nstored,
			   name) >= 0;
}

/* The name of every series the store has a value of, at any date: a
 * rule that asks for another has a typo (ctx:series says so). */
static int load_stored_series(up_facts *f, up_store *s, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT DISTINCT series FROM"
			       " observations ORDER BY series", -1, &st, NULL))
		return up_store_fail(s, "reading series", err);
	size_t cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (f->nstored == cap) {
			cap = cap ? 2 * cap : 16;
			f->stored = up_xrealloc(f->stored,
						cap * sizeof *f->stored);
		}
		f->stored[f->nstored++] = col_str(st, 0);
	}
	return sqlite3_finalize(st) == SQLITE_OK
		? UP_OK : up_store_fail(s, "reading series", err);
}

char *up_facts_subtree_json(const up_facts *f, int ui)
{
	json_t *a = json_array();
	for (int i = ui; i >= 0 && i <= f->units[ui].post; i++)
		json_array_append_new(a, json_string(f->units[i].id));
	char *text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return text;
}

/*
 * A statement over the observations known as of the date (those whose
 * period has ended), of the units in IDS when not NULL.  Known as of
 * import ?2 (f->known): the current value if that import or an earlier
 * one wrote it, else the value it replaced that was current then.
 */
static sqlite3_stmt *obs_query(up_facts *f, up_store *s, const char *what,
			       const char *ids, const char *tail)
{
	int all = f->known == UP_KNOWN_ALL;
	/* in each arm of the union: SQLite pushes no IN (subquery) down */
	const char *in = ids ? " AND unit IN (SELECT value FROM json_each(?3))"
			     : "";
	char *sql = all
		? up_xasprintf("SELECT %s FROM observations WHERE end <= ?1%s"
			       " %s", what, in, tail)
		: up_xasprintf("SELECT %s FROM (SELECT unit, series, kind,"
			       " start, end, value FROM observations WHERE"
			       " batch <= ?2%s UNION ALL SELECT unit, series,"
			       " kind, start, end, value FROM"
			       " observation_history WHERE batch <= ?2 AND"
			       " replaced_by > ?2%s) WHERE end <= ?1 %s", what,
			       in, in, tail);
	sqlite3_stmt *st = NULL;
	int bad = sqlite3_prepare_v2(up_store_db(s), sql, -1, &st, NULL);
	free(sql);
	if (bad)
		return NULL;
	sqlite3_bind_int(st, 1, f->as_of);
	if (!all)
		sqlite3_bind_int64(st, 2, f->known);
	if (ids)
		sqlite3_bind_text(st, 3, ids, -1, SQLITE_STATIC);
	return st;
}

/* Observations known as of the date; with SUBTREE, of its units alone
 * (and no list of every stored series: only ctx asks for that). */
static int load_observations(up_facts *f, up_store *s, const char *subtree,
			     up_error *err)
{
	if (!subtree && load_stored_series(f, s, err) != UP_OK)
		return UP_EINTERNAL;
	char *ids = subtree ? up_facts_subtree_json(f, up_facts_unit(f,
								   subtree))
			    : NULL;
	sqlite3_stmt *st = obs_query(f, s, "DISTINCT series", ids,
				     "ORDER BY series");
	if (!st) {
		free(ids);
		return up_store_fail(s, "reading series", err);
	}
	size_t cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (f->nseries == cap) {
			cap = cap ? 2 * cap : 16;
			f->series = up_xrealloc(f->series,
						cap * sizeof *f->series);
		}
		f->series[f->nseries++] = col_str(st, 0);
	}
	if (sqlite3_finalize(st) != SQLITE_OK) {
		free(ids);
		return up_store_fail(s, "reading series", err);
	}
	st = obs_query(f, s, "unit, series, kind, start, end, value", ids,
		       "ORDER BY start, unit, series");
	if (!st) {
		free(ids);
		return up_store_fail(s, "reading observations", err);
	}
	cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *unit = (const char *)sqlite3_column_text(st, 0);
		int ui = up_facts_unit(f, unit);
		if (ui < 0)
			continue; /* a unit no longer active */
		if (f->nobs == cap) {
			cap = cap ? 2 * cap : 1024;
			f->obs = up_xrealloc(f->obs, cap * sizeof *f->obs);
		}
		up_obs *o = &f->obs[f->nobs++];
		o->unit_ix = ui;
		o->series = up_facts_series(
			f, (const char *)sqlite3_column_text(st, 1));
		o->kind = sqlite3_column_int(st, 2);
		o->start = sqlite3_column_int(st, 3);
		o->end = sqlite3_column_int(st, 4);
		o->value = sqlite3_column_double(st, 5);
	}
	int bad = sqlite3_finalize(st) != SQLITE_OK;
	free(ids);
	return bad ? up_store_fail(s, "reading observations", err) : UP_OK;
}

/* ---- indexes for ctx's filters ---- */

/* A fact's index under a sort key: a string, then a number. */
typedef struct {
	const char *s; /* NULL: not part of the key */
	long long k;
	int ix;
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
	const keyed *x = a, *y = b;
	int c = x->s && y->s ? strcmp(x->s, y->s) : 0;
	if (c)
		return c;
	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	return (x->ix > y->ix) - (x->ix < y->ix);
}

/* The indexes of V (N long) in key order; V is freed. */
static int *sorted_ix(keyed *v, size_t n)
{
	qsort(v, n, sizeof *v, keyed_cmp);
	int *out = up_xcalloc(n + 1, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = v[i].ix;
	free(v);
	return out;
}

static int *people_ids(const up_person *people, size_t n)
{
	keyed *v = up_xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = (keyed){people[i].id, 0, (int)i};
	return sorted_ix(v, n);
}

/* Every (person, event) pair, by person id and then event. */
static void index_event_people(up_facts *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nevents; i++)
		n += json_array_size(f->events[i].people);
	keyed *v = up_xcalloc(n + 1, sizeof *v);
	n = 0;
	for (size_t i = 0; i < f->nevents; i++) {
		size_t k;
		json_t *p;
		json_array_foreach(f->events[i].people, k, p)
			if (json_string_value(p))
				v[n++] = (keyed){json_string_value(p), 0,
						 (int)i};
	}
	qsort(v, n, sizeof *v, keyed_cmp);
	f->ev_by_person = up_xcalloc(n + 1, sizeof *f->ev_by_person);
	for (size_t i = 0; i < n; i++)
		f->ev_by_person[i] = (up_ev_person){v[i].s, v[i].ix};
	f->nev_person = n;
	free(v);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Calls FN(f, ARG, person, role) for every role of every person present. */
static void each_role(up_facts *f, void (*fn)(up_facts *, void *, int,
					       const char *), void *arg)
{
	for (size_t i = 0; i < f->npeople; i++) {
		size_t k;
		json_t *r;
		json_array_foreach(f->people[i].roles, k, r)
			if (json_string_value(r))
				fn(f, arg, (int)i, json_string_value(r));
	}
}

static void note_role(up_facts *f, void *arg, int person, const char *role)
{
	up_strmap *seen = arg;
	(void)person;
	if (up_strmap_put(seen, role, 0) < 0) {
		f->role_names = up_xrealloc(f->role_names, (f->nrole_names + 1)
					    * sizeof *f->role_names);
		f->role_names[f->nrole_names++] = role;
	}
}

static void count_role(up_facts *f, void *arg, int person, const char *role)
{
	(void)person;
	f->role_start[up_strmap_get(arg, role) + 1]++;
}

typedef struct {
	up_strmap *rank;
	size_t *next;
} role_fill;

static void place_role(up_facts *f, void *arg, int person, const char *role)
{
	role_fill *q = arg;
	f->people_by_role[q->next[up_strmap_get(q->rank, role)]++] = person;
}

/* A handful of roles among many people: a counting sort by role keeps
 * each role's people in list order, in time linear in the people. */
static void index_roles(up_facts *f)
{
	up_strmap seen = {0}, rank = {0};
	each_role(f, note_role, &seen);
	up_strmap_free(&seen);
	size_t nr = f->nrole_names;
	if (nr)
		qsort(f->role_names, nr, sizeof *f->role_names, name_cmp);
	for (size_t r = 0; r < nr; r++)
		up_strmap_put(&rank, f->role_names[r], (int)r);
	f->role_start = up_xcalloc(nr + 2, sizeof *f->role_start);
	each_role(f, count_role, &rank);
	for (size_t r = 0; r < nr; r++)
		f->role_start[r + 1] += f->role_start[r];
	f->people_by_role = up_xcalloc(f->role_start[nr] + 1,
				       sizeof *f->people_by_role);
	role_fill q = {&rank, up_xcalloc(nr + 1, sizeof *q.next)};
	memcpy(q.next, f->role_start, nr * sizeof *q.next);
	each_role(f, place_role, &q);
	free(q.next);
	up_strmap_free(&rank);
}

size_t up_facts_role_holders(const up_facts *f, const char *role,
			     const int **run)
{
	int r = sorted_find(f->role_names, f->nrole_names, role);
	*run = f->people_by_role;
	if (r < 0)
		return 0;
	*run += f->role_start[r];
	return f->role_start[r + 1] - f->role_start[r];
}

/* Rules ask for the facts of one unit, subtree, kind or person once per
 * unit judged; these orderings make each such question a bisection
 * instead of a walk over the whole system. */
static void index_facts(up_facts *f)
{
	keyed *v = up_xcalloc(f->nevents + 1, sizeof *v);
	for (size_t i = 0; i < f->nevents; i++) /* no unit (-1) sorts last */
		v[i] = (keyed){NULL, (unsigned)f->events[i].unit_ix, (int)i};
	f->ev_by_unit = sorted_ix(v, f->nevents);
	v = up_xcalloc(f->nevents + 1, sizeof *v);
	for (size_t i = 0; i < f->nevents; i++)
		v[i] = (keyed){f->events[i].kind, 0, (int)i};
	f->ev_by_kind = sorted_ix(v, f->nevents);
	index_event_people(f);
	f->people_by_id = people_ids(f->people, f->npeople);
	f->leavers_by_id = people_ids(f->leavers, f->nleavers);
	index_roles(f);
	v = up_xcalloc(f->nobs + 1, sizeof *v);
	for (size_t i = 0; i < f->nobs; i++)
		v[i] = (keyed){NULL, (long long)f->obs[i].series *
				 ((long long)f->nunits + 1) + f->obs[i].unit_ix,
			       (int)i};
	f->obs_by_series = sorted_ix(v, f->nobs);
}

int up_facts_load_as_ran(up_facts *f, up_store *s, long long cycle,
			 int32_t as_of, unsigned parts, const char *subtree,
			 up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT coalesce(known, -1)"
			       " FROM cycles WHERE id = ?1", -1, &st, NULL))
		return up_store_fail(s, "reading the cycle", err);
	sqlite3_bind_int64(st, 1, cycle);
	long long known = sqlite3_step(st) == SQLITE_ROW
		? sqlite3_column_int64(st, 0) : UP_KNOWN_ALL;
	sqlite3_finalize(st);
	up_facts_want want = {.parts = parts, .known = known,
			      .subtree = subtree};
	return up_facts_load_some(f, s, as_of, &want, err);
}

int up_facts_load(up_facts *f, up_store *s, int32_t as_of, up_error *err)
{
	return up_facts_load_known(f, s, as_of, UP_KNOWN_ALL, err);
}

int up_facts_load_known(up_facts *f, up_store *s, int32_t as_of,
			long long known, up_error *err)
{
	up_facts_want want = {.parts = UP_FACTS_ALL, .known = known};
	return up_facts_load_some(f, s, as_of, &want, err);
}

int up_facts_load_some(up_facts *f, up_store *s, int32_t as_of,
		       const up_facts_want *want, up_error *err)
{
	unsigned parts = want->parts;
	/* a catch-up loads day after day into the same struct: the serial,
	 * not the address, tells one day's facts from the next */
	static unsigned long loads;
	memset(f, 0, sizeof *f);
	f->serial = ++loads;
	f->as_of = as_of;
	f->known = want->known;
	up_date_format(as_of, f->as_of_s);
	int rc = load_units(f, s, err);
	if (rc == UP_OK && (parts & UP_FACTS_PEOPLE))
		rc = load_people(f, s, want, err);
	if (rc == UP_OK && (parts & UP_FACTS_EVENTS))
		rc = load_events(f, s, err);
	if (rc == UP_OK && (parts & UP_FACTS_OBS))
		rc = load_observations(f, s, want->subtree, err);
	if (rc == UP_OK && (parts & UP_FACTS_TRAININGS) == UP_FACTS_TRAININGS)
		rc = load_trainings(f, s, err);
	if (rc == UP_OK && (parts & UP_FACTS_LEDGER))
		rc = up_ledger_load(&f->ledger, s, f, err);
	if (rc == UP_OK)
		index_facts(f);
	if (rc != UP_OK)
		up_facts_free(f);
	return rc;
}

void up_facts_free(up_facts *f)
{
	for (size_t i = 0; i < f->nunits; i++) {
		up_unit *u = &f->units[i];
		free(u->id);
		free(u->name);
		free(u->parent);
		free(u->stage);
		free(u->go_live);
		json_decref(u->attrs);
	}
	for (size_t i = 0; i < f->ntrainings; i++)
		free(f->trainings[i].topic);
	free(f->trainings);
	for (size_t i = 0; i < f->npeople + f->nleavers; i++) {
		up_person *p = i < f->npeople ? &f->people[i]
					      : &f->leavers[i - f->npeople];
		free(p->id);
		free(p->name);
		free(p->joined);
		free(p->left);
		json_decref(p->roles);
		json_decref(p->roles_since);
	}
	for (size_t i = 0; i < f->nevents; i++) {
		up_event *e = &f->events[i];
		free(e->kind);
		free(e->date);
		free(e->note);
		json_decref(e->attrs);
		json_decref(e->people);
	}
	if (f->unit_metrics)
		for (size_t i = 0; i < f->nunits; i++)
			json_decref(f->unit_metrics[i]);
	free(f->unit_metrics);
	up_ledger_free(f->ledger);
	for (size_t i = 0; i < f->nseries; i++)
		free(f->series[i]);
	free(f->series);
	for (size_t i = 0; i < f->nstored; i++)
		free(f->stored[i]);
	free(f->stored);
	free(f->obs);
	free(f->units);
	free(f->by_id);
	free(f->people);
	free(f->leavers);
	free(f->events);
	free(f->ev_by_unit);
	free(f->ev_by_kind);
	free(f->ev_by_person);
	free(f->people_by_id);
	free(f->leavers_by_id);
	free(f->role_names);
	free(f->role_start);
	free(f->people_by_role);
	free(f->obs_by_series);
	memset(f, 0, sizeof *f);
}
