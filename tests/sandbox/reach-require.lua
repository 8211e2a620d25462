-- require would load modules from disk: no route leads to it.
-- expect: pass
-- message: found: nothing
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local found = {}
  local function try(route, f)
    local ok, v = pcall(f)
    if ok and v ~= nil and v ~= false then found[#found + 1] = route end
  end
  try("require", function() return require end)
  try("_G.require", function() return _G.require end)
  try("_ENV.require", function() return _ENV.require end)
  try("rawget(_G)", function() return rawget(_G, "require") end)
  try("the env metatable", function() return getmetatable(_ENV).__index.require end)
  try("the string metatable", function() return getmetatable("").__index.require end)
  try("the string table metatable", function() return getmetatable(string).__index.require end)
  try("a string method", function() return ("")["require"] end)
  try("package.loaded", function() return package.loaded.require end)
  try("require", function() return require("require") end)
  try("pairs(_G)", function() for k, v in pairs(_G) do if k == "require" then return v end end end)
  try("pairs(string)", function() for k, v in pairs(string) do if k == "require" then return v end end end)
  try("the ctx metatable", function() return getmetatable(ctx) end)
  try("ctx.require", function() return ctx.require end)
  try("params.require", function() return params.require end)
  return pass("found: %s", #found > 0 and table.concat(found, ", ") or "nothing")
end }
