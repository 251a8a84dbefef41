#pragma once
// Pure quorum arithmetic, independent of the node (etcd's quorum/ package).

#include <array>
#include <cstddef>
#include <span>
#include <vector>

#include "raftsim/core/types.hpp"

namespace raftsim::core {

/// Raft paper §5.3/§5.4: the highest index that a majority of voters have
/// matched. `match_indexes` holds one value per voter (the leader's own
/// durable last index included). An empty voter set commits nothing.
[[nodiscard]] Index quorum_match_index(std::span<const Index> match_indexes);

/// One match index per voter, on the stack for up to 16 voters: a leader
/// collects these on every acknowledgement, and a heap allocation each time
/// was a sixth of a fuzz run's allocations. Larger voter sets spill to the
/// heap and work the same.
class VoterIndexes {
  public:
    static constexpr std::size_t inline_capacity = 16;

    // Inline: called once per voter on every acknowledgement a leader takes.
    void push_back(Index index) {
        if (size_ < inline_capacity) [[likely]] {
            inline_[size_] = index;
            size_ += 1;
            return;
        }
        spill(index);
    }
    [[nodiscard]] std::span<Index> values() noexcept {
        if (size_ <= inline_capacity) [[likely]] {
            return {inline_.data(), size_};
        }
        return spilled_;
    }

  private:
    void spill(Index index);

    std::array<Index, inline_capacity> inline_{};
    std::size_t size_ = 0;
    std::vector<Index> spilled_;
};

/// Whether `granted` votes out of `voters` form a majority.
[[nodiscard]] constexpr bool is_majority(std::size_t granted, std::size_t voters) noexcept {
    return voters > 0 && granted >= voters / 2 + 1;
}

}  // namespace raftsim::core
