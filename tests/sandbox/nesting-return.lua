-- A deeply nested table returned instead of a result.
-- expect: error
-- message-part: returned no result
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t = {}
  for i = 1, 1e5 do t = { t } end
  return t
end }
