#!/usr/bin/env python3
"""bench_jobs.py RAFTSIM [--seeds 1..20] [--jobs N] [--repeat 3] [-- SWEEP ARGS]:
the speed-up of `raftsim run --jobs N` over `--jobs 1` on a sweep (by
default the built-in suite on seeds 1..20). A benchmark, not a test: run it
on an otherwise idle machine (docs/performance.md keeps the figures).

Each configuration runs --repeat times; the median wall time counts. It
also reports the CPU seconds the sweep used (the parent and its workers,
from getrusage of the children), so the overhead of the worker processes
shows: CPU time at --jobs N over CPU time at --jobs 1.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def one_sweep(raftsim, jobs, seeds, extra):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="raftsim-bench-jobs-") as out:
        result = subprocess.run([raftsim, "run", "--seeds", seeds, "--jobs", str(jobs),
                                 "--no-progress", "--out", out, *extra],
                                capture_output=True, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        sys.exit(f"the sweep failed (exit {result.returncode}):\n{result.stdout[-2000:]}")
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raftsim")
    parser.add_argument("--seeds", default="1..20")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("extra", nargs="*", help="more `raftsim run` arguments")
    args = parser.parse_args()
    results = {}
    for jobs in (1, args.jobs):
        walls, cpus = [], []
        for _ in range(args.repeat):
            wall, cpu = one_sweep(args.raftsim, jobs, args.seeds, args.extra)
            walls.append(wall)
            cpus.append(cpu)
        results[jobs] = (statistics.median(walls), statistics.median(cpus))
        print(f"--jobs {jobs:<3} wall {results[jobs][0]:7.2f} s (median of {args.repeat}: "
              f"{', '.join(f'{w:.2f}' for w in walls)})  cpu {results[jobs][1]:7.2f} s")
    one, many = results[1], results[args.jobs]
    print(f"speed-up at --jobs {args.jobs}: {one[0] / many[0]:.2f}x wall; "
          f"CPU {many[1] / one[1]:.2f}x that of --jobs 1")


if __name__ == "__main__":
    main()
