// Crashes tied to events (CrashTrigger): each kind fires right after the
// event it names -- a message of a type sent, a write issued but not yet
// synced, a commit learned -- and only once.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "raftsim/sim/simulation.hpp"

namespace raftsim::sim {
namespace {

using test::options;

/// The record index of node `id`'s first crash, and the record before it.
const TraceRecord* record_before_crash(const Simulation& sim, core::NodeId id) {
    const std::vector<TraceRecord>& records = sim.trace().records();
    for (std::size_t i = 1; i < records.size(); ++i) {
        if (records[i].kind == TraceKind::crash && records[i].node == id) {
            return &records[i - 1];
        }
    }
    return nullptr;
}

TEST_CASE("crash trigger: right after the node sends a message of the type", "[crash_trigger]") {
    SimOptions traced = options(3, 3);
    traced.keep_trace = true;
    Simulation sim(traced);
    for (const core::NodeId id : sim.ids()) {
        sim.arm_crash(id, CrashTrigger{.kind = CrashTrigger::Kind::send,
                                       .message_type = core::MessageType::request_vote_response,
                                       .lose_unsynced = true});
    }
    sim.run_for(5 * us_per_second);
    std::size_t crashed = 0;
    for (const core::NodeId id : sim.ids()) {
        if (sim.is_up(id)) {
            continue;  // it never granted or refused a vote
        }
        crashed += 1;
        const TraceRecord* before = record_before_crash(sim, id);
        REQUIRE(before != nullptr);
        // The Ready's messages all went; the last of them was sent by it,
        // and a vote response was among them, at this very time.
        CHECK(before->node == id);
        const std::vector<TraceRecord>& records = sim.trace().records();
        const bool voted = std::any_of(records.begin(), records.end(), [&](const TraceRecord& r) {
            return r.kind == TraceKind::send && r.node == id && r.time == before->time &&
                   r.sub == static_cast<std::uint8_t>(core::MessageType::request_vote_response);
        });
        CHECK(voted);
    }
    CHECK(crashed >= 1);
}

TEST_CASE("crash trigger: after a write is issued, before it is synced", "[crash_trigger]") {
    SimOptions slow_disk = options(3, 5);
    slow_disk.disk_sync_us = 5 * us_per_ms;
    Simulation sim(slow_disk);
    const core::NodeId leader = test::elect(sim);
    const core::NodeId follower = leader == 1 ? 2 : 1;
    sim.run_for(1 * us_per_second);
    const core::Index durable_before = sim.host(follower).storage.durable_entries().size() +
                                       sim.host(follower).storage.log_base_index();
    sim.arm_crash(follower,
                  CrashTrigger{.kind = CrashTrigger::Kind::persist, .lose_unsynced = true});
    CHECK(sim.apply_n(5, sim.now() + test::long_wait) == 5);
    CHECK_FALSE(sim.is_up(follower));
    // Its write was issued and lost with the crash: nothing new is durable.
    const core::Index durable_after = sim.host(follower).storage.durable_entries().size() +
                                      sim.host(follower).storage.log_base_index();
    CHECK(durable_after == durable_before);
    CHECK_FALSE(sim.failed());
}

TEST_CASE("crash trigger: after a commit is learned, and only once", "[crash_trigger]") {
    Simulation sim(options(3, 7));
    const core::NodeId leader = test::elect(sim);
    sim.arm_crash(leader, CrashTrigger{.kind = CrashTrigger::Kind::commit});
    static_cast<void>(sim.apply_n(1, sim.now() + 2 * us_per_second));
    CHECK_FALSE(sim.is_up(leader));
    sim.restart(leader);
    sim.run_for(5 * us_per_second);
    CHECK(sim.is_up(leader));  // fired once; the restarted node is unarmed
    CHECK_FALSE(sim.failed());
}

}  // namespace
}  // namespace raftsim::sim
