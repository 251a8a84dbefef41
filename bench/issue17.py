#!/usr/bin/env python3
"""Issue 17, benchmark 1: raftsim's core against canonical/raft's raft_fixture
on the same workload, each run REPEAT times; prints the median CPU seconds,
the spread (min-max) and committed entries per CPU-second, and the ratio
raftsim / canonical in CPU. Not a test: it measures the machine.

    bench/issue17.py BUILD_DIR [--repeat 5] [--quick]
"""
import argparse
import pathlib
import re
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORKLOAD = ROOT / "bench" / "workloads" / "issue17_fault_free.json"
ROWS = [("fault-free", 10000, []), ("partitioned", 10000, ["partitioned"]),
        ("fault-free", 100000, []), ("partitioned", 100000, ["partitioned"])]
CPU = re.compile(r"(\d+) entries, ([0-9.]+) CPU s")


def run(command):
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    match = CPU.search(out.stdout)
    if out.returncode != 0 or match is None:
        sys.exit(f"issue17.py: {' '.join(map(str, command))} failed:\n{out.stdout}{out.stderr}")
    return int(match.group(1)), float(match.group(2))


def measure(command, repeat):
    runs = [run(command) for _ in range(repeat)]
    cpus = sorted(cpu for _, cpu in runs)
    return runs[0][0], statistics.median(cpus), cpus[0], cpus[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build", type=pathlib.Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="the 10k rows only")
    args = parser.parse_args()
    ours = args.build / "bench" / "issue17_bench"
    theirs = args.build / "bench" / "canonical_fixture_bench"
    print(f"{'workload':<24} {'side':<10} {'entries':>8} {'CPU s (median)':>15} "
          f"{'spread':>15} {'entries/CPU-s':>14} {'ratio':>6}")
    for name, entries, extra in ROWS:
        if args.quick and entries > 10000:
            continue
        row = f"{name}, {entries // 1000}k"
        a = measure([ours, WORKLOAD, str(entries), *extra], args.repeat)
        b = measure([theirs, str(entries), *extra], args.repeat)
        for side, (count, median, low, high) in (("raftsim", a), ("canonical", b)):
            ratio = f"{a[1] / b[1]:.2f}" if side == "raftsim" else ""
            print(f"{row:<24} {side:<10} {count:>8} {median:>15.3f} "
                  f"{f'{low:.3f}-{high:.3f}':>15} {count / median:>14.0f} {ratio:>6}")


if __name__ == "__main__":
    main()
