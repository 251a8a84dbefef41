#!/usr/bin/env python3
"""history_unknown.py RAFTSIM WORKDIR: a client history the linearizability
check cannot decide (its search reached a cap) is reported, and is not a
failure (docs/ci.md, "Undecided history checks").

`--history-max-steps 1` leaves the check of every KvPartitions run unknown;
NoIssueSanity has no clients, so nothing to check. The sweep:
  - exits 0, with an UNKNOWN line per KvPartitions run naming the cap, a
    summary line counting them, and a verdict that says so;
  - JSON: each such case has "linearizability" (verdict, cap, limit, counts),
    the row and the totals count them, and the command repeats the option;
  - JUnit: each such test case has linearizability properties and a
    <system-out>, and no <failure>, <error> or <skipped>;
  - `raftsim merge` of two shards keeps them.
`raftsim replay` with the option says so under the run's line; without the
option the same runs are decided (linearizable) and nothing is reported."""
import json
import pathlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

raftsim, workdir = sys.argv[1:3]
work = pathlib.Path(workdir)
shutil.rmtree(work, ignore_errors=True)
work.mkdir(parents=True)


def check(condition, what):
    if not condition:
        sys.exit(f"FAILED: {what}")


def run(*args):
    result = subprocess.run([raftsim, *args], capture_output=True, text=True, timeout=300)
    print(f"$ raftsim {' '.join(args)} -> {result.returncode}\n{result.stdout[-2500:]}"
          f"{result.stderr[-1500:]}")
    return result


def sweep(label, *args):
    reports = {kind: work / f"{label}.{kind}" for kind in ("json", "xml")}
    result = run("run", *args, "--jobs", "1", "--no-progress", "--json", str(reports["json"]),
                 "--junit", str(reports["xml"]), "--out", str(work / f"{label}-failures"))
    check(result.returncode == 0, f"{label}: exit 0 (an unknown check is not a failure)")
    return result, json.loads(reports["json"].read_text()), ET.parse(reports["xml"]).getroot()


def check_terminal(stdout):
    lines = stdout.splitlines()
    unknown = [line for line in lines if line.startswith("UNKNOWN ")]
    check(len(unknown) == 2, f"an UNKNOWN line per KvPartitions run, got {unknown}")
    for seed, line in zip((1, 2), unknown):
        check(re.match(rf"UNKNOWN KvPartitions seed {seed}: history check undecided: the "
                       r"linearizability check reached its cap of 1 search step per key on key "
                       r"\d+ before deciding \(\d+ operations on 6 keys, \d+ steps, memo at most "
                       r"\d+ bytes on a key\); not a failure$", line), f"the UNKNOWN line: {line}")
    check(any(line.startswith("history check unknown in 2 of 4 runs: ") for line in lines),
          "the summary counts the unknown checks")
    check(lines[-1] == "all 4 runs made passed; 2 history checks unknown",
          f"the verdict says so: {lines[-1]}")


def check_json(summary):
    check(summary["totals"]["history_unknown"] == 2, "the totals count them")
    check(summary["totals"]["passed"] == 4 and summary["totals"]["failed"] == 0,
          "they passed: the check cannot fail a run by not deciding")
    check("--history-max-steps 1" in summary["command"], "the command repeats the option")
    kv, sanity = summary["scenarios"]
    check(kv["name"] == "KvPartitions" and kv["history_unknown"] == 2, "the row counts them")
    check(sanity["history_unknown"] == 0, "no clients, no check")
    for case in kv["cases"]:
        verdict = case.get("linearizability", {})
        check(case["result"] == "passed" and verdict.get("verdict") == "unknown",
              f"a passed case with an unknown verdict: {case}")
        check(verdict["cap"] == "steps" and verdict["limit"] == 1 and verdict["keys"] == 6 and
              verdict["operations"] > 100 and verdict["steps"] >= 6,
              f"the cap and the check's counts: {verdict}")
    check(all("linearizability" not in case for case in sanity["cases"]),
          "NoIssueSanity's cases have no verdict")


def check_junit(root):
    check(root.get("failures") == "0" and root.get("errors") == "0" and
          root.get("skipped") == "0", "JUnit counts no failure, error or skip")
    kv = root.find("testsuite[@name='KvPartitions']")
    for case in kv.findall("testcase"):
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        check(properties == {"linearizability": "unknown", "linearizability_cap": "steps"},
              f"{case.get('name')}: the properties, got {properties}")
        out = case.find("system-out")
        check(out is not None and out.text.startswith("history check unknown: "),
              f"{case.get('name')}: the output says why")
        check(all(case.find(tag) is None for tag in ("failure", "error", "skipped")),
              f"{case.get('name')}: neither failed, errored nor skipped")
    sanity = root.find("testsuite[@name='NoIssueSanity']")
    check(all(len(case) == 0 for case in sanity.findall("testcase")),
          "NoIssueSanity's test cases stay empty")


def check_merge():
    shards = []
    for index in (1, 2):
        path = work / f"shard{index}.json"
        result = run("run", "KvPartitions", "--seeds", "1..2", "--shard", f"{index}/2",
                     "--history-max-steps", "1", "--jobs", "1", "--no-progress",
                     "--json", str(path), "--out", str(work / "shard-failures"))
        check(result.returncode == 0, f"shard {index} passes")
        shards.append(str(path))
    merged = work / "merged.json"
    result = run("merge", *shards, "--json", str(merged))
    check(result.returncode == 0 and "; 2 history checks unknown" in result.stdout,
          "merge says how many checks were unknown")
    summary = json.loads(merged.read_text())
    check(summary["totals"]["history_unknown"] == 2, "the merged totals keep them")


def main():
    result, summary, root = sweep("capped", "KvPartitions", "NoIssueSanity", "--seeds", "1..2",
                                  "--history-max-steps", "1")
    check_terminal(result.stdout)
    check_json(summary)
    check_junit(root)
    check_merge()

    replay = run("replay", "KvPartitions", "--seed", "1", "--history-max-steps", "1")
    check(replay.returncode == 0, "replay: the run passes")
    check(replay.stdout.splitlines()[1].startswith(
        "history check UNKNOWN: the linearizability check reached its cap of 1 search step"),
        "replay says so under the run's line")

    result, summary, root = sweep("default", "KvPartitions", "--seed", "1")
    check("UNKNOWN" not in result.stdout and result.stdout.splitlines()[-1] == "all passed",
          "with the default caps the run's check is decided")
    check(summary["totals"]["history_unknown"] == 0, "and nothing is reported")
    check(summary["sweep"] != json.loads((work / "capped.json").read_text())["sweep"],
          "the option is part of the sweep's identity")
    print("history unknown: ok")


main()
