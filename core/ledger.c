/*
 * ledger.c: what people decided, as a cycle sees it on its date: each
 * unit's last stage move, the conditions a conditional go left open and
 * the waivers in force; and the strikes a cycle counts on conditions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"
#include "metric.h"

struct up_ledger {
	size_t nunits;
	json_t **waivers;    /* per unit: rule -> {by, reason, until, since} */
	json_t **overrides;  /* per unit: {by, reason, at, decision}, or NULL */
	json_t **conditions; /* per unit: array, or NULL; see condition_row */
};

/* Strikes a condition needs to turn its unit's gate into a kill. */
enum { STRIKES_TO_KILL = 3 };

static json_t *col_json_str(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	return v ? json_string(v) : json_null();
}

typedef void (*row_fn)(up_ledger *l, int ui, sqlite3_stmt *st);

/* Runs SQL with the date bound as ?1 and calls ROW for each row whose
 * first column names a unit of F. */
static int each_row(up_store *s, const up_facts *f, up_ledger *l,
		    const char *sql, const char *what, row_fn row,
		    up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), sql, -1, &st, NULL))
		return up_store_fail(s, what, err);
	sqlite3_bind_text(st, 1, f->as_of_s, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int ui = up_facts_unit(f, (const char *)
				       sqlite3_column_text(st, 0));
		if (ui >= 0)
			row(l, ui, st);
	}
	return sqlite3_finalize(st) == SQLITE_OK ? UP_OK
						 : up_store_fail(s, what, err);
}

static void waiver_row(up_ledger *l, int ui, sqlite3_stmt *st)
{
	if (!l->waivers[ui])
		l->waivers[ui] = json_object();
	json_object_set_new(l->waivers[ui],
		(const char *)sqlite3_column_text(st, 1), UP_JSON(json_pack(
		"{s:o, s:o, s:o, s:o}", "by", col_json_str(st, 2), "reason",
		col_json_str(st, 3), "until", col_json_str(st, 4), "since",
		col_json_str(st, 5))));
}

static void override_row(up_ledger *l, int ui, sqlite3_stmt *st)
{
	if (!sqlite3_column_int(st, 1))
		return; /* the last move went through its gate */
	l->overrides[ui] = UP_JSON(json_pack("{s:o, s:o, s:o, s:o}", "by",
		col_json_str(st, 2), "reason", col_json_str(st, 3), "at",
		col_json_str(st, 4), "decision", col_json_str(st, 5)));
}

/* A condition open on the date (met on the date counts: a cycle run again
 * that day sees it as the first did): {id, gate, rule, due, set_on,
 * strikes: [days]}. */
static void condition_row(up_ledger *l, int ui, sqlite3_stmt *st)
{
	if (!l->conditions[ui])
		l->conditions[ui] = json_array();
	json_t *strikes = json_loads((const char *)sqlite3_column_text(st, 6),
				     0, NULL);
	json_array_append_new(l->conditions[ui], UP_JSON(json_pack(
		"{s:I, s:o, s:o, s:o, s:o, s:o}", "id",
		(json_int_t)sqlite3_column_int64(st, 1), "gate",
		col_json_str(st, 2), "rule", col_json_str(st, 3), "due",
		col_json_str(st, 4), "set_on", col_json_str(st, 5), "strikes",
		json_is_array(strikes) ? strikes : json_array())));
	if (!json_is_array(strikes))
		json_decref(strikes);
}

int up_ledger_load(up_ledger **out, up_store *s, const up_facts *f,
		   up_error *err)
{
	up_ledger *l = up_xcalloc(1, sizeof *l);
	l->nunits = f->nunits;
	l->waivers = up_xcalloc(f->nunits + 1, sizeof *l->waivers);
	l->overrides = up_xcalloc(f->nunits + 1, sizeof *l->overrides);
	l->conditions = up_xcalloc(f->nunits + 1, sizeof *l->conditions);
	/* the latest waiver recorded that has begun by the date decides,
	 * so a new one replaces (extends or ends) an older one */
	int rc = each_row(s, f, l,
		"SELECT w.unit, w.rule, w.by, w.reason, w.until, w.since"
		" FROM waivers w WHERE w.id = (SELECT max(id) FROM waivers"
		"  WHERE unit = w.unit AND rule = w.rule AND since <= ?1)"
		" AND w.until >= ?1 ORDER BY w.id", "reading waivers",
		waiver_row, err);
	if (rc == UP_OK)
		rc = each_row(s, f, l,
			"SELECT h.unit, h.override, h.by, h.reason, h.at,"
			" h.decision FROM stage_history h WHERE h.id = (SELECT"
			"  id FROM stage_history WHERE unit = h.unit AND"
			"  at <= ?1 ORDER BY at DESC, id DESC LIMIT 1)",
			"reading stage history", override_row, err);
	if (rc == UP_OK)
		rc = each_row(s, f, l,
			"SELECT c.unit, c.id, c.gate, c.rule, c.due, h.at,"
			" (SELECT json_group_array(at) FROM (SELECT at FROM"
			"  condition_strikes WHERE condition = c.id AND"
			"  at <= ?1 ORDER BY at))"
			" FROM conditions c JOIN stage_history h"
			" ON h.id = c.advance WHERE h.at <= ?1"
			" AND (c.met_on IS NULL OR c.met_on >= ?1)"
			" ORDER BY c.id",
			"reading conditions", condition_row, err);
	if (rc != UP_OK) {
		up_ledger_free(l);
		l = NULL;
	}
	*out = l;
	return rc;
}

void up_ledger_free(up_ledger *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nunits; i++) {
		json_decref(l->waivers[i]);
		json_decref(l->overrides[i]);
		json_decref(l->conditions[i]);
	}
	free(l->waivers);
	free(l->overrides);
	free(l->conditions);
	free(l);
}

const json_t *up_ledger_waiver(const up_ledger *l, int ui, const char *rule)
{
	if (!l || ui < 0 || (size_t)ui >= l->nunits || !l->waivers[ui])
		return NULL;
	return json_object_get(l->waivers[ui], rule);
}

const json_t *up_ledger_override(const up_ledger *l, int ui)
{
	if (!l || ui < 0 || (size_t)ui >= l->nunits)
		return NULL;
	return l->overrides[ui];
}

/* ---- conditions and strikes ---- */

/* What a condition's rule says of unit UI now: 1 met, 0 unmet, -1 cannot
 * tell (it skipped, or the rule is gone), -2 it raised: a rule's bug is
 * no strike against the unit.  *msg: the rule's message. */
static int judge_rule(up_host *h, const up_program *p, const up_facts *f,
		      int ui, const char *rule, const char *gate, char **msg)
{
	const up_decl *d = up_host_find(h, rule);
	if (!d || d->kind != UP_DECL_GATE) {
		*msg = up_xstrdup("the rule is no longer in the program");
		return -1;
	}
	up_result r;
	up_host_eval(h, d, f, ui, &r);
	const up_gate_cfg *cfg = up_gate_config(p, gate);
	double threshold = cfg ? cfg->threshold : UP_DEFAULT_THRESHOLD;
	int v = 0;
	if (r.status == UP_RES_PASS || r.status == UP_RES_WARN)
		v = 1;
	else if (r.status == UP_RES_SKIP)
		v = -1;
	else if (r.status == UP_RES_ERROR || (r.status == UP_RES_SCORE &&
					      d->must))
		v = -2;
	else if (r.status == UP_RES_SCORE && !d->must)
		v = r.score / 10.0 >= threshold - 1e-9;
	*msg = up_xstrdup(r.message ? r.message : "");
	up_result_free(&r);
	return v;
}

/* The first day a condition may earn its next strike: one evaluation
 * period (a week, a quarter, else a month) after LAST, so cycles run
 * daily strike no faster than the program's reviews do. */
static int32_t next_strike_day(const up_program *p, int32_t last)
{
	const char *spec = p->cadence.evaluation == UP_EVAL_WEEKLY ? "+1w"
		: p->cadence.evaluation == UP_EVAL_QUARTERLY ? "+3m" : "+1m";
	int32_t d;
	return up_deadline_parse(spec, last, &d, NULL) == 0 ? d : last + 30;
}

static int strike_due(const up_program *p, const json_t *days, int32_t today)
{
	size_t n = json_array_size(days);
	int32_t last;
	if (!n)
		return 1;
	if (up_date_parse(json_string_value(json_array_get(days, n - 1)),
			  &last, NULL) != UP_OK)
		return 0;
	return today >= next_strike_day(p, last);
}

static int store_exec(up_store *s, const char *sql, long long id,
		      const char *day, long long cycle, const char *what,
		      up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), sql, -1, &st, NULL))
		return up_store_fail(s, what, err);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, cycle);
	int rc = sqlite3_step(st) == SQLITE_DONE ? UP_OK
						 : up_store_fail(s, what, err);
	sqlite3_finalize(st);
	return rc;
}

/* The gate's decision becomes kill; the reason names every condition
 * that reached its third strike, and the criteria's own decision stays
 * beside it. */
static void kill_gate(json_t *unit, const json_t *struck)
{
	json_t *g = json_array_get(json_object_get(unit, "gates"), 0);
	if (!g)
		return; /* the last stage: no gate left to stop */
	up_buf b = {0};
	size_t i, k;
	json_t *x, *day;
	json_array_foreach(struck, i, x) {
		up_buf_printf(&b, "%scondition '%s' (due %s) unmet at ",
			      i ? "; " : "three strikes: ",
			      json_string_value(json_object_get(x, "rule")),
			      json_string_value(json_object_get(x, "due")));
		json_array_foreach(json_object_get(x, "dates"), k, day)
			up_buf_printf(&b, "%s%s", k ? ", " : "",
				      json_string_value(day));
	}
	json_object_set(g, "criteria_decision", json_object_get(g,
							       "decision"));
	json_object_set_new(g, "decision", json_string("kill"));
	json_object_set_new(g, "reason", json_string(b.buf));
	up_buf_free(&b);
}

/* Judges one open condition C of unit UI: "conditions" entry, strike
 * recorded when one is due.  Adds to STRIKES when it has any. */
static int judge_condition(up_store *s, up_host *h, const up_program *p,
			   const up_facts *f, int ui, json_t *c,
			   long long cycle, int replay, json_t *conds,
			   json_t *strikes, up_error *err)
{
	const char *rule = json_string_value(json_object_get(c, "rule"));
	const char *gate = json_string_value(json_object_get(c, "gate"));
	const char *due = json_string_value(json_object_get(c, "due"));
	long long id = json_integer_value(json_object_get(c, "id"));
	json_t *days = json_copy(json_object_get(c, "strikes"));
	int32_t due_day;
	char *msg = NULL;
	int met = judge_rule(h, p, f, ui, rule, gate, &msg);
	int overdue = up_date_parse(due, &due_day, NULL) == UP_OK &&
		      f->as_of > due_day;
	int rc = UP_OK;
	if (met == 0 && overdue && strike_due(p, days, f->as_of)) {
		json_array_append_new(days, json_string(f->as_of_s));
		if (!replay)
			rc = store_exec(s, "INSERT OR IGNORE INTO"
				" condition_strikes(condition, at, cycle)"
				" VALUES (?1, ?2, ?3)", id, f->as_of_s, cycle,
				"recording a strike", err);
	}
	if (met == 1 && !replay)
		rc = store_exec(s, "UPDATE conditions SET status = 'met',"
			" met_on = ?2, met_in = ?3 WHERE id = ?1 AND status"
			" = 'open'", id, f->as_of_s, cycle,
			"recording a condition met", err);
	const char *status = met == 1 ? "met" : met == -2 ? "error"
			   : overdue ? "overdue" : "open";
	json_array_append_new(conds, UP_JSON(json_pack(
		"{s:s, s:s, s:s, s:O, s:s, s:s, s:I}", "rule", rule, "gate",
		gate, "due", due, "set_on", json_object_get(c, "set_on"),
		"status", status, "message", msg, "strikes",
		(json_int_t)json_array_size(days))));
	if (met != 1 && json_array_size(days))
		json_array_append_new(strikes, UP_JSON(json_pack(
			"{s:s, s:s, s:s, s:I, s:O}", "rule", rule, "gate",
			gate, "due", due, "count",
			(json_int_t)json_array_size(days), "dates", days)));
	json_decref(days);
	free(msg);
	return rc;
}

int up_ledger_judge(up_store *s, up_host *h, const up_program *p,
		    const up_facts *f, json_t *units, long long cycle,
		    int replay, up_error *err)
{
	const up_ledger *l = f->ledger;
	int rc = UP_OK;
	for (size_t ui = 0; l && ui < f->nunits && rc == UP_OK; ui++) {
		if (!json_array_size(l->conditions[ui]))
			continue;
		json_t *conds = json_array(), *strikes = json_array();
		json_t *struck = json_array();
		size_t i;
		json_t *c;
		json_array_foreach(l->conditions[ui], i, c) {
			if (rc == UP_OK)
				rc = judge_condition(s, h, p, f, (int)ui, c,
						     cycle, replay, conds,
						     strikes, err);
		}
		json_array_foreach(strikes, i, c) {
			if (json_integer_value(json_object_get(c, "count")) >=
			    STRIKES_TO_KILL)
				json_array_append(struck, c);
		}
		json_t *unit = json_array_get(units, ui);
		json_object_set_new(unit, "conditions", conds);
		json_object_set_new(unit, "strikes", strikes);
		if (json_array_size(struck))
			kill_gate(unit, struck);
		json_decref(struck);
	}
	return rc;
}

/* ---- for status and explain, and the commands ---- */

json_t *up_ledger_moves_since(up_store *s, long long number, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT unit, from_stage,"
			       " to_stage, at, by, override, reason, decision"
			       " FROM stage_history WHERE cycle >= ?1"
			       " ORDER BY id", -1, &st, NULL)) {
		up_store_fail(s, "reading stage history", err);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, number);
	json_t *out = json_object();
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *unit = (const char *)sqlite3_column_text(st, 0);
		json_t *list = json_object_get(out, unit);
		if (!list) {
			list = json_array();
			json_object_set_new(out, unit, list);
		}
		json_array_append_new(list, UP_JSON(json_pack(
			"{s:o, s:o, s:o, s:o, s:b, s:o, s:o}", "from",
			col_json_str(st, 1), "to", col_json_str(st, 2), "at",
			col_json_str(st, 3), "by", col_json_str(st, 4),
			"override", sqlite3_column_int(st, 5), "reason",
			col_json_str(st, 6), "decision", col_json_str(st, 7))));
	}
	if (sqlite3_finalize(st) != SQLITE_OK) {
		json_decref(out);
		up_store_fail(s, "reading stage history", err);
		return NULL;
	}
	return out;
}

int up_ledger_known(up_store *s, const char *table, const char *what,
		    const char *id, up_error *err)
{
	sqlite3_stmt *st;
	char *sql = up_xasprintf("SELECT id FROM %s WHERE active ORDER BY id",
				 table);
	int prc = sqlite3_prepare_v2(up_store_db(s), sql, -1, &st, NULL);
	free(sql);
	if (prc != SQLITE_OK)
		return up_store_fail(s, "looking up ids", err);
	char **ids = NULL;
	size_t n = 0, cap = 0;
	int found = 0;
	while (!found && sqlite3_step(st) == SQLITE_ROW) {
		const char *x = (const char *)sqlite3_column_text(st, 0);
		found = !strcmp(x, id);
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			ids = up_xrealloc(ids, cap * sizeof *ids);
		}
		ids[n++] = up_xstrdup(x);
	}
	sqlite3_finalize(st);
	const char *hint = found ? NULL
		: up_did_you_mean(id, (const char *const *)ids, n);
	if (!found)
		up_err(err, UP_EINPUT, "unknown %s '%s'%s%s%s", what, id,
		       hint ? " (did you mean '" : "", hint ? hint : "",
		       hint ? "'?)" : "");
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return found ? UP_OK : UP_EINPUT;
}

void up_print_text(FILE *fp, const char *fmt, ...)
{
	up_buf b = {0};
	va_list ap, again;
	va_start(ap, fmt);
	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = up_xmalloc(n > 0 ? (size_t)n + 1 : 1);
	vsnprintf(s, n > 0 ? (size_t)n + 1 : 1, fmt, again);
	va_end(again);
	for (int i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9F) {
			up_buf_add(&b, "?", 1); /* a C1 control */
			i++;
		} else if (c == '\n' && i == n - 1) {
			up_buf_add(&b, "\n", 1);
		} else if (c == '\t' || c == '\n') {
			up_buf_add(&b, " ", 1);
		} else {
			char o = c < 0x20 || c == 0x7F ? '?' : (char)c;
			up_buf_add(&b, &o, 1);
		}
	}
	if (b.len)
		fwrite(b.buf, 1, b.len, fp);
	up_buf_free(&b);
	free(s);
}
