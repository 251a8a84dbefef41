// raftsim run's CI outputs: XML escaping, the JUnit document, the JSON
// summary (docs/ci.md's schema) and the progress line's text.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "report/merge.hpp"
#include "report/progress.hpp"
#include "report/sweep_report.hpp"

namespace raftsim::replay {
namespace {

SweepReport sample_report() {
    SweepReport report;
    report.command_line = "raftsim run x.json --seeds 1..3 --out out";
    report.mode = "scenarios";
    report.sut = "raftsim";
    report.seed_first = 1;
    report.seed_last = 3;
    FailureRecord failure;
    failure.scenario = failure.row = "A<&>";
    failure.seed = 2;
    failure.checker = "liveness";
    failure.kind = "no_leader";
    failure.detail = "no leader within \"10ms\"";
    failure.time_us = 10000;
    failure.fingerprint = 0xabc;
    failure.artifact = "out/A<&>-seed2";
    failure.replay = "raftsim replay 'out/A<&>-seed2'";
    report.failures.push_back(failure);
    RowReport row;
    row.name = "A<&>";
    row.seeds = 3;
    row.passed = 2;
    row.wall_seconds = 0.5;
    row.cases = {
        CaseReport{.seed = 1, .wall_seconds = 0.1, .failure = std::nullopt},
        CaseReport{.seed = 2, .wall_seconds = 0.2, .failure = 0, .status = CaseStatus::failed},
        CaseReport{.seed = 3, .wall_seconds = 0.2, .failure = std::nullopt}};
    report.rows.push_back(row);
    return report;
}

TEST_CASE("report: XML escaping covers markup, quotes and unrepresentable controls", "[report]") {
    CHECK(xml_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;");
    CHECK(xml_escape("line\nnext\tx") == "line\nnext\tx");
    CHECK(xml_escape("line\nnext\tx", true) == "line&#10;next&#9;x");
    CHECK(xml_escape(std::string("bell\x07") + '\0') == "bell??");
}

TEST_CASE("report: JUnit has a suite per row and a case per run, failures escaped", "[report]") {
    const std::string xml = render_junit(sample_report());
    CHECK(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    CHECK(xml.find("<testsuite name=\"A&lt;&amp;&gt;\" tests=\"3\" failures=\"1\" errors=\"0\" "
                   "skipped=\"0\"") != std::string::npos);
    CHECK(xml.find("<testcase classname=\"A&lt;&amp;&gt;\" name=\"seed 1\" time=\"0.100\"/>") !=
          std::string::npos);
    CHECK(xml.find("<failure message=\"liveness/no_leader\" type=\"liveness\">"
                   "no leader within &quot;10ms&quot;\n") != std::string::npos);
    CHECK(xml.find("replay: raftsim replay &apos;out/A&lt;&amp;&gt;-seed2&apos;\n</failure>") !=
          std::string::npos);
    CHECK(xml.ends_with("</testsuites>\n"));
}

TEST_CASE("report: the JSON summary follows docs/ci.md", "[report]") {
    const nlohmann::json summary = nlohmann::json::parse(render_json(sample_report()));
    CHECK(summary["schema_version"] == 4);
    CHECK(summary["mode"] == "scenarios");
    CHECK(summary["sut"] == "raftsim");
    CHECK(summary["totals"]["skipped"] == 0);
    CHECK(summary["skips"].empty());
    CHECK(summary["seeds"]["first"] == 1);
    CHECK(summary["shard"]["count"] == 1);
    CHECK(summary["totals"]["runs"] == 3);
    CHECK(summary["totals"]["failed"] == 1);
    CHECK(summary["scenarios"][0]["name"] == "A<&>");
    CHECK(summary["scenarios"][0]["passed"] == 2);
    const nlohmann::json& failure = summary["failures"][0];
    CHECK(failure["fingerprint"] == "0000000000000abc");
    CHECK(failure["signature"] == "liveness/no_leader in A<&>");
    CHECK(failure["time_us"] == 10000);
    CHECK(summary["groups"][0]["count"] == 1);
    CHECK(summary["groups"][0]["first_seed"] == 2);
}

// The sample, stopped early by an interrupt after one more scenario's first
// run was aborted by the wall-clock backstop.
SweepReport stopped_report() {
    SweepReport report = sample_report();
    report.stopped_early = true;
    report.stop_reason = "SIGINT";
    RowReport row;
    row.name = "B";
    row.seeds = 1;
    row.aborted = 1;
    row.not_run = 2;
    row.cases = {CaseReport{.seed = 1, .wall_seconds = 9, .status = CaseStatus::aborted},
                 CaseReport{.seed = 2, .status = CaseStatus::not_run},
                 CaseReport{.seed = 3, .status = CaseStatus::not_run}};
    report.rows.push_back(row);
    return report;
}

TEST_CASE("report: JUnit lists aborted runs as errors and unrun seeds as skipped", "[report]") {
    const std::string xml = render_junit(stopped_report());
    CHECK(xml.find("<testsuites name=\"raftsim run\" tests=\"6\" failures=\"1\" errors=\"1\" "
                   "skipped=\"2\"") != std::string::npos);
    CHECK(xml.find("<testsuite name=\"B\" tests=\"3\" failures=\"0\" errors=\"1\" "
                   "skipped=\"2\"") != std::string::npos);
    CHECK(xml.find("<error message=\"aborted: inconclusive\" type=\"aborted\">") !=
          std::string::npos);
    CHECK(xml.find("<testcase classname=\"B\" name=\"seed 3\" time=\"0.000\">\n      <skipped "
                   "message=\"not run: the sweep stopped early (SIGINT)\"/>") != std::string::npos);
}

TEST_CASE("report: the JSON summary counts aborted runs and unrun seeds apart", "[report]") {
    const nlohmann::json summary = nlohmann::json::parse(render_json(stopped_report()));
    CHECK(summary["stopped_early"] == true);
    CHECK(summary["stop_reason"] == "SIGINT");
    CHECK(summary["totals"]["runs"] == 4);
    CHECK(summary["totals"]["passed"] == 2);
    CHECK(summary["totals"]["failed"] == 1);
    CHECK(summary["totals"]["aborted"] == 1);
    CHECK(summary["totals"]["not_run"] == 2);
    CHECK(summary["totals"]["skipped"] == 0);
    const nlohmann::json& cases = summary["scenarios"][1]["cases"];
    REQUIRE(cases.size() == 3);
    CHECK(cases[0]["result"] == "aborted");
    CHECK(cases[1]["result"] == "not_run");
    CHECK(!cases[1].contains("wall_seconds"));
    CHECK(summary["scenarios"][0]["cases"][1]["failure"] == 0);
}

// The sample, with a scenario the system under test cannot run: every
// seed of it skipped for one reason.
constexpr std::string_view skip_reason =
    "steps[2]: transfer_leadership needs leadership transfer, which limited does not support "
    "(capability leadership_transfer)";

SweepReport skipping_report() {
    SweepReport report = sample_report();
    report.skips.push_back(SkipRecord{.reason = std::string(skip_reason), .count = 3});
    RowReport row;
    row.name = "T";
    row.skipped = 3;
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        row.cases.push_back(CaseReport{.seed = seed, .status = CaseStatus::skipped, .skip = 0});
    }
    report.rows.push_back(row);
    return report;
}

TEST_CASE("report: JUnit marks each skipped run with its reason", "[report]") {
    const std::string xml = render_junit(skipping_report());
    CHECK(xml.find("<testsuites name=\"raftsim run\" tests=\"6\" failures=\"1\" errors=\"0\" "
                   "skipped=\"3\"") != std::string::npos);
    CHECK(xml.find("<testsuite name=\"T\" tests=\"3\" failures=\"0\" errors=\"0\" "
                   "skipped=\"3\"") != std::string::npos);
    CHECK(xml.find("<testcase classname=\"T\" name=\"seed 2\" time=\"0.000\">\n      <skipped "
                   "message=\"" +
                   std::string(skip_reason) + "\"/>") != std::string::npos);
}

TEST_CASE("report: the JSON summary counts skipped runs and names their reasons", "[report]") {
    const nlohmann::json summary = nlohmann::json::parse(render_json(skipping_report()));
    CHECK(summary["totals"]["runs"] == 3);
    CHECK(summary["totals"]["skipped"] == 3);
    CHECK(summary["totals"]["not_run"] == 0);
    CHECK(summary["scenarios"][1]["runs"] == 0);
    CHECK(summary["scenarios"][1]["skipped"] == 3);
    CHECK(summary["scenarios"][1]["cases"][0]["result"] == "skipped");
    CHECK(summary["scenarios"][1]["cases"][0]["skip"] == 0);
    CHECK(summary["skips"][0]["reason"] == skip_reason);
    CHECK(summary["skips"][0]["count"] == 3);
    CHECK(skipped_text(skipping_report()) == "3 of 6 skipped (50.0%)");
    CHECK(skipped_text(sample_report()).empty());
}

TEST_CASE("report: the JSON reader takes back what render_json wrote, skips included", "[report]") {
    std::string error;
    const std::optional<SweepReport> read =
        parse_json_report(render_json(skipping_report()), error);
    REQUIRE(read.has_value());
    CHECK(error.empty());
    CHECK(render_json(*read) == render_json(skipping_report()));
    nlohmann::json forged = nlohmann::json::parse(render_json(skipping_report()));
    forged["skips"][0]["count"] = 2;
    CHECK(!parse_json_report(forged.dump(), error).has_value());
    CHECK(error == "skip 0 counts 2 cases, but 3 name it");
}

// One row, X: seed 1 passed, seed 2 failed as expected, seed 3 failed.
SweepReport expecting_report() {
    SweepReport report = sample_report();
    report.rows[0].name = "X";
    report.failures[0].scenario = report.failures[0].row = "X";
    report.failures[0].seed = 3;
    report.expected_failures.push_back(ExpectedFailureRecord{.scenario = "X",
                                                             .row = "X",
                                                             .seed = 2,
                                                             .checker = "durability",
                                                             .kind = "acknowledged_entry_truncated",
                                                             .detail = "f1 acknowledged 2",
                                                             .time_us = 122065,
                                                             .fingerprint = 0xdef,
                                                             .fixed_in = "0.17.1",
                                                             .why = "a <stale> tail",
                                                             .replay = "raftsim replay x.json"});
    RowReport& row = report.rows[0];
    row.passed = 1;
    row.expected_failures = 1;
    row.cases = {
        CaseReport{.seed = 1, .wall_seconds = 0.1},
        CaseReport{
            .seed = 2, .wall_seconds = 0.2, .status = CaseStatus::expected_failure, .expected = 0},
        CaseReport{.seed = 3, .wall_seconds = 0.2, .failure = 0, .status = CaseStatus::failed}};
    return report;
}

TEST_CASE("report: JUnit shows an expected failure as a passing case that names it",
          "[report][expect]") {
    const std::string xml = render_junit(expecting_report());
    CHECK(xml.find("<testsuite name=\"X\" tests=\"3\" failures=\"1\" errors=\"0\" "
                   "skipped=\"0\"") != std::string::npos);
    CHECK(xml.find("<testcase classname=\"X\" name=\"seed 2\" time=\"0.200\">\n"
                   "      <properties>\n        <property name=\"expected_failure\" "
                   "value=\"durability/acknowledged_entry_truncated\"/>\n      </properties>\n"
                   "      <system-out>expected failure: durability/acknowledged_entry_truncated at "
                   "0.122065s simulated, fingerprint 0000000000000def\nf1 acknowledged 2\n"
                   "fixed in: 0.17.1\nwhy: a &lt;stale&gt; tail\nreplay: raftsim replay x.json\n"
                   "</system-out>\n    </testcase>") != std::string::npos);
    CHECK(xml.find("<skipped") == std::string::npos);
}

TEST_CASE("report: the JSON summary counts expected failures apart from failures",
          "[report][expect]") {
    const nlohmann::json summary = nlohmann::json::parse(render_json(expecting_report()));
    CHECK(summary["totals"]["runs"] == 3);
    CHECK(summary["totals"]["passed"] == 1);
    CHECK(summary["totals"]["failed"] == 1);
    CHECK(summary["totals"]["expected_failures"] == 1);
    CHECK(summary["scenarios"][0]["failed"] == 1);
    CHECK(summary["scenarios"][0]["expected_failures"] == 1);
    CHECK(summary["scenarios"][0]["cases"][1]["result"] == "expected_failure");
    CHECK(summary["scenarios"][0]["cases"][1]["expected"] == 0);
    const nlohmann::json& record = summary["expected_failures"][0];
    CHECK(record["kind"] == "acknowledged_entry_truncated");
    CHECK(record["fixed_in"] == "0.17.1");
    CHECK(record["fingerprint"] == "0000000000000def");
    CHECK(expected_failures_text(expecting_report()) == "1 expected failure");
    CHECK(expected_failures_text(sample_report()).empty());
}

TEST_CASE("report: the JSON reader takes back expected failures, and checks their indexes",
          "[report][expect]") {
    std::string error;
    const std::string text = render_json(expecting_report());
    const std::optional<SweepReport> read = parse_json_report(text, error);
    REQUIRE(read.has_value());
    CHECK(render_json(*read) == text);
    nlohmann::json forged = nlohmann::json::parse(text);
    forged["scenarios"][0]["cases"][1]["expected"] = 1;
    CHECK(!parse_json_report(forged.dump(), error).has_value());
    CHECK(error == "a case names an expected failure the report does not hold");
    forged = nlohmann::json::parse(text);
    forged["scenarios"][0]["expected_failures"] = 3;
    CHECK(!parse_json_report(forged.dump(), error).has_value());
    CHECK(error.find("more passed, aborted and expected failures than runs") != std::string::npos);
}

TEST_CASE("merge: expected failures of two shards are kept and numbered in sweep order",
          "[report][expect]") {
    const SweepReport whole = expecting_report();
    std::vector<ShardReport> shards;
    for (std::uint64_t index = 1; index <= 2; ++index) {
        SweepReport part = whole;
        part.shard_index = index;
        part.shard_count = 2;
        RowReport& row = part.rows[0];
        // Shard 1: seeds 1 and 3 (a pass, the failure); shard 2: seed 2.
        row.cases = index == 1
                        ? std::vector<CaseReport>{whole.rows[0].cases[0], whole.rows[0].cases[2]}
                        : std::vector<CaseReport>{whole.rows[0].cases[1]};
        row.seeds = row.cases.size();
        row.passed = index == 1 ? 1 : 0;
        row.expected_failures = index == 1 ? 0 : 1;
        if (index == 1) {
            part.expected_failures.clear();
            row.cases[1].failure = 0;
        } else {
            part.failures.clear();
        }
        row.wall_seconds = index == 1 ? row.wall_seconds : 0;
        shards.push_back(ShardReport{.file = "shard", .report = part});
    }
    std::string error;
    const std::optional<SweepReport> merged = merge_shards(shards, error);
    REQUIRE(merged.has_value());
    const nlohmann::json got = nlohmann::json::parse(render_json(*merged));
    const nlohmann::json want = nlohmann::json::parse(render_json(whole));
    CHECK(got["totals"] == want["totals"]);
    CHECK(got["scenarios"] == want["scenarios"]);
    CHECK(got["expected_failures"] == want["expected_failures"]);
    shards[1].report.sut_version = "0.2.0";
    CHECK(!merge_shards(shards, error).has_value());
    CHECK(error.find("another version of raftsim") != std::string::npos);
}

// Two shards of the skipping report's sweep: seeds 1 and 3, and seed 2.
std::vector<ShardReport> skipping_shards() {
    std::vector<ShardReport> shards;
    for (std::uint64_t index = 1; index <= 2; ++index) {
        SweepReport part = skipping_report();
        part.shard_index = index;
        part.shard_count = 2;
        part.failures.clear();
        part.skips[0].count = 0;
        for (RowReport& row : part.rows) {
            std::vector<CaseReport> kept;
            for (CaseReport run : row.cases) {
                if ((run.seed % 2 == 1) != (index == 1)) {
                    continue;
                }
                if (run.failure.has_value()) {
                    part.failures.push_back(skipping_report().failures[*run.failure]);
                    run.failure = part.failures.size() - 1;
                }
                part.skips[0].count += run.skip.has_value() ? 1 : 0;
                kept.push_back(run);
            }
            row.seeds = row.name == "T" ? 0 : kept.size();
            row.passed = row.name == "T" ? 0 : kept.size() - (index == 2 ? 1 : 0);
            row.skipped = row.name == "T" ? kept.size() : 0;
            row.cases = kept;
            row.wall_seconds = index == 1 ? row.wall_seconds : 0;  // the whole row's, once
        }
        shards.push_back(ShardReport{.file = "shard", .report = part});
    }
    return shards;
}

TEST_CASE("merge: shards with skipped runs merge into the whole sweep's report", "[report]") {
    std::string error;
    const std::optional<SweepReport> merged = merge_shards(skipping_shards(), error);
    REQUIRE(merged.has_value());
    const nlohmann::json got = nlohmann::json::parse(render_json(*merged));
    const nlohmann::json want = nlohmann::json::parse(render_json(skipping_report()));
    CHECK(got["totals"] == want["totals"]);
    CHECK(got["scenarios"] == want["scenarios"]);
    CHECK(got["skips"] == want["skips"]);
    std::vector<ShardReport> foreign = skipping_shards();
    foreign[1].report.sut = "canonical";
    CHECK(!merge_shards(foreign, error).has_value());
    CHECK(error.find("another system under test (canonical against raftsim)") != std::string::npos);
}

// The sample, its passing seed 1 and failing seed 2 with client histories
// the check could not decide (a cap reached), seed 3 decided.
SweepReport unknown_report() {
    SweepReport report = sample_report();
    report.rows[0].cases[0].history_unknown = HistoryUnknown{.cap = "steps",
                                                             .limit = 1,
                                                             .key = 3,
                                                             .operations = 120,
                                                             .keys = 6,
                                                             .steps = 6,
                                                             .memo_bytes_peak = 288};
    report.rows[0].cases[1].history_unknown = HistoryUnknown{.cap = "memo_bytes",
                                                             .limit = 4096,
                                                             .key = 0,
                                                             .operations = 90,
                                                             .keys = 2,
                                                             .steps = 77,
                                                             .memo_bytes_peak = 4100};
    return report;
}

TEST_CASE("report: an unknown history check is taken from the checker's result", "[report]") {
    sim::LinearizabilityResult result;
    result.verdict = sim::Verdict::unknown;
    result.cap = sim::SearchCap::memo_bytes;
    result.key = 4;
    result.stats = {.operations = 10,
                    .keys = 2,
                    .steps = 30,
                    .memo_entries_peak = 5,
                    .memo_bytes_peak = 700,
                    .window_checks = 0};
    const sim::CheckLimits limits{.max_steps = 9, .max_memo_bytes = 512, .max_window_checks = 1};
    const std::optional<HistoryUnknown> unknown = history_unknown_of(result, limits);
    REQUIRE(unknown.has_value());
    CHECK(*unknown == HistoryUnknown{.cap = "memo_bytes",
                                     .limit = 512,
                                     .key = 4,
                                     .operations = 10,
                                     .keys = 2,
                                     .steps = 30,
                                     .memo_bytes_peak = 700});
    CHECK(history_unknown_text(*unknown) ==
          "the linearizability check reached its cap of 512 memo bytes per key on key 4 before "
          "deciding (10 operations on 2 keys, 30 steps, memo at most 700 bytes on a key)");
    result.cap = sim::SearchCap::steps;
    CHECK(history_unknown_of(result, limits)->limit == 9);
    result.verdict = sim::Verdict::linearizable;
    CHECK(!history_unknown_of(result, limits).has_value());
    result.verdict = sim::Verdict::not_linearizable;
    CHECK(!history_unknown_of(result, limits).has_value());
}

TEST_CASE("report: JUnit gives an unknown history check properties and output, not a failure",
          "[report]") {
    const std::string xml = render_junit(unknown_report());
    // The counts are the sample's: one failure, no errors, nothing skipped.
    CHECK(xml.find("<testsuite name=\"A&lt;&amp;&gt;\" tests=\"3\" failures=\"1\" errors=\"0\" "
                   "skipped=\"0\"") != std::string::npos);
    CHECK(xml.find("<testcase classname=\"A&lt;&amp;&gt;\" name=\"seed 1\" time=\"0.100\">\n"
                   "      <properties>\n"
                   "        <property name=\"linearizability\" value=\"unknown\"/>\n"
                   "        <property name=\"linearizability_cap\" value=\"steps\"/>\n"
                   "      </properties>\n"
                   "      <system-out>history check unknown: the linearizability check reached "
                   "its cap of 1 search step per key on key 3 before deciding (120 operations on "
                   "6 keys, 6 steps, memo at most 288 bytes on a key); not a failure\n"
                   "</system-out>\n    </testcase>\n") != std::string::npos);
    // A failing run keeps its failure, between the properties and the output.
    const std::size_t failed = xml.find("name=\"seed 2\"");
    REQUIRE(failed != std::string::npos);
    const std::size_t cap = xml.find("value=\"memo_bytes\"/>", failed);
    const std::size_t failure = xml.find("<failure message=\"liveness/no_leader\"", failed);
    const std::size_t output = xml.find("<system-out>history check unknown: ", failed);
    CHECK(cap < failure);
    CHECK(failure < output);
    CHECK(output < xml.find("name=\"seed 3\""));
    CHECK(xml.find("<testcase classname=\"A&lt;&amp;&gt;\" name=\"seed 3\" time=\"0.200\"/>") !=
          std::string::npos);
    CHECK(xml.find("<failure", failure + 1) == std::string::npos);
}

TEST_CASE("report: the JSON summary has each unknown history check and counts them", "[report]") {
    const nlohmann::json summary = nlohmann::json::parse(render_json(unknown_report()));
    CHECK(summary["schema_version"] == 4);
    CHECK(summary["totals"]["history_unknown"] == 2);
    CHECK(summary["totals"]["passed"] == 2);
    CHECK(summary["totals"]["failed"] == 1);
    const nlohmann::json& row = summary["scenarios"][0];
    CHECK(row["history_unknown"] == 2);
    CHECK(row["cases"][0]["result"] == "passed");
    CHECK(row["cases"][0]["linearizability"] == nlohmann::json{{"verdict", "unknown"},
                                                               {"cap", "steps"},
                                                               {"limit", 1},
                                                               {"key", 3},
                                                               {"operations", 120},
                                                               {"keys", 6},
                                                               {"steps", 6},
                                                               {"memo_bytes_peak", 288}});
    CHECK(row["cases"][1]["linearizability"]["cap"] == "memo_bytes");
    CHECK(!row["cases"][2].contains("linearizability"));
    CHECK(history_unknown_count_text(unknown_report()) == "2 history checks unknown");
    CHECK(history_unknown_count_text(sample_report()).empty());
    const nlohmann::json plain = nlohmann::json::parse(render_json(sample_report()));
    CHECK(plain["totals"]["history_unknown"] == 0);
}

TEST_CASE("report: the reader and merge keep unknown history checks, and check their count",
          "[report]") {
    std::string error;
    const std::string text = render_json(unknown_report());
    const std::optional<SweepReport> read = parse_json_report(text, error);
    REQUIRE(read.has_value());
    CHECK(render_json(*read) == text);
    nlohmann::json forged = nlohmann::json::parse(text);
    forged["scenarios"][0]["history_unknown"] = 1;
    CHECK(!parse_json_report(forged.dump(), error).has_value());
    CHECK(error.find("another number of unknown history checks") != std::string::npos);
    forged = nlohmann::json::parse(text);
    forged["scenarios"][0]["cases"][0]["linearizability"]["verdict"] = "linearizable";
    CHECK(!parse_json_report(forged.dump(), error).has_value());
    // A report written before the field existed has no unknown checks.
    forged = nlohmann::json::parse(render_json(sample_report()));
    forged["scenarios"][0].erase("history_unknown");
    error.clear();
    CHECK(parse_json_report(forged.dump(), error).has_value());

    std::vector<ShardReport> shards;
    for (std::uint64_t index = 1; index <= 2; ++index) {
        SweepReport part = unknown_report();
        part.shard_index = index;
        part.shard_count = 2;
        RowReport& row = part.rows[0];
        // Shard 1: seeds 1 and 3 (passes, seed 1 unknown); shard 2: seed 2 (the failure).
        row.cases = index == 1 ? std::vector<CaseReport>{row.cases[0], row.cases[2]}
                               : std::vector<CaseReport>{row.cases[1]};
        row.seeds = row.cases.size();
        row.passed = index == 1 ? 2 : 0;
        if (index == 1) {
            part.failures.clear();
        } else {
            row.cases[0].failure = 0;
        }
        row.wall_seconds = index == 1 ? row.wall_seconds : 0;
        shards.push_back(ShardReport{.file = "shard", .report = part});
    }
    const std::optional<SweepReport> merged = merge_shards(shards, error);
    REQUIRE(merged.has_value());
    const nlohmann::json got = nlohmann::json::parse(render_json(*merged));
    const nlohmann::json want = nlohmann::json::parse(render_json(unknown_report()));
    CHECK(got["totals"] == want["totals"]);
    CHECK(got["scenarios"] == want["scenarios"]);
}

TEST_CASE("progress: durations and the line's text", "[report]") {
    CHECK(short_duration(0) == "0s");
    CHECK(short_duration(59.4) == "59s");
    CHECK(short_duration(187) == "3m07s");
    CHECK(short_duration(3720) == "1h02m");
    CHECK(progress_text(0, 10, 0, 0.5, std::nullopt, "A") ==
          "0/10 runs, 0 failed, 1s elapsed, ETA ?: A");
    CHECK(progress_text(5, 20, 1, 10, 30, "B") == "5/20 runs, 1 failed, 10s elapsed, ETA 30s: B");
}

}  // namespace
}  // namespace raftsim::replay
