-- ctx's metatable is protected: a rule cannot swap what ctx answers for
-- the rules after it.
-- expect: error
-- message: rules/hostile.lua:6: cannot change a protected metatable
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  setmetatable(ctx, { __index = function() return "forged" end })
  return pass("changed")
end }
