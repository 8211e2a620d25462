/* due.c: what to act on, as of a date, and acting on it (ack, snooze). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"

enum { HORIZON_DAYS = 14 };

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

/* The state a reminder shows as of DAY; NULL when it is not listed. */
static const char *state_as_of(sqlite3_stmt *st, int32_t day, int grace)
{
	const char *kind = (const char *)sqlite3_column_text(st, 5);
	const char *stored = (const char *)sqlite3_column_text(st, 6);
	const char *snoozed = (const char *)sqlite3_column_text(st, 8);
	int32_t due, until;
	if (up_date_parse((const char *)sqlite3_column_text(st, 1), &due,
			  NULL) != UP_OK)
		return NULL; /* not a day uptake wrote; skip it */
	if (sqlite3_column_int(st, 7))
		return "done";
	if (snoozed && up_date_parse(snoozed, &until, NULL) == UP_OK &&
	    until > day)
		return "snoozed";
	if (!strcmp(stored, "done") || !strcmp(stored, "missed"))
		return "done"; /* history: a missed slot was moved or reset */
	if (!strcmp(stored, "escalated") || !strcmp(stored, "overdue"))
		return stored;
	/* A training slot the cycle left pending waits for the ones before
	 * it; only the plan (the next cycle) makes it due. */
	int training = !strcmp(kind, "training_refresher");
	int g = training ? grace : 0;
	if (day < due - g || (training && !strcmp(stored, "pending")))
		return due - g - day <= HORIZON_DAYS ? "pending" : NULL;
	return day <= due + g ? "due" : "overdue";
}

json_t *up_due_list(up_store *s, int grace, int32_t day, const char *unit,
		    const char *person, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT id, due, person, role,"
			       " unit, kind, state, acked, snoozed_until, note"
			       " FROM reminders WHERE NOT cancelled"
			       " AND (?1 IS NULL OR unit = ?1)"
			       " AND (?2 IS NULL OR person = ?2)"
			       " AND (due <= ?3 OR state IN ('escalated',"
			       " 'overdue'))"
			       " ORDER BY due, id", -1, &st, NULL)) {
		up_store_fail(s, "reading reminders", err);
		return NULL;
	}
	if (unit)
		sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	if (person)
		sqlite3_bind_text(st, 2, person, -1, SQLITE_STATIC);
	/* nothing later than the horizon can show: let the index skip it */
	char last[11];
	up_date_format(day + HORIZON_DAYS + grace, last);
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
			const char *v = (const char *)sqlite3_column_text(st, i);
			if (v)
				json_object_set_new(o, k[i], json_string(v));
		}
		json_object_set_new(o, "state", json_string(state));
		const char *note = (const char *)sqlite3_column_text(st, 9);
		if (note)
			json_object_set_new(o, "note", json_string(note));
		json_array_append_new(list, o);
	}
	if (sqlite3_finalize(st) != SQLITE_OK) {
		json_decref(list);
		up_store_fail(s, "reading reminders", err);
		return NULL;
	}
	return list;
}

int up_due_print(up_store *s, const up_program *p, const char *as_of,
		 const char *unit, const char *person, FILE *fp,
		 unsigned flags, up_error *err)
{
	int rc;
	int32_t day = day_or_today(as_of, err, &rc);
	/* a typo must not read as "nothing due" */
	if (rc == UP_OK && unit)
		rc = up_ledger_known(s, "units", "unit", unit, err);
	if (rc == UP_OK && person)
		rc = up_ledger_known(s, "people", "person", person, err);
	if (rc != UP_OK)
		return rc;
	json_t *list = up_due_list(s, p->cadence.grace_days, day, unit, person,
				   err);
	if (!list)
		return up_error_code(err) ? up_error_code(err) : UP_EINTERNAL;
	if (flags & UP_PRINT_JSON) {
		json_dumpf(list, fp, JSON_INDENT(2));
		fputc('\n', fp);
	} else {
		up_print_due(list, fp, flags);
	}
	json_decref(list);
	return UP_OK;
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
