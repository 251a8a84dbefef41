#!/usr/bin/env python3
"""Summarises meson test results.

  test_summary.py BUILD_DIR LABEL   one line "LABEL: N passed, N failed"
                                     counting test cases inside Catch2 runs
  test_summary.py --total FILE      sums such lines into the closing line
                                     "N passed, N failed"
"""
import json
import pathlib
import re
import sys


def per_build(build_dir, label):
    passed = failed = 0
    log = pathlib.Path(build_dir) / "meson-logs" / "testlog.json"
    for line in log.read_text().splitlines():
        record = json.loads(line)
        ok = record.get("result") == "OK"
        # Catch2's compact reporter ends with "Passed N test case(s)" or
        # "Failed N test case(s) ...": count test cases, not executables.
        out = record.get("stdout", "")
        cases = re.search(r"(?:Passed|passed) (?:all )?(\d+) test cases?", out)
        failed_cases = re.search(r"Failed (\d+) test cases?", out)
        if failed_cases:
            failed += int(failed_cases.group(1))
            continue
        if cases:
            passed += int(cases.group(1)) if ok else 0
            failed += 0 if ok else int(cases.group(1))
        else:
            passed += 1 if ok else 0
            failed += 0 if ok else 1
    print(f"{label}: {passed} passed, {failed} failed")


def total(summary_file):
    passed = failed = 0
    for line in pathlib.Path(summary_file).read_text().splitlines():
        match = re.search(r"(\d+) passed, (\d+) failed", line)
        if match:
            passed += int(match.group(1))
            failed += int(match.group(2))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1] == "--total":
        sys.exit(total(sys.argv[2]))
    per_build(sys.argv[1], sys.argv[2])
