-- A comparator that says every element is less than every other: Lua's
-- quicksort may run off the array ("invalid order function for sorting",
-- or not, depending on its random pivot); the sandbox's merge sort ends
-- after n log2 n comparisons with the same order every time.
-- processes: 3
-- expect: pass
-- message: 100 99 98 97 96
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t = {}
  for i = 1, 100 do t[i] = i end
  table.sort(t, function(a, b) return true end)
  return pass("%s", table.concat(t, " ", 1, 5))
end }
