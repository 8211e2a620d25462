-- %b over a long unbalanced string from every start: quadratic.
-- expect: error
-- message: rules/hostile.lua:6: instruction limit exceeded (1000000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local s = ("("):rep(1e6)
  return pass("%s", tostring(s:find("%b()")))
end }
