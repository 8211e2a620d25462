"""common.py: what the crash tests share (tests/crash/README.md).

A program to work on (a copy of an example and its imports), the state of
its store as one checksum per table, and the runs of the real binary,
checked for crashes and sanitizer reports.

Environment: UPTAKE (the binary), SRC (the source root).
"""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

UPTAKE = os.environ.get("UPTAKE", "")
SRC = os.environ.get("SRC", "")
ENV = dict(os.environ, LC_ALL="C", TZ="UTC", NO_COLOR="1")
ENV.pop("UPTAKE_ARGS", None)
# Columns that hold the wall-clock time of a run: two runs over the same
# facts differ only there (checked: reference() runs each command twice).
WALL_CLOCK = {"cycles": {"ran_at"}, "imports": {"at"}, "*": {"recorded_at"}}
SANITIZER = ("Sanitizer", "runtime error:", "LeakSanitizer")

# The commands the tests kill and starve, on regional-rollout: 2,096 rows
# of observations into a store that has the people, events and trainings;
# and a cycle of 21 receptions after a first one, so it writes its
# results, reminders and a "since" section.
IMPORT = ["import", "observations", "observations.csv"]
CYCLE = ["cycle", "--as-of", "2026-11-01"]


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def need_env():
    if not UPTAKE or not SRC:
        print("UPTAKE and SRC must be set (meson test sets them)")
        sys.exit(77)


def run(args, cwd, env=None, timeout=120, preexec_fn=None, prefix=()):
    """Runs uptake ARGS in CWD: (status, stdout, stderr, seconds).  A
    signal, a sanitizer report or a hang fails the test."""
    t0 = time.monotonic()
    try:
        p = subprocess.run(list(prefix) + [UPTAKE] + list(args), cwd=cwd,
                           env=env or ENV, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=timeout,
                           preexec_fn=preexec_fn)
    except subprocess.TimeoutExpired:
        fail(f"uptake {' '.join(args)} ran past {timeout} s")
    took = time.monotonic() - t0
    if p.returncode < 0 or any(s in p.stderr for s in SANITIZER):
        fail(f"uptake {' '.join(args)} crashed (status {p.returncode}):\n"
             f"{p.stderr[-4000:]}")
    return p.returncode, p.stdout, p.stderr, took


def must(args, cwd):
    status, out, err, took = run(args, cwd)
    if status != 0:
        fail(f"uptake {' '.join(args)}: exit {status}\n{err}")
    return out, err, took


class Program:
    """A copy of examples/NAME in a temporary directory."""

    def __init__(self, name="regional-rollout"):
        self.tmp = tempfile.mkdtemp(prefix="uptake-crash-")
        self.dir = os.path.join(self.tmp, "program")
        shutil.copytree(os.path.join(SRC, "examples", name), self.dir,
                        ignore=shutil.ignore_patterns(".uptake"))
        self.db = os.path.join(self.dir, ".uptake", "state.db")
        self.scratch = os.path.join(self.tmp, "scratch")
        os.makedirs(self.scratch)

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def save(self, name):
        """Keeps the store as it is now (cleanly closed) as NAME."""
        path = os.path.join(self.tmp, name + ".db")
        if os.path.exists(self.db + "-wal"):
            fail(f"{self.db}-wal left after a clean run")
        shutil.copyfile(self.db, path)
        return path

    def restore(self, saved):
        for suffix in ("-wal", "-shm", "-journal"):
            if os.path.exists(self.db + suffix):
                os.unlink(self.db + suffix)
        shutil.copyfile(saved, self.db)

    def state(self, db=None):
        """(integrity_check, {table: checksum}) of the store as the next
        opener finds it: a copy of the database and its -wal (never the
        -shm: SQLite rebuilds it, as after a reboot) is opened, so the
        store itself is left for uptake to recover."""
        return state_of(db or self.db, self.scratch)


def prepare_import_before(prog):
    """The store the import starts from: people, events and trainings."""
    for kind in ("people", "events", "trainings"):
        must(["import", kind, kind + ".csv"], prog.dir)
    return prog.save("before-import")


def prepare_cycle_before(prog):
    """The store the cycle starts from: everything imported, one cycle."""
    saved = os.path.join(prog.tmp, "before-import.db")
    if os.path.exists(saved):
        prog.restore(saved)
    else:
        prepare_import_before(prog)
    must(IMPORT, prog.dir)
    must(["cycle", "--as-of", "2026-10-01"], prog.dir)
    return prog.save("before-cycle")


def state_of(db, scratch):
    copy = os.path.join(scratch, "check.db")
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(copy + suffix):
            os.unlink(copy + suffix)
    for suffix in ("", "-wal", "-journal"):
        if os.path.exists(db + suffix):
            shutil.copyfile(db + suffix, copy + suffix)
    con = sqlite3.connect(copy)
    try:
        check = [r[0] for r in con.execute("PRAGMA integrity_check")]
        return "\n".join(check), checksums(con)
    except sqlite3.DatabaseError as e:
        return f"unreadable: {e}", {}
    finally:
        con.close()


def checksums(con):
    """One SHA-256 per table, of its rows in rowid order (primary key order
    for a WITHOUT ROWID table), each value quote()d, the wall-clock columns
    left out; and one of the schema and its version."""
    sums = {}
    schema = con.execute("SELECT type, name, sql FROM sqlite_schema"
                         " ORDER BY type, name").fetchall()
    version = con.execute("PRAGMA user_version").fetchone()[0]
    sums["(schema)"] = hashlib.sha256(
        repr((version, schema)).encode()).hexdigest()
    for table, sql in con.execute("SELECT name, sql FROM sqlite_schema"
                                  " WHERE type = 'table' ORDER BY name"
                                  ).fetchall():
        info = con.execute(f'PRAGMA table_info("{table}")').fetchall()
        skip = WALL_CLOCK.get(table, set()) | WALL_CLOCK["*"]
        keep = [f'"{r[1]}"' for r in info if r[1] not in skip]
        pk = [f'"{r[1]}"' for r in sorted(info, key=lambda r: r[5]) if r[5]]
        order = ", ".join(pk) if "WITHOUT ROWID" in sql.upper() else "rowid"
        row = " || ',' || ".join(f"quote({c})" for c in keep)
        n, text = con.execute(
            f"SELECT count(*), group_concat(r, char(10)) FROM (SELECT {row}"
            f' AS r FROM "{table}" ORDER BY {order})').fetchone()
        digest = hashlib.sha256((text or "").encode()).hexdigest()
        sums[table] = f"{n}:{digest}"
    return sums


def differs(a, b):
    """The tables whose checksums differ, for a message."""
    return sorted(t for t in set(a) | set(b) if a.get(t) != b.get(t))


def reference(prog, saved, args, times=2):
    """Runs ARGS from SAVED uninterrupted TIMES times, and again from the
    state it left: {output, after, output2, after2, seconds}.  The runs
    must agree, table by table (the wall-clock columns aside)."""
    ref = {}
    secs = []
    for i in range(times):
        prog.restore(saved)
        out, err, took = must(args, prog.dir)
        secs.append(took)
        check, after = prog.state()
        if check != "ok":
            fail(f"an uninterrupted {' '.join(args)}: integrity {check}")
        out2, err2, _ = must(args, prog.dir)
        check, after2 = prog.state()
        if check != "ok":
            fail(f"a second {' '.join(args)}: integrity {check}")
        got = {"output": (out, err), "after": after,
               "output2": (out2, err2), "after2": after2}
        if not ref:
            ref = got
            continue
        for k in got:
            if got[k] != ref[k]:
                extra = differs(got[k], ref[k]) if "after" in k else ""
                fail(f"two uninterrupted runs of {' '.join(args)} differ in "
                     f"{k} {extra}: the test cannot tell states apart")
    prog.restore(saved)
    ref["before"] = prog.state()[1]
    ref["seconds"] = sorted(secs)[len(secs) // 2]
    if ref["before"] == ref["after"]:
        fail(f"{' '.join(args)} changes nothing: no test of atomicity")
    return ref


def one_line_error(err, name, status, allowed):
    """A failure must say so on stderr in 'uptake: ...error...' lines, with
    an allowed status."""
    lines = [l for l in err.splitlines() if l.strip()]
    if status not in allowed:
        fail(f"{name}: exit {status}, want one of {sorted(allowed)}:\n{err}")
    if not lines or not all(l.startswith("uptake: ") for l in lines) \
            or "error" not in lines[0]:
        fail(f"{name}: no clear error message (exit {status}):\n{err}")
    return lines[0]
