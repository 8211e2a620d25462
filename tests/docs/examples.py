#!/usr/bin/env python3
"""examples.py [--update] [--except NAME] PATH...: runs the examples of the
Markdown documents in PATH (files, or directories whose *.md are read) with
the real uptake binary and compares what they print with what the
documents show.  The conventions are those of docs/README.md, "How the
examples are tested":

  ```sh blocks     each line starting with "$ " is a command (a line ending
                   in a backslash continues it, and so does a here-document
                   up to its terminator); the lines after it, up to the next
                   "$ ", are what it prints, stdout and stderr together.  A
                   command that exits with N != 0 ends its output with a
                   line "[exit N]".  A line "..." stands for any number of
                   lines.  CRLF line ends compare as LF.  A sh block without "$ " is a listing, not run.
  ```lua blocks    must be written to a file (<!-- file: PATH -->) that a
                   later sh block runs, or marked <!-- skip: WHY -->.

Directives are HTML comments on the lines just above a block's fence:

  <!-- run: fresh -->           start a new, empty working directory
  <!-- run: fresh DIR -->       start one holding a copy of DIR (a directory
                                of the source tree, its .uptake left out)
  <!-- file: PATH -->           write the block to PATH (relative to where
                                the last block left off)
  <!-- append: PATH -->         add the block to the end of PATH
  <!-- mask: REGEX => TEXT -->  replace each match of REGEX in this block's
                                output by TEXT before comparing (for what
                                varies from run to run: wall-clock times)
  <!-- skip: WHY -->            do not run this block

The blocks of one document run in order and share a working directory
(the directory a block ends in is where the next one starts) until a
"run: fresh".  Commands run under bash with NO_COLOR=1, LC_ALL=C, TZ=UTC,
stdin from /dev/null, and `uptake` on PATH being the binary under test
($UPTAKE).  Output that names the temporary directory fails.

UPDATE_GOLDEN=1 (or --update) writes what the commands printed into the
documents instead of comparing (masks applied, "..." kept at the same
place), for a person to read before committing.

Environment: UPTAKE (the binary), SRC (the source root)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

DIRECTIVE = re.compile(r"^\s*<!--\s*([a-z-]+)\s*:\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)\s*$")
KNOWN = {"run", "file", "append", "mask", "skip"}
MARK = "\x1eUPTAKE-DOC-MARK"
TIMEOUT = 300


class Block:
    def __init__(self, doc, line, indent, fence, lang, body, directives):
        self.doc, self.line, self.indent = doc, line, indent
        self.fence, self.lang = fence, lang
        self.body = body            # lines, indentation removed
        self.directives = directives  # [(key, value, line)]
        self.start = self.end = 0   # index range of the body in doc lines

    def where(self):
        return f"{self.doc}:{self.line}"

    def get(self, key):
        return [v for k, v, _ in self.directives if k == key]


def parse(path, lines):
    """The fenced blocks of a document, with their directives."""
    blocks, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, lang = m.group(1), m.group(2), m.group(3)
        # directives: the comment lines just above, blank lines between
        directives, j = [], i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        while j >= 0:
            d = DIRECTIVE.match(lines[j])
            if not d:
                break
            directives.insert(0, (d.group(1), d.group(2), j + 1))
            j -= 1
        k = i + 1
        close = re.compile(r"^\s*" + re.escape(fence[0]) + "{%d,}\\s*$" %
                           len(fence))
        while k < len(lines) and not close.match(lines[k]):
            k += 1
        body = [l[len(indent):] if l.startswith(indent) else l.lstrip()
                for l in lines[i + 1:k]]
        b = Block(path, i + 1, indent, fence, lang, body, directives)
        b.start, b.end = i + 1, k
        blocks.append(b)
        i = k + 1
    return blocks


def commands(block):
    """[(command text, [command lines], [expected output lines])]."""
    out, cur, i, body = [], None, 0, block.body
    while i < len(body):
        line = body[i]
        if line.startswith("$ "):
            cmd = [line]
            text = line[2:]
            i += 1
            while cmd[-1].endswith("\\") and i < len(body):
                cmd.append(body[i])
                text += "\n" + body[i]
                i += 1
            for word in re.findall(r"<<-?\s*'?\"?(\w+)'?\"?", text):
                while i < len(body):
                    cmd.append(body[i])
                    text += "\n" + body[i]
                    i += 1
                    if cmd[-1].strip() == word:
                        break
            cur = (text, cmd, [])
            out.append(cur)
            continue
        if cur is None:
            raise DocError(block, f"line {block.start + i + 1}: output "
                           "before the first '$ ' command")
        cur[2].append(line)
        i += 1
    for _, _, exp in out:
        while exp and not exp[-1].strip():
            exp.pop()
    return out


class DocError(Exception):
    def __init__(self, block, msg):
        super().__init__(f"{block.where()}: {msg}")


def matches(expected, actual):
    """Whether ACTUAL lines match EXPECTED, where a line "..." stands for
    any number of lines."""
    pat = "".join(r"(?:[^\n]*\n)*?" if l == "..." else re.escape(l) + r"\n"
                  for l in expected)
    return re.fullmatch(pat, "".join(l + "\n" for l in actual)) is not None


def elide(expected, actual):
    """ACTUAL, shortened as EXPECTED is: the lines before its first "..."
    and after its last."""
    if "..." not in expected:
        return actual
    head = expected.index("...")
    tail = len(expected) - 1 - max(i for i, l in enumerate(expected)
                                   if l == "...")
    if len(actual) <= head + tail:
        return actual
    return actual[:head] + ["..."] + (actual[len(actual) - tail:] if tail
                                      else [])


class Session:
    def __init__(self, root, src):
        self.root = root
        self.dir = tempfile.mkdtemp(prefix="s", dir=root)
        self.cwd = self.dir
        self.src = src

    def path(self, block, rel):
        if not rel or rel.startswith("/") or ".." in rel.split("/"):
            raise DocError(block, f"'{rel}' must be a relative path inside "
                           "the working directory")
        return os.path.join(self.cwd, rel)


class Runner:
    def __init__(self, uptake, src, update):
        self.src, self.update = src, update
        self.tmp = tempfile.mkdtemp(prefix="uptake-doc-")
        self.bin = os.path.join(self.tmp, "bin")
        os.mkdir(self.bin)
        os.symlink(os.path.abspath(uptake), os.path.join(self.bin, "uptake"))
        self.home = os.path.join(self.tmp, "home")
        os.mkdir(self.home)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("UPTAKE")}
        self.env.update(NO_COLOR="1", LC_ALL="C", TZ="UTC", HOME=self.home,
                        UPTAKE=os.path.join(self.bin, "uptake"),
                        PATH=self.bin + os.pathsep +
                        os.environ.get("PATH", "/usr/bin:/bin"))
        self.env.pop("CDPATH", None)
        self.failures = 0

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def fail(self, msg):
        self.failures += 1
        print(msg)

    def new_session(self, block, arg):
        parts = arg.split()
        if not parts or parts[0] != "fresh" or len(parts) > 2:
            raise DocError(block, f"run: '{arg}' (write 'run: fresh' or "
                           "'run: fresh DIR')")
        s = Session(self.tmp, self.src)
        if len(parts) == 2:
            from_dir = os.path.join(self.src, parts[1])
            if not os.path.isdir(from_dir) or ".." in parts[1].split("/"):
                raise DocError(block, f"run: fresh {parts[1]}: no such "
                               "directory in the source tree")
            shutil.copytree(from_dir, s.dir, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".uptake"),
                            symlinks=True)
        return s

    def run_doc(self, path):
        """Runs one document; returns its lines, updated if asked."""
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        rel = os.path.relpath(path, self.src)
        blocks = parse(rel, lines)
        session, edits, pending_files = None, [], []
        for b in blocks:
            keys = [k for k, _, _ in b.directives]
            for k, v, ln in b.directives:
                if k not in KNOWN:
                    raise DocError(b, f"line {ln}: unknown directive '{k}' "
                                   f"(known: {', '.join(sorted(KNOWN))})")
            if b.get("skip"):
                if not b.get("skip")[0]:
                    raise DocError(b, "skip: say why")
                continue
            prompts = b.lang == "sh" and any(l.startswith("$ ")
                                             for l in b.body)
            writes = b.get("file") + b.get("append")
            if not prompts and not writes and "run" not in keys:
                if b.lang == "lua":
                    raise DocError(b, "a lua block must be written to a "
                                   "file (<!-- file: PATH -->) that a later "
                                   "block runs, or say <!-- skip: WHY -->")
                continue
            for v in b.get("run"):
                self.unused(pending_files)
                pending_files = []
                session = self.new_session(b, v)
            if session is None:
                session = self.new_session(b, "fresh")
            if writes:
                if prompts or len(writes) > 1:
                    raise DocError(b, "a block is either written to one "
                                   "file or run, not both")
                mode = "w" if b.get("file") else "a"
                target = session.path(b, writes[0])
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, mode, encoding="utf-8") as f:
                    f.write("\n".join(b.body) + "\n")
                pending_files.append(b)
                continue
            if not prompts:
                raise DocError(b, "'run:' is for a sh block with '$ ' "
                               "commands")
            pending_files = []
            new_body = self.run_block(b, session)
            if new_body is not None:
                edits.append((b, new_body))
        self.unused(pending_files)
        for b, body in reversed(edits):
            lines[b.start:b.end] = [(b.indent + l) if l else l for l in body]
        return lines

    def unused(self, blocks):
        for b in blocks:
            self.fail(f"{b.where()}: {b.lang or 'a'} block written to a "
                      "file that no later block runs")

    def run_block(self, b, session):
        cmds = commands(b)
        masks = []
        for m in b.get("mask"):
            if " => " not in m:
                raise DocError(b, "mask: write REGEX => TEXT")
            rx, text = m.split(" => ", 1)
            masks.append((re.compile(rx), text))
        script = ["exec 2>&1",
                  f"__doc_mark() {{ __s=$?; printf '\\n{MARK} %s\\036\\n' "
                  "\"$__s\"; return $__s; }",
                  'cd -- "$__DOC_CWD" || exit 99', "(exit 0)"]
        for text, _, _ in cmds:
            script += [text, "__doc_mark"]
        script.append('pwd >"$__DOC_PWD"')
        pwd_file = os.path.join(self.tmp, "pwd")
        env = dict(self.env, __DOC_CWD=session.cwd, __DOC_PWD=pwd_file)
        try:
            p = subprocess.run(["bash", "--noprofile", "--norc", "-c",
                                "\n".join(script)], env=env,
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail(f"{b.where()}: the block ran for more than "
                      f"{TIMEOUT} seconds")
            return None
        try:
            with open(pwd_file, encoding="utf-8") as f:
                session.cwd = f.read().strip() or session.cwd
            os.unlink(pwd_file)
        except OSError:
            pass
        # CRLF (iCalendar's line end) compares as LF
        out = p.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
        parts = re.split(re.escape(MARK) + r" (\d+)\x1e\n", out)
        # parts: out0, status0, out1, status1, ..., rest
        results = []
        for i in range(len(cmds)):
            if 2 * i + 1 >= len(parts):
                results.append(None)
                continue
            text = parts[2 * i]
            if text.endswith("\n"):
                text = text[:-1]
            if text.endswith("\n"):
                text = text[:-1]
            for rx, repl in masks:
                text = rx.sub(repl, text)
            got = text.split("\n") if text else []
            status = int(parts[2 * i + 1])
            if status:
                got.append(f"[exit {status}]")
            while got and not got[-1].strip():
                got.pop()
            results.append(got)
        new_body, ok = [], True
        for (text, cmd_lines, expected), got in zip(cmds, results):
            new_body += cmd_lines
            if got is None:
                self.fail(f"{b.where()}: '{cmd_lines[0]}' did not finish "
                          "(the block's shell stopped before it)")
                ok = False
                new_body += expected
                continue
            leak = [l for l in got if self.tmp in l]
            if leak:
                self.fail(f"{b.where()}: '{cmd_lines[0]}' printed the "
                          f"temporary directory: {leak[0]}\n  (use relative "
                          "paths, or a mask)")
                ok = False
            if self.update:
                new_body += elide(expected, got)
            elif not matches(expected, got):
                ok = False
                self.fail(f"{b.where()}: '{cmd_lines[0]}' printed what the "
                          "document does not show:\n" +
                          diff(expected, got))
            else:
                new_body += expected
        return new_body if self.update else None


def diff(expected, got):
    import difflib
    d = difflib.unified_diff(expected, got, "the document", "the run",
                             lineterm="", n=2)
    return "\n".join("    " + l for l in d)


def main(argv):
    update = os.environ.get("UPDATE_GOLDEN") == "1"
    excluded, paths = set(), []
    args = iter(argv)
    for a in args:
        if a == "--update":
            update = True
        elif a == "--except":
            excluded.add(next(args))
        else:
            paths.append(a)
    uptake, src = os.environ.get("UPTAKE"), os.environ.get("SRC")
    if not uptake or not src or not paths:
        print(__doc__)
        return 2
    docs = []
    for p in paths:
        if os.path.isdir(p):
            docs += sorted(os.path.join(p, f) for f in os.listdir(p)
                           if f.endswith(".md") and f not in excluded)
        else:
            docs.append(p)
    runner = Runner(uptake, src, update)
    try:
        for d in docs:
            before = runner.failures
            try:
                lines = runner.run_doc(d)
            except DocError as e:
                runner.fail(str(e))
                continue
            if update:
                with open(d, "w", encoding="utf-8") as f:
                    f.write("\n".join(lines))
            if runner.failures == before:
                print(f"{os.path.relpath(d, src)}: "
                      f"{'updated' if update else 'every example as shown'}")
    finally:
        runner.close()
    return 1 if runner.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
