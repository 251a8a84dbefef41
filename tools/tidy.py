#!/usr/bin/env python3
"""tidy: the determinism and layering linter, run as a meson test.

Fails on tokens that would make a run depend on anything but (scenario, seed,
build) in core/, sut/, sim/, scenarios/ and the fuzz decoder (fuzz/src,
fuzz/include): wall clocks and the CPU clock, std::rand, random_device, <random>
distributions, threads, getenv, unordered containers (their iteration order
is unspecified). In core/ it also bans I/O, exceptions and the fmt/json
libraries, which belong to the layers above. Everywhere it enforces the
100-column limit and the 70-line function limit of docs/style.md, and keeps
a foreign Raft library's headers inside its adapter's folder (sut/NAME/).

`tidy.py --self-test` feeds every rule a line that must trip it, so a rule
that can no longer fire is itself a failure.
"""
import pathlib
import re
import sys
import tempfile

# A foreign implementation's headers, and the one folder that may include them.
FOREIGN_HEADERS = [
    # The fixture bench (issue 17) runs canonical under its own raft_fixture,
    # outside the simulator, to compare with; it is the one other home.
    (r"#\s*include\s*[<\"]raft\.h[>\"]", ("sut/canonical/", "bench/canonical_fixture_bench.cpp")),
]

DETERMINISM = [
    (r"std::chrono|<chrono>", "clock (std::chrono)"),
    (r"\b(system_clock|steady_clock|high_resolution_clock)\b", "wall clock"),
    (r"\b(gettimeofday|clock_gettime|time)\s*\(", "wall clock call"),
    (r"\bclock\s*\(", "CPU clock (std::clock: benchmarks only, in bench/)"),
    (r"\bstd::rand\b|\b(s?rand)\s*\(", "std::rand"),
    (r"\brandom_device\b", "random_device"),
    (r"#\s*include\s*<random>", "<random>"),
    (r"\b\w+_distribution\b", "<random> distribution"),
    (r"\bmt19937(_64)?\b|\bdefault_random_engine\b", "<random> engine"),
    (r"std::(thread|jthread|async|mutex)\b|#\s*include\s*<(thread|future|mutex)>", "threads"),
    (r"\bpthread_\w+", "threads"),
    (r"\b(getenv|secure_getenv)\s*\(", "getenv"),
    (r"\bunordered_(map|set|multimap|multiset)\b", "unordered container (iteration order)"),
]

CORE_ONLY = [
    (r"#\s*include\s*<(iostream|fstream|sstream|cstdio|stdio\.h)>", "I/O in core"),
    (r"\b(printf|fprintf|puts|std::cout|std::cerr|std::clog)\b", "I/O in core"),
    (r"#\s*include\s*[<\"](fmt|nlohmann)/", "fmt/json in core"),
    (r"\bthrow\b", "exceptions in core (errors are values)"),
]

# A draw from a run's random stream (the decoder's reader, a Prng).
RANDOM_DRAW = re.compile(
    r"\b(reader_|prng_?|rng_?)\s*\.\s*(range|below|chance|next_u64|range_inclusive)\s*\(")
# Operators that sequence their operands (a ? b : c, a && b, a || b, a, b
# at statement level is not matched: a statement is cut at ; { }).
SEQUENCING = re.compile(r"\?|&&|\|\|")

LINE_LIMIT = 100
FUNCTION_LIMIT = 70
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".cc"}
FUNCTION_START = re.compile(r"^[A-Za-z].*\)\s*(const)?\s*(noexcept)?\s*(->\s*[\w:<>]+\s*)?\{\s*$")


def strip_comments(text):
    """Removes // and /* */ comments (keeps line structure)."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return "\n".join(re.sub(r"//.*$", "", line) for line in text.split("\n"))


def check_tokens(text, rules):
    problems = []
    for number, line in enumerate(strip_comments(text).split("\n"), start=1):
        for pattern, name in rules:
            if re.search(pattern, line):
                problems.append((number, name, line.strip()))
    return problems


def check_draw_order(text):
    """Two draws from a random stream in one statement, with nothing that
    sequences them: C++ leaves the order of evaluation of operands and
    arguments unspecified, so two builds may draw in different orders (gcc
    -O2 and gcc with ASan did, in the swarm decoder's sleeps)."""
    problems = []
    stripped = strip_comments(text)
    offset = 0
    for statement in re.split(r"(?<=[;{}])", stripped):
        draws = list(RANDOM_DRAW.finditer(statement))
        if len(draws) >= 2 and not SEQUENCING.search(statement):
            line = stripped[:offset + draws[0].start()].count("\n") + 1
            problems.append((line, "two random draws in one expression (unspecified order)",
                             " ".join(statement.split())[:80]))
        offset += len(statement)
    return problems


def check_lengths(text):
    problems = []
    lines = text.split("\n")
    start = None
    for number, line in enumerate(lines, start=1):
        if len(line) > LINE_LIMIT:
            problems.append((number, f"line longer than {LINE_LIMIT} columns", line[:60]))
        if start is None and FUNCTION_START.match(line) and not line.startswith(("namespace", "struct", "class", "enum", "union")):
            start = number
        elif start is not None and line.startswith("}"):
            length = number - start - 1
            if length > FUNCTION_LIMIT:
                problems.append((start, f"function body of {length} lines (limit {FUNCTION_LIMIT})", lines[start - 1].strip()))
            start = None
    return problems


def lint_tree(root):
    failures = []
    # Everything that decides a run: the core, the simulator, the scenario
    # interpreter, and the fuzz decoder and swarm generator.
    decides_runs = (("core", DETERMINISM + CORE_ONLY), ("sut", DETERMINISM), ("sim", DETERMINISM),
                    ("scenarios", DETERMINISM), ("fuzz/src", DETERMINISM),
                    ("fuzz/include", DETERMINISM))
    for folder, rules in decides_runs:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in SOURCE_SUFFIXES:
                text = path.read_text()
                for number, name, line in check_tokens(text, rules) + check_draw_order(text):
                    failures.append(f"{path.relative_to(root)}:{number}: {name}: {line}")
    for folder in ("core", "sut", "sim", "scenarios", "replay", "fuzz", "tests", "bench"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in SOURCE_SUFFIXES:
                text = path.read_text()
                relative = path.relative_to(root).as_posix()
                for number, name, line in check_lengths(text):
                    failures.append(f"{relative}:{number}: {name}: {line}")
                failures += foreign_include_problems(relative, text)
    failures += corpus_copy_problems(root)
    return failures


def corpus_copy_problems(root):
    """Every built-in scenario seeds fuzz_scenario as it stands: a copy in
    fuzz/corpus/fuzz_scenario/builtin-NAME.json, byte for byte (nine had
    gone missing and nine had gone stale before this was checked)."""
    problems = []
    corpus = root / "fuzz" / "corpus" / "fuzz_scenario"
    for path in sorted((root / "scenarios" / "builtin").glob("*.json")):
        copy = corpus / f"builtin-{path.name}"
        if not copy.exists():
            problems.append(f"{copy.relative_to(root)}: missing: copy {path.relative_to(root)}")
        elif copy.read_bytes() != path.read_bytes():
            problems.append(f"{copy.relative_to(root)}: differs from {path.relative_to(root)}")
    return problems


def foreign_include_problems(relative, text):
    """A foreign Raft library's headers belong to its adapter's folder
    alone (docs/adapters.md): the simulator and everything else see it only
    through the sut seam."""
    problems = []
    for header, home in FOREIGN_HEADERS:
        if relative.startswith(home):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if re.search(header, line):
                problems.append(
                    f"{relative}:{number}: foreign header outside {' or '.join(home)}: {line}")
    return problems


SELF_TEST_LINES = [
    "auto now = std::chrono::steady_clock::now();",
    "auto t = time(nullptr);",
    "const std::clock_t start = std::clock();",
    "int r = std::rand();",
    "srand(4);",
    "std::random_device device;",
    "#include <random>",
    "std::uniform_int_distribution<int> pick(0, 9);",
    "std::mt19937 engine;",
    "std::thread worker;",
    "pthread_create(&t, nullptr, f, nullptr);",
    "const char* home = getenv(\"HOME\");",
    "std::unordered_map<int, int> peers;",
]
SELF_TEST_CORE_LINES = [
    "#include <iostream>",
    "std::cout << 1;",
    "#include <fmt/format.h>",
    "#include <nlohmann/json.hpp>",
    "throw std::runtime_error(\"x\");",
]


def corpus_copy_self_test():
    """A missing and a stale corpus copy are both reported; equal ones pass."""
    missed = []
    with tempfile.TemporaryDirectory() as scratch:
        root = pathlib.Path(scratch)
        (root / "scenarios" / "builtin").mkdir(parents=True)
        (root / "fuzz" / "corpus" / "fuzz_scenario").mkdir(parents=True)
        for name in ("A", "B", "C"):
            (root / "scenarios" / "builtin" / f"{name}.json").write_text(name)
        (root / "fuzz" / "corpus" / "fuzz_scenario" / "builtin-A.json").write_text("A")
        (root / "fuzz" / "corpus" / "fuzz_scenario" / "builtin-B.json").write_text("old")
        problems = corpus_copy_problems(root)
        if len(problems) != 2 or "differs" not in problems[0] or "missing" not in problems[1]:
            missed.append(f"a stale and a missing corpus copy: {problems}")
    return missed


def self_test():
    missed = [line for line in SELF_TEST_LINES if not check_tokens(line, DETERMINISM)]
    missed += [line for line in SELF_TEST_CORE_LINES if not check_tokens(line, CORE_ONLY)]
    clean = "// std::rand in a comment is fine\nint x = 1;  // time(nullptr)\n"
    if check_tokens(clean, DETERMINISM + CORE_ONLY):
        missed.append("comments must not count")
    long_function = "void f() {\n" + "    x();\n" * (FUNCTION_LIMIT + 1) + "}\n"
    if not check_lengths(long_function):
        missed.append("a function over the length limit")
    if not check_lengths("x" * (LINE_LIMIT + 1)):
        missed.append("a line over the column limit")
    for include in ("#include <raft.h>", "#  include \"raft.h\""):
        if not foreign_include_problems("sim/src/x.cpp", include):
            missed.append(f"a foreign header outside its adapter: {include}")
        if foreign_include_problems("sut/canonical/src/x.cpp", include):
            missed.append(f"a foreign header inside its adapter must pass: {include}")
        if not foreign_include_problems("bench/issue17_bench.cpp", include):
            missed.append(f"a foreign header in another bench: {include}")
    if not check_draw_order("return reader_.range(1, n) * tick / reader_.range(1, 2);"):
        missed.append("two random draws in one expression")
    if check_draw_order("x = prng.chance(1, 2) ? prng.below(3) : 0;\na = reader_.below(2);\n"
                        "b = reader_.below(3);"):
        missed.append("sequenced draws (?:, separate statements) must pass")
    missed += corpus_copy_self_test()
    for line in missed:
        print(f"tidy self-test: rule did not fire on: {line}")
    return not missed


def main():
    if not self_test():
        return 1
    if "--self-test" in sys.argv:
        print("tidy self-test: every rule fires")
        return 0
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    failures = lint_tree(root)
    for failure in failures:
        print(failure)
    print(f"tidy: {len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
