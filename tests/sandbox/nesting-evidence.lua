-- Evidence nested a hundred thousand deep: kept to 16 levels.
-- expect: pass
-- message: deep
-- evidence: {"in":{"in":{"in":{"in":{"in":{"in":{"in":{"in":{"in":{"in":{"in":{"in":{"in":{"in":{"in":{"in":{"in":"..."}}}}}}}}}}}}}}}}}
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local ev = {}
  for i = 1, 1e5 do ev = { ["in"] = ev } end
  return pass("deep", ev)
end }
