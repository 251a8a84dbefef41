#include "raftsim/sut/storage.hpp"

#include "raftsim/core/assert.hpp"

namespace raftsim::sut {

Storage::Storage(core::DurableState durable)
    : hard_state_(durable.hard_state),
      snapshot_(std::move(durable.snapshot)),
      base_index_(durable.log_base_index),
      base_term_(durable.log_base_term),
      entries_(std::move(durable.entries)) {
    RAFT_ASSERT(entries_.empty() || entries_.front().index == base_index_ + 1);
    RAFT_ASSERT(entries_.empty() || entries_.back().term <= hard_state_.term);
}

void Storage::write(core::Ready& ready) {
    const bool any = ready.snapshot.has_value() || ready.compaction.has_value() ||
                     ready.hard_state.has_value() || !ready.entries.empty();
    if (!any) {
        return;
    }
    unsynced_.push_back(PendingWrite{.snapshot = ready.snapshot,
                                     .compaction = ready.compaction,
                                     .hard_state = ready.hard_state,
                                     .entries = std::move(ready.entries)});
    ready.entries.clear();
}

void Storage::sync() {
    for (PendingWrite& write : unsynced_) {
        sync_one(write);
    }
    unsynced_.clear();
}

// The Ready contract's order: snapshot, compaction, hard state, entries.
void Storage::sync_one(PendingWrite& write) {
    if (write.snapshot.has_value()) {
        RAFT_ASSERT(!snapshot_.has_value() || write.snapshot->index > snapshot_->index);
        snapshot_ = std::move(write.snapshot);
    }
    if (write.compaction.has_value()) {
        compact(*write.compaction);
    }
    if (write.hard_state.has_value()) {
        // Figure 2: currentTerm never goes backwards on stable storage.
        RAFT_ASSERT(write.hard_state->term >= hard_state_.term);
        hard_state_ = *write.hard_state;
    }
    if (write.truncate_from != 0 && write.truncate_from <= base_index_ + entries_.size()) {
        RAFT_ASSERT(write.truncate_from > base_index_);
        entries_.resize(write.truncate_from - base_index_ - 1);
    }
    if (write.compact_to != 0) {
        compact_to(write.compact_to);
    }
    if (!write.entries.empty()) {
        // Delete from the first written index, then append.
        const core::Index first = write.entries.front().index;
        RAFT_ASSERT(first > base_index_);
        RAFT_ASSERT(first <= base_index_ + entries_.size() + 1);
        entries_.resize(first - base_index_ - 1);
        for (core::Entry& entry : write.entries) {
            entries_.push_back(std::move(entry));
        }
    }
    sync_count_ += 1;
}

void Storage::compact(const core::LogCompaction& compaction) {
    RAFT_ASSERT(compaction.base_index >= base_index_);
    if (compaction.discard_all) {
        entries_.clear();
    } else {
        const core::Index drop = compaction.base_index - base_index_;
        RAFT_ASSERT(drop <= entries_.size());
        RAFT_ASSERT(drop == 0 || entries_[drop - 1].term == compaction.base_term);
        entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(drop));
    }
    base_index_ = compaction.base_index;
    base_term_ = compaction.base_term;
}

void Storage::set_hard_state(const core::HardState& hard_state) {
    // Figure 2: currentTerm never goes backwards on stable storage.
    RAFT_ASSERT(hard_state.term >= hard_state_.term);
    hard_state_ = hard_state;
}

void Storage::append(std::vector<core::Entry> entries) {
    RAFT_ASSERT(!entries.empty());
    unsynced_.push_back(PendingWrite{.entries = std::move(entries)});
}

void Storage::truncate(core::Index index) {
    RAFT_ASSERT(index >= 1);
    unsynced_.push_back(PendingWrite{.truncate_from = index});
}

void Storage::put_snapshot(core::Snapshot snapshot, bool install, core::Index keep_after) {
    PendingWrite write;
    if (install) {
        write.compaction = core::LogCompaction{
            .base_index = snapshot.index, .base_term = snapshot.term, .discard_all = true};
    } else {
        write.compact_to = keep_after;
    }
    write.snapshot = std::move(snapshot);
    unsynced_.push_back(std::move(write));
}

void Storage::sync_oldest() {
    RAFT_ASSERT(!unsynced_.empty());
    sync_one(unsynced_.front());
    unsynced_.erase(unsynced_.begin());
}

// Compaction behind a snapshot that keeps trailing entries: those at or
// below `index` go, if the log still holds them.
void Storage::compact_to(core::Index index) {
    if (index <= base_index_ || index > base_index_ + entries_.size()) {
        return;
    }
    const core::Term term = entries_[index - base_index_ - 1].term;
    compact(core::LogCompaction{.base_index = index, .base_term = term, .discard_all = false});
}

void Storage::drop_unsynced() {
    unsynced_.clear();
}

bool Storage::has_unsynced() const noexcept {
    return !unsynced_.empty();
}

core::DurableState Storage::durable_state() const {
    RAFT_ASSERT(entries_.empty() || entries_.back().term <= hard_state_.term);
    return core::DurableState{.hard_state = hard_state_,
                              .snapshot = snapshot_,
                              .log_base_index = base_index_,
                              .log_base_term = base_term_,
                              .entries = entries_};
}

}  // namespace raftsim::sut
