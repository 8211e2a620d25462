-- A function that fails at once and a handler that loops: the handler is
-- bounded like any code.
-- limits: {instructions: 10000000000, memory_mb: 16, time_ms: 200}
-- expect: error
-- message: rules/hostile.lua:7: time limit exceeded (200 ms)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  xpcall(error, function(e) while true do end end, "boom")
  return pass("handled")
end }
