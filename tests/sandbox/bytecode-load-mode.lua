-- load() with mode "b" would take bytecode from a string: there is no
-- load (nor loadstring) to call.
-- expect: error
-- message: rules/hostile.lua:6: attempt to call a nil value (global 'load')
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local f = load(string.char(27) .. "LuaT\0", "x", "b")
  return pass("loaded %s", tostring(f))
end }
