#!/usr/bin/env python3
"""Issue 17's absolute gates, measured on the frozen measurement set
(bench/frozen/README.md), each REPEAT times; prints one table with the
median, the spread (min-max), the target and whether it is met. Not a test:
it measures the machine, and a busy machine moves every figure.

    bench/gates.py BUILD FUZZBUILD [--repeat 5] [--fuzz-seconds 30]

BUILD is a release build (`meson setup build --buildtype=release
-Dtests=false`) with replay/raftsim and bench/issue17_bench built; FUZZBUILD
is the ASan + UBSan libFuzzer build fuzz/run makes, with fuzz/fuzz_cluster
built.

The gates:
- LeaderPartitions (the frozen file, seeds 1..5) at >= 2,000x real time:
  simulated seconds per CPU-second of the `raftsim run` process.
- fuzz_cluster at >= 1,500 exec/s under ASan + UBSan in steady state, on a
  scratch copy of the frozen corpus: executions after libFuzzer's INITED
  line over the time after it.
- <= 64 MiB peak RSS for 5 nodes x 100,000 entries with compaction
  (issue17_bench, fault-free and partitioned).
The frozen 22 built-ins on seeds 1..5 are measured too, in CPU seconds:
a baseline, with no gate. So is LeaderPartitions seed 1 in instructions
(callgrind, when valgrind is installed): the one figure here that another
engineer's load on the shared cores does not move.
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
FROZEN = ROOT / "bench" / "frozen"
LEADER_PARTITIONS = FROZEN / "LeaderPartitions.json"
BUILTINS = sorted((FROZEN / "builtins").glob("*.json"))
CORPUS = FROZEN / "fuzz_cluster_v5"
WORKLOAD = ROOT / "bench" / "workloads" / "issue17_fault_free.json"
SEEDS = "1..5"
ENTRIES = 100000

# fuzz/run's sanitizer settings, so the figure is the one fuzz/run would see.
FUZZ_ENV = {"ASAN_OPTIONS": "quarantine_size_mb=64:malloc_context_size=10",
            "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1"}


def run_child(command, env=None, cwd=None):
    """Runs command to its end and returns (exit status, CPU s, peak RSS MiB,
    stdout). os.wait4 gives this one child's rusage, which on Linux includes
    the descendants it waited for (raftsim's worker processes); a delta of
    RUSAGE_CHILDREN would give the same CPU but not a per-run peak RSS, since
    ru_maxrss there is the largest child so far."""
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen([str(c) for c in command], stdout=out,
                                 stderr=subprocess.DEVNULL, env=env, cwd=cwd)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    return child.returncode, cpu, usage.ru_maxrss / 1024, text


def raftsim_sweep(build, files, scratch):
    """One `raftsim run` of files on seeds 1..5, in one worker (the machine
    has two cores and is shared): returns (CPU s, simulated s, runs, failed)."""
    summary = scratch / "summary.json"
    command = [build / "replay" / "raftsim", "run", *files, "--seeds", SEEDS,
               "--jobs", "1", "--no-progress", "--json", summary, "--out", scratch / "failures"]
    status, cpu, _, _ = run_child(command)
    # 1 is a failed check: the run still measured, and main() reports it.
    if status not in (0, 1):
        sys.exit(f"gates.py: {' '.join(map(str, command))} exited {status}")
    report = json.loads(summary.read_text())
    simulated = sum(row["simulated_us"] for row in report["scenarios"]) / 1e6
    totals = report["totals"]
    return cpu, simulated, totals["runs"], totals["failed"] + totals["aborted"]


def fuzz_steady(fuzzbuild, seconds, scratch):
    """One fuzz_cluster run of `seconds` on a fresh copy of the frozen corpus
    (the fuzzer adds to its first corpus directory; the frozen one must not
    move). Returns (steady exec/s by the wall clock, by the CPU clock).

    Loading the corpus is not steady state, so the rate counts from the
    INITED line: the executions libFuzzer reports at the end minus those at
    INITED, over the time since. The CPU rate reads the process's CPU time
    from /proc at INITED and from wait4 at the end, so a busy second core
    moves it less than the wall rate."""
    corpus = scratch / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.copytree(CORPUS, corpus)
    (scratch / "artifacts").mkdir(exist_ok=True)
    command = [fuzzbuild / "fuzz" / "fuzz_cluster", "-seed=1",
               f"-max_total_time={seconds}", "-print_final_stats=1",
               f"-dict={ROOT / 'fuzz' / 'dict' / 'fuzz_cluster.dict'}",
               f"-artifact_prefix={scratch / 'artifacts'}/", corpus]
    child = subprocess.Popen([str(c) for c in command], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, env={**os.environ, **FUZZ_ENV},
                             text=True, errors="replace")
    inited = None  # (executions, wall time, CPU s) at INITED
    final = None
    for line in child.stderr:
        if inited is None and "INITED" in line:
            inited = (int(re.match(r"#(\d+)", line).group(1)), time.monotonic(),
                      proc_cpu_seconds(child.pid))
        match = re.search(r"stat::number_of_executed_units:\s+(\d+)", line)
        if match:
            final = int(match.group(1))
    _, status, usage = os.wait4(child.pid, 0)
    end = time.monotonic()
    if os.waitstatus_to_exitcode(status) != 0 or inited is None or final is None:
        sys.exit(f"gates.py: fuzz_cluster failed (a crash? see {scratch / 'artifacts'})")
    runs = final - inited[0]
    cpu = usage.ru_utime + usage.ru_stime - inited[2]
    return runs / (end - inited[1]), runs / cpu


def proc_cpu_seconds(pid):
    """utime + stime of a running process, from /proc/PID/stat."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_peak(build, extra):
    """Peak RSS (MiB) of 5 nodes x 100,000 entries, snapshots every 64."""
    command = [build / "bench" / "issue17_bench", WORKLOAD, str(ENTRIES), *extra]
    status, _, rss, text = run_child(command)
    if status != 0:
        sys.exit(f"gates.py: {' '.join(map(str, command))} failed:\n{text}")
    return rss


def instructions(build, scratch):
    """Instructions of LeaderPartitions seed 1 under callgrind, parent and
    worker together. Deterministic, so one run does, and unlike CPU seconds
    it does not move when the other core is busy (this VM has no hardware
    counters for perf). None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/cg.%p",
               build / "replay" / "raftsim", "run", LEADER_PARTITIONS, "--seed", "1",
               "--jobs", "1", "--no-progress", "--out", scratch / "failures"]
    out = subprocess.run([str(c) for c in command], capture_output=True, text=True, check=False)
    # One "Collected : N" line per process valgrind followed.
    counts = re.findall(r"Collected : (\d+)", out.stderr)
    return sum(int(count) for count in counts) if counts else None


def spread(values, fmt):
    return f"{fmt.format(min(values))}-{fmt.format(max(values))}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("build", type=pathlib.Path)
    parser.add_argument("fuzzbuild", type=pathlib.Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fuzz-seconds", type=int, default=30)
    parser.add_argument("--no-instructions", action="store_true",
                        help="skip the callgrind count of LeaderPartitions seed 1 (about 15 s)")
    args = parser.parse_args()
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="raftsim-gates-"))

    # rows: (name, values, format, target text, met(median) or None)
    rows = []
    ratios, lp_cpu, lp_failed = [], [], 0
    for _ in range(args.repeat):
        cpu, lp_simulated, _, failed = raftsim_sweep(args.build, [LEADER_PARTITIONS], scratch)
        ratios.append(lp_simulated / cpu)
        lp_cpu.append(cpu)
        lp_failed += failed
    rows.append((f"LeaderPartitions x real time (seeds {SEEDS})", ratios, "{:,.0f}x",
                 ">= 2,000x", lambda m: m >= 2000))

    sweep_cpu, sweep_runs, sweep_failed = [], 0, 0
    for _ in range(args.repeat):
        cpu, _, sweep_runs, failed = raftsim_sweep(args.build, BUILTINS, scratch)
        sweep_cpu.append(cpu)
        sweep_failed += failed
    rows.append((f"{len(BUILTINS)} frozen built-ins, seeds {SEEDS} ({sweep_runs} runs), CPU s",
                 sweep_cpu, "{:.2f}", "baseline", None))

    wall_rates, cpu_rates = [], []
    for _ in range(args.repeat):
        wall, cpu = fuzz_steady(args.fuzzbuild, args.fuzz_seconds, scratch)
        wall_rates.append(wall)
        cpu_rates.append(cpu)
    rows.append(("fuzz_cluster exec/s, ASan+UBSan, steady (wall)", wall_rates, "{:,.0f}",
                 ">= 1,500", lambda m: m >= 1500))
    rows.append(("fuzz_cluster exec/s per CPU-second (steady)", cpu_rates, "{:,.0f}",
                 "(context)", None))

    for name, extra in (("fault-free", []), ("partitioned", ["partitioned"])):
        peaks = [memory_peak(args.build, extra) for _ in range(args.repeat)]
        rows.append((f"peak RSS MiB, 5 nodes x 100,000 entries, {name}", peaks, "{:.1f}",
                     "<= 64 MiB", lambda m: m <= 64))

    count = None if args.no_instructions else instructions(args.build, scratch)
    if count is not None:
        rows.append(("LeaderPartitions seed 1, M instructions (callgrind)", [count / 1e6],
                     "{:,.1f}", "(context)", None))

    print(f"{'gate':<62} {'median':>10} {'spread':>17} {'target':>10} {'met':>8}")
    for name, values, fmt, target, met in rows:
        median = statistics.median(values)
        verdict = "" if met is None else ("met" if met(median) else "NOT MET")
        print(f"{name:<62} {fmt.format(median):>10} {spread(values, fmt):>17} "
              f"{target:>10} {verdict:>8}")
    print(f"\n{args.repeat} repetitions; LeaderPartitions {lp_simulated:.1f} simulated s in "
          f"{statistics.median(lp_cpu):.3f} CPU s (median); fuzz_cluster {args.fuzz_seconds} s "
          f"each, -seed=1; failed runs: LeaderPartitions {lp_failed}, built-ins {sweep_failed}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
