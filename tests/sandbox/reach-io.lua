-- io would read and write files: no route leads to it.
-- expect: pass
-- message: found: nothing
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local found = {}
  local function try(route, f)
    local ok, v = pcall(f)
    if ok and v ~= nil and v ~= false then found[#found + 1] = route end
  end
  try("io", function() return io end)
  try("_G.io", function() return _G.io end)
  try("_ENV.io", function() return _ENV.io end)
  try("rawget(_G)", function() return rawget(_G, "io") end)
  try("the env metatable", function() return getmetatable(_ENV).__index.io end)
  try("the string metatable", function() return getmetatable("").__index.io end)
  try("the string table metatable", function() return getmetatable(string).__index.io end)
  try("a string method", function() return ("")["io"] end)
  try("package.loaded", function() return package.loaded.io end)
  try("require", function() return require("io") end)
  try("pairs(_G)", function() for k, v in pairs(_G) do if k == "io" then return v end end end)
  try("pairs(string)", function() for k, v in pairs(string) do if k == "io" then return v end end end)
  try("the ctx metatable", function() return getmetatable(ctx) end)
  try("ctx.io", function() return ctx.io end)
  try("params.io", function() return params.io end)
  return pass("found: %s", #found > 0 and table.concat(found, ", ") or "nothing")
end }
