-- A table whose __index is itself: Lua's loop limit.
-- expect: error
-- message-part: '__index' chain too long; possible loop
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t = setmetatable({}, {})
  getmetatable(t).__index = t
  return pass("%s", t.x)
end }
