/* luals_load.c FILE...: each file compiles as Lua 5.4 text, as the
 * language server and a reader expect of the definitions. */
#include <stdio.h>

#include <lauxlib.h>
#include <lualib.h>

int main(int argc, char **argv)
{
	int bad = 0;
	for (int i = 1; i < argc; i++) {
		lua_State *L = luaL_newstate();
		if (!L || luaL_loadfilex(L, argv[i], "t") != LUA_OK) {
			fprintf(stderr, "%s\n", L ? lua_tostring(L, -1)
					: "out of memory");
			bad = 1;
		}
		if (L)
			lua_close(L);
	}
	return bad;
}
