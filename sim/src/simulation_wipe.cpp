// Amnesia (issue 16): a node's disk is wiped. Raft's safety rests on stable
// storage (Figure 2): a voter that forgets its vote can vote twice in a
// term, and one that forgets acknowledged entries can hand a committed
// entry's majority to a leader without it (§5.4). The one safe way back is
// the sanctioned procedure -- remove the server, wipe it, add it again --
// after which it is a new server to the cluster (thesis §4.1: membership is
// by configuration entry, and a leader builds fresh progress for an added
// server).
#include "raftsim/core/assert.hpp"
#include "raftsim/sim/simulation.hpp"

namespace raftsim::sim {

void Simulation::wipe(core::NodeId id) {
    crash(id, UnsyncedWrites::lost);
    Host& host = mutable_host(id);
    RAFT_ASSERT(!host.is_up());
    // Judged against the configuration the leader last committed, as the
    // members are (update_members): out of it, the server is removed.
    const bool sanctioned = wipe_is_sanctioned(id);
    RAFT_ASSERT(!sanctioned || !host.member);
    host.storage = sut::Storage{};
    host.wipes += 1;
    // Leaders of the removal's term or later know the server left; an older
    // one may still lead, cut off, with what the old self told it.
    const auto removed = removed_in_term_.find(id);
    checkers_.on_wipe(id, sanctioned, removed == removed_in_term_.end() ? 0 : removed->second);
    record(TraceRecord{.time = now_, .kind = TraceKind::wipe, .node = id, .a = sanctioned});
}

}  // namespace raftsim::sim
