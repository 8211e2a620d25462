/*
 * advance.c: uptake advance and uptake stages.  A person moves a unit to
 * its next stage on the latest cycle's decision at that gate, or forces it
 * with a recorded reason; the moves are the unit's stage history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"

enum { CONDITION_DAYS = 30 };

/* Where the unit stands before the move. */
typedef struct {
	char *stage;      /* its current stage */
	char last_at[11]; /* the date of its last advance, or "" */
} standing;

static int read_standing(up_store *s, const char *unit, standing *out,
			 up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT coalesce((SELECT"
			       " to_stage FROM stage_history WHERE unit = ?1"
			       " ORDER BY at DESC, id DESC LIMIT 1), stage),"
			       " (SELECT max(at) FROM stage_history WHERE"
			       " unit = ?1) FROM units WHERE id = ?1", -1, &st,
			       NULL))
		return up_store_fail(s, "reading the unit's stage", err);
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	memset(out, 0, sizeof *out);
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->stage = up_xstrdup((const char *)
					sqlite3_column_text(st, 0));
		const char *at = (const char *)sqlite3_column_text(st, 1);
		snprintf(out->last_at, sizeof out->last_at, "%s", at ? at : "");
	}
	int rc = sqlite3_finalize(st) == SQLITE_OK
		? UP_OK : up_store_fail(s, "reading the unit's stage", err);
	if (rc == UP_OK && !out->stage)
		rc = up_err(err, UP_EINPUT, "unknown unit '%s'", unit);
	return rc;
}

static int stage_known(const up_program *p, const char *to, up_error *err)
{
	if (up_stage_index(p, to) >= 0)
		return UP_OK;
	const char *hint = up_did_you_mean(to, (const char *const *)p->stages,
					   p->nstages);
	return up_err(err, UP_EINPUT, "--to: unknown stage '%s'%s%s%s", to,
		      hint ? " (did you mean '" : "", hint ? hint : "",
		      hint ? "'?)" : "");
}

/* TO must be the stage right after CUR: one stage at a time, forward. */
static int check_stage(const up_program *p, const char *unit,
		       const char *cur, const char *to, up_error *err)
{
	int ci = up_stage_index(p, cur), ti = up_stage_index(p, to);
	if (ti < 0)
		return stage_known(p, to, err);
	if (ci < 0)
		return up_err(err, UP_EINPUT, "'%s' is in stage '%s', which "
			      "program.yaml no longer lists", unit, cur);
	if (ti == ci)
		return up_err(err, UP_EINPUT, "'%s' is already in stage '%s'",
			      unit, to);
	if (ti < ci)
		return up_err(err, UP_EINPUT, "'%s' is in stage '%s': stages "
			      "only move forward (a recycle redoes the work "
			      "for the same gate)", unit, cur);
	if (ti > ci + 1)
		return up_err(err, UP_EINPUT, "'%s' is in stage '%s': one "
			      "stage at a time, and the next is '%s'", unit,
			      cur, p->stages[ci + 1]);
	return UP_OK;
}

/* The latest cycle, or NULL without one (not an error here). */
static int latest_cycle(up_store *s, up_cycle **out, up_error *err)
{
	*out = NULL;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT count(*) FROM cycles",
			       -1, &st, NULL))
		return up_store_fail(s, "reading cycles", err);
	int any = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return any ? up_cycle_latest(out, s, err) : UP_OK;
}

static const json_t *unit_of(const json_t *doc, const char *id)
{
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(doc, "units"), i, u) {
		if (!strcmp(json_string_value(json_object_get(u, "id")), id))
			return u;
	}
	return NULL;
}

/* What the move rests on: the latest cycle's gate for the unit's
 * current stage, if it judged one. */
typedef struct {
	const json_t *gate;   /* NULL: no cycle judged this gate */
	const char *decision; /* the gate's, or NULL */
	long long cycle;      /* the latest cycle, 0 without one */
	const char *as_of;
} basis;

static int find_basis(const up_cycle *c, const char *unit, const char *cur,
		      const char *boundary, int override, basis *b,
		      up_error *err)
{
	memset(b, 0, sizeof *b);
	if (!c)
		return override ? UP_OK : up_err(err, UP_EINPUT, "no cycle has "
			"judged '%s' yet (run 'uptake cycle', or force the "
			"move with --override --reason TEXT)", unit);
	b->cycle = c->number;
	b->as_of = json_string_value(json_object_get(c->doc, "as_of"));
	const json_t *u = unit_of(c->doc, unit);
	const json_t *g = json_array_get(json_object_get(u, "gates"), 0);
	const char *judged = json_string_value(json_object_get(u, "stage"));
	if (g && judged && !strcmp(judged, cur) &&
	    !strcmp(json_string_value(json_object_get(g, "gate")), boundary)) {
		b->gate = g;
		b->decision = json_string_value(json_object_get(g,
								"decision"));
	}
	if (!b->gate && !override)
		return up_err(err, UP_EINPUT, "cycle %lld did not judge '%s' "
			      "at %s (run 'uptake cycle' first)", b->cycle,
			      unit, boundary);
	return UP_OK;
}

/* Refuses a move the decision does not allow, and an override that a go
 * does not need. */
static int check_decision(const up_advance_opts *o, const char *boundary,
			  const basis *b, up_error *err)
{
	int go = b->decision && (!strcmp(b->decision, "go") ||
				 !strcmp(b->decision, "conditional_go"));
	if (go && o->override)
		return up_err(err, UP_EINPUT, "cycle %lld decided %s at %s: "
			      "no override is needed (leave out --override "
			      "and --reason)", b->cycle, b->decision, boundary);
	if (go || o->override)
		return UP_OK;
	/* a gate nothing judged has no decision: it is no go either */
	return up_err(err, UP_EINPUT, "cannot advance '%s' to '%s': cycle "
		      "%lld (as of %s) %s %s at %s: %s (see 'uptake explain "
		      "%s'; --override --reason TEXT forces it)", o->unit,
		      o->to, b->cycle, b->as_of, b->decision ? "decided"
		      : "made", b->decision ? b->decision : "no decision",
		      boundary, json_string_value(json_object_get(b->gate,
		      "reason")), o->unit);
}

/* The failed criteria of the gate that are rules a cycle can judge
 * again (a broken rule file's stand-in is not). */
static json_t *failed_criteria(const up_cycle *c, const json_t *gate)
{
	json_t *out = json_array();
	size_t i, k;
	json_t *cr, *r;
	json_array_foreach(json_object_get(gate, "criteria"), i, cr) {
		const char *st = json_string_value(json_object_get(cr,
								   "status"));
		const char *rule = json_string_value(json_object_get(cr,
								     "rule"));
		if (strcmp(st, "fail") && strcmp(st, "error"))
			continue;
		json_array_foreach(json_object_get(c->doc, "rules"), k, r) {
			if (!strcmp(json_string_value(json_object_get(r,
				"rule")), rule)) {
				json_array_append_new(out, json_string(rule));
				break;
			}
		}
	}
	return out;
}

static int text_field(const char *v, const char *name, int required,
		      up_error *err)
{
	if (!v)
		return required ? up_err(err, UP_EINPUT, "--%s is required",
					 name) : UP_OK;
	if (!*v || strlen(v) > 4000 || !up_utf8_valid(v, strlen(v)))
		return up_err(err, UP_EINPUT, "--%s: give 1 to 4000 bytes of "
			      "UTF-8 text", name);
	return UP_OK;
}

static int date_field(const char *v, const char *name, int32_t *day,
		      up_error *err)
{
	const char *why;
	if (v && up_date_parse(v, day, &why) != UP_OK)
		return up_err(err, UP_EINPUT, "--%s: invalid date '%s': %s",
			      name, v, why);
	return UP_OK;
}

static int check_opts(const up_advance_opts *o, up_error *err)
{
	int32_t d;
	int rc = text_field(o->unit, "unit", 1, err);
	rc |= text_field(o->to, "to", 1, err);
	rc |= text_field(o->by, "by", 1, err);
	rc |= text_field(o->note, "note", 0, err);
	if (o->override && !o->reason)
		rc |= up_err(err, UP_EINPUT, "--override needs --reason TEXT: "
			     "whoever reads the decision later needs the why");
	rc |= text_field(o->reason, "reason", 0, err);
	if (o->reason && !o->override)
		rc |= up_err(err, UP_EINPUT, "--reason goes with --override");
	rc |= date_field(o->as_of, "as-of", &d, err);
	rc |= date_field(o->conditions_due, "conditions-due", &d, err);
	return rc ? UP_EINPUT : UP_OK;
}

/* The day of the move and its conditions' due day, checked against the
 * last move and the cycle the move rests on. */
static int move_days(const up_advance_opts *o, const standing *now,
		     const basis *b, char at[11], char due[11], up_error *err)
{
	int32_t day = up_date_today(), dd;
	if (o->as_of)
		up_date_parse(o->as_of, &day, NULL);
	else if (b->as_of)
		up_date_parse(b->as_of, &day, NULL);
	up_date_format(day, at);
	if (b->as_of && strcmp(at, b->as_of) < 0)
		return up_err(err, UP_EINPUT, "--as-of %s is before cycle %lld "
			      "(as of %s), whose decision the move rests on",
			      at, b->cycle, b->as_of);
	if (*now->last_at && strcmp(at, now->last_at) < 0)
		return up_err(err, UP_EINPUT, "--as-of %s is before '%s' last "
			      "moved, on %s", at, o->unit, now->last_at);
	dd = day + CONDITION_DAYS;
	if (o->conditions_due)
		up_date_parse(o->conditions_due, &dd, NULL);
	up_date_format(dd, due);
	if (dd < day)
		return up_err(err, UP_EINPUT, "--conditions-due %s is before "
			      "the move (%s)", due, at);
	return UP_OK;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int insert_move(up_store *s, const up_advance_opts *o,
		       const char *from, const char *at, const basis *b,
		       long long *id, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "INSERT INTO stage_history("
			       "unit, from_stage, to_stage, at, by, note,"
			       " cycle, decision, override, reason,"
			       " recorded_at)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
			       " ?10, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
			       -1, &st, NULL))
		return up_store_fail(s, "recording the move", err);
	bind_opt(st, 1, o->unit);
	bind_opt(st, 2, from);
	bind_opt(st, 3, o->to);
	bind_opt(st, 4, at);
	bind_opt(st, 5, o->by);
	bind_opt(st, 6, o->note);
	if (b->cycle)
		sqlite3_bind_int64(st, 7, b->cycle);
	bind_opt(st, 8, b->decision);
	sqlite3_bind_int(st, 9, o->override != 0);
	bind_opt(st, 10, o->override ? o->reason : NULL);
	int rc = sqlite3_step(st) == SQLITE_DONE
		? UP_OK : up_store_fail(s, "recording the move", err);
	sqlite3_finalize(st);
	*id = sqlite3_last_insert_rowid(up_store_db(s));
	return rc;
}

static int insert_conditions(up_store *s, const char *unit,
			     const char *gate, const json_t *rules,
			     const char *due, long long move, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "INSERT INTO conditions(unit,"
			       " gate, rule, due, advance)"
			       " VALUES (?, ?, ?, ?, ?)", -1, &st, NULL))
		return up_store_fail(s, "recording conditions", err);
	int rc = UP_OK;
	size_t i;
	json_t *r;
	json_array_foreach(rules, i, r) {
		bind_opt(st, 1, unit);
		bind_opt(st, 2, gate);
		bind_opt(st, 3, json_string_value(r));
		bind_opt(st, 4, due);
		sqlite3_bind_int64(st, 5, move);
		if (rc == UP_OK && sqlite3_step(st) != SQLITE_DONE)
			rc = up_store_fail(s, "recording conditions", err);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

static void say_move(FILE *fp, const up_advance_opts *o, const char *from,
		     const char *at, const char *boundary, const basis *b)
{
	fprintf(fp, "advanced %s from %s to %s as of %s, by %s", o->unit,
		from, o->to, at, o->by);
	if (!o->override)
		fprintf(fp, " (cycle %lld decided %s at %s)\n", b->cycle,
			b->decision, boundary);
	else if (b->decision)
		fprintf(fp, ", overriding cycle %lld's %s at %s\n", b->cycle,
			b->decision, boundary);
	else if (b->gate)
		fprintf(fp, ", overriding cycle %lld, which made no decision at "
			"%s\n", b->cycle, boundary);
	else
		fprintf(fp, ", overriding: no cycle judged %s\n", boundary);
}

/* The checks and writes of one move, inside the transaction. */
static int advance_in(up_store *s, const up_program *p,
		      const up_advance_opts *o, FILE *fp, up_error *err)
{
	standing now = {0};
	up_cycle *c = NULL;
	basis b;
	char at[11], due[11], boundary[300];
	json_t *conds = NULL;
	/* every mistake in the names at once */
	int rc = up_ledger_known(s, "units", "unit", o->unit, err);
	if (rc != UP_OK)
		stage_known(p, o->to, err);
	else if ((rc = read_standing(s, o->unit, &now, err)) == UP_OK)
		rc = check_stage(p, o->unit, now.stage, o->to, err);
	if (up_ledger_known(s, "people", "person", o->by, err) != UP_OK)
		rc = UP_EINPUT;
	if (rc != UP_OK || (rc = latest_cycle(s, &c, err)) != UP_OK)
		goto out;
	snprintf(boundary, sizeof boundary, "%s->%s", now.stage, o->to);
	if ((rc = find_basis(c, o->unit, now.stage, boundary, o->override, &b,
			     err)) != UP_OK ||
	    (rc = check_decision(o, boundary, &b, err)) != UP_OK ||
	    (rc = move_days(o, &now, &b, at, due, err)) != UP_OK)
		goto out;
	int conditional = (b.decision && !strcmp(b.decision, "conditional_go"))
		|| (o->override && o->conditions_due);
	if (o->conditions_due && !conditional) {
		rc = up_err(err, UP_EINPUT, "--conditions-due: cycle %lld "
			    "decided %s at %s, which leaves no conditions",
			    b.cycle, b.decision, boundary);
		goto out;
	}
	conds = conditional && b.gate ? failed_criteria(c, b.gate)
				      : json_array();
	long long move = 0;
	rc = insert_move(s, o, now.stage, at, &b, &move, err);
	if (rc == UP_OK)
		rc = insert_conditions(s, o->unit, boundary, conds, due, move,
				       err);
	if (rc == UP_OK) {
		say_move(fp, o, now.stage, at, boundary, &b);
		size_t i;
		json_t *r;
		json_array_foreach(conds, i, r)
			fprintf(fp, "condition: %s, due %s\n",
				json_string_value(r), due);
	}
out:
	json_decref(conds);
	up_cycle_free(c);
	free(now.stage);
	return rc;
}

int up_advance(up_store *s, const up_program *p, const up_advance_opts *o,
	       FILE *fp, up_error *err)
{
	int rc = check_opts(o, err);
	if (rc != UP_OK)
		return rc;
	if ((rc = up_store_begin(s, err)) != UP_OK)
		return rc;
	/* what was recorded is said once it is committed */
	char *said = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&said, &len);
	if (!mem) {
		up_store_rollback(s);
		return up_err(err, UP_ENOMEM, "out of memory");
	}
	rc = up_store_sync(s, p, err);
	if (rc == UP_OK)
		rc = advance_in(s, p, o, mem, err);
	fclose(mem);
	if (rc == UP_OK)
		rc = up_store_commit(s, err);
	else
		up_store_rollback(s);
	if (rc == UP_OK && fp)
		fwrite(said, 1, len, fp);
	free(said);
	return rc;
}

/* ---- uptake stages ---- */

static json_t *col(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	return v ? json_string(v) : json_null();
}

/* Every condition, by the move that set it: {move id: [...]}. */
static int read_conditions(up_store *s, json_t *by_move, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT advance, rule, gate,"
			       " due, status, met_on, (SELECT"
			       " json_group_array(at) FROM (SELECT at FROM"
			       " condition_strikes WHERE condition = c.id"
			       " ORDER BY at)) FROM conditions c ORDER BY id",
			       -1, &st, NULL))
		return up_store_fail(s, "reading conditions", err);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char key[32];
		snprintf(key, sizeof key, "%lld", (long long)
			 sqlite3_column_int64(st, 0));
		json_t *list = json_object_get(by_move, key);
		if (!list) {
			list = json_array();
			json_object_set_new(by_move, key, list);
		}
		const char *days = (const char *)sqlite3_column_text(st, 6);
		json_t *strikes = json_loads(days ? days : "[]", 0, NULL);
		json_array_append_new(list, UP_JSON(json_pack(
			"{s:o, s:o, s:o, s:o, s:o, s:o}", "rule", col(st, 1),
			"gate", col(st, 2), "due", col(st, 3), "status",
			col(st, 4), "met_on", col(st, 5), "strikes",
			strikes ? strikes : json_array())));
	}
	return sqlite3_finalize(st) == SQLITE_OK
		? UP_OK : up_store_fail(s, "reading conditions", err);
}

static json_t *move_json(sqlite3_stmt *st, json_t *conds)
{
	char key[32];
	snprintf(key, sizeof key, "%lld", (long long)
		 sqlite3_column_int64(st, 0));
	json_t *c = json_object_get(conds, key);
	return UP_JSON(json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, "
				 "s:o, s:o, s:o}", "from", col(st, 2), "to",
		col(st, 3), "at", col(st, 4), "by", col(st, 5), "note",
		col(st, 6), "cycle", sqlite3_column_type(st, 7) == SQLITE_NULL
		? json_null() : json_integer(sqlite3_column_int64(st, 7)),
		"decision", col(st, 8), "override", sqlite3_column_int(st, 9),
		"reason", col(st, 10), "recorded_at", col(st, 11),
		"conditions", c ? json_incref(c) : json_array()));
}

/* {units: [{id, name, start, stage, since, history: [...]}]} */
static json_t *stages_json(up_store *s, up_error *err)
{
	sqlite3_stmt *st;
	json_t *units = json_array(), *conds = json_object();
	up_strmap ix = {0};
	int rc = read_conditions(s, conds, err);
	if (rc == UP_OK &&
	    sqlite3_prepare_v2(up_store_db(s), "SELECT id, name, stage FROM"
			       " units WHERE active ORDER BY ord, id", -1, &st,
			       NULL))
		rc = up_store_fail(s, "reading units", err);
	if (rc == UP_OK) {
		while (sqlite3_step(st) == SQLITE_ROW)
			json_array_append_new(units, UP_JSON(json_pack(
				"{s:o, s:o, s:o, s:o, s:n, s:[]}", "id",
				col(st, 0), "name", col(st, 1), "start",
				col(st, 2), "stage", col(st, 2), "since",
				"history")));
		if (sqlite3_finalize(st) != SQLITE_OK)
			rc = up_store_fail(s, "reading units", err);
	}
	size_t i;
	json_t *u;
	json_array_foreach(units, i, u)
		up_strmap_put(&ix, json_string_value(json_object_get(u, "id")),
			      (int)i);
	if (rc == UP_OK &&
	    sqlite3_prepare_v2(up_store_db(s), "SELECT id, unit, from_stage,"
			       " to_stage, at, by, note, cycle, decision,"
			       " override, reason, recorded_at FROM"
			       " stage_history ORDER BY at, id", -1, &st, NULL))
		rc = up_store_fail(s, "reading stage history", err);
	if (rc == UP_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			int k = up_strmap_get(&ix, (const char *)
					      sqlite3_column_text(st, 1));
			if (k < 0)
				continue; /* a unit no longer in the program */
			u = json_array_get(units, (size_t)k);
			json_array_append_new(json_object_get(u, "history"),
					      move_json(st, conds));
			json_object_set_new(u, "stage", col(st, 3));
			json_object_set_new(u, "since", col(st, 4));
		}
		if (sqlite3_finalize(st) != SQLITE_OK)
			rc = up_store_fail(s, "reading stage history", err);
	}
	up_strmap_free(&ix);
	json_decref(conds);
	if (rc != UP_OK) {
		json_decref(units);
		return NULL;
	}
	return UP_JSON(json_pack("{s:o}", "units", units));
}

static void print_condition(FILE *fp, const json_t *c)
{
	const json_t *days = json_object_get(c, "strikes");
	up_print_text(fp, "              condition %s (%s) due %s: %s",
		      json_string_value(json_object_get(c, "rule")),
		      json_string_value(json_object_get(c, "gate")),
		      json_string_value(json_object_get(c, "due")),
		      json_string_value(json_object_get(c, "status")));
	if (json_is_string(json_object_get(c, "met_on")))
		up_print_text(fp, " on %s", json_string_value(
			json_object_get(c, "met_on")));
	size_t i;
	json_t *d;
	json_array_foreach(days, i, d)
		fprintf(fp, "%s%s", i ? ", " : "; strikes: ",
			json_string_value(d));
	fputc('\n', fp);
}

/* "cycle 4's go", or "an unjudged gate" for a move forced before any
 * cycle judged it. */
static void print_basis(FILE *fp, const json_t *m)
{
	json_t *cy = json_object_get(m, "cycle");
	const char *d = json_string_value(json_object_get(m, "decision"));
	if (json_is_integer(cy) && d)
		fprintf(fp, "cycle %lld's %s",
			(long long)json_integer_value(cy), d);
	else
		fputs("an unjudged gate", fp);
}

static void print_move(FILE *fp, const json_t *u, const json_t *m)
{
	up_print_text(fp, "  %s  %s: %s -> %s, by %s, ",
		      json_string_value(json_object_get(m, "at")),
		      json_string_value(json_object_get(u, "id")),
		      json_string_value(json_object_get(m, "from")),
		      json_string_value(json_object_get(m, "to")),
		      json_string_value(json_object_get(m, "by")));
	int forced = json_is_true(json_object_get(m, "override"));
	fputs(forced ? "OVERRIDE of " : "on ", fp);
	print_basis(fp, m);
	if (forced)
		up_print_text(fp, ": %s", json_string_value(
			json_object_get(m, "reason")));
	fputc('\n', fp);
	if (json_is_string(json_object_get(m, "note")))
		up_print_text(fp, "              note: %s\n", json_string_value(
			json_object_get(m, "note")));
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(m, "conditions"), i, c)
		print_condition(fp, c);
}

static int len_of(const json_t *o, const char *k, int min)
{
	int n = (int)strlen(json_string_value(json_object_get(o, k)));
	return n > min ? n : min;
}

static const char *text_of(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void print_stages(FILE *fp, const json_t *doc)
{
	const json_t *units = json_object_get(doc, "units");
	int wu = 4, ws = 5;
	size_t i, k;
	json_t *u, *m;
	json_array_foreach(units, i, u) {
		wu = len_of(u, "id", wu);
		ws = len_of(u, "stage", len_of(u, "start", ws));
	}
	fprintf(fp, "%-*s  %-*s  %-*s  %-10s  %s\n", wu, "UNIT", ws, "START",
		ws, "STAGE", "SINCE", "MOVES");
	int any = 0;
	json_array_foreach(units, i, u) {
		const char *since = text_of(u, "since");
		size_t n = json_array_size(json_object_get(u, "history"));
		up_print_text(fp, "%-*s  %-*s  %-*s  %-10s  %zu\n", wu,
			      text_of(u, "id"), ws, text_of(u, "start"), ws,
			      text_of(u, "stage"), since ? since : "-", n);
		any += n > 0;
	}
	if (!any) {
		fputs("\nno unit has been advanced: each is in the stage "
		      "program.yaml starts it in\n", fp);
		return;
	}
	fputs("\nHistory:\n", fp);
	json_array_foreach(units, i, u)
		json_array_foreach(json_object_get(u, "history"), k, m)
			print_move(fp, u, m);
}

int up_stages_print(up_store *s, FILE *fp, unsigned flags, up_error *err)
{
	json_t *doc = stages_json(s, err);
	if (!doc)
		return up_error_code(err) ? up_error_code(err) : UP_EINTERNAL;
	int rc = UP_OK;
	if (flags & UP_PRINT_JSON) {
		if (json_dumpf(doc, fp, JSON_INDENT(2)) != 0)
			rc = UP_EINTERNAL;
		fputc('\n', fp);
	} else {
		print_stages(fp, doc);
	}
	json_decref(doc);
	return rc;
}
