#pragma once
// The hash-chain state machine of hashicorp's fuzzy/fsm.go: it remembers the
// last index and term applied and a running hash over every command, and
// insists that indexes rise and terms never fall. Equal (last index, last
// term, hash) on two nodes means they applied the same commands in order.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "raftsim/core/log_entry.hpp"

namespace raftsim::sim {

struct AppliedItem {
    core::Index index = 0;
    core::Term term = 0;
    core::Payload data;
};

class HashChainFsm {
  public:
    /// snapshot()'s size: four 8-byte words.
    static constexpr std::size_t snapshot_size_bytes = 32;
    /// How many of the latest commands applied() and dump() keep. Only the
    /// fsm.txt artifact reads them: the checkers judge every apply as it
    /// happens (Checkers::on_apply), so a run stops at its first bad
    /// command, which is then among the latest. The hash covers them all.
    /// A bound, so that memory does not grow with a run's length (issue 17:
    /// 5 nodes x 100,000 entries within 64 MiB).
    static constexpr std::size_t applied_window = 4096;

    /// Applies one command. Returns false (and changes nothing) if it breaks
    /// the apply order: index not above the last one, or term below it.
    [[nodiscard]] bool apply(const core::Entry& entry);

    /// The state as snapshot data: last index, last term, hash and the
    /// number of commands applied, 8 bytes each, little-endian.
    [[nodiscard]] core::Payload snapshot() const;
    /// Replaces the state with a snapshot's. Returns false (and changes
    /// nothing) if the data is not a snapshot.
    [[nodiscard]] bool restore(const core::Payload& data);

    [[nodiscard]] core::Index last_index() const noexcept { return last_index_; }
    /// Commands applied since the beginning of history (restored ones included).
    [[nodiscard]] std::uint64_t command_count() const noexcept { return command_count_; }
    [[nodiscard]] core::Term last_term() const noexcept { return last_term_; }
    [[nodiscard]] std::uint64_t hash() const noexcept { return hash_; }
    /// The latest commands applied since the restore, if any: at most
    /// applied_window of them, in order.
    [[nodiscard]] std::span<const AppliedItem> applied() const noexcept;
    /// fsm.go's WriteTo format: "term.   index: DATA-HEX" per command of
    /// applied(), after a line naming the snapshot it was restored from, if
    /// any, and one counting the earlier commands only the hash holds.
    [[nodiscard]] std::string dump() const;

  private:
    core::Index last_index_ = 0;
    core::Term last_term_ = 0;
    std::uint64_t hash_ = 0;
    std::uint64_t command_count_ = 0;
    /// Set once restored: commands before applied_ are only in the hash.
    bool restored_ = false;
    core::Index restored_index_ = 0;
    std::uint64_t restored_commands_ = 0;
    /// applied() is its last applied_window items; it is cut back to them
    /// each time it reaches twice that (amortised O(1) per apply).
    std::vector<AppliedItem> applied_;
    /// Commands applied since the restore that applied_ no longer holds.
    std::uint64_t forgotten_commands_ = 0;
};

}  // namespace raftsim::sim
