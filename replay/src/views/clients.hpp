#pragma once
// The key-value clients' history on the HTML page, drawn as porcupine draws
// one: a lane per client, each operation a box from its invocation to its
// answer, labelled with its call and result. An indeterminate operation (no
// answer: a timeout, a lost leader, a crash) is a dashed box up to when its
// client gave up, with a dotted tail to the chart's right edge: it may take
// effect at any point after its invocation, or never. When the check found
// the history not linearizable, the chart shows the violating window's
// stretch of time, the window's operations outlined in red and the other
// operations on its key in bold; otherwise the last operations of the run.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "raftsim/sim/history/linearizability.hpp"
#include "raftsim/sim/history/operation.hpp"

namespace raftsim::replay {

/// At most this many operations are drawn (the page stays a few hundred KB).
inline constexpr std::size_t client_operation_limit = 600;

struct ClientHistoryView {
    /// The whole history (sim::Simulation::client_history()), in any order.
    std::span<const sim::Operation> history;
    /// The linearizability check's result; nullptr when it did not run (the
    /// run failed or stopped first).
    const sim::LinearizabilityResult* verdict = nullptr;
};

/// The operations drawn, and why those.
struct ClientSelection {
    /// In (invocation, id) order; at most client_operation_limit.
    std::vector<const sim::Operation*> shown;
    /// The violating window's operations (empty unless not linearizable).
    std::vector<sim::OperationId> window;
    /// "the last 600 of 9678 operations", for the page.
    std::string caption;
};

/// The window's stretch of time (every operation overlapping it; only those
/// on its key if they are too many; only the window if still too many), or
/// the history's last client_operation_limit operations.
[[nodiscard]] ClientSelection select_client_operations(const ClientHistoryView& view);

/// The page's client section -- the verdict, a legend, the lanes -- or ""
/// for a history without operations (a run without clients).
[[nodiscard]] std::string render_client_lanes(const ClientHistoryView& view);

}  // namespace raftsim::replay
