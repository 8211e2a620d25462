-- ctx and its tables are read-only.
-- expect: error
-- message: rules/hostile.lua:5: attempt to modify a read-only table
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  ctx.unit.stage = "scale"
  return pass("changed")
end }
