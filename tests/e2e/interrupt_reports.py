#!/usr/bin/env python3
"""interrupt_reports.py RAFTSIM WORKDIR: Ctrl-C (SIGINT) and a CI timeout's
SIGTERM stop a long sweep cleanly. For each signal, a sweep is started with
--junit, --json and --fingerprints pointing at files that already hold an
earlier report; while it runs, those files must still hold the earlier
report (nothing is truncated at start); once it has printed some finished
runs, it gets the signal and must exit 128 + the signal, having written
partial reports that parse, are marked as stopped early by that signal,
count the finished runs, and list every unrun seed as not run (JUnit:
skipped, naming the signal) -- none as skipped by the system under test."""
import json
import pathlib
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

raftsim, workdir = sys.argv[1:3]
work = pathlib.Path(workdir)
shutil.rmtree(work, ignore_errors=True)
work.mkdir(parents=True)
EARLIER = "an earlier report\n"
# Few seeds: under ASan, NoIssueSanity takes ~0.2 s a seed.
SEEDS = 50


def check(condition, what):
    if not condition:
        sys.exit(f"FAILED: {what}")


def interrupt(sig):
    name = signal.Signals(sig).name
    junit, summary, prints = (work / f"{name}.xml", work / f"{name}.json", work / f"{name}.txt")
    for path in (junit, summary, prints):
        path.write_text(EARLIER)
    # NoIssueSanity is quick, LeaderPartitions slow: the first row is done
    # (its table line printed) long before the sweep could end.
    process = subprocess.Popen(
        [raftsim, "run", "NoIssueSanity", "LeaderPartitions", "--seeds", f"1..{SEEDS}",
         "--jobs", "1", "--junit", str(junit), "--json", str(summary), "--fingerprints",
         str(prints), "--out", str(work / "failures")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    seen = ""
    while "NoIssueSanity" not in seen.split("\n", 1)[-1]:
        line = process.stdout.readline()
        check(line, "the sweep printed its first row before ending")
        seen += line
        check(time.monotonic() < deadline, "the first row within two minutes")
    for path in (junit, summary, prints):
        check(path.read_text() == EARLIER, f"{path.name} is untouched while the sweep runs")
    process.send_signal(sig)
    out, err = process.communicate(timeout=60)
    print(seen + out, err, sep="\n")
    check(process.returncode == 128 + sig, f"{name}: exit {128 + sig}, got {process.returncode}")

    report = json.loads(summary.read_text())
    check(report["stopped_early"] is True and report["stop_reason"] == name, "stopped by it")
    totals = report["totals"]
    check(totals["runs"] >= SEEDS, f"the finished runs are kept: {totals}")
    check(totals["runs"] + totals["not_run"] == 2 * SEEDS, "every seed is a run or not run")
    check(totals["skipped"] == 0 and report["skips"] == [], "no run skipped by the system")
    check(totals["failed"] == 0 and totals["passed"] == totals["runs"], "counts add up")
    rows = {row["name"]: row for row in report["scenarios"]}
    check(rows["NoIssueSanity"]["runs"] == SEEDS, "the first scenario finished")
    check(all(case["result"] == "not_run" for case in rows["LeaderPartitions"]["cases"]
              if case["seed"] > rows["LeaderPartitions"]["runs"]), "later seeds not run")

    root = ET.parse(junit).getroot()
    cases = list(root.iter("testcase"))
    check(len(cases) == 2 * SEEDS, "JUnit lists every seed")
    skipped = [case for case in cases if case.find("skipped") is not None]
    check(len(skipped) == totals["not_run"] == int(root.get("skipped")), "JUnit's skipped count")
    check(f"({name})" in skipped[0].find("skipped").get("message"), "the skip names the signal")
    lines = prints.read_text().splitlines()
    check(len(lines) == totals["runs"], "a fingerprint line per finished run")
    check(lines[0].startswith("NoIssueSanity 1 "), "fingerprints in sweep order")


interrupt(signal.SIGINT)
interrupt(signal.SIGTERM)
print("ok")
