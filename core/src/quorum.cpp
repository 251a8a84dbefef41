#include "raftsim/core/quorum.hpp"

#include <algorithm>
#include <functional>
#include <vector>

#include "raftsim/core/assert.hpp"

namespace raftsim::core {

Index quorum_match_index(std::span<const Index> match_indexes) {
    if (match_indexes.empty()) {
        return 0;
    }
    std::vector<Index> sorted(match_indexes.begin(), match_indexes.end());
    // The (quorum)-th highest value is matched by at least a quorum.
    const std::size_t quorum = sorted.size() / 2 + 1;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(quorum - 1),
                     sorted.end(), std::greater<>());
    const Index result = sorted[quorum - 1];
    RAFT_ASSERT(result <= *std::max_element(match_indexes.begin(), match_indexes.end()));
    RAFT_ASSERT(result >= *std::min_element(match_indexes.begin(), match_indexes.end()));
    return result;
}

}  // namespace raftsim::core
