#!/usr/bin/env python3
"""expect_output.py CODES PATTERN COMMAND...: runs COMMAND, passes if it exits
with one of CODES (comma-separated) and a line of its stdout matches the
regular expression PATTERN. Prints what the command said."""
import re
import subprocess
import sys

codes = {int(code) for code in sys.argv[1].split(",")}
pattern = re.compile(sys.argv[2], re.M)
result = subprocess.run(sys.argv[3:], capture_output=True, text=True)
print(result.stdout[-4000:], result.stderr[-2000:])
if result.returncode not in codes:
    sys.exit(f"expected exit in {sorted(codes)}, got {result.returncode}")
if not pattern.search(result.stdout):
    sys.exit(f"no line of the output matches {pattern.pattern!r}")
