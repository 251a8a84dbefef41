#include "raftsim/sim/apply_source.hpp"

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
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < entry.size(); ++i) {
        if (i % 8 == 0) {
            bits = prng_.next_u64();  // eight bytes per draw
        }
        entry[i] = static_cast<std::uint8_t>(bits >> (8 * (i % 8)));
    }
    return entry;
}

}  // namespace raftsim::sim
