-- An endless loop in __len, reached from table.insert in C.
-- limits: {instructions: 10000000000, memory_mb: 16, time_ms: 200}
-- expect: error
-- message: rules/hostile.lua:6: time limit exceeded (200 ms)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t = setmetatable({}, { __len = function() while true do end end })
  table.insert(t, 1)
  return pass("inserted")
end }
