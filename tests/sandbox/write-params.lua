-- So are a file's params.
-- expect: error
-- message: rules/hostile.lua:5: attempt to modify a read-only table
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  params.threshold = 0
  return pass("changed")
end }
