// The window of a violation: a small subset of one key's operations that
// still cannot be linearized, found by delta debugging (Zeller & Hildebrandt
// 2002, ddmin) over the key's operations in (invoke time, id) order.
//
// A candidate subset is first closed: an operation that observed a value
// (a read of it, a successful CAS from it) whose write is on this key but not
// in the subset is dropped too, transitively. Without that, every violation
// would shrink to a lone read of a value that, in the window, nobody wrote:
// not linearizable, and useless to the reader.
//
// ddmin ends at the finest granularity, where it has tried removing each
// operation on its own (closed as above) and found every such history
// linearizable, or undecided within the caps: that is what "minimal" means
// here (1-minimal, not the smallest such set). Every candidate is a full
// search under the same caps, and the candidates are counted against
// max_window_checks; when that runs out the window is kept as it is and not
// called minimal.

#include <algorithm>
#include <map>
#include <set>

#include "raftsim/core/assert.hpp"
#include "search.hpp"

namespace raftsim::sim::history_detail {
namespace {

using Indices = std::vector<std::size_t>;

class Minimizer {
  public:
    Minimizer(std::span<const Operation* const> ops, const CheckLimits& limits);

    Window run();

  private:
    [[nodiscard]] Indices close(const Indices& candidate) const;
    bool fails(const Indices& candidate, Indices& closed);
    bool reduce(Indices& current, std::size_t& granularity);

    std::span<const Operation* const> ops_;
    const CheckLimits& limits_;
    /// Who wrote each value written on this key.
    std::map<KvValue, std::size_t> writer_;
    /// Closed candidates already searched, and their answer.
    std::map<Indices, bool> tried_;
    std::uint64_t checks_ = 0;
    bool exhausted_ = false;
};

Minimizer::Minimizer(std::span<const Operation* const> ops, const CheckLimits& limits)
    : ops_(ops), limits_(limits) {
    for (std::size_t i = 0; i < ops.size(); ++i) {
        KvValue value = 0;
        if (writes_value(*ops[i], value)) {
            const bool unique = writer_.emplace(value, i).second;
            RAFT_ASSERT(unique);  // validate_history refused duplicates
        }
    }
}

Indices Minimizer::close(const Indices& candidate) const {
    std::vector<bool> in(ops_.size(), false);
    for (const std::size_t i : candidate) {
        in[i] = true;
    }
    // Each pass drops at least one operation or ends, so at most |candidate| passes.
    for (bool dropped = true; dropped;) {
        dropped = false;
        for (const std::size_t i : candidate) {
            KvValue seen = 0;
            if (!in[i] || !observes_value(*ops_[i], seen)) {
                continue;
            }
            const auto writer = writer_.find(seen);
            if (writer != writer_.end() && !in[writer->second]) {
                in[i] = false;
                dropped = true;
            }
        }
    }
    Indices closed;
    for (const std::size_t i : candidate) {
        if (in[i]) {
            closed.push_back(i);
        }
    }
    RAFT_ASSERT(closed.size() <= candidate.size());
    return closed;
}

bool Minimizer::fails(const Indices& candidate, Indices& closed) {
    closed = close(candidate);
    if (closed.empty()) {
        return false;
    }
    if (const auto known = tried_.find(closed); known != tried_.end()) {
        return known->second;
    }
    if (checks_ >= limits_.max_window_checks) {
        exhausted_ = true;
        return false;
    }
    checks_ += 1;
    std::vector<const Operation*> subset;
    for (const std::size_t i : closed) {
        subset.push_back(ops_[i]);
    }
    const PartitionOutcome outcome = search_partition(subset, limits_);
    // A cap counts as "does not fail": only a proven violation shrinks the window.
    const bool failed = outcome.verdict == PartitionVerdict::not_linearizable;
    tried_.emplace(closed, failed);
    return failed;
}

/// One ddmin round at `granularity`: each chunk on its own, then each
/// chunk's complement. True (and `current` shrunk) at the first that fails.
bool Minimizer::reduce(Indices& current, std::size_t& granularity) {
    RAFT_ASSERT(granularity >= 2);
    RAFT_ASSERT(granularity <= current.size());
    const std::size_t size = current.size();
    Indices closed;
    for (int pass = 0; pass < 2; ++pass) {
        for (std::size_t chunk = 0; chunk < granularity; ++chunk) {
            const std::size_t begin = chunk * size / granularity;
            const std::size_t end = (chunk + 1) * size / granularity;
            Indices candidate;
            for (std::size_t k = 0; k < size; ++k) {
                const bool inside = k >= begin && k < end;
                if (inside == (pass == 0)) {
                    candidate.push_back(current[k]);
                }
            }
            if (fails(candidate, closed)) {
                current = closed;
                granularity = pass == 0 ? 2 : std::max<std::size_t>(granularity - 1, 2);
                granularity = std::min(granularity, std::max<std::size_t>(current.size(), 2));
                return true;
            }
        }
    }
    return false;
}

Window Minimizer::run() {
    Indices current(ops_.size());
    for (std::size_t i = 0; i < current.size(); ++i) {
        current[i] = i;
    }
    std::size_t granularity = 2;
    // Every round either shrinks `current` or doubles the granularity up to
    // its size, so the loop ends.
    while (current.size() >= 2 && !exhausted_) {
        if (reduce(current, granularity)) {
            continue;
        }
        if (granularity >= current.size()) {
            break;
        }
        granularity = std::min(granularity * 2, current.size());
    }
    return Window{.ops = current, .minimal = !exhausted_, .checks = checks_};
}

}  // namespace

Window minimize_window(std::span<const Operation* const> ops, const CheckLimits& limits) {
    RAFT_ASSERT(!ops.empty());
    Window window = Minimizer(ops, limits).run();
    RAFT_ASSERT(std::is_sorted(window.ops.begin(), window.ops.end()));
    return window;
}

}  // namespace raftsim::sim::history_detail
