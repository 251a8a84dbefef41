// Commitment: Raft paper §5.3, §5.4.2 (Figure 8), Figure 2 (commitIndex,
// matchIndex), and hashicorp/raft's commit timeout, proposal limits and
// non-voting servers.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "helpers.hpp"

namespace raftsim::test {
namespace {

using core::ProgressState;
using core::ProposeError;
using core::RejectReason;
using core::RequestOutcome;
using core::RequestResult;
using core::Role;

// ------------------------------------------------------------ local helpers

Entry config_entry(const core::Configuration& configuration) {
    return Entry{.term = 1,
                 .index = 1,
                 .type = core::EntryType::configuration,
                 .data = {},
                 .configuration = configuration};
}

/// The bootstrap configuration (voters 1..voters) at index 1, term 1, then
/// command entries of the given terms at indexes 2, 3, ...
std::vector<Entry> crafted_log(std::size_t voters, const std::vector<Term>& terms) {
    std::vector<Entry> log{config_entry(core::Configuration::voters(voters))};
    for (const Entry& e : entries(2, terms)) {
        log.push_back(e);
    }
    return log;
}

core::Node restart_node(NodeId id, std::size_t voters, Term term, const std::vector<Term>& terms,
                        core::Config config = test_config()) {
    return core::Node::restart(
        core::NodeOptions{.id = id, .config = config, .seed = id},
        core::DurableState{
            .hard_state = core::HardState{.term = term, .voted_for = core::node_none},
            .entries = crafted_log(voters, terms)});
}

std::vector<Index> indexes_of(const std::vector<Entry>& list) {
    std::vector<Index> result;
    for (const Entry& e : list) {
        result.push_back(e.index);
    }
    return result;
}

std::vector<Index> index_range(Index first, Index last) {
    std::vector<Index> result;
    for (Index i = first; i <= last; ++i) {
        result.push_back(i);
    }
    return result;
}

void propose_n(core::Node& leader, int count, core::RequestId first_id = 100) {
    for (int i = 0; i < count; ++i) {
        REQUIRE(leader
                    .propose(first_id + static_cast<core::RequestId>(i),
                             core::Bytes{static_cast<std::uint8_t>(i)})
                    .ok());
    }
}

/// Node 1 leads voters 1..count in term 2; every follower has acknowledged
/// the no-op at index 2, so the commit index is 2 and all are replicating.
core::Node make_replicating_leader(std::size_t count, core::Config config = test_config()) {
    core::Node leader = make_node(1, count, config);
    make_leader(leader, count);
    for (NodeId peer = 2; peer <= count; ++peer) {
        REQUIRE(leader.step(append_response(peer, 1, leader.term(), true, 2)) ==
                RejectReason::none);
    }
    static_cast<void>(drain(leader));
    REQUIRE(leader.commit_index() == 2);
    return leader;
}

/// Steps every message of `ready` addressed to `node` into it and returns the
/// node's answer (its next Ready, drained as a host would).
core::Ready deliver(const core::Ready& ready, core::Node& node) {
    for (const Message& message : ready.messages) {
        if (message.to == node.id()) {
            REQUIRE(node.step(message) == RejectReason::none);
        }
    }
    return drain(node);
}

// ------------------------------------------------------------ quorum rules

TEST_CASE("leader: commits an entry once a majority of voters has it, not before (§5.3)",
          "[commitment]") {
    // §5.3: "A log entry is committed once the leader that created the entry
    // has replicated it on a majority of the servers". The leader itself
    // counts as one of them.
    const std::size_t count = GENERATE(std::size_t{3}, std::size_t{5}, std::size_t{7});
    CAPTURE(count);
    const std::size_t majority = count / 2 + 1;
    core::Node leader = make_node(1, count);
    make_leader(leader, count);  // term 2, no-op at index 2
    REQUIRE(leader.commit_index() == 0);

    // The no-op: acknowledgements trickle in one follower at a time.
    for (NodeId peer = 2; peer <= count; ++peer) {
        REQUIRE(leader.step(append_response(peer, 1, 2, true, 2)) == RejectReason::none);
        const core::Ready ready = drain(leader);
        const std::size_t holders = peer;  // the leader and followers 2..peer
        CAPTURE(holders);
        if (holders < majority) {
            CHECK(leader.commit_index() == 0);
            CHECK(ready.committed_entries.empty());
        } else {
            CHECK(leader.commit_index() == 2);
        }
        if (holders == majority) {
            CHECK(indexes_of(ready.committed_entries) == index_range(1, 2));
        }
    }

    // A client command: the same, with the leader's own durable copy counted.
    propose_n(leader, 1);  // index 3
    static_cast<void>(drain(leader));
    for (NodeId peer = 2; peer <= count; ++peer) {
        REQUIRE(leader.step(append_response(peer, 1, 2, true, 3)) == RejectReason::none);
        static_cast<void>(drain(leader));
        CHECK(leader.commit_index() == (peer < majority ? 2U : 3U));
    }
}

TEST_CASE("leader: its own entry counts towards the majority only after advance() (§5.3)",
          "[commitment]") {
    // Figure 2: state is persisted before it is relied upon. The leader's own
    // copy of a new entry counts only once its host has made it durable,
    // which the host reports with advance() after handling the Ready.
    struct Case {
        std::size_t count;
        std::size_t acks;             // followers that acknowledged index 3
        bool commits_before_advance;  // a majority without the leader
    };
    const Case c = GENERATE(
        values<Case>({{3, 1, false}, {5, 2, false}, {5, 3, true}, {7, 3, false}, {7, 4, true}}));
    CAPTURE(c.count, c.acks);
    core::Node leader = make_replicating_leader(c.count);
    propose_n(leader, 1);  // index 3, not yet handed to the host
    REQUIRE(leader.log().written_index() == 2);
    for (NodeId peer = 2; peer < 2 + c.acks; ++peer) {
        REQUIRE(leader.step(append_response(peer, 1, 2, true, 3)) == RejectReason::none);
    }
    CHECK(leader.commit_index() == (c.commits_before_advance ? 3U : 2U));

    const core::Ready ready = leader.ready();
    REQUIRE(ready.entries.size() == 1);  // the host persists index 3 ...
    CHECK(ready.entries.front().index == 3);
    leader.advance();  // ... and says so
    CHECK(leader.log().written_index() == 3);
    CHECK(leader.commit_index() == 3);
}

TEST_CASE(
    "Figure 8: a leader does not commit an entry of a previous term by counting replicas (§5.4.2)",
    "[commitment]") {
    // Figure 8 of the Raft paper, five servers. The figure's index 1 (term 1)
    // is the bootstrap configuration entry here, so indexes are the figure's.
    //  (a) S1 led term 2 and stored (2) at index 2, also on S2.
    //  (b) S5 led term 3 with S3, S4 and stored (3) at index 2, alone.
    //  (c) S1 leads term 4 (its no-op (4) lands at index 3) and replicates
    //      the term-2 entry to S3 and S4: it is on a majority -- yet it must
    //      NOT be committed (S5 could still overwrite it: see the next test).
    //  (e) Once S1's term-4 entry is on a majority, it commits, and the
    //      term-2 entry with it (Log Matching).
    // max_append_entries = 1 lets S1 hand S3 and S4 the term-2 entry alone.
    core::Config config = test_config();
    config.max_append_entries = 1;
    config.max_inflight_appends = 1;
    core::Node s1 = restart_node(1, 5, 3, {2}, config);  // [1, 2], seen term 3
    core::Node s3 = restart_node(3, 5, 3, {}, config);   // [1], voted in term 3
    core::Node s4 = restart_node(4, 5, 3, {}, config);
    make_leader(s1, 5);  // votes from S2 and S3: term 4
    REQUIRE(s1.term() == 4);
    REQUIRE(s1.log().term_at(2) == 2);
    REQUIRE(s1.log().term_at(3) == 4);
    REQUIRE(s1.log().written_index() == 3);

    // A heartbeat probes every follower at prev 2; S2 and S5 are unreachable.
    s1.tick();
    const core::Ready probes = drain(s1);
    core::Ready to_s3;
    core::Ready to_s4;
    for (core::Node* follower : {&s3, &s4}) {
        // The follower lacks index 2 and says so; S1 backs off to prev 1 and
        // sends the term-2 entry; the follower acknowledges it.
        const core::Ready rejection = deliver(probes, *follower);
        const std::vector<Message> answers =
            of_type(rejection, MessageType::append_entries_response);
        REQUIRE(answers.size() == 1);
        REQUIRE_FALSE(answers[0].success);
        const core::Ready backoff = deliver(rejection, s1);
        const core::Ready ack = deliver(backoff, *follower);
        REQUIRE(follower->log().last_index() == 2);
        REQUIRE(follower->log().term_at(2) == 2);
        const core::Ready after_ack = deliver(ack, s1);
        REQUIRE(s1.progress(follower->id())->match_index == 2);
        (follower == &s3 ? to_s3 : to_s4) = after_ack;  // S1's next message, held back
    }
    // (c): the term-2 entry is on S1, S3, S4 (and S2): a majority by count.
    CHECK(s1.commit_index() == 0);
    CHECK(to_s3.committed_entries.empty());
    CHECK(to_s4.committed_entries.empty());

    // (e): the term-4 entry reaches S3: two of five, still nothing.
    const core::Ready s3_ack = deliver(to_s3, s3);
    REQUIRE(s3.log().last_index() == 3);
    static_cast<void>(deliver(s3_ack, s1));
    CHECK(s1.commit_index() == 0);
    // ... and S4: a majority of the current term, so both entries commit.
    const core::Ready s4_ack = deliver(to_s4, s4);
    const core::Ready committed = deliver(s4_ack, s1);
    CHECK(s1.commit_index() == 3);
    CHECK(indexes_of(committed.committed_entries) == index_range(1, 3));
    REQUIRE(committed.committed_entries.size() == 3);
    CHECK(committed.committed_entries[1].term == 2);
    CHECK(committed.committed_entries[2].term == 4);
}

TEST_CASE("Figure 8 (d): the uncommitted term-2 entry can still be overwritten by S5 (§5.4.2)",
          "[commitment]") {
    // Why (c) must not commit: if S1 crashes there, S5 (last term 3) wins
    // votes from S2, S3, S4 (last term 2) in term 5 and overwrites index 2
    // everywhere. Had S1 committed index 2, a committed entry would be lost.
    // Once S3 holds S1's term-4 entry (Figure 8 (e)) S5 can no longer win.
    const bool has_term_4_entry = GENERATE(false, true);
    CAPTURE(has_term_4_entry);
    // S3 after S1 crashed and S3 restarted: term 4, log [1, 2] (or [1, 2, 4]).
    core::Node s3 =
        restart_node(3, 5, 4, has_term_4_entry ? std::vector<Term>{2, 4} : std::vector<Term>{2});
    REQUIRE(s3.step(request_vote(5, 3, 5, 2, 3)) == RejectReason::none);
    const std::vector<Message> answers = of_type(drain(s3), MessageType::request_vote_response);
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].granted == !has_term_4_entry);
    if (!has_term_4_entry) {
        // S5, leader of term 5, replicates its term-3 entry at index 2.
        REQUIRE(s3.step(append_entries(5, 3, 5, 1, 1, {entry(3, 2)}, 2)) == RejectReason::none);
        static_cast<void>(drain(s3));
        CHECK(s3.log().term_at(2) == 3);
        CHECK(s3.stats().entries_truncated == 1);
    }
}

TEST_CASE("leader: a quorum of match indexes ignores non-voters (hashicorp membership)",
          "[commitment]") {
    // hashicorp: nonvoters and staging servers receive the log but "never
    // count" towards the commit quorum (configuration.go, ServerSuffrage).
    // (Staging servers that catch up are promoted to voters, so they are
    // pinned in membership_test.cpp while still lagging.)
    const core::Suffrage suffrage = core::Suffrage::nonvoter;
    // Voters 1, 2, 3 and two servers that do not vote: non-voters are the
    // numeric majority of acknowledgements below, yet count for nothing.
    core::Configuration configuration;
    configuration.servers = {{.id = 1, .suffrage = core::Suffrage::voter},
                             {.id = 2, .suffrage = core::Suffrage::voter},
                             {.id = 3, .suffrage = core::Suffrage::voter},
                             {.id = 4, .suffrage = suffrage},
                             {.id = 5, .suffrage = suffrage}};
    REQUIRE(configuration.is_valid());
    core::Node leader = core::Node::bootstrap(
        core::NodeOptions{.id = 1, .config = test_config(), .seed = 1}, configuration);
    static_cast<void>(drain(leader));
    make_leader(leader, 3);                  // a vote from 2 is a majority of the 3 voters
    REQUIRE(leader.progress(4) != nullptr);  // non-voters are replicated to
    REQUIRE(leader.progress(5) != nullptr);

    REQUIRE(leader.step(append_response(4, 1, 2, true, 2)) == RejectReason::none);
    REQUIRE(leader.step(append_response(5, 1, 2, true, 2)) == RejectReason::none);
    static_cast<void>(drain(leader));
    CHECK(leader.commit_index() == 0);
    REQUIRE(leader.step(append_response(2, 1, 2, true, 2)) == RejectReason::none);
    static_cast<void>(drain(leader));
    CHECK(leader.commit_index() == 2);

    // Non-voters ahead of the voters do not lift the quorum index either.
    propose_n(leader, 3);  // indexes 3..5
    static_cast<void>(drain(leader));
    REQUIRE(leader.step(append_response(4, 1, 2, true, 5)) == RejectReason::none);
    REQUIRE(leader.step(append_response(5, 1, 2, true, 5)) == RejectReason::none);
    REQUIRE(leader.step(append_response(2, 1, 2, true, 3)) == RejectReason::none);
    static_cast<void>(drain(leader));
    CHECK(leader.commit_index() == 3);
}

// ------------------------------------------------ applying committed entries

TEST_CASE(
    "leader: committed entries appear in Ready.committed_entries exactly once, in index order",
    "[commitment]") {
    // §5.3: once committed, the leader applies the entry to its state
    // machine; each entry is applied once, in log order. applied_index
    // advances when the host reports the Ready handled.
    core::Node leader = make_node(1, 3);
    make_leader(leader, 3);
    REQUIRE(leader.step(append_response(2, 1, 2, true, 2)) == RejectReason::none);
    core::Ready ready = leader.ready();
    CHECK(indexes_of(ready.committed_entries) == index_range(1, 2));
    CHECK(leader.applied_index() == 0);
    leader.advance();
    CHECK(leader.applied_index() == 2);

    std::vector<Index> applied{1, 2};
    for (int round = 0; round < 4; ++round) {
        propose_n(leader, round + 1);
        static_cast<void>(drain(leader));
        const Index last = leader.log().last_index();
        // Acknowledge in two steps, the second one repeated.
        REQUIRE(leader.step(append_response(2, 1, 2, true, last - 1)) == RejectReason::none);
        ready = drain(leader);
        const std::vector<Index> first = indexes_of(ready.committed_entries);
        applied.insert(applied.end(), first.begin(), first.end());
        for (int repeat = 0; repeat < 2; ++repeat) {
            REQUIRE(leader.step(append_response(2, 1, 2, true, last)) == RejectReason::none);
            ready = leader.ready();
            const std::vector<Index> got = indexes_of(ready.committed_entries);
            applied.insert(applied.end(), got.begin(), got.end());
            leader.advance();
            CHECK(leader.applied_index() == last);
        }
    }
    CHECK(applied == index_range(1, leader.log().last_index()));
    leader.tick();
    CHECK(drain(leader).committed_entries.empty());
}

TEST_CASE(
    "cluster: every node applies the committed log exactly once, in order, across leader "
    "changes",
    "[commitment]") {
    // State Machine Safety (Figure 3): no two servers apply different entries
    // at one index; each server applies every committed entry once, in order.
    const std::uint64_t seed = GENERATE(1U, 7U, 23U);
    const std::size_t count = GENERATE(std::size_t{3}, std::size_t{5});
    CAPTURE(seed, count);
    sim::Pump pump(count, test_config(), seed);
    core::RequestId next_id = 1;
    for (int epoch = 0; epoch < 3; ++epoch) {
        const NodeId leader = pump.run_until_leader(200);
        REQUIRE(leader != core::node_none);
        for (int i = 0; i < 5; ++i) {
            REQUIRE(pump.node(leader).propose(next_id++, core::Bytes{1}).ok());
            pump.stabilize();
        }
        pump.tick_all();
        pump.isolate(leader);  // depose it; the others elect a new leader
        for (int i = 0; i < 40 && (pump.leader() == leader || pump.leader() == core::node_none);
             ++i) {
            pump.tick_all();
        }
        pump.heal();
    }
    for (int i = 0; i < 10; ++i) {
        pump.tick_all();
    }
    const core::Node& leader = pump.node(pump.leader());
    for (NodeId id : pump.ids()) {
        CAPTURE(id);
        const std::vector<Entry>& applied = pump.applied(id);
        CHECK(indexes_of(applied) == index_range(1, pump.node(id).applied_index()));
        CHECK(pump.node(id).applied_index() == leader.commit_index());
        for (const Entry& e : applied) {
            CHECK(e == leader.log().at(e.index));
        }
    }
}

// ----------------------------------------------------------------- proposals

TEST_CASE("proposals to a node that is not leader fail with not_leader", "[commitment]") {
    // Only the leader appends client commands (§5.3; hashicorp's ErrNotLeader).
    const Role role = GENERATE(Role::follower, Role::pre_candidate, Role::candidate);
    CAPTURE(core::to_string(role));
    core::Config config = test_config();
    config.pre_vote = role == Role::pre_candidate;
    core::Node node = make_node(2, 3, config);
    if (role != Role::follower) {
        node.campaign();
        static_cast<void>(drain(node));
    }
    REQUIRE(node.role() == role);
    const core::ProposeResult result = node.propose(1, core::Bytes{42});
    CHECK(result.error == ProposeError::not_leader);
    CHECK_FALSE(result.ok());
    CHECK(node.log().last_index() == 1);
    CHECK_FALSE(node.has_ready());
}

TEST_CASE("leader: refuses proposals with too_many_uncommitted once the limit is reached",
          "[commitment]") {
    // A leader cut off from its quorum must not grow its log without bound:
    // at max_uncommitted_entries uncommitted entries it refuses proposals
    // until commitment catches up.
    const std::uint32_t limit = GENERATE(4U, 6U, 10U);
    CAPTURE(limit);
    core::Config config = test_config();
    config.max_append_entries = 4;
    config.max_uncommitted_entries = limit;
    core::Node leader = make_node(1, 3, config);
    make_leader(leader, 3);  // uncommitted: config entry and no-op
    const int room = static_cast<int>(limit) - 2;
    propose_n(leader, room);
    CHECK(leader.log().last_index() - leader.commit_index() == limit);
    const core::ProposeResult refused = leader.propose(999, core::Bytes{9});
    CHECK(refused.error == ProposeError::too_many_uncommitted);
    CHECK(leader.log().last_index() == limit);
    static_cast<void>(drain(leader));

    // Commitment frees room again.
    REQUIRE(leader.step(append_response(2, 1, 2, true, limit)) == RejectReason::none);
    static_cast<void>(drain(leader));
    REQUIRE(leader.commit_index() == limit);
    const core::ProposeResult accepted = leader.propose(1000, core::Bytes{10});
    CHECK(accepted.ok());
    CHECK(accepted.index == limit + 1);
}

TEST_CASE("leader: a proposal's RequestResult appears once, when its entry commits",
          "[commitment]") {
    // The client learns the outcome when the entry commits (hashicorp's
    // ApplyFuture): outcome committed, with the index and term it got.
    const std::size_t count = GENERATE(std::size_t{3}, std::size_t{5});
    CAPTURE(count);
    core::Node leader = make_replicating_leader(count);
    const core::ProposeResult first = leader.propose(7, core::Bytes{1});
    const core::ProposeResult second = leader.propose(8, core::Bytes{2});
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    CHECK(first.index == 3);
    CHECK(second.index == 4);
    CHECK(first.term == 2);
    CHECK(drain(leader).request_results.empty());

    // A majority acknowledges index 3 only: one result.
    std::vector<RequestResult> results;
    for (NodeId peer = 2; peer <= count / 2 + 1; ++peer) {
        REQUIRE(leader.step(append_response(peer, 1, 2, true, 3)) == RejectReason::none);
        const core::Ready ready = drain(leader);
        results.insert(results.end(), ready.request_results.begin(), ready.request_results.end());
    }
    REQUIRE(results.size() == 1);
    CHECK(results[0] ==
          RequestResult{.id = 7, .outcome = RequestOutcome::committed, .index = 3, .term = 2});
    // Then index 4, and nothing is ever reported twice.
    for (NodeId peer = 2; peer <= count; ++peer) {
        REQUIRE(leader.step(append_response(peer, 1, 2, true, 4)) == RejectReason::none);
        const core::Ready ready = drain(leader);
        results.insert(results.end(), ready.request_results.begin(), ready.request_results.end());
    }
    leader.tick();
    const core::Ready idle = drain(leader);
    results.insert(results.end(), idle.request_results.begin(), idle.request_results.end());
    REQUIRE(results.size() == 2);
    CHECK(results[1] ==
          RequestResult{.id = 8, .outcome = RequestOutcome::committed, .index = 4, .term = 2});
}

TEST_CASE("leader: pending proposals report leadership_lost, or committed if they committed first",
          "[commitment]") {
    // hashicorp's ErrLeadershipLost: a leader that steps down cannot tell
    // whether its uncommitted entries will commit. An entry that did commit
    // before the step-down is still reported committed, exactly once.
    core::Node leader = make_replicating_leader(3);
    propose_n(leader, 2, 7);  // ids 7, 8 at indexes 3, 4
    static_cast<void>(drain(leader));
    REQUIRE(leader.step(append_response(2, 1, 2, true, 3)) == RejectReason::none);
    REQUIRE(leader.commit_index() == 3);
    // A higher term deposes it before it hands out a Ready.
    REQUIRE(leader.step(append_entries(3, 1, 3, 4, 2, {}, 3)) == RejectReason::none);
    REQUIRE(leader.role() == Role::follower);
    const core::Ready ready = drain(leader);
    CHECK(indexes_of(ready.committed_entries) == index_range(3, 3));
    REQUIRE(ready.request_results.size() == 2);
    CHECK(ready.request_results[0] ==
          RequestResult{.id = 7, .outcome = RequestOutcome::committed, .index = 3, .term = 2});
    CHECK(
        ready.request_results[1] ==
        RequestResult{.id = 8, .outcome = RequestOutcome::leadership_lost, .index = 4, .term = 2});
    leader.tick();
    CHECK(drain(leader).request_results.empty());
}

// --------------------------------------------------- followers' commit index

TEST_CASE(
    "follower: learns the commit index from the leader within commit_timeout ticks "
    "(hashicorp CommitTimeout)",
    "[commitment]") {
    // hashicorp: the leader sends AppendEntries at least every CommitTimeout
    // so followers learn the commit index even when no new entries come.
    // Heartbeats here are every 5 ticks, so the commit timeout is what
    // propagates the index when it is shorter.
    const std::uint32_t commit_timeout = GENERATE(1U, 2U, 3U);
    const std::size_t count = GENERATE(std::size_t{3}, std::size_t{5});
    CAPTURE(commit_timeout, count);
    core::Config config = test_config();
    config.heartbeat_timeout_ticks = 50;
    config.election_timeout_ticks = 50;
    config.leader_lease_ticks = 50;
    config.commit_timeout_ticks = commit_timeout;
    sim::Pump pump(count, config, 3);
    pump.node(1).campaign();
    pump.stabilize();
    REQUIRE(pump.leader() == 1);
    core::Node& leader = pump.node(1);

    for (int round = 0; round < 6; ++round) {
        REQUIRE(leader.propose(static_cast<core::RequestId>(round + 1), core::Bytes{1}).ok());
        pump.stabilize();
        const Index target = leader.commit_index();
        REQUIRE(target == leader.log().last_index());
        std::uint32_t ticks = 0;
        auto all_learned = [&] {
            for (NodeId id : pump.ids()) {
                if (pump.node(id).commit_index() < target) {
                    return false;
                }
            }
            return true;
        };
        while (!all_learned() && ticks <= commit_timeout) {
            pump.tick(1);
            pump.stabilize();
            ticks += 1;
        }
        CAPTURE(round, target);
        CHECK(ticks <= commit_timeout);
        CHECK(all_learned());
    }
}

TEST_CASE(
    "follower: commit index never exceeds the last entry the leader's message matched "
    "(Figure 2)",
    "[commitment]") {
    // Figure 2 receiver rule 5: commitIndex = min(leaderCommit, index of last
    // new entry). A follower holding a stale suffix that an old, reordered or
    // duplicated message does not cover must not commit that suffix.
    struct Case {
        Index prev;
        std::vector<Term> new_terms;
        Index expected_commit;
    };
    // Follower: [c1, 1, 1, 1, 1, 1] (1..6), term 1; entries 4..6 are from a
    // deposed leader. The leader of term 2 says its commit index is 6.
    const Case c = GENERATE(values<Case>({
        {1, {}, 1},
        {2, {1}, 3},
        {1, {1, 1}, 3},
        {3, {}, 3},
        {3, {2}, 4},  // replaces index 4 and drops 5, 6
        {6, {}, 6},
    }));
    CAPTURE(c.prev, c.new_terms);
    core::Node follower = restart_node(2, 3, 1, {1, 1, 1, 1, 1});
    REQUIRE(follower.step(append_entries(1, 2, 2, c.prev, 1, entries(c.prev + 1, c.new_terms),
                                         6)) == RejectReason::none);
    const core::Ready ready = drain(follower);
    CHECK(follower.commit_index() == c.expected_commit);
    CHECK(indexes_of(ready.committed_entries) == index_range(1, c.expected_commit));
    CHECK(follower.commit_index() <= c.prev + c.new_terms.size());
}

TEST_CASE("commit index never decreases (Figure 2)", "[commitment]") {
    // Figure 2: commitIndex "increases monotonically". A late AppendEntries
    // with a lower leaderCommit, a heartbeat matching less, or a new leader
    // that has not learned the commit index yet never lowers it.
    struct Case {
        std::string name;
        Message message;
        bool after_new_term;  // the follower has moved on to term 2 first
    };
    const Case c = GENERATE(values<Case>({
        {"lower leader_commit", append_entries(1, 2, 1, 4, 1, {}, 2), false},
        {"reordered older AppendEntries", append_entries(1, 2, 1, 1, 1, entries(2, {1, 1}), 1),
         false},
        {"heartbeat matching less", append_entries(1, 2, 1, 2, 1, {}, 4), false},
        {"new leader with commit 0", append_entries(3, 2, 2, 4, 1, {}, 0), false},
        {"stale-term AppendEntries", append_entries(1, 2, 1, 4, 1, {}, 0), true},
    }));
    CAPTURE(c.name);
    core::Node follower = restart_node(2, 3, 1, {1, 1, 1});  // [c1, 1, 1, 1]
    REQUIRE(follower.step(append_entries(1, 2, 1, 4, 1, {}, 4)) == RejectReason::none);
    static_cast<void>(drain(follower));
    REQUIRE(follower.commit_index() == 4);
    if (c.after_new_term) {
        REQUIRE(follower.step(append_entries(3, 2, 2, 4, 1, {}, 4)) == RejectReason::none);
        static_cast<void>(drain(follower));
    }
    REQUIRE(follower.step(c.message) == RejectReason::none);
    const core::Ready ready = drain(follower);
    CHECK(follower.commit_index() == 4);
    CHECK(ready.committed_entries.empty());
}

TEST_CASE("leader: commit index never decreases on old or reordered acknowledgements (Figure 2)",
          "[commitment]") {
    // The leader's commitIndex follows matchIndex, which only grows; late
    // acknowledgements of shorter prefixes change neither.
    core::Node leader = make_replicating_leader(3);
    propose_n(leader, 2);  // indexes 3, 4
    static_cast<void>(drain(leader));
    REQUIRE(leader.step(append_response(2, 1, 2, true, 4)) == RejectReason::none);
    REQUIRE(leader.commit_index() == 4);
    REQUIRE(leader.step(append_response(2, 1, 2, true, 3)) == RejectReason::none);
    REQUIRE(leader.step(append_response(3, 1, 2, true, 2)) == RejectReason::none);
    REQUIRE(leader.step(append_response(3, 1, 2, false, 1, 2)) == RejectReason::none);
    CHECK(leader.commit_index() == 4);
    const core::Ready ready = drain(leader);
    CHECK(indexes_of(ready.committed_entries) == index_range(3, 4));
}

}  // namespace
}  // namespace raftsim::test
