#!/usr/bin/env python3
"""shrink_e2e.py RAFTSIM SCENARIO OUT: `raftsim shrink` end to end.

Shrinks SCENARIO (which fails with liveness/no_leader on seed 1) into OUT and
checks: exit 0, the before/after table shows at least 10x fewer events, the
written scenario.json fails the same way on its own with `raftsim run`, the
shrunk artifact replays with a matching fingerprint, and a second shrink
writes a byte-identical scenario (shrinking is deterministic)."""
import pathlib
import re
import shutil
import subprocess
import sys


def run(*args):
    result = subprocess.run(list(args), capture_output=True, text=True)
    print(f"$ {' '.join(args)}\n{result.stdout[-3000:]}{result.stderr[-1500:]}")
    return result


def fail(message):
    sys.exit(f"FAILED: {message}")


def shrink_into(raftsim, scenario, out):
    shutil.rmtree(out, ignore_errors=True)
    shrunk = run(raftsim, "shrink", scenario, "--seed", "1", "--out", str(out), "--no-progress",
                 "--jobs", "1")
    if shrunk.returncode != 0:
        fail(f"shrink exited {shrunk.returncode}")
    return shrunk.stdout


def main():
    raftsim, scenario, out = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    output = shrink_into(raftsim, scenario, out / "first")
    row = re.search(r"^  events +(\d+) +(\d+)", output, re.M)
    if not row:
        fail("no events row in the before/after table")
    before, after = int(row.group(1)), int(row.group(2))
    if after * 10 > before:
        fail(f"events {before} -> {after}: less than a 10x cut")
    rerun = run(raftsim, "run", str(out / "first" / "scenario.json"), "--seed", "1",
                "--out", str(out / "rerun"), "--no-progress")
    if rerun.returncode != 1 or "liveness/no_leader" not in rerun.stdout:
        fail("the shrunk scenario.json does not fail with liveness/no_leader on its own")
    replayed = run(raftsim, "replay", str(out / "first"), "--around", "5")
    if replayed.returncode != 1 or "MATCHES" not in replayed.stdout:
        fail("the shrunk artifact does not replay with a matching fingerprint")
    shrink_into(raftsim, scenario, out / "second")
    first = (out / "first" / "scenario.json").read_bytes()
    if first != (out / "second" / "scenario.json").read_bytes():
        fail("two shrinks of the same failure wrote different scenarios")
    print(f"ok: events {before} -> {after}")


if __name__ == "__main__":
    main()
