#pragma once
// Snapshots (Raft paper §7, hashicorp snapshot.go): the state machine's
// state through `index`, with the configuration in effect there, so the log
// before it can be discarded and a follower too far behind can be sent the
// state instead of the entries.

#include "raftsim/core/configuration.hpp"
#include "raftsim/core/types.hpp"

namespace raftsim::core {

struct Snapshot {
    /// The last entry the snapshot covers, and its term.
    Index index = 0;
    Term term = 0;
    /// The latest configuration at or before `index`, and where it was in the log.
    Configuration configuration{};
    Index configuration_index = 0;
    /// The state machine's serialized state; opaque to the core.
    Payload data{};

    friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

/// How the durable log's start moves (see ready.hpp).
struct LogCompaction {
    /// Entries at or below this index are gone; (index, term) is the new base.
    Index base_index = 0;
    Term base_term = 0;
    /// Every durable entry is gone, not only those at or below base_index: an
    /// installed snapshot replaced a log that did not match it (§7).
    bool discard_all = false;

    friend bool operator==(const LogCompaction&, const LogCompaction&) = default;
};

}  // namespace raftsim::core
