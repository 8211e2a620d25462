-- prelude.lua: the rule DSL every rule file sees (gate, check, pass, fail,
-- warn, score, skip) and the helpers for the common criteria
-- (require_people, require_event, require_trained, require_ratio,
-- require_status).  Trusted code: it runs once per sandbox before any
-- rule file, with the native `declare` that hands declarations to the core.
local declare = ...

local type, select, tostring, error = type, select, tostring, error
local format, setmetatable, next, rawget = string.format, setmetatable, next, rawget

-- Results carry this private metatable, so the core can tell a result made
-- here from a table a rule forged.
local RESULT = { __metatable = false }

local MAX_MESSAGE = 2000

local function result(status, score, fmt, ...)
  local n = select("#", ...)
  local evidence
  if type(fmt) == "table" and n == 0 then
    evidence, fmt = fmt, nil
  elseif n > 0 and type((select(n, ...))) == "table" then
    evidence = (select(n, ...))
    n = n - 1
  end
  local message = ""
  if fmt ~= nil then
    if n > 0 then
      message = format(tostring(fmt), table.unpack({ ... }, 1, n))
    else
      message = tostring(fmt)
    end
  end
  if #message > MAX_MESSAGE then
    -- cut on a character boundary, not inside a UTF-8 sequence
    local cut = MAX_MESSAGE
    while cut > 0 and (message:byte(cut + 1) or 0) & 0xC0 == 0x80 do cut = cut - 1 end
    message = message:sub(1, cut) .. "..."
  end
  return setmetatable({ status = status, score = score, message = message,
                        evidence = evidence }, RESULT)
end

local function pass(fmt, ...) return result("pass", nil, fmt, ...) end
local function fail(fmt, ...) return result("fail", nil, fmt, ...) end
local function warn(fmt, ...) return result("warn", nil, fmt, ...) end
local function skip(fmt, ...) return result("skip", nil, fmt, ...) end

local function score(n, fmt, ...)
  if type(n) ~= "number" or n ~= n or n < 0 or n > 10 then
    error("score: the first argument must be a number from 0 to 10", 2)
  end
  return result("score", n, fmt, ...)
end

-- Declarations are read once, raw, into a plain table: a spec with an
-- __index that answers differently each time cannot slip past the checks.
local function fields(spec, keys, what)
  if type(spec) ~= "table" then
    error(what .. " expects a table: " .. what .. " { id = ..., check = function(ctx) ... end }", 3)
  end
  local out = {}
  for k in next, spec do
    if not keys[k] then
      error(format("%s: unknown field '%s'", what, tostring(k)), 3)
    end
    out[k] = rawget(spec, k)
  end
  return out
end

local function want(spec, key, kind, required, what)
  local v = spec[key]
  if v == nil then
    if required then error(format("%s: '%s' is required", what, key), 3) end
    return
  end
  if type(v) ~= kind then
    error(format("%s: '%s' must be a %s, not a %s", what, key, kind, type(v)), 3)
  end
end

-- What every rule may say about itself, shown wherever a decision is
-- explained: why it matters, where that is written, what to do when it
-- fails and which role acts.
local META = { "rationale", "source", "remediation", "owner" }

local function with_meta(keys)
  for _, k in ipairs(META) do keys[k] = 1 end
  return keys
end

local function meta(spec, what)
  local out = {}
  for _, k in ipairs(META) do
    local v = spec[k]
    if v ~= nil and type(v) ~= "string" then
      error(format("%s: '%s' must be a string, not a %s", what, k, type(v)), 3)
    end
    out[k] = v
  end
  return out
end

local gate_keys = with_meta{ id = 1, at = 1, must = 1, weight = 1, on_fail = 1,
                             title = 1, check = 1 }
local check_keys = with_meta{ id = 1, severity = 1, stages = 1, title = 1, check = 1 }
local MAX_WEIGHT = 1000000

local function gate(spec)
  spec = fields(spec, gate_keys, "gate")
  want(spec, "id", "string", true, "gate")
  want(spec, "at", "string", true, "gate")
  want(spec, "check", "function", true, "gate")
  want(spec, "must", "boolean", false, "gate")
  want(spec, "weight", "number", false, "gate")
  want(spec, "on_fail", "string", false, "gate")
  want(spec, "title", "string", false, "gate")
  local on_fail = spec.on_fail or "hold"
  if on_fail ~= "hold" and on_fail ~= "recycle" and on_fail ~= "kill"
     and on_fail ~= "conditional_go" then
    error("gate: 'on_fail' must be hold, recycle, kill or conditional_go", 2)
  end
  local weight = spec.weight or 1
  if not (weight > 0 and weight <= MAX_WEIGHT) then
    error(format("gate: 'weight' must be a positive number (at most %d)", MAX_WEIGHT), 2)
  end
  declare("gate", spec.id, spec.title or spec.id, spec.check, spec.must ~= false,
          weight, on_fail, spec.at, nil, nil, nil, nil, meta(spec, "gate"))
end

local metric_keys = with_meta{ id = 1, title = 1, target = 1, direction = 1,
                               baseline = 1, deadline = 1, tolerance = 1, compute = 1 }

-- A metric computed by a rule: compute(ctx) returns a number, or a table
-- { value = n, numerator = n, denominator = n }, or nil for no data.
local function metric(spec)
  spec = fields(spec, metric_keys, "metric")
  want(spec, "id", "string", true, "metric")
  want(spec, "compute", "function", true, "metric")
  want(spec, "target", "number", true, "metric")
  want(spec, "title", "string", false, "metric")
  want(spec, "direction", "string", false, "metric")
  want(spec, "baseline", "number", false, "metric")
  want(spec, "deadline", "string", false, "metric")
  want(spec, "tolerance", "number", false, "metric")
  local dir = spec.direction or "increase"
  if dir ~= "increase" and dir ~= "decrease" then
    error("metric: 'direction' must be increase or decrease", 2)
  end
  if spec.tolerance and not (spec.tolerance >= 0) then
    error("metric: 'tolerance' must be a number of at least 0", 2)
  end
  declare("metric", spec.id, spec.title or spec.id, spec.compute, true, 1,
          dir, nil, spec.target, spec.baseline, spec.deadline,
          spec.tolerance or 0, meta(spec, "metric"))
end

local severities = { low = 1, medium = 1, high = 1, critical = 1 }

local function check(spec)
  spec = fields(spec, check_keys, "check")
  want(spec, "id", "string", true, "check")
  want(spec, "check", "function", true, "check")
  want(spec, "severity", "string", false, "check")
  want(spec, "stages", "table", false, "check")
  want(spec, "title", "string", false, "check")
  local severity = spec.severity or "medium"
  if not severities[severity] then
    error("check: 'severity' must be low, medium, high or critical", 2)
  end
  local stages
  if spec.stages then
    stages = {}
    -- indexed, not raw: stages = params.live_stages is a read-only list
    for i = 1, #spec.stages do
      local s = spec.stages[i]
      if type(s) ~= "string" then error("check: 'stages' must list stage names", 2) end
      stages[i] = s
    end
  end
  declare("check", spec.id, spec.title or spec.id, spec.check, true, 1,
          severity, stages, nil, nil, nil, nil, meta(spec, "check"))
end

---------------------------------------------------------------------------
-- Helpers for the common criteria.  A check calls one with ctx and a table
-- of named keys and returns what it gives:
--
--   check = function(ctx)
--     return require_people(ctx, { role = "cardiologist", level = "bought_in",
--                                  each = "child", not_counting = "executive" })
--   end
--
-- so the result carries the line of that call.  Each returns pass or fail
-- (skip only where a key asks for it) with a message and evidence that
-- name the units, people, events and periods that decided.  They read
-- only ctx, list people by id, units in tree order and events and periods
-- by date, and bound what a message lists.  Every key is checked: an
-- unknown one is an error with a did-you-mean hint.

local ipairs, pairs, pcall, tonumber = ipairs, pairs, pcall, tonumber
local concat, sort = table.concat, table.sort
local floor, huge, mtype, tointeger = math.floor, math.huge, math.type, math.tointeger

local LISTED = 10      -- names, units or periods a message lists
local LISTED_EACH = 3  -- names per unit when a message lists units
local EVIDENCE = 50    -- ids an evidence list holds

local LEVELS = { "unaware", "informed", "consulted", "involved", "bought_in" }
local STATUSES = { "off_track", "at_risk", "on_track", "met" }
local EACH = { "child", "leaf" }
local KINDS = { "day", "week", "month", "quarter" }
local ON_MISSING = { "fail", "skip" }

local function rank(list)
  local r = {}
  for i, v in ipairs(list) do r[v] = i end
  return r
end
local LEVEL, STATUS = rank(LEVELS), rank(STATUSES)

-- Optimal string alignment distance, as core/util.c's did-you-mean.
local function distance(a, b)
  local la, lb = #a, #b
  if la > 64 or lb > 64 then return huge end
  local prev2, prev, cur = {}, {}, {}
  for j = 0, lb do prev[j] = j end
  for i = 1, la do
    cur[0] = i
    local ai, ap = a:byte(i), a:byte(i - 1)
    for j = 1, lb do
      local bj = b:byte(j)
      local best = prev[j - 1] + (ai == bj and 0 or 1)
      if prev[j] + 1 < best then best = prev[j] + 1 end
      if cur[j - 1] + 1 < best then best = cur[j - 1] + 1 end
      if i > 1 and j > 1 and ai == b:byte(j - 1) and ap == bj
         and prev2[j - 2] + 1 < best then
        best = prev2[j - 2] + 1
      end
      cur[j] = best
    end
    prev2, prev, cur = prev, cur, prev2
  end
  return prev[lb]
end

-- " (did you mean 'x'?)" when one of CANDIDATES is close to S, else "".
local function hint(s, candidates)
  if type(s) ~= "string" then return "" end
  local best, best_d = nil, huge
  local limit = #s <= 4 and 1 or 2
  for _, c in ipairs(candidates) do
    local d = distance(s, c)
    if d > 0 and d <= limit and d < best_d then best, best_d = c, d end
  end
  return best and format(" (did you mean '%s'?)", best) or ""
end

-- Errors carry no position: the core's wrapper puts the line of the
-- rule's call in front.
local function raise(name, fmt, ...)
  error(name .. ": " .. format(fmt, ...), 0)
end

local function shown(v)
  local t = type(v)
  if t == "string" then return "'" .. v .. "'" end
  if t == "number" or t == "boolean" or t == "nil" then return tostring(v) end
  return "a " .. t
end

-- "a", "a or b", "a, b or c"; "a, b and c"
local function or_list(list, word)
  if #list <= 1 then return list[1] or "" end
  return concat(list, ", ", 1, #list - 1) .. " " .. (word or "or") .. " " .. list[#list]
end

local function quoted(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = "'" .. v .. "'" end
  return or_list(out)
end

-- The keys a helper accepts, in the order did-you-mean tries them.
local function keyset(list)
  local set = {}
  for _, k in ipairs(list) do set[k] = true end
  return { set = set, list = list }
end

local function read_args(name, ctx, spec, keys)
  if type(ctx) ~= "table" or type(ctx.unit) ~= "table" then
    raise(name, "the first argument must be ctx: check = function(ctx) return %s(ctx, { ... }) end",
          name)
  end
  if type(spec) ~= "table" then
    raise(name, "the second argument must be a table of named keys: %s(ctx, { ... }), not %s",
          name, shown(spec))
  end
  local out = {}
  for k, v in pairs(spec) do
    if type(k) ~= "string" then
      raise(name, "every value needs a name (key = value); found %s at [%s]", shown(v), tostring(k))
    end
    if not keys.set[k] then
      raise(name, "unknown key '%s'%s", k, hint(k, keys.list))
    end
    out[k] = v
  end
  return out
end

-- A string or a list of strings (a pack's read-only list too), as a list.
local function names_of(name, key, v)
  if v == nil then return nil end
  if type(v) == "string" then return { v } end
  if type(v) ~= "table" then
    raise(name, "'%s' must be a string or a list of strings, not %s", key, shown(v))
  end
  local out, n = {}, #v
  for i = 1, n do
    if type(v[i]) ~= "string" then
      raise(name, "'%s' must list strings; item %d is %s", key, i, shown(v[i]))
    end
    out[i] = v[i]
  end
  if n == 0 then raise(name, "'%s' is an empty list", key) end
  return out
end

local function one_of(name, key, v, list, default)
  if v == nil then return default end
  for _, c in ipairs(list) do
    if v == c then return v end
  end
  raise(name, "'%s' must be %s, not %s%s", key, quoted(list), shown(v), hint(v, list))
end

local function whole(name, key, v, lo, hi, default)
  if v == nil then return default end
  if mtype(v) == "float" and v == floor(v) then v = tointeger(v) end
  if mtype(v) ~= "integer" or v < lo or v > hi then
    raise(name, "'%s' must be a whole number from %d to %d, not %s", key, lo, hi, shown(v))
  end
  return v
end

local function number(name, key, v, lo, hi, note)
  if v == nil then return nil end
  if lo == -huge and hi == huge then
    if type(v) ~= "number" or v ~= v or v == huge or v == -huge then
      raise(name, "'%s' must be a number, not %s", key, shown(v))
    end
    return v
  end
  if type(v) ~= "number" or v ~= v or v < lo or v > hi then
    raise(name, "'%s' must be a number from %s to %s%s, not %s", key, tostring(lo), tostring(hi),
          note or "", shown(v))
  end
  return v
end

-- attrs = { topic = "content" }: each attribute one value or a list of them.
local function read_attrs(name, key, v)
  if v == nil then return nil end
  if type(v) ~= "table" then
    raise(name, "'%s' must be a table of attribute = value, not %s", key, shown(v))
  end
  local out = {}
  for k, val in pairs(v) do
    if type(k) ~= "string" then
      raise(name, "'%s' must name each attribute: { topic = \"content\" }", key)
    end
    out[#out + 1] = { key = k, values = names_of(name, key .. "." .. k, val) }
  end
  if #out == 0 then raise(name, "'%s' is empty", key) end
  return out
end

local function attrs_match(attrs, ev)
  for _, a in ipairs(attrs or {}) do
    local have, hit = ev.attrs[a.key], false
    for _, want in ipairs(a.values) do
      if have == want then hit = true end
    end
    if not hit then return false end
  end
  return true
end

-- " (topic=content)", " (topic=content or design, phase=1)"
local function attrs_text(attrs)
  if not attrs then return "" end
  local out = {}
  for i, a in ipairs(attrs) do out[i] = a.key .. "=" .. or_list(a.values) end
  return " (" .. concat(out, ", ") .. ")"
end

---- words --------------------------------------------------------------

local function plural(word, n)
  if n == 1 then return word end
  if word == "person" then return "people" end
  if word:match("[sxz]$") or word:match("[cs]h$") then return word .. "es" end
  if word:match("[^aeiou]y$") then return word:sub(1, -2) .. "ies" end
  return word .. "s"
end

-- {"surgeon", "physician"}, 2: "surgeons or physicians"
local function nouns(list, n)
  local out = {}
  for i, w in ipairs(list) do out[i] = plural(w, n) end
  return or_list(out)
end

local function count(n, word)
  return format("%d %s", n, plural(word, n))
end

local function article(phrase)
  return (phrase:match("^[aeiou]") and "an " or "a ") .. phrase
end

local function num_text(x)
  if x == floor(x) and x > -1e15 and x < 1e15 then return format("%d", x) end
  return format("%.4g", x)
end

-- "30%", or "29.6%" when a whole number would hide a shortfall.
local function pct(x)
  local p = 100 * x
  if math.abs(p - floor(p + 0.5)) < 0.05 then return format("%.0f%%", p) end
  return format("%.1f%%", p)
end

-- ITEMS through FN, at most MAX of them, joined by SEP: "a, b and 3 more".
local function listing(items, max, fn, sep)
  local out = {}
  for i = 1, math.min(#items, max) do out[i] = fn and fn(items[i]) or items[i] end
  local s = concat(out, sep or ", ")
  if #items > max then s = s .. format(" and %d more", #items - max) end
  return s
end

-- Ids for evidence, at most EVIDENCE of them.
local function ids(items, key)
  local out = {}
  for i = 1, math.min(#items, EVIDENCE) do out[i] = items[i][key or "id"] end
  if #items > EVIDENCE then out[#out + 1] = format("and %d more", #items - EVIDENCE) end
  return out
end

local function who(p, extra)
  return format("%s (%s%s)", p.name or p.id, p.id, extra and (", " .. extra) or "")
end

local function by_id(a, b) return a.id < b.id end

-- The message of ctx's error, without its position.
local function reason(e)
  e = tostring(e)
  return (e:gsub("^[^:%s]+:%d+: ", ""))
end

---- the unit tree --------------------------------------------------------

-- The judged unit's subtree (list, in tree order, and children) and the
-- units above it (by_id holds both): all the helpers look at, without
-- the rest of the organisation.
local function tree_of(ctx)
  local t = { list = ctx:units{ within = ctx.unit.id }, by_id = {}, children = {} }
  for _, u in ipairs(ctx:units{ lineage = ctx.unit.id }) do t.by_id[u.id] = u end
  for _, u in ipairs(t.list) do
    t.by_id[u.id] = u
    if u.parent then
      local c = t.children[u.parent] or {}
      t.children[u.parent] = c
      c[#c + 1] = u
    end
  end
  t.me = t.by_id[ctx.unit.id]
  return t
end

-- Is unit id V the unit U or below it?
local function under(t, v, u)
  while v do
    if v == u then return true end
    v = t.by_id[v] and t.by_id[v].parent
  end
  return false
end

-- The units judged: the unit itself, or each child or lowest unit below
-- it (the unit itself when it has none).  Second result: several.
local function targets(t, each)
  local out = {}
  if each == "child" then
    for _, u in ipairs(t.children[t.me.id] or {}) do out[#out + 1] = u end
  elseif each == "leaf" then
    for _, u in ipairs(t.list) do
      if u.id ~= t.me.id and not t.children[u.id] and under(t, u.id, t.me.id) then
        out[#out + 1] = u
      end
    end
  end
  if #out == 0 then return { t.me }, false end
  return out, true
end

-- People of UNIT with one of ROLES (any role when nil), by id: its own
-- ("unit"), of its subtree ("subtree"), or of its subtree, the units above
-- it and those in no unit ("related").
local function people_in(ctx, t, unit, scope, roles)
  local list
  if scope == "unit" then
    list = ctx:people{ unit = unit.id, role = roles }
  else
    list = ctx:people{ within = unit.id, role = roles }
    if scope == "related" then
      for _, p in ipairs(ctx:people{ lineage = unit.id, role = roles }) do
        if p.unit ~= unit.id then list[#list + 1] = p end
      end
    end
  end
  sort(list, by_id)
  return list
end

-- Events in the order ctx gives them: by date, then as recorded.
local function oldest_first(a, b)
  if a.date ~= b.date then return a.date < b.date end
  return a.id < b.id
end

-- Events of KINDS for UNIT, by date: its own, its subtree's, or (related)
-- also those of the units above it and those recorded without a unit.
local function events_in(ctx, t, unit, scope, kinds)
  if scope == "unit" then return ctx:events{ kind = kinds, unit = unit.id } end
  if scope == "subtree" then return ctx:events{ kind = kinds, within = unit.id } end
  local out = ctx:events{ kind = kinds, lineage = unit.id }
  for _, ev in ipairs(ctx:events{ kind = kinds, within = unit.id }) do
    if ev.unit ~= unit.id then out[#out + 1] = ev end
  end
  sort(out, oldest_first)
  return out
end

local function holds(p, set)
  for _, r in ipairs(p.roles) do
    if set[r] then return true end
  end
  return false
end

local function set_of(list)
  local s = {}
  for _, v in ipairs(list or {}) do s[v] = true end
  return s
end

-- On a failure, when none of NAMES is among FOUND: each of them, with a
-- hint (a list from a pack's parameters may well name roles or kinds a
-- program does not have, so one that is there is enough).
local function unknown(names, found, say)
  if not names then return {} end
  local known, list = {}, {}
  for _, v in ipairs(found) do
    if not known[v] then known[v], list[#list + 1] = true, v end
  end
  for _, n in ipairs(names) do
    if known[n] then return {} end
  end
  sort(list)
  local out = {}
  for _, n in ipairs(names) do
    if not known[n] then out[#out + 1] = format(say, n) .. hint(n, list) end
  end
  return out
end


local function unknown_roles(ctx, roles)
  if not roles then return {} end
  -- someone near the unit with one of them is enough; only a role
  -- nobody near has makes it look further
  local me = ctx.unit.id
  if #ctx:people{ within = me, role = roles, limit = 1 } > 0
     or #ctx:people{ lineage = me, role = roles, limit = 1 } > 0 then
    return {}
  end
  -- one held by anyone anywhere is enough too (as unknown() has it);
  -- only when none is held are everyone's roles read, for the hints
  for _, r in ipairs(roles) do
    if #ctx:people{ role = r, limit = 1 } > 0 then return {} end
  end
  local all = {}
  for _, p in ipairs(ctx:people{}) do
    for _, r in ipairs(p.roles) do all[#all + 1] = r end
  end
  return unknown(roles, all, "nobody in the program has the role '%s'")
end

local function unknown_kinds(ctx, kinds)
  -- any of them recorded anywhere is enough (kinds are indexed); only
  -- when none is are every event's kinds read, for the hints
  if not kinds or #ctx:events{ kind = kinds, limit = 1 } > 0 then return {} end
  local all = {}
  for _, ev in ipairs(ctx:events{}) do all[#all + 1] = ev.kind end
  return unknown(kinds, all, "no '%s' event is recorded anywhere")
end

---- deadlines ------------------------------------------------------------

local deadline_keys = keyset{ "event", "attrs", "stage" }
local DEADLINE = "a date (YYYY-MM-DD), \"go_live\", { event = KIND } or { stage = STAGE }"

-- before = ... (strictly before) or by = ... (on or before): a date, the
-- unit's go-live, the first event of a kind, or the unit reaching a stage.
local function read_deadline(name, ctx, spec)
  if spec.before ~= nil and spec.by ~= nil then
    raise(name, "give 'before' or 'by', not both")
  end
  local key = spec.before ~= nil and "before" or spec.by ~= nil and "by" or nil
  if not key then return nil end
  local v = spec[key]
  local d = { word = key, inclusive = key == "by" }
  if v == "go_live" then
    d.go_live = true
  elseif type(v) == "string" then
    local ok, e = pcall(ctx.add_days, ctx, v, 0)
    if not ok then
      raise(name, "'%s' must be %s; %s is not a date (%s)", key, DEADLINE, shown(v),
            reason(e):match("%((.*)%)$") or reason(e))
    end
    d.date = v
  elseif type(v) ~= "table" then
    raise(name, "'%s' must be %s, not %s", key, DEADLINE, shown(v))
  else
    for k in pairs(v) do
      if not deadline_keys.set[k] then
        raise(name, "'%s': unknown key '%s'%s", key, tostring(k), hint(k, deadline_keys.list))
      end
    end
    if (v.event == nil) == (v.stage == nil) then
      raise(name, "'%s' takes { event = KIND } or { stage = STAGE }", key)
    end
    if v.stage ~= nil then
      if v.attrs ~= nil then raise(name, "'%s': 'attrs' goes with 'event'", key) end
      local stages, list = ctx.program.stages, {}
      for i = 1, #stages do list[i] = stages[i] end
      d.stage = one_of(name, key .. ".stage", v.stage, list)
      d.stages = rank(list)
    else
      d.kinds = names_of(name, key .. ".event", v.event)
      d.attrs = read_attrs(name, key .. ".attrs", v.attrs)
    end
  end
  return d
end

-- The last day seen for UNIT, how to say the deadline (" before the
-- contract of 2026-01-20") and its last day; or nil and why it cannot be
-- judged.  What counts is recorded up to the deadline's last day, and
-- rules see up to ctx.now: a deadline not reached yet, or not known yet
-- (no go-live date, no contract recorded), leaves everything up to now.
local function resolve(ctx, t, d, unit)
  local now = ctx.now
  if not d then return now, "", now end
  local word = d.word
  local function due(day, what)
    local last = d.inclusive and day or ctx:add_days(day, -1)
    if day > now then
      return now, format(" %s %s (%s left)", word, what, count(ctx:days_between(now, day), "day")),
             last
    end
    return last, format(" %s %s", word, what), last
  end
  if d.date then return due(d.date, d.date) end
  if d.go_live then
    if not unit.go_live then return now, format(" %s go-live (no go-live date set)", word), now end
    return due(unit.go_live, "go-live on " .. unit.go_live)
  end
  if d.stage then
    if (d.stages[unit.stage] or 0) < d.stages[d.stage] then
      return now, format(" %s stage %s", word, d.stage), now
    end
    local where = unit.stage == d.stage and format("is at %s already", d.stage)
      or format("is at %s, past %s,", unit.stage, d.stage)
    return nil, format("cannot judge: %s %s and rules cannot see when it reached %s; give a "
                       .. "date or { event = KIND } instead", unit.name, where, d.stage)
  end
  local what = "the " .. or_list(d.kinds) .. attrs_text(d.attrs)
  for _, ev in ipairs(events_in(ctx, t, unit, "related", d.kinds)) do
    if attrs_match(d.attrs, ev) then return due(ev.date, what .. " of " .. ev.date) end
  end
  return now, format(" %s %s (none recorded yet)", word, what), now
end

-- " in the last 90 days", " in the 90 days before go-live on 2026-03-02"
local function window_text(days, when)
  if not days then return when end
  if when == "" then return format(" in the last %s", count(days, "day")) end
  return format(" in the %s%s", count(days, "day"), when)
end

---- one verdict per unit, then one result ------------------------------

-- Each verdict: unit, status, line (the message when one unit is
-- judged), detail (what a list of units says of it), when (its deadline
-- text) and ev (its evidence).  PHRASE_OK and PHRASE_FAIL name the
-- criterion: "a bought-in cardiologist", "no bought-in cardiologist";
-- TAIL, when given, says what a failure adds at its end.
local function combine(t, multi, verdicts, phrase_ok, phrase_fail, evidence, tail)
  evidence.units = {}
  local failing, skipped, passed = {}, {}, {}
  for _, v in ipairs(verdicts) do
    evidence.units[v.unit.id] = v.ev
    local into = v.status == "fail" and failing or v.status == "skip" and skipped or passed
    into[#into + 1] = v
  end
  if #failing > 0 then
    evidence.failing = {}
    for i, v in ipairs(failing) do evidence.failing[i] = v.unit.id end
  end
  local function finish(status, msg)
    if status == "fail" and tail then
      local more = tail()
      if more ~= "" then msg = msg .. "; " .. more end
    end
    local make = status == "pass" and pass or status == "skip" and skip or fail
    return make("%s", msg, evidence)
  end
  if not multi then
    return finish(verdicts[1].status, verdicts[1].line)
  end
  -- one deadline for all is said once
  local when = verdicts[1].when
  for _, v in ipairs(verdicts) do
    if v.when ~= when then when = nil end
  end
  local function own(v) return when == nil and v.when ~= "" and v.when:sub(2) or nil end
  local function bad(v)
    local parts = {}
    parts[#parts + 1] = own(v)
    if v.detail ~= "" then parts[#parts + 1] = v.detail end
    return #parts > 0 and format("%s (%s)", v.unit.name, concat(parts, "; ")) or v.unit.name
  end
  local function good(v)
    local o = own(v)
    return format("%s%s: %s", v.unit.name, o and (" (" .. o .. ")") or "", v.detail)
  end
  local of = format("units of %s%s", t.me.name, when or "")
  local not_judged = #skipped > 0
    and "; not judged: " .. listing(skipped, LISTED, bad, "; ") or ""
  if #failing > 0 then
    return finish("fail", format("%s in %d of the %d %s: %s%s", phrase_fail, #failing, #verdicts,
                                 of, listing(failing, LISTED, bad, "; "), not_judged))
  end
  if #passed == 0 then
    return finish("skip", format("none of the %d %s judged: %s", #verdicts, of,
                                 listing(skipped, LISTED, bad, "; ")))
  end
  if #skipped > 0 then
    return finish("pass", format("%s in all %d judged %s: %s%s", phrase_ok, #passed, of,
                                 listing(passed, LISTED, good, "; "), not_judged))
  end
  return finish("pass", format("%s in each of the %d %s: %s", phrase_ok, #passed, of,
                               listing(passed, LISTED, good, "; ")))
end

---- require_people -------------------------------------------------------

local require_people_keys = keyset{ "role", "level", "at_least", "each", "scope",
                                    "not_counting", "before", "by" }

-- People with a role at an engagement level in the unit, or in each unit
-- below it; holders of a not_counting role never count.
local function require_people(ctx, spec)
  local name = "require_people"
  spec = read_args(name, ctx, spec, require_people_keys)
  local roles = names_of(name, "role", spec.role)
  local level = one_of(name, "level", spec.level, LEVELS)
  local need = whole(name, "at_least", spec.at_least, 1, 10000, 1)
  local each = one_of(name, "each", spec.each, EACH)
  local scope = one_of(name, "scope", spec.scope, { "subtree", "unit", "related" }, "subtree")
  local not_counting = names_of(name, "not_counting", spec.not_counting)
  local d = read_deadline(name, ctx, spec)
  if d and not level then
    raise(name, "'%s' needs 'level': it is the day by which the level is reached", d.word)
  end
  local t = tree_of(ctx)
  local units, multi = targets(t, each)
  local base, nc = roles or { "person" }, set_of(not_counting)
  local function noun(n)
    local s = nouns(base, n)
    if level == "bought_in" then return "bought-in " .. s end
    if level then return s .. " (at least " .. level .. ")" end
    return s
  end
  local function reached(p)
    return level == nil or (p.engagement ~= nil and LEVEL[p.engagement] >= LEVEL[level])
  end
  local function with_level(p) return who(p, p.engagement or "no engagement") end
  local function with_date(p) return who(p, p.engagement .. " on " .. p.engaged_on) end
  local listed = multi and LISTED_EACH or LISTED

  local verdicts = {}
  for _, u in ipairs(units) do
    local cutoff, when = resolve(ctx, t, d, u)
    local v = { unit = u, when = cutoff and when or "" }
    if not cutoff then
      v.status, v.line, v.detail, v.ev = "fail", when, when, { cannot_judge = true }
    else
      local counted, late, below = {}, {}, {}
      for _, p in ipairs(people_in(ctx, t, u, scope, roles)) do
        if not holds(p, nc) then
          if not reached(p) then
            below[#below + 1] = p
          elseif d and (p.engaged_on or cutoff) > cutoff then
            late[#late + 1] = p
          else
            counted[#counted + 1] = p
          end
        end
      end
      local found = listing(counted, listed, who)
      local parts = {}
      if #below > 0 then
        parts[#parts + 1] = format("below %s: %s", level, listing(below, listed, with_level))
      end
      if #late > 0 then
        parts[#parts + 1] = format("reached %s too late: %s", level, listing(late, listed, with_date))
      end
      if #counted + #below + #late == 0 then
        parts[#parts + 1] = format("no %s at all", nouns(base, 1))
      end
      local needed = need > 1 and format(", %d needed", need) or ""
      if #counted >= need then
        v.status = "pass"
        v.line = format("%d %s in %s%s%s: %s", #counted, noun(#counted), u.name, when, needed,
                        found)
        v.detail = found
      else
        v.status = "fail"
        local head = #counted == 0 and format("no %s in %s%s", noun(1), u.name, when)
          or format("only %d %s in %s%s%s: %s", #counted, noun(#counted), u.name, when, needed, found)
        v.line = head .. (#parts > 0 and "; " .. concat(parts, "; ") or "")
        if #counted > 0 then table.insert(parts, 1, format("%d: %s", #counted, found)) end
        v.detail = concat(parts, "; ")
      end
      v.ev = { counted = ids(counted) }
      if #below > 0 then v.ev.below = ids(below) end
      if #late > 0 then v.ev.late = ids(late) end
      if d then v.ev.cutoff = cutoff end
    end
    verdicts[#verdicts + 1] = v
  end

  -- who holds a role that does not count, at the level, in or above the
  -- unit: named when the criterion fails, so nobody reads their support
  -- as enough
  local evidence, excluded = { needed = need }, {}
  if not_counting then
    for _, p in ipairs(people_in(ctx, t, t.me, "related", not_counting)) do
      if reached(p) then excluded[#excluded + 1] = p end
    end
    if #excluded > 0 then evidence.not_counting = ids(excluded) end
  end
  local function tail()
    local parts = {}
    if #excluded > 0 then
      parts[1] = "not counting: " .. listing(excluded, LISTED, function(p)
        return who(p, concat(p.roles, "/") .. ", " .. (p.engagement or "no engagement"))
      end)
    end
    for _, h in ipairs(unknown_roles(ctx, roles)) do parts[#parts + 1] = h end
    return concat(parts, "; ")
  end
  local phrase_ok = need == 1 and article(noun(1)) or format("at least %d %s", need, noun(need))
  local phrase_fail = need == 1 and "no " .. noun(1) or format("fewer than %d %s", need, noun(need))
  return combine(t, multi, verdicts, phrase_ok, phrase_fail, evidence, tail)
end

---- require_event --------------------------------------------------------

local require_event_keys = keyset{ "kind", "attrs", "attended_by", "at_least", "each",
                                   "scope", "days", "before", "by" }

-- Events of a kind (with attributes, and someone of a role taking part)
-- recorded for the unit, or for each unit below it, by a deadline.
local function require_event(ctx, spec)
  local name = "require_event"
  spec = read_args(name, ctx, spec, require_event_keys)
  if spec.kind == nil then raise(name, "'kind' is required: the kind of event, e.g. kind = \"consultation\"") end
  local kinds = names_of(name, "kind", spec.kind)
  local attrs = read_attrs(name, "attrs", spec.attrs)
  local roles = names_of(name, "attended_by", spec.attended_by)
  local need = whole(name, "at_least", spec.at_least, 1, 10000, 1)
  local each = one_of(name, "each", spec.each, EACH)
  local scope = one_of(name, "scope", spec.scope, { "subtree", "unit", "related" }, "subtree")
  local days = whole(name, "days", spec.days, 1, 3650, nil)
  local d = read_deadline(name, ctx, spec)
  local t = tree_of(ctx)
  local units, multi = targets(t, each)
  local with = roles and " with " .. article(or_list(roles)) or ""
  local function noun(n) return nouns(kinds, n) .. attrs_text(attrs) .. with end
  local listed = multi and LISTED_EACH or LISTED
  local function date_of(ev) return ev.date end

  local verdicts = {}
  for _, u in ipairs(units) do
    local cutoff, when, last = resolve(ctx, t, d, u)
    local v = { unit = u, when = cutoff and window_text(days, when) or "" }
    if not cutoff then
      v.status, v.line, v.detail, v.ev = "fail", when, when, { cannot_judge = true }
    else
      local since = days and ctx:add_days(last, 1 - days) or nil
      local present
      if roles then
        present = {}
        for _, p in ipairs(people_in(ctx, t, u, scope, roles)) do present[p.id] = true end
      end
      local hits, later, older, without, other = {}, {}, {}, {}, 0
      for _, ev in ipairs(events_in(ctx, t, u, scope, kinds)) do
        if not attrs_match(attrs, ev) then
          if ev.date <= cutoff and (not since or ev.date >= since) then other = other + 1 end
        else
          local took_part = present == nil
          for _, pid in ipairs(ev.people) do
            if present and present[pid] then took_part = true end
          end
          if ev.date > cutoff then later[#later + 1] = ev
          elseif since and ev.date < since then older[#older + 1] = ev
          elseif not took_part then without[#without + 1] = ev
          else hits[#hits + 1] = ev end
        end
      end
      local found = listing(hits, listed, date_of)
      local needed = need > 1 and format(", %d needed", need) or ""
      local parts = {}
      if #later > 0 then
        parts[#parts + 1] = format("%d later: %s", #later, listing(later, listed, date_of))
      end
      if #older > 0 then
        parts[#parts + 1] = format("the latest before that: %s", older[#older].date)
      end
      if #without > 0 then
        parts[#parts + 1] = format("%d without %s: %s", #without, article(or_list(roles)),
                                   listing(without, listed, date_of))
      end
      if other > 0 then
        parts[#parts + 1] = format("%d other %s%s", other, nouns(kinds, other),
                                   (attrs_text(attrs):gsub("^ %(", " (not ")))
      end
      v.when = window_text(days, when)
      if #hits >= need then
        v.status = "pass"
        v.line = format("%d %s in %s%s%s: %s", #hits, noun(#hits), u.name, v.when, needed, found)
        v.detail = found
      else
        v.status = "fail"
        local head = #hits == 0 and format("no %s in %s%s", noun(1), u.name, v.when)
          or format("only %d %s in %s%s%s: %s", #hits, noun(#hits), u.name, v.when, needed, found)
        v.line = head .. (#parts > 0 and "; " .. concat(parts, "; ") or "")
        if #hits > 0 then table.insert(parts, 1, format("%d: %s", #hits, found)) end
        v.detail = concat(parts, "; ")
      end
      v.ev = { events = {} }
      for i = 1, math.min(#hits, EVIDENCE) do
        v.ev.events[i] = { id = hits[i].id, date = hits[i].date }
      end
      if #later > 0 then v.ev.later = ids(later, "date") end
      if d then v.ev.cutoff = cutoff end
      if since then v.ev.since = since end
    end
    verdicts[#verdicts + 1] = v
  end
  local function tail()
    local parts = unknown_kinds(ctx, kinds)
    for _, h in ipairs(unknown_roles(ctx, roles)) do parts[#parts + 1] = h end
    return concat(parts, "; ")
  end
  local phrase_ok = need == 1 and article(noun(1)) or format("at least %d %s", need, noun(need))
  local phrase_fail = need == 1 and "no " .. noun(1) or format("fewer than %d %s", need, noun(need))
  return combine(t, multi, verdicts, phrase_ok, phrase_fail, { needed = need }, tail)
end

---- require_trained ------------------------------------------------------

local require_trained_keys = keyset{ "role", "share", "days", "topic", "each", "scope",
                                     "before", "by" }

-- A share of the people with a role (everyone by default) trained: a
-- session not failed, within the last days and by a deadline.
local function require_trained(ctx, spec)
  local name = "require_trained"
  spec = read_args(name, ctx, spec, require_trained_keys)
  local roles = names_of(name, "role", spec.role)
  local need = number(name, "share", spec.share, 0, 1, " (0.8 for 80%)") or 1
  if need == 0 then raise(name, "'share' must be more than 0") end
  local days = whole(name, "days", spec.days, 1, 3650, nil)
  local topics = names_of(name, "topic", spec.topic)
  local each = one_of(name, "each", spec.each, EACH)
  local scope = one_of(name, "scope", spec.scope, { "subtree", "unit" }, "subtree")
  local d = read_deadline(name, ctx, spec)
  local t = tree_of(ctx)
  local units, multi = targets(t, each)
  local base, topic_set = roles or { "person" }, set_of(topics)
  local on = topics and format(" on %s", or_list(topics)) or ""
  local listed = multi and LISTED_EACH or LISTED

  local verdicts = {}
  for _, u in ipairs(units) do
    local cutoff, when, last = resolve(ctx, t, d, u)
    local v = { unit = u, when = cutoff and window_text(days, when) or "" }
    if not cutoff then
      v.status, v.line, v.detail, v.ev = "fail", when, when, { cannot_judge = true }
    else
      local since = days and ctx:add_days(last, 1 - days) or nil
      local people = people_in(ctx, t, u, scope, roles)
      -- each person's latest passed session by the cutoff, the first
      -- after it, and the latest failed one
      local latest, after, failed = {}, {}, {}
      local sessions = scope == "unit" and ctx:trainings{ unit = u.id }
        or ctx:trainings{ within = u.id }
      for _, s in ipairs(sessions) do
        if not topics or topic_set[s.topic or ""] then
          if s.outcome == "failed" then
            if s.date <= cutoff then failed[s.person] = s.date end
          elseif s.date <= cutoff then
            latest[s.person] = s.date
          elseif not after[s.person] then
            after[s.person] = s.date
          end
        end
      end
      local trained, untrained = {}, {}
      for _, p in ipairs(people) do
        local l = latest[p.id]
        if l and (not since or l >= since) then trained[#trained + 1] = p
        else untrained[#untrained + 1] = p end
      end
      local function why(p)
        local said = {}
        if latest[p.id] then said[1] = "last trained " .. latest[p.id] end
        if failed[p.id] and (not latest[p.id] or failed[p.id] > latest[p.id]) then
          said[#said + 1] = "failed on " .. failed[p.id]
        end
        if after[p.id] then said[#said + 1] = "trained only on " .. after[p.id] end
        return who(p, #said > 0 and concat(said, ", ") or "never trained")
      end
      local n = #people
      local share = n > 0 and #trained / n or 0
      v.when = window_text(days, when)
      v.ev = { trained = ids(trained) }
      if #untrained > 0 then v.ev.not_trained = ids(untrained) end
      if n > 0 then v.ev.share = share end
      if d then v.ev.cutoff = cutoff end
      if since then v.ev.since = since end
      if n == 0 then
        v.status = "fail"
        v.line = format("no %s in %s to train", nouns(base, 1), u.name)
        v.detail = format("no %s", nouns(base, 1))
      else
        local ratio = format("%d of %d %s", #trained, n, nouns(base, n))
        v.detail = format("%d of %d (%s)", #trained, n, pct(share))
        if share + 1e-9 >= need then
          v.status = "pass"
          v.line = format("%s of %s trained%s%s: %s, %s needed", ratio, u.name, on, v.when,
                          pct(share), pct(need))
        else
          v.status = "fail"
          local more = math.ceil(need * n - 1e-9) - #trained
          v.line = format("%s of %s trained%s%s: %s, %s needed (%d more); not trained: %s",
                          ratio, u.name, on, v.when, pct(share), pct(need), more,
                          listing(untrained, LISTED, why))
          v.detail = format("%s; not trained: %s", v.detail, listing(untrained, listed, why))
        end
      end
    end
    verdicts[#verdicts + 1] = v
  end
  local function tail() return concat(unknown_roles(ctx, roles), "; ") end
  local all = need >= 1
  local phrase_ok = (all and "all " or "at least " .. pct(need) .. " of ") .. nouns(base, 2)
    .. " trained" .. on
  local phrase_fail = (all and "not all " or "fewer than " .. pct(need) .. " of ") .. nouns(base, 2)
    .. " trained" .. on
  return combine(t, multi, verdicts, phrase_ok, phrase_fail, { needed = need }, tail)
end

---- periods of a series ---------------------------------------------------

local function kind_of_label(label)
  if not label then return "period" end
  if label:match("^%d%d%d%d%-%d%d$") then return "month" end
  if label:match("^%d%d%d%d%-Q%d$") then return "quarter" end
  if label:match("^%d%d%d%d%-W%d%d$") then return "week" end
  if label:match("^%d%d%d%d%-%d%d%-%d%d$") then return "day" end
  return "period"
end

-- The period of KIND holding DATE: start, stop and its label as series
-- and metrics write it (2026-03, 2026-Q1, 2026-W07, 2026-03-05).
local function period_of(ctx, kind, date)
  if kind == "day" then return { start = date, stop = date, label = date } end
  local y, m = tonumber(date:sub(1, 4)), tonumber(date:sub(6, 7))
  if kind == "month" or kind == "quarter" then
    local first = kind == "month" and m or (m - 1) // 3 * 3 + 1
    local ny, nm = y, first + (kind == "month" and 1 or 3)
    if nm > 12 then ny, nm = y + 1, nm - 12 end
    local stop = ny > 9999 and "9999-12-31" or ctx:add_days(format("%04d-%02d-01", ny, nm), -1)
    return { start = format("%04d-%02d-01", y, first), stop = stop,
             label = kind == "month" and date:sub(1, 7)
                     or format("%04d-Q%d", y, (first - 1) // 3 + 1) }
  end
  -- an ISO week: Monday to Sunday, numbered in the year of its Thursday
  local start = ctx:add_days(date, -(ctx:days_between("2001-01-01", date) % 7))
  local thursday = ctx:add_days(start, 3)
  local year = thursday:sub(1, 4)
  return { start = start, stop = ctx:add_days(start, 6),
           label = format("%s-W%02d", year, ctx:days_between(year .. "-01-01", thursday) // 7 + 1) }
end

---- require_ratio --------------------------------------------------------

local require_ratio_keys = keyset{ "numerator", "denominator", "metric", "at_least", "at_most",
                                   "periods", "period", "max_behind", "each", "scope" }

-- The ratio of two series summed over the unit, period by period (or a
-- metric's latest value), at or above (at or below) a value in each of
-- the last periods, the latest no more than max_behind periods old.
local function require_ratio(ctx, spec)
  local name = "require_ratio"
  spec = read_args(name, ctx, spec, require_ratio_keys)
  local id = spec.metric
  if id ~= nil then
    if type(id) ~= "string" then raise(name, "'metric' must be a metric's id, not %s", shown(id)) end
    if spec.numerator ~= nil or spec.denominator ~= nil then
      raise(name, "give 'metric' or 'numerator' and 'denominator', not both")
    end
  else
    for _, k in ipairs{ "numerator", "denominator" } do
      if type(spec[k]) ~= "string" then
        raise(name, "give 'numerator' and 'denominator' (series names), or 'metric'; '%s' is %s",
              k, shown(spec[k]))
      end
    end
  end
  if (spec.at_least == nil) == (spec.at_most == nil) then
    raise(name, "give one of 'at_least' and 'at_most'")
  end
  local key = spec.at_least ~= nil and "at_least" or "at_most"
  local limit = id and number(name, key, spec[key], -huge, huge)
    or number(name, key, spec[key], 0, 1, " (a share: 0.3 for 30%)")
  local up = key == "at_least"
  local periods = whole(name, "periods", spec.periods, 1, 120, 1)
  local kind = one_of(name, "period", spec.period, KINDS)
  local max_behind = whole(name, "max_behind", spec.max_behind, 0, 1000, 1)
  local each = one_of(name, "each", spec.each, EACH)
  local scope = one_of(name, "scope", spec.scope, { "subtree", "unit" }, "subtree")
  if id then
    if periods > 1 then
      raise(name, "'periods' needs 'numerator' and 'denominator': ctx:metric gives a metric's "
            .. "latest period only")
    end
    if spec.period ~= nil then raise(name, "'period' goes with 'numerator' and 'denominator'") end
    if spec.scope ~= nil then raise(name, "'scope' goes with 'numerator' and 'denominator'") end
    local ok, e = pcall(ctx.metric, ctx, id)
    if not ok then raise(name, "%s", (reason(e):gsub("^metric: ", ""))) end
  end
  local t = tree_of(ctx)
  local units, multi = targets(t, each)
  local label = id or spec.numerator .. "/" .. spec.denominator

  -- Per unit: the periods judged, oldest first ({ period, value,
  -- numerator, denominator }), the latest period with data and how many
  -- periods have ended since; or nil and what is missing.
  local is_ratio = id == nil
  local function from_metric(u)
    local m = ctx:metric(id, { unit = u.id })
    if m == nil then return nil, format("%s is outside the scope of %s", u.name, id) end
    is_ratio = m.kind == "ratio" or (m.kind == nil and m.denominator ~= nil)
    if m.value == nil then
      return nil, format("no data for %s in %s%s", id, u.name, m.latest_period
        and format(": the latest is for %s, %s behind", m.latest_period,
                   count(m.periods_behind or 0, kind_of_label(m.latest_period))) or " at all")
    end
    return { { period = m.period, value = m.value, numerator = m.numerator,
               denominator = m.denominator } },
           m.latest_period or m.period, m.periods_behind or 0
  end
  local function from_series(u)
    local where = scope == "unit" and { unit = u.id } or { within = u.id }
    local dens = ctx:series(spec.denominator, where)
    local k = kind or (#dens > 0 and kind_of_label(dens[#dens].period)) or nil
    if k == nil or k == "period" then
      return nil, format("no %s data for %s", spec.denominator, u.name)
    end
    -- an observation counts in the period holding its first day, once
    -- that period has ended, as in a metric
    local cells = {}
    local function add(o, field)
      local p = period_of(ctx, k, o.start)
      if p.stop > ctx.now then return end
      local c = cells[p.start]
      if not c then
        c = { period = p, numerator = 0, denominator = 0 }
        cells[p.start] = c
      end
      c[field] = c[field] + o.value
    end
    for _, o in ipairs(dens) do add(o, "denominator") end
    for _, o in ipairs(ctx:series(spec.numerator, where)) do add(o, "numerator") end
    local last
    for start, c in pairs(cells) do
      if c.denominator > 0 and (not last or start > last.period.start) then last = c end
    end
    if not last then return nil, format("no %s data for %s", spec.denominator, u.name) end
    local rows, p = {}, last.period
    for i = periods, 1, -1 do
      local c = cells[p.start]
      local ok = c and c.denominator > 0
      rows[i] = { period = p.label, numerator = ok and c.numerator or nil,
                  denominator = ok and c.denominator or nil,
                  value = ok and c.numerator / c.denominator or nil }
      p = period_of(ctx, k, ctx:add_days(p.start, -1))
    end
    local behind = 0
    p = period_of(ctx, k, ctx:add_days(last.period.stop, 1))
    while p.stop <= ctx.now and behind < 10000 do
      behind = behind + 1
      p = period_of(ctx, k, ctx:add_days(p.stop, 1))
    end
    return rows, last.period.label, behind
  end

  local function vt(x) return is_ratio and pct(x) or num_text(x) end
  local function meets(x)
    if up then return x >= limit - 1e-12 end
    return x <= limit + 1e-12
  end
  local side = up and "at or above" or "at or below"
  local verdicts, noun = {}, "period"
  for _, u in ipairs(units) do
    local v = { unit = u, when = "" }
    local rows, latest, behind
    if id then rows, latest, behind = from_metric(u) else rows, latest, behind = from_series(u) end
    if not rows then
      v.status, v.line, v.detail, v.ev = "fail", latest, "no data", { no_data = true }
    else
      noun = kind_of_label(latest)
      local function row_text(r, label)
        if r.value == nil then return r.period .. " no data" end
        local of = r.numerator and r.denominator
          and format(" (%s of %s)", num_text(r.numerator), num_text(r.denominator)) or ""
        return format("%s%s%s", label and r.period .. " " or "", vt(r.value), of)
      end
      local bad, gap = {}, false
      for _, r in ipairs(rows) do
        if r.value == nil or not meets(r.value) then bad[#bad + 1] = r.period end
        if r.value == nil then gap = true end
      end
      local miss = gap and "not " .. side or up and "below" or "above"
      local said = periods == 1 and row_text(rows[1])
        or listing(rows, LISTED, function(r) return row_text(r, true) end)
      v.ev = { periods = rows, latest_period = latest, periods_behind = behind }
      v.detail = periods == 1 and rows[1].period .. " " .. said or said
      if behind > max_behind then
        v.status = "fail"
        v.line = format("the latest %s data for %s is for %s, %s behind as of %s (at most %d)",
                        label, u.name, latest, count(behind, noun), ctx.now, max_behind)
        v.detail = format("latest %s, %s behind", latest, count(behind, noun))
      elseif periods == 1 then
        v.status = #bad == 0 and "pass" or "fail"
        v.line = format("%s in %s %s %s in %s: %s", label, u.name, #bad == 0 and side or miss,
                        vt(limit), rows[1].period, said)
      elseif #bad == 0 then
        v.status = "pass"
        v.line = format("%s in %s %s %s in each of the last %d %s: %s", label, u.name, side,
                        vt(limit), periods, plural(noun, periods), said)
      else
        v.status = "fail"
        v.line = format("%s in %s %s %s in %s of the last %d %s: %s", label, u.name, miss,
                        vt(limit), or_list(bad, "and"), periods, plural(noun, periods), said)
      end
    end
    verdicts[#verdicts + 1] = v
  end
  local span = periods == 1 and "the latest " .. noun
    or format("each of the last %d %s", periods, plural(noun, periods))
  return combine(t, multi, verdicts, format("%s %s %s in %s", label, side, vt(limit), span),
                 format("%s not %s %s in %s", label, side, vt(limit), span), { [key] = limit })
end

---- require_status -------------------------------------------------------

local require_status_keys = keyset{ "metric", "at_least", "each", "baseline", "no_data" }

-- A metric's status at least a level: met > on_track > at_risk >
-- off_track.  baseline (nothing to judge yet) and no_data fail unless the
-- keys of those names say skip.
local function require_status(ctx, spec)
  local name = "require_status"
  spec = read_args(name, ctx, spec, require_status_keys)
  local id = spec.metric
  if type(id) ~= "string" then
    raise(name, "'metric' is required: the id of a metric, e.g. metric = \"digital_share\"")
  end
  local need = one_of(name, "at_least", spec.at_least, STATUSES, "on_track")
  local each = one_of(name, "each", spec.each, EACH)
  local on_baseline = one_of(name, "baseline", spec.baseline, ON_MISSING, "fail")
  local on_no_data = one_of(name, "no_data", spec.no_data, ON_MISSING, "fail")
  local ok, e = pcall(ctx.metric, ctx, id)
  if not ok then raise(name, "%s", (reason(e):gsub("^metric: ", ""))) end
  local t = tree_of(ctx)
  local units, multi = targets(t, each)

  local verdicts = {}
  for _, u in ipairs(units) do
    local v = { unit = u, when = "" }
    local m = ctx:metric(id, { unit = u.id })
    local function vt(x)
      if m.kind == "ratio" or (m.kind == nil and m.denominator ~= nil) then return pct(x) end
      return num_text(x)
    end
    if m == nil then
      v.status = on_no_data
      v.line = format("%s is outside the scope of %s", u.name, id)
      v.detail, v.ev = "outside its scope", { status = false }
    else
      v.ev = { status = m.status, value = m.value, period = m.period, expected = m.expected,
               target = m.target, points = m.points, latest_period = m.latest_period,
               periods_behind = m.periods_behind }
      local facts = {}
      if m.value ~= nil then facts[#facts + 1] = format("%s in %s", vt(m.value), m.period) end
      if m.expected ~= nil then facts[#facts + 1] = "plan " .. vt(m.expected) end
      if m.target ~= nil then facts[#facts + 1] = "target " .. vt(m.target) end
      local late = ""
      if m.value ~= nil and (m.periods_behind or 0) > 0 then
        late = format("; the latest data is for %s, %s behind", m.latest_period,
                      count(m.periods_behind, kind_of_label(m.latest_period)))
      end
      local said = concat(facts, ", ")
      if m.status == "baseline" then
        v.status = on_baseline
        v.line = format("cannot judge yet: %s in %s is still measuring its baseline (%s so far%s)",
                        id, u.name, count(m.points or 0, "point"),
                        m.value ~= nil and format(", latest %s in %s", vt(m.value), m.period) or "")
        v.detail = format("cannot judge yet: baseline, %s", count(m.points or 0, "point"))
      elseif m.status == "no_data" or STATUS[m.status] == nil then
        v.status = on_no_data
        v.line = format("no data for %s in %s%s", id, u.name, m.latest_period
          and format(": the latest is for %s, %s behind", m.latest_period,
                     count(m.periods_behind or 0, kind_of_label(m.latest_period)))
          or " at all")
        v.detail = m.latest_period and format("no data since %s", m.latest_period) or "no data"
      elseif STATUS[m.status] >= STATUS[need] then
        v.status = "pass"
        v.line = format("%s in %s is %s: %s%s", id, u.name, m.status, said, late)
        v.detail = format("%s, %s", m.status, said)
      else
        v.status = "fail"
        v.line = format("%s in %s is %s, at least %s needed: %s%s", id, u.name, m.status, need,
                        said, late)
        v.detail = format("%s, %s", m.status, said)
      end
    end
    verdicts[#verdicts + 1] = v
  end
  return combine(t, multi, verdicts, format("%s at least %s", id, need),
                 format("%s not at least %s", id, need), { needed = need })
end

-- What rule files see.  The core puts each of `located` behind a C
-- function that notes the line of the rule that called it on the result,
-- so explain points at the `return` that decided, not at `gate {`.
return { RESULT = RESULT,
         exports = { gate = gate, check = check, metric = metric },
         located = { pass = pass, fail = fail, warn = warn, score = score,
                     skip = skip, require_people = require_people,
                     require_event = require_event, require_trained = require_trained,
                     require_ratio = require_ratio, require_status = require_status } }
