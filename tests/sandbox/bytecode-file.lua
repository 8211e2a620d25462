-- A rule file that is bytecode (made by string.dump's stock twin, lua_dump):
-- Lua would run it without the compiler's checks; the sandbox loads text
-- only, so the file is refused and the witness's file still loads.
-- compile: binary
-- expect: load-error
-- message-part: attempt to load a binary chunk (mode is 't')
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  return pass("bytecode ran")
end }
