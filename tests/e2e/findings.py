#!/usr/bin/env python3
"""findings.py RAFTSIM FINDINGS_DIR OUT [--sanitized]: every kept finding
fails as its "expect" entries say (fuzz/findings/README.md).

For each fuzz/findings/**/*.json and each of its "expect" entries whose
system under test RAFTSIM has (`raftsim run --list-suts`), runs

    raftsim run FILE --seed SEED --sut SUT --jobs 1 --json OUT/...

and requires exit 0 and, in the JSON, the run's result: "expected_failure"
(with the entry's checker and kind) while the entry applies -- no
fixed_in, or the system's version below it -- and "passed" once the
system's version is at or past fixed_in. Entries for systems RAFTSIM lacks
are listed as skipped with the reason; a finding without any entry is a
failure (nothing would check it). Exits 0 if everything held, 1 if not,
77 (meson's "skipped") if nothing could run.

With --sanitized (an ASan build), an entry that expects a crash of a
foreign library while it applies is skipped with the reason: the
sanitizer's allocator keeps freed memory mapped and its handler turns a
SIGSEGV into an exit, so an invalid access in code built without it ends
differently or not at all.

Usable by hand against another build, e.g. one linked against a later
canonical/raft: python3 tests/e2e/findings.py OTHER/raftsim fuzz/findings OUT"""
import json
import pathlib
import re
import shutil
import subprocess
import sys

raftsim, findings, out = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
sanitized = "--sanitized" in sys.argv[4:]
shutil.rmtree(out, ignore_errors=True)
out.mkdir(parents=True)


def systems():
    """{name: version} of the systems RAFTSIM has."""
    listing = subprocess.run([raftsim, "run", "--list-suts"], capture_output=True, text=True,
                             check=True).stdout
    found, name = {}, None
    for line in listing.splitlines():
        if line and not line.startswith((" ", "(")):
            name = line.split()[0]
            found[name] = ""
        elif name and line.strip().startswith("version:"):
            found[name] = line.split(":", 1)[1].strip()
    return found


def version_numbers(text):
    """(0, 17, 1) for "0.17.1"; None if it is not numeric dotted."""
    if not re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,9}){0,3}", text):
        return None
    return tuple(int(part) for part in text.split("."))


def applies(entry, version):
    """As raftsim decides (scenarios/expect.hpp): no fixed_in, or a version
    below it; a version that is not numeric dotted cannot show the fix."""
    fixed, have = entry.get("fixed_in"), version_numbers(version)
    if fixed is None or have is None:
        return True
    fixed = version_numbers(fixed)
    width = max(len(fixed), len(have))
    return have + (0,) * (width - len(have)) < fixed + (0,) * (width - len(fixed))


def check_entry(path, index, entry, version):
    """An error message, or None if the run went as the entry says."""
    sut, seed = entry.get("sut", "raftsim"), entry["seed"]
    label = f"{path.stem}-{sut}-{seed}"
    expected = applies(entry, version)
    summary_path = out / f"{label}.json"
    result = subprocess.run([raftsim, "run", str(path), "--seed", str(seed), "--sut", sut,
                             "--jobs", "1", "--json", str(summary_path),
                             "--out", str(out / f"{label}-failures")],
                            capture_output=True, text=True)
    tail = (result.stdout + result.stderr)[-1500:]
    if result.returncode != 0 or not summary_path.exists():
        return f"exit {result.returncode}, wanted 0\n{tail}"
    summary = json.loads(summary_path.read_text())
    status = summary["scenarios"][0]["cases"][0]["result"]
    want = "expected_failure" if expected else "passed"
    if status != want:
        return f"result {status}, wanted {want}\n{tail}"
    if expected:
        record = summary["expected_failures"][0]
        got = (record["checker"], record["kind"])
        wanted = (entry["fails_with"]["checker"], entry["fails_with"]["kind"])
        if got != wanted:
            return f"failed with {got}, expected {wanted}"
    return None


def main():
    have = systems()
    passed, failed, skipped = [], [], []
    for path in sorted(findings.rglob("*.json")):
        name = path.relative_to(findings)
        entries = json.loads(path.read_text()).get("expect", [])
        if not entries:
            failed.append(f"{name}: a kept finding without an \"expect\" entry: nothing checks it")
        for index, entry in enumerate(entries):
            sut = entry.get("sut", "raftsim")
            label = f"{name} expect[{index}] ({sut} seed {entry['seed']})"
            if sut not in have:
                skipped.append(f"{label}: this build has no {sut} (raftsim run --list-suts)")
                continue
            version = have[sut]
            crash = entry["fails_with"]["checker"] == "crash"
            if sanitized and crash and sut != "raftsim" and applies(entry, version):
                skipped.append(f"{label}: a crash of {sut}'s own code is not reproducible "
                               f"under a sanitizer (see the docstring)")
                continue
            what = "expected failure" if applies(entry, version) else "pass (fixed)"
            problem = check_entry(path, index, entry, version)
            line = f"{label} on {sut} {version}: {what}"
            (failed if problem else passed).append(line + (f": {problem}" if problem else ""))
    for kind, lines in (("ok", passed), ("SKIPPED", skipped), ("FAILED", failed)):
        for line in lines:
            print(f"{kind:7} {line}")
    print(f"findings: {len(passed)} as expected, {len(failed)} failed, {len(skipped)} skipped")
    if failed:
        return 1
    return 0 if passed else 77


sys.exit(main())
