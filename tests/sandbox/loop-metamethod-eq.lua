-- An endless loop in __eq.
-- limits: {instructions: 10000000000, memory_mb: 16, time_ms: 200}
-- expect: error
-- message: rules/hostile.lua:6: time limit exceeded (200 ms)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local mt = { __eq = function() while true do end end }
  local a, b = setmetatable({}, mt), setmetatable({}, mt)
  return pass("%s", tostring(a == b))
end }
