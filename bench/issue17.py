#!/usr/bin/env python3
"""Issue 17, benchmarks 1 and 2, each side run REPEAT times; prints the median
CPU seconds (getrusage), the spread (min-max), committed entries and events
per CPU-second, simulated seconds and the ratio raftsim side / fixture in CPU.

  benchmark 1: raftsim's core under raftsim vs canonical/raft's raft_fixture
  benchmark 2: canonical/raft under raftsim (--sut canonical) vs the same
               canonical/raft under its own raft_fixture

Events are counted alike on both sides: one server tick, one message handed
to its receiver, or one asynchronous disk operation completing (the headers
of bench/issue17_bench.cpp and bench/canonical_fixture_bench.cpp). A run that
fails (a checker's violation) is reported as such, never timed. Not a test:
it measures the machine.

    bench/issue17.py BUILD_DIR [--repeat 5] [--quick]
"""
import argparse
import pathlib
import re
import statistics
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORKLOAD = ROOT / "bench" / "workloads" / "issue17_fault_free.json"
ROWS = [("fault-free", 10000, []), ("partitioned", 10000, ["partitioned"]),
        ("fault-free", 100000, []), ("partitioned", 100000, ["partitioned"])]
FIGURES = re.compile(r"(\d+) entries, ([0-9.]+) CPU s, \d+ entries/CPU-s, (\d+) events"
                     r".*?([0-9.]+) s simulated")


def run(command):
    """(entries, CPU s, events, simulated s), or the reason the run failed."""
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    match = FIGURES.search(out.stdout)
    if out.returncode != 0 or match is None:
        why = (out.stderr.strip() or out.stdout.strip()).splitlines()
        return f"FAILED (exit {out.returncode}): {why[-1] if why else 'no output'}"
    return (int(match.group(1)), float(match.group(2)), int(match.group(3)),
            float(match.group(4)))


CACHE = {}


def measure(command, repeat):
    """Median figures of REPEAT runs; the fixture's are measured once for both tables."""
    key = tuple(map(str, command))
    if key not in CACHE:
        CACHE[key] = measure_uncached(command, repeat)
    return CACHE[key]


def measure_uncached(command, repeat):
    runs = []
    for _ in range(repeat):
        result = run(command)
        if isinstance(result, str):
            return result  # deterministic: every repetition would fail alike
        runs.append(result)
    cpus = sorted(cpu for _, cpu, _, _ in runs)
    entries, _, events, simulated = runs[0]
    return entries, statistics.median(cpus), cpus[0], cpus[-1], events, simulated


def table(title, ours, theirs, args):
    print(f"\n{title}")
    print(f"{'workload':<18} {'side':<22} {'entries':>8} {'CPU s (median)':>15} "
          f"{'spread':>13} {'entries/CPU-s':>14} {'events':>9} {'events/CPU-s':>13} "
          f"{'sim s':>8} {'ratio':>6}")
    for name, entries, extra in ROWS:
        if args.quick and entries > 10000:
            continue
        row = f"{name}, {entries // 1000}k"
        a = measure([*ours[1], WORKLOAD, str(entries), *extra], args.repeat)
        b = measure([*theirs[1], str(entries), *extra], args.repeat)
        for side, result in ((ours[0], a), (theirs[0], b)):
            if isinstance(result, str):
                print(f"{row:<18} {side:<22} {result}")
                continue
            count, median, low, high, events, simulated = result
            ratio = ""
            if side == ours[0] and not isinstance(b, str):
                ratio = f"{median / b[1]:.2f}"
            print(f"{row:<18} {side:<22} {count:>8} {median:>15.3f} "
                  f"{f'{low:.3f}-{high:.3f}':>13} {count / median:>14.0f} {events:>9} "
                  f"{events / median:>13.0f} {simulated:>8.1f} {ratio:>6}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build", type=pathlib.Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="the 10k rows only")
    args = parser.parse_args()
    ours = args.build / "bench" / "issue17_bench"
    fixture = ("canonical fixture", [args.build / "bench" / "canonical_fixture_bench"])
    print(f"CPU: getrusage user+system, median of {args.repeat} runs (spread min-max); "
          "events: ticks + messages delivered + disk operations completed; "
          "ratio: CPU, raftsim side / fixture")
    table("benchmark 1: raftsim's core under raftsim vs canonical's fixture",
          ("raftsim core/raftsim", [ours, "--sut", "raftsim"]), fixture, args)
    table("benchmark 2: canonical under raftsim vs canonical's fixture",
          ("canonical/raftsim", [ours, "--sut", "canonical"]), fixture, args)


if __name__ == "__main__":
    main()
