/*
 * fuzz_import.c: any bytes as a CSV export of every import kind, into a
 * real store that already holds a little of everything (the examples of
 * docs/import.md), from a small program with metrics and training plans.
 *
 * The first byte chooses how to import the rest:
 *   bits 0-2  the kind: units, people, people_changes, engagements,
 *             events, trainings, observations, observations --wide
 *   bit 3     --dry-run
 *   bit 4     the first line is "MAP|IGNORE", the --map and --ignore
 *             options (empty: not given), the CSV follows
 *   bit 5     people only: --as-of 2026-06-01, else 2026-01-10
 *   bit 6     after an import that succeeds, run a cycle on the result
 *   bit 7     after an import that succeeds, import the file again
 *
 * What must hold: a failed import says why at a line of the file
 * (FILE:LINE: or FILE:LINE:COL:, the line one the file has) and leaves
 * every table of the store as it was; so does a dry run.  An import that
 * succeeds leaves a store that loads, judges a cycle, and takes the same
 * file again changing nothing.  Nothing crashes or leaks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char program_yaml[] =
	"program: fuzz-import\n"
	"start: 2026-01-05\n"
	"stages: [pilot, scale, live]\n"
	"units:\n"
	"  - {id: region, name: Region Nord, stage: pilot}\n"
	"  - {id: south, name: South Hospital, parent: region, stage: scale,\n"
	"     go_live: 2026-02-02, staff: 12, attrs: {site: south}}\n"
	"people:\n"
	"  - {id: anna, name: Anna Holm, unit: region, roles: [executive],\n"
	"     engagement: bought_in}\n"
	"  - {id: olle, name: Olle Berg, unit: south,\n"
	"     roles: [first_line_manager, nurse], engagement: informed,\n"
	"     joined: 2026-01-10}\n"
	"metrics:\n"
	"  digital_share:\n"
	"    numerator: digital_meetings\n"
	"    denominator: patient_meetings\n"
	"    target: 0.3\n"
	"    baseline: 0.1\n"
	"    deadline: +1y\n"
	"  visits:\n"
	"    kind: sum\n"
	"    series: visits\n"
	"    target: 20\n"
	"    period: week\n"
	"    per_period: true\n"
	"cadence:\n"
	"  evaluation: monthly\n"
	"  training:\n"
	"    window_days: 300\n"
	"    escalate_to: first_line_manager\n";

/* What the store holds before each input: docs/import.md's examples. */
static const struct {
	const char *kind, *csv;
} seed[] = {
	{"units", "id,name,parent,stage,go_live,staff,attr.site\n"
		  "north,North Hospital,region,pilot,,,north\n"
		  "cardio,Cardiology reception,north,pilot,2026-03-02,40,"
		  "north\n"},
	{"people", "id,name,unit,roles,engagement,since,joined\n"
		   "dr-lind,Dr Karin Lind,cardio,physician;clinician_champion,"
		   "consulted,2026-01-20,\n"
		   "eva,Eva Strand,cardio,nurse;first_line_manager,informed,,"
		   "2026-02-01\n"},
	{"people_changes", "person,date,change,unit,role,note\n"
			   "eva,2026-03-01,add_role,,clinician_champion,took "
			   "over\n"
			   "dr-lind,2026-04-01,leave,,,moved abroad\n"},
	{"engagements", "person,level,date,note\n"
			"dr-lind,involved,2026-02-10,content workshop\n"},
	{"events", "kind,date,unit,people,note,attr.topic,attr.in_person\n"
		   "consultation,2026-02-03,cardio,dr-lind;eva,Workshop,"
		   "content,yes\n"},
	{"trainings", "person,date,topic,outcome\n"
		      "eva,2026-02-20,booking,\n"
		      "olle,2026-03-02,booking,failed\n"},
	{"observations", "unit,series,period,value\n"
			 "cardio,patient_meetings,2026-01,410\n"
			 "cardio,digital_meetings,2026-01,41\n"
			 "south,visits,2026-W07,12\n"},
};

static const char *const kinds[] = {"units", "people", "people_changes",
				    "engagements", "events", "trainings",
				    "observations", "observations"};

static char dir[256], csv_path[300];
static up_program *prog;
static up_store *store;
static sqlite3 *templ; /* the store as it is before each input */

static void fail(const char *what, const up_error *err)
{
	fprintf(stderr, "fuzz_import: %s\n", what);
	for (size_t i = 0; i < up_error_count(err); i++)
		fprintf(stderr, "  %s\n", up_error_message(err, i));
	abort();
}

static void write_file(const char *path, const void *data, size_t size)
{
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp))
		abort();
}

static void copy_db(sqlite3 *to, sqlite3 *from)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE ||
	    sqlite3_backup_finish(b) != SQLITE_OK)
		abort();
}

/* At exit: the store closed, its directory gone. */
static void cleanup(void)
{
	static const char *const names[] = {"in.csv", "state.db",
					    "state.db-wal", "state.db-shm"};
	up_store_close(store);
	up_program_free(prog);
	sqlite3_close(templ);
	for (size_t i = 0; i < UP_COUNTOF(names); i++) {
		char path[300];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		remove(path);
	}
	remove(dir);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s/uptake-fuzz-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	snprintf(csv_path, sizeof csv_path, "%s/in.csv", dir);
	char db[300];
	snprintf(db, sizeof db, "%s/state.db", dir);
	up_error *err = up_error_new();
	if (up_program_parse(&prog, dir, program_yaml,
			     sizeof program_yaml - 1, 0, err) ||
	    up_store_open(&store, dir, db, 0, err))
		fail("setup", err);
	for (size_t i = 0; i < UP_COUNTOF(seed); i++) {
		up_import_opts o = {.as_of = !strcmp(seed[i].kind, "people")
						     ? "2026-01-10" : NULL};
		write_file(csv_path, seed[i].csv, strlen(seed[i].csv));
		if (up_import_with(store, prog, seed[i].kind, csv_path, &o,
				   NULL, err))
			fail(seed[i].kind, err);
	}
	up_error_free(err);
	if (sqlite3_open(":memory:", &templ) != SQLITE_OK)
		abort();
	copy_db(templ, up_store_db(store));
}

/* ---- what the store holds ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 1099511628211ULL;
	return h;
}

/* A hash of every row of every table but SKIP (NULL: none). */
static uint64_t store_hash(const char *skip)
{
	sqlite3 *db = up_store_db(store);
	sqlite3_stmt *tables, *rows;
	uint64_t h = 14695981039346656037ULL;
	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE "
			       "type = 'table' ORDER BY name", -1, &tables,
			       NULL))
		abort();
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(tables, 0);
		if (skip && !strcmp(t, skip))
			continue;
		char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"", t);
		h = fnv(h, t, strlen(t) + 1);
		if (sqlite3_prepare_v2(db, sql, -1, &rows, NULL))
			abort();
		sqlite3_free(sql);
		while (sqlite3_step(rows) == SQLITE_ROW)
			for (int c = 0; c < sqlite3_column_count(rows); c++) {
				int type = sqlite3_column_type(rows, c);
				const void *v = sqlite3_column_blob(rows, c);
				h = fnv(h, &type, sizeof type);
				h = fnv(h, v, (size_t)sqlite3_column_bytes(rows,
									   c));
			}
		sqlite3_finalize(rows);
	}
	sqlite3_finalize(tables);
	return h;
}

/* ---- the messages ---- */

static long lines_of(const uint8_t *data, size_t size)
{
	long n = 0;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size && data[size - 1] != '\n');
}

enum { BAD, ERROR, WARNING };

/* ERROR or WARNING for "FILE:LINE: error: " or "FILE:LINE:COL: ..."
 * with a line the file has, or FILE: for the one message about the whole
 * file (stopped after N errors); BAD for anything else.  The text after
 * the prefix quotes the file, so only the prefix says what it is. */
static int positioned(const char *m, long lines)
{
	size_t n = strlen(csv_path);
	if (strncmp(m, csv_path, n) || m[n] != ':')
		return BAD;
	if (!strncmp(m + n, ": error: stopped after", 22))
		return ERROR;
	char *end;
	long line = strtol(m + n + 1, &end, 10);
	if (end == m + n + 1 || *end != ':' || line < 1 ||
	    line > (lines ? lines : 1))
		return BAD;
	if (end[1] >= '0' && end[1] <= '9')
		strtol(end + 1, &end, 10);
	if (!strncmp(end, ": error: ", 9))
		return ERROR;
	return !strncmp(end, ": warning: ", 11) ? WARNING : BAD;
}

static void check_messages(const up_error *err, int rc, long lines,
			   int options)
{
	int errors = 0;
	for (size_t i = 0; i < up_error_count(err); i++) {
		const char *m = up_error_message(err, i);
		if (!up_utf8_valid(m, strlen(m)))
			fail("a message that is not UTF-8", err);
		/* --map and --ignore are checked before the file is read */
		int kind = options && !strncmp(m, "error: --", 9)
			? ERROR : positioned(m, lines);
		if (kind == BAD)
			fail("a message without its place in the file", err);
		errors += kind == ERROR;
	}
	if (rc != UP_OK && !errors)
		fail("failed without an error", err);
	if (rc == UP_OK && errors)
		fail("succeeded with an error", err);
}

/* ---- callbacks: what they are handed must be whole ---- */

static void on_change(void *ctx, const char *unit, const char *series,
		      const char *period, double was, double now)
{
	(void)ctx;
	if (!unit || !series || !period || !up_is_id(unit) ||
	    !up_is_id(series) || was == now || was != was || now != now)
		abort();
}

static void on_person(void *ctx, const char *person, const char *what)
{
	(void)ctx;
	if (!person || !up_is_id(person) || !what || !*what ||
	    !up_utf8_valid(what, strlen(what)))
		abort();
}

static void on_progress(void *ctx, unsigned long long done,
			unsigned long long total)
{
	(void)ctx;
	if (done > total)
		abort();
}

static void show(const char *kind, const up_import_opts *o, int rc,
		 const up_import_counts *c, const up_error *err)
{
	fprintf(stderr, "import %s%s%s%s%s%s%s: ", kind,
		o->wide ? " --wide" : "", o->dry_run ? " --dry-run" : "",
		o->map ? " --map " : "", o->map ? o->map : "",
		o->ignore ? " --ignore " : "", o->ignore ? o->ignore : "");
	if (rc == UP_OK)
		fprintf(stderr, "%lld rows, %lld added, %lld changed, %lld "
			"unchanged\n", c->rows, c->added, c->changed,
			c->unchanged);
	else
		fprintf(stderr, "failed\n");
	for (size_t i = 0; i < up_error_count(err); i++)
		fprintf(stderr, "  %s\n", up_error_message(err, i));
}

/* ---- one input ---- */

typedef struct {
	char *map, *ignore; /* owned */
	const uint8_t *csv;
	size_t len;
} options_line;

/* "MAP|IGNORE\n" at the start of the data, when bit 4 says so. */
static void split_options(const uint8_t *data, size_t size, int on,
			  options_line *o)
{
	memset(o, 0, sizeof *o);
	o->csv = data;
	o->len = size;
	if (!on)
		return;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t n = nl ? (size_t)(nl - data) : size;
	char *line = up_xstrndup((const char *)data, n);
	char *bar = strchr(line, '|');
	if (bar)
		*bar = '\0';
	if (*line)
		o->map = up_xstrdup(line);
	if (bar && bar[1])
		o->ignore = up_xstrdup(bar + 1);
	free(line);
	o->csv = nl ? nl + 1 : data + size;
	o->len = size - (size_t)(o->csv - data);
}

static void after_success(up_import_opts *o, const char *kind, int flags,
			  up_import_counts *first)
{
	up_error *err = up_error_new();
	if (flags & 0x80) {
		uint64_t before = store_hash("imports");
		up_import_counts again;
		if (up_import_with(store, prog, kind, csv_path, o, &again,
				   err) != UP_OK)
			fail("the same file again fails", err);
		if (again.added || again.changed || again.rows != first->rows)
			fail("the same file again changes the store", err);
		if (store_hash("imports") != before)
			fail("the same file again changes a table", err);
	}
	/* any go-live: one centuries back once made this cycle judge a
	 * thousand evaluations (corpus/import/slow-go-live-1012.csv) */
	if (flags & 0x40) {
		up_cycle *c = NULL;
		up_error_clear(err);
		if (up_cycle_run(&c, store, prog, "2026-06-30", err) != UP_OK)
			fail("no cycle after the import", err);
		up_cycle_free(c);
	}
	up_error_free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!store)
		setup();
	if (size < 1)
		return 0;
	int flags = data[0];
	const char *kind = kinds[flags & 7];
	options_line ol;
	split_options(data + 1, size - 1, flags & 0x10, &ol);
	write_file(csv_path, ol.csv, ol.len);
	up_import_opts o = {
		.map = ol.map, .ignore = ol.ignore, .wide = (flags & 7) == 7,
		.dry_run = (flags & 0x08) != 0, .progress = on_progress,
		.on_change = on_change, .on_person_change = on_person,
		.as_of = (flags & 7) != 1 ? NULL
			 : flags & 0x20 ? "2026-06-01" : "2026-01-10"};
	up_import_counts counts;
	up_error *err = up_error_new();
	uint64_t before = store_hash(NULL);
	int rc = up_import_with(store, prog, kind, csv_path, &o, &counts, err);
	if (getenv("UPTAKE_FUZZ_SHOW")) /* what an input does */
		show(kind, &o, rc, &counts, err);
	check_messages(err, rc, lines_of(ol.csv, ol.len), flags & 0x10);
	if ((rc != UP_OK || o.dry_run) && store_hash(NULL) != before)
		fail(rc != UP_OK ? "a failed import changed the store"
				 : "a dry run changed the store", err);
	if (rc == UP_OK && !o.dry_run) {
		after_success(&o, kind, flags, &counts);
		copy_db(up_store_db(store), templ);
	}
	up_error_free(err);
	free(ol.map);
	free(ol.ignore);
	return 0;
}
