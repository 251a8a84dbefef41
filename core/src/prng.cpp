#include "raftsim/core/prng.hpp"

#include "raftsim/core/assert.hpp"

namespace raftsim::core {
void Prng::reseed(std::uint64_t seed) {
    std::uint64_t state = seed;
    for (std::uint64_t& word : state_) {
        word = splitmix64(state);
    }
    // xoshiro must not start from all zeros; splitmix64 cannot produce four.
    RAFT_ASSERT((state_[0] | state_[1] | state_[2] | state_[3]) != 0);
}

std::uint64_t Prng::below(std::uint64_t bound) {
    RAFT_ASSERT(bound > 0);
    // Reject the low values that would make `% bound` favour small results.
    if (bound != threshold_bound_) {
        threshold_bound_ = bound;
        threshold_ = (0 - bound) % bound;
    }
    const std::uint64_t threshold = threshold_;
    RAFT_ASSERT(threshold < bound);
    for (;;) {
        const std::uint64_t value = next_u64();
        if (value >= threshold) {
            return value % bound;
        }
    }
}

std::uint64_t Prng::range_inclusive(std::uint64_t low, std::uint64_t high) {
    RAFT_ASSERT(low <= high);
    const std::uint64_t span = high - low;
    if (span == UINT64_MAX) {
        return next_u64();
    }
    return low + below(span + 1);
}

bool Prng::chance(std::uint64_t numerator, std::uint64_t denominator) {
    RAFT_ASSERT(denominator > 0);
    RAFT_ASSERT(numerator <= denominator);
    if (numerator == 0) {
        return false;
    }
    return below(denominator) < numerator;
}

}  // namespace raftsim::core
