#include "raftsim/sim/apply_source.hpp"

#include <algorithm>

namespace raftsim::sim {

std::uint32_t fnv32(std::string_view text) noexcept {
    // FNV-1 (32-bit), as Go's hash/fnv New32.
    std::uint32_t hash = 2166136261U;
    for (char c : text) {
        hash *= 16777619U;
        hash ^= static_cast<std::uint8_t>(c);
    }
    return hash;
}

core::Bytes ApplySource::next_entry() {
    core::Bytes entry(apply_entry_size_bytes);
    // Eight bytes per draw, lowest byte first, whatever the host's byte order.
    for (std::size_t i = 0; i < entry.size(); i += 8) {
        const std::uint64_t bits = prng_.next_u64();
        const std::size_t take = std::min<std::size_t>(8, entry.size() - i);
        for (std::size_t j = 0; j < take; ++j) {
            entry[i + j] = static_cast<std::uint8_t>(bits >> (8 * j));
        }
    }
    return entry;
}

}  // namespace raftsim::sim
