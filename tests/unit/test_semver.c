/* test_semver.c: semantic versions and npm-style ranges, most of it as
 * tables of one case a row. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "pack.h"

/* ---- versions ---- */

/* Valid versions and how they format back: without their build. */
static const struct {
	const char *in, *out;
} valid[] = {
	{"0.0.0", "0.0.0"},
	{"1.2.3", "1.2.3"},
	{"10.20.30", "10.20.30"},
	{"1.1.2-prerelease+meta", "1.1.2-prerelease"},
	{"1.1.2+meta", "1.1.2"},
	{"1.1.2+meta-valid", "1.1.2"},
	{"1.0.0-alpha", "1.0.0-alpha"},
	{"1.0.0-alpha.beta.1", "1.0.0-alpha.beta.1"},
	{"1.0.0-alpha0.valid", "1.0.0-alpha0.valid"},
	{"1.0.0-alpha.0valid", "1.0.0-alpha.0valid"},
	{"1.0.0-0A.is.legal", "1.0.0-0A.is.legal"},
	{"1.0.0-0", "1.0.0-0"},
	{"1.0.0--", "1.0.0--"},
	{"1.0.0-rc.1+build.1", "1.0.0-rc.1"},
	{"10.2.3-DEV-SNAPSHOT", "10.2.3-DEV-SNAPSHOT"},
	{"1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
	 "1.2.3----RC-SNAPSHOT.12.9.1--.12"},
	{"1.0.0+0.build.1-rc.10000aaa-kk-0.1", "1.0.0"},
	{"1.0.0+01", "1.0.0"}, /* leading zeros are fine in a build */
	{"1.0.0-a.00a.0", "1.0.0-a.00a.0"}, /* 00a is not numeric */
	{"9007199254740991.9007199254740991.9007199254740991",
	 "9007199254740991.9007199254740991.9007199254740991"},
	/* a prerelease of exactly 63 bytes */
	{"1.0.0-abcdefghi.abcdefghi.abcdefghi."
	 "abcdefghi.abcdefghi.abcdefghi.abc",
	 "1.0.0-abcdefghi.abcdefghi.abcdefghi."
	 "abcdefghi.abcdefghi.abcdefghi.abc"},
};

START_TEST(valid_versions_format_back)
{
	up_semver v;
	char out[128];
	const char *why = NULL;
	ck_assert_msg(up_semver_parse(valid[_i].in, &v, &why) == 0,
		      "%s rejected: %s", valid[_i].in, why ? why : "?");
	up_semver_format(&v, out, sizeof out);
	ck_assert_str_eq(out, valid[_i].out);
}
END_TEST

static const struct {
	const char *in, *why;
} invalid[] = {
	{"", "expected MAJOR.MINOR.PATCH"},
	{"1", "expected MAJOR.MINOR.PATCH"},
	{"1.2", "expected MAJOR.MINOR.PATCH"},
	{"1.2.", "expected MAJOR.MINOR.PATCH"},
	{"1..3", "expected MAJOR.MINOR.PATCH"},
	{"1.2.3.4", "expected MAJOR.MINOR.PATCH"},
	{"1.2.x", "expected MAJOR.MINOR.PATCH"},
	{"-1.2.3", "expected MAJOR.MINOR.PATCH"},
	{"1.-2.3", "expected MAJOR.MINOR.PATCH"},
	{" 1.2.3", "expected MAJOR.MINOR.PATCH"},
	{"1.2.3 ", "expected MAJOR.MINOR.PATCH"},
	{"1.2.3\n", "expected MAJOR.MINOR.PATCH"},
	{"=1.2.3", "expected MAJOR.MINOR.PATCH"},
	{"v1.2.3", "leading 'v' not allowed"},
	{"V1.2.3", "leading 'v' not allowed"},
	{"01.2.3", "leading zero in 'MAJOR'"},
	{"1.02.3", "leading zero in 'MINOR'"},
	{"1.2.03", "leading zero in 'PATCH'"},
	{"00.0.0", "leading zero in 'MAJOR'"},
	{"9007199254740992.0.0", "'MAJOR' too large"},
	{"0.9007199254740992.0", "'MINOR' too large"},
	{"0.0.99999999999999999999", "'PATCH' too large"},
	{"1.2.3-", "empty prerelease identifier"},
	{"1.2.3-alpha..1", "empty prerelease identifier"},
	{"1.2.3-alpha.", "empty prerelease identifier"},
	{"1.2.3-.alpha", "empty prerelease identifier"},
	{"1.2.3-+build", "empty prerelease identifier"},
	{"1.2.3-01", "leading zero in prerelease identifier"},
	{"1.2.3-alpha.00", "leading zero in prerelease identifier"},
	{"1.2.3-al_pha", "invalid character in prerelease"},
	{"1.2.3-a b", "invalid character in prerelease"},
	{"1.2.3-\xc3\xa9", "invalid character in prerelease"},
	{"1.2.3+", "empty build identifier"},
	{"1.2.3+a..b", "empty build identifier"},
	{"1.2.3+b_1", "invalid character in build metadata"},
	{"1.2.3+a+b", "invalid character in build metadata"},
	{"1.0.0-abcdefghi.abcdefghi.abcdefghi."
	 "abcdefghi.abcdefghi.abcdefghi.abcd",
	 "prerelease longer than 63 bytes"},
};

START_TEST(invalid_versions_say_why)
{
	up_semver v;
	const char *why = NULL;
	ck_assert_msg(up_semver_parse(invalid[_i].in, &v, &why) == -1,
		      "'%s' accepted", invalid[_i].in);
	ck_assert_msg(why && !strcmp(why, invalid[_i].why),
		      "'%s': why '%s', expected '%s'", invalid[_i].in,
		      why ? why : "(null)", invalid[_i].why);
}
END_TEST

START_TEST(parse_fills_every_field)
{
	up_semver v;
	ck_assert_int_eq(up_semver_parse("10.20.30-rc.1+b.7", &v, NULL), 0);
	ck_assert(v.major == 10 && v.minor == 20 && v.patch == 30);
	ck_assert_str_eq(v.pre, "rc.1");
	ck_assert_int_eq(up_semver_parse("4.5.6", &v, NULL), 0);
	ck_assert(v.major == 4 && v.minor == 5 && v.patch == 6);
	ck_assert_str_eq(v.pre, "");
	ck_assert_int_eq(up_semver_parse("1.2", NULL, NULL), -1);
	ck_assert_int_eq(up_semver_parse("1.2.3", NULL, NULL), 0);
}
END_TEST

START_TEST(format_stays_in_its_buffer)
{
	up_semver v = {1, 2, 3, "rc.1"};
	char out[16];
	memset(out, '#', sizeof out);
	up_semver_format(&v, out, 6);
	ck_assert_str_eq(out, "1.2.3");
	ck_assert_int_eq(out[6], '#');
	up_semver_format(&v, out, sizeof out);
	ck_assert_str_eq(out, "1.2.3-rc.1");
}
END_TEST

/* ---- precedence ---- */

START_TEST(semver_org_chain_is_ordered)
{
	static const char *const chain[] = {
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
		"1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
		"1.0.0-rc.1",  "1.0.0",
	};
	up_semver v[UP_COUNTOF(chain)];
	for (size_t i = 0; i < UP_COUNTOF(chain); i++)
		ck_assert_int_eq(up_semver_parse(chain[i], &v[i], NULL), 0);
	for (size_t i = 0; i < UP_COUNTOF(chain); i++) {
		for (size_t j = 0; j < UP_COUNTOF(chain); j++) {
			int c = up_semver_cmp(&v[i], &v[j]);
			int want = (i > j) - (i < j);
			ck_assert_msg((c > 0) - (c < 0) == want,
				      "%s vs %s: %d", chain[i], chain[j], c);
		}
	}
}
END_TEST

/* A against B: -1, 0 or 1; B against A must say the opposite. */
static const struct {
	const char *a, *b;
	int want;
} order[] = {
	{"1.0.0", "2.0.0", -1},
	{"2.0.0", "2.1.0", -1},
	{"2.1.0", "2.1.1", -1},
	{"1.9.0", "1.10.0", -1}, /* numbers, not text */
	{"1.0.10", "1.0.9", 1},
	{"1.0.0-2", "1.0.0-10", -1},
	{"1.0.0-10", "1.0.0-a", -1}, /* numeric below alphanumeric */
	{"1.0.0-Z", "1.0.0-a", -1},  /* ASCII */
	{"1.0.0-alpha", "1.0.0-alpha-1", -1},
	{"1.0.0-a.b", "1.0.0-a-b", -1},
	{"1.0.0-a1", "1.0.0-a10", -1},
	{"1.0.0-a9", "1.0.0-a10", 1}, /* alphanumeric: by ASCII */
	{"1.0.0-999999999999999999999", "1.0.0-9999999999999999999999", -1},
	{"0.0.0-0", "0.0.0-0.0", -1},
	{"1.0.0-rc.1", "0.9.9", 1},
	{"9007199254740990.9.9", "9007199254740991.0.0", -1},
	{"1.0.0+build", "1.0.0", 0},
	{"1.0.0+a", "1.0.0+b", 0},
	{"1.0.0-rc.1+x", "1.0.0-rc.1", 0},
	{"1.2.3-beta", "1.2.3-beta", 0},
};

START_TEST(precedence_pairs)
{
	up_semver a, b;
	ck_assert_int_eq(up_semver_parse(order[_i].a, &a, NULL), 0);
	ck_assert_int_eq(up_semver_parse(order[_i].b, &b, NULL), 0);
	int ab = up_semver_cmp(&a, &b), ba = up_semver_cmp(&b, &a);
	ck_assert_msg((ab > 0) - (ab < 0) == order[_i].want,
		      "%s vs %s: %d, expected %d", order[_i].a, order[_i].b,
		      ab, order[_i].want);
	ck_assert_msg((ba > 0) - (ba < 0) == -order[_i].want,
		      "%s vs %s: %d, expected %d", order[_i].b, order[_i].a,
		      ba, -order[_i].want);
}
END_TEST

/* ---- ranges ---- */

/* Whether VERSION satisfies RANGE, as npm's node-semver 7 answers. */
static const struct {
	const char *range, *version;
	int want;
} sat[] = {
	/* anything, but never a prerelease */
	{"*", "1.2.3", 1},
	{"*", "0.0.0", 1},
	{"x", "3.0.0", 1},
	{"X", "0.1.0", 1},
	{"", "1.0.0", 1},
	{"  ", "1.0.0", 1},
	{"*", "1.0.0-rc.1", 0},
	{"", "1.0.0-rc.1", 0},
	{"=*", "5.0.0", 1},
	{">=*", "0.0.0", 1},
	{"<=*", "7.0.0", 1},
	{">*", "0.0.0", 0},
	{">*", "1.0.0", 0},
	{"<*", "0.0.0", 0},
	{"<*", "9.0.0", 0},

	/* exact */
	{"1.2.3", "1.2.3", 1},
	{"1.2.3", "1.2.4", 0},
	{"1.2.3", "1.2.2", 0},
	{"=1.2.3", "1.2.3", 1},
	{"=1.2.3", "1.2.2", 0},
	{"= 1.2.3", "1.2.3", 1},
	{"1.2.3", "1.2.3-rc.1", 0},
	{"1.2.3-rc.1", "1.2.3-rc.1", 1},
	{"1.2.3-rc.1", "1.2.3-rc.2", 0},
	{"1.2.3-rc.1", "1.2.3", 0},
	{"1.2.3+build.5", "1.2.3", 1},
	{"1.2.3", "1.2.3+other", 1},

	/* partial versions and x-ranges */
	{"1", "1.0.0", 1},
	{"1", "1.99.99", 1},
	{"1", "2.0.0", 0},
	{"1", "0.9.9", 0},
	{"1.2", "1.2.0", 1},
	{"1.2", "1.2.99", 1},
	{"1.2", "1.3.0", 0},
	{"1.2", "1.1.9", 0},
	{"1.x", "1.5.0", 1},
	{"1.x", "2.0.0", 0},
	{"1.x", "0.9.0", 0},
	{"1.X", "1.0.0", 1},
	{"1.*", "1.4.0", 1},
	{"1.2.*", "1.2.7", 1},
	{"1.2.*", "1.3.0", 0},
	{"1.2.x", "1.2.0", 1},
	{"1.x.x", "1.9.9", 1},
	{"1.*.*", "2.0.0", 0},
	{"0.x", "0.9.0", 1},
	{"0.x", "1.0.0", 0},
	{"=1.2", "1.2.5", 1},
	{"=1.x", "2.0.0", 0},
	{"1.x", "1.5.0-beta", 0},
	{"1.2", "1.2.1-rc", 0},
	{"1", "2.0.0-0", 0},

	/* comparators with full versions */
	{">1.2.3", "1.2.4", 1},
	{">1.2.3", "1.2.3", 0},
	{">=1.2.3", "1.2.3", 1},
	{">=1.2.3", "1.2.2", 0},
	{"<1.2.3", "1.2.2", 1},
	{"<1.2.3", "1.2.3", 0},
	{"<=1.2.3", "1.2.3", 1},
	{"<=1.2.3", "1.2.4", 0},
	{">=1.2.3", "9007199254740991.0.0", 1},
	{"<1.2.3", "1.2.3-beta", 0},
	{"<2.0.0", "2.0.0-alpha", 0},
	{">1.2.3-alpha", "1.2.3-beta", 1},
	{">1.2.3-alpha", "1.2.3", 1},
	{">1.2.3-alpha", "1.2.3-alpha", 0},
	{">1.2.3-alpha", "1.2.4-beta", 0},
	{">=1.2.3-alpha", "1.2.3-alpha", 1},
	{"<1.2.3-beta", "1.2.3-alpha", 1},
	{"<1.2.3-beta", "1.2.3-beta", 0},
	{"<1.2.3-beta", "1.2.2", 1},
	{"<=1.2.3-beta", "1.2.3-beta", 1},
	{"<=1.2.3-beta.2", "1.2.3-beta.11", 0},

	/* comparators with partial versions, desugared as npm does */
	{">1.2", "1.3.0", 1},
	{">1.2", "1.2.9", 0},
	{">1", "2.0.0", 1},
	{">1", "1.9.9", 0},
	{">1.x", "2.0.0", 1},
	{">1.x", "1.9.0", 0},
	{">=1.2", "1.2.0", 1},
	{">=1.2", "1.1.9", 0},
	{">=1", "1.0.0", 1},
	{">=1", "0.9.9", 0},
	{"<1.2", "1.1.99", 1},
	{"<1.2", "1.2.0", 0},
	{"<1.2", "1.2.0-rc.1", 0},
	{"<1", "0.99.0", 1},
	{"<1", "1.0.0", 0},
	{"<=1.2", "1.2.99", 1},
	{"<=1.2", "1.3.0", 0},
	{"<=1.2", "1.2.5-rc.1", 0},
	{"<=1", "1.99.0", 1},
	{"<=1", "2.0.0", 0},
	{"<=1.2.x", "1.2.9", 1},
	{"<=1.2.x", "1.3.0", 0},
	{"=1.2.x", "1.2.9", 1},

	/* space between an operator and its version */
	{">= 1.2", "1.2.0", 1},
	{">= 1.2", "1.1.0", 0},
	{"<\t1.2", "1.1.0", 1},
	{"~ 1.2", "1.2.5", 1},
	{"^ 1.2", "1.9.0", 1},
	{"> 1.2.3 < 1.3", "1.2.5", 1},
	{"> 1.2.3 < 1.3", "1.3.0", 0},

	/* caret */
	{"^1.2.3", "1.2.3", 1},
	{"^1.2.3", "1.9.9", 1},
	{"^1.2.3", "2.0.0", 0},
	{"^1.2.3", "1.2.2", 0},
	{"^1.2.3", "2.0.0-alpha", 0},
	{"^1.2.3", "1.3.0-beta", 0},
	{"^1.2.3-beta.2", "1.2.3-beta.4", 1},
	{"^1.2.3-beta.2", "1.2.3-beta.1", 0},
	{"^1.2.3-beta.2", "1.2.4-beta.4", 0},
	{"^1.2.3-beta.2", "1.2.3", 1},
	{"^1.2.3-beta.2", "1.9.0", 1},
	{"^0.2.3", "0.2.3", 1},
	{"^0.2.3", "0.2.9", 1},
	{"^0.2.3", "0.3.0", 0},
	{"^0.2.3", "0.2.2", 0},
	{"^0.0.3", "0.0.3", 1},
	{"^0.0.3", "0.0.4", 0},
	{"^0.0.3", "0.0.2", 0},
	{"^0.0.0", "0.0.0", 1},
	{"^0.0.0", "0.0.1", 0},
	{"^0.0.3-beta", "0.0.3-pr.2", 1},
	{"^0.0.3-beta", "0.0.3", 1},
	{"^0.0.3-beta", "0.0.4", 0},
	{"^1.2", "1.2.0", 1},
	{"^1.2", "1.9.0", 1},
	{"^1.2", "2.0.0", 0},
	{"^1.2", "1.1.9", 0},
	{"^0.2", "0.2.9", 1},
	{"^0.2", "0.3.0", 0},
	{"^0.0", "0.0.9", 1},
	{"^0.0", "0.1.0", 0},
	{"^0.x", "0.9.9", 1},
	{"^0.x", "1.0.0", 0},
	{"^0", "0.5.0", 1},
	{"^0", "1.0.0", 0},
	{"^1", "1.9.9", 1},
	{"^1", "2.0.0", 0},
	{"^1", "0.9.9", 0},
	{"^1.x", "1.0.0", 1},
	{"^1.2.x", "1.9.0", 1},
	{"^1.2.x", "1.1.0", 0},
	{"^0.0.x", "0.0.5", 1},
	{"^0.0.x", "0.1.0", 0},
	{"^0.1.x", "0.1.9", 1},
	{"^0.1.x", "0.2.0", 0},
	{"^*", "0.0.0", 1},
	{"^*", "99.0.0", 1},
	{"^1.2.3+build", "1.5.0", 1},

	/* tilde */
	{"~1.2.3", "1.2.3", 1},
	{"~1.2.3", "1.2.9", 1},
	{"~1.2.3", "1.3.0", 0},
	{"~1.2.3", "1.2.2", 0},
	{"~1.2.3", "1.3.0-0", 0},
	{"~1.2", "1.2.0", 1},
	{"~1.2", "1.3.0", 0},
	{"~1", "1.0.0", 1},
	{"~1", "1.9.9", 1},
	{"~1", "2.0.0", 0},
	{"~0.2.3", "0.2.9", 1},
	{"~0.2.3", "0.3.0", 0},
	{"~0.0.3", "0.0.9", 1},
	{"~0.0.3", "0.1.0", 0},
	{"~0", "0.9.0", 1},
	{"~0", "1.0.0", 0},
	{"~1.x", "1.5.0", 1},
	{"~*", "1.0.0", 1},
	{"~>1.2", "1.2.5", 1},
	{"~>1.2", "1.3.0", 0},
	{"~1.2.3-beta.2", "1.2.3-beta.3", 1},
	{"~1.2.3-beta.2", "1.2.3-beta.1", 0},
	{"~1.2.3-beta.2", "1.2.4-beta.3", 0},
	{"~1.2.3-beta.2", "1.2.9", 1},

	/* hyphen ranges */
	{"1.2.3 - 2.3.4", "1.2.3", 1},
	{"1.2.3 - 2.3.4", "2.3.4", 1},
	{"1.2.3 - 2.3.4", "2.3.5", 0},
	{"1.2.3 - 2.3.4", "1.2.2", 0},
	{"1.2.3 - 2.3.4", "2.3.4-rc", 0},
	{"1.2 - 2.3.4", "1.2.0", 1},
	{"1.2 - 2.3.4", "1.1.9", 0},
	{"1.2.3 - 2.3", "2.3.9", 1},
	{"1.2.3 - 2.3", "2.4.0", 0},
	{"1.2.3 - 2", "2.9.9", 1},
	{"1.2.3 - 2", "3.0.0", 0},
	{"1 - 2", "1.0.0", 1},
	{"1 - 2", "0.9.9", 0},
	{"1.x - 2.x", "2.5.0", 1},
	{"* - 2", "0.0.0", 1},
	{"* - 2", "3.0.0", 0},
	{"1 - *", "99.0.0", 1},
	{"1 - *", "0.9.0", 0},
	{"1.2.3-beta - 2.0.0-rc.1", "1.2.3-beta", 1},
	{"1.2.3-beta - 2.0.0-rc.1", "1.2.3-alpha", 0},
	{"1.2.3-beta - 2.0.0-rc.1", "2.0.0-rc.1", 1},
	{"1.2.3-beta - 2.0.0-rc.1", "2.0.0-rc.2", 0},
	{"1.2.3-beta - 2.0.0-rc.1", "1.5.0-beta", 0},
	{"1.2.3-beta - 2.0.0-rc.1", "1.5.0", 1},
	{"1.2.3+b - 2", "2.0.0", 1},
	{"  1.2.3   -\t2.3.4  ", "2.0.0", 1},

	/* alternatives */
	{"1.2.3 || 2.x", "2.5.0", 1},
	{"1.2.3 || 2.x", "1.2.3", 1},
	{"1.2.3 || 2.x", "1.2.4", 0},
	{"1.2.3||2.x", "2.0.0", 1},
	{"1\n||\n2", "2.0.0", 1},
	{"<1.0.0 || >=2.0.0", "1.5.0", 0},
	{"<1.0.0 || >=2.0.0", "0.5.0", 1},
	{"<1.0.0 || >=2.0.0", "3.0.0", 1},
	{"^1.2 || ^2.1 || ~3.4", "3.4.9", 1},
	{"^1.2 || ^2.1 || ~3.4", "3.5.0", 0},
	{"^1.2 || ^2.1 || ~3.4", "2.0.9", 0},
	{"1.2.3 - 2.3.4 || 5", "5.1.0", 1},
	{"1.2.3 - 2.3.4 || 5", "4.0.0", 0},
	{">*||1", "1.0.0", 1},

	/* comparator sets */
	{">=1.2.3 <2.0.0", "1.5.0", 1},
	{">=1.2.3 <2.0.0", "2.0.0", 0},
	{">=1.2.3 <2.0.0", "1.2.2", 0},
	{">1.0.0 <1.0.0", "1.0.0", 0},
	{">=1.0.0 <=1.0.0", "1.0.0", 1},
	{"1.x >=1.5", "1.6.0", 1},
	{"1.x >=1.5", "1.4.0", 0},
	{"^1 ~1.4", "1.4.7", 1},
	{"^1 ~1.4", "1.5.0", 0},
	{">=1.0.0\t<2.0.0", "1.5.0", 1},
	{"  >=1.0.0   <2.0.0  ", "1.0.0", 1},
	{"* >1", "1.5.0", 0},

	/* prereleases: only where a comparator of the set names one of
	 * the same release */
	{">=1.0.0-alpha <2.0.0", "1.0.0-beta", 1},
	{">=1.0.0-alpha <2.0.0", "1.5.0-beta", 0},
	{">=1.0.0 <2.0.0-beta", "2.0.0-alpha", 1},
	{">=1.0.0 <2.0.0-beta", "1.5.0-alpha", 0},
	{"<2.0.0-beta", "2.0.0-alpha", 1},
	{">1.0.0-alpha.1 <1.0.0-beta", "1.0.0-alpha.beta", 1},
	{">=0.0.0-0", "0.0.0-alpha", 1},
	{">=0.0.0-0", "1.0.0-alpha", 0},
	{"^1.0.0", "1.5.0-rc", 0},
	{"^1.0.0 || 1.5.0-rc", "1.5.0-rc", 1},
	{"1.x || >=1.5.0-beta", "1.5.0-rc", 1},
	{"1.2.3-rc.1 || 2.0.0", "1.2.3-rc.2", 0},
	{">=1.2.3-rc.1 || 2.0.0", "1.2.3-rc.2", 1},
	{">1.2.3-rc.1 >=1.0.0", "1.2.3-rc.2", 1},
	{"~1.2.3-rc.1 >=1.2.4", "1.2.3-rc.2", 0},
	/* an upper bound from a caret, tilde or x keeps out prereleases of
	 * the release past it, even where the set names one */
	{"^1.2.3 >=2.0.0-alpha", "2.0.0-beta", 0},
	{"~1.2.3 >=1.3.0-0", "1.3.0-1", 0},
	{"1.x >=2.0.0-rc.1", "2.0.0-rc.2", 0},
	{"<1.2 >=1.2.0-alpha", "1.2.0-beta", 0},
	{"<=1.2 >=1.3.0-alpha", "1.3.0-beta", 0},
	{"<2.0.0 >=2.0.0-alpha", "2.0.0-beta", 1},
};

START_TEST(satisfies_as_npm_does)
{
	up_semver v;
	const char *why = NULL;
	ck_assert_int_eq(up_semver_parse(sat[_i].version, &v, NULL), 0);
	ck_assert_msg(up_semver_range_check(sat[_i].range, &why) == 0,
		      "'%s' rejected: %s", sat[_i].range, why ? why : "?");
	int got = up_semver_satisfies(&v, sat[_i].range);
	ck_assert_msg(got == sat[_i].want, "'%s' satisfies '%s': %d, "
		      "expected %d", sat[_i].version, sat[_i].range, got,
		      sat[_i].want);
}
END_TEST

static const struct {
	const char *range, *why;
} bad_range[] = {
	{"=>1.2.3", "unknown operator '=>'"},
	{"==1.2", "unknown operator '=='"},
	{"<>1", "unknown operator '<>'"},
	{"=<1", "unknown operator '=<'"},
	{"^=1.2", "unknown operator '^='"},
	{"~>=1", "unknown operator '~>='"},
	{">= <2", "bad version '<2' in range"},
	{"1.2.3.4", "bad version '1.2.3.4' in range"},
	{"v1.2.3", "bad version 'v1.2.3' in range"},
	{"=v1.2.3", "bad version 'v1.2.3' in range"},
	{"01.2", "bad version '01.2' in range"},
	{"1.02", "bad version '1.02' in range"},
	{"1.2.3-01", "bad version '1.2.3-01' in range"},
	{"1.2-beta", "bad version '1.2-beta' in range"},
	{"1.2.x-beta", "bad version '1.2.x-beta' in range"},
	{"1.x.3", "bad version '1.x.3' in range"},
	{"x.2.3", "bad version 'x.2.3' in range"},
	{"1.", "bad version '1.' in range"},
	{"1..2", "bad version '1..2' in range"},
	{"xx", "bad version 'xx' in range"},
	{"a", "bad version 'a' in range"},
	{"1.2.3<2", "bad version '1.2.3<2' in range"},
	{"!1.2.3", "bad version '!1.2.3' in range"},
	{"^1.2.3-", "bad version '1.2.3-' in range"},
	{"~1.2.3+", "bad version '1.2.3+' in range"},
	{"9007199254740992", "bad version '9007199254740992' in range"},
	{">=1 <2 3.", "bad version '3.' in range"},
	{"1.2.3 - 2.3.4.5", "bad version '2.3.4.5' in range"},
	{"1.2.3 -2", "bad version '-2' in range"},
	{"1 - 2 - 3", "misplaced '-' in range"},
	{">1 - 2", "misplaced '-' in range"},
	{"1 - ^2", "misplaced '-' in range"},
	{"1 -", "misplaced '-' in range"},
	{"- 1", "misplaced '-' in range"},
	{"1 - 2 >3", "misplaced '-' in range"},
	{">=", "operator '>=' without a version"},
	{"^", "operator '^' without a version"},
	{"1 <", "operator '<' without a version"},
	{"~ || 1", "operator '~' without a version"},
	{"1 || || 2", "empty alternative in range"},
	{"1 ||", "empty alternative in range"},
	{"|| 1", "empty alternative in range"},
	{"||", "empty alternative in range"},
	{"1 ||  \t || 2", "empty alternative in range"},
	{"1 | 2", "lone '|' in range"},
	{"1 ||| 2", "lone '|' in range"},
	{"1|", "lone '|' in range"},
	/* the reason quotes at most 40 bytes of a version */
	{"1.2.3-"
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	 "bad version '1.2.3-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' in range"},
};

START_TEST(malformed_ranges_say_why)
{
	up_semver v = {1, 0, 0, ""};
	const char *why = NULL;
	ck_assert_msg(up_semver_range_check(bad_range[_i].range, &why) == -1,
		      "'%s' accepted", bad_range[_i].range);
	ck_assert_msg(why && !strcmp(why, bad_range[_i].why),
		      "'%s': why '%s', expected '%s'", bad_range[_i].range,
		      why ? why : "(null)", bad_range[_i].why);
	ck_assert_int_eq(up_semver_satisfies(&v, bad_range[_i].range), -1);
}
END_TEST

/* A match in one alternative does not hide an error in another. */
START_TEST(malformed_anywhere_is_malformed)
{
	up_semver v = {1, 0, 0, ""};
	ck_assert_int_eq(up_semver_satisfies(&v, "1.0.0"), 1);
	ck_assert_int_eq(up_semver_satisfies(&v, "1.0.0 || =>2"), -1);
	ck_assert_int_eq(up_semver_satisfies(&v, "=>2 || 1.0.0"), -1);
	ck_assert_int_eq(up_semver_satisfies(&v, "1.0.0 ||"), -1);
	ck_assert_int_eq(up_semver_satisfies(&v, NULL), -1);
	ck_assert_int_eq(up_semver_range_check(NULL, NULL), -1);
	ck_assert_int_eq(up_semver_range_check("=>2", NULL), -1);
}
END_TEST

START_TEST(ranges_stop_at_256_bytes)
{
	char r[300];
	up_semver v = {1, 5, 0, ""};
	const char *why = NULL;
	/* ">=1.0.0" and spaces, 256 bytes in all, then one more */
	memset(r, ' ', sizeof r);
	memcpy(r, ">=1.0.0", 7);
	r[256] = '\0';
	ck_assert_int_eq(up_semver_range_check(r, &why), 0);
	ck_assert_int_eq(up_semver_satisfies(&v, r), 1);
	r[256] = ' ';
	r[257] = '\0';
	ck_assert_int_eq(up_semver_range_check(r, &why), -1);
	ck_assert_str_eq(why, "range longer than 256 bytes");
	ck_assert_int_eq(up_semver_satisfies(&v, r), -1);
}
END_TEST

/* The most terms 256 bytes hold: 128 of them, each one byte. */
START_TEST(ranges_of_many_terms)
{
	char r[257];
	up_semver v = {1, 0, 0, ""};
	for (int i = 0; i < 256; i += 2) {
		r[i] = '1';
		r[i + 1] = ' ';
	}
	r[255] = '\0';
	ck_assert_int_eq(up_semver_range_check(r, NULL), 0);
	ck_assert_int_eq(up_semver_satisfies(&v, r), 1);
	r[254] = '2'; /* the last term alone fails */
	ck_assert_int_eq(up_semver_satisfies(&v, r), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("semver");
	TCase *tc = tcase_create("version");
	tcase_add_loop_test(tc, valid_versions_format_back, 0,
			    (int)UP_COUNTOF(valid));
	tcase_add_loop_test(tc, invalid_versions_say_why, 0,
			    (int)UP_COUNTOF(invalid));
	tcase_add_test(tc, parse_fills_every_field);
	tcase_add_test(tc, format_stays_in_its_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("precedence");
	tcase_add_test(tc, semver_org_chain_is_ordered);
	tcase_add_loop_test(tc, precedence_pairs, 0, (int)UP_COUNTOF(order));
	suite_add_tcase(s, tc);

	tc = tcase_create("range");
	tcase_add_loop_test(tc, satisfies_as_npm_does, 0,
			    (int)UP_COUNTOF(sat));
	tcase_add_loop_test(tc, malformed_ranges_say_why, 0,
			    (int)UP_COUNTOF(bad_range));
	tcase_add_test(tc, malformed_anywhere_is_malformed);
	tcase_add_test(tc, ranges_stop_at_256_bytes);
	tcase_add_test(tc, ranges_of_many_terms);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
