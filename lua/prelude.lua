-- prelude.lua: the rule DSL every rule file sees (gate, check, pass, fail,
-- warn, score, skip).  Trusted code: it runs once per sandbox before any
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

-- What rule files see.  The core puts each of `located` behind a C
-- function that notes the line of the rule that called it on the result,
-- so explain points at the `return` that decided, not at `gate {`.
return { RESULT = RESULT,
         exports = { gate = gate, check = check, metric = metric },
         located = { pass = pass, fail = fail, warn = warn, score = score,
                     skip = skip } }
