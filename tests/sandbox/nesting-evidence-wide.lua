-- Evidence of a million strings of 1 KB: cut by count and size.
-- limits: {instructions: 10000000000, memory_mb: 64, time_ms: 60000}
-- expect: pass
-- message: wide
-- evidence-max: 100000
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local s, ev = ("y"):rep(1024), {}
  for i = 1, 1e6 do ev[i] = s end
  return pass("wide", { list = ev })
end }
