#!/usr/bin/env python3
"""shrink_budgets.py RAFTSIM SCENARIO OUT: what `raftsim shrink` promises
about its runs, its workers, its output directory and interrupts.

SCENARIO fails with liveness/no_leader on seed 1. Checks:
- `--max-runs 1` makes exactly one candidate run and names --max-runs as
  what stopped the search;
- `--jobs 1` and `--jobs 2` write byte-identical scenario.json files from the
  same number of candidate runs (a fixed --max-runs keeps it short);
- an --out that cannot be written is refused with exit 2 before any run;
- an artifact whose re-run fails at another step than it recorded is refused
  with exit 1;
- SIGTERM mid-search writes the best result so far, marked as stopped by
  the signal, and exits 143."""
import json
import pathlib
import re
import shutil
import signal
import subprocess
import sys


def run(*args):
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    print(f"$ {' '.join(str(a) for a in args)}\n{result.stdout[-2000:]}{result.stderr[-1000:]}")
    return result


def fail(message):
    sys.exit(f"FAILED: {message}")


def runs_line(output):
    match = re.search(r"^  (\d+) candidate runs? \((\d+) kept.*$", output, re.M)
    if not match:
        fail("no candidate-run line in the summary")
    return match.group(0)


def shrink(raftsim, scenario, out, *extra):
    shutil.rmtree(out, ignore_errors=True)
    # One worker unless the test says otherwise: meson runs two tests at once.
    jobs = [] if "--jobs" in extra else ["--jobs", "1"]
    return run(raftsim, "shrink", scenario, "--seed", "1", "--out", out, "--no-progress", *jobs,
               *extra)


def check_max_runs(raftsim, scenario, out):
    one = shrink(raftsim, scenario, out / "one", "--max-runs", "1")
    if one.returncode != 0:
        fail(f"--max-runs 1 exited {one.returncode}")
    if not runs_line(one.stdout).startswith("  1 candidate run ("):
        fail("--max-runs 1 did not make exactly one candidate run")
    if "STOPPED by --max-runs 1" not in one.stdout:
        fail("the summary does not name --max-runs as what stopped the search")
    if "STOPPED by --max-runs 1" not in (out / "one" / "shrink.txt").read_text():
        fail("shrink.txt does not name --max-runs as what stopped the search")


def check_jobs(raftsim, scenario, out):
    lines = []
    for jobs in ("1", "2"):
        shrunk = shrink(raftsim, scenario, out / f"jobs{jobs}", "--jobs", jobs, "--max-runs", "600")
        if shrunk.returncode != 0:
            fail(f"--jobs {jobs} exited {shrunk.returncode}")
        lines.append(runs_line(shrunk.stdout))
    if lines[0] != lines[1]:
        fail(f"--jobs 1 and 2 counted different runs: {lines}")
    first = (out / "jobs1" / "scenario.json").read_bytes()
    if first != (out / "jobs2" / "scenario.json").read_bytes():
        fail("--jobs 1 and --jobs 2 wrote different scenario.json files")
    seeds = [json.loads((out / f"jobs{j}" / "run.json").read_text())["seed"] for j in "12"]
    if seeds[0] != seeds[1]:
        fail(f"--jobs 1 and 2 ended on different seeds: {seeds}")


def check_unwritable_out(raftsim, scenario, out):
    blocker = out / "a-file"
    blocker.write_text("not a directory\n")
    refused = shrink(raftsim, scenario, blocker / "shrunk")
    if refused.returncode != 2 or "shrinking" in refused.stdout:
        fail("an --out under a file was not refused with exit 2 before any run")


def check_record_mismatch(raftsim, out):
    # The artifact of the --max-runs 1 shrink, with run.json claiming the
    # deadline of another step failed.
    artifact = out / "mismatch"
    shutil.rmtree(artifact, ignore_errors=True)
    shutil.copytree(out / "one", artifact)
    manifest = json.loads((artifact / "run.json").read_text())
    detail = manifest["violation"]["detail"]
    manifest["violation"]["detail"] = re.sub(r"^steps\[\d+\]", "steps[0]", detail)
    (artifact / "run.json").write_text(json.dumps(manifest))
    refused = run(raftsim, "shrink", artifact, "--out", out / "mismatch-shrunk", "--no-progress")
    if refused.returncode != 1 or "but the re-run fails with" not in refused.stderr:
        fail("an artifact whose re-run fails at another step was not refused with exit 1")


def check_sigterm(raftsim, scenario, out):
    target = out / "interrupted"
    shutil.rmtree(target, ignore_errors=True)
    process = subprocess.Popen([raftsim, "shrink", scenario, "--seed", "1", "--out", str(target),
                                "--jobs", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The first kept candidate: the search is under way.
    process.stderr.readline()
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=120)
    print(f"$ raftsim shrink ... (SIGTERM)\n{stdout[-2000:]}{stderr[-1000:]}")
    if process.returncode != 143:
        fail(f"an interrupted shrink exited {process.returncode}, not 143")
    summary = (target / "shrink.txt").read_text()
    if "STOPPED by SIGTERM" not in summary or "STOPPED by SIGTERM" not in stdout:
        fail("the interrupted shrink's summary does not say SIGTERM stopped it")
    rerun = run(raftsim, "replay", target, "--last", "1")
    if rerun.returncode != 1 or "MATCHES" not in rerun.stdout:
        fail("the interrupted shrink's artifact does not replay")


def main():
    raftsim, scenario, out = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    check_max_runs(raftsim, scenario, out)
    check_jobs(raftsim, scenario, out)
    check_unwritable_out(raftsim, scenario, out)
    check_record_mismatch(raftsim, out)
    check_sigterm(raftsim, scenario, out)
    print("ok")


if __name__ == "__main__":
    main()
