#include "report/sweep_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "raftsim/core/assert.hpp"

namespace raftsim::replay {
namespace {

using OrderedJson = nlohmann::ordered_json;

constexpr std::array<std::string_view, 6> status_names{"passed",  "failed",  "aborted",
                                                       "not_run", "skipped", "expected_failure"};

[[nodiscard]] std::string failure_body(const FailureRecord& failure) {
    std::string body = fmt::format("{}\nat {:.6f}s simulated, fingerprint {:016x}\n",
                                   failure.detail, failure.time_us / 1e6, failure.fingerprint);
    if (!failure.artifact.empty()) {
        body += fmt::format("artifact: {}\n", failure.artifact);
    } else if (!failure.note.empty()) {
        body += fmt::format("no artifact: {}\n", failure.note);
    }
    return body + fmt::format("replay: {}\n", failure.replay);
}

// What a test case holds besides its attributes: properties, one
// <failure>, <error> or <skipped> element, and its output.
struct JunitParts {
    std::vector<std::pair<std::string, std::string>> properties{};
    /// Already XML, without indentation.
    std::string element{};
    /// Plain text, escaped when written.
    std::string system_out{};
};

// A passing test case that says what it failed with and why that was
// expected: CI shows it green, and the property lets a dashboard count them.
void add_junit_expected(JunitParts& parts, const SweepReport& report, const CaseReport& run) {
    RAFT_ASSERT(run.expected.has_value());
    RAFT_ASSERT(*run.expected < report.expected_failures.size());
    const ExpectedFailureRecord& expected = report.expected_failures[*run.expected];
    const std::string signature = expected.checker + "/" + expected.kind;
    std::string body =
        fmt::format("expected failure: {} at {:.6f}s simulated, fingerprint {:016x}\n{}\n",
                    signature, expected.time_us / 1e6, expected.fingerprint, expected.detail);
    if (!expected.fixed_in.empty()) {
        body += fmt::format("fixed in: {}\n", expected.fixed_in);
    }
    if (!expected.why.empty()) {
        body += fmt::format("why: {}\n", expected.why);
    }
    body += fmt::format("replay: {}\n", expected.replay);
    parts.properties.emplace_back("expected_failure", signature);
    parts.system_out += body;
}

// The element a run's status gives its test case (none for a pass).
void add_junit_status(JunitParts& parts, const SweepReport& report, const CaseReport& run) {
    switch (run.status) {
        case CaseStatus::passed:
            return;
        case CaseStatus::not_run:
            parts.element = fmt::format(
                "<skipped message=\"{}\"/>",
                xml_escape("not run: the sweep stopped early (" + report.stop_reason + ")", true));
            return;
        case CaseStatus::skipped:
            RAFT_ASSERT(run.skip.has_value());
            RAFT_ASSERT(*run.skip < report.skips.size());
            parts.element = fmt::format("<skipped message=\"{}\"/>",
                                        xml_escape(report.skips[*run.skip].reason, true));
            return;
        case CaseStatus::expected_failure:
            add_junit_expected(parts, report, run);
            return;
        case CaseStatus::aborted:
            parts.element =
                "<error message=\"aborted: inconclusive\" type=\"aborted\">the wall-clock "
                "backstop (--timeout) stopped this run; it neither passed nor failed</error>";
            return;
        case CaseStatus::failed:
            break;
    }
    RAFT_ASSERT(run.failure.has_value());
    RAFT_ASSERT(*run.failure < report.failures.size());
    const FailureRecord& failure = report.failures[*run.failure];
    parts.element =
        fmt::format("<failure message=\"{}\" type=\"{}\">{}</failure>",
                    xml_escape(failure.checker + "/" + failure.kind, true),
                    xml_escape(failure.checker, true), xml_escape(failure_body(failure)));
}

// An undecided history check is neither a failure nor a skip: properties a
// dashboard can count, and the output says which cap was reached.
void add_junit_history(JunitParts& parts, const CaseReport& run) {
    if (!run.history_unknown.has_value()) {
        return;
    }
    parts.properties.emplace_back("linearizability", "unknown");
    parts.properties.emplace_back("linearizability_cap", run.history_unknown->cap);
    parts.system_out += "history check unknown: " + history_unknown_text(*run.history_unknown) +
                        "; not a failure\n";
}

void append_junit_case(std::string& out, const SweepReport& report, const std::string& name,
                       const CaseReport& run) {
    out += fmt::format("    <testcase classname=\"{}\" name=\"seed {}\" time=\"{:.3f}\"", name,
                       run.seed, run.wall_seconds);
    JunitParts parts;
    add_junit_status(parts, report, run);
    add_junit_history(parts, run);
    if (parts.properties.empty() && parts.element.empty() && parts.system_out.empty()) {
        out += "/>\n";
        return;
    }
    out += ">\n";
    if (!parts.properties.empty()) {
        out += "      <properties>\n";
        for (const auto& [key, value] : parts.properties) {
            out += fmt::format("        <property name=\"{}\" value=\"{}\"/>\n",
                               xml_escape(key, true), xml_escape(value, true));
        }
        out += "      </properties>\n";
    }
    if (!parts.element.empty()) {
        out += "      " + parts.element + "\n";
    }
    if (!parts.system_out.empty()) {
        out += fmt::format("      <system-out>{}</system-out>\n", xml_escape(parts.system_out));
    }
    out += "    </testcase>\n";
}

void append_junit_suite(std::string& out, const SweepReport& report, const RowReport& row) {
    const std::string name = xml_escape(row.name, true);
    const std::uint64_t failed = row.failed();
    out += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
        "time=\"{:.3f}\">\n",
        name, row.seeds + row.skipped + row.not_run, failed, row.aborted, row.skipped + row.not_run,
        row.wall_seconds);
    for (const CaseReport& run : row.cases) {
        append_junit_case(out, report, name, run);
    }
    out += "  </testsuite>\n";
}

[[nodiscard]] OrderedJson failure_json(const FailureRecord& failure) {
    OrderedJson out = {
        {"scenario", failure.scenario},
        {"row", failure.row},
        {"seed", failure.seed},
        {"checker", failure.checker},
        {"kind", failure.kind},
        {"detail", failure.detail},
        {"time_us", failure.time_us},
        {"fingerprint", fmt::format("{:016x}", failure.fingerprint)},
        {"artifact", failure.artifact},
        {"replay", failure.replay},
        {"signature", failure_signature(failure)},
    };
    if (!failure.note.empty()) {
        out["note"] = failure.note;
    }
    return out;
}

[[nodiscard]] OrderedJson expected_failure_json(const ExpectedFailureRecord& expected) {
    return {
        {"scenario", expected.scenario},
        {"row", expected.row},
        {"seed", expected.seed},
        {"checker", expected.checker},
        {"kind", expected.kind},
        {"detail", expected.detail},
        {"time_us", expected.time_us},
        {"fingerprint", fmt::format("{:016x}", expected.fingerprint)},
        {"fixed_in", expected.fixed_in},
        {"why", expected.why},
        {"replay", expected.replay},
    };
}

[[nodiscard]] OrderedJson case_json(const CaseReport& run) {
    OrderedJson out = {{"seed", run.seed}, {"result", to_string(run.status)}};
    if (run.status != CaseStatus::not_run) {
        out["wall_seconds"] = run.wall_seconds;
    }
    if (run.failure.has_value()) {
        out["failure"] = *run.failure;
    }
    if (run.skip.has_value()) {
        out["skip"] = *run.skip;
    }
    if (run.expected.has_value()) {
        out["expected"] = *run.expected;
    }
    if (run.history_unknown.has_value()) {
        const HistoryUnknown& unknown = *run.history_unknown;
        out["linearizability"] = {{"verdict", "unknown"},
                                  {"cap", unknown.cap},
                                  {"limit", unknown.limit},
                                  {"key", unknown.key},
                                  {"operations", unknown.operations},
                                  {"keys", unknown.keys},
                                  {"steps", unknown.steps},
                                  {"memo_bytes_peak", unknown.memo_bytes_peak}};
    }
    return out;
}

[[nodiscard]] OrderedJson row_json(const RowReport& row) {
    OrderedJson cases = OrderedJson::array();
    for (const CaseReport& run : row.cases) {
        cases.push_back(case_json(run));
    }
    return {
        {"name", row.name},
        {"runs", row.seeds},
        {"passed", row.passed},
        {"failed", row.failed()},
        {"expected_failures", row.expected_failures},
        {"aborted", row.aborted},
        {"skipped", row.skipped},
        {"not_run", row.not_run},
        {"history_unknown", row.history_unknown()},
        {"simulated_us", row.simulated_us},
        {"events", row.events},
        {"wall_seconds", row.wall_seconds},
        {"cases", cases},
    };
}

[[nodiscard]] OrderedJson groups_json(const std::vector<FailureRecord>& failures) {
    OrderedJson groups = OrderedJson::array();
    for (const FailureGroup& group : group_failures(failures)) {
        groups.push_back({
            {"signature", group.signature},
            {"count", group.count},
            {"first_scenario", group.first.scenario},
            {"first_seed", group.first.seed},
            {"replay", group.first.replay},
        });
    }
    return groups;
}

}  // namespace

std::string_view to_string(CaseStatus status) noexcept {
    return status_names[static_cast<std::size_t>(status)];
}

std::optional<CaseStatus> case_status_named(std::string_view name) noexcept {
    for (std::size_t i = 0; i < status_names.size(); ++i) {
        if (status_names[i] == name) {
            return static_cast<CaseStatus>(i);
        }
    }
    return std::nullopt;
}

std::uint64_t RowReport::failed() const {
    RAFT_ASSERT(passed + aborted + expected_failures <= seeds);
    return seeds - passed - aborted - expected_failures;
}

std::uint64_t RowReport::history_unknown() const {
    const auto count = std::count_if(cases.begin(), cases.end(), [](const CaseReport& run) {
        return run.history_unknown.has_value();
    });
    RAFT_ASSERT(static_cast<std::uint64_t>(count) <= seeds);
    return static_cast<std::uint64_t>(count);
}

std::uint64_t SweepReport::history_unknown() const {
    std::uint64_t total = 0;
    for (const RowReport& row : rows) {
        total += row.history_unknown();
    }
    return total;
}

std::optional<HistoryUnknown> history_unknown_of(const sim::LinearizabilityResult& result,
                                                 const sim::CheckLimits& limits) {
    if (result.verdict != sim::Verdict::unknown) {
        return std::nullopt;
    }
    // An unknown verdict names the cap it reached.
    RAFT_ASSERT(result.cap != sim::SearchCap::none);
    const bool steps = result.cap == sim::SearchCap::steps;
    return HistoryUnknown{.cap = steps ? "steps" : "memo_bytes",
                          .limit = steps ? limits.max_steps : limits.max_memo_bytes,
                          .key = result.key,
                          .operations = result.stats.operations,
                          .keys = result.stats.keys,
                          .steps = result.stats.steps,
                          .memo_bytes_peak = result.stats.memo_bytes_peak};
}

std::string history_unknown_text(const HistoryUnknown& unknown) {
    const std::string_view unit = unknown.cap == "steps" ? "search step" : "memo byte";
    const std::string cap = fmt::format("{}{}", unit, unknown.limit == 1 ? "" : "s");
    return fmt::format(
        "the linearizability check reached its cap of {} {} per key on key {} before deciding "
        "({} operations on {} keys, {} steps, memo at most {} bytes on a key)",
        unknown.limit, cap, unknown.key, unknown.operations, unknown.keys, unknown.steps,
        unknown.memo_bytes_peak);
}

std::string history_unknown_count_text(const SweepReport& report) {
    const std::uint64_t count = report.history_unknown();
    if (count == 0) {
        return "";
    }
    return fmt::format("{} history check{} unknown", count, count == 1 ? "" : "s");
}

std::uint64_t SweepReport::runs() const {
    std::uint64_t total = 0;
    for (const RowReport& row : rows) {
        total += row.seeds;
    }
    return total;
}

std::uint64_t SweepReport::aborted() const {
    std::uint64_t total = 0;
    for (const RowReport& row : rows) {
        total += row.aborted;
    }
    return total;
}

std::uint64_t SweepReport::skipped() const {
    std::uint64_t total = 0;
    for (const RowReport& row : rows) {
        total += row.skipped;
    }
    return total;
}

std::uint64_t SweepReport::not_run() const {
    std::uint64_t total = 0;
    for (const RowReport& row : rows) {
        total += row.not_run;
    }
    return total;
}

std::string skipped_text(const SweepReport& report) {
    const std::uint64_t skipped = report.skipped();
    if (skipped == 0) {
        return "";
    }
    const std::uint64_t seeds = report.runs() + skipped;
    return fmt::format("{} of {} skipped ({:.1f}%)", skipped, seeds,
                       100.0 * static_cast<double>(skipped) / static_cast<double>(seeds));
}

std::string expected_failures_text(const SweepReport& report) {
    const std::size_t count = report.expected_failures.size();
    if (count == 0) {
        return "";
    }
    return fmt::format("{} expected failure{}", count, count == 1 ? "" : "s");
}

double SweepReport::wall_seconds() const {
    double total = 0;
    for (const RowReport& row : rows) {
        total += row.wall_seconds;
    }
    return total;
}

std::string render_junit(const SweepReport& report) {
    const std::uint64_t runs = report.runs();
    RAFT_ASSERT(report.failures.size() <= runs);
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += fmt::format(
        "<testsuites name=\"raftsim run\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
        "skipped=\"{}\" time=\"{:.3f}\">\n",
        runs + report.skipped() + report.not_run(), report.failures.size(), report.aborted(),
        report.skipped() + report.not_run(), report.wall_seconds());
    for (const RowReport& row : report.rows) {
        append_junit_suite(out, report, row);
    }
    out += "</testsuites>\n";
    return out;
}

std::string render_json(const SweepReport& report) {
    RAFT_ASSERT(report.mode == "scenarios" || report.mode == "swarm");
    OrderedJson rows = OrderedJson::array();
    std::uint64_t passed = 0;
    for (const RowReport& row : report.rows) {
        rows.push_back(row_json(row));
        passed += row.passed;
    }
    OrderedJson failures = OrderedJson::array();
    for (const FailureRecord& failure : report.failures) {
        failures.push_back(failure_json(failure));
    }
    OrderedJson skips = OrderedJson::array();
    for (const SkipRecord& skip : report.skips) {
        skips.push_back({{"reason", skip.reason}, {"count", skip.count}});
    }
    OrderedJson expected = OrderedJson::array();
    for (const ExpectedFailureRecord& record : report.expected_failures) {
        expected.push_back(expected_failure_json(record));
    }
    const std::uint64_t runs = report.runs();
    RAFT_ASSERT(passed + report.aborted() + report.expected_failures.size() <= runs);
    const OrderedJson summary = {
        {"schema_version", report_schema_version},
        {"command", report.command_line},
        {"build", report.build},
        {"sut", report.sut},
        {"sut_version", report.sut_version},
        {"sweep", report.sweep_id},
        {"mode", report.mode},
        {"check_determinism", report.check_determinism},
        {"seeds", {{"first", report.seed_first}, {"last", report.seed_last}}},
        {"shard", {{"index", report.shard_index}, {"count", report.shard_count}}},
        {"stopped_early", report.stopped_early},
        {"stop_reason", report.stop_reason},
        {"totals",
         {{"runs", runs},
          {"passed", passed},
          {"failed", report.failures.size()},
          {"expected_failures", report.expected_failures.size()},
          {"aborted", report.aborted()},
          {"skipped", report.skipped()},
          {"not_run", report.not_run()},
          {"history_unknown", report.history_unknown()},
          {"wall_seconds", report.wall_seconds()}}},
        {"scenarios", rows},
        {"failures", failures},
        {"expected_failures", expected},
        {"groups", groups_json(report.failures)},
        {"skips", skips},
    };
    return summary.dump(2) + "\n";
}

}  // namespace raftsim::replay
