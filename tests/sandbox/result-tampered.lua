-- A result whose status is changed after pass() made it.
-- expect: error
-- message-part: returned a result with a bad status
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local r = pass("fine")
  r.status = "go"
  return r
end }
