/*
 * yval.c: checks on the YAML tree shared by every file users write
 * (program.yaml, pack.yaml, pack tests): each problem is reported at its
 * node and validation goes on, so one run lists them all.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void up_yv_err(up_yv *v, const up_ynode *n, const char *fmt, ...)
{
	char msg[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	up_err_at(v->err, UP_EINPUT, v->file, n->line, n->col, "%s", msg);
	v->bad = 1;
}

const char *up_yv_kind_name(const up_ynode *n)
{
	switch (n->kind) {
	case UP_YSEQ: return "a list";
	case UP_YMAP: return "a mapping";
	default: return "a scalar";
	}
}

int up_yv_null(const up_ynode *n)
{
	if (n->kind != UP_YSCALAR || !n->plain)
		return 0;
	const char *s = n->str;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") ||
	       !strcmp(s, "Null") || !strcmp(s, "NULL");
}

const up_ynode *up_yv_get(const up_ynode *map, const char *key)
{
	if (!map || map->kind != UP_YMAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->kids[i]->kind == UP_YSCALAR &&
		    strcmp(map->kids[i]->str, key) == 0)
			return map->kids[i + 1];
	return NULL;
}

/* Reports unknown, duplicate and non-scalar keys of MAP. */
void up_yv_keys(up_yv *v, const up_ynode *map, const char *const *keys,
		       size_t nkeys)
{
	up_strmap seen = {0}; /* the scalar keys so far: linear, not n^2 */
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const up_ynode *k = map->kids[i];
		if (k->kind != UP_YSCALAR) {
			up_yv_err(v, k, "keys must be scalars, not %s",
			     up_yv_kind_name(k));
			continue;
		}
		if (up_strmap_put(&seen, k->str, (int)i) >= 0)
			up_yv_err(v, k, "duplicate key '%s'", k->str);
		size_t m = 0;
		while (m < nkeys && strcmp(keys[m], k->str))
			m++;
		if (m < nkeys)
			continue;
		const char *hint = up_did_you_mean(k->str, keys, nkeys);
		if (hint)
			up_yv_err(v, k, "unknown key '%s' (did you mean '%s'?)",
			     k->str, hint);
		else
			up_yv_err(v, k, "unknown key '%s'", k->str);
	}
	up_strmap_free(&seen);
}

const up_ynode *up_yv_want(up_yv *v, const up_ynode *n, up_ykind kind,
				 const char *what)
{
	if (!n)
		return NULL;
	if (n->kind == kind)
		return n;
	const char *const names[] = {"a scalar", "a list", "a mapping"};
	up_yv_err(v, n, "%s must be %s, not %s", what, names[kind], up_yv_kind_name(n));
	return NULL;
}

/* A non-null scalar, copied; NULL (reported) otherwise. */
char *up_yv_str(up_yv *v, const up_ynode *n, const char *what)
{
	if (!n)
		return NULL;
	if (n->kind != UP_YSCALAR || up_yv_null(n)) {
		up_yv_err(v, n, "%s must be a string, not %s", what,
		     up_yv_null(n) ? "empty" : up_yv_kind_name(n));
		return NULL;
	}
	return up_xstrdup(n->str);
}

char *up_yv_id(up_yv *v, const up_ynode *n, const char *what)
{
	char *s = up_yv_str(v, n, what);
	if (s && !up_is_id(s)) {
		up_yv_err(v, n, "%s '%s' is not a valid id (use letters, digits, "
		     "'_', '-' and '.')", what, s);
		free(s);
		return NULL;
	}
	return s;
}

char *up_yv_date(up_yv *v, const up_ynode *n, const char *what)
{
	char *s = up_yv_str(v, n, what);
	const char *why;
	if (s && up_date_parse(s, NULL, &why) != UP_OK) {
		up_yv_err(v, n, "%s: invalid date '%s': %s", what, s, why);
		free(s);
		return NULL;
	}
	return s;
}

int up_yv_num(up_yv *v, const up_ynode *n, const char *what, double lo,
		   double hi, double *out)
{
	if (!n)
		return 0;
	char *end = NULL;
	double d = 0;
	if (n->kind == UP_YSCALAR && n->plain && *n->str)
		d = strtod(n->str, &end);
	if (!end || *end || d != d) {
		up_yv_err(v, n, "%s must be a number", what);
		return 0;
	}
	if (d < lo || d > hi) {
		up_yv_err(v, n, "%s must be between %g and %g, not %s", what, lo,
		     hi, n->str);
		return 0;
	}
	*out = d;
	return 1;
}

int up_yv_int(up_yv *v, const up_ynode *n, const char *what,
		   long long lo, long long hi, long long *out)
{
	if (!n)
		return 0;
	char *end = NULL;
	long long x = 0;
	if (n->kind == UP_YSCALAR && n->plain && *n->str)
		x = strtoll(n->str, &end, 10);
	if (!end || *end) {
		up_yv_err(v, n, "%s must be a whole number", what);
		return 0;
	}
	if (x < lo || x > hi) {
		up_yv_err(v, n, "%s must be between %lld and %lld, not %s", what,
		     lo, hi, n->str);
		return 0;
	}
	*out = x;
	return 1;
}

/* "unknown WHAT 'x' (did you mean 'y'?)" at node n. */
void up_yv_unknown(up_yv *v, const up_ynode *n, const char *owner,
			const char *what, const char *name,
			const char *const *cands, size_t ncands)
{
	const char *hint = up_did_you_mean(name, cands, ncands);
	if (hint)
		up_yv_err(v, n, "%sunknown %s '%s' (did you mean '%s'?)", owner,
		     what, name, hint);
	else
		up_yv_err(v, n, "%sunknown %s '%s'", owner, what, name);
}

int up_yv_bool(up_yv *v, const up_ynode *n, const char *what, int *out)
{
	const char *const yes[] = {"true", "yes", "on"};
	const char *const no[] = {"false", "no", "off"};
	if (!n)
		return 0;
	for (size_t i = 0; n->kind == UP_YSCALAR && n->plain && i < 3; i++) {
		if (!strcmp(n->str, yes[i]))
			return *out = 1;
		if (!strcmp(n->str, no[i])) {
			*out = 0;
			return 1;
		}
	}
	up_yv_err(v, n, "%s must be true or false", what);
	return 0;
}
