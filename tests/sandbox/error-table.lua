-- An error object that is a table.
-- expect: error
-- message-part: error object is a table value
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  error({ code = 42 })
end }
