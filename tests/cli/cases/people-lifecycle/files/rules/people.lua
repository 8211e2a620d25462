-- A ward scales once it has a clinician champion of its own.
gate {
  id = "champion",
  at = "pilot->scale",
  title = "A clinician champion in the ward",
  check = function(ctx)
    if not ctx.unit.parent then return pass("the region has no ward") end
    local c = ctx:people{ unit = ctx.unit.id, role = "clinician_champion" }
    if #c == 0 then return fail("no clinician champion in %s", ctx.unit.name) end
    return pass("champion: %s", c[1].id)
  end,
}

-- Who is where with which roles as of the cycle's date, and who left.
check {
  id = "who-where",
  severity = "low",
  check = function(ctx)
    if ctx.unit.parent then return pass("listed at the region") end
    local out = {}
    for _, p in ipairs(ctx:people{ include_left = true }) do
      out[#out + 1] = p.id .. "@" .. (p.unit or "-") .. "[" ..
        table.concat(p.roles, ",") .. "]" ..
        (p.left and (" left " .. p.left) or "")
    end
    return warn("%d present: %s", #ctx:people{}, table.concat(out, "; "))
  end,
}
