-- A chain of 200000 closures, each holding the one before as an
-- upvalue, that the check below holds: coverage walks all of it.
local f = function() end
for _ = 1, 200000 do
  local g = f
  f = function() return g end
end

check {
  id = "deep",
  title = "Holds a long chain of closures",
  check = function(ctx)
    if f then return pass("held") end
  end,
}
