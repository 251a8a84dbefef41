#pragma once
// The seeded source of client commands (hashicorp fuzzy/apply_src.go): a
// source named "LeaderPartitions" always yields the same 33-byte commands.
// The name is hashed with FNV-32 as in apply_src.go; the bytes come from our
// own PRNG (Go's math/rand sequence is not reproduced, only its role).

#include <cstdint>
#include <string_view>

#include "raftsim/core/prng.hpp"
#include "raftsim/core/types.hpp"

namespace raftsim::sim {

inline constexpr std::size_t apply_entry_size_bytes = 33;

[[nodiscard]] std::uint32_t fnv32(std::string_view text) noexcept;

class ApplySource {
  public:
    explicit ApplySource(std::string_view name) : seed_(fnv32(name)), prng_(seed_) {}

    [[nodiscard]] core::Bytes next_entry();
    /// Back to the first entry (apply_src.go's reset).
    void reset() { prng_.reseed(seed_); }
    [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }

  private:
    std::uint64_t seed_;
    core::Prng prng_;
};

}  // namespace raftsim::sim
