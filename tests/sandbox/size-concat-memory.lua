-- table.concat of a hundred 1 MB strings, a hundred times: the buffer
-- outgrows the memory cap.
-- limits: {instructions: 10000000000, memory_mb: 16, time_ms: 60000}
-- expect: error
-- message: rules/hostile.lua:6: memory limit exceeded (16 MiB)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t = {}
  for i = 1, 100 do t[i] = ("x"):rep(1 << 20) end
  local all = {}
  for i = 1, 100 do all[i] = table.concat(t) end
  return pass("%d", #all)
end }
