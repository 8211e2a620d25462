/*
 * bench_schedule.c: a cycle and `uptake due` at national scale: UNITS
 * units and PEOPLE people (default 10,000 and 200,000) with full 300-day
 * training plans, three sessions each already attended.  Reports wall
 * time, peak memory and reminders/s; the raw limit is a prepared INSERT
 * of the same number of rows into a table of the same shape.
 *
 * Usage: bench_schedule [UNITS [PEOPLE]]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <sqlite3.h>

#include "internal.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_schedule: %s\n", what);
	exit(1);
}

static FILE *open_in(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	if (!fp)
		die(path);
	return fp;
}

/* Go-lives spread over 2026; everyone attends every slot on time (a full
 * plan, as a program that works has); the cycle judges them in the
 * autumn, when plans are between their first and last slot. */
static void write_inputs(const char *dir, int units, int people)
{
	FILE *fp = open_in(dir, "program.yaml");
	fputs("program: national\nstart: 2026-01-01\n"
	      "stages: [prepare, live, sustain]\nunits:\n"
	      "  - {id: nation, stage: live}\n", fp);
	for (int u = 0; u < units; u++) {
		char go[11];
		up_date_format(20454 + u % 300, go); /* from 2026-01-01 */
		fprintf(fp, "  - {id: u%05d, parent: nation, stage: live, "
			"go_live: %s}\n", u, go);
	}
	fclose(fp);
	fp = open_in(dir, "people.csv");
	fputs("id,unit,roles\n", fp);
	for (int p = 0; p < people; p++)
		fprintf(fp, "p%06d,u%05d,%s\n", p, p % units,
			p % 20 == 0 ? "first_line_manager" : "nurse");
	fclose(fp);
	fp = open_in(dir, "trainings.csv");
	fputs("person,date\n", fp);
	static const int staff[] = {0, 7, 21, 45, 90, 150, 210, 300};
	static const int managers[] = {-14, 0, 30, 60, 90};
	for (int p = 0; p < people; p++) {
		int32_t go = 20454 + (p % units) % 300;
		int manager = p % 20 == 0;
		const int *at = manager ? managers : staff;
		size_t n = manager ? 5 : 8;
		for (size_t i = 0; i < n; i++) {
			char d[11];
			up_date_format(go + at[i], d);
			fprintf(fp, "p%06d,%s\n", p, d);
		}
	}
	fclose(fp);
}

static double raw_rows(const char *dir, long rows)
{
	char path[512];
	snprintf(path, sizeof path, "%s/raw.db", dir);
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("raw.db");
	sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		     "PRAGMA cache_size = -65536;"
		     "CREATE TABLE reminders(id TEXT PRIMARY KEY, kind TEXT,"
		     " person TEXT, role TEXT, unit TEXT, due TEXT, planned TEXT,"
		     " note TEXT, state TEXT, acked INTEGER DEFAULT 0,"
		     " snoozed_until TEXT, sequence INTEGER DEFAULT 0,"
		     " cancelled INTEGER DEFAULT 0, raised_in INTEGER,"
		     " updated_in INTEGER) WITHOUT ROWID;"
		     "CREATE INDEX reminders_due ON reminders(due);",
		     NULL, NULL, NULL);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "INSERT INTO reminders(id, kind, person, unit,"
			   " due, planned, note, state, raised_in, updated_in)"
			   " VALUES (?, 'training_refresher', ?, ?, ?, ?, ?,"
			   " 'pending', 1, 1)", -1, &st, NULL);
	double t0 = now();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (long r = 0; r < rows; r++) {
		char id[17], person[24], unit[24], due[11];
		char hex[65];
		up_sha256_hex(&r, sizeof r, hex);
		memcpy(id, hex, 16);
		id[16] = '\0';
		snprintf(person, sizeof person, "p%06ld", r / 8);
		snprintf(unit, sizeof unit, "u%05ld", (r / 8) % 10000);
		up_date_format(20454 + (int32_t)(r % 600), due);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, person, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, unit, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, due, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, due, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 6, "training refresher", -1,
				  SQLITE_STATIC);
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

static long long count(up_store *s, const char *sql)
{
	sqlite3_stmt *st;
	sqlite3_prepare_v2(up_store_db(s), sql, -1, &st, NULL);
	long long n = sqlite3_step(st) == SQLITE_ROW
		? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return n;
}

int main(int argc, char **argv)
{
	int units = argc > 1 ? atoi(argv[1]) : 10000;
	int people = argc > 2 ? atoi(argv[2]) : 200000;
	char dir[] = "/tmp/uptake-bench-schedule-XXXXXX";
	if (!mkdtemp(dir))
		die("mkdtemp");
	write_inputs(dir, units, people);
	up_error *err = up_error_new();
	up_program *p = NULL;
	up_store *s = NULL;
	double t0 = now();
	if (up_program_load(&p, dir, err) ||
	    up_store_open(&s, dir, NULL, 0, err))
		die(up_error_message(err, 0));
	char path[512];
	snprintf(path, sizeof path, "%s/people.csv", dir);
	if (up_import(s, p, "people", path, NULL, NULL, NULL, err))
		die(up_error_message(err, 0));
	snprintf(path, sizeof path, "%s/trainings.csv", dir);
	if (up_import(s, p, "trainings", path, NULL, NULL, NULL, err))
		die(up_error_message(err, 0));
	double t_setup = now() - t0;
	up_cycle *c = NULL;
	t0 = now();
	if (up_cycle_run(&c, s, p, "2026-09-30", err))
		die(up_error_message(err, 0));
	double t_cycle = now() - t0;
	up_cycle_free(c);
	long long rem = count(s, "SELECT count(*) FROM reminders");
	t0 = now();
	if (up_cycle_run(&c, s, p, "2026-10-01", err))
		die(up_error_message(err, 0));
	double t_next = now() - t0;
	up_cycle_free(c);
	FILE *null = fopen("/dev/null", "w");
	t0 = now();
	if (up_due_print(s, p, "2026-10-01", NULL, NULL, null, 0, err))
		die(up_error_message(err, 0));
	double t_due = now() - t0;
	fclose(null);
	double raw = raw_rows(dir, rem);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("units %d, people %d, reminders %lld\n", units + 1, people, rem);
	printf("load + import people and their sessions  %7.2f s\n", t_setup);
	printf("first cycle (raises every reminder)       %7.2f s  %9.0f "
	       "reminders/s\n", t_cycle, (double)rem / t_cycle);
	printf("next day's cycle (writes what changed)    %7.2f s\n", t_next);
	printf("uptake due                                %7.2f s\n", t_due);
	printf("raw INSERT of as many rows, one txn       %7.2f s  %9.0f rows/s"
	       "  (first cycle: %.2f of raw)\n", raw, (double)rem / raw,
	       raw / t_cycle);
	printf("peak RSS                                  %7.1f MiB\n",
	       (double)ru.ru_maxrss / 1024);
	up_store_close(s);
	up_program_free(p);
	up_error_free(err);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
