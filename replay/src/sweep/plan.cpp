// The sweep's runs in position order (plan.hpp).
#include "sweep/plan.hpp"

#include <fmt/format.h>

#include <map>
#include <numeric>

#include "raftsim/core/assert.hpp"

namespace raftsim::replay {
namespace {

constexpr std::uint64_t most = ~std::uint64_t{0};

}  // namespace

SweepPlan::SweepPlan(std::vector<SweepRow> rows, std::uint64_t seed_first, std::uint64_t seed_last,
                     std::uint64_t shard_index, std::uint64_t shard_count)
    : rows_(std::move(rows)),
      seed_first_(seed_first),
      seed_last_(seed_last),
      shard_index_(shard_index),
      shard_count_(shard_count) {
    RAFT_ASSERT(seed_first_ <= seed_last_);
    RAFT_ASSERT(shard_index_ >= 1);
    RAFT_ASSERT(shard_index_ <= shard_count_);
}

std::uint64_t SweepPlan::seeds_per_row() const noexcept {
    // 0 stands for 2^64, a range no sweep runs (problem() refuses it).
    return seed_last_ - seed_first_ + 1;
}

std::string SweepPlan::problem() const {
    const std::uint64_t seeds = seeds_per_row();
    if (seeds == 0 || (!rows_.empty() && seeds > most / rows_.size())) {
        return fmt::format("--seeds {}..{} over {} scenarios is more runs than a sweep can count",
                           seed_first_, seed_last_, rows_.size());
    }
    const std::uint64_t runs = shard_runs();
    if (runs > max_runs) {
        return fmt::format(
            "this sweep has {} runs{}; one invocation makes at most {} -- split it with "
            "--shard I/N (docs/ci.md) or fewer seeds",
            runs, shard_count_ > 1 ? " in its shard" : "", max_runs);
    }
    return "";
}

std::uint64_t SweepPlan::position_of(std::size_t row, std::uint64_t seed) const noexcept {
    RAFT_ASSERT(row < rows_.size());
    RAFT_ASSERT(seed >= seed_first_);
    return (seed - seed_first_) * rows_.size() + row;
}

// A run is in shard I of N when (seed offset + row) is I-1 modulo N: each
// shard gets every row's seeds on a stride of N, staggered by row, so the
// shards stay even whatever the number of rows (with positions taken modulo
// N, N dividing the row count would hand each shard whole scenarios).
bool SweepPlan::in_shard(std::size_t row, std::uint64_t seed) const noexcept {
    return ((seed - seed_first_) % shard_count_ + row % shard_count_) % shard_count_ ==
           shard_index_ - 1;
}

std::optional<CaseRef> SweepPlan::first_in_row(std::size_t row, std::uint64_t seed) const {
    if (row >= rows_.size() || seed > seed_last_) {
        return std::nullopt;
    }
    RAFT_ASSERT(seed >= seed_first_);
    for (std::uint64_t tried = 0; tried < shard_count_ && seed_last_ - seed >= tried; ++tried) {
        if (in_shard(row, seed + tried)) {
            return CaseRef{
                .position = position_of(row, seed + tried), .row = row, .seed = seed + tried};
        }
    }
    return std::nullopt;
}

std::optional<CaseRef> SweepPlan::next(const std::optional<CaseRef>& at) const {
    // Positions run seed by seed, every row for a seed before the next.
    const std::uint64_t runs = seeds_per_row() * rows_.size();
    std::uint64_t position = at.has_value() ? at->position + 1 : 0;
    for (; position < runs; ++position) {
        const auto row = static_cast<std::size_t>(position % rows_.size());
        const std::uint64_t seed = seed_first_ + position / rows_.size();
        if (in_shard(row, seed)) {
            return CaseRef{.position = position, .row = row, .seed = seed};
        }
    }
    return std::nullopt;
}

std::optional<CaseRef> SweepPlan::last_in_row(std::size_t row) const {
    const std::optional<CaseRef> first = first_in_row(row, seed_first_);
    if (!first.has_value()) {
        return std::nullopt;
    }
    const std::uint64_t seed = first->seed + (shard_runs_in_row(row) - 1) * shard_count_;
    return CaseRef{.position = position_of(row, seed), .row = row, .seed = seed};
}

std::uint64_t SweepPlan::shard_runs_in_row(std::size_t row) const noexcept {
    const std::optional<CaseRef> first = first_in_row(row, seed_first_);
    return first.has_value() ? (seed_last_ - first->seed) / shard_count_ + 1 : 0;
}

std::uint64_t SweepPlan::shard_runs() const noexcept {
    std::uint64_t total = 0;
    for (std::size_t row = 0; row < rows_.size(); ++row) {
        const std::uint64_t runs = shard_runs_in_row(row);
        total = runs > most - total ? most : total + runs;
    }
    return total;
}

std::vector<std::string> row_labels(const std::vector<LoadedScenario>& scenarios) {
    std::map<std::string, std::uint64_t> seen;
    std::vector<std::string> labels;
    for (const LoadedScenario& loaded : scenarios) {
        const std::string& name = loaded.scenario.name;
        const std::uint64_t count = ++seen[name];
        // '+' is not a name character, so a label cannot collide with
        // another scenario's own name.
        labels.push_back(count == 1 ? name : fmt::format("{}+{}", name, count));
    }
    RAFT_ASSERT(labels.size() == scenarios.size());
    return labels;
}

}  // namespace raftsim::replay
