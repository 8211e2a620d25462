-- measures.lua: what keeps a broad implementation going once units are
-- live.  Training again and again (coverage in the last N days), a clear
-- goal for every unit that adds up to the organisation's, and success
-- stories told when a unit reaches its goal and at least every quarter.

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

local function is_live(ctx, unit)
  for _, s in ipairs(ctx.params.live_stages) do
    if s == unit.stage then return true end
  end
  return false
end

local function pct(x) return string.format("%.1f%%", 100 * x) end

---------------------------------------------------------------------------
-- Training coverage: trained in the last coverage_days over the people of
-- the unit and every unit below it (ctx:coverage counts one unit's own).

local function coverage(ctx)
  local trained, staff, parts = 0, 0, {}
  for _, u in ipairs(ctx:units{ within = ctx.unit.id }) do
    local c = ctx:coverage{ unit = u.id, days = ctx.params.coverage_days }
    if c.staff > 0 then
      trained, staff = trained + c.trained, staff + c.staff
      parts[u.id] = string.format("%d/%d", c.trained, c.staff)
    end
  end
  return trained, staff, parts
end

metric {
  id = "training_coverage",
  title = "Share of the unit's people trained in the last coverage_days",
  target = params.coverage_target,
  direction = "increase",
  rationale = "Skills decay and staff change: a unit stays proficient only while "
           .. "most of its people have had a session recently.",
  source = "Lally et al. 2010, Eur J Soc Psychol 40:998 (habit formation); Powell et al. "
        .. "2015 (ERIC: conduct ongoing training)",
  remediation = "Schedule refresher sessions for the people not trained recently.",
  owner = "first_line_manager",
  compute = function(ctx)
    if not is_live(ctx, ctx.unit) then return nil end
    local trained, staff = coverage(ctx)
    if staff == 0 then return nil end
    return { numerator = trained, denominator = staff }
  end,
}

check {
  id = "training-coverage",
  severity = "medium",
  stages = params.live_stages,
  title = "Most of the unit's people trained recently",
  rationale = "One course at go-live does not make a habit: automaticity takes weeks "
           .. "to months, and refreshers keep skills from decaying, so training goes "
           .. "on after go-live until nearly everyone has had a recent session.",
  source = "Lally et al. 2010, Eur J Soc Psychol 40:998; Powell et al. 2015 (ERIC: "
        .. "conduct ongoing training); Glasgow et al. 2019 (RE-AIM: implementation "
        .. "and maintenance)",
  remediation = "Run refresher sessions for the people not trained in the period, "
             .. "starting with the units listed lowest, and record them.",
  owner = "first_line_manager",
  check = function(ctx)
    local days, target = ctx.params.coverage_days, ctx.params.coverage_target
    local trained, staff, parts = coverage(ctx)
    if staff == 0 then
      return skip("%s: nobody recorded in the unit", ctx.unit.name)
    end
    local share = trained / staff
    local evidence = { trained = trained, staff = staff, share = share,
                       target = target, days = days, units = parts }
    if share + 1e-9 < target then
      local need = math.ceil(target * staff - 1e-9) - trained
      return warn("%s of %s trained in the last %s (%d), target %s: %d more to train",
                  pct(share), count(staff, "person", "people"), count(days, "day"), trained,
                  pct(target), need, evidence)
    end
    return pass("%s of %s trained in the last %s (%d), target %s",
                pct(share), count(staff, "person", "people"), count(days, "day"), trained,
                pct(target), evidence)
  end,
}

---------------------------------------------------------------------------
-- Periods of the goal metric, from its labels: 2026-03, 2026-Q1, 2026-W07.

local MONDAY = "2001-01-01"

local function kind_of(label)
  if not label then return nil end
  if label:match("^%d%d%d%d%-%d%d$") then return "month" end
  if label:match("^%d%d%d%d%-Q[1-4]$") then return "quarter" end
  if label:match("^%d%d%d%d%-W%d%d$") then return "week" end
  return nil
end

local function month_start(y, m)
  while m > 12 do y, m = y + 1, m - 12 end
  return string.format("%04d-%02d-01", y, m)
end

local function label_of(ctx, date, kind)
  local y, m = tonumber(date:sub(1, 4)), tonumber(date:sub(6, 7))
  if kind == "month" then return date:sub(1, 7) end
  if kind == "quarter" then return string.format("%04d-Q%d", y, (m - 1) // 3 + 1) end
  local wd = ctx:days_between(MONDAY, date) % 7
  local thursday = ctx:add_days(date, 3 - wd)
  local wy = thursday:sub(1, 4)
  local week = ctx:days_between(wy .. "-01-01", thursday) // 7 + 1
  return string.format("%s-W%02d", wy, week)
end

-- First and last day of a period.
local function bounds(ctx, label)
  local kind, y = kind_of(label), tonumber(label:sub(1, 4))
  if kind == "month" then
    local m = tonumber(label:sub(6, 7))
    return month_start(y, m), ctx:add_days(month_start(y, m + 1), -1)
  elseif kind == "quarter" then
    local m = (tonumber(label:sub(7, 7)) - 1) * 3 + 1
    return month_start(y, m), ctx:add_days(month_start(y, m + 3), -1)
  end
  local jan4 = string.format("%04d-01-04", y)
  local first = ctx:add_days(jan4, -(ctx:days_between(MONDAY, jan4) % 7))
  local start = ctx:add_days(first, 7 * (tonumber(label:sub(7, 8)) - 1))
  return start, ctx:add_days(start, 6)
end

-- The goal metric's value per complete period for the unit and its
-- subtree, rebuilt from the series the params name: labels ascending and
-- a map label -> value.  KIND is the metric's kind (ratio, count, sum,
-- mean, latest), PKIND its period.
-- The metric period of an observation, or nil when the metric does not
-- count it: before the program's first period, or in one not over yet.
local function period_filter(ctx, pkind)
  local first, done = label_of(ctx, ctx.program.start, pkind), {}
  return function(o)
    local l = label_of(ctx, o.start, pkind)
    if done[l] == nil then
      done[l] = l >= first and select(2, bounds(ctx, l)) <= ctx.now
    end
    return done[l] and l or nil
  end
end

local function history(ctx, unit, kind, pkind)
  local period = period_filter(ctx, pkind)
  local cells, labels = {}, {}
  local function cell(o)
    local l = period(o)
    if not l then return nil end
    if not cells[l] then
      cells[l] = { num = 0, den = 0, n = 0, latest = {} }
      labels[#labels + 1] = l
    end
    return cells[l]
  end
  for _, o in ipairs(ctx:series(ctx.params.goal_numerator, { within = unit })) do
    local c = cell(o)
    if c then
      c.num, c.n = c.num + o.value, c.n + 1
      local last = c.latest[o.unit]
      if not last or o["end"] >= last["end"] then c.latest[o.unit] = o end
    end
  end
  if kind == "ratio" and ctx.params.goal_denominator ~= "" then
    for _, o in ipairs(ctx:series(ctx.params.goal_denominator, { within = unit })) do
      local c = cell(o)
      if c then c.den = c.den + o.value end
    end
  end
  table.sort(labels)
  local values, out = {}, {}
  for _, l in ipairs(labels) do
    local c, v = cells[l], nil
    if kind == "ratio" then
      if c.den > 0 and c.n > 0 then v = c.num / c.den end
    elseif kind == "count" then v = c.n
    elseif kind == "sum" then v = c.num
    elseif kind == "mean" then v = c.n > 0 and c.num / c.n or nil
    else
      v = 0
      for _, o in pairs(c.latest) do v = v + o.value end
    end
    if v then
      out[#out + 1] = l
      values[l] = v
    end
  end
  return out, values, cells
end

local function goal_value(m, x)
  if x == nil then return "-" end
  if m.kind == "ratio" then return pct(x) end
  return string.format("%.4g", x)
end

---------------------------------------------------------------------------
-- Every unit in scope of the goal has a target and a result, and the
-- units' targets add up to the organisation's.

-- The root above the unit, the last of its lineage (nearest first),
-- found without listing every unit; nil for a root, and for a unit whose
-- parent is gone (the root of what is left of its tree, judged as one).
local function root_of(ctx)
  local line = ctx:units{ lineage = ctx.unit.id }
  return #line > 1 and line[#line] or nil
end

check {
  id = "unit-targets",
  severity = "medium",
  title = "Every unit has its own goal, and the goals add up to the organisation's",
  rationale = "A goal nobody owns is met by nobody: each unit needs a target of its "
           .. "own and its own result against it, and the units' targets must add up "
           .. "to the organisation's, or someone's share of the goal belongs to no one.",
  source = "Glasgow et al. 2019 (RE-AIM: measures per setting); Powell et al. 2015 "
        .. "(ERIC: audit and provide feedback; develop a formal implementation "
        .. "blueprint with measures)",
  remediation = "Give every unit its target (unit_targets of the goal metric in "
             .. "program.yaml) so that, weighted by volume, they reach the "
             .. "organisation's target, and get the missing exports in.",
  owner = "quality_lead",
  check = function(ctx)
    local goal = ctx.params.goal_metric
    local ok, mine = pcall(ctx.metric, ctx, goal)
    if not ok then
      return skip("no metric '%s' in this program: set the pack's goal_metric", goal)
    end
    if root_of(ctx) then
      return skip("judged on the root unit %s", root_of(ctx).name)
    end
    -- Every unit's result for the goal metric (nil outside its scope):
    -- metrics are computed for all units before any gate or check runs.
    local all, results = ctx:units{ within = ctx.unit.id }, {}
    for _, u in ipairs(all) do results[u.id] = ctx:metric(goal, { unit = u.id }) end
    local has_child = {}
    for _, u in ipairs(all) do
      if u.parent and results[u.id] then has_child[u.parent] = true end
    end
    local no_goal, no_result, no_target, leaves = {}, {}, {}, {}
    for _, u in ipairs(all) do
      local m = results[u.id]
      if not m then
        if u.id ~= ctx.unit.id then no_goal[#no_goal + 1] = u.id end
      else
        if m.target == nil then no_target[#no_target + 1] = u.id end
        if m.status == "no_data" and is_live(ctx, u) then no_result[#no_result + 1] = u.id end
        if not has_child[u.id] then leaves[#leaves + 1] = { unit = u, m = m } end
      end
    end
    local problems, evidence = {}, { leaves = #leaves }
    if #no_goal > 0 then
      problems[#problems + 1] = string.format("%s outside '%s', with no goal: %s",
                                              count(#no_goal, "unit"), goal, names(no_goal))
      evidence.no_goal = no_goal
    end
    if #no_target > 0 then
      problems[#problems + 1] = string.format("%s with no target: %s", count(#no_target, "unit"),
                                              names(no_target))
      evidence.no_target = no_target
    end
    if #no_result > 0 then
      problems[#problems + 1] = string.format("%s with no result (no data): %s",
                                              count(#no_result, "live unit"), names(no_result))
      evidence.no_result = no_result
    end
    -- Do the leaves' targets add up to the organisation's?  A root outside
    -- the scope leaves nothing to compare with.
    local reach, how
    local org = mine and mine.target
    local own = false
    for _, l in ipairs(leaves) do
      if l.m.target and org and math.abs(l.m.target - org) > 1e-9 then own = true end
    end
    if org and own then
      local kind = mine.kind
      if kind == "ratio" or kind == "mean" then
        local weight = {}
        if kind == "ratio" then
          -- each leaf's denominator over the last three periods with data,
          -- from one pass over the tree's observations
          local pkind = kind_of(mine.period)
          local per, seen, is_leaf = {}, {}, {}
          for _, l in ipairs(leaves) do per[l.unit.id], is_leaf[l.unit.id] = {}, true end
          if pkind and ctx.params.goal_denominator ~= "" then
            local period = period_filter(ctx, pkind)
            for _, o in ipairs(ctx:series(ctx.params.goal_denominator, { within = ctx.unit.id })) do
              local lb = is_leaf[o.unit] and period(o)
              if lb then
                per[o.unit][lb] = (per[o.unit][lb] or 0) + o.value
                seen[lb] = true
              end
            end
          end
          local recent = {}
          for lb in pairs(seen) do recent[#recent + 1] = lb end
          table.sort(recent)
          local from = math.max(1, #recent - 2)
          local total = 0
          for _, l in ipairs(leaves) do
            local w = 0
            for i = from, #recent do w = w + (per[l.unit.id][recent[i]] or 0) end
            weight[l.unit.id], total = w, total + w
          end
          how = "weighted by their recent " .. ctx.params.goal_denominator
          if total == 0 then
            for _, l in ipairs(leaves) do weight[l.unit.id] = l.m.denominator or 0 end
            how = "weighted by their latest denominator"
          end
        else
          how = "averaged"
        end
        local ws, ts = 0, 0
        for _, l in ipairs(leaves) do
          local w = weight[l.unit.id] or 1
          if l.m.target then ws, ts = ws + w, ts + w * l.m.target end
        end
        if ws > 0 then reach = ts / ws end
      else
        reach, how = 0, "added up"
        for _, l in ipairs(leaves) do reach = reach + (l.m.target or 0) end
      end
      if reach then
        evidence.units_reach, evidence.org_target = reach, org
        local short = ctx.params.goal_direction == "increase" and reach < org - 1e-9
                      or ctx.params.goal_direction == "decrease" and reach > org + 1e-9
        if short then
          problems[#problems + 1] = string.format(
            "the units' targets %s reach %s, %s the organisation's %s", how,
            goal_value(mine, reach), ctx.params.goal_direction == "increase" and "below" or "above",
            goal_value(mine, org))
        end
      end
    end
    if #problems > 0 then
      return warn("%s: %s", goal, table.concat(problems, "; "), evidence)
    end
    if reach then
      return pass("%s with a goal and a result; their targets %s reach %s against %s",
                  count(#all - #no_goal, "unit"), how, goal_value(mine, reach),
                  goal_value(mine, org), evidence)
    end
    return pass("%s with a goal and a result", count(#all - #no_goal, "unit"), evidence)
  end,
}

---------------------------------------------------------------------------
-- Success stories: one soon after a unit reaches its goal, and one a
-- quarter at least.  A story of a unit below counts for the units above.

local function story_note(e)
  return e.note and string.format("'%s'", e.note) or "a story"
end

check {
  id = "story-after-target",
  severity = "low",
  title = "A success story soon after the unit reaches its goal",
  rationale = "Success is the best argument for spread: the units still behind "
           .. "need to hear, while it is news, how a unit like theirs got there.",
  source = "Powell et al. 2015 (ERIC: capture and share local knowledge); Greenhalgh "
        .. "et al., JMIR 2017;19(11):e367 (NASSS: adopter system, scale-up and spread)",
  remediation = "Write the unit's story (who, what changed, what it took) and share it "
             .. "with the units still behind; record it with --kind story.",
  owner = "implementation_lead",
  check = function(ctx)
    local goal = ctx.params.goal_metric
    local ok, m = pcall(ctx.metric, ctx, goal)
    if not ok then
      return skip("no metric '%s' in this program: set the pack's goal_metric", goal)
    end
    if not m then return skip("%s is outside the scope of '%s'", ctx.unit.name, goal) end
    if m.status == "baseline" then
      return skip("%s is still measuring its baseline for '%s' (%d point(s)): nothing to "
                  .. "judge yet", ctx.unit.name, goal, m.points)
    end
    if m.status ~= "met" then
      return skip("%s has not met its target (%s)", ctx.unit.name, m.status)
    end
    local up = m.value >= m.target
    local function reaches(v) return up and v >= m.target - 1e-12 or not up and v <= m.target + 1e-12 end
    local pkind = kind_of(m.period)
    local labels, values = {}, {}
    if pkind then labels, values = history(ctx, ctx.unit.id, m.kind, pkind) end
    local at
    for i = 2, #labels do
      if reaches(values[labels[i - 1]]) and reaches(values[labels[i]]) then at = i break end
    end
    if not at then
      return skip("%s met its target, but its history is not in the series '%s'%s: set the "
                  .. "pack's goal_numerator and goal_denominator", ctx.unit.name,
                  ctx.params.goal_numerator, m.kind == "ratio"
                  and string.format(" and '%s'", ctx.params.goal_denominator) or "")
    end
    local reached = labels[at]
    local from = bounds(ctx, labels[at - 1])
    local _, reached_end = bounds(ctx, reached)
    local due = ctx:add_days(reached_end, ctx.params.story_days)
    local evidence = { reached = reached, value = values[reached], target = m.target, due = due }
    local stories = ctx:events{ kind = "story", within = ctx.unit.id, since = from, ["until"] = ctx.now }
    for _, e in ipairs(stories) do
      evidence.story = e.date
      if e.date <= due then
        return pass("%s on %s, after the target was reached in %s", story_note(e), e.date,
                    reached, evidence)
      end
      return pass("%s on %s, %s after the story was due (%s)", story_note(e), e.date,
                  count(ctx:days_between(due, e.date), "day"), due, evidence)
    end
    if ctx.now <= due then
      return pass("target reached in %s (%s against %s); a story is due by %s", reached,
                  goal_value(m, values[reached]), goal_value(m, m.target), due, evidence)
    end
    return warn("%s reached its target in %s (%s against %s) and no success story followed "
                .. "within %s (due %s)", ctx.unit.name, reached,
                goal_value(m, values[reached]), goal_value(m, m.target),
                count(ctx.params.story_days, "day"), due, evidence)
  end,
}

check {
  id = "quarter-without-story",
  severity = "low",
  stages = params.live_stages,
  title = "A success story every quarter",
  rationale = "Stories keep a broad implementation visible between milestones; "
           .. "a quarter without one is a quarter in which nobody heard why the "
           .. "change is worth it.",
  source = "Powell et al. 2015 (ERIC: capture and share local knowledge); Glasgow et al. "
        .. "2019 (RE-AIM: maintenance)",
  remediation = "Find one thing that worked in the unit last quarter, write it up and "
             .. "share it; record it with --kind story.",
  owner = "implementation_lead",
  check = function(ctx)
    local y, m = tonumber(ctx.now:sub(1, 4)), tonumber(ctx.now:sub(6, 7))
    local q = (m - 1) // 3 + 1
    local this_start = month_start(y, (q - 1) * 3 + 1)
    if q == 1 then y, q = y - 1, 4 else q = q - 1 end
    local label = string.format("%04d-Q%d", y, q)
    local start = month_start(y, (q - 1) * 3 + 1)
    local finish = ctx:add_days(this_start, -1)
    local go_live = ctx.unit.go_live
    if go_live and go_live > start then
      return skip("%s went live %s, after %s began", ctx.unit.name, go_live, label)
    end
    local stories = ctx:events{ kind = "story", within = ctx.unit.id, since = start, ["until"] = finish }
    if #stories == 0 then
      return warn("no success story from %s in %s (%s to %s)", ctx.unit.name, label, start,
                  finish, { quarter = label })
    end
    local last = stories[#stories]
    return pass("%s in %s, the latest %s on %s", count(#stories, "story", "stories"), label,
                story_note(last), last.date, { quarter = label, stories = #stories })
  end,
}

---------------------------------------------------------------------------
-- Exports on time: a status is only as recent as the data behind it.

check {
  id = "export-late",
  severity = "medium",
  stages = params.live_stages,
  title = "The unit's data for the goal is up to date",
  rationale = "A status is only as recent as the data behind it: a unit whose export "
           .. "stopped is judged on old figures, and after three missing periods not "
           .. "at all, while the board reads its last status as today's.",
  source = "Powell et al. 2015 (ERIC: audit and provide feedback; develop and organize "
        .. "quality monitoring systems); Glasgow et al. 2019 (RE-AIM: measures per setting)",
  remediation = "Get the missing periods exported and imported, and make the export a "
             .. "routine with an owner rather than something someone remembers.",
  owner = "quality_lead",
  check = function(ctx)
    local goal = ctx.params.goal_metric
    local ok, m = pcall(ctx.metric, ctx, goal)
    if not ok then
      return skip("no metric '%s' in this program: set the pack's goal_metric", goal)
    end
    if not m then return skip("%s is outside the scope of '%s'", ctx.unit.name, goal) end
    -- A live unit with no data at all is unit-targets' to report.
    if m.latest_period == nil then
      return skip("no data from %s for '%s' yet", ctx.unit.name, goal)
    end
    local late, behind = ctx.params.late_periods, m.periods_behind
    local noun = kind_of(m.latest_period) or "period"
    local evidence = { latest_period = m.latest_period, periods_behind = behind,
                       late_periods = late, status = m.status }
    if behind > late then
      return warn("%s: the latest data from %s is for %s, %s behind as of %s (more "
                  .. "than %d is late)%s", goal, ctx.unit.name, m.latest_period,
                  count(behind, noun), ctx.now, late,
                  m.status == "no_data" and "; too old to judge at all" or "", evidence)
    end
    if behind == 0 then
      return pass("%s: data from %s up to %s, the latest %s that has ended", goal,
                  ctx.unit.name, m.latest_period, noun, evidence)
    end
    return pass("%s: the latest data from %s is for %s, %s behind, within %d", goal,
                ctx.unit.name, m.latest_period, count(behind, noun), late, evidence)
  end,
}
