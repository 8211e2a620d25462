/*
 * raw_sqlite.c: the raw limit of importing, with nothing of uptake around
 * it.  Prepared INSERTs of rows already in memory, in one transaction, into
 * a fresh database with the store's settings (journal_mode = WAL,
 * synchronous = NORMAL, cache_size = -65536):
 *
 *   CREATE TABLE raw(unit TEXT NOT NULL, series TEXT NOT NULL,
 *                    period TEXT NOT NULL, value REAL NOT NULL)
 *
 * the four fields of an observations.csv row (10,000 unit ids, 6 series,
 * 24 months), bound with sqlite3_bind_text / sqlite3_bind_double, one
 * sqlite3_step and sqlite3_reset per row, committed at the end.  With
 * --keyed the table also has the row's natural key as its primary key,
 * PRIMARY KEY (unit, series, period) WITHOUT ROWID, the least a re-import
 * that knows an unchanged row needs (reported beside, not the limit).
 *
 * ROUNDS rounds of ROWS rows, each into a new database in DIR; the fastest
 * round counts.  Prints one number: rows per second, the commit included.
 *
 * Usage: raw_sqlite [--keyed] [DIR [ROWS [ROUNDS]]]
 *        (default /tmp, 1000000 rows, 3 rounds)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

enum { UNITS = 10000, SERIES = 6, MONTHS = 24 };

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "raw_sqlite: %s: %s\n", what,
		db ? sqlite3_errmsg(db) : "failed");
	exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(db, sql);
}

static void unlink_db(const char *path)
{
	char p[4200];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

int main(int argc, char **argv)
{
	int keyed = 0, a = 1;
	if (argc > 1 && !strcmp(argv[1], "--keyed")) {
		keyed = 1;
		a = 2;
	}
	const char *dir = argc > a ? argv[a] : "/tmp";
	long rows = argc > a + 1 ? atol(argv[a + 1]) : 1000000;
	int rounds = argc > a + 2 ? atoi(argv[a + 2]) : 3;
	if (rows < 1 || rounds < 1) {
		fprintf(stderr, "usage: raw_sqlite [--keyed] [DIR [ROWS [ROUNDS]]]\n");
		return 2;
	}
	static char units[UNITS][24], periods[MONTHS][24];
	static const char *const series[SERIES] = {
		"patient_meetings", "digital_meetings", "eligible",
		"participants", "staff_invited", "staff_using"};
	for (int u = 0; u < UNITS; u++)
		snprintf(units[u], sizeof units[u], "u%05d", u);
	for (int m = 0; m < MONTHS; m++)
		snprintf(periods[m], sizeof periods[m], "%04d-%02d",
			 2024 + (m + 6) / 12, (m + 6) % 12 + 1);
	char path[4096];
	snprintf(path, sizeof path, "%s/raw-sqlite-%ld.db", dir, (long)getpid());
	double best = 0;
	for (int r = 0; r < rounds; r++) {
		unlink_db(path);
		sqlite3 *db;
		if (sqlite3_open(path, &db) != SQLITE_OK)
			die(db, path);
		exec(db, "PRAGMA journal_mode = WAL");
		exec(db, "PRAGMA synchronous = NORMAL");
		exec(db, "PRAGMA cache_size = -65536");
		exec(db, keyed
		     ? "CREATE TABLE raw(unit TEXT NOT NULL, series TEXT NOT NULL,"
		       " period TEXT NOT NULL, value REAL NOT NULL,"
		       " PRIMARY KEY (unit, series, period)) WITHOUT ROWID"
		     : "CREATE TABLE raw(unit TEXT NOT NULL, series TEXT NOT NULL,"
		       " period TEXT NOT NULL, value REAL NOT NULL)");
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, "INSERT INTO raw VALUES (?, ?, ?, ?)",
				       -1, &st, NULL) != SQLITE_OK)
			die(db, "prepare");
		double t0 = now();
		exec(db, "BEGIN");
		for (long i = 0; i < rows; i++) {
			/* an export's order: unit by unit, month by month */
			long u = i / (SERIES * MONTHS) % UNITS;
			long m = i / SERIES % MONTHS, s = i % SERIES;
			/* past 10,000 x 144 rows the key repeats: another year */
			long y = i / ((long)UNITS * SERIES * MONTHS);
			char period[64];
			const char *pp = periods[m];
			if (y) {
				snprintf(period, sizeof period, "%ld-%s", y, periods[m]);
				pp = period;
			}
			sqlite3_bind_text(st, 1, units[u], -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, series[s], -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, pp, -1, SQLITE_TRANSIENT);
			sqlite3_bind_double(st, 4, (double)(i % 997));
			if (sqlite3_step(st) != SQLITE_DONE)
				die(db, "insert");
			sqlite3_reset(st);
		}
		exec(db, "COMMIT");
		double rate = (double)rows / (now() - t0);
		sqlite3_finalize(st);
		sqlite3_close(db);
		if (rate > best)
			best = rate;
	}
	unlink_db(path);
	printf("%.0f\n", best);
	return 0;
}
