-- A table that looks like a result but was not made by pass().
-- expect: error
-- message-part: returned no result
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  return setmetatable({ status = "pass", message = "forged" }, { __metatable = false })
end }
