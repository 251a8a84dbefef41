// Elections: Raft paper §5.1, §5.2, §5.4.1, Figure 2 (RequestVote), thesis
// §9.6 (pre-vote), and hashicorp's leader stickiness.
#include <set>

#include "helpers.hpp"
#include "raftsim/core/validate.hpp"

namespace raftsim::test {
namespace {

using core::HardState;
using core::RejectReason;
using core::Role;

// ------------------------------------------------------------------ helpers

core::Config pre_vote_config() {
    core::Config config = test_config();
    config.pre_vote = true;
    return config;
}

Message pre_vote_request(NodeId from, NodeId to, Term term, Index last_log_index,
                         Term last_log_term) {
    Message message = request_vote(from, to, term, last_log_index, last_log_term);
    message.type = MessageType::request_pre_vote;
    return message;
}

Message pre_vote_response(NodeId from, NodeId to, Term term, bool granted) {
    Message message = vote_response(from, to, term, granted);
    message.type = MessageType::request_pre_vote_response;
    return message;
}

Message timeout_now(NodeId from, NodeId to, Term term) {
    return Message{.type = MessageType::timeout_now, .from = from, .to = to, .term = term};
}

/// Makes `node` a follower of `leader` in `term` with a heartbeat that matches
/// the bootstrap log [1:1].
void follow(core::Node& node, NodeId leader, Term term) {
    REQUIRE(node.step(append_entries(leader, node.id(), term, 1, 1, {}, 0)) == RejectReason::none);
    REQUIRE(node.role() == Role::follower);
    REQUIRE(node.leader_id() == leader);
    static_cast<void>(drain(node));
}

/// The single message of `type` in `ready`.
Message only(const core::Ready& ready, MessageType type) {
    const std::vector<Message> messages = of_type(ready, type);
    REQUIRE(messages.size() == 1);
    return messages.front();
}

/// Voters 1 and 2 and a nonvoter 3.
core::Configuration two_voters_one_nonvoter() {
    return core::Configuration{.servers = {{.id = 1, .suffrage = core::Suffrage::voter},
                                           {.id = 2, .suffrage = core::Suffrage::voter},
                                           {.id = 3, .suffrage = core::Suffrage::nonvoter}}};
}

/// Steps `request` (a vote or pre-vote request) into `node` and returns its
/// one answer.
Message answer_to(core::Node& node, const Message& request) {
    REQUIRE(node.step(request) == RejectReason::none);
    return only(drain(node), request.type == MessageType::request_vote
                                 ? MessageType::request_vote_response
                                 : MessageType::request_pre_vote_response);
}

core::Node bootstrap_clean(NodeId id, const core::Configuration& configuration,
                           core::Config config = test_config(), std::uint64_t seed = 1) {
    core::Node node = core::Node::bootstrap(
        core::NodeOptions{.id = id, .config = config, .seed = seed}, configuration);
    static_cast<void>(drain(node));
    return node;
}

/// Ticks until the node leaves the follower role; returns the number of ticks.
std::uint32_t ticks_until_campaign(core::Node& node, std::uint32_t ticks_max) {
    const Term before = node.term();
    for (std::uint32_t i = 1; i <= ticks_max; ++i) {
        node.tick();
        static_cast<void>(drain(node));
        if (node.term() != before || node.role() != Role::follower) {
            return i;
        }
    }
    return 0;
}

// ------------------------------------------------------------------ candidate

TEST_CASE("candidate: votes for itself and asks every other voter in a new term (§5.2)",
          "[election]") {
    core::Node node = make_node(1, 3);
    node.campaign();
    const core::Ready ready = drain(node);
    CHECK(node.role() == Role::candidate);
    CHECK(node.term() == 2);
    CHECK(node.voted_for() == 1);
    // Persist before send: the Ready that carries the requests carries the vote.
    REQUIRE(ready.hard_state.has_value());
    CHECK(ready.hard_state->term == 2);
    CHECK(ready.hard_state->voted_for == 1);
    const std::vector<Message> requests = of_type(ready, MessageType::request_vote);
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].to == 2);
    CHECK(requests[1].to == 3);
    for (const Message& request : requests) {
        CHECK(request.term == 2);
        CHECK(request.candidate_last_log_index == 1);
        CHECK(request.candidate_last_log_term == 1);
    }
}

// ------------------------------------------------------- RequestVote receiver

TEST_CASE("follower: rejects RequestVote with stale term and replies with its term (Figure 2)",
          "[election]") {
    const MessageType type = GENERATE(MessageType::request_vote, MessageType::request_pre_vote);
    core::Node node = make_node(1, 3);
    // Reach term 3 without a leader and without voting: a request whose log
    // is behind ours (last term 0 < 1) moves the term but gets no vote.
    REQUIRE(node.step(request_vote(2, 1, 3, 0, 0)) == RejectReason::none);
    static_cast<void>(drain(node));
    REQUIRE(node.term() == 3);
    REQUIRE(node.voted_for() == core::node_none);

    Message stale = request_vote(3, 1, 2, 5, 2);  // a better log, but term 2 < 3
    stale.type = type;
    CHECK(node.step(stale) == RejectReason::none);
    const core::Ready ready = drain(node);
    const MessageType response_type = type == MessageType::request_vote
                                          ? MessageType::request_vote_response
                                          : MessageType::request_pre_vote_response;
    const Message response = only(ready, response_type);
    CHECK(response.to == 3);
    CHECK_FALSE(response.granted);
    CHECK(response.term == 3);  // so the stale candidate learns the newer term
    CHECK(node.term() == 3);
    CHECK(node.voted_for() == core::node_none);
    CHECK_FALSE(ready.hard_state.has_value());
}

TEST_CASE(
    "follower: grants a vote when it has not voted and the candidate's log is up to date "
    "(Figure 2)",
    "[election]") {
    core::Node node = make_node(1, 3);
    REQUIRE(node.step(request_vote(2, 1, 2, 1, 1)) == RejectReason::none);
    const core::Ready ready = drain(node);
    const Message response = only(ready, MessageType::request_vote_response);
    CHECK(response.to == 2);
    CHECK(response.granted);
    CHECK(response.term == 2);
    CHECK(node.term() == 2);
    CHECK(node.voted_for() == 2);
    CHECK(node.role() == Role::follower);
    // Persist before send: the vote travels in the same Ready as the grant.
    REQUIRE(ready.hard_state.has_value());
    CHECK(*ready.hard_state == HardState{.term = 2, .voted_for = 2});
}

struct UpToDateRow {
    const char* name;
    std::vector<Term> our_terms;  // terms of our entries at index 2, 3, ...
    Index our_commit;
    Index candidate_last_index;
    Term candidate_last_term;
    bool granted;
};

TEST_CASE(
    "voter: 'up to date' compares the last entry's term, then index, never the commit "
    "index (§5.4.1)",
    "[election]") {
    // Our log is [1:1 config] followed by our_terms; its last entry is what
    // counts. The goraft rows give us a commit index below our last index: a
    // voter that compared the candidate's last index with its commit index
    // would wrongly grant them.
    const UpToDateRow row = GENERATE(values<UpToDateRow>({
        {"same last term, same index", {2, 2, 2}, 4, 4, 2, true},
        {"same last term, candidate longer", {2, 2, 2}, 4, 5, 2, true},
        {"same last term, candidate shorter", {2, 2, 2}, 4, 3, 2, false},
        {"candidate's last term higher, log shorter", {2, 2, 2}, 4, 2, 3, true},
        {"candidate's last term lower, log longer", {3, 3}, 3, 10, 2, false},
        {"candidate's last term lower, same index", {2, 3}, 3, 3, 2, false},
        {"goraft: shorter than our log, longer than our commit", {2, 2, 2, 2}, 2, 3, 2, false},
        {"goraft: lower last term, index equal to ours, above commit",
         {2, 2, 2, 2},
         2,
         5,
         1,
         false},
        {"goraft: higher last term, index below our commit", {2, 2, 2, 2}, 5, 3, 3, true},
    }));
    INFO(row.name);
    core::Node node = make_node(1, 3);
    const Term our_last_term = row.our_terms.back();
    REQUIRE(node.step(append_entries(2, 1, our_last_term, 1, 1, entries(2, row.our_terms),
                                     row.our_commit)) == RejectReason::none);
    static_cast<void>(drain(node));
    REQUIRE(node.log().last_index() == 1 + row.our_terms.size());
    REQUIRE(node.commit_index() == row.our_commit);
    // Lose the leader (our own election), then hear a candidate of a later term.
    node.campaign();
    static_cast<void>(drain(node));
    const Term candidate_term = our_last_term + 2;
    REQUIRE(node.step(request_vote(3, 1, candidate_term, row.candidate_last_index,
                                   row.candidate_last_term)) == RejectReason::none);
    const core::Ready ready = drain(node);
    const Message response = only(ready, MessageType::request_vote_response);
    CHECK(response.granted == row.granted);
    CHECK(response.term == candidate_term);
    CHECK(node.term() == candidate_term);
    CHECK(node.voted_for() == (row.granted ? NodeId{3} : core::node_none));
    CHECK(node.commit_index() == row.our_commit);
}

TEST_CASE("follower: never grants a vote to two candidates in one term (§5.2)", "[election]") {
    // The second candidate's log is never worse, so only the vote rule refuses it.
    const Index second_last_index = GENERATE(Index{1}, Index{7});
    core::Node node = make_node(1, 3);
    REQUIRE(node.step(request_vote(2, 1, 2, 1, 1)) == RejectReason::none);
    REQUIRE(only(drain(node), MessageType::request_vote_response).granted);

    REQUIRE(node.step(request_vote(3, 1, 2, second_last_index, 1)) == RejectReason::none);
    const core::Ready ready = drain(node);
    const Message response = only(ready, MessageType::request_vote_response);
    CHECK(response.to == 3);
    CHECK_FALSE(response.granted);
    CHECK(node.voted_for() == 2);
    CHECK(node.term() == 2);
    CHECK_FALSE(ready.hard_state.has_value());
}

TEST_CASE(
    "follower: a duplicate RequestVote from the candidate it voted for is granted again "
    "(Figure 2)",
    "[election]") {
    core::Node node = make_node(1, 3);
    REQUIRE(node.step(request_vote(2, 1, 2, 1, 1)) == RejectReason::none);
    REQUIRE(only(drain(node), MessageType::request_vote_response).granted);
    for (int i = 0; i < 3; ++i) {
        REQUIRE(node.step(request_vote(2, 1, 2, 1, 1)) == RejectReason::none);
        const core::Ready ready = drain(node);
        const Message response = only(ready, MessageType::request_vote_response);
        CHECK(response.granted);
        CHECK(response.term == 2);
        CHECK_FALSE(ready.hard_state.has_value());  // nothing new to persist
    }
    CHECK(node.voted_for() == 2);
}

TEST_CASE(
    "follower: the vote is persisted with the grant and survives a restart, so it never "
    "votes twice in a term (Figure 2)",
    "[election]") {
    const core::NodeOptions options{.id = 1, .config = test_config(), .seed = 1};
    core::Node node = core::Node::bootstrap(options, core::Configuration::voters(3));
    core::DurableState durable;
    {
        const core::Ready first = drain(node);
        durable.entries = first.entries;
        REQUIRE(first.hard_state.has_value());
        durable.hard_state = *first.hard_state;
    }
    REQUIRE(node.step(request_vote(2, 1, 2, 1, 1)) == RejectReason::none);
    const core::Ready ready = drain(node);
    // Persist before send: the Ready with the grant carries the vote to persist.
    REQUIRE(only(ready, MessageType::request_vote_response).granted);
    REQUIRE(ready.hard_state.has_value());
    CHECK(*ready.hard_state == HardState{.term = 2, .voted_for = 2});
    durable.hard_state = *ready.hard_state;

    // Crash: only what the Ready asked to persist survives.
    core::Node restarted = core::Node::restart(options, durable);
    CHECK(restarted.term() == 2);
    CHECK(restarted.voted_for() == 2);
    REQUIRE(restarted.step(request_vote(3, 1, 2, 5, 2)) == RejectReason::none);
    CHECK_FALSE(only(drain(restarted), MessageType::request_vote_response).granted);
    REQUIRE(restarted.step(request_vote(2, 1, 2, 1, 1)) == RejectReason::none);
    CHECK(only(drain(restarted), MessageType::request_vote_response).granted);
    CHECK(restarted.voted_for() == 2);
}

TEST_CASE(
    "cluster: a voter that crashes and restarts does not vote twice in a term "
    "(Pump::crash_and_restart, Figure 2)",
    "[election]") {
    sim::Pump pump(3, test_config(), 11);
    pump.node(1).campaign();
    pump.process_ready(1);
    REQUIRE(pump.in_flight().size() == 2);
    REQUIRE(pump.in_flight().front().to == 2);
    REQUIRE(pump.deliver_one());  // node 2 votes for 1 in term 2
    REQUIRE(pump.node(2).voted_for() == 1);
    CHECK(pump.durable(2).durable_hard_state() == HardState{.term = 2, .voted_for = 1});
    pump.in_flight().clear();  // node 1's request to 3 and node 2's grant are lost

    pump.crash_and_restart(2);
    CHECK(pump.node(2).term() == 2);
    CHECK(pump.node(2).voted_for() == 1);

    pump.node(3).campaign();  // node 3 campaigns in the same term 2
    pump.process_ready(3);
    REQUIRE(pump.node(3).term() == 2);
    while (!pump.in_flight().empty() &&
           pump.in_flight().front().type == MessageType::request_vote) {
        REQUIRE(pump.deliver_one());
    }
    bool saw_answer_from_2 = false;
    for (const Message& message : pump.in_flight()) {
        if (message.from == 2 && message.type == MessageType::request_vote_response) {
            saw_answer_from_2 = true;
            CHECK_FALSE(message.granted);
        }
    }
    CHECK(saw_answer_from_2);
    pump.stabilize();
    CHECK(pump.node(2).voted_for() == 1);
    CHECK(pump.node(3).role() != Role::leader);
}

// ------------------------------------------------------------------- terms

struct HigherTermCase {
    const char* name;
    Role role;
    MessageType type;
    bool leadership_transfer;
};

TEST_CASE(
    "leader and candidate: a message with a higher term makes it a follower of that term "
    "and clears its vote (§5.1)",
    "[election]") {
    // A plain RequestVote is missing for the leader on purpose: hashicorp's
    // leader stickiness (a leader knows a leader: itself) rejects it first.
    const HigherTermCase c = GENERATE(values<HigherTermCase>({
        {"candidate <- AppendEntries", Role::candidate, MessageType::append_entries, false},
        {"candidate <- AppendEntries response", Role::candidate,
         MessageType::append_entries_response, false},
        {"candidate <- RequestVote", Role::candidate, MessageType::request_vote, false},
        {"candidate <- RequestVote response", Role::candidate, MessageType::request_vote_response,
         false},
        {"candidate <- pre-vote rejection", Role::candidate, MessageType::request_pre_vote_response,
         false},
        {"leader <- AppendEntries", Role::leader, MessageType::append_entries, false},
        {"leader <- AppendEntries response", Role::leader, MessageType::append_entries_response,
         false},
        {"leader <- RequestVote response", Role::leader, MessageType::request_vote_response, false},
        {"leader <- RequestVote for a transfer", Role::leader, MessageType::request_vote, true},
    }));
    INFO(c.name);
    core::Node node = make_node(1, 3);
    if (c.role == Role::leader) {
        make_leader(node, 3);
    } else {
        node.campaign();
        static_cast<void>(drain(node));
    }
    REQUIRE(node.role() == c.role);
    REQUIRE(node.voted_for() == 1);
    const Term higher = node.term() + 5;

    Message message;
    switch (c.type) {
        case MessageType::append_entries:
            message = append_entries(2, 1, higher, 0, 0, {}, 0);
            break;
        case MessageType::append_entries_response:
            message = append_response(2, 1, higher, false, 1, 1);
            break;
        case MessageType::request_vote:
            // A log behind ours, so the vote itself is refused and voted_for
            // shows whether the step-down cleared it.
            message = request_vote(2, 1, higher, 0, 0);
            message.leadership_transfer = c.leadership_transfer;
            break;
        case MessageType::request_vote_response:
            message = vote_response(2, 1, higher, false);
            break;
        case MessageType::request_pre_vote_response:
            message = pre_vote_response(2, 1, higher, false);
            break;
        default:
            FAIL("unexpected case");
    }
    CHECK(node.step(message) == RejectReason::none);
    const core::Ready ready = drain(node);
    CHECK(node.role() == Role::follower);
    CHECK(node.term() == higher);
    CHECK(node.voted_for() == core::node_none);
    CHECK(node.leader_id() ==
          (c.type == MessageType::append_entries ? NodeId{2} : core::node_none));
    REQUIRE(ready.hard_state.has_value());
    CHECK(*ready.hard_state == HardState{.term = higher, .voted_for = core::node_none});
    REQUIRE_FALSE(ready.role_changes.empty());
    CHECK(ready.role_changes.back() ==
          core::RoleChange{.from = c.role, .to = Role::follower, .term = higher});
}

TEST_CASE("candidate: becomes follower on AppendEntries from a leader of its own term (§5.2)",
          "[election]") {
    const bool pre_vote = GENERATE(false, true);
    core::Node node = make_node(1, 3, pre_vote ? pre_vote_config() : test_config());
    node.campaign();
    static_cast<void>(drain(node));
    const Role campaigning = pre_vote ? Role::pre_candidate : Role::candidate;
    REQUIRE(node.role() == campaigning);
    const Term term = node.term();
    const NodeId vote = node.voted_for();

    REQUIRE(node.step(append_entries(2, 1, term, 1, 1, {}, 0)) == RejectReason::none);
    const core::Ready ready = drain(node);
    CHECK(node.role() == Role::follower);
    CHECK(node.leader_id() == 2);
    CHECK(node.term() == term);
    CHECK(node.voted_for() == vote);  // same term: the vote stands
    const Message response = only(ready, MessageType::append_entries_response);
    CHECK(response.success);
    CHECK(response.term == term);
    REQUIRE(ready.leader_id.has_value());
    CHECK(*ready.leader_id == 2);
}

// ---------------------------------------------------------------- counting

TEST_CASE("candidate: wins with a majority of votes, never with a minority (§5.2)", "[election]") {
    const std::size_t count = GENERATE(std::size_t{3}, std::size_t{5}, std::size_t{7});
    CAPTURE(count);
    const std::size_t quorum = count / 2 + 1;
    core::Node node = make_node(1, count);
    node.campaign();
    static_cast<void>(drain(node));
    const Term term = node.term();
    // Every peer but one answers: all short of the quorum grant, the rest
    // refuse; peer 2 grants twice. Together with its own vote the candidate
    // then holds quorum-1 votes.
    NodeId peer = 2;
    for (; peer < quorum; ++peer) {
        REQUIRE(node.step(vote_response(peer, 1, term, true)) == RejectReason::none);
    }
    const NodeId decisive = peer;
    for (NodeId other = decisive + 1; other <= count; ++other) {
        REQUIRE(node.step(vote_response(other, 1, term, false)) == RejectReason::none);
    }
    if (decisive > 2) {
        REQUIRE(node.step(vote_response(2, 1, term, true)) == RejectReason::none);
    }
    CHECK(node.role() == Role::candidate);
    CHECK(node.stats().elections_won == 0);

    REQUIRE(node.step(vote_response(decisive, 1, term, true)) == RejectReason::none);
    CHECK(node.role() == Role::leader);
    CHECK(node.term() == term);
    CHECK(node.leader_id() == 1);
    CHECK(node.stats().elections_won == 1);
}

TEST_CASE("candidate: votes from servers that are not voters do not count (§5.2, hashicorp)",
          "[election]") {
    core::Node node = bootstrap_clean(1, two_voters_one_nonvoter());
    node.campaign();
    const core::Ready ready = drain(node);
    // Only the other voter is asked.
    const std::vector<Message> requests = of_type(ready, MessageType::request_vote);
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].to == 2);
    REQUIRE(node.step(vote_response(3, 1, 2, true)) == RejectReason::none);
    REQUIRE(node.step(vote_response(9, 1, 2, true)) == RejectReason::none);
    CHECK(node.role() == Role::candidate);
    REQUIRE(node.step(vote_response(2, 1, 2, true)) == RejectReason::none);
    CHECK(node.role() == Role::leader);
}

TEST_CASE("single-node cluster: elects itself at once (§5.2)", "[election]") {
    const bool by_timeout = GENERATE(false, true);
    const bool pre_vote = GENERATE(false, true);
    core::Node node = make_node(1, 1, pre_vote ? pre_vote_config() : test_config());
    if (by_timeout) {
        REQUIRE(ticks_until_campaign(node, 100) > 0);
    } else {
        node.campaign();
    }
    CHECK(node.role() == Role::leader);
    CHECK(node.term() == 2);
    CHECK(node.voted_for() == 1);
    CHECK(node.leader_id() == 1);
    const core::Ready ready = drain(node);
    CHECK(ready.messages.empty());
    // With nobody else to count, its no-op commits as soon as it is durable.
    CHECK(node.commit_index() == 2);
}

TEST_CASE(
    "follower: a higher-term vote request restarts its election timer only if it grants it "
    "(Figure 2)",
    "[election]") {
    // Figure 2: a follower campaigns once the election timeout elapses
    // without AppendEntries from the current leader or a vote it granted. A
    // higher term alone restarts nothing (hashicorp's runFollower restarts
    // on lastContact only): else a candidate whose log is behind, timing out
    // again and again, keeps every up-to-date follower from ever campaigning.
    struct Case {
        const char* name;
        Index candidate_last_index;
        Term candidate_last_term;
        bool granted;
    };
    const Case test = GENERATE(Case{"log behind: refused", 0, 0, false},
                               Case{"log as long: granted", 1, 1, true});
    INFO(test.name);
    core::Node node = make_node(1, 3);
    const std::uint32_t timeout = node.randomized_election_timeout_ticks();
    REQUIRE(timeout > 2);
    const std::uint32_t before = timeout / 2;
    for (std::uint32_t i = 0; i < before; ++i) {
        node.tick();
        static_cast<void>(drain(node));
        REQUIRE(node.role() == Role::follower);
    }
    const Message answer =
        answer_to(node, request_vote(2, 1, 5, test.candidate_last_index, test.candidate_last_term));
    REQUIRE(answer.granted == test.granted);
    REQUIRE(node.term() == 5);
    REQUIRE(node.role() == Role::follower);
    const std::uint32_t ticks = ticks_until_campaign(node, 10 * timeout);
    if (test.granted) {
        CHECK(ticks > timeout - before);  // restarted: a whole timeout from the grant
    } else {
        CHECK(ticks == timeout - before);  // still counting from before the request
    }
}

TEST_CASE("candidate: an election that times out starts a new one in term+1 (§5.2)", "[election]") {
    core::Node node = make_node(1, 3);
    node.campaign();
    static_cast<void>(drain(node));
    REQUIRE(node.term() == 2);
    const std::uint32_t timeout = node.randomized_election_timeout_ticks();
    for (std::uint32_t i = 1; i < timeout; ++i) {
        node.tick();
        static_cast<void>(drain(node));
        REQUIRE(node.term() == 2);
    }
    node.tick();
    const core::Ready ready = drain(node);
    CHECK(node.role() == Role::candidate);
    CHECK(node.term() == 3);
    CHECK(node.voted_for() == 1);
    REQUIRE(ready.hard_state.has_value());
    CHECK(*ready.hard_state == HardState{.term = 3, .voted_for = 1});
    const std::vector<Message> requests = of_type(ready, MessageType::request_vote);
    REQUIRE(requests.size() == 2);
    for (const Message& request : requests) {
        CHECK(request.term == 3);
    }
    REQUIRE(ready.role_changes.size() == 1);
    CHECK(ready.role_changes[0] ==
          core::RoleChange{.from = Role::candidate, .to = Role::candidate, .term = 3});
    CHECK(node.stats().elections_started == 2);
}

TEST_CASE("candidate: ignores vote responses of an older term (Figure 2, §5.1)", "[election]") {
    core::Node node = make_node(1, 3);
    node.campaign();
    node.campaign();  // a second election: term 3
    static_cast<void>(drain(node));
    REQUIRE(node.term() == 3);
    REQUIRE(node.role() == Role::candidate);

    // A grant from the term-2 election must not count in term 3.
    REQUIRE(node.step(vote_response(2, 1, 2, true)) == RejectReason::none);
    CHECK(node.role() == Role::candidate);
    CHECK(node.stats().stale_responses == 1);
    // Nor does a pre-vote grant, which a candidate never asked for.
    REQUIRE(node.step(pre_vote_response(3, 1, 4, true)) == RejectReason::none);
    CHECK(node.role() == Role::candidate);
    CHECK(node.term() == 3);
    CHECK(node.stats().stale_responses == 2);

    REQUIRE(node.step(vote_response(2, 1, 3, true)) == RejectReason::none);
    CHECK(node.role() == Role::leader);
}

// ------------------------------------------------------------------- timers

TEST_CASE(
    "timers: a follower's election timeout is random in [heartbeat_timeout, "
    "2*heartbeat_timeout) (§5.2, hashicorp)",
    "[election]") {
    const std::uint64_t seed = GENERATE(range(std::uint64_t{1}, std::uint64_t{41}));
    core::Config config = test_config();
    config.heartbeat_timeout_ticks = 10;
    config.election_timeout_ticks = 30;
    core::Node node = make_node(1, 3, config, seed);
    const std::uint32_t timeout = node.randomized_election_timeout_ticks();
    CHECK(timeout >= 10);
    CHECK(timeout < 20);
    // The timer really fires after exactly that many ticks.
    CHECK(ticks_until_campaign(node, 100) == timeout);
    CHECK(node.role() == Role::candidate);
}

TEST_CASE(
    "timers: a candidate's election timeout is random in [election_timeout, "
    "2*election_timeout) (§5.2, hashicorp)",
    "[election]") {
    const std::uint64_t seed = GENERATE(range(std::uint64_t{1}, std::uint64_t{41}));
    core::Config config = test_config();
    config.heartbeat_timeout_ticks = 10;
    config.election_timeout_ticks = 30;
    core::Node node = make_node(1, 3, config, seed);
    node.campaign();
    static_cast<void>(drain(node));
    const std::uint32_t timeout = node.randomized_election_timeout_ticks();
    CHECK(timeout >= 30);
    CHECK(timeout < 60);
    std::uint32_t ticks = 0;
    while (node.term() == 2 && ticks < 100) {
        node.tick();
        static_cast<void>(drain(node));
        ticks += 1;
    }
    CHECK(ticks == timeout);
    CHECK(node.term() == 3);
}

TEST_CASE(
    "timers: the same seed gives the same timeouts, different seeds different ones "
    "(determinism, §5.2)",
    "[election]") {
    core::Config config = test_config();
    config.heartbeat_timeout_ticks = 1000;
    config.election_timeout_ticks = 1000;
    const auto timeouts = [&](std::uint64_t seed) {
        core::Node node = make_node(1, 3, config, seed);
        std::vector<std::uint32_t> result{node.randomized_election_timeout_ticks()};
        for (int i = 0; i < 5; ++i) {
            node.campaign();
            static_cast<void>(drain(node));
            result.push_back(node.randomized_election_timeout_ticks());
        }
        return result;
    };
    std::set<std::uint32_t> first_timeouts;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        const std::vector<std::uint32_t> once = timeouts(seed);
        CHECK(once == timeouts(seed));
        first_timeouts.insert(once.front());
        // Successive elections of one node draw fresh timeouts too.
        CHECK(std::set<std::uint32_t>(once.begin(), once.end()).size() > 1);
    }
    CHECK(first_timeouts.size() > 10);
}

// ----------------------------------------------------- leader stickiness

TEST_CASE(
    "follower: with a known leader rejects RequestVote from another candidate, even of a "
    "higher term, and keeps its term (hashicorp leader stickiness)",
    "[election]") {
    const Term candidate_term = GENERATE(Term{2}, Term{3}, Term{50});
    core::Node node = make_node(1, 3);
    follow(node, 2, 2);
    REQUIRE(node.step(request_vote(3, 1, candidate_term, 9, 2)) == RejectReason::none);
    const core::Ready ready = drain(node);
    const Message response = only(ready, MessageType::request_vote_response);
    CHECK_FALSE(response.granted);
    CHECK(response.term == 2);
    CHECK(node.term() == 2);
    CHECK(node.voted_for() == core::node_none);
    CHECK(node.leader_id() == 2);
    CHECK(node.role() == Role::follower);
    CHECK_FALSE(ready.hard_state.has_value());
    CHECK(node.stats().votes_rejected_sticky_leader == 1);
}

TEST_CASE(
    "leader: rejects RequestVote of a higher term and keeps leading (hashicorp leader "
    "stickiness)",
    "[election]") {
    core::Node node = make_node(1, 3);
    make_leader(node, 3);
    const Term term = node.term();
    REQUIRE(node.step(request_vote(2, 1, term + 3, 9, term)) == RejectReason::none);
    const core::Ready ready = drain(node);
    CHECK_FALSE(only(ready, MessageType::request_vote_response).granted);
    CHECK(node.role() == Role::leader);
    CHECK(node.term() == term);
    CHECK(node.voted_for() == 1);
}

TEST_CASE(
    "follower: a RequestVote with leadership_transfer set is considered despite a known "
    "leader (hashicorp, thesis §3.10)",
    "[election]") {
    core::Node node = make_node(1, 3);
    follow(node, 2, 2);
    Message request = request_vote(3, 1, 3, 1, 1);
    request.leadership_transfer = true;
    REQUIRE(node.step(request) == RejectReason::none);
    const core::Ready ready = drain(node);
    const Message response = only(ready, MessageType::request_vote_response);
    CHECK(response.granted);
    CHECK(response.term == 3);
    CHECK(node.term() == 3);
    CHECK(node.voted_for() == 3);
    CHECK(node.leader_id() == core::node_none);
    CHECK(node.stats().votes_rejected_sticky_leader == 0);
}

TEST_CASE(
    "voter: TimeoutNow makes it campaign at once with leadership_transfer set, skipping "
    "pre-vote (thesis §3.10)",
    "[election]") {
    const bool pre_vote = GENERATE(false, true);
    const core::Config config = pre_vote ? pre_vote_config() : test_config();
    core::Node node = make_node(1, 3, config);
    follow(node, 2, 2);
    REQUIRE(node.step(timeout_now(2, 1, 2)) == RejectReason::none);
    const core::Ready ready = drain(node);
    CHECK(node.role() == Role::candidate);
    CHECK(node.term() == 3);
    CHECK(node.voted_for() == 1);
    CHECK(node.stats().pre_votes_started == 0);
    CHECK(of_type(ready, MessageType::request_pre_vote).empty());
    const std::vector<Message> requests = of_type(ready, MessageType::request_vote);
    REQUIRE(requests.size() == 2);
    for (const Message& request : requests) {
        CHECK(request.term == 3);
        CHECK(request.leadership_transfer);
    }

    // Another follower of the old leader grants it despite stickiness.
    core::Node other = make_node(3, 3, config);
    follow(other, 2, 2);
    REQUIRE(other.step(requests[1]) == RejectReason::none);
    CHECK(only(drain(other), MessageType::request_vote_response).granted);
    CHECK(other.voted_for() == 1);
}

// ------------------------------------------------------------------ pre-vote

TEST_CASE(
    "pre-candidate: neither increments its term nor votes, and asks for term+1 "
    "(thesis §9.6)",
    "[election]") {
    const bool by_timeout = GENERATE(false, true);
    core::Node node = make_node(1, 3, pre_vote_config());
    core::Ready ready;
    if (by_timeout) {
        const std::uint32_t timeout = node.randomized_election_timeout_ticks();
        for (std::uint32_t i = 0; i < timeout; ++i) {
            node.tick();
        }
        ready = drain(node);
    } else {
        node.campaign();
        ready = drain(node);
    }
    CHECK(node.role() == Role::pre_candidate);
    CHECK(node.term() == 1);
    CHECK(node.voted_for() == core::node_none);
    CHECK_FALSE(ready.hard_state.has_value());
    CHECK(of_type(ready, MessageType::request_vote).empty());
    const std::vector<Message> requests = of_type(ready, MessageType::request_pre_vote);
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].to == 2);
    CHECK(requests[1].to == 3);
    for (const Message& request : requests) {
        CHECK(request.term == 2);
        CHECK(request.candidate_last_log_index == 1);
        CHECK(request.candidate_last_log_term == 1);
    }
    CHECK(node.stats().pre_votes_started == 1);
    CHECK(node.stats().elections_started == 0);
}

TEST_CASE("pre-candidate: becomes candidate only after a majority of pre-votes (thesis §9.6)",
          "[election]") {
    core::Node node = make_node(1, 5, pre_vote_config());
    node.campaign();
    static_cast<void>(drain(node));
    REQUIRE(node.role() == Role::pre_candidate);

    REQUIRE(node.step(pre_vote_response(2, 1, 2, true)) == RejectReason::none);
    REQUIRE(node.step(pre_vote_response(2, 1, 2, true)) == RejectReason::none);  // duplicate
    REQUIRE(node.step(pre_vote_response(3, 1, 1, false)) == RejectReason::none);
    REQUIRE(node.step(pre_vote_response(4, 1, 1, false)) == RejectReason::none);
    CHECK(node.role() == Role::pre_candidate);
    CHECK(node.term() == 1);
    CHECK(node.voted_for() == core::node_none);

    REQUIRE(node.step(pre_vote_response(5, 1, 2, true)) == RejectReason::none);
    const core::Ready ready = drain(node);
    CHECK(node.role() == Role::candidate);
    CHECK(node.term() == 2);
    CHECK(node.voted_for() == 1);
    REQUIRE(ready.hard_state.has_value());
    CHECK(*ready.hard_state == HardState{.term = 2, .voted_for = 1});
    const std::vector<Message> requests = of_type(ready, MessageType::request_vote);
    CHECK(requests.size() == 4);
    for (const Message& request : requests) {
        CHECK(request.term == 2);
        CHECK_FALSE(request.leadership_transfer);
    }
}

TEST_CASE("voter: granting a pre-vote changes no state (thesis §9.6)", "[election]") {
    core::Node node = make_node(2, 3);
    REQUIRE(node.step(pre_vote_request(1, 2, 2, 1, 1)) == RejectReason::none);
    const core::Ready ready = drain(node);
    const Message response = only(ready, MessageType::request_pre_vote_response);
    CHECK(response.granted);
    CHECK(response.term == 2);  // answered in the asked-for term
    CHECK(node.term() == 1);
    CHECK(node.voted_for() == core::node_none);
    CHECK(node.role() == Role::follower);
    CHECK_FALSE(ready.hard_state.has_value());

    // A pre-vote for a log behind ours is refused, still without state change.
    REQUIRE(node.step(pre_vote_request(3, 2, 2, 0, 0)) == RejectReason::none);
    CHECK_FALSE(only(drain(node), MessageType::request_pre_vote_response).granted);
    CHECK(node.term() == 1);

    // The real vote of term 2 is still free, for anyone.
    REQUIRE(node.step(request_vote(3, 2, 2, 1, 1)) == RejectReason::none);
    CHECK(only(drain(node), MessageType::request_vote_response).granted);
    CHECK(node.voted_for() == 3);
}

TEST_CASE(
    "pre-vote: a partitioned node does not inflate its term, and on rejoining does not "
    "disrupt the leader (thesis §9.6)",
    "[election]") {
    const std::uint64_t seed = GENERATE(3, 17, 99);
    sim::Pump pump(3, pre_vote_config(), seed);
    const NodeId leader = pump.run_until_leader(500);
    REQUIRE(leader != core::node_none);
    const Term term = pump.node(leader).term();
    const NodeId partitioned = leader == 3 ? 2 : 3;
    const std::uint64_t elections_before = pump.node(partitioned).stats().elections_started;
    const std::uint64_t pre_votes_before = pump.node(partitioned).stats().pre_votes_started;

    pump.isolate(partitioned);
    for (int i = 0; i < 400; ++i) {
        pump.tick_all();
    }
    CHECK(pump.node(partitioned).term() == term);
    CHECK(pump.node(partitioned).role() == Role::pre_candidate);
    CHECK(pump.node(partitioned).stats().elections_started == elections_before);
    CHECK(pump.node(partitioned).stats().pre_votes_started > pre_votes_before + 5);
    CHECK(pump.leader() == leader);

    pump.heal();
    for (int i = 0; i < 100; ++i) {
        pump.tick_all();
    }
    CHECK(pump.leader() == leader);
    for (const NodeId id : pump.ids()) {
        CHECK(pump.node(id).term() == term);
    }
    CHECK(pump.node(partitioned).role() == Role::follower);
    CHECK(pump.node(partitioned).leader_id() == leader);
}

TEST_CASE(
    "without pre-vote: a partitioned node's term grows with every timeout (thesis §9.6 "
    "motivation)",
    "[election]") {
    sim::Pump pump(3, test_config(), 3);
    const NodeId leader = pump.run_until_leader(500);
    REQUIRE(leader != core::node_none);
    const Term term = pump.node(leader).term();
    const NodeId partitioned = leader == 3 ? 2 : 3;
    pump.isolate(partitioned);
    for (int i = 0; i < 400; ++i) {
        pump.tick_all();
    }
    CHECK(pump.node(partitioned).term() > term + 5);
    CHECK(pump.node(leader).term() == term);
}

// ------------------------------------------------------------- membership

TEST_CASE("non-voter: never campaigns, on timeout, campaign() or TimeoutNow (hashicorp)",
          "[election]") {
    const bool pre_vote = GENERATE(false, true);
    core::Node node =
        bootstrap_clean(3, two_voters_one_nonvoter(), pre_vote ? pre_vote_config() : test_config());
    for (int i = 0; i < 500; ++i) {
        node.tick();
        const core::Ready ready = drain(node);
        REQUIRE(ready.messages.empty());
        REQUIRE(ready.role_changes.empty());
    }
    node.campaign();
    REQUIRE(node.step(timeout_now(1, 3, 1)) == RejectReason::none);
    const core::Ready ready = drain(node);
    CHECK(ready.messages.empty());
    CHECK(node.role() == Role::follower);
    CHECK(node.term() == 1);
    CHECK(node.voted_for() == core::node_none);
    CHECK(node.stats().elections_started == 0);
    CHECK(node.stats().pre_votes_started == 0);
}

TEST_CASE(
    "voter: never grants a vote to a server that is not a voter in its configuration "
    "(hashicorp)",
    "[election]") {
    const NodeId candidate = GENERATE(NodeId{3}, NodeId{9});  // nonvoter, unknown
    const MessageType type = GENERATE(MessageType::request_vote, MessageType::request_pre_vote);
    CAPTURE(candidate);
    core::Node node = bootstrap_clean(1, two_voters_one_nonvoter());
    Message request = request_vote(candidate, 1, 2, 5, 1);
    request.type = type;
    CHECK_FALSE(answer_to(node, request).granted);
    CHECK(node.voted_for() == core::node_none);
    CHECK(node.role() == Role::follower);
    // The vote is still free for the real voter.
    REQUIRE(node.step(request_vote(2, 1, 2, 1, 1)) == RejectReason::none);
    CHECK(only(drain(node), MessageType::request_vote_response).granted);
}

TEST_CASE(
    "voter: under the thesis vote rule grants a vote to a server outside its voters when "
    "term and log allow (thesis §4.1)",
    "[election]") {
    const NodeId candidate = GENERATE(NodeId{3}, NodeId{9});  // nonvoter, unknown
    const MessageType type = GENERATE(MessageType::request_vote, MessageType::request_pre_vote);
    CAPTURE(candidate, type);
    core::Config config = test_config();
    config.vote_rule = core::VoteRule::thesis;
    core::Node node = bootstrap_clean(1, two_voters_one_nonvoter(), config);
    Message request = request_vote(candidate, 1, 2, 5, 1);
    request.type = type;
    CHECK(answer_to(node, request).granted);
    // A vote is recorded; a pre-vote changes nothing (§9.6).
    CHECK(node.voted_for() == (type == MessageType::request_vote ? candidate : core::node_none));
    // The rule does not relax the log check (§5.4.1) or stickiness (§4.2.3).
    core::Node behind = bootstrap_clean(1, two_voters_one_nonvoter(), config);
    request.candidate_last_log_index = 0;
    request.candidate_last_log_term = 0;
    CHECK_FALSE(answer_to(behind, request).granted);
    core::Node sticky = bootstrap_clean(1, two_voters_one_nonvoter(), config);
    follow(sticky, 2, 1);
    CHECK_FALSE(answer_to(sticky, request_vote(candidate, 1, 2, 5, 1)).granted);
}

TEST_CASE(
    "voter: under the thesis rule stays sticky for a minimum election timeout after hearing "
    "from a leader, even once a transfer vote cleared it (thesis §4.2.3)",
    "[election]") {
    // Node 1 hears a leader (it follows node 2, or leads itself), then grants
    // a transfer target's vote (§3.10's flag bypasses stickiness), which
    // leaves it with no leader. A plain RequestVote of a higher term from a
    // third server then: hashicorp's rule (a leader known) lets it move the
    // term; the thesis rule (a leader heard within the minimum election
    // timeout) refuses it and keeps the term, until that timeout passes.
    const bool was_leader = GENERATE(false, true);
    const core::VoteRule rule = GENERATE(core::VoteRule::hashicorp, core::VoteRule::thesis);
    CAPTURE(was_leader, rule);
    core::Config config = test_config();
    config.vote_rule = rule;
    const core::Configuration voters{.servers = {{.id = 1, .suffrage = core::Suffrage::voter},
                                                 {.id = 2, .suffrage = core::Suffrage::voter},
                                                 {.id = 3, .suffrage = core::Suffrage::voter}}};
    core::Node node = bootstrap_clean(1, voters, config);
    if (was_leader) {
        node.campaign();
        static_cast<void>(drain(node));
        REQUIRE(node.step(vote_response(2, 1, 2, true)) == RejectReason::none);
        REQUIRE(node.role() == Role::leader);
        node.tick();
        static_cast<void>(drain(node));
    } else {
        follow(node, 2, 1);
    }
    const Term term = node.term();
    Message transfer = request_vote(3, 1, term + 1, 9, term);
    transfer.leadership_transfer = true;
    REQUIRE(node.step(transfer) == RejectReason::none);
    REQUIRE(only(drain(node), MessageType::request_vote_response).granted);
    REQUIRE(node.role() == Role::follower);
    REQUIRE(node.leader_id() == core::node_none);
    REQUIRE(node.step(request_vote(2, 1, term + 5, 9, term)) == RejectReason::none);
    static_cast<void>(drain(node));
    const bool sticky = rule == core::VoteRule::thesis;
    CHECK(node.term() == (sticky ? term + 1 : term + 5));
    if (sticky) {
        // A minimum election timeout later the clock no longer holds it.
        for (std::uint32_t i = 0; i < config.heartbeat_timeout_ticks; ++i) {
            node.tick();
            static_cast<void>(drain(node));
        }
        REQUIRE(node.step(request_vote(2, 1, term + 9, 9, term)) == RejectReason::none);
        static_cast<void>(drain(node));
        CHECK(node.term() == term + 9);
    }
}

TEST_CASE(
    "voter: a higher-term RequestVote from a nonvoter moves its term but is refused "
    "(hashicorp requestVote, PR #526)",
    "[election]") {
    // A voter demoted to nonvoter may hold the highest term; adopting it lets
    // the cluster make progress, but it must not become leader.
    core::Node node = bootstrap_clean(1, two_voters_one_nonvoter());
    node.campaign();
    static_cast<void>(drain(node));
    REQUIRE(node.role() == Role::candidate);
    REQUIRE(node.step(request_vote(3, 1, 5, 9, 1)) == RejectReason::none);
    const core::Ready ready = drain(node);
    CHECK_FALSE(only(ready, MessageType::request_vote_response).granted);
    CHECK(node.role() == Role::follower);
    CHECK(node.term() == 5);
    CHECK(node.voted_for() == core::node_none);
}

TEST_CASE(
    "voter: a RequestVote from a server outside its configuration leaves its term "
    "unchanged (hashicorp requestVote inConfiguration check)",
    "[election]") {
    // hashicorp rejects a candidate that is not in the latest configuration
    // before it looks at the term, so a removed server cannot disrupt the
    // cluster by inflating terms ("rejecting vote request since node is not
    // in configuration"). Here node 9 is in no configuration.
    const bool candidate_first = GENERATE(false, true);
    core::Node node = bootstrap_clean(1, two_voters_one_nonvoter());
    if (candidate_first) {
        node.campaign();
        static_cast<void>(drain(node));
    }
    const Term term = node.term();
    const Role role = node.role();
    REQUIRE(node.step(request_vote(9, 1, term + 10, 9, 1)) == RejectReason::none);
    const core::Ready ready = drain(node);
    CHECK_FALSE(only(ready, MessageType::request_vote_response).granted);
    CHECK(node.term() == term);
    CHECK(node.role() == role);
    CHECK_FALSE(ready.hard_state.has_value());
}

// ------------------------------------------------------------------ leader

TEST_CASE("leader: appends a no-op entry of its own term on election (thesis §6.4)", "[election]") {
    core::Node node = make_node(1, 3);
    // Give it a longer log from term 2 first, so the no-op follows real entries.
    REQUIRE(node.step(append_entries(2, 1, 2, 1, 1, entries(2, {2, 2}), 0)) == RejectReason::none);
    static_cast<void>(drain(node));
    node.campaign();
    static_cast<void>(drain(node));
    REQUIRE(node.term() == 3);
    REQUIRE(node.step(vote_response(3, 1, 3, true)) == RejectReason::none);
    REQUIRE(node.role() == Role::leader);
    const core::Ready ready = drain(node);
    REQUIRE(ready.entries.size() == 1);
    const Entry& noop = ready.entries.front();
    CHECK(noop.type == core::EntryType::noop);
    CHECK(noop.term == 3);
    CHECK(noop.index == 4);
    CHECK(noop.data.empty());
    CHECK(node.log().last_index() == 4);
    CHECK(node.log().last_term() == 3);
    // It is sent to the followers.
    const std::vector<Message> appends = of_type(ready, MessageType::append_entries);
    REQUIRE(appends.size() == 2);
    for (const Message& append : appends) {
        CHECK(append.term == 3);
        REQUIRE_FALSE(append.entries.empty());
        CHECK(append.entries.back() == noop);
    }
}

// Found by fuzz_node: a new server (restarted from empty storage, term 0)
// refused a pre-vote with a term-0 response, which the pre-candidate's gate
// drops as request_term_zero. It stays silent instead; a grant still goes out.
TEST_CASE("pre-vote: a new server at term 0 sends no term-0 refusal", "[election][pre-vote]") {
    core::Node node = core::Node::restart(
        core::NodeOptions{.id = 4, .config = pre_vote_config(), .seed = 1}, core::DurableState{});
    REQUIRE(node.term() == 0);
    // It knows no configuration, so it cannot grant: it says nothing.
    REQUIRE(node.step(pre_vote_request(1, 4, 1, 1, 1)) == RejectReason::none);
    CHECK(node.term() == 0);
    CHECK(drain(node).messages.empty());
    // Every message it sends later carries a real term.
    REQUIRE(node.step(append_entries(1, 4, 2, 0, 0, {}, 0)) == RejectReason::none);
    const core::Ready ready = drain(node);
    REQUIRE_FALSE(ready.messages.empty());
    for (const Message& message : ready.messages) {
        CHECK(message.term == 2);
        CHECK(core::validate_message(message, message.to) == RejectReason::none);
    }
}

}  // namespace
}  // namespace raftsim::test
