#!/usr/bin/env python3
"""canonical_symbols.py [--must-refuse] RAFTSIM: the raftsim binary, linked with canonical/raft's
static library, pulls in none of the library's own sources of time, randomness
or threads -- its libuv backend (uv*.o), rand/getrandom, gettimeofday/time --
so the simulator stays the only source of nondeterminism (docs/adapters.md).
clock_gettime is allowed: raftsim's CLI reads the wall clock for progress and
--timeout, and libraft's default tracer uses it only when LIBRAFT_TRACE is set,
which the adapter replaces with its own tracer. With --must-refuse the
check's own test: it passes only if the binary given is refused."""
import re
import subprocess
import sys

must_refuse = sys.argv[1] == "--must-refuse"
binary = sys.argv[2] if must_refuse else sys.argv[1]
listing = subprocess.run(["nm", binary], capture_output=True, text=True, check=True).stdout
banned_imports = {"getrandom", "rand", "random", "srand", "srandom", "rand_r", "gettimeofday",
                  "time", "clock", "pthread_create", "uv_loop_init", "uv_run"}
problems = []
defined_raft = 0
for line in listing.splitlines():
    parts = line.split()
    if len(parts) == 2 and parts[0] in ("U", "w"):
        name = parts[1].split("@")[0]
        if name in banned_imports:
            problems.append(f"imports {name}")
    elif len(parts) == 3:
        name = parts[2]
        defined_raft += name.startswith("raft_")
        if re.match(r"(uv[A-Z_]|raft_uv_|raft_fixture_)", name):
            problems.append(f"links {name} (canonical/raft's libuv backend or fixture)")
if defined_raft == 0:
    print(f"{binary}: no raft_ symbols: is canonical/raft linked in?")
    sys.exit(1)
for problem in problems:
    print(f"{binary}: {problem}")
print(f"canonical symbols: {defined_raft} raft_ symbols linked, {len(problems)} problem(s)")
if must_refuse:
    print("refused, as it must be" if problems else "NOT refused: the check cannot fire")
    sys.exit(0 if problems else 1)
sys.exit(1 if problems else 0)
