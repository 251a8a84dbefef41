// Process pauses (issue 16): a node stops for a while -- a long GC pause, a
// SIGSTOP, a VM migration -- while time and the network go on. The rule
// (simulation.hpp, Simulation::pause) is the host's, so it holds for every
// system under test: nothing reaches the node while it is paused; on
// resume it gets its missed ticks first, then the messages that waited in
// its inbox in arrival order, then its wake-ups. A paused leader therefore
// resumes believing it leads (Jepsen's pause nemesis): whatever it does
// next must not rest on that belief without checking.
#include <fmt/format.h>

#include "raftsim/core/assert.hpp"
#include "raftsim/sim/simulation.hpp"

namespace raftsim::sim {

void Simulation::pause(core::NodeId id, TimeUs duration_us) {
    Host& host = mutable_host(id);
    if (!host.is_up() || host.paused) {
        return;
    }
    RAFT_ASSERT(duration_us > 0);
    RAFT_ASSERT(host.held_messages.empty());
    host.paused = true;
    host.missed_ticks = 0;
    record(TraceRecord{
        .time = now_, .kind = TraceKind::pause, .sub = 0, .node = id, .a = now_ + duration_us});
    queue_.push(now_ + duration_us, EventKind::resume, id, host.incarnation);
}

void Simulation::on_resume(const Event& event) {
    const Host& host = this->host(event.node);
    if (!host.is_up() || event.payload != host.incarnation || !host.paused) {
        return;  // crashed, restarted or resumed early since
    }
    resume(event.node);
}

void Simulation::resume_all() {
    for (const core::NodeId id : ids()) {
        if (host(id).paused) {
            resume(id);
        }
    }
}

void Simulation::resume(core::NodeId id) {
    Host& host = mutable_host(id);
    if (!host.paused) {
        return;
    }
    RAFT_ASSERT(host.is_up());
    host.paused = false;
    const std::uint64_t ticks = host.missed_ticks;
    std::vector<std::uint32_t> messages = std::move(host.held_messages);
    std::vector<std::uint32_t> wakes = std::move(host.held_wakes);
    host.held_messages.clear();
    host.held_wakes.clear();
    host.missed_ticks = 0;
    record(TraceRecord{.time = now_,
                       .kind = TraceKind::pause,
                       .sub = 1,
                       .node = id,
                       .a = ticks,
                       .b = messages.size(),
                       .c = wakes.size()});
    // Any step may crash the node (a crash trigger, an assertion): what is
    // left then is discarded with it, its slots freed.
    const std::uint64_t incarnation = host.incarnation;
    const auto alive = [&] { return host.is_up() && host.incarnation == incarnation; };
    // The lease is judged once the node has caught up with its clock: a
    // paused process cannot step down, and must the moment it runs.
    for (std::uint64_t i = 0; i < ticks && alive(); ++i) {
        guarded(id, [&host] { host.node->tick(); });
    }
    if (system_.semantics().lease_election_timeouts != 0) {
        // A system that looks at its quorum once per election timeout
        // (canonical) counts, at its first look after the pause, what it
        // heard before it: as after a change of voters, its next look may
        // be a lease ahead (check_leader_lease).
        host.lease_voters_since_us = now_;
    }
    if (alive() && !host.node->busy()) {
        check_leader_lease(host);
    }
    std::size_t handed = 0;
    // (They left the network when they reached the inbox.)
    for (; handed < messages.size() && alive(); ++handed) {
        hand_to_node(host, messages[handed]);
    }
    for (std::size_t i = handed; i < messages.size(); ++i) {
        free_slots_.push_back(messages[i]);
    }
    for (const std::uint32_t token : wakes) {
        if (!alive()) {
            break;
        }
        host.node->wake(token);
    }
}

void Simulation::drop_pause(Host& host) {
    for (const std::uint32_t slot : host.held_messages) {
        free_slots_.push_back(slot);
    }
    host.held_messages.clear();
    host.held_wakes.clear();
    host.missed_ticks = 0;
    host.paused = false;
}

}  // namespace raftsim::sim
