-- The same under the instruction budget.
-- expect: error
-- message: rules/hostile.lua:5: instruction limit exceeded (1000000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  xpcall(function() while true do end end, function(e) while true do end end)
  return pass("handled")
end }
