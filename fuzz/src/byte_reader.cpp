#include "raftsim/fuzz/byte_reader.hpp"

#include "raftsim/core/assert.hpp"

namespace raftsim::fuzz {

std::uint8_t ByteReader::byte() noexcept {
    if (empty()) {
        return 0;
    }
    const std::uint8_t value = bytes_[position_];
    position_ += 1;
    return value;
}

std::uint16_t ByteReader::u16() noexcept {
    const std::uint16_t low = byte();
    const std::uint16_t high = byte();
    return static_cast<std::uint16_t>(low | (high << 8U));
}

std::uint32_t ByteReader::u32() noexcept {
    const std::uint32_t low = u16();
    const std::uint32_t high = u16();
    return low | (high << 16U);
}

std::uint64_t ByteReader::u64() noexcept {
    const std::uint64_t low = u32();
    const std::uint64_t high = u32();
    return low | (high << 32U);
}

std::uint32_t ByteReader::below(std::uint32_t bound) noexcept {
    if (bound <= 1) {
        return 0;
    }
    if (bound <= 256) {
        return byte() % bound;
    }
    return u16() % bound;
}

std::uint32_t ByteReader::range(std::uint32_t low, std::uint32_t high) noexcept {
    if (high <= low) {
        return low;
    }
    return low + below(high - low + 1);
}

bool ByteReader::chance(std::uint32_t numerator_of_256) noexcept {
    return byte() < numerator_of_256;
}

}  // namespace raftsim::fuzz
