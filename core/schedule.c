/*
 * schedule.c: follow-ups and reminders in the store.  Every row's id is
 * derived from what it is (rule, unit, date; person, unit, slot), so a
 * cycle that runs twice, or late, or after a gap, writes the same rows:
 * nothing is ever raised twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"
#include "metric.h"
#include "plan.h"

void up_stable_id(char out[17], const char *prefix,
		  const char *const *parts, size_t n)
{
	up_buf b = {0};
	up_buf_puts(&b, prefix);
	for (size_t i = 0; i < n; i++) {
		up_buf_add(&b, "\x1f", 1);
		up_buf_puts(&b, parts[i] ? parts[i] : "");
	}
	char hex[65];
	up_sha256_hex(b.buf, b.len, hex);
	up_buf_free(&b);
	memcpy(out, hex, 16);
	out[16] = '\0';
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int run_stmt(up_store *s, sqlite3_stmt *st, const char *what,
		    up_error *err)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW
		? UP_OK : up_store_fail(s, what, err);
}

/* ---- follow-ups ---- */

/* What a cycle writes into a reminder; see add_reminder(). */
typedef struct {
	const char *id, *kind, *person, *role, *unit, *plan, *note, *state;
	const char *reason;     /* why it was cancelled or closed */
	int32_t due, planned;
	int32_t opens, closes;  /* a slot's window, when WINDOW */
	int window, cancelled;
	int keyed, gen, slot;   /* a plan's: the slot's key (slot -1: an
				 * escalation); see known_row */
} reminder_row;

static int add_reminder(up_store *s, const reminder_row *r, long long cycle,
			up_error *err);

/*
 * Inserts a follow-up unless one is pending for the same source, rule and
 * unit: a rule that asks on every evaluation keeps one look-again on the
 * calendar, whether cycles run daily or once after a gap.
 */
/*
 * KEY names the follow-up: a rule's by its due day; the cadence's by its
 * place in the cadence (the third monthly evaluation), so that when a
 * go-live moves, its evaluations move with it instead of doubling.
 */
static int add_followup(up_store *s, const char *source, const char *rule,
			const char *unit, int32_t due, const char *key,
			const char *note, long long cycle, up_error *err)
{
	char day[11], id[17];
	up_date_format(due, day);
	const char *parts[] = {source, rule, unit, key ? key : day};
	up_stable_id(id, "followup", parts, 4);
	sqlite3_stmt *st = up_store_cached(s, UP_STMT_FOLLOWUP,
		"INSERT INTO followups(id, source, rule, unit, due, note,"
		" asked_in) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7"
		" WHERE ?2 = 'cadence' OR NOT EXISTS (SELECT 1 FROM followups"
		"  WHERE source = ?2 AND rule IS ?3 AND unit = ?4"
		"  AND ran_in IS NULL)"
		" ON CONFLICT(id) DO UPDATE SET due = excluded.due"
		" WHERE ran_in IS NULL AND due != excluded.due");
	if (!st)
		return up_store_fail(s, "scheduling a follow-up", err);
	bind_text(st, 1, id);
	bind_text(st, 2, source);
	bind_text(st, 3, rule);
	bind_text(st, 4, unit);
	bind_text(st, 5, day);
	bind_text(st, 6, note);
	sqlite3_bind_int64(st, 7, cycle);
	int rc = run_stmt(s, st, "scheduling a follow-up", err);
	/* a new follow-up is also a reminder to whoever looks at the unit,
	 * under the same id */
	if (rc == UP_OK && sqlite3_changes(up_store_db(s)) > 0)
		rc = add_reminder(s, &(reminder_row){.id = id, .kind =
				  "followup", .unit = unit, .due = due,
				  .planned = due, .note = note, .state =
				  "pending"}, cycle, err);
	return rc;
}

/*
 * The cadence's due days for a unit that went live on GO, from FROM up
 * to LAST, into DAY with each one's step since go-live (its key) in STEP.
 * Steps before FROM are skipped, not counted: a go-live long before the
 * program began (or centuries back, in a hostile file) costs nothing.
 */
static size_t cadence_days(const up_cadence *c, int32_t go, int32_t from,
			   int32_t last, int32_t *day, int *step, size_t max)
{
	size_t n = 0;
	if (c->evaluation == UP_EVAL_OFFSETS) {
		for (size_t i = 0; i < c->neval_offsets && n < max; i++) {
			int32_t d = go + c->eval_offsets[i];
			if (d >= from && d <= last) {
				day[n] = d;
				step[n++] = (int)i + 1;
			}
		}
		return n;
	}
	/* a step is at most 7, 31 or 92 days: none before K0 reaches FROM */
	int span = c->evaluation == UP_EVAL_WEEKLY ? 7
		 : c->evaluation == UP_EVAL_QUARTERLY ? 92 : 31;
	int k = from > go ? (int)((from - go) / span) : 1;
	char spec[16];
	for (k = k < 1 ? 1 : k; n < max; k++) {
		/* k steps from go-live itself, so month ends clamp alike */
		if (c->evaluation == UP_EVAL_WEEKLY)
			snprintf(spec, sizeof spec, "+%dw", k);
		else
			snprintf(spec, sizeof spec, "+%dm",
				 c->evaluation == UP_EVAL_QUARTERLY ? 3 * k : k);
		int32_t d;
		if (up_deadline_parse(spec, go, &d, NULL) != 0 || d > last)
			break;
		if (d >= from) {
			day[n] = d;
			step[n++] = k;
		}
	}
	return n;
}

int up_schedule_cadence(up_store *s, const up_program *p, const up_facts *f,
			long long cycle, up_error *err)
{
	const up_cadence *c = &p->cadence;
	if (c->evaluation == UP_EVAL_NONE)
		return UP_OK;
	/* the next one after as-of too, so it shows on the calendar */
	int32_t horizon = f->as_of + 92, from = INT32_MIN;
	if (p->start && up_date_parse(p->start, &from, NULL) != UP_OK)
		from = INT32_MIN;
	int32_t *days = up_xcalloc(2048, sizeof *days);
	int *steps = up_xcalloc(2048, sizeof *steps);
	int rc = UP_OK;
	for (size_t u = 0; u < f->nunits && rc == UP_OK; u++) {
		int32_t go;
		if (!f->units[u].go_live ||
		    up_date_parse(f->units[u].go_live, &go, NULL) != UP_OK)
			continue;
		size_t n = cadence_days(c, go, from, horizon, days, steps,
					2048);
		for (size_t i = 0; i < n && rc == UP_OK; i++) {
			char key[16];
			snprintf(key, sizeof key, "#%d", steps[i]);
			rc = add_followup(s, "cadence", NULL, f->units[u].id,
					  days[i], key, "routine evaluation",
					  cycle, err);
		}
	}
	free(days);
	free(steps);
	return rc;
}

/*
 * A rule's reminder is one per rule, unit and addressee: asked again while
 * it is open, it stays as it is; asked again after it was acknowledged, it
 * opens again with the new day (a new SEQUENCE tells calendars).
 */
static int rule_reminder(up_store *s, const up_request *r, const char *unit,
			 long long cycle, up_error *err)
{
	char id[17], day[11];
	up_date_format(r->due, day);
	const char *parts[] = {r->rule, unit, r->role, r->person};
	up_stable_id(id, "remind", parts, 4);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s),
		"INSERT INTO reminders(id, kind, person, role, unit, due, planned,"
		" note, state, raised_in, updated_in) VALUES (?1, 'rule', ?2, ?3,"
		" ?4, ?5, ?5, ?6, 'pending', ?7, ?7)"
		" ON CONFLICT(id) DO UPDATE SET due = ?5, planned = ?5, note = ?6,"
		"  state = 'pending', acked = 0, snoozed_until = NULL,"
		"  sequence = sequence + 1, updated_in = ?7"
		" WHERE acked", -1, &st, NULL))
		return up_store_fail(s, "raising a reminder", err);
	bind_text(st, 1, id);
	bind_text(st, 2, r->person);
	bind_text(st, 3, r->role);
	bind_text(st, 4, unit);
	bind_text(st, 5, day);
	bind_text(st, 6, r->note);
	sqlite3_bind_int64(st, 7, cycle);
	int rc = run_stmt(s, st, "raising a reminder", err);
	sqlite3_finalize(st);
	return rc;
}

int up_schedule_requests(up_store *s, up_host *h, const up_facts *f,
			 long long cycle, up_error *err)
{
	const up_request *r;
	size_t n = up_host_requests(h, &r);
	int rc = UP_OK;
	for (size_t i = 0; i < n && rc == UP_OK; i++) {
		const char *unit = f->units[r[i].unit_ix].id;
		if (!r[i].remind) {
			rc = add_followup(s, "rule", r[i].rule, unit, r[i].due,
					  NULL, r[i].note, cycle, err);
			continue;
		}
		rc = rule_reminder(s, &r[i], unit, cycle, err);
	}
	up_host_clear_requests(h);
	return rc;
}

/* The earliest pending follow-up day up to AS_OF, or 0 if none. */
int up_schedule_next_due(up_store *s, int32_t as_of, int32_t *day,
			 up_error *err)
{
	char lim[11];
	up_date_format(as_of, lim);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT min(due) FROM followups"
			       " WHERE ran_in IS NULL AND due <= ?1", -1, &st,
			       NULL))
		return up_store_fail(s, "reading follow-ups", err);
	sqlite3_bind_text(st, 1, lim, -1, SQLITE_STATIC);
	int found = 0;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		found = up_date_parse((const char *)sqlite3_column_text(st, 0),
				      day, NULL) == UP_OK;
	if (sqlite3_finalize(st) != SQLITE_OK)
		return up_store_fail(s, "reading follow-ups", err);
	return found ? 1 : 0;
}

/*
 * The follow-ups SQL selects for DAY (bound as ?1), each row an object of
 * its columns by name (text or null); NULL after reporting a failure.
 */
static json_t *followup_rows(up_store *s, const char *sql, int32_t day,
			     up_error *err)
{
	char d[11];
	up_date_format(day, d);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), sql, -1, &st, NULL)) {
		up_store_fail(s, "reading follow-ups", err);
		return NULL;
	}
	sqlite3_bind_text(st, 1, d, -1, SQLITE_STATIC);
	json_t *a = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *o = json_object();
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			json_object_set_new(o, sqlite3_column_name(st, i),
					    v ? json_string(v) : json_null());
		}
		json_array_append_new(a, o);
	}
	if (sqlite3_finalize(st) != SQLITE_OK) {
		json_decref(a);
		up_store_fail(s, "reading follow-ups", err);
		return NULL;
	}
	return a;
}

/* The pending follow-ups due on DAY: ids, sources, rules, units. */
json_t *up_schedule_due_on(up_store *s, int32_t day, up_error *err)
{
	return followup_rows(s, "SELECT id, source, rule, unit FROM followups"
			     " WHERE ran_in IS NULL AND due = ?1 ORDER BY id",
			     day, err);
}

int up_schedule_mark_ran(up_store *s, const char *id, long long cycle,
			 const json_t *result, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "UPDATE followups SET ran_in ="
			       " ?1, result = ?2 WHERE id = ?3", -1, &st, NULL))
		return up_store_fail(s, "recording a follow-up", err);
	char *js = json_dumps(result, JSON_COMPACT | JSON_REAL_PRECISION(12));
	sqlite3_bind_int64(st, 1, cycle);
	bind_text(st, 2, js);
	bind_text(st, 3, id);
	int rc = run_stmt(s, st, "recording a follow-up", err);
	free(js);
	sqlite3_finalize(st);
	if (rc != UP_OK)
		return rc;
	/* its reminder is done: the look-again happened */
	if (sqlite3_prepare_v2(up_store_db(s), "UPDATE reminders SET state ="
			       " 'done', sequence = sequence + 1, updated_in = ?1"
			       " WHERE id = ?2 AND state != 'done'", -1, &st,
			       NULL))
		return up_store_fail(s, "recording a follow-up", err);
	sqlite3_bind_int64(st, 1, cycle);
	bind_text(st, 2, id);
	rc = run_stmt(s, st, "recording a follow-up", err);
	sqlite3_finalize(st);
	return rc;
}

/*
 * The training reminders as stored, person by person, so that a cycle
 * matches each slot it derives to its row by the slot's integer key
 * (plan, unit, generation, index) and writes only what changed: on a
 * quiet day a national cycle reads its stored reminders and hashes and
 * writes the few that moved.  A row is remembered by a hash of what a
 * cycle writes into it.  Rows stored before the keys (gen NULL) are
 * matched by id, which costs a SHA-256 per slot of the people who have
 * any; the cycle that matches them writes their keys.
 */
typedef struct {
	char *id, *person, *unit, *plan;
	int escalation;
	int gen, slot;   /* the key; gen KEY_NONE: stored before the keys,
			  * KEY_GONE: no slot held it when they were filled */
	uint64_t sig;
	int cancelled;
	int next;        /* the person's next row, or -1 */
	char produced;   /* this cycle's plans gave it again */
} known_row;

enum { KEY_NONE = -1, KEY_GONE = -2 };

typedef struct {
	up_strmap people; /* person -> their first row */
	known_row *row;
	size_t n;
} known_reminders;

static uint64_t sig_add(uint64_t h, const char *v)
{
	/* FNV-1a; a NULL and "" differ */
	h = (h ^ (v ? 1u : 2u)) * 1099511628211u;
	for (; v && *v; v++)
		h = (h ^ (unsigned char)*v) * 1099511628211u;
	return h;
}

/* The hash of the columns a cycle writes, each given as text. */
enum { SIG_COLS = 9 };

static uint64_t row_sig(const char *const col[SIG_COLS])
{
	uint64_t h = 14695981039346656037u;
	for (int i = 0; i < SIG_COLS; i++)
		h = sig_add(h, col[i]);
	return h;
}

/* Columns 7.. are the SIG_COLS ones, in row_sig's order. */
static const char known_sql[] =
	"SELECT id, person, unit, plan, kind = 'escalation', gen, slot,"
	" due, state, cancelled, plan, opens, closes, reason, note, planned"
	" FROM reminders WHERE kind IN ('training_refresher', 'escalation')";

static char *dup_col(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	return v ? up_xstrdup(v) : NULL;
}

static void add_known(known_reminders *k, sqlite3_stmt *st)
{
	known_row *r = &k->row[k->n];
	*r = (known_row){.id = dup_col(st, 0), .person = dup_col(st, 1),
			 .unit = dup_col(st, 2), .plan = dup_col(st, 3),
			 .escalation = sqlite3_column_int(st, 4),
			 .gen = KEY_NONE, .slot = -1, .next = -1,
			 .cancelled = sqlite3_column_int(st, 9)};
	if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
		r->gen = sqlite3_column_int(st, 5);
		r->gen = r->gen < 0 ? KEY_GONE : r->gen;
		r->slot = sqlite3_column_type(st, 6) == SQLITE_NULL
			? -1 : sqlite3_column_int(st, 6);
	}
	const char *col[SIG_COLS];
	for (int i = 0; i < SIG_COLS; i++)
		col[i] = (const char *)sqlite3_column_text(st, i + 7);
	r->sig = row_sig(col);
	/* the person's rows are a list from the first one stored */
	int head = r->person ? up_strmap_put(&k->people, r->person,
					     (int)k->n) : -1;
	if (head >= 0) {
		r->next = k->row[head].next;
		k->row[head].next = (int)k->n;
	}
	k->n++;
}

static int load_known(up_store *s, known_reminders *k, up_error *err)
{
	memset(k, 0, sizeof *k);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), known_sql, -1, &st, NULL))
		return up_store_fail(s, "reading reminders", err);
	size_t cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (k->n == cap) {
			cap = cap ? 2 * cap : 1024;
			k->row = up_xrealloc(k->row, cap * sizeof *k->row);
		}
		add_known(k, st);
	}
	if (sqlite3_finalize(st) != SQLITE_OK)
		return up_store_fail(s, "reading reminders", err);
	return UP_OK;
}

static void free_known(known_reminders *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->row[i].id);
		free(k->row[i].person);
		free(k->row[i].unit);
		free(k->row[i].plan);
	}
	free(k->row);
	up_strmap_free(&k->people);
}

static int same_str(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* Whether any of the rows from HEAD on was stored before the keys. */
static int any_unkeyed(const known_reminders *k, int head)
{
	for (int i = head; i >= 0; i = k->row[i].next)
		if (k->row[i].gen == KEY_NONE)
			return 1;
	return 0;
}

/*
 * The stored row, among a person's from HEAD on, of plan PL's slot
 * (GEN, K) in UNIT (K -1: the escalation that starts GEN); -1 if none.
 * ID, when the person has rows from before the keys, is the slot's id.
 * The two plans of a single-map program share their slots' ids (the
 * plan is not in them), so a person who moves from one to the other
 * keeps the rows: their plan is not compared.
 */
static int find_known(const known_reminders *k, int head,
		      const up_plan_def *pl, const char *unit, int gen,
		      int slot, const char *id)
{
	for (int i = head; i >= 0; i = k->row[i].next) {
		const known_row *r = &k->row[i];
		if (r->gen == KEY_NONE ? id && !strcmp(r->id, id)
		    : r->gen == gen && r->slot == slot &&
		      r->escalation == (slot < 0) && same_str(r->unit, unit) &&
		      (pl->legacy || same_str(r->plan, pl->id)))
			return i;
	}
	return -1;
}

/* The stored row, among a person's from HEAD on, whose id is ID; -1 if
 * none. */
static int find_id(const known_reminders *k, int head, const char *id)
{
	for (int i = head; i >= 0; i = k->row[i].next)
		if (!strcmp(k->row[i].id, id))
			return i;
	return -1;
}

/* DAY as text in BUF, or NULL when not SET. */
static const char *day_if(int set, int32_t day, char buf[11])
{
	if (!set)
		return NULL;
	up_date_format(day, buf);
	return buf;
}

/* Whether row I of KNOWN already says exactly R, keys included. */
static int unchanged(const known_reminders *known, int i,
		     const reminder_row *r)
{
	char d[11], o[11], c[11], pl[11];
	char cancelled[2] = {(char)('0' + r->cancelled), '\0'};
	const char *col[SIG_COLS] = {day_if(1, r->due, d), r->state,
				     cancelled, r->plan,
				     day_if(r->window, r->opens, o),
				     day_if(r->window, r->closes, c),
				     r->reason, r->note,
				     day_if(1, r->planned, pl)};
	return known->row[i].gen != KEY_NONE &&
	       known->row[i].sig == row_sig(col);
}

/* ---- reminders ---- */

/*
 * Raises or updates a reminder by its stable id.  SEQUENCE grows only when
 * the due day moves, it is cancelled or done, as a calendar expects; a
 * reminder that was acked or snoozed keeps that.
 */
static int add_reminder(up_store *s, const reminder_row *r, long long cycle,
			up_error *err)
{
	char d[11], pl[11], o[11], c[11];
	/* prepared once per store: a large program has a million of these */
	sqlite3_stmt *st = up_store_cached(s, UP_STMT_REMINDER,
		"INSERT INTO reminders(id, kind, person, role, unit, due,"
		" planned, note, state, cancelled, raised_in, updated_in, plan,"
		" opens, closes, reason, gen, slot)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12,"
		"  ?13, ?14, ?15, ?16, ?17)"
		" ON CONFLICT(id) DO UPDATE SET"
		"  sequence = sequence + (due != ?6 OR cancelled != ?10"
		"   OR (state = 'done') != (?9 = 'done')),"
		"  due = ?6, planned = ?7, state = ?9, cancelled = ?10,"
		"  updated_in = ?11, note = ?8, plan = ?12, opens = ?13,"
		"  closes = ?14, reason = ?15, gen = coalesce(?16, gen),"
		"  slot = CASE WHEN ?16 IS NULL THEN slot ELSE ?17 END"
		" WHERE due != ?6 OR planned IS NOT ?7 OR state != ?9"
		"  OR cancelled != ?10 OR note IS NOT ?8 OR plan IS NOT ?12"
		"  OR opens IS NOT ?13 OR closes IS NOT ?14"
		"  OR reason IS NOT ?15 OR gen IS NOT coalesce(?16, gen)"
		"  OR slot IS NOT CASE WHEN ?16 IS NULL THEN slot ELSE ?17 END");
	if (!st)
		return up_store_fail(s, "raising a reminder", err);
	bind_text(st, 1, r->id);
	bind_text(st, 2, r->kind);
	bind_text(st, 3, r->person);
	bind_text(st, 4, r->role);
	bind_text(st, 5, r->unit);
	bind_text(st, 6, day_if(1, r->due, d));
	bind_text(st, 7, day_if(1, r->planned, pl));
	bind_text(st, 8, r->note);
	bind_text(st, 9, r->state);
	sqlite3_bind_int(st, 10, r->cancelled);
	sqlite3_bind_int64(st, 11, cycle);
	bind_text(st, 12, r->plan);
	bind_text(st, 13, day_if(r->window, r->opens, o));
	bind_text(st, 14, day_if(r->window, r->closes, c));
	bind_text(st, 15, r->reason);
	if (r->keyed) {
		sqlite3_bind_int(st, 16, r->gen);
		if (r->slot >= 0)
			sqlite3_bind_int(st, 17, r->slot);
	}
	return run_stmt(s, st, "raising a reminder", err);
}

static const char *slot_state(up_slot_state s)
{
	switch (s) {
	case UP_SLOT_DONE: return "done";
	case UP_SLOT_DUE: return "due";
	case UP_SLOT_OVERDUE: return "overdue";
	case UP_SLOT_MISSED: return "missed";
	case UP_SLOT_CANCELLED: return "cancelled";
	default: return "pending";
	}
}

/* What the training pass carries from person to person. */
typedef struct {
	up_store *s;
	known_reminders *known;
	int head;       /* the person's first stored row, or -1 */
	int unkeyed;    /* some of theirs were stored before the keys */
	int32_t as_of;
	long long cycle;
	up_error *err;
} plan_pass;

/*
 * Whether a slot is stored when it has no row yet: when `uptake due`
 * could list it before the next monthly cycle, that is due, overdue, or
 * pending with its window opening within UP_STORE_LOOKAHEAD_DAYS.  The rest of a plan (its history, what is far
 * off) is derived again by every cycle and by `uptake plan`, and gets a
 * row only once it comes near.
 */
static int slot_near(const up_slot *sl, const up_plan_rules *r, int32_t as_of)
{
	if (sl->state == UP_SLOT_DUE || sl->state == UP_SLOT_OVERDUE)
		return 1;
	return sl->state == UP_SLOT_PENDING &&
	       sl->due - r->grace - as_of <= UP_STORE_LOOKAHEAD_DAYS;
}

/*
 * Writes R unless its stored row (KNOWN, or -1) already says exactly
 * that; ID is computed (a SHA-256) only for a row not stored yet, with
 * MAKE_ID.  A row once stored is kept up to date whether near or not.
 */
static int plan_reminder(plan_pass *pp, int known, reminder_row *r,
			 char id[17], void (*make_id)(char id[17],
						     const void *arg),
			 const void *arg)
{
	if (known >= 0) {
		pp->known->row[known].produced = 1;
		if (unchanged(pp->known, known, r))
			return UP_OK;
		r->id = pp->known->row[known].id;
	} else {
		if (!id[0])
			make_id(id, arg);
		r->id = id;
		/* a row of this id stored under other keys (a damaged or
		 * hand-edited store) is this slot's, not one to withdraw */
		known = find_id(pp->known, pp->head, id);
		if (known >= 0) {
			pp->known->row[known].produced = 1;
			if (unchanged(pp->known, known, r))
				return UP_OK;
		}
	}
	r->keyed = 1;
	return add_reminder(pp->s, r, pp->cycle, pp->err);
}

/* A slot and whom it belongs to, for its id. */
typedef struct {
	const up_plan_def *pl;
	const char *person, *unit;
	int gen, k;  /* k -1: the escalation that starts GEN */
} slot_key;

static void key_id(char id[17], const void *arg)
{
	const slot_key *key = arg;
	if (key->k < 0)
		up_plan_escalation_id(id, key->pl, key->person, key->unit,
				      key->gen);
	else
		up_plan_slot_id(id, key->pl, key->person, key->unit, key->gen,
				key->k);
}

/* The stored row of KEY, or -1; ID gets its id when the match needs it
 * (rows from before the keys), else stays empty. */
static int match_known(plan_pass *pp, const slot_key *key, char id[17])
{
	id[0] = '\0';
	if (pp->head < 0)
		return -1;
	if (pp->unkeyed)
		key_id(id, key);
	return find_known(pp->known, pp->head, key->pl, key->unit,
			  key->gen, key->k, pp->unkeyed ? id : NULL);
}

/* One reminder per slot, stable across moves of the go-live. */
static int slot_reminder(plan_pass *pp, const up_plan_def *pl,
			 const up_person *p, const char *unit,
			 const up_plan_rules *r, const up_slot *sl,
			 const up_reset *rs, size_t nrs)
{
	char id[17], note[160], reason[120];
	slot_key key = {pl, p->id, unit, sl->gen, sl->k};
	int known = match_known(pp, &key, id);
	if (known < 0 && !slot_near(sl, r, pp->as_of))
		return UP_OK;
	if (pl->legacy)
		snprintf(note, sizeof note, "training refresher %d%s",
			 sl->k + 1, sl->gen ? " (plan restarted)" : "");
	else
		snprintf(note, sizeof note, "training refresher %d of plan "
			 "%s%s", sl->k + 1, pl->id,
			 sl->gen ? " (restarted)" : "");
	int cancelled = sl->state == UP_SLOT_CANCELLED;
	if (cancelled)
		up_plan_cancel_reason(reason, sizeof reason, sl, rs, nrs, r);
	reminder_row row = {
		.kind = "training_refresher", .person = p->id,
		.unit = unit, .plan = pl->id, .note = note,
		.state = slot_state(sl->state),
		.reason = cancelled ? reason : NULL, .due = sl->due,
		.planned = sl->planned, .opens = sl->due - r->grace,
		.closes = sl->due + r->grace, .window = 1,
		.cancelled = cancelled, .gen = sl->gen, .slot = sl->k};
	return plan_reminder(pp, known, &row, id, key_id, &key);
}

/* One escalation per lapse or failed check: open while it holds; a
 * closed one is stored only if it was while open. */
static int escalation_reminder(plan_pass *pp, const up_plan_def *pl,
			       const up_person *p, const char *unit,
			       const up_reset *t)
{
	char id[17], note[300], reason[120], d[11];
	slot_key key = {pl, p->id, unit, t->gen, -1};
	int open = t->closed == UP_NEVER;
	int known = match_known(pp, &key, id);
	if (known < 0 && !open)
		return UP_OK;
	const char *who = p->name ? p->name : p->id;
	const char *plan = pl->legacy ? "training plan" : pl->id;
	if (t->failed_check)
		snprintf(note, sizeof note, "%s's %s%s restarted after a "
			 "failed check", who, plan,
			 pl->legacy ? "" : " plan");
	else
		snprintf(note, sizeof note, "%s lapsed on the %s%s after two "
			 "missed sessions in a row", who, plan,
			 pl->legacy ? "" : " plan");
	if (!open) {
		up_date_format(t->closed, d);
		snprintf(reason, sizeof reason, "%s %s",
			 up_plan_closed_why(t->why), d);
	}
	reminder_row row = {
		.kind = "escalation", .person = p->id,
		.role = pl->escalate_to, .unit = unit, .plan = pl->id,
		.note = note,
		.state = !open ? "done" : t->failed_check ? "escalated"
							  : "lapsed",
		.reason = open ? NULL : reason, .due = t->day,
		.planned = t->day, .gen = t->gen, .slot = -1};
	return plan_reminder(pp, known, &row, id, key_id, &key);
}

static int person_plan(plan_pass *pp, const up_plan_def *pl,
		       const up_facts *f, size_t pi, up_session *buf)
{
	up_plan_rules r;
	if (up_plan_fits(pl, f, pi, &r) != UP_PLAN_ON)
		return UP_OK;
	const up_person *person = &f->people[pi];
	const char *unit = f->units[person->unit_ix].id;
	size_t ns = up_plan_sessions(pl, f, pi, buf);
	up_slot *sl = NULL;
	up_reset *rs = NULL;
	size_t n = 0, nrs = 0;
	up_training_plan(&r, buf, ns, f->as_of, &sl, &n, &rs, &nrs);
	int rc = UP_OK;
	for (size_t i = 0; i < n && rc == UP_OK; i++)
		rc = slot_reminder(pp, pl, person, unit, &r, &sl[i], rs, nrs);
	for (size_t i = 0; i < nrs && rc == UP_OK; i++)
		rc = escalation_reminder(pp, pl, person, unit, &rs[i]);
	free(sl);
	free(rs);
	return rc;
}

/*
 * What no plan produced any more - sessions recorded late undid a lapse,
 * a person moved unit or left, a plan changed - is cancelled, not left
 * due forever.  A row from before the keys that no slot matched has none
 * to get: it is marked so, and its person is not matched by id again.
 */
static int withdraw(up_store *s, const known_reminders *k, long long cycle,
		    up_error *err)
{
	static const char *const sql[] = {
		"UPDATE reminders SET cancelled = 1, sequence = sequence + 1,"
		" updated_in = ?1, reason = coalesce(reason,"
		" 'no training plan holds it any more'),"
		" gen = coalesce(gen, -1) WHERE id = ?2",
		"UPDATE reminders SET gen = -1 WHERE id = ?2 AND gen IS NULL"};
	sqlite3_stmt *st[2] = {NULL, NULL};
	int rc = UP_OK;
	for (int i = 0; i < 2 && rc == UP_OK; i++)
		if (sqlite3_prepare_v2(up_store_db(s), sql[i], -1, &st[i],
				       NULL))
			rc = up_store_fail(s, "withdrawing reminders", err);
	for (size_t i = 0; i < k->n && rc == UP_OK; i++) {
		const known_row *r = &k->row[i];
		if (r->produced || (r->cancelled && r->gen != KEY_NONE))
			continue;
		sqlite3_stmt *u = st[r->cancelled != 0];
		if (!r->cancelled)
			sqlite3_bind_int64(u, 1, cycle);
		bind_text(u, 2, r->id);
		rc = run_stmt(s, u, "withdrawing reminders", err);
	}
	sqlite3_finalize(st[0]);
	sqlite3_finalize(st[1]);
	return rc;
}

int up_schedule_trainings(up_store *s, const up_program *p,
			  const up_facts *f, long long cycle, up_error *err)
{
	known_reminders kn;
	int rc = load_known(s, &kn, err);
	if (rc != UP_OK) {
		free_known(&kn);
		return rc;
	}
	plan_pass pp = {.s = s, .known = &kn, .as_of = f->as_of,
			.cycle = cycle, .err = err};
	up_session *buf = up_xcalloc(up_plan_max_sessions(f) + 1,
				     sizeof *buf);
	for (size_t pi = 0; pi < f->npeople && rc == UP_OK; pi++) {
		pp.head = up_strmap_get(&kn.people, f->people[pi].id);
		pp.unkeyed = pp.head >= 0 && any_unkeyed(&kn, pp.head);
		for (size_t k = 0; k < p->cadence.nplans && rc == UP_OK; k++)
			rc = person_plan(&pp, &p->cadence.plans[k], f, pi,
					 buf);
	}
	free(buf);
	if (rc == UP_OK)
		rc = withdraw(s, &kn, cycle, err);
	free_known(&kn);
	return rc;
}

/*
 * A deliverable with a due date (an event of kind deliverable with
 * due=DATE, owner=PERSON) is a reminder to its owner until it has done=DATE;
 * its id is the event's, so recording it twice raises nothing twice.
 */
int up_schedule_deliverables(up_store *s, const up_facts *f, long long cycle,
			     up_error *err)
{
	int rc = UP_OK;
	for (size_t i = 0; i < f->nevents && rc == UP_OK; i++) {
		const up_event *e = &f->events[i];
		const char *due = json_string_value(json_object_get(e->attrs,
								    "due"));
		int32_t day;
		if (strcmp(e->kind, "deliverable") || !due ||
		    up_date_parse(due, &day, NULL) != UP_OK)
			continue;
		char key[32], id[17];
		snprintf(key, sizeof key, "%lld", e->id);
		const char *parts[] = {key};
		up_stable_id(id, "deliverable", parts, 1);
		const char *owner = json_string_value(json_object_get(e->attrs,
								      "owner"));
		const char *d = json_string_value(json_object_get(e->attrs,
								  "done"));
		int32_t done_day;
		int done = d && up_date_parse(d, &done_day, NULL) == UP_OK &&
			   done_day <= f->as_of; /* done in the future: not yet */
		const char *unit = f->units[e->unit_ix >= 0 ? e->unit_ix : 0].id;
		rc = add_reminder(s, &(reminder_row){.id = id, .kind =
				  "deliverable", .person = owner, .unit = unit,
				  .due = day, .planned = day, .note = e->note,
				  .state = done ? "done" : "pending"}, cycle,
				  err);
	}
	return rc;
}

/*
 * After a waiver ends its rule is judged again: a follow-up the day after
 * UNTIL of the latest waiver of each unit's rule.  A newer waiver with
 * another end moves it (the pending one goes, its reminder is cancelled);
 * one that has run stays as it ran.
 */
int up_schedule_waivers(up_store *s, long long cycle, up_error *err)
{
	static const char *const moves[] = {
		"UPDATE reminders SET cancelled = 1, sequence = sequence + 1,"
		" updated_in = ?4 WHERE NOT cancelled AND id IN (SELECT id FROM"
		" followups WHERE source = 'waiver' AND rule = ?1 AND unit = ?2"
		" AND ran_in IS NULL AND due != ?3)",
		"DELETE FROM followups WHERE source = 'waiver' AND rule = ?1"
		" AND unit = ?2 AND ran_in IS NULL AND due != ?3"};
	sqlite3_stmt *st, *mv[2] = {NULL, NULL};
	int rc = UP_OK;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT w.unit, w.rule,"
			       " w.until FROM waivers w JOIN units u ON u.id ="
			       " w.unit AND u.active WHERE w.id = (SELECT"
			       " max(id) FROM waivers WHERE unit = w.unit AND"
			       " rule = w.rule) ORDER BY w.id", -1, &st, NULL))
		return up_store_fail(s, "scheduling waiver follow-ups", err);
	for (int i = 0; i < 2 && rc == UP_OK; i++)
		if (sqlite3_prepare_v2(up_store_db(s), moves[i], -1, &mv[i],
				       NULL))
			rc = up_store_fail(s, "scheduling waiver follow-ups",
					   err);
	while (rc == UP_OK && sqlite3_step(st) == SQLITE_ROW) {
		const char *unit = (const char *)sqlite3_column_text(st, 0);
		const char *rule = (const char *)sqlite3_column_text(st, 1);
		int32_t until;
		if (up_date_parse((const char *)sqlite3_column_text(st, 2),
				  &until, NULL) != UP_OK)
			continue;
		char day[11], note[300];
		up_date_format(until + 1, day);
		snprintf(note, sizeof note, "the waiver of %s ended: judge it "
			 "again", rule);
		for (int i = 0; i < 2 && rc == UP_OK; i++) {
			bind_text(mv[i], 1, rule);
			bind_text(mv[i], 2, unit);
			bind_text(mv[i], 3, day);
			if (i == 0)
				sqlite3_bind_int64(mv[i], 4, cycle);
			rc = run_stmt(s, mv[i], "moving a waiver follow-up",
				      err);
		}
		if (rc == UP_OK)
			rc = add_followup(s, "waiver", rule, unit, until + 1,
					  NULL, note, cycle, err);
	}
	if (sqlite3_finalize(st) != SQLITE_OK && rc == UP_OK)
		rc = up_store_fail(s, "scheduling waiver follow-ups", err);
	sqlite3_finalize(mv[0]);
	sqlite3_finalize(mv[1]);
	return rc;
}

/* The follow-ups still to come after the cycle's date, for its JSON: the
 * same for two cycles at one date, whichever ran them. */
json_t *up_schedule_pending(up_store *s, int32_t as_of, up_error *err)
{
	return followup_rows(s, "SELECT id, due, rule, unit, note FROM followups"
			     " WHERE ran_in IS NULL AND due > ?1"
			     " ORDER BY due, id", as_of, err);
}
