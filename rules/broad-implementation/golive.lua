-- golive.lua: who carries a unit through its go-live.  Ambassadors among
-- the staff (internal heroes), in proportion to the staff and trained,
-- and the unit's first-line managers trained before anyone else.
--
-- A unit's people are those of the unit and of every unit below it; a
-- person is trained by a session recorded with `uptake record training`
-- (or `uptake import trainings`) whose outcome is not failed.

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

-- The first passed session of a person dated on or before LAST (or
-- before BEFORE), or nil.
local function first_session(ctx, person, before, last)
  for _, t in ipairs(ctx:trainings{ person = person }) do
    if t.outcome ~= "failed" and (not before or t.date < before)
       and (not last or t.date <= last) then
      return t
    end
  end
  return nil
end

-- The unit's staff: its own figure, else its units' figures added up,
-- else the people recorded in it.  Returns the count and where it came from.
local function staff_of(ctx)
  if ctx.unit.staff then return ctx.unit.staff, "staff" end
  local sum, any = 0, false
  for _, u in ipairs(ctx:units{ within = ctx.unit.id }) do
    if u.staff then sum, any = sum + u.staff, true end
  end
  if any then return sum, "staff of its units" end
  return #ctx:people{ within = ctx.unit.id }, "people recorded"
end

gate {
  id = "ambassadors",
  at = params.golive_gate,
  must = false,
  weight = 1,
  title = "Trained ambassadors in proportion to the unit's staff",
  rationale = "Colleagues learn a new way of working from colleagues: a trained "
           .. "ambassador on every shift answers the questions a help desk never "
           .. "hears and keeps the new routine going after the project team leaves.",
  source = "Damschroder et al. 2009 (CFIR: champions, opinion leaders); Powell et al. "
        .. "2015 (ERIC: identify and prepare champions, train-the-trainer); "
        .. "Greenhalgh et al., JMIR 2017;19(11):e367 (NASSS: adopter system)",
  remediation = "Recruit ambassadors from the unit's staff (role ambassador, one per "
             .. "staff_per_ambassador staff) and record a training session for each "
             .. "before go-live.",
  owner = "first_line_manager",
  check = function(ctx)
    local staff, from = staff_of(ctx)
    if not staff or staff == 0 then
      return skip("%s: no staff figure and nobody recorded: set staff in program.yaml",
                  ctx.unit.name)
    end
    local per = ctx.params.staff_per_ambassador
    local need = (staff + per - 1) // per
    local ambassadors = ctx:people{ within = ctx.unit.id, role = ctx.params.ambassador_roles }
    local trained, untrained = 0, {}
    for _, p in ipairs(ambassadors) do
      if first_session(ctx, p.id, nil, ctx.now) then
        trained = trained + 1
      else
        untrained[#untrained + 1] = p.name
      end
    end
    local evidence = { staff = staff, staff_from = from, needed = need,
                       ambassadors = #ambassadors, trained = trained }
    local have, ok = math.min(#ambassadors, need), math.min(trained, need)
    if ok >= need then
      return pass("%s for %d staff (1 per %d)", count(trained, "trained ambassador"), staff,
                  per, evidence)
    end
    local n = 10 * (have + ok) / (2 * need)
    n = math.floor(n * 10 + 0.5) / 10
    local msg = string.format("%d of %s for %d staff (1 per %d), %d trained",
                              #ambassadors, count(need, "ambassador"), staff, per, trained)
    if #untrained > 0 then msg = msg .. "; not trained: " .. names(untrained) end
    return score(n, "%s", msg, evidence)
  end,
}

gate {
  id = "managers-trained-before-go-live",
  at = params.golive_gate,
  title = "The unit's first-line managers trained before its go-live",
  rationale = "Staff take their cue from their first-line manager: a manager who "
           .. "cannot use the tool cannot expect, support or follow up its use, and "
           .. "the managers' questions need answers before the staff ask theirs.",
  source = "Damschroder et al. 2009 (CFIR: engaging managers); Powell et al. 2015 "
        .. "(ERIC: conduct ongoing training, train-the-trainer); Glasgow et al. 2019 "
        .. "(RE-AIM: adoption by staff)",
  remediation = "Train every first-line manager named before the go-live date, and "
             .. "record each session (uptake record training).",
  owner = "implementation_lead",
  check = function(ctx)
    return require_trained(ctx, { role = ctx.params.first_line_roles,
                                  before = "go_live" })
  end,
}
