/* error.c: the one error type, a list of one-line messages with a code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct up_error {
	int code;
	char **msgs;
	size_t n, cap;
};

up_error *up_error_new(void)
{
	return calloc(1, sizeof(up_error));
}

void up_error_clear(up_error *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++)
		free(e->msgs[i]);
	e->n = 0;
	e->code = UP_OK;
}

void up_error_free(up_error *e)
{
	if (!e)
		return;
	up_error_clear(e);
	free(e->msgs);
	free(e);
}

int up_error_code(const up_error *e)
{
	return e ? e->code : UP_OK;
}

size_t up_error_count(const up_error *e)
{
	return e ? e->n : 0;
}

const char *up_error_message(const up_error *e, size_t i)
{
	return e && i < e->n ? e->msgs[i] : NULL;
}

const char *up_errstr(int code)
{
	switch (code) {
	case UP_OK: return "ok";
	case UP_EINPUT: return "bad input";
	case UP_EINTERNAL: return "internal error";
	case UP_EBUSY: return "store busy";
	case UP_EIO: return "I/O error";
	case UP_EPERM: return "permission denied";
	case UP_ENOMEM: return "out of memory";
	default: return "unknown error";
	}
}

int up_exit_status(int code)
{
	switch (code) {
	case UP_OK: return 0;
	case UP_EINPUT: return 65;
	case UP_EIO: return 74;
	case UP_EBUSY: return 75;
	case UP_EPERM: return 77;
	default: return 70;
	}
}

int up_err_raw(up_error *e, int code, const char *msg)
{
	if (!e)
		return code;
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 8;
		char **m = realloc(e->msgs, cap * sizeof *m);
		if (!m)
			return code;
		e->msgs = m;
		e->cap = cap;
	}
	/* Messages quote user files; keep them valid UTF-8 for JSON. */
	char *copy = up_utf8_clean(msg, strlen(msg), 4096, NULL);
	e->msgs[e->n++] = copy;
	if (e->code == UP_OK)
		e->code = code;
	return code;
}

__attribute__((format(printf, 4, 0)))
static int add_v(up_error *e, int code, const char *prefix, const char *fmt,
		 va_list ap)
{
	char text[1024];
	char line[1400];
	vsnprintf(text, sizeof text, fmt, ap);
	snprintf(line, sizeof line, "%serror: %s", prefix, text);
	return up_err_raw(e, code, line);
}

int up_err(up_error *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_v(e, code, "", fmt, ap);
	va_end(ap);
	return code;
}

void up_warn_at(up_error *e, const char *file, int line, int col,
		const char *fmt, ...)
{
	char text[1024], msg[1400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	/* as up_err_at: a line or column of 0 is unknown, left out */
	if (line > 0 && col > 0)
		snprintf(msg, sizeof msg, "%s:%d:%d: warning: %s", file, line,
			 col, text);
	else if (line > 0)
		snprintf(msg, sizeof msg, "%s:%d: warning: %s", file, line,
			 text);
	else
		snprintf(msg, sizeof msg, "%s: warning: %s", file, text);
	up_err_raw(e, UP_OK, msg);
}

int up_err_at(up_error *e, int code, const char *file, int line, int col,
	      const char *fmt, ...)
{
	char prefix[320];
	if (line > 0 && col > 0)
		snprintf(prefix, sizeof prefix, "%s:%d:%d: ", file, line, col);
	else if (line > 0)
		snprintf(prefix, sizeof prefix, "%s:%d: ", file, line);
	else
		snprintf(prefix, sizeof prefix, "%s: ", file);
	va_list ap;
	va_start(ap, fmt);
	add_v(e, code, prefix, fmt, ap);
	va_end(ap);
	return code;
}

/* "FILE:LINE:COL: ..." to (line, col); messages without both sort last. */
static void position_of(const char *msg, long *line, long *col)
{
	const char *p = strchr(msg, ':');
	char *end;
	*line = *col = 1L << 30;
	if (!p)
		return;
	long l = strtol(p + 1, &end, 10);
	if (end == p + 1 || *end != ':')
		return;
	char *after;
	long c = strtol(end + 1, &after, 10);
	if (after == end + 1 || *after != ':')
		return;
	*line = l;
	*col = c;
}

/* Whether message A sorts after B: by file, then line and column;
 * messages without a position last. */
static int sorts_after(const char *a, const char *b)
{
	long la, ca, lb, cb;
	position_of(a, &la, &ca);
	position_of(b, &lb, &cb);
	size_t fa = strcspn(a, ":"), fb = strcspn(b, ":");
	int c = strncmp(a, b, fa < fb ? fa : fb);
	if (la < (1L << 30) && lb < (1L << 30) && (c || fa != fb))
		return c ? c > 0 : fa > fb;
	return la > lb || (la == lb && ca > cb);
}

void up_error_sort(up_error *e, size_t from)
{
	if (!e)
		return;
	/* Insertion sort: stable, and a file has few errors. */
	for (size_t i = from + 1; i < e->n; i++) {
		char *m = e->msgs[i];
		size_t j = i;
		while (j > from && sorts_after(e->msgs[j - 1], m)) {
			e->msgs[j] = e->msgs[j - 1];
			j--;
		}
		e->msgs[j] = m;
	}
}
