/* date.c: calendar dates as day numbers (days since 1970-01-01). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* H. Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
int32_t up_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void up_civil_from_days(int32_t z, int *y, int *m, int *d)
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int up_month_days(int y, int m)
{
	static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : n[m - 1];
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

int up_date_parse(const char *s, int32_t *days, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
		*why = "expected a date as YYYY-MM-DD";
		return UP_EINPUT;
	}
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0) {
		*why = "expected a date as YYYY-MM-DD";
		return UP_EINPUT;
	}
	if (y < 1000) {
		*why = "year out of range (1000-9999)";
		return UP_EINPUT;
	}
	if (m < 1 || m > 12) {
		*why = "month out of range (01-12)";
		return UP_EINPUT;
	}
	if (d < 1 || d > up_month_days(y, m)) {
		*why = "no such day in that month";
		return UP_EINPUT;
	}
	if (days)
		*days = up_days_from_civil(y, m, d);
	return UP_OK;
}

int up_date_check(const char *s, const char **why)
{
	return s ? up_date_parse(s, NULL, why) : UP_EINPUT;
}

void up_date_format(int32_t days, char out[11])
{
	/* clamp to the days uptake can write, never to a date that is not
	 * (9999 with February's 29th, say) */
	static const int32_t first = -354285, last = 2932896; /* 1000-01-01,
							 * 9999-12-31 */
	if (days < first)
		days = first;
	if (days > last)
		days = last;
	int y, m, d;
	up_civil_from_days(days, &y, &m, &d);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u,
		 (unsigned)m % 100u, (unsigned)d % 100u);
}

int32_t up_date_today(void)
{
	return (int32_t)(time(NULL) / 86400);
}
