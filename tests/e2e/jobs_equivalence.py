#!/usr/bin/env python3
"""jobs_equivalence.py RAFTSIM WORKDIR [--quick]: `raftsim run --jobs 2` and
`--jobs 1` give the same sweep: byte-identical --fingerprints, the same
JSON and JUnit reports once wall times (and the two runs' own --out
directories) are taken out, the same artifact directories, the same FAIL
lines and the same exit status.

Sweeps: the built-in suite on seeds 1..20 and swarm seeds 1..500 (left out
with --quick); and always two failing sweeps over tests/e2e scenarios, one
with --fail-fast, where the second scenario fails on every seed and its
first run (started early for the progress line's ETA) finishes long before
the first scenario's first failure (seed 3): the failure reported must
still be that one, the first in sweep order."""
import json
import pathlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

raftsim, workdir = sys.argv[1:3]
quick = "--quick" in sys.argv[3:]
work = pathlib.Path(workdir)
shutil.rmtree(work, ignore_errors=True)
work.mkdir(parents=True)
here = pathlib.Path(__file__).parent
SOMETIMES = str(here / "sometimes_no_leader.json")
ALWAYS = str(here / "no_leader_in_time.json")


def check(condition, what):
    if not condition:
        sys.exit(f"FAILED: {what}")


def sweep(name, jobs, args):
    out = work / f"{name}-jobs{jobs}"
    files = {kind: out.with_suffix(f".{kind}") for kind in ("txt", "json", "xml")}
    result = subprocess.run([raftsim, "run", *args, "--jobs", str(jobs), "--no-progress",
                             "--out", str(out), "--fingerprints", str(files["txt"]),
                             "--json", str(files["json"]), "--junit", str(files["xml"])],
                            capture_output=True, text=True)
    print(f"$ raftsim run {' '.join(args)} --jobs {jobs} -> {result.returncode}")
    return result, out, files


def normal_json(path, out):
    report = json.loads(path.read_text().replace(str(out), "OUT"))
    report["totals"].pop("wall_seconds")
    for row in report["scenarios"]:
        row.pop("wall_seconds")
        for case in row["cases"]:
            case.pop("wall_seconds", None)
    return report


def normal_junit(path, out):
    root = ET.fromstring(path.read_text().replace(str(out), "OUT"))
    for element in root.iter():
        element.attrib.pop("time", None)
    return ET.tostring(root)


def fail_lines(stdout, out):
    return [line.replace(str(out), "OUT") for line in stdout.splitlines()
            if not re.match(r"^\S+ +\d+ +\d+ +\d+ ", line) and "scenario" not in line[:9]]


def compare(name, args, expect_status):
    one, out1, files1 = sweep(name, 1, args)
    two, out2, files2 = sweep(name, 2, args)
    check(one.returncode == two.returncode == expect_status,
          f"{name}: exit {expect_status} both ways, got {one.returncode} and {two.returncode}")
    check(files1["txt"].read_bytes() == files2["txt"].read_bytes(), f"{name}: fingerprints")
    check(normal_json(files1["json"], out1) == normal_json(files2["json"], out2), f"{name}: JSON")
    check(normal_junit(files1["xml"], out1) == normal_junit(files2["xml"], out2), f"{name}: JUnit")
    listing = [sorted(p.name for p in out.iterdir()) if out.exists() else [] for out in (out1, out2)]
    check(listing[0] == listing[1], f"{name}: artifact directories {listing}")
    check(fail_lines(one.stdout, out1) == fail_lines(two.stdout, out2), f"{name}: FAIL lines")
    print(f"{name}: the same with --jobs 1 and 2 "
          f"({len(files1['txt'].read_text().splitlines())} runs, {len(listing[0])} artifacts)")
    return json.loads(files2["json"].read_text())


report = compare("fail-fast", [SOMETIMES, ALWAYS, "--seeds", "1..6", "--fail-fast"], 1)
# Positions go seed by seed: SometimesNoLeader 1 (passes), NoLeader 1 (fails).
check([(f["scenario"], f["seed"]) for f in report["failures"]] == [("NoLeader", 1)],
      f"--fail-fast reports the first failure in sweep order: {report['failures']}")
report = compare("artifacts", [SOMETIMES, ALWAYS, "--seeds", "1..12",
                               "--artifacts-per-signature", "2"], 1)
check(len(report["failures"]) == 15, "3 + 12 failures")
check(sum(1 for f in report["failures"] if f["artifact"]) == 4, "two artifacts per signature")
if not quick:
    compare("suite", ["--seeds", "1..20"], 0)
    compare("swarm", ["--swarm", "--seeds", "1..500"], 0)
print("ok")
