-- The library functions the sandbox replaces (pattern matching, string.rep,
-- the table functions, the charged string, utf8 and base functions,
-- xpcall) give what Lua's own give: the runner runs this check in a plain
-- Lua state too and expects the same message and evidence, line by line.
-- expect: same-as-lua
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local out = {}
  local function put(...)
    local t = table.pack(...)
    for i = 1, t.n do t[i] = tostring(t[i]) end
    out[#out + 1] = table.concat(t, "|")
  end
  -- one line per call: its results, or its error without the chunk name
  -- and line (which differ) and with no addresses (Lua's) or serials
  -- (what the sandbox's tostring gives instead)
  local function try(f, ...)
    local r = table.pack(pcall(f, ...))
    for i = 1, r.n do r[i] = (tostring(r[i]):gsub("0x%x+", "ADDR"):gsub(": #%d+", ": ADDR")) end
    if r[1] == "false" then r[2] = r[2]:gsub("^[^\n]-:%d+: ", "") end
    out[#out + 1] = table.concat(r, "|", 1, r.n)
  end
  local s = "hello world from Lua 5.4, key=val; k2 = v2 (nested (parens)) THE END"
  local pats = { "o", "l+", "l*", "l-", "l?", "^h", "END$", "%a+", "%d", "%s+", "%w+=%w+", "(%w+)%s*=%s*(%w+)", "()o()",
    "%b()", "%f[%a]%a+", "%f[%A]", "[aeiou]+", "[^%s]+", "[%a%d]", "(h)(e)(l)(l)(o)", "(l)%1", "x*", "", ".-", "(.-)%s",
    "[a-f]", "[%]]", "%.", "%%", "(()l())", "[", "(", "%", "%b", "%f", "(%1)", "l)", "%z", "[%w_]+" }
  for _, p in ipairs(pats) do
    try(string.find, s, p); try(string.find, s, p, 10); try(string.find, s, p, -5); try(string.match, s, p); try(string.match, s, p, 3)
    try(function() local r = {} for a, b in s:gmatch(p) do r[#r + 1] = tostring(a) .. "," .. tostring(b) end return table.concat(r, ";") end)
    try(function() local r = {} for a in s:gmatch(p, 20) do r[#r + 1] = tostring(a) end return table.concat(r, ";") end)
    try(string.gsub, s, p, "<%0>"); try(string.gsub, s, p, "%1!"); try(string.gsub, s, p, "x", 2)
    try(string.gsub, s, p, function(a, b) return a and (a .. "#") end)
    try(string.gsub, s, p, { o = "0", l = false, hello = 1 })
    try(string.find, s, p, 1, true)
  end
  try(string.find, "abc", "b", 1, true); try(string.find, "abc", "", 10); try(string.find, "abc", "", 4); try(string.find, "a.c", ".", 1, true)
  try(string.gsub, "abc", "", "-"); try(string.gsub, "abc", "%w", "%2"); try(string.gsub, "abc", "%w", "%"); try(string.gsub, "abc", "b", 12)
  try(string.gsub, "abc", "b", true); try(string.gsub, "abc", "b", "%%"); try(string.gsub, "hello", "l", { l = {} })
  try(string.gsub, "hello", "(l)(l)", function(a, b) return 42 end); try(string.gsub, "abc", "^a", "x"); try(string.gsub, "aaa", "^a", "x")
  try(string.rep, "ab", 3, ","); try(string.rep, "ab", 0); try(string.rep, "", 5); try(string.rep, "", 5, "-"); try(string.rep, "x", 1, "-"); try(string.rep, "x", -1)
  try(string.rep, "ab", 1); try(string.rep, "abc", 4); try(string.rep, "", 3, "xy"); try(string.rep, "a", 2^31); try(string.rep)
  local t = { 1, 2, 3, 4, 5 }
  try(table.concat, t, ","); try(table.concat, t, ",", 2, 4); try(table.concat, t, ",", 4, 2); try(table.concat, { 1, {}, 3 }); try(table.concat, {}, "x")
  try(table.concat, t, ",", 1, 10); try(table.concat, 5)
  try(table.insert, t, 6); try(table.insert, t, 1, 0); try(table.insert, t, 10, 0); try(table.insert, t, 1, 2, 3); try(table.insert, t)
  put(table.concat(t, ","))
  try(table.remove, t); try(table.remove, t, 1); try(table.remove, t, #t + 1); try(table.remove, t, #t + 2); try(table.remove, {}); try(table.remove, {}, 0)
  put(table.concat(t, ","))
  try(table.move, { 1, 2, 3 }, 1, 3, 2); try(function() local a = table.move({ 1, 2, 3 }, 1, 3, 2) return table.concat(a, ",") end)
  try(function() local a = table.move({ 1, 2, 3 }, 2, 3, 1) return table.concat(a, ",") end)
  try(function() local b = {} table.move({ 1, 2, 3 }, 1, 3, 1, b) return table.concat(b, ",") end)
  try(table.move, {}, -1, math.maxinteger, 2); try(table.move, {}, 1, 5, math.maxinteger)
  try(table.unpack, { 1, 2, 3 }); try(table.unpack, { 1, 2, 3 }, 2); try(table.unpack, { 1, 2, 3 }, 2, 5); try(table.unpack, { 1, 2, 3 }, 3, 1); try(table.unpack, {}, 1, 1e8)
  try(function() local a = { 5, 2, 8, 1, 9, 3 } table.sort(a) return table.concat(a, ",") end)
  try(function() local a = { 5, 2, 8, 1, 9, 3 } table.sort(a, function(x, y) return x > y end) return table.concat(a, ",") end)
  try(function() local a = { "b", "a", "C", "c" } table.sort(a) return table.concat(a, ",") end)
  try(function() local a = { 1, "x" } table.sort(a) return table.concat(a, ",") end)
  try(table.sort, { 3, 2, 1 }, 5); try(table.sort, 5)
  try(function() local a = {} for i = 1, 200 do a[i] = (i * 37) % 101 end table.sort(a, function(x, y) return x < y end) return table.concat(a, ",") end)
  try(function() local a = {} for i = 1, 200 do a[i] = (i * 37) % 101 end table.sort(a) return table.concat(a, ",") end)
  try(function() local a = table.pack(1, nil, 3) return a.n, a[3] end)
  try(string.format, "%5.2f|%d|%s|%q|%x", 3.14159, 42, "hi", "a\nb", 255); try(string.format, "%d", 1.5); try(string.format, "%s"); try(string.format, "%s", setmetatable({}, { __tostring = function() return "T" end }))
  try(string.byte, "hello", 1, -1); try(string.byte, "hello", 10); try(string.char, 72, 105); try(string.char, 256)
  try(string.upper, "MiXeD"); try(string.lower, "MiXeD"); try(string.reverse, "abc"); try(string.sub, "hello", 2, -2); try(string.sub, "hello", -100, 100)
  try(string.len, "abc"); try(string.pack, "i4", 7); try(string.unpack, "i4", string.pack("i4", 7)); try(string.packsize, "i4i8")
  try(utf8.char, 72, 228, 8364); try(utf8.len, "h\u{e4}\u{20ac}"); try(utf8.len, "\xff"); try(utf8.codepoint, "h\u{e4}", 1, -1); try(utf8.offset, "h\u{e4}\u{20ac}", 3)
  try(function() local r = {} for p, c in utf8.codes("h\u{e4}") do r[#r + 1] = p .. ":" .. c end return table.concat(r, ",") end)
  try(tonumber, "0x10"); try(tonumber, "z", 36); try(tonumber, "  12  "); try(tonumber, "1e2"); try(tonumber, "abc"); try(function() return tonumber() end)
  try(xpcall, function(a, b) return a + b end, function(e) return "H" end, 1, 2); try(xpcall, error, function(e) return "H:" .. tostring(e) end, "x")
  try(function() return xpcall(function() return end, nil) end); try(xpcall, function() error({}) end, function(e) return type(e) end)
  try(function() return select("#", xpcall(function() return 1, 2, 3 end, print or tostring)) end)
  try(("x"):rep(3).gsub, "aXb", "X", "y")
  return pass("%d lines", #out, out)
end }
