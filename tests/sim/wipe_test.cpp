// Amnesia (Simulation::wipe, sim/src/simulation_wipe.cpp): the node crashes,
// its disk is emptied, and a restart brings it back with nothing. The trace
// says whether the wipe was sanctioned -- the node out of the leader's
// committed configuration -- or not (issue 16).
#include <catch2/catch.hpp>
#include <vector>

#include "helpers.hpp"
#include "raftsim/sim/simulation.hpp"

namespace raftsim::sim {
namespace {

using core::NodeId;
using test::elect;
using test::follower_of;
using test::long_wait;
using test::traced;

/// The trace's wipe record of `node` (REQUIREd to be there).
const TraceRecord& wipe_record(const Simulation& sim, NodeId node) {
    const std::vector<TraceRecord>& records = sim.trace().records();
    const TraceRecord* found = nullptr;
    for (const TraceRecord& record : records) {
        found = record.kind == TraceKind::wipe && record.node == node ? &record : found;
    }
    REQUIRE(found != nullptr);
    return *found;
}

TEST_CASE("wipe: a member's disk is emptied, the wipe is unsanctioned, and it restarts empty",
          "[wipe]") {
    Simulation sim(traced(3, 2));
    const NodeId leader = elect(sim);
    const NodeId follower = follower_of(leader);
    REQUIRE(sim.apply_n(20, sim.now() + long_wait) == 20);
    REQUIRE(sim.host(follower).storage.durable_state().entries.size() > 20);
    sim.wipe(follower);
    CHECK_FALSE(sim.host(follower).is_up());
    CHECK(wipe_record(sim, follower).a == 0);
    const core::DurableState wiped = sim.host(follower).storage.durable_state();
    CHECK(wiped.entries.empty());
    CHECK_FALSE(wiped.snapshot.has_value());
    CHECK(wiped.hard_state.term == 0);
    CHECK(wiped.hard_state.voted_for == core::node_none);
    sim.restart(follower);
    CHECK(sim.host(follower).node->last_index() == 0);
    CHECK_FALSE(sim.failed());
}

TEST_CASE("wipe: a removed server's wipe is sanctioned, and added back it catches up from nothing",
          "[wipe]") {
    Simulation sim(traced(3, 3));
    const NodeId leader = elect(sim);
    const NodeId follower = follower_of(leader);
    REQUIRE(sim.apply_n(20, sim.now() + long_wait) == 20);
    const ChangeReport removed =
        sim.change_membership(core::ChangeKind::remove_server, follower, sim.now() + long_wait);
    REQUIRE(removed.outcome == ChangeOutcome::committed);
    sim.wipe(follower);
    CHECK(wipe_record(sim, follower).a == 1);
    sim.restart(follower);
    const ChangeReport added =
        sim.change_membership(core::ChangeKind::add_voter, follower, sim.now() + long_wait);
    REQUIRE(added.outcome == ChangeOutcome::committed);
    sim.verify(sim.now() + long_wait);
    CHECK_FALSE(sim.failed());
    CHECK(sim.host(follower).node->last_index() == sim.host(leader).node->last_index());
}

TEST_CASE("wipe: what the wiped node sent before the wipe is dropped on arrival", "[wipe]") {
    // Method: stop right after a follower sends an acknowledgement, wipe it
    // while the reply is in flight, run on: the reply must be dropped as
    // sender_wiped, and a reply the node sends after its restart must not.
    Simulation sim(traced(3, 4));
    const NodeId leader = elect(sim);
    const NodeId follower = follower_of(leader);
    const auto last_is_ack_from = [&sim](NodeId node) {
        const std::vector<TraceRecord>& records = sim.trace().records();
        return !records.empty() && records.back().kind == TraceKind::send &&
               records.back().node == node &&
               records.back().sub ==
                   static_cast<std::uint8_t>(core::MessageType::append_entries_response);
    };
    REQUIRE(sim.run_until([&] { return last_is_ack_from(follower); }, sim.now() + long_wait));
    sim.wipe(follower);
    sim.restart(follower);
    sim.run_for(20 * test::tick_us);
    std::size_t wiped_drops = 0;
    for (const TraceRecord& record : sim.trace().records()) {
        const bool sender_wiped = record.kind == TraceKind::drop && record.node == follower &&
                                  record.c == static_cast<std::uint64_t>(DropReason::sender_wiped);
        wiped_drops += sender_wiped ? 1 : 0;
    }
    CHECK(wiped_drops == 1);
    CHECK(sim.host(follower).wipes == 1);
}

}  // namespace
}  // namespace raftsim::sim
