-- The same through gmatch.
-- expect: error
-- message: rules/hostile.lua:7: instruction limit exceeded (1000000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local s = ("a"):rep(40)
  local p = ("a*"):rep(20) .. "b"
  for m in s:gmatch(p) do return pass("%s", m) end
  return pass("none")
end }
