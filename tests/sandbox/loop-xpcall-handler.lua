-- An endless loop in xpcall's message handler, after an endless loop in
-- the function: Lua runs a handler with hooks off when the count hook
-- raised, so this hung uptake; here the handler runs after the stop, as
-- an ordinary call, and a stopped rule runs no handler.
-- limits: {instructions: 10000000000, memory_mb: 16, time_ms: 200}
-- expect: error
-- message: rules/hostile.lua:9: time limit exceeded (200 ms)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  xpcall(function() while true do end end, function(e) while true do end end)
  return pass("handled")
end }
