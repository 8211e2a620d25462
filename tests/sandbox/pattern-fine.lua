-- Patterns that are not hostile work as in Lua.
-- expect: pass
-- message: 3 4 key val ward-1 x+y+z 2 (x) 4 a,b,c
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local s, e = ("hello"):find("l+")
  local k, v = ("key=val"):match("(%w+)=(%w+)")
  local words = {}
  for w in ("a b c"):gmatch("%a") do words[#words + 1] = w end
  local r, n = ("x y z"):gsub(" ", "+")
  return pass("%d %d %s %s %s %s %d %s %d %s", s, e, k, v,
              (("ward 1"):gsub("%s", "-")), r, n,
              ("f(x)"):match("%b()"), ("abcd"):len(), table.concat(words, ","))
end }
