-- Evidence larger than the host takes is cut; which keys it keeps must not
-- follow Lua's hash order, which differs in every process: the first in
-- key order are kept.  Three processes must give the same evidence.
-- processes: 3
-- expect: pass
-- message: 20000 keys
-- evidence-max: 150000
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local ev = {}
  for i = 1, 20000 do ev[("k%05d"):format((i * 7919) % 20000)] = i end
  return pass("%d keys", 20000, ev)
end }
