-- A library table's metatable is protected too.
-- expect: error
-- message: rules/hostile.lua:5: cannot change a protected metatable
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  setmetatable(table, { __index = { concat = function() return "forged" end } })
  return pass("changed")
end }
