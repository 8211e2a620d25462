-- Two gates at pilot->scale: a must that a fact steers, and a should
-- whose line of failure is not its first line.
gate {
  id = "nurse-on-board", at = "pilot->scale",
  check = function(ctx)
    if #ctx:events{ kind = "decision", unit = ctx.unit.id } > 0 then
      error("the roster export is broken")
    end
    return pass("a nurse is on board")
  end,
}

gate {
  id = "visits-counted", at = "pilot->scale", must = false, weight = 0.1,
  check = function(ctx)
    local v = ctx:series("visits")
    if #v == 0 then
      return fail("no visits counted")
    end
    return pass("%d periods of visits", #v)
  end,
}
