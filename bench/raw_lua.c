/*
 * raw_lua.c: the raw limit of rule evaluation, with nothing of uptake
 * around it.  A C loop calls a Lua function with a small table argument,
 * as the cycle calls a rule's check with ctx, and the function returns a
 * small table, as pass() does:
 *
 *   local function rule(ctx) return { status = "pass", message = ctx.id } end
 *
 * Each call builds the argument ({id = "u00042", stage = "pilot",
 * staff = i}) with lua_createtable and lua_setfield, and runs the function
 * with lua_pcall in a plain lua_State with Lua's own libraries: no
 * sandbox, no budget, no hook.  ROUNDS rounds of CALLS calls; the fastest
 * round counts (the machine's other work slows a round down, never speeds
 * one up).  Prints one number: calls per second.
 *
 * Usage: raw_lua [CALLS [ROUNDS]]   (default 1000000 calls, 5 rounds)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 1000000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	if (calls < 1 || rounds < 1) {
		fprintf(stderr, "usage: raw_lua [CALLS [ROUNDS]]\n");
		return 2;
	}
	lua_State *L = luaL_newstate();
	luaL_openlibs(L);
	if (luaL_dostring(L, "return function(ctx) return { status = 'pass', "
			  "message = ctx.id } end")) {
		fprintf(stderr, "raw_lua: %s\n", lua_tostring(L, -1));
		return 1;
	}
	int fn = luaL_ref(L, LUA_REGISTRYINDEX);
	double best = 0;
	for (int r = 0; r < rounds; r++) {
		double t0 = now();
		for (long i = 0; i < calls; i++) {
			lua_rawgeti(L, LUA_REGISTRYINDEX, fn);
			lua_createtable(L, 0, 3);
			lua_pushliteral(L, "u00042");
			lua_setfield(L, -2, "id");
			lua_pushliteral(L, "pilot");
			lua_setfield(L, -2, "stage");
			lua_pushinteger(L, (lua_Integer)i);
			lua_setfield(L, -2, "staff");
			if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
				fprintf(stderr, "raw_lua: %s\n", lua_tostring(L, -1));
				return 1;
			}
			lua_pop(L, 1);
		}
		double rate = (double)calls / (now() - t0);
		if (rate > best)
			best = rate;
	}
	lua_close(L);
	printf("%.0f\n", best);
	return 0;
}
