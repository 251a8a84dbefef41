// Membership changes: Raft thesis §4.1 (one server at a time, a configuration
// in effect as soon as it is appended, at most one uncommitted), §4.2.2 (a
// leader that removes itself), §4.2.3 (removed servers must not disrupt), and
// hashicorp/raft membership.md (nonvoters, staging servers and promotion).
#include <vector>

#include "helpers.hpp"

namespace raftsim::test {
namespace {

using core::ChangeError;
using core::ChangeKind;
using core::ChangeRequest;
using core::Configuration;
using core::RejectReason;
using core::Role;
using core::Suffrage;

constexpr Suffrage voter = Suffrage::voter;
constexpr Suffrage nonvoter = Suffrage::nonvoter;
constexpr Suffrage staging = Suffrage::staging;

// ------------------------------------------------------------ local helpers

Configuration servers(std::vector<core::Server> list) {
    Configuration configuration{.servers = std::move(list)};
    REQUIRE(configuration.is_valid());
    return configuration;
}

ChangeRequest change(ChangeKind kind, NodeId server, Index prev_index = 0) {
    return ChangeRequest{.kind = kind, .server = server, .prev_index = prev_index};
}

/// The ids a Ready's RequestVote messages go to.
std::vector<NodeId> vote_requests_to(const core::Ready& ready) {
    std::vector<NodeId> result;
    for (const Message& message : of_type(ready, MessageType::request_vote)) {
        result.push_back(message.to);
    }
    return result;
}

// ------------------------------------------------------- next_configuration

struct NextCase {
    const char* name;
    Configuration current;
    ChangeRequest request;
    ChangeError error;
    /// The next configuration, when error == none.
    Configuration expected;
};

TEST_CASE(
    "membership: next_configuration applies one change at a time or names why not "
    "(hashicorp nextConfiguration)",
    "[membership]") {
    const Configuration three = Configuration::voters(3);
    const Configuration with_nonvoter = servers({{1, voter}, {2, voter}, {3, nonvoter}});
    const Configuration with_staging = servers({{1, voter}, {2, voter}, {3, staging}});
    const Configuration lone_voter = servers({{1, voter}, {2, nonvoter}});
    // The latest configuration is at index 5 in every row.
    const NextCase row = GENERATE_COPY(values<NextCase>({
        {"add_voter: a new server joins as staging", three, change(ChangeKind::add_voter, 4),
         ChangeError::none, servers({{1, voter}, {2, voter}, {3, voter}, {4, staging}})},
        {"add_voter: an existing voter stays a voter",
         three,
         change(ChangeKind::add_voter, 2),
         ChangeError::nothing_to_change,
         {}},
        {"add_voter: a nonvoter becomes staging", with_nonvoter, change(ChangeKind::add_voter, 3),
         ChangeError::none, with_staging},
        {"add_voter: a staging server stays staging",
         with_staging,
         change(ChangeKind::add_voter, 3),
         ChangeError::nothing_to_change,
         {}},
        {"add_nonvoter: a new server joins as nonvoter", three, change(ChangeKind::add_nonvoter, 4),
         ChangeError::none, servers({{1, voter}, {2, voter}, {3, voter}, {4, nonvoter}})},
        {"add_nonvoter: a voter keeps its vote",
         three,
         change(ChangeKind::add_nonvoter, 2),
         ChangeError::nothing_to_change,
         {}},
        {"add_nonvoter: a staging server keeps its suffrage (hashicorp)",
         with_staging,
         change(ChangeKind::add_nonvoter, 3),
         ChangeError::nothing_to_change,
         {}},
        {"demote_voter: a voter becomes a nonvoter", three, change(ChangeKind::demote_voter, 3),
         ChangeError::none, with_nonvoter},
        {"demote_voter: a staging server becomes a nonvoter", with_staging,
         change(ChangeKind::demote_voter, 3), ChangeError::none, with_nonvoter},
        {"demote_voter: a nonvoter is already demoted",
         with_nonvoter,
         change(ChangeKind::demote_voter, 3),
         ChangeError::nothing_to_change,
         {}},
        {"demote_voter: an unknown server",
         three,
         change(ChangeKind::demote_voter, 9),
         ChangeError::nothing_to_change,
         {}},
        {"remove_server: a voter leaves", three, change(ChangeKind::remove_server, 2),
         ChangeError::none, servers({{1, voter}, {3, voter}})},
        {"remove_server: a nonvoter leaves", with_nonvoter, change(ChangeKind::remove_server, 3),
         ChangeError::none, servers({{1, voter}, {2, voter}})},
        {"remove_server: an unknown server",
         three,
         change(ChangeKind::remove_server, 9),
         ChangeError::nothing_to_change,
         {}},
        {"prev_index names the latest configuration", three,
         change(ChangeKind::remove_server, 3, 5), ChangeError::none,
         servers({{1, voter}, {2, voter}})},
        {"prev_index names an older configuration",
         three,
         change(ChangeKind::remove_server, 3, 4),
         ChangeError::configuration_changed,
         {}},
        {"prev_index is checked before anything else",
         three,
         change(ChangeKind::add_voter, core::node_none, 6),
         ChangeError::configuration_changed,
         {}},
        {"removing the last voter",
         lone_voter,
         change(ChangeKind::remove_server, 1),
         ChangeError::no_voters_left,
         {}},
        {"demoting the last voter",
         lone_voter,
         change(ChangeKind::demote_voter, 1),
         ChangeError::no_voters_left,
         {}},
        {"the server id is node_none",
         three,
         change(ChangeKind::add_voter, core::node_none),
         ChangeError::invalid_server,
         {}},
    }));
    INFO(row.name);
    const core::NextConfiguration next = core::next_configuration(row.current, 5, row.request);
    CHECK(core::to_string(next.error) == core::to_string(row.error));
    if (row.error == ChangeError::none) {
        CHECK(next.configuration == row.expected);
        CHECK(next.configuration.is_valid());
    }
}

// ------------------------------------------------------------ taking effect

TEST_CASE(
    "membership: a follower uses a configuration as soon as it is appended, before it "
    "commits (thesis §4.1)",
    "[membership]") {
    core::Node node = make_node(2, 3);
    const Configuration without_3 = servers({{1, voter}, {2, voter}});
    REQUIRE(node.step(append_entries(1, 2, 2, 1, 1, {configuration_entry(2, 2, without_3)}, 1)) ==
            RejectReason::none);
    static_cast<void>(drain(node));
    REQUIRE(node.commit_index() == 1);
    CHECK(node.configuration() == without_3);
    CHECK(node.configuration_index() == 2);
    CHECK(node.committed_configuration() == Configuration::voters(3));
    CHECK(node.committed_configuration_index() == 1);

    // Its elections already follow the new configuration: it asks only
    // server 1, ignores a vote from the removed server 3 and wins with 1's.
    node.campaign();
    const core::Ready ready = drain(node);
    CHECK(vote_requests_to(ready) == std::vector<NodeId>{1});
    REQUIRE(node.step(vote_response(3, 2, 3, true)) == RejectReason::none);
    CHECK(node.role() == Role::candidate);
    REQUIRE(node.step(vote_response(1, 2, 3, true)) == RejectReason::none);
    CHECK(node.role() == Role::leader);
}

TEST_CASE(
    "membership: a leader starts replicating to an added server before the change commits "
    "(thesis §4.1)",
    "[membership]") {
    const ChangeKind kind = GENERATE(ChangeKind::add_voter, ChangeKind::add_nonvoter);
    CAPTURE(core::to_string(kind));
    core::Node leader = make_committed_leader(3);
    const core::ChangeResult result = leader.change_membership(7, change(kind, 4));
    REQUIRE(result.ok());
    CHECK(result.index == 3);
    CHECK(result.term == 2);
    CHECK(leader.commit_index() == 2);
    CHECK(leader.configuration().contains(4));
    CHECK_FALSE(leader.configuration().is_voter(4));  // staging or nonvoter
    REQUIRE(leader.progress(4) != nullptr);
    const core::Ready ready = drain(leader);
    REQUIRE(ready.entries.size() == 1);
    CHECK(ready.entries[0].type == core::EntryType::configuration);
    CHECK(ready.entries[0].configuration == leader.configuration());
    // The next heartbeat probes server 4 at the end of the log, uncommitted
    // configuration included (hashicorp starts replication with a heartbeat).
    leader.tick();
    std::vector<Message> to_4;
    for (const Message& message : of_type(drain(leader), MessageType::append_entries)) {
        if (message.to == 4) {
            to_4.push_back(message);
        }
    }
    REQUIRE(to_4.size() == 1);
    CHECK(to_4[0].prev_log_index == 3);
    CHECK(to_4[0].prev_log_term == 2);
}

// --------------------------------------------------------- refused changes

TEST_CASE(
    "membership: a second change is refused while a configuration is uncommitted "
    "(thesis §4.1)",
    "[membership]") {
    const ChangeRequest second =
        GENERATE(change(ChangeKind::add_nonvoter, 5), change(ChangeKind::remove_server, 3),
                 change(ChangeKind::demote_voter, 2));
    CAPTURE(core::to_string(second.kind), second.server);
    core::Node leader = make_committed_leader(3);
    REQUIRE(leader.change_membership(1, change(ChangeKind::add_nonvoter, 4)).ok());
    const Configuration pending = leader.configuration();
    const core::ChangeResult refused = leader.change_membership(2, second);
    CHECK(refused.error == ChangeError::change_in_progress);
    CHECK(leader.log().last_index() == 3);
    CHECK(leader.configuration() == pending);

    // Once the first change commits, the next one is accepted.
    static_cast<void>(drain(leader));
    ack_from_all(leader, 3);
    REQUIRE(leader.commit_index() == 3);
    const core::ChangeResult accepted = leader.change_membership(3, second);
    CHECK(accepted.ok());
    CHECK(accepted.index == 4);
}

TEST_CASE(
    "membership: a leader refuses changes until it has committed an entry of its own term "
    "(thesis §4.1, 2015 fix)",
    "[membership]") {
    // Entries of term 2 through index 3 are committed; the node then leads
    // term 3 with its no-op at index 4 not yet committed.
    core::Node leader = make_node(1, 3);
    REQUIRE(leader.step(append_entries(2, 1, 2, 1, 1, entries(2, {2, 2}), 3)) ==
            RejectReason::none);
    static_cast<void>(drain(leader));
    REQUIRE(leader.commit_index() == 3);
    make_leader(leader, 3);
    REQUIRE(leader.term() == 3);
    REQUIRE(leader.log().last_index() == 4);

    const core::ChangeResult early = leader.change_membership(1, change(ChangeKind::add_voter, 4));
    CHECK(early.error == ChangeError::leader_not_committed_in_term);
    CHECK(leader.log().last_index() == 4);
    CHECK(leader.configuration() == Configuration::voters(3));

    REQUIRE(leader.step(append_response(2, 1, 3, true, 4)) == RejectReason::none);
    static_cast<void>(drain(leader));
    REQUIRE(leader.commit_index() == 4);
    CHECK(leader.change_membership(2, change(ChangeKind::add_voter, 4)).ok());

    // And a follower is never asked.
    core::Node follower = make_node(2, 3);
    CHECK(follower.change_membership(3, change(ChangeKind::add_voter, 4)).error ==
          ChangeError::not_leader);
}

TEST_CASE("membership: a leader refuses changes while a leadership transfer runs (hashicorp)",
          "[membership]") {
    core::Config config = test_config();
    config.check_quorum = false;  // the leader ticks alone below
    core::Node leader = make_committed_leader(Configuration::voters(3), 3, config);
    REQUIRE(leader.transfer_leadership(2).ok());
    CHECK(leader.change_membership(1, change(ChangeKind::add_nonvoter, 4)).error ==
          ChangeError::leadership_transfer_in_progress);
    CHECK(leader.log().last_index() == 2);
    CHECK_FALSE(leader.configuration().contains(4));

    // The TimeoutNow is lost; once the transfer times out, changes resume.
    for (std::uint32_t i = 0; i < config.election_timeout_ticks; ++i) {
        leader.tick();
        static_cast<void>(drain(leader));
    }
    REQUIRE(leader.transfer_target() == core::node_none);
    REQUIRE(leader.role() == Role::leader);
    CHECK(leader.change_membership(2, change(ChangeKind::add_nonvoter, 4)).ok());
}

// -------------------------------------------------------------- commitment

TEST_CASE(
    "membership: nonvoter and staging acknowledgements do not count towards the commit "
    "quorum (hashicorp)",
    "[membership]") {
    const Suffrage suffrage = GENERATE(nonvoter, staging);
    CAPTURE(core::to_string(suffrage));
    // Four servers without a vote outnumber the three voters.
    const Configuration configuration = servers({{1, voter},
                                                 {2, voter},
                                                 {3, voter},
                                                 {4, suffrage},
                                                 {5, suffrage},
                                                 {6, suffrage},
                                                 {7, suffrage}});
    core::Node leader = make_node_with(1, configuration);
    make_leader(leader, 3);
    for (NodeId peer = 4; peer <= 7; ++peer) {
        REQUIRE(leader.step(append_response(peer, 1, 2, true, 2)) == RejectReason::none);
    }
    static_cast<void>(drain(leader));
    CHECK(leader.commit_index() == 0);
    REQUIRE(leader.step(append_response(2, 1, 2, true, 2)) == RejectReason::none);
    static_cast<void>(drain(leader));
    CHECK(leader.commit_index() == 2);
}

TEST_CASE(
    "membership: a leader counts the voters of its latest configuration, committed or not "
    "(thesis §4.1)",
    "[membership]") {
    const ChangeKind kind = GENERATE(ChangeKind::demote_voter, ChangeKind::remove_server);
    CAPTURE(core::to_string(kind));
    core::Node leader = make_committed_leader(3);
    REQUIRE(leader.change_membership(1, change(kind, 3)).ok());
    static_cast<void>(drain(leader));
    REQUIRE(leader.log().written_index() == 3);
    // Under the old configuration the leader and server 3 would be a
    // majority; under the new one server 3 no longer counts.
    const RejectReason from_3 = leader.step(append_response(3, 1, 2, true, 3));
    CHECK(from_3 ==
          (kind == ChangeKind::remove_server ? RejectReason::unknown_peer : RejectReason::none));
    static_cast<void>(drain(leader));
    CHECK(leader.commit_index() == 2);
    // The leader and server 2 are a majority of the new voters {1, 2}.
    REQUIRE(leader.step(append_response(2, 1, 2, true, 3)) == RejectReason::none);
    static_cast<void>(drain(leader));
    CHECK(leader.commit_index() == 3);
}

// --------------------------------------------------------------- elections

TEST_CASE("membership: elections ask and count only the voters (hashicorp)", "[membership]") {
    const Suffrage suffrage = GENERATE(nonvoter, staging);
    CAPTURE(core::to_string(suffrage));
    core::Node node = make_node_with(
        1, servers({{1, voter}, {2, voter}, {3, voter}, {4, suffrage}, {5, suffrage}}));
    node.campaign();
    const core::Ready ready = drain(node);
    CHECK(vote_requests_to(ready) == std::vector<NodeId>{2, 3});
    REQUIRE(node.step(vote_response(4, 1, 2, true)) == RejectReason::none);
    REQUIRE(node.step(vote_response(5, 1, 2, true)) == RejectReason::none);
    CHECK(node.role() == Role::candidate);
    REQUIRE(node.step(vote_response(2, 1, 2, true)) == RejectReason::none);
    CHECK(node.role() == Role::leader);
}

TEST_CASE(
    "membership: nonvoters and staging servers never campaign, whatever asks them to "
    "(hashicorp)",
    "[membership]") {
    const Suffrage suffrage = GENERATE(nonvoter, staging);
    const bool pre_vote = GENERATE(false, true);
    CAPTURE(core::to_string(suffrage), pre_vote);
    core::Config config = test_config();
    config.pre_vote = pre_vote;
    core::Node node =
        make_node_with(4, servers({{1, voter}, {2, voter}, {3, voter}, {4, suffrage}}), config);
    for (int i = 0; i < 200; ++i) {
        node.tick();
        REQUIRE(drain(node).messages.empty());
    }
    node.campaign();
    REQUIRE(node.step(Message{.type = MessageType::timeout_now, .from = 1, .to = 4, .term = 1}) ==
            RejectReason::none);
    const core::Ready ready = drain(node);
    CHECK(ready.messages.empty());
    CHECK(node.role() == Role::follower);
    CHECK(node.term() == 1);
    CHECK(node.stats().elections_started == 0);
    CHECK(node.stats().pre_votes_started == 0);
}

// --------------------------------------------------------------- promotion

TEST_CASE(
    "membership: a staging server is promoted to voter once it has caught up with the "
    "commit index (hashicorp)",
    "[membership]") {
    core::Node leader = make_committed_leader(3);
    REQUIRE(leader.change_membership(1, change(ChangeKind::add_voter, 4)).ok());
    REQUIRE(leader.configuration().find(4)->suffrage == staging);
    static_cast<void>(drain(leader));
    REQUIRE(leader.step(append_response(2, 1, 2, true, 3)) == RejectReason::none);
    static_cast<void>(drain(leader));
    REQUIRE(leader.commit_index() == 3);
    CHECK(leader.configuration().find(4)->suffrage == staging);

    // Behind the commit index: still staging.
    REQUIRE(leader.step(append_response(4, 1, 2, true, 2)) == RejectReason::none);
    CHECK(leader.configuration().find(4)->suffrage == staging);
    CHECK(leader.stats().promotions == 0);
    CHECK(leader.log().last_index() == 3);

    // Caught up: the leader appends the promotion, in effect at once.
    REQUIRE(leader.step(append_response(4, 1, 2, true, 3)) == RejectReason::none);
    CHECK(leader.configuration().is_voter(4));
    CHECK(leader.configuration_index() == 4);
    CHECK(leader.stats().promotions == 1);
    const core::Ready ready = drain(leader);
    REQUIRE(ready.entries.size() == 1);
    CHECK(ready.entries[0].type == core::EntryType::configuration);
    CHECK(ready.entries[0].configuration ==
          servers({{1, voter}, {2, voter}, {3, voter}, {4, voter}}));
}

TEST_CASE(
    "membership: a server added empty catches up and becomes a voter on every server "
    "(hashicorp AddVoter)",
    "[membership]") {
    sim::Pump cluster(test_config(), 1);
    for (NodeId id = 1; id <= 3; ++id) {
        cluster.bootstrap(id, Configuration::voters(3));
    }
    cluster.join(4);
    const NodeId leader = cluster.run_until_leader(200);
    REQUIRE(leader != core::node_none);
    cluster.tick_all(3);  // the leader commits its no-op
    const core::ChangeResult result =
        cluster.node(leader).change_membership(42, change(ChangeKind::add_voter, 4));
    REQUIRE(result.ok());
    cluster.process_ready(leader);
    cluster.stabilize();
    cluster.tick_all(10);
    const Configuration four = Configuration::voters(4);
    for (NodeId id = 1; id <= 4; ++id) {
        CAPTURE(id);
        CHECK(cluster.node(id).committed_configuration() == four);
        CHECK(cluster.node(id).log().last_index() == cluster.node(leader).log().last_index());
    }
    CHECK(cluster.node(leader).stats().promotions == 1);
    CHECK(cluster.results(leader) ==
          std::vector<core::RequestResult>{{.id = 42,
                                            .outcome = core::RequestOutcome::committed,
                                            .index = result.index,
                                            .term = result.term}});
}

// -------------------------------------------------------------- truncation

TEST_CASE(
    "membership: a follower falls back to the previous configuration when the entry "
    "holding the latest is truncated (thesis §4.1)",
    "[membership]") {
    core::Node node = make_node(2, 3);
    const Configuration without_3 = servers({{1, voter}, {2, voter}});
    REQUIRE(node.step(append_entries(1, 2, 2, 1, 1, {configuration_entry(2, 2, without_3)}, 1)) ==
            RejectReason::none);
    static_cast<void>(drain(node));
    REQUIRE(node.configuration() == without_3);

    // Leader 3 of term 3 never had that entry: its own entry at 2 replaces it.
    REQUIRE(node.step(append_entries(3, 2, 3, 1, 1, {entry(3, 2)}, 1)) == RejectReason::none);
    static_cast<void>(drain(node));
    CHECK(node.stats().entries_truncated == 1);
    CHECK(node.configuration() == Configuration::voters(3));
    CHECK(node.configuration_index() == 1);
    node.campaign();
    CHECK(vote_requests_to(drain(node)) == std::vector<NodeId>{1, 3});
}

// ---------------------------------------------------------------- removal

TEST_CASE(
    "membership: a leader that removes itself leads until the change commits, then steps "
    "down (thesis §4.2.2)",
    "[membership]") {
    core::Node leader = make_committed_leader(3);
    const core::ChangeResult removal =
        leader.change_membership(7, change(ChangeKind::remove_server, 1));
    REQUIRE(removal.ok());
    CHECK_FALSE(leader.configuration().contains(1));
    // It still serves: it takes proposals and replicates them.
    const core::ProposeResult proposal = leader.propose(8, {8});
    REQUIRE(proposal.ok());
    CHECK(proposal.index == 4);
    static_cast<void>(drain(leader));
    // It does not count itself: both remaining voters must acknowledge.
    REQUIRE(leader.step(append_response(2, 1, 2, true, 3)) == RejectReason::none);
    static_cast<void>(drain(leader));
    CHECK(leader.commit_index() == 2);
    CHECK(leader.role() == Role::leader);

    REQUIRE(leader.step(append_response(3, 1, 2, true, 3)) == RejectReason::none);
    CHECK(leader.commit_index() == 3);
    CHECK(leader.role() == Role::follower);
    CHECK(leader.leader_id() == core::node_none);
    const core::Ready ready = drain(leader);
    CHECK(ready.request_results ==
          std::vector<core::RequestResult>{
              {.id = 7, .outcome = core::RequestOutcome::committed, .index = 3, .term = 2},
              {.id = 8, .outcome = core::RequestOutcome::leadership_lost, .index = 4, .term = 2}});
    CHECK(ready.role_changes ==
          std::vector<core::RoleChange>{{.from = Role::leader, .to = Role::follower, .term = 2}});

    // No longer a voter, it never campaigns.
    for (int i = 0; i < 100; ++i) {
        leader.tick();
        REQUIRE(drain(leader).messages.empty());
    }
    CHECK(leader.term() == 2);
}

TEST_CASE(
    "membership: a removed server's RequestVote with a higher term is refused and leaves "
    "the term unchanged (thesis §4.2.3)",
    "[membership]") {
    const bool receiver_leads = GENERATE(false, true);
    CAPTURE(receiver_leads);
    const Configuration without_3 = servers({{1, voter}, {2, voter}});
    core::Node receiver = make_node(receiver_leads ? 1 : 2, 3);
    if (receiver_leads) {
        receiver = make_committed_leader(3);
        REQUIRE(receiver.change_membership(1, change(ChangeKind::remove_server, 3)).ok());
        static_cast<void>(drain(receiver));
        REQUIRE(receiver.step(append_response(2, 1, 2, true, 3)) == RejectReason::none);
    } else {
        // A follower that knows of the removal and has lost its leader.
        REQUIRE(receiver.step(append_entries(1, 2, 2, 1, 1, {configuration_entry(2, 2, without_3)},
                                             2)) == RejectReason::none);
        receiver.campaign();
        REQUIRE(receiver.leader_id() == core::node_none);
    }
    static_cast<void>(drain(receiver));
    REQUIRE(receiver.committed_configuration() == without_3);
    const Term term = receiver.term();
    const Role role = receiver.role();

    REQUIRE(receiver.step(request_vote(3, receiver.id(), term + 5, 50, term)) ==
            RejectReason::none);
    const core::Ready ready = drain(receiver);
    const std::vector<Message> responses = of_type(ready, MessageType::request_vote_response);
    REQUIRE(responses.size() == 1);
    CHECK_FALSE(responses[0].granted);
    CHECK(receiver.term() == term);
    CHECK(receiver.role() == role);
    CHECK_FALSE(ready.hard_state.has_value());
}

TEST_CASE(
    "membership: a server removed by an uncommitted configuration still campaigns, as it may "
    "be needed to commit it (thesis §4.2.2)",
    "[membership]") {
    // Found by a stress test: when only voters of the latest configuration
    // could campaign, nobody here could ever lead again. Thesis §4.2.2: "a
    // server that isn't part of its own latest configuration should still
    // start new elections, as it might still be needed until the Cnew entry
    // is committed".
    core::Node old_leader = make_committed_leader(2);
    REQUIRE(old_leader.change_membership(1, change(ChangeKind::remove_server, 1)).ok());
    static_cast<void>(drain(old_leader));  // the entry never reaches server 2
    for (int i = 0; i < 20 && old_leader.role() == Role::leader; ++i) {
        old_leader.tick();
        static_cast<void>(drain(old_leader));
    }
    REQUIRE(old_leader.role() == Role::follower);  // its lease expired
    REQUIRE(old_leader.configuration() == servers({{2, voter}}));

    // Server 2 still uses {1, 2} and its log is shorter: server 1 refuses it.
    core::Node other = make_node(2, 2);
    REQUIRE(other.step(append_entries(1, 2, 2, 1, 1, {old_leader.log().at(2)}, 2)) ==
            RejectReason::none);
    static_cast<void>(drain(other));
    other.campaign();
    const std::vector<Message> asks = of_type(drain(other), MessageType::request_vote);
    REQUIRE(asks.size() == 1);
    REQUIRE(old_leader.step(asks[0]) == RejectReason::none);
    const std::vector<Message> answers =
        of_type(drain(old_leader), MessageType::request_vote_response);
    REQUIRE(answers.size() == 1);
    REQUIRE_FALSE(answers[0].granted);

    // So server 1 must campaign; server 2's vote alone elects it under {2}.
    std::vector<Message> requests;
    for (int i = 0; i < 100 && requests.empty(); ++i) {
        old_leader.tick();
        requests = of_type(drain(old_leader), MessageType::request_vote);
    }
    REQUIRE(requests.size() == 1);
    REQUIRE(other.step(requests[0]) == RejectReason::none);
    const std::vector<Message> grants = of_type(drain(other), MessageType::request_vote_response);
    REQUIRE(grants.size() == 1);
    REQUIRE(old_leader.step(grants[0]) == RejectReason::none);
    CHECK(old_leader.role() == Role::leader);
}

// ------------------------------------------------------ observers, results

TEST_CASE("membership: committed_configuration() lags configuration() until the change commits",
          "[membership]") {
    core::Node leader = make_committed_leader(3);
    const Configuration three = Configuration::voters(3);
    CHECK(leader.configuration() == three);
    CHECK(leader.committed_configuration() == three);
    REQUIRE(leader.change_membership(1, change(ChangeKind::add_nonvoter, 4)).ok());
    const Configuration four = servers({{1, voter}, {2, voter}, {3, voter}, {4, nonvoter}});
    CHECK(leader.configuration() == four);
    CHECK(leader.configuration_index() == 3);
    CHECK(leader.committed_configuration() == three);
    CHECK(leader.committed_configuration_index() == 1);
    static_cast<void>(drain(leader));
    ack_from_all(leader, 3);
    REQUIRE(leader.commit_index() == 3);
    CHECK(leader.committed_configuration() == four);
    CHECK(leader.committed_configuration_index() == 3);
}

TEST_CASE("membership: a change's RequestResult arrives in the Ready that commits its entry",
          "[membership]") {
    core::Node leader = make_committed_leader(3);
    const core::ChangeResult result =
        leader.change_membership(77, change(ChangeKind::add_nonvoter, 4));
    REQUIRE(result.ok());
    CHECK(drain(leader).request_results.empty());
    REQUIRE(leader.step(append_response(2, 1, 2, true, 3)) == RejectReason::none);
    const core::Ready ready = drain(leader);
    CHECK(ready.request_results ==
          std::vector<core::RequestResult>{{.id = 77,
                                            .outcome = core::RequestOutcome::committed,
                                            .index = result.index,
                                            .term = result.term}});
    REQUIRE(ready.committed_entries.size() == 1);
    CHECK(ready.committed_entries[0].index == 3);
    CHECK(ready.committed_entries[0].type == core::EntryType::configuration);
}

TEST_CASE(
    "membership: a change whose leader steps down before it commits reports "
    "leadership_lost",
    "[membership]") {
    core::Node leader = make_committed_leader(3);
    REQUIRE(leader.change_membership(78, change(ChangeKind::add_nonvoter, 4)).ok());
    static_cast<void>(drain(leader));
    REQUIRE(leader.step(append_entries(3, 1, 3, 2, 2, {}, 2)) == RejectReason::none);
    REQUIRE(leader.role() == Role::follower);
    CHECK(drain(leader).request_results ==
          std::vector<core::RequestResult>{
              {.id = 78, .outcome = core::RequestOutcome::leadership_lost, .index = 3, .term = 2}});
}

}  // namespace
}  // namespace raftsim::test
