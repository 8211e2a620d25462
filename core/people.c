/*
 * people.c: people who come and go, with dates.
 *
 * A person's row in `people` is their baseline: program.yaml's entry, or
 * what the first import of them said.  What changes later is appended to
 * people_history, never written over the row: a move to another unit,
 * a role taken on or given up, and leaving.  The facts as of a date are
 * the baseline with every change dated on or before it applied in date
 * order, so a cycle (or a replay) as of any date sees who held which role
 * where then.  A person who left is kept apart from those present
 * (up_facts.leavers): no plan, reminder, coverage or rule counts them
 * unless it asks for them.
 *
 * Each change says where it came from: `record` (uptake record leave,
 * role, move), `import` (the people_changes import kind) or `people` (a
 * re-import of people.csv that says something else than it said before;
 * see import.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"

static const char *const change_names[] = {"move", "add_role", "remove_role",
					   "leave"};

const char *up_change_name(up_change_kind k)
{
	return (unsigned)k < UP_COUNTOF(change_names) ? change_names[k] : "?";
}

int up_change_parse(const char *s, up_change_kind *out)
{
	for (size_t i = 0; s && i < UP_COUNTOF(change_names); i++)
		if (!strcmp(s, change_names[i])) {
			*out = (up_change_kind)i;
			return 1;
		}
	return 0;
}

/* ---- roles as a JSON array of strings ---- */

static int role_index(const json_t *roles, const char *role)
{
	size_t i;
	json_t *r;
	json_array_foreach(roles, i, r) {
		if (!strcmp(json_string_value(r), role))
			return (int)i;
	}
	return -1;
}

/* Applies one change to a unit and roles; a change that changes nothing
 * (a role held already, a move to the same unit) is no error here: the
 * history may say the same thing twice. */
static void apply_change(up_change_kind k, const char *value, char **unit,
			 json_t *roles)
{
	int at;
	switch (k) {
	case UP_CHANGE_MOVE:
		free(*unit);
		*unit = up_xstrdup(value);
		break;
	case UP_CHANGE_ADD_ROLE:
		if (role_index(roles, value) < 0)
			json_array_append_new(roles, json_string(value));
		break;
	case UP_CHANGE_REMOVE_ROLE:
		if ((at = role_index(roles, value)) >= 0)
			json_array_remove(roles, (size_t)at);
		break;
	default:
		break;
	}
}

/* ---- the facts as of a date ---- */

int up_people_apply(up_facts *f, up_store *s, up_error *err)
{
	up_strmap ix = {0};
	for (size_t i = 0; i < f->npeople; i++)
		up_strmap_put(&ix, f->people[i].id, (int)i);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT person, change, value,"
			       " date FROM people_history WHERE date <= ?1"
			       " ORDER BY person, date, id", -1, &st, NULL)) {
		up_strmap_free(&ix);
		return up_store_fail(s, "reading people's changes", err);
	}
	sqlite3_bind_text(st, 1, f->as_of_s, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int pi = up_strmap_get(&ix, (const char *)
				       sqlite3_column_text(st, 0));
		up_change_kind k;
		if (pi < 0 || !up_change_parse((const char *)
					       sqlite3_column_text(st, 1), &k))
			continue; /* not present as of the date */
		up_person *p = &f->people[pi];
		const char *value = (const char *)sqlite3_column_text(st, 2);
		if (p->left)
			continue; /* nothing changes after leaving */
		if (k == UP_CHANGE_LEAVE) {
			p->left = up_xstrdup((const char *)
					     sqlite3_column_text(st, 3));
		} else if (k == UP_CHANGE_MOVE && value) {
			p->unit_ix = up_facts_unit(f, value);
			snprintf(p->moved_on, sizeof p->moved_on, "%s",
				 (const char *)sqlite3_column_text(st, 3));
		} else if (value) {
			char *none = NULL;
			apply_change(k, value, &none, p->roles);
			/* a plan for the role starts when they took it on */
			if (k == UP_CHANGE_ADD_ROLE) {
				if (!p->roles_since)
					p->roles_since = json_object();
				json_object_set_new(p->roles_since, value,
					json_string((const char *)
						sqlite3_column_text(st, 3)));
			}
		}
	}
	up_strmap_free(&ix);
	if (sqlite3_finalize(st) != SQLITE_OK)
		return up_store_fail(s, "reading people's changes", err);
	/* those who left go to their own list, in the same order */
	size_t n = 0, gone = 0;
	for (size_t i = 0; i < f->npeople; i++)
		gone += f->people[i].left != NULL;
	if (!gone)
		return UP_OK;
	f->leavers = up_xcalloc(gone, sizeof *f->leavers);
	for (size_t i = 0; i < f->npeople; i++) {
		if (f->people[i].left)
			f->leavers[f->nleavers++] = f->people[i];
		else
			f->people[n++] = f->people[i];
	}
	f->npeople = n;
	return UP_OK;
}

/* ---- one person, for the checks of record and import ---- */

void up_person_state_free(up_person_state *ps)
{
	free(ps->name);
	free(ps->unit);
	free(ps->joined);
	free(ps->left);
	json_decref(ps->roles);
	memset(ps, 0, sizeof *ps);
}

enum { Q_PERSON, Q_AS_OF, Q_SAID, Q_LEAVE, Q_AFTER, Q_INSERT, Q_COUNT };

static const char *const queries[Q_COUNT] = {
	"SELECT name, unit, roles, joined FROM people WHERE id = ?1 AND active",
	"SELECT change, value FROM people_history WHERE person = ?1"
	" AND date <= ?2 ORDER BY date, id",
	/* what the re-imports of people.csv said, in the order they said it */
	"SELECT change, value FROM people_history WHERE person = ?1"
	" AND source = 'people' AND change != 'leave' ORDER BY id",
	"SELECT date FROM people_history WHERE person = ?1 AND change ="
	" 'leave' ORDER BY date, id LIMIT 1",
	"SELECT change, value, date FROM people_history WHERE person = ?1"
	" AND change != 'leave' AND date >= ?2 ORDER BY date, id LIMIT 1",
	"INSERT INTO people_history(person, change, value, date, note, source,"
	" batch, import_key, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	" ?8, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
};

struct up_people_db {
	up_store *s;
	sqlite3_stmt *st[Q_COUNT];
};

int up_people_db_open(up_people_db **out, up_store *s, up_error *err)
{
	up_people_db *d = up_xcalloc(1, sizeof *d);
	d->s = s;
	*out = d;
	for (int i = 0; i < Q_COUNT; i++)
		if (sqlite3_prepare_v2(up_store_db(s), queries[i], -1, &d->st[i],
				       NULL))
			return up_store_fail(s, "reading people's changes",
					     err);
	return UP_OK;
}

void up_people_db_close(up_people_db *d)
{
	if (!d)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(d->st[i]);
	free(d);
}

static sqlite3_stmt *bound(up_people_db *d, int q, const char *person,
			   const char *date)
{
	sqlite3_stmt *st = d->st[q];
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_text(st, 1, person, -1, SQLITE_TRANSIENT);
	if (date)
		sqlite3_bind_text(st, 2, date, -1, SQLITE_TRANSIENT);
	return st;
}

static char *text_col(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	return v ? up_xstrdup((const char *)v) : NULL;
}

/* Applies the changes statement ST yields (change, value). */
static int apply_rows(up_people_db *d, sqlite3_stmt *st, up_person_state *ps,
		      up_error *err)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		up_change_kind k;
		const char *v = (const char *)sqlite3_column_text(st, 1);
		if (up_change_parse((const char *)sqlite3_column_text(st, 0),
				    &k) && v)
			apply_change(k, v, &ps->unit, ps->roles);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? UP_OK
		: up_store_fail(d->s, "reading people's changes", err);
}

int up_people_state(up_people_db *d, const char *person, const char *date,
		    up_person_state *ps, up_error *err)
{
	memset(ps, 0, sizeof *ps);
	sqlite3_stmt *st = bound(d, Q_PERSON, person, NULL);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		ps->found = 1;
		ps->name = text_col(st, 0);
		ps->unit = text_col(st, 1);
		const char *r = (const char *)sqlite3_column_text(st, 2);
		ps->roles = r ? json_loads(r, 0, NULL) : NULL;
		ps->joined = text_col(st, 3);
	}
	sqlite3_reset(st);
	if (!json_is_array(ps->roles)) {
		json_decref(ps->roles);
		ps->roles = json_array();
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return up_store_fail(d->s, "reading a person", err);
	if (!ps->found)
		return UP_OK;
	st = bound(d, Q_LEAVE, person, NULL);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		ps->left = text_col(st, 0);
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return up_store_fail(d->s, "reading a person", err);
	/* as of a date, nothing after leaving counts (none is recorded) */
	return apply_rows(d, date ? bound(d, Q_AS_OF, person, date)
				  : bound(d, Q_SAID, person, NULL), ps, err);
}

/* "a, b" of the roles, or "none". */
static void roles_text(const json_t *roles, char *buf, size_t n)
{
	size_t i, len = 0;
	json_t *r;
	buf[0] = '\0';
	json_array_foreach(roles, i, r) {
		int w = snprintf(buf + len, n - len, "%s%s", i ? ", " : "",
				 json_string_value(r));
		if (w < 0 || (size_t)w >= n - len)
			break;
		len += (size_t)w;
	}
	if (!len)
		snprintf(buf, n, "none");
}

int up_people_check(up_people_db *d, const up_change *c, char *why, size_t n,
		    up_change_field *field, up_error *err)
{
	up_person_state ps;
	int rc = up_people_state(d, c->person, c->date, &ps, err);
	*field = UP_FIELD_DATE;
	why[0] = '\0';
	if (rc != UP_OK || !ps.found) {
		if (rc == UP_OK)
			snprintf(why, n, "unknown person '%s'", c->person);
		up_person_state_free(&ps);
		return rc != UP_OK ? rc : UP_EINPUT;
	}
	const char *who = c->person;
	if (ps.joined && strcmp(c->date, ps.joined) < 0) {
		snprintf(why, n, "%s is before %s joined (%s)", c->date, who,
			 ps.joined);
	} else if (c->kind == UP_CHANGE_LEAVE && ps.left) {
		snprintf(why, n, "%s left on %s already", who, ps.left);
	} else if (ps.left && strcmp(ps.left, c->date) <= 0) {
		snprintf(why, n, "%s left on %s: nothing changes for someone "
			 "who left", who, ps.left);
	} else if (c->kind == UP_CHANGE_LEAVE) {
		sqlite3_stmt *st = bound(d, Q_AFTER, c->person, c->date);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW)
			snprintf(why, n, "%s has a change dated %s (%s %s), on "
				 "or after leaving: record the leave after it",
				 who, (const char *)sqlite3_column_text(st, 2),
				 (const char *)sqlite3_column_text(st, 0),
				 (const char *)sqlite3_column_text(st, 1));
		sqlite3_reset(st);
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			rc = up_store_fail(d->s, "reading a person", err);
	} else if (c->kind == UP_CHANGE_MOVE && ps.unit &&
		   !strcmp(ps.unit, c->value)) {
		*field = UP_FIELD_UNIT;
		snprintf(why, n, "%s is in '%s' already on %s", who, c->value,
			 c->date);
	} else if (c->kind == UP_CHANGE_ADD_ROLE &&
		   role_index(ps.roles, c->value) >= 0) {
		*field = UP_FIELD_ROLE;
		snprintf(why, n, "%s holds the role '%s' already on %s", who,
			 c->value, c->date);
	} else if (c->kind == UP_CHANGE_REMOVE_ROLE &&
		   role_index(ps.roles, c->value) < 0) {
		*field = UP_FIELD_ROLE;
		const char *held[64];
		size_t nh = 0, i;
		json_t *r;
		json_array_foreach(ps.roles, i, r) {
			if (nh < UP_COUNTOF(held))
				held[nh++] = json_string_value(r);
		}
		const char *hint = up_did_you_mean(c->value, held, nh);
		char list[300];
		roles_text(ps.roles, list, sizeof list);
		if (hint)
			snprintf(why, n, "%s does not hold the role '%s' on %s "
				 "(did you mean '%s'?)", who, c->value, c->date,
				 hint);
		else
			snprintf(why, n, "%s does not hold the role '%s' on %s "
				 "(roles then: %s)", who, c->value, c->date,
				 list);
	}
	up_person_state_free(&ps);
	if (rc != UP_OK)
		return rc;
	return why[0] ? UP_EINPUT : UP_OK;
}

int up_people_insert(up_people_db *d, const up_change *c, long long *id,
		     up_error *err)
{
	sqlite3_stmt *st = bound(d, Q_INSERT, c->person, NULL);
	sqlite3_bind_text(st, 2, up_change_name(c->kind), -1, SQLITE_STATIC);
	if (c->value)
		sqlite3_bind_text(st, 3, c->value, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, c->date, -1, SQLITE_TRANSIENT);
	if (c->note)
		sqlite3_bind_text(st, 5, c->note, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, c->source, -1, SQLITE_TRANSIENT);
	if (c->batch > 0)
		sqlite3_bind_int64(st, 7, c->batch);
	if (c->import_key)
		sqlite3_bind_text(st, 8, c->import_key, -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return up_store_fail(d->s, "recording a change of a person",
				     err);
	if (id)
		*id = sqlite3_last_insert_rowid(up_store_db(d->s));
	return UP_OK;
}

/* ---- the schedule: a leaver's reminders ---- */

/*
 * Closes the open reminders about each person who had left by the facts'
 * date (their training slots, the escalations about them, and rules'
 * reminders to them), with the reason appended to the note.  Run before
 * the training plans are made: leavers have none, so the schedule's own
 * clean-up (withdraw) finds these closed already and leaves them be.
 * Deliverables are not closed: the unit still owes them.
 */
int up_people_close_leavers(up_store *s, const up_facts *f, long long cycle,
			    up_error *err)
{
	if (!f->nleavers)
		return UP_OK;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "UPDATE reminders SET"
			       " cancelled = 1, sequence = sequence + 1,"
			       " updated_in = ?3, note = CASE WHEN note IS NULL"
			       " OR note = '' THEN ?2 ELSE note || ' (' || ?2 ||"
			       " ')' END WHERE person = ?1 AND NOT cancelled"
			       " AND NOT acked AND state NOT IN ('done',"
			       " 'missed') AND kind IN ('training_refresher',"
			       " 'escalation', 'rule')", -1, &st, NULL))
		return up_store_fail(s, "closing reminders", err);
	int rc = UP_OK;
	for (size_t i = 0; i < f->nleavers && rc == UP_OK; i++) {
		char why[40];
		snprintf(why, sizeof why, "closed: left on %s",
			 f->leavers[i].left);
		sqlite3_bind_text(st, 1, f->leavers[i].id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, why, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, cycle);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = up_store_fail(s, "closing reminders", err);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	sqlite3_finalize(st);
	return rc;
}
