#!/usr/bin/env python3
"""busy.py: a store another writer holds.

Another process (this test, through Python's sqlite3) holds the store:

  1. in a write transaction (BEGIN IMMEDIATE), as another uptake cycle
     or import would: uptake cycle and uptake import wait for it up to
     their bound (store.c: BUSY_TIMEOUT_MS, 5 s) and then exit 75 with a
     message, leaving the store as it was; uptake status, a reader of a
     WAL store, does not wait at all;
  2. with an exclusive lock on the file (locking_mode = EXCLUSIVE and a
     write), which shuts out readers too: uptake status waits its bound
     as well and exits 75.

Each wait is measured: not shorter than the bound, not much longer (a
generous 10 s over it, for a loaded machine running sanitizers).  Once
the holder lets go the same cycle runs as it would have.
"""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

BOUND = 5.0    # store.c: BUSY_TIMEOUT_MS
SLACK = 10.0   # for a loaded CI machine under ASan


def waits(prog, args, what):
    status, out, err, took = common.run(args, prog.dir, timeout=120)
    name = f"{what}: uptake {' '.join(args)}"
    line = common.one_line_error(err, name, status, {75})
    if "busy" not in line or ".uptake/state.db" not in line:
        common.fail(f"{name}: the message does not say the store is busy:"
                    f"\n{err}")
    if not BOUND - 0.05 <= took <= BOUND + SLACK:
        common.fail(f"{name}: gave up after {took:.2f} s, not after about "
                    f"{BOUND:.0f} s")
    print(f"{what}: uptake {' '.join(args)}: exit 75 after {took:.2f} s\n"
          f"    {line.replace(prog.dir + '/', '')}")


def main():
    common.need_env()
    prog = common.Program()
    try:
        saved = common.prepare_cycle_before(prog)
        ref = common.reference(prog, saved, common.CYCLE, times=1)
        prog.restore(saved)
        status_out = common.must(["status"], prog.dir)[:2]

        holder = sqlite3.connect(prog.db, isolation_level=None, timeout=0)
        holder.execute("BEGIN IMMEDIATE")
        for args in (common.CYCLE, ["import", "events", "events.csv"]):
            waits(prog, args, "another writer (BEGIN IMMEDIATE)")
        status, out, err, took = common.run(["status"], prog.dir)
        if status != 0 or (out, err) != status_out or took > BOUND - 1:
            common.fail(f"uptake status beside a writer: exit {status} "
                        f"after {took:.2f} s\n{err}")
        print(f"another writer: uptake status reads at once ({took:.2f} s)")
        holder.execute("ROLLBACK")

        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("UPDATE units SET name = name")
        for args in (["status"], common.CYCLE):
            waits(prog, args, "an exclusive lock")
        holder.execute("ROLLBACK")
        holder.close()

        check, got = prog.state()
        if check != "ok" or got != ref["before"]:
            common.fail(f"the store changed while it was held: {check}, "
                        f"tables {common.differs(got, ref['before'])}")
        if common.must(common.CYCLE, prog.dir)[:2] != ref["output"]:
            common.fail("the cycle after the holder let go differs from an "
                        "uninterrupted one")
        print("the holder gone, the cycle runs as uninterrupted")
    finally:
        prog.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
