#!/usr/bin/env python3
"""full.py SHIM: a full disk under uptake import and uptake cycle.

Two ways, each checked the same: a run that finds the disk full exits 74
with one clear line naming the store, and leaves it exactly as it was
(checksums of every table, common.py); a run that got its commit written
before the disk filled (the checkpoint into the database file failed, the
-wal holds it) exits 0 with its usual output.  Either way the store passes
integrity_check and the next run, with room, prints what an uninterrupted
run prints.

  1. SHIM (fullshim.c, preloaded) makes every write past a budget of
     bytes fail with SQLITE_FULL.  The budget is swept over what the
     command writes (measured through the shim first): 0, evenly spread
     points and the last byte, and, with UPTAKE_CRASH_ERROR=io, a few as a
     failing disk (SQLITE_IOERR_WRITE).  A new store that cannot be
     created is tried too.
  2. A real small file system: a tmpfs in a mount namespace of its own
     (unshare -m as root, unshare -rm otherwise) sized to the store plus
     FREE bytes, for FREE from 0 up; --db puts the store there.  Skipped,
     saying so, where no namespace can be made (part 1 still runs).
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

POINTS = int(os.environ.get("CRASH_FULL_POINTS", "24"))
FREE = [0, 4096, 16384, 32768, 36864, 49152, 65536, 131072, 262144,
        524288, 1 << 20, 2 << 20, 4 << 20]


def shim_env(shim, budget=None, report=None, error=None):
    env = dict(common.ENV)
    env["LD_PRELOAD"] = " ".join(filter(None, [shim,
                                               env.get("LD_PRELOAD")]))
    # the shim is loaded before the sanitizer runtime, which is fine
    env["ASAN_OPTIONS"] = ":".join(filter(None, [
        env.get("ASAN_OPTIONS"), "verify_asan_link_order=0"]))
    for k, v in (("UPTAKE_CRASH_FULL_AFTER", budget),
                 ("UPTAKE_CRASH_WRITES", report),
                 ("UPTAKE_CRASH_ERROR", error)):
        if v is not None:
            env[k] = str(v)
    return env


def judge(prog, ref, args, how, status, out, err, db_shown):
    """Checks one starved run; returns 'before' or 'after'."""
    name = f"uptake {' '.join(args)} ({how})"
    line = ""
    check, got = prog.state()
    if check != "ok":
        common.fail(f"{name}: integrity_check says {check}")
    if status == 0:
        if (out, err) != ref["output"] or got != ref["after"]:
            common.fail(f"{name}: exit 0, but not as an uninterrupted run "
                        f"(tables {common.differs(got, ref['after'])}):\n"
                        f"{err}")
        state = "after"
    else:
        line = common.one_line_error(err, name, status, {74})
        if db_shown not in line or not ("disk is full" in line
                                        or "cannot read or write" in line):
            common.fail(f"{name}: the message does not say the disk is "
                        f"full (or failing) and name {db_shown}:\n{err}")
        if got != ref["before"]:
            common.fail(f"{name}: exit {status}, and the store is not as it "
                        f"was: tables {common.differs(got, ref['before'])}")
        state = "before"
    again, e2, _ = common.must(args, prog.dir)
    want = ref["output"] if state == "before" else ref["output2"]
    if (again, e2) != want:
        common.fail(f"{name}: the next run, with room, differs from an "
                    f"uninterrupted one:\n{again[:2000]}{e2}")
    return state, line


def with_shim(shim, prog, saved, args):
    ref = common.reference(prog, saved, args, times=1)
    report = os.path.join(prog.tmp, "written")
    prog.restore(saved)
    status, out, err, _ = common.run(args, prog.dir,
                                     env=shim_env(shim, report=report))
    if status != 0 or (out, err) != ref["output"]:
        common.fail(f"uptake {' '.join(args)} through the shim, with room: "
                    f"exit {status}, output unlike without it\n{err}")
    with open(report) as f:
        total = int(f.read())
    if total <= 0:
        common.fail("the shim counted no write: is it preloaded?")
    budgets = sorted({0, total - 1} | {total * i // POINTS
                                      for i in range(1, POINTS)})
    tries = [(b, None) for b in budgets] + \
        [(total * i // 5, "io") for i in range(1, 4)]
    seen = {"before": 0, "after": 0}
    lines = set()
    for budget, error in tries:
        prog.restore(saved)
        how = (f"{'I/O error' if error else 'disk full'} after {budget} of "
               f"{total} bytes")
        status, out, err, _ = common.run(
            args, prog.dir, env=shim_env(shim, budget=budget, error=error))
        state, line = judge(prog, ref, args, how, status, out, err,
                            ".uptake/state.db")
        seen[state] += 1
        if line:
            lines.add(line.replace(prog.dir, "DIR"))
    print(f"uptake {' '.join(args)}: {total} bytes written; {len(tries)} "
          f"budgets: {seen['before']} exit 74 with the store as it was, "
          f"{seen['after']} exit 0 (the disk filled after the commit)")
    for line in sorted(lines):
        print(f"    {line}")


def new_store_full(shim):
    """A store that cannot even be created: a clear error, no store that
    a later run cannot use."""
    prog = common.Program()
    try:
        args = ["import", "people", "people.csv"]
        ref_out, ref_err, _ = common.must(args, prog.dir)
        shutil.rmtree(os.path.join(prog.dir, ".uptake"))
        for budget in (0, 4096, 20000):
            status, out, err, _ = common.run(
                args, prog.dir, env=shim_env(shim, budget=budget))
            line = common.one_line_error(err, f"a new store, full after "
                                         f"{budget} bytes", status, {74})
            check, _ = prog.state()
            if check != "ok":
                common.fail(f"a new store, full after {budget} bytes: "
                            f"integrity_check says {check}")
            out, err = common.must(args, prog.dir)[:2]
            if (out, err) != (ref_out, ref_err):
                common.fail("a new store after a full disk: the next run "
                            f"differs:\n{out}{err}")
            shutil.rmtree(os.path.join(prog.dir, ".uptake"))
        print(f"a new store on a full disk: exit 74, "
              f"{line.replace(prog.dir, 'DIR')}")
    finally:
        prog.close()


def namespace():
    """The command prefix that gives a mount namespace where a tmpfs can
    be mounted, or None."""
    probe = tempfile.mkdtemp(prefix="uptake-crash-ns-")
    try:
        for prefix in (["unshare", "-m"], ["unshare", "-rm"]):
            if prefix == ["unshare", "-m"] and os.geteuid() != 0:
                continue
            try:
                p = subprocess.run(prefix + [
                    "sh", "-c", 'mount -t tmpfs -o size=64k tmpfs "$1"',
                    "sh", probe], capture_output=True, timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                continue
            if p.returncode == 0:
                return prefix
        return None
    finally:
        os.rmdir(probe)


# In the namespace: mount a tmpfs of $SIZE bytes on $MNT, put the store
# there, run uptake --db on it, and copy what is left out before the
# namespace (and the mount) goes.
INSIDE = r'''
set -u
mount -t tmpfs -o "size=$SIZE,mode=0755" tmpfs "$MNT" || exit 99
cp "$BEFORE" "$MNT/state.db" || exit 98
"$UPTAKE" --db "$MNT/state.db" "$@" >"$OUT/stdout" 2>"$OUT/stderr"
echo $? >"$OUT/status"
for f in "$MNT"/state.db*; do cp "$f" "$OUT/"; done
'''


def with_tmpfs(prefix, prog, saved, args):
    ref = common.reference(prog, saved, args, times=1)
    size = os.path.getsize(saved)
    out_dir = os.path.join(prog.tmp, "out")
    mnt = os.path.join(prog.tmp, "mnt")
    os.makedirs(mnt, exist_ok=True)
    seen = {"before": 0, "after": 0}
    lines = set()
    for free in FREE:
        shutil.rmtree(out_dir, ignore_errors=True)
        os.makedirs(out_dir)
        env = dict(common.ENV, SIZE=str(size + free), MNT=mnt, OUT=out_dir,
                   BEFORE=saved, UPTAKE=common.UPTAKE)
        p = subprocess.run(prefix + ["sh", "-c", INSIDE, "sh"] + args,
                           cwd=prog.dir, env=env, capture_output=True,
                           timeout=300)
        if p.returncode != 0:
            common.fail(f"the tmpfs run failed ({p.returncode}): "
                        f"{p.stderr.decode(errors='replace')}")

        def read(n):
            with open(os.path.join(out_dir, n), errors="replace") as f:
                return f.read()
        status, out, err = int(read("status")), read("stdout"), read("stderr")
        if status < 0 or status > 128 or any(s in err
                                             for s in common.SANITIZER):
            common.fail(f"uptake {' '.join(args)} with {free} bytes free "
                        f"crashed ({status}):\n{err}")
        # what was on the tmpfs becomes the program's store
        prog.restore(saved)
        os.unlink(prog.db)
        for n in os.listdir(out_dir):
            if n.startswith("state.db"):
                shutil.copyfile(os.path.join(out_dir, n),
                                os.path.join(os.path.dirname(prog.db), n))
        err = err.replace(os.path.join(mnt, "state.db"), "MNT/state.db")
        state, line = judge(prog, ref, args, f"{free} bytes free on a tmpfs",
                            status, out, err, "MNT/state.db")
        seen[state] += 1
        if line:
            lines.add(line)
    print(f"uptake {' '.join(args)} on a tmpfs with 0 to {FREE[-1]} bytes "
          f"free beside the {size}-byte store: {seen['before']} exit 74 with "
          f"the store as it was, {seen['after']} exit 0")
    for line in sorted(lines):
        print(f"    {line}")


def main(argv):
    common.need_env()
    if len(argv) != 1 or not os.path.exists(argv[0]):
        common.fail("usage: full.py SHIM (the built fullshim module)")
    shim = os.path.abspath(argv[0])
    prog = common.Program()
    try:
        before_import = common.prepare_import_before(prog)
        before_cycle = common.prepare_cycle_before(prog)
        with_shim(shim, prog, before_import, common.IMPORT)
        with_shim(shim, prog, before_cycle, common.CYCLE)
        new_store_full(shim)
        prefix = namespace()
        if prefix is None:
            print("SKIP the real file system: no mount namespace here "
                  "(unshare -m / -rm); the shim's runs above stand")
        else:
            with_tmpfs(prefix, prog, before_import, common.IMPORT)
            with_tmpfs(prefix, prog, before_cycle, common.CYCLE)
    finally:
        prog.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
