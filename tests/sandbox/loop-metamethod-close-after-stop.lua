-- A to-be-closed variable whose __close loops, closed after the rule was
-- stopped: the close stops at its first instruction.
-- expect: error
-- message: rules/hostile.lua:7: instruction limit exceeded (1000000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local guard <close> = setmetatable({}, { __close = function() while true do end end })
  while true do end
end }
