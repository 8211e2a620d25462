-- A comparator that raises: the error is the rule's.
-- expect: error
-- message-part: the comparator gives up
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  table.sort({ 3, 1, 2 }, function(a, b) error("the comparator gives up") end)
  return pass("sorted")
end }
