#pragma once
// A node's stable storage: a durable part and an unsynced part. Writes land
// unsynced; sync() makes them durable. A crash keeps the unsynced part
// (sync), loses it (drop_unsynced) or keeps a prefix of it at whole-write
// granularity (keep_unsynced_prefix: a torn write). A restart reads back the
// durable part only. It holds the hard state, the latest snapshot and the
// log after its base.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raftsim/core/node.hpp"

namespace raftsim::sut {

/// A write that would break the disk's contract with the node: what a node
/// stores is a log that stays contiguous above its base, under a term that
/// never goes back (Figure 2), with compactions and snapshots that name the
/// term the log holds at their index and never move back (§7). Such a write
/// is a bug in the system under test, not in the disk: the storage refuses
/// it, keeps what it held, and records the first one for the simulator to
/// report (`storage/<kind>`, docs/invariants.md).
struct ContractBreach {
    /// A short stable name: "compaction_term_differs".
    std::string_view kind;
    /// What was written against what the disk held, with indexes and terms.
    std::string detail;
};

class Storage {
  public:
    Storage() = default;
    /// Storage that already holds `durable` (a crafted history, in tests).
    explicit Storage(core::DurableState durable);

    /// Records a Ready's snapshot, compaction, hard state and entries as
    /// unsynced writes. The entries are moved out of `ready`.
    void write(core::Ready& ready);
    /// Makes every unsynced write durable.
    void sync();
    /// write() then sync(): a disk with no sync delay.
    void persist(core::Ready& ready) {
        write(ready);
        sync();
    }
    // A disk of separate operations, each made durable in the order issued
    // (canonical/raft's io: several appends outstanding, truncate and
    // snapshot put queued behind them; docs/adapters.md).
    /// Term and vote, durable at once (a synchronous write).
    void set_hard_state(const core::HardState& hard_state);
    /// Entries following the log, or replacing it from entries.front().index.
    void append(std::vector<core::Entry> entries);
    /// Deletes the entries from `index` on.
    void truncate(core::Index index);
    /// Stores `snapshot`; `install` discards the whole log, otherwise the
    /// entries up to `keep_after` (the snapshot's index minus its trailing
    /// entries) go.
    void put_snapshot(core::Snapshot snapshot, bool install, core::Index keep_after);
    /// Makes the oldest unsynced write durable.
    void sync_oldest();

    /// Forgets every unsynced write (a crash before fsync returned).
    void drop_unsynced();
    [[nodiscard]] bool has_unsynced() const noexcept;
    /// The unsynced writes counted in the units a crash can tear them at,
    /// in issue order. Within a Ready: its hard state, its snapshot (with
    /// a compaction that discards the whole log: an install is one unit),
    /// its compaction, the truncation its entries make (only when they
    /// replace entries), then each entry. Of the separate operations: an
    /// append is one unit per entry, a truncate one, a snapshot put one (its
    /// compaction with it); set_hard_state is synchronous, never a unit.
    [[nodiscard]] std::uint64_t unsynced_units() const noexcept;
    /// A torn write (a crash mid-flush): the first `units` unsynced units
    /// become durable, the rest is forgotten. What is left is a valid
    /// durable state: the log contiguous, its terms at most the hard
    /// state's, the snapshot inside the log's reach.
    void keep_unsynced_prefix(std::uint64_t units);

    [[nodiscard]] core::DurableState durable_state() const;
    /// The durable log, entries after log_base_index().
    [[nodiscard]] const std::vector<core::Entry>& durable_entries() const noexcept {
        return entries_;
    }
    [[nodiscard]] core::Index log_base_index() const noexcept { return base_index_; }
    [[nodiscard]] const std::optional<core::Snapshot>& durable_snapshot() const noexcept {
        return snapshot_;
    }
    [[nodiscard]] const core::HardState& durable_hard_state() const noexcept { return hard_state_; }
    [[nodiscard]] std::uint64_t sync_count() const noexcept { return sync_count_; }
    /// The first write refused for breaking the contract, if any.
    [[nodiscard]] const std::optional<ContractBreach>& breach() const noexcept { return breach_; }

  private:
    struct PendingWrite {
        std::optional<core::Snapshot> snapshot{};
        std::optional<core::LogCompaction> compaction{};
        std::optional<core::HardState> hard_state{};
        std::vector<core::Entry> entries{};
        /// truncate(): entries from here on go.
        core::Index truncate_from = 0;
        /// put_snapshot() with trailing entries: the log's new base.
        core::Index compact_to = 0;
    };
    void compact_to(core::Index index);

    [[nodiscard]] static std::uint64_t units_of(const PendingWrite& write) noexcept;
    /// Makes the first `units` units of `write` durable (units_of: all).
    void sync_units(PendingWrite& write, std::uint64_t units);
    void sync_one(PendingWrite& write) { sync_units(write, units_of(write)); }
    void compact(const core::LogCompaction& compaction);
    [[nodiscard]] bool compact_prefix(const core::LogCompaction& compaction);
    void truncate_durable(core::Index index);
    void store_hard_state(const core::HardState& hard_state);
    void store_snapshot(PendingWrite& write);
    void append_durable(std::vector<core::Entry>& entries, std::uint64_t count);
    void push_unsynced(PendingWrite write);
    [[nodiscard]] core::Index durable_last_index() const noexcept {
        return base_index_ + entries_.size();
    }
    void check_durable() const;
    /// Records the first breach; the caller then skips the write.
    void refuse(std::string_view kind, std::string detail);

    core::HardState hard_state_;
    std::optional<core::Snapshot> snapshot_;
    core::Index base_index_ = 0;
    core::Term base_term_ = 0;
    std::vector<core::Entry> entries_;
    /// Oldest first; synced from the front (a deque: a backlog of
    /// thousands of writes must not make each sync linear).
    std::deque<PendingWrite> unsynced_;
    /// The last index of the log as issued: durable, then every unsynced
    /// write in order (tells a Ready's truncation from a plain append).
    core::Index issued_last_index_ = 0;
    /// units_of every unsynced write, summed.
    std::uint64_t unsynced_units_ = 0;
    std::uint64_t sync_count_ = 0;
    std::optional<ContractBreach> breach_;
};

}  // namespace raftsim::sut
