#!/usr/bin/env python3
"""expect_outcomes.py RAFTSIM WORKDIR: a scenario's "expect" entries in
`raftsim run`, end to end (docs/ci.md, "Expected failures"), on crafted
scenarios that take milliseconds:

  - a run that fails exactly as its applicable entry says is an expected
    failure: exit 0, an XFAIL line, a passing JUnit test case with an
    "expected_failure" property and <system-out>, "expected_failure" in the
    JSON (per case, per row, in the totals, with its record), and a verdict
    that counts it; seeds without an entry fail as before;
  - a failure with another checker or kind is an ordinary failure (exit 1)
    whose detail says what was expected;
  - a pass where a failure was expected fails the sweep (exit 1) as
    expect/unexpected_pass;
  - an entry whose fixed_in the system's version has reached, or one for
    another system, changes nothing;
  - `raftsim merge` of shard reports keeps the expected failures."""
import json
import pathlib
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

raftsim, workdir = sys.argv[1:3]
work = pathlib.Path(workdir)
shutil.rmtree(work, ignore_errors=True)
work.mkdir(parents=True)
here = pathlib.Path(__file__).parent
FAILING = json.loads((here / "no_leader_in_time.json").read_text())
PASSING = json.loads((here.parent.parent / "scenarios" / "builtin" / "NoIssueSanity.json")
                     .read_text())
NO_LEADER = {"checker": "liveness", "kind": "no_leader"}


def check(condition, what):
    if not condition:
        sys.exit(f"FAILED: {what}")


def run(*args):
    result = subprocess.run([raftsim, *args], capture_output=True, text=True)
    print(f"$ raftsim {' '.join(args)} -> {result.returncode}\n{result.stdout[-2500:]}"
          f"{result.stderr[-1500:]}")
    return result


def scenario(label, base, expect):
    path = work / f"{label}-scenario.json"
    path.write_text(json.dumps(dict(base, expect=expect), indent=1))
    return path


def sweep(label, path, *seeds):
    reports = {kind: work / f"{label}.{kind}" for kind in ("json", "xml")}
    result = run("run", str(path), *seeds, "--jobs", "1", "--json", str(reports["json"]),
                 "--junit", str(reports["xml"]), "--out", str(work / f"{label}-failures"))
    return result, json.loads(reports["json"].read_text()), ET.parse(reports["xml"]).getroot()


def raftsim_version():
    lines = run("run", "--list-suts").stdout.splitlines()
    at = lines.index("raftsim (the default)")
    check(lines[at + 2].startswith("  version:"), "--list-suts gives raftsim's version")
    return lines[at + 2].split()[1]


def check_expected_failure():
    path = scenario("xfail", FAILING, [
        {"seed": 1, "fails_with": NO_LEADER, "fixed_in": "999.0", "why": "crafted"},
        {"seed": 2, "fails_with": NO_LEADER}])
    result, summary, junit = sweep("xfail", path, "--seeds", "1..2")
    check(result.returncode == 0, "expected failures alone exit 0")
    lines = result.stdout.splitlines()
    check("XFAIL NoLeader seed 1: liveness/no_leader at 0.010000s (expected: fixed upstream in "
          "999.0)" in lines, "the XFAIL line names the failure and why it is expected")
    check("XFAIL NoLeader seed 2: liveness/no_leader at 0.010000s (expected: a kept finding)"
          in lines, "an entry without fixed_in or why is a kept finding")
    check(not any(line.startswith("FAIL") for line in lines), "no FAIL line")
    check(lines[-1] == "all 2 runs made passed or failed as expected; 2 expected failures",
          f"the verdict counts them: {lines[-1]!r}")
    check(any(line.startswith("NoLeader") and line.endswith("2 expected failures")
              for line in lines), "the table's row counts them")
    totals, row = summary["totals"], summary["scenarios"][0]
    check(summary["schema_version"] == 4 and summary["sut_version"], "schema 4, the version")
    check((totals["failed"], totals["expected_failures"], totals["passed"]) == (0, 2, 0),
          f"totals: {totals}")
    check((row["failed"], row["expected_failures"]) == (0, 2), "the row's counts")
    check([case["result"] for case in row["cases"]] == ["expected_failure"] * 2, "cases")
    check([case["expected"] for case in row["cases"]] == [0, 1], "cases name their records")
    record = summary["expected_failures"][0]
    check((record["checker"], record["kind"], record["seed"], record["fixed_in"], record["why"])
          == ("liveness", "no_leader", 1, "999.0", "crafted"), f"the record: {record}")
    check(record["replay"].startswith("raftsim replay ") and not summary["failures"],
          "a replay command, no failure")
    check(junit.get("failures") == "0" and junit.get("skipped") == "0", "JUnit totals")
    for case in junit.iter("testcase"):
        check(all(case.find(tag) is None for tag in ("failure", "skipped", "error")),
              "an expected failure is a passing JUnit test case")
        prop = case.find("properties/property")
        check(prop is not None and prop.get("name") == "expected_failure"
              and prop.get("value") == "liveness/no_leader", "its property")
        check("expected failure: liveness/no_leader" in case.find("system-out").text,
              "its system-out")
    # A seed without an entry fails as before.
    result, summary, _ = sweep("xfail-and-fail", path, "--seeds", "1..3")
    check(result.returncode == 1 and "FAIL NoLeader seed 3: liveness/no_leader" in result.stdout,
          "a seed without an entry still fails")
    check(result.stdout.splitlines()[-1] == "1 failed; 2 expected failures", "the verdict")
    check(summary["totals"]["failed"] == 1 and summary["totals"]["expected_failures"] == 2,
          "the totals of a mixed sweep")
    return path


def check_other_failure():
    path = scenario("other", FAILING, [
        {"seed": 1, "fails_with": {"checker": "liveness", "kind": "calm_no_leader"}}])
    result, summary, _ = sweep("other", path, "--seed", "1")
    check(result.returncode == 1, "another failure than the expected one exits 1")
    failure = summary["failures"][0]
    check((failure["checker"], failure["kind"]) == ("liveness", "no_leader"), "its own kind")
    check(failure["detail"].endswith("(expect[0] expects liveness/calm_no_leader instead)"),
          f"the detail says what was expected: {failure['detail']!r}")
    check(summary["scenarios"][0]["cases"][0]["result"] == "failed", "the case failed")


def check_unexpected_pass():
    path = scenario("unexpected-pass", PASSING, [{"seed": 1, "fails_with": NO_LEADER}])
    result, summary, junit = sweep("unexpected-pass", path, "--seed", "1")
    check(result.returncode == 1, "a pass where a failure was expected exits 1")
    check("FAIL NoIssueSanity seed 1: expect/unexpected_pass at " in result.stdout,
          "the FAIL line")
    failure = summary["failures"][0]
    check((failure["checker"], failure["kind"]) == ("expect", "unexpected_pass"), "its kind")
    check("expects liveness/no_leader" in failure["detail"] and
          "update or remove the expectation" in failure["detail"], "its detail")
    check(failure["artifact"] == "" and "the run passed" in failure["note"], "no artifact")
    check(junit.find("testsuite/testcase/failure").get("message") == "expect/unexpected_pass",
          "JUnit shows the failure")


def check_inapplicable(version):
    # Fixed in this very version: the seed must pass, so its failure fails.
    path = scenario("fixed", FAILING, [{"seed": 1, "fails_with": NO_LEADER, "fixed_in": version}])
    result, summary, _ = sweep("fixed", path, "--seed", "1")
    check(result.returncode == 1 and "expect[" not in summary["failures"][0]["detail"],
          "an entry fixed in this version leaves a failure a plain failure")
    path = scenario("fixed-pass", PASSING, [{"seed": 1, "fails_with": NO_LEADER,
                                             "fixed_in": "0.0.1"}])
    result, _, _ = sweep("fixed-pass", path, "--seed", "1")
    check(result.returncode == 0 and result.stdout.splitlines()[-1] == "all passed",
          "an entry fixed before this version lets a pass pass")
    path = scenario("other-sut", FAILING, [{"sut": "not-built", "seed": 1,
                                            "fails_with": NO_LEADER}])
    result, _, _ = sweep("other-sut", path, "--seed", "1")
    check(result.returncode == 1 and "XFAIL" not in result.stdout,
          "an entry for another system changes nothing")


def check_merge(path):
    shards = []
    for index in (1, 2):
        shard = work / f"shard{index}.json"
        result = run("run", str(path), "--seeds", "1..2", "--shard", f"{index}/2", "--jobs", "1",
                     "--json", str(shard), "--out", str(work / "shard-failures"))
        check(result.returncode == 0, "each shard exits 0")
        shards.append(str(shard))
    merged = work / "merged.json"
    result = run("merge", *shards, "--json", str(merged))
    check(result.returncode == 0, "the merge of expected failures exits 0")
    check("2 runs, 0 passed, 0 failed, 0 aborted, 0 not run; 2 expected failures"
          in result.stdout, "the merge's line counts them")
    summary = json.loads(merged.read_text())
    check(summary["totals"]["expected_failures"] == 2, "merged totals")
    check([record["seed"] for record in summary["expected_failures"]] == [1, 2],
          "merged records, in sweep order")
    check([case.get("expected") for case in summary["scenarios"][0]["cases"]] == [0, 1],
          "merged cases name their records")


path = check_expected_failure()
check_other_failure()
check_unexpected_pass()
check_inapplicable(raftsim_version())
check_merge(path)
print("ok")
