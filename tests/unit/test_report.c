/*
 * test_report.c: the report's content and its two renderers: run-chart
 * marks agree with the engine's signals, unit series judged again from
 * the store match what the cycle stored (and say so when they cannot),
 * what changed between cycles, and every string from the data escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "dashboard.h"
#include "metric.h"
#include "testutil.h"

/* ---- marks ---- */

/* A deterministic series of N values in 0..RANGE-1, so equal values and
 * points on the median are common. */
static void series(unsigned *seed, double *y, size_t n, unsigned range)
{
	for (size_t i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		y[i] = (double)((*seed >> 16) % range);
	}
}

/* The marked points of BIT: one run, all on the signal's side (shift) or
 * moving the signal's way (trend), and long enough. */
static void check_run(const double *y, size_t n, const unsigned char *m,
		      int bit, const up_signals *sig)
{
	size_t first = n, last = 0, count = 0;
	for (size_t i = 0; i < n; i++)
		if (m[i] & bit) {
			first = first == n ? i : first;
			last = i;
			count++;
		}
	int want = bit == UP_MARK_SHIFT ? sig->shift : sig->trend;
	ck_assert_int_eq(count > 0, want);
	if (!count)
		return;
	if (bit == UP_MARK_SHIFT) {
		ck_assert_uint_ge(count, 6);
		for (size_t i = first; i <= last; i++)
			ck_assert(y[i] == sig->median ||
				  (y[i] > sig->median) == sig->shift_up);
		return;
	}
	size_t moves = 1;
	for (size_t i = first + 1; i <= last; i++) {
		ck_assert(y[i] == y[i - 1] ||
			  (y[i] > y[i - 1]) == sig->trend_up);
		moves += y[i] != y[i - 1];
	}
	ck_assert_uint_ge(moves, 5);
}

START_TEST(marks_agree_with_the_engines_signals)
{
	unsigned seed = 7;
	double y[40];
	unsigned char m[40];
	for (int k = 0; k < 5000; k++) {
		size_t n = 1 + (size_t)(k % 40);
		series(&seed, y, n, 2 + (unsigned)(k % 9));
		up_signals sig;
		up_run_chart(y, n, &sig);
		up_dash_marks(y, n, sig.median, m);
		check_run(y, n, m, UP_MARK_SHIFT, &sig);
		check_run(y, n, m, UP_MARK_TREND, &sig);
	}
}
END_TEST

START_TEST(marks_show_the_latest_runs)
{
	/* a shift down (six below), then one up (six above); a fall of five
	 * then a rise of five, the last with an equal neighbour */
	const double y[] = {1, 1, 1, 1, 1, 1, 9, 9, 9, 9, 9, 9};
	unsigned char m[12];
	up_signals sig;
	up_run_chart(y, 12, &sig);
	up_dash_marks(y, 12, sig.median, m);
	for (int i = 0; i < 12; i++)
		ck_assert_int_eq(!!(m[i] & UP_MARK_SHIFT), i >= 6);
	const double t[] = {9, 8, 7, 6, 5, 6, 7, 7, 8, 9};
	up_run_chart(t, 10, &sig);
	up_dash_marks(t, 10, sig.median, m);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(!!(m[i] & UP_MARK_TREND), i >= 4);
}
END_TEST

START_TEST(html_escapes_every_special_character)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	up_html_puts(fp, "<a href=\"x\">'&'</a>\x01");
	fclose(fp);
	ck_assert_str_eq(buf, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;"
			 "&lt;/a&gt;?");
	free(buf);
}
END_TEST

/* ---- reports of a small program ---- */

static const char program_yaml[] =
	"program: rep\n"
	"title: \"A <b>bold</b> title\"\n"
	"organization: Org & Co\n"
	"start: 2026-01-01\n"
	"stages: [pilot, scale]\n"
	"units:\n"
	"  - {id: org, name: Org, stage: scale}\n"
	"  - {id: w1, name: \"<img src=x onerror=alert(1)>\", parent: org,"
	" stage: pilot}\n"
	"  - {id: w2, name: Ward | two, parent: org, stage: pilot}\n"
	"people:\n"
	"  - {id: ann, name: Ann, unit: w1, roles: [nurse]}\n"
	"  - {id: bob, name: Bob, unit: w2, roles: [nurse]}\n"
	"rules: [rules.lua]\n"
	"metrics:\n"
	"  share:\n"
	"    numerator: dig\n"
	"    denominator: all\n"
	"    target: 0.5\n"
	"    baseline: auto\n"
	"    deadline: %s\n"
	"    period: month\n"
	"    unit_targets: {w1: 0.6}\n";

static const char rules_lua[] =
	"check { id = 'hostile', severity = 'high',\n"
	"  check = function(ctx)\n"
	"    return warn('<script>alert(1)</script> | *x* `y` [z](j:1)')\n"
	"  end }\n"
	"gate { id = 'trained', at = 'pilot->scale',\n"
	"  check = function(ctx)\n"
	"    local c = ctx:coverage{}\n"
	"    if (c.value or 0) > 0 then return pass('trained') end\n"
	"    return fail('nobody trained')\n"
	"  end }\n";

static const char observations[] =
	"unit,series,period,value\n"
	"w1,all,2026-01,100\nw1,dig,2026-01,10\n"
	"w1,all,2026-02,100\nw1,dig,2026-02,14\n"
	"w1,all,2026-03,100\nw1,dig,2026-03,22\n"
	"w1,all,2026-04,100\nw1,dig,2026-04,30\n"
	"w2,all,2026-01,50\nw2,dig,2026-01,5\n"
	"w2,all,2026-03,50\nw2,dig,2026-03,6\n"
	"w2,all,2026-04,50\nw2,dig,2026-04,9\n";

static char *dir;
static up_error *err;
static up_program *prog;
static up_store *store;

static void messages(char *out, size_t n)
{
	out[0] = '\0';
	for (size_t i = 0; i < up_error_count(err); i++) {
		size_t len = strlen(out);
		snprintf(out + len, n - len, "\n    %s",
			 up_error_message(err, i));
	}
}

static void load(const char *deadline)
{
	char msgs[2000];
	up_program_free(prog);
	prog = NULL;
	char *text = up_xasprintf(program_yaml, deadline);
	tu_write(dir, "program.yaml", text);
	free(text);
	int rc = up_program_load(&prog, dir, err);
	messages(msgs, sizeof msgs);
	ck_assert_msg(rc == UP_OK, "load:%s", msgs);
}

static void cycle(const char *as_of)
{
	char msgs[2000];
	up_cycle *c = NULL;
	int rc = up_cycle_run(&c, store, prog, as_of, err);
	messages(msgs, sizeof msgs);
	ck_assert_msg(rc == UP_OK, "cycle:%s", msgs);
	up_cycle_free(c);
}

static void setup(void)
{
	char msgs[2000];
	dir = tu_mkdtemp();
	err = up_error_new();
	tu_write(dir, "rules.lua", rules_lua);
	tu_write(dir, "obs.csv", observations);
	load("+1y");
	int rc = up_store_open(&store, dir, NULL, 0, err);
	char *obs = tu_path(dir, "obs.csv");
	if (rc == UP_OK)
		rc = up_import(store, prog, "observations", obs, NULL, NULL,
			       NULL, err);
	free(obs);
	messages(msgs, sizeof msgs);
	ck_assert_msg(rc == UP_OK, "setup:%s", msgs);
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

typedef int (*report_fn)(up_store *, const up_program *, long long, FILE *,
			 up_error *);

static char *render(report_fn fn, long long number)
{
	char *buf = NULL, msgs[2000];
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	int rc = fn(store, prog, number, fp, err);
	fclose(fp);
	messages(msgs, sizeof msgs);
	ck_assert_msg(rc == UP_OK, "report:%s", msgs);
	return buf;
}

/* The series of metric 0 for UNIT (NULL: the organisation). */
static const json_t *series_of(const json_t *dash, const char *unit)
{
	const json_t *m = json_array_get(json_object_get(dash, "metrics"), 0);
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(m, "series"), i, s) {
		const char *u = json_string_value(json_object_get(s, "unit"));
		if (unit ? u && !strcmp(u, unit) : !u)
			return s;
	}
	ck_abort_msg("no series for %s", unit ? unit : "the organisation");
	return NULL;
}

static double point_value(const json_t *s, size_t i, const char *k)
{
	return json_number_value(json_object_get(json_array_get(
		json_object_get(s, "points"), i), k));
}

START_TEST(unit_series_come_from_the_store_and_match_the_cycle)
{
	cycle("2026-05-01");
	json_t *dash = up_dashboard_build(store, prog, 0, err);
	ck_assert_ptr_nonnull(dash);
	const json_t *w1 = series_of(dash, "w1"), *w2 = series_of(dash, "w2");
	ck_assert_str_eq(json_string_value(json_object_get(w1, "source")),
			 "observations");
	ck_assert_uint_eq(json_array_size(json_object_get(w1, "points")), 4);
	/* w2 sent nothing for February: no point, not a zero */
	ck_assert_uint_eq(json_array_size(json_object_get(w2, "points")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
		json_object_get(w2, "points"), 1), "period")), "2026-03");
	ck_assert_double_eq_tol(point_value(w1, 3, "value"), 0.30, 1e-9);
	/* the plan runs from w1's own first value to its own target */
	ck_assert_double_eq_tol(point_value(w1, 0, "plan"), 0.10, 1e-9);
	ck_assert_double_eq_tol(point_value(w1, 3, "plan"),
				json_number_value(json_object_get(w1,
					"expected")), 1e-9);
	ck_assert_ptr_null(json_object_get(w1, "differs"));
	/* the roll-up adds counts: (30 + 9) / 150 in April */
	ck_assert_double_eq_tol(point_value(series_of(dash, NULL), 3, "value"),
				0.26, 1e-9);
	json_decref(dash);
}
END_TEST

START_TEST(a_changed_definition_is_said_not_hidden)
{
	cycle("2026-05-01");
	load("+2y"); /* program.yaml after the cycle: another deadline */
	json_t *dash = up_dashboard_build(store, prog, 0, err);
	ck_assert_ptr_nonnull(dash);
	ck_assert(json_is_true(json_object_get(series_of(dash, "w2"),
					       "differs")));
	char *md = render(up_report_md, 0);
	ck_assert_ptr_nonnull(strstr(md, "judged again with program.yaml as "
				     "it is now: differs from the cycle"));
	free(md);
	json_decref(dash);
}
END_TEST

START_TEST(changes_since_the_previous_cycle)
{
	cycle("2026-03-01");
	tu_write(dir, "t.csv", "person,date,topic,outcome\n"
		 "ann,2026-03-10,intro,passed\n");
	char *t = tu_path(dir, "t.csv");
	ck_assert_int_eq(up_import(store, prog, "trainings", t, NULL, NULL,
				   NULL, err), UP_OK);
	free(t);
	cycle("2026-05-01");
	json_t *dash = up_dashboard_build(store, prog, 0, err);
	const json_t *c = json_object_get(dash, "changes");
	ck_assert_int_eq(up_dash_int(json_object_get(c, "from"), "cycle"), 1);
	const json_t *moved = json_object_get(c, "decisions");
	ck_assert_uint_eq(json_array_size(moved), 1);
	const json_t *x = json_array_get(moved, 0);
	ck_assert_str_eq(up_dash_str(x, "unit"), "w1");
	ck_assert_str_eq(up_dash_str(x, "from"), "hold");
	ck_assert_str_eq(up_dash_str(x, "to"), "go");
	json_decref(dash);
	/* cycle 1 has nothing before it; cycle 3 does not exist */
	dash = up_dashboard_build(store, prog, 1, err);
	ck_assert(json_is_null(json_object_get(dash, "changes")));
	json_decref(dash);
	ck_assert_ptr_null(up_dashboard_build(store, prog, 3, err));
	ck_assert_int_eq(up_error_code(err), UP_EINPUT);
}
END_TEST

START_TEST(html_escapes_what_the_data_says)
{
	cycle("2026-05-01");
	char *html = render(up_report_html, 0);
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_null(strstr(html, "<img"));
	ck_assert_ptr_null(strstr(html, "<b>bold"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(1)"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;img src=x onerror=alert(1)"
				     "&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "Org &amp; Co"));
	ck_assert_ptr_nonnull(strstr(html, "Content-Security-Policy"));
	free(html);
}
END_TEST

START_TEST(markdown_escapes_what_the_data_says)
{
	cycle("2026-05-01");
	char *md = render(up_report_md, 0);
	/* '>' needs no escape once '<' has one */
	ck_assert_ptr_nonnull(strstr(md, "\\<script>alert(1)\\</script> "
				     "\\| \\*x\\* \\`y\\` \\[z\\](j:1)"));
	ck_assert_ptr_nonnull(strstr(md, "Ward \\| two"));
	ck_assert_ptr_nonnull(strstr(md, "# A \\<b>bold\\</b> title"));
	free(md);
}
END_TEST

START_TEST(the_same_store_gives_the_same_bytes)
{
	cycle("2026-05-01");
	char *a = render(up_report_html, 0), *b = render(up_report_html, 0);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report");
	TCase *tm = tcase_create("marks");
	tcase_add_test(tm, marks_agree_with_the_engines_signals);
	tcase_add_test(tm, marks_show_the_latest_runs);
	tcase_add_test(tm, html_escapes_every_special_character);
	suite_add_tcase(s, tm);

	TCase *tr = tcase_create("report");
	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_add_test(tr, unit_series_come_from_the_store_and_match_the_cycle);
	tcase_add_test(tr, a_changed_definition_is_said_not_hidden);
	tcase_add_test(tr, changes_since_the_previous_cycle);
	tcase_add_test(tr, html_escapes_what_the_data_says);
	tcase_add_test(tr, markdown_escapes_what_the_data_says);
	tcase_add_test(tr, the_same_store_gives_the_same_bytes);
	suite_add_tcase(s, tr);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
