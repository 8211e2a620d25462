-- An empty string repeated 2^63 times: Lua's own rep copies zero bytes
-- 2^63 times in C; this one returns at once.
-- expect: pass
-- message: 0 0 0
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local a = (""):rep(math.maxinteger)
  local b = string.rep("", 1e15, "")
  local c = ("x"):rep(0)
  return pass("%d %d %d", #a, #b, #c)
end }
