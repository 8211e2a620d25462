-- A plain find of a 500,000-byte needle in a 10 MB haystack of the same
-- letter: Lua's own search compares at every position (quadratic, hours);
-- this one is linear and answers at once.
-- limits: {instructions: 1000000, memory_mb: 64, time_ms: 60000}
-- expect: pass
-- message: nil
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local hay = ("a"):rep(10e6)
  return pass("%s", tostring(hay:find(("a"):rep(5e5) .. "b", 1, true)))
end }
