#pragma once
// Failure deduplication: a sweep that hits one bug on 200 seeds should say so
// once, not 200 times. Each failure gets a signature -- what broke and where
// -- and failures with the same signature form a group, shown with its count
// and the lowest seed that reproduces it (usually the quickest to read).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace raftsim::replay {

/// One failing run, as `raftsim run` reports it (terminal, JUnit, JSON).
struct FailureRecord {
    /// The scenario's own name (a swarm run's is "swarm-SEED").
    std::string scenario{};
    /// The table row and JUnit suite the run belongs to ("swarm" for swarm
    /// runs, else the scenario's name).
    std::string row{};
    std::uint64_t seed = 0;
    std::string checker{};
    std::string kind{};
    std::string detail{};
    std::uint64_t time_us = 0;
    std::uint64_t fingerprint = 0;
    /// The artifact directory; empty if none was written, and then `note`
    /// says why (the signature already had its artifacts, the size budget
    /// was spent, writing failed).
    std::string artifact{};
    std::string note{};
    /// The one-line command that re-runs the failure.
    std::string replay{};
};

/// Where a core_assert fired, from the violation's detail.
struct AssertLocation {
    std::string expression{};
    /// Relative to the source tree ("core/src/log.cpp"), whatever the build
    /// directory, so builds in different places agree.
    std::string file{};
    std::uint64_t line = 0;
};

/// Parses sim's core_assert detail, "assertion failed on node N: EXPR (FILE:LINE)"
/// (sim/src/simulation.cpp); nullopt if it is not of that form.
[[nodiscard]] std::optional<AssertLocation> parse_assert_detail(std::string_view detail);

/// "core_assert/core_invariant `EXPR` at core/src/log.cpp:88" for an
/// assertion (the same assertion is the same bug in any scenario);
/// "CHECKER/KIND in ROW" otherwise.
[[nodiscard]] std::string failure_signature(const FailureRecord& failure);

struct FailureGroup {
    std::string signature{};
    std::uint64_t count = 0;
    /// The failure with the lowest seed (the first reported among equal seeds).
    FailureRecord first;
};

/// Groups failures by signature: safety before liveness before the harness's
/// own (severity_rank), then most frequent first, then by signature.
[[nodiscard]] std::vector<FailureGroup> group_failures(const std::vector<FailureRecord>& failures);

/// 0 for a safety checker (and the core's assertions), 1 for liveness and
/// convergence, 2 for the harness's own failures (limit, crash) and an
/// expected failure that did not happen (expect): the order groups are
/// listed in.
[[nodiscard]] int severity_rank(std::string_view checker);

/// "N distinct failures:" and one line per group: count, signature, first
/// seed and its replay command. Empty when there are no groups.
[[nodiscard]] std::string render_groups(const std::vector<FailureGroup>& groups);

/// `text` as one word for a POSIX shell: unchanged when that is safe, else
/// in single quotes.
[[nodiscard]] std::string shell_quote(std::string_view text);

/// `raftsim replay DIR`, with DIR quoted for a POSIX shell when it needs it.
[[nodiscard]] std::string replay_command_for(std::string_view artifact_dir);

}  // namespace raftsim::replay
