#include "raftsim/sut/storage.hpp"

#include <algorithm>
#include <string>

#include "raftsim/core/assert.hpp"

namespace raftsim::sut {
namespace {

std::string str(std::uint64_t value) {
    return std::to_string(value);
}

}  // namespace

Storage::Storage(core::DurableState durable)
    : hard_state_(durable.hard_state),
      snapshot_(std::move(durable.snapshot)),
      base_index_(durable.log_base_index),
      base_term_(durable.log_base_term),
      entries_(std::move(durable.entries)) {
    RAFT_ASSERT(entries_.empty() || entries_.front().index == base_index_ + 1);
    RAFT_ASSERT(entries_.empty() || entries_.back().term <= hard_state_.term);
    issued_last_index_ = durable_last_index();
}

void Storage::write(core::Ready& ready) {
    const bool any = ready.snapshot.has_value() || ready.compaction.has_value() ||
                     ready.hard_state.has_value() || !ready.entries.empty();
    if (!any) {
        return;
    }
    PendingWrite pending{.snapshot = ready.snapshot,
                         .compaction = ready.compaction,
                         .hard_state = ready.hard_state,
                         .entries = std::move(ready.entries)};
    ready.entries.clear();
    // The entries replace the log from their first index: a truncation of
    // its own (a unit a crash can keep without them) only when the log as
    // issued, after this write's compaction, reaches that far.
    const bool discards = pending.compaction.has_value() && pending.compaction->discard_all;
    const core::Index last = discards ? pending.compaction->base_index : issued_last_index_;
    // The entries continue the log as issued, or replace part of it (§5.3).
    if (!pending.entries.empty() && pending.entries.front().index > last + 1) {
        refuse("log_gap", "entries from index " + str(pending.entries.front().index) +
                              " written to a log that ends at index " + str(last));
        return;
    }
    if (!pending.entries.empty() && pending.entries.front().index <= last) {
        pending.truncate_from = pending.entries.front().index;
    }
    issued_last_index_ = pending.entries.empty() ? last : pending.entries.back().index;
    push_unsynced(std::move(pending));
}

void Storage::push_unsynced(PendingWrite write) {
    const std::uint64_t units = units_of(write);
    RAFT_ASSERT(units >= 1);
    unsynced_units_ += units;
    unsynced_.push_back(std::move(write));
}

void Storage::sync() {
    for (PendingWrite& write : unsynced_) {
        sync_one(write);
    }
    unsynced_.clear();
    unsynced_units_ = 0;
    if (breach_.has_value()) {
        // A refused write left the log short of, or past, what was issued.
        issued_last_index_ = durable_last_index();
    }
    RAFT_ASSERT(durable_last_index() == issued_last_index_);
}

// A Ready's units go in the order that keeps every prefix a valid durable
// state: the hard state first -- a server enters a term before it stores
// anything of that term (§5.1), also an installed snapshot whose last entry
// is of it -- then the snapshot, the compaction, and the entries (the
// truncation they make first). A snapshot put's compaction, and an install's
// discard of the whole log, go with the snapshot: the log must hold the
// snapshot's last entry for a restart to use it (core::Node::restart).
std::uint64_t Storage::units_of(const PendingWrite& write) noexcept {
    const bool merged =
        write.snapshot.has_value() && write.compaction.has_value() && write.compaction->discard_all;
    std::uint64_t units = write.snapshot.has_value() ? 1 : 0;
    units += write.compaction.has_value() && !merged ? 1 : 0;
    units += write.hard_state.has_value() ? 1 : 0;
    units += write.truncate_from != 0 ? 1 : 0;
    return units + write.entries.size();
}

void Storage::sync_units(PendingWrite& write, std::uint64_t units) {
    const std::uint64_t all = units_of(write);
    RAFT_ASSERT(units <= all);
    std::uint64_t left = units;
    const auto take = [&left] {
        if (left == 0) {
            return false;
        }
        left -= 1;
        return true;
    };
    if (write.hard_state.has_value() && take()) {
        store_hard_state(*write.hard_state);
    }
    if (write.snapshot.has_value() && take()) {
        store_snapshot(write);
    }
    if (write.compaction.has_value() && take()) {
        compact(*write.compaction);
    }
    if (write.truncate_from != 0 && take() &&
        write.truncate_from <= base_index_ + entries_.size()) {
        truncate_durable(write.truncate_from);
    }
    append_durable(write.entries, std::min<std::uint64_t>(left, write.entries.size()));
    sync_count_ += units == all ? 1 : 0;
}

// The snapshot, with the compaction that belongs to it: a snapshot put's
// (the entries up to compact_to go) or an install's (the whole log goes).
// Either leaves write.compaction empty, so it is not counted twice.
void Storage::store_snapshot(PendingWrite& write) {
    RAFT_ASSERT(write.snapshot.has_value());
    // §7: a snapshot replaces an older one; storing one at or below the
    // stored snapshot's index would roll the state machine back on restart.
    if (snapshot_.has_value() && write.snapshot->index <= snapshot_->index) {
        refuse("snapshot_regressed", "snapshot at index " + str(write.snapshot->index) +
                                         " stored over one at index " + str(snapshot_->index));
        write.snapshot.reset();
        return;
    }
    snapshot_ = std::move(write.snapshot);
    write.snapshot.reset();
    if (write.compaction.has_value() && write.compaction->discard_all) {
        compact(*write.compaction);
        write.compaction.reset();
    }
    if (write.compact_to != 0) {
        compact_to(write.compact_to);
    }
}

// Deletes from the first written index, then appends `count` of `entries`.
void Storage::append_durable(std::vector<core::Entry>& entries, std::uint64_t count) {
    if (count == 0) {
        return;
    }
    RAFT_ASSERT(count <= entries.size());
    const core::Index first = entries.front().index;
    if (first <= base_index_) {
        refuse("write_below_base", "entries from index " + str(first) +
                                       " written over a log compacted through index " +
                                       str(base_index_));
        return;
    }
    if (first > base_index_ + entries_.size() + 1) {
        refuse("log_gap", "entries from index " + str(first) +
                              " written to a log that ends at index " +
                              str(base_index_ + entries_.size()));
        return;
    }
    for (std::uint64_t i = 0; i < count; ++i) {
        // §5.1: a server enters a term before it stores anything of it.
        if (entries[i].term > hard_state_.term) {
            refuse("entry_above_term", "entry " + str(entries[i].index) + " of term " +
                                           str(entries[i].term) + " stored under term " +
                                           str(hard_state_.term));
            return;
        }
    }
    entries_.resize(first - base_index_ - 1);
    for (std::uint64_t i = 0; i < count; ++i) {
        entries_.push_back(std::move(entries[i]));
    }
}

// Entries from `index` on go. Deleting entries at or below the base would
// rewrite what a snapshot holds: committed state (§7).
void Storage::truncate_durable(core::Index index) {
    RAFT_ASSERT(index <= base_index_ + entries_.size());
    if (index <= base_index_) {
        refuse("write_below_base", "truncation from index " + str(index) +
                                       " of a log compacted through index " + str(base_index_));
        return;
    }
    entries_.resize(index - base_index_ - 1);
}

void Storage::compact(const core::LogCompaction& compaction) {
    if (compaction.base_index < base_index_) {
        refuse("compaction_regressed", "compaction through index " + str(compaction.base_index) +
                                           " of a log compacted through index " + str(base_index_));
        return;
    }
    if (compaction.discard_all) {
        entries_.clear();
    } else if (!compact_prefix(compaction)) {
        return;
    }
    base_index_ = compaction.base_index;
    base_term_ = compaction.base_term;
}

// Drops the entries through the compaction's base, which the log must hold
// at the term the compaction names: the new base's term is what the next
// AppendEntries consistency check (§5.3) and a restart compare against (§7).
bool Storage::compact_prefix(const core::LogCompaction& compaction) {
    const core::Index drop = compaction.base_index - base_index_;
    if (drop > entries_.size()) {
        refuse("compaction_beyond_log", "compaction through index " + str(compaction.base_index) +
                                            " of a log that ends at index " +
                                            str(base_index_ + entries_.size()));
        return false;
    }
    const core::Term held = drop == 0 ? base_term_ : entries_[drop - 1].term;
    if (held != compaction.base_term) {
        refuse("compaction_term_differs", "compaction through index " + str(compaction.base_index) +
                                              " names term " + str(compaction.base_term) +
                                              "; the log holds term " + str(held) + " there");
        return false;
    }
    entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(drop));
    return true;
}

void Storage::set_hard_state(const core::HardState& hard_state) {
    store_hard_state(hard_state);
}

void Storage::store_hard_state(const core::HardState& hard_state) {
    // Figure 2: currentTerm never goes backwards on stable storage.
    if (hard_state.term < hard_state_.term) {
        refuse("term_regressed",
               "term " + str(hard_state.term) + " stored over term " + str(hard_state_.term));
        return;
    }
    hard_state_ = hard_state;
}

void Storage::refuse(std::string_view kind, std::string detail) {
    RAFT_ASSERT(!kind.empty());
    if (!breach_.has_value()) {
        breach_ = ContractBreach{.kind = kind, .detail = std::move(detail)};
    }
}

void Storage::append(std::vector<core::Entry> entries) {
    RAFT_ASSERT(!entries.empty());
    issued_last_index_ = entries.back().index;
    push_unsynced(PendingWrite{.entries = std::move(entries)});
}

void Storage::truncate(core::Index index) {
    RAFT_ASSERT(index >= 1);
    issued_last_index_ = std::min(issued_last_index_, index - 1);
    push_unsynced(PendingWrite{.truncate_from = index});
}

void Storage::put_snapshot(core::Snapshot snapshot, bool install, core::Index keep_after) {
    PendingWrite write;
    if (install) {
        write.compaction = core::LogCompaction{
            .base_index = snapshot.index, .base_term = snapshot.term, .discard_all = true};
        issued_last_index_ = snapshot.index;
    } else {
        write.compact_to = keep_after;
    }
    write.snapshot = std::move(snapshot);
    push_unsynced(std::move(write));
}

void Storage::sync_oldest() {
    RAFT_ASSERT(!unsynced_.empty());
    const std::uint64_t units = units_of(unsynced_.front());
    RAFT_ASSERT(units <= unsynced_units_);
    sync_one(unsynced_.front());
    unsynced_.erase(unsynced_.begin());
    unsynced_units_ -= units;
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
    unsynced_units_ = 0;
    issued_last_index_ = durable_last_index();
}

bool Storage::has_unsynced() const noexcept {
    return !unsynced_.empty();
}

std::uint64_t Storage::unsynced_units() const noexcept {
    return unsynced_units_;
}

// Units are made durable in the order they were issued, so any prefix is a
// state the disk could hold after a crash mid-flush: a Ready's hard state
// comes before its entries (a server enters a term before it writes entries
// of it, §5.1), and an entry follows the one before it.
void Storage::keep_unsynced_prefix(std::uint64_t units) {
    RAFT_ASSERT(units <= unsynced_units_);
    std::uint64_t left = units;
    for (PendingWrite& write : unsynced_) {
        if (left == 0) {
            break;
        }
        const std::uint64_t taken = std::min(left, units_of(write));
        sync_units(write, taken);
        left -= taken;
    }
    RAFT_ASSERT(left == 0);
    drop_unsynced();
    check_durable();
}

void Storage::check_durable() const {
    RAFT_ASSERT(entries_.empty() || entries_.front().index == base_index_ + 1);
    RAFT_ASSERT(entries_.empty() || entries_.back().index == durable_last_index());
    RAFT_ASSERT(entries_.empty() || entries_.back().term <= hard_state_.term);
    RAFT_ASSERT(!snapshot_.has_value() || snapshot_->index >= base_index_);
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
