#pragma once
// Simulated time: an integer count of microseconds since the run began.

#include <cstdint>

namespace raftsim::sim {

using TimeUs = std::uint64_t;

inline constexpr TimeUs us_per_ms = 1'000;
inline constexpr TimeUs us_per_second = 1'000'000;

/// An integer ratio used for every probability: no floating point reaches a
/// decision, so a run is the same on every compiler and platform.
struct Ratio {
    std::uint32_t numerator = 0;
    std::uint32_t denominator = 1;

    [[nodiscard]] bool is_zero() const noexcept { return numerator == 0; }
    [[nodiscard]] bool is_valid() const noexcept {
        return denominator > 0 && numerator <= denominator;
    }
    friend bool operator==(const Ratio&, const Ratio&) = default;
};

}  // namespace raftsim::sim
