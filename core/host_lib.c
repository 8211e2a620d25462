/*
 * host_lib.c: the standard library as rules see it.
 *
 * The instruction budget is counted between VM instructions, so a library
 * function that loops in C (a backtracking pattern, table.concat over a
 * range that a __index metamethod makes up) would run unseen.  Every
 * function here whose work is not bounded by the size of what it is given
 * counts that work as it goes, in steps of about one VM instruction's
 * worth, and hands them to up_sandbox_step, which charges the rule call's
 * instruction budget and reads the clock once a batch and raises, for
 * good, once the budget or the time is spent.  Those whose work is one
 * pass over what they take or make are Lua's own, charged by size after
 * they return.
 *
 * Pattern matching (find, match, gmatch, gsub) is Lua 5.4.4's lstrlib.c
 * with a step count: every call of match(), every character an item is
 * tried on and every KiB compared or copied is a step.  A plain find
 * is memmem(), linear where Lua's is quadratic.  The table functions
 * (concat, insert, remove, move, unpack) are ltablib.c's with a step per
 * element; sort is a stable merge sort of ours, every comparison a step,
 * whose result, unlike Lua's, is the same in every run.  format names a
 * table by tostring()'s name for it, not by its address.
 *
 * The pattern-matching and table code is adapted from Lua 5.4.4,
 * Copyright (C) 1994-2022 Lua.org, PUC-Rio, under the MIT license.
 */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "host_priv.h"

#if LUA_VERSION_RELEASE_NUM < 50400 || LUA_VERSION_RELEASE_NUM >= 50500
#error "host_lib.c follows Lua 5.4's string and table libraries"
#endif

/* Steps counted in C before they are charged; the bytes one step stands
 * for when a function copies or compares in bulk (memcpy, memcmp) and
 * when it looks at each byte (case mapping, UTF-8 decoding). */
enum { STEP_BATCH = 1024, STEP_BYTES = 1024, SCAN_BYTES = 16,
       MOVE_MAX = 10000000 };

#define uchar(c) ((unsigned char)(c))

/* ---- pattern matching ---- */

#define LUA_MAXCAPTURES 32
#define CAP_UNFINISHED (-1)
#define CAP_POSITION (-2)
#define MAXCCALLS 200 /* match()'s recursion depth, as Lua's */
#define L_ESC '%'
#define SPECIALS "^$*+?.([%-"

typedef struct MatchState {
	const char *src_init; /* init of source string */
	const char *src_end;  /* end ('\0') of source string */
	const char *p_end;    /* end ('\0') of pattern */
	lua_State *L;
	long long steps;      /* counted, not yet charged */
	int matchdepth;       /* control for recursive depth */
	unsigned char level;  /* total number of captures */
	struct {
		const char *init;
		ptrdiff_t len;
	} capture[LUA_MAXCAPTURES];
} MatchState;

/* Hands the steps counted so far to the sandbox, which charges them a
 * batch at a time and raises once the rule is out of budget or time. */
static void settle(MatchState *ms)
{
	long long n = ms->steps;
	ms->steps = 0;
	if (n > 0)
		up_sandbox_step(ms->L, n);
}

static void step(MatchState *ms, long long n)
{
	ms->steps += n;
	if (ms->steps >= STEP_BATCH)
		settle(ms);
}

static const char *match(MatchState *ms, const char *s, const char *p);

static int check_capture(MatchState *ms, int l)
{
	l -= '1';
	if (l < 0 || l >= ms->level || ms->capture[l].len == CAP_UNFINISHED)
		return luaL_error(ms->L, "invalid capture index %%%d", l + 1);
	return l;
}

static int capture_to_close(MatchState *ms)
{
	int level = ms->level;
	for (level--; level >= 0; level--)
		if (ms->capture[level].len == CAP_UNFINISHED)
			return level;
	return luaL_error(ms->L, "invalid pattern capture");
}

static const char *classend(MatchState *ms, const char *p)
{
	switch (*p++) {
	case L_ESC:
		if (p == ms->p_end)
			luaL_error(ms->L, "malformed pattern (ends with '%%')");
		return p + 1;
	case '[':
		if (*p == '^')
			p++;
		do { /* look for a ']' */
			if (p == ms->p_end)
				luaL_error(ms->L,
					   "malformed pattern (missing ']')");
			if (*(p++) == L_ESC && p < ms->p_end)
				p++; /* skip escapes (e.g. '%]') */
		} while (*p != ']');
		return p + 1;
	default:
		return p;
	}
}

static int match_class(int c, int cl)
{
	int res;
	switch (tolower(cl)) {
	case 'a': res = isalpha(c); break;
	case 'c': res = iscntrl(c); break;
	case 'd': res = isdigit(c); break;
	case 'g': res = isgraph(c); break;
	case 'l': res = islower(c); break;
	case 'p': res = ispunct(c); break;
	case 's': res = isspace(c); break;
	case 'u': res = isupper(c); break;
	case 'w': res = isalnum(c); break;
	case 'x': res = isxdigit(c); break;
	case 'z': res = (c == 0); break; /* deprecated option */
	default: return (cl == c);
	}
	return (islower(cl) ? res : !res);
}

static int matchbracketclass(int c, const char *p, const char *ec)
{
	int sig = 1;
	if (*(p + 1) == '^') {
		sig = 0;
		p++; /* skip the '^' */
	}
	while (++p < ec) {
		if (*p == L_ESC) {
			p++;
			if (match_class(c, uchar(*p)))
				return sig;
		} else if ((*(p + 1) == '-') && (p + 2 < ec)) {
			p += 2;
			if (uchar(*(p - 2)) <= c && c <= uchar(*p))
				return sig;
		} else if (uchar(*p) == c) {
			return sig;
		}
	}
	return !sig;
}

static int singlematch(MatchState *ms, const char *s, const char *p,
		       const char *ep)
{
	if (s >= ms->src_end)
		return 0;
	int c = uchar(*s);
	switch (*p) {
	case '.': return 1; /* matches any char */
	case L_ESC: return match_class(c, uchar(*(p + 1)));
	case '[': return matchbracketclass(c, p, ep - 1);
	default: return (uchar(*p) == c);
	}
}

static const char *matchbalance(MatchState *ms, const char *s,
				const char *p)
{
	if (p >= ms->p_end - 1)
		luaL_error(ms->L,
			   "malformed pattern (missing arguments to '%%b')");
	if (*s != *p)
		return NULL;
	int b = *p, e = *(p + 1), cont = 1;
	while (++s < ms->src_end) {
		step(ms, 1);
		if (*s == e) {
			if (--cont == 0)
				return s + 1;
		} else if (*s == b) {
			cont++;
		}
	}
	return NULL; /* string ends out of balance */
}

static const char *max_expand(MatchState *ms, const char *s, const char *p,
			      const char *ep)
{
	ptrdiff_t i = 0; /* counts maximum expand for item */
	while (singlematch(ms, s + i, p, ep))
		if ((++i & (STEP_BATCH - 1)) == 0)
			step(ms, STEP_BATCH);
	step(ms, i & (STEP_BATCH - 1));
	/* keeps trying to match with the maximum repetitions */
	while (i >= 0) {
		const char *res = match(ms, (s + i), ep + 1);
		if (res)
			return res;
		i--; /* else didn't match; reduce 1 repetition to try again */
	}
	return NULL;
}

static const char *min_expand(MatchState *ms, const char *s, const char *p,
			      const char *ep)
{
	for (;;) {
		const char *res = match(ms, s, ep + 1);
		if (res != NULL)
			return res;
		else if (singlematch(ms, s, p, ep))
			s++; /* try with one more repetition */
		else
			return NULL;
	}
}

static const char *start_capture(MatchState *ms, const char *s,
				 const char *p, int what)
{
	const char *res;
	int level = ms->level;
	if (level >= LUA_MAXCAPTURES)
		luaL_error(ms->L, "too many captures");
	ms->capture[level].init = s;
	ms->capture[level].len = what;
	ms->level = (unsigned char)(level + 1);
	if ((res = match(ms, s, p)) == NULL) /* match failed? */
		ms->level--;                 /* undo capture */
	return res;
}

static const char *end_capture(MatchState *ms, const char *s, const char *p)
{
	int l = capture_to_close(ms);
	const char *res;
	ms->capture[l].len = s - ms->capture[l].init; /* close capture */
	if ((res = match(ms, s, p)) == NULL)           /* match failed? */
		ms->capture[l].len = CAP_UNFINISHED;   /* undo capture */
	return res;
}

static const char *match_capture(MatchState *ms, const char *s, int l)
{
	size_t len;
	l = check_capture(ms, l);
	len = (size_t)ms->capture[l].len;
	step(ms, (long long)(len / STEP_BYTES));
	if ((size_t)(ms->src_end - s) >= len &&
	    memcmp(ms->capture[l].init, s, len) == 0)
		return s + len;
	return NULL;
}

static const char *match(MatchState *ms, const char *s, const char *p)
{
	if (ms->matchdepth-- == 0)
		luaL_error(ms->L, "pattern too complex");
init: /* using goto's to optimize tail recursion */
	step(ms, 1);
	if (p != ms->p_end) { /* end of pattern? */
		switch (*p) {
		case '(': /* start capture */
			if (*(p + 1) == ')') /* position capture? */
				s = start_capture(ms, s, p + 2, CAP_POSITION);
			else
				s = start_capture(ms, s, p + 1, CAP_UNFINISHED);
			break;
		case ')': /* end capture */
			s = end_capture(ms, s, p + 1);
			break;
		case '$':
			if ((p + 1) != ms->p_end) /* is '$' the last char? */
				goto dflt;         /* no; go to default */
			s = (s == ms->src_end) ? s : NULL; /* end of string */
			break;
		case L_ESC: /* escaped sequences not in the format class[*+?-]? */
			switch (*(p + 1)) {
			case 'b': /* balanced string? */
				s = matchbalance(ms, s, p + 2);
				if (s != NULL) {
					p += 4;
					goto init; /* return match(ms, s, p + 4); */
				}              /* else fail (s == NULL) */
				break;
			case 'f': { /* frontier? */
				const char *ep;
				char previous;
				p += 2;
				if (*p != '[')
					luaL_error(ms->L, "missing '[' after "
						   "'%%f' in pattern");
				ep = classend(ms, p); /* points to what is next */
				previous = (s == ms->src_init) ? '\0' : *(s - 1);
				if (!matchbracketclass(uchar(previous), p, ep - 1) &&
				    matchbracketclass(uchar(*s), p, ep - 1)) {
					p = ep;
					goto init; /* return match(ms, s, ep); */
				}
				s = NULL; /* match failed */
				break;
			}
			case '0': case '1': case '2': case '3': case '4':
			case '5': case '6': case '7': case '8': case '9':
				/* capture results (%0-%9)? */
				s = match_capture(ms, s, uchar(*(p + 1)));
				if (s != NULL) {
					p += 2;
					goto init; /* return match(ms, s, p + 2) */
				}
				break;
			default:
				goto dflt;
			}
			break;
		default:
		dflt: { /* pattern class plus optional suffix */
			const char *ep = classend(ms, p); /* optional suffix */
			/* does not match at least once? */
			if (!singlematch(ms, s, p, ep)) {
				if (*ep == '*' || *ep == '?' || *ep == '-') {
					/* accept empty? */
					p = ep + 1;
					goto init; /* return match(ms, s, ep + 1); */
				} else { /* '+' or no suffix */
					s = NULL; /* fail */
				}
			} else { /* matched once */
				switch (*ep) { /* handle optional suffix */
				case '?': { /* optional */
					const char *res;
					if ((res = match(ms, s + 1, ep + 1)) != NULL) {
						s = res;
					} else {
						p = ep + 1;
						goto init; /* else return match(ms, s, ep + 1); */
					}
					break;
				}
				case '+': /* 1 or more repetitions */
					s++; /* 1 match already done */
					/* FALLTHROUGH */
				case '*': /* 0 or more repetitions */
					s = max_expand(ms, s, p, ep);
					break;
				case '-': /* 0 or more repetitions (minimum) */
					s = min_expand(ms, s, p, ep);
					break;
				default: /* no suffix */
					s++;
					p = ep;
					goto init; /* return match(ms, s + 1, ep); */
				}
			}
			break;
		}
		}
	}
	ms->matchdepth++;
	return s;
}

/*
 * Information about the i-th capture: with no captures and i == 0, the
 * whole match s..e.  A string capture's length, its address in *cap; a
 * position capture is pushed and CAP_POSITION returned.
 */
static ptrdiff_t get_onecapture(MatchState *ms, int i, const char *s,
				const char *e, const char **cap)
{
	if (i >= ms->level) {
		if (i != 0)
			luaL_error(ms->L, "invalid capture index %%%d", i + 1);
		*cap = s;
		return e - s;
	}
	ptrdiff_t capl = ms->capture[i].len;
	*cap = ms->capture[i].init;
	if (capl == CAP_UNFINISHED)
		luaL_error(ms->L, "unfinished capture");
	else if (capl == CAP_POSITION)
		lua_pushinteger(ms->L,
				(ms->capture[i].init - ms->src_init) + 1);
	return capl;
}

static void push_onecapture(MatchState *ms, int i, const char *s,
			    const char *e)
{
	const char *cap;
	ptrdiff_t l = get_onecapture(ms, i, s, e, &cap);
	if (l != CAP_POSITION) {
		step(ms, (long long)(l / STEP_BYTES));
		lua_pushlstring(ms->L, cap, (size_t)l);
	}
}

static int push_captures(MatchState *ms, const char *s, const char *e)
{
	int nlevels = (ms->level == 0 && s) ? 1 : ms->level;
	luaL_checkstack(ms->L, nlevels, "too many captures");
	for (int i = 0; i < nlevels; i++)
		push_onecapture(ms, i, s, e);
	return nlevels; /* number of strings pushed */
}

/* Whether the pattern has no special characters. */
static int nospecials(const char *p, size_t l)
{
	size_t upto = 0;
	do {
		if (strpbrk(p + upto, SPECIALS))
			return 0; /* pattern has a special character */
		upto += strlen(p + upto) + 1; /* may have more after \0 */
	} while (upto <= l);
	return 1; /* no special chars found */
}

static void prepstate(MatchState *ms, lua_State *L, const char *s,
		      size_t ls, const char *p, size_t lp)
{
	ms->L = L;
	ms->steps = 0;
	ms->matchdepth = MAXCCALLS;
	ms->src_init = s;
	ms->src_end = s + ls;
	ms->p_end = p + lp;
}

static void reprepstate(MatchState *ms)
{
	ms->level = 0;
}

/* A relative initial string position (negative means back from the end),
 * clipped to [1, inf). */
static size_t posrelatI(lua_Integer pos, size_t len)
{
	if (pos > 0)
		return (size_t)pos;
	else if (pos == 0)
		return 1;
	else if (pos < -(lua_Integer)len) /* inverted comparison */
		return 1;                 /* clip to 1 */
	return len + (size_t)pos + 1;
}

static int str_find_aux(lua_State *L, int find)
{
	size_t ls, lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	size_t init = posrelatI(luaL_optinteger(L, 3, 1), ls) - 1;
	if (init > ls) { /* start after string's end? */
		luaL_pushfail(L); /* cannot find anything */
		return 1;
	}
	/* explicit request or no special characters? */
	if (find && (lua_toboolean(L, 4) || nospecials(p, lp))) {
		/* a plain search, linear in the length of s */
		const char *s2 = lp == 0 ? s + init
				 : memmem(s + init, ls - init, p, lp);
		up_sandbox_step(L, 1 + (long long)((s2 ? (size_t)(s2 - s) + lp
						       : ls) - init) / STEP_BYTES);
		if (s2) {
			lua_pushinteger(L, (s2 - s) + 1);
			lua_pushinteger(L, (lua_Integer)((size_t)(s2 - s) + lp));
			return 2;
		}
	} else {
		MatchState ms;
		const char *s1 = s + init;
		int anchor = (*p == '^');
		if (anchor) {
			p++;
			lp--; /* skip anchor character */
		}
		prepstate(&ms, L, s, ls, p, lp);
		do {
			const char *res;
			reprepstate(&ms);
			if ((res = match(&ms, s1, p)) != NULL) {
				int n;
				if (find) {
					lua_pushinteger(L, (s1 - s) + 1); /* start */
					lua_pushinteger(L, res - s);      /* end */
					n = push_captures(&ms, NULL, 0) + 2;
				} else {
					n = push_captures(&ms, s1, res);
				}
				settle(&ms);
				return n;
			}
		} while (s1++ < ms.src_end && !anchor);
		settle(&ms);
	}
	luaL_pushfail(L); /* not found */
	return 1;
}

static int str_find(lua_State *L)
{
	return str_find_aux(L, 1);
}

static int str_match(lua_State *L)
{
	return str_find_aux(L, 0);
}

/* state for 'gmatch' */
typedef struct GMatchState {
	const char *src;       /* current position */
	const char *p;         /* pattern */
	const char *lastmatch; /* end of last match */
	MatchState ms;         /* match state */
} GMatchState;

static int gmatch_aux(lua_State *L)
{
	GMatchState *gm = lua_touserdata(L, lua_upvalueindex(3));
	const char *src;
	gm->ms.L = L;
	gm->ms.steps = 0;
	for (src = gm->src; src <= gm->ms.src_end; src++) {
		const char *e;
		reprepstate(&gm->ms);
		if ((e = match(&gm->ms, src, gm->p)) != NULL &&
		    e != gm->lastmatch) {
			gm->src = gm->lastmatch = e;
			int n = push_captures(&gm->ms, src, e);
			settle(&gm->ms);
			return n;
		}
	}
	gm->src = src; /* nothing more: the next call starts at the end */
	settle(&gm->ms);
	return 0; /* not found */
}

static int str_gmatch(lua_State *L)
{
	size_t ls, lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	size_t init = posrelatI(luaL_optinteger(L, 3, 1), ls) - 1;
	GMatchState *gm;
	lua_settop(L, 2); /* keep strings on closure to avoid being collected */
	gm = lua_newuserdatauv(L, sizeof(GMatchState), 0);
	if (init > ls)       /* start after string's end? */
		init = ls + 1; /* avoid overflows in 's + init' */
	prepstate(&gm->ms, L, s, ls, p, lp);
	gm->src = s + init;
	gm->p = p;
	gm->lastmatch = NULL;
	lua_pushcclosure(L, gmatch_aux, 3);
	return 1;
}

static void add_s(MatchState *ms, luaL_Buffer *b, const char *s,
		  const char *e)
{
	size_t l;
	lua_State *L = ms->L;
	const char *news = lua_tolstring(L, 3, &l);
	const char *p;
	step(ms, (long long)(l / STEP_BYTES));
	while ((p = memchr(news, L_ESC, l)) != NULL) {
		luaL_addlstring(b, news, (size_t)(p - news));
		p++;                /* skip ESC */
		if (*p == L_ESC) {  /* '%%' */
			luaL_addchar(b, *p);
		} else if (*p == '0') { /* '%0' */
			step(ms, (long long)((e - s) / STEP_BYTES));
			luaL_addlstring(b, s, (size_t)(e - s));
		} else if (isdigit(uchar(*p))) { /* '%n' */
			const char *cap;
			ptrdiff_t resl = get_onecapture(ms, *p - '1', s, e, &cap);
			if (resl == CAP_POSITION) {
				luaL_addvalue(b); /* add position to result */
			} else {
				step(ms, (long long)(resl / STEP_BYTES));
				luaL_addlstring(b, cap, (size_t)resl);
			}
		} else {
			luaL_error(L, "invalid use of '%c' in replacement "
				   "string", L_ESC);
		}
		l -= (size_t)(p + 1 - news);
		news = p + 1;
	}
	luaL_addlstring(b, news, l);
}

/*
 * Adds the replacement value to the buffer B; whether the original string
 * changed (a function call or table index giving nil or false does not
 * change the subject).
 */
static int add_value(MatchState *ms, luaL_Buffer *b, const char *s,
		     const char *e, int tr)
{
	lua_State *L = ms->L;
	switch (tr) {
	case LUA_TFUNCTION: { /* call the function */
		lua_pushvalue(L, 3);
		int n = push_captures(ms, s, e); /* all captures as arguments */
		lua_call(L, n, 1);
		break;
	}
	case LUA_TTABLE: /* index the table */
		push_onecapture(ms, 0, s, e); /* first capture is the index */
		lua_gettable(L, 3);
		break;
	default: /* LUA_TNUMBER or LUA_TSTRING */
		add_s(ms, b, s, e); /* add value to the buffer */
		return 1;           /* something changed */
	}
	if (!lua_toboolean(L, -1)) { /* nil or false? */
		lua_pop(L, 1);
		luaL_addlstring(b, s, (size_t)(e - s)); /* keep original text */
		return 0;
	} else if (!lua_isstring(L, -1)) {
		return luaL_error(L, "invalid replacement value (a %s)",
				  luaL_typename(L, -1));
	}
	size_t l;
	lua_tolstring(L, -1, &l);
	step(ms, (long long)(l / STEP_BYTES));
	luaL_addvalue(b); /* add result to accumulator */
	return 1;
}

static int str_gsub(lua_State *L)
{
	size_t srcl, lp;
	const char *src = luaL_checklstring(L, 1, &srcl); /* subject */
	const char *p = luaL_checklstring(L, 2, &lp);     /* pattern */
	const char *lastmatch = NULL; /* end of last match */
	int tr = lua_type(L, 3);      /* replacement type */
	/* max replacements */
	lua_Integer max_s = luaL_optinteger(L, 4, (lua_Integer)srcl + 1);
	int anchor = (*p == '^');
	lua_Integer n = 0; /* replacement count */
	int changed = 0;   /* change flag */
	MatchState ms;
	luaL_Buffer b;
	luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING ||
			 tr == LUA_TFUNCTION || tr == LUA_TTABLE, 3,
			 "string/function/table");
	luaL_buffinit(L, &b);
	if (anchor) {
		p++;
		lp--; /* skip anchor character */
	}
	prepstate(&ms, L, src, srcl, p, lp);
	while (n < max_s) {
		const char *e;
		reprepstate(&ms); /* (re)prepare state for new match */
		if ((e = match(&ms, src, p)) != NULL && e != lastmatch) {
			n++;
			changed = add_value(&ms, &b, src, e, tr) | changed;
			src = lastmatch = e;
		} else if (src < ms.src_end) { /* otherwise skip one character */
			luaL_addchar(&b, *src++);
		} else {
			break; /* end of subject */
		}
		if (anchor)
			break;
	}
	if (!changed) { /* no changes? */
		lua_pushvalue(L, 1); /* return original string */
	} else {
		step(&ms, (long long)((ms.src_end - src) / STEP_BYTES));
		luaL_addlstring(&b, src, (size_t)(ms.src_end - src));
		luaL_pushresult(&b); /* create and return new string */
	}
	settle(&ms);
	lua_pushinteger(L, n); /* number of substitutions */
	return 2;
}

/* ---- string.rep ---- */

/* Lua's, charged up front by what it will write (a step a KiB), so a copy
 * beyond the budget is refused before it starts.  The copies double
 * rather than go one by one, so ("x"):rep(n) costs what n bytes do, and
 * an empty result is made at once, not by n empty copies. */
static int str_rep(lua_State *L)
{
	size_t l, lsep;
	const char *s = luaL_checklstring(L, 1, &l);
	lua_Integer n = luaL_checkinteger(L, 2);
	const char *sep = luaL_optlstring(L, 3, "", &lsep);
	if (n <= 0 || l + lsep == 0 || (n == 1 && l == 0)) {
		lua_pushliteral(L, "");
		return 1;
	}
	if (l + lsep < l || l + lsep > (size_t)INT_MAX / (lua_Unsigned)n)
		return luaL_error(L, "resulting string too large");
	size_t total = (size_t)n * l + (size_t)(n - 1) * lsep;
	up_sandbox_step(L, 1 + (long long)(total / STEP_BYTES));
	luaL_Buffer b;
	char *p = luaL_buffinitsize(L, &b, total);
	/* n - 1 copies of s and sep, then s */
	size_t unit = l + lsep, body = (size_t)(n - 1) * unit;
	if (body > 0) {
		memcpy(p, s, l);
		memcpy(p + l, sep, lsep);
		for (size_t done = unit; done < body;) {
			size_t k = done < body - done ? done : body - done;
			memcpy(p + done, p, k);
			done += k;
		}
	}
	memcpy(p + body, s, l);
	luaL_pushresultsize(&b, total);
	return 1;
}

/* ---- what the rest costs ---- */

/*
 * Upvalue 1 is one of Lua's own functions whose work is a single pass over
 * what it takes or makes, which the memory cap and the stack bound.  It
 * runs in this frame, so its errors name it as before, and is charged
 * afterwards: a step for each argument and each result, one for every
 * STEP_BYTES of the strings it returns and, with SCAN, one for every
 * SCAN_BYTES of its first argument (utf8.len decodes every byte of a
 * string and returns a number).
 */
static int charged(lua_State *L, int scan)
{
	lua_CFunction f = lua_tocfunction(L, lua_upvalueindex(1));
	int nargs = lua_gettop(L);
	long long cost = 1 + nargs;
	if (scan && lua_type(L, 1) == LUA_TSTRING)
		cost += (long long)(lua_rawlen(L, 1) / SCAN_BYTES);
	int n = f(L);
	for (int i = lua_gettop(L) - n + 1; i <= lua_gettop(L); i++)
		cost += 1 + (lua_type(L, i) == LUA_TSTRING
			     ? (long long)(lua_rawlen(L, i) / STEP_BYTES) : 0);
	up_sandbox_step(L, cost);
	return n;
}

static int sized(lua_State *L)
{
	return charged(L, 0);
}

static int scans(lua_State *L)
{
	return charged(L, 1);
}

/* ---- the table library ---- */

#define TAB_R 1 /* read */
#define TAB_W 2 /* write */
#define TAB_L 4 /* length */
#define TAB_RW (TAB_R | TAB_W)

static int checkfield(lua_State *L, const char *key, int n)
{
	lua_pushstring(L, key);
	return (lua_rawget(L, -n) != LUA_TNIL);
}

/* ARG is a table or has a metatable with the metamethods WHAT needs. */
static void checktab(lua_State *L, int arg, int what)
{
	if (lua_type(L, arg) != LUA_TTABLE) {
		int n = 1; /* number of elements to pop */
		if (lua_getmetatable(L, arg) &&
		    (!(what & TAB_R) || checkfield(L, "__index", ++n)) &&
		    (!(what & TAB_W) || checkfield(L, "__newindex", ++n)) &&
		    (!(what & TAB_L) || checkfield(L, "__len", ++n)))
			lua_pop(L, n);
		else
			luaL_checktype(L, arg, LUA_TTABLE); /* force an error */
	}
}

static lua_Integer aux_getn(lua_State *L, int n, int w)
{
	checktab(L, n, w | TAB_L);
	return luaL_len(L, n);
}

/* Every element moved, read or written is a step: a __len or __index
 * that makes up a range of a billion is refused as it goes. */
static int tinsert(lua_State *L)
{
	lua_Integer pos; /* where to insert new element */
	lua_Integer e = aux_getn(L, 1, TAB_RW);
	e = (lua_Integer)((lua_Unsigned)e + 1u); /* first empty element */
	switch (lua_gettop(L)) {
	case 2: /* called with only 2 arguments */
		pos = e; /* insert new element at the end */
		break;
	case 3:
		pos = luaL_checkinteger(L, 2); /* the position */
		/* check whether 'pos' is in [1, e] */
		luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)e, 2,
			      "position out of bounds");
		for (lua_Integer i = e; i > pos; i--) { /* move up elements */
			up_sandbox_step(L, 1);
			lua_geti(L, 1, i - 1);
			lua_seti(L, 1, i); /* t[i] = t[i - 1] */
		}
		break;
	default:
		return luaL_error(L, "wrong number of arguments to 'insert'");
	}
	lua_seti(L, 1, pos); /* t[pos] = v */
	return 0;
}

static int tremove(lua_State *L)
{
	lua_Integer size = aux_getn(L, 1, TAB_RW);
	lua_Integer pos = luaL_optinteger(L, 2, size);
	if (pos != size) /* validate 'pos' if given */
		/* check whether 'pos' is in [1, size + 1] */
		luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size,
			      1, "position out of bounds"); /* #1, as 5.4.4 */
	lua_geti(L, 1, pos); /* result = t[pos] */
	for (; pos < size; pos++) {
		up_sandbox_step(L, 1);
		lua_geti(L, 1, pos + 1);
		lua_seti(L, 1, pos); /* t[pos] = t[pos + 1] */
	}
	lua_pushnil(L);
	lua_seti(L, 1, pos); /* remove entry t[pos] */
	return 1;
}

/* Copies t[f..e] to tt[t..]; more than MOVE_MAX elements are refused
 * outright, the rest are steps. */
static int tmove(lua_State *L)
{
	lua_Integer f = luaL_checkinteger(L, 2);
	lua_Integer e = luaL_checkinteger(L, 3);
	lua_Integer t = luaL_checkinteger(L, 4);
	int tt = !lua_isnoneornil(L, 5) ? 5 : 1; /* destination table */
	checktab(L, 1, TAB_R);
	checktab(L, tt, TAB_W);
	if (e >= f) { /* otherwise, nothing to move */
		lua_Integer n, i;
		luaL_argcheck(L, f > 0 || e < LUA_MAXINTEGER + f, 3,
			      "too many elements to move");
		n = e - f + 1; /* number of elements to move */
		if (n > MOVE_MAX)
			return luaL_error(L, "table.move: more than %d "
					  "elements", MOVE_MAX);
		luaL_argcheck(L, t <= LUA_MAXINTEGER - n + 1, 4,
			      "destination wrap around");
		if (t > e || t <= f ||
		    (tt != 1 && !lua_compare(L, 1, tt, LUA_OPEQ))) {
			for (i = 0; i < n; i++) {
				up_sandbox_step(L, 1);
				lua_geti(L, 1, f + i);
				lua_seti(L, tt, t + i);
			}
		} else {
			for (i = n - 1; i >= 0; i--) {
				up_sandbox_step(L, 1);
				lua_geti(L, 1, f + i);
				lua_seti(L, tt, t + i);
			}
		}
	}
	lua_pushvalue(L, tt); /* return destination table */
	return 1;
}

static void addfield(lua_State *L, luaL_Buffer *b, lua_Integer i)
{
	size_t l;
	up_sandbox_step(L, 1);
	lua_geti(L, 1, i);
	if (!lua_isstring(L, -1))
		luaL_error(L, "invalid value (%s) at index %I in table for "
			   "'concat'", luaL_typename(L, -1), (LUAI_UACINT)i);
	lua_tolstring(L, -1, &l);
	up_sandbox_step(L, (long long)(l / STEP_BYTES));
	luaL_addvalue(b);
}

static int tconcat(lua_State *L)
{
	luaL_Buffer b;
	lua_Integer last = aux_getn(L, 1, TAB_R);
	size_t lsep;
	const char *sep = luaL_optlstring(L, 2, "", &lsep);
	lua_Integer i = luaL_optinteger(L, 3, 1);
	last = luaL_optinteger(L, 4, last);
	luaL_buffinit(L, &b);
	for (; i < last; i++) {
		addfield(L, &b, i);
		up_sandbox_step(L, (long long)(lsep / STEP_BYTES));
		luaL_addlstring(&b, sep, lsep);
	}
	if (i == last) /* add last value (if interval was not empty) */
		addfield(L, &b, i);
	luaL_pushresult(&b);
	return 1;
}

static int tunpack(lua_State *L)
{
	lua_Unsigned n;
	lua_Integer i = luaL_optinteger(L, 2, 1);
	lua_Integer e = luaL_opt(L, luaL_checkinteger, 3, luaL_len(L, 1));
	if (i > e)
		return 0; /* empty range */
	n = (lua_Unsigned)e - (lua_Unsigned)i; /* elements minus 1 */
	if (n >= (unsigned int)INT_MAX || !lua_checkstack(L, (int)(++n)))
		return luaL_error(L, "too many results to unpack");
	for (; i < e; i++) { /* push arg[i..e - 1] (to avoid overflows) */
		up_sandbox_step(L, 1);
		lua_geti(L, 1, i);
	}
	lua_geti(L, 1, e); /* push last element */
	return (int)n;
}

/* ---- table.sort ---- */

/*
 * Lua's table.sort is a quicksort that picks a random pivot in arrays of
 * more than 100 elements (l_randomizePivot reads clock() and time()):
 * with ties under the comparator, or a comparator that is not a strict
 * order, the result changed from run to run, and so could a cycle.  This
 * is a stable merge sort instead: equal elements keep their order, any
 * comparator gives the same result every run (never "invalid order
 * function"), and it takes at most n log2 n comparisons.  It sorts a copy
 * (up to 2n slots, under the memory cap) read with lua_geti and written
 * back with lua_seti, as Lua's reads and writes, so a comparator that
 * raises leaves the table as it was.  Every element read or written and
 * every comparison is a step; '<' on strings a step a KiB more.
 */

/* Whether the value at A sorts before the one at B; the comparator is at
 * 2 (nil: '<'). */
static int sort_less(lua_State *L, int a, int b)
{
	if (lua_isnil(L, 2)) {
		long long cost = 1;
		if (lua_type(L, a) == LUA_TSTRING &&
		    lua_type(L, b) == LUA_TSTRING) {
			size_t la = lua_rawlen(L, a), lb = lua_rawlen(L, b);
			cost += (long long)((la < lb ? la : lb) / STEP_BYTES);
		}
		up_sandbox_step(L, cost);
		return lua_compare(L, a, b, LUA_OPLT);
	}
	a = lua_absindex(L, a);
	b = lua_absindex(L, b);
	up_sandbox_step(L, 1);
	lua_pushvalue(L, 2);
	lua_pushvalue(L, a);
	lua_pushvalue(L, b);
	lua_call(L, 2, 1);
	int less = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return less;
}

/* Merges the runs w[lo..mid] and w[mid+1..hi] of the work table W,
 * whose slots from N + 1 hold the left run meanwhile; on a tie the left
 * element goes first. */
static void merge_runs(lua_State *L, int w, lua_Integer lo, lua_Integer mid,
		       lua_Integer hi, lua_Integer n)
{
	lua_rawgeti(L, w, mid + 1);
	lua_rawgeti(L, w, mid);
	int ordered = !sort_less(L, -2, -1);
	lua_pop(L, 2);
	if (ordered) /* already in order: nothing to move */
		return;
	lua_Integer len = mid - lo + 1, i = n + 1, j = mid + 1, k = lo;
	for (lua_Integer x = 0; x < len; x++) {
		up_sandbox_step(L, 1);
		lua_rawgeti(L, w, lo + x);
		lua_rawseti(L, w, n + 1 + x);
	}
	while (i <= n + len && j <= hi) {
		lua_rawgeti(L, w, j);
		lua_rawgeti(L, w, i);
		if (sort_less(L, -2, -1)) {
			lua_pop(L, 1);
			j++;
		} else {
			lua_remove(L, -2);
			i++;
		}
		lua_rawseti(L, w, k++);
	}
	while (i <= n + len) {
		up_sandbox_step(L, 1);
		lua_rawgeti(L, w, i++);
		lua_rawseti(L, w, k++);
	}
}

static int tsort(lua_State *L)
{
	lua_Integer n = aux_getn(L, 1, TAB_RW);
	if (n < 2)
		return 0;
	luaL_argcheck(L, n < INT_MAX, 1, "array too big");
	if (!lua_isnoneornil(L, 2))
		luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_settop(L, 2);
	lua_newtable(L); /* grows as read: a made-up length costs steps */
	for (lua_Integer i = 1; i <= n; i++) {
		up_sandbox_step(L, 1);
		lua_geti(L, 1, i);
		lua_rawseti(L, 3, i);
	}
	for (lua_Integer width = 1; width < n; width *= 2) {
		for (lua_Integer lo = 1; lo + width <= n; lo += 2 * width) {
			lua_Integer mid = lo + width - 1;
			lua_Integer hi = mid + width < n ? mid + width : n;
			merge_runs(L, 3, lo, mid, hi, n);
		}
	}
	for (lua_Integer i = 1; i <= n; i++) {
		up_sandbox_step(L, 1);
		lua_rawgeti(L, 3, i);
		lua_seti(L, 1, i);
	}
	return 0;
}

/* ---- string.format ---- */

/*
 * Lua's (upvalue 1), charged like the other string functions; but '%s'
 * of a table or function names it as tostring() does (by the order it
 * was made, not by its address, which differs from run to run), and
 * '%p', which can only give an address, is refused.
 */
static int str_format(lua_State *L)
{
	size_t lf;
	const char *f = luaL_checklstring(L, 1, &lf), *e = f + lf;
	int arg = 1, top = lua_gettop(L);
	while (f < e) {
		if (*f++ != '%')
			continue;
		if (f < e && *f == '%') {
			f++;
			continue;
		}
		while (f < e && *f && strchr("-+ #0123456789.", *f))
			f++;
		if (f >= e)
			break;
		arg++;
		if (*f == 'p')
			return luaL_argerror(L, 1, "'%p' gives an address, "
					     "which differs from run to run");
		if (*f++ == 's' && arg <= top) {
			int t = lua_type(L, arg);
			if (t != LUA_TSTRING && t != LUA_TNUMBER &&
			    t != LUA_TBOOLEAN && t != LUA_TNIL) {
				up_sandbox_tolstring(L, arg, NULL);
				lua_replace(L, arg);
			}
		}
	}
	return charged(L, 0);
}

/* ---- xpcall ---- */

/*
 * Lua calls an xpcall handler where the error was raised, before the stack
 * unwinds, and with hooks off when it was raised by the count hook: a
 * handler could then loop for ever after the sandbox stopped the rule.
 * Here f runs under pcall and the handler afterwards, as an ordinary call
 * under the budget and the deadline; once the rule has been stopped the
 * stop goes on up and no handler runs.  An error in the handler is what
 * xpcall returns.
 */
static int safe_xpcall(lua_State *L)
{
	int n = lua_gettop(L);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushvalue(L, 1); /* f, then its arguments, above the handler */
	lua_rotate(L, 3, 1);
	int status = lua_pcall(L, n - 2, LUA_MULTRET, 0);
	if (status == LUA_OK) {
		lua_pushboolean(L, 1);
		lua_replace(L, 1);
		lua_remove(L, 2);
		return lua_gettop(L);
	}
	if (up_sandbox_stopped(L) || status == LUA_ERRMEM)
		return lua_error(L);
	lua_pushvalue(L, 2);
	lua_insert(L, -2);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK && up_sandbox_stopped(L))
		return lua_error(L);
	lua_pushboolean(L, 0);
	lua_insert(L, -2);
	return 2;
}

/* ---- what the sandbox installs ---- */

/* Each replaces the function of that name, which it gets as upvalue 1. */
const luaL_Reg up_string_guards[] = {
	{"find", str_find},     {"match", str_match}, {"gmatch", str_gmatch},
	{"gsub", str_gsub},     {"rep", str_rep},     {"byte", sized},
	{"char", sized},        {"format", str_format},    {"lower", scans},
	{"upper", scans},       {"reverse", scans},   {"sub", sized},
	{"pack", sized},        {"packsize", scans},  {"unpack", sized},
	{NULL, NULL}};
const luaL_Reg up_table_guards[] = {
	{"concat", tconcat}, {"insert", tinsert}, {"remove", tremove},
	{"move", tmove},     {"unpack", tunpack}, {"pack", sized},
	{"sort", tsort},     {NULL, NULL}};
const luaL_Reg up_utf8_guards[] = {
	{"char", sized}, {"codepoint", sized}, {"len", scans},
	{"offset", scans}, {NULL, NULL}};
const luaL_Reg up_base_guards[] = {
	{"tonumber", scans}, {"xpcall", safe_xpcall}, {NULL, NULL}};
