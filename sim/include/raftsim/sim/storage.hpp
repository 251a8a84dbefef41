#pragma once
// A node's stable storage: a durable part and an unsynced part. Writes land
// unsynced; sync() makes them durable. A crash keeps or loses the unsynced
// part (crash(lose_unsynced)). A restart reads back the durable part only.

#include <cstdint>
#include <optional>
#include <vector>

#include "raftsim/core/node.hpp"

namespace raftsim::sim {

class Storage {
  public:
    /// Records a Ready's hard state and entries as unsynced writes. The
    /// entries are moved out of `ready`.
    void write(core::Ready& ready);
    /// Makes every unsynced write durable.
    void sync();
    /// Forgets every unsynced write (a crash before fsync returned).
    void drop_unsynced();
    [[nodiscard]] bool has_unsynced() const noexcept;

    [[nodiscard]] core::DurableState durable_state() const;
    [[nodiscard]] const std::vector<core::Entry>& durable_entries() const noexcept {
        return entries_;
    }
    [[nodiscard]] const core::HardState& durable_hard_state() const noexcept { return hard_state_; }
    [[nodiscard]] std::uint64_t sync_count() const noexcept { return sync_count_; }

  private:
    struct PendingWrite {
        std::optional<core::HardState> hard_state;
        std::vector<core::Entry> entries;
    };

    core::HardState hard_state_;
    std::vector<core::Entry> entries_;
    std::vector<PendingWrite> unsynced_;
    std::uint64_t sync_count_ = 0;
};

}  // namespace raftsim::sim
