-- The same inside pcall, which cannot swallow the stop.
-- limits: {instructions: 10000000000, memory_mb: 8, time_ms: 60000}
-- expect: error
-- message: rules/hostile.lua:5: memory limit exceeded (8 MiB)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t = {}
  pcall(function() for i = 1, 1e12 do t[i] = ("x"):rep(100) .. i end end)
  return pass("%d kept", #t)
end }
