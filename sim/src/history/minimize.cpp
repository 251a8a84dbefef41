// The window of a violation: a small subset of one key's operations that
// still cannot be linearized, found by delta debugging (Zeller & Hildebrandt
// 2002, ddmin) over the key's operations in (invoke time, id) order.
//
// A candidate subset is first closed, so that leaving operations out never
// makes up a violation the history does not have. With an operation D left
// out, these go too (transitively):
// - what needs D's value: a read of it, a successful or indeterminate CAS
//   from it (otherwise every violation would shrink to a lone read of a
//   value nobody wrote);
// - if D is a delete: every "not found" read that D does not precede in real
//   time (D may be why it found nothing);
// - if D may change the value (put, delete, a CAS that did not answer
//   "failed"): every failed CAS that D does not precede (D may be why it
//   failed).
// Then a linearization of any closed set T of the key's operations, with D
// taken out, is one of the rest: so a closed window that cannot be
// linearized stays so with any closed set of the key's operations around it.
//
// ddmin ends at the finest granularity, where it has tried removing each
// operation on its own (closed as above) and found every such history
// linearizable, or undecided within the caps: that is what "minimal" means
// here (1-minimal, not the smallest such set). Every candidate is a full
// search under the same caps, and the candidates are counted against
// max_window_checks; when that runs out the window is kept as it is and not
// called minimal.
//
// Leaving operations out changes which values are observed, so which
// indeterminate writes the search may merge: search_partition works that
// out afresh from each candidate it is given, never from the whole key.

#include <algorithm>
#include <limits>
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

/// Notes a dropped operation: the not-found reads and failed CASes it does
/// not precede in real time must go with it.
void note_dropped(const Operation& op, TimeUs& first_remove_us, TimeUs& first_change_us) {
    const bool failed_cas =
        op.kind == OpKind::compare_and_set && op.status == OpStatus::ok && !op.cas_succeeded;
    if (op.kind == OpKind::remove) {
        first_remove_us = std::min(first_remove_us, op.invoke_us);
    }
    if (op.kind != OpKind::get && !failed_cas) {
        first_change_us = std::min(first_change_us, op.invoke_us);
    }
}

/// Whether `op` may owe its output to a dropped operation invoked at or
/// before its completion (first_remove_us, first_change_us: the earliest
/// invocations of a dropped delete and a dropped value change).
bool owes_to_dropped(const Operation& op, TimeUs first_remove_us, TimeUs first_change_us) {
    if (op.status != OpStatus::ok) {
        return false;
    }
    if (op.kind == OpKind::get && !op.read.has_value()) {
        return op.complete_us >= first_remove_us;
    }
    if (op.kind == OpKind::compare_and_set && !op.cas_succeeded) {
        return op.complete_us >= first_change_us;
    }
    return false;
}

Indices Minimizer::close(const Indices& candidate) const {
    std::vector<bool> in(ops_.size(), false);
    for (const std::size_t i : candidate) {
        in[i] = true;
    }
    // Each pass drops at least one operation or ends, so at most |candidate| passes.
    for (bool dropped = true; dropped;) {
        dropped = false;
        TimeUs first_remove_us = std::numeric_limits<TimeUs>::max();
        TimeUs first_change_us = std::numeric_limits<TimeUs>::max();
        for (std::size_t i = 0; i < ops_.size(); ++i) {
            if (!in[i]) {
                note_dropped(*ops_[i], first_remove_us, first_change_us);
            }
        }
        for (const std::size_t i : candidate) {
            KvValue seen = 0;
            if (!in[i]) {
                continue;
            }
            const auto writer =
                needs_written_value(*ops_[i], seen) ? writer_.find(seen) : writer_.end();
            const bool lost_writer = writer != writer_.end() && !in[writer->second];
            if (lost_writer || owes_to_dropped(*ops_[i], first_remove_us, first_change_us)) {
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
