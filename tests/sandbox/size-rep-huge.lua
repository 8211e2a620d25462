-- A gigabyte from string.rep: refused by the memory cap.
-- limits: {instructions: 10000000000, memory_mb: 16, time_ms: 60000}
-- expect: error
-- message: rules/hostile.lua:5: memory limit exceeded (16 MiB)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local s = ("x"):rep(1 << 30)
  return pass("%d", #s)
end }
