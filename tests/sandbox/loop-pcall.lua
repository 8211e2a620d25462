-- An endless loop inside pcall, itself in an endless loop: pcall cannot
-- swallow the stop.
-- limits: {instructions: 10000000000, memory_mb: 16, time_ms: 200}
-- expect: error
-- message: rules/hostile.lua:7: time limit exceeded (200 ms)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  while true do pcall(function() while true do end end) end
end }
