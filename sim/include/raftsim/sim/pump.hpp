#pragma once
// A tiny deterministic message pump: a cluster of core nodes, a FIFO of
// messages in flight, the simulator's Storage per node (syncing at once) and
// a drop filter. No clock,
// no latency, no randomness of its own; the full discrete-event simulator
// builds on the same host rules (persist before send) with a network model.
//
// Core tests use it to drive nodes through exact interleavings.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <vector>

#include "raftsim/core/node.hpp"
#include "raftsim/sim/host.hpp"

namespace raftsim::sim {

class Pump {
  public:
    /// Drop rule, consulted when a message is sent: return true to drop it.
    using DropFilter = std::function<bool(const core::Message&)>;

    /// Bootstraps `count` voters with ids 1..count.
    Pump(std::size_t count, const core::Config& config, std::uint64_t seed);
    /// No nodes yet: add them with bootstrap, join or add.
    Pump(const core::Config& config, std::uint64_t seed);

    /// Adds server `id`, bootstrapped with `configuration` (a founding member).
    void bootstrap(core::NodeId id, const core::Configuration& configuration);
    /// Adds server `id` with nothing durable, as a server about to be added
    /// to a cluster starts: it waits to hear from a leader.
    void join(core::NodeId id);
    /// Adds server `id` rebuilt from `durable` (a crafted history).
    void add(core::NodeId id, core::DurableState durable);

    [[nodiscard]] core::Node& node(core::NodeId id) { return nodes_.at(id); }
    [[nodiscard]] const core::Node& node(core::NodeId id) const { return nodes_.at(id); }
    [[nodiscard]] std::vector<core::NodeId> ids() const;
    [[nodiscard]] const Storage& durable(core::NodeId id) const { return durable_.at(id); }
    /// Every entry each node applied, in order.
    [[nodiscard]] const std::vector<core::Entry>& applied(core::NodeId id) const {
        return applied_.at(id);
    }
    [[nodiscard]] const std::vector<core::RequestResult>& results(core::NodeId id) const {
        return results_.at(id);
    }
    [[nodiscard]] const std::vector<core::TransferResult>& transfer_results(core::NodeId id) const {
        return transfer_results_.at(id);
    }
    /// Each read result of `id`, with how many entries it had applied
    /// when the result arrived (after that Ready's committed entries).
    struct AnsweredRead {
        core::ReadResult result;
        std::size_t applied_count = 0;
    };
    [[nodiscard]] const std::vector<AnsweredRead>& read_results(core::NodeId id) const {
        return read_results_.at(id);
    }
    /// How often `id` reset its state machine from an installed snapshot.
    [[nodiscard]] std::size_t restores(core::NodeId id) const { return restores_.at(id); }
    [[nodiscard]] std::deque<core::Message>& in_flight() { return in_flight_; }

    void set_drop_filter(DropFilter filter) { drop_filter_ = std::move(filter); }
    /// Cuts `id` off from everyone (both directions) until heal().
    void isolate(core::NodeId id);
    void heal();
    [[nodiscard]] bool is_isolated(core::NodeId id) const;

    /// Handles every pending Ready of `id`: persist, then send, then apply.
    void process_ready(core::NodeId id);
    /// Delivers the oldest message in flight; returns false if none.
    bool deliver_one();
    /// Processes Readies and delivers messages until nothing moves (bounded).
    void stabilize();
    void tick(core::NodeId id);
    /// Ticks every node once, in id order, then stabilizes; `times` times.
    void tick_all(std::uint32_t times = 1);
    /// Ticks all nodes until some node leads or `ticks_max` passes.
    core::NodeId run_until_leader(std::uint32_t ticks_max);
    /// The node with the highest term among those in the leader role, or 0.
    [[nodiscard]] core::NodeId leader() const;
    /// Replaces `id` with a node rebuilt from its durable storage alone
    /// (snapshot + log); its state machine restarts from the snapshot.
    void crash_and_restart(core::NodeId id);

    /// Messages delivered so far, and messages dropped.
    [[nodiscard]] std::uint64_t delivered_count() const noexcept { return delivered_count_; }
    [[nodiscard]] std::uint64_t dropped_count() const noexcept { return dropped_count_; }

  private:
    core::NodeOptions options_for(core::NodeId id);
    void add_node(core::NodeId id, core::Node node, Storage storage);

    core::Config config_;
    std::uint64_t seed_ = 0;
    std::uint64_t incarnation_ = 0;
    std::map<core::NodeId, core::Node> nodes_;
    std::map<core::NodeId, Storage> durable_;
    std::map<core::NodeId, std::vector<core::Entry>> applied_;
    std::map<core::NodeId, std::vector<core::RequestResult>> results_;
    std::map<core::NodeId, std::vector<core::TransferResult>> transfer_results_;
    std::map<core::NodeId, std::vector<AnsweredRead>> read_results_;
    std::map<core::NodeId, std::size_t> restores_;
    std::deque<core::Message> in_flight_;
    std::vector<core::NodeId> isolated_;
    DropFilter drop_filter_;
    std::uint64_t delivered_count_ = 0;
    std::uint64_t dropped_count_ = 0;
};

}  // namespace raftsim::sim
