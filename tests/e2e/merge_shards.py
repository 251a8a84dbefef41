#!/usr/bin/env python3
"""merge_shards.py RAFTSIM WORKDIR: `raftsim merge` combines the JSON
reports of a sharded sweep into what the unsharded sweep reports (apart
from wall times and artifact choices, which are per shard), and refuses
with exit 2 -- so a lost shard cannot come out green -- a missing shard, a
shard given twice, a shard of another sweep, of another build, of another
system under test, and a file that is not a report. A shard stopped early makes the merge inconclusive
(exit 4)."""
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
SWEEP = [str(here / "sometimes_no_leader.json"), "NoIssueSanity", "--seeds", "1..6"]


def check(condition, what):
    if not condition:
        sys.exit(f"FAILED: {what}")


def run(*args):
    result = subprocess.run([raftsim, *args], capture_output=True, text=True)
    print(f"$ raftsim {' '.join(args)} -> {result.returncode}\n{result.stdout[-800:]}"
          f"{result.stderr[-800:]}")
    return result


def shard(index, count, *extra):
    path = work / f"shard{index}of{count}{''.join(extra).replace('-', '')}.json"
    run("run", *SWEEP, "--shard", f"{index}/{count}", "--jobs", "1", "--json", str(path),
        "--out", str(work / "failures"), *extra)
    return str(path)


def comparable(path):
    report = json.loads(pathlib.Path(path).read_text())
    for key in ("command",):
        report.pop(key)
    report["totals"].pop("wall_seconds")
    for row in report["scenarios"]:
        row.pop("wall_seconds")
        for case in row["cases"]:
            case.pop("wall_seconds", None)
    for failure in report["failures"]:
        for key in ("artifact", "replay", "note"):
            failure.pop(key, None)
    for group in report["groups"]:
        group.pop("replay")
    return report


whole = str(work / "whole.json")
run("run", *SWEEP, "--jobs", "1", "--json", whole, "--out", str(work / "whole-failures"))
shards = [shard(i, 3) for i in (1, 2, 3)]
merged, junit = str(work / "merged.json"), str(work / "merged.xml")
result = run("merge", *shards, "--json", merged, "--junit", junit)
check(result.returncode == 1, "the merged sweep has failures: exit 1")
check(comparable(merged) == comparable(whole), "merged shards report what the whole sweep does")
check(len(list(ET.parse(junit).getroot().iter("testcase"))) == 12, "JUnit: a case per run")
check(json.loads(pathlib.Path(merged).read_text())["shard"] == {"index": 1, "count": 1},
      "the merged report is unsharded")

refusals = {
    "a missing shard": shards[:2],
    "a shard given twice": [shards[0], shards[1], shards[1], shards[2]],
    "a shard of another sweep": [shards[0], shards[1], shard(3, 3, "--check-determinism")],
    "a shard of another shard count": [shards[0], shards[1], shard(3, 4)],
}
forged = json.loads(pathlib.Path(shards[2]).read_text())
forged["build"] = "gcc-0.0 release"
(work / "forged.json").write_text(json.dumps(forged))
refusals["a shard of another build"] = [shards[0], shards[1], str(work / "forged.json")]
foreign = json.loads(pathlib.Path(shards[2]).read_text())
foreign["sut"] = "canonical"
(work / "foreign.json").write_text(json.dumps(foreign))
refusals["a shard of another system under test"] = [shards[0], shards[1],
                                                     str(work / "foreign.json")]
(work / "junk.json").write_text('{"schema_version": 2, "command": 7}')
refusals["a file that is not a report"] = [shards[0], shards[1], str(work / "junk.json")]
for what, files in refusals.items():
    result = run("merge", *files, "--json", str(work / "refused.json"))
    check(result.returncode == 2, f"{what} is refused with exit 2")
    check(not (work / "refused.json").exists(), f"{what}: nothing is written")

stopped = [shard(i, 2, "--fail-fast") for i in (1, 2)]
result = run("merge", *stopped, "--json", str(work / "stopped.json"))
check(result.returncode == 1, "stopped shards with a failure: exit 1")
passing = []
for index in (1, 2):
    path = str(work / f"passing{index}.json")
    run("run", "NoIssueSanity", "--seeds", "1..4", "--shard", f"{index}/2", "--jobs", "1",
        "--json", path, "--out", str(work / "failures"))
    passing.append(path)
report = json.loads(pathlib.Path(passing[1]).read_text())
report["stopped_early"], report["stop_reason"] = True, "SIGTERM"
pathlib.Path(passing[1]).write_text(json.dumps(report))
result = run("merge", *passing, "--json", str(work / "inconclusive.json"))
check(result.returncode == 4, "a shard stopped early without failures: inconclusive, exit 4")
print("ok")
