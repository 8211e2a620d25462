-- journey.lua: Northfield's own gates for the surgical journey.
-- Lesson encoded: clinicians before the sale, clinicians in implementation.
-- Executive or quality-lead support never stands in for a surgeon.

local FRONT_LINE = { "surgeon", "physician", "nurse", "clinician_champion" }
local SURGEON_ROLES = { "surgeon" }
local ACTIVE_DAYS = 90

local function has_role(person, roles)
  for _, r in ipairs(person.roles) do
    for _, want in ipairs(roles) do
      if r == want then return true end
    end
  end
  return false
end

local function ids(list)
  local out = {}
  for i, x in ipairs(list) do out[i] = x.id end
  return out
end

local function describe(people)
  local out = {}
  for i, p in ipairs(people) do
    out[i] = string.format("%s (%s, %s)", p.id, table.concat(p.roles, "/"),
                           p.engagement or "no engagement")
  end
  return #out > 0 and table.concat(out, ", ") or "nobody"
end

-- Front-line clinicians of UNIT who took part in a consultation there, or
-- whose engagement has reached at least "consulted".
local function consulted_clinicians(ctx, unit)
  local found, seen = {}, {}
  local clinicians = ctx:people{ unit = unit, role = FRONT_LINE }
  local by_id = {}
  for _, p in ipairs(clinicians) do by_id[p.id] = p end
  for _, ev in ipairs(ctx:events{ kind = "consultation", unit = unit }) do
    for _, pid in ipairs(ev.people) do
      if by_id[pid] and not seen[pid] then
        seen[pid] = true
        found[#found + 1] = pid
      end
    end
  end
  for _, p in ipairs(ctx:people{ unit = unit, role = FRONT_LINE,
                                 min_engagement = "consulted" }) do
    if not seen[p.id] then
      seen[p.id] = true
      found[#found + 1] = p.id
    end
  end
  return found
end

gate {
  id = "clinicians-consulted-before-contract",
  at = "evaluate->procure",
  title = "Front-line clinicians of every impacted department consulted before the contract",
  check = function(ctx)
    local departments = ctx:units{ parent = ctx.unit.id }
    if #departments == 0 then return skip("no departments below %s", ctx.unit.name) end
    local missing, evidence = {}, {}
    for _, d in ipairs(departments) do
      local who = consulted_clinicians(ctx, d.id)
      evidence[d.id] = who
      if #who == 0 then missing[#missing + 1] = d.name end
    end
    if #missing > 0 then
      local others = ctx:events{ kind = "consultation", unit = ctx.unit.id }
      return fail("no front-line clinician consulted in %s (%d consultation(s) at hospital level, none with clinicians)",
                  table.concat(missing, ", "), #others, { consulted = evidence })
    end
    return pass("clinicians consulted in all %d departments", #departments,
                { consulted = evidence })
  end,
}

gate {
  id = "surgeon-champion-before-contract",
  at = "evaluate->procure",
  title = "A bought-in surgeon champion before the contract",
  check = function(ctx)
    local bought_in = ctx:people{ within = ctx.unit.id, min_engagement = "bought_in" }
    local champions = {}
    for _, p in ipairs(bought_in) do
      if has_role(p, SURGEON_ROLES) then champions[#champions + 1] = p end
    end
    if #champions == 0 then
      local surgeons = ctx:people{ within = ctx.unit.id, role = SURGEON_ROLES }
      return fail("no bought-in surgeon champion; surgeons: %s; bought in: %s (executive and quality-lead buy-in does not count)",
                  describe(surgeons), describe(bought_in),
                  { surgeons = ids(surgeons), bought_in = ids(bought_in) })
    end
    return pass("surgeon champion(s): %s", describe(champions),
                { champions = ids(champions) })
  end,
}

gate {
  id = "executive-sponsor",
  at = "evaluate->procure",
  must = false,
  weight = 1,
  title = "An executive sponsor is bought in",
  check = function(ctx)
    local execs = ctx:people{ within = ctx.unit.id, role = "executive",
                              min_engagement = "bought_in" }
    if #execs == 0 then return fail("no bought-in executive") end
    return pass("executive sponsor(s): %s", describe(execs))
  end,
}

-- A champion is active when they took part in something in the unit, or
-- (re)stated their engagement, within the last ACTIVE_DAYS days.
local function active(ctx, person)
  local since = ctx:add_days(ctx.now, -ACTIVE_DAYS)
  if person.engaged_on and person.engaged_on >= since then return true end
  return #ctx:events{ person = person.id, since = since } > 0
end

gate {
  id = "champion-active-before-go-live",
  at = "prepare->live",
  title = "A bought-in surgeon champion active in the department before go-live",
  check = function(ctx)
    local candidates = ctx:people{ unit = ctx.unit.id, role = SURGEON_ROLES }
    local champions = {}
    for _, p in ipairs(candidates) do
      if p.engagement == "bought_in" and active(ctx, p) then
        champions[#champions + 1] = p.id
      end
    end
    if #champions == 0 then
      return fail("no bought-in surgeon champion active in %s in the last %d days; surgeons: %s",
                  ctx.unit.name, ACTIVE_DAYS, describe(candidates),
                  { surgeons = ids(candidates) })
    end
    return pass("active champion(s) in %s: %s", ctx.unit.name,
                table.concat(champions, ", "), { champions = champions })
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

check {
  id = "no-surgeon-engaged",
  severity = "high",
  stages = { "prepare", "live" },
  title = "Go-live prepared while no surgeon of the department is engaged",
  check = function(ctx)
    local engaged = ctx:people{ unit = ctx.unit.id, role = SURGEON_ROLES,
                                min_engagement = "consulted" }
    if #engaged == 0 then
      return warn("%s prepares go-live but none of its surgeons is even consulted", ctx.unit.name)
    end
    return pass()
  end,
}
