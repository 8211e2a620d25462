-- A ctx filter table with several unknown keys: the error names the first
-- in key order, not the first in Lua's hash order, which differs in every
-- process.
-- processes: 5
-- expect: error
-- message: rules/hostile.lua:10: people: unknown filter 'rol' (did you mean 'role'?)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local filter = { within = "org" }
  for _, k in ipairs({ "zz", "unti", "rol", "yy", "xx", "ww", "vv", "uu" }) do filter[k] = 1 end
  return pass("%d", #ctx:people(filter))
end }
