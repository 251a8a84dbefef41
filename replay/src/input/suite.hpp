#pragma once
// Finding scenarios: the built-in suite, files, directories of *.json, and
// built-in names ("LeaderPartitions").

#include <optional>
#include <string>
#include <vector>

#include "raftsim/scenarios/parse.hpp"
#include "raftsim/scenarios/spec.hpp"
#include "raftsim/sut/system.hpp"

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
/// file, a directory (its *.json regular files, sorted, at most 10000), a
/// built-in scenario's name, or "swarm:N" (the swarm scenario of seed N, as
/// `raftsim run --swarm` runs it, for a system with `capabilities`). A
/// directory without scenario files is an error: a sweep of nothing must
/// not pass.
[[nodiscard]] LoadResult load_scenarios(const std::vector<std::string>& arguments,
                                        const sut::Capabilities& capabilities = {});

/// The swarm scenario generated for `seed` (fuzz::swarm_scenario) for a
/// system with `capabilities`, with its text written out, as an artifact
/// needs.
[[nodiscard]] LoadedScenario swarm_loaded(std::uint64_t seed,
                                          const sut::Capabilities& capabilities = {});

/// A file's bytes, or why they cannot be had.
struct FileText {
    std::optional<std::string> text;
    /// Without text: the reason, to print after the path ("it is a FIFO (a
    /// pipe), not a regular file", "No such file or directory").
    std::string problem;
};

/// Reads a whole regular file of at most `max_bytes` -- by default
/// scenarios::max_scenario_file_bytes (16 MiB), the bound for scenario and
/// artifact files alike; sweep reports and compressed traces of long runs
/// get larger bounds. A FIFO, a socket or a device (/dev/zero, /dev/stdin)
/// is refused before it is opened, a larger file before it is read, and one
/// that grows past the bound while being read once it does.
[[nodiscard]] FileText read_file(const std::string& path,
                                 std::size_t max_bytes = scenarios::max_scenario_file_bytes);

}  // namespace raftsim::replay
