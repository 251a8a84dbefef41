#!/usr/bin/env python3
"""bisect_run.py RAFTSIM WORKDIR: tools/bisect-run answers `git bisect run`
as documented: 1 when the artifact's failure (checker and kind) recurs, 0
when the run passes, and 125 (skip) when it cannot tell -- raftsim refused
the input (exit 2), the run failed another way, the directory is not an
artifact, or the build failed."""
import json
import pathlib
import shutil
import subprocess
import sys

raftsim, workdir = sys.argv[1:3]
work = pathlib.Path(workdir)
shutil.rmtree(work, ignore_errors=True)
work.mkdir(parents=True)
here = pathlib.Path(__file__).parent
script = here.parent.parent / "tools" / "bisect-run"


def check(condition, what):
    if not condition:
        sys.exit(f"FAILED: {what}")


def bisect(artifact, *extra):
    args = [sys.executable, str(script), str(artifact), *extra]
    if "--source" not in extra:
        args += ["--raftsim", raftsim]
    result = subprocess.run(args, capture_output=True, text=True)
    print(f"$ bisect-run {artifact.name} {' '.join(extra)} -> {result.returncode}\n"
          f"{result.stderr[-600:]}")
    return result.returncode


subprocess.run([raftsim, "run", str(here / "sometimes_no_leader.json"), "--seed", "3", "--jobs",
                "1", "--out", str(work / "failures")], check=False, capture_output=True)
artifact = work / "failures" / "SometimesNoLeader-seed3"
check((artifact / "run.json").is_file(), "the sweep wrote an artifact")


def variant(name, edit_manifest=None, scenario_text=None):
    copy = work / name
    shutil.copytree(artifact, copy)
    if edit_manifest is not None:
        manifest = json.loads((copy / "run.json").read_text())
        edit_manifest(manifest)
        (copy / "run.json").write_text(json.dumps(manifest))
    if scenario_text is not None:
        (copy / "scenario.json").write_text(scenario_text)
    return copy


check(bisect(artifact) == 1, "the recorded failure recurs: bad (1)")
check(bisect(variant("passes", lambda m: m.update(seed=1))) == 0, "seed 1 passes: good (0)")
other = variant("other", lambda m: m["violation"].update(kind="not_up_to_date"))
check(bisect(other) == 125, "another failure: skip (125)")
old_format = variant("old", scenario_text='{"name": "X", "from_the_future": 1}')
check(bisect(old_format) == 125, "input the build refuses (exit 2): skip (125)")
check(bisect(work) == 125, "not an artifact: skip (125)")
broken = work / "broken-source"
broken.mkdir()
(broken / "meson.build").write_text("project('broken', 'cpp')\nerror('does not build')\n")
check(bisect(artifact, "--source", str(broken), "--build-dir", str(work / "build")) == 125,
      "a build failure: skip (125)")
print("ok")
