-- string.byte of a whole 4 MB string: more results than the stack takes.
-- expect: error
-- message-part: string slice too long
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local s = ("a"):rep(4 << 20)
  return pass("%d", select("#", s:byte(1, -1)))
end }
