#!/usr/bin/env python3
"""sut_choice.py RAFTSIM WORKDIR: `--sut` on the command line, end to end.

  - `run --list-suts` lists every system this build has, raftsim first as
    the default, with its description, version, durability contract and capabilities;
  - an unknown `--sut` is a usage error (exit 2) listing the systems, on
    every command that takes it; `--sut canonical` in a build without the
    adapter says how to get it;
  - a raftsim sweep's JSON names the system and counts no skips, its JUnit
    has no <skipped>, and `--sut raftsim` runs exactly what the default runs;
  - an artifact records its system; replay and shrink use it untold, an
    artifact without the field (older ones) is raftsim's, one naming a
    system this build lacks is refused (exit 2), and so is `--sut` that
    disagrees with the artifact."""
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
FAILING = str(pathlib.Path(__file__).parent / "no_leader_in_time.json")


def check(condition, what):
    if not condition:
        sys.exit(f"FAILED: {what}")


def run(*args):
    result = subprocess.run([raftsim, *args], capture_output=True, text=True)
    print(f"$ raftsim {' '.join(args)} -> {result.returncode}\n{result.stdout[-1500:]}"
          f"{result.stderr[-1500:]}")
    return result


def listed_systems():
    result = run("run", "--list-suts")
    check(result.returncode == 0, "--list-suts exits 0")
    lines = result.stdout.splitlines()
    check(lines[0] == "raftsim (the default)", f"raftsim is listed first: {lines[0]!r}")
    names = [line.split()[0] for line in lines if line and not line.startswith((" ", "("))]
    for key in ("version:", "durability:", "capabilities:", "lacks:"):
        check(sum(line.strip().startswith(key) for line in lines) == len(names),
              f"every system has a '{key}' line")
    check("capabilities: pre_vote, check_quorum_optional, nonvoters, staging, "
          "leadership_transfer, snapshot_on_demand, vote_rules" in result.stdout,
          "raftsim has every capability")
    check(("canonical" in names) != ("is not in this build" in result.stdout),
          "canonical is listed, or said to be missing from the build")
    return names


def check_unknown_system(names):
    for command in (["run", "NoIssueSanity"], ["replay", "NoIssueSanity", "--seed", "1"],
                    ["shrink", "NoIssueSanity", "--seed", "1"], ["bench"]):
        result = run(*command, "--sut", "nosuch")
        check(result.returncode == 2, f"{command[0]} --sut nosuch exits 2")
        check(f"--sut needs a system this build has ({', '.join(names)}), got 'nosuch'"
              in result.stderr, f"{command[0]}: the message lists the systems")
    check(run("run", "--sut", "").returncode == 2, "--sut '' is refused, not the default")
    if "canonical" not in names:
        result = run("run", "--sut", "canonical")
        check(result.returncode == 2 and "install libraft-dev and reconfigure with "
              "-Dcanonical=enabled" in result.stderr, "--sut canonical says how to build it")


def check_reports():
    outputs = {}
    for name, extra in (("default", []), ("explicit", ["--sut", "raftsim"])):
        paths = {kind: work / f"{name}.{kind}" for kind in ("json", "xml", "txt")}
        result = run("run", "NoIssueSanity", "LeaderPartitions", "--seeds", "1..2", "--jobs", "1",
                     "--json", str(paths["json"]), "--junit", str(paths["xml"]),
                     "--fingerprints", str(paths["txt"]), "--out", str(work / "failures"),
                     *extra)
        check(result.returncode == 0 and result.stdout.splitlines()[-1] == "all passed",
              f"{name}: all passed, and nothing skipped to say")
        check(result.stdout.splitlines()[0].split()[:5] ==
              ["scenario", "seeds", "passed", "failed", "skipped"], "the table's columns")
        check("SKIP" not in result.stdout, "no SKIP line")
        summary = json.loads(paths["json"].read_text())
        check(summary["schema_version"] == 4 and summary["sut"] == "raftsim", "JSON names raftsim")
        check((summary["totals"]["skipped"], summary["totals"]["not_run"]) == (0, 0)
              and summary["skips"] == [], "JSON: no skips")
        check(all(row["skipped"] == 0 and row["not_run"] == 0 for row in summary["scenarios"]),
              "JSON rows: no skips")
        root = ET.parse(paths["xml"]).getroot()
        check(root.get("skipped") == "0" and not list(root.iter("skipped")), "JUnit: no skips")
        outputs[name] = (paths["txt"].read_text(), summary["sweep"])
    check(outputs["default"] == outputs["explicit"], "--sut raftsim is the default")


def check_artifacts(names):
    result = run("run", FAILING, "--seed", "1", "--jobs", "1", "--out", str(work / "art"))
    check(result.returncode == 1, "the failing scenario fails")
    artifact = work / "art" / "NoLeader-seed1"
    manifest = json.loads((artifact / "run.json").read_text())
    check(manifest["sut"] == "raftsim", "the artifact records its system")
    check(run("replay", str(artifact)).returncode == 1, "replay reproduces it untold")
    check(run("replay", str(artifact), "--sut", "raftsim").returncode == 1,
          "--sut agreeing with the artifact is fine")
    # An artifact from before the choice existed has no "sut": raftsim's.
    old = work / "old"
    shutil.copytree(artifact, old)
    manifest.pop("sut")
    (old / "run.json").write_text(json.dumps(manifest))
    check(run("replay", str(old)).returncode == 1, "an artifact without \"sut\" is raftsim's")
    result = run("shrink", str(old), "--max-runs", "3", "--jobs", "1", "--no-progress",
                 "--out", str(work / "old-shrunk"))
    check(result.returncode == 0, "shrink takes it too")
    check(json.loads((work / "old-shrunk" / "run.json").read_text())["sut"] == "raftsim",
          "the shrunk artifact records the system")
    foreign = work / "foreign"
    shutil.copytree(artifact, foreign)
    for system in ("nosuch", "canonical"):
        manifest["sut"] = system
        (foreign / "run.json").write_text(json.dumps(manifest))
        if system in names:
            result = run("replay", str(foreign), "--sut", "raftsim")
            check(result.returncode == 2 and "disagrees with" in result.stderr,
                  "--sut disagreeing with the artifact is refused")
            continue
        for command in ("replay", "shrink"):
            result = run(command, str(foreign))
            check(result.returncode == 2 and f"made with the system '{system}', which this "
                  "build lacks" in result.stderr, f"{command}: an artifact of a missing system")


names = listed_systems()
check_unknown_system(names)
check_reports()
check_artifacts(names)
print("ok")
