gate {
  id = "champion",
  at = "evaluate->procure",
  title = "A bought-in surgeon champion",
  check = function(ctx)
    local s = ctx:people{ within = ctx.unit.id, role = "surgeon",
                          min_engagement = "bought_in" }
    if #s == 0 then return fail("no bought-in surgeon") end
    return pass("%d champion(s)", #s)
  end,
}

gate {
  id = "budget",
  at = "evaluate->procure",
  must = false,
  title = "A budget decision",
  check = function(ctx)
    if #ctx:events{ kind = "budget", within = ctx.unit.id } == 0 then
      return fail("no budget decided")
    end
    return pass("budget decided")
  end,
}

check {
  id = "plan",
  severity = "medium",
  stages = { "evaluate" },
  title = "A written plan",
  check = function(ctx)
    if #ctx:events{ kind = "plan", within = ctx.unit.id } == 0 then
      return warn("no plan written")
    end
    return pass("plan written")
  end,
}
