-- A handler that raises: xpcall returns its error.
-- expect: pass
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local ok, e = xpcall(error, function(m) error("handler: " .. m, 0) end, "boom", 0)
  return pass("%s %s", tostring(ok), e)
end }
