-- An error object whose __tostring loops: the host never calls it.
-- limits: {instructions: 10000000000, memory_mb: 16, time_ms: 200}
-- expect: error
-- message-part: error object is a table value
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  error(setmetatable({}, { __tostring = function() while true do end end }))
end }
