#pragma once
// Shared helpers for core tests: building nodes and messages by hand, and
// draining a node's Ready. Tests that need several nodes use sim::Pump.

#include <catch2/catch.hpp>
#include <deque>
#include <functional>
#include <map>
#include <optional>
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

/// What a host has made durable, snapshots and log compaction included
/// (sim::DurableStore predates snapshots and assumes a log from index 1). It
/// applies a Ready in the order ready.hpp prescribes.
struct SnapshotStore {
    core::HardState hard_state;
    std::optional<core::Snapshot> snapshot;
    Index base_index = 0;
    Term base_term = 0;
    std::vector<Entry> entries;

    void persist(const core::Ready& ready) {
        if (ready.snapshot.has_value()) {
            snapshot = ready.snapshot;
        }
        if (ready.compaction.has_value()) {
            const core::LogCompaction compaction = *ready.compaction;
            std::erase_if(entries, [&compaction](const Entry& e) {
                return compaction.discard_all || e.index <= compaction.base_index;
            });
            base_index = compaction.base_index;
            base_term = compaction.base_term;
        }
        if (ready.hard_state.has_value()) {
            hard_state = *ready.hard_state;
        }
        if (!ready.entries.empty()) {
            const Index first = ready.entries.front().index;
            REQUIRE(first > base_index);
            REQUIRE(first <= base_index + entries.size() + 1);
            entries.resize(first - base_index - 1);
            entries.insert(entries.end(), ready.entries.begin(), ready.entries.end());
        }
    }

    [[nodiscard]] core::DurableState durable_state() const {
        return core::DurableState{.hard_state = hard_state,
                                  .snapshot = snapshot,
                                  .log_base_index = base_index,
                                  .log_base_term = base_term,
                                  .entries = entries};
    }
};

/// A small host for several nodes, founding members or servers joining
/// empty, with snapshot-aware storage: persist, then send (FIFO, through an
/// optional drop filter), then apply, then advance. It records each node's
/// request and transfer results and state machine restores, which
/// sim::Pump does not expose.
class Cluster {
  public:
    using DropFilter = std::function<bool(const Message&)>;

    explicit Cluster(core::Config config = test_config()) : config_(config) {}

    /// Adds server `id`, bootstrapped with `configuration` (a founding member).
    void bootstrap(NodeId id, const core::Configuration& configuration) {
        nodes_.emplace(id, core::Node::bootstrap(options_for(id), configuration));
        hosts_[id] = Host{};
        process_ready(id);
    }
    /// Adds server `id` with nothing durable, as a server about to be added
    /// to the cluster starts: it waits to hear from a leader.
    void join(NodeId id) {
        nodes_.emplace(id, core::Node::restart(options_for(id), core::DurableState{}));
        hosts_[id] = Host{};
    }
    /// Replaces `id` with a node rebuilt from its durable state alone.
    void restart(NodeId id) {
        const core::DurableState durable = hosts_.at(id).store.durable_state();
        nodes_.erase(id);
        nodes_.emplace(id, core::Node::restart(options_for(id), durable));
        // The state machine restarts from the snapshot (if any) and
        // re-applies the log after it.
        hosts_.at(id).applied.clear();
    }

    core::Node& node(NodeId id) { return nodes_.at(id); }
    const SnapshotStore& store(NodeId id) const { return hosts_.at(id).store; }
    const std::vector<Entry>& applied(NodeId id) const { return hosts_.at(id).applied; }
    const std::vector<core::RequestResult>& request_results(NodeId id) const {
        return hosts_.at(id).request_results;
    }
    const std::vector<core::TransferResult>& transfer_results(NodeId id) const {
        return hosts_.at(id).transfer_results;
    }
    std::size_t restores(NodeId id) const { return hosts_.at(id).restores; }
    void set_drop_filter(DropFilter filter) { drop_filter_ = std::move(filter); }

    void process_ready(NodeId id) {
        core::Node& target = nodes_.at(id);
        Host& host = hosts_.at(id);
        for (int round = 0; round < 16 && target.has_ready(); ++round) {
            core::Ready ready = target.ready();
            host.store.persist(ready);
            for (Message& message : ready.messages) {
                if (!drop_filter_ || !drop_filter_(message)) {
                    in_flight_.push_back(std::move(message));
                }
            }
            host.restores += ready.restore_snapshot ? 1 : 0;
            host.applied.insert(host.applied.end(), ready.committed_entries.begin(),
                                ready.committed_entries.end());
            host.request_results.insert(host.request_results.end(), ready.request_results.begin(),
                                        ready.request_results.end());
            host.transfer_results.insert(host.transfer_results.end(),
                                         ready.transfer_results.begin(),
                                         ready.transfer_results.end());
            target.advance();
        }
    }

    /// Processes every Ready and delivers messages until nothing moves.
    void stabilize() {
        for (int round = 0; round < 100'000; ++round) {
            for (auto& [id, node] : nodes_) {
                process_ready(id);
            }
            if (in_flight_.empty()) {
                return;
            }
            const Message message = std::move(in_flight_.front());
            in_flight_.pop_front();
            if (nodes_.contains(message.to)) {
                static_cast<void>(nodes_.at(message.to).step(message));
                process_ready(message.to);
            }
        }
        FAIL("cluster never went quiet");
    }

    void tick_all() {
        for (auto& [id, node] : nodes_) {
            node.tick();
            process_ready(id);
        }
        stabilize();
    }

    void tick_all(int times) {
        for (int i = 0; i < times; ++i) {
            tick_all();
        }
    }

    /// Ticks every node until one leads; returns it (node_none on timeout).
    NodeId run_until_leader(int ticks_max) {
        for (int i = 0; i < ticks_max && leader() == core::node_none; ++i) {
            tick_all();
        }
        return leader();
    }

    /// The node in the leader role with the highest term, or node_none.
    [[nodiscard]] NodeId leader() const {
        NodeId best = core::node_none;
        Term best_term = 0;
        for (const auto& [id, node] : nodes_) {
            if (node.role() == core::Role::leader && node.term() >= best_term) {
                best = id;
                best_term = node.term();
            }
        }
        return best;
    }

  private:
    struct Host {
        SnapshotStore store;
        std::vector<Entry> applied;
        std::vector<core::RequestResult> request_results;
        std::vector<core::TransferResult> transfer_results;
        std::size_t restores = 0;
    };

    core::NodeOptions options_for(NodeId id) {
        incarnation_ += 1;
        return core::NodeOptions{.id = id, .config = config_, .seed = 1000 * incarnation_ + id};
    }

    core::Config config_;
    std::uint64_t incarnation_ = 0;
    std::map<NodeId, core::Node> nodes_;
    std::map<NodeId, Host> hosts_;
    std::deque<Message> in_flight_;
    DropFilter drop_filter_;
};

}  // namespace raftsim::test
