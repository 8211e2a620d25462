-- reaim.lua: the RE-AIM dimensions per unit.  Reach, adoption (of units
-- and of staff) and implementation fidelity are metrics with targets,
-- computed for every unit over its subtree (summed counts, never averaged
-- ratios); the scale gate scores reach and adoption, and checks watch
-- fidelity and maintenance while units deliver.

local function set_of(t)
  local s = {}
  for _, v in ipairs(t) do s[v] = true end
  return s
end

-- "50%", or "29.6%" when a whole number would hide a shortfall.
local function pct(x)
  local p = 100 * x
  if math.abs(p - math.floor(p + 0.5)) < 0.05 then return string.format("%.0f%%", p) end
  return string.format("%.1f%%", p)
end

-- Observations of NAME in the unit's subtree, summed per unit and period:
-- unit -> "start/end" -> { period, start, stop, value }.
local function by_unit(ctx, name)
  local t = {}
  for _, o in ipairs(ctx:series(name, { within = ctx.unit.id })) do
    local u = t[o.unit] or {}
    t[o.unit] = u
    local key = o.start .. "/" .. o["end"]
    local cell = u[key]
    if not cell then
      cell = { period = o.period, start = o.start, stop = o["end"], value = 0 }
      u[key] = cell
    end
    cell.value = cell.value + o.value
  end
  return t
end

local function later(a, b)
  return a.start > b.start or (a.start == b.start and a.stop > b.stop)
end

-- A ratio of two series over the subtree: for each unit, its latest
-- period that has both figures; the counts summed over the units.  Nil
-- when no unit has both.
local function latest_pair(ctx, num_name, den_name)
  local nums, dens = by_unit(ctx, num_name), by_unit(ctx, den_name)
  local num, den, units = 0, 0, 0
  for unit, periods in pairs(dens) do
    local best
    for key, d in pairs(periods) do
      local n = nums[unit] and nums[unit][key]
      if n and (not best or later(d, best.d)) then best = { n = n, d = d } end
    end
    if best then
      num, den, units = num + best.n.value, den + best.d.value, units + 1
    end
  end
  if units == 0 or den <= 0 then return nil end
  return { numerator = num, denominator = den }
end

-- The settings below the unit (the lowest units, or its children) and
-- those of them in a live stage.
local function settings(ctx)
  local all = ctx:units{ within = ctx.unit.id }
  local has_child = {}
  for _, u in ipairs(all) do
    if u.parent then has_child[u.parent] = true end
  end
  local leaves = ctx.params.adoption_units == "leaves"
  local live_stage = set_of(ctx.params.live_stages)
  local out, live, idle = {}, {}, {}
  for _, u in ipairs(all) do
    local below = u.id ~= ctx.unit.id
    local pick = leaves and not has_child[u.id] or (not leaves and u.parent == ctx.unit.id)
    if below and pick then
      out[#out + 1] = u
      if live_stage[u.stage] then live[#live + 1] = u else idle[#idle + 1] = u end
    end
  end
  return out, live, idle
end

local function names(units, max)
  local shown = {}
  for i = 1, math.min(#units, max) do shown[i] = units[i].id end
  local s = table.concat(shown, ", ")
  if #units > max then s = s .. string.format(" and %d more", #units - max) end
  return s
end

local OK = { met = true, on_track = true }

-- ---------------------------------------------------------------------
-- Metrics
-- ---------------------------------------------------------------------

metric {
  id = "reach",
  title = "Reach: individuals taking part over those eligible",
  target = params.reach_target,
  tolerance = params.tolerance,
  rationale = "An intervention that reaches a few volunteers changes little; "
           .. "reach needs a real denominator, everyone who is eligible.",
  source = "Glasgow, Vogt & Boles 1999, Am J Public Health 89(9):1322; "
        .. "Glasgow et al. 2019, Front Public Health 7:64 (RE-AIM)",
  remediation = "Report the eligible population and the participants per unit; "
             .. "find out who is not reached and why.",
  owner = "implementation_lead",
  compute = function(ctx)
    return latest_pair(ctx, ctx.params.reach_numerator, ctx.params.reach_denominator)
  end,
}

metric {
  id = "adoption",
  title = "Adoption: units live over units approached",
  target = params.adoption_target,
  tolerance = params.tolerance,
  rationale = "A rollout is adopted when the settings approached take it up, "
           .. "not when a few enthusiastic ones do.",
  source = "Glasgow, Vogt & Boles 1999, Am J Public Health 89(9):1322; "
        .. "Glasgow et al. 2019, Front Public Health 7:64 (RE-AIM)",
  remediation = "Ask the units that have not started what holds them back; "
             .. "support the next wave of units.",
  owner = "implementation_lead",
  compute = function(ctx)
    local all, live = settings(ctx)
    if #all == 0 then return nil end
    return { numerator = #live, denominator = #all }
  end,
}

metric {
  id = "staff_adoption",
  title = "Adoption: staff using over staff invited",
  target = params.staff_adoption_target,
  tolerance = params.tolerance,
  rationale = "A unit that went live while most of its staff work around the "
           .. "tool has not adopted it.",
  source = "Glasgow et al. 2019, Front Public Health 7:64 (RE-AIM: adoption "
        .. "by staff within settings)",
  remediation = "Find out which staff do not use it; train them, and ask the "
             .. "first-line manager to follow up.",
  owner = "first_line_manager",
  compute = function(ctx)
    return latest_pair(ctx, ctx.params.staff_numerator, ctx.params.staff_denominator)
  end,
}

metric {
  id = "fidelity",
  title = "Implementation: core components delivered as intended",
  target = params.fidelity_target,
  tolerance = params.tolerance,
  rationale = "When core components are dropped, poor results say nothing "
           .. "about the intervention: it was not the one delivered.",
  source = "Glasgow et al. 2019, Front Public Health 7:64 (RE-AIM: "
        .. "implementation); Carroll et al. 2007, Implementation Science 2:40 "
        .. "(implementation fidelity)",
  remediation = "Find out which core components are skipped and why; adapt "
             .. "how they are delivered, not whether.",
  owner = "quality_lead",
  compute = function(ctx)
    return latest_pair(ctx, ctx.params.fidelity_numerator, ctx.params.fidelity_denominator)
  end,
}

-- ---------------------------------------------------------------------
-- Gates at the scale boundary
-- ---------------------------------------------------------------------

-- "32% (160 of 500 eligible), target 50%"
local function describe(m, what)
  return string.format("%s (%g of %g %s), target %s", pct(m.value), m.numerator,
                       m.denominator, what, pct(m.target))
end

local function missing(ctx, fmt, ...)
  if ctx.params.on_missing_data == "skip" then return skip(fmt, ...) end
  return fail(fmt, ...)
end

-- What a shortfall within the tolerance adds to a passing message.
local function within(m)
  return m.status == "on_track" and ", short of it but within the tolerance" or ""
end

local function has_value(m)
  return m ~= nil and m.value ~= nil and m.status ~= "no_data"
end

gate {
  id = "reach-before-scale",
  at = params.scale_gate,
  must = false,
  title = "Reach on target before scaling up",
  rationale = "Scaling an intervention that reaches few of those eligible "
           .. "spreads its inequity; reach is judged against everyone eligible.",
  source = "Glasgow et al. 2019, Front Public Health 7:64 (RE-AIM); Powell "
        .. "et al. 2015, Implementation Science 10:21 (ERIC: stage "
        .. "implementation scale-up)",
  remediation = "Report participants and eligible individuals for the unit, "
             .. "and raise reach before asking to scale.",
  owner = "implementation_lead",
  check = function(ctx)
    local m = ctx:metric("reach")
    if not has_value(m) then
      return missing(ctx, "no reach figures for %s: report %s and %s", ctx.unit.name,
                     ctx.params.reach_numerator, ctx.params.reach_denominator)
    end
    local evidence = { value = m.value, numerator = m.numerator,
                       denominator = m.denominator, target = m.target, status = m.status }
    local text = "reach " .. describe(m, ctx.params.reach_denominator)
    if OK[m.status] then return pass("%s%s", text, within(m), evidence) end
    if m.status == "at_risk" then return warn("%s, at risk", text, evidence) end
    return fail("%s, %s", text, m.status, evidence)
  end,
}

gate {
  id = "adoption-before-scale",
  at = params.scale_gate,
  must = false,
  title = "Units and staff have adopted before scaling up",
  rationale = "Scale-up multiplies what the pilot proved: if its units did not "
           .. "go live or their staff do not use the tool, there is nothing to "
           .. "multiply yet.",
  source = "Glasgow et al. 2019, Front Public Health 7:64 (RE-AIM: adoption); "
        .. "Powell et al. 2015, Implementation Science 10:21 (ERIC: stage "
        .. "implementation scale-up)",
  remediation = "Bring the units that have not gone live along, and get the "
             .. "invited staff using it, before asking to scale.",
  owner = "implementation_lead",
  check = function(ctx)
    local units = ctx:metric("adoption")
    local staff = ctx:metric("staff_adoption")
    local parts, short, evidence = {}, {}, {}
    if has_value(units) then
      local _, _, idle = settings(ctx)
      local text = string.format("%g of %g units live (%s), target %s", units.numerator,
                                 units.denominator, pct(units.value), pct(units.target))
      evidence.units = { value = units.value, status = units.status, not_live = #idle }
      if OK[units.status] then
        parts[#parts + 1] = text .. within(units)
      else
        short[#short + 1] = text .. "; not live: " .. names(idle, 5)
      end
    end
    if has_value(staff) then
      local text = "staff " .. describe(staff, ctx.params.staff_denominator)
      evidence.staff = { value = staff.value, status = staff.status }
      if OK[staff.status] then
        parts[#parts + 1] = text .. within(staff)
      else
        short[#short + 1] = text
      end
    end
    if #parts + #short == 0 then
      return missing(ctx, "no adoption figures for %s: no units below it and no %s/%s",
                     ctx.unit.name, ctx.params.staff_numerator, ctx.params.staff_denominator)
    end
    if #short > 0 then return fail("%s", table.concat(short, "; "), evidence) end
    return pass("%s", table.concat(parts, "; "), evidence)
  end,
}

-- ---------------------------------------------------------------------
-- Checks while units deliver
-- ---------------------------------------------------------------------

check {
  id = "fidelity-below-target",
  severity = "high",
  stages = params.live_stages,
  title = "Core components delivered as intended",
  rationale = "Dropped core components turn the intervention into another "
           .. "one; outcomes then say nothing about what was planned.",
  source = "Carroll et al. 2007, Implementation Science 2:40 (implementation "
        .. "fidelity); Glasgow et al. 2019, Front Public Health 7:64 (RE-AIM)",
  remediation = "Audit which core components are skipped and why, feed it back "
             .. "to the unit, and adapt how they are delivered.",
  owner = "quality_lead",
  check = function(ctx)
    local m = ctx:metric("fidelity")
    if not has_value(m) then
      return skip("no fidelity figures (%s/%s)", ctx.params.fidelity_numerator,
                  ctx.params.fidelity_denominator)
    end
    local text = "fidelity " .. describe(m, "core components")
    if OK[m.status] then return pass("%s", text) end
    return warn("%s: %g core component(s) not delivered as intended", text,
                m.denominator - m.numerator,
                { value = m.value, target = m.target, status = m.status })
  end,
}

-- The events of KIND that apply to the unit: on it, on a unit above it,
-- or on no unit, oldest first.  ctx's lineage filter finds them without
-- listing the organisation's events: a rule runs for every unit, and a
-- whole list each time would make a cycle's time grow with the square
-- of the units.
--
-- (The unit's lineage is ctx:units{ lineage = ctx.unit.id }.)
local function applying(ctx, kind)
  return ctx:events{ kind = kind, lineage = ctx.unit.id }
end


check {
  id = "maintained-after-support",
  severity = "high",
  stages = params.live_stages,
  title = "Still delivered six months after implementation support ends",
  rationale = "Many interventions stop when the project team leaves; "
           .. "maintenance is delivery that continues without it.",
  source = "Glasgow et al. 2019, Front Public Health 7:64 (RE-AIM: "
        .. "maintenance); Shelton, Cooper & Stirman 2018, Annu Rev Public "
        .. "Health 39:55 (sustainability)",
  remediation = "Ask the unit what stopped delivery; restore what the support "
             .. "used to provide (a local owner, training of new staff, a budget).",
  owner = "implementation_lead",
  check = function(ctx)
    -- The latest decision about support, on the unit, above it or on no unit.
    local decision = nil
    for _, e in ipairs(applying(ctx, "decision")) do
      if e.attrs.support ~= nil then decision = e end
    end
    if not decision or decision.attrs.support ~= "ended" then
      return skip("implementation support has not ended")
    end
    local ended, series = decision.date, ctx.params.delivery_series
    local from = ctx:add_days(ended, ctx.params.maintenance_days)
    if ctx.now < from then
      return skip("support ended %s; maintenance is judged from %s", ended, from)
    end
    -- The latest report that reaches the maintenance date, summed over
    -- the subtree.
    local latest, last_any = nil, nil
    local periods = {}
    for _, o in ipairs(ctx:series(series, { within = ctx.unit.id })) do
      if not last_any or o["end"] > last_any then last_any = o["end"] end
      if o["end"] >= from then
        local key = o.start .. "/" .. o["end"]
        local p = periods[key]
        if not p then
          p = { period = o.period, start = o.start, stop = o["end"], value = 0 }
          periods[key] = p
        end
        p.value = p.value + o.value
        if not latest or later(p, latest) then latest = p end
      end
    end
    local evidence = { support_ended = ended, judged_from = from,
                       period = latest and latest.period or false,
                       deliveries = latest and latest.value or false }
    if latest and latest.value > 0 then
      return pass("%g %s in %s, %d days after support ended on %s", latest.value, series,
                  latest.period, ctx:days_between(ended, latest.stop), ended, evidence)
    end
    if latest then
      return warn("delivery stopped: 0 %s in %s, %d days after support ended on %s",
                  series, latest.period, ctx:days_between(ended, latest.stop), ended,
                  evidence)
    end
    if ctx.now <= ctx:add_days(from, ctx.params.maintenance_grace_days) then
      return skip("waiting for the first %s report after %s", series, from)
    end
    return warn("no %s reported after %s (support ended on %s; last report %s)", series,
                from, ended, last_any or "never", evidence)
  end,
}
