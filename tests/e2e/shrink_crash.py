#!/usr/bin/env python3
"""shrink_crash.py RAFTSIM SCENARIO WORKDIR [--sanitized]: a crash of the
system under test, end to end, on canonical/raft 0.15 (Debian), where
SCENARIO (swarm seed 233 as generated) dies of SIGSEGV.

- `raftsim run` turns the dead worker into crash/SIGSEGV, and its detail
  and run.json say the event and the simulated time it died in;
- `raftsim replay` of that artifact reproduces it and shows the run up to
  the event before, with the event it died in, and draws it (--html);
- `raftsim shrink` shrinks the crash itself (its start, candidates and
  final check run in workers, so the shrinker survives them): the shrunk
  artifact dies the same way in no later event, and --jobs 2 writes the
  same scenario as --jobs 1;
- `raftsim replay SCENARIO --seed N --sut canonical` (no artifact) runs it
  in a worker first and reports the crash instead of dying with it.

With --sanitized (an ASan build: its allocator keeps freed memory mapped,
so canonical's invalid access need not fault) a run that does not crash
skips the test (exit 77) and says so; in any other build it fails."""
import json
import pathlib
import re
import shutil
import subprocess
import sys

SKIP = 77


def run(*args):
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    print(f"$ {' '.join(map(str, args))}\n{result.stdout[-2500:]}{result.stderr[-1500:]}")
    return result


def check(condition, what):
    if not condition:
        sys.exit(f"FAILED: {what}")


def crash_of(artifact):
    manifest = json.loads((artifact / "run.json").read_text())
    return manifest["violation"]


def shrink(raftsim, artifact, out, jobs):
    shutil.rmtree(out, ignore_errors=True)
    result = run(raftsim, "shrink", artifact, "--out", out, "--no-progress", "--jobs", jobs)
    check(result.returncode == 0, f"shrink --jobs {jobs} exited {result.returncode}")
    return result.stdout


def main():
    raftsim, scenario, work = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    sanitized = "--sanitized" in sys.argv[4:]
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    swept = run(raftsim, "run", scenario, "--seed", "233", "--sut", "canonical", "--jobs", "1",
                "--no-progress", "--out", work / "run")
    artifact = work / "run" / "swarm-233-seed233"
    if swept.returncode == 0 and sanitized:
        print("SKIPPED: the sanitized build's allocator hides this crash (see the docstring)")
        sys.exit(SKIP)
    check(swept.returncode == 1, f"run exited {swept.returncode}, expected 1 (a crash)")
    violation = crash_of(artifact)
    check(violation["checker"] == "crash", f"run.json names {violation['checker']}")
    died = re.search(r"in event (\d+) at ([0-9.]+)s simulated", violation["detail"])
    check(died is not None, f"the crash detail says where it died: {violation['detail']}")
    event = int(died.group(1))
    check(event > 1, "it died after some events")
    check(violation["time_us"] > 0, "run.json keeps the simulated time of the crash")

    html = work / "crash.html"
    replayed = run(raftsim, "replay", artifact, "--last", "5", "--html", html)
    check(replayed.returncode == 1, f"replay exited {replayed.returncode}, expected 1")
    check("REPRODUCED" in replayed.stdout, "replay reproduces the crash")
    check(f"the run up to event {event - 1} (the worker died in the next, " in replayed.stdout,
          "replay shows the run up to the event before the crash, and names that event")
    check(html.exists() and html.stat().st_size > 1000, "replay --html draws the run")

    first = shrink(raftsim, artifact, work / "shrunk1", "1")
    check(f"crash/{violation['kind']}" in first, "the shrink keeps the crash as its goal")
    row = re.search(r"^  events +(\d+) +(\d+)", first, re.M)
    check(row and int(row.group(1)) == event and int(row.group(2)) <= event,
          "the shrunk run dies in no later event")
    shrunk_violation = crash_of(work / "shrunk1")
    check(shrunk_violation["kind"] == violation["kind"], "the shrunk artifact dies the same way")
    second = shrink(raftsim, artifact, work / "shrunk2", "2")
    check((work / "shrunk1" / "scenario.json").read_bytes() ==
          (work / "shrunk2" / "scenario.json").read_bytes(),
          "--jobs 2 shrinks the crash to the same scenario as --jobs 1")
    check(second.count("\n") > 5, "the second shrink printed its summary")
    again = run(raftsim, "replay", work / "shrunk1")
    check(again.returncode == 1 and "REPRODUCED" in again.stdout,
          "the shrunk artifact replays to the same crash")

    seed = json.loads((work / "shrunk1" / "run.json").read_text())["seed"]
    direct = run(raftsim, "replay", work / "shrunk1" / "scenario.json", "--seed", seed,
                 "--sut", "canonical")
    check(direct.returncode == 1, f"replay of scenario and seed exited {direct.returncode}")
    check("CRASHED" in direct.stdout, "replay of a scenario and seed reports the crash")
    print("ok")


main()
