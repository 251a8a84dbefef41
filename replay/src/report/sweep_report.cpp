#include "report/sweep_report.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "artifact/artifact.hpp"
#include "raftsim/core/assert.hpp"

namespace raftsim::replay {
namespace {

[[nodiscard]] std::string failure_body(const FailureRecord& failure) {
    std::string body = fmt::format("{}\nat {:.6f}s simulated, fingerprint {:016x}\n",
                                   failure.detail, failure.time_us / 1e6, failure.fingerprint);
    if (!failure.artifact.empty()) {
        body += fmt::format("artifact: {}\n", failure.artifact);
    }
    return body + fmt::format("replay: {}\n", failure.replay);
}

void append_junit_suite(std::string& out, const SweepReport& report, const RowReport& row) {
    const std::string name = xml_escape(row.name, true);
    out += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" "
        "time=\"{:.3f}\">\n",
        name, row.seeds, row.seeds - row.passed, row.wall_seconds);
    for (const CaseReport& run : row.cases) {
        out += fmt::format("    <testcase classname=\"{}\" name=\"seed {}\" time=\"{:.3f}\"", name,
                           run.seed, run.wall_seconds);
        if (!run.failure.has_value()) {
            out += "/>\n";
            continue;
        }
        RAFT_ASSERT(*run.failure < report.failures.size());
        const FailureRecord& failure = report.failures[*run.failure];
        out += fmt::format(">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                           xml_escape(failure.checker + "/" + failure.kind, true),
                           xml_escape(failure.checker, true), xml_escape(failure_body(failure)));
        out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
}

[[nodiscard]] nlohmann::ordered_json failure_json(const FailureRecord& failure) {
    return {
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
}

[[nodiscard]] nlohmann::ordered_json row_json(const RowReport& row) {
    return {
        {"name", row.name},
        {"runs", row.seeds},
        {"passed", row.passed},
        {"failed", row.seeds - row.passed},
        {"simulated_us", row.simulated_us},
        {"events", row.events},
        {"wall_seconds", row.wall_seconds},
    };
}

[[nodiscard]] nlohmann::ordered_json groups_json(const std::vector<FailureRecord>& failures) {
    nlohmann::ordered_json groups = nlohmann::ordered_json::array();
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

std::uint64_t SweepReport::runs() const {
    std::uint64_t total = 0;
    for (const RowReport& row : rows) {
        total += row.seeds;
    }
    return total;
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
        "<testsuites name=\"raftsim run\" tests=\"{}\" failures=\"{}\" errors=\"0\" "
        "time=\"{:.3f}\">\n",
        runs, report.failures.size(), report.wall_seconds());
    for (const RowReport& row : report.rows) {
        append_junit_suite(out, report, row);
    }
    out += "</testsuites>\n";
    return out;
}

std::string render_json(const SweepReport& report) {
    RAFT_ASSERT(report.mode == "scenarios" || report.mode == "swarm");
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    std::uint64_t passed = 0;
    for (const RowReport& row : report.rows) {
        rows.push_back(row_json(row));
        passed += row.passed;
    }
    nlohmann::ordered_json failures = nlohmann::ordered_json::array();
    for (const FailureRecord& failure : report.failures) {
        failures.push_back(failure_json(failure));
    }
    const std::uint64_t runs = report.runs();
    RAFT_ASSERT(passed <= runs);
    const nlohmann::ordered_json summary = {
        {"schema_version", 1},
        {"command", report.command_line},
        {"build", build_id()},
        {"mode", report.mode},
        {"check_determinism", report.check_determinism},
        {"seeds", {{"first", report.seed_first}, {"last", report.seed_last}}},
        {"shard", {{"index", report.shard_index}, {"count", report.shard_count}}},
        {"stopped_early", report.stopped_early},
        {"totals",
         {{"runs", runs},
          {"passed", passed},
          {"failed", runs - passed},
          {"wall_seconds", report.wall_seconds()}}},
        {"scenarios", rows},
        {"failures", failures},
        {"groups", groups_json(report.failures)},
    };
    return summary.dump(2) + "\n";
}

}  // namespace raftsim::replay
