/*
 * period.c: the calendar periods a metric is judged over (days, ISO weeks,
 * months, quarters) and deadlines written as dates or offsets.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "metric.h"

#define PERIOD_SHAPE \
	"expected a period: YYYY-MM, YYYY-Qn, YYYY-Www or YYYY-MM-DD"
#define DEADLINE_SHAPE \
	"expected a deadline: YYYY-MM-DD or +N with y, m, w or d"
#define TOO_FAR "deadline offset over 100 years"

static const char *const kind_names[] = {"day", "week", "month", "quarter"};

/* The first day of month M of year Y, where M may run past December. */
static int32_t month_start(int y, int m)
{
	return up_days_from_civil(y + (m - 1) / 12, (m - 1) % 12 + 1, 1);
}

/* Monday is 0; 1970-01-01 (day 0) was a Thursday. */
static int weekday(int32_t day)
{
	return (int)((day % 7 + 10) % 7);
}

/* ISO week 1 is the week holding January 4th, hence the first Thursday. */
static int32_t iso_week1(int y)
{
	int32_t jan4 = up_days_from_civil(y, 1, 4);
	return jan4 - weekday(jan4);
}

static int iso_weeks_in(int y)
{
	return (int)((iso_week1(y + 1) - iso_week1(y)) / 7);
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Years print as four digits, clamped the way up_date_format does. */
static unsigned year4(int y)
{
	return y < 0 ? 0u : y > 9999 ? 9999u : (unsigned)y;
}

static int fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

static int parse_month(int y, const char *s, up_period *out,
		       const char **why)
{
	int m = digits(s, 2);
	if (m < 0)
		return fail(why, PERIOD_SHAPE);
	if (m < 1 || m > 12)
		return fail(why, "month out of range (01-12)");
	up_period_of(UP_PERIOD_MONTH, month_start(y, m), out);
	return 0;
}

static int parse_quarter(int y, const char *s, up_period *out,
			 const char **why)
{
	int q = digits(s, 1);
	if (q < 0)
		return fail(why, PERIOD_SHAPE);
	if (q < 1 || q > 4)
		return fail(why, "quarter out of range (1-4)");
	up_period_of(UP_PERIOD_QUARTER, month_start(y, 3 * q - 2), out);
	return 0;
}

static int parse_week(int y, const char *s, up_period *out, const char **why)
{
	int w = digits(s, 2);
	if (w < 0)
		return fail(why, PERIOD_SHAPE);
	if (w < 1 || w > 53)
		return fail(why, "week out of range (01-53)");
	/* The reason stays static, so it cannot name the year; callers show
	 * the text they were given next to it. */
	if (w > iso_weeks_in(y))
		return fail(why, "that year has no ISO week 53");
	out->kind = UP_PERIOD_WEEK;
	out->start = iso_week1(y) + 7 * (w - 1);
	out->end = out->start + 6;
	return 0;
}

static int parse_day(const char *s, up_period *out, const char **why)
{
	int32_t day;
	if (up_date_parse(s, &day, why) != UP_OK)
		return -1;
	up_period_of(UP_PERIOD_DAY, day, out);
	return 0;
}

int up_period_parse(const char *s, up_period *out, const char **why)
{
	const char *dummy;
	size_t len = strlen(s);
	int y = len >= 5 && s[4] == '-' ? digits(s, 4) : -1;
	if (!why)
		why = &dummy;
	if (y < 0)
		return fail(why, PERIOD_SHAPE);
	if (len == 10 && s[7] == '-')
		return parse_day(s, out, why);
	if (y < 1000)
		return fail(why, "year out of range (1000-9999)");
	if (len == 7 && s[5] == 'Q')
		return parse_quarter(y, s + 6, out, why);
	if (len == 7)
		return parse_month(y, s + 5, out, why);
	if (len == 8 && s[5] == 'W')
		return parse_week(y, s + 6, out, why);
	return fail(why, PERIOD_SHAPE);
}

/* A week is named by the year its Thursday falls in. */
static void format_week(int32_t day, char out[11])
{
	int32_t monday = day - weekday(day);
	int y, m, d;
	up_civil_from_days(monday + 3, &y, &m, &d);
	int w = (int)((monday - iso_week1(y)) / 7) + 1;
	snprintf(out, 11, "%04u-W%02u", year4(y), (unsigned)w % 100u);
}

void up_period_format(const up_period *p, char out[11])
{
	int y, m, d;
	up_civil_from_days(p->start, &y, &m, &d);
	switch (p->kind) {
	case UP_PERIOD_DAY:
		up_date_format(p->start, out);
		break;
	case UP_PERIOD_WEEK:
		format_week(p->start, out);
		break;
	case UP_PERIOD_MONTH:
		snprintf(out, 11, "%04u-%02u", year4(y), (unsigned)m % 100u);
		break;
	case UP_PERIOD_QUARTER:
		snprintf(out, 11, "%04u-Q%u", year4(y),
			 (unsigned)(m - 1) / 3u % 4u + 1u);
		break;
	}
}

void up_period_of(up_period_kind kind, int32_t day, up_period *out)
{
	int y, m, d, first;
	out->kind = kind;
	switch (kind) {
	case UP_PERIOD_DAY:
		out->start = out->end = day;
		return;
	case UP_PERIOD_WEEK:
		out->start = day - weekday(day);
		out->end = out->start + 6;
		return;
	case UP_PERIOD_MONTH:
		up_civil_from_days(day, &y, &m, &d);
		out->start = month_start(y, m);
		out->end = out->start + up_month_days(y, m) - 1;
		return;
	case UP_PERIOD_QUARTER:
		up_civil_from_days(day, &y, &m, &d);
		first = m - (m - 1) % 3;
		out->start = month_start(y, first);
		out->end = month_start(y, first + 3) - 1;
		return;
	}
}

void up_period_next(const up_period *p, up_period *out)
{
	up_period_of(p->kind, p->end + 1, out);
}

int up_period_kind_parse(const char *s)
{
	for (size_t i = 0; i < UP_COUNTOF(kind_names); i++)
		if (!strcmp(s, kind_names[i]))
			return (int)i;
	return -1;
}

const char *up_period_kind_name(up_period_kind kind)
{
	if ((size_t)kind >= UP_COUNTOF(kind_names))
		return "?";
	return kind_names[kind];
}

/* DAY plus N months, clamped to the end of the month it lands in. */
static int32_t add_months(int32_t day, int n)
{
	int y, m, d;
	up_civil_from_days(day, &y, &m, &d);
	int total = y * 12 + (m - 1) + n;
	int ny = total / 12, nm = total % 12 + 1;
	int nd = d < up_month_days(ny, nm) ? d : up_month_days(ny, nm);
	return up_days_from_civil(ny, nm, nd);
}

static int parse_offset(const char *s, int32_t from, int32_t *out,
			const char **why)
{
	size_t nd = strspn(s, "0123456789");
	if (nd == 0 || !s[nd] || !strchr("ymwd", s[nd]) || s[nd + 1])
		return fail(why, DEADLINE_SHAPE);
	/* Seven digits of days already pass 100 years; stop before int
	 * arithmetic could overflow. */
	if (nd > 6)
		return fail(why, TOO_FAR);
	int n = digits(s, (int)nd);
	if (n == 0)
		return fail(why, "deadline offset must be positive");
	int32_t to;
	switch (s[nd]) {
	case 'y': to = add_months(from, 12 * n); break;
	case 'm': to = add_months(from, n); break;
	case 'w': to = from + 7 * n; break;
	default: to = from + n; break;
	}
	if (to > add_months(from, 1200))
		return fail(why, TOO_FAR);
	if (to > up_days_from_civil(9999, 12, 31))
		return fail(why, "deadline after 9999-12-31");
	*out = to;
	return 0;
}

int up_deadline_parse(const char *s, int32_t from, int32_t *out,
		      const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	if (s[0] == '+')
		return parse_offset(s + 1, from, out, why);
	/* Only something shaped like a date earns date.c's finer reasons. */
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return fail(why, DEADLINE_SHAPE);
	return up_date_parse(s, out, why) == UP_OK ? 0 : -1;
}
