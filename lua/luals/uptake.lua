---@meta uptake
-- uptake.lua: definitions of uptake's rule DSL and of ctx for the Lua
-- language server (LuaLS), so an editor completes and type-checks rule
-- files.  uptake never runs this file; `uptake init` and `uptake pack new`
-- write a .luarc.json whose workspace.library points at its directory.
-- The reference is README.md, "Rules", and docs/packs.md.

-- ---- names ----------------------------------------------------------------

---@alias uptake.engagement
---| "unaware"
---| "informed"
---| "consulted"
---| "involved"
---| "bought_in"

---@alias uptake.on_fail
---| "hold"           # the default
---| "recycle"
---| "kill"
---| "conditional_go" # caps the decision at conditional_go

---@alias uptake.severity "low"|"medium"|"high"|"critical"

---@alias uptake.direction "increase"|"decrease"

---@alias uptake.metric_status
---| "met"
---| "on_track"
---| "at_risk"
---| "off_track"
---| "baseline"
---| "no_data"

---A date as text, YYYY-MM-DD.
---@alias uptake.date string

---One name, or a list of which any matches.
---@alias uptake.names string|string[]

-- ---- results ----------------------------------------------------------------

---What a rule returns: made only by pass, fail, warn, score and skip, and
---by the require_* helpers.
---@class uptake.result
---@field status "pass"|"fail"|"warn"|"score"|"skip"
---@field score number? # 0-10, for score only
---@field message string
---@field evidence table? # the table that ended the arguments

---The criterion is met.  A format string and its arguments, optionally
---ending with an evidence table: `pass("%d champion(s)", n, { count = n })`.
---@param fmt? string|table
---@param ... any
---@return uptake.result
function pass(fmt, ...) end

---The criterion is not met.
---@param fmt? string|table
---@param ... any
---@return uptake.result
function fail(fmt, ...) end

---Met with a warning: a must-meet counts it as a pass and flags it; a
---should-meet scores it 0.5.
---@param fmt? string|table
---@param ... any
---@return uptake.result
function warn(fmt, ...) end

---A should-meet criterion's score, from 0 to 10.
---@param n number # 0-10
---@param fmt? string|table
---@param ... any
---@return uptake.result
function score(n, fmt, ...) end

---The criterion does not apply and is left out of the decision.
---@param fmt? string|table
---@param ... any
---@return uptake.result
function skip(fmt, ...) end

-- ---- declarations -----------------------------------------------------------

---What every rule may say about itself, shown by `uptake explain`.
---@class uptake.rule_meta
---@field rationale? string # why it matters
---@field source? string # where that is written
---@field remediation? string # what to do when it fails
---@field owner? string # the role that acts

---@class uptake.gate_spec: uptake.rule_meta
---@field id string # unique in the program (in a pack: in the pack)
---@field at string # two consecutive stages: "evaluate->procure"
---@field must? boolean # must-meet (default true) or should-meet
---@field weight? number # a should-meet's weight, default 1
---@field on_fail? uptake.on_fail
---@field title? string
---@field check fun(ctx: uptake.ctx): uptake.result

---@class uptake.check_spec: uptake.rule_meta
---@field id string
---@field severity? uptake.severity # default "medium"
---@field stages? string[] # the stages it judges a unit at; default all
---@field title? string
---@field check fun(ctx: uptake.ctx): uptake.result

---What a metric's compute returns when it is a ratio.
---@class uptake.metric_value
---@field value? number
---@field numerator? number
---@field denominator? number

---@class uptake.metric_spec: uptake.rule_meta
---@field id string
---@field title? string
---@field target number
---@field direction? uptake.direction # default "increase"
---@field baseline? number
---@field deadline? string # a date, or +Ny, +Nm, +Nw, +Nd after start
---@field tolerance? number # allowed shortfall against the plan, default 0
---@field compute fun(ctx: uptake.ctx): number|uptake.metric_value|nil

---Declares a gate criterion: judged for each unit whose next boundary is
---`at`.  Only while a rule file loads.
---@param spec uptake.gate_spec
function gate(spec) end

---Declares a check: a finding for each unit at one of its stages that it
---does not pass.  Only while a rule file loads.
---@param spec uptake.check_spec
function check(spec) end

---Declares a success metric that a rule computes for every unit.
---@param spec uptake.metric_spec
function metric(spec) end

---The parameters of the pack this file belongs to, read-only (empty for a
---program's own rules); the same table as ctx.params.
---@type table<string, any>
params = {}

-- ---- helpers for the common criteria ----------------------------------------
-- Called from a check and returned: `return require_people(ctx, { ... })`.
-- Each returns pass or fail (skip only where a key asks for it) with a
-- message and evidence naming the units, people, events and periods that
-- decided; an unknown key or a bad value is an error at the call.

---@alias uptake.each
---| "child" # each unit directly below the judged one
---| "leaf"  # each lowest unit below it

---@alias uptake.scope
---| "subtree" # the unit and everything below it (the default)
---| "unit"    # the unit's own
---| "related" # also the units above it and what belongs to no unit

---@alias uptake.period_kind "day"|"week"|"month"|"quarter"

---@alias uptake.status_level
---| "off_track"
---| "at_risk"
---| "on_track" # the default of require_status
---| "met"

---@alias uptake.on_missing "fail"|"skip"

---When something must have happened: a date, "go_live" (the unit's go-live
---date), the first event of a kind that concerns the unit, or the unit
---reaching a stage (judged only while it has not).  `before` means
---strictly before it, `by` on or before it.
---@alias uptake.deadline uptake.date|"go_live"|uptake.deadline_spec

---@class uptake.deadline_spec
---@field event? uptake.names # the first such event at the unit, above or below it, or with no unit
---@field attrs? table<string, uptake.names> # with event: attributes the event has
---@field stage? string # the unit reaching this stage

---@class uptake.require_people_spec
---@field role? uptake.names # default: anyone
---@field level? uptake.engagement # at least this level; default: any
---@field at_least? integer # people per unit, default 1
---@field each? uptake.each # judge each unit below instead of the unit
---@field scope? uptake.scope # default "subtree"
---@field not_counting? uptake.names # roles whose holders never count, and are named on a failure
---@field before? uptake.deadline # the level reached before it (needs level)
---@field by? uptake.deadline # the level reached on or before it (needs level)

---@class uptake.require_event_spec
---@field kind uptake.names
---@field attrs? table<string, uptake.names> # attributes the event has: { topic = "content" }
---@field attended_by? uptake.names # someone of the unit with one of these roles took part
---@field at_least? integer # events per unit, default 1
---@field each? uptake.each
---@field scope? uptake.scope # default "subtree"
---@field days? integer # within this many days up to the deadline (or today)
---@field before? uptake.deadline
---@field by? uptake.deadline

---@class uptake.require_trained_spec
---@field role? uptake.names # default: everyone
---@field share? number # of them trained, over 0 up to 1; default 1 (everyone)
---@field days? integer # trained within this many days up to the deadline (or today)
---@field topic? uptake.names # sessions on these topics only
---@field each? uptake.each
---@field scope? "subtree"|"unit" # default "subtree"
---@field before? uptake.deadline
---@field by? uptake.deadline

---@class uptake.require_ratio_spec
---@field numerator? string # a series, summed over the unit per period
---@field denominator? string # a series; with numerator
---@field metric? string # instead: a metric's latest value
---@field at_least? number # a share from 0 to 1 for series; one of at_least and at_most
---@field at_most? number
---@field periods? integer # the last N periods, default 1 (series only)
---@field period? uptake.period_kind # default: the kind of the latest observation
---@field max_behind? integer # periods the latest data may lag, default 1
---@field each? uptake.each
---@field scope? "subtree"|"unit" # default "subtree" (series only)

---@class uptake.require_status_spec
---@field metric string
---@field at_least? uptake.status_level # default "on_track"
---@field each? uptake.each
---@field baseline? uptake.on_missing # a baseline cannot be judged: default "fail"
---@field no_data? uptake.on_missing # no data, or outside the metric's scope: default "fail"

---People with a role at an engagement level in the unit, or in each unit
---below it (`each`); holders of a `not_counting` role never count.
---@param ctx uptake.ctx
---@param spec uptake.require_people_spec
---@return uptake.result
function require_people(ctx, spec) end

---Events of a kind (with attributes, someone of a role taking part)
---recorded for the unit, or for each unit below it, by a deadline.
---@param ctx uptake.ctx
---@param spec uptake.require_event_spec
---@return uptake.result
function require_event(ctx, spec) end

---A share of the people with a role trained (a session not failed),
---within the last `days` and by a deadline.
---@param ctx uptake.ctx
---@param spec uptake.require_trained_spec
---@return uptake.result
function require_trained(ctx, spec) end

---The ratio of two series (or a metric's value) at or above (at_least) or
---at or below (at_most) a value in each of the last `periods` periods.
---@param ctx uptake.ctx
---@param spec uptake.require_ratio_spec
---@return uptake.result
function require_ratio(ctx, spec) end

---A metric's status at least a level; `baseline` (nothing to judge yet)
---and no data fail with a message saying so unless told to skip.
---@param ctx uptake.ctx
---@param spec uptake.require_status_spec
---@return uptake.result
function require_status(ctx, spec) end

-- ---- what ctx gives ---------------------------------------------------------

---@class uptake.unit
---@field id string
---@field name string
---@field stage string
---@field parent? string
---@field go_live? uptake.date
---@field staff? integer
---@field attrs table<string, string>

---@class uptake.program
---@field id string
---@field title? string
---@field organization? string
---@field start uptake.date
---@field stages string[]

---@class uptake.person
---@field id string
---@field name string
---@field unit string
---@field roles string[]
---@field engagement? uptake.engagement # the latest as of ctx.now
---@field engaged_on? uptake.date
---@field left? uptake.date # with include_left: the first day they were gone

---@class uptake.event
---@field id integer
---@field kind string
---@field date uptake.date
---@field unit? string
---@field people string[]
---@field note? string
---@field attrs table<string, string>

---A run-chart signal and the periods it spans.
---@class uptake.signal_period
---@field signal "shift_up"|"shift_down"|"trend_up"|"trend_down"|"long_run"|"few_crossings"
---@field from string  the period of its first point, as the series labels it
---@field to string    the period of its last point
---@field current boolean true when it reaches the latest point: a shift or trend no later point has ended

---@class uptake.metric_result
---@field metric string
---@field kind? string
---@field period? string   the latest period judged (nil when there is no data or it is stale)
---@field value? number
---@field numerator? number
---@field denominator? number
---@field target? number
---@field expected? number
---@field status uptake.metric_status baseline: an automatic baseline still has fewer than baseline_points points, so nothing is judged yet
---@field signals string[]
---@field signal_periods uptake.signal_period[] the signals in the same order, with their spans; warn only about those with current = true
---@field points integer
---@field latest_period? string the latest period with data, stale or not (nil when there is none)
---@field periods_behind? integer how many of the metric's periods have ended since latest_period (0: up to date)

---@class uptake.observation
---@field unit string
---@field period string
---@field start uptake.date
---@field ["end"] uptake.date
---@field value number

---@class uptake.training
---@field person string
---@field date uptake.date
---@field topic? string
---@field outcome "passed"|"failed"

---@class uptake.coverage
---@field trained integer # trained in the last `days` days
---@field staff integer # the people of the unit
---@field value? number # trained / staff; nil with no staff

-- ---- ctx's filters ----------------------------------------------------------

---@class uptake.people_filter
---@field role? uptake.names
---@field unit? string # that unit only
---@field within? string # the unit and everything below it
---@field lineage? string # the unit, every unit above it, and no unit
---@field id? uptake.names # those with this id, or any listed
---@field min_engagement? uptake.engagement
---@field include_left? boolean # those who had left by ctx.now too
---@field limit? integer # at least 1: the first that many

---@class uptake.events_filter
---@field kind? uptake.names
---@field unit? string
---@field within? string
---@field lineage? string # on the unit, above it, or on no unit
---@field person? uptake.names
---@field since? uptake.date
---@field ["until"]? uptake.date
---@field limit? integer # at least 1: the first that many

---@class uptake.units_filter
---@field parent? string
---@field within? string
---@field lineage? string # the unit and every unit above it, nearest first
---@field stage? uptake.names
---@field limit? integer # at least 1: the first that many

---@class uptake.metric_filter
---@field unit? string # another unit's result

---@class uptake.series_filter
---@field unit? string
---@field within? string
---@field from? string # a period or a date
---@field to? string
---@field limit? integer # at least 1: the first that many

---@class uptake.follow_up_request
---@field days integer # 1-3650
---@field note? string

---@class uptake.remind_request
---@field days integer # 1-3650
---@field note? string
---@field role? string # either role or person
---@field person? string

---@class uptake.trainings_filter
---@field person? string
---@field unit? string
---@field within? string
---@field since? uptake.date
---@field limit? integer # at least 1: the first that many

---@class uptake.coverage_filter
---@field unit? string # default: this unit
---@field days? integer # default 90

-- ---- ctx --------------------------------------------------------------------

---What a rule sees: the facts as of the cycle date, read-only.
---@class uptake.ctx
---@field now uptake.date # the as-of date
---@field unit uptake.unit # the unit being judged
---@field program uptake.program
---@field params table<string, any> # the pack's parameters
local ctx = {}

---People, with `role` any of a list and `within` a subtree.
---@param filter? uptake.people_filter
---@return uptake.person[]
function ctx:people(filter) end

---Events by date.
---@param filter? uptake.events_filter
---@return uptake.event[]
function ctx:events(filter) end

---Units, in tree order.
---@param filter? uptake.units_filter
---@return uptake.unit[]
function ctx:units(filter) end

---This unit's (or another's) result for a metric; nil outside its scope.
---@param id string
---@param filter? uptake.metric_filter
---@return uptake.metric_result?
function ctx:metric(id, filter) end

---Raw observations as of the cycle date, oldest first; this unit's unless
---the filter says otherwise.
---@param name string
---@param filter? uptake.series_filter
---@return uptake.observation[]
function ctx:series(name, filter) end

---Whole days from a to b, negative when b is earlier.
---@param a uptake.date
---@param b uptake.date
---@return integer
function ctx:days_between(a, b) end

---@param date uptake.date
---@param n integer
---@return uptake.date
function ctx:add_days(date, n) end

---Asks the cycle to judge this rule for this unit again in `days` days
---(one pending per rule and unit).
---@param request uptake.follow_up_request
function ctx:follow_up(request) end

---Raises a reminder to a role or a person of the unit in `days` days.
---@param request uptake.remind_request
function ctx:remind(request) end

---Training sessions attended as of the cycle date, by person then date.
---@param filter? uptake.trainings_filter
---@return uptake.training[]
function ctx:trainings(filter) end

---Of the people in the unit, how many trained in the last `days` days.
---@param filter? uptake.coverage_filter
---@return uptake.coverage
function ctx:coverage(filter) end
