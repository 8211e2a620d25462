-- table.insert at 1 in a table whose __len says 2^63 - 1, with C
-- metamethods: Lua's own insert would shift 2^63 elements in C.  Each
-- shifted element is a step.
-- limits: {instructions: 100000, memory_mb: 16, time_ms: 60000}
-- expect: error
-- message: rules/hostile.lua:10: instruction limit exceeded (100000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t = setmetatable({}, { __len = function() return math.maxinteger - 1 end,
                              __index = rawlen, __newindex = rawequal })
  table.insert(t, 1, "x")
  return pass("inserted")
end }
