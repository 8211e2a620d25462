gate {
  id = "no-such-outcome",
  at = "pilot->scale",
  on_fail = "panic",
  check = function(ctx) return pass() end,
}
