-- table.sort with ties, and with a comparator that is not an order, on
-- more than 100 elements, where Lua's quicksort picks a random pivot (it
-- reads the clock): the sandbox's is a stable merge sort, so equal
-- elements keep their order and the result is the same in every process.
-- processes: 5
-- expect: pass
-- message: stable: 300 records by group, ids ascending in each | first: 7 14 21 28 35 42 49 56 63 70 | 1 and 1.0: 1 1.0 1 1.0 1 | not an order: 2 5e10c31a
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local recs = {}
  for i = 1, 300 do recs[i] = { id = i, group = i % 7 } end
  table.sort(recs, function(a, b) return a.group < b.group end)
  for i = 2, #recs do
    local a, b = recs[i - 1], recs[i]
    if a.group > b.group or (a.group == b.group and a.id > b.id) then
      return fail("not stable at %d: %d/%d before %d/%d", i, a.id, a.group, b.id, b.group)
    end
  end
  local first = {}
  for i = 1, 10 do first[i] = recs[i].id end
  -- integers and floats that compare equal: '<' cannot tell them apart
  local mixed = {}
  for i = 1, 150 do mixed[i] = i % 2 == 0 and 1.0 or 1 end
  mixed[151] = 0
  table.sort(mixed)
  local shown = {}
  for i = 2, 6 do shown[#shown + 1] = tostring(mixed[i]) end
  -- a comparator that is no order at all: some permutation, always the same
  local t = {}
  for i = 1, 200 do t[i] = i end
  table.sort(t, function(a, b) return (a * 31 + b * 17) % 7 < 3 end)
  local h = 0
  for i = 1, #t do h = (h * 31 + t[i]) % 4294967296 end
  return pass("stable: %d records by group, ids ascending in each | first: %s | 1 and 1.0: %s | not an order: %d %x",
              #recs, table.concat(first, " "), table.concat(shown, " "), t[1], h)
end }
