-- The same through gsub.
-- expect: error
-- message: rules/hostile.lua:7: instruction limit exceeded (1000000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local s = ("a"):rep(40)
  local p = ("a*"):rep(20) .. "b"
  return pass("%s", (s:gsub(p, "")))
end }
