#!/usr/bin/env python3
"""snapshot.py: a writer during a long cycle waits only for a moment.

The cycle judges from a snapshot of the facts with no lock held and
takes the write lock only to store what it judged (core/cycle.c).  Here
a rule file makes the judging slow (a loop in every unit's check, some
seconds in all), and while the cycle judges:

  1. `uptake record event`, then `uptake import observations` of a
     correction, run: neither may wait for the cycle (its time beside the
     cycle, less its time alone, under WAIT seconds), and the cycle must
     still be judging when both are done (else this proved nothing);
  2. the cycle ends with exit 0, the store sound, and it judged the facts
     as its snapshot had them: the cycle records the import it knew, the
     one before the correction imported meanwhile.
"""
import os
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

WAIT = 1.0
# Loops well within the default instruction budget, in
# CHECKS checks: several seconds in all over the example's 30 units.
CHECKS = 20
SLOW_RULE = """
for k = 1, %d do
  check {
    id = "slow-" .. k,
    title = "Counts for a while",
    check = function(ctx)
      local n = 0
      for i = 1, 600000 do n = n + i %% 7 end
      return pass("counted %%d", n)
    end,
  }
end
""" % CHECKS
RECORD = ["record", "event", "--kind", "meeting", "--date", "2026-10-20",
          "--unit", "a-cardiology", "--note", "recorded during a cycle"]
CORRECT = ["import", "observations", "correction.csv"]
CORRECTION = "unit,series,period,value\na-cardiology,patient_meetings,2025-01,853\n"


def add_slow_rule(prog):
    with open(os.path.join(prog.dir, "rules", "slow.lua"), "w") as f:
        f.write(SLOW_RULE)
    path = os.path.join(prog.dir, "program.yaml")
    with open(path) as f:
        text = f.read()
    old = "rules: [rules/rollout.lua]"
    if old not in text:
        common.fail("program.yaml no longer lists rules/rollout.lua")
    with open(path, "w") as f:
        f.write(text.replace(old, "rules: [rules/rollout.lua, "
                             "rules/slow.lua]"))


def imports_known(db):
    con = sqlite3.connect(db)
    try:
        last = con.execute("SELECT max(id) FROM imports").fetchone()[0]
        known = con.execute("SELECT known FROM cycles ORDER BY id DESC"
                            " LIMIT 1").fetchone()[0]
    finally:
        con.close()
    return last, known


def main():
    common.need_env()
    prog = common.Program()
    try:
        add_slow_rule(prog)
        with open(os.path.join(prog.dir, "correction.csv"), "w") as f:
            f.write(CORRECTION)
        saved = common.prepare_cycle_before(prog)
        # Each writer alone, on the same store.
        alone = {}
        for args in (RECORD, CORRECT):
            alone[args[0]] = common.must(args, prog.dir)[2]
            prog.restore(saved)
        t0 = time.monotonic()
        common.must(common.CYCLE, prog.dir)
        whole = time.monotonic() - t0
        prog.restore(saved)
        if whole < 2 * WAIT:
            common.fail(f"the slow cycle took {whole:.2f} s: too quick "
                        "to show anything")

        cycle = subprocess.Popen([common.UPTAKE] + common.CYCLE,
                                 cwd=prog.dir, env=common.ENV,
                                 stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        time.sleep(whole / 4)  # well into the judging
        for args in (RECORD, CORRECT):
            status, out, err, took = common.run(args, prog.dir)
            name = f"uptake {args[0]}"
            if status != 0:
                common.fail(f"{name} during a cycle: exit {status}\n{err}")
            print(f"{name}: {took:.2f} s beside a cycle of {whole:.2f} s, "
                  f"{alone[args[0]]:.2f} s alone")
            if took - alone[args[0]] > WAIT:
                common.fail(f"{name} waited {took - alone[args[0]]:.2f} s "
                            f"for the cycle (at most {WAIT} s)")
        if cycle.poll() is not None:
            common.fail("the cycle was over before the writers were done: "
                        "this run shows nothing")
        cout, cerr = cycle.communicate(timeout=600)
        if cycle.returncode != 0 or any(s in cerr for s in common.SANITIZER):
            common.fail(f"the cycle: exit {cycle.returncode}\n{cerr[-4000:]}")
        check, _ = prog.state()
        if check != "ok":
            common.fail(f"integrity_check after both: {check}")
        last, known = imports_known(prog.db)
        if known >= last:
            common.fail(f"the cycle knew import {known}, the correction "
                        f"imported while it judged is {last}: not its "
                        "snapshot")
        print(f"the cycle judged its snapshot (import {known}; the "
              f"correction imported meanwhile is import {last})")
    finally:
        prog.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
