#!/usr/bin/env python3
"""vote_rule_findings.py RAFTSIM FINDINGS_DIR OUT: the kept findings that
deadlock under hashicorp's vote rule (fuzz/findings/README.md) still fail
with their kind -- as the expected failures their "expect" entries name,
so the run exits 0 -- and the same schedules with "vote_rule": "thesis",
and no expectation, elect a leader and pass: the regression test of the
thesis rule (Raft thesis §4.1)."""
import json
import pathlib
import subprocess
import sys

raftsim, findings, out = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)
cases = [("swarm-254-no-leader.json", 254, "liveness/no_leader"),
         ("swarm-3453-calm-no-leader.json", 25, "liveness/calm_no_leader"),
         ("swarm-4506-calm-no-leader.json", 4506, "liveness/calm_no_leader")]
failed = 0


def run(path, seed, label):
    summary = out / f"{label}.json"
    result = subprocess.run([raftsim, "run", str(path), "--seed", str(seed), "--jobs", "1",
                             "--json", str(summary), "--out", str(out / label)],
                            capture_output=True, text=True)
    report = json.loads(summary.read_text()) if summary.exists() else None
    return result.returncode, result.stdout + result.stderr, report


def result_of(report):
    return report["scenarios"][0]["cases"][0]["result"] if report else None


for name, seed, kind in cases:
    scenario = json.loads((findings / name).read_text())
    assert scenario["raft"].get("vote_rule", "hashicorp") == "hashicorp", name
    entries = [entry for entry in scenario.get("expect", [])
               if entry.get("sut", "raftsim") == "raftsim" and entry["seed"] == seed]
    assert len(entries) == 1, f"{name} expects its failure on raftsim seed {seed}"
    status, text, report = run(findings / name, seed, "hashicorp-" + str(seed))
    if status != 0 or result_of(report) != "expected_failure" or "XFAIL" not in text \
            or kind not in text:
        print(f"FAIL {name} under hashicorp's rule: expected exit 0, an expected failure with "
              f"{kind}, got {status} ({result_of(report)})\n{text[-1500:]}")
        failed += 1
    scenario["raft"]["vote_rule"] = "thesis"
    scenario["name"] += "-thesis"
    # The thesis rule removes the deadlock: nothing is expected to fail.
    scenario.pop("expect")
    thesis = out / f"thesis-{seed}.json"
    thesis.write_text(json.dumps(scenario, indent=1))
    status, text, report = run(thesis, seed, "thesis-" + str(seed))
    if status != 0 or result_of(report) != "passed":
        print(f"FAIL {name} under the thesis rule: expected a pass, got exit {status} "
              f"({result_of(report)})\n{text[-1500:]}")
        failed += 1
print(f"vote rule findings: {2 * len(cases) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
