/* host_priv.h: the sandbox's parts shared by host.c, rules.c and ctx.c. */
#ifndef UP_HOST_PRIV_H
#define UP_HOST_PRIV_H

#include <signal.h>

#include <lauxlib.h>
#include <lua.h>

#include "internal.h"

typedef struct up_sandbox {
	lua_State *L;
	struct up_host *h;
	const char *file;
	int pack; /* the file's pack (index into up_program.packs), or -1 */
	size_t mem, peak, limit;
	long long used, budget;
	int in_call, insn_tripped, mem_tripped, time_tripped;
	int refused; /* allocations refused in a row (sb_alloc) */
	volatile sig_atomic_t time_up; /* set by the deadline's timer */
	long long steps;    /* work counted in C, not yet charged */
	long long time_ns;  /* each call's time limit; 0: none */
	long long deadline; /* the call's, in ns of the monotonic clock */
	char trip_where[256];
	/* Tables and functions are numbered as they are made (host.c), so
	 * that their order as keys and their tostring() are the same in
	 * every run; 0 until setup has checked it can read the numbers. */
	unsigned long long serial;
	int serials_ok;
	int base_ref, result_ref;
	int walks_ref;    /* next(): each table's walk in progress, weakly */
	int builtins_ref; /* Lua's C functions: function -> index, name */
	int env_ref; /* the file's _ENV, for `pack check` */
	/* The last ctx built: read-only, so every rule on the same unit in
	 * the same cycle may share it. */
	int ctx_ref, ctx_unit;
	int program_ref; /* ctx.program and ctx.params: the same all cycle */
	unsigned long ctx_serial;
} up_sandbox;

struct up_host {
	const up_program *p;
	up_sandbox *sb; /* one per rule file */
	size_t nsb;
	up_decl *decls;
	size_t ndecls, cap;
	int *decl_sb; /* sandbox index of each declaration */
	/* The evaluation in progress, read by the ctx methods. */
	const up_facts *facts;
	int unit_ix;
	const up_decl *cur;
	up_request *req; /* what rules asked for during evaluation */
	size_t nreq, capreq;
	size_t asked; /* nreq when the rule call in progress began */
	int followed; /* that call asked for its follow-up */
	size_t loading; /* sandbox being loaded, for declare */
	int declaring;  /* gate{} and check{} only while files load */
	int bad_choices; /* program.yaml's disable:/override: is wrong */
};

int up_sandbox_open(up_sandbox *sb, struct up_host *h,
		    const up_rule_file *rf, char *msg, size_t msgsz);
void up_sandbox_close(up_sandbox *sb);
int up_sandbox_load(up_sandbox *sb, const up_rule_file *rf, char *msg,
		    size_t msgsz);
int up_sandbox_call(up_sandbox *sb, int nargs, int nres, const char *where,
		    char *msg, size_t msgsz);
int up_sandbox_result(up_sandbox *sb, up_result *out);
void up_sandbox_hook(lua_State *L, lua_Debug *ar);
/* Charges N instructions' worth of work done in C to the running rule;
 * raises, for good, once the budget is spent or the deadline passed. */
void up_sandbox_charge(lua_State *L, long long n);
/* The same for work counted a little at a time (an element, a
 * comparison): charged, and the deadline read, once per batch. */
void up_sandbox_step(lua_State *L, long long n);
/* Whether the running rule has been stopped (it cannot go on). */
int up_sandbox_stopped(lua_State *L);
/* The library functions rules get instead of Lua's, by name; each gets
 * the one it replaces as upvalue 1 (host_lib.c). */
extern const luaL_Reg up_string_guards[], up_table_guards[],
	up_utf8_guards[], up_base_guards[];
/* bench/bench_sandbox.c only: sandboxes opened while it is set get Lua's
 * own library and no deadline, as before these bounds, to measure what
 * the bounds cost. */
extern int up_sandbox_bench_unbounded;
void up_sandbox_readonly(lua_State *L);
/* tostring() as rules see it: Lua's, but a table or function is named by
 * the order it was made in ("table: #12", "function: builtin: next"),
 * never by its address, which differs from run to run.  Pushes the
 * string. */
const char *up_sandbox_tolstring(lua_State *L, int idx, size_t *len);
/* Whether the key at A comes before the key at B in the order next() and
 * pairs() walk a table's keys in. */
int up_sandbox_key_before(lua_State *L, int a, int b);
/* If the value at the top is a read-only proxy (a list in ctx.params, say),
 * replaces it with the table it hides, for C code that reads it raw. */
void up_sandbox_unwrap(lua_State *L);
/* With coverage on, marks the lines of the function REF (a registry
 * reference) and of the functions it holds as lines that can run. */
void up_sandbox_cover(up_sandbox *sb, int ref);
int up_sandbox_declare(lua_State *L);

/* Pushes the read-only parameters of pack PACK (-1: none) (ctx.c). */
void up_ctx_push_params(lua_State *L, const up_program *p, int pack);
/* Pushes the read-only ctx of the evaluation in progress (ctx.c). */
void up_ctx_push(lua_State *L, struct up_host *h);

/* Length of a leading "chunk:line: " location in M, or 0. */
size_t up_location_len(const char *m);

#endif
