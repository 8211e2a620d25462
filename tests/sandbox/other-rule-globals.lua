-- Another file's globals (the witness sets witness_secret) live in its own
-- Lua state; this file's globals stay here (the witness checks that
-- hostile_global is nil where it runs).
-- expect: pass
-- message: witness_secret: nil, witness: nil
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  hostile_global = "set by the hostile rule"
  _G.witness_secret = "overwritten"
  return pass("witness_secret: %s, witness: %s", tostring(witness_secret == "w" or nil),
              tostring(witness))
end }
