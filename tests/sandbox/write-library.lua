-- Library tables are read-only: string.format is the same for the
-- prelude and for every rule.
-- expect: error
-- message: rules/hostile.lua:6: attempt to modify a read-only table
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  string.format = function() return "forged" end
  return pass("changed")
end }
