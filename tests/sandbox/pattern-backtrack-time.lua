-- The same with a budget too big to matter: the deadline stops it inside
-- the matcher.
-- limits: {instructions: 10000000000, memory_mb: 16, time_ms: 200}
-- expect: error
-- message: rules/hostile.lua:9: time limit exceeded (200 ms)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local s = ("a"):rep(40)
  local p = ("a*"):rep(20) .. "b"
  return pass("%s", tostring(s:match(p)))
end }
