-- A pattern that recurses once per optional item: match()'s depth limit.
-- expect: error
-- message-part: pattern too complex
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  return pass("%s", ("a"):rep(300):match(("a?"):rep(300) .. ("a"):rep(300)))
end }
