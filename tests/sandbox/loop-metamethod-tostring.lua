-- An endless loop in __tostring, reached through string.format's %s.
-- expect: error
-- message: rules/hostile.lua:5: instruction limit exceeded (1000000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t = setmetatable({}, { __tostring = function() while true do end end })
  local s = string.format("%s", t)
  return pass("%d", #s)
end }
