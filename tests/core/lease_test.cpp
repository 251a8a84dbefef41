// Check-quorum / leader lease: hashicorp's checkLeaderLease (raft.go), Raft
// thesis §6.2 ("a leader steps down if an election timeout elapses without a
// successful round of heartbeats to a majority of its cluster").
#include <algorithm>

#include "helpers.hpp"

namespace raftsim::test {
namespace {

using core::RejectReason;
using core::RequestOutcome;
using core::RequestResult;
using core::Role;

/// Ticks every node until `id` is no longer leader; returns the tick count
/// (or ticks_max + 1 if it never stepped down).
std::uint32_t ticks_until_step_down(sim::Pump& pump, NodeId id, std::uint32_t ticks_max) {
    for (std::uint32_t i = 1; i <= ticks_max; ++i) {
        pump.tick_all();
        if (pump.node(id).role() != Role::leader) {
            return i;
        }
    }
    return ticks_max + 1;
}

/// Ticks every node `ticks` times; returns false as soon as `id` stops leading.
bool keeps_leading(sim::Pump& pump, NodeId id, std::uint32_t ticks) {
    const Term term = pump.node(id).term();
    for (std::uint32_t i = 0; i < ticks; ++i) {
        pump.tick_all();
        if (pump.node(id).role() != Role::leader || pump.node(id).term() != term) {
            return false;
        }
    }
    return true;
}

/// Voters 1..3 and a nonvoter 4.
core::Configuration three_voters_one_nonvoter() {
    return core::Configuration{.servers = {{.id = 1, .suffrage = core::Suffrage::voter},
                                           {.id = 2, .suffrage = core::Suffrage::voter},
                                           {.id = 3, .suffrage = core::Suffrage::voter},
                                           {.id = 4, .suffrage = core::Suffrage::nonvoter}}};
}

constexpr std::uint32_t lease = 5;  // test_config().leader_lease_ticks

TEST_CASE(
    "leader: isolated from all followers, steps down on the lease check, keeping its "
    "term, and counts it in lease_step_downs (thesis §6.2, hashicorp)",
    "[lease]") {
    REQUIRE(test_config().leader_lease_ticks == lease);
    const std::size_t count = GENERATE(std::size_t{3}, std::size_t{5});
    const std::uint32_t phase = GENERATE(range(std::uint32_t{0}, lease));
    CAPTURE(count, phase);
    sim::Pump pump(count, test_config(), 5);
    const NodeId leader = pump.run_until_leader(500);
    REQUIRE(leader != core::node_none);
    for (std::uint32_t i = 0; i < phase; ++i) {
        pump.tick_all();
    }
    REQUIRE(pump.leader() == leader);
    const Term term = pump.node(leader).term();
    const std::uint64_t won = pump.node(leader).stats().elections_won;

    pump.isolate(leader);
    // The tight bound (one lease after the last contact) is pinned by the
    // test below, over every phase of the lease.
    const std::uint32_t ticks = ticks_until_step_down(pump, leader, 20 * lease);
    CHECK(ticks <= lease + 1);
    const core::Node& node = pump.node(leader);
    CHECK(node.role() == Role::follower);
    CHECK(node.term() == term);  // stepped down by the lease, not by a newer term
    CHECK(node.leader_id() == core::node_none);
    CHECK(node.stats().lease_step_downs == 1);
    CHECK(node.stats().elections_won == won);
}

TEST_CASE(
    "leader: isolated from all followers, steps down within leader_lease ticks of its "
    "last contact (hashicorp checkLeaderLease)",
    "[lease]") {
    // hashicorp re-checks when the oldest contact would expire (lease -
    // maxDiff), so it steps down about LeaderLeaseTimeout after it last heard
    // from a quorum, whatever the phase of its timer. One tick of slack.
    const std::uint32_t phase = GENERATE(range(std::uint32_t{0}, lease));
    CAPTURE(phase);
    sim::Pump pump(3, test_config(), 5);
    const NodeId leader = pump.run_until_leader(500);
    REQUIRE(leader != core::node_none);
    for (std::uint32_t i = 0; i < phase; ++i) {
        pump.tick_all();
    }
    // Every tick the leader heartbeats and hears both followers back, so its
    // last contact with a quorum is the tick before isolation.
    pump.isolate(leader);
    const std::uint32_t ticks = ticks_until_step_down(pump, leader, 20 * lease);
    CHECK(ticks <= lease + 1);
    CHECK(pump.node(leader).stats().lease_step_downs == 1);
}

TEST_CASE(
    "leader: that hears from a quorum keeps leading for many lease periods "
    "(thesis §6.2, hashicorp)",
    "[lease]") {
    const bool one_follower_isolated = GENERATE(false, true);
    const std::uint64_t seed = GENERATE(5, 21);
    sim::Pump pump(3, test_config(), seed);
    const NodeId leader = pump.run_until_leader(500);
    REQUIRE(leader != core::node_none);
    if (one_follower_isolated) {
        pump.isolate(leader == 1 ? 2 : 1);  // leader + one follower: still 2 of 3
    }
    CHECK(keeps_leading(pump, leader, 50 * lease));
    CHECK(pump.node(leader).stats().lease_step_downs == 0);
}

TEST_CASE("leader: with check_quorum=false does not step down when isolated (hashicorp)",
          "[lease]") {
    core::Config config = test_config();
    config.check_quorum = false;
    sim::Pump pump(3, config, 5);
    const NodeId leader = pump.run_until_leader(500);
    REQUIRE(leader != core::node_none);
    pump.isolate(leader);
    CHECK(keeps_leading(pump, leader, 50 * lease));
    CHECK(pump.node(leader).stats().lease_step_downs == 0);
}

TEST_CASE(
    "leader: in a 5-node cluster steps down when it reaches only 1 follower, not when it "
    "reaches 2 (majority of voters, thesis §6.2)",
    "[lease]") {
    const std::size_t reachable = GENERATE(std::size_t{1}, std::size_t{2});
    CAPTURE(reachable);
    sim::Pump pump(5, test_config(), 9);
    const NodeId leader = pump.run_until_leader(500);
    REQUIRE(leader != core::node_none);
    const Term term = pump.node(leader).term();
    // Cut every follower beyond the reachable ones off from everybody, so the
    // rest cannot elect anyone and only the lease can unseat the leader.
    std::size_t kept = 0;
    for (const NodeId id : pump.ids()) {
        if (id == leader) {
            continue;
        }
        if (kept < reachable) {
            kept += 1;
        } else {
            pump.isolate(id);
        }
    }
    if (reachable == 1) {
        CHECK(ticks_until_step_down(pump, leader, 20 * lease) <= 2 * lease);
        CHECK(pump.node(leader).role() == Role::follower);
        CHECK(pump.node(leader).term() == term);
        CHECK(pump.node(leader).stats().lease_step_downs == 1);
    } else {
        CHECK(keeps_leading(pump, leader, 50 * lease));
        CHECK(pump.node(leader).stats().lease_step_downs == 0);
    }
}

TEST_CASE(
    "leader: a leader that hears from no follower steps down on the first tick past "
    "leader_lease, not before (hashicorp: contact within the lease counts)",
    "[lease]") {
    core::Node node = make_node(1, 3);
    make_leader(node, 3);
    const Term term = node.term();
    // hashicorp's checkLeaderLease counts a follower as contacted while
    // now - lastContact <= LeaderLeaseTimeout, so ticks 1..lease keep leading.
    for (std::uint32_t i = 1; i <= lease; ++i) {
        node.tick();
        static_cast<void>(drain(node));
        REQUIRE(node.role() == Role::leader);
    }
    node.tick();
    const core::Ready ready = drain(node);
    CHECK(node.role() == Role::follower);
    CHECK(node.term() == term);
    CHECK(node.voted_for() == 1);  // same term: the vote stands
    CHECK(node.stats().lease_step_downs == 1);
    REQUIRE(ready.role_changes.size() == 1);
    CHECK(ready.role_changes[0] ==
          core::RoleChange{.from = Role::leader, .to = Role::follower, .term = term});
    REQUIRE(ready.leader_id.has_value());
    CHECK(*ready.leader_id == core::node_none);
    CHECK_FALSE(node.propose(1, {1}).ok());
}

TEST_CASE(
    "leader: after a lease step-down its pending proposals report leadership_lost, "
    "committed ones committed (hashicorp ErrLeadershipLost)",
    "[lease]") {
    core::Node node = make_node(1, 3);
    make_leader(node, 3);  // term 2, no-op at index 2
    const Term term = node.term();
    REQUIRE(node.propose(7, {7}).index == 3);
    static_cast<void>(drain(node));
    // Follower 2 acknowledges through index 3: no-op and proposal 7 commit.
    REQUIRE(node.step(append_response(2, 1, term, true, 3)) == RejectReason::none);
    const core::Ready committed = drain(node);
    CHECK(committed.request_results ==
          std::vector<RequestResult>{
              {.id = 7, .outcome = RequestOutcome::committed, .index = 3, .term = term}});
    REQUIRE(node.propose(8, {8}).index == 4);
    REQUIRE(node.propose(9, {9}).index == 5);
    static_cast<void>(drain(node));

    // Nobody answers any more: within two lease periods the leader steps down.
    std::vector<RequestResult> results;
    std::uint32_t ticks = 0;
    while (node.role() == Role::leader && ticks < 2 * lease) {
        node.tick();
        const core::Ready ready = drain(node);
        results.insert(results.end(), ready.request_results.begin(), ready.request_results.end());
        ticks += 1;
    }
    REQUIRE(node.role() == Role::follower);
    CHECK(node.stats().lease_step_downs == 1);
    CHECK(results ==
          std::vector<RequestResult>{
              {.id = 8, .outcome = RequestOutcome::leadership_lost, .index = 4, .term = term},
              {.id = 9, .outcome = RequestOutcome::leadership_lost, .index = 5, .term = term}});
    // Reported once only.
    node.tick();
    CHECK(drain(node).request_results.empty());
}

TEST_CASE("leader: responses from non-voters do not extend its lease (hashicorp counts voters)",
          "[lease]") {
    const NodeId responder = GENERATE(NodeId{2}, NodeId{4});
    CAPTURE(responder);
    core::Node node =
        core::Node::bootstrap(core::NodeOptions{.id = 1, .config = test_config(), .seed = 1},
                              three_voters_one_nonvoter());
    static_cast<void>(drain(node));
    node.campaign();
    static_cast<void>(drain(node));
    REQUIRE(node.step(vote_response(2, 1, node.term(), true)) == RejectReason::none);
    REQUIRE(node.role() == Role::leader);
    static_cast<void>(drain(node));
    const Term term = node.term();
    REQUIRE(node.progress(4) != nullptr);  // a nonvoter is replicated to

    std::uint32_t ticks = 0;
    for (; ticks < 10 * lease && node.role() == Role::leader; ++ticks) {
        node.tick();
        static_cast<void>(drain(node));
        if (node.role() != Role::leader) {
            break;
        }
        REQUIRE(node.step(append_response(responder, 1, term, true, node.log().last_index())) ==
                RejectReason::none);
        static_cast<void>(drain(node));
    }
    if (responder == 2) {
        CHECK(node.role() == Role::leader);
        CHECK(node.stats().lease_step_downs == 0);
    } else {
        CHECK(node.role() == Role::follower);
        CHECK(ticks < 2 * lease);
        CHECK(node.stats().lease_step_downs == 1);
    }
}

}  // namespace
}  // namespace raftsim::test
