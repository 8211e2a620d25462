#!/usr/bin/env python3
"""annotations.py SRC: lua/luals/uptake.lua describes the rule DSL and ctx
as the engine has them: every ctx method with every filter key it
accepts (core/ctx.c), every field of ctx and of the tables it returns,
every key that gate{}, check{} and metric{} accept (lua/prelude.lua), every
key and value the helpers for the common criteria accept (require_people
and the others: their `local NAME_keys = keyset{...}` and value lists), and
every name `pack check` knows on ctx (core/packtool.c).  Fails naming
what is missing or extra, so the definitions cannot drift from the code."""
import re
import sys

src = sys.argv[1]
read = lambda p: open(f"{src}/{p}", encoding="utf-8").read()
meta, ctx_c, prelude, packtool = (read("lua/luals/uptake.lua"),
                                  read("core/ctx.c"), read("lua/prelude.lua"),
                                  read("core/packtool.c"))
problems = []


def classes(text):
    """{class name: set of its @field names} and its parent classes."""
    out, parents, cur = {}, {}, None
    for line in text.splitlines():
        m = re.match(r"---@class ([\w.]+)(?:\s*:\s*([\w.]+))?", line)
        if m:
            cur = m.group(1)
            out[cur] = set()
            parents[cur] = m.group(2)
            continue
        m = re.match(r'---@field (?:\["(\w+)"\]|(\w+))', line)
        if m and cur:
            out[cur].add(m.group(1) or m.group(2))
        elif not line.startswith("---"):
            cur = None
    return out, parents


cls, parents = classes(meta)


def fields(name):
    f = set(cls.get(name, set()))
    if parents.get(name):
        f |= fields(parents[name])
    return f


def same(what, want, have):
    want, have = set(want), set(have)
    for k in sorted(want - have):
        problems.append(f"{what}: '{k}' is missing")
    for k in sorted(have - want):
        problems.append(f"{what}: '{k}' is not in the engine")


def strings(body):
    return re.findall(r'"(\w+)"', body)


# ctx's methods: the luaL_Reg table of up_ctx_push.
reg = re.search(r"luaL_Reg methods\[\] = \{(.*?)\{NULL, NULL\}", ctx_c, re.S)
methods = re.findall(r'\{"(\w+)", ctx_\w+\}', reg.group(1))
same("ctx methods", methods, re.findall(r"^function ctx:(\w+)\(", meta, re.M))

# ctx's fields: what up_ctx_push sets besides the methods.
push = ctx_c[ctx_c.index("void up_ctx_push(lua_State *L, up_host *h)"):]
push = push[:push.index("\n}\n")]
ctx_fields = set(re.findall(r'set_str\(L, "(\w+)"', push)) | set(
    re.findall(r'lua_setfield\(L, -[23], "(\w+)"\)', push))
same("uptake.ctx fields", ctx_fields, fields("uptake.ctx"))

# pack check's list of ctx names: each is a field or a method.
names = re.search(r"ctx_fields\[\] = \{(.*?)\};", packtool, re.S).group(1)
same("ctx names (core/packtool.c)", strings(names),
     fields("uptake.ctx") | set(methods))

# Each method's filter keys.
filters = {"people": "uptake.people_filter", "events": "uptake.events_filter",
           "units": "uptake.units_filter", "series": "uptake.series_filter",
           "trainings": "uptake.trainings_filter",
           "coverage": "uptake.coverage_filter"}
for method, klass in filters.items():
    body = re.search(r"static int ctx_%s\(lua_State \*L\)\n\{\n\tstatic const "
                     r"char \*const keys\[\] = \{(.*?)\};" % method, ctx_c, re.S)
    same(f"ctx:{method} keys ({klass})", strings(body.group(1)), fields(klass))
for var, klass in (("fkeys", "uptake.follow_up_request"),
                   ("rkeys", "uptake.remind_request")):
    body = re.search(r"%s\[\] = \{(.*?)\};" % var, ctx_c, re.S)
    same(f"{klass} keys", strings(body.group(1)), fields(klass))
same("ctx:metric filter", ["unit"], fields("uptake.metric_filter"))

# The tables ctx hands out.
for fn, klass in (("push_unit", "uptake.unit"), ("push_person", "uptake.person"),
                  ("push_event", "uptake.event"),
                  ("push_program", "uptake.program")):
    body = ctx_c[ctx_c.index(f"static void {fn}("):]
    body = body[:body.index("\n}\n")]
    keys = set(re.findall(r'set_str\(L, "(\w+)"', body)) | set(
        re.findall(r'lua_setfield\(L, -2, "(\w+)"\)', body))
    same(klass, keys, fields(klass))

# The keys of gate{}, check{} and metric{}.
meta_keys = strings(re.search(r"local META = \{(.*?)\}", prelude).group(1))
for what in ("gate", "check", "metric"):
    body = re.search(r"local %s_keys = with_meta\{(.*?)\}" % what, prelude, re.S)
    keys = re.findall(r"(\w+) = 1", body.group(1)) + meta_keys
    same(f"{what}{{}} keys (uptake.{what}_spec)", keys,
         fields(f"uptake.{what}_spec"))

# The helpers for the common criteria: each `local NAME_keys = keyset{...}`
# of the prelude is the class uptake.NAME_spec, and NAME takes (ctx, spec)
# with that class and returns a result; the deadline table's keys are
# uptake.deadline_spec's.
helpers = dict(re.findall(r"local (\w+)_keys = keyset\{(.*?)\}", prelude, re.S))
if "deadline" not in helpers:
    problems.append("lua/prelude.lua: no `local deadline_keys = keyset{...}`")
for name, body in sorted(helpers.items()):
    klass = f"uptake.{name}_spec"
    same(f"{name} keys ({klass})", strings(body), fields(klass))
    if name == "deadline":
        continue
    doc = re.search(r"((?:^---.*\n)+)function %s\((.*?)\) end" % name, meta,
                    re.M)
    if not doc:
        problems.append(f"helper {name}: no `function {name}(ctx, spec) end`")
        continue
    want = ["---@param ctx uptake.ctx", f"---@param spec {klass}",
            "---@return uptake.result"]
    for line in want:
        if line not in doc.group(1).splitlines():
            problems.append(f"helper {name}: '{line}' is missing")
    if doc.group(2) != "ctx, spec":
        problems.append(f"helper {name}: takes ({doc.group(2)}), not (ctx, spec)")


def alias(name):
    """The quoted values of ---@alias NAME, inline or as ---| lines."""
    m = re.search(r"^---@alias %s\b(.*)$((?:\n---\|.*)*)" % re.escape(name),
                  meta, re.M)
    if not m:
        problems.append(f"no ---@alias {name}")
        return []
    return re.findall(r'"(\w+)"', m.group(1) + m.group(2))


# The values the helpers accept, as the prelude lists them.
for var, name in (("LEVELS", "uptake.engagement"), ("EACH", "uptake.each"),
                  ("KINDS", "uptake.period_kind"),
                  ("STATUSES", "uptake.status_level"),
                  ("ON_MISSING", "uptake.on_missing")):
    body = re.search(r"^local %s = \{(.*?)\}" % var, prelude, re.M)
    if body:
        same(f"{name} values (lua/prelude.lua {var})", strings(body.group(1)),
             alias(name))
    elif helpers:
        problems.append(f"lua/prelude.lua: no `local {var} = {{...}}`")
scopes = set(re.findall(r'one_of\(name, "scope", spec\.scope, \{(.*?)\}', prelude))
for body in scopes:
    if set(strings(body)) - set(alias("uptake.scope")):
        problems.append(f"uptake.scope lacks one of {strings(body)}")

# The globals a rule file sees from the prelude.
exported = prelude[prelude.rindex("\nreturn {"):]
dsl = [k for k in re.findall(r"(\w+) = \w+", exported) if k != "RESULT"]
same("DSL globals", dsl + ["params"],
     re.findall(r"^function (\w+)\(", meta, re.M) +
     re.findall(r"^(\w+) = ", meta, re.M))

for p in problems:
    print(f"lua/luals/uptake.lua: {p}")
print(f"{len(problems)} problem(s)" if problems else "the definitions match the engine")
sys.exit(1 if problems else 0)
