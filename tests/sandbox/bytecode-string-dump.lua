-- string.dump makes bytecode of a function: it is not in the string table,
-- whether reached as a field or as a method of a string.
-- expect: error
-- message: rules/hostile.lua:8: attempt to call a nil value (local 'dump')
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local ok = pcall(function() return ("").dump(print) end)
  local dump = string.dump
  return pass("%s", dump(function() end))
end }
