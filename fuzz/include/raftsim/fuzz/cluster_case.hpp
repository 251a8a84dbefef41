#pragma once
// Fuzzer bytes -> a whole cluster run, as an ordinary Scenario plus a seed.
//
// fuzz_cluster decodes its input with decode_cluster_case and runs the
// result with every checker on; `raftsim replay --fuzz-input FILE` decodes the
// same bytes the same way and writes the scenario out as JSON, so a crash
// input becomes a scenario file a person can read and keep. The swarm
// generator feeds the same decoder bytes drawn from a seed, with a per-seed
// choice of which fault kinds are on (swarm testing).

#include <cstdint>
#include <span>
#include <string_view>

#include "raftsim/scenarios/spec.hpp"
#include "raftsim/sut/system.hpp"

namespace raftsim::fuzz {

/// What a stored fuzz_cluster input (and a swarm seed) means: bumped when the
/// decoder or swarm's draws change what bytes decode to (docs/fuzzing.md,
/// "Decoder versions"). 2: the epilogue's calm period and crash triggers
/// (issue 14). 3: stale replays, as message faults and as link rates.
/// 4: key-value clients and pauses, from the flags' last spare bits.
/// 5: torn crashes, sanctioned wipes and slow links, from spare values of
/// bytes already read.
inline constexpr std::uint32_t decoder_version = 5;

struct ClusterCase {
    scenarios::Scenario scenario;
    /// The simulator seed (network draws, timeouts) the run uses.
    std::uint64_t seed = 1;
    /// Plain crashes were drawn as process pauses (the flags' bit 7).
    bool pauses = false;
};

/// Size limits of a decoded run. The fuzzer's are small so it sustains
/// thousands of runs a second; the swarm's are larger.
struct CaseLimits {
    std::uint32_t max_steps = 16;
    std::uint32_t max_voters = 5;
    std::uint32_t max_sleep_ms = 1000;
    std::uint32_t max_message_faults = 64;
    /// Which op kinds may be drawn, one bit per op (cluster_case.cpp's
    /// `Op`); sleeps are always on. The swarm turns kinds off per seed.
    std::uint32_t enabled_ops = ~0U;
};

inline constexpr CaseLimits fuzz_limits{};
inline constexpr CaseLimits swarm_limits{
    .max_steps = 40, .max_voters = 7, .max_sleep_ms = 5000, .max_message_faults = 256};

/// The names of the op kinds, in bit order of CaseLimits::enabled_ops.
[[nodiscard]] std::span<const std::string_view> op_names() noexcept;

/// Total: every byte string decodes to a valid scenario. It draws only
/// what a system with `capabilities` can perform (scenarios/requirements.hpp):
/// without pre-vote or the thesis vote rule those flags read as off,
/// without optional check-quorum it stays on, ops a system cannot perform
/// (transfers, snapshots on demand) are not drawn, and without non-voters
/// a membership change adds voters and removes servers instead. With every
/// capability (the default, raftsim's) the bytes decode as they always did.
[[nodiscard]] ClusterCase decode_cluster_case(std::span<const std::uint8_t> bytes,
                                              const CaseLimits& limits = fuzz_limits,
                                              const sut::Capabilities& capabilities = {});

/// The swarm scenario of `seed` (named "swarm-SEED"): each fault kind is on
/// or off with even odds, the link's loss, duplication and reordering rates
/// and the Raft timings are drawn, then a schedule of up to 40 steps from
/// the kinds that are on (Groce et al., "Swarm Testing", ISSTA 2012: a run
/// that leaves some faults out reaches states a run with all of them
/// rarely does). The description names the kinds that are on. Run it with
/// the same seed. `capabilities` as for decode_cluster_case: the default
/// (every capability) gives raftsim's swarm.
[[nodiscard]] scenarios::Scenario swarm_scenario(std::uint64_t seed,
                                                 const sut::Capabilities& capabilities = {});

}  // namespace raftsim::fuzz
