#pragma once
// A small seeded PRNG of our own (xoshiro256**, seeded through splitmix64) and
// integer-only range functions. <random>'s distributions are not used anywhere:
// their output differs between standard libraries, which would break "same
// seed, same run" between a gcc and a clang build.

#include <array>
#include <cstdint>

namespace raftsim::core {

/// splitmix64 step: a good 64-bit mixer, used to expand seeds and derive streams.
[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    state += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31U);
}

/// Mixes a parent seed with a stream number into an independent child seed.
[[nodiscard]] constexpr std::uint64_t derive_seed(std::uint64_t seed,
                                                  std::uint64_t stream) noexcept {
    std::uint64_t state = seed ^ (stream * 0xd1342543de82ef95ULL);
    std::uint64_t mixed = splitmix64(state);
    return splitmix64(state) ^ mixed;
}

class Prng {
  public:
    explicit Prng(std::uint64_t seed) { reseed(seed); }

    void reseed(std::uint64_t seed);

    [[nodiscard]] std::uint64_t next_u64() noexcept;

    /// Uniform in [0, bound). bound must be > 0. Unbiased (rejection sampling).
    [[nodiscard]] std::uint64_t below(std::uint64_t bound);

    /// Uniform in [low, high], inclusive. low <= high.
    [[nodiscard]] std::uint64_t range_inclusive(std::uint64_t low, std::uint64_t high);

    /// True with probability numerator/denominator (an integer ratio, no floats).
    [[nodiscard]] bool chance(std::uint64_t numerator, std::uint64_t denominator);

  private:
    std::array<std::uint64_t, 4> state_{};
};

}  // namespace raftsim::core
