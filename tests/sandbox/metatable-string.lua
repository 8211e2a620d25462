-- Strings share one metatable in a Lua state; changing it would change
-- every string method of every rule in the file.  It is hidden and the
-- string table behind it is read-only.
-- expect: pass
-- message: refused 5 of 5; upper intact: true
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local attempts = {
    function() getmetatable("").__index = {} end,
    function() getmetatable("").__index.upper = nil end,
    function() string.upper = function() return "x" end end,
    function() setmetatable(string, {}) end,
    function() setmetatable("", {}) end,
  }
  local refused = 0
  for _, f in ipairs(attempts) do
    if not pcall(f) then refused = refused + 1 end
  end
  return pass("refused %d of %d; upper intact: %s", refused, #attempts,
              tostring(("a"):upper() == "A"))
end }
