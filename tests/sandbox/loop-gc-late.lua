-- __gc added to a metatable after setmetatable: Lua never marks the table
-- for finalization, so nothing runs when the state closes (the runner
-- times the close too).
-- expect: pass
-- message: set
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local mt = {}
  local t = setmetatable({}, mt)
  mt.__gc = function() while true do end end
  keep = t
  return pass("set")
end }
