-- A __gc finalizer would run at collection or when the state closes,
-- outside any rule call: refused.
-- expect: error
-- message-part: __gc metamethods are not allowed in rules
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  setmetatable({}, { __gc = function() while true do end end })
  return pass("set")
end }
