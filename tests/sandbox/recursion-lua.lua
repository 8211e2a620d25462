-- Unbounded recursion in Lua: the stack limit.
-- limits: {instructions: 10000000000, memory_mb: 64, time_ms: 60000}
-- expect: error
-- message-part: stack overflow
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local function f(n) return 1 + f(n + 1) end
  return pass("%d", f(1))
end }
