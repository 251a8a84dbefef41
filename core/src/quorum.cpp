#include "raftsim/core/quorum.hpp"

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
    // The (quorum)-th highest value is matched by at least a quorum. An
    // insertion sort, highest first: a leader runs this on every
    // acknowledgement, for a handful of voters, where nth_element's setup
    // cost more than the sort.
    for (std::size_t i = 1; i < values.size(); ++i) {
        const Index moving = values[i];
        std::size_t at = i;
        for (; at > 0 && values[at - 1] < moving; --at) {
            values[at] = values[at - 1];
        }
        values[at] = moving;
    }
    const std::size_t quorum = values.size() / 2 + 1;
    const Index result = values[quorum - 1];
    // What the result means, checked on the input: a quorum has matched it,
    // and fewer than a quorum have matched anything beyond it.
    std::size_t at_or_above = 0;
    std::size_t above = 0;
    for (const Index index : match_indexes) {
        at_or_above += index >= result ? 1 : 0;
        above += index > result ? 1 : 0;
    }
    RAFT_ASSERT(at_or_above >= quorum);
    RAFT_ASSERT(above < quorum);
    return result;
}

}  // namespace raftsim::core
