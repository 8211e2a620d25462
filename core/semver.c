/*
 * semver.c: semantic versions (semver 2.0.0) and the npm-style ranges rule
 * packs use to name the versions they accept.
 */
#include <stdio.h>
#include <string.h>

#include "pack.h"

/* 2^53 - 1: npm stops there, and so every number fits a double too. */
#define NUM_MAX 9007199254740991LL

enum { RANGE_MAX = 256, PRE_MAX = sizeof(((up_semver *)0)->pre) - 1 };

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_ident(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '-';
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static int is_wild(int c)
{
	return c == 'x' || c == 'X' || c == '*';
}

/* ---- versions ---- */

/*
 * A version as a range writes it: up to three numbers, the missing ones
 * and those from the first x, X or * on unknown (and zero here).
 */
typedef struct {
	long long n[3];
	int known; /* numbers before the first wildcard or the end: 0-3 */
	char pre[PRE_MAX + 1];
} partial;

/* Field I (0 major, 1 minor, 2 patch) at *p into *out; NULL or why not. */
static const char *number(const char **p, const char *end, int i,
			  long long *out)
{
	static const char *const lead0[] = {"leading zero in 'MAJOR'",
					    "leading zero in 'MINOR'",
					    "leading zero in 'PATCH'"};
	static const char *const big[] = {"'MAJOR' too large",
					  "'MINOR' too large",
					  "'PATCH' too large"};
	const char *s = *p;
	if (s == end || !is_digit(*s))
		return "expected MAJOR.MINOR.PATCH";
	if (*s == '0' && s + 1 < end && is_digit(s[1]))
		return lead0[i];
	long long v = 0;
	for (; s < end && is_digit(*s); s++) {
		int d = *s - '0';
		if (v > (NUM_MAX - d) / 10)
			return big[i];
		v = v * 10 + d;
	}
	*out = v;
	*p = s;
	return NULL;
}

/*
 * Dot-separated identifiers at *p: a prerelease (PRE, ended by '+' or
 * END, numeric identifiers without leading zeros) or build metadata.
 */
static const char *idents(const char **p, const char *end, int pre)
{
	const char *s = *p;
	for (;;) {
		const char *id = s;
		int numeric = 1;
		for (; s < end && is_ident(*s); s++)
			numeric &= is_digit(*s);
		if (s < end && *s != '.' && !(pre && *s == '+'))
			return pre ? "invalid character in prerelease"
				   : "invalid character in build metadata";
		if (s == id)
			return pre ? "empty prerelease identifier"
				   : "empty build identifier";
		if (pre && numeric && *id == '0' && s - id > 1)
			return "leading zero in prerelease identifier";
		if (s == end || *s != '.')
			break;
		s++;
	}
	*p = s;
	return NULL;
}

/* The "-PRERELEASE+BUILD" tail at s into p->pre; NULL or why not. */
static const char *tail(const char *s, const char *end, partial *p)
{
	const char *why;
	if (*s == '-') {
		const char *pre = ++s;
		if ((why = idents(&s, end, 1)))
			return why;
		if ((size_t)(s - pre) > PRE_MAX)
			return "prerelease longer than 63 bytes";
		memcpy(p->pre, pre, (size_t)(s - pre));
		p->pre[s - pre] = '\0';
	}
	if (s < end && *s == '+') {
		s++;
		if ((why = idents(&s, end, 0)))
			return why;
	}
	return s == end ? NULL : "expected MAJOR.MINOR.PATCH";
}

/*
 * Parses [s, end) into p.  PARTIAL admits what ranges also write: "1",
 * "1.2", "1.x", "1.2.*", but no prerelease after a wildcard.
 */
static const char *parse_span(const char *s, const char *end, int partial_ok,
			      partial *p)
{
	memset(p, 0, sizeof *p);
	p->known = 3;
	for (int i = 0; i < 3; i++) {
		if (i > 0 && s == end && partial_ok) {
			if (p->known == 3)
				p->known = i;
			return NULL;
		}
		if (i > 0 && (s == end || *s++ != '.'))
			return "expected MAJOR.MINOR.PATCH";
		if (partial_ok && s < end && is_wild(*s)) {
			if (p->known == 3)
				p->known = i;
			s++;
			continue;
		}
		/* npm takes "1.x.x" but not "1.x.3" */
		if (p->known < i)
			return "number after a wildcard";
		const char *why = number(&s, end, i, &p->n[i]);
		if (why)
			return why;
	}
	if (s < end && p->known < 3)
		return "prerelease or build after a wildcard";
	return s == end ? NULL : tail(s, end, p);
}

int up_semver_parse(const char *s, up_semver *out, const char **why)
{
	const char *dummy, *w;
	partial p;
	if (!why)
		why = &dummy;
	if (!s)
		w = "expected MAJOR.MINOR.PATCH";
	else if (*s == 'v' || *s == 'V')
		w = "leading 'v' not allowed";
	else
		w = parse_span(s, s + strlen(s), 0, &p);
	if (w) {
		*why = w;
		return -1;
	}
	if (out) {
		out->major = p.n[0];
		out->minor = p.n[1];
		out->patch = p.n[2];
		memcpy(out->pre, p.pre, sizeof out->pre);
	}
	return 0;
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

/* One prerelease identifier against another (semver 11.4.1-3). */
static int cmp_ident(const char *a, size_t an, const char *b, size_t bn)
{
	int na = all_digits(a, an), nb = all_digits(b, bn);
	if (na != nb)
		return na ? -1 : 1;
	/* without leading zeros the longer number is the larger, at any
	 * length */
	if (na && an != bn)
		return an < bn ? -1 : 1;
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c < 0 ? -1 : 1;
	return (an > bn) - (an < bn);
}

static int cmp_pre(const char *a, const char *b)
{
	/* a release ranks above its prereleases */
	if (!*a || !*b)
		return !*a - !*b;
	for (;;) {
		size_t an = strcspn(a, "."), bn = strcspn(b, ".");
		int c = cmp_ident(a, an, b, bn);
		if (c)
			return c;
		a += an;
		b += bn;
		if (!*a || !*b)
			return (*a != '\0') - (*b != '\0');
		a++;
		b++;
	}
}

static int cmp_num(long long a, long long b)
{
	return (a > b) - (a < b);
}

int up_semver_cmp(const up_semver *a, const up_semver *b)
{
	int c = cmp_num(a->major, b->major);
	if (!c)
		c = cmp_num(a->minor, b->minor);
	if (!c)
		c = cmp_num(a->patch, b->patch);
	return c ? c : cmp_pre(a->pre, b->pre);
}

void up_semver_format(const up_semver *v, char *out, size_t n)
{
	snprintf(out, n, "%lld.%lld.%lld%s%s", v->major, v->minor, v->patch,
		 v->pre[0] ? "-" : "", v->pre);
}

/* ---- ranges ---- */

/*
 * Every range term comes down to at most two comparators, applied at
 * once to the version being matched: nothing is stored, nothing
 * allocated.
 */
enum op { EQ, LT, LE, GT, GE, TILDE, CARET };

typedef struct {
	const up_semver *v; /* NULL when only checking */
	int fails;          /* V misses a comparator of the set */
	int pre_ok;         /* a comparator names a prerelease of V's x.y.z */
} match;

/* "[OP][ ]VERSION", a span of the range. */
typedef struct {
	const char *op, *ver;
	size_t opn, vern;
} token;

/* Reasons quoting the range outlive the call, up to the next one from
 * the same thread. */
static const char *quoted(const char *before, const char *s, size_t n,
			  const char *after)
{
	static _Thread_local char buf[128];
	int cut = n > 40;
	snprintf(buf, sizeof buf, "%s%.*s%s%s", before, cut ? 40 : (int)n, s,
		 cut ? "..." : "", after);
	return buf;
}

/* Whether OP holds of a version D (<0, 0, >0) from its comparator. */
static int holds(enum op op, int d)
{
	switch (op) {
	case EQ: return d == 0;
	case LT: return d < 0;
	case LE: return d <= 0;
	case GT: return d > 0;
	default: return d >= 0;
	}
}

/* Matches m->v against "OP N-PRE" (only EQ, LT, LE, GT, GE). */
static void add(match *m, enum op op, const long long n[3], const char *pre)
{
	if (!m->v)
		return;
	up_semver c = {n[0], n[1], n[2], ""};
	snprintf(c.pre, sizeof c.pre, "%s", pre);
	m->fails |= !holds(op, up_semver_cmp(m->v, &c));
	/* npm's rule: a prerelease is in only where a range names one of
	 * the same release */
	if (*pre && c.major == m->v->major && c.minor == m->v->minor &&
	    c.patch == m->v->patch)
		m->pre_ok = 1;
}

/* Nothing satisfies "<0.0.0-0": npm's "<*" and ">*". */
static void nothing(match *m)
{
	static const long long zero[3];
	add(m, LT, zero, "0");
}

/* The release after N at LEVEL (1: major, 2: minor, 3: patch). */
static void bump(const long long n[3], int level, long long up[3])
{
	for (int i = 0; i < 3; i++)
		up[i] = i < level ? n[i] + (i == level - 1) : 0;
}

/* "<" the release after N at LEVEL; its "-0" keeps that release's
 * prereleases out too. */
static void below_next(match *m, const long long n[3], int level)
{
	long long up[3];
	bump(n, level, up);
	add(m, LT, up, "0");
}

/* ">=" the least version P matches (none for "*"). */
static void from(match *m, const partial *p)
{
	if (p->known > 0)
		add(m, GE, p->n, p->pre);
}

/* The greatest version P matches as an upper bound (none for "*"). */
static void upto(match *m, const partial *p)
{
	if (p->known == 3)
		add(m, LE, p->n, p->pre);
	else if (p->known > 0)
		below_next(m, p->n, p->known);
}

/* ">1.2" is ">=1.3.0", ">1" is ">=2.0.0". */
static void above(match *m, const partial *p)
{
	long long up[3];
	if (p->known == 3) {
		add(m, GT, p->n, p->pre);
	} else if (p->known == 0) {
		nothing(m);
	} else {
		bump(p->n, p->known, up);
		add(m, GE, up, "");
	}
}

/* "^": what follows the first nonzero number known may change. */
static void caret(match *m, const partial *p)
{
	const long long *n = p->n;
	if (p->known == 0)
		return;
	from(m, p);
	if (p->known == 1 || n[0])
		below_next(m, n, 1);
	else if (p->known == 2 || n[1])
		below_next(m, n, 2);
	else
		below_next(m, n, 3);
}

static void apply(match *m, enum op op, const partial *p)
{
	switch (op) {
	case EQ:
		if (p->known == 3) {
			add(m, EQ, p->n, p->pre);
		} else {
			from(m, p);
			upto(m, p);
		}
		break;
	case LT:
		if (p->known == 0)
			nothing(m);
		else
			add(m, LT, p->n, p->known == 3 ? p->pre : "0");
		break;
	case LE: upto(m, p); break;
	case GT: above(m, p); break;
	case GE: from(m, p); break;
	case TILDE:
		from(m, p);
		if (p->known > 0)
			below_next(m, p->n, p->known == 1 ? 1 : 2);
		break;
	case CARET: caret(m, p); break;
	}
}

/* The operator of T, EQ for none; -1 for any other (even npm quirks
 * such as "==" or "^="). */
static int op_of(const token *t)
{
	static const struct {
		const char *s;
		enum op op;
	} ops[] = {{"", EQ}, {"=", EQ}, {"<", LT}, {"<=", LE}, {">", GT},
		   {">=", GE}, {"~", TILDE}, {"~>", TILDE}, {"^", CARET}};
	for (size_t i = 0; i < UP_COUNTOF(ops); i++)
		if (strlen(ops[i].s) == t->opn &&
		    !memcmp(ops[i].s, t->op, t->opn))
			return (int)ops[i].op;
	return -1;
}

static int version_of(const token *t, partial *p, const char **why)
{
	if (!parse_span(t->ver, t->ver + t->vern, 1, p))
		return 0;
	*why = quoted("bad version '", t->ver, t->vern, "' in range");
	return -1;
}

/* Applies one "[OP]VERSION" to m. */
static int term(match *m, const token *t, const char **why)
{
	int op = op_of(t);
	partial p;
	if (op < 0) {
		*why = quoted("unknown operator '", t->op, t->opn, "'");
		return -1;
	}
	if (!t->vern) {
		*why = quoted("operator '", t->op, t->opn,
			      "' without a version");
		return -1;
	}
	if (version_of(t, &p, why))
		return -1;
	apply(m, (enum op)op, &p);
	return 0;
}

/* The next "[OP][ ]VERSION" in [*p, end), or 0 at the end. */
static int next_token(const char **p, const char *end, token *t)
{
	const char *s = *p;
	while (s < end && is_space(*s))
		s++;
	if (s == end)
		return 0;
	t->op = s;
	while (s < end && strchr("<>=~^", *s))
		s++;
	t->opn = (size_t)(s - t->op);
	/* npm reads ">= 1.2" as ">=1.2" */
	while (t->opn && s < end && is_space(*s))
		s++;
	t->ver = s;
	while (s < end && !is_space(*s))
		s++;
	t->vern = (size_t)(s - t->ver);
	*p = s;
	return 1;
}

static int is_hyphen(const token *t)
{
	return !t->opn && t->vern == 1 && *t->ver == '-';
}

/* "A - B", npm's hyphen range: from A up to all that B matches. */
static int hyphen(match *m, const token t[3], const char **why)
{
	partial lo, hi;
	if (version_of(&t[0], &lo, why) || version_of(&t[2], &hi, why))
		return -1;
	from(m, &lo);
	upto(m, &hi);
	return 0;
}

/* One comparator set, [a, b) between "||"; ALONE if it is the range. */
static int alternative(match *m, const char *a, const char *b, int alone,
		       const char **why)
{
	token t[RANGE_MAX / 2 + 1]; /* tokens take 2 bytes with a space */
	size_t n = 0;
	if (memchr(a, '|', (size_t)(b - a))) {
		*why = "lone '|' in range";
		return -1;
	}
	while (n < UP_COUNTOF(t) && next_token(&a, b, &t[n]))
		n++;
	if (!n && !alone) {
		*why = "empty alternative in range";
		return -1;
	}
	if (n == 3 && is_hyphen(&t[1]) && !t[0].opn && !t[2].opn)
		return hyphen(m, t, why);
	for (size_t i = 0; i < n; i++) {
		if (is_hyphen(&t[i])) {
			*why = "misplaced '-' in range";
			return -1;
		}
		if (term(m, &t[i], why))
			return -1;
	}
	return 0;
}

/* Checks RANGE whole and, given V, matches V: 1, 0, or -1 and why. */
static int walk(const char *range, const up_semver *v, const char **why)
{
	if (!range) {
		*why = "no range";
		return -1;
	}
	const char *end = range + strnlen(range, RANGE_MAX + 1);
	if (end - range > RANGE_MAX) {
		*why = "range longer than 256 bytes";
		return -1;
	}
	int hit = 0;
	const char *a = range;
	for (;;) {
		const char *b = strstr(a, "||");
		match m = {v, 0, 0};
		if (!b)
			b = end;
		if (alternative(&m, a, b, a == range && b == end, why))
			return -1;
		if (v && !m.fails && (!v->pre[0] || m.pre_ok))
			hit = 1;
		if (b == end)
			return hit;
		a = b + 2;
	}
}

int up_semver_range_check(const char *range, const char **why)
{
	const char *dummy;
	return walk(range, NULL, why ? why : &dummy) < 0 ? -1 : 0;
}

int up_semver_satisfies(const up_semver *v, const char *range)
{
	const char *why;
	return walk(range, v, &why);
}
