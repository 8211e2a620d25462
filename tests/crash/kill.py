#!/usr/bin/env python3
"""kill.py import|cycle: SIGKILL at random points, as a power cut would.

The store the command starts from ("before") and the two it leaves when it
runs uninterrupted, once ("after") and again from there ("after2"), are
taken first as checksums of every table (common.py).  Then, CRASH_KILLS
times (default 200; CRASH_SEED, default 11, seeds the delays), the command
starts from "before" and is killed with SIGKILL after a random delay:
half drawn over its whole measured run, half within 8% of the run around
the moment it commits.  The length of a run is the median of the last
uninterrupted ones (each kill's next run), as a loaded machine slows
down and speeds up.  The moment is first where a run watched through
/proc/locks lets its write lock go, then follows the kills: it moves
later after a kill that left "before", earlier (twice as far) after
one that left "after" or came too late, so these kills straddle the
commit and the checkpoint.  After each kill:

  - PRAGMA integrity_check is "ok";
  - the store is exactly "before" or exactly "after", table by table;
  - the command run again completes with the output of an uninterrupted
    run from that state, and leaves "after" or "after2".

A run that ends before its kill is not counted.  Each kill is put in the
phase its locks showed just before it (a lock taken on the -shm file by
SQLite's WAL: 120 the write transaction, 121 a checkpoint; the byte at
1 GiB on the database the exclusive lock of the last close, which
checkpoints the -wal into the database and deletes it).  It prints
the counts and fails on any integrity failure, partial state or
difference.
"""
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

WAL_WRITE, WAL_CKPT, PENDING = 120, 121, 1 << 30


def locks_of(pid):
    """The start offsets of the POSIX locks PID holds (not waits for)."""
    held = set()
    with open("/proc/locks") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 8 and fields[1] != "->" and fields[4] == pid:
                held.add(int(fields[6]))
    return held


def phase_of(held):
    if WAL_CKPT in held:
        return "checkpoint"
    if WAL_WRITE in held:
        return "write transaction"
    if PENDING in held:
        return "close+checkpoint"
    return "reading" if held else "no lock"


def watch(prog, saved, args):
    """One run watched through /proc/locks: the fractions of its run at
    which it took the write lock and let it go, or None."""
    prog.restore(saved)
    t0 = time.monotonic()
    p = subprocess.Popen([common.UPTAKE] + args, cwd=prog.dir, env=common.ENV,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    pid, first, last = str(p.pid), None, None
    while p.poll() is None:
        try:
            held = locks_of(pid)
        except OSError:
            break
        t = time.monotonic() - t0
        if WAL_WRITE in held:
            first = t if first is None else first
            last = t
        time.sleep(0.0002)
    total = time.monotonic() - t0
    p.wait()
    if first is None or total <= 0:
        return None
    return first / total, last / total


def main(which):
    common.need_env()
    # Leaks are the other suites' concern; here the time goes to kills,
    # and LeakSanitizer's scan at exit would add a tenth to every run.
    common.ENV["ASAN_OPTIONS"] = ":".join(filter(None, [
        common.ENV.get("ASAN_OPTIONS"), "detect_leaks=0"]))
    if which not in ("import", "cycle"):
        common.fail("usage: kill.py import|cycle")
    kills = int(os.environ.get("CRASH_KILLS", "200"))
    rng = random.Random(int(os.environ.get("CRASH_SEED", "11")))
    args = common.IMPORT if which == "import" else common.CYCLE
    name = "uptake " + " ".join(args)
    prog = common.Program()
    t_start = time.monotonic()
    try:
        saved = (common.prepare_import_before(prog) if which == "import"
                 else common.prepare_cycle_before(prog))
        ref = common.reference(prog, saved, args)
        span = ref["seconds"]
        seen = [w for w in (watch(prog, saved, args) for _ in range(3)) if w]
        commit = sorted(w[1] for w in seen)[len(seen) // 2] if seen else 0.8
        print(f"{name}: uninterrupted {span * 1000:.0f} ms; the write lock "
              f"is let go at {commit:.0%} of it", flush=True)
        first_commit = commit

        counts = {"before": 0, "after": 0}
        recent = [span]
        phases = {}
        done_early = tries = 0
        integrity = partial = 0
        while counts["before"] + counts["after"] < kills:
            tries += 1
            if tries > 3 * kills + 50:
                common.fail(f"{name}: only {sum(counts.values())} of "
                            f"{tries} runs were killed before they ended")
            near = tries % 2 == 0
            frac = (rng.uniform(commit - 0.08, commit + 0.08) if near
                    else rng.uniform(0, 1))
            delay = max(0.0, frac) * span
            prog.restore(saved)
            p = subprocess.Popen([common.UPTAKE] + args, cwd=prog.dir,
                                 env=common.ENV, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)
            t0 = time.monotonic()
            left = t0 + delay - time.monotonic()
            if left > 0:
                time.sleep(left)
            phase = None
            if p.poll() is None:
                try:
                    phase = phase_of(locks_of(str(p.pid)))
                except OSError:
                    phase = "no lock"
                p.send_signal(signal.SIGKILL)
            err = p.communicate()[1].decode(errors="replace")
            killed = p.returncode == -signal.SIGKILL
            if any(x in err for x in common.SANITIZER):
                common.fail(f"{name}: a sanitizer report:\n{err[-4000:]}")
            if not killed:
                done_early += 1
                if p.returncode != 0:
                    common.fail(f"{name} exited {p.returncode} on its own:"
                                f"\n{err}")
            check, got = prog.state()
            if check != "ok":
                integrity += 1
                common.fail(f"{name} killed after {delay * 1000:.1f} ms "
                            f"({phase}): integrity_check says {check}")
            if got == ref["before"]:
                state = "before"
            elif got == ref["after"]:
                state = "after"
            else:
                partial += 1
                closest = min(("before", "after"),
                           key=lambda k: len(common.differs(got, ref[k])))
                common.fail(f"{name} killed after {delay * 1000:.1f} ms "
                            f"({phase}): the store is neither before nor "
                            f"after; tables unlike {closest}: "
                            f"{common.differs(got, ref[closest])}")
            if near:  # follow the commit (Robbins-Monro): two in three
                # of these kills land before it, as the stretch after it
                # (checkpoint, close, exit) is short and a kill drawn past
                # the exit is a run wasted
                commit += 0.005 if state == "before" else -0.01
                commit = min(max(commit, 0.05), 1.0)
            if not killed:
                if state != "after":
                    common.fail(f"{name} ended with exit 0 and left the "
                                f"store as it was")
                continue  # it ran to the end: a reference run, not a kill
            # The next run: as an uninterrupted one from that state.
            want = ref["output"] if state == "before" else ref["output2"]
            out, e2, took = common.must(args, prog.dir)
            if state == "before":  # the run the kills cut short: its time
                recent = (recent + [took])[-15:]
                span = sorted(recent)[len(recent) // 2]
            if (out, e2) != want:
                common.fail(f"{name} after a kill at {delay * 1000:.1f} ms "
                            f"({phase}, store {state}): the next run's "
                            f"output differs from an uninterrupted one:\n"
                            f"{out[:2000]}{e2}")
            check, again = prog.state()
            want_state = ref["after"] if state == "before" else ref["after2"]
            if check != "ok" or again != want_state:
                common.fail(f"{name} after a kill ({phase}, store {state}): "
                            f"the next run left integrity {check}, tables "
                            f"{common.differs(again, want_state)} unlike an "
                            f"uninterrupted run")
            counts[state] += 1
            key = (phase, state)
            phases[key] = phases.get(key, 0) + 1

        total = counts["before"] + counts["after"]
        print(f"{name}: {total} kills ({tries} runs, {done_early} ended "
              f"before their kill): {integrity} integrity failures, "
              f"{partial} partial states; store before {counts['before']}, "
              f"after {counts['after']}; every next run as uninterrupted")
        print("  where the kills landed (locks held just before), and the "
              "state they left:")
        for ph in ("no lock", "reading", "write transaction", "checkpoint",
                   "close+checkpoint"):
            b, a = phases.get((ph, "before"), 0), phases.get((ph, "after"), 0)
            if a or b:
                print(f"    {ph:18} {b:4} before  {a:4} after")
        print(f"  the commit, as the kills found it: at {commit:.0%} of "
              f"the run (first seen at {first_commit:.0%})")
        print(f"  {time.monotonic() - t_start:.1f} s in all")
    finally:
        prog.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
