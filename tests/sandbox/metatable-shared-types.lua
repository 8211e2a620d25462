-- Numbers, booleans, nil and functions have no metatable a rule could set
-- (there is no debug.setmetatable) or read.
-- expect: pass
-- message: nil nil nil nil false; refused 4 of 4
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local refused = 0
  for _, v in ipairs({ 1, true, print or pass, 2.5 }) do
    if not pcall(setmetatable, v, {}) then refused = refused + 1 end
  end
  return pass("%s %s %s %s %s; refused %d of 4", tostring(getmetatable(1)),
              tostring(getmetatable(true)), tostring(getmetatable(nil)),
              tostring(getmetatable(pass)), tostring(getmetatable("")),
              refused)
end }
