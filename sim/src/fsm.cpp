#include "raftsim/sim/fsm.hpp"

#include <fmt/format.h>

#include "raftsim/core/assert.hpp"
#include "raftsim/sim/checkers.hpp"

namespace raftsim::sim {

bool HashChainFsm::apply(const core::Entry& entry) {
    RAFT_ASSERT(entry.type == core::EntryType::command);
    if (entry.index <= last_index_ || entry.term < last_term_) {
        return false;
    }
    // A chain over the previous hash and the command (fsm.go chains adler32).
    std::uint64_t hash = (hash_ ^ hash_bytes(entry.data)) * 0x9e3779b97f4a7c15ULL;
    hash_ = hash ^ (hash >> 31U);
    last_index_ = entry.index;
    last_term_ = entry.term;
    applied_.push_back(AppliedItem{.index = entry.index, .term = entry.term, .data = entry.data});
    return true;
}

std::string HashChainFsm::dump() const {
    std::string out;
    for (const AppliedItem& item : applied_) {
        out += fmt::format("{}.{:8}: ", item.term, item.index);
        for (std::uint8_t byte : item.data) {
            out += fmt::format("{:02X}", byte);
        }
        out += '\n';
    }
    return out;
}

}  // namespace raftsim::sim
