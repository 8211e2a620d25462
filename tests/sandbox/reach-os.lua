-- os would run commands and read the clock: no route leads to it.
-- expect: pass
-- message: found: nothing
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local found = {}
  local function try(route, f)
    local ok, v = pcall(f)
    if ok and v ~= nil and v ~= false then found[#found + 1] = route end
  end
  try("os", function() return os end)
  try("_G.os", function() return _G.os end)
  try("_ENV.os", function() return _ENV.os end)
  try("rawget(_G)", function() return rawget(_G, "os") end)
  try("the env metatable", function() return getmetatable(_ENV).__index.os end)
  try("the string metatable", function() return getmetatable("").__index.os end)
  try("the string table metatable", function() return getmetatable(string).__index.os end)
  try("a string method", function() return ("")["os"] end)
  try("package.loaded", function() return package.loaded.os end)
  try("require", function() return require("os") end)
  try("pairs(_G)", function() for k, v in pairs(_G) do if k == "os" then return v end end end)
  try("pairs(string)", function() for k, v in pairs(string) do if k == "os" then return v end end end)
  try("the ctx metatable", function() return getmetatable(ctx) end)
  try("ctx.os", function() return ctx.os end)
  try("params.os", function() return params.os end)
  return pass("found: %s", #found > 0 and table.concat(found, ", ") or "nothing")
end }
