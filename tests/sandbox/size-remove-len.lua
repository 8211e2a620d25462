-- The same for table.remove at 1.
-- limits: {instructions: 100000, memory_mb: 16, time_ms: 60000}
-- expect: error
-- message: rules/hostile.lua:8: instruction limit exceeded (100000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t = setmetatable({}, { __len = function() return math.maxinteger - 1 end,
                              __index = rawlen, __newindex = rawequal })
  table.remove(t, 1)
  return pass("removed")
end }
