-- ("x"):rep(n):gsub with a replacement for every one of a million empty
-- matches: every match is a step.
-- expect: error
-- message: rules/hostile.lua:6: instruction limit exceeded (1000000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local s, n = ("x"):rep(1e6):gsub("", "yy")
  return pass("%d %d", #s, n)
end }
