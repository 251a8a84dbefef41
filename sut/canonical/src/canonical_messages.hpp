#pragma once
// Translation between canonical/raft's messages, entries and configurations
// and the harness's model (core/message.hpp), so the network's faults, the
// transport verifier, the timeline and the diagram work unchanged. Every
// translation is lossless for what the library sends: to_raft(to_core(m))
// gives back m's fields.

#include <optional>

#include "raft_c.hpp"
#include "raftsim/core/message.hpp"
#include "raftsim/core/snapshot.hpp"

namespace raftsim::sut::canonical {

/// A configuration entry's payload, decoded (canonical's encoding format 1:
/// a version byte, a 64-bit little-endian count, then per server a 64-bit
/// id, a NUL-terminated address and a role byte). Empty if malformed.
[[nodiscard]] std::optional<core::Configuration> decode_configuration(const core::Payload& data);
/// A raft_configuration as the harness's: voter -> voter, standby ->
/// nonvoter (replicated, never votes), spare -> staging (in the
/// configuration, neither replicated nor voting; docs/adapters.md).
[[nodiscard]] core::Configuration to_core(const struct raft_configuration& configuration);
/// Fills `out` (initialised empty) with `configuration`; false on failure.
[[nodiscard]] bool to_raft(const core::Configuration& configuration,
                           struct raft_configuration& out);
/// The server's address as canonical sees it: its id in decimal.
[[nodiscard]] std::string address_of(core::NodeId id);

/// A buffer's bytes.
[[nodiscard]] core::Payload payload_of(const struct raft_buffer& buffer);
/// Entries as the library takes ownership of them: one raft_malloc'd batch
/// holding every buffer, each entry's `batch` pointing at it, and a
/// raft_malloc'd array (NULL when there are none; notes F3).
[[nodiscard]] bool entries_to_raft(const std::vector<core::Entry>& entries, struct raft_entry** out,
                                   unsigned* count);
/// A raft_malloc'd snapshot with one buffer, as io->load and snapshot_get
/// hand it over (the library frees it); nullptr if out of memory.
[[nodiscard]] struct raft_snapshot* snapshot_to_raft(const core::Snapshot& snapshot);
/// A snapshot the library stores (snapshot_put), its buffers joined.
[[nodiscard]] core::Snapshot snapshot_to_core(const struct raft_snapshot& snapshot);

/// One entry the library wrote, at `index`.
[[nodiscard]] core::Entry to_core(const struct raft_entry& entry, core::Index index);

/// A message the library hands to io->send, from `from`.
[[nodiscard]] core::Message to_core(const struct raft_message& message, core::NodeId from);

/// Builds the library's message from a delivered one, allocating what the
/// library will own (entries in one raft_malloc'd batch, a snapshot's
/// configuration and data; notes F3). False, with nothing allocated, for a
/// message canonical/raft has no form of (the caller counts and drops it).
[[nodiscard]] bool to_raft(const core::Message& message, struct raft_message& out);

}  // namespace raftsim::sut::canonical
