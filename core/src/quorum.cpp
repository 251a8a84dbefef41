#include "raftsim/core/quorum.hpp"

#include <algorithm>
#include <functional>

#include "raftsim/core/assert.hpp"

namespace raftsim::core {

void VoterIndexes::spill(Index index) {
    RAFT_ASSERT(size_ >= inline_capacity);
    if (spilled_.empty()) {
        spilled_.assign(inline_.begin(), inline_.end());
    }
    spilled_.push_back(index);
    size_ += 1;
    RAFT_ASSERT(spilled_.size() == size_);
}

Index quorum_match_index(std::span<const Index> match_indexes) {
    if (match_indexes.empty()) {
        return 0;
    }
    VoterIndexes sorted;
    for (const Index index : match_indexes) {
        sorted.push_back(index);
    }
    const std::span<Index> values = sorted.values();
    RAFT_ASSERT(values.size() == match_indexes.size());
    // The (quorum)-th highest value is matched by at least a quorum.
    const std::size_t quorum = values.size() / 2 + 1;
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(quorum - 1),
                     values.end(), std::greater<>());
    const Index result = values[quorum - 1];
    RAFT_ASSERT(result <= *std::max_element(match_indexes.begin(), match_indexes.end()));
    RAFT_ASSERT(result >= *std::min_element(match_indexes.begin(), match_indexes.end()));
    return result;
}

}  // namespace raftsim::core
