#pragma once
// Renders trace records for people (a fixed-column timeline) and for tools
// (JSON lines, one object per record, named fields).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "raftsim/sim/simulation.hpp"
#include "raftsim/sim/trace.hpp"

namespace raftsim::replay {

/// Node names by id (index 0 unused), for rendering.
using NodeNames = std::vector<std::string>;

[[nodiscard]] NodeNames node_names(const sim::Simulation& simulation);

/// A node as the records tell it: role, term, and whether it is crashed.
struct NodeView {
    core::Role role = core::Role::follower;
    core::Term term = 1;
    bool down = false;
};

/// Follows one node's view through a record about it (role_change sets role
/// and term, persist the term, crash and restart liveness).
void update_view(NodeView& view, const sim::TraceRecord& record);

/// "leader t5", or "DOWN t5".
[[nodiscard]] std::string view_text(const NodeView& view);

/// The timeline's description of one record ("send    append_entries ->
/// n2 t3 prev=4 n=1 commit=4", "## CRASH n1", "** follower -> candidate").
[[nodiscard]] std::string describe_record(const sim::TraceRecord& record, const NodeNames& names);

/// One line per record in [first, last), e.g.
///   "   17091    16.391551s  lc_1     follower t121 recv    request_vote <- lc_3 t122 ..."
/// (record number, time, node, its role and term, what happened). Roles,
/// terms and crashes are tracked from the start of `records`.
[[nodiscard]] std::string render_timeline(const std::vector<sim::TraceRecord>& records,
                                          const NodeNames& names, std::size_t first,
                                          std::size_t last);

/// A stretch of records to show, and the one to mark (the violation's).
struct TimelineWindow {
    std::size_t first = 0;
    std::size_t last = 0;
    std::optional<std::size_t> focus;
};

/// The position of the `violation` record, if the run has one (violations
/// found outside an event, such as a missed deadline, have none).
[[nodiscard]] std::optional<std::size_t> violation_record(
    const std::vector<sim::TraceRecord>& records);

/// `count` records on each side of the violation record (or of the end).
[[nodiscard]] TimelineWindow window_around(const std::vector<sim::TraceRecord>& records,
                                           std::size_t count);

/// The `count` records up to and including the violation (or the end).
[[nodiscard]] TimelineWindow window_before(const std::vector<sim::TraceRecord>& records,
                                           std::size_t count);

/// What a diagram shows: every record of a short run, else the last
/// html_record_limit up to the violation.
inline constexpr std::size_t html_record_limit = 3000;
[[nodiscard]] TimelineWindow html_window(const std::vector<sim::TraceRecord>& records);

/// A column header, then render_timeline of the window, with the focus
/// record's line marked ">>" in the margin and "..." where records are
/// left out before or after.
[[nodiscard]] std::string render_window(const std::vector<sim::TraceRecord>& records,
                                        const NodeNames& names, const TimelineWindow& window);

/// One JSON object per record, newline-terminated; of records [first,
/// last) (all by default), so a long trace can be rendered a slice at a time.
[[nodiscard]] std::string render_jsonl(const std::vector<sim::TraceRecord>& records,
                                       const NodeNames& names, std::size_t first = 0,
                                       std::size_t last = ~std::size_t{0});

/// The messages a node sent and received, one per line (hashicorp fuzzy's
/// per-node transport log); of records [first, last), as render_jsonl.
[[nodiscard]] std::string render_transport_log(const std::vector<sim::TraceRecord>& records,
                                               const NodeNames& names, core::NodeId node,
                                               std::size_t first = 0,
                                               std::size_t last = ~std::size_t{0});

}  // namespace raftsim::replay
