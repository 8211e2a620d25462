-- A backtracking pattern of minimal repetitions ("a-").
-- expect: error
-- message: rules/hostile.lua:6: instruction limit exceeded (1000000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local s = ("a"):rep(40)
  return pass("%s", tostring(s:find(("a-"):rep(20) .. "b")))
end }
