#!/usr/bin/env python3
"""sut_fingerprints.py RAFTSIM WORKDIR: raftsim's own core, run behind the
system-under-test seam (`--sut raftsim`, the default), still gives the trace
fingerprints it gave before the seam existed (issue 15): the built-in suite
on seeds 1..20 and swarm seeds 1..300, against tests/sut/raftsim_fingerprints.txt.
A behaviour change of the core or the host shows here as the runs it moved."""
import pathlib
import shutil
import subprocess
import sys

raftsim, workdir = sys.argv[1:3]
work = pathlib.Path(workdir)
shutil.rmtree(work, ignore_errors=True)
work.mkdir(parents=True)
expected_file = pathlib.Path(__file__).parent.parent / "sut" / "raftsim_fingerprints.txt"


def expected():
    sections, current = {}, None
    for line in expected_file.read_text().splitlines():
        if line in ("# suite", "# swarm"):
            current = sections.setdefault(line[2:], [])
        elif line and not line.startswith("#"):
            current.append(line)
    return sections


def run(name, args):
    out = work / f"{name}.txt"
    result = subprocess.run([raftsim, "run", *args, "--fingerprints", str(out), "--no-progress",
                             "--out", str(work / f"{name}-failures")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.exit(f"FAILED: raftsim run {' '.join(args)} exited {result.returncode}:\n"
                 f"{result.stdout[-3000:]}")
    return out.read_text().splitlines()


def main():
    want = expected()
    got = {"suite": run("suite", ["--seeds", "1..20"]),
           "swarm": run("swarm", ["--swarm", "--seeds", "1..300"])}
    moved = 0
    for section in ("suite", "swarm"):
        if len(want[section]) != len(got[section]):
            sys.exit(f"FAILED: {section}: {len(got[section])} runs, expected "
                     f"{len(want[section])}")
        for before, now in zip(want[section], got[section]):
            if before != now:
                moved += 1
                if moved <= 10:
                    print(f"moved: expected `{before}`, got `{now}`")
    if moved:
        sys.exit(f"FAILED: {moved} fingerprints moved (tests/sut/raftsim_fingerprints.txt)")
    print(f"{len(got['suite'])} suite and {len(got['swarm'])} swarm fingerprints unchanged")


main()
