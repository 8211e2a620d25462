-- A backtracking pattern (twenty "a*" then a "b" that never comes): Lua's
-- matcher would take hours in C.  Every step is counted.
-- expect: error
-- message: rules/hostile.lua:8: instruction limit exceeded (1000000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local s = ("a"):rep(40)
  local p = ("a*"):rep(20) .. "b"
  return pass("%s", tostring(s:find(p)))
end }
