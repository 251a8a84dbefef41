#!/usr/bin/env python3
"""lease_drift.py RAFTSIM SCENARIO OUT: clock drift beyond the configured
bound breaks lease reads, and only them (issue 16).

SCENARIO is scenarios/unsafe/LeaseDriftBeyondBound.json. Without its
"expect" entries (so every failure counts), it must fail within seeds
1..200 with linearizability/not_linearizable, and the get whose stale value
the checker's window shows must be a lease read (the window's text says how
each get was served). The same scenario with the lease reads' weight
given to reads through the log and ReadIndex reads must pass seeds 1..200:
the same drift, partitions and seeds, no violation."""
import json
import pathlib
import re
import shutil
import subprocess
import sys

raftsim, scenario, out = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
shutil.rmtree(out, ignore_errors=True)
out.mkdir(parents=True)
SEEDS = "1..200"


def variant(name, change):
    spec = json.loads(scenario.read_text())
    spec.pop("expect", None)
    change(spec["clients"]["mix"])
    path = out / f"{name}.json"
    path.write_text(json.dumps(spec, indent=1))
    return path


def run(path, *extra):
    summary = out / f"{path.stem}-summary.json"
    result = subprocess.run([raftsim, "run", str(path), "--seeds", SEEDS, "--json", str(summary),
                             "--out", str(out / f"{path.stem}-failures"), *extra],
                            capture_output=True, text=True)
    return result, json.loads(summary.read_text())


def lease_read_in_window(failure):
    """Whether a get of the failure's window was a lease read: the window's
    lines name how each get was served ("get[lease](k3) -> 17")."""
    gets = re.findall(r"#(\d+)\s+client \d+\s+get\[(\w+)\]\(", failure["detail"])
    if not gets:
        return False, "no get in the window"
    found = dict(gets)
    return "lease" in found.values(), f"reads in the window: {found}"


def main():
    problems = []
    as_written = variant("lease", lambda mix: None)
    result, summary = run(as_written, "--fail-fast")
    failures = summary["failures"]
    if result.returncode != 1 or not failures:
        problems.append(f"lease reads: wanted a failure within seeds {SEEDS}, "
                        f"exit {result.returncode}\n{result.stdout[-1500:]}")
    else:
        first = failures[0]
        got = (first["checker"], first["kind"])
        print(f"lease reads: seed {first['seed']} fails with {got[0]}/{got[1]}")
        if got != ("linearizability", "not_linearizable"):
            problems.append(f"lease reads: failed with {got}, wanted linearizability")
        else:
            lease, said = lease_read_in_window(first)
            print(f"  {said}")
            if not lease:
                problems.append(f"lease reads: the window has no lease read ({said})")

    def without_lease(mix):
        weight = mix.pop("lease_read")
        mix["get"] = mix.get("get", 0) + weight // 2
        mix["read_index"] = mix.get("read_index", 0) + weight - weight // 2

    safe = variant("log-and-read-index", without_lease)
    result, summary = run(safe)
    totals = summary["totals"]
    print(f"log and ReadIndex reads: {totals}")
    if result.returncode != 0 or summary["failures"]:
        problems.append(f"log and ReadIndex reads: wanted seeds {SEEDS} to pass, "
                        f"exit {result.returncode}\n{result.stdout[-1500:]}")
    for problem in problems:
        print(f"FAILED {problem}")
    return 1 if problems else 0


sys.exit(main())
