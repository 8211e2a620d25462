-- table.concat over 1..2^63 of a table whose __index is a C function that
-- returns "" (table.concat itself): no Lua instruction runs and no memory
-- grows, so Lua's own concat would loop in C for ever.  Each element is a
-- step here.
-- limits: {instructions: 100000, memory_mb: 16, time_ms: 60000}
-- expect: error
-- message: rules/hostile.lua:10: instruction limit exceeded (100000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t = setmetatable({}, { __index = table.concat })
  return pass("%d", #table.concat(t, "", 1, math.maxinteger))
end }
