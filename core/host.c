/*
 * host.c: the Lua sandbox, the security boundary between the core and rule
 * code that may come from outside the organisation.
 *
 * One lua_State per rule file, so a file that hoards memory or corrupts its
 * own globals harms only its own rules.  Each state has a capped allocator;
 * each rule call an instruction budget enforced by a count hook that, once
 * tripped, fires on every instruction so pcall inside the rule cannot
 * swallow the kill, and a deadline that a timer enforces between any two
 * instructions.  Library functions that work in C charge that work as
 * they go (host_lib.c).  Rules see a read-only base environment built
 * from an allow-list and a private _ENV per file.
 */
#define _GNU_SOURCE /* SIGEV_THREAD_ID and gettid: a timer per thread */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "host_priv.h"

#if LUA_VERSION_NUM != 504
#error "uptake's sandbox is written for Lua 5.4"
#endif

static up_sandbox *sb_of(lua_State *L)
{
	return *(up_sandbox **)lua_getextraspace(L);
}

/* STEP_BATCH: work counted in C (up_sandbox_step) is charged, and the
 * clock read, this many steps at a time. */
enum { HOOK_STEP = 1000, STEP_BATCH = 1024, STEP_BYTES = 1024,
       MAX_MESSAGE = 2000,
       EVIDENCE_DEPTH = 16, EVIDENCE_ITEMS = 10000,
       EVIDENCE_BYTES = 64 << 10 };

int up_sandbox_bench_unbounded;

extern const char up_lua_prelude[];
extern const size_t up_lua_prelude_len;

/* Lua's own; pairs, next, tostring and setmetatable are the sandbox's. */
static const char *const base_allowed[] = {
	"assert", "error", "getmetatable", "ipairs", "pcall", "rawequal",
	"rawget", "rawlen", "select", "tonumber", "type", "xpcall",
	"_VERSION"};

/* ---- limits ---- */

/*
 * Every block starts HDR bytes before what Lua gets; a table's or a
 * function's header holds its serial, the order it was made in.  Lua
 * tells the allocator what it makes (osize is the type when ptr is NULL)
 * and lua_topointer() of a table or closure is its block, so the sandbox
 * can order such keys and name such values the same in every run, where
 * their addresses differ (ASLR).  setup_p() checks that it reads them
 * right before it uses them.
 */
enum { HDR = _Alignof(max_align_t) > 8 ? _Alignof(max_align_t) : 8 };

/* The cap counts what Lua asks for; a free never fails (HAProxy's rule). */
static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	up_sandbox *sb = ud;
	char *raw = ptr ? (char *)ptr - HDR : NULL;
	size_t kind = ptr ? 0 : osize;
	if (!ptr)
		osize = 0;
	if (nsize == 0) {
		free(raw);
		sb->mem -= osize;
		return NULL;
	}
	if (nsize > osize && (sb->mem + (nsize - osize) > sb->limit ||
			      nsize > SIZE_MAX - HDR)) {
		/* The heap holds what earlier calls left too: Lua collects
		 * all of it and asks once more when refused, so only a second
		 * refusal in a row is the rule's own doing. */
		if (sb->in_call && !sb->mem_tripped && sb->refused++) {
			sb->mem_tripped = 1;
			lua_sethook(sb->L, up_sandbox_hook, LUA_MASKCOUNT, 1);
		}
		return NULL;
	}
	char *np = realloc(raw, nsize + HDR);
	if (!np)
		return NULL;
	sb->refused = 0;
	if (!raw) {
		unsigned long long serial = kind == LUA_TTABLE ||
			kind == LUA_TFUNCTION ? ++sb->serial : 0;
		memcpy(np, &serial, sizeof serial);
	}
	sb->mem = sb->mem - osize + nsize;
	if (sb->mem > sb->peak)
		sb->peak = sb->mem;
	return np + HDR;
}

static long long clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The coarse monotonic clock is read from the vDSO in a few
 * nanoseconds, cheap enough for every hook and every batch of C work; it
 * may lag the precise one by a tick (a few ms). */
static long long coarse_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC_COARSE);
}

/* Stops the rule for good: from now on every instruction raises.  AR is
 * the frame to blame, or NULL for the innermost one with a line. */
/* Names where a limit tripped: the innermost line of a rule file, so a
 * limit hit inside a prelude helper points at the rule that called it;
 * else the innermost line at all (AR, from a hook, when given). */
static void trip(lua_State *L, up_sandbox *sb, int *flag, lua_Debug *ar)
{
	lua_Debug here, first;
	int found = 0, have_first = 0;
	*flag = 1;
	for (int level = 0; !found && lua_getstack(L, level, &here); level++) {
		if (!lua_getinfo(L, "Sl", &here) || here.currentline <= 0)
			continue;
		if (!have_first) {
			first = here;
			have_first = 1;
		}
		found = strcmp(here.source, "@lua/prelude.lua") != 0;
	}
	if (!found && ar && lua_getinfo(L, "Sl", ar)) {
		here = *ar;
		found = 1;
	}
	if (!found && have_first) {
		here = first;
		found = 1;
	}
	if (found)
		snprintf(sb->trip_where, sizeof sb->trip_where, "%s:%d",
			 here.short_src, here.currentline);
	lua_sethook(L, up_sandbox_hook, LUA_MASKCOUNT, 1);
}

static int tripped(const up_sandbox *sb)
{
	return sb->insn_tripped || sb->mem_tripped || sb->time_tripped;
}

static int past_deadline(const up_sandbox *sb)
{
	return sb->time_up || coarse_ns() > sb->deadline;
}

/* ---- the deadline ---- */

/*
 * Each rule call has a deadline on the monotonic clock.  The count hook
 * reads the clock every HOOK_STEP instructions and C work counted in
 * host_lib.c at every batch, but one VM instruction can itself take a
 * while (comparing two 30 MB strings, a call with half a million
 * arguments), so a one-shot POSIX timer also raises SIGALRM at the
 * deadline, and its handler does what lua.c does for Ctrl-C: it sets a
 * count hook of 1 (lua_sethook may be called from a signal handler), so
 * the very next instruction stops the rule.
 *
 * The timer is not set and cleared around each call, which would be two
 * system calls for a rule that takes a microsecond: one expiry stays
 * pending, and when it fires during a later call whose deadline is still
 * ahead the handler moves it there; when no call runs, it does nothing.
 * SIGALRM is taken only while sandboxes are open and only if nothing else
 * in the process handles it; otherwise the clock checks alone stand.
 *
 * A cycle judges in two threads (cycle.c), each with its own sandboxes:
 * the handler is the process's, but each thread has its own timer, which
 * signals that thread alone, and its own call in progress, so the
 * handler stops the rule of the thread it interrupted.  The thread-local
 * state is written before any timer exists, so the handler never makes
 * the first access to it.
 */
static struct {
	pthread_mutex_t lock;
	int users; /* threads with sandboxes open */
	int ours;  /* the handler is in place */
	struct sigaction old;
} wd_proc = {.lock = PTHREAD_MUTEX_INITIALIZER};

static _Thread_local struct {
	int users; /* sandboxes open in this thread */
	int proc;  /* this thread counts among wd_proc's users */
	int ready; /* this thread's timer is in place */
	timer_t timer;
	volatile sig_atomic_t pending; /* an expiry is scheduled ... */
	volatile long long when;       /* ... at this time */
} wd;
/* the call in progress in this thread, if any */
static _Thread_local up_sandbox *volatile wd_call;

static void wd_schedule(long long when)
{
	struct itimerspec its;
	memset(&its, 0, sizeof its);
	its.it_value.tv_sec = (time_t)(when / 1000000000LL);
	its.it_value.tv_nsec = (long)(when % 1000000000LL);
	if (timer_settime(wd.timer, TIMER_ABSTIME, &its, NULL) == 0) {
		wd.when = when;
		wd.pending = 1;
	}
}

static void wd_fire(int sig)
{
	int saved = errno;
	(void)sig;
	wd.pending = 0;
	up_sandbox *sb = wd_call;
	if (sb && clock_ns(CLOCK_MONOTONIC) >= sb->deadline) {
		sb->time_up = 1;
		lua_sethook(sb->L, up_sandbox_hook, LUA_MASKCOUNT, 1);
	} else if (sb) {
		wd_schedule(sb->deadline);
	}
	errno = saved;
}

/* The first thread to open a sandbox puts the handler in place, unless
 * SIGALRM is someone else's; returns whether it is ours. */
static int wd_proc_open(void)
{
	pthread_mutex_lock(&wd_proc.lock);
	if (wd_proc.users++ == 0) {
		struct sigaction cur, sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = wd_fire;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;
		wd_proc.ours = sigaction(SIGALRM, NULL, &cur) == 0 &&
			!(cur.sa_flags & SA_SIGINFO) &&
			cur.sa_handler == SIG_DFL &&
			sigaction(SIGALRM, &sa, &wd_proc.old) == 0;
	}
	int ours = wd_proc.ours;
	pthread_mutex_unlock(&wd_proc.lock);
	return ours;
}

/* The last thread to close its sandboxes gives SIGALRM back: its timer
 * is gone by then, and an expiry it had due was delivered, to us. */
static void wd_proc_close(void)
{
	pthread_mutex_lock(&wd_proc.lock);
	if (--wd_proc.users == 0 && wd_proc.ours) {
		sigaction(SIGALRM, &wd_proc.old, NULL);
		wd_proc.ours = 0;
	}
	pthread_mutex_unlock(&wd_proc.lock);
}

static void wd_open(void)
{
	if (wd.users++ || up_sandbox_bench_unbounded)
		return;
	wd_call = NULL;
	wd.pending = 0;
	wd.proc = 1;
	if (!wd_proc_open())
		return;
	struct sigevent sev;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev._sigev_un._tid = gettid(); /* glibc names it no other way */
	wd.ready = timer_create(CLOCK_MONOTONIC, &sev, &wd.timer) == 0;
}

/* What wd_open did, undone by what it recorded (a benchmark may change
 * up_sandbox_bench_unbounded between the two). */
static void wd_close(void)
{
	if (--wd.users > 0)
		return;
	if (wd.ready)
		timer_delete(wd.timer);
	wd.ready = 0;
	wd.pending = 0;
	if (wd.proc)
		wd_proc_close();
	wd.proc = 0;
}

/* The call SB starts: the handler may look at it from now on. */
static void wd_arm(up_sandbox *sb)
{
	if (!wd.ready || !sb->time_ns)
		return;
	atomic_signal_fence(memory_order_seq_cst);
	wd_call = sb;
	atomic_signal_fence(memory_order_seq_cst);
	if (!wd.pending || wd.when > sb->deadline)
		wd_schedule(sb->deadline);
}

static void wd_disarm(void)
{
	wd_call = NULL;
	atomic_signal_fence(memory_order_seq_cst);
}

/* ---- line coverage, for pack tests ---- */

/* The chunk name of a function's source, without its '@', or NULL. */
static const char *cov_file(const lua_Debug *ar)
{
	return ar->source && ar->source[0] == '@' ? ar->source + 1 : NULL;
}

static json_t *cov_lines_of(json_t *cov, const char *file)
{
	json_t *lines = json_object_get(cov, file);
	if (!lines) {
		lines = json_object();
		json_object_set_new(cov, file, lines);
	}
	return lines;
}

static void cov_hit(lua_State *L, up_sandbox *sb, lua_Debug *ar)
{
	const char *file;
	char key[16];
	if (!lua_getinfo(L, "S", ar) || !(file = cov_file(ar)))
		return;
	snprintf(key, sizeof key, "%d", ar->currentline);
	json_object_set_new(cov_lines_of(sb->h->p->coverage, file), key,
			    json_true());
}

/* Marks the lines of the Lua function at FN as lines that can run. */
static void cov_lines(lua_State *L, json_t *cov, int fn)
{
	lua_Debug ar;
	lua_pushvalue(L, fn);
	lua_getinfo(L, ">SL", &ar); /* pushes the table of active lines */
	const char *file = cov_file(&ar);
	json_t *lines = file ? cov_lines_of(cov, file) : NULL;
	for (lua_pushnil(L); lines && lua_next(L, -2); lua_pop(L, 1)) {
		char key[24];
		snprintf(key, sizeof key, "%lld",
			 (long long)lua_tointeger(L, -2));
		if (!json_object_get(lines, key))
			json_object_set_new(lines, key, json_false());
	}
	lua_settop(L, fn);
}

/*
 * [-1, +0, m] Marks the lines of the function at the top, and of every
 * Lua function it reaches through upvalues, as lines that can run; SEEN
 * is a table of the functions done.  A work list in a Lua table, not C
 * recursion: a chain of closures as long as memory allows cannot
 * overflow the C stack.
 */
static void cov_function(lua_State *L, json_t *cov, int seen)
{
	if (!lua_checkstack(L, 8)) {
		lua_pop(L, 1);
		return;
	}
	lua_newtable(L); /* the functions still to do, as a stack */
	int work = lua_gettop(L);
	lua_insert(L, work - 1); /* under the first function */
	work--;
	lua_rawseti(L, work, 1);
	lua_Integer n = 1;
	while (n > 0) {
		lua_rawgeti(L, work, n);
		lua_pushnil(L);
		lua_rawseti(L, work, n--);
		int fn = lua_gettop(L);
		lua_pushvalue(L, fn);
		int done = lua_rawget(L, seen) != LUA_TNIL;
		lua_pop(L, 1);
		if (done || lua_iscfunction(L, fn)) {
			lua_pop(L, 1);
			continue;
		}
		lua_pushvalue(L, fn);
		lua_pushboolean(L, 1);
		lua_rawset(L, seen);
		cov_lines(L, cov, fn);
		for (int i = 1; lua_getupvalue(L, fn, i); i++) {
			if (lua_type(L, -1) == LUA_TFUNCTION &&
			    !lua_iscfunction(L, -1))
				lua_rawseti(L, work, ++n);
			else
				lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1); /* the work list */
}

/* [-1, +0, m] cov_function with a fresh table of functions seen. */
static void cov_root(lua_State *L, json_t *cov)
{
	lua_newtable(L);
	lua_insert(L, -2);
	cov_function(L, cov, lua_gettop(L) - 1);
	lua_pop(L, 1);
}

static int cover_p(lua_State *L)
{
	cov_root(L, sb_of(L)->h->p->coverage);
	return 0;
}

void up_sandbox_cover(up_sandbox *sb, int ref)
{
	if (!sb->h->p->coverage || !lua_checkstack(sb->L, 8))
		return;
	lua_pushcfunction(sb->L, cover_p);
	lua_rawgeti(sb->L, LUA_REGISTRYINDEX, ref);
	if (lua_pcall(sb->L, 1, 0, 0) != LUA_OK)
		lua_pop(sb->L, 1); /* out of memory: fewer lines known */
}

/* ---- the hook ---- */

/* Counts instructions, and reads the clock for the deadline. */
void up_sandbox_hook(lua_State *L, lua_Debug *ar)
{
	up_sandbox *sb = *(up_sandbox **)lua_getextraspace(L);
	if (ar->event == LUA_HOOKLINE) {
		if (!tripped(sb))
			cov_hit(L, sb, ar);
		return;
	}
	if (!tripped(sb)) {
		sb->used += HOOK_STEP;
		if (sb->used >= sb->budget)
			trip(L, sb, &sb->insn_tripped, ar);
		else if (past_deadline(sb))
			trip(L, sb, &sb->time_tripped, ar);
		else
			return;
	}
	lua_pushliteral(L, "rule stopped by the sandbox");
	lua_error(L);
}

void up_sandbox_charge(lua_State *L, long long n)
{
	up_sandbox *sb = *(up_sandbox **)lua_getextraspace(L);
	if (!sb->in_call)
		return;
	if (!tripped(sb)) {
		sb->used += n;
		if (sb->used >= sb->budget)
			trip(L, sb, &sb->insn_tripped, NULL);
		else if (past_deadline(sb))
			trip(L, sb, &sb->time_tripped, NULL);
		else
			return;
	}
	luaL_error(L, "rule stopped by the sandbox");
}

void up_sandbox_step(lua_State *L, long long n)
{
	up_sandbox *sb = *(up_sandbox **)lua_getextraspace(L);
	sb->steps += n;
	if (sb->steps >= STEP_BATCH) {
		n = sb->steps;
		sb->steps = 0;
		up_sandbox_charge(L, n);
	}
}

int up_sandbox_stopped(lua_State *L)
{
	up_sandbox *sb = *(up_sandbox **)lua_getextraspace(L);
	return sb->in_call && (tripped(sb) || sb->time_up);
}

static void arm(up_sandbox *sb)
{
	/* memory_mb bounds what a call holds: garbage that earlier calls
	 * left goes first, since the buffers of Lua's own library functions
	 * (string.rep, table.concat) ask the allocator without the emergency
	 * collection Lua itself does when refused */
	if (sb->mem > sb->limit / 2)
		lua_gc(sb->L, LUA_GCCOLLECT, 0);
	sb->used = sb->steps = 0;
	sb->insn_tripped = sb->mem_tripped = sb->time_tripped = 0;
	sb->refused = sb->time_up = 0;
	sb->deadline = sb->time_ns ? coarse_ns() + sb->time_ns : LLONG_MAX;
	sb->trip_where[0] = '\0';
	sb->in_call = 1;
	lua_sethook(sb->L, up_sandbox_hook, LUA_MASKCOUNT |
		    (sb->h && sb->h->p->coverage ? LUA_MASKLINE : 0), HOOK_STEP);
	wd_arm(sb);
}

static void disarm(up_sandbox *sb)
{
	wd_disarm();
	lua_sethook(sb->L, NULL, 0, 0);
	sb->in_call = 0;
	if (tripped(sb))
		lua_gc(sb->L, LUA_GCCOLLECT, 0);
}

/* Keeps a string error as is; says what any other error object was. */
static int msgh(lua_State *L)
{
	if (lua_type(L, 1) != LUA_TSTRING)
		lua_pushfstring(L, "error object is a %s value",
				luaL_typename(L, 1));
	return 1;
}

size_t up_location_len(const char *m)
{
	const char *p = m;
	while (*p && *p != ':' && *p != ' ' && *p != '\n')
		p++;
	if (*p != ':' || p == m)
		return 0;
	const char *q = ++p;
	while (*q >= '0' && *q <= '9')
		q++;
	return q > p && q[0] == ':' && q[1] == ' ' ? (size_t)(q + 2 - m) : 0;
}

/*
 * Errors point at the rule: a message raised in the prelude (a bad format,
 * say) or without any location (error(msg, 0), a tail call) gets WHERE,
 * the rule's own file:line.
 */
static void locate(const char *m, const char *where, char *msg,
		   size_t msgsz)
{
	if (!m)
		m = "unknown error";
	size_t loc = up_location_len(m);
	if (loc && strncmp(m, "lua/prelude.lua:", 16) != 0)
		snprintf(msg, msgsz, "%s", m);
	else
		snprintf(msg, msgsz, "%s: %s", where, m + loc);
}

/*
 * Calls the function under NARGS arguments at the top in protected mode
 * with the budget armed.  On failure fills msg with a one-line message
 * carrying file:line (WHERE is the fallback location) and returns nonzero.
 */
int up_sandbox_call(up_sandbox *sb, int nargs, int nres, const char *where,
		    char *msg, size_t msgsz)
{
	lua_State *L = sb->L;
	int base = lua_gettop(L) - nargs;
	lua_pushcfunction(L, msgh);
	lua_insert(L, base);
	arm(sb);
	int status = lua_pcall(L, nargs, nres, base);
	int insn = sb->insn_tripped, mem = sb->mem_tripped;
	if (status != LUA_OK && sb->time_tripped)
		snprintf(msg, msgsz, "%s: time limit exceeded (%lld ms)",
			 sb->trip_where[0] ? sb->trip_where : where,
			 sb->time_ns / 1000000);
	else if (status != LUA_OK && insn)
		snprintf(msg, msgsz, "%s: instruction limit exceeded (%lld)",
			 sb->trip_where[0] ? sb->trip_where : where,
			 (long long)sb->budget);
	else if (status != LUA_OK && (mem || status == LUA_ERRMEM))
		snprintf(msg, msgsz, "%s: memory limit exceeded (%zu MiB)",
			 where, sb->limit >> 20);
	else if (status != LUA_OK)
		locate(lua_tostring(L, -1), where, msg, msgsz);
	lua_remove(L, base); /* the handler */
	if (status != LUA_OK)
		lua_settop(L, base - 1);
	disarm(sb);
	return status != LUA_OK;
}

/* ---- order and identity: what a rule sees is the same in every run ---- */

/*
 * Lua seeds its string hash per process (luai_makeseed mixes the time
 * and addresses) and hashes tables and functions by address, so the
 * stock next() and pairs() walk keys in an order that changes from run
 * to run, and tostring() of a table prints its address.  Rules get a
 * next() (and a pairs() built on it) that walks keys in order: numbers,
 * then strings bytewise, then false and true, then tables and functions
 * in the order they were made (Lua's own C functions first, by name);
 * and a tostring() that names a table or function by that order.
 */

/* A C function without upvalues: one of Lua's own (or the sandbox's),
 * which has no block of ours and so no serial. */
static int is_builtin(lua_State *L, int idx)
{
	if (!lua_iscfunction(L, idx))
		return 0;
	if (lua_getupvalue(L, idx, 1)) {
		lua_pop(L, 1);
		return 0;
	}
	return 1;
}

/* The serial of the table or function at IDX; 0 for anything else, for a
 * builtin, and before setup has checked that it reads serials right. */
static unsigned long long serial_of(lua_State *L, int idx)
{
	unsigned long long serial = 0;
	int t = lua_type(L, idx);
	if (sb_of(L)->serials_ok &&
	    (t == LUA_TTABLE || (t == LUA_TFUNCTION && !is_builtin(L, idx))))
		memcpy(&serial, (const char *)lua_topointer(L, idx) - HDR,
		       sizeof serial);
	return serial;
}

/* The index of the builtin at IDX among the builtins by name (1...),
 * pushing its name if NAME; 0 (and nothing pushed) if it is not one. */
static lua_Integer builtin_index(lua_State *L, int idx, int name)
{
	up_sandbox *sb = sb_of(L);
	if (sb->builtins_ref == LUA_NOREF || !is_builtin(L, idx))
		return 0;
	idx = lua_absindex(L, idx);
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->builtins_ref);
	lua_pushvalue(L, idx);
	lua_rawget(L, -2);
	lua_Integer ix = lua_tointeger(L, -1);
	lua_pop(L, 1);
	if (ix > 0 && name) {
		lua_rawgeti(L, -1, ix);
		lua_remove(L, -2);
	} else {
		lua_pop(L, 1);
	}
	return ix;
}

/* A key, described for comparing in C. */
typedef struct {
	union {
		lua_Integer i;
		lua_Number d;
		const char *s;
		unsigned long long u;
	} v;
	size_t len;        /* a string's length; for rank 3, its class */
	lua_Integer slot;  /* where the key is kept */
	unsigned char rank; /* 0 number, 1 string, 2 boolean, 3 the rest */
	unsigned char isint;
} key_desc;

/* Rank 3's classes: builtins by name, then what has a serial, by it, then
 * anything else (a coroutine, a userdata: no rule can make one) by
 * address, which at least keeps the order total. */
enum { K_BUILTIN, K_SERIAL, K_ADDRESS };

/* The key at IDX; a string's bytes stay valid while something holds it. */
static void describe(lua_State *L, int idx, key_desc *d)
{
	d->len = 0;
	d->isint = 0;
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		d->rank = 0;
		d->isint = (unsigned char)lua_isinteger(L, idx);
		if (d->isint)
			d->v.i = lua_tointeger(L, idx);
		else
			d->v.d = lua_tonumber(L, idx);
		break;
	case LUA_TSTRING:
		d->rank = 1;
		d->v.s = lua_tolstring(L, idx, &d->len);
		break;
	case LUA_TBOOLEAN:
		d->rank = 2;
		d->v.u = (unsigned long long)lua_toboolean(L, idx);
		break;
	default: {
		unsigned long long serial = serial_of(L, idx);
		lua_Integer b;
		d->rank = 3;
		if (serial) {
			d->len = K_SERIAL;
			d->v.u = serial;
		} else if ((b = builtin_index(L, idx, 0)) > 0) {
			d->len = K_BUILTIN;
			d->v.u = (unsigned long long)b;
		} else {
			d->len = K_ADDRESS;
			d->v.u = (uintptr_t)lua_topointer(L, idx);
		}
	}
	}
}

/* An integer against a float, exactly, as Lua compares them. */
static int int_flt_cmp(lua_Integer i, lua_Number f)
{
	if (i >= -((lua_Integer)1 << 53) && i <= ((lua_Integer)1 << 53)) {
		lua_Number x = (lua_Number)i;
		return (x > f) - (x < f);
	}
	if (f >= 9223372036854775808.0)
		return -1;
	if (f < -9223372036854775808.0)
		return 1;
	lua_Number fl = floor(f);
	lua_Integer fi = (lua_Integer)fl;
	if (i != fi)
		return i < fi ? -1 : 1;
	return fl < f ? -1 : 0;
}

static int num_cmp(const key_desc *a, const key_desc *b)
{
	if (a->isint && b->isint)
		return (a->v.i > b->v.i) - (a->v.i < b->v.i);
	if (!a->isint && !b->isint)
		return (a->v.d > b->v.d) - (a->v.d < b->v.d);
	return a->isint ? int_flt_cmp(a->v.i, b->v.d)
			: -int_flt_cmp(b->v.i, a->v.d);
}

static int key_cmp(const key_desc *a, const key_desc *b)
{
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->rank == 0)
		return num_cmp(a, b);
	if (a->rank == 1) {
		int c = memcmp(a->v.s, b->v.s, a->len < b->len ? a->len
							       : b->len);
		if (c)
			return c < 0 ? -1 : 1;
	}
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->rank == 1 ? 0 : (a->v.u > b->v.u) - (a->v.u < b->v.u);
}

static int key_qsort_cmp(const void *a, const void *b)
{
	return key_cmp(a, b);
}

int up_sandbox_key_before(lua_State *L, int a, int b)
{
	key_desc da, db;
	describe(L, a, &da);
	describe(L, b, &db);
	return key_cmp(&da, &db) < 0;
}

/* A comparison the rule pays for: a step, and one more for each
 * STEP_BYTES of two strings compared. */
static int desc_less(lua_State *L, const key_desc *a, const key_desc *b)
{
	long long cost = 1;
	if (a->rank == 1 && b->rank == 1)
		cost += (long long)((a->len < b->len ? a->len : b->len) /
				    STEP_BYTES);
	up_sandbox_step(L, cost);
	return key_cmp(a, b) < 0;
}

static void desc_swap(key_desc *a, key_desc *b)
{
	key_desc t = *a;
	*a = *b;
	*b = t;
}

static void sift_down(lua_State *L, key_desc *d, size_t i, size_t n)
{
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && desc_less(L, &d[c], &d[c + 1]))
			c++;
		if (!desc_less(L, &d[i], &d[c]))
			return;
		desc_swap(&d[i], &d[c]);
		i = c;
	}
}

/* Heapsort: in place, so sorting costs no memory beyond the
 * descriptions, and the keys are distinct, so stability is moot. */
static void sort_descs(lua_State *L, key_desc *d, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(L, d, i, n);
	for (size_t end = n; end-- > 1;) {
		desc_swap(&d[0], &d[end]);
		sift_down(L, d, 0, end);
	}
}

/* Tables of at most this many keys are sorted on the C stack, the keys
 * held on Lua's, with no allocation but the result. */
enum { SMALL_WALK = 32 };

/* Sorts N descriptions: a few by binary insertion, many by heapsort
 * unless they are in order already (an array's keys, which lua_next()
 * gives in order). */
static void sort_keys(lua_State *L, key_desc *d, size_t n)
{
	if (n > SMALL_WALK) {
		size_t i = 1;
		while (i < n && desc_less(L, &d[i - 1], &d[i]))
			i++;
		if (i < n)
			sort_descs(L, d, n);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		if (!desc_less(L, &d[i], &d[i - 1]))
			continue;
		key_desc x = d[i];
		size_t lo = 0, hi = i - 1; /* x goes before d[hi] */
		while (lo < hi) {
			size_t m = lo + (hi - lo) / 2;
			if (desc_less(L, &x, &d[m]))
				hi = m;
			else
				lo = m + 1;
		}
		memmove(&d[lo + 1], &d[lo], (i - lo) * sizeof *d);
		d[lo] = x;
	}
}

/* [-0, +1, m] A new table of the keys of the table at T, in key order,
 * at 1..n; returns n.  Charged: a step a key and a step a comparison. */
static lua_Integer push_sorted_keys(lua_State *L, int t)
{
	t = lua_absindex(L, t);
	lua_Integer n = 0;
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		n++;
	}
	up_sandbox_step(L, n);
	if (n <= SMALL_WALK && lua_checkstack(L, SMALL_WALK + 4)) {
		key_desc d[SMALL_WALK];
		int base = lua_gettop(L), i = 0;
		lua_pushnil(L);
		while (lua_next(L, t)) { /* each key kept below the walk's */
			lua_pop(L, 1);
			lua_pushvalue(L, -1);
			lua_insert(L, -2);
			describe(L, -2, &d[i]);
			d[i].slot = base + 1 + i;
			i++;
		}
		sort_keys(L, d, (size_t)n);
		lua_createtable(L, (int)n, 0);
		for (i = 0; i < n; i++) {
			lua_pushvalue(L, (int)d[i].slot);
			lua_rawseti(L, -2, i + 1);
		}
		lua_replace(L, base + 1);
		lua_settop(L, base + 1);
		return n;
	}
	lua_createtable(L, (int)(n < INT_MAX ? n : 0), 0);
	int keys = lua_gettop(L);
	lua_Integer i = 0;
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		lua_pushvalue(L, -1);
		lua_rawseti(L, keys, ++i);
	}
	key_desc *d = lua_newuserdatauv(L, (size_t)n * sizeof *d, 0);
	for (i = 0; i < n; i++) {
		lua_rawgeti(L, keys, i + 1);
		describe(L, -1, &d[i]); /* the keys table holds its string */
		d[i].slot = i + 1;
		lua_pop(L, 1);
	}
	sort_keys(L, d, (size_t)n);
	/* keys[i] = old keys[d[i - 1].slot], one cycle of the permutation
	 * at a time (slot 0: done) */
	for (i = 1; i <= n; i++) {
		if (d[i - 1].slot == 0 || d[i - 1].slot == i)
			continue;
		lua_rawgeti(L, keys, i);
		for (lua_Integer j = i;;) {
			lua_Integer k = d[j - 1].slot;
			d[j - 1].slot = 0;
			if (k == i) {
				lua_rawseti(L, keys, j);
				break;
			}
			lua_rawgeti(L, keys, k);
			lua_rawseti(L, keys, j);
			j = k;
		}
	}
	lua_pop(L, 1); /* the descriptions */
	return n;
}

/* How many of keys[1..n] (at KEYS) are at most the key at K. */
static lua_Integer keys_upto(lua_State *L, int keys, lua_Integer n, int k)
{
	key_desc want, mid;
	lua_Integer lo = 0, hi = n; /* keys[1..lo] <= k < keys[hi+1..n] */
	describe(L, k, &want);
	while (lo < hi) {
		lua_Integer m = lo + (hi - lo + 1) / 2;
		lua_rawgeti(L, keys, m);
		describe(L, -1, &mid);
		int le = !desc_less(L, &want, &mid);
		lua_pop(L, 1);
		if (le)
			lo = m;
		else
			hi = m - 1;
	}
	return lo;
}

static int ro_newindex(lua_State *L);

/* If the table at IDX is a read-only proxy, replaces it there with the
 * table it hides. */
static void see_through(lua_State *L, int idx)
{
	if (!lua_getmetatable(L, idx))
		return;
	lua_pushliteral(L, "__newindex");
	lua_rawget(L, -2);
	int proxy = lua_tocfunction(L, -1) == ro_newindex;
	lua_pop(L, 1);
	if (proxy) {
		lua_pushliteral(L, "__index");
		lua_rawget(L, -2);
		lua_replace(L, idx);
	}
	lua_pop(L, 1);
}

/* A walk in progress: its keys (user value 1) and where it is. */
typedef struct {
	lua_Integer n;  /* how many keys; -1 between walks */
	lua_Integer at; /* the position of the key last returned */
} walk;

/*
 * next(t [, k]): the first key after K in key order, and its value.
 * next(t) starts a walk: the keys of t, sorted, kept for t in a weak
 * table.  next(t, k) goes on from k, found at once when it is the key
 * the walk gave last (a loop), else by bisection, so a whole walk costs
 * one sort and constant work a key.  A walk sees the keys t had when it
 * started: keys set to nil since are skipped (Lua allows that), keys
 * added are not seen (Lua leaves that undefined).  A K that t does not
 * hold gives the first key after it.  A read-only proxy (ctx and its
 * tables) walks the table it hides.
 */
static int sandbox_next(lua_State *L)
{
	up_sandbox *sb = sb_of(L);
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 2);
	see_through(L, 1);
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->walks_ref); /* 3 */
	lua_pushvalue(L, 1);
	lua_rawget(L, 3); /* 4: the table's walk, or nil */
	walk *w = lua_touserdata(L, 4);
	lua_Integer at = -1;
	if (w && w->n >= 0 && !lua_isnil(L, 2)) { /* going on */
		lua_getiuservalue(L, 4, 1); /* 5: its keys */
		if (w->at >= 1 && w->at <= w->n &&
		    (lua_rawgeti(L, 5, w->at), lua_rawequal(L, -1, 2)))
			at = w->at;
		lua_settop(L, 5);
		if (at < 0)
			at = keys_upto(L, 5, w->n, 2);
	} else { /* a new walk, in the table's walk if it has one */
		if (!w) {
			lua_settop(L, 3);
			w = lua_newuserdatauv(L, sizeof *w, 1); /* 4 */
			w->n = -1;
			lua_pushvalue(L, 1);
			lua_pushvalue(L, 4);
			lua_rawset(L, 3);
		}
		w->n = push_sorted_keys(L, 1); /* 5 */
		w->at = 0;
		lua_pushvalue(L, 5);
		lua_setiuservalue(L, 4, 1);
		at = lua_isnil(L, 2) ? 0 : keys_upto(L, 5, w->n, 2);
	}
	for (lua_Integer i = at + 1; i <= w->n; i++) {
		lua_rawgeti(L, 5, i);
		lua_pushvalue(L, -1);
		if (lua_rawget(L, 1) != LUA_TNIL) {
			w->at = i;
			return 2;
		}
		lua_pop(L, 2);
		up_sandbox_step(L, 1);
	}
	/* the walk is over: its keys can go, the walk stays for the next
	 * one (the weak table drops it with the table) */
	w->n = -1;
	lua_pushnil(L);
	lua_setiuservalue(L, 4, 1);
	lua_pushnil(L);
	return 1;
}

/* pairs(t): t's __pairs if it has one, else next, t, nil. */
static int sandbox_pairs(lua_State *L)
{
	if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
		lua_pushvalue(L, 1);
		lua_call(L, 1, 3);
		return 3;
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_pushcfunction(L, sandbox_next);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

const char *up_sandbox_tolstring(lua_State *L, int idx, size_t *len)
{
	idx = lua_absindex(L, idx);
	if (luaL_callmeta(L, idx, "__tostring")) {
		if (!lua_isstring(L, -1))
			luaL_error(L, "'__tostring' must return a string");
		return lua_tolstring(L, -1, len);
	}
	switch (lua_type(L, idx)) {
	case LUA_TNIL: case LUA_TBOOLEAN: case LUA_TNUMBER: case LUA_TSTRING:
		return luaL_tolstring(L, idx, len);
	default:
		break;
	}
	int tt = luaL_getmetafield(L, idx, "__name");
	const char *kind = tt == LUA_TSTRING ? lua_tostring(L, -1)
					     : luaL_typename(L, idx);
	unsigned long long serial = serial_of(L, idx);
	if (serial) {
		lua_pushfstring(L, "%s: #%I", kind, (LUAI_UACINT)serial);
	} else if (builtin_index(L, idx, 1)) {
		lua_pushfstring(L, "%s: builtin: %s", kind, lua_tostring(L, -1));
		lua_remove(L, -2);
	} else {
		lua_pushfstring(L, "%s: %p", kind, lua_topointer(L, idx));
	}
	if (tt != LUA_TNIL)
		lua_remove(L, -2);
	return lua_tolstring(L, -1, len);
}

static int sandbox_tostring(lua_State *L)
{
	luaL_checkany(L, 1);
	up_sandbox_tolstring(L, 1, NULL);
	return 1;
}

/* [-0, +0, m] Numbers the builtins a rule can reach (base and library
 * functions without upvalues) by their names' order: registry table
 * function -> index, index -> "name" or "lib.name". */
static void number_builtins(lua_State *L, int base)
{
	up_sandbox *sb = sb_of(L);
	luaL_checkstack(L, 24, "builtins");
	lua_newtable(L); /* name -> function */
	int byname = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, base)) {
		if (lua_type(L, -2) != LUA_TSTRING) {
			lua_pop(L, 1);
			continue;
		}
		if (lua_type(L, -1) == LUA_TFUNCTION) {
			if (is_builtin(L, -1)) {
				lua_pushvalue(L, -2);
				lua_pushvalue(L, -2);
				lua_rawset(L, byname);
			}
		} else if (lua_type(L, -1) == LUA_TTABLE) {
			see_through(L, lua_gettop(L));
			int lib = lua_gettop(L);
			lua_pushnil(L);
			while (lua_next(L, lib)) {
				if (lua_type(L, -2) == LUA_TSTRING &&
				    lua_type(L, -1) == LUA_TFUNCTION &&
				    is_builtin(L, -1)) {
					lua_pushfstring(L, "%s.%s",
							lua_tostring(L, lib - 1),
							lua_tostring(L, -2));
					lua_pushvalue(L, -2);
					lua_rawset(L, byname);
				}
				lua_pop(L, 1);
			}
		}
		lua_pop(L, 1);
	}
	/* the iterators some of them return */
	static const struct {
		const char *lib, *fn, *name;
		int lax;
	} iters[] = {{NULL, "ipairs", "ipairs.iterator", 0},
		     {"utf8", "codes", "utf8.codes.iterator", 0},
		     {"utf8", "codes", "utf8.codes.lax_iterator", 1}};
	for (size_t i = 0; i < UP_COUNTOF(iters); i++) {
		lua_getfield(L, base, iters[i].lib ? iters[i].lib
						   : iters[i].fn);
		if (iters[i].lib)
			lua_getfield(L, -1, iters[i].fn);
		if (iters[i].lib)
			lua_pushliteral(L, "");
		else
			lua_newtable(L);
		lua_pushboolean(L, iters[i].lax);
		lua_call(L, 2, 1);
		if (is_builtin(L, -1)) {
			lua_pushstring(L, iters[i].name);
			lua_insert(L, -2);
			lua_rawset(L, byname);
		}
		lua_settop(L, byname);
	}
	lua_Integer n = push_sorted_keys(L, byname);
	int names = lua_gettop(L);
	lua_newtable(L);
	int reg = lua_gettop(L);
	for (lua_Integer i = 1, ix = 0; i <= n; i++) {
		lua_rawgeti(L, names, i);
		lua_pushvalue(L, -1);
		lua_rawget(L, byname); /* name, function */
		lua_pushvalue(L, -1);
		if (lua_rawget(L, reg) == LUA_TNIL) { /* first name wins */
			lua_pushvalue(L, -2);
			lua_pushinteger(L, ++ix);
			lua_rawset(L, reg);
			lua_pushvalue(L, -3);
			lua_rawseti(L, reg, ix);
		}
		lua_pop(L, 3);
	}
	sb->builtins_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pop(L, 2);
}

/* [-0, +0, m] Whether the serials read back as sb_alloc wrote them: a
 * table and a closure just made carry the latest two. */
static int serials_readable(lua_State *L)
{
	up_sandbox *sb = sb_of(L);
	unsigned long long t, f;
	sb->serials_ok = 1;
	lua_newtable(L);
	t = sb->serial;
	lua_pushcclosure(L, sandbox_tostring, 1);
	f = sb->serial;
	int ok = t && f == t + 1 && serial_of(L, -1) == f;
	lua_getupvalue(L, -1, 1);
	ok = ok && serial_of(L, -1) == t;
	lua_pop(L, 2);
	sb->serials_ok = ok;
	return ok;
}

/* ---- the base environment ---- */

static int ro_newindex(lua_State *L)
{
	return luaL_error(L, "attempt to modify a read-only table");
}

static int ro_len(lua_State *L)
{
	lua_getmetatable(L, 1);
	lua_getfield(L, -1, "__index");
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
	return 1;
}

/* pairs() on a read-only proxy: next() walks the hidden table, never
 * hands it out. */
static int ro_pairs(lua_State *L)
{
	lua_pushcfunction(L, sandbox_next);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

void up_sandbox_unwrap(lua_State *L)
{
	if (!lua_istable(L, -1) || !lua_getmetatable(L, -1))
		return;
	lua_getfield(L, -1, "__newindex");
	int proxy = lua_tocfunction(L, -1) == ro_newindex;
	lua_pop(L, 1);
	if (proxy) {
		lua_getfield(L, -1, "__index");
		lua_replace(L, -3);
	}
	lua_pop(L, 1);
}

/* Replaces the table at the top with a read-only proxy of it. */
void up_sandbox_readonly(lua_State *L)
{
	lua_newtable(L);             /* proxy */
	lua_createtable(L, 0, 5);    /* metatable */
	lua_pushvalue(L, -3);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, ro_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, ro_pairs);
	lua_setfield(L, -2, "__pairs");
	lua_pushcfunction(L, ro_len);
	lua_setfield(L, -2, "__len");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_remove(L, -2);
}

static void open_lib(lua_State *L, const char *name, lua_CFunction open,
		     const char *const *drop, const luaL_Reg *guards, int base)
{
	luaL_requiref(L, name, open, 0);
	for (; drop && *drop; drop++) {
		lua_pushnil(L);
		lua_setfield(L, -2, *drop);
	}
	/* Guards go into the real table: strings reach it as methods. */
	for (; guards && !up_sandbox_bench_unbounded && guards->name;
	     guards++) {
		lua_getfield(L, -1, guards->name);
		lua_pushcclosure(L, guards->func, 1);
		lua_setfield(L, -2, guards->name);
	}
	up_sandbox_readonly(L);
	lua_setfield(L, base, name);
}

/* string.dump makes bytecode; math.random would make cycles differ. */
static const char *const string_drop[] = {"dump", NULL};
static const char *const math_drop[] = {"random", "randomseed", NULL};

/*
 * setmetatable without __gc: a finalizer runs at collection or lua_close,
 * outside any rule call and its budget, so one loop in it would hang the
 * host.  Lua only marks an object for finalization if __gc is present
 * when the metatable is set, so checking here (raw, as Lua does) is enough.
 */
static int safe_setmetatable(lua_State *L)
{
	int t = lua_type(L, 2);
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2,
			 "nil or table");
	if (t == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return luaL_error(L, "__gc metamethods are not allowed "
					  "in rules");
		lua_pop(L, 1);
	}
	if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
		return luaL_error(L, "cannot change a protected metatable");
	lua_settop(L, 2);
	lua_setmetatable(L, 1);
	return 1;
}

static void build_base(lua_State *L)
{
	lua_newtable(L);
	int base = lua_gettop(L);
	luaL_requiref(L, "_G", luaopen_base, 0);
	for (size_t i = 0; i < UP_COUNTOF(base_allowed); i++) {
		lua_getfield(L, -1, base_allowed[i]);
		lua_setfield(L, base, base_allowed[i]);
	}
	static const luaL_Reg own[] = {
		{"setmetatable", safe_setmetatable}, {"pairs", sandbox_pairs},
		{"next", sandbox_next}, {"tostring", sandbox_tostring},
		{NULL, NULL}};
	for (const luaL_Reg *f = own; f->name; f++) {
		lua_pushcfunction(L, f->func);
		lua_setfield(L, base, f->name);
	}
	for (const luaL_Reg *g = up_base_guards;
	     !up_sandbox_bench_unbounded && g->name; g++) {
		lua_getfield(L, base, g->name);
		lua_pushcclosure(L, g->func, 1);
		lua_setfield(L, base, g->name);
	}
	/* Empty the real globals: nothing reaches them, but leave nothing. */
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pop(L, 1);
		lua_pushvalue(L, -1);
		lua_pushnil(L);
		lua_rawset(L, -4);
	}
	lua_pop(L, 1);
	open_lib(L, "string", luaopen_string, string_drop, up_string_guards,
		 base);
	open_lib(L, "table", luaopen_table, NULL, up_table_guards, base);
	open_lib(L, "math", luaopen_math, math_drop, NULL, base);
	open_lib(L, "utf8", luaopen_utf8, NULL, up_utf8_guards, base);
	/* Strings share one metatable whose __index is the real string
	 * library; hide it so no rule can reach or change it. */
	lua_pushliteral(L, "");
	lua_getmetatable(L, -1);
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 2);
}

/*
 * What a rule calls of the prelude is this C function around the Lua one
 * (upvalue 1).  A result it returns gets "at", the line of the rule that
 * called it: a C function keeps its caller's frame even when called as
 * `return pass(...)`, where a Lua function, tail-called, would not.
 */
static int located(lua_State *L)
{
	up_sandbox *sb = *(up_sandbox **)lua_getextraspace(L);
	char at[300] = "";
	lua_Debug ar;
	if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar) &&
	    ar.currentline > 0 && ar.source[0] == '@' &&
	    strcmp(ar.source, "@lua/prelude.lua"))
		snprintf(at, sizeof at, "%s:%d", ar.source + 1,
			 ar.currentline);
	int n = lua_gettop(L);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	if (lua_pcall(L, n, LUA_MULTRET, 0) != LUA_OK) {
		/* error(msg, 2) in the prelude names this C function, which
		 * has no line: name the rule's instead */
		const char *m = lua_tostring(L, -1);
		if (at[0] && m && lua_type(L, -1) == LUA_TSTRING &&
		    !up_location_len(m))
			lua_pushfstring(L, "%s: %s", at, m);
		return lua_error(L);
	}
	int nres = lua_gettop(L);
	if (at[0] && nres >= 1 && lua_type(L, 1) == LUA_TTABLE &&
	    lua_getmetatable(L, 1)) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, sb->result_ref);
		int is_result = lua_rawequal(L, -1, -2);
		lua_pop(L, 2);
		lua_pushliteral(L, "at");
		if (is_result && lua_rawget(L, 1) == LUA_TNIL) {
			lua_pushliteral(L, "at");
			lua_pushstring(L, at);
			lua_rawset(L, 1);
		}
		lua_pop(L, 1);
	}
	return nres;
}

/*
 * Runs in protected mode: builds the base environment, runs the prelude
 * with the native declare, and keeps the base and the result metatable in
 * the registry.
 */
static int setup_p(lua_State *L)
{
	up_sandbox *sb = lua_touserdata(L, 1);
	serials_readable(L);
	lua_newtable(L); /* next()'s walks, by table, weakly */
	lua_createtable(L, 0, 1);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	sb->walks_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	build_base(L);
	int base = lua_gettop(L);
	if (luaL_loadbufferx(L, up_lua_prelude, up_lua_prelude_len,
			     "@lua/prelude.lua", "t") != LUA_OK)
		return lua_error(L);
	lua_createtable(L, 0, 1); /* the prelude's own _ENV */
	lua_createtable(L, 0, 1);
	lua_pushvalue(L, base);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
	lua_setupvalue(L, -2, 1);
	lua_pushlightuserdata(L, sb);
	lua_pushcclosure(L, up_sandbox_declare, 1);
	lua_call(L, 1, 1);
	lua_getfield(L, -1, "RESULT");
	sb->result_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	/* what the prelude exports; what makes results, through located()
	 * (made in key order, so that they are numbered the same each run) */
	for (int wrap = 0; wrap < 2; wrap++) {
		lua_getfield(L, -1, wrap ? "located" : "exports");
		int from = lua_gettop(L);
		lua_Integer n = push_sorted_keys(L, from);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, from + 1, i);
			lua_pushvalue(L, -1);
			lua_rawget(L, from);
			if (wrap)
				lua_pushcclosure(L, located, 1);
			lua_rawset(L, base);
		}
		lua_pop(L, 2);
	}
	lua_pop(L, 1);
	number_builtins(L, base);
	lua_pushvalue(L, base);
	sb->base_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

int up_sandbox_open(up_sandbox *sb, up_host *h, const up_rule_file *rf,
		    char *msg, size_t msgsz)
{
	memset(sb, 0, sizeof *sb);
	sb->ctx_ref = sb->program_ref = sb->env_ref = LUA_NOREF;
	sb->walks_ref = sb->builtins_ref = LUA_NOREF;
	sb->h = h;
	sb->file = rf->path;
	sb->pack = rf->pack;
	sb->limit = h->p->memory_bytes;
	sb->budget = h->p->instructions;
	sb->L = lua_newstate(sb_alloc, sb);
	if (!sb->L) {
		snprintf(msg, msgsz, "%s: cannot create a Lua state",
			 rf->path);
		return -1;
	}
	wd_open();
	*(up_sandbox **)lua_getextraspace(sb->L) = sb;
	lua_pushcfunction(sb->L, setup_p);
	lua_pushlightuserdata(sb->L, sb);
	/* The prelude is ours: no deadline, which a slow machine or
	 * Valgrind could make it miss. */
	int rc = up_sandbox_call(sb, 1, 0, "lua/prelude.lua", msg, msgsz);
	sb->time_ns = up_sandbox_bench_unbounded ? 0
						 : h->p->time_ms * 1000000LL;
	return rc;
}

void up_sandbox_close(up_sandbox *sb)
{
	if (sb->L) {
		lua_close(sb->L);
		wd_close();
	}
	sb->L = NULL;
}

/* _ENV's __newindex in pack tests: a global written while a rule runs is
 * state that leaks from one unit to the next; note where, then write.
 * Files load armed too (in_call), with the host declaring. */
static int note_global(lua_State *L)
{
	up_sandbox *sb = sb_of(L);
	lua_Debug ar;
	/* Not while the file loads: top-level globals are `pack check`'s. */
	if (sb->in_call && !sb->h->declaring &&
	    lua_type(L, 2) == LUA_TSTRING &&
	    lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar)) {
		char key[400];
		snprintf(key, sizeof key, "%s:%d: writes the global '%s' "
			 "(declare it local)", ar.short_src, ar.currentline,
			 lua_tostring(L, 2));
		json_object_set_new(sb->h->p->globals_written, key,
				    json_true());
	}
	lua_settop(L, 3);
	lua_rawset(L, 1);
	return 0;
}

/* [-0, +0, e]: loads the rule file (lightuserdata 1) as text only, with
 * a private _ENV whose misses fall through to the read-only base, and
 * runs its declarations; in protected mode, so nothing here can panic. */
static int load_p(lua_State *L)
{
	const up_rule_file *rf = lua_touserdata(L, 1);
	up_sandbox *sb = *(up_sandbox **)lua_getextraspace(L);
	char chunk[300];
	snprintf(chunk, sizeof chunk, "@%s", rf->path);
	if (luaL_loadbufferx(L, rf->src, rf->len, chunk, "t") != LUA_OK)
		return lua_error(L);
	if (sb->h->p->coverage) {
		lua_pushvalue(L, -1);
		cov_root(L, sb->h->p->coverage);
	}
	lua_createtable(L, 0, 8); /* _ENV */
	lua_pushvalue(L, -1);
	lua_setfield(L, -2, "_G");
	/* A pack's declarations may depend on its parameters (the stages
	 * a gate guards differ between organisations). */
	up_ctx_push_params(L, sb->h->p, sb->pack);
	lua_setfield(L, -2, "params");
	lua_createtable(L, 0, 2);
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->base_ref);
	lua_setfield(L, -2, "__index");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	if (sb->h->p->globals_written) {
		lua_pushcfunction(L, note_global);
		lua_setfield(L, -2, "__newindex");
	}
	lua_setmetatable(L, -2);
	lua_pushvalue(L, -1);
	sb->env_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_setupvalue(L, -2, 1);
	lua_call(L, 0, 0);
	return 0;
}

int up_sandbox_load(up_sandbox *sb, const up_rule_file *rf, char *msg,
		    size_t msgsz)
{
	lua_pushcfunction(sb->L, load_p);
	lua_pushlightuserdata(sb->L, (void *)rf);
	return up_sandbox_call(sb, 1, 0, rf->path, msg, msgsz);
}

/* What one result's evidence may cost the host, outside the Lua cap. */
typedef struct {
	size_t items, bytes;
} ev_budget;

static json_t *to_json(lua_State *L, int idx, int depth, ev_budget *b);

static int over(const ev_budget *b)
{
	return b->items > EVIDENCE_ITEMS || b->bytes > EVIDENCE_BYTES;
}

/* A table whose keys are exactly 1..n is an array (holes make it an
 * object, so nothing is lost); anything else an object. */
static int is_array(lua_State *L, int idx, size_t *len)
{
	size_t n = 0;
	lua_Integer max = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) {
			lua_pop(L, 1);
			return 0;
		}
		if (lua_tointeger(L, -1) > max)
			max = lua_tointeger(L, -1);
		n++;
	}
	*len = n;
	return (lua_Integer)n == max;
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The key at -2 as text: strings (cleaned), numbers and booleans; other
 * keys have no stable text and are left out (NULL).  *from_string tells
 * a string key, which wins over a number that prints the same. */
static char *key_text(lua_State *L, int *from_string)
{
	char buf[64];
	*from_string = lua_type(L, -2) == LUA_TSTRING;
	if (*from_string) {
		size_t len;
		const char *s = lua_tolstring(L, -2, &len);
		return up_utf8_clean(s, len, 256, NULL);
	}
	if (lua_isinteger(L, -2))
		snprintf(buf, sizeof buf, "%lld", (long long)lua_tointeger(L, -2));
	else if (lua_type(L, -2) == LUA_TNUMBER)
		snprintf(buf, sizeof buf, "%.17g", (double)lua_tonumber(L, -2));
	else if (lua_type(L, -2) == LUA_TBOOLEAN)
		snprintf(buf, sizeof buf, "%s", lua_toboolean(L, -2) ? "true"
								    : "false");
	else
		return NULL;
	return up_xstrdup(buf);
}

/*
 * The keys of the table at IDX that evidence can show (numbers, strings,
 * booleans): the first MAX in key order (next()'s), kept on the stack
 * and described in D, sorted.  Returns how many; *MORE says whether some
 * were left out.  The order does not depend on Lua's hash, so neither
 * does which keys a cut keeps.
 */
static size_t evidence_keys(lua_State *L, int idx, size_t max, key_desc *d,
			    int *more)
{
	size_t m = 0;
	*more = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		int t = lua_type(L, -1);
		if (t != LUA_TNUMBER && t != LUA_TSTRING && t != LUA_TBOOLEAN)
			continue;
		key_desc k;
		describe(L, -1, &k);
		if (m < max) { /* kept below the walk's key; a max-heap */
			lua_pushvalue(L, -1);
			lua_insert(L, -2);
			k.slot = lua_gettop(L) - 1;
			size_t i = m++;
			d[i] = k;
			while (i > 0 && key_cmp(&d[(i - 1) / 2], &d[i]) < 0) {
				desc_swap(&d[(i - 1) / 2], &d[i]);
				i = (i - 1) / 2;
			}
			continue;
		}
		*more = 1;
		if (key_cmp(&k, &d[0]) >= 0)
			continue;
		k.slot = d[0].slot; /* the largest kept gives way */
		lua_copy(L, -1, (int)k.slot);
		describe(L, (int)k.slot, &d[0]);
		d[0].slot = k.slot;
		for (size_t i = 0;;) {
			size_t c = 2 * i + 1;
			if (c >= m)
				break;
			if (c + 1 < m && key_cmp(&d[c], &d[c + 1]) < 0)
				c++;
			if (key_cmp(&d[i], &d[c]) >= 0)
				break;
			desc_swap(&d[i], &d[c]);
			i = c;
		}
	}
	qsort(d, m, sizeof *d, key_qsort_cmp);
	return m;
}

static json_t *object_to_json(lua_State *L, int idx, int depth,
			      ev_budget *b)
{
	/* Each entry costs an item at least: no more than this many can
	 * be shown before the budget runs out. */
	size_t max = b->items < EVIDENCE_ITEMS ? EVIDENCE_ITEMS + 2 - b->items
					       : 2;
	size_t count = 0;
	lua_pushnil(L);
	while (count < max && lua_next(L, idx)) {
		lua_pop(L, 1);
		count++;
	}
	if (count == max)
		lua_pop(L, 1); /* the walk stopped early */
	if (count < max)
		max = count;
	int top = lua_gettop(L), more;
	if (!lua_checkstack(L, (int)max + 8))
		return json_string("...");
	key_desc *d = up_xcalloc(max + 1, sizeof *d);
	size_t n = evidence_keys(L, idx, max, d, &more), i;
	json_t *o = json_object(), *strkeys = json_object();
	for (i = 0; i < n && !over(b); i++) {
		lua_pushvalue(L, (int)d[i].slot);
		lua_pushvalue(L, -1);
		lua_rawget(L, idx);
		int from_string;
		char *key = key_text(L, &from_string);
		if (key && (from_string || !json_object_get(strkeys, key))) {
			json_object_set_new(o, key, to_json(L, lua_gettop(L),
							    depth + 1, b));
			if (from_string)
				json_object_set_new(strkeys, key, json_true());
		}
		free(key);
		lua_pop(L, 2);
	}
	if (i < n || more)
		json_object_set_new(o, "...", json_string("..."));
	free(d);
	lua_settop(L, top);
	json_decref(strkeys);
	/* Key order must not depend on Lua's hash layout. */
	size_t nk = json_object_size(o);
	const char **keys = up_xcalloc(nk + 1, sizeof *keys);
	const char *k;
	json_t *v;
	i = 0;
	json_object_foreach(o, k, v)
		keys[i++] = k;
	qsort(keys, nk, sizeof *keys, cmp_keys);
	json_t *sorted = json_object();
	for (i = 0; i < nk; i++)
		json_object_set(sorted, keys[i], json_object_get(o, keys[i]));
	free(keys);
	json_decref(o);
	return sorted;
}

static json_t *string_json(lua_State *L, int idx, ev_budget *b)
{
	size_t len, clean;
	const char *s = lua_tolstring(L, idx, &len);
	char *c = up_utf8_clean(s, len, MAX_MESSAGE, &clean);
	b->bytes += clean;
	json_t *j = json_stringn(c, clean);
	free(c);
	return j;
}

/* Uses only calls that cannot raise, so it may run outside a pcall.
 * Never returns NULL: what JSON cannot hold becomes null or "...". */
static json_t *to_json(lua_State *L, int idx, int depth, ev_budget *b)
{
	++b->items;
	if (over(b) || depth > EVIDENCE_DEPTH || !lua_checkstack(L, 4))
		return json_string("...");
	b->bytes += 8;
	switch (lua_type(L, idx)) {
	case LUA_TBOOLEAN:
		return json_boolean(lua_toboolean(L, idx));
	case LUA_TNUMBER: {
		if (lua_isinteger(L, idx))
			return json_integer((json_int_t)lua_tointeger(L, idx));
		double d = lua_tonumber(L, idx);
		return isfinite(d) ? json_real(d) : json_null();
	}
	case LUA_TSTRING:
		return string_json(L, idx, b);
	case LUA_TTABLE: {
		size_t n;
		if (!is_array(L, idx, &n))
			return object_to_json(L, idx, depth, b);
		json_t *a = json_array();
		for (size_t i = 1; i <= n; i++) {
			if (over(b)) { /* one marker, not one per element */
				json_array_append_new(a, json_string("..."));
				break;
			}
			lua_rawgeti(L, idx, (lua_Integer)i);
			json_array_append_new(
				a, to_json(L, lua_gettop(L), depth + 1, b));
			lua_pop(L, 1);
		}
		return a;
	}
	default:
		return json_null();
	}
}

static const char *field_str(lua_State *L, int t, const char *k)
{
	lua_pushstring(L, k);
	lua_rawget(L, t);
	const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
						       : NULL;
	lua_pop(L, 1); /* the string stays alive: the table holds it */
	return s;
}

/*
 * Reads the result table at the top into OUT; -1 if it is not one, -2 if
 * its status or score was tampered with.  The
 * fields of a result may have been changed after pass() made it, so
 * each is checked again here.
 */
int up_sandbox_result(up_sandbox *sb, up_result *out)
{
	lua_State *L = sb->L;
	int t = lua_gettop(L);
	int ok = lua_type(L, t) == LUA_TTABLE && lua_getmetatable(L, t);
	if (ok) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, sb->result_ref);
		ok = lua_rawequal(L, -1, -2);
		lua_pop(L, 2);
	}
	if (!ok)
		return -1;
	static const char *const names[] = {"pass", "fail", "warn", "score",
					    "skip"};
	const char *st = field_str(L, t, "status");
	out->status = UP_RES_ERROR;
	for (size_t i = 0; st && i < UP_COUNTOF(names); i++)
		if (!strcmp(st, names[i]))
			out->status = (up_res_status)i;
	lua_pushliteral(L, "score");
	lua_rawget(L, t);
	out->score = lua_tonumber(L, -1);
	lua_pop(L, 1);
	if (out->status == UP_RES_ERROR ||
	    (out->status == UP_RES_SCORE &&
	     !(out->score >= 0 && out->score <= 10)))
		return -2;
	const char *at = field_str(L, t, "at");
	/* the prelude's, though a rule could have rewritten it: bounded */
	out->at = at ? up_utf8_clean(at, strlen(at), 300, NULL) : NULL;
	const char *m = field_str(L, t, "message");
	/* the prelude already cut it, ellipsis included */
	out->message = up_utf8_clean(m ? m : "", m ? strlen(m) : 0,
				     MAX_MESSAGE + 8, NULL);
	lua_pushliteral(L, "evidence");
	lua_rawget(L, t);
	if (!lua_isnil(L, -1)) {
		/* The host's reading keeps up to EVIDENCE_ITEMS keys on the
		 * stack, whatever the rule left of its memory. */
		size_t limit = sb->limit;
		ev_budget b = {0, 0};
		sb->limit = SIZE_MAX;
		out->evidence = to_json(L, lua_gettop(L), 0, &b);
		sb->limit = limit;
	}
	lua_pop(L, 1);
	return 0;
}
