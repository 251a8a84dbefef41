// Log replication: Raft paper §5.3 and §5.4 (Figure 2's AppendEntries RPC,
// Figure 7), with hashicorp/raft's heartbeats and etcd-style flow control
// (probe/replicate, in-flight window, batching).
#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "helpers.hpp"

namespace raftsim::test {
namespace {

using core::ProgressState;
using core::RejectReason;
using core::Role;

// ------------------------------------------------------------ local helpers

/// The bootstrap configuration entry every cluster log starts with
/// (hashicorp's BootstrapCluster): index 1, term 1, voters 1..count.
Entry config_entry(std::size_t voters) {
    return Entry{.term = 1,
                 .index = 1,
                 .type = core::EntryType::configuration,
                 .data = {},
                 .configuration = core::Configuration::voters(voters)};
}

/// A log of the bootstrap configuration at index 1 followed by command
/// entries of the given terms at indexes 2, 3, ...
std::vector<Entry> crafted_log(std::size_t voters, const std::vector<Term>& terms) {
    std::vector<Entry> log{config_entry(voters)};
    for (const Entry& e : entries(2, terms)) {
        log.push_back(e);
    }
    return log;
}

core::DurableState durable_state(std::size_t voters, Term term, const std::vector<Term>& terms) {
    return core::DurableState{
        .hard_state = core::HardState{.term = term, .voted_for = core::node_none},
        .entries = crafted_log(voters, terms)};
}

/// A node restarted from a crafted durable log (see crafted_log) at `term`.
core::Node restart_node(NodeId id, std::size_t voters, Term term, const std::vector<Term>& terms,
                        core::Config config = test_config()) {
    return core::Node::restart(core::NodeOptions{.id = id, .config = config, .seed = id},
                               durable_state(voters, term, terms));
}

std::vector<Entry> log_of(const core::Node& node) {
    const auto span = node.log().entries();
    return {span.begin(), span.end()};
}

std::vector<Term> terms_of(const core::Node& node) {
    std::vector<Term> result;
    for (const Entry& e : node.log().entries()) {
        result.push_back(e.term);
    }
    return result;
}

/// The single AppendEntries response a Ready carries.
Message only_response(const core::Ready& ready) {
    const std::vector<Message> responses = of_type(ready, MessageType::append_entries_response);
    REQUIRE(responses.size() == 1);
    return responses.front();
}

/// AppendEntries in `ready` addressed to `to`.
std::vector<Message> appends_to(const core::Ready& ready, NodeId to) {
    std::vector<Message> result;
    for (const Message& message : of_type(ready, MessageType::append_entries)) {
        if (message.to == to) {
            result.push_back(message);
        }
    }
    return result;
}

/// Node 1 leads a cluster of voters 1..count in term 2 and every follower has
/// acknowledged the leader's no-op at index 2, so each is in replicate state
/// and the leader's commit index is 2.
core::Node make_replicating_leader(std::size_t count, core::Config config = test_config()) {
    core::Node leader = make_node(1, count, config);
    make_leader(leader, count);
    REQUIRE(leader.log().last_index() == 2);
    for (NodeId peer = 2; peer <= count; ++peer) {
        REQUIRE(leader.step(append_response(peer, 1, leader.term(), true, 2)) ==
                RejectReason::none);
        REQUIRE(leader.progress(peer)->state == ProgressState::replicate);
    }
    static_cast<void>(drain(leader));
    REQUIRE(leader.commit_index() == 2);
    return leader;
}

void propose_n(core::Node& leader, int count) {
    for (int i = 0; i < count; ++i) {
        REQUIRE(leader
                    .propose(static_cast<core::RequestId>(100 + i),
                             core::Bytes{static_cast<std::uint8_t>(i)})
                    .ok());
    }
}

// ------------------------------------------------------- Ready buffers

TEST_CASE("node: advance(Ready&&) reuses the spent batch's buffer but none of its messages",
          "[replication]") {
    core::Node leader = make_committed_leader(3);
    for (int tick = 0; tick < 3 && !leader.has_ready(); ++tick) {
        leader.tick();
    }
    // Heartbeats or appends to both followers.
    core::Ready first = leader.ready();
    REQUIRE(first.messages.size() >= 2);
    const std::size_t spent_capacity = first.messages.capacity();
    leader.advance(std::move(first));
    REQUIRE(leader.propose(1, core::Bytes{7}).ok());
    core::Ready second = leader.ready();
    // Only the new proposal's appends: nothing of the first batch comes back.
    REQUIRE(second.messages.size() == 2);
    for (const Message& message : second.messages) {
        CHECK(message.type == MessageType::append_entries);
        REQUIRE(message.entries.size() == 1);
        CHECK(message.entries.back().index == leader.log().last_index());
    }
    CHECK(second.messages.capacity() >= spent_capacity);
    leader.advance(std::move(second));
    CHECK_FALSE(leader.has_ready());
}

// ------------------------------------------------- follower: AppendEntries

TEST_CASE(
    "follower: rejects AppendEntries with stale term and replies with its own term (Figure 2)",
    "[replication]") {
    // Figure 2, AppendEntries receiver rule 1: "Reply false if term <
    // currentTerm"; the reply carries currentTerm so the stale leader updates
    // itself and steps down (§5.1).
    const Term stale_term = GENERATE(1, 2);
    core::Node follower = restart_node(2, 3, 3, {1, 2});  // log [c1, 1, 2], term 3
    const std::vector<Entry> before = log_of(follower);
    // A conflicting entry and a high leader_commit: neither may be acted on.
    REQUIRE(follower.step(append_entries(1, 2, stale_term, 2, 1, {entry(stale_term, 3)}, 3)) ==
            RejectReason::none);
    const core::Ready ready = drain(follower);
    const Message response = only_response(ready);
    CHECK_FALSE(response.success);
    CHECK(response.to == 1);
    CHECK(response.term == 3);
    CHECK(response.rejected_prev_log_index == 2);
    CHECK(follower.term() == 3);
    CHECK(follower.leader_id() == core::node_none);
    CHECK(log_of(follower) == before);
    CHECK(follower.commit_index() == 0);
    CHECK(ready.entries.empty());
    CHECK_FALSE(ready.hard_state.has_value());
}

TEST_CASE(
    "follower: rejects AppendEntries whose prev_log_index is past its log, hinting its last index "
    "(Figure 2)",
    "[replication]") {
    // Figure 2, receiver rule 2: "Reply false if log doesn't contain an entry
    // at prevLogIndex whose term matches prevLogTerm". The hint is the
    // follower's last index so the leader can jump there (§5.3).
    const Index prev = GENERATE(Index{4}, Index{5}, Index{9});
    core::Node follower = restart_node(2, 3, 1, {1, 1});  // log [c1, 1, 1], last 3
    const std::vector<Entry> before = log_of(follower);
    REQUIRE(follower.step(append_entries(1, 2, 2, prev, 2, {entry(2, prev + 1)}, prev + 1)) ==
            RejectReason::none);
    const core::Ready ready = drain(follower);
    const Message response = only_response(ready);
    CHECK_FALSE(response.success);
    CHECK(response.term == 2);
    CHECK(response.last_log_index == 3);
    CHECK(response.rejected_prev_log_index == prev);
    CHECK(log_of(follower) == before);
    CHECK(follower.commit_index() == 0);
    CHECK(follower.leader_id() == 1);  // it is still the leader of term 2
    CHECK(ready.entries.empty());
}

TEST_CASE(
    "follower: rejects AppendEntries whose prev_log_term mismatches, hinting before the "
    "conflicting term (Figure 2, §5.3)",
    "[replication]") {
    // Figure 2, receiver rule 2, with the §5.3 optimisation: the hint lets the
    // leader skip the whole run of the conflicting term at once.
    struct Case {
        Index prev;
        Term prev_term;
        Index hint;
    };
    // Follower log: index 1..5 = [c1, 1, 2, 2, 2]; the run of term 2 starts
    // at 3 (hint 2), the run of term 1 at 1 (hint 0).
    const Case c = GENERATE(values<Case>({{5, 3, 2}, {5, 1, 2}, {4, 3, 2}, {3, 3, 2}, {2, 2, 0}}));
    CAPTURE(c.prev, c.prev_term);
    core::Node follower = restart_node(2, 3, 2, {1, 2, 2, 2});
    const std::vector<Entry> before = log_of(follower);
    REQUIRE(follower.step(append_entries(1, 2, 3, c.prev, c.prev_term, {entry(3, c.prev + 1)},
                                         5)) == RejectReason::none);
    const core::Ready ready = drain(follower);
    const Message response = only_response(ready);
    CHECK_FALSE(response.success);
    CHECK(response.term == 3);
    CHECK(response.last_log_index == c.hint);
    CHECK(response.rejected_prev_log_index == c.prev);
    CHECK(log_of(follower) == before);  // a mismatch alone never truncates
    CHECK(follower.stats().entries_truncated == 0);
    CHECK(follower.commit_index() == 0);
    CHECK(ready.entries.empty());
}

TEST_CASE("follower: deletes a conflicting entry and all that follow it (Figure 2)",
          "[replication]") {
    // Figure 2, receiver rule 3: "If an existing entry conflicts with a new one
    // (same index but different terms), delete the existing entry and all
    // that follow it".
    struct Case {
        Index prev;
        Term prev_term;
        std::vector<Term> new_terms;
        std::vector<Term> expected;  // terms after the config entry
        std::uint64_t truncated;
    };
    // Follower log: [c1, 1, 2, 2, 2] (indexes 1..5), term 2; leader of term 3.
    const Case c = GENERATE(values<Case>({
        {2, 1, {3}, {1, 3}, 3},
        {3, 2, {3, 3, 3}, {1, 2, 3, 3, 3}, 2},
        {1, 1, {1, 3}, {1, 3}, 3},     // first entry matches, second conflicts
        {4, 2, {3}, {1, 2, 2, 3}, 1},  // only the last entry conflicts
    }));
    CAPTURE(c.prev, c.new_terms);
    core::Node follower = restart_node(2, 3, 2, {1, 2, 2, 2});
    REQUIRE(follower.step(append_entries(1, 2, 3, c.prev, c.prev_term,
                                         entries(c.prev + 1, c.new_terms), 0)) ==
            RejectReason::none);
    const Message response = only_response(drain(follower));
    CHECK(response.success);
    CHECK(response.match_index == c.prev + c.new_terms.size());
    CHECK(log_of(follower) == crafted_log(3, c.expected));
    CHECK(follower.stats().entries_truncated == c.truncated);
    CHECK(follower.log().is_well_formed());
}

TEST_CASE("follower: appends new entries not already in the log (Figure 2)", "[replication]") {
    // Figure 2, receiver rule 4: "Append any new entries not already in the
    // log". Entries already present with the same term are kept as they are.
    struct Case {
        Index prev;
        std::vector<Term> new_terms;
        std::vector<Term> expected;
        std::size_t persisted;  // entries the Ready asks the host to write
    };
    // Follower log: [c1, 1, 1] (indexes 1..3), term 2; leader of term 2.
    const Case c = GENERATE(values<Case>({
        {3, {2, 2}, {1, 1, 2, 2}, 2},
        {2, {1, 2}, {1, 1, 2}, 1},
        {1, {1, 1, 2, 2}, {1, 1, 2, 2}, 2},
        {1, {1, 1}, {1, 1}, 0},
    }));
    CAPTURE(c.prev, c.new_terms);
    core::Node follower = restart_node(2, 3, 2, {1, 1});
    REQUIRE(follower.step(append_entries(1, 2, 2, c.prev, 1, entries(c.prev + 1, c.new_terms),
                                         0)) == RejectReason::none);
    const core::Ready ready = drain(follower);
    CHECK(only_response(ready).success);
    CHECK(log_of(follower) == crafted_log(3, c.expected));
    CHECK(follower.stats().entries_truncated == 0);
    CHECK(ready.entries.size() == c.persisted);
}

TEST_CASE("follower: commitIndex = min(leaderCommit, index of last new entry) (Figure 2)",
          "[replication]") {
    // Figure 2, receiver rule 5: "If leaderCommit > commitIndex, set
    // commitIndex = min(leaderCommit, index of last new entry)".
    struct Case {
        Index prev;
        std::vector<Term> new_terms;
        Index leader_commit;
        Index expected_commit;
    };
    // Follower log: [c1, 1, 1, 1] (indexes 1..4), term 2; leader of term 2.
    const Case c = GENERATE(values<Case>({
        {4, {2, 2}, 3, 3},   // leaderCommit is the smaller
        {4, {2, 2}, 10, 6},  // the last new entry is the smaller
        {4, {2, 2}, 6, 6},
        {4, {}, 10, 4},  // heartbeat: the last new entry is prev_log_index
        {4, {}, 0, 0},
    }));
    CAPTURE(c.prev, c.new_terms, c.leader_commit);
    core::Node follower = restart_node(2, 3, 2, {1, 1, 1});
    REQUIRE(follower.step(append_entries(1, 2, 2, c.prev, 1, entries(c.prev + 1, c.new_terms),
                                         c.leader_commit)) == RejectReason::none);
    const core::Ready ready = drain(follower);
    CHECK(only_response(ready).success);
    CHECK(follower.commit_index() == c.expected_commit);
    REQUIRE(ready.committed_entries.size() == c.expected_commit);
    if (c.expected_commit > 0) {
        CHECK(ready.committed_entries.back().index == c.expected_commit);
    }
}

TEST_CASE("follower: stale entries beyond the last new entry are never committed (Figure 2)",
          "[replication]") {
    // Figure 2, receiver rule 5: the follower's entries past what this message
    // proved to match the leader may come from a deposed leader (Figure 7
    // (c),(d),(f)); committing them on leaderCommit alone would apply entries
    // the leader does not have.
    const Index prev = GENERATE(Index{1}, Index{2}, Index{3});
    // Follower log: [c1, 1, 1, 1, 1] (indexes 1..5), term 1; indexes 4, 5 are
    // stale leftovers of an old term-1 leader.
    core::Node follower = restart_node(2, 3, 1, {1, 1, 1, 1});
    REQUIRE(follower.step(append_entries(1, 2, 2, prev, 1, {}, 5)) == RejectReason::none);
    const core::Ready ready = drain(follower);
    CHECK(only_response(ready).success);
    CHECK(follower.commit_index() == prev);
    CHECK(ready.committed_entries.size() == prev);
    CHECK(follower.log().last_index() == 5);  // kept, but not committed

    // The leader then overwrites index 4 with its own entry; the stale entry 5
    // goes away without ever having been committed.
    REQUIRE(follower.step(append_entries(1, 2, 2, 3, 1, {entry(2, 4)}, 5)) == RejectReason::none);
    static_cast<void>(drain(follower));
    CHECK(follower.commit_index() == 4);
    CHECK(follower.log().last_index() == 4);
    CHECK(terms_of(follower) == std::vector<Term>{1, 1, 1, 2});
}

TEST_CASE(
    "follower: a success response's match_index is prev_log_index + entries, never its last index",
    "[replication]") {
    // §5.3: a success only proves the follower's log matches the leader's
    // through the last entry of this request. Figure 2's matchIndex must not
    // include a stale suffix the follower may still hold.
    struct Case {
        Index prev;
        std::size_t count;
    };
    const Case c = GENERATE(values<Case>({{1, 0}, {2, 1}, {1, 3}, {3, 0}, {5, 1}, {6, 0}}));
    CAPTURE(c.prev, c.count);
    core::Node follower = restart_node(2, 3, 1, {1, 1, 1, 1, 1});  // last index 6, all term 1
    std::vector<Term> new_terms(c.count, 1);
    REQUIRE(follower.step(append_entries(1, 2, 1, c.prev, 1, entries(c.prev + 1, new_terms), 0)) ==
            RejectReason::none);
    const Message response = only_response(drain(follower));
    CHECK(response.success);
    CHECK(response.match_index == c.prev + c.count);
    CHECK(follower.log().last_index() == std::max<Index>(6, c.prev + c.count));
}

TEST_CASE("follower: stale, duplicated and reordered AppendEntries never truncate the log (§5.3)",
          "[replication]") {
    // Figure 2, receiver rule 3 deletes entries only on a real conflict (same
    // index, different term). A message that is a prefix of what the follower
    // already has -- delayed, duplicated or overtaken -- must not shorten the
    // log: that could lose an entry the follower already acknowledged.
    const std::vector<Entry> newer = entries(2, {2, 2, 2, 2});  // indexes 2..5
    struct Case {
        std::string name;
        Index prev;
        Term prev_term;
        std::vector<Entry> later;
    };
    const Case c = GENERATE_COPY(values<Case>({
        {"duplicated", 1, 1, newer},
        {"reordered: older prefix after newer", 1, 1, entries(2, {2, 2})},
        {"stale middle slice", 2, 2, entries(3, {2})},
        {"stale empty heartbeat", 3, 2, {}},
    }));
    CAPTURE(c.name);
    core::Node follower = restart_node(2, 3, 2, {});  // log [c1], term 2
    REQUIRE(follower.step(append_entries(1, 2, 2, 1, 1, newer, 0)) == RejectReason::none);
    CHECK(only_response(drain(follower)).match_index == 5);
    const std::vector<Entry> after_newer = log_of(follower);
    REQUIRE(after_newer.size() == 5);

    REQUIRE(follower.step(append_entries(1, 2, 2, c.prev, c.prev_term, c.later, 0)) ==
            RejectReason::none);
    const core::Ready ready = drain(follower);
    const Message response = only_response(ready);
    CHECK(response.success);
    CHECK(response.match_index == c.prev + c.later.size());
    CHECK(log_of(follower) == after_newer);
    CHECK(follower.stats().entries_truncated == 0);
    CHECK(ready.entries.empty());  // nothing changed, nothing to persist
}

TEST_CASE(
    "follower: refuses to overwrite an entry at or below its commit index (State Machine Safety)",
    "[replication]") {
    // §5.4.3: a committed entry is never overwritten. Only a broken leader can
    // send a conflict at or below the follower's commit index; the follower
    // counts and drops it instead of truncating committed entries.
    core::Node follower = restart_node(2, 3, 1, {1, 1, 1});  // [c1, 1, 1, 1]
    REQUIRE(follower.step(append_entries(1, 2, 1, 4, 1, {}, 4)) == RejectReason::none);
    static_cast<void>(drain(follower));
    REQUIRE(follower.commit_index() == 4);
    const std::vector<Entry> before = log_of(follower);

    CHECK(follower.step(append_entries(3, 2, 2, 2, 1, {entry(2, 3)}, 0)) ==
          RejectReason::conflict_below_commit);
    static_cast<void>(drain(follower));
    CHECK(follower.stats().rejects.of(RejectReason::conflict_below_commit) == 1);
    CHECK(log_of(follower) == before);
    CHECK(follower.commit_index() == 4);
}

TEST_CASE("follower: AppendEntries from the leader of the term makes a candidate step down (§5.2)",
          "[replication]") {
    // §5.2: "If the AppendEntries RPC is from a leader whose term is at least
    // as large as the candidate's current term, then the candidate recognizes
    // the leader as legitimate and returns to follower state".
    const Term term_offset = GENERATE(Term{0}, Term{1});
    core::Node node = make_node(2, 3);
    node.campaign();
    static_cast<void>(drain(node));
    REQUIRE(node.role() == Role::candidate);
    const Term term = node.term() + term_offset;
    REQUIRE(node.step(append_entries(1, 2, term, 1, 1, {entry(term, 2)}, 0)) == RejectReason::none);
    const core::Ready ready = drain(node);
    CHECK(node.role() == Role::follower);
    CHECK(node.term() == term);
    CHECK(node.leader_id() == 1);
    CHECK(only_response(ready).success);
    CHECK(node.log().last_index() == 2);
}

TEST_CASE(
    "follower: inputs batched into one Ready never carry an acknowledgement of entries the same "
    "Ready truncates (Figure 2, respond after updating stable storage)",
    "[replication]") {
    // An etcd-style host may step several messages before it takes a Ready.
    // The acknowledgement to the leader of term 3 promises that entries 6..7
    // survive; the later message of term 4 truncates them before anything is
    // written. Sent after the write, that promise would be false, and the old
    // leader could count it towards committing an entry the cluster loses.
    // Follower log: [c1, 1, 2, 2, 2] (indexes 1..5), term 2. The new term
    // comes with the message itself, or first with a campaign of this node's
    // own (which node 3 then wins without its vote).
    const bool campaign_between = GENERATE(false, true);
    CAPTURE(campaign_between);
    core::Node follower = restart_node(2, 5, 2, {1, 2, 2, 2});
    REQUIRE(follower.step(append_entries(1, 2, 3, 5, 2, entries(6, {3, 3}), 0)) ==
            RejectReason::none);
    if (campaign_between) {
        follower.campaign();  // pre-vote is off: a candidacy, into term 4
        REQUIRE(follower.role() == Role::candidate);
        REQUIRE(follower.term() == 4);
    }
    REQUIRE(follower.step(append_entries(3, 2, 4, 5, 2, entries(6, {4}), 0)) == RejectReason::none);
    const core::Ready ready = drain(follower);
    REQUIRE(follower.role() == Role::follower);
    REQUIRE(terms_of(follower) == std::vector<Term>{1, 1, 2, 2, 2, 4});
    for (const Message& response : of_type(ready, MessageType::append_entries_response)) {
        CAPTURE(response.to, response.term, response.match_index);
        CHECK(response.term == 4);
        CHECK(response.to == 3);
    }
    CHECK(only_response(ready).match_index == 6);
}

// ------------------------------------------------------ leader: next/match

TEST_CASE(
    "leader: after a rejection next_index jumps using the follower's hint (§5.3 fast backoff)",
    "[replication]") {
    // §5.3: "the follower can include the term of the conflicting entry and
    // the first index it stores for that term ... one AppendEntries RPC will
    // be required for each term with conflicting entries, rather than one per
    // entry". next_index = min(rejected prev, hint + 1), never below match+1.
    struct Case {
        Index hint;
        Index expected_next;
    };
    // Leader log: [c1, 1, 1, 2, 2, 3, 3, 3, 3, 3] (1..10), then its term-4
    // no-op at 11; it probes every follower at next_index 11 (prev 10).
    const Case c = GENERATE(values<Case>({{3, 4}, {5, 6}, {0, 1}, {9, 10}, {20, 10}}));
    CAPTURE(c.hint);
    core::Node leader = restart_node(1, 3, 3, {1, 1, 2, 2, 3, 3, 3, 3, 3});
    make_leader(leader, 3);
    REQUIRE(leader.term() == 4);
    REQUIRE(leader.progress(2)->next_index == 11);

    REQUIRE(leader.step(append_response(2, 1, 4, false, c.hint, 10)) == RejectReason::none);
    const core::Progress* progress = leader.progress(2);
    CHECK(progress->state == ProgressState::probe);
    CHECK(progress->next_index == c.expected_next);
    CHECK(progress->match_index == 0);
    CHECK(leader.progress(3)->next_index == 11);  // other followers are unaffected

    // The next probe starts right there, with the leader's own term at prev.
    const std::vector<Message> probes = appends_to(drain(leader), 2);
    REQUIRE(probes.size() == 1);
    CHECK(probes[0].prev_log_index == c.expected_next - 1);
    CHECK(probes[0].prev_log_term == leader.log().term_at(c.expected_next - 1));
    REQUIRE_FALSE(probes[0].entries.empty());
    CHECK(probes[0].entries.front().index == c.expected_next);
}

TEST_CASE("leader: a stale rejection does not move next_index", "[replication]") {
    // A rejection answers one specific probe (rejected_prev_log_index). One
    // that answers an older request -- duplicated or reordered by the network
    // -- carries no information about the current probe and must be ignored,
    // or next_index would move back and forth (and below what is known).
    struct Case {
        std::string name;
        Index rejected_prev;
        Index hint;
    };
    const Case c = GENERATE(values<Case>({
        {"duplicate of the first rejection", 10, 3},
        {"older probe at prev 7", 7, 2},
        {"not the probed position (prev 2)", 2, 0},
        {"at or below match_index", 0, 0},
    }));
    CAPTURE(c.name);
    core::Node leader = restart_node(1, 3, 3, {1, 1, 2, 2, 3, 3, 3, 3, 3});
    make_leader(leader, 3);
    REQUIRE(leader.step(append_response(2, 1, 4, false, 3, 10)) == RejectReason::none);
    REQUIRE(leader.progress(2)->next_index == 4);
    static_cast<void>(drain(leader));  // sends the probe at prev 3

    const std::uint64_t stale_before = leader.stats().stale_responses;
    REQUIRE(leader.step(append_response(2, 1, 4, false, c.hint, c.rejected_prev)) ==
            RejectReason::none);
    CHECK(leader.progress(2)->next_index == 4);
    CHECK(leader.stats().stale_responses == stale_before + 1);
    CHECK(appends_to(drain(leader), 2).empty());  // no new probe for a stale answer
}

TEST_CASE("leader: match_index never moves backwards (Figure 2)", "[replication]") {
    // Figure 2: matchIndex is "increases monotonically". A success response
    // overtaken by a later one (reordered) must not lower it, nor next_index.
    const Index old_match = GENERATE(Index{1}, Index{2}, Index{4});
    core::Node leader = make_replicating_leader(3);
    propose_n(leader, 3);  // indexes 3..5
    static_cast<void>(drain(leader));
    REQUIRE(leader.step(append_response(2, 1, 2, true, 5)) == RejectReason::none);
    REQUIRE(leader.progress(2)->match_index == 5);
    REQUIRE(leader.step(append_response(2, 1, 2, true, old_match)) == RejectReason::none);
    CHECK(leader.progress(2)->match_index == 5);
    CHECK(leader.progress(2)->next_index == 6);
    CHECK(leader.commit_index() == 5);
}

TEST_CASE("leader: steps down when an AppendEntries response carries a higher term (§5.1)",
          "[replication]") {
    // Figure 2, rules for all servers: "If RPC request or response contains
    // term T > currentTerm: set currentTerm = T, convert to follower". The
    // leader's log is untouched (Leader Append-Only holds while it leads, and
    // a follower only changes its log on a leader's AppendEntries).
    const bool success = GENERATE(true, false);
    core::Node leader = make_replicating_leader(3);
    const std::vector<Entry> before = log_of(leader);
    REQUIRE(leader.step(append_response(2, 1, 5, success, success ? 2 : 0, success ? 0 : 2)) ==
            RejectReason::none);
    const core::Ready ready = drain(leader);
    CHECK(leader.role() == Role::follower);
    CHECK(leader.term() == 5);
    CHECK(leader.leader_id() == core::node_none);
    CHECK(leader.progress(2) == nullptr);
    REQUIRE(ready.hard_state.has_value());
    CHECK(ready.hard_state->term == 5);
    CHECK(log_of(leader) == before);
}

// ------------------------------------------- leader: batching and windows

TEST_CASE("leader: proposals made before one ready() travel in one AppendEntries (batching)",
          "[replication]") {
    // Replication is flushed at ready(), not per proposal, so a burst of
    // proposals costs one AppendEntries per follower (hashicorp batches the
    // same way through its applyCh/dispatchLogs).
    const int burst = GENERATE(2, 3, 10);
    core::Node leader = make_replicating_leader(3);
    propose_n(leader, burst);
    const core::Ready ready = drain(leader);
    for (NodeId peer : {NodeId{2}, NodeId{3}}) {
        const std::vector<Message> appends = appends_to(ready, peer);
        REQUIRE(appends.size() == 1);
        CHECK(appends[0].prev_log_index == 2);
        REQUIRE(appends[0].entries.size() == static_cast<std::size_t>(burst));
        CHECK(appends[0].entries.front().index == 3);
        CHECK(appends[0].entries.back().index == 2 + static_cast<Index>(burst));
    }
}

TEST_CASE("leader: no AppendEntries carries more than max_append_entries entries",
          "[replication]") {
    // hashicorp's MaxAppendEntries bounds the entries of one AppendEntries;
    // the rest follow in further messages, contiguous and in order.
    const std::uint32_t max_append = GENERATE(1U, 2U, 3U, 5U);
    CAPTURE(max_append);
    core::Config config = test_config();
    config.max_append_entries = max_append;
    config.max_inflight_appends = 64;

    SECTION("replicate state: a burst is split") {
        core::Node leader = make_replicating_leader(3, config);
        propose_n(leader, 7);  // indexes 3..9
        const std::vector<Message> appends = appends_to(drain(leader), 2);
        CHECK(appends.size() == (7 + max_append - 1) / max_append);
        Index expected = 3;
        for (const Message& message : appends) {
            CHECK(message.entries.size() <= max_append);
            CHECK(message.prev_log_index == expected - 1);
            for (const Entry& e : message.entries) {
                CHECK(e.index == expected);
                expected += 1;
            }
        }
        CHECK(expected == 10);
    }
    SECTION("probe state: a lagging follower's probe is bounded too") {
        core::Node leader = restart_node(1, 3, 1, std::vector<Term>(10, 1), config);
        make_leader(leader, 3);
        REQUIRE(leader.step(append_response(2, 1, leader.term(), false, 0, 11)) ==
                RejectReason::none);
        const std::vector<Message> appends = appends_to(drain(leader), 2);
        REQUIRE(appends.size() == 1);
        CHECK(appends[0].prev_log_index == 0);
        CHECK(appends[0].entries.size() == max_append);
    }
    SECTION("cluster: every AppendEntries on the wire is bounded") {
        sim::Pump pump(3, config, 11);
        const NodeId leader = pump.run_until_leader(100);
        REQUIRE(leader != core::node_none);
        auto largest = std::make_shared<std::size_t>(0);
        pump.set_drop_filter([largest](const Message& message) {
            *largest = std::max(*largest, message.entries.size());
            return false;
        });
        propose_n(pump.node(leader), 20);
        pump.stabilize();
        pump.tick_all();
        CHECK(*largest == max_append);
        for (NodeId id : pump.ids()) {
            CHECK(pump.node(id).log().last_index() == pump.node(leader).log().last_index());
        }
    }
}

TEST_CASE(
    "leader: at most max_inflight_appends unacknowledged AppendEntries per follower in replicate "
    "state",
    "[replication]") {
    // Flow control (hashicorp's pipeline depth, etcd's inflights): in
    // replicate state the leader sends optimistically, but no more than
    // max_inflight_appends messages with entries may await acknowledgement.
    const std::uint32_t window = GENERATE(1U, 2U, 4U);
    CAPTURE(window);
    core::Config config = test_config();
    config.max_append_entries = 1;
    config.max_inflight_appends = window;
    core::Node leader = make_replicating_leader(3, config);
    propose_n(leader, 10);  // indexes 3..12
    const core::Ready first = drain(leader);
    for (NodeId peer : {NodeId{2}, NodeId{3}}) {
        const std::vector<Message> appends = appends_to(first, peer);
        REQUIRE(appends.size() == window);
        for (std::size_t i = 0; i < appends.size(); ++i) {
            REQUIRE(appends[i].entries.size() == 1);
            CHECK(appends[i].entries[0].index == 3 + i);
        }
        CHECK(leader.progress(peer)->inflight_last_indexes.size() == window);
    }

    // A heartbeat while the window is full carries no entries.
    leader.tick();
    for (const Message& message : of_type(drain(leader), MessageType::append_entries)) {
        CHECK(message.entries.empty());
    }
    CHECK(leader.progress(2)->inflight_last_indexes.size() == window);

    // Each acknowledgement frees one slot, and exactly one more message goes.
    REQUIRE(leader.step(append_response(2, 1, 2, true, 3)) == RejectReason::none);
    const core::Ready after_ack = drain(leader);
    const std::vector<Message> more = appends_to(after_ack, 2);
    REQUIRE(more.size() == 1);
    REQUIRE(more[0].entries.size() == 1);
    CHECK(more[0].entries[0].index == 3 + window);
    CHECK(appends_to(after_ack, 3).empty());
    CHECK(leader.progress(2)->inflight_last_indexes.size() == window);
}

// ------------------------------------------------------------- heartbeats

TEST_CASE(
    "leader: sends AppendEntries to every follower every heartbeat_timeout/10 ticks with nothing "
    "new",
    "[replication]") {
    // §5.2: leaders send periodic heartbeats (empty AppendEntries) to maintain
    // their authority; hashicorp sends them every HeartbeatTimeout/10.
    const std::uint32_t heartbeat_timeout = GENERATE(5U, 10U, 20U, 50U);
    const std::size_t count = GENERATE(std::size_t{3}, std::size_t{5});
    CAPTURE(heartbeat_timeout, count);
    const std::uint32_t interval = std::max(1U, heartbeat_timeout / 10);
    core::Config config = test_config();
    config.heartbeat_timeout_ticks = heartbeat_timeout;
    config.election_timeout_ticks = heartbeat_timeout;
    config.leader_lease_ticks = 2;
    config.check_quorum = false;
    config.commit_timeout_ticks = 1000;  // isolate heartbeats from commit propagation
    core::Node leader = make_replicating_leader(count, config);

    for (std::uint32_t tick = 1; tick <= 3 * interval; ++tick) {
        leader.tick();
        const core::Ready ready = drain(leader);
        const bool due = tick % interval == 0;
        CAPTURE(tick);
        CHECK(ready.entries.empty());
        for (NodeId peer = 2; peer <= count; ++peer) {
            const std::vector<Message> appends = appends_to(ready, peer);
            REQUIRE(appends.size() == (due ? 1U : 0U));
            if (due) {
                CHECK(appends[0].entries.empty());
                CHECK(appends[0].term == leader.term());
                CHECK(appends[0].prev_log_index == 2);
                CHECK(appends[0].leader_commit == 2);
            }
        }
    }
}

TEST_CASE("follower: heartbeats reset the election timer so it does not campaign (§5.2)",
          "[replication]") {
    // §5.2: "A server remains in follower state as long as it receives valid
    // RPCs from a leader"; each AppendEntries restarts the election timeout.
    // Even an AppendEntries rejected for a log mismatch comes from the
    // legitimate leader of the term (hashicorp updates lastContact first).
    const std::uint64_t seed = GENERATE(1U, 2U, 3U);
    const bool matching = GENERATE(true, false);
    CAPTURE(seed, matching);
    core::Node follower = make_node(2, 3, test_config(), seed);
    const std::uint32_t timeout = follower.randomized_election_timeout_ticks();
    REQUIRE(timeout >= 2);
    for (int round = 0; round < 5; ++round) {
        for (std::uint32_t i = 0; i + 1 < timeout; ++i) {
            follower.tick();
        }
        const Message heartbeat =
            matching ? append_entries(1, 2, 1, 1, 1, {}, 0) : append_entries(1, 2, 1, 7, 1, {}, 0);
        REQUIRE(follower.step(heartbeat) == RejectReason::none);
        CHECK(only_response(drain(follower)).success == matching);
    }
    CHECK(follower.role() == Role::follower);
    CHECK(follower.stats().elections_started == 0);
    // Without the heartbeat the full timeout elapses and it campaigns.
    for (std::uint32_t i = 0; i + 1 < timeout; ++i) {
        follower.tick();
    }
    CHECK(follower.role() == Role::follower);
    follower.tick();
    CHECK(follower.role() == Role::candidate);
}

TEST_CASE("cluster: followers of a live leader never campaign (§5.2)", "[replication]") {
    // Heartbeats every tick keep every follower's timer from firing, so one
    // leader keeps its term for as long as the network is good; cutting it
    // off lets a follower time out within 2 * heartbeat_timeout.
    const std::uint64_t seed = GENERATE(3U, 17U, 99U);
    sim::Pump pump(3, test_config(), seed);
    const NodeId leader = pump.run_until_leader(200);
    REQUIRE(leader != core::node_none);
    const Term term = pump.node(leader).term();
    std::map<NodeId, std::uint64_t> started;
    for (NodeId id : pump.ids()) {
        started[id] = pump.node(id).stats().elections_started;
    }
    for (int i = 0; i < 200; ++i) {
        pump.tick_all();
    }
    CHECK(pump.leader() == leader);
    for (NodeId id : pump.ids()) {
        CHECK(pump.node(id).term() == term);
        CHECK(pump.node(id).stats().elections_started == started[id]);
    }

    pump.isolate(leader);
    for (int i = 0; i < 2 * 10; ++i) {
        pump.tick_all();
    }
    std::uint64_t campaigns = 0;
    for (NodeId id : pump.ids()) {
        if (id != leader) {
            campaigns += pump.node(id).stats().elections_started - started[id];
        }
    }
    CHECK(campaigns > 0);
}

// --------------------------------------------------- convergence scenarios

TEST_CASE("cluster: lost AppendEntries are recovered and all logs converge after healing (§5.3)",
          "[replication]") {
    // §5.3: "If followers crash or run slowly, or if network packets are lost,
    // the leader retries AppendEntries RPCs indefinitely ... until all
    // followers eventually store all log entries".
    const std::size_t count = GENERATE(std::size_t{3}, std::size_t{5});
    const int drop_every = GENERATE(2, 3);
    CAPTURE(count, drop_every);
    sim::Pump pump(count, test_config(), 42);
    const NodeId leader = pump.run_until_leader(200);
    REQUIRE(leader != core::node_none);

    // Counted per destination, so every follower loses every n-th message.
    auto seen = std::make_shared<std::map<NodeId, int>>();
    pump.set_drop_filter([seen, drop_every](const Message& message) {
        if (message.type != MessageType::append_entries) {
            return false;
        }
        const int n = ++(*seen)[message.to];
        return n % drop_every == 0;
    });
    for (int i = 0; i < 30; ++i) {
        REQUIRE(pump.leader() == leader);
        REQUIRE(pump.node(leader)
                    .propose(static_cast<core::RequestId>(i + 1),
                             core::Bytes{static_cast<std::uint8_t>(i)})
                    .ok());
        pump.stabilize();
        if (i % 3 == 0) {
            pump.tick_all();
        }
    }
    CHECK(pump.dropped_count() > 0);

    pump.set_drop_filter({});
    for (int i = 0; i < 10; ++i) {
        pump.tick_all();
    }
    const core::Node& lead = pump.node(leader);
    CHECK(lead.commit_index() == lead.log().last_index());
    for (NodeId id : pump.ids()) {
        CAPTURE(id);
        CHECK(log_of(pump.node(id)) == log_of(lead));
        CHECK(pump.node(id).commit_index() == lead.commit_index());
        CHECK(pump.durable(id).durable_entries() == log_of(lead));
        CHECK(pump.applied(id).size() == lead.commit_index());
    }
}

TEST_CASE("cluster: a follower restarted from durable state catches up (§5.3)", "[replication]") {
    // A follower that missed entries while cut off and then crashed comes back
    // with only its durable log; the leader's retries bring it up to date.
    sim::Pump pump(3, test_config(), 5);
    const NodeId leader = pump.run_until_leader(200);
    REQUIRE(leader != core::node_none);
    const NodeId lagger = leader == 1 ? 2 : 1;
    propose_n(pump.node(leader), 5);
    pump.stabilize();
    pump.isolate(lagger);
    propose_n(pump.node(leader), 5);
    pump.stabilize();
    pump.tick_all();
    REQUIRE(pump.node(lagger).log().last_index() < pump.node(leader).log().last_index());
    pump.crash_and_restart(lagger);
    pump.heal();
    for (int i = 0; i < 10; ++i) {
        pump.tick_all();
    }
    REQUIRE(pump.leader() == leader);
    CHECK(log_of(pump.node(lagger)) == log_of(pump.node(leader)));
    CHECK(pump.durable(lagger).durable_entries() == log_of(pump.node(leader)));
    CHECK(pump.node(lagger).commit_index() == pump.node(leader).commit_index());
}

TEST_CASE(
    "Figure 7: followers (a)-(f) converge to the leader's log, losing their extra entries (§5.3)",
    "[replication]") {
    // Figure 7 of the Raft paper: the leader of term 8 and six possible
    // follower logs. The figure's logs start at index 1; a real cluster needs
    // the membership in its log, so every log here starts with the bootstrap
    // configuration entry (index 1, term 1, voters 1..7) and the figure is
    // shifted by one index: the figure's index i is index i+1 here. Terms and
    // the relations between logs (missing entries in (a),(b); extra
    // uncommitted entries in (c),(d); both in (e),(f)) are unchanged.
    //
    // Every server is at term 7 ((d) holds term-7 entries). The leader
    // campaigns into term 8, as in the figure; (c) and (d) refuse their votes
    // (their logs are more up to date, §5.4.1) but the leader wins with
    // (a),(b),(e),(f). Its term-8 no-op lands at index 12 (figure index 11).
    const std::vector<Term> leader_terms{1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
    struct Follower {
        char name;
        std::vector<Term> terms;
        std::uint64_t removed;  // entries that must be deleted (Figure 2 rule 3)
    };
    const std::vector<Follower> followers{
        {'a', {1, 1, 1, 4, 4, 5, 5, 6, 6}, 0},
        {'b', {1, 1, 1, 4}, 0},
        {'c', {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6}, 1},
        {'d', {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7}, 2},
        {'e', {1, 1, 1, 4, 4, 4, 4}, 2},
        {'f', {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3}, 8},
    };
    sim::Pump cluster(test_config(), 1);
    cluster.add(1, durable_state(7, 7, leader_terms));
    for (std::size_t i = 0; i < followers.size(); ++i) {
        cluster.add(2 + i, durable_state(7, 7, followers[i].terms));
    }
    core::Node& leader = cluster.node(1);
    leader.campaign();
    cluster.stabilize();
    REQUIRE(leader.role() == Role::leader);
    REQUIRE(leader.term() == 8);
    for (int i = 0; i < 5; ++i) {
        cluster.tick_all();
    }
    REQUIRE(leader.role() == Role::leader);

    // Leader Append-Only: the leader's log is its old log plus its no-op.
    std::vector<Entry> expected = crafted_log(7, leader_terms);
    const std::vector<Entry> leader_log = log_of(leader);
    CHECK(std::vector<Entry>(leader_log.begin(), leader_log.end() - 1) == expected);
    CHECK(leader.log().last_index() == 12);
    CHECK(leader.log().last_term() == 8);
    CHECK(leader.commit_index() == 12);
    expected = log_of(leader);
    for (std::size_t i = 0; i < followers.size(); ++i) {
        const NodeId id = 2 + i;
        CAPTURE(followers[i].name);
        const core::Node& follower = cluster.node(id);
        CHECK(log_of(follower) == expected);
        CHECK(cluster.durable(id).durable_entries() == expected);
        CHECK(follower.stats().entries_truncated == followers[i].removed);
        CHECK(follower.term() == 8);
        CHECK(follower.leader_id() == 1);
        CHECK(follower.commit_index() == 12);
    }
}

// --------------------------------------------------- Leader Append-Only

TEST_CASE("leader: never truncates or overwrites its own log (Leader Append-Only, §5.3)",
          "[replication]") {
    // Figure 3, Leader Append-Only: "a leader never overwrites or deletes
    // entries in its log; it only appends new entries". No message a leader
    // receives -- a rival's AppendEntries of its own term, a stale
    // AppendEntries, any response -- may change its log.
    struct Case {
        std::string name;
        Message message;
        RejectReason reason;
    };
    Entry rival = entry(2, 2);
    const Case c = GENERATE_COPY(values<Case>({
        {"same-term AppendEntries from a rival", append_entries(3, 1, 2, 1, 1, {rival}, 2),
         RejectReason::append_from_second_leader},
        {"stale-term AppendEntries", append_entries(3, 1, 1, 1, 1, {entry(1, 2), entry(1, 3)}, 3),
         RejectReason::none},
        {"success response", append_response(2, 1, 2, true, 3), RejectReason::none},
        {"rejection with a hint", append_response(2, 1, 2, false, 0, 1), RejectReason::none},
        {"old success response", append_response(2, 1, 2, true, 1), RejectReason::none},
    }));
    CAPTURE(c.name);
    core::Node leader = make_node(1, 3);
    make_leader(leader, 3);
    propose_n(leader, 1);  // log [c1, noop 2, command 2]
    static_cast<void>(drain(leader));
    const std::vector<Entry> before = log_of(leader);
    REQUIRE(before.size() == 3);

    CHECK(leader.step(c.message) == c.reason);
    const core::Ready ready = drain(leader);
    CHECK(leader.role() == Role::leader);
    CHECK(leader.term() == 2);
    CHECK(log_of(leader) == before);
    CHECK(ready.entries.empty());
    CHECK(leader.stats().entries_truncated == 0);
}

// ------------------------------------------------------ persist before send

TEST_CASE(
    "persist before send: the Ready with a success response carries the appended entries "
    "(Figure 2)",
    "[replication]") {
    // Figure 2: "Respond to RPCs only after updating stable storage". The
    // acknowledgement promises the entries survive a crash, so the Ready that
    // carries it must also carry the entries (and any new term) to persist.
    const Term leader_term = GENERATE(Term{1}, Term{2});
    core::Node follower = make_node(2, 3);  // term 1, log [c1]
    const std::vector<Entry> sent = entries(2, {leader_term, leader_term});
    REQUIRE(follower.step(append_entries(1, 2, leader_term, 1, 1, sent, 0)) == RejectReason::none);
    const core::Ready ready = drain(follower);
    const Message response = only_response(ready);
    REQUIRE(response.success);
    CHECK(response.match_index == 3);
    CHECK(ready.entries == sent);
    REQUIRE_FALSE(ready.entries.empty());
    CHECK(ready.entries.back().index >= response.match_index);
    if (leader_term > 1) {
        REQUIRE(ready.hard_state.has_value());
        CHECK(ready.hard_state->term == leader_term);
    }
    CHECK(follower.log().written_index() == 3);
}

TEST_CASE("persist before send: after a conflict Ready.entries starts at the truncation point",
          "[replication]") {
    // ready.hpp: the host deletes every durable entry at index >=
    // entries.front().index, then appends. After Figure 2 rule 3 deletes a
    // conflicting suffix, the front must be exactly the first conflicting
    // index, so applying the Ready to the old durable log yields the new one.
    struct Case {
        Index prev;
        std::vector<Term> new_terms;
        Index truncation_point;
    };
    // Follower log: [c1, 1, 1, 1, 1] (indexes 1..5), term 1; leader of term 2.
    const Case c = GENERATE(values<Case>({
        {1, {2}, 2},
        {2, {1, 2}, 4},        // entry 3 matches; the conflict is at 4
        {3, {1, 2, 2, 2}, 5},  // 4 matches; 5 conflicts; 6, 7 are new
        {4, {2}, 5},
    }));
    CAPTURE(c.prev, c.new_terms);
    const core::DurableState old_state = durable_state(3, 1, {1, 1, 1, 1});
    core::Node follower = core::Node::restart(
        core::NodeOptions{.id = 2, .config = test_config(), .seed = 2}, old_state);
    REQUIRE(follower.step(append_entries(1, 2, 2, c.prev, 1, entries(c.prev + 1, c.new_terms),
                                         0)) == RejectReason::none);
    const core::Ready ready = drain(follower);
    CHECK(only_response(ready).success);
    REQUIRE_FALSE(ready.entries.empty());
    CHECK(ready.entries.front().index == c.truncation_point);
    CHECK(ready.entries.back().index == follower.log().last_index());

    sut::Storage store(old_state);
    core::Ready written = ready;
    store.persist(written);
    CHECK(store.durable_entries() == log_of(follower));
}

}  // namespace
}  // namespace raftsim::test
