/* test_names.c: the "did you mean" hints: the optimal string alignment
 * distance (a swap of neighbours is one edit) and its limits. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"

static const char *const words[] = {"stages", "stage", "start", "units",
				    "cycle", "check", "people", "test",
				    "pack"};

static const struct {
	const char *typo, *want; /* want NULL: no hint */
} hints[] = {
	{"stgae", "stage"},   /* one swap */
	{"stgaes", "stages"}, /* one swap */
	{"cylce", "cycle"},   /* one swap: two edits without swaps */
	{"chekc", "check"},
	{"poeple", "people"},
	{"untis", "units"},
	{"stat", "start"},    /* a short name: one edit at most... */
	{"tset", "test"},     /* ...and a swap is one */
	{"apck", "pack"},
	{"sta", NULL},        /* two from stage and start: too far */
	{"xyz", NULL},
	{"peopel", "people"},
	{"elpoep", NULL},     /* a reversal is not a swap */
	{"cycle", NULL},      /* the name itself is never suggested... */
};

START_TEST(suggests_the_nearest)
{
	const char *got = up_did_you_mean(hints[_i].typo, words,
					  sizeof words / sizeof *words);
	if (hints[_i].want)
		ck_assert_msg(got && !strcmp(got, hints[_i].want),
			      "%s: got %s, want %s", hints[_i].typo,
			      got ? got : "nothing", hints[_i].want);
	else
		ck_assert_msg(!got, "%s: got %s, want nothing",
			      hints[_i].typo, got);
}
END_TEST

START_TEST(stgae_suggests_stages_without_stage)
{
	/* a swap and an insertion: two edits, within a long name's two */
	static const char *const keys[] = {"program", "start", "stages",
					   "units", "people"};
	const char *got = up_did_you_mean("stgae", keys, 5);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, "stages");
}
END_TEST

START_TEST(long_and_empty_names)
{
	static const char *const keys[] = {"", "a-very-long-name-that-is-far-"
		"longer-than-sixty-four-bytes-of-text-in-it-x"};
	ck_assert_ptr_null(up_did_you_mean("a-very-long-name-that-is-far-"
		"longer-than-sixty-four-bytes-of-text-in-it-y", keys, 2));
	ck_assert_ptr_null(up_did_you_mean("x", keys, 0));
}
END_TEST

START_TEST(ties_go_to_the_first)
{
	static const char *const keys[] = {"ward-a", "ward-b"};
	ck_assert_ptr_eq(up_did_you_mean("ward-c", keys, 2), keys[0]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("did_you_mean");
	tcase_add_loop_test(tc, suggests_the_nearest, 0,
			    (int)(sizeof hints / sizeof *hints));
	tcase_add_test(tc, stgae_suggests_stages_without_stage);
	tcase_add_test(tc, long_and_empty_names);
	tcase_add_test(tc, ties_go_to_the_first);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
