#!/usr/bin/env python3
"""ci_outputs.py RAFTSIM FAILING_SCENARIO WORKDIR: `raftsim run` as a CI job
runs it. FAILING_SCENARIO fails on every seed; it is swept next to
NoIssueSanity, which passes, and its artifacts go to a directory whose name
is full of XML and shell metacharacters (a scenario name cannot have any).
Checks that:
  - the JUnit XML parses (xml.etree) into a suite per scenario and a case
    per run, with a <failure> per failing run;
  - the JSON summary has docs/ci.md's fields and counts;
  - the failures are grouped into one signature with its first seed, and
    that group's replay command (shell-quoted) replays the artifact;
  - no progress line is drawn when stderr is not a terminal;
  - two shards' test cases are disjoint and together the whole sweep.
"""
import json
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

raftsim, failing_scenario, workdir = sys.argv[1:4]
work = pathlib.Path(workdir)
shutil.rmtree(work, ignore_errors=True)
work.mkdir(parents=True)
NAME = json.loads(pathlib.Path(failing_scenario).read_text())["name"]


def check(condition, what):
    if not condition:
        sys.exit(f"FAILED: {what}")


def run(*args):
    result = subprocess.run([raftsim, "run", *args, "--jobs", "1"], capture_output=True, text=True)
    print("$ raftsim run", " ".join(args), "->", result.returncode)
    print(result.stdout[-6000:], result.stderr[-2000:])
    return result


def check_junit(path):
    root = ET.parse(path).getroot()
    check(root.tag == "testsuites", "the root is <testsuites>")
    check(root.get("tests") == "6" and root.get("failures") == "3", "testsuites totals")
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    check(set(suites) == {NAME, "NoIssueSanity"}, f"one suite per scenario: {set(suites)}")
    failing, passing = suites[NAME], suites["NoIssueSanity"]
    check(failing.get("tests") == "3" and failing.get("failures") == "3", "failing suite counts")
    check(passing.get("tests") == "3" and passing.get("failures") == "0", "passing suite counts")
    for suite in (failing, passing):
        cases = suite.findall("testcase")
        check([case.get("name") for case in cases] == ["seed 1", "seed 2", "seed 3"], "cases")
        check(all(case.get("classname") == suite.get("name") for case in cases), "classname")
        check(all(float(case.get("time")) >= 0 for case in cases), "case times")
        float(suite.get("time"))
    for case in failing.findall("testcase"):
        failure = case.find("failure")
        check(failure is not None, "a failing run has a <failure>")
        check(failure.get("message") == "liveness/no_leader", "failure message")
        check(failure.get("type") == "liveness", "failure type")
        check("artifact: " in failure.text and "replay: raftsim replay " in failure.text,
              "the failure names its artifact and replay command")
        check(f"artifact: {OUT}/{NAME}-seed" in failure.text,
              "the artifact path, metacharacters and all, survives the XML")
    check(all(case.find("failure") is None for case in passing.findall("testcase")),
          "passing runs have no <failure>")


def check_json(path):
    summary = json.loads(path.read_text())
    for key in ("schema_version", "command", "build", "mode", "check_determinism", "seeds",
                "shard", "stopped_early", "totals", "scenarios", "failures", "groups"):
        check(key in summary, f"JSON has {key}")
    check(summary["seeds"] == {"first": 1, "last": 3}, "seeds")
    check(summary["shard"] == {"index": 1, "count": 1}, "shard")
    totals = summary["totals"]
    check((totals["runs"], totals["passed"], totals["failed"]) == (6, 3, 3), "totals")
    check([row["name"] for row in summary["scenarios"]] == [NAME, "NoIssueSanity"], "rows")
    check(len(summary["failures"]) == 3, "three failures")
    for seed, failure in enumerate(summary["failures"], start=1):
        check(failure["scenario"] == NAME and failure["seed"] == seed, "failure scenario/seed")
        check((failure["checker"], failure["kind"]) == ("liveness", "no_leader"), "failure kind")
        check(re.fullmatch("[0-9a-f]{16}", failure["fingerprint"]), "fingerprint is hex")
        check(failure["time_us"] > 0 and failure["detail"], "time and detail")
        check(pathlib.Path(failure["artifact"]).is_dir(), "the artifact exists")
        check(failure["replay"].startswith("raftsim replay "), "replay command")
    check(len(summary["groups"]) == 1, "one group")
    group = summary["groups"][0]
    check(group["count"] == 3 and group["first_seed"] == 1, "the group's count and first seed")
    check(group["signature"] == f"liveness/no_leader in {NAME}", "the group's signature")
    return group


def check_replay(command):
    words = shlex.split(command)
    check(words[:2] == ["raftsim", "replay"], "a replay command")
    replayed = subprocess.run([raftsim, *words[1:]], capture_output=True, text=True)
    print(replayed.stdout[-1500:])
    check(replayed.returncode == 1 and "MATCHES" in replayed.stdout,
          "the group's replay command reproduces the failure")


def check_shards():
    names = []
    for shard in ("1/2", "2/2"):
        junit = work / f"shard{shard[0]}.xml"
        run(failing_scenario, "NoIssueSanity", "--seeds", "1..3", "--shard", shard,
            "--junit", str(junit), "--out", str(work / "shard-failures"))
        root = ET.parse(junit).getroot()
        names.append({(case.get("classname"), case.get("name")) for case in root.iter("testcase")})
    check(not names[0] & names[1], "shards are disjoint")
    check(len(names[0] | names[1]) == 6, "shards cover the sweep")


junit, summary = work / "junit.xml", work / "summary.json"
# The artifact paths land in the JUnit text (escaped) and in replay commands
# (shell-quoted), so this name tests both.
OUT = work / "fail<&>'\"ures"
result = run(failing_scenario, "NoIssueSanity", "--seeds", "1..3", "--junit", str(junit),
             "--json", str(summary), "--out", str(OUT))
check(result.returncode == 1, "a failing sweep exits 1")
check("\r" not in result.stderr and "runs," not in result.stderr,
      "no progress line when stderr is not a terminal")
check_junit(junit)
group = check_json(summary)
lines = result.stdout.splitlines()
check("1 distinct failure:" in lines, "the dedup summary's header")
line = lines[lines.index("1 distinct failure:") + 1]
check(line.strip().startswith(f"3x  liveness/no_leader in {NAME}  (first: {NAME} seed 1)  "),
      f"the dedup line: {line!r}")
check(line.endswith(group["replay"]), "the dedup line ends with the replay command")
check(lines[-1] == "3 failed", "the last line is the verdict")
check_replay(group["replay"])
check_shards()
print("ok")
