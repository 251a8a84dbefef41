#pragma once
// What a leader knows about one follower's log (Raft paper Figure 2's
// nextIndex/matchIndex, with etcd's probe/replicate flow control).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string_view>

#include "raftsim/core/types.hpp"

namespace raftsim::core {

enum class ProgressState : std::uint8_t {
    /// Next index unknown: one AppendEntries at a time until one succeeds.
    probe,
    /// Next index known: send optimistically, up to the in-flight limit.
    replicate,
};

[[nodiscard]] std::string_view to_string(ProgressState state) noexcept;

struct Progress {
    /// Highest index known to be replicated on the follower.
    /// Invariant: never decreases while this leader leads (Figure 2).
    Index match_index = 0;
    /// Next index to send. Invariant: match_index < next_index.
    Index next_index = 1;
    ProgressState state = ProgressState::probe;
    /// In probe state: an AppendEntries is outstanding; wait for its answer
    /// or the next heartbeat before sending another.
    bool probe_sent = false;
    /// In replicate state: last index of each unacknowledged AppendEntries,
    /// ascending. Bounded by Config::max_inflight_appends.
    std::deque<Index> inflight_last_indexes{};
    /// The leader's tick count when it last heard from this follower
    /// (check-quorum / leader lease).
    std::uint64_t last_contact_tick = 0;
    /// An InstallSnapshot is unanswered, sent at this leader tick.
    bool snapshot_in_flight = false;
    std::uint64_t snapshot_sent_tick = 0;
    /// The commit index last sent to this follower.
    Index commit_sent = 0;

    void become_probe();
    void become_replicate();
    /// Frees in-flight slots for messages acknowledged through `index`.
    void free_inflight_through(Index index);
};

}  // namespace raftsim::core
