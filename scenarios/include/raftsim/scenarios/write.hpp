#pragma once
// Scenario -> JSON text that parse_scenario reads back into the same
// Scenario. People keep what it writes as regression tests (a fuzzer's find,
// a shrunk failure), so the text is laid out to be read and diffed:
//
//   {
//     "name": "t",
//     "cluster": {"names": ["a", "b", "c"], "tick": "10ms", "disk_sync": "0ms"},
//     ...
//     "steps": [
//       {"wait_for_leader": "10s", "optional": true},
//       {"repeat": 10, "steps": [
//         {"partition": {"leader_plus": {"random": [0, 3]}}, "as": "g"},
//         {"sleep": "4s"}
//       ]},
//       {"add_voter": "d", "within": "1m"}
//     ],
//     "checks": {"verify": true, "settle": "1m"}
//   }
//
// Every setting is written out, defaults included (every raft field, each
// membership step's "within", start_workload's "batch"), so a kept file
// keeps its meaning if a default changes. Only NetworkSpec's unset fields
// are left out: "unset" is itself what the struct says.

#include <string>

#include "raftsim/scenarios/spec.hpp"

namespace raftsim::scenarios {

/// Pretty JSON (2-space indent, at most 100 columns where a value allows,
/// one step per line) such that parse_scenario(scenario_to_json(s)) gives s
/// back, `source_path` aside, for any `s` parse_scenario produced. The
/// Scenario must be one the JSON can say (a RAFT_ASSERT fails otherwise):
/// non-empty node sets, raft.protocol_version at protocol_version_max (the
/// JSON has no key for it), modifiers only on steps that take them.
[[nodiscard]] std::string scenario_to_json(const Scenario& scenario);

/// A duration in the largest unit that holds it exactly: "250us", "10ms",
/// "1500ms", "2s", "90m", "1h"; zero is "0ms". parse_duration reads it back.
[[nodiscard]] std::string duration_text(TimeUs duration_us);

}  // namespace raftsim::scenarios
