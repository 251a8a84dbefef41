#pragma once
// Finding scenarios: the built-in suite, files, directories of *.json, and
// built-in names ("LeaderPartitions").

#include <optional>
#include <string>
#include <vector>

#include "raftsim/scenarios/parse.hpp"
#include "raftsim/scenarios/spec.hpp"

namespace raftsim::replay {

struct LoadedScenario {
    scenarios::Scenario scenario;
    /// The exact JSON text, kept so an artifact can carry it.
    std::string text;
};

struct LoadResult {
    std::vector<LoadedScenario> scenarios;
    std::optional<scenarios::ScenarioError> error;
};

/// With no arguments: the built-in suite. Otherwise each argument is a
/// file, a directory (its *.json, sorted), a built-in scenario's name, or
/// "swarm:N" (the swarm scenario of seed N, as `raftsim run --swarm` runs
/// it). A directory without scenario files is an error: a sweep of nothing
/// must not pass.
[[nodiscard]] LoadResult load_scenarios(const std::vector<std::string>& arguments);

/// The swarm scenario generated for `seed` (fuzz::swarm_scenario), with
/// its text written out, as an artifact needs.
[[nodiscard]] LoadedScenario swarm_loaded(std::uint64_t seed);

/// Reads a whole file; nullopt if it cannot be read.
[[nodiscard]] std::optional<std::string> read_file(const std::string& path);

}  // namespace raftsim::replay
