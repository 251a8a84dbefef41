#pragma once
// Shared helpers for core tests: building nodes and messages by hand, and
// draining a node's Ready. Tests that need several nodes use sim::Pump.

#include <catch2/catch.hpp>
#include <utility>
#include <vector>

#include "raftsim/core/node.hpp"
#include "raftsim/sim/pump.hpp"

namespace raftsim::test {

using core::Entry;
using core::Index;
using core::Message;
using core::MessageType;
using core::NodeId;
using core::Term;

/// Small, valid timings so tests need few ticks: heartbeat/election timeout
/// 10 ticks (randomized to [10, 20)), heartbeat interval 1 tick, lease 5.
inline core::Config test_config() {
    core::Config config;
    config.heartbeat_timeout_ticks = 10;
    config.election_timeout_ticks = 10;
    config.commit_timeout_ticks = 1;
    config.leader_lease_ticks = 5;
    config.max_append_entries = 64;
    config.max_inflight_appends = 4;
    return config;
}

/// Bootstraps node `id` of a cluster of voters 1..count and drains its first
/// Ready (the bootstrap entry), so it starts clean: term 1, log [1:1 config].
inline core::Node make_node(NodeId id, std::size_t count, core::Config config = test_config(),
                            std::uint64_t seed = 1) {
    core::Node node =
        core::Node::bootstrap(core::NodeOptions{.id = id, .config = config, .seed = seed},
                              core::Configuration::voters(count));
    static_cast<void>(node.ready());
    node.advance();
    return node;
}

/// Collects and acknowledges the node's pending Ready (as a host would after
/// persisting and sending), returning it for inspection.
inline core::Ready drain(core::Node& node) {
    core::Ready ready = node.ready();
    node.advance();
    return ready;
}

/// Messages of one type in a Ready.
inline std::vector<Message> of_type(const core::Ready& ready, MessageType type) {
    std::vector<Message> result;
    for (const Message& message : ready.messages) {
        if (message.type == type) {
            result.push_back(message);
        }
    }
    return result;
}

inline Entry entry(Term term, Index index) {
    return Entry{.term = term,
                 .index = index,
                 .type = core::EntryType::command,
                 .data = {static_cast<std::uint8_t>(index)},
                 .configuration = {}};
}

/// Entries with the given terms at indexes first, first+1, ...
inline std::vector<Entry> entries(Index first, std::vector<Term> terms) {
    std::vector<Entry> result;
    for (Term term : terms) {
        result.push_back(entry(term, first + result.size()));
    }
    return result;
}

inline Message append_entries(NodeId from, NodeId to, Term term, Index prev_log_index,
                              Term prev_log_term, std::vector<Entry> new_entries,
                              Index leader_commit) {
    return Message{.type = MessageType::append_entries,
                   .from = from,
                   .to = to,
                   .term = term,
                   .leader_id = from,
                   .prev_log_index = prev_log_index,
                   .prev_log_term = prev_log_term,
                   .entries = std::move(new_entries),
                   .leader_commit = leader_commit};
}

inline Message request_vote(NodeId from, NodeId to, Term term, Index last_log_index,
                            Term last_log_term) {
    return Message{.type = MessageType::request_vote,
                   .from = from,
                   .to = to,
                   .term = term,
                   .candidate_last_log_index = last_log_index,
                   .candidate_last_log_term = last_log_term};
}

inline Message vote_response(NodeId from, NodeId to, Term term, bool granted) {
    return Message{.type = MessageType::request_vote_response,
                   .from = from,
                   .to = to,
                   .term = term,
                   .granted = granted};
}

inline Message append_response(NodeId from, NodeId to, Term term, bool success, Index index,
                               Index rejected_prev = 0) {
    Message message{.type = MessageType::append_entries_response,
                    .from = from,
                    .to = to,
                    .term = term,
                    .success = success};
    if (success) {
        message.match_index = index;
    } else {
        message.last_log_index = index;
        message.rejected_prev_log_index = rejected_prev;
    }
    return message;
}

/// Makes `node` (of a cluster of `count`) leader of the next term by feeding
/// it a majority of granted votes, then drains the Ready. Its log then ends
/// with the leader's no-op.
inline void make_leader(core::Node& node, std::size_t count) {
    node.campaign();
    static_cast<void>(drain(node));
    const Term term = node.term();
    std::size_t granted = 1;
    for (NodeId peer = 1; peer <= count && granted < count / 2 + 1; ++peer) {
        if (peer == node.id()) {
            continue;
        }
        REQUIRE(node.step(vote_response(peer, node.id(), term, true)) == core::RejectReason::none);
        granted += 1;
    }
    REQUIRE(node.role() == core::Role::leader);
    static_cast<void>(drain(node));
}

/// Bootstraps node `id` with any configuration (voters, nonvoters, staging)
/// and drains its first Ready: term 1, log [1:1 configuration].
inline core::Node make_node_with(NodeId id, const core::Configuration& configuration,
                                 core::Config config = test_config(), std::uint64_t seed = 1) {
    core::Node node = core::Node::bootstrap(
        core::NodeOptions{.id = id, .config = config, .seed = seed}, configuration);
    static_cast<void>(node.ready());
    node.advance();
    return node;
}

inline Entry configuration_entry(Term term, Index index, core::Configuration configuration) {
    return Entry{.term = term,
                 .index = index,
                 .type = core::EntryType::configuration,
                 .data = {},
                 .configuration = std::move(configuration)};
}

/// Every follower in the leader's latest configuration acknowledges its log
/// through `index`; then the Ready is drained, so the commit is applied.
inline void ack_from_all(core::Node& leader, Index index) {
    for (const core::Server& server : leader.configuration().servers) {
        if (server.id != leader.id()) {
            REQUIRE(leader.step(append_response(server.id, leader.id(), leader.term(), true,
                                                index)) == core::RejectReason::none);
        }
    }
    static_cast<void>(drain(leader));
}

/// Node 1 leads `configuration` (whose voters are 1..voters) in term 2, and
/// every follower has acknowledged the no-op at index 2: it has committed
/// (and applied) an entry of its term.
inline core::Node make_committed_leader(const core::Configuration& configuration,
                                        std::size_t voters, core::Config config = test_config()) {
    core::Node leader = make_node_with(1, configuration, config);
    make_leader(leader, voters);
    REQUIRE(leader.log().last_index() == 2);
    ack_from_all(leader, 2);
    REQUIRE(leader.commit_index() == 2);
    REQUIRE(leader.applied_index() == 2);
    return leader;
}

inline core::Node make_committed_leader(std::size_t voters, core::Config config = test_config()) {
    return make_committed_leader(core::Configuration::voters(voters), voters, config);
}

}  // namespace raftsim::test
