-- clinicians.lua: clinicians before the sale, clinicians in the
-- implementation, and physician buy-in behind patient enrolment.
--
-- Conventions (see README.md):
--   * a contract is an event of kind "contract" recorded at the judged unit,
--     anywhere below it, or without a unit; the earliest one counts, and
--     "before the contract" means dated strictly before it (up to the cycle
--     date when there is none);
--   * clinical content alignment is a consultation or decision event in the
--     unit with the attribute topic=<content_topic> (default "content").

local function roles_text(roles)
  return table.concat(roles, "/")
end

local function ids(people)
  local out = {}
  for i, p in ipairs(people) do out[i] = p.id end
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

-- The earliest contract event for the judged unit: recorded there, below
-- it, or without a unit (the whole organisation).  The candidates are the
-- first of the subtree's and the first of no unit (in the lineage's list),
-- each list oldest first as ctx gives it; of the two, the older (by date,
-- then as recorded) wins, as it would in one list of both.
local function contract_of(ctx)
  local first = ctx:events{ kind = "contract", within = ctx.unit.id }[1]
  for _, ev in ipairs(ctx:events{ kind = "contract", lineage = ctx.unit.id }) do
    if ev.unit == nil then
      local earlier = first == nil or ev.date < first.date
        or (ev.date == first.date and ev.id < first.id)
      return earlier and ev or first
    end
  end
  return first
end

-- The day before the contract (events and engagement must be dated no
-- later), or nil when no contract is recorded.
local function cutoff(ctx, contract)
  return contract and ctx:add_days(contract.date, -1) or nil
end

-- Reached their current engagement by the cutoff?  ctx gives the latest
-- level and the day it was reached, not the history, so a level reached
-- after the contract does not count even if a lower one came before.
local function engaged_by(p, last_day)
  return last_day == nil or (p.engaged_on ~= nil and p.engaged_on <= last_day)
end

-- Front-line clinicians of UNIT (and below) who took part in a
-- consultation there, or reached at least "consulted", by LAST_DAY.
local function consulted_clinicians(ctx, unit, front_line, last_day)
  local found, seen, by_id = {}, {}, {}
  for _, p in ipairs(ctx:people{ within = unit, role = front_line }) do
    by_id[p.id] = p
  end
  for _, ev in ipairs(ctx:events{ kind = "consultation", within = unit,
                                  ["until"] = last_day }) do
    for _, pid in ipairs(ev.people) do
      if by_id[pid] and not seen[pid] then
        seen[pid] = true
        found[#found + 1] = pid
      end
    end
  end
  for _, p in ipairs(ctx:people{ within = unit, role = front_line,
                                 min_engagement = "consulted" }) do
    if not seen[p.id] and engaged_by(p, last_day) then
      seen[p.id] = true
      found[#found + 1] = p.id
    end
  end
  return found
end

gate {
  id = "clinicians-consulted-before-contract",
  at = params.contract_gate,
  title = "Front-line clinicians of every impacted unit consulted before the contract",
  rationale = "Key stakeholders are those whose daily work the tool changes; a "
           .. "tool bought without its clinicians meets push-back, low "
           .. "enrolment and a contract that is not renewed.",
  source = "Damschroder et al. 2009 (CFIR: key stakeholders, engaging); "
        .. "Powell et al. 2015 (ERIC: conduct local consensus discussions)",
  remediation = "Hold a consultation in each department listed with its "
             .. "surgeons, physicians and nurses, record it with "
             .. "'uptake record event --kind consultation --unit U --people ...', "
             .. "and sign only afterwards.",
  owner = "implementation_lead",
  check = function(ctx)
    local front_line = ctx.params.front_line_roles
    local contract = contract_of(ctx)
    local last_day = cutoff(ctx, contract)
    local units = ctx:units{ parent = ctx.unit.id }
    if #units == 0 then units = { ctx.unit } end
    local missing, evidence = {}, {}
    for _, u in ipairs(units) do
      local who = consulted_clinicians(ctx, u.id, front_line, last_day)
      evidence[u.id] = who
      if #who == 0 then missing[#missing + 1] = u.name end
    end
    local when = contract
      and string.format(" before the contract of %s", contract.date) or ""
    if #missing > 0 then
      -- Consultations held only at the judged unit's own level say the
      -- sale was talked through, but not with the departments.
      local own, with_clin = 0, 0
      local clin = {}
      for _, p in ipairs(ctx:people{ within = ctx.unit.id, role = front_line }) do
        clin[p.id] = true
      end
      for _, ev in ipairs(ctx:events{ kind = "consultation", unit = ctx.unit.id,
                                      ["until"] = last_day }) do
        own = own + 1
        for _, pid in ipairs(ev.people) do
          if clin[pid] then with_clin = with_clin + 1; break end
        end
      end
      local level = #units == 1 and units[1].id == ctx.unit.id and ""
        or string.format(" (%d consultation(s) at %s level, %s)", own,
                         ctx.unit.name,
                         with_clin == 0 and "none with clinicians"
                         or string.format("%d with clinicians, who count only "
                                          .. "when recorded in their department",
                                          with_clin))
      return fail("no front-line clinician consulted%s in %s%s", when,
                  table.concat(missing, ", "), level,
                  { consulted = evidence, contract = contract and contract.date })
    end
    return pass("clinicians consulted%s in all %d impacted unit(s)", when, #units,
                { consulted = evidence, contract = contract and contract.date })
  end,
}

gate {
  id = "champion-before-contract",
  at = params.contract_gate,
  title = "A bought-in clinician champion before the contract",
  rationale = "An intervention either finds a champion or dies; executive and "
           .. "quality-lead buy-in leaves the clinicians who must change "
           .. "unconvinced.",
  source = "Damschroder et al. 2009 (CFIR: champions); Powell et al. 2015 "
        .. "(ERIC: identify and prepare champions)",
  remediation = "Find a front-line clinician who will lead the change, involve "
             .. "them in the evaluation, and record their buy-in "
             .. "('uptake record engagement --level bought_in') before signing.",
  owner = "quality_lead",
  check = function(ctx)
    local roles = ctx.params.champion_roles
    local contract = contract_of(ctx)
    local last_day = cutoff(ctx, contract)
    local champions, late = {}, {}
    for _, p in ipairs(ctx:people{ within = ctx.unit.id, role = roles,
                                   min_engagement = "bought_in" }) do
      if engaged_by(p, last_day) then
        champions[#champions + 1] = p
      else
        late[#late + 1] = string.format("%s (%s)", p.id, p.engaged_on or "?")
      end
    end
    if #champions == 0 then
      local candidates = ctx:people{ within = ctx.unit.id, role = roles }
      local bought_in = ctx:people{ within = ctx.unit.id, min_engagement = "bought_in" }
      local after = #late > 0
        and string.format("; bought in only after the contract of %s: %s",
                          contract.date, table.concat(late, ", "))
        or ""
      return fail("no bought-in clinician champion (%s)%s; candidates: %s; "
                  .. "bought in: %s (executive and quality-lead buy-in does not count)%s",
                  roles_text(roles),
                  contract and (" before the contract of " .. contract.date) or "",
                  describe(candidates), describe(bought_in), after,
                  { candidates = ids(candidates), bought_in = ids(bought_in),
                    contract = contract and contract.date })
    end
    return pass("clinician champion(s): %s", describe(champions),
                { champions = ids(champions), contract = contract and contract.date })
  end,
}

-- The unit's ancestors, nearest first: its lineage after itself, found
-- without listing the organisation (a rule runs for every unit, and a
-- whole list each time would make a cycle grow with the square of its
-- units).
local function ancestors(ctx)
  local out = {}
  for i, u in ipairs(ctx:units{ lineage = ctx.unit.id }) do
    if i > 1 then out[#out + 1] = u end
  end
  return out
end

check {
  id = "exec-support-never-substitutes",
  severity = "high",
  stages = params.pre_live_stages,
  title = "Executives or quality leads bought in while no front-line clinician is",
  rationale = "The classic failure: the tool is bought through the quality leader "
           .. "and the executives while the surgeons and nurses who must use it "
           .. "were never won over; their support does not transfer.",
  source = "Greenhalgh et al., JMIR 2017;19(11):e367 (NASSS: adopter system); "
        .. "Damschroder et al. 2009 (CFIR: champions, key stakeholders)",
  remediation = "Before going further, win a front-line clinician of the unit "
             .. "over: consult them, involve them in the content, and record "
             .. "their buy-in.",
  owner = "executive",
  check = function(ctx)
    local sponsor_roles = ctx.params.sponsor_roles
    local front_line = ctx.params.front_line_roles
    local sponsors = ctx:people{ within = ctx.unit.id, role = sponsor_roles,
                                 min_engagement = "bought_in" }
    for _, a in ipairs(ancestors(ctx)) do
      for _, p in ipairs(ctx:people{ unit = a.id, role = sponsor_roles,
                                     min_engagement = "bought_in" }) do
        sponsors[#sponsors + 1] = p
      end
    end
    local clinicians = ctx:people{ within = ctx.unit.id, role = front_line,
                                   min_engagement = "bought_in" }
    if #clinicians > 0 then
      return pass("front-line clinician(s) bought in: %s", describe(clinicians),
                  { clinicians = ids(clinicians), sponsors = ids(sponsors) })
    end
    if #sponsors == 0 then
      return pass("no executive or quality lead bought in yet")
    end
    local all = ctx:people{ within = ctx.unit.id, role = front_line }
    local who = {}
    for i, p in ipairs(sponsors) do
      who[i] = string.format("%s (%s)", p.id, table.concat(p.roles, "/"))
    end
    return warn("%s bought in, but no front-line clinician of %s is; clinicians: %s",
                table.concat(who, ", "), ctx.unit.name, describe(all),
                { sponsors = ids(sponsors), clinicians = ids(all) })
  end,
}

gate {
  id = "clinicians-in-content",
  at = params.golive_gate,
  must = false,
  weight = 1,
  title = "Front-line clinicians aligned the clinical content",
  rationale = "Clinicians trust and use content they shaped; a journey whose "
           .. "advice contradicts local practice is abandoned by its clinicians "
           .. "and patients alike.",
  source = "Greenhalgh et al., JMIR 2017;19(11):e367 (NASSS: technology and "
        .. "adopter system); Powell et al. 2015 (ERIC: promote adaptability, "
        .. "conduct local consensus discussions)",
  remediation = "Run a content workshop with the unit's surgeons and nurses and "
             .. "record it: 'uptake record event --kind consultation --unit U "
             .. "--people a,b --attr topic=content'.",
  owner = "implementation_lead",
  check = function(ctx)
    local front_line = ctx.params.front_line_roles
    local topic = ctx.params.content_topic
    local want = ctx.params.content_clinicians
    local clinicians = ctx:people{ within = ctx.unit.id, role = front_line }
    if #clinicians == 0 then
      return score(0, "no front-line clinicians (%s) in %s",
                   roles_text(front_line), ctx.unit.name)
    end
    local by_id = {}
    for _, p in ipairs(clinicians) do by_id[p.id] = true end
    local took_part, seen, events = {}, {}, 0
    for _, ev in ipairs(ctx:events{ kind = { "consultation", "decision" },
                                    within = ctx.unit.id }) do
      if ev.attrs.topic == topic then
        events = events + 1
        for _, pid in ipairs(ev.people) do
          if by_id[pid] and not seen[pid] then
            seen[pid] = true
            took_part[#took_part + 1] = pid
          end
        end
      end
    end
    local need = math.min(want, #clinicians)
    local got = math.min(#took_part, need)
    local evidence = { took_part = took_part, events = events, needed = need }
    if #took_part == 0 then
      return score(0, "none of %d front-line clinician(s) of %s took part in "
                   .. "content alignment (%d event(s) with topic=%s)",
                   #clinicians, ctx.unit.name, events, topic, evidence)
    end
    return score(10 * got / need, "%d of %d front-line clinician(s) of %s took "
                 .. "part in content alignment (%d needed): %s",
                 #took_part, #clinicians, ctx.unit.name, need,
                 table.concat(took_part, ", "), evidence)
  end,
}

-- The day PERSON was last seen: their engagement date or the latest event
-- they took part in, whichever is later (nil if neither).
local function last_seen(ctx, person)
  local seen = person.engaged_on
  local evs = ctx:events{ person = person.id }
  local last = evs[#evs]
  if last and (seen == nil or last.date > seen) then seen = last.date end
  return seen
end

gate {
  id = "champion-active-before-go-live",
  at = params.golive_gate,
  title = "A bought-in clinician champion active in the unit before go-live",
  rationale = "Champions drive an implementation through indifference and "
           .. "resistance, but only while they are there: a champion who went "
           .. "quiet months ago will not carry the go-live.",
  source = "Damschroder et al. 2009 (CFIR: champions); Powell et al. 2015 "
        .. "(ERIC: identify and prepare champions)",
  remediation = "Meet the unit's champion before go-live (record the meeting "
             .. "with them), or find and record a new bought-in champion.",
  owner = "first_line_manager",
  check = function(ctx)
    local roles = ctx.params.champion_roles
    local days = ctx.params.champion_active_days
    local since = ctx:add_days(ctx.now, -days)
    local candidates = ctx:people{ within = ctx.unit.id, role = roles }
    local active, quiet = {}, {}
    for _, p in ipairs(candidates) do
      if p.engagement == "bought_in" then
        local seen = last_seen(ctx, p)
        if seen and seen >= since then
          active[#active + 1] = p.id
        else
          quiet[#quiet + 1] = string.format("%s (last seen %s)", p.id, seen or "never")
        end
      end
    end
    if #active == 0 then
      return fail("no bought-in clinician champion (%s) active in %s in the last "
                  .. "%d days; candidates: %s%s",
                  roles_text(roles), ctx.unit.name, days, describe(candidates),
                  #quiet > 0 and ("; bought in but quiet: " .. table.concat(quiet, ", ")) or "",
                  { candidates = ids(candidates), since = since })
    end
    return pass("active champion(s) in %s: %s", ctx.unit.name,
                table.concat(active, ", "), { champions = active, since = since })
  end,
}

check {
  id = "enrolment-falling-without-champion",
  severity = "high",
  stages = params.live_stages,
  title = "Enrolment falling in a live unit with no bought-in champion",
  rationale = "Patients enrol when their clinicians recommend the tool; falling "
           .. "enrolment with no clinician behind it is how a live service "
           .. "quietly dies before the renewal.",
  source = "Greenhalgh et al., JMIR 2017;19(11):e367 (NASSS: adopter system, "
        .. "abandonment); Damschroder et al. 2009 (CFIR: champions)",
  remediation = "Find out from the unit's clinicians why they stopped "
             .. "recommending it, and win a champion back before the trend "
             .. "becomes the baseline.",
  owner = "first_line_manager",
  check = function(ctx)
    local name = ctx.params.enrolment_series
    local n = ctx.params.falling_periods
    -- Sum the unit's subtree per period, oldest first.
    local by_period, order = {}, {}
    for _, o in ipairs(ctx:series(name, { within = ctx.unit.id })) do
      local p = by_period[o.start]
      if not p then
        p = { period = o.period, start = o.start, value = 0 }
        by_period[o.start] = p
        order[#order + 1] = p
      end
      p.value = p.value + o.value
    end
    table.sort(order, function(a, b) return a.start < b.start end)
    if #order < n then
      return skip("%d period(s) of '%s' in %s; %d needed to see a fall",
                  #order, name, ctx.unit.name, n)
    end
    local last, shown = {}, {}
    for i = #order - n + 1, #order do
      last[#last + 1] = order[i]
      shown[#shown + 1] = string.format("%s: %g", order[i].period, order[i].value)
    end
    local falling = true
    for i = 2, #last do
      if not (last[i].value < last[i - 1].value) then falling = false end
    end
    local evidence = { periods = shown }
    if not falling then
      return pass("%s not falling in %s (%s)", name, ctx.unit.name,
                  table.concat(shown, ", "), evidence)
    end
    local champions = ctx:people{ within = ctx.unit.id,
                                  role = ctx.params.champion_roles,
                                  min_engagement = "bought_in" }
    evidence.champions = ids(champions)
    if #champions > 0 then
      return pass("%s falling in %s (%s), but champion(s) bought in: %s", name,
                  ctx.unit.name, table.concat(shown, ", "),
                  table.concat(ids(champions), ", "), evidence)
    end
    return warn("%s fell %d times in a row in %s (%s) and no clinician "
                .. "champion (%s) is bought in", name, n - 1, ctx.unit.name,
                table.concat(shown, ", "),
                roles_text(ctx.params.champion_roles), evidence)
  end,
}
