-- An error object whose __tostring raises.
-- expect: error
-- message-part: error object is a table value
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  error(setmetatable({}, { __tostring = function() error("again") end }))
end }
