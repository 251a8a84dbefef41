#!/usr/bin/env python3
"""The mutation self-test: proves the harness catches known Raft bugs.

Each tests/mutations/*.patch is a small known-bad change to core/. For each,
in a scratch copy of the tree (the working tree is never touched): apply the
patch, rebuild raftsim (only the touched file recompiles), run the default
sweep (`raftsim run`, built-in suite, seeds 1..20) with --fail-fast, and
require it to fail. A mutation the sweep does not catch is a hole in the
harness, and this script exits 1.

usage: tools/mutation_test.py [--seeds A..B] [--check-applies]
                              [--shrink [--shrink-budget 120s]] [PATCH...]

--shrink also runs `raftsim shrink` on each mutant's first failure, with the
mutant's build, and requires the shrunk run to need at least 10x fewer
simulator events than the failure as found (docs/reproducing.md).

--check-applies only checks that every patch still applies to the tree (a
fast test, so a refactor of core/ that breaks a mutant's context shows up in
`meson test`, not at the end of CI).
"""
import argparse
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
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


def try_mutation(scratch, patch, seeds, shrink_budget=None):
    applied = run(["git", "apply", str(patch)], scratch)
    if applied.returncode != 0:
        sys.exit(f"{patch.name} does not apply: {applied.stderr}")
    shrunk = None
    try:
        if not build(scratch):
            return -1, "(the mutant does not build)", 0.0, shrunk
        start = time.monotonic()
        swept = run(["./build/replay/raftsim", "run", "--seeds", seeds, "--fail-fast",
                     "--out", str(scratch / "out" / patch.stem)], scratch)
        seconds = time.monotonic() - start
        if shrink_budget and swept.returncode == 1:
            shrunk = shrink_failure(scratch, swept.stdout, shrink_budget)
    finally:
        run(["git", "apply", "-R", str(patch)], scratch)
    return swept.returncode, first_failure(swept.stdout), seconds, shrunk


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1..20")
    parser.add_argument("--check-applies", action="store_true")
    parser.add_argument("--shrink", action="store_true")
    parser.add_argument("--shrink-budget", default="120s")
    parser.add_argument("patches", nargs="*")
    args = parser.parse_args()
    patches = [pathlib.Path(p).resolve() for p in args.patches] or sorted(
        (ROOT / "tests" / "mutations").glob("*.patch"))
    if args.check_applies:
        return check_applies(patches)
    survivors = []
    with tempfile.TemporaryDirectory(prefix="raftsim-mutants-") as directory:
        scratch = pathlib.Path(directory)
        copy_tree(scratch)
        setup = run(["meson", "setup", "build", "--buildtype=release", "-Dtests=false"], scratch)
        if setup.returncode != 0:
            sys.exit(setup.stdout + setup.stderr)
        if not build(scratch):
            sys.exit("the unmutated tree does not build")
        # The unmutated core must pass the same sweep, or a "catch" could be
        # a false alarm of the harness rather than the mutant's doing.
        baseline = run(["./build/replay/raftsim", "run", "--seeds", args.seeds, "--fail-fast",
                        "--out", str(scratch / "out" / "baseline")], scratch)
        if baseline.returncode != 0:
            sys.exit(f"the unmutated core fails the sweep:\n{baseline.stdout[-3000:]}")
        print(f"{'baseline (no mutation)':<36} {'passes':<8}", flush=True)
        print(f"{'mutation':<36} {'result':<8} {'seconds':>8}  first failure")
        for patch in patches:
            status, failure, seconds, shrunk = try_mutation(
                scratch, patch, args.seeds, args.shrink_budget if args.shrink else None)
            caught = status == 1 and failure
            print(f"{patch.stem:<36} {'caught' if caught else 'MISSED':<8} {seconds:>8.2f}  "
                  f"{failure or f'(exit {status})'}", flush=True)
            if not caught:
                survivors.append(patch.stem)
            elif shrunk is not None:
                factor, line = shrunk
                enough = factor >= MIN_SHRINK_FACTOR
                print(f"{'':<36} {'shrunk' if enough else 'TOO BIG':<8} {'':>8}  {line}",
                      flush=True)
                if not enough:
                    survivors.append(f"{patch.stem} (shrink)")
    print(f"{len(patches) - len(survivors)} passed, {len(survivors)} failed")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
