-- An error object that is nil.
-- expect: error
-- message-part: error object is a nil value
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  error()
end }
