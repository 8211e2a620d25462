-- Calls with 200,000 arguments: each copies them in one instruction.
-- limits: {instructions: 10000000000, memory_mb: 64, time_ms: 200}
-- expect: error
-- message-part: time limit exceeded (200 ms)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local t = {}
  for i = 1, 200000 do t[i] = i end
  local function g(...) return select("#", ...) end
  local function f(...) while true do g(...) end end
  f(table.unpack(t))
end }
