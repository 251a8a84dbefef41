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

/// Rotates left by `k` (0 < k < 64).
[[nodiscard]] constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
    return (x << k) | (x >> (64 - k));
}

class Prng {
  public:
    explicit Prng(std::uint64_t seed) { reseed(seed); }

    void reseed(std::uint64_t seed);

    [[nodiscard]] std::uint64_t next_u64() noexcept {
        // xoshiro256** (Blackman and Vigna, 2018). Inline: the simulator
        // draws a latency, a loss roll or payload bytes several times an event.
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17U;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    /// Uniform in [0, bound). bound must be > 0. Unbiased (rejection sampling).
    [[nodiscard]] std::uint64_t below(std::uint64_t bound);

    /// Uniform in [low, high], inclusive. low <= high.
    [[nodiscard]] std::uint64_t range_inclusive(std::uint64_t low, std::uint64_t high);

    /// True with probability numerator/denominator (an integer ratio, no floats).
    [[nodiscard]] bool chance(std::uint64_t numerator, std::uint64_t denominator);

  private:
    std::array<std::uint64_t, 4> state_{};
    /// below()'s rejection threshold for the last bound it was given: the
    /// simulator asks for the same few bounds over and over (a link's
    /// latency span, a rate's denominator), and the threshold costs a
    /// 64-bit division. A pure function of the bound, so no draw changes.
    std::uint64_t threshold_bound_ = 0;
    std::uint64_t threshold_ = 0;
};

}  // namespace raftsim::core
