#pragma once
// What `raftsim replay` and `raftsim shrink` work on: an artifact directory,
// a scenario (file or built-in name) with a seed, or a fuzz_cluster input.

#include <cstdint>
#include <optional>
#include <string>

#include "artifact/artifact.hpp"
#include "input/limits.hpp"
#include "input/suite.hpp"

namespace raftsim::replay {

struct TargetSpec {
    /// An artifact directory, or (with `has_seed`) a scenario.
    std::string target;
    bool has_seed = false;
    std::uint64_t seed = 0;
    /// A fuzz_cluster input (a libFuzzer crash file), instead of `target`.
    std::string fuzz_input;
    /// Command-line limits, applied to the loaded scenario.
    LimitOverrides limits{};
    /// `--sut` as given (nullptr: not given).
    const sut::System* system = nullptr;
};

struct Target {
    LoadedScenario loaded;
    std::uint64_t seed = 0;
    /// Set when the target is an artifact: what it recorded.
    std::optional<ArtifactManifest> manifest;
    /// The system to run it on (never null): an artifact's own, else
    /// `--sut`, else raftsim's core.
    const sut::System* system = nullptr;
};

/// Loads the target; prints what went wrong to stderr and returns nullopt
/// on bad input -- also when `--sut` names another system than the
/// artifact's, or the artifact's system is not in this build.
[[nodiscard]] std::optional<Target> resolve_target(const TargetSpec& spec);

}  // namespace raftsim::replay
