-- pilot.lua: a pilot is the first wave of a broad implementation, never a
-- project of its own.  Before the pilot starts: a plan for every unit,
-- money and a mandate; while it runs: a date by which scaling is decided;
-- before scaling: the top-line managers on board.
--
-- Conventions (events recorded with `uptake record event`):
--   plan      attrs targets=<count, or unit ids separated by commas or ';'>
--             waves=<count>, optionally pilot_end=YYYY-MM-DD
--   budget    any budget event; attrs scope=pilot marks a pilot-only one,
--             which does not count
--   decision  attrs mandate=yes (the mandate), or decision=scale (the
--             decision to go beyond the pilot)
-- An event counts for its own unit and every unit below it; an event
-- without a unit counts for the whole organisation.

-- N and the noun that agrees with it: count(1, "day") is "1 day",
-- count(2, "person", "people") is "2 people".
local function count(n, one, many)
  return string.format("%d %s", n, n == 1 and one or many or one .. "s")
end

local function names(list, max)
  max = max or 5
  local out = {}
  for i = 1, math.min(#list, max) do out[i] = list[i] end
  local s = table.concat(out, ", ")
  if #list > max then s = s .. string.format(" and %d more", #list - max) end
  return s
end

local function is_date(ctx, s)
  if type(s) ~= "string" or not s:match("^%d%d%d%d%-%d%d%-%d%d$") then return false end
  return (pcall(ctx.add_days, ctx, s, 0))
end

-- The unit and its ancestors: a set of ids, and the ancestors' ids from
-- the root down.  ctx gives the lineage without listing the organisation:
-- a rule runs for every unit, and listing every unit each time would
-- make a national cycle's time grow with the square of its units (and
-- the same holds for the events below).
local function line_of(ctx)
  local set, above = {}, {}
  for _, u in ipairs(ctx:units{ lineage = ctx.unit.id }) do -- nearest first
    set[u.id] = true
    if u.id ~= ctx.unit.id then table.insert(above, 1, u.id) end
  end
  return set, above
end

-- Events of KIND up to now that count for this unit: its own, its
-- ancestors' and the organisation's (no unit), oldest first: ctx's
-- lineage filter, so the organisation's other events are never listed.
local function events_for(ctx, kind)
  return ctx:events{ kind = kind, ["until"] = ctx.now, lineage = ctx.unit.id }
end

-- A whole number of at least 1 (a count of targets or waves), or nil
-- when S is not one: "3" and "3.0" are 3; "2.5", "0" and "three" are
-- nil.
local function whole(s)
  local n = tonumber(s)
  if n and n >= 1 and n == math.floor(n) then return math.tointeger(n) end
  return nil
end

-- Is this plan a broad-implementation plan?  Returns the number of target
-- units and waves, or nil and why not.
local function broad_plan(ctx, e, known)
  local targets, waves = e.attrs.targets, whole(e.attrs.waves)
  if not targets or targets == "" then return nil, "no targets" end
  if not waves then return nil, "no waves" end
  local count = whole(targets)
  if count then return count, waves end
  local n, unknown = 0, {}
  for id in targets:gmatch("[^,;%s]+") do
    n = n + 1
    if not known[id] then unknown[#unknown + 1] = id end
  end
  if n == 0 then return nil, "no targets" end
  if #unknown > 0 then
    return nil, (#unknown == 1 and "unknown target unit " or "unknown target units ")
                .. names(unknown)
  end
  return n, waves
end

gate {
  id = "plan-budget-mandate",
  at = params.pilot_gate,
  title = "A broad-implementation plan, a budget and a mandate before the pilot starts",
  rationale = "Pilots that are run as projects of their own end with the pilot: "
           .. "without a plan naming the units and waves that follow, money for "
           .. "them and a mandate from the organisation's leadership, a good pilot "
           .. "has nowhere to go (pilot death).",
  source = "Greenhalgh et al., JMIR 2017;19(11):e367 (NASSS: scale-up and spread); "
        .. "Powell et al. 2015 (ERIC: develop a formal implementation blueprint, "
        .. "stage implementation scale-up, obtain formal commitments); Cooper, Stage-Gate",
  remediation = "Write the broad-implementation plan (record it: --kind plan --attr "
             .. "targets=N --attr waves=N), secure the budget beyond the pilot "
             .. "(--kind budget) and get the mandate decided (--kind decision --attr "
             .. "mandate=yes) before the pilot starts.",
  owner = "executive",
  check = function(ctx)
    local known = setmetatable({}, { __index = function(_, id) -- a unit?
      return (pcall(ctx.units, ctx, { lineage = id })) end })
    local plan, plan_targets, plan_waves, why_not
    for _, e in ipairs(events_for(ctx, "plan")) do
      local t, w = broad_plan(ctx, e, known)
      if t then
        plan, plan_targets, plan_waves = e, t, w
      else
        why_not = string.format("the plan of %s has %s", e.date, w)
      end
    end
    local budget, pilot_only
    for _, e in ipairs(events_for(ctx, "budget")) do
      if e.attrs.scope == "pilot" then pilot_only = e else budget = e end
    end
    local mandate
    for _, e in ipairs(events_for(ctx, "decision")) do
      if e.attrs.mandate == "yes" then mandate = e end
    end
    local evidence = {
      plan = plan and plan.date, targets = plan_targets, waves = plan_waves,
      budget = budget and budget.date, mandate = mandate and mandate.date,
    }
    local missing = {}
    if not plan then
      missing[#missing + 1] = "a broad-implementation plan (plan with targets and waves"
        .. (why_not and "; " .. why_not or "") .. ")"
    end
    if not budget then
      missing[#missing + 1] = pilot_only
        and string.format("a budget beyond the pilot (the budget of %s is for the pilot only)", pilot_only.date)
        or "a budget"
    end
    if not mandate then missing[#missing + 1] = "a mandate (decision with mandate=yes)" end
    if #missing > 0 then
      return fail("%s before its pilot: missing %s", ctx.unit.name,
                  table.concat(missing, ", "), evidence)
    end
    return pass("plan of %s (%s, %s), budget of %s, mandate of %s", plan.date,
                count(plan_targets, "target unit"), count(plan_waves, "wave"), budget.date,
                mandate.date, evidence)
  end,
}

check {
  id = "pilot-overrun",
  severity = "high",
  stages = params.pilot_stages,
  title = "A pilot past its planned end without a decision to scale",
  rationale = "A pilot that runs on without a decision becomes the permanent state: "
           .. "staff work two ways, the sponsor's attention moves on and the "
           .. "momentum for spread is lost.",
  source = "Greenhalgh et al., JMIR 2017;19(11):e367 (NASSS: non-adoption and "
        .. "abandonment); Powell et al. 2015 (ERIC: stage implementation scale-up); "
        .. "Cooper, Stage-Gate (gates are decisions)",
  remediation = "Bring the pilot to its scale gate now: decide to scale (--kind decision "
             .. "--attr decision=scale), or set a new end in the plan (pilot_end) "
             .. "and say why.",
  owner = "implementation_lead",
  check = function(ctx)
    local last_end, plan_date
    for _, e in ipairs(events_for(ctx, "plan")) do
      if is_date(ctx, e.attrs.pilot_end) then last_end, plan_date = e.attrs.pilot_end, e.date end
    end
    local ends, from
    if last_end then
      ends, from = last_end, "the plan of " .. plan_date
    elseif ctx.unit.go_live then
      ends = ctx:add_days(ctx.unit.go_live, ctx.params.pilot_max_days)
      from = string.format("go-live %s + %s", ctx.unit.go_live,
                           count(ctx.params.pilot_max_days, "day"))
    else
      return skip("%s: no planned end (no plan with pilot_end, no go_live)", ctx.unit.name)
    end
    local scale
    for _, e in ipairs(events_for(ctx, "decision")) do
      if e.attrs.decision == "scale" then scale = e end
    end
    local evidence = { pilot_end = ends, from = from, scale_decision = scale and scale.date }
    if scale then
      return pass("decision to scale of %s", scale.date, evidence)
    end
    local over = ctx:days_between(ends, ctx.now)
    if over > 0 then
      return warn("%s: pilot %s past its planned end %s (%s), no decision to scale",
                  ctx.unit.name, count(over, "day"), ends, from, evidence)
    end
    return pass("pilot planned to end %s (%s), %s left", ends, from, count(-over, "day"), evidence)
  end,
}

local LADDER = { unaware = 1, informed = 2, consulted = 3, involved = 4, bought_in = 5 }

gate {
  id = "top-line-briefed",
  at = params.scale_gate,
  title = "Top-line managers briefed before scaling",
  rationale = "Scaling moves budgets, staff and priorities across departments; only "
           .. "top-line managers can do that, and a spread they have not been "
           .. "briefed on stalls at the first competing priority.",
  source = "Damschroder et al. 2009 (CFIR: leadership engagement); Powell et al. 2015 "
        .. "(ERIC: involve executive boards); Greenhalgh et al., JMIR 2017;19(11):e367 "
        .. "(NASSS: the organisation)",
  remediation = "Brief each top-line manager named (a meeting or consultation with them, "
             .. "recorded with --people) or bring them into the steering group before "
             .. "the scale decision.",
  owner = "implementation_lead",
  check = function(ctx)
    local roles = ctx.params.top_line_roles
    local _, above = line_of(ctx)
    local managers = {}
    for _, id in ipairs(above) do
      for _, p in ipairs(ctx:people{ unit = id, role = roles }) do managers[#managers + 1] = p end
    end
    for _, p in ipairs(ctx:people{ within = ctx.unit.id, role = roles }) do managers[#managers + 1] = p end
    if #managers == 0 then
      return fail("no %s in or above %s: name the top-line managers", roles[1] or "top-line manager",
                  ctx.unit.name)
    end
    local min = LADDER[ctx.params.top_line_min_engagement]
    local steering = {}
    for _, r in ipairs(ctx.params.steering_roles) do steering[r] = true end
    local met, ids = {}, {} for i, p in ipairs(managers) do ids[i] = p.id end
    for _, e in ipairs(ctx:events{ kind = { "meeting", "consultation" }, ["until"] = ctx.now, person = ids }) do
      local outcome = e.attrs.outcome
      if outcome ~= "cancelled" and outcome ~= "no_show" then
        for _, who in ipairs(e.people) do met[who] = e.date end
      end
    end
    local briefed, not_briefed, how = {}, {}, {}
    for _, p in ipairs(managers) do
      local why
      for _, r in ipairs(p.roles) do
        if steering[r] then why = "steering group" end
      end
      if not why and met[p.id] then why = "met " .. met[p.id] end
      if not why and p.engagement and LADDER[p.engagement] >= min then
        why = "engagement " .. p.engagement
      end
      if why then
        briefed[#briefed + 1] = string.format("%s (%s)", p.name, why)
        how[p.id] = why
      else
        not_briefed[#not_briefed + 1] = string.format("%s (%s)", p.name, p.engagement or "no engagement")
        how[p.id] = false
      end
    end
    if #not_briefed > 0 then
      return fail("%d of %s not briefed: %s", #not_briefed, count(#managers, "top-line manager"),
                  names(not_briefed), { briefed = how })
    end
    return pass("%s briefed: %s", count(#managers, "top-line manager"), names(briefed),
                { briefed = how })
  end,
}
