-- A to-be-closed variable whose __close loops, closed as the error
-- unwinds: the close runs under the same bounds.
-- limits: {instructions: 10000000000, memory_mb: 16, time_ms: 200}
-- expect: error
-- message: rules/hostile.lua:7: time limit exceeded (200 ms)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local guard <close> = setmetatable({}, { __close = function() while true do end end })
  error("unwinding")
end }
