#pragma once
// The gate: structural checks on a message before it reaches the protocol.
// Everything the protocol code assumes about a message's shape is checked
// here, so the protocol code may assert it (etcd's logSlice.valid()).

#include <limits>

#include "raftsim/core/message.hpp"
#include "raftsim/core/reject.hpp"

namespace raftsim::core {

/// The largest term and index a message may carry, far below overflow so
/// that "term + 1" and "index + entries" are always representable. Only
/// forged input brings a node to them, and a node never moves past them on
/// its own (it does not campaign at term_max; a leader appends nothing past
/// index_max), so every message it sends passes its receiver's gate.
inline constexpr Term term_max = std::numeric_limits<Term>::max() / 2;
inline constexpr Index index_max = std::numeric_limits<Index>::max() / 2;

/// Returns RejectReason::none when `message` is well formed for a node `self`.
/// Checks only what the message says about itself, not the receiver's state.
[[nodiscard]] RejectReason validate_message(const Message& message, NodeId self);

}  // namespace raftsim::core
