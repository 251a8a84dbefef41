// Leadership transfer: Raft thesis §3.10 and hashicorp/raft's
// LeadershipTransfer. The leader stops taking proposals, brings the target's
// log up to date, then sends TimeoutNow; the target campaigns at once,
// skipping pre-vote, and voters set leader stickiness aside for it.
#include <functional>
#include <vector>

#include "helpers.hpp"

namespace raftsim::test {
namespace {

using core::Configuration;
using core::RejectReason;
using core::Role;
using core::Suffrage;
using core::TransferError;
using core::TransferOutcome;
using core::TransferResult;

// ------------------------------------------------------------ local helpers

core::Config without_check_quorum() {
    core::Config config = test_config();
    config.check_quorum = false;  // the leader ticks with nobody answering
    return config;
}

/// Voters 1, 2 and 3 and a nonvoter 4.
Configuration three_voters_one_nonvoter() {
    return Configuration{.servers = {{.id = 1, .suffrage = Suffrage::voter},
                                     {.id = 2, .suffrage = Suffrage::voter},
                                     {.id = 3, .suffrage = Suffrage::voter},
                                     {.id = 4, .suffrage = Suffrage::nonvoter}}};
}

std::vector<Message> timeouts_now(const core::Ready& ready) {
    return of_type(ready, MessageType::timeout_now);
}

void propose_n(core::Node& leader, int count) {
    for (int i = 0; i < count; ++i) {
        REQUIRE(leader.propose(static_cast<core::RequestId>(100 + i), {1}).ok());
    }
}

// ----------------------------------------------------------------- starting

TEST_CASE("transfer: to a named, up-to-date voter sends it TimeoutNow at once (thesis §3.10)",
          "[transfer]") {
    const NodeId target = GENERATE(NodeId{2}, NodeId{3});
    core::Node leader = make_committed_leader(3);
    const core::TransferStart start = leader.transfer_leadership(target);
    REQUIRE(start.ok());
    CHECK(start.target == target);
    CHECK(leader.transfer_target() == target);
    CHECK(leader.stats().transfers_started == 1);
    CHECK(leader.role() == Role::leader);
    const std::vector<Message> sent = timeouts_now(drain(leader));
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].to == target);
    CHECK(sent[0].from == 1);
    CHECK(sent[0].term == 2);
}

struct PickCase {
    Index match_2;
    Index match_3;
    NodeId expected;
};

TEST_CASE(
    "transfer: with no target named, picks the voter with the highest match index, the "
    "lowest id on ties (hashicorp pickServer)",
    "[transfer]") {
    const PickCase row = GENERATE(values<PickCase>({
        {4, 3, 2},
        {3, 4, 3},
        {4, 4, 2},
        {2, 3, 3},
        {3, 3, 2},
    }));
    CAPTURE(row.match_2, row.match_3);
    core::Node leader = make_node_with(1, three_voters_one_nonvoter());
    make_leader(leader, 3);
    propose_n(leader, 2);  // indexes 3 and 4
    static_cast<void>(drain(leader));
    // The nonvoter is furthest ahead but cannot lead.
    REQUIRE(leader.step(append_response(4, 1, 2, true, 4)) == RejectReason::none);
    REQUIRE(leader.step(append_response(2, 1, 2, true, row.match_2)) == RejectReason::none);
    REQUIRE(leader.step(append_response(3, 1, 2, true, row.match_3)) == RejectReason::none);
    static_cast<void>(drain(leader));

    const core::TransferStart start = leader.transfer_leadership(core::node_none);
    REQUIRE(start.ok());
    CHECK(start.target == row.expected);
    CHECK(leader.transfer_target() == row.expected);
    const Index target_match = row.expected == 2 ? row.match_2 : row.match_3;
    CHECK(timeouts_now(drain(leader)).size() == (target_match == 4 ? 1U : 0U));
}

struct StartErrorCase {
    const char* name;
    std::function<core::Node()> setup;
    NodeId target;
    TransferError error;
};

TEST_CASE("transfer: transfer_leadership refuses with a reason and changes nothing", "[transfer]") {
    const auto leader = [] { return make_committed_leader(three_voters_one_nonvoter(), 3); };
    const auto follower = [] { return make_node(2, 3); };
    const auto lone_voter = [] {
        // Voter 1 and nonvoter 2: nobody else can lead.
        core::Node node = make_node_with(
            1, Configuration{.servers = {{1, Suffrage::voter}, {2, Suffrage::nonvoter}}});
        make_leader(node, 1);
        return node;
    };
    const auto transferring = [leader] {
        core::Node node = leader();
        REQUIRE(node.transfer_leadership(3).ok());
        static_cast<void>(drain(node));
        return node;
    };
    const StartErrorCase row = GENERATE_COPY(values<StartErrorCase>({
        {"a follower", follower, 1, TransferError::not_leader},
        {"to itself", leader, 1, TransferError::target_not_voter},
        {"to a nonvoter", leader, 4, TransferError::target_not_voter},
        {"to a server outside the configuration", leader, 9, TransferError::target_not_voter},
        {"no other voter, none named", lone_voter, core::node_none, TransferError::no_target},
        {"no other voter, the nonvoter named", lone_voter, 2, TransferError::target_not_voter},
        {"a second transfer to another voter", transferring, 2,
         TransferError::transfer_in_progress},
        {"a second transfer, none named", transferring, core::node_none,
         TransferError::transfer_in_progress},
    }));
    INFO(row.name);
    core::Node node = row.setup();
    const NodeId target_before = node.transfer_target();
    const std::uint64_t started_before = node.stats().transfers_started;
    const core::TransferStart start = node.transfer_leadership(row.target);
    CHECK(core::to_string(start.error) == core::to_string(row.error));
    CHECK(start.target == core::node_none);
    CHECK(node.transfer_target() == target_before);
    CHECK(node.stats().transfers_started == started_before);
    CHECK(timeouts_now(drain(node)).empty());
}

TEST_CASE(
    "transfer: a leader refuses proposals and barriers while transferring (hashicorp "
    "ErrLeadershipTransferInProgress)",
    "[transfer]") {
    const bool barrier = GENERATE(false, true);
    CAPTURE(barrier);
    core::Node leader = make_committed_leader(3, without_check_quorum());
    REQUIRE(leader.transfer_leadership(2).ok());
    const core::ProposeResult refused = barrier ? leader.barrier(5) : leader.propose(5, {5});
    CHECK(refused.error == core::ProposeError::leadership_transfer_in_progress);
    CHECK(leader.log().last_index() == 2);
    static_cast<void>(drain(leader));

    // Once the transfer has failed, the leader takes work again.
    for (std::uint32_t i = 0; i < leader.config().election_timeout_ticks; ++i) {
        leader.tick();
        static_cast<void>(drain(leader));
    }
    REQUIRE(leader.transfer_target() == core::node_none);
    CHECK((barrier ? leader.barrier(6) : leader.propose(6, {6})).ok());
}

// ------------------------------------------------------------- TimeoutNow

TEST_CASE(
    "transfer: TimeoutNow waits until the target's match index reaches the leader's last "
    "index (thesis §3.10)",
    "[transfer]") {
    core::Node leader = make_committed_leader(3);
    propose_n(leader, 2);  // indexes 3 and 4, not yet sent
    REQUIRE(leader.transfer_leadership(2).ok());
    // The target is behind: the leader sends it the missing entries first.
    const core::Ready first = drain(leader);
    CHECK(timeouts_now(first).empty());
    bool caught_up_sent = false;
    for (const Message& message : of_type(first, MessageType::append_entries)) {
        caught_up_sent = caught_up_sent || (message.to == 2 && !message.entries.empty() &&
                                            message.entries.back().index == 4);
    }
    CHECK(caught_up_sent);

    REQUIRE(leader.step(append_response(2, 1, 2, true, 3)) == RejectReason::none);
    CHECK(timeouts_now(drain(leader)).empty());
    // Server 3 catching up does not matter: it is not the target.
    REQUIRE(leader.step(append_response(3, 1, 2, true, 4)) == RejectReason::none);
    CHECK(timeouts_now(drain(leader)).empty());

    REQUIRE(leader.step(append_response(2, 1, 2, true, 4)) == RejectReason::none);
    const std::vector<Message> sent = timeouts_now(drain(leader));
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].to == 2);
    CHECK(sent[0].term == 2);
}

TEST_CASE(
    "transfer: the target campaigns at once, skipping pre-vote, and a voter following the "
    "old leader grants it (thesis §3.10, hashicorp)",
    "[transfer]") {
    // With pre-vote on and leader stickiness, a voter that merely campaigns
    // cannot unseat a live leader; a transfer target can. RequestVotes to the
    // old leader are dropped, so the target needs the sticky third voter.
    const bool via_transfer = GENERATE(true, false);
    CAPTURE(via_transfer);
    core::Config config = test_config();
    config.pre_vote = true;
    sim::Pump cluster(config, 1);
    for (NodeId id = 1; id <= 3; ++id) {
        cluster.bootstrap(id, Configuration::voters(3));
    }
    const NodeId old_leader = cluster.run_until_leader(300);
    REQUIRE(old_leader != core::node_none);
    const Term term = cluster.node(old_leader).term();
    const NodeId target = old_leader == 1 ? 2 : 1;
    const NodeId third = 6 - old_leader - target;
    REQUIRE(cluster.node(third).leader_id() == old_leader);
    const std::uint64_t pre_votes_before = cluster.node(target).stats().pre_votes_started;
    const std::uint64_t sticky_before = cluster.node(third).stats().votes_rejected_sticky_leader;
    cluster.set_drop_filter([old_leader](const Message& message) {
        return message.type == MessageType::request_vote && message.to == old_leader;
    });

    if (via_transfer) {
        REQUIRE(cluster.node(old_leader).transfer_leadership(target).ok());
        cluster.process_ready(old_leader);
    } else {
        cluster.node(target).campaign();
        cluster.process_ready(target);
    }
    cluster.stabilize();

    if (via_transfer) {
        CHECK(cluster.leader() == target);
        CHECK(cluster.node(target).term() == term + 1);
        CHECK(cluster.node(target).stats().pre_votes_started == pre_votes_before);
        CHECK(cluster.node(third).voted_for() == target);
        CHECK(cluster.node(old_leader).role() == Role::follower);
        CHECK(cluster.transfer_results(old_leader) ==
              std::vector<TransferResult>{{.target = target,
                                           .outcome = TransferOutcome::completed,
                                           .started_term = term,
                                           .term = term + 1}});
    } else {
        CHECK(cluster.leader() == old_leader);
        CHECK(cluster.node(old_leader).term() == term);
        CHECK(cluster.node(third).stats().votes_rejected_sticky_leader > sticky_before);
    }
}

// ---------------------------------------------------------------- outcomes

TEST_CASE(
    "transfer: fails with timed_out after election_timeout_ticks without a new leader "
    "(hashicorp)",
    "[transfer]") {
    core::Node leader = make_committed_leader(3, without_check_quorum());
    REQUIRE(leader.transfer_leadership(2).ok());
    static_cast<void>(drain(leader));  // the TimeoutNow is lost
    const std::uint32_t timeout = leader.config().election_timeout_ticks;
    for (std::uint32_t i = 1; i < timeout; ++i) {
        leader.tick();
        REQUIRE(drain(leader).transfer_results.empty());
    }
    REQUIRE(leader.transfer_target() == 2);
    leader.tick();
    const core::Ready ready = drain(leader);
    CHECK(ready.transfer_results ==
          std::vector<TransferResult>{
              {.target = 2, .outcome = TransferOutcome::timed_out, .started_term = 2, .term = 2}});
    CHECK(leader.transfer_target() == core::node_none);
    CHECK(leader.role() == Role::leader);
}

TEST_CASE(
    "transfer: the old leader reports completed when it hears from the target leading a "
    "later term",
    "[transfer]") {
    core::Node leader = make_committed_leader(3);
    REQUIRE(leader.transfer_leadership(2).ok());
    REQUIRE(timeouts_now(drain(leader)).size() == 1);

    // The target campaigns with the transfer flag; the old leader votes for
    // it and steps down, but the outcome is not known yet.
    Message request = request_vote(2, 1, 3, 2, 2);
    request.leadership_transfer = true;
    REQUIRE(leader.step(request) == RejectReason::none);
    core::Ready ready = drain(leader);
    REQUIRE(of_type(ready, MessageType::request_vote_response).size() == 1);
    CHECK(of_type(ready, MessageType::request_vote_response)[0].granted);
    CHECK(leader.role() == Role::follower);
    CHECK(ready.transfer_results.empty());
    CHECK(leader.transfer_target() == 2);

    REQUIRE(leader.step(append_entries(2, 1, 3, 2, 2, {}, 2)) == RejectReason::none);
    ready = drain(leader);
    CHECK(ready.transfer_results ==
          std::vector<TransferResult>{
              {.target = 2, .outcome = TransferOutcome::completed, .started_term = 2, .term = 3}});
    CHECK(leader.transfer_target() == core::node_none);
}

struct LostCase {
    const char* name;
    /// Whether the target lags, so no TimeoutNow has gone out.
    bool target_lags;
    std::function<void(core::Node&)> event;
    Term result_term;
};

TEST_CASE(
    "transfer: leadership_lost when another node leads, or the leader steps down before "
    "sending TimeoutNow",
    "[transfer]") {
    const auto leader_3_appends = [](core::Node& node) {
        REQUIRE(node.step(append_entries(3, 1, 3, 2, 2, {}, 2)) == RejectReason::none);
    };
    const auto lease_expires = [](core::Node& node) {
        for (int i = 0; i < 20 && node.role() == Role::leader; ++i) {
            node.tick();
        }
    };
    const LostCase row = GENERATE_COPY(values<LostCase>({
        {"server 3 leads after the TimeoutNow", false, leader_3_appends, 3},
        {"server 3 leads before any TimeoutNow", true, leader_3_appends, 3},
        {"the lease expires before any TimeoutNow", true, lease_expires, 2},
    }));
    INFO(row.name);
    core::Node leader = make_committed_leader(3);
    if (row.target_lags) {
        propose_n(leader, 1);
    }
    REQUIRE(leader.transfer_leadership(2).ok());
    REQUIRE(timeouts_now(drain(leader)).size() == (row.target_lags ? 0U : 1U));
    row.event(leader);
    REQUIRE(leader.role() == Role::follower);
    const core::Ready ready = drain(leader);
    CHECK(ready.transfer_results ==
          std::vector<TransferResult>{{.target = 2,
                                       .outcome = TransferOutcome::leadership_lost,
                                       .started_term = 2,
                                       .term = row.result_term}});
    CHECK(leader.transfer_target() == core::node_none);
}

TEST_CASE(
    "transfer: the configuration is frozen while a transfer runs, so the target keeps its "
    "vote (target_removed cannot arise)",
    "[transfer]") {
    // Voters 1..3 and a staging server 4 that has caught up, so it is due
    // for promotion: the leader's own changes are the only way the target
    // could lose its vote, and all of them wait for the transfer to end.
    const Configuration configuration{.servers = {{1, Suffrage::voter},
                                                  {2, Suffrage::voter},
                                                  {3, Suffrage::voter},
                                                  {4, Suffrage::staging}}};
    core::Node leader = make_node_with(1, configuration, without_check_quorum());
    make_leader(leader, 3);
    REQUIRE(leader.step(append_response(2, 1, 2, true, 2)) == RejectReason::none);
    REQUIRE(leader.step(append_response(3, 1, 2, true, 2)) == RejectReason::none);
    static_cast<void>(drain(leader));
    REQUIRE(leader.commit_index() == 2);
    REQUIRE(leader.transfer_leadership(2).ok());

    for (const core::ChangeKind kind :
         {core::ChangeKind::remove_server, core::ChangeKind::demote_voter}) {
        CHECK(leader.change_membership(1, {.kind = kind, .server = 2}).error ==
              core::ChangeError::leadership_transfer_in_progress);
    }
    REQUIRE(leader.step(append_response(4, 1, 2, true, 2)) == RejectReason::none);
    CHECK(leader.stats().promotions == 0);
    CHECK(leader.configuration() == configuration);
    CHECK(leader.log().last_index() == 2);
    CHECK(leader.transfer_target() == 2);

    // The transfer times out (its TimeoutNow was lost); the promotion follows.
    core::Ready ready;
    for (std::uint32_t i = 0; i < leader.config().election_timeout_ticks; ++i) {
        leader.tick();
        ready = drain(leader);
    }
    REQUIRE(ready.transfer_results.size() == 1);
    CHECK(ready.transfer_results[0].outcome == TransferOutcome::timed_out);
    CHECK(leader.stats().promotions == 1);
    CHECK(leader.configuration().is_voter(4));
}

}  // namespace
}  // namespace raftsim::test
