#pragma once
// One simulated server: the node under test (absent while crashed), its
// storage, its state machine, and the host's view of it.

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "raftsim/core/node.hpp"
#include "raftsim/sim/fsm.hpp"
#include "raftsim/sim/kv/kv_store.hpp"
#include "raftsim/sim/node_table.hpp"
#include "raftsim/sut/node.hpp"
#include "raftsim/sut/storage.hpp"

namespace raftsim::sim {

/// The host's disk, which the seam hands to every system under test.
using Storage = sut::Storage;

/// What a crash does with the writes a node issued but had not synced.
/// The values are the trace's (a crash record's `a`).
enum class UnsyncedWrites : std::uint8_t {
    /// The OS got them to disk after all.
    kept,
    /// None reached the disk.
    lost,
    /// A prefix did, at whole-write granularity (an entry, a hard-state
    /// record; sut::Storage::keep_unsynced_prefix), drawn uniformly.
    torn,
};

/// A crash step's modifiers as a fate (torn and lose_unsynced never together).
[[nodiscard]] constexpr UnsyncedWrites unsynced_writes(bool lose_unsynced, bool torn) noexcept {
    if (torn) {
        return UnsyncedWrites::torn;
    }
    return lose_unsynced ? UnsyncedWrites::lost : UnsyncedWrites::kept;
}

/// A crash tied to what a node does, not to a time (issue 14 §5): the node
/// crashes right after the event that fires it.
struct CrashTrigger {
    enum class Kind : std::uint8_t {
        /// It sent a message of `message_type` (the rest of that Ready's
        /// messages go too).
        send,
        /// It issued a write to storage: with a disk sync delay the crash
        /// comes before the sync completes, so `lose_unsynced` loses it
        /// (and `torn` keeps a prefix of it).
        persist,
        /// It learned of a higher commit index (before applying it).
        commit,
    };
    Kind kind = Kind::send;
    core::MessageType message_type = core::MessageType::request_vote_response;
    bool lose_unsynced = false;
    /// A torn write instead: a prefix of the unsynced writes survives.
    bool torn = false;

    [[nodiscard]] UnsyncedWrites fate() const noexcept {
        return unsynced_writes(lose_unsynced, torn);
    }
};

struct Host {
    core::NodeId id = 0;
    std::string name;
    /// Absent while the server is crashed.
    std::unique_ptr<sut::Node> node;
    /// The node's way to the host (sim/src/host_env.cpp); outlives incarnations.
    std::unique_ptr<sut::Env> env;
    sut::Storage storage;
    /// Volatile: a restart begins with an empty state machine that re-applies.
    HashChainFsm fsm;
    /// The key-value store beside it (StateMachineKind::kv), volatile too.
    KvStore kv;
    /// The last index the state machine holds: applied (any entry type),
    /// or restored from a snapshot. A read is answered only at or past
    /// its read index.
    core::Index kv_applied_index = 0;
    /// A process pause (Simulation::pause): while set, the node gets no
    /// ticks, messages or wake-ups; they wait here for the resume.
    bool paused = false;
    std::uint64_t missed_ticks = 0;
    /// Message slab slots delivered while paused, in arrival order.
    std::vector<std::uint32_t> held_messages;
    std::vector<std::uint32_t> held_wakes;
    /// What applying a client's command returned here, for the operations
    /// sent to this server, until their results come (simulation_kv.cpp).
    std::map<OperationId, KvResponse> kv_responses;
    /// Bumped on every crash and restart; events of an old one are ignored.
    std::uint64_t incarnation = 0;
    /// Times its disk was wiped (Simulation::wipe): a message sent before
    /// the latest wipe is dropped on arrival (DropReason::sender_wiped).
    std::uint32_t wipes = 0;
    /// In the cluster as hashicorp fuzzy's harness sees it: false once
    /// removed. Non-members are left out of the final checks.
    bool member = true;
    /// Clock drift in parts per million: the tick period is stretched by it.
    std::int32_t drift_ppm = 0;
    /// The local clock at simulated time clock_base_us, when the drift last
    /// changed: the clock runs on from there at the new rate, never jumps.
    std::uint64_t clock_base_us = 0;
    std::uint64_t clock_base_local_us = 0;

    /// The server's own clock (Env::local_clock_us) at simulated time
    /// now_us. It advances one tick per tick: drift stretches the tick
    /// period by (1 + ppm / 10^6), so the clock runs at 1 / (1 + ppm / 10^6)
    /// of simulated time -- a rate, integrated since the last drift change.
    [[nodiscard]] std::uint64_t local_clock_us(std::uint64_t now_us) const noexcept {
        const auto elapsed = static_cast<std::int64_t>(now_us - clock_base_us);
        const std::int64_t local = elapsed * 1'000'000 / (1'000'000 + drift_ppm);
        return clock_base_local_us + static_cast<std::uint64_t>(std::max<std::int64_t>(local, 0));
    }
    /// For the leader_lease checker: the term it leads, and per server the
    /// last time a message from it was delivered here.
    core::Term lease_term = 0;
    NodeTable<std::uint64_t> heard_from_us;
    /// The voters the leader_lease checker last counted, and since when: a
    /// change of voters restarts the lease (see check_leader_lease).
    std::vector<core::NodeId> lease_voters;
    std::uint64_t lease_voters_since_us = 0;
    /// Armed by Simulation::arm_crash; fires once.
    std::optional<CrashTrigger> crash_trigger;

    [[nodiscard]] bool is_up() const noexcept { return node != nullptr; }
};

}  // namespace raftsim::sim
