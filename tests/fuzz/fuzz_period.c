/*
 * fuzz_period.c: periods ("2026-03", "2026-Q1", "2026-W07", "2026-03-15"),
 * period kinds ("month") and deadlines, a date or a duration from a day
 * ("+2y", "+18m", "+6w", "+90d").  The input is "FROM\nTEXT": FROM, when
 * it is a date, is the day a duration counts from (else 2026-01-01); a
 * file without a newline is all TEXT.
 *
 * What must hold: a refusal says why; an accepted period spans what its
 * kind spans, prints back as given, is the period of each of its days and
 * is followed by the next one; an accepted deadline lies from FROM to at
 * most a hundred years on, never after 9999-12-31, and a day count adds
 * exactly.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "metric.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() with the input in words: a crash report says what broke. */
static void check(int ok, const char *what, const char *text)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_period: %s: '%s'\n", what, text);
	abort();
}

static int same(const up_period *a, const up_period *b)
{
	return a->kind == b->kind && a->start == b->start && a->end == b->end;
}

static void check_span(const up_period *p, const char *text)
{
	static const int32_t lo[] = {1, 7, 28, 90}, hi[] = {1, 7, 31, 92};
	check((unsigned)p->kind <= UP_PERIOD_QUARTER, "kind", text);
	int32_t len = p->end - p->start + 1;
	check(len >= lo[p->kind] && len <= hi[p->kind], "span", text);
	check(up_period_kind_parse(up_period_kind_name(p->kind)) ==
		      (int)p->kind, "kind name", text);
	up_period q;
	up_period_of(p->kind, p->start, &q);
	check(same(p, &q), "period of its first day", text);
	up_period_of(p->kind, p->end, &q);
	check(same(p, &q), "period of its last day", text);
}

static void fuzz_period(const char *text)
{
	up_period p;
	const char *why = NULL;
	if (up_period_parse(text, &p, &why) != 0) {
		check(why && *why, "refused without a reason", text);
		return;
	}
	check_span(&p, text);
	char back[11];
	up_period_format(&p, back);
	check(!strcmp(back, text), "does not print as given", text);
	up_period n;
	up_period_next(&p, &n);
	check(n.kind == p.kind && n.start == p.end + 1, "next", text);
	int32_t last;
	up_date_parse("9999-12-31", &last, NULL);
	if (n.end <= last) /* the next of 9999-12 is past what prints */
		check_span(&n, text);
}

static void fuzz_deadline(const char *text, int32_t from)
{
	int32_t out, first, last, day;
	const char *why = NULL;
	up_date_parse("1000-01-01", &first, NULL);
	up_date_parse("9999-12-31", &last, NULL);
	if (up_deadline_parse(text, from, &out, &why) != 0) {
		check(why && *why, "deadline refused without a reason", text);
		return;
	}
	check(out >= first && out <= last, "deadline out of 1000-9999", text);
	if (text[0] != '+') {
		check(up_date_parse(text, &day, NULL) == UP_OK && day == out,
		      "deadline is not the date", text);
		return;
	}
	/* a hundred years are at most 36525 days */
	check(out > from && out - from <= 36525, "offset out of range", text);
	size_t nd = strspn(text + 1, "0123456789");
	long n = strtol(text + 1, NULL, 10);
	if (text[1 + nd] == 'd')
		check(out - from == n, "days do not add up", text);
	if (text[1 + nd] == 'w')
		check(out - from == 7 * n, "weeks do not add up", text);
	char back[11];
	up_date_format(out, back);
	check(up_date_parse(back, &day, NULL) == UP_OK && day == out,
	      "deadline does not print", text);
}

static void fuzz_kind(const char *text)
{
	int k = up_period_kind_parse(text);
	if (k >= 0)
		check(!strcmp(up_period_kind_name((up_period_kind)k), text),
		      "kind name", text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[128];
	if (size >= sizeof buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *text = buf, *nl = memchr(buf, '\n', size);
	int32_t from;
	up_date_parse("2026-01-01", &from, NULL);
	if (nl) {
		*nl = '\0';
		text = nl + 1;
		int32_t d;
		if (up_date_parse(buf, &d, NULL) == UP_OK)
			from = d;
	}
	fuzz_period(text);
	fuzz_deadline(text, from);
	fuzz_kind(text);
	return 0;
}
