#pragma once
// A failing run as a self-contained HTML page (no network access, no
// external files): a space-time diagram with one lane per node, bands for
// each node's role and term, an arrow per message (dropped ones marked),
// faults (partitions, crashes, restarts, ...) and the violation highlighted;
// below it, for a run with key-value clients, their history (clients.hpp).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "raftsim/sim/checkers.hpp"
#include "raftsim/sim/history/linearizability.hpp"
#include "raftsim/sim/history/operation.hpp"
#include "raftsim/sim/trace.hpp"
#include "views/timeline.hpp"

namespace raftsim::replay {

struct HtmlPage {
    /// "SCENARIO seed N" and the command that reproduces it.
    std::string title;
    std::string replay_command;
    std::uint64_t fingerprint = 0;
    const std::vector<sim::TraceRecord>* records = nullptr;
    NodeNames names;
    std::optional<sim::Violation> violation;
    /// The window of records drawn: [first, last). Roles, terms and
    /// liveness are tracked from record 0.
    std::size_t first = 0;
    std::size_t last = 0;
    /// The key-value clients' history, whole, and its linearizability
    /// check (nullptr if it did not run): the client lanes below the
    /// diagram (clients.hpp). Empty for a run without clients.
    std::span<const sim::Operation> operations{};
    const sim::LinearizabilityResult* linearizability = nullptr;
};

[[nodiscard]] std::string render_html(const HtmlPage& page);

}  // namespace raftsim::replay
