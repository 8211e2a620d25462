gate {
  id = "good",
  at = "pilot->scale",
  check = function(ctx) return pass("fine as of %s", ctx.now) end,
}
