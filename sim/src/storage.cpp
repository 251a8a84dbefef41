#include "raftsim/sim/storage.hpp"

#include "raftsim/core/assert.hpp"

namespace raftsim::sim {

void Storage::write(core::Ready& ready) {
    if (!ready.hard_state.has_value() && ready.entries.empty()) {
        return;
    }
    unsynced_.push_back(
        PendingWrite{.hard_state = ready.hard_state, .entries = std::move(ready.entries)});
    ready.entries.clear();
}

void Storage::sync() {
    for (PendingWrite& write : unsynced_) {
        if (write.hard_state.has_value()) {
            // Figure 2: currentTerm never goes backwards on stable storage.
            RAFT_ASSERT(write.hard_state->term >= hard_state_.term);
            hard_state_ = *write.hard_state;
        }
        if (!write.entries.empty()) {
            // Ready contract: delete from the first written index, then append.
            const core::Index first = write.entries.front().index;
            RAFT_ASSERT(first >= 1);
            RAFT_ASSERT(first <= entries_.size() + 1);
            entries_.resize(first - 1);
            for (core::Entry& entry : write.entries) {
                entries_.push_back(std::move(entry));
            }
        }
        sync_count_ += 1;
    }
    unsynced_.clear();
}

void Storage::drop_unsynced() {
    unsynced_.clear();
}

bool Storage::has_unsynced() const noexcept {
    return !unsynced_.empty();
}

core::DurableState Storage::durable_state() const {
    RAFT_ASSERT(entries_.empty() || entries_.back().term <= hard_state_.term);
    return core::DurableState{.hard_state = hard_state_, .entries = entries_};
}

}  // namespace raftsim::sim
