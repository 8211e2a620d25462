-- table.sort of 2^31 - 2 made-up elements with a C comparator (rawequal)
-- and C metamethods: no Lua instruction runs; every comparison is a step.
-- limits: {instructions: 100000, memory_mb: 16, time_ms: 60000}
-- expect: error
-- message: rules/hostile.lua:9: instruction limit exceeded (100000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t = setmetatable({}, { __len = function() return (1 << 31) - 2 end,
                              __index = rawlen, __newindex = rawequal })
  table.sort(t, rawequal)
  return pass("sorted")
end }
