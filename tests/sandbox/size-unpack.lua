-- table.unpack of ten million values: more than the Lua stack takes.
-- expect: error
-- message-part: too many results to unpack
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  return pass("%d", select("#", table.unpack({}, 1, 1e7)))
end }
