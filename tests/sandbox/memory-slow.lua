-- Memory that grows a little at a time, for ever: the memory cap.
-- limits: {instructions: 10000000000, memory_mb: 8, time_ms: 60000}
-- expect: error
-- message: rules/hostile.lua:5: memory limit exceeded (8 MiB)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t, i = {}, 0
  while true do
    i = i + 1
    t[i] = ("x"):rep(100) .. i
  end
end }
