#pragma once
// Pure quorum arithmetic, independent of the node (etcd's quorum/ package).

#include <cstddef>
#include <span>

#include "raftsim/core/types.hpp"

namespace raftsim::core {

/// Raft paper §5.3/§5.4: the highest index that a majority of voters have
/// matched. `match_indexes` holds one value per voter (the leader's own
/// durable last index included). An empty voter set commits nothing.
[[nodiscard]] Index quorum_match_index(std::span<const Index> match_indexes);

/// Whether `granted` votes out of `voters` form a majority.
[[nodiscard]] constexpr bool is_majority(std::size_t granted, std::size_t voters) noexcept {
    return voters > 0 && granted >= voters / 2 + 1;
}

}  // namespace raftsim::core
