-- a missing comma
gate {
  id = "x",
  at = "pilot->scale"
  check = function(ctx) return pass() end,
}
