-- Comparing two equal 20 MB strings is one VM instruction that reads
-- 20 MB in C: a thousand of them between two hook calls take seconds.  The
-- deadline's timer stops the rule at the next instruction.
-- limits: {instructions: 10000000000, memory_mb: 64, time_ms: 200}
-- expect: error
-- message: rules/hostile.lua:9: time limit exceeded (200 ms)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local a, b = ("x"):rep(20e6), ("x"):rep(20e6)
  while a == b do end
  return pass("different")
end }
