#pragma once
// Basic vocabulary of the core: terms, indexes, node ids and byte strings.

#include <cstdint>
#include <vector>

namespace raftsim::core {

/// A Raft term (Raft paper §5.1). Term 0 means "no term yet".
using Term = std::uint64_t;
/// A log position, 1-based. Index 0 is the empty prefix before the first entry.
using Index = std::uint64_t;
/// A server id. 0 is reserved for "nobody" (no leader known, no vote cast).
using NodeId = std::uint64_t;
/// An opaque client payload.
using Bytes = std::vector<std::uint8_t>;

inline constexpr NodeId node_none = 0;

/// Identifies a local request (proposal) so its result can be matched later.
using RequestId = std::uint64_t;

/// The wire protocol version this core speaks, and the oldest one it accepts.
/// A message outside [min, max] is rejected at the gate (hashicorp's
/// checkRPCHeader does the same with ProtocolVersionMin/Max).
inline constexpr std::uint32_t protocol_version_max = 3;
inline constexpr std::uint32_t protocol_version_min = 2;

}  // namespace raftsim::core
