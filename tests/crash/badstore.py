#!/usr/bin/env python3
"""badstore.py: state.db files uptake must refuse clearly, never crash on.

Each store below is handed to a command that reads (uptake status) and to
ones that write (uptake cycle, uptake import).  Each must end with one
clear "uptake: ... error: ..." line naming the file and the problem, the
exit status listed, no signal and no sanitizer report; and a refused
store must be left exactly as it was (checksums, common.py).

  not SQLite         a text file                                    65
  header damaged     the first 16 bytes overwritten                 65
  foreign            another application's SQLite database, with
                     no user_version and with one                   65
  newer schema       user_version above this uptake's               65
  truncated          to 50 bytes, one page, half the file           70
  empty              a 0-byte file: reading says there is no
                     state; writing makes a new store               65 / 0
  damaged record     the last cycle's JSON not an object (70), or
                     with units that are not objects (explain: 65)
  damaged pages      CRASH_CORRUPT (default 40) copies with random
                     bytes over random pages (seeded): 0, or a clear
                     error (65, 70, 74)
  read-only file     mode 0444, the directory writable: reads work,
                     writes are refused before any work             77
  read-only dir      the directory 0555: SQLite cannot create the
                     -wal and -shm it needs, to read or to write    77

As root the read-only cases run under setpriv without CAP_DAC_OVERRIDE,
so that file modes bind; they are skipped, saying so, where that fails.
"""
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

STATUS = ["status"]
WRITERS = [common.CYCLE, ["import", "events", "events.csv"]]


def refuse(prog, args, what, allowed, words, prefix=(), unchanged=True):
    """Runs ARGS on the store as it is; it must fail with a status in
    ALLOWED and a message naming the store and each of WORDS; the store
    must stay as it was.  Returns the message."""
    before = open(prog.db, "rb").read() if os.path.exists(prog.db) else None
    status, out, err, _ = common.run(args, prog.dir, prefix=prefix)
    name = f"{what}: uptake {' '.join(args)}"
    line = common.one_line_error(err, name, status, allowed)
    for w in [".uptake/state.db"] + list(words):
        if w not in line:
            common.fail(f"{name}: the message does not say '{w}':\n{err}")
    after = open(prog.db, "rb").read() if os.path.exists(prog.db) else None
    if unchanged and before != after:
        common.fail(f"{name}: refused, but the file changed")
    return line


def fresh(prog, saved):
    prog.restore(saved)
    os.chmod(prog.db, 0o644)


def overwrite(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def seen(results, what, line, prog):
    results.append((what, line.replace(prog.dir + "/", "")))


def files(prog, saved, results):
    db = prog.db

    def each(what, allowed, words, writers=True):
        seen(results, what, refuse(prog, STATUS, what, allowed, words), prog)
        for args in WRITERS if writers else []:
            refuse(prog, args, what, allowed, words)

    fresh(prog, saved)
    with open(db, "w") as f:
        f.write("unit,series,period,value\nward,x,2026-01,1\n")
    each("not SQLite", {65}, ["not an uptake store", "not a SQLite"])

    fresh(prog, saved)
    overwrite(db, 0, b"uptake was here!")
    each("header damaged", {65}, ["not a SQLite database"])

    for version in (0, 5):
        fresh(prog, saved)
        os.unlink(db)
        con = sqlite3.connect(db)
        con.executescript("CREATE TABLE moz_places(id INTEGER PRIMARY KEY,"
                          " url TEXT); INSERT INTO moz_places(url) VALUES"
                          f" ('https://example.org'); PRAGMA user_version ="
                          f" {version};")
        con.close()
        each(f"foreign (user_version {version})", {65},
             ["not an uptake store", "another application"])

    fresh(prog, saved)
    con = sqlite3.connect(db)
    con.execute("PRAGMA user_version = 99")
    con.close()
    each("newer schema", {65}, ["schema version 99", "newer"])

    size = os.path.getsize(saved)
    for cut in (50, 4096, size // 2):
        fresh(prog, saved)
        with open(db, "r+b") as f:
            f.truncate(cut)
        each(f"truncated to {cut} bytes", {70}, ["damaged"])

    # the last cycle's record (JSON in a sound database) damaged: not an
    # object; units that are not objects (explain's did-you-mean read
    # their ids, and crashed on a NULL)
    for doc, args, allowed, words in (
            ("[1]", STATUS, {70}, ["record", "damaged"]),
            ('{"units": [1, "x", {"id": 3, "gates": 7}]}',
             ["explain", "a-gastro"], {65}, []),
    ):
        fresh(prog, saved)
        con = sqlite3.connect(db)
        con.execute("UPDATE cycles SET doc = ? WHERE id = (SELECT max(id)"
                    " FROM cycles)", (doc,))
        con.commit()
        con.close()
        status, out, err, _ = common.run(args, prog.dir)
        line = common.one_line_error(err, f"a damaged cycle record {doc}",
                                     status, allowed)
        if not all(w in line for w in words):
            common.fail(f"a damaged cycle record: {line}")
        seen(results, f"a damaged cycle record {doc}: uptake "
             f"{' '.join(args)}", line, prog)

    fresh(prog, saved)
    open(db, "w").close()
    seen(results, "empty (0 bytes)",
         refuse(prog, STATUS, "empty", {65}, ["empty"]), prog)
    common.must(common.CYCLE, prog.dir)  # a new store, as SQLite has it


def damaged_pages(prog, saved, results):
    """Random bytes over random pages: SQLite's corruption tests in small.
    Whatever the damage, no crash and, on failure, a clear message."""
    n = int(os.environ.get("CRASH_CORRUPT", "40"))
    rng = random.Random(int(os.environ.get("CRASH_SEED", "11")))
    size = os.path.getsize(saved)
    pages = size // 4096
    outcomes = {}
    messages = {}
    for i in range(n):
        fresh(prog, saved)
        for _ in range(rng.randint(1, 4)):
            page = rng.randrange(1, pages)  # page 0's header: above
            at = page * 4096 + rng.choice([0, 1, 3, 5, 8, rng.randrange(4096)])
            data = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
            overwrite(prog.db, at, data)
        for args in [STATUS] + WRITERS:
            status, out, err, _ = common.run(args, prog.dir)
            if status != 0:
                line = common.one_line_error(err, f"damaged pages #{i}: "
                                             f"uptake {' '.join(args)}",
                                             status, {65, 70, 74})
                messages[line] = messages.get(line, 0) + 1
            outcomes[status] = outcomes.get(status, 0) + 1
    results.append((f"damaged pages ({n} stores x 3 commands)",
                    ", ".join(f"exit {k}: {v}" for k, v in
                              sorted(outcomes.items()))))
    for line, count in sorted(messages.items(), key=lambda m: -m[1]):
        seen(results, f"  {count} x", line, prog)


def unprivileged():
    """The prefix that makes file modes bind for this test's runs, or None
    when they cannot be made to."""
    if os.geteuid() != 0:
        return []
    prefix = ["setpriv", "--bounding-set=-dac_override"]
    probe = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                         f"uptake-crash-probe-{os.getpid()}")
    try:
        open(probe, "w").close()
        os.chmod(probe, 0o444)
        p = subprocess.run(prefix + ["sh", "-c", f"echo x >> '{probe}'"],
                           capture_output=True)
        return prefix if p.returncode != 0 else None
    except OSError:
        return None
    finally:
        if os.path.exists(probe):
            os.unlink(probe)


def read_only(prog, saved, results):
    prefix = unprivileged()
    if prefix is None:
        results.append(("read-only", "SKIPPED: running as root and setpriv "
                        "cannot drop CAP_DAC_OVERRIDE here"))
        return
    store_dir = os.path.dirname(prog.db)
    fresh(prog, saved)
    want = common.must(STATUS, prog.dir)[:2]
    _, sums = prog.state()

    fresh(prog, saved)
    os.chmod(prog.db, 0o444)
    status, out, err, _ = common.run(STATUS, prog.dir, prefix=prefix)
    if status != 0 or (out, err) != want:
        common.fail(f"a read-only store: uptake status exit {status}, not "
                    f"as on a writable one:\n{err}")
    for args in WRITERS:
        line = refuse(prog, args, "read-only file", {77},
                      ["cannot write", "Permission denied", "status"],
                      prefix=prefix)
    seen(results, "read-only file (0444): uptake status", "works", prog)
    seen(results, "read-only file (0444): uptake cycle, import", line, prog)
    if prog.state()[1] != sums:
        common.fail("a read-only store changed")

    fresh(prog, saved)
    os.chmod(store_dir, 0o555)
    try:
        for args in [STATUS] + WRITERS:
            line = refuse(prog, args, "read-only directory", {77},
                          ["directory", "not writable", "-wal"],
                          prefix=prefix)
            seen(results, f"read-only directory (0555): uptake {args[0]}",
                 line, prog)
    finally:
        os.chmod(store_dir, 0o755)
    if prog.state()[1] != sums:
        common.fail("a store in a read-only directory changed")


def main():
    common.need_env()
    prog = common.Program()
    results = []
    try:
        saved = common.prepare_cycle_before(prog)
        files(prog, saved, results)
        read_only(prog, saved, results)
        damaged_pages(prog, saved, results)
    finally:
        d = os.path.dirname(prog.db)
        if os.path.isdir(d):
            os.chmod(d, stat.S_IRWXU)
        prog.close()
    for what, line in results:
        print(f"{what}:\n    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
