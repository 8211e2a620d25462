-- next() walks every table in key order, whatever Lua's string hash seed
-- (which differs in every process): numbers, strings bytewise, false and
-- true, then Lua's functions by name and tables and functions in the
-- order they were made.  The same walk by next() directly, by pairs(),
-- over ctx's read-only tables and over a table whose fields are cleared
-- as it goes; in five processes, which must agree byte for byte.
-- processes: 5
-- expect: pass
-- message: next: -1 1 2 2.5 10 "" A Ab B a a1 a10 a2 b ba zz false true builtin:string.len builtin:type t1 f1 t2 f2 | strings: w00 w01 w02 w03 w04 w05 w06 w07 w08 w09 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20 w21 w22 w23 w24 w25 w26 w27 w28 w29 w30 w31 w32 w33 w34 w35 w36 w37 w38 w39 | pairs: same | cleared: w00 w02 w04 w06 w08 w10 w12 w14 w16 w18 w20 w22 w24 w26 w28 w30 w32 w34 w36 w38 | ctx.unit: id name stage | attrs: - | person: engaged_on engagement id name roles unit
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t1, f1, t2, f2 = {}, function() end, {}, function() end
  local name = { [t1] = "t1", [f1] = "f1", [t2] = "t2", [f2] = "f2",
                 [string.len] = "builtin:string.len", [type] = "builtin:type" }
  local t = {}
  -- inserted out of order, so no insertion order can pass for key order
  t[f2] = 1; t.zz = 1; t[true] = 1; t[type] = 1; t[10] = 1; t.a10 = 1
  t[t2] = 1; t.B = 1; t[2.5] = 1; t[false] = 1; t[1] = 1; t[""] = 1
  t.Ab = 1; t[string.len] = 1; t.a2 = 1; t[-1] = 1; t.ba = 1; t[f1] = 1
  t.A = 1; t[2] = 1; t.a = 1; t[t1] = 1; t.b = 1; t.a1 = 1
  local function show(k)
    if name[k] then return name[k] end
    if k == "" then return '""' end
    return tostring(k)
  end
  local out, k = {}, nil
  repeat
    k = next(t, k)
    if k ~= nil then out[#out + 1] = show(k) end
  until k == nil
  -- 40 string keys, made in a shuffled order
  local words = {}
  for i = 0, 39 do words[#words + 1] = ("w%02d"):format((i * 17) % 40) end
  local s = {}
  for _, w in ipairs(words) do s[w] = #w end
  local strings = {}
  for key in next, s do strings[#strings + 1] = key end
  local via_pairs = {}
  for key in pairs(s) do via_pairs[#via_pairs + 1] = key end
  local cleared = {}
  for key in next, s do
    cleared[#cleared + 1] = key
    -- clear the key after this one, as a walk may (Lua allows it)
    s[("w%02d"):format(tonumber(key:sub(2)) + 1)] = nil
  end
  local unit = {}
  for key in next, ctx.unit do
    if key == "id" or key == "name" or key == "stage" then unit[#unit + 1] = key end
  end
  local attrs = {}
  for key in next, ctx.unit.attrs do attrs[#attrs + 1] = key end
  local person = {}
  for key in next, ctx:people{}[1] do person[#person + 1] = key end
  return pass("next: %s | strings: %s | pairs: %s | cleared: %s | ctx.unit: %s | attrs: %s | person: %s",
              table.concat(out, " "), table.concat(strings, " "),
              table.concat(via_pairs, " ") == table.concat(strings, " ") and "same" or table.concat(via_pairs, " "),
              table.concat(cleared, " "), table.concat(unit, " "),
              #attrs > 0 and table.concat(attrs, " ") or "-",
              table.concat(person, " "))
end }
