-- utf8.codepoint of a whole 1 MB string: more results than the stack takes.
-- expect: error
-- message-part: string slice too long
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local s = ("a"):rep(1 << 20)
  return pass("%d", select("#", utf8.codepoint(s, 1, -1)))
end }
