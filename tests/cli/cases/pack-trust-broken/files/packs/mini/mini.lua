gate {
  id = "surgeon-bought-in",
  at = "evaluate->procure",
  title = "A bought-in surgeon before the contract",
  check = function(ctx)
    local s = ctx:people{ within = ctx.unit.id, role = "surgeon",
                          min_engagement = "bought_in" }
    if #s == 0 then return fail("no bought-in surgeon") end
    return pass("%d bought-in surgeon(s)", #s)
  end,
}
