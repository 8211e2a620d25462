/*
 * test_metrics.c: success metrics in a cycle, from program.yaml's
 * `metrics:` and imported observations to the cycle's JSON, ctx:metric and ctx:series.
 *
 * What is pinned: the proportion score with exclusions; roll-ups that add
 * counts and never average ratios; count, sum, mean and latest over weekly
 * data in monthly periods (by the week's first day); only periods that
 * ended by the as-of date are judged; every status, mirrored for
 * decrease; stale data is no data; unit targets and scope; per-period
 * targets by quarter; rules reading metrics and series; the check that
 * unit targets reach the organisation's; the loader's messages.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "internal.h"
#include "testutil.h"

/*
 * The tree every test runs on:
 *   org > hosp > w1, w2, w3;  org > clinic, lab, far, near
 * All but org are in stage pilot, so each faces the pilot->scale gate.
 */
static const char head_yaml[] =
	"program: met\n"
	"start: 2026-01-01\n"
	"stages: [pilot, scale]\n"
	"units:\n"
	"  - {id: org, name: Org, stage: scale}\n"
	"  - {id: hosp, name: Hospital, parent: org, stage: pilot}\n"
	"  - {id: w1, parent: hosp, stage: pilot}\n"
	"  - {id: w2, parent: hosp, stage: pilot}\n"
	"  - {id: w3, parent: hosp, stage: pilot}\n"
	"  - {id: clinic, parent: org, stage: pilot}\n"
	"  - {id: lab, parent: org, stage: pilot}\n"
	"  - {id: far, parent: org, stage: pilot}\n"
	"  - {id: near, parent: org, stage: pilot}\n";

static char *dir;
static up_error *err;
static up_program *prog;
static up_store *store;

static void setup(void)
{
	dir = tu_mkdtemp();
	err = up_error_new();
	ck_assert_ptr_nonnull(err);
}

static void teardown(void)
{
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	tu_rmtree(dir);
	free(dir);
	store = NULL;
	prog = NULL;
}

static void messages_to(const up_error *e, char *out, size_t n)
{
	out[0] = '\0';
	for (size_t i = 0; i < up_error_count(e); i++) {
		size_t len = strlen(out);
		snprintf(out + len, n - len, "\n    %s",
			 up_error_message(e, i));
	}
}

static int lines_in(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The line of program.yaml that holds "metrics:". */
static int metrics_line(int with_rules)
{
	return lines_in(head_yaml) + (with_rules ? 1 : 0) + 1;
}

static char *program_text(const char *metrics, const char *rules)
{
	return up_xasprintf("%s%smetrics:\n%s", head_yaml,
			    rules ? "rules: [rules.lua]\n" : "", metrics);
}

/* Writes program.yaml with METRICS (and RULES as rules.lua, if given),
 * loads it and opens a store. */
static void load(const char *metrics, const char *rules)
{
	char msgs[4000];
	char *text = program_text(metrics, rules);
	tu_write(dir, "program.yaml", text);
	free(text);
	if (rules)
		tu_write(dir, "rules.lua", rules);
	int rc = up_program_load(&prog, dir, err);
	messages_to(err, msgs, sizeof msgs);
	ck_assert_msg(rc == UP_OK && up_error_count(err) == 0, "load:%s", msgs);
	rc = up_store_open(&store, dir, NULL, 0, err);
	messages_to(err, msgs, sizeof msgs);
	ck_assert_msg(rc == UP_OK, "open:%s", msgs);
}

/* Imports ROWS (unit,series,period,value lines) as observations. */
static void observe(const char *rows)
{
	char msgs[4000];
	char *text = up_xasprintf("unit,series,period,value\n%s", rows);
	tu_write(dir, "obs.csv", text);
	free(text);
	char *path = tu_path(dir, "obs.csv");
	int rc = up_import(store, prog, "observations", path, NULL, NULL, NULL,
			   err);
	messages_to(err, msgs, sizeof msgs);
	ck_assert_msg(rc == UP_OK, "import:%s", msgs);
	free(path);
}

/* Runs a cycle as of AS_OF and returns its JSON document. */
static json_t *cycle(const char *as_of)
{
	char msgs[4000];
	up_cycle *c = NULL;
	int rc = up_cycle_run(&c, store, prog, as_of, err);
	messages_to(err, msgs, sizeof msgs);
	ck_assert_msg(rc == UP_OK, "cycle %s:%s", as_of, msgs);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(up_cycle_print(c, fp, UP_PRINT_JSON), UP_OK);
	fclose(fp);
	up_cycle_free(c);
	json_error_t jerr;
	json_t *doc = json_loads(buf, 0, &jerr);
	ck_assert_msg(doc != NULL, "cycle JSON: %s", jerr.text);
	free(buf);
	json_t *errors = json_object_get(doc, "errors");
	char *es = json_dumps(errors, JSON_COMPACT);
	ck_assert_msg(json_array_size(errors) == 0, "cycle errors: %s", es);
	free(es);
	return doc;
}

static json_t *unit_of(json_t *doc, const char *id)
{
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(doc, "units"), i, u)
		if (!strcmp(json_string_value(json_object_get(u, "id")), id))
			return u;
	ck_abort_msg("no unit %s in the cycle", id);
	return NULL;
}

static json_t *find_metric(json_t *list, const char *metric)
{
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m)
		if (!strcmp(json_string_value(json_object_get(m, "metric")),
			    metric))
			return m;
	return NULL;
}

/* UNIT's entry for METRIC, or NULL when the unit has none. */
static json_t *unit_metric(json_t *doc, const char *unit, const char *metric)
{
	return find_metric(json_object_get(unit_of(doc, unit), "metrics"),
			   metric);
}

static json_t *need_metric(json_t *doc, const char *unit, const char *metric)
{
	json_t *m = unit_metric(doc, unit, metric);
	ck_assert_msg(m != NULL, "unit %s has no metric %s", unit, metric);
	return m;
}

static json_t *program_metric(json_t *doc, const char *metric)
{
	json_t *m = find_metric(json_object_get(doc, "metrics"), metric);
	ck_assert_msg(m != NULL, "no program-level metric %s", metric);
	return m;
}

static void expect_num(const json_t *m, const char *key, double want)
{
	json_t *v = json_object_get(m, key);
	char *s = json_dumps(m, JSON_COMPACT);
	ck_assert_msg(json_is_number(v) &&
		      fabs(json_number_value(v) - want) < 1e-9,
		      "%s: want %.10g in %s", key, want, s);
	free(s);
}

static void expect_null(const json_t *m, const char *key)
{
	json_t *v = json_object_get(m, key);
	char *s = json_dumps(m, JSON_COMPACT);
	ck_assert_msg(!v || json_is_null(v), "%s: want null in %s", key, s);
	free(s);
}

static void expect_str(const json_t *m, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(m, key));
	char *s = json_dumps(m, JSON_COMPACT);
	ck_assert_msg(v && !strcmp(v, want), "%s: want \"%s\" in %s", key, want,
		      s);
	free(s);
}

/* A unit's METRIC: period, value and status in one go. */
static void expect_point(json_t *doc, const char *unit, const char *metric,
			 const char *period, double value, const char *status)
{
	json_t *m = need_metric(doc, unit, metric);
	if (period) {
		expect_str(m, "period", period);
		expect_num(m, "value", value);
	} else {
		expect_null(m, "period");
		expect_null(m, "value");
	}
	expect_str(m, "status", status);
}

/* The program-level entry is the root's, plus its history. */
static void expect_program_is(json_t *doc, const char *metric,
			      const char *unit)
{
	json_t *p = json_deep_copy(program_metric(doc, metric));
	json_object_del(p, "history");
	json_t *u = need_metric(doc, unit, metric);
	char *ps = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
	char *us = json_dumps(u, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_msg(json_equal(p, u), "program-level %s:\n    %s\n%s's:\n"
		      "    %s", metric, ps, unit, us);
	free(ps);
	free(us);
	json_decref(p);
}

/* ---- scores and roll-ups ---- */

START_TEST(proportion_with_exclusions)
{
	load("  p:\n"
	     "    numerator: num\n"
	     "    numerator_exclusions: nx\n"
	     "    denominator: den\n"
	     "    denominator_exclusions: dx\n"
	     "    denominator_exceptions: [de]\n"
	     "    target: 0.8\n"
	     "    deadline: +1y\n", NULL);
	observe("w1,num,2026-01,3\n"
		"w1,nx,2026-01,1\n"
		"w1,den,2026-01,6\n"
		"w1,dx,2026-01,1\n"
		"w1,de,2026-01,1\n");
	json_t *doc = cycle("2026-01-31");
	json_t *m = need_metric(doc, "w1", "p");
	/* (3 - 1) / (6 - 1 - 1), the FHIR Measure example. */
	expect_num(m, "value", 0.5);
	expect_num(m, "numerator", 2);
	expect_num(m, "denominator", 4);
	expect_num(m, "target", 0.8);
	expect_str(m, "period", "2026-01");
	expect_str(m, "kind", "ratio");
	expect_num(m, "points", 1);
	/* The same counts all the way up. */
	expect_num(need_metric(doc, "hosp", "p"), "value", 0.5);
	expect_num(need_metric(doc, "org", "p"), "value", 0.5);
	json_decref(doc);
}
END_TEST

START_TEST(roll_up_adds_counts)
{
	load("  share: {numerator: dig, denominator: all, target: 0.3,\n"
	     "          deadline: 2027-01-01}\n", NULL);
	observe("w1,dig,2026-01,1\nw1,all,2026-01,10\n"
		"w2,dig,2026-01,9\nw2,all,2026-01,10\n"
		"w3,dig,2026-01,0\nw3,all,2026-01,80\n");
	json_t *doc = cycle("2026-01-31");
	/* One point of an automatic baseline: nothing to judge yet, not
	 * even w2's 0.9 against a target of 0.3. */
	expect_point(doc, "w1", "share", "2026-01", 0.1, "baseline");
	expect_point(doc, "w2", "share", "2026-01", 0.9, "baseline");
	expect_point(doc, "w3", "share", "2026-01", 0.0, "baseline");
	/* 10 / 100, not the mean of 0.1, 0.9 and 0. */
	json_t *h = need_metric(doc, "hosp", "share");
	expect_num(h, "value", 0.1);
	expect_num(h, "numerator", 10);
	expect_num(h, "denominator", 100);
	json_t *o = need_metric(doc, "org", "share");
	expect_num(o, "value", 0.1);
	expect_num(o, "numerator", 10);
	expect_num(o, "denominator", 100);
	expect_program_is(doc, "share", "org");
	json_t *hist = json_object_get(program_metric(doc, "share"), "history");
	ck_assert_uint_eq(json_array_size(hist), 1);
	expect_str(json_array_get(hist, 0), "period", "2026-01");
	expect_num(json_array_get(hist, 0), "value", 0.1);
	/* A unit in scope without data. */
	expect_point(doc, "clinic", "share", NULL, 0, "no_data");
	expect_num(need_metric(doc, "clinic", "share"), "points", 0);
	json_decref(doc);
}
END_TEST

START_TEST(kinds_over_weekly_observations)
{
	/* baseline_points: 1 judges from the first point, which is all
	 * there is here. */
	load("  n: {kind: count, series: visits, target: 10, deadline: +1y,"
	     " baseline_points: 1}\n"
	     "  total: {kind: sum, series: visits, target: 10, deadline: +1y,"
	     " baseline_points: 1}\n"
	     "  avg: {kind: mean, series: visits, target: 10, deadline: +1y,"
	     " baseline_points: 1}\n"
	     "  last: {kind: latest, series: visits, target: 10,"
	     " deadline: +1y, baseline_points: 1}\n", NULL);
	/* 2026-W01 starts on 2025-12-29, before the program's first month;
	 * W05 (Jan 26 - Feb 1) starts in January, so January holds it;
	 * W06 starts in February, which has not ended. */
	observe("w1,visits,2026-W01,1000\n"
		"w1,visits,2026-W02,10\n"
		"w1,visits,2026-W03,20\n"
		"w1,visits,2026-W05,40\n"
		"w1,visits,2026-W04,30\n"
		"w1,visits,2026-W06,50\n"
		"w2,visits,2026-W03,5\n");
	json_t *doc = cycle("2026-02-10");
	expect_point(doc, "w1", "n", "2026-01", 4, "on_track");
	expect_point(doc, "w1", "total", "2026-01", 100, "met");
	expect_point(doc, "w1", "avg", "2026-01", 25, "met");
	expect_point(doc, "w1", "last", "2026-01", 40, "met");
	/* Up the tree: counts and sums add, the mean is over every
	 * observation (105 / 5, not the mean of 25 and 5), levels add. */
	expect_point(doc, "hosp", "n", "2026-01", 5, "on_track");
	expect_point(doc, "hosp", "total", "2026-01", 105, "met");
	expect_point(doc, "hosp", "avg", "2026-01", 21, "met");
	expect_point(doc, "hosp", "last", "2026-01", 45, "met");
	static const char *const ids[] = {"n", "total", "avg", "last"};
	static const char *const kinds[] = {"count", "sum", "mean", "latest"};
	for (size_t i = 0; i < UP_COUNTOF(ids); i++) {
		json_t *m = need_metric(doc, "w1", ids[i]);
		expect_str(m, "kind", kinds[i]);
		expect_null(m, "numerator");
		expect_null(m, "denominator");
		expect_program_is(doc, ids[i], "org");
	}
	json_decref(doc);
}
END_TEST

START_TEST(only_ended_periods_are_judged)
{
	load("  share: {numerator: dig, denominator: all, target: 1,"
	     " deadline: +1y}\n"
	     "  pings: {kind: count, series: ping, target: 1,"
	     " deadline: +1y}\n", NULL);
	observe("w1,dig,2026-01,5\nw1,all,2026-01,10\n"
		"w1,dig,2026-02,6\nw1,all,2026-02,10\n"
		"w1,dig,2026-03,9\nw1,all,2026-03,10\n"
		"w1,ping,2026-02-10,1\nw1,ping,2026-03-02,1\n");
	/* Nothing has ended yet. */
	json_t *doc = cycle("2026-01-30");
	expect_point(doc, "w1", "share", NULL, 0, "no_data");
	expect_point(doc, "w1", "pings", NULL, 0, "no_data");
	json_decref(doc);
	doc = cycle("2026-02-27");
	expect_point(doc, "w1", "share", "2026-01", 0.5, "baseline");
	expect_num(need_metric(doc, "w1", "share"), "points", 1);
	/* February's ping is in a month that has not ended. */
	expect_point(doc, "w1", "pings", NULL, 0, "no_data");
	json_decref(doc);
	/* As of March 15th, March's data is invisible (its period ends on
	 * the 31st) and March's day observation is in an unfinished month. */
	doc = cycle("2026-03-15");
	expect_point(doc, "w1", "share", "2026-02", 0.6, "baseline");
	expect_num(need_metric(doc, "w1", "share"), "points", 2);
	expect_point(doc, "w1", "pings", "2026-02", 1, "baseline");
	json_decref(doc);
	doc = cycle("2026-03-31");
	/* the third point: judged from now on */
	expect_point(doc, "w1", "share", "2026-03", 0.9, "on_track");
	expect_num(need_metric(doc, "w1", "share"), "points", 3);
	expect_point(doc, "w1", "pings", "2026-03", 1, "baseline");
	expect_num(need_metric(doc, "w1", "pings"), "points", 2);
	json_decref(doc);
}
END_TEST

/* ---- status ---- */

/*
 * From 0.5 on 2026-01-01 to 1.0 on 2026-12-31 (and the mirror image,
 * from 1.0 down to 0.5), judged as of 2026-06-30: the plan then is
 * 0.5 + 0.5 * 180 / 364 = 0.7473.
 *   w1     0.9 1.0 1.2 (May, June reach 1.0)           met
 *   w2     0.5 .. 0.8 monthly (0.8 above the plan)     on_track
 *   w3     0.5 0.6 0.7 (April-June; the line gets
 *          past 1.0 by December)                       at_risk
 *   clinic 0.6 0.6 0.6                                 off_track
 *   lab    nothing                                     no_data
 *   far    January and February only: stale            no_data
 *   near   1.1 in March and April: two periods old     met
 */
static const struct {
	const char *unit, *period;
	double value;
} status_rows[] = {
	{"w1", "2026-04", 0.9}, {"w1", "2026-05", 1.0}, {"w1", "2026-06", 1.2},
	{"w2", "2026-01", 0.5}, {"w2", "2026-02", 0.55},
	{"w2", "2026-03", 0.6}, {"w2", "2026-04", 0.65},
	{"w2", "2026-05", 0.7}, {"w2", "2026-06", 0.8},
	{"w3", "2026-04", 0.5}, {"w3", "2026-05", 0.6}, {"w3", "2026-06", 0.7},
	{"clinic", "2026-04", 0.6}, {"clinic", "2026-05", 0.6},
	{"clinic", "2026-06", 0.6},
	{"far", "2026-01", 0.9}, {"far", "2026-02", 0.9},
	{"near", "2026-03", 1.1}, {"near", "2026-04", 1.1}};

static const struct {
	const char *unit, *status;
	int points;
} statuses[] = {{"w1", "met", 3},       {"w2", "on_track", 6},
		{"w3", "at_risk", 3},   {"clinic", "off_track", 3},
		{"lab", "no_data", 0},  {"far", "no_data", 0},
		{"near", "met", 2}};

START_TEST(every_status_both_directions)
{
	load("  up:\n"
	     "    kind: mean\n"
	     "    series: score\n"
	     "    baseline: 0.5\n"
	     "    target: 1.0\n"
	     "    deadline: 2026-12-31\n"
	     "  down:\n"
	     "    kind: mean\n"
	     "    series: wait\n"
	     "    direction: decrease\n"
	     "    baseline: 1.0\n"
	     "    target: 0.5\n"
	     "    deadline: 2026-12-31\n", NULL);
	up_buf b = {0};
	for (size_t i = 0; i < UP_COUNTOF(status_rows); i++) {
		const char *u = status_rows[i].unit, *p = status_rows[i].period;
		double v = status_rows[i].value;
		/* The mirror image: 1.5 - v against a plan from 1.0 to 0.5. */
		up_buf_printf(&b, "%s,score,%s,%.4f\n%s,wait,%s,%.4f\n", u, p,
			      v, u, p, 1.5 - v);
	}
	observe(b.buf);
	up_buf_free(&b);
	json_t *doc = cycle("2026-06-30");
	for (size_t i = 0; i < UP_COUNTOF(statuses); i++) {
		static const char *const ids[] = {"up", "down"};
		for (size_t d = 0; d < 2; d++) {
			json_t *m = need_metric(doc, statuses[i].unit, ids[d]);
			expect_str(m, "status", statuses[i].status);
			expect_num(m, "points", statuses[i].points);
		}
	}
	expect_point(doc, "w2", "up", "2026-06", 0.8, "on_track");
	expect_num(need_metric(doc, "w2", "up"), "expected",
		   0.5 + 0.5 * 180.0 / 364.0);
	expect_point(doc, "w2", "down", "2026-06", 0.7, "on_track");
	expect_num(need_metric(doc, "w2", "down"), "expected",
		   1.0 - 0.5 * 180.0 / 364.0);
	expect_point(doc, "near", "up", "2026-04", 1.1, "met");
	expect_point(doc, "far", "up", NULL, 0, "no_data");
	expect_point(doc, "lab", "down", NULL, 0, "no_data");
	/* The hospital's mean is over its wards' June observations. */
	expect_point(doc, "hosp", "up", "2026-06", (1.2 + 0.8 + 0.7) / 3,
		     "on_track");
	json_decref(doc);
}
END_TEST

START_TEST(met_needs_the_target_held)
{
	load("  up: {kind: mean, series: score, baseline: 0.5, target: 1.0,\n"
	     "       deadline: 2026-12-31}\n", NULL);
	/* Reached once (on_track), reached twice (met), reached and then
	 * lost: judged on the latest value alone. */
	observe("w1,score,2026-05,0.9\nw1,score,2026-06,1.0\n"
		"w2,score,2026-05,1.0\nw2,score,2026-06,1.0\n"
		"w3,score,2026-05,1.0\nw3,score,2026-06,0.99\n");
	json_t *doc = cycle("2026-06-30");
	expect_point(doc, "w1", "up", "2026-06", 1.0, "on_track");
	expect_point(doc, "w2", "up", "2026-06", 1.0, "met");
	expect_point(doc, "w3", "up", "2026-06", 0.99, "on_track");
	json_decref(doc);
}
END_TEST

START_TEST(unit_targets_and_scope)
{
	load("  share:\n"
	     "    numerator: dig\n"
	     "    denominator: all\n"
	     "    target: 0.3\n"
	     "    deadline: 2026-12-31\n"
	     "    unit_targets: {w1: 0.1}\n"
	     "    scope: [hosp]\n"
	     "    baseline_points: 2\n", NULL);
	observe("w1,dig,2026-01,1\nw1,all,2026-01,10\n"
		"w1,dig,2026-02,1\nw1,all,2026-02,10\n"
		"w2,dig,2026-01,1\nw2,all,2026-01,10\n"
		"w2,dig,2026-02,1\nw2,all,2026-02,10\n"
		"clinic,dig,2026-02,9\nclinic,all,2026-02,10\n");
	json_t *doc = cycle("2026-02-28");
	/* Only w1's target changes. */
	expect_point(doc, "w1", "share", "2026-02", 0.1, "met");
	expect_num(need_metric(doc, "w1", "share"), "target", 0.1);
	expect_point(doc, "w2", "share", "2026-02", 0.1, "off_track");
	expect_num(need_metric(doc, "w2", "share"), "target", 0.3);
	expect_point(doc, "w3", "share", NULL, 0, "no_data");
	expect_num(need_metric(doc, "w3", "share"), "target", 0.3);
	json_t *h = need_metric(doc, "hosp", "share");
	expect_num(h, "target", 0.3);
	expect_num(h, "value", 0.1);
	expect_num(h, "denominator", 20);
	/* Outside the scope: no entry at all, and clinic's data counts
	 * nowhere. */
	static const char *const out[] = {"org", "clinic", "lab", "far",
					  "near"};
	for (size_t i = 0; i < UP_COUNTOF(out); i++) {
		json_t *ms = json_object_get(unit_of(doc, out[i]), "metrics");
		ck_assert_msg(json_is_array(ms), "%s has no metrics[]", out[i]);
		ck_assert_msg(unit_metric(doc, out[i], "share") == NULL,
			      "%s is outside the scope", out[i]);
	}
	expect_program_is(doc, "share", "hosp");
	json_decref(doc);
}
END_TEST

/* Two siblings in scope: the program's series is their sum, and their
 * parent, outside the scope, has no entry. */
START_TEST(scope_of_siblings)
{
	load("  share: {numerator: dig, denominator: all, target: 0.3,\n"
	     "          deadline: 2026-12-31, scope: [w1, w2]}\n", NULL);
	observe("w1,dig,2026-01,1\nw1,all,2026-01,10\n"
		"w2,dig,2026-01,5\nw2,all,2026-01,30\n"
		"w3,dig,2026-01,9\nw3,all,2026-01,10\n");
	json_t *doc = cycle("2026-01-31");
	ck_assert_ptr_null(unit_metric(doc, "hosp", "share"));
	ck_assert_ptr_null(unit_metric(doc, "w3", "share"));
	expect_point(doc, "w2", "share", "2026-01", 5.0 / 30, "baseline");
	json_t *p = program_metric(doc, "share");
	expect_num(p, "value", 0.15);
	expect_num(p, "numerator", 6);
	expect_num(p, "denominator", 40);
	json_decref(doc);
}
END_TEST

START_TEST(per_period_quarters)
{
	load("  leads: {kind: sum, series: leads, period: quarter,"
	     " per_period: true, target: 40}\n", NULL);
	/* w1: 10 + 15 + 16 = 41 in Q1, then 45: met.
	 * w2: 38, then 45: reached once, on track.
	 * w3: 41, then 39: below the target, not met. */
	observe("w1,leads,2026-01,10\nw1,leads,2026-02,15\n"
		"w1,leads,2026-03,16\nw1,leads,2026-Q2,45\n"
		"w2,leads,2026-Q1,38\nw2,leads,2026-Q2,45\n"
		"w3,leads,2026-Q1,41\nw3,leads,2026-Q2,39\n");
	json_t *doc = cycle("2026-06-30");
	expect_point(doc, "w1", "leads", "2026-Q2", 45, "met");
	expect_point(doc, "w2", "leads", "2026-Q2", 45, "on_track");
	expect_point(doc, "w3", "leads", "2026-Q2", 39, "off_track");
	for (int w = 1; w <= 3; w++) {
		char id[4];
		snprintf(id, sizeof id, "w%d", w);
		expect_num(need_metric(doc, id, "leads"), "target", 40);
		expect_num(need_metric(doc, id, "leads"), "expected", 40);
		expect_num(need_metric(doc, id, "leads"), "points", 2);
	}
	json_decref(doc);
	/* A day before Q2 ends, Q1 is the latest quarter. */
	doc = cycle("2026-06-29");
	expect_point(doc, "w1", "leads", "2026-Q1", 41, "met");
	expect_point(doc, "w2", "leads", "2026-Q1", 38, "off_track");
	json_decref(doc);
}
END_TEST

/* ---- rules ---- */

static const char rules_lua[] =
	"gate {\n"
	"  id = \"share-not-off-track\", at = \"pilot->scale\",\n"
	"  check = function(ctx)\n"
	"    local m = ctx:metric(\"share\")\n"
	"    if m == nil then return pass(\"no share metric here\") end\n"
	"    if m.status == \"off_track\" then\n"
	"      return fail(\"share is off track at %s\", tostring(m.value))\n"
	"    end\n"
	"    return pass(\"share is %s\", m.status)\n"
	"  end,\n"
	"}\n"
	"gate {\n"
	"  id = \"series-points\", at = \"pilot->scale\",\n"
	"  check = function(ctx)\n"
	"    local q1 = ctx:series(\"dig\",\n"
	"                          {from = \"2026-01\", to = \"2026-03\"})\n"
	"    local all = ctx:series(\"dig\")\n"
	"    local two = ctx:series(\"dig\", {limit = 2})\n"
	"    return pass(\"%d points in Q1, %d in all, the first %s\",\n"
	"                #q1, #all, two[1] and two[1].period .. \" \" ..\n"
	"                tostring(two[2] and two[2].period) .. \" \" ..\n"
	"                #two or \"none\")\n"
	"  end,\n"
	"}\n";

/* The criterion of UNIT's gate whose rule id ends in RULE. */
static json_t *criterion(json_t *doc, const char *unit, const char *rule)
{
	json_t *gates = json_object_get(unit_of(doc, unit), "gates");
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(json_array_get(gates, 0),
					   "criteria"), i, c) {
		const char *r = json_string_value(json_object_get(c, "rule"));
		size_t n = strlen(r), k = strlen(rule);
		if (n >= k && !strcmp(r + n - k, rule))
			return c;
	}
	ck_abort_msg("%s has no criterion %s", unit, rule);
	return NULL;
}

static void expect_criterion(json_t *doc, const char *unit, const char *rule,
			     const char *status, const char *message)
{
	json_t *c = criterion(doc, unit, rule);
	expect_str(c, "status", status);
	expect_str(c, "message", message);
}

START_TEST(rules_read_metrics_and_series)
{
	load("  share: {numerator: dig, denominator: all, target: 0.5,\n"
	     "          baseline: 0.2, deadline: 2026-12-31, scope: [hosp]}\n",
	     rules_lua);
	/* w1 sits at 0.1 from December to May; w2 at 0.6 from January. */
	observe("w1,dig,2025-12,1\nw1,all,2025-12,10\n"
		"w1,dig,2026-01,1\nw1,all,2026-01,10\n"
		"w1,dig,2026-02,1\nw1,all,2026-02,10\n"
		"w1,dig,2026-03,1\nw1,all,2026-03,10\n"
		"w1,dig,2026-04,1\nw1,all,2026-04,10\n"
		"w1,dig,2026-05,1\nw1,all,2026-05,10\n"
		"w2,dig,2026-01,6\nw2,all,2026-01,10\n"
		"w2,dig,2026-02,6\nw2,all,2026-02,10\n"
		"w2,dig,2026-03,6\nw2,all,2026-03,10\n"
		"w2,dig,2026-04,6\nw2,all,2026-04,10\n"
		"w2,dig,2026-05,6\nw2,all,2026-05,10\n");
	json_t *doc = cycle("2026-04-30");
	expect_point(doc, "w1", "share", "2026-04", 0.1, "off_track");
	expect_criterion(doc, "w1", "share-not-off-track", "fail",
			 "share is off track at 0.1");
	expect_str(json_array_get(json_object_get(unit_of(doc, "w1"), "gates"),
				  0), "decision", "hold");
	expect_criterion(doc, "w2", "share-not-off-track", "pass",
			 "share is met");
	expect_criterion(doc, "clinic", "share-not-off-track", "pass",
			 "no share metric here");
	/* May is not over: its points do not exist yet. */
	expect_criterion(doc, "w1", "series-points", "pass",
			 "3 points in Q1, 5 in all, the first 2025-12 2026-01 "
			 "2");
	expect_criterion(doc, "w2", "series-points", "pass",
			 "3 points in Q1, 4 in all, the first 2026-01 2026-02 "
			 "2");
	expect_criterion(doc, "clinic", "series-points", "pass",
			 "0 points in Q1, 0 in all, the first none");
	json_decref(doc);
}
END_TEST

/* ---- what a board needs to trust a status ---- */

/* What a rule sees of "share": status, latest period, periods behind and
 * each signal's span ("now" when it reaches the latest point). */
static const char fresh_lua[] =
	"gate {\n"
	"  id = \"fresh\", at = \"pilot->scale\",\n"
	"  check = function(ctx)\n"
	"    local m = ctx:metric(\"share\")\n"
	"    if m == nil then return pass(\"no share\") end\n"
	"    local spans = {}\n"
	"    for _, s in ipairs(m.signal_periods) do\n"
	"      spans[#spans + 1] = string.format(\"%s %s..%s%s\", s.signal,\n"
	"        s.from, s.to, s.current and \" now\" or \"\")\n"
	"    end\n"
	"    return pass(\"%s %s behind %s; %s\", m.status,\n"
	"      m.latest_period or \"-\", tostring(m.periods_behind),\n"
	"      table.concat(spans, \", \"))\n"
	"  end,\n"
	"}\n";

START_TEST(baseline_until_enough_points)
{
	load("  share: {numerator: dig, denominator: all, target: 0.3,\n"
	     "          deadline: 2026-12-31}\n"
	     "  quick: {numerator: dig, denominator: all, target: 0.3,\n"
	     "          deadline: 2026-12-31, baseline_points: 2}\n"
	     "  fixed: {numerator: dig, denominator: all, target: 0.3,\n"
	     "          deadline: 2026-12-31, baseline: 0}\n"
	     "  monthly: {kind: sum, series: dig, target: 1,"
	     " per_period: true}\n", fresh_lua);
	observe("w1,dig,2026-01,1\nw1,all,2026-01,10\n"
		"w1,dig,2026-02,2\nw1,all,2026-02,10\n"
		"w1,dig,2026-03,3\nw1,all,2026-03,10\n");
	/* The first point of an automatic baseline is the baseline: never
	 * on track against itself.  A number as baseline, or a target that
	 * holds every period, is judged from the first point. */
	json_t *doc = cycle("2026-01-31");
	expect_point(doc, "w1", "share", "2026-01", 0.1, "baseline");
	expect_num(need_metric(doc, "w1", "share"), "expected", 0.1);
	expect_point(doc, "w1", "quick", "2026-01", 0.1, "baseline");
	expect_point(doc, "w1", "fixed", "2026-01", 0.1, "on_track");
	expect_point(doc, "w1", "monthly", "2026-01", 1, "met");
	expect_str(program_metric(doc, "share"), "status", "baseline");
	expect_criterion(doc, "w1", "fresh", "pass",
			 "baseline 2026-01 behind 0; ");
	json_decref(doc);
	doc = cycle("2026-02-28");
	expect_point(doc, "w1", "share", "2026-02", 0.2, "baseline");
	expect_point(doc, "w1", "quick", "2026-02", 0.2, "on_track");
	json_decref(doc);
	doc = cycle("2026-03-31");
	expect_point(doc, "w1", "share", "2026-03", 0.3, "on_track");
	expect_num(need_metric(doc, "w1", "share"), "points", 3);
	json_decref(doc);
}
END_TEST

START_TEST(latest_period_and_periods_behind)
{
	load("  share: {numerator: dig, denominator: all, target: 0.3,\n"
	     "          deadline: 2027-12-31, baseline: 0}\n"
	     "  leads: {kind: sum, series: leads, period: quarter, target: 9,\n"
	     "          deadline: 2027-12-31, baseline: 0}\n"
	     "  visits: {kind: sum, series: visits, period: week, target: 9,\n"
	     "           deadline: 2027-12-31, baseline: 0}\n", fresh_lua);
	observe("w1,dig,2026-01,1\nw1,all,2026-01,10\n"
		"w1,dig,2026-02,1\nw1,all,2026-02,10\n"
		"w1,dig,2026-03,1\nw1,all,2026-03,10\n"
		"w2,dig,2026-01,1\nw2,all,2026-01,10\n"
		"w1,leads,2026-Q1,3\nw1,visits,2026-W02,4\n");
	/* As of 10 April the months up to March have ended: w2's export of
	 * January is two months behind, still judged. */
	json_t *doc = cycle("2026-04-10");
	json_t *m = need_metric(doc, "w1", "share");
	expect_str(m, "latest_period", "2026-03");
	expect_num(m, "periods_behind", 0);
	m = need_metric(doc, "w2", "share");
	expect_str(m, "latest_period", "2026-01");
	expect_num(m, "periods_behind", 2);
	expect_str(m, "period", "2026-01");
	expect_num(need_metric(doc, "hosp", "share"), "periods_behind", 0);
	m = need_metric(doc, "w3", "share");
	expect_null(m, "latest_period");
	expect_null(m, "periods_behind");
	expect_num(need_metric(doc, "w1", "leads"), "periods_behind", 0);
	/* Weeks: W02 against W14 (30 March to 5 April), twelve behind and
	 * stale, so no status, but the latest period is still given. */
	m = need_metric(doc, "w1", "visits");
	expect_str(m, "status", "no_data");
	expect_null(m, "period");
	expect_str(m, "latest_period", "2026-W02");
	expect_num(m, "periods_behind", 12);
	expect_criterion(doc, "w2", "fresh", "pass",
			 "on_track 2026-01 behind 2; ");
	expect_criterion(doc, "w3", "fresh", "pass", "no_data - behind nil; ");
	json_decref(doc);
	/* In July: w2 is five months behind and stale; the quarter is one. */
	doc = cycle("2026-07-05");
	m = need_metric(doc, "w2", "share");
	expect_str(m, "status", "no_data");
	expect_null(m, "period");
	expect_str(m, "latest_period", "2026-01");
	expect_num(m, "periods_behind", 5);
	expect_num(need_metric(doc, "w1", "leads"), "periods_behind", 1);
	m = program_metric(doc, "share");
	expect_str(m, "latest_period", "2026-03");
	expect_num(m, "periods_behind", 3);
	json_decref(doc);
}
END_TEST

START_TEST(signal_periods_name_their_span)
{
	load("  share: {kind: mean, series: score, target: 100,\n"
	     "          deadline: 2027-12-31, baseline: 0}\n", fresh_lua);
	/* w1: six high and rising months (April missing), then six low
	 * ones: the shift down is current, the trend up ended in July.
	 * w2: six high months, then the median (60) and points below it:
	 * the shift up ended in June. */
	observe("w1,score,2026-01,50\nw1,score,2026-02,51\n"
		"w1,score,2026-03,52\nw1,score,2026-05,53\n"
		"w1,score,2026-06,54\nw1,score,2026-07,55\n"
		"w1,score,2026-08,10\nw1,score,2026-09,12\n"
		"w1,score,2026-10,11\nw1,score,2026-11,13\n"
		"w1,score,2026-12,12\nw1,score,2027-01,14\n"
		"w2,score,2026-01,70\nw2,score,2026-02,72\n"
		"w2,score,2026-03,71\nw2,score,2026-04,73\n"
		"w2,score,2026-05,72\nw2,score,2026-06,74\n"
		"w2,score,2026-07,10\nw2,score,2026-08,60\n"
		"w2,score,2026-09,10\nw2,score,2026-10,60\n"
		"w2,score,2026-11,10\nw2,score,2026-12,60\n"
		"w2,score,2027-01,10\nw2,score,2027-02,60\n");
	json_t *doc = cycle("2027-02-28");
	json_t *m = need_metric(doc, "w1", "share");
	json_t *sp = json_object_get(m, "signal_periods");
	ck_assert_uint_eq(json_array_size(sp), 3);
	ck_assert_uint_eq(json_array_size(json_object_get(m, "signals")), 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_str_eq(json_string_value(json_object_get(
			json_array_get(sp, i), "signal")),
			json_string_value(json_array_get(
				json_object_get(m, "signals"), i)));
	expect_str(json_array_get(sp, 0), "from", "2026-08");
	expect_str(json_array_get(sp, 0), "to", "2027-01");
	ck_assert(json_is_true(json_object_get(json_array_get(sp, 0),
					       "current")));
	ck_assert(json_is_false(json_object_get(json_array_get(sp, 1),
						"current")));
	expect_criterion(doc, "w1", "fresh", "pass",
			 "off_track 2027-01 behind 1; "
			 "shift_down 2026-08..2027-01 now, "
			 "trend_up 2026-01..2026-07, "
			 "few_crossings 2026-01..2027-01 now");
	expect_criterion(doc, "w2", "fresh", "pass",
			 "on_track 2027-02 behind 0; "
			 "shift_up 2026-01..2026-06, "
			 "few_crossings 2026-01..2027-02 now");
	json_decref(doc);
}
END_TEST

/* ---- do the unit targets add up? ---- */

/*
 * As of 2026-04-30 the recent periods are February to April: w1 sees 300
 * patients a month, w2 100 and w3 100 (January's 10,000 at w2 is too old
 * to count).  Targets w1 0.2, w2 0.4 and w3 the default 0.3 reach
 * (900 * 0.2 + 300 * 0.4 + 300 * 0.3) / 1500 = 0.26 < 0.3.
 */
static const char weights_rows[] =
	"w2,all,2026-01,10000\nw2,dig,2026-01,5000\n"
	"w1,all,2026-02,300\nw2,all,2026-02,100\nw3,all,2026-02,100\n"
	"w1,all,2026-03,300\nw2,all,2026-03,100\nw3,all,2026-03,100\n"
	"w1,all,2026-04,300\nw2,all,2026-04,100\nw3,all,2026-04,100\n"
	"w1,dig,2026-04,60\nw2,dig,2026-04,40\nw3,dig,2026-04,30\n";

START_TEST(unit_targets_below_the_organisation_warn)
{
	load("  other: {kind: sum, series: dig, target: 1, deadline: +1y}\n"
	     "  share:\n"
	     "    numerator: dig\n"
	     "    denominator: all\n"
	     "    target: 0.3\n"
	     "    deadline: 2026-12-31\n"
	     "    unit_targets: {w1: 0.2, w2: 0.4}\n", NULL);
	observe(weights_rows);
	up_error *warn = up_error_new();
	ck_assert_int_eq(up_program_check_targets(prog, store, "2026-04-30",
						  warn), UP_OK);
	char *want = up_xasprintf(
		"program.yaml:%d:3: warning: metric 'share': the unit targets "
		"weighted by each unit's recent denominator reach 0.26, below "
		"the organisation's target 0.3", metrics_line(0) + 2);
	char msgs[2000];
	messages_to(warn, msgs, sizeof msgs);
	ck_assert_msg(up_error_count(warn) == 1 &&
		      !strcmp(up_error_message(warn, 0), want),
		      "want one warning:\n    %s\ngot:%s", want, msgs);
	ck_assert_int_eq(up_error_code(warn), UP_OK);
	free(want);
	up_error_free(warn);
}
END_TEST

START_TEST(unit_targets_that_reach_it_are_quiet)
{
	/* (900 * 0.3 + 300 * 0.4 + 300 * 0.3) / 1500 = 0.32. */
	load("  share:\n"
	     "    numerator: dig\n"
	     "    denominator: all\n"
	     "    target: 0.3\n"
	     "    deadline: 2026-12-31\n"
	     "    unit_targets: {w1: 0.3, w2: 0.4}\n", NULL);
	observe(weights_rows);
	up_error *warn = up_error_new();
	ck_assert_int_eq(up_program_check_targets(prog, store, "2026-04-30",
						  warn), UP_OK);
	char msgs[2000];
	messages_to(warn, msgs, sizeof msgs);
	ck_assert_msg(up_error_count(warn) == 0, "want no warning, got:%s",
		      msgs);
	up_error_free(warn);
}
END_TEST

/* ---- the loader ---- */

typedef struct {
	const char *name, *yaml;
	int line, col; /* within the snippet; line 1 is "  m:" */
	const char *msg;
} bad_metric;

#define M_HEAD "  m:\n"
#define M_SUM "    kind: sum\n    series: s\n"

static const bad_metric bad_metrics[] = {
	{"ratio without a denominator",
	 M_HEAD "    numerator: a\n    target: 0.3\n    deadline: +1y\n", 2, 5,
	 "metric 'm': a ratio needs both 'numerator' and 'denominator'"},
	{"kind without series",
	 M_HEAD "    kind: sum\n    target: 1\n    deadline: +1y\n", 2, 5,
	 "metric 'm': 'series' is required for kind 'sum'"},
	{"unknown kind",
	 M_HEAD "    kind: median\n    series: s\n    target: 1\n"
	 "    deadline: +1y\n", 2, 11,
	 "metric 'm': 'kind' must be ratio, count, sum, mean or latest, not "
	 "'median'"},
	{"period day",
	 M_HEAD M_SUM "    period: day\n    target: 1\n    deadline: +1y\n", 4,
	 13, "metric 'm': 'period' must be week, month or quarter, not 'day'"},
	{"period year",
	 M_HEAD M_SUM "    period: year\n    target: 1\n    deadline: +1y\n",
	 4, 13,
	 "metric 'm': 'period' must be week, month or quarter, not 'year'"},
	{"deadline missing",
	 M_HEAD M_SUM "    target: 1\n", 2, 5,
	 "metric 'm': 'deadline' is required (a date, or +2y, +18m, +6w, +90d "
	 "after 'start'), unless 'per_period: true'"},
	{"deadline +2x",
	 M_HEAD M_SUM "    target: 1\n    deadline: +2x\n", 5, 15,
	 "metric 'm': 'deadline': '+2x' expected a deadline: YYYY-MM-DD or +N "
	 "with y, m, w or d"},
	{"deadline before start",
	 M_HEAD M_SUM "    target: 1\n    deadline: 2025-12-31\n", 5, 15,
	 "metric 'm': 'deadline' 2025-12-31 is not after 'start'"},
	{"deadline on start",
	 M_HEAD M_SUM "    target: 1\n    deadline: 2026-01-01\n", 5, 15,
	 "metric 'm': 'deadline' 2026-01-01 is not after 'start'"},
	{"direction up",
	 M_HEAD M_SUM "    target: 1\n    deadline: +1y\n    direction: up\n",
	 6, 16,
	 "metric 'm': 'direction' must be increase or decrease, not 'up'"},
	{"unit target for an unknown unit",
	 M_HEAD M_SUM "    target: 1\n    deadline: +1y\n    unit_targets:\n"
	 "      w1: 2\n      clinik: 2\n", 8, 7,
	 "metric 'm': unknown unit 'clinik' (did you mean 'clinic'?)"},
	{"scope with an unknown unit",
	 M_HEAD M_SUM "    target: 1\n    deadline: +1y\n"
	 "    scope: [hosp, nowhere]\n", 6, 19,
	 "metric 'm': unknown unit 'nowhere'"},
	{"target missing",
	 M_HEAD M_SUM "    deadline: +1y\n", 2, 5,
	 "metric 'm': 'target' is required"},
	{"baseline_points of zero",
	 M_HEAD M_SUM "    target: 1\n    deadline: +1y\n"
	 "    baseline_points: 0\n", 6, 22,
	 "metric 'm': 'baseline_points' must be between 1 and 60, not 0"},
	{"baseline_points not a number",
	 M_HEAD M_SUM "    target: 1\n    deadline: +1y\n"
	 "    baseline_points: three\n", 6, 22,
	 "metric 'm': 'baseline_points' must be a whole number"},
	{"baseline_points with a fixed baseline",
	 M_HEAD M_SUM "    target: 1\n    deadline: +1y\n    baseline: 0\n"
	 "    baseline_points: 2\n", 7, 22,
	 "metric 'm': 'baseline_points' counts the points of an automatic "
	 "baseline; drop it or set 'baseline: auto'"},
	{"kind and numerator",
	 M_HEAD "    kind: count\n    series: s\n    numerator: a\n"
	 "    target: 1\n    deadline: +1y\n", 4, 16,
	 "metric 'm': 'numerator' and 'denominator' make a ratio; drop 'kind'"},
};

START_TEST(bad_metric_definitions)
{
	const bad_metric *b = &bad_metrics[_i];
	char *text = program_text(b->yaml, NULL);
	tu_write(dir, "program.yaml", text);
	free(text);
	int rc = up_program_load(&prog, dir, err);
	char *want = up_xasprintf("program.yaml:%d:%d: error: %s",
				  metrics_line(0) + b->line, b->col, b->msg);
	char msgs[4000];
	messages_to(err, msgs, sizeof msgs);
	ck_assert_msg(rc == UP_EINPUT && prog == NULL, "%s: loaded", b->name);
	ck_assert_msg(up_error_count(err) == 1 &&
		      !strcmp(up_error_message(err, 0), want),
		      "%s: want one message:\n    %s\ngot:%s", b->name, want,
		      msgs);
	free(want);
}
END_TEST

START_TEST(good_metric_definitions_load)
{
	load("  share:\n"
	     "    title: Digital share\n"
	     "    numerator: dig\n"
	     "    denominator: all\n"
	     "    numerator_exclusions: [a, b]\n"
	     "    denominator_exceptions: c\n"
	     "    target: 0.3\n"
	     "    baseline: auto\n"
	     "    tolerance: 0.05\n"
	     "    direction: increase\n"
	     "    period: week\n"
	     "    deadline: +18m\n"
	     "    unit_targets: {w1: 0.2}\n"
	     "    scope: hosp\n"
	     "    baseline_points: 4\n"
	     "  leads: {kind: count, series: leads, period: quarter,"
	     " per_period: yes, target: 4, direction: decrease,"
	     " baseline: 9}\n", NULL);
	ck_assert_uint_eq(prog->nmetrics, 2);
	const up_metric_def *m = &prog->metrics[0];
	ck_assert_str_eq(m->id, "share");
	ck_assert_str_eq(m->title, "Digital share");
	ck_assert_int_eq(m->kind, UP_MK_RATIO);
	ck_assert_uint_eq(m->num_excl.n, 2);
	ck_assert_str_eq(m->num_excl.v[1], "b");
	ck_assert_uint_eq(m->den_exc.n, 1);
	ck_assert_uint_eq(m->den_excl.n, 0);
	ck_assert(m->baseline_auto);
	ck_assert_uint_eq(m->baseline_points, 4);
	ck_assert(m->increase);
	ck_assert(!m->per_period);
	ck_assert_double_eq_tol(m->tolerance, 0.05, 1e-12);
	int32_t want;
	ck_assert_int_eq(up_date_parse("2027-07-01", &want, NULL), UP_OK);
	ck_assert_int_eq(m->deadline, want);
	ck_assert_uint_eq(m->scope.n, 1);
	ck_assert_str_eq(m->scope.v[0], "hosp");
	ck_assert_uint_eq(m->nunit_targets, 1);
	ck_assert_int_eq(m->line, metrics_line(0) + 1);
	ck_assert_int_eq(m->col, 3);
	m = &prog->metrics[1];
	ck_assert_int_eq(m->kind, UP_MK_COUNT);
	ck_assert_str_eq(m->series, "leads");
	ck_assert(m->per_period);
	ck_assert(!m->increase);
	ck_assert(!m->baseline_auto);
	ck_assert_double_eq_tol(m->baseline, 9, 1e-12);
	ck_assert_uint_eq(m->baseline_points, 3); /* the default, unused */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("values");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, proportion_with_exclusions);
	tcase_add_test(tc, roll_up_adds_counts);
	tcase_add_test(tc, kinds_over_weekly_observations);
	tcase_add_test(tc, only_ended_periods_are_judged);
	suite_add_tcase(s, tc);
	tc = tcase_create("status");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_status_both_directions);
	tcase_add_test(tc, met_needs_the_target_held);
	tcase_add_test(tc, unit_targets_and_scope);
	tcase_add_test(tc, scope_of_siblings);
	tcase_add_test(tc, per_period_quarters);
	suite_add_tcase(s, tc);
	tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rules_read_metrics_and_series);
	tcase_add_test(tc, baseline_until_enough_points);
	tcase_add_test(tc, latest_period_and_periods_behind);
	tcase_add_test(tc, signal_periods_name_their_span);
	suite_add_tcase(s, tc);
	tc = tcase_create("targets");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, unit_targets_below_the_organisation_warn);
	tcase_add_test(tc, unit_targets_that_reach_it_are_quiet);
	suite_add_tcase(s, tc);
	tc = tcase_create("loader");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, bad_metric_definitions, 0,
			    (int)UP_COUNTOF(bad_metrics));
	tcase_add_test(tc, good_metric_definitions_load);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
