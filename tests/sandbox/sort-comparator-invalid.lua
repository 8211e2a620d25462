-- A comparator that says every element is less than every other.
-- expect: error
-- message-part: invalid order function for sorting
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t = {}
  for i = 1, 100 do t[i] = i end
  table.sort(t, function(a, b) return true end)
  return pass("sorted")
end }
