// The message gate (validate.hpp) and Node::step's handling of refused input:
// anything from the network may be garbage, so every structurally impossible
// message is counted by reason and dropped before the protocol sees it.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "raftsim/core/assert.hpp"
#include "raftsim/core/prng.hpp"
#include "raftsim/core/validate.hpp"

namespace raftsim::test {
namespace {

using core::Configuration;
using core::EntryType;
using core::RejectReason;
using core::Role;
using core::Server;
using core::Suffrage;

/// validate.cpp's bound: the first index value that is "too large".
constexpr Index index_overflow = std::numeric_limits<Index>::max() / 2 + 1;
constexpr Index index_limit = std::numeric_limits<Index>::max() / 2;

/// Everything a refused message must leave alone.
struct NodeState {
    Term term;
    NodeId voted_for;
    std::vector<Entry> log;
    Index commit;
    Index applied;
    Role role;
    NodeId leader;
    friend bool operator==(const NodeState&, const NodeState&) = default;
};

NodeState state_of(const core::Node& node) {
    return NodeState{
        .term = node.term(),
        .voted_for = node.voted_for(),
        .log = std::vector<Entry>(node.log().entries().begin(), node.log().entries().end()),
        .commit = node.commit_index(),
        .applied = node.applied_index(),
        .role = node.role(),
        .leader = node.leader_id()};
}

/// Node 1 of 3 in term 2, having voted for 2 and then followed it:
/// log [1:1 config, 2:2, 3:2], commit 2, every Ready drained.
core::Node make_follower() {
    core::Node node = make_node(1, 3);
    REQUIRE(node.step(request_vote(2, 1, 2, 1, 1)) == RejectReason::none);
    static_cast<void>(drain(node));
    REQUIRE(node.step(append_entries(2, 1, 2, 1, 1, entries(2, {2, 2}), 2)) == RejectReason::none);
    static_cast<void>(drain(node));
    REQUIRE(node.term() == 2);
    REQUIRE(node.voted_for() == 2);
    REQUIRE(node.leader_id() == 2);
    REQUIRE(node.log().last_index() == 3);
    REQUIRE(node.commit_index() == 2);
    REQUIRE_FALSE(node.has_ready());
    return node;
}

Entry config_entry(Term term, Index index, Configuration configuration) {
    return Entry{.term = term,
                 .index = index,
                 .type = EntryType::configuration,
                 .data = {},
                 .configuration = std::move(configuration)};
}

// Well-formed messages to node 1 (see make_follower) from a newer term 3, so
// that if the gate let a broken variant through the node would visibly move
// to term 3.
Message good_append() {
    return append_entries(2, 1, 3, 3, 2, entries(4, {3, 3}), 3);
}
Message good_vote() {
    return request_vote(3, 1, 3, 3, 2);
}
Message good_pre_vote() {
    Message message = good_vote();
    message.type = MessageType::request_pre_vote;
    return message;
}
Message good_append_response() {
    return append_response(2, 1, 3, true, 3);
}
Message good_snapshot() {
    return Message{.type = MessageType::install_snapshot,
                   .from = 2,
                   .to = 1,
                   .term = 3,
                   .leader_id = 2,
                   .snapshot_index = 3,
                   .snapshot_term = 2,
                   .snapshot_configuration = Configuration::voters(3),
                   .snapshot_data = {1, 2, 3}};
}

template <typename Change>
Message changed(Message message, Change change) {
    change(message);
    return message;
}

struct GateCase {
    std::string name;
    RejectReason reason;
    Message message;
};

/// A configuration that fails Configuration::is_valid (ids out of order).
Configuration unsorted_configuration() {
    return Configuration{{Server{.id = 2, .suffrage = Suffrage::voter},
                          Server{.id = 1, .suffrage = Suffrage::voter}}};
}

/// Envelope violations: the checks every message type shares.
std::vector<GateCase> envelope_cases() {
    return {
        // The envelope: every message type.
        {"protocol version below min", RejectReason::unsupported_protocol_version,
         changed(good_append(),
                 [](Message& m) { m.protocol_version = core::protocol_version_min - 1; })},
        {"protocol version above max", RejectReason::unsupported_protocol_version,
         changed(good_vote(),
                 [](Message& m) { m.protocol_version = core::protocol_version_max + 1; })},
        {"message type just past the last", RejectReason::unknown_message_type,
         changed(good_append(),
                 [](Message& m) { m.type = static_cast<MessageType>(core::message_type_count); })},
        {"message type 255", RejectReason::unknown_message_type,
         changed(good_vote(), [](Message& m) { m.type = static_cast<MessageType>(255); })},
        {"sender is none", RejectReason::sender_is_none,
         changed(good_append(), [](Message& m) { m.from = core::node_none; })},
        {"sender is the receiver itself", RejectReason::sender_is_self,
         changed(good_vote(), [](Message& m) { m.from = 1; })},
        {"addressed to another server", RejectReason::wrong_recipient,
         changed(good_append(), [](Message& m) { m.to = 3; })},
        {"addressed to nobody", RejectReason::wrong_recipient,
         changed(good_append_response(), [](Message& m) { m.to = core::node_none; })},
        {"term zero (append)", RejectReason::request_term_zero,
         append_entries(2, 1, 0, 0, 0, {}, 0)},
        {"term zero (vote response)", RejectReason::request_term_zero,
         vote_response(2, 1, 0, true)},
    };
}

/// Violations specific to append_entries.
std::vector<GateCase> append_entries_cases() {
    const Configuration unsorted = unsorted_configuration();
    const Configuration duplicate{{Server{.id = 2, .suffrage = Suffrage::voter},
                                   Server{.id = 2, .suffrage = Suffrage::nonvoter}}};
    const Configuration zero_id{{Server{.id = 0, .suffrage = Suffrage::voter}}};
    const Configuration bad_suffrage{{Server{.id = 1, .suffrage = static_cast<Suffrage>(3)}}};
    const Configuration no_voter{{Server{.id = 2, .suffrage = Suffrage::nonvoter},
                                  Server{.id = 3, .suffrage = Suffrage::staging}}};
    std::vector<Entry> too_many;
    for (Index i = 0; i < 4097; ++i) {
        too_many.push_back(entry(3, 4 + i));
    }
    return {
        // append_entries.
        {"leader_id differs from sender", RejectReason::leader_id_mismatch,
         changed(good_append(), [](Message& m) { m.leader_id = 3; })},
        {"prev_log_index overflows", RejectReason::prev_log_index_overflow,
         append_entries(2, 1, 3, index_overflow, 2, {}, 3)},
        {"leader_commit overflows", RejectReason::prev_log_index_overflow,
         changed(good_append(), [](Message& m) { m.leader_commit = index_overflow; })},
        {"prev_log_term without prev_log_index", RejectReason::prev_log_term_without_index,
         append_entries(2, 1, 3, 0, 1, entries(1, {1, 3}), 3)},
        {"prev_log_term above the message term", RejectReason::prev_log_term_above_term,
         append_entries(2, 1, 3, 3, 4, {}, 3)},
        {"more than 4096 entries", RejectReason::entries_too_many,
         append_entries(2, 1, 3, 3, 2, too_many, 3)},
        {"first entry not at prev_log_index + 1", RejectReason::entries_not_contiguous,
         append_entries(2, 1, 3, 3, 2, entries(5, {3}), 3)},
        {"gap between entries", RejectReason::entries_not_contiguous,
         append_entries(2, 1, 3, 3, 2, {entry(3, 4), entry(3, 6)}, 3)},
        {"entry term above the message term", RejectReason::entry_term_above_message_term,
         append_entries(2, 1, 3, 3, 2, entries(4, {3, 4}), 3)},
        {"entry term below prev_log_term", RejectReason::entry_term_below_prev_log_term,
         append_entries(2, 1, 3, 3, 2, entries(4, {1}), 3)},
        {"entry terms decrease", RejectReason::entry_terms_decreasing,
         append_entries(2, 1, 3, 3, 2, entries(4, {3, 2}), 3)},
        {"entry type out of range", RejectReason::entry_type_invalid,
         changed(good_append(),
                 [](Message& m) {
                     m.entries[1].type = static_cast<EntryType>(core::entry_type_count);
                 })},
        {"configuration entry with unsorted ids", RejectReason::configuration_invalid,
         append_entries(2, 1, 3, 3, 2, {config_entry(3, 4, unsorted)}, 3)},
        {"configuration entry with a duplicate id", RejectReason::configuration_invalid,
         append_entries(2, 1, 3, 3, 2, {entry(3, 4), config_entry(3, 5, duplicate)}, 3)},
        {"configuration entry with id 0", RejectReason::configuration_invalid,
         append_entries(2, 1, 3, 3, 2, {config_entry(3, 4, zero_id)}, 3)},
        {"configuration entry with an unknown suffrage", RejectReason::configuration_invalid,
         append_entries(2, 1, 3, 3, 2, {config_entry(3, 4, bad_suffrage)}, 3)},
        // fuzz_node found a log whose index 1 was not a configuration (so no
        // configuration for compact() to snapshot); a configuration without a
        // voter would, once snapshotted, make a leader send a snapshot every
        // gate refuses. And entries past the index bound, as terms past it.
        {"configuration entry without a voter", RejectReason::configuration_invalid,
         append_entries(2, 1, 3, 3, 2, {config_entry(3, 4, no_voter)}, 3)},
        {"entry at index 1 is not a configuration", RejectReason::first_entry_not_configuration,
         append_entries(2, 1, 3, 0, 0, entries(1, {1, 2}), 3)},
        {"entries end past the index bound", RejectReason::prev_log_index_overflow,
         append_entries(2, 1, 3, index_limit, 2, {entry(3, index_overflow)}, 3)},
    };
}

/// Violations of votes, responses and snapshots.
std::vector<GateCase> other_cases() {
    const Configuration unsorted = unsorted_configuration();
    return {
        // request_vote, request_pre_vote.
        {"candidate last log term above term (vote)", RejectReason::candidate_log_term_above_term,
         request_vote(3, 1, 3, 3, 4)},
        {"candidate last log term above term (pre-vote)",
         RejectReason::candidate_log_term_above_term,
         changed(good_pre_vote(), [](Message& m) { m.candidate_last_log_term = 4; })},
        {"candidate last log index overflows", RejectReason::prev_log_index_overflow,
         request_vote(3, 1, 3, index_overflow, 2)},
        // append_entries_response, install_snapshot_response.
        {"response match_index overflows", RejectReason::match_index_overflow,
         append_response(2, 1, 3, true, index_overflow)},
        {"response last_log_index overflows", RejectReason::match_index_overflow,
         append_response(2, 1, 3, false, index_overflow, 3)},
        {"response rejected_prev_log_index overflows", RejectReason::match_index_overflow,
         append_response(2, 1, 3, false, 3, index_overflow)},
        {"snapshot response match_index overflows", RejectReason::match_index_overflow,
         changed(append_response(2, 1, 3, true, index_overflow),
                 [](Message& m) { m.type = MessageType::install_snapshot_response; })},
        // install_snapshot.
        {"snapshot index 0", RejectReason::snapshot_invalid,
         changed(good_snapshot(), [](Message& m) { m.snapshot_index = 0; })},
        {"snapshot index overflows", RejectReason::snapshot_invalid,
         changed(good_snapshot(), [](Message& m) { m.snapshot_index = index_overflow; })},
        {"snapshot term 0", RejectReason::snapshot_invalid,
         changed(good_snapshot(), [](Message& m) { m.snapshot_term = 0; })},
        {"snapshot term above the message term", RejectReason::snapshot_invalid,
         changed(good_snapshot(), [](Message& m) { m.snapshot_term = 4; })},
        {"snapshot configuration invalid", RejectReason::configuration_invalid,
         changed(good_snapshot(), [=](Message& m) { m.snapshot_configuration = unsorted; })},
        {"snapshot leader_id differs from sender", RejectReason::leader_id_mismatch,
         changed(good_snapshot(), [](Message& m) { m.leader_id = 3; })},
    };
}

/// One bad message per way validate_message can refuse one.
std::vector<GateCase> gate_cases() {
    std::vector<GateCase> cases = envelope_cases();
    for (auto more : {append_entries_cases(), other_cases()}) {
        cases.insert(cases.end(), more.begin(), more.end());
    }
    return cases;
}

TEST_CASE("gate: drops each structurally impossible message with its reason, changing nothing",
          "[gate]") {
    const GateCase c = GENERATE(from_range(gate_cases()));
    CAPTURE(c.name, core::to_string(c.reason));

    // The gate itself names the reason...
    CHECK(core::validate_message(c.message, 1) == c.reason);

    // ...and a node refuses the message with it, counting it once.
    core::Node node = make_follower();
    const NodeState before = state_of(node);
    const std::uint64_t count_before = node.stats().rejects.of(c.reason);
    const std::uint64_t total_before = node.stats().rejects.total();

    CHECK(node.step(c.message) == c.reason);

    CHECK(node.stats().rejects.of(c.reason) == count_before + 1);
    CHECK(node.stats().rejects.total() == total_before + 1);
    CHECK(state_of(node) == before);
    CHECK(node.log().written_index() == 3);
    // No reply, no persistence request, nothing at all.
    CHECK_FALSE(node.has_ready());
    const core::Ready ready = drain(node);
    CHECK(ready.empty());
}

TEST_CASE("gate: lets a well-formed message of every type through", "[gate]") {
    std::vector<Entry> max_entries;
    for (Index i = 0; i < 4096; ++i) {
        max_entries.push_back(entry(3, 4 + i));
    }
    const GateCase c = GENERATE_COPY(values<GateCase>({
        {"append_entries", RejectReason::none, good_append()},
        {"heartbeat (no entries)", RejectReason::none, append_entries(2, 1, 3, 3, 2, {}, 3)},
        {"append_entries from the start of the log", RejectReason::none,
         append_entries(2, 1, 3, 0, 0,
                        {config_entry(1, 1, Configuration::voters(3)), entry(2, 2), entry(3, 3)},
                        0)},
        {"exactly 4096 entries", RejectReason::none, append_entries(2, 1, 3, 3, 2, max_entries, 3)},
        {"every entry type, and a valid configuration", RejectReason::none,
         append_entries(
             2, 1, 3, 3, 2,
             {Entry{
                  .term = 3, .index = 4, .type = EntryType::noop, .data = {}, .configuration = {}},
              Entry{.term = 3,
                    .index = 5,
                    .type = EntryType::barrier,
                    .data = {},
                    .configuration = {}},
              config_entry(3, 6, Configuration::voters(5)), entry(3, 7)},
             3)},
        {"indexes at the overflow limit", RejectReason::none,
         append_entries(2, 1, 3, index_limit, 2, {}, index_limit)},
        {"protocol version min", RejectReason::none,
         changed(good_append(),
                 [](Message& m) { m.protocol_version = core::protocol_version_min; })},
        {"append_entries_response (success)", RejectReason::none, good_append_response()},
        {"append_entries_response (rejection)", RejectReason::none,
         append_response(2, 1, 3, false, index_limit, index_limit)},
        {"request_vote", RejectReason::none, good_vote()},
        {"request_vote with an empty log", RejectReason::none, request_vote(3, 1, 3, 0, 0)},
        {"request_pre_vote", RejectReason::none, good_pre_vote()},
        {"request_vote_response", RejectReason::none, vote_response(3, 1, 3, true)},
        {"request_pre_vote_response", RejectReason::none,
         changed(vote_response(3, 1, 3, false),
                 [](Message& m) { m.type = MessageType::request_pre_vote_response; })},
        {"timeout_now", RejectReason::none,
         Message{.type = MessageType::timeout_now, .from = 2, .to = 1, .term = 2}},
        {"install_snapshot", RejectReason::none, good_snapshot()},
        {"install_snapshot_response", RejectReason::none,
         changed(good_append_response(),
                 [](Message& m) { m.type = MessageType::install_snapshot_response; })},
    }));
    CAPTURE(c.name);
    CHECK(core::validate_message(c.message, 1) == RejectReason::none);
    // The same message addressed elsewhere is not for us.
    CHECK(core::validate_message(c.message, 3) != RejectReason::none);
}

TEST_CASE("gate: a leader counts a response from a server it does not replicate to as unknown_peer",
          "[gate]") {
    core::Node node = make_node(1, 3);
    make_leader(node, 3);
    REQUIRE_FALSE(node.has_ready());
    const Term term = node.term();
    const NodeState before = state_of(node);
    const Message response = GENERATE_COPY(append_response(4, 1, term, true, 1),
                                           append_response(4, 1, term, false, 0, 1),
                                           append_response(99, 1, term, true, 2));
    CAPTURE(response.from, response.success);

    CHECK(node.step(response) == RejectReason::unknown_peer);
    CHECK(node.stats().rejects.of(RejectReason::unknown_peer) == 1);
    CHECK(node.stats().rejects.total() == 1);
    CHECK(state_of(node) == before);
    CHECK(node.progress(4) == nullptr);
    CHECK(node.progress(2)->match_index == 0);
    CHECK(node.progress(3)->match_index == 0);
}

TEST_CASE("gate: a leader refuses an ack for an index it never had (match_index_overflow)",
          "[gate]") {
    core::Node node = make_node(1, 3);
    make_leader(node, 3);  // log [1:1, 2:2 noop]
    REQUIRE(node.log().last_index() == 2);
    const NodeState before = state_of(node);
    CHECK(node.step(append_response(2, 1, node.term(), true, 3)) ==
          RejectReason::match_index_overflow);
    CHECK(node.stats().rejects.of(RejectReason::match_index_overflow) == 1);
    CHECK(node.progress(2)->match_index == 0);
    CHECK(state_of(node) == before);
}

struct ConflictCase {
    std::string name;
    Message message;
};

TEST_CASE(
    "gate: a conflicting AppendEntries at or below the commit index is counted as "
    "conflict_below_commit and leaves the log alone",
    "[gate]") {
    core::Node node = make_follower();
    // Commit everything the follower has: [1:1, 2:2, 3:2], commit 3.
    REQUIRE(node.step(append_entries(2, 1, 2, 3, 2, {}, 3)) == RejectReason::none);
    static_cast<void>(drain(node));
    REQUIRE(node.commit_index() == 3);

    const ConflictCase c = GENERATE(values<ConflictCase>({
        {"same leader rewrites index 2 (below commit)",
         append_entries(2, 1, 2, 1, 1, entries(2, {1}), 3)},
        {"new leader rewrites index 3 (at commit)",
         append_entries(3, 1, 3, 2, 2, entries(3, {3}), 3)},
        {"new leader rewrites 2..4", append_entries(3, 1, 3, 1, 1, entries(2, {3, 3, 3}), 4)},
        {"conflict after a matching prefix", append_entries(3, 1, 3, 1, 1, entries(2, {2, 3}), 3)},
    }));
    CAPTURE(c.name);
    REQUIRE(core::validate_message(c.message, 1) == RejectReason::none);

    const std::vector<Entry> log_before(node.log().entries().begin(), node.log().entries().end());
    const std::uint64_t truncated_before = node.stats().entries_truncated;

    static_cast<void>(node.step(c.message));

    CHECK(node.stats().rejects.of(RejectReason::conflict_below_commit) == 1);
    CHECK(std::vector<Entry>(node.log().entries().begin(), node.log().entries().end()) ==
          log_before);
    CHECK(node.commit_index() == 3);
    CHECK(node.stats().entries_truncated == truncated_before);
    CHECK(node.invariants_hold());
    // The broken leader gets no acknowledgement for entries we did not take.
    const core::Ready ready = drain(node);
    CHECK(ready.entries.empty());
    for (const Message& response : of_type(ready, MessageType::append_entries_response)) {
        CHECK_FALSE(response.success);
    }
}

// Found by fuzz_node: a snapshot past our commit index with a term below our
// last committed entry's cannot come from a correct leader (terms never
// decrease along a log); installing it asserted in Log::reset.
TEST_CASE(
    "gate: a snapshot past the commit index whose term is below the last committed entry's is "
    "counted as conflict_below_commit and changes nothing",
    "[gate]") {
    core::Node node = make_follower();  // [1:1, 2:2, 3:2], commit 2 (term 2)
    const Message snapshot = changed(good_snapshot(), [](Message& m) {
        m.snapshot_index = 5;
        m.snapshot_term = 1;
    });
    REQUIRE(core::validate_message(snapshot, 1) == RejectReason::none);
    const NodeState before = state_of(node);

    CHECK(node.step(snapshot) == RejectReason::conflict_below_commit);
    CHECK(node.stats().rejects.of(RejectReason::conflict_below_commit) == 1);
    CHECK(node.stats().snapshots_installed == 0);
    CHECK(node.snapshot().index == 0);
    CHECK(node.log().entries().size() == before.log.size());
    CHECK(node.commit_index() == 2);
    CHECK(node.invariants_hold());
    // No acknowledgement for a snapshot we did not take.
    CHECK(of_type(drain(node), MessageType::install_snapshot_response).empty());
}

// Found by fuzz_node: a new server took a log whose index 1 was a command, so
// no configuration lay below what it applied, and compact() asserted.
TEST_CASE("gate: a new server takes a log only if it starts with a configuration", "[gate]") {
    core::Node node = core::Node::restart(core::NodeOptions{.id = 4, .config = test_config()},
                                          core::DurableState{});
    CHECK(node.step(append_entries(1, 4, 2, 0, 0, entries(1, {1, 2}), 2)) ==
          RejectReason::first_entry_not_configuration);
    CHECK(node.log().last_index() == 0);
    static_cast<void>(drain(node));

    const std::vector<Entry> log{config_entry(1, 1, Configuration::voters(3)), entry(2, 2)};
    REQUIRE(node.step(append_entries(1, 4, 2, 0, 0, log, 2)) == RejectReason::none);
    static_cast<void>(drain(node));
    REQUIRE(node.applied_index() == 2);
    REQUIRE(node.compact(2, {7}) == core::CompactError::none);
    CHECK(node.snapshot().configuration == Configuration::voters(3));
    CHECK(node.snapshot().configuration_index == 1);
}

// Found by fuzz_node: a node that adopted the largest term the gate accepts
// campaigned into term_max + 1, and every gate refused all it sent from then on.
TEST_CASE("gate: a node at the term bound never campaigns past it", "[gate]") {
    core::Node node = make_node(1, 3);
    REQUIRE(node.step(append_entries(2, 1, core::term_max, 1, 1, {}, 0)) == RejectReason::none);
    REQUIRE(node.term() == core::term_max);
    std::vector<Message> sent = drain(node).messages;
    node.campaign();
    REQUIRE(node.step(Message{
                .type = MessageType::timeout_now, .from = 2, .to = 1, .term = core::term_max}) ==
            RejectReason::none);
    for (int i = 0; i < 100; ++i) {
        node.tick();
        const core::Ready ready = drain(node);
        sent.insert(sent.end(), ready.messages.begin(), ready.messages.end());
    }
    CHECK(node.term() == core::term_max);
    CHECK(node.role() == Role::follower);
    CHECK(node.stats().elections_started == 0);
    REQUIRE_FALSE(sent.empty());
    for (const Message& message : sent) {
        CHECK(core::validate_message(message, message.to) == RejectReason::none);
    }
}

// The same for indexes: a leader whose log reaches the bound (only forged
// input gets it near) appends nothing past it.
TEST_CASE(
    "gate: a leader at the index bound refuses proposals and membership changes with log_full",
    "[gate]") {
    const Configuration configuration{{Server{.id = 1, .suffrage = Suffrage::voter},
                                       Server{.id = 2, .suffrage = Suffrage::nonvoter}}};
    core::DurableState durable{.hard_state = {.term = 1},
                               .snapshot = core::Snapshot{.index = core::index_max - 1,
                                                          .term = 1,
                                                          .configuration = configuration,
                                                          .configuration_index = 1},
                               .log_base_index = core::index_max - 1,
                               .log_base_term = 1};
    core::Node node =
        core::Node::restart(core::NodeOptions{.id = 1, .config = test_config()}, durable);
    node.campaign();  // the only voter: leader at once, its no-op at index_max
    REQUIRE(node.role() == Role::leader);
    REQUIRE(node.log().last_index() == core::index_max);
    std::vector<Message> sent = drain(node).messages;
    REQUIRE(node.commit_index() == core::index_max);

    CHECK(node.propose(1, {1}).error == core::ProposeError::log_full);
    CHECK(node.barrier(2).error == core::ProposeError::log_full);
    const core::ChangeRequest add{.kind = core::ChangeKind::add_nonvoter, .server = 3};
    CHECK(node.change_membership(3, add).error == core::ChangeError::log_full);
    for (int i = 0; i < 5; ++i) {
        node.tick();
        const core::Ready ready = drain(node);
        sent.insert(sent.end(), ready.messages.begin(), ready.messages.end());
    }
    CHECK(node.log().last_index() == core::index_max);
    REQUIRE_FALSE(sent.empty());
    for (const Message& message : sent) {
        CHECK(core::validate_message(message, message.to) == RejectReason::none);
    }
}

// ------------------------------------------------------------------ fuzzing

/// A readable, complete dump of a message, for reproducing a failure.
std::string describe(const Message& m) {
    std::ostringstream out;
    out << "Message{type=" << static_cast<int>(m.type) << " v=" << m.protocol_version
        << " from=" << m.from << " to=" << m.to << " term=" << m.term
        << " leader_id=" << m.leader_id << " prev=(" << m.prev_log_index << "," << m.prev_log_term
        << ") commit=" << m.leader_commit << " success=" << m.success << " match=" << m.match_index
        << " last=" << m.last_log_index << " rejected_prev=" << m.rejected_prev_log_index
        << " cand=(" << m.candidate_last_log_index << "," << m.candidate_last_log_term
        << ") transfer=" << m.leadership_transfer << " granted=" << m.granted << " snap=("
        << m.snapshot_index << "," << m.snapshot_term << ") entries=[";
    for (const Entry& e : m.entries) {
        out << " " << e.index << ":" << e.term << ":" << static_cast<int>(e.type);
        if (e.type == EntryType::configuration) {
            out << "{";
            for (const Server& s : e.configuration.servers) {
                out << s.id << "/" << static_cast<int>(s.suffrage) << ",";
            }
            out << "}";
        }
    }
    out << " ]}";
    return out.str();
}

/// What the fuzz loop is doing, for the assertion handler to print.
struct FuzzContext {
    std::uint64_t seed = 0;
    std::uint64_t step = 0;
    std::vector<std::string> history;
};
FuzzContext* fuzz_context = nullptr;

[[noreturn]] void fuzz_assert_handler(const char* expression, const char* file, int line) {
    std::fprintf(stderr, "\nRAFT_ASSERT(%s) failed at %s:%d\n", expression, file, line);
    if (fuzz_context != nullptr) {
        std::fprintf(stderr, "fuzz seed %llu, step %llu; the inputs so far (node 1 of 3):\n",
                     static_cast<unsigned long long>(fuzz_context->seed),
                     static_cast<unsigned long long>(fuzz_context->step));
        for (const std::string& line_text : fuzz_context->history) {
            std::fprintf(stderr, "  %s\n", line_text.c_str());
        }
    }
    std::fflush(stderr);
    std::abort();
}

class FuzzHandlerGuard {
  public:
    explicit FuzzHandlerGuard(FuzzContext& context)
        : previous_(core::set_assert_handler(&fuzz_assert_handler)) {
        fuzz_context = &context;
    }
    ~FuzzHandlerGuard() {
        fuzz_context = nullptr;
        core::set_assert_handler(previous_);
    }
    FuzzHandlerGuard(const FuzzHandlerGuard&) = delete;
    FuzzHandlerGuard& operator=(const FuzzHandlerGuard&) = delete;

  private:
    core::AssertHandler previous_;
};

/// Mostly-garbage messages for node 1 of a 3-server cluster, biased towards
/// values near the node's state so that many get past the gate and into the
/// protocol code.
class Garbage {
  public:
    /// Terms drawn are at most `term_max`.
    Garbage(std::uint64_t seed, Term term_max) : prng_(seed), term_max_(term_max) {}

    Message next(const core::Node& node) {
        // A candidate often hears the votes it needs, so the node also spends
        // time as a leader.
        if (node.role() == Role::candidate && prng_.chance(1, 2)) {
            return vote_response(prng_.range_inclusive(2, 3), 1, node.term(), true);
        }
        if (node.role() == Role::pre_candidate && prng_.chance(1, 2)) {
            return changed(vote_response(prng_.range_inclusive(2, 3), 1, node.term() + 1, true),
                           [](Message& m) { m.type = MessageType::request_pre_vote_response; });
        }
        Message m;
        m.type = prng_.chance(1, 30)
                     ? static_cast<MessageType>(prng_.below(256))
                     : static_cast<MessageType>(prng_.below(core::message_type_count));
        m.protocol_version = prng_.chance(1, 30) ? static_cast<std::uint32_t>(prng_.below(6))
                                                 : core::protocol_version_max;
        m.from = prng_.chance(1, 20) ? prng_.below(6) : prng_.range_inclusive(2, 3);
        m.to = prng_.chance(1, 30) ? prng_.below(5) : 1;
        // Mostly the current term, so a leader is not deposed at once.
        m.term = prng_.chance(1, 2) ? node.term() : near(node.term(), 2);
        if (prng_.chance(1, 40)) {
            m.term = wild();
        }
        m.term = std::min(m.term, term_max_);
        m.leader_id = prng_.chance(1, 20) ? prng_.below(5) : m.from;

        const Index last = node.log().last_index();
        m.prev_log_index = prng_.chance(1, 40) ? wild() : prng_.below(last + 3);
        const std::optional<Term> prev_term = node.log().term_at(m.prev_log_index);
        m.prev_log_term =
            (prev_term.has_value() && prng_.chance(3, 4)) ? *prev_term : near(m.term, 2);
        if (m.prev_log_index == 0 && prng_.chance(9, 10)) {
            m.prev_log_term = 0;
        }
        if (m.prev_log_term > m.term && prng_.chance(9, 10)) {
            m.prev_log_term = m.term;
        }
        m.entries = random_entries(m);
        m.leader_commit = prng_.chance(1, 40) ? wild() : prng_.below(last + 5);

        m.success = prng_.chance(1, 2);
        m.match_index = prng_.chance(1, 40) ? wild() : prng_.below(last + 3);
        m.last_log_index = prng_.chance(1, 40) ? wild() : prng_.below(last + 3);
        m.rejected_prev_log_index = prng_.chance(1, 40) ? wild() : prng_.below(last + 3);
        m.candidate_last_log_index = prng_.chance(1, 40) ? wild() : near(last, 2);
        m.candidate_last_log_term = near(node.log().last_term(), 1);
        if (m.candidate_last_log_term > m.term && prng_.chance(9, 10)) {
            m.candidate_last_log_term = m.term;
        }
        m.leadership_transfer = prng_.chance(1, 5);
        m.granted = prng_.chance(2, 3);
        m.snapshot_index = prng_.chance(1, 10) ? wild() : prng_.below(last + 3);
        m.snapshot_term = near(m.term, 1);
        if (prng_.chance(1, 2)) {
            m.snapshot_configuration = random_configuration();
        }
        if (prng_.chance(1, 4)) {
            m.snapshot_data = {static_cast<std::uint8_t>(prng_.below(256))};
        }
        return m;
    }

    core::Prng& prng() noexcept { return prng_; }

  private:
    /// value + [-spread, +spread], at least 0.
    std::uint64_t near(std::uint64_t value, std::uint64_t spread) {
        const std::uint64_t offset = prng_.range_inclusive(0, 2 * spread);
        return value + offset >= spread ? value + offset - spread : 0;
    }

    std::uint64_t wild() {
        switch (prng_.below(4)) {
            case 0:
                return 0;
            case 1:
                return std::numeric_limits<std::uint64_t>::max() - prng_.below(3);
            case 2:
                return index_limit + prng_.below(3) - 1;
            default:
                return prng_.next_u64();
        }
    }

    Configuration random_configuration() {
        Configuration configuration;
        // Node 1 mostly stays a voter, so that it keeps campaigning.
        if (prng_.chance(4, 5)) {
            configuration.servers.push_back(Server{.id = 1, .suffrage = Suffrage::voter});
        }
        for (NodeId id = 2; id <= 5; ++id) {
            if (prng_.chance(2, 3)) {
                configuration.servers.push_back(
                    Server{.id = id, .suffrage = static_cast<Suffrage>(prng_.below(3))});
            }
        }
        if (prng_.chance(1, 20) && !configuration.servers.empty()) {
            configuration.servers.push_back(configuration.servers.front());  // invalid
        }
        return configuration;
    }

    std::vector<Entry> random_entries(const Message& m) {
        std::vector<Entry> result;
        if (prng_.chance(1, 500)) {
            // Too many for the gate.
            for (Index i = 0; i < 4097; ++i) {
                result.push_back(entry(m.term, m.prev_log_index + 1 + i));
            }
            return result;
        }
        const std::uint64_t count = prng_.below(5);
        Index index = m.prev_log_index + 1;
        Term term = m.prev_log_term;
        for (std::uint64_t i = 0; i < count; ++i) {
            if (prng_.chance(1, 30)) {
                index += prng_.below(3);  // sometimes a gap or a repeat
                index -= prng_.below(2);
            }
            if (term < m.term && prng_.chance(1, 3)) {
                term = prng_.range_inclusive(term, m.term);
            }
            Term entry_term = prng_.chance(1, 30) ? near(term, 1) : term;
            Entry e = entry(entry_term, index);
            const std::uint64_t kind = prng_.below(20);
            if (kind == 0) {
                e.type = EntryType::configuration;
                e.configuration = random_configuration();
            } else if (kind == 1) {
                e.type = static_cast<EntryType>(prng_.below(6));
            } else if (kind <= 3) {
                e.type = EntryType::noop;
            }
            result.push_back(std::move(e));
            index += 1;
        }
        return result;
    }

    core::Prng prng_;
    Term term_max_;
};

struct FuzzOutcome {
    std::uint64_t accepted = 0;
    std::uint64_t refused = 0;
    std::uint64_t steps_as_leader = 0;
};

/// Feeds node 1 of 3 `steps` random inputs (mostly garbage messages, some
/// ticks, campaigns and proposals), draining every Ready, and fails the test
/// as soon as Node::invariants_hold() is false. A RAFT_ASSERT in the core
/// aborts the process after printing every input so far.
FuzzOutcome fuzz_node(std::uint64_t seed, std::uint64_t steps, Term term_max) {
    FuzzContext context;
    context.seed = seed;
    const FuzzHandlerGuard guard(context);

    core::Config config = test_config();
    config.pre_vote = seed % 2 == 0;
    core::Node node = make_node(1, 3, config, seed);
    Garbage garbage(core::derive_seed(0x6a7e, seed), term_max);
    core::Prng& prng = garbage.prng();

    FuzzOutcome outcome;
    for (std::uint64_t step = 0; step < steps; ++step) {
        context.step = step;
        // Between messages, now and then time passes or a client proposes,
        // so the node visits every role.
        if (prng.chance(1, 8)) {
            context.history.push_back("tick");
            node.tick();
        } else if (prng.chance(1, 40)) {
            context.history.push_back("campaign");
            node.campaign();
        } else if (node.role() == Role::candidate && prng.chance(1, 3)) {
            // A real grant now and then, so the node also spends time as
            // leader (its lease soon ends that under garbage input).
            const NodeId voter = 2 + prng.below(2);
            context.history.push_back("grant from " + std::to_string(voter));
            static_cast<void>(node.step(vote_response(voter, 1, node.term(), true)));
        } else if (node.role() == Role::leader && prng.chance(1, 4)) {
            context.history.push_back("propose");
            static_cast<void>(node.propose(step, {static_cast<std::uint8_t>(step)}));
        } else {
            const Message message = garbage.next(node);
            context.history.push_back("step " + describe(message));
            const RejectReason reason = node.step(message);
            (reason == RejectReason::none ? outcome.accepted : outcome.refused) += 1;
        }
        if (!node.invariants_hold()) {
            FAIL("invariants broken at seed " << seed << " step " << step << " after "
                                              << context.history.back());
        }
        if (node.has_ready()) {
            context.history.push_back("ready/advance");
            static_cast<void>(drain(node));
            if (!node.invariants_hold()) {
                FAIL("invariants broken by advance at seed " << seed << " step " << step);
            }
        }
        outcome.steps_as_leader += node.role() == Role::leader ? 1 : 0;
    }
    CHECK(node.log().is_well_formed());
    return outcome;
}

TEST_CASE("gate: ten thousand random, mostly garbage, messages never break a node's invariants",
          "[gate][fuzz]") {
    constexpr std::uint64_t seeds = 5;
    constexpr std::uint64_t steps_per_seed = 2000;
    FuzzOutcome total;
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
        CAPTURE(seed);
        // Terms stay below UINT64_MAX / 2 here so most messages pass the
        // gate; the test below covers the whole term range.
        const FuzzOutcome outcome = fuzz_node(seed, steps_per_seed, index_limit);
        total.accepted += outcome.accepted;
        total.refused += outcome.refused;
        total.steps_as_leader += outcome.steps_as_leader;
    }
    // The generator must exercise both sides of the gate and reach the
    // leader's code, or this test proves little. Counted over all seeds: a
    // seed whose garbage demotes node 1 to nonvoter never leads, rightly (and
    // since snapshots are accepted, a random snapshot configuration does so
    // more often).
    CHECK(total.accepted > seeds * steps_per_seed / 10);
    CHECK(total.refused > seeds * steps_per_seed / 20);
    CHECK(total.steps_as_leader > seeds * steps_per_seed / 200);
}

TEST_CASE("gate: random messages with terms up to UINT64_MAX never break a node's invariants",
          "[gate][fuzz]") {
    const std::uint64_t seed = GENERATE(range<std::uint64_t>(1, 6));
    CAPTURE(seed);
    static_cast<void>(fuzz_node(seed, 2000, std::numeric_limits<Term>::max()));
}

// A node that adopted term UINT64_MAX would wrap to term 0 on its next
// campaign (term + 1). Found by the random-message test above: a single
// TimeoutNow{from=2, to=1, term=UINT64_MAX} to a fresh node aborted it. The
// gate bounds terms at UINT64_MAX / 2, as it does indexes.
TEST_CASE("gate: refuses a term so large that campaigning would overflow it", "[gate]") {
    constexpr Term huge = std::numeric_limits<Term>::max();
    const Message message =
        GENERATE_COPY(Message{.type = MessageType::timeout_now, .from = 2, .to = 1, .term = huge},
                      append_entries(2, 1, huge, 1, 1, {}, 1), vote_response(2, 1, huge, false),
                      request_vote(2, 1, huge, 1, 1));
    CAPTURE(describe(message));
    core::Node node = make_node(1, 3);
    const RejectReason reason = node.step(message);  // TimeoutNow aborts here
    CHECK(node.term() == 1);
    CHECK(reason != RejectReason::none);
    static_cast<void>(drain(node));
    node.campaign();  // the others abort here
    CHECK(node.term() >= 2);
    CHECK(node.invariants_hold());
}

}  // namespace
}  // namespace raftsim::test
