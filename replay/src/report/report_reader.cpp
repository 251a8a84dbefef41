// Reading a `raftsim run --json` report back (sweep_report.hpp), for
// `raftsim merge`. Every field is checked: a shard report that does not
// hold what render_json writes is refused with what is wrong, never
// half-read.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "raftsim/core/assert.hpp"
#include "report/sweep_report.hpp"

namespace raftsim::replay {
namespace {

using Json = nlohmann::json;

/// A report field that is missing or of the wrong type.
struct BadField {
    std::string message;
};

[[nodiscard]] const Json& field(const Json& object, std::string_view key) {
    if (!object.is_object() || !object.contains(key)) {
        throw BadField{fmt::format("missing \"{}\"", key)};
    }
    return object[std::string(key)];
}

[[nodiscard]] std::uint64_t number(const Json& object, std::string_view key) {
    const Json& value = field(object, key);
    if (!value.is_number_unsigned()) {
        throw BadField{fmt::format("\"{}\" must be a whole number", key)};
    }
    return value.get<std::uint64_t>();
}

[[nodiscard]] double seconds(const Json& object, std::string_view key) {
    const Json& value = field(object, key);
    if (!value.is_number()) {
        throw BadField{fmt::format("\"{}\" must be a number", key)};
    }
    return value.get<double>();
}

[[nodiscard]] std::string text(const Json& object, std::string_view key) {
    const Json& value = field(object, key);
    if (!value.is_string()) {
        throw BadField{fmt::format("\"{}\" must be a string", key)};
    }
    return value.get<std::string>();
}

[[nodiscard]] bool flag(const Json& object, std::string_view key) {
    const Json& value = field(object, key);
    if (!value.is_boolean()) {
        throw BadField{fmt::format("\"{}\" must be true or false", key)};
    }
    return value.get<bool>();
}

/// How many failures and skip reasons the report holds, which its cases
/// refer to by index.
struct Indexes {
    std::size_t failures = 0;
    std::size_t skips = 0;
    std::size_t expected = 0;
};

// A case's "linearizability": only an unknown verdict is written.
[[nodiscard]] HistoryUnknown read_history_unknown(const Json& value) {
    if (text(value, "verdict") != "unknown") {
        throw BadField{"a case's \"linearizability\" must have the verdict unknown"};
    }
    HistoryUnknown unknown{.cap = text(value, "cap"),
                           .limit = number(value, "limit"),
                           .key = number(value, "key"),
                           .operations = number(value, "operations"),
                           .keys = number(value, "keys"),
                           .steps = number(value, "steps"),
                           .memo_bytes_peak = number(value, "memo_bytes_peak")};
    if (unknown.cap != "steps" && unknown.cap != "memo_bytes") {
        throw BadField{"a case's linearizability \"cap\" must be steps or memo_bytes"};
    }
    return unknown;
}

[[nodiscard]] CaseReport read_case(const Json& value, const Indexes& indexes) {
    CaseReport run{.seed = number(value, "seed")};
    const std::optional<CaseStatus> status = case_status_named(text(value, "result"));
    if (!status.has_value()) {
        throw BadField{
            "a case's \"result\" must be passed, failed, aborted, not_run, skipped or "
            "expected_failure"};
    }
    run.status = *status;
    if (run.status != CaseStatus::not_run) {
        run.wall_seconds = seconds(value, "wall_seconds");
    }
    if (run.status == CaseStatus::failed) {
        run.failure = number(value, "failure");
        if (*run.failure >= indexes.failures) {
            throw BadField{"a case names a failure the report does not hold"};
        }
    }
    if (run.status == CaseStatus::skipped) {
        run.skip = number(value, "skip");
        if (*run.skip >= indexes.skips) {
            throw BadField{"a case names a skip reason the report does not hold"};
        }
    }
    if (run.status == CaseStatus::expected_failure) {
        run.expected = number(value, "expected");
        if (*run.expected >= indexes.expected) {
            throw BadField{"a case names an expected failure the report does not hold"};
        }
    }
    if (value.contains("linearizability")) {
        // Only a run made to its end has a history check.
        const bool ran = run.status == CaseStatus::passed || run.status == CaseStatus::failed ||
                         run.status == CaseStatus::expected_failure;
        if (!ran) {
            throw BadField{"a case not run to its end has a \"linearizability\" verdict"};
        }
        run.history_unknown = read_history_unknown(value["linearizability"]);
    }
    return run;
}

[[nodiscard]] RowReport read_row(const Json& value, const Indexes& indexes) {
    RowReport row{.name = text(value, "name"),
                  .seeds = number(value, "runs"),
                  .passed = number(value, "passed"),
                  .aborted = number(value, "aborted"),
                  .skipped = number(value, "skipped"),
                  .not_run = number(value, "not_run"),
                  .expected_failures = number(value, "expected_failures"),
                  .simulated_us = number(value, "simulated_us"),
                  .events = number(value, "events"),
                  .wall_seconds = seconds(value, "wall_seconds")};
    const Json& cases = field(value, "cases");
    if (!cases.is_array() || cases.size() != row.seeds + row.skipped + row.not_run) {
        throw BadField{fmt::format(
            "row \"{}\" must list one case per run, skipped seed and seed not run", row.name)};
    }
    if (row.passed + row.aborted + row.expected_failures > row.seeds) {
        throw BadField{
            fmt::format("row \"{}\" counts more passed, aborted and expected "
                        "failures than runs",
                        row.name)};
    }
    for (const Json& run : cases) {
        row.cases.push_back(read_case(run, indexes));
    }
    const auto unknown =
        std::count_if(row.cases.begin(), row.cases.end(),
                      [](const CaseReport& run) { return run.history_unknown.has_value(); });
    // Added to version 4 later: a report without it has no unknown checks.
    const std::uint64_t counted =
        value.contains("history_unknown") ? number(value, "history_unknown") : 0;
    if (counted != static_cast<std::uint64_t>(unknown) ||
        static_cast<std::uint64_t>(unknown) > row.seeds) {
        throw BadField{fmt::format(
            "row \"{}\" counts another number of unknown history checks than its cases have",
            row.name)};
    }
    return row;
}

[[nodiscard]] SkipRecord read_skip(const Json& value) {
    SkipRecord skip{.reason = text(value, "reason"), .count = number(value, "count")};
    if (skip.reason.empty() || skip.count == 0) {
        throw BadField{"a skip must give its reason and a count of at least 1"};
    }
    return skip;
}

[[nodiscard]] FailureRecord read_failure(const Json& value) {
    const std::string fingerprint = text(value, "fingerprint");
    FailureRecord failure{.scenario = text(value, "scenario"),
                          .row = text(value, "row"),
                          .seed = number(value, "seed"),
                          .checker = text(value, "checker"),
                          .kind = text(value, "kind"),
                          .detail = text(value, "detail"),
                          .time_us = number(value, "time_us"),
                          .fingerprint = std::strtoull(fingerprint.c_str(), nullptr, 16),
                          .artifact = text(value, "artifact"),
                          .note = value.contains("note") ? text(value, "note") : "",
                          .replay = text(value, "replay")};
    if (failure.checker.empty() || failure.row.empty()) {
        throw BadField{"a failure must name its checker and row"};
    }
    return failure;
}

[[nodiscard]] ExpectedFailureRecord read_expected_failure(const Json& value) {
    const std::string fingerprint = text(value, "fingerprint");
    ExpectedFailureRecord expected{.scenario = text(value, "scenario"),
                                   .row = text(value, "row"),
                                   .seed = number(value, "seed"),
                                   .checker = text(value, "checker"),
                                   .kind = text(value, "kind"),
                                   .detail = text(value, "detail"),
                                   .time_us = number(value, "time_us"),
                                   .fingerprint = std::strtoull(fingerprint.c_str(), nullptr, 16),
                                   .fixed_in = text(value, "fixed_in"),
                                   .why = text(value, "why"),
                                   .replay = text(value, "replay")};
    if (expected.checker.empty() || expected.kind.empty() || expected.row.empty()) {
        throw BadField{"an expected failure must name its checker, kind and row"};
    }
    return expected;
}

// Every skip reason counts exactly the cases that name it.
void check_skip_counts(const SweepReport& report) {
    std::vector<std::uint64_t> skipped(report.skips.size(), 0);
    for (const RowReport& row : report.rows) {
        for (const CaseReport& run : row.cases) {
            if (run.skip.has_value()) {
                skipped[*run.skip] += 1;
            }
        }
    }
    for (std::size_t i = 0; i < skipped.size(); ++i) {
        if (skipped[i] != report.skips[i].count) {
            throw BadField{fmt::format("skip {} counts {} cases, but {} name it", i,
                                       report.skips[i].count, skipped[i])};
        }
    }
}

[[nodiscard]] SweepReport read_report(const Json& summary) {
    if (number(summary, "schema_version") != report_schema_version) {
        throw BadField{fmt::format("\"schema_version\" is {}, this build reads {}",
                                   summary["schema_version"].dump(), report_schema_version)};
    }
    SweepReport report{.command_line = text(summary, "command"),
                       .mode = text(summary, "mode"),
                       .build = text(summary, "build"),
                       .sut = text(summary, "sut"),
                       .sut_version = text(summary, "sut_version"),
                       .check_determinism = flag(summary, "check_determinism"),
                       .seed_first = number(field(summary, "seeds"), "first"),
                       .seed_last = number(field(summary, "seeds"), "last"),
                       .shard_index = number(field(summary, "shard"), "index"),
                       .shard_count = number(field(summary, "shard"), "count"),
                       .stopped_early = flag(summary, "stopped_early"),
                       .stop_reason = text(summary, "stop_reason"),
                       .sweep_id = text(summary, "sweep")};
    const Json& failures = field(summary, "failures");
    const Json& rows = field(summary, "scenarios");
    const Json& skips = field(summary, "skips");
    const Json& expected = field(summary, "expected_failures");
    if (!failures.is_array() || !rows.is_array() || !skips.is_array() || !expected.is_array()) {
        throw BadField{
            "\"failures\", \"scenarios\", \"skips\" and \"expected_failures\" must be arrays"};
    }
    for (const Json& failure : failures) {
        report.failures.push_back(read_failure(failure));
    }
    for (const Json& skip : skips) {
        report.skips.push_back(read_skip(skip));
    }
    for (const Json& record : expected) {
        report.expected_failures.push_back(read_expected_failure(record));
    }
    const Indexes indexes{.failures = report.failures.size(),
                          .skips = report.skips.size(),
                          .expected = report.expected_failures.size()};
    for (const Json& row : rows) {
        report.rows.push_back(read_row(row, indexes));
    }
    check_skip_counts(report);
    return report;
}

}  // namespace

std::optional<SweepReport> parse_json_report(std::string_view text, std::string& error) {
    const Json summary = Json::parse(text, nullptr, false);
    if (summary.is_discarded()) {
        error = "not JSON";
        return std::nullopt;
    }
    try {
        SweepReport report = read_report(summary);
        RAFT_ASSERT(error.empty());
        return report;
    } catch (const BadField& bad) {
        error = bad.message;
        return std::nullopt;
    } catch (const nlohmann::json::exception& bad) {
        error = bad.what();  // a number out of range for its type
        return std::nullopt;
    }
}

}  // namespace raftsim::replay
