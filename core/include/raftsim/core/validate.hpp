#pragma once
// The gate: structural checks on a message before it reaches the protocol.
// Everything the protocol code assumes about a message's shape is checked
// here, so the protocol code may assert it (etcd's logSlice.valid()).

#include "raftsim/core/message.hpp"
#include "raftsim/core/reject.hpp"

namespace raftsim::core {

/// Returns RejectReason::none when `message` is well formed for a node `self`.
/// Checks only what the message says about itself, not the receiver's state.
[[nodiscard]] RejectReason validate_message(const Message& message, NodeId self);

}  // namespace raftsim::core
