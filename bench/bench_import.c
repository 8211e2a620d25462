/*
 * bench_import.c: `uptake import observations` against the raw limit in
 * the same run: a prepared INSERT into the same table, in one
 * transaction, of rows already in memory.  Reports rows/s and the ratio.
 *
 * Usage: bench_import [ROWS]   (default 1000000)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "internal.h"
#include "metric.h"

enum { UNITS = 1000, SERIES = 2 };

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_import: %s\n", what);
	exit(1);
}

static void month_of(long i, char out[8])
{
	unsigned y = (unsigned)(1900 + i / 12) % 10000, m = (unsigned)(1 + i % 12);
	snprintf(out, 8, "%04u-%02u", y, m % 100);
}

static void write_inputs(const char *dir, long rows)
{
	char path[512];
	snprintf(path, sizeof path, "%s/program.yaml", dir);
	FILE *fp = fopen(path, "w");
	if (!fp)
		die("cannot write program.yaml");
	fputs("program: bench\nstart: 2026-01-01\nstages: [a, b]\nunits:\n"
	      "  - {id: org, stage: a}\n", fp);
	for (int u = 0; u < UNITS; u++)
		fprintf(fp, "  - {id: u%04d, parent: org, stage: a}\n", u);
	fclose(fp);
	snprintf(path, sizeof path, "%s/obs.csv", dir);
	fp = fopen(path, "w");
	if (!fp)
		die("cannot write obs.csv");
	fputs("unit,series,period,value\n", fp);
	for (long r = 0; r < rows; r++) {
		char m[8];
		month_of(r / (UNITS * SERIES), m);
		fprintf(fp, "u%04ld,%s,%s,%ld\n", r % UNITS,
			(r / UNITS) % SERIES ? "patient_meetings"
					     : "digital_meetings", m, r % 997);
	}
	fclose(fp);
}

/* The same table as the store's, the same rows, no CSV and no checks. */
static double raw_inserts(const char *dir, long rows)
{
	char path[512];
	snprintf(path, sizeof path, "%s/raw.db", dir);
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("cannot open raw.db");
	sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		     "PRAGMA cache_size = -65536;"
		     "CREATE TABLE observations(unit TEXT NOT NULL,"
		     " series TEXT NOT NULL, period TEXT NOT NULL,"
		     " kind INTEGER NOT NULL, start INTEGER NOT NULL,"
		     " end INTEGER NOT NULL, value REAL NOT NULL,"
		     " batch INTEGER NOT NULL,"
		     " PRIMARY KEY (unit, series, period)) WITHOUT ROWID;"
		     "CREATE INDEX observations_series ON observations(series, end);",
		     NULL, NULL, NULL);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "INSERT INTO observations VALUES (?, ?, ?, ?, ?,"
			   " ?, ?, ?)", -1, &st, NULL);
	double t0 = now();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (long r = 0; r < rows; r++) {
		char unit[8], m[8];
		snprintf(unit, sizeof unit, "u%04ld", r % UNITS);
		month_of(r / (UNITS * SERIES), m);
		sqlite3_bind_text(st, 1, unit, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, (r / UNITS) % SERIES
				  ? "patient_meetings" : "digital_meetings",
				  -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, m, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 4, 2);
		sqlite3_bind_int(st, 5, (int)r);
		sqlite3_bind_int(st, 6, (int)r + 30);
		sqlite3_bind_double(st, 7, (double)(r % 997));
		sqlite3_bind_int(st, 8, 1);
		if (sqlite3_step(st) != SQLITE_DONE)
			die(sqlite3_errmsg(db));
		sqlite3_reset(st);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	double dt = now() - t0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return dt;
}

static double uptake_import(const char *dir, long rows, int again)
{
	up_error *err = up_error_new();
	up_program *p = NULL;
	up_store *s = NULL;
	if (up_program_load(&p, dir, err) ||
	    up_store_open(&s, dir, NULL, 0, err))
		die(up_error_message(err, 0));
	char path[512];
	snprintf(path, sizeof path, "%s/obs.csv", dir);
	long long n = 0;
	double t0 = now();
	if (up_import(s, p, "observations", path, NULL, NULL, &n, err))
		die(up_error_message(err, 0));
	double dt = now() - t0;
	if (n != rows)
		die("row count differs");
	(void)again;
	up_store_close(s);
	up_program_free(p);
	up_error_free(err);
	return dt;
}

int main(int argc, char **argv)
{
	long rows = argc > 1 ? atol(argv[1]) : 1000000;
	char dir[] = "/tmp/uptake-bench-import-XXXXXX";
	if (!mkdtemp(dir))
		die("mkdtemp");
	write_inputs(dir, rows);
	double raw = raw_inserts(dir, rows);
	double imp = uptake_import(dir, rows, 0);
	double again = uptake_import(dir, rows, 1);
	printf("rows                               %ld\n", rows);
	printf("raw prepared INSERT, one txn       %8.2f s  %9.0f rows/s\n",
	       raw, (double)rows / raw);
	printf("uptake import observations         %8.2f s  %9.0f rows/s"
	       "  ratio %.2f of raw\n", imp, (double)rows / imp, raw / imp);
	printf("the same file again (idempotent)   %8.2f s  %9.0f rows/s"
	       "  ratio %.2f of raw\n", again, (double)rows / again,
	       raw / again);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
