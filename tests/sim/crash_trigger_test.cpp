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

/// Node `id`'s first crash record, if it crashed.
const TraceRecord* crash_record(const Simulation& sim, core::NodeId id) {
    const TraceRecord* before = record_before_crash(sim, id);
    return before == nullptr ? nullptr : before + 1;
}

core::Index durable_last_index(const Host& host) {
    return host.storage.log_base_index() + host.storage.durable_entries().size();
}

TEST_CASE(
    "crash trigger: a torn crash after a write keeps a prefix of it, and the node "
    "restarts from that prefix",
    "[crash_trigger]") {
    // A follower crashes right after it issues the write of a batch of
    // entries, before the sync: some seed keeps part of the batch, neither
    // none nor all of it, and the restarted node holds exactly that.
    bool torn_part_way = false;
    for (std::uint64_t seed = 1; seed <= 40 && !torn_part_way; ++seed) {
        SimOptions slow_disk = options(3, seed);
        slow_disk.disk_sync_us = 5 * us_per_ms;
        slow_disk.keep_trace = true;
        Simulation sim(slow_disk);
        const core::NodeId leader = test::elect(sim);
        const core::NodeId follower = leader == 1 ? 2 : 1;
        sim.run_for(1 * us_per_second);
        const core::Index before = durable_last_index(sim.host(follower));
        sim.arm_crash(follower, CrashTrigger{.kind = CrashTrigger::Kind::persist, .torn = true});
        static_cast<void>(sim.apply_n(8, sim.now() + test::long_wait));
        REQUIRE_FALSE(sim.is_up(follower));
        const TraceRecord* crash = crash_record(sim, follower);
        REQUIRE(crash != nullptr);
        CHECK(crash->a == static_cast<std::uint64_t>(UnsyncedWrites::torn));
        const std::uint64_t kept = crash->b;
        const std::uint64_t units = crash->c;
        REQUIRE(kept <= units);
        // The write appended entries after the log's end: one unit each.
        CHECK(durable_last_index(sim.host(follower)) == before + kept);
        torn_part_way = kept > 0 && kept < units;
        sim.restart(follower);
        CHECK(sim.host(follower).node->last_index() == before + kept);
        CHECK(sim.apply_n(5, sim.now() + test::long_wait) == 5);
        INFO(test::describe(sim));
        CHECK_FALSE(sim.failed());
    }
    CHECK(torn_part_way);
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
