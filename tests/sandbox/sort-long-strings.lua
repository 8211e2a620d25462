-- Sorting 200 copies of a 64 KB string with '<': every comparison reads
-- 64 KB in C.  Charged by comparison, the loop runs out of instructions.
-- limits: {instructions: 100000, memory_mb: 64, time_ms: 60000}
-- expect: error
-- message: rules/hostile.lua:9: instruction limit exceeded (100000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local s, t = ("x"):rep(65536), {}
  for i = 1, 200 do t[i] = s .. "" end
  for i = 1, 1e9 do table.sort(t) end
  return pass("sorted")
end }
