#pragma once
// The plan of a `raftsim run` sweep: its rows (scenarios, or the swarm), its
// seeds and its shard, and the order of its runs.
//
// Every (row, seed) pair has a position: seed by seed, and for each seed
// every row in the order given -- so a sweep meets every scenario on its
// first seed within a second, instead of one scenario's seeds before the
// next one's (time-to-detect, docs/ci.md). --shard I/N keeps the runs whose
// seed offset plus row index is I-1 modulo N: every row's seeds on a stride
// of N, staggered by row, so shards stay even. Positions are what make a sweep's outputs
// independent of how it ran: reports, fingerprints, artifact choices and --fail-fast are all
// decided in position order, whichever worker finished first.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "input/suite.hpp"

namespace raftsim::replay {

/// A table row: one loaded scenario, or (swarm, `scenario` null) each
/// seed's own generated scenario.
struct SweepRow {
    /// Unique within the sweep: the scenario's name, with "+2", "+3", ...
    /// appended to the second and later scenarios of one name, so two files
    /// of one name never share an artifact directory or a report row.
    std::string label;
    const LoadedScenario* scenario = nullptr;
};

/// One run of the sweep.
struct CaseRef {
    std::uint64_t position = 0;
    std::size_t row = 0;
    std::uint64_t seed = 0;
};

class SweepPlan {
  public:
    /// Runs one invocation makes at most: the per-case reports are kept in
    /// memory and written out, and a bigger sweep is a job for --shard.
    static constexpr std::uint64_t max_runs = 10'000'000;

    SweepPlan(std::vector<SweepRow> rows, std::uint64_t seed_first, std::uint64_t seed_last,
              std::uint64_t shard_index, std::uint64_t shard_count);

    /// Why this sweep cannot run (too many runs for one invocation, a range
    /// whose positions do not fit 64 bits), or empty.
    [[nodiscard]] std::string problem() const;

    [[nodiscard]] const std::vector<SweepRow>& rows() const noexcept { return rows_; }
    [[nodiscard]] std::uint64_t seed_first() const noexcept { return seed_first_; }
    [[nodiscard]] std::uint64_t seed_last() const noexcept { return seed_last_; }
    /// This shard's runs (saturating at 2^64 - 1), and those of one row.
    [[nodiscard]] std::uint64_t shard_runs() const noexcept;
    [[nodiscard]] std::uint64_t shard_runs_in_row(std::size_t row) const noexcept;

    /// This shard's first run in `row` at or after `seed`, if any.
    [[nodiscard]] std::optional<CaseRef> first_in_row(std::size_t row, std::uint64_t seed) const;
    /// This shard's last run in `row`, if any.
    [[nodiscard]] std::optional<CaseRef> last_in_row(std::size_t row) const;
    /// This shard's run after `at`, in position order; nullopt at the end.
    [[nodiscard]] std::optional<CaseRef> next(const std::optional<CaseRef>& at) const;

  private:
    [[nodiscard]] std::uint64_t seeds_per_row() const noexcept;
    [[nodiscard]] std::uint64_t position_of(std::size_t row, std::uint64_t seed) const noexcept;
    [[nodiscard]] bool in_shard(std::size_t row, std::uint64_t seed) const noexcept;

    std::vector<SweepRow> rows_;
    std::uint64_t seed_first_ = 1;
    std::uint64_t seed_last_ = 1;
    std::uint64_t shard_index_ = 1;
    std::uint64_t shard_count_ = 1;
};

/// Labels for `scenarios` in order: names, made unique (SweepRow::label).
[[nodiscard]] std::vector<std::string> row_labels(const std::vector<LoadedScenario>& scenarios);

}  // namespace raftsim::replay
