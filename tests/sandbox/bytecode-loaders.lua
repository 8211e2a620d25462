-- Every name a loader of code goes by, through every way a rule could
-- name it: none is there.
-- expect: pass
-- message: found: nothing
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local names = { "load", "loadstring", "loadfile", "dofile", "require",
                  "module", "package" }
  local found = {}
  for _, n in ipairs(names) do
    if _ENV[n] or _G[n] or rawget(_G, n) or string[n] or table[n]
       or math[n] or utf8[n] then
      found[#found + 1] = n
    end
  end
  if string.dump or ("").dump then found[#found + 1] = "string.dump" end
  return pass("found: %s", #found > 0 and table.concat(found, " ") or "nothing")
end }
