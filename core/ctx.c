/*
 * ctx.c: what a rule sees.  The ctx handed to a rule is a read-only view
 * of facts as of the cycle date, built from the facts the cycle loaded;
 * rules never reach the store.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "host_priv.h"
#include "metric.h"
#include "pack.h"

static up_host *host_of(lua_State *L)
{
	return (*(up_sandbox **)lua_getextraspace(L))->h;
}

static void set_str(lua_State *L, const char *k, const char *v)
{
	if (!v)
		return;
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

/* Pushes a JSON array of strings, or an object of strings, as a table. */
static void push_json(lua_State *L, const json_t *j)
{
	if (json_is_array(j)) {
		lua_createtable(L, (int)json_array_size(j), 0);
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v) {
			lua_pushstring(L, json_string_value(v));
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		return;
	}
	lua_createtable(L, 0, (int)json_object_size(j));
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)j, k, v) {
		if (json_is_string(v))
			set_str(L, k, json_string_value(v));
	}
}

static void push_unit(lua_State *L, const up_unit *u)
{
	lua_createtable(L, 0, 8);
	set_str(L, "id", u->id);
	set_str(L, "name", u->name);
	set_str(L, "stage", u->stage);
	set_str(L, "parent", u->parent);
	set_str(L, "go_live", u->go_live);
	if (u->staff >= 0) {
		lua_pushinteger(L, u->staff);
		lua_setfield(L, -2, "staff");
	}
	push_json(L, u->attrs);
	up_sandbox_readonly(L);
	lua_setfield(L, -2, "attrs");
}

static void push_person(lua_State *L, const up_facts *f, const up_person *p)
{
	lua_createtable(L, 0, 6);
	set_str(L, "id", p->id);
	set_str(L, "name", p->name);
	set_str(L, "unit", p->unit_ix >= 0 ? f->units[p->unit_ix].id : NULL);
	push_json(L, p->roles);
	lua_setfield(L, -2, "roles");
	if (p->level >= 0) {
		set_str(L, "engagement", up_levels[p->level]);
		set_str(L, "engaged_on", p->engaged_on);
	}
	set_str(L, "left", p->left);
}

static void push_event(lua_State *L, const up_facts *f, const up_event *e)
{
	lua_createtable(L, 0, 7);
	lua_pushinteger(L, e->id);
	lua_setfield(L, -2, "id");
	set_str(L, "kind", e->kind);
	set_str(L, "date", e->date);
	set_str(L, "unit", e->unit_ix >= 0 ? f->units[e->unit_ix].id : NULL);
	set_str(L, "note", e->note);
	push_json(L, e->people);
	lua_setfield(L, -2, "people");
	push_json(L, e->attrs);
	lua_setfield(L, -2, "attrs");
}

/* ---- filters ---- */

typedef struct {
	int unit, within;     /* unit indexes or -1 */
	int lineage;          /* unit index or -1: it and the units above */
	int min_level;        /* -1: any */
	int32_t since, until; /* inclusive */
	int has_since, has_until;
} filter;

/* Errors name the method and point at the rule's line (luaL_error's
 * level 1 is the rule that called us).  Of several unknown keys the
 * first in key order is named, so the message is the same every run. */
static void check_keys(lua_State *L, const char *method,
		       const char *const *keys, size_t n)
{
	lua_pushnil(L); /* the first unknown key so far */
	int bad = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, 2)) {
		lua_pop(L, 1);
		const char *k = lua_type(L, -1) == LUA_TSTRING
			? lua_tostring(L, -1) : NULL;
		size_t i = 0;
		while (k && i < n && strcmp(k, keys[i]))
			i++;
		if ((!k || i == n) && (lua_isnil(L, bad) ||
				       up_sandbox_key_before(L, -1, bad)))
			lua_copy(L, -1, bad);
	}
	if (lua_isnil(L, bad)) {
		lua_pop(L, 1);
		return;
	}
	const char *k = lua_type(L, bad) == LUA_TSTRING ? lua_tostring(L, bad)
							: NULL;
	const char *hint = k ? up_did_you_mean(k, keys, n) : NULL;
	if (hint)
		luaL_error(L, "%s: unknown filter '%s' (did you mean '%s'?)",
			   method, k, hint);
	luaL_error(L, "%s: unknown filter '%s'", method,
		   k ? k : luaL_typename(L, bad));
}

static int opt_unit(lua_State *L, const up_facts *f, const char *key,
		    const char *method)
{
	if (lua_getfield(L, 2, key) == LUA_TNIL) {
		lua_pop(L, 1);
		return -1;
	}
	const char *id = lua_tostring(L, -1);
	int ix = id ? up_facts_unit(f, id) : -1;
	if (ix < 0)
		luaL_error(L, "%s: unknown unit '%s' in '%s'", method,
			   id ? id : luaL_typename(L, -1), key);
	lua_pop(L, 1);
	return ix;
}

static int opt_date(lua_State *L, const char *key, const char *method,
		    int32_t *out)
{
	if (lua_getfield(L, 2, key) == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	const char *s = lua_tostring(L, -1);
	const char *why = "not a string";
	if (!s || up_date_parse(s, out, &why) != UP_OK)
		luaL_error(L, "%s: bad date in '%s' (%s)", method, key, why);
	lua_pop(L, 1);
	return 1;
}

/* Does the string or list of strings at the top match name? */
static int matches_any(lua_State *L, const char *name)
{
	if (lua_type(L, -1) == LUA_TSTRING)
		return strcmp(lua_tostring(L, -1), name) == 0;
	size_t n = lua_rawlen(L, -1);
	for (size_t i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, (lua_Integer)i);
		const char *s = lua_tostring(L, -1);
		int hit = s && !strcmp(s, name);
		lua_pop(L, 1);
		if (hit)
			return 1;
	}
	return 0;
}

static int opt_names(lua_State *L, const char *key, const char *method)
{
	int t = lua_getfield(L, 2, key);
	if (t == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (t != LUA_TSTRING && t != LUA_TTABLE)
		luaL_error(L, "%s: '%s' must be a string or a list of "
			   "strings", method, key);
	up_sandbox_unwrap(L); /* role = ctx.params.roles */
	return 1; /* left on the stack for matches_any */
}

/* 'limit': at most that many, the first in the list's order, so that
 * "is there any" costs one table, not one per match. */
static lua_Integer opt_limit(lua_State *L, const char *method)
{
	if (lua_getfield(L, 2, "limit") == LUA_TNIL) {
		lua_pop(L, 1);
		return LUA_MAXINTEGER;
	}
	int whole = 0;
	lua_Integer n = lua_type(L, -1) == LUA_TNUMBER
		? lua_tointegerx(L, -1, &whole) : 0;
	if (!whole || n < 1)
		luaL_error(L, "%s: 'limit' must be a whole number, at least 1",
			   method);
	lua_pop(L, 1);
	return n;
}

static void read_filter(lua_State *L, const up_facts *f, const char *method,
			filter *flt)
{
	memset(flt, 0, sizeof *flt);
	flt->unit = opt_unit(L, f, "unit", method);
	flt->within = opt_unit(L, f, "within", method);
	flt->lineage = -1;
	flt->has_since = opt_date(L, "since", method, &flt->since);
	flt->has_until = opt_date(L, "until", method, &flt->until);
	flt->min_level = -1;
}

static int in_scope(const up_facts *f, const filter *flt, int unit_ix)
{
	if (flt->unit >= 0 && unit_ix != flt->unit)
		return 0;
	if (flt->within >= 0) {
		const up_unit *w = &f->units[flt->within];
		if (unit_ix < 0 || f->units[unit_ix].pre < w->pre ||
		    f->units[unit_ix].pre > w->post)
			return 0;
	}
	return 1;
}

/* Is unit A the unit U or above it?  An event of no unit (A < 0) is
 * the whole organisation's, above every unit. */
static int above_or_at(const up_facts *f, int a, int u)
{
	return a < 0 || (f->units[a].pre <= f->units[u].pre &&
			 f->units[u].pre <= f->units[a].post);
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Sorts the N indexes of V (back into the list's own order, which is
 * what ctx returns) and drops repeats; returns how many are left. */
static size_t sort_unique(int *v, size_t n)
{
	if (n < 2)
		return n;
	qsort(v, n, sizeof *v, int_cmp);
	size_t k = 1;
	for (size_t i = 1; i < n; i++)
		if (v[i] != v[k - 1])
			v[k++] = v[i];
	return k;
}

/* Scratch space for N indexes, on the Lua stack so that an error in a
 * rule's call frees it. */
static int *scratch(lua_State *L, size_t n)
{
	return lua_newuserdatauv(L, (n + 1) * sizeof(int), 0);
}

static void args(lua_State *L)
{
	if (lua_isnoneornil(L, 2)) {
		lua_settop(L, 1);
		lua_newtable(L);
	}
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_settop(L, 2);
}

static int has_role(lua_State *L, const up_person *p)
{
	size_t i;
	json_t *r;
	json_array_foreach(p->roles, i, r) {
		if (matches_any(L, json_string_value(r)))
			return 1;
	}
	return 0;
}

/* The people of units LO to HI (as unsigned: no unit, -1, is last), a
 * run [FROM, TO) of PEOPLE (N long, by unit). */
static void people_run(const up_person *people, size_t n, unsigned lo,
		       unsigned hi, size_t *from, size_t *to)
{
	size_t a = 0, b = n;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if ((unsigned)people[mid].unit_ix < lo)
			a = mid + 1;
		else
			b = mid;
	}
	*from = a;
	while (a < n && (unsigned)people[a].unit_ix <= hi)
		a++;
	*to = a;
}

/*
 * People are sorted by unit, and units are in preorder, so the people of a
 * unit or a subtree are one run of the array PEOPLE (N long): find it by
 * bisection.
 */
static void people_span(const up_facts *f, const up_person *people,
			size_t n, const filter *flt, size_t *from, size_t *to)
{
	*from = 0;
	*to = n;
	if (flt->unit < 0 && flt->within < 0)
		return;
	unsigned lo = (unsigned)(flt->unit >= 0 ? flt->unit : flt->within);
	unsigned hi = flt->unit >= 0 ? lo : (unsigned)f->units[lo].post;
	people_run(people, n, lo, hi, from, to);
}

/* Whether the names at stack index NAMES (a string or a list) hold S. */
static int named(lua_State *L, int names, const char *s)
{
	lua_pushvalue(L, names);
	int hit = matches_any(L, s);
	lua_pop(L, 1);
	return hit;
}

/* A name looked up in an index: two bisections, charged as such. */
enum { LOOKUP_STEPS = 32 };

/* Calls FN(name, ARG) for each name of the string or list at NAMES;
 * returns the sum of what it returns.  Each lookup is charged, so a
 * rule's long list of names costs it what it costs the cycle. */
static size_t each_name(lua_State *L, int names,
			size_t (*fn)(const char *, void *), void *arg)
{
	up_sandbox_charge(L, LOOKUP_STEPS);
	if (lua_type(L, names) == LUA_TSTRING)
		return fn(lua_tostring(L, names), arg);
	size_t n = lua_rawlen(L, names), sum = 0;
	up_sandbox_charge(L, LOOKUP_STEPS * (long long)n);
	for (size_t i = 1; i <= n; i++) {
		lua_rawgeti(L, names, (lua_Integer)i);
		const char *s = lua_tostring(L, -1);
		if (s)
			sum += fn(s, arg);
		lua_pop(L, 1);
	}
	return sum;
}

/* A list of people sorted by id through BY_ID; OUT, when set, gets the
 * indexes of those with the id asked. */
typedef struct {
	const up_person *people;
	const int *by_id;
	size_t n;
	int *out;
	size_t k;
} id_lookup;

/* Where ID is, or would be, in BY_ID. */
static size_t id_lower(const up_person *people, const int *by_id, size_t n,
		       const char *id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(people[by_id[mid]].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t person_by_id(const char *id, void *arg)
{
	id_lookup *q = arg;
	size_t lo = id_lower(q->people, q->by_id, q->n, id), found = 0;
	for (; lo < q->n && !strcmp(q->people[q->by_id[lo]].id, id); lo++) {
		if (q->out)
			q->out[q->k++] = q->by_id[lo];
		found++;
	}
	return found;
}

/* Adds the indexes of the people of unit U (as unsigned) to OUT at K. */
static void add_run(const up_person *people, size_t n, unsigned u, int *out,
		    size_t *k)
{
	size_t from, to;
	people_run(people, n, u, u, &from, &to);
	for (size_t i = from; i < to; i++, (*k)++)
		if (out)
			out[*k] = (int)i;
}

/* The indexes of the people of unit U, of every unit above it and of no
 * unit, in list order. */
static size_t people_lineage(lua_State *L, const up_facts *f,
			     const up_person *people, size_t n, int u,
			     int **out)
{
	size_t k = 0;
	for (int pass = 0; pass < 2; pass++) {
		int *v = pass ? *out = scratch(L, k) : NULL;
		k = 0;
		add_run(people, n, (unsigned)-1, v, &k);
		for (int at = u; at >= 0; at = f->units[at].parent_ix)
			add_run(people, n, (unsigned)at, v, &k);
	}
	return sort_unique(*out, k);
}

typedef struct {
	const up_facts *f;
	int *out;
	size_t k;
} role_lookup;

static size_t people_with_role(const char *role, void *arg)
{
	role_lookup *q = arg;
	const int *run;
	size_t n = up_facts_role_holders(q->f, role, &run);
	for (size_t i = 0; q->out && i < n; i++)
		q->out[q->k++] = run[i];
	return n;
}

/* The indexes of PEOPLE (N long, sorted by id through BY_ID) to look at
 * for the filter: those with an id at IDS (a stack index, 0 for none),
 * else those of the unit or subtree, or the holders of the roles at
 * ROLES (0: no role index for these people) when they are fewer.  Left
 * on the stack as a userdata; returns how many. */
static size_t people_cands(lua_State *L, const up_facts *f,
			   const up_person *people, const int *by_id,
			   size_t n, const filter *flt, int ids, int roles,
			   int **out)
{
	if (ids) {
		id_lookup q = {people, by_id, n, NULL, 0};
		size_t count = each_name(L, ids, person_by_id, &q);
		q.out = *out = scratch(L, count);
		each_name(L, ids, person_by_id, &q);
		return sort_unique(*out, q.k);
	}
	size_t from, to;
	if (flt->lineage >= 0)
		return people_lineage(L, f, people, n, flt->lineage, out);
	people_span(f, people, n, flt, &from, &to);
	role_lookup q = {f, NULL, 0};
	if (roles && each_name(L, roles, people_with_role, &q) < to - from) {
		q.out = *out = scratch(L, to - from);
		each_name(L, roles, people_with_role, &q);
		return sort_unique(*out, q.k);
	}
	*out = scratch(L, to - from);
	for (size_t i = from; i < to; i++)
		(*out)[i - from] = (int)i;
	return to - from;
}

/* ctx:people{id=, role=, unit=, within=, lineage=, min_engagement=,
 * include_left=, limit=}:
 * those present as of the date; with include_left, those who had left by
 * then too, after them. */
static int ctx_people(lua_State *L)
{
	static const char *const keys[] = {"role", "unit", "within",
					   "min_engagement", "include_left",
					   "id", "lineage", "limit"};
	const up_facts *f = host_of(L)->facts;
	args(L);
	check_keys(L, "people", keys, UP_COUNTOF(keys));
	filter flt;
	read_filter(L, f, "people", &flt);
	flt.lineage = opt_unit(L, f, "lineage", "people");
	if (lua_getfield(L, 2, "min_engagement") != LUA_TNIL) {
		const char *lv = lua_tostring(L, -1);
		flt.min_level = lv ? up_level_index(lv) : -1;
		if (flt.min_level < 0)
			luaL_error(L, "people: min_engagement '%s' is not on "
				   "the ladder (unaware, informed, consulted, "
				   "involved, bought_in)", lv ? lv : "?");
	}
	lua_pop(L, 1);
	int t = lua_getfield(L, 2, "include_left");
	if (t != LUA_TNIL && t != LUA_TBOOLEAN)
		luaL_error(L, "people: 'include_left' must be true or false");
	int with_left = lua_toboolean(L, -1);
	lua_pop(L, 1);
	lua_Integer limit = opt_limit(L, "people");
	int roles = opt_names(L, "role", "people") ? lua_gettop(L) : 0;
	int ids = opt_names(L, "id", "people") ? lua_gettop(L) : 0;
	lua_newtable(L);
	int out = lua_gettop(L);
	lua_Integer n = 0;
	for (int pass = 0; pass < 1 + with_left && n < limit; pass++) {
		const up_person *people = pass ? f->leavers : f->people;
		int *cand = NULL;
		size_t nc = people_cands(L, f, people,
					 pass ? f->leavers_by_id
					      : f->people_by_id,
					 pass ? f->nleavers : f->npeople, &flt,
					 ids, pass ? 0 : roles, &cand);
		up_sandbox_charge(L, 4 * (long long)nc);
		for (size_t c = 0; c < nc && n < limit; c++) {
			const up_person *p = &people[cand[c]];
			if (!in_scope(f, &flt, p->unit_ix) ||
			    (flt.lineage >= 0 &&
			     !above_or_at(f, p->unit_ix, flt.lineage)) ||
			    (flt.min_level >= 0 && p->level < flt.min_level))
				continue;
			if (roles) {
				lua_pushvalue(L, roles);
				int hit = has_role(L, p);
				lua_pop(L, 1);
				if (!hit)
					continue;
			}
			push_person(L, f, p);
			lua_rawseti(L, out, ++n);
		}
		lua_pop(L, 1); /* the candidates */
	}
	return 1;
}

/* ---- events: the fewest to look at ---- */

/* Where in ev_by_unit the events of units LO to HI (preorder numbers,
 * as unsigned so that no unit, -1, is last) are; OUT gets them. */
static size_t ev_units(const up_facts *f, unsigned lo, unsigned hi, int *out)
{
	size_t a = 0, b = f->nevents;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if ((unsigned)f->events[f->ev_by_unit[mid]].unit_ix < lo)
			a = mid + 1;
		else
			b = mid;
	}
	size_t from = a;
	for (b = f->nevents; a < b;) { /* counting looks at no event */
		size_t mid = a + (b - a) / 2;
		if ((unsigned)f->events[f->ev_by_unit[mid]].unit_ix <= hi)
			a = mid + 1;
		else
			b = mid;
	}
	for (size_t i = from; out && i < a; i++)
		out[i - from] = f->ev_by_unit[i];
	return a - from;
}

/* The events of unit U, of every unit above it and of no unit. */
static size_t ev_lineage(const up_facts *f, int u, int *out)
{
	size_t n = ev_units(f, (unsigned)-1, (unsigned)-1, out);
	for (; u >= 0; u = f->units[u].parent_ix)
		n += ev_units(f, (unsigned)u, (unsigned)u, out ? out + n : NULL);
	return n;
}

typedef struct {
	const up_facts *f;
	int *out;
	size_t k;
} ev_lookup;

static const char *kind_at(const up_facts *f, size_t i)
{
	return f->events[f->ev_by_kind[i]].kind;
}

static const char *person_at(const up_facts *f, size_t i)
{
	return f->ev_by_person[i].person;
}

/* Where NAME starts (UPPER 0) or ends (UPPER 1) in an index of N sorted
 * by KEY: a bisection, so counting a run looks at no event. */
static size_t name_bound(const up_facts *f, size_t n,
			 const char *(*key)(const up_facts *, size_t),
			 const char *name, int upper)
{
	size_t a = 0, b = n;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		int c = strcmp(key(f, mid), name);
		if (c < 0 || (upper && c == 0))
			a = mid + 1;
		else
			b = mid;
	}
	return a;
}

static size_t ev_kind(const char *kind, void *arg)
{
	ev_lookup *q = arg;
	size_t from = name_bound(q->f, q->f->nevents, kind_at, kind, 0);
	size_t to = name_bound(q->f, q->f->nevents, kind_at, kind, 1);
	for (size_t i = from; q->out && i < to; i++)
		q->out[q->k++] = q->f->ev_by_kind[i];
	return to - from;
}

static size_t ev_person(const char *person, void *arg)
{
	ev_lookup *q = arg;
	size_t from = name_bound(q->f, q->f->nev_person, person_at, person, 0);
	size_t to = name_bound(q->f, q->f->nev_person, person_at, person, 1);
	for (size_t i = from; q->out && i < to; i++)
		q->out[q->k++] = q->f->ev_by_person[i].ev;
	return to - from;
}

/* Events are by date: the run of those dated within the filter's
 * bounds. */
static size_t ev_dates(const up_facts *f, const filter *flt, size_t *from)
{
	size_t a = 0, b = f->nevents;
	while (flt->has_since && a < b) {
		size_t mid = a + (b - a) / 2;
		if (f->events[mid].day < flt->since)
			a = mid + 1;
		else
			b = mid;
	}
	*from = a;
	b = f->nevents;
	while (flt->has_until && a < b) {
		size_t mid = a + (b - a) / 2;
		if (f->events[mid].day <= flt->until)
			a = mid + 1;
		else
			b = mid;
	}
	return (flt->has_until ? a : f->nevents) - *from;
}

enum { SRC_DATES, SRC_UNITS, SRC_LINEAGE, SRC_KINDS, SRC_PERSONS };

/* Fills OUT with source SRC's events (COUNT of them), in list order. */
static size_t ev_fill(lua_State *L, const up_facts *f, const filter *flt,
		      int src, int names, const unsigned span[2], int *out)
{
	ev_lookup q = {f, out, 0};
	size_t from, n;
	switch (src) {
	case SRC_UNITS: /* by unit, then date: back to date order */
		return sort_unique(out, ev_units(f, span[0], span[1], out));
	case SRC_LINEAGE:
		return sort_unique(out, ev_lineage(f, flt->lineage, out));
	case SRC_KINDS:
		each_name(L, names, ev_kind, &q);
		return sort_unique(out, q.k);
	case SRC_PERSONS:
		each_name(L, names, ev_person, &q);
		return sort_unique(out, q.k);
	default:
		n = ev_dates(f, flt, &from);
		for (size_t i = 0; i < n; i++)
			out[i] = (int)(from + i);
		return n;
	}
}

/* The events to look at for the filter, in list order, as a userdata
 * left on the stack: those of the filter that keeps the fewest (the
 * others are checked on each).  Returns how many. */
static size_t ev_cands(lua_State *L, const up_facts *f, const filter *flt,
		       int kinds, int persons, int **out)
{
	size_t from, best = ev_dates(f, flt, &from), n;
	int src = SRC_DATES, names = 0;
	ev_lookup q = {f, NULL, 0};
	int u = flt->unit >= 0 ? flt->unit : flt->within;
	unsigned span[2] = {(unsigned)u, flt->unit >= 0 ? (unsigned)u
		: u >= 0 ? (unsigned)f->units[u].post : 0};
	if (u >= 0 && (n = ev_units(f, span[0], span[1], NULL)) < best)
		best = n, src = SRC_UNITS;
	if (flt->lineage >= 0 &&
	    (n = ev_lineage(f, flt->lineage, NULL)) < best)
		best = n, src = SRC_LINEAGE;
	if (kinds && (n = each_name(L, kinds, ev_kind, &q)) < best)
		best = n, src = SRC_KINDS, names = kinds;
	if (persons && (n = each_name(L, persons, ev_person, &q)) < best)
		best = n, src = SRC_PERSONS, names = persons;
	*out = scratch(L, best);
	return ev_fill(L, f, flt, src, names, span, *out);
}

/* ctx:events{kind=, unit=, within=, lineage=, person=, since=, until=,
 * limit=} */
static int ctx_events(lua_State *L)
{
	static const char *const keys[] = {"kind", "unit", "within", "person",
					   "since", "until", "lineage", "limit"};
	const up_facts *f = host_of(L)->facts;
	args(L);
	check_keys(L, "events", keys, UP_COUNTOF(keys));
	filter flt;
	read_filter(L, f, "events", &flt);
	flt.lineage = opt_unit(L, f, "lineage", "events");
	lua_Integer limit = opt_limit(L, "events");
	int kinds = opt_names(L, "kind", "events") ? lua_gettop(L) : 0;
	int persons = opt_names(L, "person", "events") ? lua_gettop(L) : 0;
	int *cand = NULL;
	size_t nc = ev_cands(L, f, &flt, kinds, persons, &cand);
	up_sandbox_charge(L, 4 * (long long)nc);
	lua_newtable(L);
	int out = lua_gettop(L);
	lua_Integer n = 0;
	for (size_t c = 0; c < nc && n < limit; c++) {
		const up_event *e = &f->events[cand[c]];
		if ((flt.has_since && e->day < flt.since) ||
		    (flt.has_until && e->day > flt.until))
			continue;
		if ((flt.unit >= 0 || flt.within >= 0) &&
		    !in_scope(f, &flt, e->unit_ix))
			continue;
		if (flt.lineage >= 0 && !above_or_at(f, e->unit_ix, flt.lineage))
			continue;
		if (kinds && !named(L, kinds, e->kind))
			continue;
		if (persons) {
			int hit = 0;
			size_t k;
			json_t *v;
			json_array_foreach(e->people, k, v)
				hit |= named(L, persons, json_string_value(v));
			if (!hit)
				continue;
		}
		push_event(L, f, e);
		lua_rawseti(L, out, ++n);
	}
	return 1;
}

/* The units to look at for ctx:units, as a userdata left on the stack:
 * LINEAGE and the units above it, nearest first; else the subtree of
 * WITHIN or PARENT (their intersection when both), in tree order. */
static size_t unit_cands(lua_State *L, const up_facts *f, int lineage,
			 int within, int parent, int **out)
{
	size_t n = 0;
	if (lineage >= 0) {
		for (int u = lineage; u >= 0; u = f->units[u].parent_ix)
			n++;
		*out = scratch(L, n);
		n = 0;
		for (int u = lineage; u >= 0; u = f->units[u].parent_ix)
			(*out)[n++] = u;
		return n;
	}
	int lo = 0, hi = (int)f->nunits - 1;
	int spans[2] = {within, parent};
	for (int k = 0; k < 2; k++) {
		if (spans[k] < 0)
			continue;
		const up_unit *s = &f->units[spans[k]];
		lo = s->pre > lo ? s->pre : lo;
		hi = s->post < hi ? s->post : hi;
	}
	*out = scratch(L, hi >= lo ? (size_t)(hi - lo + 1) : 0);
	for (int u = lo; u <= hi; u++)
		(*out)[n++] = u;
	return n;
}

/* ctx:units{parent=, within=, lineage=, stage=, limit=} */
static int ctx_units(lua_State *L)
{
	static const char *const keys[] = {"parent", "within", "stage",
					   "lineage", "limit"};
	const up_facts *f = host_of(L)->facts;
	args(L);
	check_keys(L, "units", keys, UP_COUNTOF(keys));
	int parent = opt_unit(L, f, "parent", "units");
	filter flt;
	read_filter(L, f, "units", &flt);
	int lineage = opt_unit(L, f, "lineage", "units");
	lua_Integer limit = opt_limit(L, "units");
	int stages = opt_names(L, "stage", "units") ? lua_gettop(L) : 0;
	int *cand = NULL;
	size_t nc = unit_cands(L, f, lineage, flt.within, parent, &cand);
	up_sandbox_charge(L, 4 * (long long)nc);
	lua_newtable(L);
	int out = lua_gettop(L);
	lua_Integer n = 0;
	for (size_t c = 0; c < nc && n < limit; c++) {
		const up_unit *u = &f->units[cand[c]];
		if ((parent >= 0 && u->parent_ix != parent) ||
		    !in_scope(f, &flt, cand[c]) ||
		    (stages && !named(L, stages, u->stage)))
			continue;
		push_unit(L, u);
		lua_rawseti(L, out, ++n);
	}
	return 1;
}

static int32_t check_date(lua_State *L, int arg)
{
	const char *s = luaL_checkstring(L, arg);
	int32_t d;
	const char *why;
	if (up_date_parse(s, &d, &why) != UP_OK)
		luaL_error(L, "bad date '%s' (%s)", s, why);
	return d;
}

/* ctx:days_between(a, b): whole days from a to b, negative if b < a. */
static int ctx_days_between(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)check_date(L, 3) - check_date(L, 2));
	return 1;
}

/* ctx:add_days(date, n) */
static int ctx_add_days(lua_State *L)
{
	int32_t d = check_date(L, 2);
	lua_Integer n = luaL_checkinteger(L, 3);
	int32_t lo, hi;
	up_date_parse("1000-01-01", &lo, NULL);
	up_date_parse("9999-12-31", &hi, NULL);
	if (n < (lua_Integer)lo - d || n > (lua_Integer)hi - d)
		luaL_error(L, "add_days: %I days from %s leaves the years "
			   "1000-9999", (LUAI_UACINT)n, lua_tostring(L, 2));
	char out[11];
	up_date_format(d + (int32_t)n, out);
	lua_pushstring(L, out);
	return 1;
}

/* Any JSON value as Lua: null as nil, arrays as sequences. */
static void push_value(lua_State *L, const json_t *j, int depth)
{
	luaL_checkstack(L, 4, "metric result");
	if (json_is_string(j))
		lua_pushstring(L, json_string_value(j));
	else if (json_is_integer(j))
		lua_pushinteger(L, (lua_Integer)json_integer_value(j));
	else if (json_is_real(j))
		lua_pushnumber(L, json_real_value(j));
	else if (json_is_boolean(j))
		lua_pushboolean(L, json_is_true(j));
	else if (json_is_array(j) && depth < 8) {
		lua_createtable(L, (int)json_array_size(j), 0);
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v) {
			push_value(L, v, depth + 1);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
	} else if (json_is_object(j) && depth < 8) {
		lua_createtable(L, 0, (int)json_object_size(j));
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)j, k, v) {
			push_value(L, v, depth + 1);
			lua_setfield(L, -2, k);
		}
	} else
		lua_pushnil(L);
}

/* ctx:metric(id [, {unit = U}]): this unit's (or U's) result for a metric,
 * or nil when the unit is outside the metric's scope. */
static int ctx_metric(lua_State *L)
{
	up_host *h = host_of(L);
	const char *id = luaL_checkstring(L, 2);
	const up_facts *f = h->facts;
	int ui = h->unit_ix;
	if (!lua_isnoneornil(L, 3)) { /* ctx:metric(id, {unit = "x"}) */
		luaL_checktype(L, 3, LUA_TTABLE);
		lua_pushnil(L);
		while (lua_next(L, 3)) {
			lua_pop(L, 1);
			if (lua_type(L, -1) != LUA_TSTRING ||
			    strcmp(lua_tostring(L, -1), "unit"))
				luaL_error(L, "metric: the only filter is "
					   "'unit'");
		}
		lua_getfield(L, 3, "unit");
		const char *unit = luaL_checkstring(L, -1);
		if ((ui = up_facts_unit(f, unit)) < 0)
			luaL_error(L, "metric: unknown unit '%s'", unit);
	}
	/* A pack's rule names its own pack's metrics without the prefix. */
	if (h->cur && h->cur->pack >= 0 && !strchr(id, '/')) {
		lua_pushfstring(L, "%s/%s",
				h->p->packs[h->cur->pack].pack->name, id);
		const up_decl *d = up_host_find(h, lua_tostring(L, -1));
		if (d && d->kind == UP_DECL_METRIC)
			id = lua_tostring(L, -1); /* stays on the stack */
		else
			lua_pop(L, 1);
	}
	size_t cap = h->p->nmetrics + h->ndecls + 1, n = 0;
	const char **ids = lua_newuserdatauv(L, cap * sizeof *ids, 0);
	int found = 0;
	for (size_t i = 0; i < h->p->nmetrics; i++)
		found |= !strcmp(ids[n++] = h->p->metrics[i].id, id);
	for (size_t i = 0; i < h->ndecls; i++)
		if (h->decls[i].kind == UP_DECL_METRIC)
			found |= !strcmp(ids[n++] = h->decls[i].id, id);
	if (!found) {
		const char *hint = up_did_you_mean(id, ids, n);
		if (hint)
			luaL_error(L, "metric: unknown metric '%s' (did you "
				   "mean '%s'?)", id, hint);
		luaL_error(L, "metric: unknown metric '%s'", id);
	}
	const json_t *r = f->unit_metrics
		? json_object_get(f->unit_metrics[ui], id) : NULL;
	if (r)
		push_value(L, r, 0);
	else
		lua_pushnil(L);
	return 1;
}

static int opt_period_bound(lua_State *L, const char *key, int end,
			    int32_t *out)
{
	if (lua_getfield(L, 2, key) == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	const char *s = lua_tostring(L, -1), *why = "not a string";
	up_period p;
	if (!s || up_period_parse(s, &p, &why) != 0)
		luaL_error(L, "series: bad '%s' (%s)", key, why);
	*out = end ? p.end : p.start;
	lua_pop(L, 1);
	return 1;
}

/* Adds NAME to the list at the top if it is not there yet. */
static void note_name(lua_State *L, const char *name, size_t *n)
{
	if (!name)
		return;
	for (size_t i = 1; i <= *n; i++) {
		lua_rawgeti(L, -1, (lua_Integer)i);
		int same = !strcmp(lua_tostring(L, -1), name);
		lua_pop(L, 1);
		if (same)
			return;
	}
	lua_pushstring(L, name);
	lua_rawseti(L, -2, (lua_Integer)++*n);
}

/*
 * A series name no import has, no metric of program.yaml reads and no
 * pack parameter names is a typo: an empty series would read as "nothing
 * happened".  Raises with the nearest name the store or a metric knows.
 */
static void known_series(lua_State *L, const up_host *h, const char *name)
{
	const up_facts *f = h->facts;
	/* a pack's parameter may name it (enrolment_series: enrolled): the
	 * program chose it, though no data has come yet */
	if (up_facts_stored(f, name) || up_packs_name(h->p, name))
		return;
	lua_newtable(L);
	size_t n = 0;
	for (size_t i = 0; i < h->p->nmetrics; i++) {
		const up_metric_def *m = &h->p->metrics[i];
		const char *names[] = {m->numerator, m->denominator, m->series};
		for (size_t k = 0; k < UP_COUNTOF(names); k++) {
			if (names[k] && !strcmp(names[k], name)) {
				lua_pop(L, 1);
				return;
			}
			note_name(L, names[k], &n);
		}
	}
	for (size_t i = 0; i < f->nstored; i++)
		note_name(L, f->stored[i], &n);
	const char **cands = lua_newuserdatauv(L, (n + 1) * sizeof *cands, 0);
	for (size_t i = 0; i < n; i++) {
		lua_rawgeti(L, -2, (lua_Integer)i + 1);
		cands[i] = lua_tostring(L, -1);
		lua_pop(L, 1); /* the list keeps it alive */
	}
	const char *hint = up_did_you_mean(name, cands, n);
	if (hint)
		luaL_error(L, "series: unknown series '%s' (did you mean "
			   "'%s'?)", name, hint);
	luaL_error(L, "series: unknown series '%s': no import has it and no "
		   "metric reads it", name);
}

/* An observation's place in obs_by_series (facts.c): series, then unit. */
static long long obs_key(const up_facts *f, int series, int unit)
{
	return (long long)series * ((long long)f->nunits + 1) + unit;
}

/* The observations of series S for the filter's unit or subtree, in
 * list order, as a userdata left on the stack; returns how many. */
static size_t obs_cands(lua_State *L, const up_facts *f, int s,
			const filter *flt, int **out)
{
	int u = flt->unit >= 0 ? flt->unit : flt->within;
	long long lo = obs_key(f, s, u),
		  hi = obs_key(f, s, flt->unit >= 0 ? u : f->units[u].post);
	size_t a = 0, b = f->nobs;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		const up_obs *o = &f->obs[f->obs_by_series[mid]];
		if (obs_key(f, o->series, o->unit_ix) < lo)
			a = mid + 1;
		else
			b = mid;
	}
	size_t from = a;
	while (a < f->nobs) {
		const up_obs *o = &f->obs[f->obs_by_series[a]];
		if (obs_key(f, o->series, o->unit_ix) > hi)
			break;
		a++;
	}
	*out = scratch(L, a - from);
	for (size_t i = from; i < a; i++)
		(*out)[i - from] = f->obs_by_series[i];
	return sort_unique(*out, a - from);
}

/* ctx:series(name, {unit=, within=, from=, to=, limit=}): raw
 * observations as of the cycle date, oldest first; this unit's unless
 * unit or within says. */
static int ctx_series(lua_State *L)
{
	static const char *const keys[] = {"unit", "within", "from", "to",
					   "limit"};
	up_host *h = host_of(L);
	const up_facts *f = h->facts;
	int s = up_facts_series(f, luaL_checkstring(L, 2));
	if (s < 0)
		known_series(L, h, lua_tostring(L, 2));
	lua_remove(L, 2);
	args(L);
	check_keys(L, "series", keys, UP_COUNTOF(keys));
	filter flt;
	memset(&flt, 0, sizeof flt);
	flt.unit = opt_unit(L, f, "unit", "series");
	flt.within = opt_unit(L, f, "within", "series");
	if (flt.unit < 0 && flt.within < 0)
		flt.unit = h->unit_ix;
	int32_t from = INT32_MIN, to = INT32_MAX;
	opt_period_bound(L, "from", 0, &from);
	opt_period_bound(L, "to", 1, &to);
	lua_Integer limit = opt_limit(L, "series");
	int *cand = NULL;
	size_t nc = s >= 0 ? obs_cands(L, f, s, &flt, &cand) : 0;
	up_sandbox_charge(L, 2 * (long long)nc);
	lua_newtable(L);
	lua_Integer n = 0;
	for (size_t c = 0; c < nc && n < limit; c++) {
		const up_obs *o = &f->obs[cand[c]];
		if (o->series != s || o->start < from || o->end > to ||
		    !in_scope(f, &flt, o->unit_ix))
			continue;
		up_period p = {(up_period_kind)o->kind, o->start, o->end};
		char label[11], d[11];
		up_period_format(&p, label);
		lua_createtable(L, 0, 5);
		set_str(L, "unit", f->units[o->unit_ix].id);
		set_str(L, "period", label);
		up_date_format(o->start, d);
		set_str(L, "start", d);
		up_date_format(o->end, d);
		set_str(L, "end", d);
		lua_pushnumber(L, o->value);
		lua_setfield(L, -2, "value");
		lua_rawseti(L, -2, ++n);
	}
	return 1;
}

/* ctx:follow_up{days=, note=} and ctx:remind{days=, note=, role= or
 * person=}: requests the cycle stores after the rule returns.  Arguments
 * are checked before anything is allocated outside Lua. */
static int request(lua_State *L, int remind)
{
	static const char *const fkeys[] = {"days", "note"};
	static const char *const rkeys[] = {"days", "note", "role", "person"};
	const char *method = remind ? "remind" : "follow_up";
	up_host *h = host_of(L);
	if (h->cur->kind == UP_DECL_METRIC)
		luaL_error(L, "%s: a metric computes; ask from a gate or a "
			   "check", method);
	args(L);
	check_keys(L, method, remind ? rkeys : fkeys, remind ? 4 : 2);
	lua_getfield(L, 2, "days");
	lua_Integer days = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
	if (days < 1 || days > 3650)
		luaL_error(L, "%s: 'days' must be a whole number from 1 to 3650",
			   method);
	lua_getfield(L, 2, "note");
	lua_getfield(L, 2, "role");
	lua_getfield(L, 2, "person");
	const char *note = lua_tostring(L, -3), *role = lua_tostring(L, -2);
	const char *person = lua_tostring(L, -1);
	if (remind && !role == !person)
		luaL_error(L, "remind: give either 'role' or 'person'");
	if ((role && !up_is_id(role)) || (person && !up_is_id(person)))
		luaL_error(L, "remind: 'role' and 'person' must be ids");
	/* A rule and unit have one pending follow-up: the first asked. */
	if (!remind && h->followed)
		return 0;
	/* A runaway loop, or rules that would fill the memory: the caps
	 * are per call and per host (each half of a cycle has one). */
	if (h->nreq - h->asked == 10000)
		luaL_error(L, "%s: more than 10000 requests from one rule on "
			   "one unit", method);
	if (h->nreq == 500000)
		luaL_error(L, "%s: more than 500000 requests from the rules "
			   "of one half of the cycle", method);
	h->followed |= !remind;
	if (h->nreq == h->capreq) {
		h->capreq = h->capreq ? 2 * h->capreq : 16;
		h->req = up_xrealloc(h->req, h->capreq * sizeof *h->req);
	}
	up_request *r = &h->req[h->nreq++];
	r->remind = remind;
	r->rule = h->cur->id;
	r->unit_ix = h->unit_ix;
	r->due = h->facts->as_of + (int32_t)days;
	r->note = note ? up_utf8_clean(note, strlen(note), 500, NULL) : NULL;
	r->role = up_xstrdup(role);
	r->person = up_xstrdup(person);
	return 0;
}

static int ctx_follow_up(lua_State *L)
{
	return request(L, 0);
}

static int ctx_remind(lua_State *L)
{
	return request(L, 1);
}

/* The first session of a person at or after PI (trainings are by
 * person, then day). */
static size_t first_session(const up_facts *f, int pi)
{
	size_t lo = 0, hi = f->ntrainings;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->trainings[mid].person_ix < pi)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The run of sessions [FROM, TO) of the person named, or of the people
 * of the filter's unit or subtree: people are by unit in preorder, so
 * theirs are one run of person indexes, hence of sessions. */
static void training_span(const up_facts *f, const filter *flt,
			  const char *person, size_t *from, size_t *to)
{
	size_t a = 0, b = f->npeople;
	if (person) {
		size_t k = id_lower(f->people, f->people_by_id, f->npeople,
				    person);
		if (k == f->npeople ||
		    strcmp(f->people[f->people_by_id[k]].id, person)) {
			*from = *to = 0;
			return;
		}
		a = (size_t)f->people_by_id[k];
		b = a + 1;
	} else if (flt->unit >= 0 || flt->within >= 0) {
		people_span(f, f->people, f->npeople, flt, &a, &b);
	}
	*from = first_session(f, (int)a);
	*to = first_session(f, (int)b);
}

/* ctx:trainings{person=, unit=, within=, since=, limit=}: sessions
 * attended as of the cycle date, by person then date. */
static int ctx_trainings(lua_State *L)
{
	static const char *const keys[] = {"person", "unit", "within",
					   "since", "limit"};
	const up_facts *f = host_of(L)->facts;
	args(L);
	check_keys(L, "trainings", keys, UP_COUNTOF(keys));
	filter flt;
	read_filter(L, f, "trainings", &flt);
	lua_Integer limit = opt_limit(L, "trainings");
	lua_getfield(L, 2, "person");
	const char *person = lua_tostring(L, -1);
	size_t i, to;
	training_span(f, &flt, person, &i, &to);
	up_sandbox_charge(L, 2 * (long long)(to - i));
	lua_newtable(L);
	lua_Integer n = 0;
	for (; i < to && n < limit; i++) {
		const up_session_rec *t = &f->trainings[i];
		const up_person *p = &f->people[t->person_ix];
		if ((person && strcmp(p->id, person)) ||
		    (flt.has_since && t->day < flt.since) ||
		    ((flt.unit >= 0 || flt.within >= 0) &&
		     !in_scope(f, &flt, p->unit_ix)))
			continue;
		char d[11];
		up_date_format(t->day, d);
		lua_createtable(L, 0, 4);
		set_str(L, "person", p->id);
		set_str(L, "date", d);
		set_str(L, "topic", t->topic);
		set_str(L, "outcome", t->failed ? "failed" : "passed");
		lua_rawseti(L, -2, ++n);
	}
	return 1;
}

/* The day of person PI's latest training, or INT32_MIN; trainings are
 * sorted by person, then day. */
static int32_t last_training(const up_facts *f, int pi)
{
	size_t lo = 0, hi = f->ntrainings;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->trainings[mid].person_ix <= pi)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && f->trainings[lo - 1].person_ix == pi
		? f->trainings[lo - 1].day : INT32_MIN;
}

/* ctx:coverage{unit=, days=90}: of the people in the unit (as of the
 * date), how many attended a training in the last DAYS days. */
static int ctx_coverage(lua_State *L)
{
	static const char *const keys[] = {"unit", "days"};
	up_host *h = host_of(L);
	const up_facts *f = h->facts;
	args(L);
	check_keys(L, "coverage", keys, UP_COUNTOF(keys));
	int unit = opt_unit(L, f, "unit", "coverage");
	if (unit < 0)
		unit = h->unit_ix;
	lua_getfield(L, 2, "days");
	lua_Integer days = lua_isnil(L, -1) ? 90 : lua_tointeger(L, -1);
	if (days < 1 || days > 3650)
		luaL_error(L, "coverage: 'days' must be from 1 to 3650");
	filter flt = {.unit = unit, .within = -1};
	size_t i, to;
	people_span(f, f->people, f->npeople, &flt, &i, &to);
	up_sandbox_charge(L, 4 * (long long)(to - i));
	lua_Integer staff = 0, trained = 0;
	for (; i < to; i++) {
		if (f->people[i].unit_ix != unit)
			continue;
		staff++;
		trained += last_training(f, (int)i) > f->as_of - days;
	}
	lua_createtable(L, 0, 3);
	lua_pushinteger(L, trained);
	lua_setfield(L, -2, "trained");
	lua_pushinteger(L, staff);
	lua_setfield(L, -2, "staff");
	if (staff)
		lua_pushnumber(L, (lua_Number)trained / (lua_Number)staff);
	else
		lua_pushnil(L);
	lua_setfield(L, -2, "value");
	return 1;
}

/* A parameter's value: lists are read-only like the rest of ctx. */
static void push_param(lua_State *L, const json_t *j)
{
	if (!json_is_array(j)) {
		push_value(L, j, 0);
		return;
	}
	luaL_checkstack(L, 4, "params");
	lua_createtable(L, (int)json_array_size(j), 0);
	size_t i;
	json_t *v;
	json_array_foreach(j, i, v) {
		push_value(L, v, 0);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	up_sandbox_readonly(L);
}

/* ctx.params: the parameters of the rule file's pack; none for the
 * program's own rules, and never another pack's. */
void up_ctx_push_params(lua_State *L, const up_program *p, int pack)
{
	const json_t *params = pack >= 0 ? p->packs[pack].params : NULL;
	lua_createtable(L, 0, (int)json_object_size(params));
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)params, k, v) {
		push_param(L, v);
		lua_setfield(L, -2, k);
	}
	up_sandbox_readonly(L);
}

static void push_program(lua_State *L, const up_program *p)
{
	lua_createtable(L, 0, 5);
	set_str(L, "id", p->id);
	set_str(L, "title", p->title);
	set_str(L, "organization", p->organization);
	set_str(L, "start", p->start);
	lua_createtable(L, (int)p->nstages, 0);
	for (size_t i = 0; i < p->nstages; i++) {
		lua_pushstring(L, p->stages[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	up_sandbox_readonly(L);
	lua_setfield(L, -2, "stages");
}

void up_ctx_push(lua_State *L, up_host *h)
{
	static const luaL_Reg methods[] = {
		{"people", ctx_people}, {"events", ctx_events},
		{"units", ctx_units}, {"days_between", ctx_days_between},
		{"add_days", ctx_add_days}, {"metric", ctx_metric},
		{"series", ctx_series}, {"follow_up", ctx_follow_up},
		{"remind", ctx_remind}, {"trainings", ctx_trainings},
		{"coverage", ctx_coverage}, {NULL, NULL}};
	const up_facts *f = h->facts;
	luaL_checkstack(L, 8, "ctx");
	lua_createtable(L, 0, 10);
	luaL_setfuncs(L, methods, 0);
	set_str(L, "now", f->as_of_s);
	push_unit(L, &f->units[h->unit_ix]);
	up_sandbox_readonly(L);
	lua_setfield(L, -2, "unit");
	up_sandbox *sb = *(up_sandbox **)lua_getextraspace(L);
	if (sb->program_ref == LUA_NOREF) {
		lua_createtable(L, 2, 0);
		push_program(L, h->p);
		up_sandbox_readonly(L);
		lua_rawseti(L, -2, 1);
		up_ctx_push_params(L, h->p, sb->pack);
		lua_rawseti(L, -2, 2);
		sb->program_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->program_ref);
	lua_rawgeti(L, -1, 1);
	lua_setfield(L, -3, "program");
	lua_rawgeti(L, -1, 2);
	lua_setfield(L, -3, "params");
	lua_pop(L, 1);
	up_sandbox_readonly(L);
}
