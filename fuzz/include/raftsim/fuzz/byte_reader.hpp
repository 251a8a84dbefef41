#pragma once
// Total decoding of fuzzer input: every byte string is valid. Reads past the
// end yield zeros, so a short input is a prefix of a longer one and a
// truncated crash input still decodes to a run (libFuzzer shrinks inputs by
// cutting them).

#include <cstddef>
#include <cstdint>
#include <span>

namespace raftsim::fuzz {

class ByteReader {
  public:
    explicit ByteReader(std::span<const std::uint8_t> bytes) noexcept : bytes_(bytes) {}

    [[nodiscard]] bool empty() const noexcept { return position_ >= bytes_.size(); }
    [[nodiscard]] std::size_t remaining() const noexcept {
        return empty() ? 0 : bytes_.size() - position_;
    }

    /// The next byte, or 0 past the end.
    [[nodiscard]] std::uint8_t byte() noexcept;
    /// Little-endian, zero-filled past the end.
    [[nodiscard]] std::uint16_t u16() noexcept;
    [[nodiscard]] std::uint32_t u32() noexcept;
    [[nodiscard]] std::uint64_t u64() noexcept;
    /// A value in [0, bound) from one byte (bound <= 256) or two bytes.
    [[nodiscard]] std::uint32_t below(std::uint32_t bound) noexcept;
    /// A value in [low, high].
    [[nodiscard]] std::uint32_t range(std::uint32_t low, std::uint32_t high) noexcept;
    /// True with probability about numerator/256.
    [[nodiscard]] bool chance(std::uint32_t numerator_of_256) noexcept;

  private:
    std::span<const std::uint8_t> bytes_;
    std::size_t position_ = 0;
};

}  // namespace raftsim::fuzz
