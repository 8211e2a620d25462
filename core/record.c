/*
 * record.c: one fact from the command line (engagement, event, training,
 * or a person's leave, role or move), checked against the program and
 * the store before one transaction writes it.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"

enum { MAX_ATTRS = 64, MAX_PEOPLE = 256, MAX_NOTE = 4000 };

typedef struct {
	const char *person, *level, *date, *note, *kind, *unit, *people;
	const char *topic, *outcome, *add, *remove;
	const char *attr[MAX_ATTRS];
	size_t nattr;
} fields;

static int read_fields(fields *f, const char *what, size_t n,
		       const char *const names[], const char *const values[],
		       const char *const *allowed, up_error *err)
{
	memset(f, 0, sizeof *f);
	for (size_t i = 0; i < n; i++) {
		const char *k = names[i], *v = values[i];
		const char **slot = NULL;
		size_t a = 0;
		while (allowed[a] && strcmp(allowed[a], k))
			a++;
		if (!allowed[a])
			return up_err(err, UP_EINPUT, "%s has no field '%s'",
				      what, k);
		if (!up_utf8_valid(v, strlen(v)))
			return up_err(err, UP_EINPUT, "--%s: not valid UTF-8",
				      k);
		if (!strcmp(k, "attr")) {
			if (f->nattr == MAX_ATTRS)
				return up_err(err, UP_EINPUT, "more than %d "
					      "attributes", MAX_ATTRS);
			f->attr[f->nattr++] = v;
			continue;
		}
		slot = !strcmp(k, "person") ? &f->person
		     : !strcmp(k, "level") ? &f->level
		     : !strcmp(k, "date") ? &f->date
		     : !strcmp(k, "note") ? &f->note
		     : !strcmp(k, "kind") ? &f->kind
		     : !strcmp(k, "unit") ? &f->unit
		     : !strcmp(k, "topic") ? &f->topic
		     : !strcmp(k, "outcome") ? &f->outcome
		     : !strcmp(k, "add") ? &f->add
		     : !strcmp(k, "remove") ? &f->remove : &f->people;
		if (*slot)
			return up_err(err, UP_EINPUT, "--%s given twice", k);
		*slot = v;
	}
	if (f->note && strlen(f->note) > MAX_NOTE)
		return up_err(err, UP_EINPUT, "--note is longer than %d bytes",
			      MAX_NOTE);
	return UP_OK;
}

static int need(const char *v, const char *name, up_error *err)
{
	return v ? UP_OK : up_err(err, UP_EINPUT, "--%s is required", name);
}

static int check_date(const char *v, const char *name, up_error *err)
{
	const char *why;
	if (up_date_parse(v, NULL, &why) != UP_OK)
		return up_err(err, UP_EINPUT, "--%s: invalid date '%s': %s",
			      name, v, why);
	return UP_OK;
}

/* Checks that ID is an active unit or person, with a hint if not. */
static int exists(up_store *s, const char *table, const char *what,
		  const char *id, up_error *err)
{
	sqlite3_stmt *st;
	char *sql = up_xasprintf("SELECT id FROM %s WHERE active ORDER BY id",
				 table);
	int rc = sqlite3_prepare_v2(up_store_db(s), sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return up_store_fail(s, "looking up ids", err);
	const char **ids = NULL;
	char **owned = NULL;
	size_t n = 0, cap = 0;
	int found = 0;
	while (!found && sqlite3_step(st) == SQLITE_ROW) {
		const char *x = (const char *)sqlite3_column_text(st, 0);
		found = !strcmp(x, id);
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			owned = up_xrealloc(owned, cap * sizeof *owned);
		}
		owned[n++] = up_xstrdup(x);
	}
	sqlite3_finalize(st);
	ids = (const char **)owned;
	const char *hint = found ? NULL : up_did_you_mean(id, ids, n);
	if (!found && hint)
		up_err(err, UP_EINPUT, "unknown %s '%s' (did you mean '%s'?)",
		       what, id, hint);
	else if (!found)
		up_err(err, UP_EINPUT, "unknown %s '%s'", what, id);
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
	free(owned);
	return found ? UP_OK : UP_EINPUT;
}

static int insert_engagement(up_store *s, const fields *f, long long *id,
			     up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s),
		"INSERT INTO engagements(person, level, date, note, source)"
		" VALUES (?, ?, ?, ?, 'record')", -1, &st, NULL))
		return up_store_fail(s, "recording engagement", err);
	sqlite3_bind_text(st, 1, f->person, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->level, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->date, -1, SQLITE_STATIC);
	if (f->note)
		sqlite3_bind_text(st, 4, f->note, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE
		? UP_OK : up_store_fail(s, "recording engagement", err);
	sqlite3_finalize(st);
	*id = sqlite3_last_insert_rowid(up_store_db(s));
	return rc;
}

static int record_engagement(up_store *s, const fields *f, long long *id,
			     up_error *err)
{
	int rc = need(f->person, "person", err);
	rc |= need(f->level, "level", err);
	rc |= need(f->date, "date", err);
	if (rc)
		return UP_EINPUT;
	if (up_level_index(f->level) < 0) {
		const char *hint = up_did_you_mean(f->level, up_levels,
						   UP_LEVELS);
		if (hint)
			up_err(err, UP_EINPUT, "--level: '%s' is not on the "
			       "ladder (did you mean '%s'?)", f->level, hint);
		else
			up_err(err, UP_EINPUT, "--level: '%s' is not on the "
			       "ladder (unaware, informed, consulted, "
			       "involved, bought_in)", f->level);
		check_date(f->date, "date", err);
		exists(s, "people", "person", f->person, err);
		return UP_EINPUT;
	}
	rc = check_date(f->date, "date", err);
	if (exists(s, "people", "person", f->person, err) != UP_OK)
		rc = UP_EINPUT;
	return rc == UP_OK ? insert_engagement(s, f, id, err) : rc;
}

/* Attribute values the domain gives a meaning to.  NULL if
 * VAL suits KEY, else why not, in BUF.  Owners are checked by callers. */
const char *up_attr_problem(const char *key, const char *val, char *buf,
			    size_t n)
{
	static const struct {
		const char *key, *values;
	} enums[] = {{"proposed_by", "us|them"},
		     {"outcome", "held|cancelled|no_show"},
		     {"in_person", "yes|no"},
		     {"rating", "simple|complicated|complex"}};
	for (size_t i = 0; i < UP_COUNTOF(enums); i++) {
		if (strcmp(key, enums[i].key))
			continue;
		char pat[64], probe[160];
		snprintf(pat, sizeof pat, "|%s|", enums[i].values);
		snprintf(probe, sizeof probe, "|%s|", val);
		if (strchr(val, '|') || !strstr(pat, probe)) {
			snprintf(buf, n, "'%s' is not one of %s", val,
				 enums[i].values);
			return buf;
		}
	}
	const char *why;
	if ((!strcmp(key, "due") || !strcmp(key, "done")) &&
	    up_date_parse(val, NULL, &why) != UP_OK) {
		snprintf(buf, n, "invalid date '%s': %s", val, why);
		return buf;
	}
	return NULL;
}

static int check_attr(up_store *s, const char *key, const char *val,
		      up_error *err)
{
	char why[200];
	if (up_attr_problem(key, val, why, sizeof why))
		return up_err(err, UP_EINPUT, "--attr %s: %s", key, why);
	if (!strcmp(key, "owner"))
		return exists(s, "people", "person", val, err);
	return UP_OK;
}

static int parse_attrs(up_store *s, const fields *f, json_t *attrs,
		       up_error *err)
{
	int rc = UP_OK;
	for (size_t i = 0; i < f->nattr; i++) {
		const char *eq = strchr(f->attr[i], '=');
		char key[130];
		if (!eq || eq == f->attr[i] || eq - f->attr[i] > 128) {
			rc = up_err(err, UP_EINPUT, "--attr '%s' is not "
				    "key=value", f->attr[i]);
			continue;
		}
		snprintf(key, sizeof key, "%.*s", (int)(eq - f->attr[i]),
			 f->attr[i]);
		if (!up_is_id(key))
			rc = up_err(err, UP_EINPUT, "--attr: '%s' is not a "
				    "valid attribute name", key);
		else if (json_object_get(attrs, key))
			rc = up_err(err, UP_EINPUT, "--attr %s given twice",
				    key);
		else if (check_attr(s, key, eq + 1, err) != UP_OK)
			rc = UP_EINPUT;
		else
			json_object_set_new(attrs, key, json_string(eq + 1));
	}
	return rc;
}

/* Splits "a,b" into ids, each checked; duplicates are an error. */
static int parse_people(up_store *s, const char *list, json_t *people,
			up_error *err)
{
	int rc = UP_OK;
	char *copy = up_xstrdup(list), *save = NULL;
	for (char *p = strtok_r(copy, ",", &save); p;
	     p = strtok_r(NULL, ",", &save)) {
		size_t i;
		json_t *v;
		int dup = 0;
		json_array_foreach(people, i, v)
			dup |= !strcmp(json_string_value(v), p);
		if (dup)
			rc = up_err(err, UP_EINPUT, "--people: '%s' is listed "
				    "twice", p);
		else if (json_array_size(people) == MAX_PEOPLE)
			rc = up_err(err, UP_EINPUT, "--people: more than %d",
				    MAX_PEOPLE);
		else if (exists(s, "people", "person", p, err) != UP_OK)
			rc = UP_EINPUT;
		else
			json_array_append_new(people, json_string(p));
	}
	free(copy);
	return rc;
}

static int insert_event(up_store *s, const fields *f, json_t *attrs,
			json_t *people, long long *id, up_error *err)
{
	sqlite3 *db = up_store_db(s);
	sqlite3_stmt *st;
	char *js = json_dumps(attrs, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = UP_OK;
	if (sqlite3_prepare_v2(db, "INSERT INTO events(kind, date, unit, note,"
			       " attrs) VALUES (?, ?, ?, ?, ?)", -1, &st,
			       NULL)) {
		free(js);
		return up_store_fail(s, "recording event", err);
	}
	sqlite3_bind_text(st, 1, f->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->date, -1, SQLITE_STATIC);
	if (f->unit)
		sqlite3_bind_text(st, 3, f->unit, -1, SQLITE_STATIC);
	if (f->note)
		sqlite3_bind_text(st, 4, f->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, js, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = up_store_fail(s, "recording event", err);
	sqlite3_finalize(st);
	free(js);
	*id = sqlite3_last_insert_rowid(db);
	if (rc != UP_OK || sqlite3_prepare_v2(db, "INSERT INTO event_people"
			"(event, person) VALUES (?, ?)", -1, &st, NULL))
		return rc != UP_OK ? rc : up_store_fail(s, "recording", err);
	size_t i;
	json_t *v;
	json_array_foreach(people, i, v) {
		sqlite3_bind_int64(st, 1, *id);
		sqlite3_bind_text(st, 2, json_string_value(v), -1,
				  SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = up_store_fail(s, "recording event people", err);
			break;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

static int record_event(up_store *s, const fields *f, long long *id,
			up_error *err)
{
	int rc = need(f->kind, "kind", err);
	rc |= need(f->date, "date", err);
	if (rc)
		return UP_EINPUT;
	if (!up_event_kind_ok(f->kind)) {
		const char *hint = up_did_you_mean(f->kind, up_event_kinds,
						   up_nevent_kinds);
		char extra[80] = "";
		if (hint)
			snprintf(extra, sizeof extra, " (did you mean '%s'?)",
				 hint);
		rc = up_err(err, UP_EINPUT, "--kind: unknown event kind "
			    "'%s'%s", f->kind, extra);
	}
	if (check_date(f->date, "date", err) != UP_OK)
		rc = UP_EINPUT;
	if (f->unit && exists(s, "units", "unit", f->unit, err) != UP_OK)
		rc = UP_EINPUT;
	json_t *attrs = json_object(), *people = json_array();
	if (f->people && parse_people(s, f->people, people, err) != UP_OK)
		rc = UP_EINPUT;
	if (parse_attrs(s, f, attrs, err) != UP_OK)
		rc = UP_EINPUT;
	if (rc == UP_OK)
		rc = insert_event(s, f, attrs, people, id, err);
	json_decref(attrs);
	json_decref(people);
	return rc;
}

static int record_training(up_store *s, const fields *f, long long *id,
			   up_error *err)
{
	int rc = need(f->person, "person", err);
	rc |= need(f->date, "date", err);
	if (rc)
		return UP_EINPUT;
	rc = check_date(f->date, "date", err);
	if (f->outcome && strcmp(f->outcome, "passed") &&
	    strcmp(f->outcome, "failed"))
		rc = up_err(err, UP_EINPUT, "--outcome: '%s' is not passed or "
			    "failed", f->outcome);
	if (exists(s, "people", "person", f->person, err) != UP_OK)
		rc = UP_EINPUT;
	if (rc != UP_OK)
		return rc;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "INSERT INTO trainings(person,"
			       " date, topic, failed) VALUES (?, ?, ?, ?)", -1,
			       &st, NULL))
		return up_store_fail(s, "recording training", err);
	sqlite3_bind_text(st, 1, f->person, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->date, -1, SQLITE_STATIC);
	if (f->topic)
		sqlite3_bind_text(st, 3, f->topic, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, f->outcome && !strcmp(f->outcome, "failed"));
	rc = sqlite3_step(st) == SQLITE_DONE
		? UP_OK : up_store_fail(s, "recording training", err);
	sqlite3_finalize(st);
	*id = sqlite3_last_insert_rowid(up_store_db(s));
	return rc;
}

/*
 * uptake record leave|role|move: a dated change of a person, checked
 * against what the store says of them on that day (people.c).
 */
static int record_change(up_store *s, const char *kind, const fields *f,
			 long long *id, up_error *err)
{
	int leave = !strcmp(kind, "leave"), move = !strcmp(kind, "move");
	int rc = need(f->person, "person", err);
	rc |= need(f->date, "date", err);
	if (move)
		rc |= need(f->unit, "unit", err);
	if (!leave && !move && !f->add == !f->remove)
		rc = up_err(err, UP_EINPUT, "give --add ROLE or --remove ROLE");
	if (rc)
		return UP_EINPUT;
	const char *role = f->add ? f->add : f->remove;
	rc = check_date(f->date, "date", err);
	if (!leave && !move && !up_is_id(role))
		rc = up_err(err, UP_EINPUT, "--%s: '%s' is not a valid role "
			    "(use letters, digits, '_', '-' and '.')",
			    f->add ? "add" : "remove", role);
	if (exists(s, "people", "person", f->person, err) != UP_OK)
		rc = UP_EINPUT;
	if (move && exists(s, "units", "unit", f->unit, err) != UP_OK)
		rc = UP_EINPUT;
	if (rc != UP_OK)
		return rc;
	up_change c = {.kind = leave ? UP_CHANGE_LEAVE
			       : move ? UP_CHANGE_MOVE
			       : f->add ? UP_CHANGE_ADD_ROLE
					: UP_CHANGE_REMOVE_ROLE,
		       .person = f->person, .date = f->date,
		       .value = leave ? NULL : move ? f->unit : role,
		       .note = f->note, .source = "record"};
	up_people_db *d = NULL;
	char why[600];
	up_change_field field;
	rc = up_people_db_open(&d, s, err);
	if (rc == UP_OK)
		rc = up_people_check(d, &c, why, sizeof why, &field, err);
	if (rc == UP_EINPUT)
		up_err(err, UP_EINPUT, "--%s: %s", field == UP_FIELD_UNIT
		       ? "unit" : field == UP_FIELD_ROLE
		       ? (f->add ? "add" : "remove") : "date", why);
	if (rc == UP_OK)
		rc = up_people_insert(d, &c, id, err);
	up_people_db_close(d);
	return rc;
}

int up_record(up_store *s, const up_program *p, const char *kind,
	      size_t n, const char *const names[], const char *const values[],
	      long long *id_out, up_error *err)
{
	static const char *const eng[] = {"person", "level", "date", "note",
					  NULL};
	static const char *const ev[] = {"kind", "date", "unit", "people",
					 "note", "attr", NULL};
	static const char *const tr[] = {"person", "date", "topic", "outcome",
					 NULL};
	static const char *const lv[] = {"person", "date", "note", NULL};
	static const char *const ro[] = {"person", "add", "remove", "date",
					 "note", NULL};
	static const char *const mv[] = {"person", "unit", "date", "note",
					 NULL};
	static const char *const kinds[] = {"engagement", "event", "training",
					    "leave", "role", "move"};
	int is_event = !strcmp(kind, "event"), is_training =
		!strcmp(kind, "training");
	int is_change = !strcmp(kind, "leave") || !strcmp(kind, "role") ||
			!strcmp(kind, "move");
	if (!is_event && !is_training && !is_change &&
	    strcmp(kind, "engagement")) {
		const char *hint = up_did_you_mean(kind, kinds,
						   UP_COUNTOF(kinds));
		if (hint)
			return up_err(err, UP_EINPUT, "cannot record '%s' (did "
				      "you mean '%s'?)", kind, hint);
		return up_err(err, UP_EINPUT, "cannot record '%s' (engagement, "
			      "event, training, leave, role or move)", kind);
	}
	fields f;
	int rc = read_fields(&f, kind, n, names, values,
			     is_event ? ev : is_training ? tr
			     : !strcmp(kind, "leave") ? lv
			     : !strcmp(kind, "role") ? ro
			     : !strcmp(kind, "move") ? mv : eng, err);
	if (rc != UP_OK)
		return rc;
	long long id = 0;
	rc = up_store_begin(s, err);
	if (rc == UP_OK)
		rc = up_store_sync(s, p, err);
	if (rc == UP_OK)
		rc = is_event ? record_event(s, &f, &id, err)
		   : is_training ? record_training(s, &f, &id, err)
		   : is_change ? record_change(s, kind, &f, &id, err)
				 : record_engagement(s, &f, &id, err);
	if (rc == UP_OK)
		rc = up_store_commit(s, err);
	else
		up_store_rollback(s);
	if (rc == UP_OK && id_out)
		*id_out = id;
	return rc;
}
