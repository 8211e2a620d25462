-- nasss.lua: the NASSS framework's seven domains, rated simple,
-- complicated or complex as dated assessments:
--
--   uptake record event --kind assessment --date D --unit U \
--     --attr framework=nasss --attr domain=technology --attr rating=complex
--
-- A unit's rating of a domain is the latest assessment of that domain
-- recorded at the unit itself; if it has none, the nearest ancestor's; an
-- assessment recorded without a unit belongs to the root (the whole
-- organisation).  See README.md.

local DOMAINS = { "condition", "technology", "value_proposition",
                  "adopter_system", "organisation", "wider_system", "embedding" }
local KNOWN = {}
for i, d in ipairs(DOMAINS) do KNOWN[d] = i end
-- Spellings people use for the same domains.
local ALIASES = { organization = "organisation",
                  embedding_over_time = "embedding",
                  adopters = "adopter_system",
                  value = "value_proposition" }
local LEVEL = { simple = 1, complicated = 2, complex = 3 }

local function domain_of(raw)
  if type(raw) ~= "string" then return nil end
  local d = raw:lower():gsub("[%s%-]+", "_")
  return ALIASES[d] or d
end

-- The units from the judged one up to the root, nearest first: found
-- without listing the organisation, which in a rule run for every unit
-- would make a cycle's time grow with the square of the units.
local function chain(ctx)
  return ctx:units{ lineage = ctx.unit.id }
end

-- The first root in tree order, which assessments without a unit belong
-- to.  Asked only when there are such assessments: it lists every unit.
local function root_id(ctx)
  for _, u in ipairs(ctx:units{}) do
    if u.parent == nil then return u.id end
  end
end

-- The NASSS assessments as of the cycle date that can hold for the judged
-- unit (its own, those above it and those without a unit), by unit id
-- (those without a unit under the root's) and domain, oldest first; and,
-- by unit id, the NASSS assessments left out (unknown domain, or no
-- rating).
local function assessments(ctx)
  local by_unit, unknown = {}, {}
  local root
  for _, ev in ipairs(ctx:events{ kind = "assessment", lineage = ctx.unit.id }) do
    local fw = ev.attrs.framework
    if type(fw) == "string" and fw:lower() == "nasss" then
      if ev.unit == nil and root == nil then root = root_id(ctx) end
      local d = domain_of(ev.attrs.domain)
      local level = LEVEL[(ev.attrs.rating or ""):lower()]
      if d and KNOWN[d] and level then
        local u = ev.unit or root
        by_unit[u] = by_unit[u] or {}
        local seq = by_unit[u][d] or {}
        by_unit[u][d] = seq
        seq[#seq + 1] = { rating = (ev.attrs.rating):lower(), level = level,
                          date = ev.date, unit = ev.unit, id = ev.id }
      else
        local u = ev.unit or root
        unknown[u] = unknown[u] or {}
        table.insert(unknown[u], not (d and KNOWN[d])
          and string.format("%s (unknown domain)", ev.attrs.domain or "no domain")
          or string.format("%s (no rating)", d))
      end
    end
  end
  return by_unit, unknown
end

-- The ratings of each domain that hold for the judged unit: the sequence of
-- the nearest unit up the chain that rated it.
local function effective(ctx)
  local by_unit, unknown_by = assessments(ctx)
  local units = chain(ctx)
  local out, unknown = {}, {}
  for _, d in ipairs(DOMAINS) do
    for _, u in ipairs(units) do
      local seq = by_unit[u.id] and by_unit[u.id][d]
      if seq then out[d] = seq; break end
    end
  end
  for _, u in ipairs(units) do
    for _, name in ipairs(unknown_by[u.id] or {}) do unknown[#unknown + 1] = name end
  end
  return out, unknown
end

local function latest(seq) return seq[#seq] end

local function rating_table(rated)
  local ev = {}
  for _, d in ipairs(DOMAINS) do
    local s = rated[d]
    if s then
      local r = latest(s)
      ev[d] = { rating = r.rating, date = r.date, unit = r.unit or "(organisation)" }
    end
  end
  return ev
end

local function complex_domains(rated)
  local out = {}
  for _, d in ipairs(DOMAINS) do
    if rated[d] and latest(rated[d]).level == 3 then out[#out + 1] = d end
  end
  return out
end

gate {
  id = "domains-rated",
  at = params.assessment_gate,
  title = "Every NASSS domain rated simple, complicated or complex",
  rationale = "Non-adoption and abandonment come from complexity nobody looked "
           .. "at; rating all seven domains before committing makes the hard "
           .. "ones visible while there is still a choice.",
  source = "Greenhalgh et al., JMIR 2017;19(11):e367 (NASSS); Greenhalgh et al., "
        .. "JMIR Res Protoc 2020;9(5):e16861 (NASSS-CAT)",
  remediation = "Rate each missing domain with the team and record it: 'uptake "
             .. "record event --kind assessment --unit U --attr framework=nasss "
             .. "--attr domain=D --attr rating=simple|complicated|complex'.",
  owner = "implementation_lead",
  check = function(ctx)
    local rated, unknown = effective(ctx)
    local missing, have = {}, 0
    for _, d in ipairs(DOMAINS) do
      if rated[d] then have = have + 1 else missing[#missing + 1] = d end
    end
    local evidence = { ratings = rating_table(rated), missing = missing,
                       ignored = unknown }
    local ignored = #unknown > 0
      and string.format("; ignored %d NASSS assessment(s): %s",
                        #unknown, table.concat(unknown, ", "))
      or ""
    if #missing > 0 then
      return fail("%s lacks a NASSS rating for %d of 7 domains: %s%s",
                  ctx.unit.name, #missing, table.concat(missing, ", "), ignored,
                  evidence)
    end
    local cx = complex_domains(rated)
    return pass("all 7 NASSS domains rated, %d complex%s%s", #cx,
                #cx > 0 and (": " .. table.concat(cx, ", ")) or "", ignored,
                evidence)
  end,
}

-- One gate per listed boundary: a must-meet that fails when complex_limit
-- or more domains are complex, with on_fail = "conditional_go", so that
-- the failure caps the gate at a conditional go (other criteria can still
-- make it worse) and a pass leaves the decision to the others.
local declared = {}
for _, boundary in ipairs(params.gates) do
  local from, to = boundary:match("^(.-)%->(.*)$")
  local id = "complexity-at-" .. (from or boundary) .. "-" .. (to or "")
  if not declared[id] then
    declared[id] = true
    gate {
      id = id,
      at = boundary,
      must = true,
      on_fail = "conditional_go",
      title = "Fewer than the limit of NASSS domains complex, or a conditional go at most",
      rationale = "Many complex NASSS domains predict non-adoption and "
               .. "abandonment; such a programme may proceed only with named "
               .. "conditions that reduce or manage the complexity.",
      source = "Greenhalgh et al., JMIR 2017;19(11):e367 (NASSS); Cooper, "
            .. "Stage-Gate (conditional go)",
      remediation = "Name, for each complex domain, what will simplify or "
                 .. "manage it (scope, a different technology, a value case, "
                 .. "support for adopters) and by when; re-rate it when done.",
      owner = "top_line_manager",
      check = function(ctx)
        local limit = ctx.params.complex_limit
        local rated = effective(ctx)
        local cx = complex_domains(rated)
        local evidence = { complex = cx, ratings = rating_table(rated),
                           limit = limit }
        if #cx < limit then
          return pass("%d of 7 NASSS domains complex (limit %d)%s", #cx, limit,
                      #cx > 0 and (": " .. table.concat(cx, ", ")) or "",
                      evidence)
        end
        return fail("%d of 7 NASSS domains complex (limit %d): %s; "
                    .. "conditional go at most", #cx, limit,
                    table.concat(cx, ", "), evidence)
      end,
    }
  end
end

check {
  id = "complexity-rising",
  severity = "medium",
  title = "A NASSS domain rated more complex than before",
  rationale = "Complexity that grows during an implementation is the early "
           .. "sign of abandonment; tracking the ratings over time is what "
           .. "the NASSS-CAT project tool is for.",
  source = "Greenhalgh et al., JMIR 2017;19(11):e367 (NASSS); Greenhalgh et al., "
        .. "JMIR Res Protoc 2020;9(5):e16861 (NASSS-CAT PROJECT)",
  remediation = "Find out with the team what made the domain more complex, "
             .. "and agree how to simplify or absorb it before the next gate.",
  owner = "implementation_lead",
  check = function(ctx)
    -- Only the unit's own assessments (the root's include those without a
    -- unit): a rise is reported where it was rated, not in every unit
    -- below it.
    local mine = assessments(ctx)[ctx.unit.id] or {}
    local rising, twice, any = {}, 0, false
    local evidence = {}
    for _, d in ipairs(DOMAINS) do
      local seq = mine[d]
      if seq then
        any = true
        if #seq >= 2 then
          twice = twice + 1
          local prev, last = seq[#seq - 1], seq[#seq]
          if last.level > prev.level then
            rising[#rising + 1] = string.format("%s %s -> %s (%s, %s)", d,
              prev.rating, last.rating, prev.date, last.date)
            evidence[d] = { from = prev.rating, to = last.rating,
                            since = prev.date, on = last.date }
          end
        end
      end
    end
    if not any then
      return skip("no NASSS ratings recorded for %s", ctx.unit.name)
    end
    if #rising > 0 then
      return warn("%d NASSS domain(s) of %s more complex than at the previous "
                  .. "rating: %s", #rising, ctx.unit.name,
                  table.concat(rising, "; "), evidence)
    end
    return pass("no NASSS domain of %s more complex than before (%d re-rated)",
                ctx.unit.name, twice)
  end,
}
