/* test_gate.c: gate aggregation, every decision path of
 * up_gate_decide as one row of a table. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"

#define T_DEFAULT UP_DEFAULT_THRESHOLD
#define M_DEFAULT UP_DEFAULT_MARGIN

/* A must-meet criterion with status ST and on_fail OF (NULL: the default). */
#define MUST(st, of) {1, 1.0, of, UP_RES_##st, 0}
/* A should-meet criterion of weight W. */
#define SHOULD(w, st) {0, w, NULL, UP_RES_##st, 0}
/* A should-meet criterion of weight W that returned score(N). */
#define SCORED(w, n) {0, w, NULL, UP_RES_SCORE, n}

enum { MAX_CRITERIA = 10 };

static const struct row {
	const char *name;
	up_criterion c[MAX_CRITERIA];
	size_t n;
	double threshold, margin;
	const char *decision;
	int has_score;
	double score;
} rows[] = {
	/* ---- must-meet criteria ---- */
	{"no criteria: no decision", {{0}}, 0, T_DEFAULT, M_DEFAULT, NULL, 0,
	 0},
	{"every criterion skipped: no decision",
	 {MUST(SKIP, "kill"), SHOULD(1, SKIP)}, 2, T_DEFAULT, M_DEFAULT, NULL,
	 0, 0},
	{"every must passes, no shoulds",
	 {MUST(PASS, "hold"), MUST(PASS, "recycle"), MUST(PASS, "kill")}, 3,
	 T_DEFAULT, M_DEFAULT, "go", 0, 0},
	{"a failed kill must kills",
	 {MUST(PASS, "hold"), MUST(FAIL, "kill")}, 2,
	 T_DEFAULT, M_DEFAULT, "kill", 0, 0},
	{"kill outranks a recycle listed before it",
	 {MUST(FAIL, "recycle"), MUST(FAIL, "kill")}, 2,
	 T_DEFAULT, M_DEFAULT, "kill", 0, 0},
	{"kill outranks a recycle and a hold listed after it",
	 {MUST(FAIL, "kill"), MUST(FAIL, "recycle"), MUST(FAIL, "hold")}, 3,
	 T_DEFAULT, M_DEFAULT, "kill", 0, 0},
	{"kill outranks a perfect should-meet score",
	 {MUST(FAIL, "kill"), SHOULD(1, PASS)}, 2,
	 T_DEFAULT, M_DEFAULT, "kill", 1, 1.0},
	{"a failed recycle must recycles",
	 {MUST(PASS, "kill"), MUST(FAIL, "recycle")}, 2,
	 T_DEFAULT, M_DEFAULT, "recycle", 0, 0},
	{"a failed hold must holds",
	 {MUST(FAIL, "hold"), MUST(PASS, "kill")}, 2,
	 T_DEFAULT, M_DEFAULT, "hold", 0, 0},
	{"on_fail left out means hold",
	 {MUST(FAIL, NULL)}, 1, T_DEFAULT, M_DEFAULT, "hold", 0, 0},
	{"recycle and hold together recycle",
	 {MUST(FAIL, "hold"), MUST(FAIL, "recycle")}, 2,
	 T_DEFAULT, M_DEFAULT, "recycle", 0, 0},
	{"a failed must holds despite perfect shoulds",
	 {MUST(FAIL, "hold"), SHOULD(2, PASS), SHOULD(1, PASS)}, 3,
	 T_DEFAULT, M_DEFAULT, "hold", 1, 1.0},
	{"an error in a must holds",
	 {MUST(PASS, "kill"), MUST(ERROR, "kill")}, 2,
	 T_DEFAULT, M_DEFAULT, "hold", 0, 0},
	{"an error in a must holds despite perfect shoulds",
	 {MUST(ERROR, "recycle"), SHOULD(1, PASS)}, 2,
	 T_DEFAULT, M_DEFAULT, "hold", 1, 1.0},
	{"an error in a must holds a failed recycle must",
	 {MUST(ERROR, "hold"), MUST(FAIL, "recycle")}, 2,
	 T_DEFAULT, M_DEFAULT, "hold", 0, 0},
	{"an error in a must holds a failed kill must: never kill unjudged",
	 {MUST(ERROR, "hold"), MUST(FAIL, "kill")}, 2,
	 T_DEFAULT, M_DEFAULT, "hold", 0, 0},
	{"score() in a must is an error: hold",
	 {{1, 1.0, "kill", UP_RES_SCORE, 10}}, 1,
	 T_DEFAULT, M_DEFAULT, "hold", 0, 0},
	{"a skipped must is ignored",
	 {MUST(SKIP, "kill"), MUST(PASS, "hold")}, 2,
	 T_DEFAULT, M_DEFAULT, "go", 0, 0},
	{"a warn in a must counts as a pass",
	 {MUST(WARN, "kill")}, 1, T_DEFAULT, M_DEFAULT, "go", 0, 0},
	{"a warn in a must does not lower the should score",
	 {MUST(WARN, "hold"), SHOULD(1, PASS)}, 2,
	 T_DEFAULT, M_DEFAULT, "go", 1, 1.0},

	/* ---- should-meet criteria ---- */
	{"every should passes",
	 {SHOULD(1, PASS), SHOULD(2, PASS)}, 2,
	 T_DEFAULT, M_DEFAULT, "go", 1, 1.0},
	{"score exactly at the threshold is go",
	 {SCORED(1, 6)}, 1, 0.6, 0.1, "go", 1, 0.6},
	{"score just below the threshold is conditional_go",
	 {SCORED(1, 5.9)}, 1, 0.6, 0.1, "conditional_go", 1, 0.59},
	{"score exactly at threshold minus margin is conditional_go",
	 {SCORED(1, 5)}, 1, 0.6, 0.1, "conditional_go", 1, 0.5},
	{"score below threshold minus margin recycles",
	 {SCORED(1, 4.9)}, 1, 0.6, 0.1, "recycle", 1, 0.49},
	{"a failed should earns nothing",
	 {SHOULD(1, FAIL)}, 1, T_DEFAULT, M_DEFAULT, "recycle", 1, 0},
	{"a warn in a should counts half",
	 {SHOULD(1, WARN)}, 1, 0.6, 0.1, "conditional_go", 1, 0.5},
	{"pass and warn average to 0.75",
	 {SHOULD(1, PASS), SHOULD(1, WARN)}, 2, 0.75, 0.1, "go", 1, 0.75},
	{"pass and warn fall short of 0.8",
	 {SHOULD(1, PASS), SHOULD(1, WARN)}, 2, 0.8, 0.1,
	 "conditional_go", 1, 0.75},
	{"weights honoured: the heavy one passes",
	 {SHOULD(3, PASS), SHOULD(1, FAIL)}, 2, 0.7, 0.1, "go", 1, 0.75},
	{"weights honoured: the heavy one fails",
	 {SHOULD(1, PASS), SHOULD(3, FAIL)}, 2, 0.7, 0.1, "recycle", 1, 0.25},
	{"weights honoured with scores",
	 {SCORED(3, 10), SCORED(1, 2)}, 2, 0.8, 0.1, "go", 1, 0.8},
	{"an error in a should holds, whatever its weight",
	 {SHOULD(5, PASS), SHOULD(0.1, ERROR)}, 2, 0.6, 0.1,
	 "hold", 1, 1.0},
	{"errors in shoulds hold, never recycle",
	 {SHOULD(1, ERROR), SHOULD(2, ERROR)}, 2, T_DEFAULT, M_DEFAULT,
	 "hold", 0, 0},
	{"an error in a should holds a failed kill must",
	 {SHOULD(1, ERROR), MUST(FAIL, "kill")}, 2, T_DEFAULT, M_DEFAULT,
	 "hold", 0, 0},
	{"a skipped should does not count its weight",
	 {SHOULD(1, PASS), SHOULD(5, SKIP)}, 2, T_DEFAULT, M_DEFAULT,
	 "go", 1, 1.0},
	{"a skipped should does not rescue a failed one",
	 {SHOULD(1, FAIL), SHOULD(5, SKIP)}, 2, T_DEFAULT, M_DEFAULT,
	 "recycle", 1, 0},
	{"every should skipped: no score, go",
	 {SHOULD(1, SKIP), SHOULD(2, SKIP), MUST(PASS, "hold")}, 3,
	 T_DEFAULT, M_DEFAULT, "go", 0, 0},
	{"a wider margin keeps 0.4 conditional",
	 {SCORED(1, 4)}, 1, 0.6, 0.2, "conditional_go", 1, 0.4},
	{"zero margin: just below the threshold recycles",
	 {SCORED(1, 5.9)}, 1, 0.6, 0.0, "recycle", 1, 0.59},

	/* ---- waivers: a waived criterion counts as met ---- */
	{"a waived kill must passes",
	 {MUST(WAIVED, "kill"), MUST(PASS, "hold")}, 2,
	 T_DEFAULT, M_DEFAULT, "go", 0, 0},
	{"a waived must does not rescue another failed one",
	 {MUST(WAIVED, "hold"), MUST(FAIL, "recycle")}, 2,
	 T_DEFAULT, M_DEFAULT, "recycle", 0, 0},
	{"a waived conditional_go must no longer caps the decision",
	 {MUST(WAIVED, "conditional_go"), SHOULD(1, PASS)}, 2,
	 T_DEFAULT, M_DEFAULT, "go", 1, 1.0},
	{"a waived should scores as a pass",
	 {SHOULD(1, WAIVED)}, 1, T_DEFAULT, M_DEFAULT, "go", 1, 1.0},
	{"a waived should keeps its weight",
	 {SHOULD(3, WAIVED), SHOULD(1, FAIL)}, 2, 0.7, 0.1, "go", 1, 0.75},
	{"a waived should lifts a recycle to conditional_go",
	 {SHOULD(1, WAIVED), SHOULD(1, FAIL)}, 2, 0.6, 0.1,
	 "conditional_go", 1, 0.5},
	{"a waived should beside a kill must still kills",
	 {SHOULD(1, WAIVED), MUST(FAIL, "kill")}, 2,
	 T_DEFAULT, M_DEFAULT, "kill", 1, 1.0},

	/* ---- floating point at the boundaries ---- */
	/* 3 x (0.1 * 0.3) / (0.1 + 0.1 + 0.1) is 0.29999999999999993. */
	{"three weights of 0.1 scoring 3 meet a 0.3 threshold",
	 {SCORED(0.1, 3), SCORED(0.1, 3), SCORED(0.1, 3)}, 3, 0.3, 0.1,
	 "go", 1, 0.3},
	/* 0.4 - 0.1 is 0.30000000000000004, above the computed score. */
	{"three weights of 0.1 scoring 3 sit at a 0.4-0.1 boundary",
	 {SCORED(0.1, 3), SCORED(0.1, 3), SCORED(0.1, 3)}, 3, 0.4, 0.1,
	 "conditional_go", 1, 0.3},
	/* 0.6999999999999997 computed for a nominal 0.7. */
	{"three weights of 0.1 scoring 7 meet a 0.7 threshold",
	 {SCORED(0.1, 7), SCORED(0.1, 7), SCORED(0.1, 7)}, 3, 0.7, 0.1,
	 "go", 1, 0.7},
	{"three passing weights of 0.1 against a 0.7 fail meet 0.3",
	 {SHOULD(0.1, PASS), SHOULD(0.1, PASS), SHOULD(0.1, PASS),
	  SHOULD(0.7, FAIL)}, 4, 0.3, 0.1, "go", 1, 0.3},
	{"the tolerance is tiny: 0.299 stays below 0.3",
	 {SCORED(1, 2.99)}, 1, 0.3, 0.1, "conditional_go", 1, 0.299},
};

START_TEST(decides_every_path)
{
	const struct row *r = &rows[_i];
	up_decision d = {"unset", -1, -1};
	up_gate_decide(r->c, r->n, r->threshold, r->margin, &d);
	ck_assert_msg(r->decision ? d.decision && !strcmp(d.decision,
		      r->decision) : !d.decision, "%s: decision %s, expected "
		      "%s", r->name, d.decision ? d.decision : "none",
		      r->decision ? r->decision : "none");
	ck_assert_msg(d.has_score == r->has_score, "%s: has_score %d, "
		      "expected %d", r->name, d.has_score, r->has_score);
	ck_assert_double_eq_tol(d.score, r->score, 1e-9);
}
END_TEST

/* The decision strings are static: a caller may keep them. */
START_TEST(decision_is_a_static_string)
{
	up_criterion c[] = {MUST(FAIL, "recycle")};
	up_decision a, b;
	up_gate_decide(c, 1, 0.6, 0.1, &a);
	up_gate_decide(NULL, 0, 0.6, 0.1, &b);
	ck_assert_str_eq(a.decision, "recycle");
	ck_assert_ptr_null(b.decision); /* nothing judged */
	ck_assert_int_eq(b.has_score, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gate");
	TCase *tc = tcase_create("decide");
	tcase_add_loop_test(tc, decides_every_path, 0,
			    (int)(sizeof rows / sizeof *rows));
	tcase_add_test(tc, decision_is_a_static_string);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
