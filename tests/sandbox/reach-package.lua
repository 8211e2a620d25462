-- package (and package.loaded, where every library lives) is out of
-- reach by every route.
-- expect: pass
-- message: found: nothing
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local found = {}
  local function try(route, f)
    local ok, v = pcall(f)
    if ok and v ~= nil and v ~= false then found[#found + 1] = route end
  end
  try("package", function() return package end)
  try("_G.package", function() return _G.package end)
  try("_ENV.package", function() return _ENV.package end)
  try("rawget(_G)", function() return rawget(_G, "package") end)
  try("the env metatable", function() return getmetatable(_ENV).__index.package end)
  try("the string metatable", function() return getmetatable("").__index.package end)
  try("the string table metatable", function() return getmetatable(string).__index.package end)
  try("a string method", function() return ("")["package"] end)
  try("package.loaded", function() return package.loaded.package end)
  try("require", function() return require("package") end)
  try("pairs(_G)", function() for k, v in pairs(_G) do if k == "package" then return v end end end)
  try("pairs(string)", function() for k, v in pairs(string) do if k == "package" then return v end end end)
  try("the ctx metatable", function() return getmetatable(ctx) end)
  try("ctx.package", function() return ctx.package end)
  try("params.package", function() return params.package end)
  return pass("found: %s", #found > 0 and table.concat(found, ", ") or "nothing")
end }
