/*
 * calendar.c: the schedule as iCalendar (RFC 5545): one VTODO per reminder
 * and per follow-up.  libical writes every content line, so escaping and
 * folding (75 octets, never inside a UTF-8 sequence) are its job.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>
#include <sqlite3.h>

#include "plan.h"

/*
 * Reminders in every state (done and cancelled ones too: a calendar that
 * had them must learn so), follow-ups among them, and follow-ups not yet
 * run that have no reminder (stores from before follow-ups had one), in
 * one statement so the export reads one snapshot of the store.  With
 * BY_UNITS, only those of the units in the JSON array ?1 (by the index
 * on unit), with BY_PERSON also those about the person ?2 (on person).
 * Malloc'ed.
 */
static char *items_sql(int by_units, int by_person)
{
	const char *units = "r.unit IN (SELECT value FROM json_each(?1))";
	return up_xasprintf(
		"SELECT r.id AS id, r.kind, r.due AS due, r.note, r.state,"
		" r.acked, r.cancelled, r.sequence, r.role,"
		" coalesce(p.name, r.person), coalesce(u.name, r.unit), f.rule,"
		" f.source, r.person, r.unit, r.plan"
		" FROM reminders r LEFT JOIN people p ON p.id = r.person"
		" LEFT JOIN units u ON u.id = r.unit"
		" LEFT JOIN followups f ON f.id = r.id AND r.kind = 'followup'"
		"%s%s%s%s"
		" UNION ALL"
		" SELECT f.id, 'followup', f.due, f.note, 'pending', 0, 0, 0,"
		" NULL, NULL, coalesce(u.name, f.unit), f.rule, f.source, NULL,"
		" f.unit, NULL"
		" FROM followups f LEFT JOIN units u ON u.id = f.unit"
		" WHERE f.ran_in IS NULL%s"
		" AND NOT EXISTS (SELECT 1 FROM reminders WHERE id = f.id)"
		" ORDER BY due, id",
		by_units || by_person ? " WHERE " : "",
		by_units ? units : "",
		by_units && by_person ? " OR " : "",
		by_person ? "r.person = ?2" : "",
		by_units ? " AND f.unit IN (SELECT value FROM json_each(?1))"
			 : by_person ? " AND 0" : "");
}

/*
 * UNIT and the units below it, active ones as the facts have them, as
 * a JSON array of ids (malloc'ed) without loading the facts: --unit alone
 * needs nothing else.  NULL when UNIT is not active (the facts do not
 * know it, and keep every unit) or after a failure (*RC).
 */
static char *subtree_json(up_store *s, const char *unit, int *rc,
			  up_error *err)
{
	sqlite3_stmt *st;
	*rc = UP_OK;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT id, parent FROM units"
			       " WHERE active", -1, &st, NULL)) {
		*rc = up_store_fail(s, "reading units", err);
		return NULL;
	}
	size_t n = 0, cap = 0;
	char **id = NULL, **parent = NULL;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			id = up_xrealloc(id, cap * sizeof *id);
			parent = up_xrealloc(parent, cap * sizeof *parent);
		}
		const char *u = (const char *)sqlite3_column_text(st, 0);
		const char *p = (const char *)sqlite3_column_text(st, 1);
		if (!u) /* a damaged store: a unit without an id is no one's */
			continue;
		id[n] = up_xstrdup(u);
		parent[n++] = p ? up_xstrdup(p) : NULL;
	}
	if (sqlite3_finalize(st) != SQLITE_OK)
		*rc = up_store_fail(s, "reading units", err);
	up_strmap ix = {0};
	for (size_t i = 0; i < n; i++)
		up_strmap_put(&ix, id[i], (int)i);
	unsigned char *in = up_xcalloc(n + 1, 1);
	int top = up_strmap_get(&ix, unit), grew = top >= 0;
	if (top >= 0)
		in[top] = 1;
	/* down one level a pass; a cycle in damaged data ends it too */
	while (grew) {
		grew = 0;
		for (size_t i = 0; i < n; i++) {
			int pi = parent[i] ? up_strmap_get(&ix, parent[i]) : -1;
			if (!in[i] && pi >= 0 && in[pi])
				in[i] = grew = 1;
		}
	}
	char *out = NULL;
	if (*rc == UP_OK && top >= 0) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++)
			if (in[i])
				json_array_append_new(a, json_string(id[i]));
		out = json_dumps(a, JSON_COMPACT);
		json_decref(a);
	}
	for (size_t i = 0; i < n; i++) {
		free(id[i]);
		free(parent[i]);
	}
	free(id);
	free(parent);
	free(in);
	up_strmap_free(&ix);
	return out;
}

enum { C_ID, C_KIND, C_DUE, C_NOTE, C_STATE, C_ACKED, C_CANCELLED, C_SEQ,
       C_ROLE, C_PERSON, C_UNIT, C_RULE, C_SOURCE, C_PERSON_ID, C_UNIT_ID,
       C_PLAN };

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/*
 * TEXT as libical should see it: valid UTF-8, line breaks as LF, and no
 * other control characters (libical would write a tab as "\t", an escape
 * RFC 5545 does not have).  Malloc'ed.
 */
static char *clean_text(const char *s)
{
	char *t = up_utf8_clean(s, strlen(s), (size_t)-1, NULL);
	char *w = t;
	for (const char *r = t; *r; r++) {
		unsigned char c = (unsigned char)*r;
		if (c == '\r' && r[1] == '\n')
			continue;
		if (c == '\r')
			c = '\n';
		else if (c == '\t')
			c = ' ';
		else if ((c < 0x20 && c != '\n') || c == 0x7F)
			continue;
		*w++ = (char)c;
	}
	*w = '\0';
	return t;
}

/* A role id in words: "first_line_manager" -> "first line manager". */
static void put_words(up_buf *b, const char *id)
{
	size_t from = b->len;
	up_buf_puts(b, id);
	for (size_t i = from; i < b->len; i++)
		if (b->buf[i] == '_')
			b->buf[i] = ' ';
}

/*
 * "What: who, where" in plain words, e.g. "Training refresher 3: Åsa
 * Öberg, Ortopedi".  A training reminder's note says which refresher.
 */
static char *summary_of(sqlite3_stmt *st)
{
	const char *kind = col(st, C_KIND), *note = col(st, C_NOTE);
	const char *role = col(st, C_ROLE), *person = col(st, C_PERSON);
	const char *unit = col(st, C_UNIT), *rule = col(st, C_RULE);
	const char *source = col(st, C_SOURCE);
	up_buf b = {0};
	if (!strcmp(kind, "training_refresher")) {
		if (note && note[0] >= 'a' && note[0] <= 'z')
			up_buf_printf(&b, "%c%s", note[0] - 'a' + 'A', note + 1);
		else
			up_buf_puts(&b, "Training refresher");
	} else if (!strcmp(kind, "escalation")) {
		up_buf_puts(&b, "Escalation");
		if (role) {
			up_buf_puts(&b, " to ");
			put_words(&b, role);
		}
	} else if (!strcmp(kind, "followup")) {
		if (source && !strcmp(source, "cadence"))
			up_buf_puts(&b, "Routine evaluation");
		else if (rule)
			up_buf_printf(&b, "Follow-up of %s", rule);
		else
			up_buf_puts(&b, "Follow-up");
	} else if (!strcmp(kind, "deliverable")) {
		up_buf_puts(&b, "Deliverable");
		if (note && *note)
			up_buf_printf(&b, " \"%s\"", note);
	} else {
		up_buf_puts(&b, "Reminder");
	}
	up_buf_puts(&b, ": ");
	if (person)
		up_buf_printf(&b, "%s, ", person);
	else if (role && strcmp(kind, "escalation")) {
		put_words(&b, role);
		up_buf_puts(&b, ", ");
	}
	up_buf_puts(&b, unit ? unit : "");
	char *s = clean_text(b.buf);
	up_buf_free(&b);
	return s;
}

static enum icalproperty_status status_of(sqlite3_stmt *st)
{
	const char *state = col(st, C_STATE);
	if (sqlite3_column_int(st, C_CANCELLED))
		return ICAL_STATUS_CANCELLED;
	/* a lapse holds until the person attends, acknowledged or not */
	if (!strcmp(state, "lapsed"))
		return ICAL_STATUS_NEEDSACTION;
	if (sqlite3_column_int(st, C_ACKED) || !strcmp(state, "done"))
		return ICAL_STATUS_COMPLETED;
	/* A finally missed training slot will not be done: the plan moved
	 * on (a reset, or the window closed). */
	if (!strcmp(state, "missed"))
		return ICAL_STATUS_CANCELLED;
	return ICAL_STATUS_NEEDSACTION;
}

/* DAY as a DATE, or at 00:00:00 UTC as a DATE-TIME. */
static struct icaltimetype ical_day(int32_t day, int utc_midnight)
{
	char s[11];
	up_date_format(day, s);
	struct icaltimetype t = utc_midnight ? icaltime_null_time()
					     : icaltime_null_date();
	t.year = atoi(s);
	t.month = atoi(s + 5);
	t.day = atoi(s + 8);
	if (utc_midnight)
		t.zone = icaltimezone_get_utc_timezone();
	return t;
}

/* Adds a TEXT property made by NEW from S (cleaned); S may be NULL. */
static void add_text(icalcomponent *c, icalproperty *(*new)(const char *),
		     const char *s)
{
	if (!s || !*s)
		return;
	char *t = clean_text(s);
	icalcomponent_add_property(c, new(t));
	free(t);
}

/* Writes TEXT, from one of libical's *_r functions, to FP and frees it. */
static int put_ical(char *text, FILE *fp, up_error *err)
{
	if (!text)
		return up_err(err, UP_ENOMEM, "out of memory writing the "
			      "calendar");
	fputs(text, fp);
	icalmemory_free_buffer(text);
	return UP_OK;
}

static int write_todo(sqlite3_stmt *st, const char *prog_id,
		      struct icaltimetype stamp, FILE *fp, up_error *err)
{
	const char *id = col(st, C_ID), *due = col(st, C_DUE);
	int32_t day;
	if (!due || up_date_parse(due, &day, NULL) != UP_OK)
		return up_err(err, UP_EINTERNAL, "'%s' has no valid due date "
			      "in the store", id);
	icalcomponent *todo = icalcomponent_new(ICAL_VTODO_COMPONENT);
	if (!todo)
		return up_err(err, UP_ENOMEM, "out of memory writing the "
			      "calendar");
	/* ids only: stable across exports and free of personal data */
	char *uid = up_xasprintf("%s@%s.uptake", id, prog_id);
	icalcomponent_add_property(todo, icalproperty_new_uid(uid));
	free(uid);
	icalcomponent_add_property(todo, icalproperty_new_dtstamp(stamp));
	icalcomponent_add_property(todo,
				   icalproperty_new_due(ical_day(day, 0)));
	char *summary = summary_of(st);
	icalcomponent_add_property(todo, icalproperty_new_summary(summary));
	free(summary);
	add_text(todo, icalproperty_new_description, col(st, C_NOTE));
	icalcomponent_add_property(todo, icalproperty_new_sequence(
		sqlite3_column_int(st, C_SEQ)));
	icalcomponent_add_property(todo, icalproperty_new_status(
		status_of(st)));
	icalcomponent_add_property(todo, icalproperty_new_categories(
		col(st, C_KIND)));
	int rc = put_ical(icalcomponent_as_ical_string_r(todo), fp, err);
	icalcomponent_free(todo);
	return rc;
}

/* TEXT escaping of RFC 5545 3.3.11: backslash, semicolon, comma. */
static char *escape_text(const char *s)
{
	up_buf b = {0};
	up_buf_add(&b, "", 0);
	for (; *s; s++) {
		if (*s == '\\' || *s == ';' || *s == ',')
			up_buf_add(&b, "\\", 1);
		up_buf_add(&b, s, 1);
	}
	return b.buf;
}

/* VERSION, PRODID and the calendar's name, one content line each. */
static int write_head(const up_program *p, FILE *fp, up_error *err)
{
	const char *title = p->title ? p->title : p->id;
	char *name = clean_text(title);
	char *xname = escape_text(name);
	icalproperty *props[] = {
		icalproperty_new_version("2.0"),
		icalproperty_new_prodid("-//uptake//uptake " UP_VERSION "//EN"),
		/* libical writes X- values verbatim; RFC 5545 3.8.8.2 makes
		 * them TEXT, so escape here */
		icalproperty_new_x(xname),
		icalproperty_new_name(name), /* RFC 7986's own NAME */
	};
	free(name);
	free(xname);
	icalproperty_set_x_name(props[2], "X-WR-CALNAME");
	fputs("BEGIN:VCALENDAR\r\n", fp);
	int rc = UP_OK;
	for (size_t i = 0; i < UP_COUNTOF(props); i++) {
		if (rc == UP_OK)
			rc = put_ical(icalproperty_as_ical_string_r(props[i]),
				      fp, err);
		icalproperty_free(props[i]);
	}
	return rc;
}

/* Whether the row is of the --unit subtree and the --for person's; A
 * NULL: every row. */
static int wanted(up_audience *a, const char *unit, sqlite3_stmt *st)
{
	if (!a)
		return 1;
	json_t *o = json_object();
	static const struct {
		const char *key;
		int col;
	} cols[] = {{"kind", C_KIND}, {"person", C_PERSON_ID},
		    {"role", C_ROLE}, {"unit", C_UNIT_ID}, {"plan", C_PLAN},
		    {"state", C_STATE}};
	for (size_t i = 0; i < UP_COUNTOF(cols); i++)
		if (col(st, cols[i].col))
			json_object_set_new(o, cols[i].key,
					    json_string(col(st, cols[i].col)));
	int keep = up_audience_keeps(a, o, unit);
	json_decref(o);
	return keep;
}

/* The export's statement: every item, or with A (--for) or UNIT only
 * those of the units they can keep and the person's own; NULL after a
 * failure. */
static sqlite3_stmt *select_items(up_store *s, up_audience *a,
				  const char *unit, const char *for_person,
				  up_error *err)
{
	int rc = UP_OK;
	char *units = NULL;
	if (a) {
		json_t *u = up_audience_units(a, unit);
		units = u ? json_dumps(u, JSON_COMPACT) : NULL;
		json_decref(u);
	} else if (unit) {
		units = subtree_json(s, unit, &rc, err);
	}
	char *sql = items_sql(units != NULL, for_person != NULL);
	sqlite3_stmt *st = NULL;
	if (rc == UP_OK &&
	    sqlite3_prepare_v2(up_store_db(s), sql, -1, &st, NULL))
		up_store_fail(s, "reading the schedule", err);
	free(sql);
	if (st && units)
		sqlite3_bind_text(st, 1, units, -1, SQLITE_TRANSIENT);
	if (st && for_person)
		sqlite3_bind_text(st, 2, for_person, -1, SQLITE_TRANSIENT);
	free(units);
	return st;
}

int up_calendar_write_for(up_store *s, const up_program *p, const char *as_of,
			  const char *unit, const char *for_person, FILE *fp,
			  up_error *err)
{
	int32_t day = up_date_today();
	const char *why;
	if (as_of && up_date_parse(as_of, &day, &why) != UP_OK)
		return up_err(err, UP_EINPUT, "invalid as-of date '%s': %s",
			      as_of, why);
	int rc = UP_OK;
	if (unit)
		rc = up_ledger_known(s, "units", "unit", unit, err);
	if (rc == UP_OK && for_person)
		rc = up_ledger_known(s, "people", "person", for_person, err);
	/* whom a reminder goes to needs the facts; a unit's subtree does
	 * not (select_items) */
	up_audience *a = NULL;
	if (rc == UP_OK && for_person)
		rc = up_audience_open(&a, s, p, day, for_person, err);
	if (rc != UP_OK)
		return rc;
	/* the as-of day, not the clock: the same store exports the same */
	struct icaltimetype stamp = ical_day(day, 1);
	sqlite3_stmt *st = select_items(s, a, unit, for_person, err);
	if (!st) {
		up_audience_close(a);
		return up_error_code(err) ? up_error_code(err) : UP_EINTERNAL;
	}
	rc = write_head(p, fp, err);
	int step = SQLITE_DONE;
	while (rc == UP_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		if (wanted(a, unit, st))
			rc = write_todo(st, p->id, stamp, fp, err);
	if (rc == UP_OK && step != SQLITE_DONE)
		rc = up_store_fail(s, "reading the schedule", err);
	sqlite3_finalize(st);
	up_audience_close(a);
	if (rc != UP_OK)
		return rc;
	fputs("END:VCALENDAR\r\n", fp);
	if (fflush(fp) != 0 || ferror(fp))
		return up_err(err, UP_EINTERNAL, "cannot write the calendar: %s",
			      strerror(errno));
	return UP_OK;
}

int up_calendar_write(up_store *s, const up_program *p, const char *as_of,
		      FILE *fp, up_error *err)
{
	return up_calendar_write_for(s, p, as_of, NULL, NULL, fp, err);
}
