-- Evidence that contains itself, many times over: cut by depth, count and
-- size.
-- expect: pass
-- message: cyclic
-- evidence-max: 150000
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local ev = { name = "loop" }
  for i = 1, 50 do ev[i] = ev end
  ev.self = ev
  return pass("cyclic", ev)
end }
