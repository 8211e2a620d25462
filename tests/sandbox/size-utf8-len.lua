-- utf8.len scans 8 MB and returns one number: charged by what it scans,
-- a loop of it runs out of instructions.
-- limits: {instructions: 1000000, memory_mb: 64, time_ms: 60000}
-- expect: error
-- message: rules/hostile.lua:8: instruction limit exceeded (1000000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local s = ("\u{e9}"):rep(4 << 20)
  for i = 1, 1e9 do local n = utf8.len(s) end
  return pass("done")
end }
