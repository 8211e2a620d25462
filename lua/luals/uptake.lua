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

---What a rule returns: made only by pass, fail, warn, score and skip.
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
---@field min_engagement? uptake.engagement

---@class uptake.events_filter
---@field kind? uptake.names
---@field unit? string
---@field within? string
---@field person? uptake.names
---@field since? uptake.date
---@field ["until"]? uptake.date

---@class uptake.units_filter
---@field parent? string
---@field within? string
---@field stage? uptake.names

---@class uptake.metric_filter
---@field unit? string # another unit's result

---@class uptake.series_filter
---@field unit? string
---@field within? string
---@field from? string # a period or a date
---@field to? string

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
