-- debug would read locals and upvalues of the host's own functions and
-- set hooks: no route leads to it.
-- expect: pass
-- message: found: nothing
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local found = {}
  local function try(route, f)
    local ok, v = pcall(f)
    if ok and v ~= nil and v ~= false then found[#found + 1] = route end
  end
  try("debug", function() return debug end)
  try("_G.debug", function() return _G.debug end)
  try("_ENV.debug", function() return _ENV.debug end)
  try("rawget(_G)", function() return rawget(_G, "debug") end)
  try("the env metatable", function() return getmetatable(_ENV).__index.debug end)
  try("the string metatable", function() return getmetatable("").__index.debug end)
  try("the string table metatable", function() return getmetatable(string).__index.debug end)
  try("a string method", function() return ("")["debug"] end)
  try("package.loaded", function() return package.loaded.debug end)
  try("require", function() return require("debug") end)
  try("pairs(_G)", function() for k, v in pairs(_G) do if k == "debug" then return v end end end)
  try("pairs(string)", function() for k, v in pairs(string) do if k == "debug" then return v end end end)
  try("the ctx metatable", function() return getmetatable(ctx) end)
  try("ctx.debug", function() return ctx.debug end)
  try("params.debug", function() return params.debug end)
  return pass("found: %s", #found > 0 and table.concat(found, ", ") or "nothing")
end }
