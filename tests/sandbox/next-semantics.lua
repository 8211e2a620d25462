-- next(t, k) goes on from any key, as Lua's does, in key order; from a key
-- t does not hold (Lua raises "invalid key to 'next'") it gives the first
-- key after it; a walk interleaved with another over the same table, and
-- a walk of a table that grows meanwhile (undefined in Lua) see the keys
-- the table had when they began, in order.
-- expect: pass
-- message: from w36: w37 w38 w39 | after w09x: w10 | before everything: w00 | nested: 9 pairs | grown: w00 w01 w02 w03
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local s = {}
  for i = 0, 39 do s[("w%02d"):format((i * 17) % 40)] = true end
  local from, key = {}, "w36"
  repeat key = next(s, key); from[#from + 1] = key until key == nil
  local small = { a = 1, b = 2, c = 3 }
  local n = 0
  for k1 in pairs(small) do
    for k2 in pairs(small) do n = n + 1 end
  end
  local grow, seen = { w00 = 1, w01 = 1, w02 = 1, w03 = 1 }, {}
  for k in pairs(grow) do
    seen[#seen + 1] = k
    grow[k .. "x"] = 1
  end
  return pass("from w36: %s | after w09x: %s | before everything: %s | nested: %d pairs | grown: %s",
              table.concat(from, " "), next(s, "w09x"), next(s, 0), n,
              table.concat(seen, " "))
end }
