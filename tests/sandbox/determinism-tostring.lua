-- tostring() of a table or function printed its address, which differs
-- from run to run (ASLR): the sandbox names it by the order it was made
-- in ("table: #N"), Lua's own functions (and the iterators ipairs and
-- utf8.codes return) by name, string.format('%s')
-- the same, and refuses '%p', which can only give an address.  Five
-- processes must print the same.
-- processes: 5
-- expect: pass
-- message-part: no address; distinct; format agrees; builtin: function: builtin: string.len; named: point: #
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local a, b, f = {}, {}, function() end
  local ta, tb, tf = tostring(a), tostring(b), tostring(f)
  local all = ta .. tf .. tostring(ctx) .. tostring(ctx.unit) .. tostring(type) .. tostring(ipairs({})) ..
              tostring((utf8.codes(""))) .. tostring(("x"):gmatch("x")) .. string.format("%s %s", a, f)
  local ok, err = pcall(string.format, "%p", a)
  return pass("%s; %s; %s; builtin: %s; named: %s; %s; ids: %s %s %s",
              all:find("0x") and "address: " .. all or "no address",
              (ta ~= tb and ta:match("^table: #%d+$") and tf:match("^function: #%d+$")) and "distinct" or ta .. " " .. tb .. " " .. tf,
              string.format("%s|%5s", a, f) == ta .. "|" .. tf and "format agrees" or string.format("%s|%5s", a, f),
              tostring(string.len),
              tostring(setmetatable({}, { __name = "point" })),
              ok and "%p allowed" or err:find("'%p' gives an address", 1, true) and "%p refused" or err,
              ta, tb, tf)
end }
