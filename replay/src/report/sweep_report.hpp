#pragma once
// What a `raftsim run` sweep found, kept run by run so it can be written for
// CI systems when the sweep ends: JUnit XML (what Jenkins, GitLab and the
// GitHub test reporters display) and a JSON summary whose schema is in
// docs/ci.md.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raftsim/sim/history/linearizability.hpp"
#include "report/dedup.hpp"
#include "text/escape.hpp"

namespace raftsim::replay {

/// How a (scenario, seed) run of the sweep ended.
enum class CaseStatus : std::uint8_t {
    passed,
    failed,
    /// The wall-clock backstop (--timeout) killed it: inconclusive.
    aborted,
    /// Never run: the sweep stopped early (--fail-fast, an interrupt).
    not_run,
    /// Not run: the system under test cannot run the scenario
    /// (scenarios::skip_reason); CaseReport::skip says why.
    skipped,
    /// It failed exactly as its scenario's `expect` entry says, for this
    /// system and seed: a kept finding, not a failure of the sweep.
    /// CaseReport::expected says which.
    expected_failure,
};

[[nodiscard]] std::string_view to_string(CaseStatus status) noexcept;
[[nodiscard]] std::optional<CaseStatus> case_status_named(std::string_view name) noexcept;

/// A run whose clients' history the linearizability check could not
/// decide: its search reached a cap (per key, counted, never timed) first.
/// Not a failure and not a pass of the check; reported so it is seen.
struct HistoryUnknown {
    /// Which cap: "steps" or "memo_bytes".
    std::string cap{};
    /// That cap's value, per key.
    std::uint64_t limit = 0;
    /// The smallest key whose search reached it.
    std::uint64_t key = 0;
    /// The check's counts (sim::CheckStats).
    std::uint64_t operations = 0;
    std::uint64_t keys = 0;
    std::uint64_t steps = 0;
    std::uint64_t memo_bytes_peak = 0;

    friend bool operator==(const HistoryUnknown&, const HistoryUnknown&) = default;
};

/// The unknown verdict of `result`, checked under `limits`; nullopt for
/// any other verdict.
[[nodiscard]] std::optional<HistoryUnknown> history_unknown_of(
    const sim::LinearizabilityResult& result, const sim::CheckLimits& limits);

/// "the linearizability check reached its cap of 2000000 search steps per
/// key on key 3 before deciding (812 operations on 6 keys, 2000417 steps,
/// memo at most 4096 bytes on a key)".
[[nodiscard]] std::string history_unknown_text(const HistoryUnknown& unknown);

/// One (scenario, seed) run.
struct CaseReport {
    std::uint64_t seed = 0;
    double wall_seconds = 0;
    /// Its entry in SweepReport::failures, if it failed.
    std::optional<std::size_t> failure{};
    CaseStatus status = CaseStatus::passed;
    /// Its entry in SweepReport::skips, if it was skipped.
    std::optional<std::size_t> skip{};
    /// Its entry in SweepReport::expected_failures, if it failed as expected.
    std::optional<std::size_t> expected{};
    /// Its clients' history check was undecided (whatever the status).
    std::optional<HistoryUnknown> history_unknown{};
};

/// A run that failed as expected (CaseStatus::expected_failure): what it
/// failed with, and the expectation it met.
struct ExpectedFailureRecord {
    /// As in FailureRecord.
    std::string scenario{};
    std::string row{};
    std::uint64_t seed = 0;
    std::string checker{};
    std::string kind{};
    std::string detail{};
    std::uint64_t time_us = 0;
    std::uint64_t fingerprint = 0;
    /// The entry's `fixed_in` ("" if none) and `why`.
    std::string fixed_in{};
    std::string why{};
    /// The one-line command that re-runs it (no artifact is written).
    std::string replay{};
};

/// One reason runs were skipped, and how many were.
struct SkipRecord {
    std::string reason{};
    std::uint64_t count = 0;
};

/// A table row: one scenario, or every swarm run.
struct RowReport {
    std::string name{};
    /// Runs made (passed, failed or aborted); skipped and unrun seeds are
    /// not runs.
    std::uint64_t seeds = 0;
    std::uint64_t passed = 0;
    std::uint64_t aborted = 0;
    /// Seeds the system under test cannot run (CaseStatus::skipped).
    std::uint64_t skipped = 0;
    /// Seeds a stopped sweep never reached (CaseStatus::not_run).
    std::uint64_t not_run = 0;
    /// Runs that failed as expected (CaseStatus::expected_failure); they
    /// are runs, and not failures.
    std::uint64_t expected_failures = 0;
    std::uint64_t simulated_us = 0;
    std::uint64_t events = 0;
    double wall_seconds = 0;
    std::vector<CaseReport> cases{};

    /// The runs that failed and were not expected to.
    [[nodiscard]] std::uint64_t failed() const;
    /// The runs whose history check was unknown (CaseReport::history_unknown).
    [[nodiscard]] std::uint64_t history_unknown() const;
};

struct SweepReport {
    /// A command line that repeats the sweep.
    std::string command_line{};
    /// "scenarios" or "swarm".
    std::string mode{};
    /// build_id() of the build that ran it.
    std::string build{};
    /// The system under test's name (`--sut`), and its version.
    std::string sut{};
    std::string sut_version{};
    bool check_determinism = false;
    std::uint64_t seed_first = 0;
    std::uint64_t seed_last = 0;
    std::uint64_t shard_index = 1;
    std::uint64_t shard_count = 1;
    /// --fail-fast or an interrupt stopped the sweep; `stop_reason` says
    /// which ("fail_fast", "SIGINT", "SIGTERM").
    bool stopped_early = false;
    std::string stop_reason{};
    /// Identifies the sweep apart from its shard: a hash of the build, the
    /// scenarios' texts, the seeds, the mode and everything else that
    /// decides the runs. `raftsim merge` refuses shards that differ in it.
    std::string sweep_id{};
    std::vector<RowReport> rows{};
    std::vector<FailureRecord> failures{};
    /// Each distinct reason for skipped runs, in the order first met.
    std::vector<SkipRecord> skips{};
    /// Each run that failed as expected, in sweep order.
    std::vector<ExpectedFailureRecord> expected_failures{};

    [[nodiscard]] std::uint64_t runs() const;
    [[nodiscard]] std::uint64_t aborted() const;
    [[nodiscard]] std::uint64_t skipped() const;
    [[nodiscard]] std::uint64_t not_run() const;
    [[nodiscard]] std::uint64_t history_unknown() const;
    [[nodiscard]] double wall_seconds() const;
};

/// The report version render_json writes and parse_json_report reads.
/// 3: "skipped" counts runs the system under test cannot run (with their
/// reasons in "skips"); a stopped sweep's unrun seeds became "not_run"
/// (version 2 called them "skipped"); "sut" names the system.
/// 4: runs that failed as their scenario's "expect" says are
/// "expected_failure" (counted in "expected_failures", listed in
/// "expected_failures", no longer in "failed"); "sut_version".
/// Fields added without a change of meaning keep the version: a run whose
/// history check was unknown has "linearizability" (the cap and the
/// check's counts), counted in "history_unknown" per row and in the totals
/// (a report without them has none).
inline constexpr int report_schema_version = 4;

/// "12 of 500 skipped (2.4%)": the runs the system under test cannot run,
/// of the runs made and skipped; "" when none was skipped.
[[nodiscard]] std::string skipped_text(const SweepReport& report);

/// "1 expected failure", "3 expected failures"; "" when there is none.
[[nodiscard]] std::string expected_failures_text(const SweepReport& report);

/// "1 history check unknown", "3 history checks unknown"; "" when none was.
[[nodiscard]] std::string history_unknown_count_text(const SweepReport& report);

[[nodiscard]] std::string render_junit(const SweepReport& report);
[[nodiscard]] std::string render_json(const SweepReport& report);

/// Reads a report render_json wrote (for raftsim merge); an error naming
/// what is wrong otherwise.
[[nodiscard]] std::optional<SweepReport> parse_json_report(std::string_view text,
                                                           std::string& error);

}  // namespace raftsim::replay
