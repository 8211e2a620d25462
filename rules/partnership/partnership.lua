-- partnership.lua: a technology partnership that sells a joint offering,
-- judged per unit (the partnership, and the partner's teams below it).
--
-- Which events count for a unit:
--   goals, incentives, deliverables due: those recorded on the unit, on a
--     unit above it, or on no unit (an agreement for the whole partnership
--     covers every team);
--   meetings: those recorded on the unit, above it, below it, or on no unit
--     (the partnership's meetings are also its teams' and the other way
--     round);
--   overdue deliverables: those recorded on the unit itself (on no unit:
--     the root), so that each one is reported once.

-- How the events are found: ctx gives the events of a unit's lineage
-- (the unit, every unit above it, and no unit) and of its subtree
-- directly.  A rule runs once per unit, so listing the whole organisation
-- in every run would make a national cycle's time grow with the square
-- of its units; each rule here reads only what concerns its unit.

-- Events of KIND that apply to the unit: on it, above it, or on no unit.
local function applying(ctx, kind)
  return ctx:events{ kind = kind, lineage = ctx.unit.id }
end

-- Events in the order ctx gives them: by date, then as recorded (ids
-- grow as events are recorded, so the id breaks a tie of dates as ctx
-- does).
local function oldest_first(a, b)
  if a.date ~= b.date then return a.date < b.date end
  return a.id < b.id
end

-- Events of KIND related to the unit: on it, above or below it, or on no unit.
-- The unit's own come with its lineage, so its subtree adds only the units
-- below it; the two lists are merged back into ctx's order (oldest first).
local function related(ctx, kind)
  local out = applying(ctx, kind)
  for _, e in ipairs(ctx:events{ kind = kind, within = ctx.unit.id }) do
    if e.unit ~= ctx.unit.id then out[#out + 1] = e end
  end
  table.sort(out, oldest_first)
  return out
end

local function label(e)
  if e.note and e.note ~= "" then return string.format("'%s'", e.note) end
  return string.format("event %d", e.id)
end

-- The name of the person with id ID, or nil when nobody present has it
-- (someone who left is named by id only).
local function person_name(ctx, id)
  local p = ctx:people{ id = id }[1]
  return p and p.name
end

local function quarter_of(date)
  local y, m = date:match("^(%d%d%d%d)-(%d%d)")
  if not y then return nil end
  return string.format("%s-Q%d", y, (tonumber(m) - 1) // 3 + 1)
end

local function is_date(s)
  return type(s) == "string" and s:match("^%d%d%d%d%-%d%d%-%d%d$") ~= nil
end

-- ---------------------------------------------------------------------
-- Activation: goals and incentives
-- ---------------------------------------------------------------------

-- Which of IDS are metrics the unit is judged on (ctx:metric raises for
-- an id that is no metric at all, and gives nil outside its scope).
local function defined(ctx, ids)
  local have = {}
  for _, id in ipairs(ids) do
    local ok, m = pcall(ctx.metric, ctx, id)
    if ok and m ~= nil then have[#have + 1] = id end
  end
  return have
end

local function latest_with(events, attr)
  local found
  for _, e in ipairs(events) do
    if e.attrs[attr] ~= nil then found = e end
  end
  return found
end

gate {
  id = "goals-agreed",
  at = params.activation_gate,
  title = "A qualitative goal and quantitative marketing and sales goals before activation",
  rationale = "Partnerships stall when the partners never agreed what success is: "
           .. "a shared qualitative goal says why the partners work together, "
           .. "measured marketing and sales goals say whether it works.",
  source = "Kale & Singh 2009, Academy of Management Perspectives 23(3):45 "
        .. "(alliance metrics and management); Locke & Latham 2002, "
        .. "American Psychologist 57(9):705 (specific goals)",
  remediation = "Agree a qualitative goal with the partner and record it "
             .. "(a decision with goal=qualitative), and define at least one "
             .. "marketing metric (event attendees, leads) and one sales metric "
             .. "(meetings, proofs of concept, closed deals, revenue) in program.yaml.",
  owner = "partner_contact",
  check = function(ctx)
    local goal
    for _, e in ipairs(applying(ctx, { "decision", "plan" })) do
      if e.attrs.goal == "qualitative" then goal = e end
    end
    local marketing = defined(ctx, ctx.params.marketing_metrics)
    local sales = defined(ctx, ctx.params.sales_metrics)
    local evidence = { qualitative_goal = goal and goal.date or false,
                       marketing = marketing, sales = sales }
    local missing = {}
    if not goal then
      missing[#missing + 1] = "no qualitative goal (a decision with goal=qualitative)"
    end
    if #marketing == 0 then
      missing[#missing + 1] = "no marketing goal (none of "
        .. table.concat(ctx.params.marketing_metrics, ", ") .. " is a metric here)"
    end
    if #sales == 0 then
      missing[#missing + 1] = "no sales goal (none of "
        .. table.concat(ctx.params.sales_metrics, ", ") .. " is a metric here)"
    end
    if #missing > 0 then
      return fail("%s: %s", ctx.unit.name, table.concat(missing, "; "), evidence)
    end
    return pass("goal %s agreed %s; marketing: %s; sales: %s", label(goal), goal.date,
                table.concat(marketing, ", "), table.concat(sales, ", "), evidence)
  end,
}

gate {
  id = "sales-leadership-engaged",
  at = params.activation_gate,
  title = "The partner's sales leadership engaged and its incentives cover the joint offering",
  rationale = "A partner's sales teams sell what they are paid to sell: without "
           .. "an engaged sales leader and compensation that covers the joint "
           .. "offering, the offering stays on the price list and nobody sells it.",
  source = "Kerr 1975, Academy of Management Journal 18(4):769 (rewarding A "
        .. "while hoping for B); Kale & Singh 2009, Academy of Management "
        .. "Perspectives 23(3):45",
  remediation = "Meet the partner's sales leader until they are involved, and "
             .. "agree that their sales compensation covers the joint offering "
             .. "(record a decision with incentives=yes).",
  owner = "executive",
  check = function(ctx)
    local level = ctx.params.sales_engagement
    local roles = ctx.params.sales_roles
    local leads = ctx:people{ within = ctx.unit.id, role = roles }
    local engaged = ctx:people{ within = ctx.unit.id, role = roles, min_engagement = level }
    local decision = latest_with(applying(ctx, { "decision", "plan" }), "incentives")
    local covered = decision and decision.attrs.incentives == "yes"
    local evidence = { sales_leaders = #leads, engaged = #engaged,
                       incentives = decision and decision.attrs.incentives or false }
    local missing = {}
    if #engaged == 0 then
      if #leads == 0 then
        missing[#missing + 1] = string.format("no %s of the partner in %s",
          table.concat(ctx.params.sales_roles, " or "), ctx.unit.name)
      else
        local who = {}
        for _, p in ipairs(leads) do
          who[#who + 1] = string.format("%s is %s", p.name, p.engagement or "unaware")
        end
        missing[#missing + 1] = string.format("no sales leader %s or more (%s)",
          level, table.concat(who, ", "))
      end
    end
    if not decision then
      missing[#missing + 1] = "no decision that incentives cover the joint offering (incentives=yes)"
    elseif not covered then
      missing[#missing + 1] = string.format("incentives=%s in the decision of %s",
        decision.attrs.incentives, decision.date)
    end
    if #missing > 0 then return fail("%s", table.concat(missing, "; "), evidence) end
    local who = {}
    for _, p in ipairs(engaged) do who[#who + 1] = p.name end
    return pass("%s engaged; incentives cover the offering since %s",
                table.concat(who, ", "), decision.date, evidence)
  end,
}

-- ---------------------------------------------------------------------
-- The two-meeting rule
-- ---------------------------------------------------------------------

local MISSED = { cancelled = true, no_show = true }

-- Judges the latest meetings.  Returns nil and a message when there are
-- too few, else ok, message, evidence.
local function two_meetings(ctx)
  local n = ctx.params.meetings_window
  local meetings = related(ctx, "meeting")
  if #meetings < n then
    return nil, string.format("%d meeting(s) recorded; the rule looks at the last %d",
                              #meetings, n)
  end
  local ours, missed, rows, shown = 0, 0, {}, {}
  for i = #meetings - n + 1, #meetings do
    local m = meetings[i]
    local by, outcome = m.attrs.proposed_by, m.attrs.outcome or "held"
    if by == "us" then ours = ours + 1 end
    -- A meeting we cancelled ourselves is not the partner walking away.
    if MISSED[outcome] and m.attrs.cancelled_by ~= "us" then missed = missed + 1 end
    rows[#rows + 1] = { date = m.date, unit = m.unit, proposed_by = by or false,
                        outcome = outcome }
    shown[#shown + 1] = string.format("%s %s", m.date, outcome)
  end
  local evidence = { meetings = rows }
  local dates = table.concat(shown, ", ")
  if missed == n then
    return false, string.format("the partner cancelled or missed the last %d meetings (%s)",
                                n, dates), evidence
  end
  if ours == n then
    return false, string.format("we proposed the last %d meetings (%s): the partner "
                                .. "has not asked for one", n, dates), evidence
  end
  return true, string.format("last %d meetings: %s; the partner proposed or attended",
                             n, dates), evidence
end

local TWO_MEETINGS = {
  title = "The two-meeting rule: the partner proposes and keeps meetings",
  rationale = "A partner who lets us propose every follow-up, or cancels or "
           .. "misses meeting after meeting, has lost interest; pushing on "
           .. "spends sales time on a partnership that is not reciprocated.",
  source = "Gouldner 1960, American Sociological Review 25(2):161 (the norm "
        .. "of reciprocity); Ring & Van de Ven 1994, Academy of Management "
        .. "Review 19(1):90 (developmental processes of cooperative "
        .. "interorganizational relationships)",
  remediation = "Stop proposing meetings; ask the partner's sponsor plainly "
             .. "whether the partnership is still a priority, and wait for them "
             .. "to propose the next meeting before investing more.",
  owner = "partner_contact",
}

gate {
  id = "two-meeting-rule",
  at = params.growth_gate,
  must = true,
  on_fail = "hold",
  title = TWO_MEETINGS.title,
  rationale = TWO_MEETINGS.rationale,
  source = TWO_MEETINGS.source,
  remediation = TWO_MEETINGS.remediation,
  owner = TWO_MEETINGS.owner,
  check = function(ctx)
    local ok, msg, evidence = two_meetings(ctx)
    if ok == nil then return skip("%s", msg) end
    if ok then return pass("%s", msg, evidence) end
    return fail("%s", msg, evidence)
  end,
}

check {
  id = "two-meeting-watch",
  severity = "high",
  stages = params.watch_stages,
  title = "The two-meeting rule while the partnership grows",
  rationale = TWO_MEETINGS.rationale,
  source = TWO_MEETINGS.source,
  remediation = TWO_MEETINGS.remediation,
  owner = TWO_MEETINGS.owner,
  check = function(ctx)
    local ok, msg, evidence = two_meetings(ctx)
    if ok == nil then return skip("%s", msg) end
    if ok then return pass("%s", msg, evidence) end
    return warn("%s: consider holding the partnership", msg, evidence)
  end,
}

-- ---------------------------------------------------------------------
-- Deliverables every quarter
-- ---------------------------------------------------------------------

local function due_of(e)
  if is_date(e.attrs.due) then return e.attrs.due end
  return e.date
end

check {
  id = "quarterly-deliverables",
  severity = "medium",
  stages = params.active_stages,
  title = "One or two deliverables due each quarter, each with an owner and a due date",
  rationale = "A partnership that delivers something concrete every quarter "
           .. "keeps both organisations' attention; one without deliverables "
           .. "drifts, one with many spreads itself thin.",
  source = "Doz 1996, Strategic Management Journal 17(S1):55 (cooperation "
        .. "evolves through small commitments); Locke & Latham 2002, "
        .. "American Psychologist 57(9):705",
  remediation = "Agree one or two deliverables for this quarter with the "
             .. "partner and record each as a deliverable event with owner= "
             .. "and due=.",
  owner = "partner_contact",
  check = function(ctx)
    local q = quarter_of(ctx.now)
    local lo, hi = ctx.params.min_deliverables, ctx.params.max_deliverables
    local due, incomplete, rows = {}, {}, {}
    for _, e in ipairs(applying(ctx, "deliverable")) do
      if quarter_of(due_of(e)) == q then
        due[#due + 1] = e
        rows[#rows + 1] = { name = e.note or false, owner = e.attrs.owner or false,
                            due = e.attrs.due or false, unit = e.unit or false }
        if not e.attrs.owner or not is_date(e.attrs.due) then
          incomplete[#incomplete + 1] = string.format("%s has no %s", label(e),
            e.attrs.owner and "due date" or (is_date(e.attrs.due) and "owner"
                                              or "owner or due date"))
        end
      end
    end
    local evidence = { quarter = q, deliverables = rows }
    if #due == 0 and lo > 0 then
      return warn("no deliverable due in %s: agree one or two with the partner", q, evidence)
    end
    if #due < lo then
      return warn("%d deliverable(s) due in %s, fewer than %d: agree more with the partner",
                  #due, q, lo, evidence)
    end
    if #due > hi then
      return warn("%d deliverables due in %s, more than %d: focus on the ones that matter",
                  #due, q, hi, evidence)
    end
    if #incomplete > 0 then
      return warn("%s", table.concat(incomplete, "; "), evidence)
    end
    local names = {}
    for _, e in ipairs(due) do names[#names + 1] = label(e) end
    return pass("%d deliverable(s) due in %s: %s", #due, q, table.concat(names, ", "),
                evidence)
  end,
}

check {
  id = "overdue-deliverables",
  severity = "high",
  stages = params.active_stages,
  title = "No deliverable past its due date without being done",
  rationale = "An overdue deliverable is a promise one partner did not keep; "
           .. "left unnamed it erodes the trust the partnership runs on.",
  source = "Zaheer, McEvily & Perrone 1998, Organization Science 9(2):141 "
        .. "(trust and performance between organisations); Ring & Van de Ven "
        .. "1994, Academy of Management Review 19(1):90",
  remediation = "Ask the owner for a new date or drop the deliverable with the "
             .. "partner; record done=DATE when it is delivered.",
  owner = "partner_contact",
  check = function(ctx)
    -- The unit's own deliverables; the root's include those of no unit.
    local root = ctx.unit.parent == nil
    local late, rows = {}, {}
    for _, e in ipairs(ctx:events{ kind = "deliverable",
                                   [root and "lineage" or "unit"] = ctx.unit.id }) do
      local due = e.attrs.due
      local done = is_date(e.attrs.done) and e.attrs.done <= ctx.now
      if is_date(due) and due < ctx.now and not done then
        local owner = e.attrs.owner
        local who = "no owner"
        if owner then
          local name = person_name(ctx, owner)
          who = "owner " .. (name and string.format("%s (%s)", name, owner) or owner)
        end
        late[#late + 1] = string.format("%s due %s, %d days late, %s",
                                        label(e), due, ctx:days_between(due, ctx.now), who)
        rows[#rows + 1] = { name = e.note or false, due = due, owner = owner or false }
      end
    end
    if #late > 0 then
      return warn("%d overdue: %s", #late, table.concat(late, "; "), { overdue = rows })
    end
    return pass("no overdue deliverable")
  end,
}

-- ---------------------------------------------------------------------
-- Trust: meeting in person
-- ---------------------------------------------------------------------

check {
  id = "in-person-yearly",
  severity = "medium",
  stages = params.active_stages,
  title = "At least one in-person meeting with the partner a year",
  rationale = "Trust between organisations is built between people, and "
           .. "people build it face to face; a partnership run only on video "
           .. "calls loses it without noticing.",
  source = "Zaheer, McEvily & Perrone 1998, Organization Science 9(2):141; "
        .. "Storper & Venables 2004, Journal of Economic Geography 4(4):351 "
        .. "(face-to-face contact)",
  remediation = "Plan a meeting in person with the partner (a joint customer "
             .. "visit, a sales kick-off) and record it with in_person=yes.",
  owner = "partner_contact",
  check = function(ctx)
    local days = ctx.params.in_person_days
    local since = ctx:add_days(ctx.now, -days)
    local last
    for _, m in ipairs(related(ctx, "meeting")) do
      local outcome = m.attrs.outcome or "held"
      if m.attrs.in_person == "yes" and outcome == "held" then last = m end
    end
    if last and last.date >= since then
      return pass("met in person on %s (%s)", last.date, label(last),
                  { last_in_person = last.date })
    end
    if last then
      return warn("no in-person meeting held in the last %d days: the last was %s, %d days ago",
                  days, last.date, ctx:days_between(last.date, ctx.now),
                  { last_in_person = last.date })
    end
    return warn("no in-person meeting with the partner recorded (none held since %s)",
                since, { last_in_person = false })
  end,
}
