-- journey.lua: Northfield's own gates for the surgical journey, beside the
-- shipped clinician-buy-in pack (see program.yaml), which holds the
-- contract and each go-live until the surgeons are consulted and a surgeon
-- champion is bought in and active.  These are what the pack does not
-- check: an executive sponsor, the first-line manager, the go-live date.

local function describe(people)
  local out = {}
  for i, p in ipairs(people) do
    out[i] = string.format("%s (%s, %s)", p.id, table.concat(p.roles, "/"),
                           p.engagement or "no engagement")
  end
  return #out > 0 and table.concat(out, ", ") or "nobody"
end

gate {
  id = "executive-sponsor",
  at = "evaluate->procure",
  must = false,
  weight = 1,
  title = "An executive sponsor is bought in",
  check = function(ctx)
    return require_people(ctx, { role = "executive", level = "bought_in" })
  end,
}

-- Procurement ends in a plan the departments agreed to: who does what
-- before go-live (uptake record event --kind plan --unit northfield).
gate {
  id = "implementation-plan",
  at = "procure->prepare",
  title = "An implementation plan is agreed before preparing go-live",
  owner = "implementation_lead",
  check = function(ctx)
    return require_event(ctx, { kind = "plan" })
  end,
}

-- A live department keeps its staff trained: habits take about 300
-- days, and one training at go-live does not carry them.
gate {
  id = "staff-trained",
  at = "live->sustain",
  title = "Most of the department's staff trained in the last 300 days",
  owner = "first_line_manager",
  check = function(ctx)
    return require_trained(ctx, { share = 0.8, days = 300 })
  end,
}

gate {
  id = "first-line-manager-involved",
  at = "prepare->live",
  must = false,
  weight = 2,
  title = "The department's first-line manager is involved",
  check = function(ctx)
    local managers = ctx:people{ unit = ctx.unit.id, role = "first_line_manager" }
    if #managers == 0 then return score(0, "no first-line manager named") end
    local best = 0
    local ladder = { unaware = 0, informed = 3, consulted = 5, involved = 8, bought_in = 10 }
    for _, m in ipairs(managers) do
      best = math.max(best, ladder[m.engagement or "unaware"])
    end
    return score(best, "first-line manager(s): %s", describe(managers))
  end,
}

gate {
  id = "go-live-date-set",
  at = "prepare->live",
  must = false,
  weight = 1,
  title = "A go-live date is planned",
  check = function(ctx)
    if not ctx.unit.go_live then return fail("no go-live date") end
    local days = ctx:days_between(ctx.now, ctx.unit.go_live)
    if days < 0 then
      return warn("planned go-live %s passed %d days ago; set a new date",
                  ctx.unit.go_live, -days)
    end
    return pass("go-live %s (%d days from now)", ctx.unit.go_live, days)
  end,
}
