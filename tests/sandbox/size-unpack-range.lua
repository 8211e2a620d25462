-- table.unpack of 400,000 made-up values, over and over: each element is
-- a step.
-- limits: {instructions: 1000000, memory_mb: 64, time_ms: 60000}
-- expect: error
-- message: rules/hostile.lua:8: instruction limit exceeded (1000000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t = setmetatable({}, { __index = rawlen })
  for i = 1, 1e9 do local n = select("#", table.unpack(t, 1, 400000)) end
  return pass("done")
end }
