#!/usr/bin/env python3
"""golden: transcript tests of whole runs (modelled on etcd raft's datadriven tests).

Usage:
  tools/golden.py RAFTSIM GOLDEN_DIR [NAME...]              check
  tools/golden.py RAFTSIM GOLDEN_DIR --rewrite [NAME...]    regenerate
  tools/golden.py RAFTSIM GOLDEN_DIR --self-test            prove a change is caught

GOLDEN_DIR holds pairs NAME.json (a scenario) and NAME.txt (its expected
transcript): a few `#` comment lines (the scenario's name and description,
the command), then the stdout of `raftsim replay NAME.json --seed 1 --all`
verbatim. Check mode re-runs every scenario (or the NAMEs given), compares the
whole file and prints a unified diff for each mismatch; it exits 0 if all
match, 1 if one differs, a run fails or a file has no partner, 2 on bad usage.
--rewrite writes the transcripts anew (also creating those of new scenarios)
and reports what changed. --self-test copies one pair to a temporary
directory, perturbs a line of its transcript and checks that check mode exits
1 with a diff naming that line, that a lone file is refused, and that
--rewrite restores the file. See docs/golden.md.
"""
import difflib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap

SEED = 1
HOME = "tests/golden"  # where the files live, as the command comment shows it
CONTEXT_LINES = 6
MAX_DIFF_LINES = 400
REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent


class GoldenError(Exception):
    """A run that failed or a layout problem: reported, and the check fails."""


def replay_command(name):
    """The command a reviewer runs from the repository root."""
    return f"raftsim replay {HOME}/{name}.json --seed {SEED} --all"


def header(name, scenario_name, description):
    """The comment lines that open a transcript."""
    lines = [f"# golden: {name} (scenario {scenario_name})"]
    wrapped = textwrap.wrap(description, width=96, break_on_hyphens=False)
    lines += [f"# {line}" for line in wrapped]
    lines.append(f"# command: {replay_command(name)}")
    return "\n".join(lines) + "\n"


def scenario_fields(path):
    """The scenario's name and description, for the header."""
    data = json.loads(path.read_text())
    return data.get("name", path.stem), data.get("description", "")


def run_transcript(raftsim, golden_dir, name):
    """Runs the replay and returns the whole expected-file text it yields."""
    scenario = golden_dir / f"{name}.json"
    command = [raftsim, "replay", str(scenario), "--seed", str(SEED), "--all"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-30:])
        raise GoldenError(f"{name}: `{' '.join(command)}` exited {result.returncode}"
                          f" (a golden scenario must pass)\n{tail}\n{result.stderr}")
    # The only environment-dependent text a run could print is the path it
    # was given; show it as it is in the repository.
    stdout = result.stdout.replace(str(golden_dir.resolve()) + "/", HOME + "/")
    stdout = stdout.replace(str(golden_dir) + "/", HOME + "/")
    scenario_name, description = scenario_fields(scenario)
    return header(name, scenario_name, description) + stdout


def pair_names(golden_dir, wanted, creating):
    """The NAMEs to run; raises GoldenError on a file without its partner."""
    scenarios = {p.stem for p in golden_dir.glob("*.json")}
    transcripts = {p.stem for p in golden_dir.glob("*.txt")}
    problems = [f"{n}.txt has no scenario {n}.json" for n in sorted(transcripts - scenarios)]
    if not creating:
        problems += [f"{n}.json has no transcript {n}.txt (create it with --rewrite {n})"
                     for n in sorted(scenarios - transcripts)]
    unknown = [n for n in wanted if n not in scenarios]
    problems += [f"no golden scenario {n}.json" for n in unknown]
    if problems:
        raise GoldenError("\n".join(f"{golden_dir}: {p}" for p in problems))
    if not scenarios:
        raise GoldenError(f"{golden_dir}: no golden scenarios (*.json)")
    return sorted(wanted) if wanted else sorted(scenarios)


def shown_path(path):
    """A path relative to the repository root when it is inside it."""
    resolved = pathlib.Path(path).resolve()
    if resolved.is_relative_to(REPO_ROOT):
        return str(resolved.relative_to(REPO_ROOT))
    return str(path)


def print_diff(name, expected, actual):
    """A unified diff, expected file first, cut after MAX_DIFF_LINES lines."""
    diff = list(difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                     f"{name}.txt (expected)", f"{name}.txt (actual run)",
                                     n=CONTEXT_LINES, lineterm=""))
    for line in diff[:MAX_DIFF_LINES]:
        print(line)
    if len(diff) > MAX_DIFF_LINES:
        print(f"... {len(diff) - MAX_DIFF_LINES} more diff lines (see --rewrite and git diff)")
    stripped = [[line.rstrip() for line in text.splitlines()] for text in (expected, actual)]
    if stripped[0] == stripped[1]:
        print(f"{name}.txt differs only in trailing whitespace or the final newline"
              " (did an editor strip it?)")


def check(raftsim, golden_dir, names):
    """Check mode: 0 if every transcript matches, else 1."""
    mismatched = []
    for name in names:
        expected = (golden_dir / f"{name}.txt").read_text()
        try:
            actual = run_transcript(raftsim, golden_dir, name)
        except GoldenError as error:
            print(f"FAIL  {error}")
            mismatched.append(name)
            continue
        if actual == expected:
            print(f"ok    {name}")
            continue
        print(f"DIFF  {name}")
        print_diff(name, expected, actual)
        mismatched.append(name)
    print(f"golden: {len(names) - len(mismatched)} matched, {len(mismatched)} differ")
    if not mismatched:
        return 0
    only = "" if mismatched == names else " " + " ".join(mismatched)
    print("If the change is intended, regenerate and review the diff (docs/golden.md):\n"
          f"  tools/golden.py {shown_path(raftsim)} {shown_path(golden_dir)} --rewrite{only}\n"
          f"  git diff {shown_path(golden_dir)}")
    return 1


def change_summary(old, new):
    """How many lines a rewrite removed and added, as in `git diff --stat`."""
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), n=0, lineterm="")
    changed = [line[0] for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    return f"-{changed.count('-')} +{changed.count('+')} lines"


def rewrite(raftsim, golden_dir, names):
    """Rewrite mode: writes each transcript, says which changed."""
    counts = {"rewritten": 0, "unchanged": 0, "created": 0}
    for name in names:
        path = golden_dir / f"{name}.txt"
        actual = run_transcript(raftsim, golden_dir, name)
        old = path.read_text() if path.exists() else None
        if old == actual:
            counts["unchanged"] += 1
            continue
        kind = "created" if old is None else "rewritten"
        path.write_text(actual)
        counts[kind] += 1
        print(f"{kind} {path} ({change_summary(old or '', actual)})")
    print(f"golden: {counts['rewritten']} rewritten, {counts['unchanged']} unchanged,"
          f" {counts['created']} created")
    return 0


def run_self(raftsim, golden_dir, *extra):
    """This driver as a subprocess: (exit status, stdout)."""
    command = [sys.executable, __file__, raftsim, str(golden_dir), *extra]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return result.returncode, result.stdout + result.stderr


TIMELINE_LINE = re.compile(r"^ +\d+ +\d+\.\d{6}s  ")
TERM = re.compile(r"\bt(\d+)\b")


def perturb(text):
    """Bumps the term shown on a timeline line in the middle of a transcript,
    as a core change might; returns (text, old line, new line)."""
    lines = text.split("\n")
    body = [i for i, line in enumerate(lines) if TIMELINE_LINE.match(line) and TERM.search(line)]
    if not body:
        raise GoldenError("self-test: the transcript has no timeline lines to perturb")
    index = body[len(body) // 2]
    old = lines[index]
    lines[index] = TERM.sub(lambda m: f"t{int(m.group(1)) + 1}", old, count=1)
    return "\n".join(lines), old, lines[index]


def self_test_cases(raftsim, scratch, name):
    """The self-test's checks on a scratch copy; returns the failures."""
    failures = []
    status, output = run_self(raftsim, scratch, name)
    if status != 0:
        failures.append(f"the unchanged copy does not check clean (exit {status}):\n{output}")
    transcript = scratch / f"{name}.txt"
    text, old, new = perturb(transcript.read_text())
    transcript.write_text(text)
    status, output = run_self(raftsim, scratch, name)
    if status != 1 or f"\n-{new}\n" not in output or f"\n+{old}\n" not in output:
        failures.append(f"a perturbed line was not reported (exit {status}):\n{output}")
    elif "--rewrite" not in output:
        failures.append("the mismatch report does not say how to regenerate")
    status, output = run_self(raftsim, scratch, "--rewrite", name)
    if status != 0 or "1 rewritten" not in output or run_self(raftsim, scratch)[0] != 0:
        failures.append(f"--rewrite did not restore the transcript:\n{output}")
    transcript.unlink()
    status, output = run_self(raftsim, scratch)
    if status != 1 or f"{name}.json has no transcript" not in output:
        failures.append(f"a scenario without transcript was accepted (exit {status}):\n{output}")
    return failures


def self_test(raftsim, golden_dir):
    """Copies one pair to a temporary directory and checks changes are caught."""
    name = pair_names(golden_dir, [], creating=False)[0]
    with tempfile.TemporaryDirectory(prefix="golden-self-test-") as temp:
        scratch = pathlib.Path(temp)
        for suffix in (".json", ".txt"):
            shutil.copy(golden_dir / f"{name}{suffix}", scratch / f"{name}{suffix}")
        failures = self_test_cases(raftsim, scratch, name)
    for failure in failures:
        print(f"golden self-test FAILED: {failure}")
    if not failures:
        print(f"golden self-test: a changed line of {name}.txt is reported with a diff,"
              " a lone scenario is refused, --rewrite restores the file")
    return 1 if failures else 0


def parse_args(argv):
    """(raftsim, golden_dir, mode, names), or None on bad usage."""
    positional = [a for a in argv if not a.startswith("--")]
    flags = [a for a in argv if a.startswith("--")]
    modes = [f for f in flags if f in ("--rewrite", "--self-test")]
    if len(positional) < 2 or len(modes) != len(flags) or len(modes) > 1:
        return None
    mode = modes[0] if modes else "check"
    if mode == "--self-test" and len(positional) > 2:
        return None
    return positional[0], pathlib.Path(positional[1]), mode, positional[2:]


def main(argv):
    parsed = parse_args(argv)
    if parsed is None:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    raftsim, golden_dir, mode, names = parsed
    names = [pathlib.Path(n).name.removesuffix(".json").removesuffix(".txt") for n in names]
    if not os.access(raftsim, os.X_OK) or not golden_dir.is_dir():
        print(f"golden: {raftsim} is not an executable or {golden_dir} not a directory",
              file=sys.stderr)
        return 2
    try:
        if mode == "--self-test":
            return self_test(raftsim, golden_dir)
        chosen = pair_names(golden_dir, names, creating=mode == "--rewrite")
        if mode == "--rewrite":
            return rewrite(raftsim, golden_dir, chosen)
        return check(raftsim, golden_dir, chosen)
    except GoldenError as error:
        print(f"golden: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
