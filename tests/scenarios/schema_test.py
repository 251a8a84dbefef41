#!/usr/bin/env python3
"""The scenario JSON Schema agrees with raftsim's parser.

Usage:
  tests/scenarios/schema_test.py RAFTSIM               check
  tests/scenarios/schema_test.py RAFTSIM --self-test   prove a wrong schema is caught

scenarios/schema/scenario.schema.json (docs/scenarios.md, "Editor support
and the JSON Schema") describes the scenario format for editors; the parser
(scenarios/src/parse.cpp) is the format. Check mode:

1. the schema is a valid draft 2020-12 schema;
2. every built-in scenario, golden scenario, fuzz finding and JSON example of
   docs/scenarios.md is valid (a fragment of a scenario against the part of
   the schema it is an example of);
3. agreement: for every file of fuzz/corpus/fuzz_scenario/, the bad and good
   tables tests/scenarios/bad/ and tests/scenarios/good/, the files of step
   2, tests/e2e/*.json, the whole-scenario examples of the docs and the value
   tables below and the generated files at the bounds of size, step count
   and branches, the schema's verdict equals `raftsim check FILE`'s (exit 0:
   valid, exit 2: refused). A file that is not JSON as raftsim reads it
   (UTF-8, RFC 8259) is invalid for the schema too. PARSER_ONLY lists the
   files the parser refuses for a rule the schema cannot express, with the
   number of that rule in the schema's top-level $comment; for those the
   parser must refuse, saying what RULE_SAYS has for that rule, and the
   schema accept. Every rule there needs at least one such file, and every
   file names a rule that is there.

--self-test runs the agreement with deliberately wrong schemas (each must
show a mismatch, on a case where the real schema agrees with the parser) and
with wrong expectations, so the check cannot pass vacuously. Exits 0 if
everything holds, 1 otherwise.

jsonschema (>= 4.0, Draft202012Validator) is required: without it under the
running interpreter the script re-runs itself under /usr/bin/python3
(Debian's python3-jsonschema, which tools/dev installs) and fails, rather
than skips, if that has none either.
"""
import copy
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

SYSTEM_PYTHON = "/usr/bin/python3"
REEXEC_ENV = "RAFTSIM_SCHEMA_TEST_FIRST_PYTHON"


def validator_class():
    """jsonschema's Draft202012Validator, re-running under the system Python
    if this interpreter lacks it; exits 1 (a failure, never meson's 77
    "skipped") if no interpreter has it."""
    try:
        from jsonschema import Draft202012Validator
        return Draft202012Validator
    except ImportError as error:
        problem = error
    first = os.environ.get(REEXEC_ENV)
    if first is None and os.path.exists(SYSTEM_PYTHON) and \
            os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON):
        print(f"schema_test: {sys.executable} has no jsonschema ({problem}); "
              f"re-running under {SYSTEM_PYTHON}", flush=True)
        env = dict(os.environ, **{REEXEC_ENV: sys.executable})
        os.execve(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(__file__), *sys.argv[1:]], env)
    tried = [first, sys.executable] if first else [sys.executable]
    print(f"schema_test: FAIL: the Python package jsonschema >= 4.0 (Draft202012Validator) is "
          f"needed and missing under {' and '.join(tried)} ({problem}). Install Debian's "
          f"python3-jsonschema (tools/dev deps does) or pip install jsonschema.")
    sys.exit(1)


def remembering_valid_one_of(cls):
    """`cls` with a oneOf that remembers, per schema and oneOf, the instances
    it found valid, and does not validate them again: the files at the
    100,000-step bound hold 100,000 equal steps, and each is otherwise checked
    against every branch of the step's oneOf (a minute a file). Only "valid"
    is remembered, and only for an equal instance (same JSON, keys sorted)
    under the same schema object, so every verdict is the one jsonschema
    gives; refusals are re-validated, their errors never shared."""
    from jsonschema import validators
    one_of = cls.VALIDATORS["oneOf"]
    valid = {}

    def remembering(validator, subschemas, instance, schema):
        key = json.dumps(instance, sort_keys=True)
        # The entry holds both objects, so their ids stay theirs.
        entry = valid.setdefault((id(validator.schema), id(subschemas)),
                                 (validator.schema, subschemas, set()))
        if key in entry[2]:
            return
        errors = list(one_of(validator, subschemas, instance, schema))
        if not errors:
            entry[2].add(key)
        yield from errors

    return validators.extend(cls, validators={"oneOf": remembering})


Draft202012Validator = remembering_valid_one_of(validator_class())
from jsonschema.exceptions import best_match  # noqa: E402 (after the interpreter check)

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
SCHEMA_PATH = ROOT / "scenarios" / "schema" / "scenario.schema.json"
DOCS_PATH = ROOT / "docs" / "scenarios.md"
MAX_FILE_BYTES = 16 << 20

# Files the parser refuses for a rule the schema cannot express, with that
# rule's number in the schema's top-level "$comment": for each, the parser
# must refuse (saying what RULE_SAYS has for that rule) and the schema accept.
# The generated/ files are written by generated_cases.
PARSER_ONLY = {
    "fuzz/corpus/fuzz_scenario/bad-duplicate-key.json": 1,
    "fuzz/corpus/fuzz_scenario/bad-heal-group.json": 8,
    "fuzz/corpus/fuzz_scenario/bad-message-fault-duplicate.json": 11,
    "fuzz/corpus/fuzz_scenario/bad-raft-tick.json": 12,
    "fuzz/corpus/fuzz_scenario/bad-selector-count.json": 5,
    "fuzz/corpus/fuzz_scenario/bad-too-deep.json": 13,
    "tests/e2e/bad_scenario.json": 3,
    "tests/scenarios/bad/duplicate-key-step.json": 1,
    "tests/scenarios/bad/integer-as-float.json": 2,
    "tests/scenarios/bad/integer-exponent.json": 2,
    "tests/scenarios/bad/count-minus-zero.json": 2,
    "tests/scenarios/bad/unknown-node.json": 3,
    "tests/scenarios/bad/node-before-create-node.json": 3,
    "tests/scenarios/bad/create-node-cluster-name.json": 4,
    "tests/scenarios/bad/create-node-twice.json": 4,
    "tests/scenarios/bad/create-node-65th.json": 4,
    "tests/scenarios/bad/count-above-cluster.json": 5,
    "tests/scenarios/bad/follower-above-cluster.json": 5,
    "tests/scenarios/bad/range-min-above-max.json": 6,
    "tests/scenarios/bad/latency-min-above-max.json": 6,
    "tests/scenarios/bad/slow-links-delay-min-above-max.json": 6,
    "tests/scenarios/bad/ratio-numerator-above-denominator.json": 7,
    "tests/scenarios/bad/heal-unknown-group.json": 8,
    "tests/scenarios/bad/group-selector-unknown.json": 8,
    "tests/scenarios/bad/cut-same-node.json": 9,
    "tests/scenarios/bad/restore-leader-to-leader.json": 9,
    "tests/scenarios/bad/slow-links-same-node.json": 9,
    "tests/scenarios/bad/weights-above-u32.json": 10,
    "tests/scenarios/bad/message-number-twice.json": 11,
    "tests/scenarios/bad/raft-not-whole-ticks.json": 12,
    "tests/scenarios/bad/raft-lease-above-heartbeat.json": 12,
    "tests/scenarios/bad/raft-election-below-heartbeat.json": 12,
    "tests/scenarios/bad/raft-heartbeat-one-tick.json": 12,
    "tests/scenarios/bad/raft-too-many-ticks.json": 12,
    "tests/scenarios/bad/raft-uncommitted-below-append.json": 12,
    "tests/scenarios/bad/too-deep.json": 13,
    "generated/steps-100001-nested.json": 14,
    "generated/larger-than-16MiB.json": 15,
    "tests/scenarios/bad/expect-duplicate-sut-seed.json": 16,
}

# What the parser says (a regular expression searched in `raftsim check`'s
# output) when it refuses a file for each rule of the schema's $comment: a
# parser-only file refused for another reason (a typo, malformed JSON) proves
# nothing about its rule.
RULE_SAYS = {
    1: r"duplicate field '",
    2: r"expected (an integer in \[-?\d+, \d+\]|a positive integer|a non-negative integer|"
       r"a message number >= 1.*), got -?\d",
    3: r"unknown node '",
    4: r"already names a node of the cluster|duplicate node name '.*' \(also created at|"
       r"more than 64 nodes",
    5: r"expected an integer in \[[01], \d+\], got \d+",
    6: r"minimum.* above (the|its) maximum",
    7: r"numerator \d+ is above denominator \d+",
    8: r"unknown partition group '",
    9: r"\"from\" and \"to\" are the same node",
    10: r"the branch weights add up to more than 4294967295",
    11: r"duplicate message number \d+",
    12: r": raft: invalid raft settings: \w+",
    13: r"steps nested more than 16 levels deep",
    14: r"more than 100000 steps in the file",
    15: r"cannot read the scenario: it is (larger than 16777216 bytes|.*not a regular file)",
    16: r"duplicate expectation for sut \"\w+\" seed \d+",
}

# ```json blocks of docs/scenarios.md that are not scenario examples: a
# substring of the block, and why it is skipped. Each must match one block.
SKIPPED_DOC_EXAMPLES = {
    '"json.schemas"': "VS Code settings (settings.json), not a scenario",
}

# Values for one rule at a time, each written into a scenario of its own
# (generated/... in the output), accepted or refused as the parser decides.
# Durations go into {"sleep": D}.
DURATIONS = [
    "0us", "0ms", "1us", "1.0us", "1.1us", "1.0000us", "10ms", "1.5ms", "1.001ms", "1.0001ms",
    "1.000000ms", "2.5s", "0.000001s", "0.0000001s", "0.0000010s", "1.5m", "0.0000001m",
    "0.00000005m", "0.00000001m", "0.00000015m", "0.000000050m", "1.25h", "0.00000001h",
    "0.000000005h", "0.0000000050h", "00s", "0001.5s", "1000h", "1000.0h", "1000.00000001h",
    "999.99999999h", "1001h", "60000m", "60000.0000001m", "59999.9999999m", "3600000s",
    "3600000.000001s", "3600000000ms", "3600000000.001ms", "3599999999.999ms", "3600000000000us",
    "3600000000000.0us", "3600000000001us", "36000000000000us", "99999999999999999999999us",
    "18446744073709551615us", "18446744073709551616us", "1", "s", "1sec", "1 ms", " 1ms", "1ms ",
    "1ms\n", "\n1ms", "1Ms", "1H", "1.", ".1s", "1..5s", "1.5.5s", "+1s", "-0s", "1e3ms", "0x10s",
    "\u0661s", "1\u00b5s", "",
]
# Message fault delays and replays, and stale replay delays: above zero, at
# most 1h (slow links' delays: at most 1h, zero allowed).
DELAYS = ["1us", "1h", "1.0h", "60m", "3600s", "3600000ms", "3600000000us", "3600000001us",
          "3600000.001ms", "3600.000001s", "60.0000001m", "59.9999999m", "0.99999999h",
          "1.00000001h", "0.00000005m", "0h", "0.0us", "2h"]
# Names, as the scenario name and as a node name.
NAMES = [
    "a", "_", "9", "A.b-c_d", "a..b", "x" * 64, "x" * 65, "", ".", "..", ".a", "-a", "a b", "a/b",
    "\u00e9", "a\n", "leader", "a-", "a.",
]
# Steps in the generated files at the bound of steps in a file (rule 14): the
# step the schema validates fastest.
TINY_STEP = {"stop_workload": {}}
MAX_STEPS_IN_FILE = 100000
MAX_BRANCHES = 1024


def rel(path):
    try:
        return str(pathlib.Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- JSON text


class NotJson(Exception):
    """The text is not JSON as raftsim reads it."""


def refuse_constant(name):
    raise NotJson(f"{name} is not JSON")


def check_strings(value):
    """Unpaired surrogate escapes ("\\udc00") are JSON to Python, not to
    nlohmann (and not UTF-8)."""
    stack = [value]
    while stack:
        item = stack.pop()
        texts = []
        if isinstance(item, dict):
            texts = list(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            texts = [item]
        for text in texts:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as error:
                raise NotJson(f"unpaired surrogate: {error}") from None


def load_json(data):
    """The document, as raftsim's parser reads it: UTF-8 (a byte order mark
    skipped), RFC 8259. Duplicate keys are left to the schema verdict (rule 1
    of the schema's $comment): Python keeps the last, as a validator would."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotJson(f"not UTF-8: {error}") from None
    try:
        value = json.loads(text, parse_constant=refuse_constant)
    except RecursionError:
        raise NotJson("nested deeper than Python's json reads") from None
    except ValueError as error:
        raise NotJson(str(error)) from None
    check_strings(value)
    return value


# ---------------------------------------------------------------- verdicts


def describe_error(error):
    where = "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return f"${where}: {error.message[:300]}"


class Document:
    """A file's bytes, parsed once: (value, None) or (None, why it is not JSON)."""

    cache = {}

    @classmethod
    def load(cls, path):
        if path not in cls.cache:
            try:
                cls.cache[path] = (load_json(path.read_bytes()), None)
            except NotJson as error:
                cls.cache[path] = (None, f"not JSON: {error}")
        return cls.cache[path]


def schema_verdict(validator, path):
    """(valid, why) for a file; `why` is computed only for a refusal."""
    document, problem = Document.load(path)
    if problem is not None:
        return False, lambda: problem
    if validator.is_valid(document):
        return True, lambda: "valid"
    return False, lambda: describe_error(best_match(validator.iter_errors(document)))


def parser_verdict(raftsim, path, label):
    """(accepted, what it said) from `raftsim check PATH`, the path shown as
    `label`."""
    result = subprocess.run([raftsim, "check", str(path)], capture_output=True, text=True,
                            errors="replace", timeout=120)
    said = (result.stdout + result.stderr).strip().replace(str(path), label)
    said = said.replace("\n", "\\n")
    if result.returncode not in (0, 2):
        raise SystemExit(f"schema_test: FAIL: raftsim check {path} exited {result.returncode}: "
                         f"{said[-500:]}")
    return result.returncode == 0, said[-400:]


# ---------------------------------------------------------------- schema


def load_schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_rules(schema):
    """{number: text} of the rules the schema's top-level $comment lists."""
    comment = schema.get("$comment", "")
    return {int(n): text.strip() for n, text in re.findall(r"\((\d+)\) ([^;]*)", comment)}


def part_schema(schema, part):
    """A schema for one part of a scenario: `part` is a list of keywords
    from the root ("$defs", "step") or ("properties", "cluster")."""
    target = schema
    for key in part:
        target = target[key]
    return {"$schema": schema["$schema"], "$id": schema["$id"], "$defs": schema["$defs"],
            "allOf": [target]}


# ---------------------------------------------------------------- docs examples


def json_blocks(markdown):
    """(line, text) of every ```json block."""
    blocks = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```json":
            start = i + 1
            end = start
            while lines[end].strip() != "```":
                end += 1
            blocks.append((start + 1, "\n".join(lines[start:end])))
            i = end
        i += 1
    return blocks


def block_values(text):
    """A block's examples: whole values and `"key": value` members, separated
    by whitespace or commas. [(key or None, value)]."""
    decoder = json.JSONDecoder()
    values = []
    i = 0
    while True:
        while i < len(text) and (text[i].isspace() or text[i] == ","):
            i += 1
        if i == len(text):
            return values
        value, j = decoder.raw_decode(text, i)
        k = j
        while k < len(text) and text[k].isspace():
            k += 1
        if isinstance(value, str) and k < len(text) and text[k] == ":":
            k += 1
            while text[k].isspace():
                k += 1
            member, i = decoder.raw_decode(text, k)
            values.append((value, member))
        else:
            values.append((None, value))
            i = j


def docs_examples(schema):
    """([(label, part or None for a whole scenario, value)], [(label, reason)],
    problems). Members validate against the top-level property they are
    the value of; bare objects are whole scenarios (they have a name and a
    cluster) or steps."""
    examples, skipped, problems = [], [], []
    used = set()
    for line, text in json_blocks(DOCS_PATH.read_text(encoding="utf-8")):
        label = f"docs/scenarios.md:{line}"
        skip = [key for key in SKIPPED_DOC_EXAMPLES if key in text]
        if skip:
            skipped.append((label, SKIPPED_DOC_EXAMPLES[skip[0]]))
            used.update(skip)
            continue
        try:
            values = block_values(text)
        except (ValueError, IndexError) as error:
            problems.append(f"{label}: the example is not JSON: {error}")
            continue
        for key, value in values:
            if key is not None:
                if key not in schema["properties"]:
                    problems.append(f"{label}: \"{key}\" is not a top-level field of the schema")
                    continue
                examples.append((f"{label} \"{key}\"", ("properties", key), value))
            elif isinstance(value, dict) and "name" in value and "cluster" in value:
                examples.append((f"{label} (scenario)", None, value))
            elif isinstance(value, dict):
                examples.append((f"{label} {next(iter(value), '{}')}", ("$defs", "step"), value))
            else:
                problems.append(f"{label}: cannot tell what {json.dumps(value)[:60]} is an "
                                "example of; list it in SKIPPED_DOC_EXAMPLES with a reason")
    for key in SKIPPED_DOC_EXAMPLES:
        if key not in used:
            problems.append(f"SKIPPED_DOC_EXAMPLES: no example matches {key!r}; remove it")
    return examples, skipped, problems


# ---------------------------------------------------------------- cases


def generated_cases(folder):
    """The value tables and the files at the bounds of branches, steps in a
    file and file size, written to `folder`: [(label, path)]. A table value's
    label shows the value; the files at the bounds are named by their file
    alone, as PARSER_ONLY names them."""
    cases = []

    def write(name, document, what=None):
        path = folder / name
        text = json.dumps(document)
        path.write_text(text, encoding="utf-8")
        label = f"generated/{name}"
        if what is not None:
            shown = repr(what) if len(repr(what)) <= 24 else repr(what)[:20] + "...'"
            label += f" {shown}"
        cases.append((label, path))
        return len(text.encode("utf-8"))

    base = {"name": "t", "cluster": {"names": ["a", "b", "c"]}, "steps": []}
    for i, value in enumerate(DURATIONS):
        write(f"duration-{i:02}.json", {**base, "steps": [{"sleep": value}]}, value)
    for i, value in enumerate(DELAYS):
        faults = [{"message": 1, "delay": value}]
        write(f"delay-{i:02}.json", {**base, "message_faults": faults}, value)
        faults = [{"message": 1, "replay": value}]
        write(f"replay-{i:02}.json", {**base, "message_faults": faults}, value)
        network = {"stale_replay": [1, 10], "stale_replay_delay": [value, value]}
        write(f"stale-replay-delay-{i:02}.json", {**base, "network": network}, value)
        slow = {"from": "a", "to": "b", "delay": [value, value]}
        write(f"slow-links-delay-{i:02}.json", {**base, "steps": [{"slow_links": slow}]}, value)
    for i, value in enumerate(NAMES):
        write(f"scenario-name-{i:02}.json", {**base, "name": value}, value)
        write(f"node-name-{i:02}.json", {**base, "cluster": {"names": [value, "zz"]}}, value)
    # one_of takes 1 to 1024 branches (the schema's maxItems).
    branches = [{"steps": []}] * MAX_BRANCHES
    write("one-of-1024-branches.json", {**base, "steps": [{"one_of": branches}]})
    write("one-of-1025-branches.json", {**base, "steps": [{"one_of": branches + [{"steps": []}]}]})
    # A file holds at most 100000 steps, nested ones counted (rule 14). One
    # list of more is refused by the schema's maxItems too; spread over a
    # repeat and the top level, only the parser counts them.
    write("steps-100001-flat.json", {**base, "steps": [TINY_STEP] * (MAX_STEPS_IN_FILE + 1)})
    nested = [{"repeat": 1, "steps": [TINY_STEP] * (MAX_STEPS_IN_FILE - 1)}, TINY_STEP]
    write("steps-100001-nested.json", {**base, "steps": nested})
    # raftsim reads files of at most 16 MiB (rule 15): one of exactly that
    # size is read and valid, one a byte larger is refused unread.
    padding = MAX_FILE_BYTES - len(json.dumps({**base, "description": ""}))
    size = write("exactly-16MiB.json", {**base, "description": "x" * padding})
    assert size == MAX_FILE_BYTES, size
    size = write("larger-than-16MiB.json", {**base, "description": "x" * (padding + 1)})
    assert size == MAX_FILE_BYTES + 1, size
    return cases


def agreement_cases(folder, examples):
    """[(label, path)] of every file to agree on."""
    cases = []
    groups = [
        ("fuzz/corpus/fuzz_scenario", "*"),
        ("tests/scenarios/bad", "*.json"),
        ("tests/scenarios/good", "*.json"),
        ("scenarios/builtin", "*.json"),
        ("tests/golden", "*.json"),
        ("fuzz/findings", "*.json"),
        ("tests/e2e", "*.json"),
    ]
    for folder_name, pattern in groups:
        for path in sorted((ROOT / folder_name).glob(pattern)):
            cases.append((rel(path), path))
    for i, (label, part, value) in enumerate(examples):
        if part is None:
            path = folder / f"docs-example-{i:02}.json"
            path.write_text(json.dumps(value), encoding="utf-8")
            cases.append((label, path))
    cases += generated_cases(folder)
    return cases


def compare(cases, parser, validator, parser_only, first_only=False):
    """Mismatches: [(label, problem)]; with `first_only` at most one."""
    mismatches = []
    for label, path in cases:
        accepted, said = parser[label]
        valid, explain = schema_verdict(validator, path)
        rule = parser_only.get(label)
        parser_says = "accepts" if accepted else "refuses"
        schema_says = "accepts" if valid else "refuses"
        if rule is None:
            if accepted != valid:
                mismatches.append((label, f"parser {parser_says} ({said}); schema {schema_says} "
                                          f"({explain()})"))
        elif accepted or not valid:
            mismatches.append((label, f"listed as parser-only (rule {rule}): expected the parser "
                                      f"to refuse and the schema to accept; parser {parser_says} "
                                      f"({said}), schema {schema_says} ({explain()})"))
        elif not re.search(RULE_SAYS.get(rule, "(?!)"), said):
            mismatches.append((label, f"listed as parser-only (rule {rule}), but the parser "
                                      f"refuses it for something else: {said} (rule {rule} "
                                      f"says {RULE_SAYS.get(rule)!r})"))
        if first_only and mismatches:
            break
    return mismatches


def parser_verdicts(raftsim, cases):
    return {label: parser_verdict(raftsim, path, label) for label, path in cases}


# ---------------------------------------------------------------- check mode


def check(raftsim):
    failures = []
    schema = load_schema()
    try:
        Draft202012Validator.check_schema(schema)
    except Exception as error:  # SchemaError; its message says where
        print(f"FAIL: {rel(SCHEMA_PATH)} is not a valid 2020-12 schema: {error}")
        return 1
    if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
        failures.append("the schema does not declare draft 2020-12")
    print(f"ok   {rel(SCHEMA_PATH)} is a valid draft 2020-12 schema, $id {schema['$id']}")
    validator = Draft202012Validator(schema)
    docs = DOCS_PATH.read_text(encoding="utf-8")
    if schema["$id"] not in docs:
        failures.append(f"docs/scenarios.md does not mention the schema's $id {schema['$id']}")

    rules = schema_rules(schema)
    if sorted(rules) != list(range(1, len(rules) + 1)) or not rules:
        failures.append(f"the schema's $comment should number its rules 1..N, "
                        f"found {sorted(rules)}")
    section = docs.split("### What the schema cannot check", 1)[-1].split("\n###", 1)[0]
    listed = re.findall(r"^(\d+)\. ", section, flags=re.MULTILINE)
    if listed != [str(n) for n in sorted(rules)]:
        failures.append(f"docs/scenarios.md, What the schema cannot check, lists rules {listed}; "
                        f"the schema's $comment lists {sorted(rules)}")
    if sorted(RULE_SAYS) != sorted(rules):
        failures.append(f"RULE_SAYS has patterns for rules {sorted(RULE_SAYS)}; the schema's "
                        f"$comment lists {sorted(rules)}")
    for label, number in PARSER_ONLY.items():
        if number not in rules:
            failures.append(f"PARSER_ONLY: {label} names rule {number}, which the schema's "
                            "$comment does not list")
    for number in rules:
        if number not in PARSER_ONLY.values():
            failures.append(f"rule {number} of the schema's $comment has no PARSER_ONLY case "
                            f"showing the parser refusing what the schema accepts: {rules[number]}")

    # Files meant to be good validate.
    valid_files = 0
    for folder in ("scenarios/builtin", "tests/golden", "fuzz/findings"):
        for path in sorted((ROOT / folder).glob("*.json")):
            valid, explain = schema_verdict(validator, path)
            valid_files += 1
            if not valid:
                failures.append(f"{rel(path)}: invalid: {explain()}")
    examples, skipped, problems = docs_examples(schema)
    failures += problems
    for label, part, value in examples:
        part_validator = validator if part is None else \
            Draft202012Validator(part_schema(schema, part))
        error = best_match(part_validator.iter_errors(value))
        if error is not None:
            failures.append(f"{label}: invalid: {describe_error(error)}")
    for label, reason in skipped:
        print(f"skip {label}: {reason}")
    whole = sum(1 for _, part, _ in examples if part is None)
    print(f"ok   validated {valid_files} files (built-in, golden, findings) and "
          f"{len(examples)} docs examples ({whole} whole scenarios, {len(examples) - whole} "
          f"fragments against their part of the schema)")

    with tempfile.TemporaryDirectory(prefix="schema-test-") as tmp:
        cases = agreement_cases(pathlib.Path(tmp), examples)
        labels = {label for label, _ in cases}
        for label in PARSER_ONLY:
            if label not in labels:
                failures.append(f"PARSER_ONLY: {label}: there is no such case")
        verdicts = parser_verdicts(raftsim, cases)
        mismatches = compare(cases, verdicts, validator, PARSER_ONLY)
    failures += [f"{label}: {problem}" for label, problem in mismatches]
    accepted = sum(1 for ok, _ in verdicts.values() if ok)
    print(f"{'ok  ' if not mismatches else 'FAIL'} agreement: {len(cases)} cases "
          f"({accepted} accepted by the parser, {len(cases) - accepted} refused, "
          f"{len(PARSER_ONLY)} of those refused for a rule the schema cannot express), "
          f"{len(mismatches)} mismatches")
    for failure in failures:
        print(f"FAIL {failure}")
    if failures:
        print(f"{len(failures)} failures")
        return 1
    print("schema and parser agree")
    return 0


# ---------------------------------------------------------------- self-test


def strip_keyword(node, keyword):
    """Removes `keyword` from every schema object below `node`."""
    if isinstance(node, dict):
        node.pop(keyword, None)
        for value in node.values():
            strip_keyword(value, keyword)
    elif isinstance(node, list):
        for value in node:
            strip_keyword(value, keyword)


def mutants(schema):
    """(what, wrong schema): mistakes a schema could make."""
    def edit(change):
        wrong = copy.deepcopy(schema)
        change(wrong)
        return wrong

    def step_argument(s, action):
        """The schema of a step action's argument."""
        return next(branch for branch in s["$defs"]["step"]["oneOf"]
                    if branch["title"] == action)["properties"][action]

    def any_duration(s):
        s["$defs"]["duration"]["pattern"] = "^[0-9.]+(us|ms|s|m|h)$"
        s["$defs"]["message_fault"]["properties"]["delay"]["pattern"] = "^.*$"

    def strict_duration(s):
        s["$defs"]["duration"]["pattern"] = "^[0-9]+(ms|s|m|h)$"

    def any_step(s):
        s["$defs"]["step"] = {"type": "object"}

    def any_name(s):
        s["$defs"]["name"]["pattern"] = "^.+$"
        s["properties"]["name"]["pattern"] = "^.+$"

    def any_selector(s):
        s["$defs"]["selector"] = {}

    # The bounds the parser gained after the schema was first written: each
    # wrong schema takes the old bound back.
    def u32_apply(s):
        step_argument(s, "apply")["maximum"] = 4294967295

    def u32_workload_batch(s):
        s["$defs"]["workload"]["properties"]["batch"]["maximum"] = 4294967295

    def u32_start_workload_batch(s):
        step_argument(s, "start_workload")["properties"]["batch"]["maximum"] = 4294967295

    def u32_churn_changes(s):
        step_argument(s, "membership_churn")["properties"]["changes"]["maximum"] = 4294967295

    def any_branches(s):
        del step_argument(s, "one_of")["maxItems"]

    def any_steps(s):
        del s["$defs"]["steps"]["maxItems"]

    def u64_limit(key):
        def change(s):
            s["$defs"]["limits"]["properties"][key]["maximum"] = 18446744073709551615
        return change

    def zero_simulated_time(s):
        s["$defs"]["limits"]["properties"]["simulated_time"]["$ref"] = "#/$defs/duration"

    return [
        ("accepts everything", True),
        ("refuses everything", False),
        ("no additionalProperties", edit(lambda s: strip_keyword(s, "additionalProperties"))),
        ("no required", edit(lambda s: strip_keyword(s, "required"))),
        ("no minimum", edit(lambda s: strip_keyword(s, "minimum"))),
        ("no maximum", edit(lambda s: strip_keyword(s, "maximum"))),
        ("no oneOf", edit(lambda s: strip_keyword(s, "oneOf"))),
        ("no not", edit(lambda s: strip_keyword(s, "not"))),
        ("no if", edit(lambda s: strip_keyword(s, "if"))),
        ("no uniqueItems", edit(lambda s: strip_keyword(s, "uniqueItems"))),
        ("no dependentRequired", edit(lambda s: strip_keyword(s, "dependentRequired"))),
        ("no maxProperties", edit(lambda s: strip_keyword(s, "maxProperties"))),
        ("no minItems", edit(lambda s: strip_keyword(s, "minItems"))),
        ("no maxItems", edit(lambda s: strip_keyword(s, "maxItems"))),
        ("no minLength", edit(lambda s: strip_keyword(s, "minLength"))),
        ("no const", edit(lambda s: strip_keyword(s, "const"))),
        ("no enum", edit(lambda s: strip_keyword(s, "enum"))),
        ("items unchecked", edit(lambda s: strip_keyword(s, "items"))),
        ("loose durations", edit(any_duration)),
        ("strict durations", edit(strict_duration)),
        ("any object is a step", edit(any_step)),
        ("any string is a name", edit(any_name)),
        ("anything is a selector", edit(any_selector)),
        ("apply up to 2^32-1", edit(u32_apply)),
        ("workload.batch up to 2^32-1", edit(u32_workload_batch)),
        ("start_workload's batch up to 2^32-1", edit(u32_start_workload_batch)),
        ("membership_churn's changes up to 2^32-1", edit(u32_churn_changes)),
        ("one_of with any number of branches", edit(any_branches)),
        ("lists of steps of any length", edit(any_steps)),
        ("limits.events up to 2^64-1", edit(u64_limit("events"))),
        ("limits.steps up to 2^64-1", edit(u64_limit("steps"))),
        ("limits.requests up to 2^64-1", edit(u64_limit("requests"))),
        ("limits.simulated_time may be zero", edit(zero_simulated_time)),
    ]


def self_test(raftsim):
    schema = load_schema()
    failures = []
    examples, _, _ = docs_examples(schema)
    validator = Draft202012Validator(schema)
    with tempfile.TemporaryDirectory(prefix="schema-self-test-") as tmp:
        folder = pathlib.Path(tmp)
        cases = agreement_cases(folder, examples)
        verdicts = parser_verdicts(raftsim, cases)
        by_label = dict(cases)
        for what, wrong in mutants(schema):
            Draft202012Validator.check_schema(wrong)
            found = compare(cases, verdicts, Draft202012Validator(wrong), PARSER_ONLY,
                            first_only=True)
            if not found:
                failures.append(f"wrong schema ({what}) agrees with the parser: the cases do "
                                "not cover it")
                continue
            label, problem = found[0]
            # A case where the real schema disagrees too would catch every
            # wrong schema and prove nothing (check mode reports it).
            if compare([(label, by_label[label])], verdicts, validator, PARSER_ONLY):
                failures.append(f"wrong schema ({what}) is caught only by {label}, where the "
                                "schema disagrees with the parser as well")
            else:
                print(f"ok   wrong schema ({what}) is caught: {label}: {problem[:150]}")

        # A document the parser refuses and the schema accepts, not listed as
        # parser-only, is a mismatch; listed, it is not; listed under a rule
        # the parser does not name, it is; and a listed file the parser
        # accepts is a broken expectation.
        unknown = folder / "self-test-unknown-node.json"
        unknown.write_text('{"name": "t", "cluster": {"voters": 3}, '
                           '"steps": [{"crash": "nobody"}]}')
        good = folder / "self-test-good.json"
        good.write_text('{"name": "t", "cluster": {"voters": 3}, "steps": [{"crash": "leader"}]}')
        extra = [("self-test/unknown-node", unknown), ("self-test/good", good)]
        extra_verdicts = parser_verdicts(raftsim, extra)
        checks = [
            ("an unlisted document the schema wrongly accepts", extra[:1], {}, 1),
            ("the same, listed as parser-only", extra[:1], {"self-test/unknown-node": 3}, 0),
            ("the same, listed under another rule", extra[:1], {"self-test/unknown-node": 1}, 1),
            ("a good document listed as parser-only", extra[1:], {"self-test/good": 3}, 1),
            ("a good document", extra[1:], {}, 0),
        ]
        for what, subset, only, expected in checks:
            found = compare(subset, extra_verdicts, validator, only)
            if len(found) == expected:
                print(f"ok   {what}: {len(found)} mismatches"
                      + (f" ({found[0][1][:120]}...)" if found else ""))
            else:
                failures.append(f"{what}: expected {expected} mismatches, got {len(found)}")
    for failure in failures:
        print(f"FAIL {failure}")
    print("the agreement check detects wrong schemas" if not failures else
          f"{len(failures)} self-test failures")
    return 1 if failures else 0


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    flags = [a for a in argv if a.startswith("--")]
    if len(args) != 1 or flags not in ([], ["--self-test"]):
        print(__doc__)
        return 2
    raftsim = args[0]
    if not os.access(raftsim, os.X_OK):
        print(f"schema_test: FAIL: {raftsim} is not an executable raftsim")
        return 1
    return self_test(raftsim) if flags else check(raftsim)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
