#!/usr/bin/env python3
"""The mutation self-test: proves the harness catches known Raft bugs.

Each tests/mutations/*.patch is a small known-bad change to core/, or to the
harness's key-value state machine (sim/src/kv/) where the bug lives in the
state machine rather than in Raft. For each,
in a scratch copy of the tree (the working tree is never touched): apply the
patch, rebuild raftsim (only the touched file recompiles) and run the default
sweep -- `raftsim run` (the built-in suite, seeds 1..20), then, if that
passed, `raftsim run --swarm --seeds 1..2000` -- with --fail-fast on one
worker, and require it to fail. The wall time to the first failure is the
mutant's time-to-detect. Each mutant runs twice: white-box (the core's
assertions stop the run) and black-box (`--black-box`: they are let pass,
and only a checker's violation counts; a limit, a crash or an assertion the
recorder cannot let pass is a miss). A mutation either mode does not catch
is a hole in the harness, and this script exits 1. It ends with the median
time-to-detect per mode, for every mutant and for the held-out ones
(tests/mutations/held_out.txt: written before the sweep was ordered for
speed) apart.

usage: tools/mutation_test.py [--seeds A..B] [--swarm-seeds A..B] [--modes white,black]
                              [--lanes N] [--check-applies] [--all-signatures] [--json FILE]
                              [--shrink [--shrink-budget 120s]] [PATCH...]

--lanes N tries N mutants at once, each in its own scratch tree (default: 2
on a machine with two cores or more and ccache, which makes the second
tree's build a cache hit; else 1). A mutant's sweep still runs on one
worker, so its time-to-detect means the same; the results print in patch
order.

--all-signatures also runs the suite sweep without --fail-fast and lists
every failure signature the mutant produces (the nightly job's view).

--shrink also runs `raftsim shrink` on each mutant's first failure, with the
mutant's build, and requires the shrunk run to need at least 10x fewer
simulator events than the failure as found (docs/reproducing.md).

--check-applies only checks that every patch still applies to the tree (a
fast test, so a refactor of core/ that breaks a mutant's context shows up in
`meson test`, not at the end of CI).
"""
import argparse
import concurrent.futures
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(command, cwd, **kwargs):
    return subprocess.run(command, cwd=cwd, text=True, capture_output=True, **kwargs)


def copy_tree(scratch):
    files = run(["git", "ls-files", "-z"], ROOT).stdout.split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            target = scratch / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def build(scratch):
    result = run(["ninja", "-C", "build", "replay/raftsim"], scratch)
    if result.returncode != 0:
        print(f"build failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result.returncode == 0


def first_failure(output):
    match = re.search(r"^FAIL (\S+) seed (\d+): (\S+)", output, re.M)
    return f"{match.group(1)} seed {match.group(2)}: {match.group(3)}" if match else ""


MIN_SHRINK_FACTOR = 10.0


def shrink_failure(scratch, output, budget):
    """Shrinks the sweep's first failure; returns (factor, line)."""
    match = re.search(r"^  artifact: (\S+)$", output, re.M)
    if not match:
        return 0.0, "no artifact to shrink"
    start = time.monotonic()
    shrunk = run(["./build/replay/raftsim", "shrink", match.group(1), "--budget", budget,
                  "--no-progress"], scratch)
    seconds = time.monotonic() - start
    sizes = {}
    for name in ("steps", "faults", "nodes", "events"):
        row = re.search(rf"^  {name} +(\d+) +(\d+)", shrunk.stdout, re.M)
        if row:
            sizes[name] = (int(row.group(1)), int(row.group(2)))
    if shrunk.returncode != 0 or "events" not in sizes:
        return 0.0, f"shrink failed (exit {shrunk.returncode}): {shrunk.stderr[-500:]}"
    before, after = sizes["events"]
    factor = before / max(after, 1)
    stopped = " (budget)" if "STOPPED" in shrunk.stdout else ""
    line = (f"shrunk in {seconds:.0f} s{stopped}: events {before} -> {after} ({factor:.0f}x), "
            + ", ".join(f"{name} {a} -> {b}" for name, (a, b) in sizes.items()
                        if name != "events"))
    return factor, line


# A catch in black-box mode must come from a checker: not the core's own
# assertions (let pass in that mode, but a mutant may still trip one that
# the recorder cannot let pass), not a run limit (a hang), not a worker that
# died (a crash).
NOT_A_CATCH = {"core_assert", "limit", "crash"}


def sweep_stage(scratch, out, extra, jobs=1):
    """One `raftsim run --fail-fast` (one worker unless told); returns (status,
    first failure, seconds, report, stdout)."""
    # Beside --out: raftsim removes an --out it made and left empty.
    out.parent.mkdir(parents=True, exist_ok=True)
    report_path = out.parent / f"{out.name}.json"
    start = time.monotonic()
    swept = run(["./build/replay/raftsim", "run", "--fail-fast", "--jobs", str(jobs),
                 "--no-progress", "--json", str(report_path), "--out", str(out)] + extra,
                scratch)
    seconds = time.monotonic() - start
    report = {}
    if report_path.exists():
        report = json.loads(report_path.read_text())
    return swept.returncode, first_failure(swept.stdout), seconds, report, swept.stdout


def default_sweep(scratch, out, args, black_box, jobs=1):
    """The default sweep (the built-in suite, then swarm): stops at the first
    failure. Returns a dict: status, failure, checker, seconds, stdout."""
    mode = ["--black-box"] if black_box else []
    total = 0.0
    stages = [["--seeds", args.seeds]]
    if args.swarm_seeds:
        stages.append(["--swarm", "--seeds", args.swarm_seeds])
    result = {}
    for index, stage in enumerate(stages):
        status, failure, seconds, report, stdout = sweep_stage(
            scratch, out / f"stage{index + 1}", stage + mode, jobs)
        total += seconds
        failures = report.get("failures", [])
        checker = failures[0]["checker"] if failures else ""
        result = {"status": status, "failure": failure, "checker": checker, "seconds": total,
                  "stdout": stdout, "signature": failures[0]["signature"] if failures else ""}
        if status != 0:
            break
    caught = result["status"] == 1 and bool(result["failure"])
    if black_box and result["checker"] in NOT_A_CATCH:
        caught = False
    result["caught"] = caught
    return result


def all_signatures(scratch, out, args):
    """Every failure signature the suite sweep finds (no --fail-fast)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    report_path = out.parent / f"{out.name}.json"
    run(["./build/replay/raftsim", "run", "--seeds", args.seeds, "--no-progress",
         "--artifacts-per-signature", "0", "--json", str(report_path), "--out", str(out)],
        scratch)
    if not report_path.exists():
        return []
    report = json.loads(report_path.read_text())
    return [f"{g['signature']} x{g['count']}" for g in report.get("groups", [])]


def try_mutation(scratch, patch, args):
    applied = run(["git", "apply", str(patch)], scratch)
    if applied.returncode != 0:
        sys.exit(f"{patch.name} does not apply: {applied.stderr}")
    results = {"name": patch.stem}
    try:
        if not build(scratch):
            results["build_failed"] = True
            return results
        for mode in args.modes:
            out = scratch / "out" / patch.stem / mode
            results[mode] = default_sweep(scratch, out, args, mode == "black")
        white = results.get("white")
        if args.shrink and white and white["status"] == 1:
            results["shrunk"] = shrink_failure(scratch, white["stdout"], args.shrink_budget)
        if args.all_signatures:
            results["signatures"] = all_signatures(scratch, scratch / "out" / patch.stem / "all",
                                                   args)
    finally:
        run(["git", "apply", "-R", str(patch)], scratch)
    return results


def set_up_lane(scratch):
    """A scratch copy of the tree with its own release build of raftsim."""
    copy_tree(scratch)
    # As tools/dev names it, so the objects of `tools/dev run`'s build are
    # cache hits (ccache hashes the compiler's name).
    ccache = shutil.which("ccache")
    environment = dict(os.environ, CXX=f"{ccache} g++" if ccache else "g++")
    setup = run(["meson", "setup", "build", "--buildtype=release", "-Dtests=false"], scratch,
                env=environment)
    if setup.returncode != 0:
        sys.exit(setup.stdout + setup.stderr)
    if not build(scratch):
        sys.exit("the unmutated tree does not build")
    return scratch


def try_all(lanes, patches, args):
    """Each lane takes the next untried patch; results print in patch order
    as soon as every earlier one is in."""
    pending = list(enumerate(patches))
    lock = threading.Lock()
    results = [None] * len(patches)
    printed = 0

    def next_patch():
        with lock:
            return pending.pop(0) if pending else (None, None)

    def lane_loop(scratch):
        index, patch = next_patch()
        while patch is not None:
            results[index] = try_mutation(scratch, patch, args)
            index, patch = next_patch()

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(lanes)) as pool:
        futures = [pool.submit(lane_loop, scratch) for scratch in lanes]
        while printed < len(patches):
            done, _ = concurrent.futures.wait(futures, timeout=0.5)
            for future in done:
                if future.exception() is not None:
                    with lock:
                        pending.clear()  # the other lanes stop after their mutant
                    raise future.exception()  # sys.exit included
            while printed < len(patches) and results[printed] is not None:
                print_result(results[printed], args.modes)
                printed += 1
            if len(done) == len(futures) and printed < len(patches):
                sys.exit("a lane stopped before every mutant was tried")
    for result in results:
        result.pop("stdout", None)
        for mode in args.modes:
            if mode in result:
                result[mode].pop("stdout", None)
    return results


def default_lanes():
    if shutil.which("ccache") is None:
        return 1
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def check_applies(patches):
    stale = []
    for patch in patches:
        # --check changes nothing; outside a git checkout it acts like patch(1).
        checked = run(["git", "apply", "--check", str(patch)], ROOT)
        if checked.returncode != 0:
            stale.append(f"{patch.name}: {checked.stderr.strip()}")
    for line in stale:
        print(line)
    print(f"{len(patches) - len(stale)} of {len(patches)} mutations apply")
    return 1 if stale else 0


def median(values):
    return statistics.median(values) if values else float("nan")


def held_out_names():
    listing = ROOT / "tests" / "mutations" / "held_out.txt"
    if not listing.exists():
        return set()
    return {line.split("#")[0].strip() for line in listing.read_text().splitlines()} - {""}


def describe(result):
    if result is None:
        return "-"
    verdict = "caught" if result["caught"] else "MISSED"
    failure = result["failure"] or f"(exit {result['status']})"
    return f"{verdict} {result['seconds']:6.2f}s {failure}"


def print_result(results, modes):
    name = results["name"]
    if results.get("build_failed"):
        print(f"{name:<40} MISSED (the mutant does not build)", flush=True)
        return
    for index, mode in enumerate(modes):
        label = name if index == 0 else ""
        print(f"{label:<40} {mode:<6} {describe(results.get(mode))}", flush=True)
    if "shrunk" in results:
        factor, line = results["shrunk"]
        verdict = "shrunk" if factor >= MIN_SHRINK_FACTOR else "TOO BIG"
        print(f"{'':<40} {verdict:<6} {line}", flush=True)
    for signature in results.get("signatures", []):
        print(f"{'':<40} {'sig':<6} {signature}", flush=True)


def survivors_of(results, modes):
    if results.get("build_failed"):
        return [results["name"]]
    missed = [f"{results['name']} ({mode})" for mode in modes if not results[mode]["caught"]]
    if "shrunk" in results and results["shrunk"][0] < MIN_SHRINK_FACTOR:
        missed.append(f"{results['name']} (shrink)")
    return missed


def print_medians(all_results, modes):
    held_out = held_out_names()
    for mode in modes:
        for group, keep in (("all", lambda name: True),
                            ("held out", lambda name: name in held_out),
                            ("others", lambda name: name not in held_out)):
            times = [r[mode]["seconds"] for r in all_results
                     if mode in r and r[mode]["caught"] and keep(r["name"])]
            count = sum(1 for r in all_results if keep(r["name"]))
            if count:
                print(f"time-to-detect, {mode}-box, {group}: median {median(times):.2f} s "
                      f"over {len(times)} caught of {count}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1..20")
    parser.add_argument("--swarm-seeds", default="1..2000",
                        help="the default sweep's second stage ('' to skip)")
    parser.add_argument("--modes", default="white,black",
                        help="white (core assertions on), black (--black-box) or both")
    parser.add_argument("--lanes", type=int, default=default_lanes(),
                        help="mutants tried at once, each in its own scratch tree")
    parser.add_argument("--check-applies", action="store_true")
    parser.add_argument("--shrink", action="store_true")
    parser.add_argument("--shrink-budget", default="120s")
    parser.add_argument("--all-signatures", action="store_true")
    parser.add_argument("--json", help="write every result here")
    parser.add_argument("patches", nargs="*")
    args = parser.parse_args()
    args.modes = [mode for mode in args.modes.split(",") if mode]
    if not set(args.modes) <= {"white", "black"} or not args.modes:
        parser.error("--modes takes white, black or white,black")
    if args.lanes < 1:
        parser.error("--lanes takes a positive number")
    patches = [pathlib.Path(p).resolve() for p in args.patches] or sorted(
        (ROOT / "tests" / "mutations").glob("*.patch"))
    if args.check_applies:
        return check_applies(patches)
    with tempfile.TemporaryDirectory(prefix="raftsim-mutants-") as directory:
        lanes = [set_up_lane(pathlib.Path(directory) / f"lane{i}") for i in range(args.lanes)]
        # The unmutated core must pass the same sweep, or a "catch" could be
        # a false alarm of the harness rather than the mutant's doing.
        # It is not a time-to-detect, so it may use every lane's core.
        baseline = default_sweep(lanes[0], lanes[0] / "out" / "baseline", args, False,
                                 jobs=len(lanes))
        if baseline["status"] != 0:
            sys.exit(f"the unmutated core fails the sweep:\n{baseline['stdout'][-3000:]}")
        print(f"{'baseline (no mutation)':<40} passes in {baseline['seconds']:.1f} s", flush=True)
        print(f"{'mutation':<40} {'mode':<6} result, time-to-detect, first failure")
        all_results = try_all(lanes, patches, args)
    survivors = [s for results in all_results for s in survivors_of(results, args.modes)]
    print_medians(all_results, args.modes)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(all_results, indent=1) + "\n")
    print(f"{len(patches) - len({s.split(' ')[0] for s in survivors})} passed, "
          f"{len(survivors)} failed" + (f": {', '.join(survivors)}" if survivors else ""))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
