#!/usr/bin/env python3
"""expect_exit.py CODE COMMAND...: runs COMMAND, passes if it exits with CODE.
Prints what the command said, so the test log shows the error message."""
import subprocess
import sys

expected = int(sys.argv[1])
result = subprocess.run(sys.argv[2:], capture_output=True, text=True)
print(result.stdout[-2000:], result.stderr[-2000:])
if result.returncode != expected:
    print(f"expected exit {expected}, got {result.returncode}")
    sys.exit(1)
