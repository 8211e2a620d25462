#!/usr/bin/env python3
"""reference.py SRC: the reference in SRC/docs names what the code has, no
more and no less (docs/README.md, "How the examples are tested"):

  docs/program.md  every key the loader accepts (the *_keys tables of
                   core/program.c and core/packuse.c), one table row each,
                   its path in backticks, and each key in a YAML example;
  docs/rules.md    every global of the rule DSL (lua/prelude.lua), every
                   field and method of ctx (core/ctx.c) as a heading in
                   backticks; under each, the keys of gate{}, check{} and
                   metric{}, each method's filters or arguments and the
                   fields of what it returns, as table rows;
  docs/import.md   each CSV kind of core/import.c with its columns and
                   which are required;
  docs/cli.md      every command and option that the binary's --help
                   lists, and every exit status of core/error.c and
                   core/cli.h;
  docs/*.md, README.md   no link to a file that is not in the repository.

Fails naming what is missing or extra.  Environment: UPTAKE (the binary)."""
import os
import re
import subprocess
import sys

src = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SRC", ".")
uptake = os.environ.get("UPTAKE")
problems = []


def read(path):
    try:
        with open(os.path.join(src, path), encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        problems.append(f"{path}: {e.strerror}")
        return ""


def same(what, want, have):
    want, have = set(want), set(have)
    for k in sorted(want - have):
        problems.append(f"{what}: '{k}' is not documented")
    for k in sorted(have - want):
        problems.append(f"{what}: '{k}' is documented but the code has no "
                        "such thing")


def c_array(text, name):
    """The string literals of `static const char *const NAME[] = {...};`."""
    m = re.search(r"\b%s\[\] = \{(.*?)\};" % re.escape(name), text, re.S)
    if not m:
        problems.append(f"no array {name}[] in the code (has it moved?)")
        return []
    return re.findall(r'"([^"]+)"', m.group(1))


def body_of(text, signature):
    """The body of the C function that starts with SIGNATURE."""
    i = text.find(signature)
    if i < 0:
        problems.append(f"no function '{signature}' in the code")
        return ""
    return text[i:text.index("\n}\n", i)]


def strip_fences(md):
    """MD without its fenced code blocks (headings and tables only count
    outside them), and the fenced blocks by language."""
    out, blocks, fence, lang, cur = [], {}, None, None, []
    for line in md.split("\n"):
        m = re.match(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)\s*$", line)
        if fence is None and m:
            fence, lang, cur = m.group(1), m.group(2), []
            out.append("")
        elif fence is not None and re.match(r"^\s*" + re.escape(fence[0]) +
                                            "{%d,}\\s*$" % len(fence), line):
            blocks.setdefault(lang, []).append("\n".join(cur))
            fence = None
            out.append("")
        elif fence is not None:
            cur.append(line)
            out.append("")
        else:
            out.append(line)
    return out, blocks


def sections(md):
    """[(heading text, level, [tables])], each table (header cells, rows of
    cells), for the text outside code blocks."""
    lines, _ = strip_fences(md)
    out = [("", 0, [])]
    i = 0
    while i < len(lines):
        line = lines[i]
        h = re.match(r"^(#{1,6})\s+(.*?)\s*$", line)
        if h:
            out.append((h.group(2), len(h.group(1)), []))
        elif (line.lstrip().startswith("|") and i + 1 < len(lines) and
              re.match(r"^\s*\|[\s:|-]+\|\s*$", lines[i + 1])):
            header = cells(line)
            rows = []
            i += 2
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(cells(lines[i]))
                i += 1
            out[-1][2].append((header, rows))
            continue
        i += 1
    return out


def cells(line):
    s = line.strip()
    s = s[1:] if s.startswith("|") else s
    s = s[:-1] if s.endswith("|") else s
    return [c.strip() for c in re.split(r"(?<!\\)\|", s)]


def ticked(cell):
    """The text of a cell that is one backticked name, or None."""
    m = re.fullmatch(r"`([^`]+)`", cell)
    return m.group(1) if m else None


def rows_under(secs, first_cells):
    """{heading: [backticked first cells of rows of tables whose header's
    first cell is one of FIRST_CELLS]}."""
    out = {}
    for title, _, tables in secs:
        for header, rows in tables:
            if header and header[0].lower() in first_cells:
                for r in rows:
                    name = ticked(r[0]) if r else None
                    if name is None:
                        problems.append(f"a row under '{title}' does not "
                                        f"start with a name in backticks: "
                                        f"{' | '.join(r)}")
                    else:
                        out.setdefault(title, []).append(name)
    return out


# ---- program.md ----------------------------------------------------------

program_c, packuse_c = read("core/program.c"), read("core/packuse.c")
paths = {  # each key table of the loader and where its keys sit
    ("core/program.c", "top_keys"): "{}",
    ("core/program.c", "unit_keys"): "units[].{}",
    ("core/program.c", "person_keys"): "people[].{}",
    ("core/program.c", "gate_keys"): "gates.FROM->TO.{}",
    ("core/program.c", "limit_keys"): "limits.{}",
    ("core/program.c", "metric_keys"): "metrics.ID.{}",
    ("core/program.c", "cadence_keys"): "cadence.{}",
    ("core/program.c", "training_keys"): "cadence.training.{}",
    ("core/program.c", "manager_keys"):
        "cadence.training.first_line_manager.{}",
    ("core/program.c", "plan_keys"): "cadence.training[].{}",
    ("core/packuse.c", "use_keys"): "packs[].{}",
    ("core/packuse.c", "override_keys"): "packs[].override.RULE.{}",
}
code_keys = set()
for f, text in (("core/program.c", program_c), ("core/packuse.c", packuse_c)):
    for table in re.findall(r"static const char \*const (\w+_keys)\[\]", text):
        if (f, table) not in paths:
            problems.append(f"{f}: {table}[] is a key table this test does "
                            "not know: add it to tests/docs/reference.py with "
                            "the path of its keys")
for (f, table), pattern in paths.items():
    for k in c_array(read(f), table):
        code_keys.add(pattern.format(k))
program_md = read("docs/program.md")
doc_rows = rows_under(sections(program_md), {"key"})
doc_keys = [k for ks in doc_rows.values() for k in ks]
for k in sorted({k for k in doc_keys if doc_keys.count(k) > 1}):
    problems.append(f"docs/program.md: '{k}' is documented twice")
same("docs/program.md keys", code_keys, doc_keys)
_, yaml_blocks = strip_fences(program_md)
yaml_text = "\n".join(yaml_blocks.get("yaml", []))
for k in sorted(code_keys):
    leaf = re.split(r"[.\]]", k)[-1]
    if not re.search(r"(^|[\s{,])%s:" % re.escape(leaf), yaml_text, re.M):
        problems.append(f"docs/program.md: '{k}' has no YAML example")

# ---- rules.md ------------------------------------------------------------

ctx_c, prelude, metrics_c = (read("core/ctx.c"), read("lua/prelude.lua"),
                             read("core/metrics.c"))
rules_md = read("docs/rules.md")
secs = sections(rules_md)
heads = {}  # name as written -> (kind, name)
for title, level, _ in secs:
    m = re.match(r"^`(ctx[:.])?(\w+)", title)
    if m:
        kind = {"ctx:": "method", "ctx.": "field"}.get(m.group(1), "dsl")
        heads[title] = (kind, m.group(2))

reg = re.search(r"luaL_Reg methods\[\] = \{(.*?)\{NULL, NULL\}", ctx_c, re.S)
methods = re.findall(r'\{"(\w+)", ctx_\w+\}', reg.group(1)) if reg else []
push = body_of(ctx_c, "void up_ctx_push(lua_State *L, up_host *h)")
ctx_fields = set(re.findall(r'set_str\(L, "(\w+)"', push)) | set(
    re.findall(r'lua_setfield\(L, -[23], "(\w+)"\)', push))
# the globals a rule file sees: the names of the prelude's returned table
# (however it nests them), but RESULT, its private metatable
exported = re.search(r"^return \{(.*)\}\s*$", prelude, re.S | re.M)
dsl = [k for k in re.findall(r"(\w+)\s*=\s*[A-Za-z_]\w*\s*(?=[,}\n])",
                             exported.group(1) if exported else "")
       if k != "RESULT"] + ["params"]

same("docs/rules.md ctx methods (### `ctx:NAME...`)", methods,
     [n for k, n in heads.values() if k == "method"])
same("docs/rules.md ctx fields (### `ctx.NAME`)", ctx_fields,
     [n for k, n in heads.values() if k == "field"])
same("docs/rules.md DSL (### `NAME...`)", dsl,
     [n for k, n in heads.values() if k == "dsl"])


def fields_set(body):
    return set(re.findall(r'set_str\(L, "(\w+)"', body)) | set(
        re.findall(r'lua_setfield\(L, -2, "(\w+)"\)', body))


def heading(kind, name):
    for title, (k, n) in heads.items():
        if (k, n) == (kind, name):
            return title
    return None


inputs = rows_under(secs, {"filter", "argument"})
outputs = rows_under(secs, {"field"})
meta = re.findall(r'"(\w+)"', re.search(r"local META = \{(.*?)\}",
                                        prelude).group(1))
expect_in, expect_out = {}, {}
for what in ("gate", "check", "metric"):
    body = re.search(r"local %s_keys = with_meta\{(.*?)\}" % what, prelude,
                     re.S)
    expect_out[("dsl", what)] = (re.findall(r"(\w+) = 1", body.group(1))
                                 if body else []) + meta
# a helper of the DSL that checks its argument table's keys against a
# `local NAME_keys = keyset{...}` takes exactly those
for name in dsl:
    body = re.search(r"local %s_keys = keyset\{(.*?)\}" % re.escape(name),
                     prelude, re.S)
    if body:
        expect_in[("dsl", name)] = re.findall(r'"(\w+)"', body.group(1))
for method in ("people", "events", "units", "series", "trainings",
               "coverage"):
    body = body_of(ctx_c, f"static int ctx_{method}(lua_State *L)")
    keys = re.search(r"keys\[\] = \{(.*?)\};", body, re.S)
    expect_in[("method", method)] = re.findall(r'"(\w+)"', keys.group(1)) \
        if keys else []
for var, method in (("fkeys", "follow_up"), ("rkeys", "remind")):
    expect_in[("method", method)] = c_array(ctx_c, var)
# ctx:metric(id, {unit = U}): the keys its loop compares with
expect_in[("method", "metric")] = re.findall(
    r'strcmp\(lua_tostring\(L, -1\), "(\w+)"\)',
    body_of(ctx_c, "static int ctx_metric(lua_State *L)"))
expect_out[("field", "unit")] = fields_set(
    body_of(ctx_c, "static void push_unit("))
expect_out[("field", "program")] = fields_set(
    body_of(ctx_c, "static void push_program("))
expect_out[("method", "people")] = fields_set(
    body_of(ctx_c, "static void push_person("))
expect_out[("method", "events")] = fields_set(
    body_of(ctx_c, "static void push_event("))
for method in ("series", "trainings", "coverage"):
    expect_out[("method", method)] = fields_set(
        body_of(ctx_c, f"static int ctx_{method}(lua_State *L)"))
# ctx:metric: what metrics.c's judge() puts in a unit's result (history is
# the program's roll-up only, which no rule sees).
judge = body_of(metrics_c, "static json_t *judge(")
metric_fields = set()
for call in re.findall(r"json_pack\((.*?)\)\);", judge, re.S):
    metric_fields |= {k for k in re.findall(r'"([^"]*)"', call)
                      if re.fullmatch(r"\w+", k)}
metric_fields |= set(re.findall(r'json_object_set_new\(j, "(\w+)"', judge))
metric_fields.discard("history")
expect_out[("method", "metric")] = metric_fields

for (kind, name), want in expect_in.items():
    title = heading(kind, name)
    if title:
        same(f"docs/rules.md {title}: filters/arguments", want,
             inputs.get(title, []))
for (kind, name), want in expect_out.items():
    title = heading(kind, name)
    if title:
        same(f"docs/rules.md {title}: fields", want, outputs.get(title, []))
for title in set(inputs) | set(outputs):
    if title not in heads or (
            heads[title] not in expect_in and heads[title] not in expect_out):
        problems.append(f"docs/rules.md: '{title}' has a field, filter or "
                        "argument table this test does not check")

# ---- import.md -----------------------------------------------------------

import_c = read("core/import.c")
import_secs = sections(read("docs/import.md"))
import_heads = {}
for title, _, tables in import_secs:
    m = re.fullmatch(r"`(\w+)`", title)
    if m:
        import_heads[m.group(1)] = tables
kinds = re.findall(r'\{"(\w+)", (\w+)_cols, (\w+)_need, (\d)', import_c)
same("docs/import.md kinds (### `KIND`)", [k for k, _, _, _ in kinds],
     import_heads)
for kind, cols, need, attrs in kinds:
    want = c_array(import_c, f"{cols}_cols") + (["attr.KEY"] if attrs == "1"
                                                 else [])
    required = c_array(import_c, f"{need}_need")
    have, have_req = [], []
    for header, rows in import_heads.get(kind, []):
        if header and header[0].lower() == "column":
            for r in rows:
                name = ticked(r[0])
                if name is None:
                    problems.append(f"docs/import.md `{kind}`: a row does "
                                    f"not start with a column in backticks")
                    continue
                have.append(name)
                if len(r) > 1 and r[1].lower().startswith("required"):
                    have_req.append(name)
    same(f"docs/import.md `{kind}` columns", want, have)
    same(f"docs/import.md `{kind}` required columns", required, have_req)

# ---- cli.md --------------------------------------------------------------


def helptext(*args):
    p = subprocess.run([uptake, *args, "--help"], capture_output=True,
                       text=True, env=dict(os.environ, NO_COLOR="1"))
    if p.returncode:
        problems.append(f"uptake {' '.join(args)} --help exited "
                        f"{p.returncode}")
    return p.stdout


def options(text):
    """The options a --help lists: its usage lines and its option lines."""
    lines = text.split("\n")
    usage = []
    for l in lines:
        if not l.strip():
            break
        usage.append(l)
    opts = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", " ".join(usage)))
    for l in lines:
        m = re.match(r"^\s+(-\w)?(?:, )?(--[\w-]+)?(?=[\s=]|$)", l)
        if m and (m.group(1) or m.group(2)):
            opts |= {g for g in m.groups() if g}
    # --db and --help are global; "--field VALUE" is record's placeholder
    return opts - {"--db", "--help", "-h", "--field"}


cli_md = read("docs/cli.md")
cli_secs = sections(cli_md)
cli_heads = {}
for title, _, tables in cli_secs:
    m = re.fullmatch(r"`uptake ([a-z ]+?)`", title)
    if m:
        cli_heads[m.group(1)] = tables
if uptake:
    top = helptext()
    cmds = re.findall(r"^  ([a-z]+)\s", top.split("commands:")[1].split(
        "\n\n")[0], re.M) if "commands:" in top else []
    subs = [m for m in re.findall(r"^  ([a-z]+) ", helptext("pack"), re.M)
            if m != "uptake"]
    want_heads = [c for c in cmds] + [f"pack {s}" for s in subs]
    same("docs/cli.md commands (### `uptake COMMAND`)", want_heads, cli_heads)
    for c in want_heads:
        documented = []
        for header, rows in cli_heads.get(c, []):
            if header and header[0].lower() == "option":
                for r in rows:
                    documented += re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)",
                                             r[0])
        want = options(helptext(*c.split())) if c != "pack" else set()
        same(f"docs/cli.md `uptake {c}` options", want,
             set(documented) - {"--db", "--help", "-h"})
    glob = set(re.findall(r"^  (-C|--[\w-]+)", top.split("options:")[1],
                          re.M)) if "options:" in top else set()
    documented = []
    for title, _, tables in cli_secs:
        if title.lower().startswith("global options"):
            for header, rows in tables:
                if header and header[0].lower() == "option":
                    for r in rows:
                        documented += re.findall(
                            r"(?<![\w-])(--?[a-zA-Z][\w-]*)", r[0])
    same("docs/cli.md global options", glob | {"--help", "-h"}, documented)
else:
    problems.append("UPTAKE is not set: cannot read the binary's --help")
error_c, cli_h = read("core/error.c"), read("core/cli.h")
codes = set(re.findall(r"return (\d+);",
                       body_of(error_c, "int up_exit_status(int code)")))
codes |= set(re.findall(r"EXIT_\w+ = (\d+)", cli_h))
status_rows = []
for title, _, tables in cli_secs:
    for header, rows in tables:
        if header and header[0].lower() == "status":
            status_rows += [ticked(r[0]) or r[0] for r in rows]
same("docs/cli.md exit statuses", codes, status_rows)

# ---- links ---------------------------------------------------------------

docs = sorted(f for f in os.listdir(os.path.join(src, "docs"))
              if f.endswith(".md"))
for rel in ["README.md"] + [f"docs/{f}" for f in docs]:
    text = read(rel)
    for bad in ("DESIGN.md", "DOMAIN.md", "../shared"):
        if bad in text:
            problems.append(f"{rel}: cites {bad}, which is not in the "
                            "repository")
    outside, _ = strip_fences(text)
    for target in re.findall(r"\]\(([^)\s]+)\)", "\n".join(outside)):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = os.path.normpath(os.path.join(os.path.dirname(rel),
                                             target.split("#")[0]))
        if path.startswith("..") or not os.path.exists(
                os.path.join(src, path)):
            problems.append(f"{rel}: links to {target}, which is not in "
                            "the repository")

for p in problems:
    print(p)
print(f"{len(problems)} problem(s)" if problems else
      "docs: every key, ctx function, CSV column, command and option, and "
      "nothing else")
sys.exit(1 if problems else 0)
