#!/usr/bin/env python3
"""hostile_inputs.py RAFTSIM WORKDIR: raftsim against inputs meant to hurt
it -- names that are paths or terminal escapes, huge and endless files,
runs without end, CLI misuse, corrupt artifacts and reports. Each row runs
in a fresh directory and must exit with the documented status (docs/ci.md,
"Exit status") and a clear message, must write nothing outside its --out
directory (or the report files it names), and must never print a raw
escape character that came from the input."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

raftsim, workdir = sys.argv[1:3]
raftsim = str(pathlib.Path(raftsim).resolve())
work = pathlib.Path(workdir).resolve()
shutil.rmtree(work, ignore_errors=True)
work.mkdir(parents=True)
HERE = pathlib.Path(__file__).resolve().parent
ESC = "\x1b"


def scenario(name="Hostile", steps=None, **extra):
    document = {"name": name, "cluster": {"voters": 3},
                "steps": steps if steps is not None else [{"wait_for_leader": "10s"}]}
    document.update(extra)
    return json.dumps(document)


def nested(levels):
    """A sleep under `levels` nested repeats."""
    steps = [{"sleep": "1ms"}]
    for _ in range(levels):
        steps = [{"repeat": 1, "steps": steps}]
    return scenario(steps=steps)


def failing_artifact(cwd):
    """A real artifact of a failing run, made in `cwd`/made."""
    (cwd / "fail.json").write_text(scenario(steps=[{"wait_for_leader": "10ms"}]))
    subprocess.run([raftsim, "run", "fail.json", "--seed", "1", "--jobs", "1", "--out", "made"],
                   cwd=cwd, capture_output=True)
    return cwd / "made" / "Hostile-seed1"


def limited_artifact(cwd):
    """The artifact of a run stopped by --max-events, made in `cwd`/made."""
    (cwd / "s.json").write_text(scenario())
    subprocess.run([raftsim, "run", "s.json", "--seed", "1", "--jobs", "1", "--max-events", "20",
                    "--out", "made"], cwd=cwd, capture_output=True)


def corrupt(edit):
    """A setup: a real artifact, then `edit(artifact)`; replay runs on it."""
    def setup(cwd):
        artifact = failing_artifact(cwd)
        edit(artifact)
    return setup


def manifest_edit(change):
    def edit(artifact):
        manifest = json.loads((artifact / "run.json").read_text())
        change(manifest)
        (artifact / "run.json").write_text(json.dumps(manifest))
    return edit


def big_file(cwd):
    with open(cwd / "big.json", "w") as out:
        out.write('{"name": "Big", "cluster": {"voters": 3}, "steps": [')
        out.write('{"sleep": "1ms"}, ' * (17 * 1024 * 1024 // 18))
        out.write('{"sleep": "1ms"}]}')


def fifo(cwd):
    os.mkfifo(cwd / "pipe.json")


def socket_file(cwd):
    import socket
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(cwd / "socket.json"))
    SOCKETS.append(listener)  # kept open while the row runs


SOCKETS = []


def two_of_one_name(cwd):
    for file in ("a.json", "b.json"):
        (cwd / file).write_text(scenario(name="Twin", steps=[{"wait_for_leader": "10ms"}]))


def out_is_file(cwd):
    (cwd / "out").write_text("a file where the output directory should be\n")


def empty_dir(cwd):
    (cwd / "empty").mkdir()
    (cwd / "empty" / "notes.txt").write_text("no scenarios here\n")


def files(**contents):
    def setup(cwd):
        for name, text in contents.items():
            (cwd / name.replace("__", ".")).write_text(text)
    return setup


RUN = ["run", "--jobs", "1", "--out", "out"]
NAME_REFUSED = r"name: .*(1 to 64 characters|must not)"
ROWS = [
    # Names: a scenario's name becomes a directory; a node's too.
    ("name is a path up", files(s__json=scenario("../../x")), RUN + ["s.json"], 2, NAME_REFUSED),
    ("name holds a slash", files(s__json=scenario("a/b")), RUN + ["s.json"], 2, NAME_REFUSED),
    ("name holds a newline", files(s__json=scenario("a\nb")), RUN + ["s.json"], 2, NAME_REFUSED),
    ("name holds an ANSI escape", files(s__json=scenario("\u001b[31mred")), RUN + ["s.json"], 2,
     NAME_REFUSED),
    ("name of 10,000 characters", files(s__json=scenario("x" * 10000)), RUN + ["s.json"], 2,
     NAME_REFUSED),
    ("name starts with a dot", files(s__json=scenario(".hidden")), RUN + ["s.json"], 2,
     NAME_REFUSED),
    ("name starts with a dash", files(s__json=scenario("-rf")), RUN + ["s.json"], 2,
     NAME_REFUSED),
    ("node name is ..", files(s__json=json.dumps(
        {"name": "N", "cluster": {"names": ["a", "b", ".."]}, "steps": []})),
     RUN + ["s.json"], 2, r"cluster\.names\[2\]"),
    ("two files of one name keep both artifacts", two_of_one_name,
     RUN + ["a.json", "b.json", "--seed", "1"], 1, r"artifact: out/Twin\+2-seed1"),
    # Sizes and file kinds: bounded before any work.
    ("a file over 16 MiB", big_file, RUN + ["big.json"], 2, r"larger than 16777216 bytes"),
    ("/dev/zero as a scenario", files(), RUN + ["/dev/zero"], 2, r"not a regular file"),
    ("a FIFO as a scenario", fifo, RUN + ["pipe.json"], 2, r"not a regular file"),
    ("a socket as a scenario", socket_file, RUN + ["socket.json"], 2, r"not a regular file"),
    ("a directory without scenarios", empty_dir, RUN + ["empty"], 2, r"holds no \*\.json"),
    ("an empty file", files(s__json=""), RUN + ["s.json"], 2, r"s\.json: \$: "),
    ("bytes that are not UTF-8", files(s__json='{"name": "\xff"}'), RUN + ["s.json"], 2,
     r"s\.json: "),
    ("a step list too long to build", files(s__json=scenario(steps=[{"heal_all": {}}] * 200000)),
     RUN + ["s.json"], 2, r"steps"),
    ("apply 4294967295", files(s__json=scenario(steps=[{"apply": 4294967295}])),
     RUN + ["s.json"], 2, r"steps\[0\]\.apply"),
    ("membership_churn of 2^32-1 changes", files(s__json=scenario(
        steps=[{"membership_churn": {"count": 4294967295, "every": "1s"}}])),
     RUN + ["s.json"], 2, r"steps\[0\]\.membership_churn"),
    ("repeats nested 17 deep", files(s__json=nested(17)), RUN + ["s.json"], 2, r"16 levels"),
    ("repeats nested 16 deep run", files(s__json=nested(16)), RUN + ["s.json", "--seed", "1"], 0,
     r"all passed"),
    ("--artifact-budget 1 keeps one artifact, then lines", files(s__json=scenario(
        steps=[{"wait_for_leader": "10ms"}])), RUN + ["s.json", "--seeds", "1..3",
                                                      "--artifact-budget", "1"], 1,
     r"artifact: out/Hostile-seed1(.|\n)*no artifact: the artifacts written reached "
     r"--artifact-budget"),
    ("--artifact-budget that is not a size", files(), RUN + ["--artifact-budget", "lots"], 2,
     r"--artifact-budget needs a size"),
    # Runs without end: deterministic limits fail them as limit/KIND.
    ("repeat 1000000 x sleep 1h", files(s__json=scenario(
        steps=[{"repeat": 1000000, "steps": [{"sleep": "1h"}]}])),
     RUN + ["s.json", "--seed", "1"], 1, r"limit/simulated_time"),
    ("repeats of steps that take no time", files(s__json=scenario(steps=[
        {"repeat": 1000000, "steps": [{"repeat": 1000000, "steps": [{"heal_all": {}}]}]}])),
     RUN + ["s.json", "--seed", "1"], 1, r"limit/steps"),
    ("limits.events in the scenario", files(s__json=scenario(limits={"events": 20})),
     RUN + ["s.json", "--seed", "1"], 1, r"limit/events"),
    ("--max-events on the command line", files(s__json=scenario()),
     RUN + ["s.json", "--seed", "1", "--max-events", "20"], 1, r"limit/events"),
    ("a limit's artifact replays without the flag", limited_artifact,
     ["replay", "made/Hostile-seed1"], 1, r"MATCHES(.|\n)*violation: limit/events"),
    ("limits.requests against a big apply", files(s__json=scenario(
        steps=[{"wait_for_leader": "10s"}, {"apply": 1000}], limits={"requests": 100})),
     RUN + ["s.json", "--seed", "1"], 1, r"limit/requests"),
    ("limits.events of 0", files(s__json=scenario(limits={"events": 0})), RUN + ["s.json"], 2,
     r"limits\.events"),
    ("an unknown limit", files(s__json=scenario(limits={"memory": 1})), RUN + ["s.json"], 2,
     r"limits"),
    ("--max-sim-time that is not a duration", files(),
     RUN + ["NoIssueSanity", "--max-sim-time", "forever"], 2, r"--max-sim-time needs a duration"),
    # CLI misuse.
    ("--fail-fast=3", files(), RUN + ["--fail-fast=3"], 2, r"--fail-fast takes no value"),
    ("--seed given twice", files(), RUN + ["--seed", "1", "--seed", "2"], 2, r"more than once"),
    ("--seed with --seeds", files(), RUN + ["--seed", "1", "--seeds", "1..2"], 2,
     r"cannot be used with"),
    ("--seeds 0..0 runs seed 0", files(), RUN + ["NoIssueSanity", "--seeds", "0..0"], 0,
     r"all passed"),
    ("--seed 2^64-1 runs", files(), RUN + ["NoIssueSanity", "--seed", "18446744073709551615"], 0,
     r"all passed"),
    ("--seed -1", files(), RUN + ["--seed", "-1"], 2, r"--seed needs a whole number"),
    ("--seed 1e3", files(), RUN + ["--seed", "1e3"], 2, r"--seed needs a whole number"),
    ("--seeds 9..1", files(), RUN + ["--seeds", "9..1"], 2, r"A <= B"),
    ("--seeds 1..10^12", files(), RUN + ["--seeds", "1..1000000000000"], 2,
     r"at most 10000000 -- split it with --shard"),
    ("--shard 0/3", files(), RUN + ["--shard", "0/3"], 2, r"1 <= I <= N"),
    ("--shard 4/3", files(), RUN + ["--shard", "4/3"], 2, r"1 <= I <= N"),
    ("--jobs 0", files(), ["run", "--jobs", "0"], 2, r"--jobs needs a whole number from 1"),
    ("a misspelt option", files(), RUN + ["--seeeds", "1..3"], 2, r"did you mean '--seeds'"),
    ("another command's option", files(), RUN + ["--html", "x.html"], 2,
     r"an option of 'raftsim replay'"),
    ("--swarm with scenarios", files(), RUN + ["--swarm", "NoIssueSanity"], 2,
     r"cannot be used with --swarm"),
    ("a misspelt command", files(), ["rnu", "--out", "out"], 2,
     r"no such file, directory or built-in scenario"),
    ("--out is a file", out_is_file, RUN + ["NoIssueSanity"], 2, r"cannot use out"),
    ("--out cannot be made", files(), ["run", "--jobs", "1", "--out", "/proc/raftsim-out"], 2,
     r"cannot use /proc/raftsim-out"),
    ("--junit is a directory", files(), RUN + ["--junit", "."], 2, r"it is a directory"),
    ("--json in a missing directory", files(), RUN + ["--json", "no/such/dir/r.json"], 2,
     r"cannot write no/such/dir/r\.json"),
    ("replay with --all and --around", files(), ["replay", "Figure8", "--seed", "1", "--all",
                                                 "--around", "3"], 2, r"cannot be used with"),
    ("replay of a missing artifact", files(), ["replay", "no-such-dir"], 2,
     r"not an artifact directory"),
    ("replay --fuzz-input /dev/zero", files(), ["replay", "--fuzz-input", "/dev/zero"], 2,
     r"not a regular file"),
    ("shrink --out is a file", out_is_file, ["shrink", str(HERE / "no_leader_in_time.json"),
                                              "--seed", "1", "--jobs", "1", "--out", "out"], 2,
     r"cannot use out as the output directory"),
    ("shrink --max-runs 0", files(), ["shrink", "NoIssueSanity", "--seed", "1", "--max-runs",
                                      "0"], 2, r"--max-runs needs a whole number from 1"),
    ("shrink of a run that passes", files(), ["shrink", "NoIssueSanity", "--seed", "1", "--jobs",
                                              "1", "--out", "out"], 2, r"there is no failure"),
    ("check with nothing to check", files(), ["check"], 2, r"scenarios is required"),
    ("bench --seeds 0", files(), ["bench", "--seeds", "0"], 2, r"--seeds needs a whole number"),
    # Corrupt artifacts and reports.
    ("run.json that is not JSON", corrupt(lambda a: (a / "run.json").write_text("{oops")),
     ["replay", "made/Hostile-seed1"], 2, r"run\.json: not a raftsim artifact manifest"),
    ("run.json with a string seed", corrupt(manifest_edit(lambda m: m.update(seed="7"))),
     ["replay", "made/Hostile-seed1"], 2, r"\"seed\" must be a whole number"),
    ("run.json with a bad fingerprint", corrupt(manifest_edit(
        lambda m: m.update(fingerprint="zz"))), ["replay", "made/Hostile-seed1"], 2,
     r"\"fingerprint\" must be 16 hex digits"),
    ("an artifact without run.json", corrupt(lambda a: (a / "run.json").unlink()),
     ["replay", "made/Hostile-seed1"], 2, r"not an artifact directory"),
    ("an artifact whose scenario.json is malformed", corrupt(
        lambda a: (a / "scenario.json").write_text('{"name": 7}')),
     ["replay", "made/Hostile-seed1"], 2, r"scenario\.json: name: "),
    ("an artifact whose fingerprint moved", corrupt(manifest_edit(
        lambda m: m.update(fingerprint="0123456789abcdef"))), ["replay", "made/Hostile-seed1"], 3,
     r"NOT REPRODUCED"),
    ("a compressed trace that is corrupt", corrupt(lambda a: (
        (a / "trace.jsonl.zst").write_bytes(b"\x28\xb5\x2f\xfdjunk"),
        manifest_edit(lambda m: m.update(fingerprint="0123456789abcdef"))(a))),
     ["replay", "made/Hostile-seed1"], 3, r"keeps no trace to compare"),
    ("merge of a report that is not one", files(r__json='{"schema_version": 2}'),
     ["merge", "r.json", "--json", "out/m.json"], 2, r"not a raftsim run --json report"),
]


def snapshot(cwd):
    return {p.relative_to(cwd).as_posix() for p in cwd.rglob("*")}


def check_row(index, row):
    name, setup, args, status, pattern = row
    cwd = work / f"row{index:02d}"
    cwd.mkdir()
    setup(cwd)
    before = snapshot(cwd)
    try:
        result = subprocess.run([raftsim, *args], cwd=cwd, capture_output=True, timeout=120,
                                stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        print(f"{index:2d} {name}: FAILED: still running after 120 s")
        return False
    out = result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")
    problems = []
    if result.returncode != status:
        problems.append(f"exit {result.returncode}, expected {status}")
    if not re.search(pattern, out):
        problems.append(f"no match for {pattern!r}")
    if ESC in out:
        problems.append("a raw escape character reached the terminal")
    allowed = ("out", "made")
    written = {p for p in snapshot(cwd) - before if p.split("/")[0] not in allowed}
    if written:
        problems.append(f"wrote outside --out: {sorted(written)[:5]}")
    verdict = "ok" if not problems else "FAILED: " + "; ".join(problems)
    print(f"{index:2d} {name}: exit {result.returncode}: {verdict}")
    if problems:
        print("   " + out[-1500:].replace("\n", "\n   "))
    return not problems


passed = sum(check_row(i, row) for i, row in enumerate(ROWS, start=1))
print(f"{passed} of {len(ROWS)} hostile inputs handled as documented")
sys.exit(0 if passed == len(ROWS) else 1)
