check {
  id = "unclosed",
  title = "A check whose function is never closed",
  check = function(ctx)
    if ctx.unit.staff > 10 then
      return pass("big")
  end,
}
