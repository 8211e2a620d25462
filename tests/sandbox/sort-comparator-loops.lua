-- A comparator that never returns: stopped like any Lua loop.
-- limits: {instructions: 10000000000, memory_mb: 16, time_ms: 200}
-- expect: error
-- message: rules/hostile.lua:6: time limit exceeded (200 ms)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  table.sort({ 3, 1, 2 }, function(a, b) while true do end end)
  return pass("sorted")
end }
