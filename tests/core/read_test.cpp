// Reads without a log entry (thesis §6.4): ReadIndex and lease reads
// (core/src/node_read.cpp).
#include "helpers.hpp"

namespace raftsim::test {
namespace {

using core::ReadError;
using core::ReadMode;
using core::ReadOutcome;
using core::Role;

core::Config lease_config() {
    core::Config config = test_config();
    config.lease_reads = true;
    // The lease check must not step the isolated leader down before its
    // read lease has run out (heartbeat timeout 10 ticks: lease 9 ticks).
    config.leader_lease_ticks = 10;
    return config;
}

/// A three-voter cluster with a settled leader.
struct Cluster {
    sim::Pump pump;
    NodeId leader = core::node_none;

    explicit Cluster(const core::Config& config, std::size_t count = 3) : pump(count, config, 7) {
        leader = pump.run_until_leader(500);
        REQUIRE(leader != core::node_none);
        pump.stabilize();
    }
    core::Node& node() { return pump.node(leader); }
    [[nodiscard]] std::size_t answered() const { return pump.read_results(leader).size(); }
};

/// Node 1 of three, leader with its no-op committed through node 2's
/// acknowledgement of round 1 (a Node driven by hand, without a pump).
core::Node committed_leader() {
    core::Node leader = make_node(1, 3);
    make_leader(leader, 3);
    core::Message ack = append_response(2, 1, leader.term(), true, leader.log().last_index());
    ack.read_round = 1;
    REQUIRE(leader.step(ack) == core::RejectReason::none);
    static_cast<void>(drain(leader));
    REQUIRE(leader.commit_index() == leader.log().last_index());
    return leader;
}

TEST_CASE("read: a follower refuses both kinds of read as not_leader", "[read]") {
    Cluster cluster(lease_config());
    const NodeId follower = cluster.leader == 1 ? 2 : 1;
    for (const ReadMode mode : {ReadMode::read_index, ReadMode::lease}) {
        CAPTURE(core::to_string(mode));
        CHECK(cluster.pump.node(follower).read(1, mode).error == ReadError::not_leader);
    }
}

TEST_CASE(
    "read_index: answered once a quorum acknowledged a round started after the read, and "
    "only when applied through the read index (§6.4)",
    "[read]") {
    const std::size_t count = GENERATE(std::size_t{1}, std::size_t{3}, std::size_t{5});
    CAPTURE(count);
    Cluster cluster(test_config(), count);
    const core::ReadStart start = cluster.node().read(41, ReadMode::read_index);
    REQUIRE(start.ok());
    CHECK(start.read_index == cluster.node().commit_index());
    CHECK(cluster.answered() == 0);  // nothing before the round
    cluster.pump.stabilize();
    REQUIRE(cluster.answered() == 1);
    const sim::Pump::AnsweredRead& answer = cluster.pump.read_results(cluster.leader)[0];
    CHECK(answer.result.id == 41);
    CHECK(answer.result.outcome == ReadOutcome::ready);
    CHECK(answer.result.read_index == start.read_index);
    CHECK(answer.applied_count >= start.read_index);
    CHECK(cluster.node().stats().reads_served == 1);
}

TEST_CASE(
    "read_index: a leader cut off from its quorum never confirms the read and fails it "
    "as leadership_lost when it steps down",
    "[read]") {
    Cluster cluster(test_config());
    cluster.pump.isolate(cluster.leader);
    REQUIRE(cluster.node().read(7, ReadMode::read_index).ok());
    for (int i = 0; i < 30 && cluster.node().role() == Role::leader; ++i) {
        cluster.pump.tick_all();
        CHECK((cluster.answered() == 0 || cluster.node().role() != Role::leader));
    }
    REQUIRE(cluster.node().role() != Role::leader);
    cluster.pump.stabilize();
    REQUIRE(cluster.answered() == 1);
    CHECK(cluster.pump.read_results(cluster.leader)[0].result.outcome ==
          ReadOutcome::leadership_lost);
    CHECK(cluster.node().stats().reads_served == 0);
}

TEST_CASE("read_index: refused until the leader has committed an entry of its term (§6.4 step 1)",
          "[read]") {
    sim::Pump pump(3, test_config(), 7);
    // No acknowledgement reaches anyone: a leader is elected, its no-op
    // cannot commit.
    pump.set_drop_filter([](const core::Message& message) {
        return message.type == core::MessageType::append_entries_response;
    });
    const NodeId leader = pump.run_until_leader(500);
    REQUIRE(leader != core::node_none);
    for (const ReadMode mode : {ReadMode::read_index, ReadMode::lease}) {
        CHECK(pump.node(leader).read(1, mode).error == ReadError::not_committed_in_term);
    }
    pump.set_drop_filter({});
    pump.tick_all(2);
    REQUIRE(pump.node(leader).role() == Role::leader);
    CHECK(pump.node(leader).read(2, ReadMode::read_index).ok());
}

TEST_CASE("read_index: an echo of a round the leader never sent confirms nothing", "[read]") {
    core::Node leader = committed_leader();
    REQUIRE(leader.read(9, ReadMode::read_index).ok());
    static_cast<void>(drain(leader));  // round 2 starts
    const std::uint64_t stale_before = leader.stats().stale_responses;
    core::Message forged = append_response(3, 1, leader.term(), true, leader.log().last_index());
    forged.read_round = 99;
    REQUIRE(leader.step(forged) == core::RejectReason::none);
    CHECK(leader.stats().stale_responses == stale_before + 1);
    CHECK(drain(leader).read_results.empty());
    // The real echo of round 2 does confirm it.
    core::Message real = append_response(3, 1, leader.term(), true, leader.log().last_index());
    real.read_round = 2;
    REQUIRE(leader.step(real) == core::RejectReason::none);
    const core::Ready answered = drain(leader);
    REQUIRE(answered.read_results.size() == 1);
    CHECK(answered.read_results[0].id == 9);
}

TEST_CASE("read_index: pending reads fail when a higher term deposes the leader", "[read]") {
    core::Node leader = committed_leader();
    REQUIRE(leader.read(5, ReadMode::read_index).ok());
    REQUIRE(leader.step(vote_response(3, 1, leader.term() + 1, false)) == core::RejectReason::none);
    CHECK(leader.role() == Role::follower);
    const core::Ready ready = drain(leader);
    REQUIRE(ready.read_results.size() == 1);
    CHECK(ready.read_results[0].outcome == ReadOutcome::leadership_lost);
}

TEST_CASE("lease: refused unless lease_reads and check_quorum are both on", "[read]") {
    struct Case {
        bool lease_reads;
        bool check_quorum;
        ReadError expected;
    };
    const Case cases[] = {{false, true, ReadError::lease_reads_off},
                          {true, false, ReadError::lease_reads_off},
                          {false, false, ReadError::lease_reads_off},
                          {true, true, ReadError::none}};
    for (const Case& c : cases) {
        CAPTURE(c.lease_reads, c.check_quorum);
        core::Config config = lease_config();
        config.lease_reads = c.lease_reads;
        config.check_quorum = c.check_quorum;
        Cluster cluster(config);
        CHECK(cluster.node().read(3, ReadMode::lease).error == c.expected);
    }
}

TEST_CASE(
    "lease: served without a round trip while a quorum's acknowledgement is recent, then "
    "refused as lease_expired by a leader cut off from its quorum, before it steps down",
    "[read]") {
    Cluster cluster(lease_config());
    const std::uint64_t delivered = cluster.pump.delivered_count();
    REQUIRE(cluster.node().read(1, ReadMode::lease).ok());
    cluster.pump.stabilize();
    CHECK(cluster.answered() == 1);
    CHECK(cluster.pump.delivered_count() == delivered);  // no message needed
    CHECK(cluster.node().stats().lease_reads_served == 1);

    cluster.pump.isolate(cluster.leader);
    const std::uint64_t lease_ticks = core::lease_read_ticks(lease_config());
    REQUIRE(lease_ticks == 9);
    std::uint64_t served_ticks = 0;
    for (std::uint64_t tick = 1; tick <= lease_ticks; ++tick) {
        cluster.pump.tick(cluster.leader);
        REQUIRE(cluster.node().role() == Role::leader);
        const core::ReadStart start = cluster.node().read(100 + tick, ReadMode::lease);
        if (!start.ok()) {
            CHECK(start.error == ReadError::lease_expired);
            break;
        }
        served_ticks = tick;
    }
    // The last acknowledged round started at most a tick before isolation.
    CHECK(served_ticks >= lease_ticks - 2);
    CHECK(served_ticks < lease_ticks);
    CHECK(cluster.node().read(200, ReadMode::read_index).ok());  // still leads
}

TEST_CASE("lease: a leader that started a transfer serves no lease read in its term", "[read]") {
    Cluster cluster(lease_config());
    REQUIRE(cluster.node().read(1, ReadMode::lease).ok());
    REQUIRE(cluster.node().transfer_leadership(core::node_none).ok());
    CHECK(cluster.node().read(2, ReadMode::lease).error == ReadError::lease_revoked_by_transfer);
    CHECK(cluster.node().read(3, ReadMode::read_index).ok());
}

TEST_CASE("lease: the read lease is shortened by the clock drift bound", "[read]") {
    struct Case {
        std::uint32_t heartbeat_timeout_ticks;
        std::uint32_t drift_bound_ppm;
        std::uint64_t lease_ticks;
    };
    const Case cases[] = {
        {10, 0, 9}, {100, 0, 99}, {100, 50'000, 89}, {100, 100'000, 81}, {100, 499'999, 33}};
    for (const Case& c : cases) {
        CAPTURE(c.heartbeat_timeout_ticks, c.drift_bound_ppm);
        core::Config config = lease_config();
        config.heartbeat_timeout_ticks = c.heartbeat_timeout_ticks;
        config.election_timeout_ticks = c.heartbeat_timeout_ticks;
        config.clock_drift_bound_ppm = c.drift_bound_ppm;
        REQUIRE(core::validate(config) == core::ConfigError::ok);
        CHECK(core::lease_read_ticks(config) == c.lease_ticks);
    }
    core::Config too_wide = lease_config();
    too_wide.clock_drift_bound_ppm = 500'000;
    CHECK(core::validate(too_wide) == core::ConfigError::clock_drift_bound_too_large);
}

TEST_CASE(
    "lease: with lease reads on, a restarted voter grants no vote within a heartbeat "
    "timeout, so the lease it may have helped grant runs out first",
    "[read]") {
    for (const bool lease_reads : {false, true}) {
        CAPTURE(lease_reads);
        core::Config config = lease_config();
        config.lease_reads = lease_reads;
        Cluster cluster(config);
        const NodeId restarted = cluster.leader == 1 ? 2 : 1;
        NodeId candidate = 1;
        while (candidate == cluster.leader || candidate == restarted) {
            candidate += 1;
        }
        cluster.pump.crash_and_restart(restarted);
        cluster.pump.isolate(cluster.leader);
        cluster.pump.node(candidate).campaign();
        cluster.pump.stabilize();
        const bool elected = cluster.pump.node(candidate).role() == Role::leader;
        CHECK(elected == !lease_reads);
        CHECK((cluster.pump.node(restarted).stats().votes_rejected_sticky_leader > 0) ==
              lease_reads);
    }
}

}  // namespace
}  // namespace raftsim::test
