#pragma once
// JSON -> Scenario. Every rejection names the file, the JSON path and what
// was expected, e.g.
//   scenarios/x.json: steps[2].partition: expected a node selector
//   ("leader", "followers", "all", a node name, {"leader_plus": N} or
//   {"random": K}), got 42
// Nothing is run from a scenario that failed to parse.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "raftsim/scenarios/spec.hpp"

namespace raftsim::scenarios {

/// The largest scenario text the parser takes: 16 MiB. load_scenario reads
/// no more than this from a file, and raftsim reads scenario and artifact
/// files with the same bound.
inline constexpr std::size_t max_scenario_file_bytes = std::size_t{16} << 20U;

struct ScenarioError {
    std::string file;
    /// JSON path of the offending value: "$", "raft.election_timeout",
    /// "steps[3].repeat.steps[0].sleep".
    std::string path;
    /// What was expected, and what was found.
    std::string message;

    /// "FILE: PATH: MESSAGE"
    [[nodiscard]] std::string to_string() const;
};

struct ParseResult {
    std::optional<Scenario> scenario;
    std::optional<ScenarioError> error;
};

/// Parses and validates scenario JSON text. `file` is used in errors and
/// stored as Scenario::source_path. A text above max_scenario_file_bytes
/// is refused unread.
[[nodiscard]] ParseResult parse_scenario(std::string_view text, const std::string& file);

/// Reads and parses a file; an unreadable file is an error with path "$".
[[nodiscard]] ParseResult load_scenario(const std::string& file);

/// Parses "250us", "10ms", "1.5s", "2m", "1h" into microseconds.
[[nodiscard]] std::optional<TimeUs> parse_duration(std::string_view text);

}  // namespace raftsim::scenarios
