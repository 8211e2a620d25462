/* test_date.c: calendar dates, the base of every as-of filter. */
#include <stdlib.h>

#include <check.h>

#include "internal.h"

START_TEST(valid_dates_round_trip)
{
	static const char *const ok[] = {"1970-01-01", "2024-02-29",
					 "2000-02-29", "2026-12-31",
					 "9999-12-31", "1000-01-01"};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		int32_t d;
		char back[11];
		ck_assert_int_eq(up_date_parse(ok[i], &d, NULL), UP_OK);
		up_date_format(d, back);
		ck_assert_str_eq(back, ok[i]);
	}
}
END_TEST

START_TEST(invalid_dates_say_why)
{
	static const struct {
		const char *in, *why;
	} bad[] = {
		{"2026-02-30", "no such day in that month"},
		{"2026-02-29", "no such day in that month"},
		{"1900-02-29", "no such day in that month"},
		{"2026-04-31", "no such day in that month"},
		{"2026-13-01", "month out of range (01-12)"},
		{"2026-00-10", "month out of range (01-12)"},
		{"2026-01-00", "no such day in that month"},
		{"0999-01-01", "year out of range (1000-9999)"},
		{"2026-1-01", "expected a date as YYYY-MM-DD"},
		{"2026/01/01", "expected a date as YYYY-MM-DD"},
		{"2026-01-01x", "expected a date as YYYY-MM-DD"},
		{"", "expected a date as YYYY-MM-DD"},
		{"20a6-01-01", "expected a date as YYYY-MM-DD"},
		{"+026-01-01", "expected a date as YYYY-MM-DD"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *why = NULL;
		ck_assert_msg(up_date_parse(bad[i].in, NULL, &why) == UP_EINPUT,
			      "%s accepted", bad[i].in);
		ck_assert_str_eq(why, bad[i].why);
	}
}
END_TEST

START_TEST(day_numbers_are_consecutive)
{
	int32_t a, b;
	ck_assert_int_eq(up_date_parse("2024-02-28", &a, NULL), UP_OK);
	ck_assert_int_eq(up_date_parse("2024-03-01", &b, NULL), UP_OK);
	ck_assert_int_eq(b - a, 2);
	ck_assert_int_eq(up_date_parse("1970-01-01", &a, NULL), UP_OK);
	ck_assert_int_eq(a, 0);
	char out[11];
	up_date_format(a + 365 + 365 + 366, out); /* 1970, 1971, 1972 */
	ck_assert_str_eq(out, "1973-01-01");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("date");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, valid_dates_round_trip);
	tcase_add_test(tc, invalid_dates_say_why);
	tcase_add_test(tc, day_numbers_are_consecutive);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
