-- string.format with 200,000 arguments, over and over: each argument and
-- each result is charged.
-- expect: error
-- message: rules/hostile.lua:9: instruction limit exceeded (1000000)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local args = {}
  for i = 1, 200000 do args[i] = i end
  local fmt = ("%d"):rep(200000)
  for i = 1, 1e9 do local s = fmt:format(table.unpack(args)) end
  return pass("done")
end }
