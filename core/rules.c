/*
 * rules.c: the host's rule registry: loads every rule file into its own
 * sandbox, checks the declarations against the program, and evaluates one
 * rule for one unit.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "host_priv.h"
#include "metric.h"
#include "pack.h"

enum { MAX_DECLS = 20000 };

/* A copy of the string field K of the table at IDX, or NULL. */
static char *meta_field(lua_State *L, int idx, const char *k)
{
	if (!lua_istable(L, idx) || lua_getfield(L, idx, k) != LUA_TSTRING) {
		if (lua_istable(L, idx))
			lua_pop(L, 1);
		return NULL;
	}
	size_t len;
	const char *s = lua_tolstring(L, -1, &len);
	char *out = up_utf8_clean(s, len, 2000, NULL);
	lua_pop(L, 1);
	return out;
}

/* A pack's rules are "PACK/ID" everywhere; the program's own are "ID". */
static void name_decl(up_host *h, up_sandbox *sb, up_decl *d, const char *id)
{
	d->pack = sb->pack;
	if (sb->pack < 0) {
		d->id = up_xstrdup(id);
		return;
	}
	const char *pack = h->p->packs[sb->pack].pack->name;
	d->id = up_xasprintf("%s/%s", pack, id);
	d->local = strlen(pack) + 1;
}

/* declare(kind, id, title, fn, must, weight, on_fail|severity, at|stages,
 * target, baseline, deadline, tolerance, meta) [-13, +0, m]: called by
 * the prelude's gate{}, check{} and metric{}. */
int up_sandbox_declare(lua_State *L)
{
	up_sandbox *sb = lua_touserdata(L, lua_upvalueindex(1));
	up_host *h = sb->h;
	lua_Debug ar;
	int line = 0;
	if (lua_getstack(L, 2, &ar) && lua_getinfo(L, "l", &ar))
		line = ar.currentline;
	if (!h->declaring) { /* at the rule's line: level 2, past gate{} */
		luaL_where(L, 2);
		lua_pushliteral(L, "gate{} and check{} belong at the top level "
				"of a rule file, not inside a rule");
		lua_concat(L, 2);
		return lua_error(L);
	}
	const char *kind = luaL_checkstring(L, 1);
	int is_gate = !strcmp(kind, "gate"), is_metric = !strcmp(kind, "metric");
	luaL_checkstring(L, 2);
	luaL_checkstring(L, 3);
	luaL_checktype(L, 4, LUA_TFUNCTION);
	luaL_checkstring(L, 7);
	if (is_gate)
		luaL_checkstring(L, 8);
	if (is_metric) {
		luaL_checknumber(L, 9);
		luaL_optnumber(L, 10, 0);
		luaL_optstring(L, 11, NULL);
		luaL_checknumber(L, 12);
	}
	if (h->ndecls >= MAX_DECLS)
		return luaL_error(L, "more than %d rules", MAX_DECLS);
	lua_pushvalue(L, 4);
	int ref = luaL_ref(L, LUA_REGISTRYINDEX); /* may raise: before mallocs */
	if (h->ndecls == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 16;
		h->decls = up_xrealloc(h->decls, h->cap * sizeof *h->decls);
		h->decl_sb = up_xrealloc(h->decl_sb, h->cap * sizeof(int));
	}
	up_decl *d = &h->decls[h->ndecls];
	memset(d, 0, sizeof *d);
	h->decl_sb[h->ndecls++] = (int)h->loading;
	d->kind = is_gate ? UP_DECL_GATE : is_metric ? UP_DECL_METRIC
						     : UP_DECL_CHECK;
	name_decl(h, sb, d, lua_tostring(L, 2));
	d->rationale = meta_field(L, 13, "rationale");
	d->cite = meta_field(L, 13, "source");
	d->remediation = meta_field(L, 13, "remediation");
	d->owner = meta_field(L, 13, "owner");
	size_t tlen;
	const char *title = lua_tolstring(L, 3, &tlen);
	d->title = up_utf8_clean(title, tlen, 500, NULL);
	d->fn_ref = ref;
	d->must = lua_toboolean(L, 5);
	d->weight = lua_tonumber(L, 6);
	d->file = sb->file;
	d->line = line;
	if (is_metric) {
		d->increase = !strcmp(lua_tostring(L, 7), "increase");
		d->target = lua_tonumber(L, 9);
		d->has_baseline = !lua_isnoneornil(L, 10);
		d->baseline = lua_tonumber(L, 10);
		d->deadline = up_xstrdup(lua_tostring(L, 11));
		d->tolerance = lua_tonumber(L, 12);
	} else if (is_gate) {
		d->on_fail = up_xstrdup(lua_tostring(L, 7));
		d->at = up_xstrdup(lua_tostring(L, 8));
	} else {
		d->severity = up_xstrdup(lua_tostring(L, 7));
		if (lua_istable(L, 8)) {
			size_t n = lua_rawlen(L, 8);
			d->stages = up_xcalloc(n + 1, sizeof *d->stages);
			for (size_t i = 1; i <= n; i++) {
				lua_rawgeti(L, 8, (lua_Integer)i);
				d->stages[d->nstages++] =
					up_xstrdup(lua_tostring(L, -1));
				lua_pop(L, 1);
			}
		}
	}
	return 0;
}

static void decl_free(up_decl *d)
{
	free(d->id);
	free(d->title);
	free(d->at);
	free(d->on_fail);
	free(d->severity);
	free(d->deadline);
	free(d->rationale);
	free(d->cite);
	free(d->remediation);
	free(d->owner);
	for (size_t i = 0; i < d->nstages; i++)
		free(d->stages[i]);
	free(d->stages);
}

/* Lua says "file:12: what"; we say "file:12: error: what". */
static void lua_error_to(up_error *err, const char *msg)
{
	const char *p = msg;
	while ((p = strchr(p, ':')) != NULL) {
		const char *q = p + 1;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q > p + 1 && q[0] == ':' && q[1] == ' ') {
			char line[2600];
			snprintf(line, sizeof line, "%.*s: error: %s",
				 (int)(q - msg), msg, q + 2);
			up_err_raw(err, UP_EINPUT, line);
			return;
		}
		p++;
	}
	/* "file: what" without a line */
	const char *colon = strstr(msg, ": ");
	if (colon && !memchr(msg, ' ', (size_t)(colon - msg))) {
		char line[2600];
		snprintf(line, sizeof line, "%.*s: error: %s",
			 (int)(colon - msg), msg, colon + 2);
		up_err_raw(err, UP_EINPUT, line);
		return;
	}
	up_err(err, UP_EINPUT, "%s", msg);
}

/* Drops declaration i, keeping the order of the rest. */
static void drop_decl(up_host *h, size_t i)
{
	decl_free(&h->decls[i]);
	memmove(&h->decls[i], &h->decls[i + 1],
		(h->ndecls - i - 1) * sizeof *h->decls);
	memmove(&h->decl_sb[i], &h->decl_sb[i + 1],
		(h->ndecls - i - 1) * sizeof *h->decl_sb);
	h->ndecls--;
}

static int check_stage_name(up_host *h, const up_decl *d, const char *s,
			    up_error *err)
{
	if (up_stage_index(h->p, s) >= 0 || h->p->any_stage)
		return 0;
	const char *hint = up_did_you_mean(
		s, (const char *const *)h->p->stages, h->p->nstages);
	char extra[200] = "";
	if (hint)
		snprintf(extra, sizeof extra, " (did you mean '%s'?)", hint);
	up_err_at(err, UP_EINPUT, d->file, d->line, 0,
		  "%s '%s': unknown stage '%s'%s",
		  d->kind == UP_DECL_GATE ? "gate" : "check", d->id, s, extra);
	return -1;
}

static int validate_metric(up_host *h, const up_decl *d, up_error *err)
{
	for (size_t i = 0; i < h->p->nmetrics; i++)
		if (!strcmp(h->p->metrics[i].id, d->id))
			return up_err_at(err, UP_EINPUT, d->file, d->line, 0,
					 "metric '%s' is already defined in "
					 "program.yaml", d->id), -1;
	if (!isfinite(d->target) || !isfinite(d->baseline) ||
	    !isfinite(d->tolerance))
		return up_err_at(err, UP_EINPUT, d->file, d->line, 0,
				 "metric '%s': target, baseline and tolerance "
				 "must be finite numbers", d->id), -1;
	int32_t start, deadline;
	const char *why;
	if (d->deadline && h->p->start &&
	    up_date_parse(h->p->start, &start, NULL) == UP_OK &&
	    up_deadline_parse(d->deadline, start, &deadline, &why) != 0)
		return up_err_at(err, UP_EINPUT, d->file, d->line, 0,
				 "metric '%s': 'deadline' %s: %s", d->id,
				 d->deadline, why), -1;
	return 0;
}

/* 0 if declaration i fits the program; otherwise reports it.  IDS maps
 * the ids of the declarations kept so far to their index. */
static int validate_decl(up_host *h, size_t i, up_strmap *ids,
			 up_error *err)
{
	const up_decl *d = &h->decls[i];
	int j = up_strmap_get(ids, d->id);
	if (j >= 0) {
		up_err_at(err, UP_EINPUT, d->file, d->line, 0,
			  "duplicate rule id '%s' (first declared at %s:%d)",
			  d->id, h->decls[j].file, h->decls[j].line);
		return -1;
	}
	if (!up_is_id(d->id + d->local)) {
		up_err_at(err, UP_EINPUT, d->file, d->line, 0,
			  "rule id '%s' is not a valid id (use letters, "
			  "digits, '_', '-' and '.')", d->id + d->local);
		return -1;
	}
	for (size_t k = 0; k < d->nstages; k++)
		if (check_stage_name(h, d, d->stages[k], err))
			return -1;
	if (d->kind == UP_DECL_METRIC)
		return validate_metric(h, d, err);
	if (d->kind != UP_DECL_GATE)
		return 0;
	const char *arrow = strstr(d->at, "->");
	if (!arrow) {
		up_err_at(err, UP_EINPUT, d->file, d->line, 0,
			  "gate '%s': 'at' must be a boundary such as "
			  "'%s->%s'", d->id, h->p->stages[0], h->p->stages[1]);
		return -1;
	}
	char from[200];
	snprintf(from, sizeof from, "%.*s", (int)(arrow - d->at), d->at);
	if (check_stage_name(h, d, from, err) ||
	    check_stage_name(h, d, arrow + 2, err))
		return -1;
	if (!h->p->any_stage &&
	    up_stage_index(h->p, arrow + 2) != up_stage_index(h->p, from) + 1) {
		up_err_at(err, UP_EINPUT, d->file, d->line, 0,
			  "gate '%s': '%s' is not a boundary between "
			  "consecutive stages", d->id, d->at);
		return -1;
	}
	return 0;
}

static void drop_file(up_host *h, size_t sb)
{
	for (size_t i = h->ndecls; i-- > 0;)
		if (h->decl_sb[i] == (int)sb) {
			luaL_unref(h->sb[sb].L, LUA_REGISTRYINDEX,
				   h->decls[i].fn_ref);
			drop_decl(h, i);
		}
}

/* The declaration of pack UI's rule RULE, or -1 after reporting it as
 * unknown at LINE:COL of program.yaml. */
static long pack_rule(up_host *h, size_t ui, const char *rule, int line,
		      int col, up_error *err)
{
	const char **cands = up_xcalloc(h->ndecls + 1, sizeof *cands);
	size_t nc = 0;
	for (size_t i = 0; i < h->ndecls; i++) {
		const up_decl *d = &h->decls[i];
		if (d->pack != (int)ui)
			continue;
		if (!strcmp(d->id + d->local, rule)) {
			free(cands);
			return (long)i;
		}
		cands[nc++] = d->id + d->local;
	}
	const char *hint = up_did_you_mean(rule, cands, nc);
	up_err_at(err, UP_EINPUT, h->p->file, line, col, "pack '%s' has no "
		  "rule '%s'%s%s%s", h->p->packs[ui].pack->name, rule,
		  hint ? " (did you mean '" : "", hint ? hint : "",
		  hint ? "'?)" : "");
	free(cands);
	return -1;
}

static int override_one(up_host *h, size_t ui, const up_pack_override *o,
			up_error *err)
{
	long i = pack_rule(h, ui, o->rule, o->line, o->col, err);
	if (i < 0)
		return -1;
	up_decl *d = &h->decls[i];
	int gate = d->kind == UP_DECL_GATE, check = d->kind == UP_DECL_CHECK;
	const char *bad = (o->must_set || o->weight_set || o->on_fail) && !gate
		? "'must', 'weight' and 'on_fail' are for gates"
		: o->severity && !check ? "'severity' is for checks" : NULL;
	if (bad)
		return up_err_at(err, UP_EINPUT, h->p->file, o->line, o->col,
				 "override of '%s': %s, and it is a %s", d->id,
				 bad, gate ? "gate" : check ? "check"
						  : "metric"), -1;
	if (o->must_set)
		d->must = o->must;
	if (o->weight_set)
		d->weight = o->weight;
	if (o->on_fail) {
		free(d->on_fail);
		d->on_fail = up_xstrdup(o->on_fail);
	}
	if (o->severity) {
		free(d->severity);
		d->severity = up_xstrdup(o->severity);
	}
	return 0;
}

/* program.yaml's disable: and override: for each pack it uses; a mistake
 * there is the program's, and stops a cycle (h->bad_choices). */
static int apply_choices(up_host *h, up_error *err)
{
	int rc = UP_OK;
	for (size_t ui = 0; ui < h->p->npacks; ui++) {
		const up_pack_use *u = &h->p->packs[ui];
		for (size_t k = 0; k < u->noverrides; k++)
			if (override_one(h, ui, &u->overrides[k], err))
				rc = UP_EINPUT;
		for (size_t k = 0; k < u->ndisable; k++) {
			const up_pack_disable *x = &u->disable[k];
			size_t j = 0;
			while (j < k && strcmp(u->disable[j].rule, x->rule))
				j++;
			if (j < k) {
				up_err_at(err, UP_EINPUT, h->p->file, x->line,
					  x->col, "'%s' is listed twice in "
					  "disable", x->rule);
				rc = UP_EINPUT;
				continue;
			}
			long i = pack_rule(h, ui, x->rule, x->line, x->col, err);
			if (i < 0) {
				rc = UP_EINPUT;
				continue;
			}
			luaL_unref(h->sb[h->decl_sb[i]].L, LUA_REGISTRYINDEX,
				   h->decls[i].fn_ref);
			drop_decl(h, (size_t)i);
		}
	}
	return rc;
}

int up_host_open(up_host **out, const up_program *p, up_error *err)
{
	up_host *h = up_xcalloc(1, sizeof *h);
	h->p = p;
	h->sb = up_xcalloc(p->nrules + 1, sizeof *h->sb);
	int rc = UP_OK;
	for (size_t i = 0; i < p->nrules; i++, h->nsb++) {
		char msg[2300];
		h->loading = i;
		h->declaring = 1;
		int bad = up_sandbox_open(&h->sb[i], h, &p->rules[i], msg,
					  sizeof msg) ||
			  up_sandbox_load(&h->sb[i], &p->rules[i], msg,
					  sizeof msg);
		h->declaring = 0;
		if (bad) {
			lua_error_to(err, msg);
			drop_file(h, i);
			rc = UP_EINPUT;
		}
	}
	/* program.yaml's choices first: a rule disabled because its stages
	 * are not the program's is not an error. */
	if (apply_choices(h, err) != UP_OK) {
		h->bad_choices = 1;
		rc = UP_EINPUT;
	}
	/* Keys point into decls, which only shrink from here on; a dropped
	 * declaration is never in the map. */
	up_strmap ids = {0};
	for (size_t i = 0; i < h->ndecls;) {
		if (validate_decl(h, i, &ids, err) == 0) {
			up_strmap_put(&ids, h->decls[i].id, (int)i);
			i++;
			continue;
		}
		drop_decl(h, i);
		rc = UP_EINPUT;
	}
	up_strmap_free(&ids);
	for (size_t i = 0; p->coverage && i < h->ndecls; i++)
		up_sandbox_cover(&h->sb[h->decl_sb[i]], h->decls[i].fn_ref);
	*out = h;
	return rc;
}

size_t up_host_requests(up_host *h, const up_request **out)
{
	*out = h->req;
	return h->nreq;
}

void up_host_clear_requests(up_host *h)
{
	for (size_t i = 0; i < h->nreq; i++) {
		free(h->req[i].note);
		free(h->req[i].role);
		free(h->req[i].person);
	}
	h->nreq = 0;
}

/*
 * A cycle judges its units before it takes the store's write lock and
 * runs the follow-ups due after it, which schedule what they ask for at
 * once: the units' requests wait aside meanwhile, and come back before
 * anything asked since.
 */
void up_host_stash_requests(up_host *h, up_requests *out)
{
	*out = (up_requests){h->req, h->nreq, h->capreq};
	h->req = NULL;
	h->nreq = h->capreq = 0;
}

void up_host_unstash_requests(up_host *h, up_requests *in)
{
	up_requests own;
	up_host_stash_requests(h, &own);
	h->req = in->req;
	h->nreq = in->n;
	h->capreq = in->cap;
	*in = (up_requests){0};
	up_host_append_requests(h, &own);
}

void up_host_take_requests(up_host *from, const up_host *to,
			   up_requests *out)
{
	if (from->ndecls != to->ndecls)
		abort(); /* not the same program: a bug of the caller's */
	for (size_t i = 0; i < from->nreq; i++) {
		size_t k = 0;
		while (from->decls[k].id != from->req[i].rule)
			k++;
		from->req[i].rule = to->decls[k].id;
	}
	up_host_stash_requests(from, out);
}

void up_host_append_requests(up_host *h, up_requests *in)
{
	if (h->capreq < h->nreq + in->n) {
		h->capreq = h->nreq + in->n;
		h->req = up_xrealloc(h->req, h->capreq * sizeof *h->req);
	}
	if (in->n)
		memcpy(h->req + h->nreq, in->req, in->n * sizeof *in->req);
	h->nreq += in->n;
	free(in->req);
	*in = (up_requests){0};
}

const up_decl *up_host_find(const up_host *h, const char *id)
{
	for (size_t i = 0; i < h->ndecls; i++)
		if (!strcmp(h->decls[i].id, id))
			return &h->decls[i];
	return NULL;
}

void up_host_close(up_host *h)
{
	if (!h)
		return;
	up_host_clear_requests(h);
	free(h->req);
	for (size_t i = 0; i < h->ndecls; i++)
		decl_free(&h->decls[i]);
	free(h->decls);
	free(h->decl_sb);
	for (size_t i = 0; i < h->nsb; i++)
		up_sandbox_close(&h->sb[i]);
	free(h->sb);
	free(h);
}

int up_host_bad_choices(const up_host *h)
{
	return h->bad_choices;
}

size_t up_host_ndecls(const up_host *h)
{
	return h->ndecls;
}

const up_decl *up_host_decl(const up_host *h, size_t i)
{
	return i < h->ndecls ? &h->decls[i] : NULL;
}

size_t up_host_memory(const up_host *h, size_t *peak)
{
	size_t now = 0, top = 0;
	for (size_t i = 0; i < h->nsb; i++) {
		now += h->sb[i].mem;
		top += h->sb[i].peak;
	}
	if (peak)
		*peak = top;
	return now;
}

/* Pushes the ctx for the unit being evaluated, built once per unit. */
static void push_ctx(lua_State *L, up_sandbox *sb)
{
	up_host *h = sb->h;
	if (sb->ctx_ref != LUA_NOREF && sb->ctx_serial == h->facts->serial &&
	    sb->ctx_unit == h->unit_ix) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, sb->ctx_ref);
		return;
	}
	luaL_unref(L, LUA_REGISTRYINDEX, sb->ctx_ref);
	sb->ctx_ref = LUA_NOREF;
	up_ctx_push(L, h);
	lua_pushvalue(L, -1);
	sb->ctx_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	sb->ctx_serial = h->facts->serial;
	sb->ctx_unit = h->unit_ix;
}

static void drop_requests(up_host *h, size_t from)
{
	for (size_t i = from; i < h->nreq; i++) {
		free(h->req[i].note);
		free(h->req[i].role);
		free(h->req[i].person);
	}
	h->nreq = from;
}

/* [-0, +1, e]: runs in protected mode so building ctx may raise. */
static int eval_p(lua_State *L)
{
	up_sandbox *sb = *(up_sandbox **)lua_getextraspace(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->h->cur->fn_ref);
	push_ctx(L, sb);
	lua_call(L, 1, 1);
	return 1;
}

void up_host_eval(up_host *h, const up_decl *d, const up_facts *f,
		  int unit_ix, up_result *out)
{
	memset(out, 0, sizeof *out);
	up_sandbox *sb = &h->sb[h->decl_sb[d - h->decls]];
	h->facts = f;
	h->unit_ix = unit_ix;
	h->cur = d;
	char where[300], msg[2300];
	snprintf(where, sizeof where, "%s:%d", d->file, d->line);
	h->asked = h->nreq;
	h->followed = 0;
	lua_pushcfunction(sb->L, eval_p);
	if (up_sandbox_call(sb, 0, 1, where, msg, sizeof msg)) {
		out->status = UP_RES_ERROR;
		out->message = up_utf8_clean(msg, strlen(msg), sizeof msg, NULL);
		size_t loc = up_location_len(out->message);
		if (loc > 2) /* the line that raised it */
			out->at = up_xstrndup(out->message, loc - 2);
		drop_requests(h, h->asked); /* a rule that failed asks nothing */
		return;
	}
	int got = up_sandbox_result(sb, out);
	if (got != 0) {
		out->status = UP_RES_ERROR;
		out->message = got == -2
			? up_xasprintf("%s: rule '%s' returned a result with "
				       "a bad status or a score outside 0-10",
				       where, d->id)
			: up_xasprintf("%s: rule '%s' returned no result "
				       "(return pass(), fail(), warn(), "
				       "score() or skip())", where, d->id);
	}
	lua_pop(sb->L, 1);
}

/* Reads what compute() returned: a number, nil, or a table of value,
 * numerator and denominator (raw, no metamethods). */
static int read_computed(lua_State *L, double *value, double *num,
			 double *den)
{
	*value = *num = *den = NAN;
	int t = lua_type(L, -1);
	if (t == LUA_TNIL)
		return 0;
	if (t == LUA_TNUMBER) {
		*value = lua_tonumber(L, -1);
		return isfinite(*value) ? 0 : -1;
	}
	if (t != LUA_TTABLE)
		return -1;
	static const char *const keys[] = {"value", "numerator", "denominator"};
	double *out[] = {value, num, den};
	for (size_t i = 0; i < 3; i++) {
		lua_pushstring(L, keys[i]);
		int vt = lua_rawget(L, -2);
		if (vt == LUA_TNUMBER)
			*out[i] = lua_tonumber(L, -1);
		lua_pop(L, 1);
		if (vt != LUA_TNIL && (vt != LUA_TNUMBER || !isfinite(*out[i])))
			return -1;
	}
	if (isnan(*value) && !isnan(*num) && !isnan(*den) && *den != 0)
		*value = *num / *den;
	return 0;
}

int up_host_compute(up_host *h, const up_decl *d, const up_facts *f,
		    int unit_ix, double *value, double *num, double *den,
		    char **why)
{
	up_sandbox *sb = &h->sb[h->decl_sb[d - h->decls]];
	h->facts = f;
	h->unit_ix = unit_ix;
	h->cur = d;
	char where[300], msg[2300];
	snprintf(where, sizeof where, "%s:%d", d->file, d->line);
	lua_pushcfunction(sb->L, eval_p);
	if (up_sandbox_call(sb, 0, 1, where, msg, sizeof msg)) {
		*why = up_utf8_clean(msg, strlen(msg), sizeof msg, NULL);
		*value = *num = *den = NAN;
		return -1;
	}
	int rc = read_computed(sb->L, value, num, den);
	lua_pop(sb->L, 1);
	if (rc)
		*why = up_xasprintf("%s: metric '%s' returned neither a number, "
				    "nil nor { value =, numerator =, "
				    "denominator = }", where, d->id);
	return rc;
}

void up_result_free(up_result *r)
{
	free(r->message);
	free(r->at);
	json_decref(r->evidence);
	memset(r, 0, sizeof *r);
}

int up_program_compile(const up_program *p, up_error *err)
{
	up_host *h = NULL;
	int rc = up_host_open(&h, p, err);
	up_host_close(h);
	return rc;
}

/* The earliest stage a unit of program.yaml is in; every stage when it
 * lists none (imported units could be anywhere). */
static size_t earliest_stage(const up_program *p)
{
	size_t min = p->nunits ? p->nstages : 0;
	for (size_t i = 0; i < p->nunits; i++)
		if (p->units[i].stage_ix >= 0 &&
		    (size_t)p->units[i].stage_ix < min)
			min = (size_t)p->units[i].stage_ix;
	return min;
}

/* Each stage boundary no gate{} covers that a unit still has ahead: a
 * unit there gets no decision, more often a typo in `at` than a choice.
 * Units only move forward, so boundaries all of them passed are moot. */
static void uncovered_gates(const up_host *h, const up_program *p,
			    up_error *warn)
{
	for (size_t i = earliest_stage(p); i + 1 < p->nstages; i++) {
		char at[300];
		snprintf(at, sizeof at, "%s->%s", p->stages[i],
			 p->stages[i + 1]);
		int covered = 0;
		for (size_t k = 0; k < h->ndecls && !covered; k++)
			covered = h->decls[k].kind == UP_DECL_GATE &&
				  !strcmp(h->decls[k].at, at);
		if (!covered)
			up_warn_at(warn, p->file, p->stage_line[i],
				   p->stage_col[i], "no rule covers the gate "
				   "'%s': a unit in stage '%s' gets no decision "
				   "(write a gate { at = \"%s\" })", at,
				   p->stages[i], at);
	}
}

int up_program_check(const up_program *p, up_error *err)
{
	up_host *h = NULL;
	int rc = up_host_open(&h, p, err);
	if (rc == UP_OK)
		uncovered_gates(h, p, err);
	up_host_close(h);
	return rc;
}
