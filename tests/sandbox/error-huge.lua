-- An error message of 4 MB: cut.
-- expect: error
-- message-part: xxxxxxxxxx
-- message-max: 2300
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  error(("x"):rep(4e6))
end }
