#!/usr/bin/env python3
"""Summarizes a fuzz/run target's libFuzzer logs.

  summarize_logs.py [--line] TARGET LOG_DIR CORPUS_DIR CRASH_DIR

Reads each job's final statistics (-print_final_stats=1) from the logs and
prints executions, executions per second (summed over jobs, so the figure is
per machine, and per job), the last coverage figures, the corpus size and
the number of crash inputs. With --line, one line for fuzz/run's summary.
"""
import os
import re
import sys


def read_stats(log_dir):
    jobs = []
    cov = ft = None
    for name in sorted(os.listdir(log_dir)):
        if not name.endswith(".log"):
            continue
        with open(os.path.join(log_dir, name), errors="replace") as f:
            text = f.read()
        runs = re.findall(r"stat::number_of_executed_units:\s+(\d+)", text)
        rate = re.findall(r"stat::average_exec_per_sec:\s+(\d+)", text)
        if runs and rate:
            jobs.append((int(runs[-1]), int(rate[-1])))
        found = re.findall(r"cov: (\d+) ft: (\d+)", text)
        if found:
            c, f_ = map(int, found[-1])
            cov = max(cov or 0, c)
            ft = max(ft or 0, f_)
    return jobs, cov, ft


def main():
    args = sys.argv[1:]
    line = args and args[0] == "--line"
    if line:
        args = args[1:]
    target, log_dir, corpus_dir, crash_dir = args
    jobs, cov, ft = read_stats(log_dir)
    runs = sum(r for r, _ in jobs)
    rate = sum(x for _, x in jobs)
    per_job = rate // len(jobs) if jobs else 0
    corpus = len(os.listdir(corpus_dir)) if os.path.isdir(corpus_dir) else 0
    crashes = len(os.listdir(crash_dir)) if os.path.isdir(crash_dir) else 0
    text = (f"{target:<14} {runs:>10} execs {rate:>7} exec/s ({per_job} per job, "
            f"{len(jobs)} jobs)  cov {cov}  ft {ft}  corpus {corpus}  crashes {crashes}")
    if line:
        print(text)
    else:
        print("  " + text, file=sys.stderr)


if __name__ == "__main__":
    main()
