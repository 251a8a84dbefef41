// Process pauses (Simulation::pause, sim/src/simulation_pause.cpp): nothing
// reaches a paused node; on resume it gets its missed ticks, then its held
// messages in arrival order, then its wake-ups (issue 16).
#include <catch2/catch.hpp>
#include <vector>

#include "helpers.hpp"
#include "raftsim/sim/simulation.hpp"

namespace raftsim::sim {
namespace {

using core::NodeId;
using core::Role;
using test::elect;
using test::long_wait;
using test::options;

constexpr TimeUs pause_us = 2 * us_per_second;

struct PauseMarks {
    std::size_t paused = 0;
    std::size_t resumed = 0;
};

PauseMarks find_pause(const std::vector<TraceRecord>& records, NodeId node) {
    PauseMarks marks{records.size(), records.size()};
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (records[i].kind == TraceKind::pause && records[i].node == node) {
            (records[i].sub == 0 ? marks.paused : marks.resumed) = i;
        }
    }
    return marks;
}

TEST_CASE(
    "pause: a paused follower gets no tick, message or wake-up until it resumes, then its "
    "missed ticks and the messages held for it",
    "[pause]") {
    Simulation sim(test::traced(3, 4));
    const NodeId leader = elect(sim);
    const NodeId follower = test::follower_of(leader);
    sim.run_for(us_per_second);
    sim.pause(follower, pause_us);
    CHECK(sim.paused(follower));
    sim.run_for(pause_us + us_per_second);
    CHECK_FALSE(sim.paused(follower));
    const std::vector<TraceRecord>& records = sim.trace().records();
    const PauseMarks marks = find_pause(records, follower);
    REQUIRE(marks.paused < marks.resumed);
    REQUIRE(marks.resumed < records.size());
    const TraceRecord& resumed = records[marks.resumed];
    CHECK(resumed.time == records[marks.paused].time + pause_us);
    // Ticks every tick_us went on being counted, not handled.
    CHECK(resumed.a == pause_us / test::tick_us);
    CHECK(resumed.b > 10);  // the leader's heartbeats, held
    for (std::size_t i = marks.paused + 1; i < marks.resumed; ++i) {
        const bool to_paused = records[i].kind == TraceKind::deliver && records[i].node == follower;
        CHECK_FALSE(to_paused);
    }
    // The held messages are handed over at the resume, in one instant.
    std::size_t delivered_at_resume = 0;
    for (std::size_t i = marks.resumed + 1; i < records.size(); ++i) {
        if (records[i].time != resumed.time) {
            break;
        }
        delivered_at_resume += records[i].kind == TraceKind::deliver ? 1 : 0;
    }
    CHECK(delivered_at_resume == resumed.b);
    sim.verify(sim.now() + long_wait);
    CHECK_FALSE(sim.failed());
}

TEST_CASE(
    "pause: a paused leader resumes believing it leads; with check-quorum its missed ticks "
    "depose it before any held message, without it a higher term does",
    "[pause]") {
    for (const bool check_quorum : {true, false}) {
        CAPTURE(check_quorum);
        SimOptions chosen = options(5, 9);
        chosen.raft.check_quorum = check_quorum;
        chosen.keep_trace = true;
        Simulation sim(chosen);
        const NodeId leader = elect(sim);
        const core::Term term = sim.host(leader).node->term();
        sim.pause(leader, 4 * us_per_second);
        sim.run_for(4 * us_per_second - 1);
        // Paused, it cannot have noticed anything: it still leads its term,
        // while the others have elected another leader of a later term.
        REQUIRE(sim.paused(leader));
        CHECK(sim.host(leader).node->role() == Role::leader);
        CHECK(sim.host(leader).node->term() == term);
        const NodeId other = sim.leader();
        CHECK(other != leader);
        sim.run_for(us_per_second);
        CHECK(sim.host(leader).node->role() != Role::leader);
        const std::vector<TraceRecord>& records = sim.trace().records();
        const PauseMarks marks = find_pause(records, leader);
        REQUIRE(marks.resumed < records.size());
        std::size_t step_down = records.size();
        std::size_t first_delivery = records.size();
        for (std::size_t i = marks.resumed; i < records.size(); ++i) {
            const TraceRecord& record = records[i];
            if (record.node != leader) {
                continue;
            }
            if (record.kind == TraceKind::role_change && step_down == records.size()) {
                step_down = i;
            }
            if (record.kind == TraceKind::deliver && first_delivery == records.size()) {
                first_delivery = i;
            }
        }
        REQUIRE(step_down < records.size());
        CHECK((step_down < first_delivery) == check_quorum);
        sim.verify(sim.now() + long_wait);
        CHECK_FALSE(sim.failed());
    }
}

TEST_CASE("pause: a crash ends a pause and discards what it held; the restart runs normally",
          "[pause]") {
    Simulation sim(options(3, 2));
    const NodeId leader = elect(sim);
    const NodeId follower = test::follower_of(leader);
    sim.pause(follower, 10 * us_per_second);
    sim.run_for(us_per_second);
    sim.crash(follower, true);
    CHECK_FALSE(sim.paused(follower));
    sim.run_for(us_per_second);
    sim.restart(follower);
    sim.run_for(10 * us_per_second);  // past the old resume: it must do nothing
    CHECK_FALSE(sim.paused(follower));
    sim.verify(sim.now() + long_wait);
    INFO(test::describe(sim));
    CHECK_FALSE(sim.failed());
}

TEST_CASE("pause: key-value clients through leader pauses stay linearizable (all read paths)",
          "[pause]") {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        CAPTURE(seed);
        SimOptions chosen = options(5, seed);
        chosen.state_machine = StateMachineKind::kv;
        chosen.raft.lease_reads = true;
        chosen.kv_clients = KvClientOptions{
            .clients = 6, .keys = 3, .read_index_weight = 3, .lease_read_weight = 3};
        Simulation sim(chosen);
        sim.start_clients();
        for (int round = 0; round < 3; ++round) {
            const NodeId leader = elect(sim);
            sim.pause(leader, 3 * us_per_second);
            sim.run_for(5 * us_per_second);
        }
        sim.verify(sim.now() + long_wait);
        sim.check_client_history();
        INFO(test::describe(sim));
        REQUIRE_FALSE(sim.failed());
        REQUIRE(sim.linearizability().has_value());
        CHECK(sim.linearizability()->verdict == Verdict::linearizable);
    }
}

}  // namespace
}  // namespace raftsim::sim
