-- rollout.lua: Region Nord's gates for scaling digital patient meetings.
-- A reception leaves the pilot when its own numbers say the habit holds,
-- and the region hears early when a reception drifts back.
--
-- These rules read the region's own goal, the metric digital_share.  What
-- the shipped packs check is not repeated here: plan, budget, mandate,
-- briefings, ambassadors, training and success stories come from
-- broad-implementation; reach, staff adoption, fidelity and delivery after
-- support ends from re-aim (see program.yaml).

local function describe(m)
  if not m then return "no metric" end
  local v = m.value and string.format("%.1f%%", 100 * m.value) or "no data"
  local e = m.expected and string.format("%.1f%%", 100 * m.expected) or "-"
  return string.format("%s in %s (plan %s, target %.0f%%), %s", v,
                       m.period or "-", e, 100 * m.target, m.status)
end

-- The run-chart signals that reach the latest month, by name: a shift
-- that ended months ago is history, not news.
local function current_signals(m)
  local now = {}
  for _, s in ipairs(m.signal_periods) do
    if s.current then now[s.signal] = s end
  end
  return now
end

gate {
  id = "share-on-plan",
  at = "pilot->scale",
  title = "The reception's digital share is on its planned path",
  check = function(ctx)
    -- at_risk is still on the path; the first months measure where the
    -- reception starts from, so there is no path to be on yet (skip)
    return require_status(ctx, { metric = "digital_share", at_least = "at_risk",
                                 baseline = "skip" })
  end,
}

-- Scaling is done when the goal holds, not when it was touched once: the
-- share at or above 30% in each of the last three months.
gate {
  id = "goal-held",
  at = "scale->sustain",
  title = "The goal of 30% held for the last three months",
  check = function(ctx)
    return require_ratio(ctx, { numerator = "digital_meetings",
                                denominator = "patient_meetings",
                                at_least = 0.3, periods = 3 })
  end,
}

gate {
  id = "share-rising",
  at = "pilot->scale",
  must = false,
  title = "Digital share rising over the last six months",
  check = function(ctx)
    local months = ctx:series("digital_meetings", { from = ctx:add_days(ctx.now, -200) })
    local totals = ctx:series("patient_meetings", { from = ctx:add_days(ctx.now, -200) })
    if #months < 4 or #totals ~= #months then return skip("too few months of data") end
    local first = months[1].value / totals[1].value
    local last = months[#months].value / totals[#totals].value
    if last > first then return score(10, "%.1f%% -> %.1f%%", 100 * first, 100 * last) end
    return score(2, "not rising: %.1f%% -> %.1f%%", 100 * first, 100 * last)
  end,
}

check {
  id = "drifting-back",
  severity = "high",
  stages = { "pilot", "scale", "sustain" },
  title = "A sustained fall in digital share (run-chart shift)",
  check = function(ctx)
    local m = ctx:metric("digital_share")
    if not m then return pass() end
    -- A run below the median that goes on to the latest month, with no
    -- climb out of it: the reception went back to its old habits.
    local now = current_signals(m)
    if now.shift_down and not now.trend_up then
      return warn("%s: below its median since %s, six months or more; find out what changed",
                  describe(m), now.shift_down.from)
    end
    return pass()
  end,
}
