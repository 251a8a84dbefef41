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

#include "report/dedup.hpp"
#include "text/escape.hpp"

namespace raftsim::replay {

/// One (scenario, seed) run.
struct CaseReport {
    std::uint64_t seed = 0;
    double wall_seconds = 0;
    /// Its entry in SweepReport::failures, if it failed.
    std::optional<std::size_t> failure{};
};

/// A table row: one scenario, or every swarm run.
struct RowReport {
    std::string name{};
    std::uint64_t seeds = 0;
    std::uint64_t passed = 0;
    std::uint64_t simulated_us = 0;
    std::uint64_t events = 0;
    double wall_seconds = 0;
    std::vector<CaseReport> cases{};
};

struct SweepReport {
    /// A command line that repeats the sweep.
    std::string command_line{};
    /// "scenarios" or "swarm".
    std::string mode{};
    bool check_determinism = false;
    std::uint64_t seed_first = 0;
    std::uint64_t seed_last = 0;
    std::uint64_t shard_index = 1;
    std::uint64_t shard_count = 1;
    /// --fail-fast stopped the sweep at its first failure.
    bool stopped_early = false;
    std::vector<RowReport> rows{};
    std::vector<FailureRecord> failures{};

    [[nodiscard]] std::uint64_t runs() const;
    [[nodiscard]] double wall_seconds() const;
};

[[nodiscard]] std::string render_junit(const SweepReport& report);
[[nodiscard]] std::string render_json(const SweepReport& report);

}  // namespace raftsim::replay
