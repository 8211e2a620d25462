/*
 * dashboard.c: what `uptake report` shows, gathered once from a stored
 * cycle, the store's facts as of its date and the program's metric
 * definitions, so the HTML and Markdown renderers show the same content.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "dashboard.h"

enum { COVERAGE_DAYS = 90, MAX_REMINDERS = 100 };

static const char *const decisions[] = {"go", "conditional_go", "hold",
					"recycle", "kill"};

const char *up_dash_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

long long up_dash_int(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

const char *up_dash_decision_label(const char *d)
{
	static const char *const labels[] = {"Go", "Conditional go", "Hold",
					     "Recycle", "Kill"};
	for (size_t i = 0; d && i < UP_COUNTOF(decisions); i++)
		if (!strcmp(d, decisions[i]))
			return labels[i];
	/* the last stage has no gate; a gate nothing covers, no decision */
	return d && *d ? d : "No decision";
}

void up_dash_who_why(FILE *fp, const json_t *w, up_dash_put put)
{
	static const char *const keys[] = {"by", "until", "to", "at"};
	if (*up_dash_str(w, "decision")) {
		fputs(" of ", fp);
		put(fp, up_dash_decision_label(up_dash_str(w, "decision")));
	}
	for (size_t i = 0; i < UP_COUNTOF(keys); i++)
		if (*up_dash_str(w, keys[i])) {
			fprintf(fp, " %s ", keys[i]);
			put(fp, up_dash_str(w, keys[i]));
		}
	if (*up_dash_str(w, "reason")) {
		fputs(": ", fp);
		put(fp, up_dash_str(w, "reason"));
	}
}

void up_dash_words(const char *s, char *out, size_t n)
{
	size_t i = 0;
	for (; s && s[i] && i + 1 < n; i++)
		out[i] = s[i] == '_' ? ' ' : s[i];
	out[i] = '\0';
}

void up_dash_number(const json_t *v, int percent, char out[32])
{
	if (!json_is_number(v))
		snprintf(out, 32, "-");
	else if (percent)
		snprintf(out, 32, "%.1f%%", 100 * json_number_value(v));
	else
		snprintf(out, 32, "%.4g", json_number_value(v));
}

/* ---- the stored cycles ---- */

/* Cycle NUMBER (0: the latest) and its time of running, or the previous
 * one when PREVIOUS: then NULL without error when there is none. */
static json_t *load_cycle(up_store *s, long long number, int previous,
			  long long *out_no, char **ran_at, up_error *err)
{
	sqlite3_stmt *st;
	const char *sql = previous
		? "SELECT id, ran_at FROM cycles WHERE id < ?1"
		  " ORDER BY id DESC LIMIT 1"
		: "SELECT id, ran_at FROM cycles WHERE ?1 = 0 OR id = ?1"
		  " ORDER BY id DESC LIMIT 1";
	if (sqlite3_prepare_v2(up_store_db(s), sql, -1, &st, NULL)) {
		up_store_fail(s, "reading cycles", err);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, number);
	int step = sqlite3_step(st);
	json_t *doc = NULL;
	int rc = UP_OK;
	if (step == SQLITE_ROW) {
		*out_no = sqlite3_column_int64(st, 0);
		if (ran_at)
			*ran_at = up_xstrdup(
				(const char *)sqlite3_column_text(st, 1));
		rc = up_cycle_doc(s, *out_no, NULL, 0, &doc, err);
	}
	sqlite3_finalize(st);
	if (rc != UP_OK)
		; /* ERR says why */
	else if (step != SQLITE_ROW && step != SQLITE_DONE)
		up_store_fail(s, "reading cycles", err);
	else if (step == SQLITE_DONE && !previous && number)
		up_err(err, UP_EINPUT, "no cycle %lld in the store (see "
		       "'uptake history')", number);
	else if (step == SQLITE_DONE && !previous)
		up_err(err, UP_EINPUT, "no cycle has run yet (run 'uptake "
		       "cycle')");
	else if (step == SQLITE_ROW && !json_is_object(doc))
		up_err(err, UP_EINTERNAL, "cycle %lld's record is damaged",
		       *out_no);
	else
		return doc;
	json_decref(doc);
	return NULL;
}

/* ---- the header ---- */

static json_t *packs_of(const json_t *doc)
{
	json_t *out = json_array();
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(doc, "packs"), i, k)
		json_array_append_new(out, UP_JSON(json_pack("{s:s, s:s}",
			"name", up_dash_str(k, "name"), "version",
			up_dash_str(k, "version"))));
	return out;
}

static json_t *header(const up_program *p, const json_t *doc,
		      long long number, const char *ran_at)
{
	json_t *stages = json_array();
	for (size_t i = 0; i < p->nstages; i++)
		json_array_append_new(stages, json_string(p->stages[i]));
	return UP_JSON(json_pack("{s:s, s:s?, s:s?, s:I, s:s, s:s, s:o, s:o}",
		"program", up_dash_str(doc, "program"), "title", p->title,
		"organization", p->organization, "cycle", (json_int_t)number,
		"as_of", up_dash_str(doc, "as_of"), "ran_at", ran_at ? ran_at
		: "", "stages", stages, "packs", packs_of(doc)));
}

/* ---- the gate board ---- */

static json_t *first_gate(const json_t *u)
{
	return json_array_get(json_object_get(u, "gates"), 0);
}

int up_dash_depth(const up_facts *f, const char *id)
{
	int ix = up_facts_unit(f, id), d = 0;
	while (ix >= 0 && d < 1000) {
		ix = f->units[ix].parent_ix;
		d += ix >= 0;
	}
	return d;
}

/* What a record says of who and why: by, until, reason, to, as given. */
static json_t *who_why(const json_t *x)
{
	static const char *const keys[] = {"by", "until", "reason", "to",
					   "at", "decision"};
	json_t *o = json_object();
	if (json_is_string(x))
		json_object_set_new(o, "reason", json_string(
			json_string_value(x)));
	for (size_t i = 0; json_is_object(x) && i < UP_COUNTOF(keys); i++)
		if (json_is_string(json_object_get(x, keys[i])))
			json_object_set(o, keys[i],
					json_object_get(x, keys[i]));
	return o;
}

static int given(const json_t *x)
{
	return x && !json_is_null(x) && !json_is_false(x);
}

/* A waived criterion (status "waived", with its "waiver" record), or
 * NULL. */
static json_t *waiver_of(const json_t *c)
{
	json_t *w = json_object_get(c, "waiver");
	if (!given(w))
		w = json_object_get(c, "waived");
	if (!strcmp(up_dash_str(c, "status"), "waived") || given(w)) {
		json_t *o = who_why(w);
		json_object_set_new(o, "rule", json_string(
			up_dash_str(c, "rule")));
		return o;
	}
	return NULL;
}

/* The override recorded on the unit or its gate, or NULL. */
static json_t *override_of(const json_t *u, const json_t *g)
{
	json_t *o = json_object_get(u, "override");
	if (!given(o))
		o = json_object_get(g, "override");
	return given(o) ? who_why(o) : NULL;
}

/* Strikes as a record may give them: a number, {count} or {dates}, a
 * list of days, or a list of such records (then the most on one). */
static json_int_t count_of(const json_t *x)
{
	if (json_is_integer(x))
		return json_integer_value(x);
	if (json_is_object(x))
		return json_is_integer(json_object_get(x, "count"))
			? json_integer_value(json_object_get(x, "count"))
			: count_of(json_object_get(x, "dates"));
	if (!json_is_object(json_array_get(x, 0)))
		return (json_int_t)json_array_size(x);
	json_int_t most = 0;
	size_t i;
	json_t *e;
	json_array_foreach(x, i, e)
		most = count_of(e) > most ? count_of(e) : most;
	return most;
}

/* The most strikes one condition of the unit carries: three on one kill
 * the gate. */
static json_int_t strikes_of(const json_t *u, const json_t *g)
{
	json_int_t n = count_of(json_object_get(u, "strikes"));
	if (count_of(json_object_get(g, "strikes")) > n)
		n = count_of(json_object_get(g, "strikes"));
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(u, "conditions"), i, c)
		if (count_of(json_object_get(c, "strikes")) > n)
			n = count_of(json_object_get(c, "strikes"));
	return n;
}

/* The conditions of an earlier conditional go still open. */
static json_t *conditions_of(const json_t *u)
{
	json_t *out = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(u, "conditions"), i, c)
		json_array_append_new(out, UP_JSON(json_pack(
			"{s:s, s:s, s:s, s:I}", "rule", up_dash_str(c, "rule"),
			"due", up_dash_str(c, "due"), "status",
			up_dash_str(c, "status"), "strikes",
			count_of(json_object_get(c, "strikes")))));
	return out;
}

/* A result's rule title, or "" when it only repeats the rule's id. */
static const char *title_of(const json_t *x)
{
	const char *t = up_dash_str(x, "title");
	return strcmp(t, up_dash_str(x, "rule")) ? t : "";
}

/* The criteria that kept the gate from go, and those waived. */
static json_t *not_met(const json_t *g, json_t *waivers)
{
	json_t *out = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(g, "criteria"), i, c) {
		json_t *w = waiver_of(c);
		if (w)
			json_array_append_new(waivers, w);
		const char *st = up_dash_str(c, "status");
		if (w || !strcmp(st, "pass") || !strcmp(st, "skip"))
			continue;
		json_array_append_new(out, UP_JSON(json_pack(
			"{s:s, s:s, s:s, s:b, s:s}", "rule",
			up_dash_str(c, "rule"), "title", title_of(c),
			"status", st, "must", json_is_true(json_object_get(c,
			"must")), "message", up_dash_str(c, "message"))));
	}
	return out;
}

static json_t *board_row(const json_t *u, const up_facts *f)
{
	const json_t *g = first_gate(u);
	json_t *waivers = json_array();
	json_t *failed = not_met(g, waivers);
	json_t *row = UP_JSON(json_pack("{s:s, s:s, s:i, s:s, s:s?, s:s?, "
		"s:O?, s:s?, s:I, s:o, s:o*, s:I, s:o, s:o}",
		"id", up_dash_str(u, "id"), "name", up_dash_str(u, "name"),
		"depth", up_dash_depth(f, up_dash_str(u, "id")),
		"stage", up_dash_str(u, "stage"),
		"gate", g ? up_dash_str(g, "gate") : NULL,
		"decision", g ? up_dash_str(g, "decision") : NULL,
		"score", g ? json_object_get(g, "score") : NULL,
		"reason", g ? up_dash_str(g, "reason") : NULL,
		"findings", (json_int_t)json_array_size(json_object_get(u,
			"findings")),
		"waivers", waivers, "override", override_of(u, g),
		"strikes", strikes_of(u, g), "failed", failed,
		"conditions", conditions_of(u)));
	return row;
}

static json_t *board(const json_t *doc, const up_facts *f)
{
	json_t *rows = json_array();
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(doc, "units"), i, u)
		json_array_append_new(rows, board_row(u, f));
	return rows;
}

/* ---- the summary ---- */

static int severity_rank(const char *s)
{
	static const char *const order[] = {"critical", "high", "medium",
					    "low"};
	for (size_t i = 0; i < UP_COUNTOF(order); i++)
		if (!strcmp(s, order[i]))
			return (int)i;
	return (int)UP_COUNTOF(order);
}

static json_t *summary(const json_t *doc, const json_t *rows)
{
	json_t *dec = json_object(), *sev = json_object();
	for (size_t k = 0; k < UP_COUNTOF(decisions); k++) {
		json_int_t n = 0;
		size_t i;
		json_t *r;
		json_array_foreach(rows, i, r)
			n += !strcmp(up_dash_str(r, "decision"), decisions[k]);
		if (n)
			json_object_set_new(dec, decisions[k],
					    json_integer(n));
	}
	for (int rank = 0; rank <= 4; rank++) {
		size_t i, j;
		json_t *u, *x;
		json_array_foreach(json_object_get(doc, "units"), i, u)
			json_array_foreach(json_object_get(u, "findings"), j,
					   x) {
			const char *s = up_dash_str(x, "severity");
			if (severity_rank(s) != rank)
				continue;
			json_t *n = json_object_get(sev, s);
			json_object_set_new(sev, s, json_integer(
				json_integer_value(n) + 1));
		}
	}
	return UP_JSON(json_pack("{s:I, s:o, s:o, s:I}", "units",
		(json_int_t)json_array_size(rows), "decisions", dec,
		"findings", sev, "errors", (json_int_t)json_array_size(
			json_object_get(doc, "errors"))));
}

/* ---- what changed since the previous cycle ---- */

/* The comparison `uptake history --diff` makes, or null for a first
 * cycle. */
static json_t *changes(const json_t *doc, const json_t *prev)
{
	return prev ? up_history_diff(prev, doc) : json_null();
}

const json_t *up_dash_item(const json_t *list, const char *key,
			   const char *val)
{
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x)
		if (!strcmp(up_dash_str(x, key), val))
			return x;
	return NULL;
}

/* ---- the tables of what changed, for both renderers ---- */

#define COLS(...) (const up_dash_column[]){__VA_ARGS__}, \
	sizeof (const up_dash_column[]){__VA_ARGS__} / sizeof(up_dash_column)

const up_dash_table up_dash_change_tables[] = {
	{"decisions", "Decisions that moved", COLS({"Unit", "unit",
	 UP_COL_CODE}, {"Gate", "gate", UP_COL_CODE}, {"Before", "from",
	 UP_COL_DECISION}, {"Now", "to", UP_COL_DECISION})},
	{"stages", "Stages that moved", COLS({"Unit", "unit", UP_COL_CODE},
	 {"Before", "from", UP_COL_TEXT}, {"Now", "to", UP_COL_TEXT})},
	{"findings", "Findings that appeared, were resolved or changed",
	 COLS({"Unit", "unit", UP_COL_CODE}, {"Check", "rule", UP_COL_CODE},
	 {"Severity", "severity", UP_COL_TEXT}, {"Change", "change",
	 UP_COL_TEXT}, {"Message", "message", UP_COL_TEXT})},
	{"criteria", "Criteria that flipped", COLS({"Unit", "unit",
	 UP_COL_CODE}, {"Gate", "gate", UP_COL_CODE}, {"Rule", "rule",
	 UP_COL_CODE}, {"Before", "from", UP_COL_TEXT}, {"Now", "to",
	 UP_COL_TEXT})},
	{"metrics", "Metric statuses that moved", COLS({"Metric", "metric",
	 UP_COL_CODE}, {"Unit", "unit", UP_COL_UNIT}, {"Before", "from",
	 UP_COL_STATUS}, {"Now", "to", UP_COL_STATUS})},
	{"files", "Rule files and program.yaml that changed", COLS({"File",
	 "path", UP_COL_CODE}, {"SHA-256 before", "from", UP_COL_HASH},
	 {"SHA-256 now", "to", UP_COL_HASH})},
	{"packs", "Packs that changed", COLS({"Pack", "name", UP_COL_CODE},
	 {"Before", "from", UP_COL_VERSION}, {"Now", "to",
	 UP_COL_VERSION})},
};
const size_t up_dash_nchange_tables = UP_COUNTOF(up_dash_change_tables);

const char *up_dash_change_text(const json_t *entry,
				const up_dash_column *c, char head[13])
{
	const json_t *v = json_object_get(entry, c->key);
	const char *s = json_string_value(c->kind == UP_COL_VERSION
		? json_object_get(v, "version") : v);
	if (s && c->kind == UP_COL_HASH) { /* enough to tell two apart */
		snprintf(head, 13, "%s", s);
		return head;
	}
	return s;
}

/* ---- training coverage and reminders ---- */

/* Per person: the day of their latest session as of the date. */
static int32_t *last_sessions(const up_facts *f)
{
	int32_t *last = up_xcalloc(f->npeople + 1, sizeof *last);
	for (size_t i = 0; i < f->npeople; i++)
		last[i] = INT32_MIN;
	for (size_t i = 0; i < f->ntrainings; i++) {
		const up_session_rec *t = &f->trainings[i];
		if (t->person_ix >= 0 && t->day > last[t->person_ix])
			last[t->person_ix] = t->day;
	}
	return last;
}

static int within(const up_facts *f, int top, int ix)
{
	return top >= 0 && ix >= f->units[top].pre && ix <= f->units[top].post;
}

/* The reminders of the unit and every unit below it, by state. */
static void count_states(const up_facts *f, int ui, const json_t *due,
			 json_int_t n[3])
{
	static const char *const states[] = {"due", "overdue", "escalated"};
	size_t i;
	json_t *r;
	json_array_foreach(due, i, r) {
		if (!within(f, ui, up_facts_unit(f, up_dash_str(r, "unit"))))
			continue;
		/* a lapse is an escalation still open */
		const char *st = up_dash_str(r, "state");
		if (!strcmp(st, "lapsed"))
			st = "escalated";
		for (int k = 0; k < 3; k++)
			n[k] += !strcmp(st, states[k]);
	}
}

static json_t *coverage_row(const up_facts *f, const json_t *u,
			    const int32_t *last, const json_t *due)
{
	int ui = up_facts_unit(f, up_dash_str(u, "id"));
	json_int_t people = 0, trained = 0, n[3] = {0, 0, 0};
	for (size_t i = 0; i < f->npeople; i++) {
		if (!within(f, ui, f->people[i].unit_ix))
			continue;
		people++;
		trained += last[i] > f->as_of - COVERAGE_DAYS;
	}
	count_states(f, ui, due, n);
	return UP_JSON(json_pack("{s:s, s:s, s:i, s:I, s:I, s:o, s:I, s:I, "
		"s:I}", "unit", up_dash_str(u, "id"), "name",
		up_dash_str(u, "name"), "depth", up_dash_depth(f,
		up_dash_str(u, "id")), "people", people, "trained", trained,
		"share", people ? json_real((double)trained / (double)people)
		: json_null(), "due", n[0], "overdue", n[1], "escalated",
		n[2]));
}

/* Those to act on now: due, overdue or escalated, at most a hundred. */
static json_t *to_act_on(const json_t *due, json_int_t *more)
{
	json_t *out = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(due, i, r) {
		const char *st = up_dash_str(r, "state");
		if (strcmp(st, "due") && strcmp(st, "overdue") &&
		    strcmp(st, "escalated") && strcmp(st, "lapsed"))
			continue;
		if (json_array_size(out) == MAX_REMINDERS)
			++*more;
		else
			json_array_append(out, r);
	}
	return out;
}

static json_t *training(up_store *s, const up_program *p,
			const up_facts *f, const json_t *doc, up_error *err)
{
	json_t *due = up_due_list(s, p->cadence.grace_days, f->as_of, NULL,
				  NULL, err);
	if (!due)
		return NULL;
	int32_t *last = last_sessions(f);
	json_t *rows = json_array();
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(doc, "units"), i, u)
		json_array_append_new(rows, coverage_row(f, u, last, due));
	free(last);
	json_int_t more = 0;
	json_t *act = to_act_on(due, &more);
	json_decref(due);
	return UP_JSON(json_pack("{s:i, s:o, s:o, s:I}", "days",
		COVERAGE_DAYS, "units", rows, "reminders", act, "more", more));
}

/* ---- findings by severity ---- */

static json_t *findings(const json_t *doc)
{
	json_t *groups = json_array();
	json_t *by = json_object();
	for (int rank = 0; rank <= 4; rank++) {
		size_t i, j;
		json_t *u, *x;
		json_array_foreach(json_object_get(doc, "units"), i, u)
			json_array_foreach(json_object_get(u, "findings"), j,
					   x) {
			const char *sev = up_dash_str(x, "severity");
			if (severity_rank(sev) != rank)
				continue;
			json_t *items = json_object_get(by, sev);
			if (!items) {
				items = json_array();
				json_object_set_new(by, sev, items);
				json_array_append_new(groups, UP_JSON(json_pack(
					"{s:s, s:O}", "severity", sev, "items",
					items)));
			}
			json_t *w = waiver_of(x);
			json_array_append_new(items, UP_JSON(json_pack(
				"{s:s, s:s, s:s, s:s, s:s, s:o*}", "unit",
				up_dash_str(u, "id"), "rule", up_dash_str(x,
				"rule"), "title", title_of(x),
				"status", up_dash_str(x, "status"), "message",
				up_dash_str(x, "message"), "waived", w)));
		}
	}
	json_decref(by);
	return groups;
}

/* ---- the whole ---- */

static json_t *assemble(up_store *s, const up_program *p, up_facts *f,
			const json_t *doc, long long number,
			const char *ran_at, up_error *err)
{
	long long prev_no = 0;
	json_t *prev = load_cycle(s, number, 1, &prev_no, NULL, err);
	if (!prev && up_error_code(err))
		return NULL;
	json_t *met = up_dash_metrics(s, p, f, doc, number, err);
	json_t *train = met ? training(s, p, f, doc, err) : NULL;
	if (!train) {
		json_decref(prev);
		json_decref(met);
		return NULL;
	}
	json_t *dash = header(p, doc, number, ran_at);
	json_t *rows = board(doc, f);
	json_object_set_new(dash, "summary", summary(doc, rows));
	json_object_set_new(dash, "board", rows);
	json_object_set_new(dash, "changes", changes(doc, prev));
	json_object_set_new(dash, "metrics", met);
	json_object_set_new(dash, "training", train);
	json_object_set_new(dash, "findings", findings(doc));
	json_t *errors = json_object_get(doc, "errors");
	json_object_set_new(dash, "errors", errors ? json_incref(errors)
						   : json_array());
	json_decref(prev);
	return dash;
}

json_t *up_dashboard_build(up_store *s, const up_program *p, long long cycle,
			   up_error *err)
{
	long long number = 0;
	char *ran_at = NULL;
	json_t *doc = load_cycle(s, cycle, 0, &number, &ran_at, err);
	if (!doc) {
		free(ran_at);
		return NULL;
	}
	int32_t day;
	up_facts f;
	json_t *dash = NULL;
	if (up_date_parse(up_dash_str(doc, "as_of"), &day, NULL) != UP_OK)
		up_err(err, UP_EINTERNAL, "cycle %lld's record is damaged",
		       number);
	else if (up_facts_load_as_ran(&f, s, number, day,
					 UP_FACTS_ALL, NULL, err) == UP_OK) {
		dash = assemble(s, p, &f, doc, number, ran_at, err);
		up_facts_free(&f);
	}
	json_decref(doc);
	free(ran_at);
	return dash;
}

/* ---- the public API ---- */

typedef int (*render_fn)(const json_t *dash, FILE *fp);

static int render(up_store *s, const up_program *p, long long cycle,
		  render_fn fn, FILE *fp, up_error *err)
{
	json_t *dash = up_dashboard_build(s, p, cycle, err);
	if (!dash)
		return up_error_code(err) ? up_error_code(err) : UP_EINTERNAL;
	int rc = fn(dash, fp);
	json_decref(dash);
	return rc;
}

int up_report_html(up_store *s, const up_program *p, long long cycle,
		   FILE *fp, up_error *err)
{
	return render(s, p, cycle, up_dashboard_html, fp, err);
}

int up_report_md(up_store *s, const up_program *p, long long cycle,
		 FILE *fp, up_error *err)
{
	return render(s, p, cycle, up_dashboard_md, fp, err);
}

/* Renders into memory, then replaces PATH whole ("-": standard output). */
static int save(const json_t *dash, render_fn fn, const char *path,
		up_error *err)
{
	if (!strcmp(path, "-"))
		return fn(dash, stdout);
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem)
		return up_err(err, UP_ENOMEM, "out of memory");
	int rc = fn(dash, mem);
	if (fclose(mem) != 0 && rc == UP_OK)
		rc = up_err(err, UP_ENOMEM, "out of memory");
	if (rc == UP_OK)
		rc = up_write_atomic(path, buf, len, err);
	free(buf);
	return rc;
}

int up_report_save(up_store *s, const up_program *p, long long cycle,
		   const char *html, const char *md, up_error *err)
{
	json_t *dash = up_dashboard_build(s, p, cycle, err);
	if (!dash)
		return up_error_code(err) ? up_error_code(err) : UP_EINTERNAL;
	int rc = html ? save(dash, up_dashboard_html, html, err) : UP_OK;
	if (rc == UP_OK && md)
		rc = save(dash, up_dashboard_md, md, err);
	json_decref(dash);
	return rc;
}
