-- The base table that every file's _ENV falls back on is shared by the
-- file's rules only as a read-only fallback: a rule cannot reach it, and
-- what it assigns lands in its own _ENV.
-- expect: pass
-- message: own env: true, base reached: false, string.upper intact: true
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  pairs = nil
  string = { upper = function() return "pwned" end }
  local mt = getmetatable(_ENV)
  local own = rawget(_ENV, "string") ~= nil
  string = nil
  return pass("own env: %s, base reached: %s, string.upper intact: %s",
              tostring(own), tostring(mt ~= false and mt ~= nil),
              tostring(("a"):upper() == "A"))
end }
