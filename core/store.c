/*
 * store.c: the state database.  SQLite in WAL mode with foreign keys on;
 * the schema is versioned with PRAGMA user_version and migrated forward
 * in one transaction, so an old store opens with a new uptake.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "internal.h"

struct up_store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *cached[UP_STMT_SLOTS];
};

enum { BUSY_TIMEOUT_MS = 5000 };

/* Migration i takes the schema from version i to i + 1.  Append only. */
/* Whether json_each row M of a cycle's metrics is one a report charts
 * from the cycles (cycle.c's charted()); a CASE, so nothing that is not
 * an object is read as JSON. */
#define CHARTED(m) \
	"CASE " m ".type WHEN 'object' THEN json_type(" m ".value, '$.metric')" \
	" = 'text' AND (json_extract(" m ".value, '$.kind') = 'computed' OR" \
	" json_type(" m ".value, '$.denominator') IN ('integer', 'real'))" \
	" ELSE 0 END"

static const char *const migrations[] = {
	/* 0 -> 1: units, people, facts, cycles and their results. */
	"CREATE TABLE units("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL,"
	" parent TEXT REFERENCES units(id) DEFERRABLE INITIALLY DEFERRED,"
	" stage TEXT NOT NULL, go_live TEXT, staff INTEGER,"
	" attrs TEXT NOT NULL DEFAULT '{}', ord INTEGER NOT NULL,"
	" active INTEGER NOT NULL DEFAULT 1,"
	" source TEXT NOT NULL DEFAULT 'program');"
	"CREATE TABLE people("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL,"
	" unit TEXT REFERENCES units(id) DEFERRABLE INITIALLY DEFERRED,"
	" roles TEXT NOT NULL DEFAULT '[]', joined TEXT,"
	" ord INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 1,"
	" source TEXT NOT NULL DEFAULT 'program');"
	"CREATE TABLE engagements("
	" id INTEGER PRIMARY KEY,"
	" person TEXT NOT NULL REFERENCES people(id),"
	" level TEXT NOT NULL CHECK (level IN ('unaware','informed',"
	"  'consulted','involved','bought_in')),"
	" date TEXT NOT NULL, note TEXT, source TEXT NOT NULL);"
	"CREATE INDEX engagements_person ON engagements(person, date);"
	"CREATE TABLE events("
	" id INTEGER PRIMARY KEY, kind TEXT NOT NULL, date TEXT NOT NULL,"
	" unit TEXT REFERENCES units(id), note TEXT,"
	" attrs TEXT NOT NULL DEFAULT '{}');"
	"CREATE INDEX events_date ON events(date);"
	"CREATE TABLE event_people("
	" event INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
	" person TEXT NOT NULL REFERENCES people(id),"
	" PRIMARY KEY (event, person)) WITHOUT ROWID;"
	"CREATE TABLE cycles("
	" id INTEGER PRIMARY KEY, as_of TEXT NOT NULL, ran_at TEXT NOT NULL,"
	" program_hash TEXT NOT NULL, doc TEXT NOT NULL);"
	"CREATE TABLE cycle_files("
	" cycle INTEGER NOT NULL REFERENCES cycles(id), path TEXT NOT NULL,"
	" sha256 TEXT NOT NULL, PRIMARY KEY (cycle, path)) WITHOUT ROWID;"
	"CREATE TABLE results("
	" cycle INTEGER NOT NULL REFERENCES cycles(id), unit TEXT NOT NULL,"
	" gate TEXT, rule TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('criterion','finding')),"
	" must INTEGER, status TEXT NOT NULL, severity TEXT, score REAL,"
	" message TEXT, evidence TEXT, source TEXT);"
	"CREATE INDEX results_cycle ON results(cycle, unit);"
	"CREATE TABLE decisions("
	" cycle INTEGER NOT NULL REFERENCES cycles(id), unit TEXT NOT NULL,"
	" gate TEXT NOT NULL, decision TEXT NOT NULL, score REAL,"
	" PRIMARY KEY (cycle, unit, gate)) WITHOUT ROWID;",
	/* 1 -> 2: program.yaml's engagement is a dated baseline on the
	 * person, no longer rows rewritten in the history on every sync. */
	"ALTER TABLE people ADD COLUMN level TEXT;"
	"ALTER TABLE people ADD COLUMN level_since TEXT;"
	"DELETE FROM engagements WHERE source = 'program';",
	/* 2 -> 3: imports.  Observations are keyed by what they are, and
	 * imported engagements and events by a hash of their content, so a
	 * file imported twice changes nothing. */
	"CREATE TABLE observations("
	" unit TEXT NOT NULL REFERENCES units(id), series TEXT NOT NULL,"
	" period TEXT NOT NULL, kind INTEGER NOT NULL,"
	" start INTEGER NOT NULL, end INTEGER NOT NULL, value REAL NOT NULL,"
	" batch INTEGER NOT NULL,"
	" PRIMARY KEY (unit, series, period)) WITHOUT ROWID;"
	"CREATE INDEX observations_series ON observations(series, end);"
	"ALTER TABLE events ADD COLUMN import_key TEXT;"
	"CREATE UNIQUE INDEX events_import_key ON events(import_key)"
	" WHERE import_key IS NOT NULL;"
	"ALTER TABLE engagements ADD COLUMN import_key TEXT;"
	"CREATE UNIQUE INDEX engagements_import_key ON engagements(import_key)"
	" WHERE import_key IS NOT NULL;",
	/* 3 -> 4: the schedule.  Ids are derived from what a row is (rule,
	 * unit, date; person, slot), so asking twice never makes two rows. */
	"CREATE TABLE trainings("
	" id INTEGER PRIMARY KEY, person TEXT NOT NULL REFERENCES people(id),"
	" date TEXT NOT NULL, topic TEXT, failed INTEGER NOT NULL DEFAULT 0,"
	" import_key TEXT);"
	"CREATE INDEX trainings_person ON trainings(person, date);"
	"CREATE UNIQUE INDEX trainings_import_key ON trainings(import_key)"
	" WHERE import_key IS NOT NULL;"
	"CREATE TABLE followups("
	" id TEXT PRIMARY KEY, source TEXT NOT NULL, rule TEXT,"
	" unit TEXT NOT NULL, due TEXT NOT NULL, note TEXT,"
	" asked_in INTEGER REFERENCES cycles(id),"
	" ran_in INTEGER REFERENCES cycles(id), result TEXT) WITHOUT ROWID;"
	"CREATE INDEX followups_pending ON followups(due) WHERE ran_in IS NULL;"
	"CREATE TABLE reminders("
	" id TEXT PRIMARY KEY, kind TEXT NOT NULL, person TEXT, role TEXT,"
	" unit TEXT NOT NULL, due TEXT NOT NULL, planned TEXT, note TEXT,"
	" state TEXT NOT NULL, acked INTEGER NOT NULL DEFAULT 0,"
	" snoozed_until TEXT, sequence INTEGER NOT NULL DEFAULT 0,"
	" cancelled INTEGER NOT NULL DEFAULT 0,"
	" raised_in INTEGER, updated_in INTEGER) WITHOUT ROWID;"
	"CREATE INDEX reminders_due ON reminders(due);",
	/* 4 -> 5: "one pending follow-up per rule and unit" is looked up on
	 * every request; without this it scanned every pending one. */
	"CREATE INDEX followups_open ON followups(source, rule, unit)"
	" WHERE ran_in IS NULL;",
	/* 5 -> 6: the packs each cycle ran, pinned by content hash. */
	"CREATE TABLE cycle_packs("
	" cycle INTEGER NOT NULL REFERENCES cycles(id), name TEXT NOT NULL,"
	" version TEXT NOT NULL, sha256 TEXT NOT NULL,"
	" PRIMARY KEY (cycle, name)) WITHOUT ROWID;",
	/* 6 -> 7: what people decided.  A unit's stage is program.yaml's
	 * until its first advance, then the last row of stage_history as of
	 * the date, so a sync never undoes an advance.  A conditional go
	 * leaves conditions; each unmet one after its due day earns strikes,
	 * one row per strike so any cycle can count them as of its date. */
	"CREATE TABLE stage_history("
	" id INTEGER PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(id),"
	" from_stage TEXT NOT NULL, to_stage TEXT NOT NULL, at TEXT NOT NULL,"
	" by TEXT NOT NULL REFERENCES people(id), note TEXT,"
	" cycle INTEGER REFERENCES cycles(id), decision TEXT,"
	" override INTEGER NOT NULL DEFAULT 0, reason TEXT,"
	" recorded_at TEXT NOT NULL);"
	"CREATE INDEX stage_history_unit ON stage_history(unit, at);"
	"CREATE TABLE conditions("
	" id INTEGER PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(id),"
	" gate TEXT NOT NULL, rule TEXT NOT NULL, due TEXT NOT NULL,"
	" advance INTEGER NOT NULL REFERENCES stage_history(id),"
	" status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open',"
	"  'met')), met_on TEXT, met_in INTEGER REFERENCES cycles(id));"
	"CREATE INDEX conditions_unit ON conditions(unit);"
	"CREATE TABLE condition_strikes("
	" condition INTEGER NOT NULL REFERENCES conditions(id),"
	" at TEXT NOT NULL, cycle INTEGER NOT NULL REFERENCES cycles(id),"
	" PRIMARY KEY (condition, at)) WITHOUT ROWID;",
	/* 7 -> 8: waivers: a criterion counts as met for one unit from
	 * SINCE to UNTIL.  Rows are never changed: on a day, the latest one
	 * recorded for a unit and rule that has begun is the one in force. */
	"CREATE TABLE waivers("
	" id INTEGER PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(id),"
	" rule TEXT NOT NULL, reason TEXT NOT NULL,"
	" by TEXT NOT NULL REFERENCES people(id), since TEXT NOT NULL,"
	" until TEXT NOT NULL, recorded_at TEXT NOT NULL);"
	"CREATE INDEX waivers_unit ON waivers(unit, rule);",
	/* 8 -> 9: corrections keep the past.  Every import is numbered and
	 * dated; a value an import changes moves to observation_history,
	 * valid from the import that wrote it up to the one that replaced
	 * it, and each cycle notes the last import it knew, so it can be
	 * judged again from what was known when it ran.  Batches from before
	 * the log have no date; cycles from before it knew everything. */
	"CREATE TABLE imports("
	" id INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL,"
	" file TEXT NOT NULL, added INTEGER NOT NULL DEFAULT 0,"
	" changed INTEGER NOT NULL DEFAULT 0,"
	" unchanged INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO imports(id, at, kind, file)"
	" SELECT DISTINCT batch, '', 'observations', '' FROM observations;"
	"CREATE TABLE observation_history("
	" unit TEXT NOT NULL, series TEXT NOT NULL, period TEXT NOT NULL,"
	" kind INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,"
	" value REAL NOT NULL, batch INTEGER NOT NULL,"
	" replaced_by INTEGER NOT NULL,"
	" PRIMARY KEY (unit, series, period, batch)) WITHOUT ROWID;"
	"CREATE INDEX observation_history_replaced"
	" ON observation_history(replaced_by);"
	"ALTER TABLE cycles ADD COLUMN known INTEGER;",
	/* 9 -> 10: people who come and go.  A person's row is their
	 * baseline; moves, roles taken on or given up and leaving are dated
	 * rows here, never written over it, so the facts as of a date see
	 * who held which role where then (people.c).  SOURCE: record,
	 * import (people_changes) or people (a re-import of people.csv);
	 * BATCH: the import that wrote it. */
	"CREATE TABLE people_history("
	" id INTEGER PRIMARY KEY,"
	" person TEXT NOT NULL REFERENCES people(id),"
	" change TEXT NOT NULL CHECK (change IN ('move', 'add_role',"
	"  'remove_role', 'leave')),"
	" value TEXT, date TEXT NOT NULL, note TEXT,"
	" source TEXT NOT NULL CHECK (source IN ('record', 'import',"
	"  'people')),"
	" batch INTEGER REFERENCES imports(id), import_key TEXT,"
	" recorded_at TEXT NOT NULL);"
	"CREATE INDEX people_history_person ON people_history(person, date);"
	"CREATE UNIQUE INDEX people_history_import_key"
	" ON people_history(import_key) WHERE import_key IS NOT NULL;",
	/* 10 -> 11: training plans by audience.  A reminder names the plan it
	 * belongs to, a training slot its window (the grace is the plan's),
	 * and a cancelled slot or a closed escalation why.  Rows from before
	 * keep their ids; the next cycle fills these in. */
	"ALTER TABLE reminders ADD COLUMN plan TEXT;"
	"ALTER TABLE reminders ADD COLUMN opens TEXT;"
	"ALTER TABLE reminders ADD COLUMN closes TEXT;"
	"ALTER TABLE reminders ADD COLUMN reason TEXT;",
	/* 11 -> 12: a national schedule.  A training reminder carries its
	 * slot's integer key (the plan's generation, and the slot's index
	 * in it; NULL for an escalation), so a cycle matches what it stored
	 * person by person instead of hashing every slot of everyone; rows
	 * from before get theirs from the next cycle, matched by id.
	 * Readers look reminders up by person (--for, --person, leavers),
	 * by unit (--unit) and, for what is still open, by due day. */
	"ALTER TABLE reminders ADD COLUMN gen INTEGER;"
	"ALTER TABLE reminders ADD COLUMN slot INTEGER;"
	"CREATE INDEX reminders_person ON reminders(person);"
	"CREATE INDEX reminders_unit ON reminders(unit);"
	"CREATE INDEX reminders_open ON reminders(due)"
	" WHERE NOT cancelled AND state NOT IN ('done', 'missed',"
	" 'cancelled');",
	/* 12 -> 13: a cycle read by unit.  A cycle's record keeps "units"
	 * and "reminders" empty: each unit's record is a row of cycle_units
	 * and the reminders a column, so explain reads one unit, not a
	 * national system's record and reminders; the metrics a
	 * report charts from the cycles (a rule's metric{}, one with a
	 * denominator) are rows found by metric and unit, not a walk over
	 * every cycle's record.  Stored cycles are split as they are (a
	 * damaged record is left whole: reading it still says so). */
	"CREATE TABLE cycle_units("
	" cycle INTEGER NOT NULL REFERENCES cycles(id), ord INTEGER NOT NULL,"
	" unit TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (cycle, ord));"
	"CREATE INDEX cycle_units_unit ON cycle_units(cycle, unit);"
	"CREATE TABLE cycle_metrics("
	" cycle INTEGER NOT NULL REFERENCES cycles(id), unit TEXT NOT NULL,"
	" metric TEXT NOT NULL, as_of TEXT NOT NULL, value REAL,"
	" expected REAL, denominator REAL);"
	"CREATE INDEX cycle_metrics_series ON cycle_metrics(metric, unit,"
	" cycle);"
	"CREATE INDEX cycle_metrics_cycle ON cycle_metrics(cycle, metric);"
	/* a person's calendar and `due --for` read the people near them */
	"CREATE INDEX people_unit ON people(unit);"
	"CREATE TEMP VIEW split AS SELECT id, as_of, doc FROM cycles"
	" WHERE json_valid(doc) AND json_type(doc, '$.units') = 'array'"
	" AND NOT EXISTS (SELECT 1 FROM json_each(doc, '$.units') WHERE CASE"
	"  type WHEN 'object' THEN json_type(value, '$.id') IS NOT 'text'"
	"  ELSE 1 END);"
	"INSERT INTO cycle_units SELECT c.id, u.key,"
	" json_extract(u.value, '$.id'), u.value"
	" FROM split c, json_each(c.doc, '$.units') u;"
	"INSERT INTO cycle_metrics SELECT c.id, '', json_extract(m.value,"
	" '$.metric'), c.as_of, json_extract(m.value, '$.value'),"
	" json_extract(m.value, '$.expected'), json_extract(m.value,"
	" '$.denominator') FROM split c, json_each(c.doc, '$.metrics') m"
	" WHERE json_type(c.doc, '$.metrics') = 'array' AND " CHARTED("m")
	";"
	"INSERT INTO cycle_metrics SELECT u.cycle, u.unit, json_extract("
	" m.value, '$.metric'), c.as_of, json_extract(m.value, '$.value'),"
	" json_extract(m.value, '$.expected'), json_extract(m.value,"
	" '$.denominator') FROM cycle_units u JOIN cycles c ON c.id = u.cycle,"
	" json_each(u.doc, '$.metrics') m"
	" WHERE json_type(u.doc, '$.metrics') = 'array' AND " CHARTED("m")
	";"
	"ALTER TABLE cycles ADD COLUMN reminders TEXT;"
	"UPDATE cycles SET reminders = json_extract(doc, '$.reminders')"
	" WHERE id IN (SELECT id FROM split)"
	" AND json_type(doc, '$.reminders') = 'array';"
	"UPDATE cycles SET doc = json_set(doc, '$.reminders', json('[]'))"
	" WHERE reminders IS NOT NULL;"
	"UPDATE cycles SET doc = json_set(doc, '$.units', json('[]'))"
	" WHERE id IN (SELECT id FROM split);"
	"DROP VIEW split;",
};

int up_store_schema_version(void)
{
	return (int)UP_COUNTOF(migrations);
}

sqlite3 *up_store_db(up_store *s)
{
	return s->db;
}

const char *up_store_path(const up_store *s)
{
	return s->path;
}

/* Why PATH cannot be written, for a message: the file itself (its mode,
 * a read-only file system), or its directory, where SQLite must create
 * PATH-wal and PATH-shm to write and even to read a WAL-mode store; NULL
 * when neither says. */
static const char *why_readonly(const char *path, char *buf, size_t size,
				int *dir_ro)
{
	size_t n = 0;
	int ro = 0;
	buf[0] = '\0';
	if (access(path, W_OK) != 0 && errno != ENOENT)
		n = (size_t)snprintf(buf, size, "%s", strerror(errno));
	char *dir = up_xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0'; /* "/state.db": the root */
	else if (slash)
		*slash = '\0';
	const char *d = slash ? dir : ".";
	if (access(d, W_OK) != 0) {
		ro = 1;
		if (n < size)
			snprintf(buf + n, size - n, "%sits directory %s is not "
				 "writable (%s), and SQLite needs the -wal and "
				 "-shm files beside the store", n ? "; " : "", d,
				 strerror(errno));
	}
	free(dir);
	if (dir_ro)
		*dir_ro = ro;
	return buf[0] ? buf : NULL;
}

/*
 * Says what went wrong with the store in words a user can act on, with
 * the code: a failure here is rarely a bug.  A full disk or an I/O error
 * is UP_EIO (exit 74) and a store this user may not write UP_EPERM (77);
 * every command that writes does so in one transaction, which SQLite
 * rolls back, so the store is as it was.  A damaged store stays
 * UP_EINTERNAL (70), a file that is not a SQLite database UP_EINPUT (65).
 */
int up_store_fail(up_store *s, const char *what, up_error *err)
{
	int code = sqlite3_extended_errcode(s->db);
	int sys = sqlite3_system_errno(s->db);
	char why[512];
	switch (code & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return up_err(err, UP_EBUSY, "%s: the store %s is busy "
			      "(another uptake is using it); try again",
			      what, s->path);
	case SQLITE_NOMEM:
		return up_err(err, UP_ENOMEM, "%s: out of memory", what);
	case SQLITE_FULL:
		return up_err(err, UP_EIO, "%s: cannot write %s: the disk is "
			      "full (free some space and run it again)", what,
			      s->path);
	case SQLITE_IOERR:
		if (sys == ENOSPC || sys == EDQUOT)
			return up_err(err, UP_EIO, "%s: cannot write %s: the "
				      "disk is full (%s; free some space and "
				      "run it again)", what, s->path,
				      strerror(sys));
		return up_err(err, UP_EIO, "%s: cannot read or write %s: %s%s%s"
			      "%s", what, s->path, sqlite3_errmsg(s->db),
			      sys ? " (" : "", sys ? strerror(sys) : "",
			      sys ? ")" : "");
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return up_err(err, UP_EPERM, "%s: %s is read-only to this user: "
			      "%s", what, s->path,
			      why_readonly(s->path, why, sizeof why, NULL)
			      ? why : sqlite3_errmsg(s->db));
	case SQLITE_CANTOPEN:
		if (sys == EACCES || sys == EPERM || sys == EROFS)
			return up_err(err, UP_EPERM, "%s: cannot open %s: %s",
				      what, s->path,
				      why_readonly(s->path, why, sizeof why,
						   NULL) ? why : strerror(sys));
		return up_err(err, UP_EIO, "%s: cannot open %s: %s", what,
			      s->path, sys ? strerror(sys)
					   : sqlite3_errmsg(s->db));
	case SQLITE_CORRUPT:
		return up_err(err, UP_EINTERNAL, "%s: %s is damaged (%s); "
			      "restore it from a backup", what, s->path,
			      sqlite3_errmsg(s->db));
	case SQLITE_NOTADB:
		return up_err(err, UP_EINPUT, "%s: %s is not an uptake store: "
			      "not a SQLite database (another kind of file, "
			      "or a store whose header is damaged)", what,
			      s->path);
	default:
		return up_err(err, UP_EINTERNAL, "%s: %s (%s)", what,
			      sqlite3_errmsg(s->db), s->path);
	}
}

static int exec(up_store *s, const char *sql, const char *what,
		up_error *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return up_store_fail(s, what, err);
	return UP_OK;
}

int up_store_begin(up_store *s, up_error *err)
{
	/* IMMEDIATE takes the write lock now, so two writers queue on the
	 * busy timeout instead of deadlocking on an upgrade. */
	return exec(s, "BEGIN IMMEDIATE", "begin", err);
}

int up_store_commit(up_store *s, up_error *err)
{
	int rc = exec(s, "COMMIT", "commit", err);
	if (rc != UP_OK)
		up_store_rollback(s);
	return rc;
}

void up_store_rollback(up_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int user_version(up_store *s, int *out)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL))
		return -1;
	int rc = sqlite3_step(st);
	*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Applies the migrations from version V on, in the open transaction. */
static int apply_migrations(up_store *s, int v, up_error *err)
{
	int rc = UP_OK;
	for (; v < up_store_schema_version() && rc == UP_OK; v++) {
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d",
			 v + 1);
		rc = exec(s, migrations[v], "migrating the store", err);
		if (rc == UP_OK)
			rc = exec(s, pragma, "migrating the store", err);
	}
	return rc;
}

/*
 * Whether the database at version V is an uptake store, before anything
 * is written to it: a SQLite file of another application has no
 * user_version (0) and tables of its own, or a user_version and not our
 * tables, and migrating it would add ours beside its own.  An empty
 * database (no table) is a new store; read-only, there is nothing in it.
 */
static int check_ours(up_store *s, int v, int readonly, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT (SELECT count(*) FROM"
			       " sqlite_schema), (SELECT count(*) FROM"
			       " sqlite_schema WHERE type = 'table'), (SELECT"
			       " group_concat(name, ', ') FROM (SELECT name FROM"
			       " sqlite_schema WHERE type = 'table' ORDER BY name"
			       " LIMIT 3)), (SELECT count(*) FROM sqlite_schema"
			       " WHERE type = 'table' AND name IN ('units',"
			       " 'people', 'cycles'))", -1, &st, NULL))
		return up_store_fail(s, "reading the schema", err);
	if (sqlite3_step(st) != SQLITE_ROW) {
		int rc = up_store_fail(s, "reading the schema", err);
		sqlite3_finalize(st);
		return rc;
	}
	int objects = sqlite3_column_int(st, 0);
	int tables = sqlite3_column_int(st, 1);
	const unsigned char *some = sqlite3_column_text(st, 2);
	char *names = up_xstrdup(some ? (const char *)some : "");
	int ours = sqlite3_column_int(st, 3) == 3;
	sqlite3_finalize(st);
	int rc = UP_OK;
	if (v == 0 && objects > 0)
		rc = up_err(err, UP_EINPUT, "%s is not an uptake store: a "
			    "SQLite database of another application (tables "
			    "%s%s; no schema version)", s->path,
			    tables ? names : "none", tables > 3 ? ", ..." : "");
	else if (v > 0 && !ours)
		rc = up_err(err, UP_EINPUT, "%s is not an uptake store: a "
			    "SQLite database of another application (schema "
			    "version %d, without uptake's tables units, people "
			    "and cycles)", s->path, v);
	else if (v == 0 && readonly)
		rc = up_err(err, UP_EINPUT, "%s is an empty database: no "
			    "state yet (run 'uptake cycle' first)", s->path);
	free(names);
	return rc;
}

/*
 * Brings the schema up to date.  A current store is not locked at all, so
 * readers never wait on a running cycle; the version is read again under
 * the write lock, since another process may have migrated meanwhile.
 */
static int migrate(up_store *s, int readonly, up_error *err)
{
	int v = 0, want = up_store_schema_version();
	if (user_version(s, &v))
		return up_store_fail(s, "reading the schema version", err);
	int rc = check_ours(s, v, readonly, err);
	if (rc != UP_OK)
		return rc;
	if (v > want)
		return up_err(err, UP_EINPUT, "%s has schema version %d, newer "
			      "than this uptake understands (%d); upgrade "
			      "uptake", s->path, v, want);
	/* Only now, as the mode is written in the file's header: a file
	 * refused above is left as it was.  Readers find WAL in the file. */
	if (!readonly &&
	    (rc = exec(s, "PRAGMA journal_mode = WAL", "opening the store",
		       err)) != UP_OK)
		return rc;
	if (v == want)
		return UP_OK;
	if (readonly)
		return up_err(err, UP_EINPUT, "%s has schema version %d; run a "
			      "command that writes (uptake cycle) to upgrade it "
			      "to %d", s->path, v, want);
	rc = up_store_begin(s, err);
	if (rc != UP_OK)
		return rc;
	if (user_version(s, &v)) {
		rc = up_store_fail(s, "reading the schema version", err);
		up_store_rollback(s);
		return rc;
	}
	rc = apply_migrations(s, v, err);
	if (rc != UP_OK) {
		up_store_rollback(s);
		return rc;
	}
	return up_store_commit(s, err);
}

static int make_dir_for(const char *path, up_error *err)
{
	char *dir = up_xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc = UP_OK;
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0777) != 0 && errno != EEXIST)
			rc = up_err(err, errno == EACCES || errno == EROFS
				    ? UP_EPERM : UP_EINPUT, "cannot create %s: "
				    "%s", dir, strerror(errno));
	}
	free(dir);
	return rc;
}

static int configure(up_store *s, up_error *err)
{
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(s->db, 1);
	/* the first statements to read the file: what fails here fails
	 * opening the store (up_store_fail says why).  WAL is set once the
	 * file is known to be a store of ours (migrate). */
	const char *what = "opening the store";
	int rc = exec(s, "PRAGMA foreign_keys = ON", what, err);
	if (rc == UP_OK)
		rc = exec(s, "PRAGMA synchronous = NORMAL", what, err);
	/* 64 MiB of page cache: a national import or cycle stays in memory
	 * instead of paging the b-trees through the default 2 MiB. */
	if (rc == UP_OK)
		rc = exec(s, "PRAGMA cache_size = -65536", what, err);
	return rc;
}

static int open_failed(up_store *s, up_error *err)
{
	if (!s->db)
		return up_err(err, UP_ENOMEM, "cannot open %s: out of memory",
			      s->path);
	int sys = sqlite3_system_errno(s->db);
	char why[512];
	if (sys == EACCES || sys == EPERM || sys == EROFS)
		return up_err(err, UP_EPERM, "cannot open %s: %s", s->path,
			      why_readonly(s->path, why, sizeof why, NULL)
			      ? why : strerror(sys));
	return up_err(err, UP_EINPUT, "cannot open %s: %s%s%s%s", s->path,
		      sqlite3_errmsg(s->db), sys ? " (" : "",
		      sys ? strerror(sys) : "", sys ? ")" : "");
}

int up_store_open(up_store **out, const char *dir, const char *path,
		  unsigned flags, up_error *err)
{
	*out = NULL;
	up_store *s = up_xcalloc(1, sizeof *s);
	s->path = path ? up_xstrdup(path)
		       : up_xasprintf("%s/.uptake/state.db",
				      dir && *dir ? dir : ".");
	int rc = UP_OK;
	struct stat sb;
	if (flags & UP_STORE_READONLY) {
		if (stat(s->path, &sb) != 0)
			rc = up_err(err, UP_EINPUT, "no state database at %s "
				    "(run 'uptake cycle' first)", s->path);
	} else if (!path) {
		rc = make_dir_for(s->path, err);
	}
	int ro = (flags & UP_STORE_READONLY) != 0;
	int oflags = ro ? SQLITE_OPEN_READONLY
			: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (rc == UP_OK &&
	    sqlite3_open_v2(s->path, &s->db, oflags, NULL) != SQLITE_OK)
		rc = open_failed(s, err);
	/* SQLite opens a file it may not write read-only, and says so
	 * only at the first write: a cycle would be judged in full and
	 * then lost.  Refuse now; reading commands still work. */
	if (rc == UP_OK && !ro && sqlite3_db_readonly(s->db, "main") == 1) {
		char why[512];
		int dir_ro = 0;
		const char *w = why_readonly(s->path, why, sizeof why, &dir_ro);
		rc = up_err(err, UP_EPERM, "cannot write %s: %s%s", s->path,
			    w ? w : "it is read-only", dir_ro ? ""
			    : " (commands that only read it, such as 'uptake "
			      "status', still work)");
	}
	if (rc == UP_OK)
		rc = configure(s, err);
	if (rc == UP_OK)
		rc = migrate(s, ro, err);
	if (rc != UP_OK) {
		up_store_close(s);
		return rc;
	}
	*out = s;
	return UP_OK;
}

sqlite3_stmt *up_store_cached(up_store *s, int slot, const char *sql)
{
	if (!s->cached[slot] &&
	    sqlite3_prepare_v2(s->db, sql, -1, &s->cached[slot], NULL))
		return NULL;
	sqlite3_reset(s->cached[slot]);
	sqlite3_clear_bindings(s->cached[slot]);
	return s->cached[slot];
}

void up_store_close(up_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < UP_STMT_SLOTS; i++)
		sqlite3_finalize(s->cached[i]);
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

/* ---- mirroring program.yaml ---- */

static int step_done(up_store *s, sqlite3_stmt *st, const char *what,
		     up_error *err)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? UP_OK
						 : up_store_fail(s, what, err);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* units.stage is program.yaml's starting stage: a unit that was advanced
 * takes its stage from stage_history (facts.c), which a sync never
 * touches. */
static int sync_units(up_store *s, const up_program *p, up_error *err)
{
	sqlite3_stmt *st;
	int rc = exec(s, "UPDATE units SET active = 0 WHERE source = "
		      "'program'", "syncing units", err);
	if (rc != UP_OK)
		return rc;
	if (sqlite3_prepare_v2(s->db,
		"INSERT INTO units(id, name, parent, stage, go_live, staff,"
		" attrs, ord, active, source)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, 'program')"
		" ON CONFLICT(id) DO UPDATE SET name = ?2, parent = ?3,"
		" stage = ?4, go_live = ?5, staff = ?6, attrs = ?7, ord = ?8,"
		" active = 1, source = 'program'", -1, &st, NULL))
		return up_store_fail(s, "syncing units", err);
	for (size_t i = 0; i < p->nunits && rc == UP_OK; i++) {
		const up_unit_def *u = &p->units[i];
		char *attrs = json_dumps(u->attrs, JSON_COMPACT | JSON_SORT_KEYS);
		bind_text(st, 1, u->id);
		bind_text(st, 2, u->name);
		bind_text(st, 3, u->parent);
		bind_text(st, 4, u->stage);
		bind_text(st, 5, u->go_live);
		if (u->staff >= 0)
			sqlite3_bind_int64(st, 6, u->staff);
		bind_text(st, 7, attrs ? attrs : "{}");
		sqlite3_bind_int64(st, 8, (sqlite3_int64)i);
		free(attrs);
		rc = step_done(s, st, "syncing units", err);
	}
	sqlite3_finalize(st);
	return rc;
}

static char *roles_json(const up_person_def *d)
{
	json_t *a = json_array();
	for (size_t i = 0; i < d->nroles; i++)
		json_array_append_new(a, json_string(d->roles[i]));
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* A person's engagement in program.yaml is a dated baseline kept on the
 * person, so editing the file never rewrites the recorded history. */
static int sync_people(up_store *s, const up_program *p, up_error *err)
{
	sqlite3_stmt *st;
	int rc = exec(s, "UPDATE people SET active = 0 WHERE source = "
		      "'program'", "syncing people", err);
	if (rc != UP_OK)
		return rc;
	if (sqlite3_prepare_v2(s->db,
		"INSERT INTO people(id, name, unit, roles, joined, level,"
		" level_since, ord, active, source)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, 'program')"
		" ON CONFLICT(id) DO UPDATE SET name = ?2, unit = ?3,"
		" roles = ?4, joined = ?5, level = ?6, level_since = ?7,"
		" ord = ?8, active = 1, source = 'program'", -1, &st, NULL))
		return up_store_fail(s, "syncing people", err);
	for (size_t i = 0; i < p->npeople && rc == UP_OK; i++) {
		const up_person_def *d = &p->people[i];
		char *roles = roles_json(d);
		int has = d->engagement >= 0;
		bind_text(st, 1, d->id);
		bind_text(st, 2, d->name);
		bind_text(st, 3, d->unit);
		bind_text(st, 4, roles);
		bind_text(st, 5, d->joined);
		bind_text(st, 6, has ? up_levels[d->engagement] : NULL);
		bind_text(st, 7, has ? (d->since ? d->since : p->start) : NULL);
		sqlite3_bind_int64(st, 8, (sqlite3_int64)i);
		free(roles);
		rc = step_done(s, st, "syncing people", err);
	}
	sqlite3_finalize(st);
	return rc;
}

int up_store_sync(up_store *s, const up_program *p, up_error *err)
{
	int rc = sync_units(s, p, err);
	return rc == UP_OK ? sync_people(s, p, err) : rc;
}
