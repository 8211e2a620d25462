-- string.rep is charged by what it writes (a step a KiB) before it
-- writes it: a loop of 1 MB copies runs out of instructions, not time.
-- limits: {instructions: 100000, memory_mb: 64, time_ms: 60000}
-- expect: error
-- message: rules/hostile.lua:7: instruction limit exceeded (100000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  for i = 1, 1000 do local s = ("x"):rep(1 << 20) end
  return pass("copied")
end }
