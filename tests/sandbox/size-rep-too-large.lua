-- More than 2^31 bytes is refused before anything is allocated.
-- expect: error
-- message-part: resulting string too large
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  return pass("%d", #("xx"):rep(1 << 31))
end }
