#!/usr/bin/env python3
"""worker_killed.py RAFTSIM WORKDIR: a worker process that dies on a signal
(here SIGKILL, sent from outside, as a crashing system under test would die
of SIGSEGV) becomes a failure of its own kind, crash/SIGKILL, with an
artifact holding the scenario and seed, and the sweep goes on to run every
other seed. Replaying that artifact runs it in a worker again: the run now
finishes, so the replay says it did not reproduce (exit 3)."""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

raftsim, workdir = sys.argv[1:3]
work = pathlib.Path(workdir)
shutil.rmtree(work, ignore_errors=True)
work.mkdir(parents=True)


def check(condition, what):
    if not condition:
        sys.exit(f"FAILED: {what}")


def children(pid):
    found = []
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


summary = work / "summary.json"
process = subprocess.Popen([raftsim, "run", "LeaderPartitions", "--seeds", "1..12", "--jobs", "2",
                            "--json", str(summary), "--out", str(work / "failures")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
deadline = time.monotonic() + 60
workers = []
while not workers and time.monotonic() < deadline:
    time.sleep(0.05)
    workers = children(process.pid)
check(workers, "the sweep started worker processes")
time.sleep(0.3)  # mid-run
os.kill(workers[0], signal.SIGKILL)
out, err = process.communicate(timeout=300)
print(out, err, sep="\n")
check(process.returncode == 1, f"a crash is a failure: exit 1, got {process.returncode}")
report = json.loads(summary.read_text())
check(report["totals"]["runs"] == 12, "every seed ran: the sweep went on")
failures = report["failures"]
check(len(failures) == 1, f"one failure: {failures}")
failure = failures[0]
check((failure["checker"], failure["kind"]) == ("crash", "SIGKILL"), "crash/SIGKILL")
check(f"FAIL LeaderPartitions seed {failure['seed']}: crash/SIGKILL" in out, "a FAIL line")
artifact = pathlib.Path(failure["artifact"])
check((artifact / "scenario.json").is_file() and (artifact / "run.json").is_file(),
      "the artifact holds the scenario and run.json")
manifest = json.loads((artifact / "run.json").read_text())
check(manifest["violation"]["checker"] == "crash" and manifest["seed"] == failure["seed"],
      "run.json names the crash and the seed")
replayed = subprocess.run([raftsim, "replay", str(artifact)], capture_output=True, text=True)
print(replayed.stdout, replayed.stderr)
check(replayed.returncode == 3 and "DIFFERS" in replayed.stdout,
      "an outside kill does not reproduce: replay exits 3")
print("ok")
