-- A rule that catches an error object whose __tostring loops and prints
-- it: the loop is the rule's, and bounded.
-- limits: {instructions: 10000000000, memory_mb: 16, time_ms: 200}
-- expect: error
-- message: rules/hostile.lua:7: time limit exceeded (200 ms)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local ok, e = pcall(error, setmetatable({}, { __tostring = function() while true do end end }))
  return fail("%s", tostring(e))
end }
