-- rawset would write past a read-only proxy's __newindex: there is none.
-- expect: error
-- message: rules/hostile.lua:5: attempt to call a nil value (global 'rawset')
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  rawset(string, "upper", function() return "forged" end)
  return pass("changed")
end }
