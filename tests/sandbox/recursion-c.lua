-- Recursion through C (gsub calling a function that calls gsub): the C
-- stack limit.
-- expect: error
-- message-part: stack overflow
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local function f(s) return (s:gsub(".", f)) end
  return pass("%s", f("xy"))
end }
