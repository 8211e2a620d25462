-- The same loop under the default-sized budget: the instruction count
-- stops it first.
-- expect: error
-- message: rules/hostile.lua:7: instruction limit exceeded (1000000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local n = 0
  while true do n = n + 1 end
end }
