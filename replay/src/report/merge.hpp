#pragma once
// Combining the reports of a sharded sweep (`raftsim merge`). Shards of one
// sweep have the same build, scenarios, seeds and options (the report's
// "sweep" identity) and indices 1..N, each exactly once: anything else is
// refused, so a lost shard (a CI job that never ran, or was cancelled)
// cannot come out green. The merged report is what one unsharded run of
// the sweep would have written, but for wall times and artifact paths:
// cases in position order, failures numbered in that order.

#include <optional>
#include <string>
#include <vector>

#include "report/sweep_report.hpp"

namespace raftsim::replay {

struct ShardReport {
    /// Where it was read from, for messages.
    std::string file;
    SweepReport report;
};

/// The merged report, or nullopt with `error` saying which shard is
/// missing, duplicated or from another sweep.
[[nodiscard]] std::optional<SweepReport> merge_shards(const std::vector<ShardReport>& shards,
                                                      std::string& error);

}  // namespace raftsim::replay
