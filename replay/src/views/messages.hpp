#pragma once
// Pairs each message's send with what became of it (delivered, dropped, or
// still in flight at the end), for drawings of a run: the HTML space-time
// diagram's arrows and the Chrome trace's flow events.

#include <cstddef>
#include <optional>
#include <vector>

#include "raftsim/sim/trace.hpp"

namespace raftsim::replay {

struct MessageArrow {
    /// The record the message left with: its `send`, `duplicate` (the
    /// second copy), `replay` (a stale replay's late copy), or the `drop` of
    /// a message dropped as it was sent.
    std::size_t sent = 0;
    /// Its `deliver` or arrival-time `drop` record; empty if it was still in
    /// flight when the records end, or was dropped as it was sent.
    std::optional<std::size_t> ended;
    core::NodeId from = 0;
    core::NodeId to = 0;
    bool dropped = false;
    bool duplicate = false;
    bool replay = false;
};

/// The messages of records [0, last), in the order they were sent. A
/// delivery or arrival drop is paired with the oldest pending send of the
/// same sender, recipient, type, term and fields (the trace carries no
/// message id, so two identical messages in flight on one link may be
/// paired crosswise -- which draws the same picture). A stale replay's late
/// copy pairs only with an arrival at or after the time its record says it
/// is due, so an equal message sent later does not take its arrival.
[[nodiscard]] std::vector<MessageArrow> match_messages(const std::vector<sim::TraceRecord>& records,
                                                       std::size_t last);

}  // namespace raftsim::replay
