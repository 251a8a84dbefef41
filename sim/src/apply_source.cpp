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
    for (std::uint8_t& byte : entry) {
        byte = static_cast<std::uint8_t>(prng_.below(256));
    }
    return entry;
}

}  // namespace raftsim::sim
