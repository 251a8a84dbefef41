// check_linearizability: validate, split by key, search each key, and for
// the first key that is not linearizable, find the window.
//
// Splitting by key is sound because linearizability is local (Herlihy &
// Wing 1990, section 3.3: a history is linearizable iff its restriction to
// each object is), and every key of the store is an independent register.

#include <algorithm>
#include <map>
#include <tuple>

#include "raftsim/core/assert.hpp"
#include "search.hpp"

namespace raftsim::sim {

std::string_view to_string(Verdict verdict) noexcept {
    switch (verdict) {
        case Verdict::linearizable:
            return "linearizable";
        case Verdict::not_linearizable:
            return "not linearizable";
        case Verdict::unknown:
            return "unknown";
        case Verdict::refused:
            return "refused";
    }
    return "?";
}

std::string_view to_string(SearchCap cap) noexcept {
    switch (cap) {
        case SearchCap::none:
            return "none";
        case SearchCap::steps:
            return "search steps";
        case SearchCap::memo_bytes:
            return "memo bytes";
    }
    return "?";
}

namespace {

using history_detail::PartitionOutcome;
using history_detail::PartitionVerdict;
using Partition = std::vector<const Operation*>;

/// Each key's operations, ordered by (invoke time, id): the order the
/// search sees them in does not depend on the order they came in.
std::map<KvKey, Partition> partition_by_key(std::span<const Operation> history) {
    std::map<KvKey, Partition> partitions;
    for (const Operation& op : history) {
        partitions[op.key].push_back(&op);
    }
    for (auto& [key, ops] : partitions) {
        std::sort(ops.begin(), ops.end(), [](const Operation* a, const Operation* b) {
            return std::tie(a->invoke_us, a->id) < std::tie(b->invoke_us, b->id);
        });
    }
    return partitions;
}

std::vector<OperationId> ids_of(const Partition& ops, const std::vector<std::size_t>& indices) {
    std::vector<OperationId> ids;
    for (const std::size_t i : indices) {
        RAFT_ASSERT(i < ops.size());
        ids.push_back(ops[i]->id);
    }
    return ids;
}

void report_violation(LinearizabilityResult& result, KvKey key, const Partition& ops,
                      const PartitionOutcome& outcome, const CheckLimits& limits) {
    RAFT_ASSERT(outcome.verdict == PartitionVerdict::not_linearizable);
    result.verdict = Verdict::not_linearizable;
    result.key = key;
    result.cap = SearchCap::none;
    result.partial_linearization = ids_of(ops, outcome.longest);
    const history_detail::Window window = history_detail::minimize_window(ops, limits);
    RAFT_ASSERT(!window.ops.empty());
    result.window = ids_of(ops, window.ops);
    result.window_minimal = window.minimal;
    result.stats.window_checks = window.checks;
}

}  // namespace

LinearizabilityResult check_linearizability(std::span<const Operation> history,
                                            const CheckLimits& limits) {
    LinearizabilityResult result;
    result.stats.operations = history.size();
    result.refusal = validate_history(history, result.refused_operation);
    if (result.refusal != HistoryError::none) {
        result.verdict = Verdict::refused;
        return result;
    }
    const std::map<KvKey, Partition> partitions = partition_by_key(history);
    result.stats.keys = partitions.size();
    // Keys are searched in ascending order; a proven violation on any key
    // outranks a cap hit on a smaller one.
    for (const auto& [key, ops] : partitions) {
        const PartitionOutcome outcome = history_detail::search_partition(ops, limits);
        result.stats.steps += outcome.steps;
        result.stats.memo_entries_peak =
            std::max(result.stats.memo_entries_peak, outcome.memo_entries);
        result.stats.memo_bytes_peak = std::max(result.stats.memo_bytes_peak, outcome.memo_bytes);
        if (outcome.verdict == PartitionVerdict::not_linearizable) {
            report_violation(result, key, ops, outcome, limits);
            return result;
        }
        const bool first_cap = result.verdict == Verdict::linearizable;
        if (outcome.verdict == PartitionVerdict::cap && first_cap) {
            result.verdict = Verdict::unknown;
            result.key = key;
            result.cap = outcome.cap;
        }
    }
    RAFT_ASSERT(result.verdict != Verdict::not_linearizable);
    return result;
}

}  // namespace raftsim::sim
