#pragma once
// What a sweep's workers do, and what they send back: a run of one (row,
// seed) -- twice with --check-determinism -- and the writing of a failure's
// artifact. Tasks and outcomes cross the worker pipe as JSON text.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "input/limits.hpp"
#include "report/sweep_report.hpp"
#include "sweep/plan.hpp"

namespace raftsim::replay {

/// The violation of a run, as the parent needs it.
struct CaseViolation {
    std::string checker;
    std::string kind;
    std::string detail;
    std::uint64_t time_us = 0;
};

/// How one (row, seed) run went.
struct CaseOutcome {
    bool passed = false;
    /// The system under test cannot run the scenario: nothing ran
    /// (scenarios::RunResult::skipped), and `skip_reason` says why.
    bool skipped = false;
    std::string skip_reason;
    std::optional<CaseViolation> violation;
    /// With --check-determinism, the two runs disagreed (checker
    /// "determinism"; `violation` holds the kind, the report and the time).
    bool diverged = false;
    /// A divergence's artifact, written by the worker at once from the two
    /// runs that disagreed (a re-run might well agree): a directory under
    /// --out that the parent renames into place or removes.
    std::string pending_artifact;
    std::uint64_t fingerprint = 0;
    std::uint64_t events = 0;
    std::uint64_t trace_records = 0;
    std::uint64_t simulated_us = 0;
    /// The clients' history check could not decide (a cap was reached).
    std::optional<HistoryUnknown> history_unknown{};
};

/// What writing an artifact gave.
struct ArtifactOutcome {
    /// Empty on success.
    std::string error;
    /// The artifact's files, in bytes on disk (compressed).
    std::uint64_t bytes = 0;
    /// The traced re-run's fingerprint, which must be the first run's.
    std::uint64_t fingerprint = 0;
};

/// The task of running `ref` (position `ref.position`).
[[nodiscard]] std::string run_task(const CaseRef& ref);
/// The task of writing the artifact of `ref` into `directory`.
[[nodiscard]] std::string artifact_task(const CaseRef& ref, const std::string& directory);

/// Settings every task of one sweep shares (fixed before the workers fork).
struct CaseWorkSettings {
    const SweepPlan* plan = nullptr;
    bool check_determinism = false;
    /// Where a divergence's pending artifact goes (CaseOutcome).
    std::string out_dir;
    /// Command-line limits, for swarm scenarios (generated in the worker).
    LimitOverrides limits;
    /// The system under test (never null). Workers are forked after it is
    /// chosen, so the pointer holds in them too.
    const sut::System* system = nullptr;
    /// --history-max-steps (RunCommand::history_max_steps).
    std::optional<std::uint64_t> history_max_steps{};
};

/// The scenario of `ref`: its row's, or the seed's swarm scenario with the
/// command-line limits applied (into `swarm`, which must outlive the use).
[[nodiscard]] const LoadedScenario& case_scenario(const CaseWorkSettings& settings,
                                                  const CaseRef& ref, LoadedScenario& swarm);

/// The worker side: runs a task, returns its outcome as text.
[[nodiscard]] std::string do_case_work(const CaseWorkSettings& settings, std::string_view task);

[[nodiscard]] std::optional<CaseOutcome> parse_case_outcome(std::string_view text);
[[nodiscard]] std::optional<ArtifactOutcome> parse_artifact_outcome(std::string_view text);

}  // namespace raftsim::replay
