-- Coroutines nested in coroutines: there is no coroutine library.
-- expect: error
-- message-part: attempt to index a nil value (global 'coroutine')
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local function nest(n)
    return coroutine.wrap(function() return nest(n + 1) end)()
  end
  return pass("%s", nest(1))
end }
