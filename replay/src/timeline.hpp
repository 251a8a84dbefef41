#pragma once
// Renders trace records for people (a fixed-column timeline) and for tools
// (JSON lines, one object per record, named fields).

#include <cstdint>
#include <string>
#include <vector>

#include "raftsim/sim/simulation.hpp"
#include "raftsim/sim/trace.hpp"

namespace raftsim::replay {

/// Node names by id (index 0 unused), for rendering.
using NodeNames = std::vector<std::string>;

[[nodiscard]] NodeNames node_names(const sim::Simulation& simulation);

/// One line per record in [first, last), e.g.
///   "   17091    16.391551s  lc_1     follower t121 recv    request_vote <- lc_3 t122 ..."
/// (record number, time, node, its role and term, what happened). Roles,
/// terms and crashes are tracked from the start of `records`.
[[nodiscard]] std::string render_timeline(const std::vector<sim::TraceRecord>& records,
                                          const NodeNames& names, std::size_t first,
                                          std::size_t last);

/// One JSON object per record, newline-terminated.
[[nodiscard]] std::string render_jsonl(const std::vector<sim::TraceRecord>& records,
                                       const NodeNames& names);

/// The messages a node sent and received, one per line (hashicorp fuzzy's
/// per-node transport log).
[[nodiscard]] std::string render_transport_log(const std::vector<sim::TraceRecord>& records,
                                               const NodeNames& names, core::NodeId node);

}  // namespace raftsim::replay
