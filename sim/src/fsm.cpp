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
    command_count_ += 1;
    if (applied_.size() == 2 * applied_window) {
        const auto keep_from = applied_.end() - static_cast<std::ptrdiff_t>(applied_window);
        applied_.erase(applied_.begin(), keep_from);
        forgotten_commands_ += applied_window;
    }
    RAFT_ASSERT(applied_.size() < 2 * applied_window);
    applied_.push_back(AppliedItem{.index = entry.index, .term = entry.term, .data = entry.data});
    return true;
}

std::span<const AppliedItem> HashChainFsm::applied() const noexcept {
    const std::span<const AppliedItem> all(applied_);
    if (all.size() <= applied_window) {
        return all;
    }
    return all.last(applied_window);
}

namespace {

constexpr std::size_t snapshot_words = 4;
static_assert(8 * snapshot_words == HashChainFsm::snapshot_size_bytes);

void put_u64(core::Bytes& out, std::uint64_t value) {
    for (unsigned i = 0; i < 8; ++i) {
        out.push_back(static_cast<std::uint8_t>(value >> (8U * i)));
    }
}

std::uint64_t get_u64(const std::uint8_t* in) {
    std::uint64_t value = 0;
    for (unsigned i = 0; i < 8; ++i) {
        value |= static_cast<std::uint64_t>(in[i]) << (8U * i);
    }
    return value;
}

}  // namespace

core::Payload HashChainFsm::snapshot() const {
    core::Bytes out;
    out.reserve(8 * snapshot_words);
    put_u64(out, last_index_);
    put_u64(out, last_term_);
    put_u64(out, hash_);
    put_u64(out, command_count_);
    RAFT_ASSERT(out.size() == 8 * snapshot_words);
    return core::Payload(std::move(out));
}

bool HashChainFsm::restore(const core::Payload& data) {
    if (data.size() != 8 * snapshot_words) {
        return false;
    }
    last_index_ = get_u64(data.begin());
    last_term_ = get_u64(data.begin() + 8);
    hash_ = get_u64(data.begin() + 16);
    command_count_ = get_u64(data.begin() + 24);
    restored_ = true;
    restored_index_ = last_index_;
    restored_commands_ = command_count_;
    applied_.clear();
    forgotten_commands_ = 0;
    return true;
}

std::string HashChainFsm::dump() const {
    std::string out;
    if (restored_) {
        out += fmt::format("restored from a snapshot: {} commands through index {}\n",
                           restored_commands_, restored_index_);
    }
    const std::span<const AppliedItem> kept = applied();
    const std::uint64_t earlier = forgotten_commands_ + (applied_.size() - kept.size());
    RAFT_ASSERT(restored_commands_ + earlier + kept.size() == command_count_);
    if (earlier > 0) {
        out += fmt::format("{} earlier commands: only in the hash\n", earlier);
    }
    for (const AppliedItem& item : kept) {
        out += fmt::format("{}.{:8}: ", item.term, item.index);
        for (std::uint8_t byte : item.data) {
            out += fmt::format("{:02X}", byte);
        }
        out += '\n';
    }
    return out;
}

}  // namespace raftsim::sim
