// raftsim run's CI outputs: XML escaping, the JUnit document, the JSON
// summary (docs/ci.md's schema) and the progress line's text.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "report/progress.hpp"
#include "report/sweep_report.hpp"

namespace raftsim::replay {
namespace {

SweepReport sample_report() {
    SweepReport report;
    report.command_line = "raftsim run x.json --seeds 1..3 --out out";
    report.mode = "scenarios";
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
    CHECK(summary["schema_version"] == 2);
    CHECK(summary["mode"] == "scenarios");
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
    row.skipped = 2;
    row.cases = {CaseReport{.seed = 1, .wall_seconds = 9, .status = CaseStatus::aborted},
                 CaseReport{.seed = 2, .status = CaseStatus::skipped},
                 CaseReport{.seed = 3, .status = CaseStatus::skipped}};
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

TEST_CASE("report: the JSON summary counts aborted and skipped runs apart", "[report]") {
    const nlohmann::json summary = nlohmann::json::parse(render_json(stopped_report()));
    CHECK(summary["stopped_early"] == true);
    CHECK(summary["stop_reason"] == "SIGINT");
    CHECK(summary["totals"]["runs"] == 4);
    CHECK(summary["totals"]["passed"] == 2);
    CHECK(summary["totals"]["failed"] == 1);
    CHECK(summary["totals"]["aborted"] == 1);
    CHECK(summary["totals"]["skipped"] == 2);
    const nlohmann::json& cases = summary["scenarios"][1]["cases"];
    REQUIRE(cases.size() == 3);
    CHECK(cases[0]["result"] == "aborted");
    CHECK(cases[1]["result"] == "skipped");
    CHECK(!cases[1].contains("wall_seconds"));
    CHECK(summary["scenarios"][0]["cases"][1]["failure"] == 0);
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
