-- table.move of 2^62 elements is refused outright.
-- expect: error
-- message-part: table.move: more than 10000000 elements
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  table.move({}, 1, 1 << 62, 2)
  return pass("moved")
end }
