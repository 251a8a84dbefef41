#pragma once
// The trace in Chrome's trace-event format (JSON object form), which
// Perfetto (ui.perfetto.dev) and chrome://tracing open: one thread per node
// with a slice per role and term ("leader t5", "DOWN"), an instant event
// per record, a flow arrow from each send to its delivery, and cluster-wide
// faults and the violation on a "cluster" thread. Timestamps are simulated
// microseconds, which is the format's unit.

#include <string>
#include <vector>

#include "raftsim/sim/trace.hpp"
#include "views/timeline.hpp"

namespace raftsim::replay {

[[nodiscard]] std::string render_chrome_trace(const std::vector<sim::TraceRecord>& records,
                                              const NodeNames& names, const std::string& title);

}  // namespace raftsim::replay
