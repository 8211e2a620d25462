-- collectgarbage would stop the collector (and let memory be measured
-- or forced): no route leads to it.
-- expect: pass
-- message: found: nothing
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local found = {}
  local function try(route, f)
    local ok, v = pcall(f)
    if ok and v ~= nil and v ~= false then found[#found + 1] = route end
  end
  try("collectgarbage", function() return collectgarbage end)
  try("_G.collectgarbage", function() return _G.collectgarbage end)
  try("_ENV.collectgarbage", function() return _ENV.collectgarbage end)
  try("rawget(_G)", function() return rawget(_G, "collectgarbage") end)
  try("the env metatable", function() return getmetatable(_ENV).__index.collectgarbage end)
  try("the string metatable", function() return getmetatable("").__index.collectgarbage end)
  try("the string table metatable", function() return getmetatable(string).__index.collectgarbage end)
  try("a string method", function() return ("")["collectgarbage"] end)
  try("package.loaded", function() return package.loaded.collectgarbage end)
  try("require", function() return require("collectgarbage") end)
  try("pairs(_G)", function() for k, v in pairs(_G) do if k == "collectgarbage" then return v end end end)
  try("pairs(string)", function() for k, v in pairs(string) do if k == "collectgarbage" then return v end end end)
  try("the ctx metatable", function() return getmetatable(ctx) end)
  try("ctx.collectgarbage", function() return ctx.collectgarbage end)
  try("params.collectgarbage", function() return params.collectgarbage end)
  return pass("found: %s", #found > 0 and table.concat(found, ", ") or "nothing")
end }
