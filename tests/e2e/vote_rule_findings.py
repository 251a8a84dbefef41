#!/usr/bin/env python3
"""vote_rule_findings.py RAFTSIM FINDINGS_DIR OUT: the kept findings that
deadlock under hashicorp's vote rule (fuzz/findings/README.md) still fail
with their kind, and the same schedules with "vote_rule": "thesis" elect a
leader and pass -- the regression test of the thesis rule (Raft thesis §4.1)."""
import json
import pathlib
import subprocess
import sys

raftsim, findings, out = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)
cases = [("swarm-254-no-leader.json", 254, "liveness/no_leader"),
         ("swarm-3453-calm-no-leader.json", 3453, "liveness/calm_no_leader")]
failed = 0


def run(path, seed, label):
    result = subprocess.run([raftsim, "run", str(path), "--seed", str(seed), "--jobs", "1",
                             "--out", str(out / label)], capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


for name, seed, kind in cases:
    scenario = json.loads((findings / name).read_text())
    assert scenario["raft"].get("vote_rule", "hashicorp") == "hashicorp", name
    status, text = run(findings / name, seed, "hashicorp-" + str(seed))
    if status != 1 or kind not in text:
        print(f"FAIL {name} under hashicorp's rule: expected exit 1 with {kind}, "
              f"got {status}\n{text[-1500:]}")
        failed += 1
    scenario["raft"]["vote_rule"] = "thesis"
    scenario["name"] += "-thesis"
    thesis = out / f"thesis-{seed}.json"
    thesis.write_text(json.dumps(scenario, indent=1))
    status, text = run(thesis, seed, "thesis-" + str(seed))
    if status != 0:
        print(f"FAIL {name} under the thesis rule: expected a pass, got exit {status}\n"
              f"{text[-1500:]}")
        failed += 1
print(f"vote rule findings: {2 * len(cases) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
