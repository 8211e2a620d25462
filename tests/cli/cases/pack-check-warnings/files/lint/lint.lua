threshold = 2            -- a global: local was meant

function count(ctx)      -- a global function, too
  return #ctx:people{ unit = ctx.unit.id }
end

gate {
  id = "tidy",
  at = "evaluate->procure",
  title = "A rule that says everything about itself",
  rationale = "To show a rule pack check has nothing to say about.",
  source = "This test",
  remediation = "None needed.",
  owner = "quality_lead",
  check = function(ctx)
    return pass("%d people", count(ctx))
  end,
}

check {
  id = "bare",
  check = function(ctx)
    local n = #ctx:peple{ unit = ctx.unit.id }
    if n < threshold then return warn("%d people", n) end
    return pass("%d people", n)
  end,
}
