#pragma once
// A tiny deterministic message pump: a cluster of core nodes, a FIFO of
// messages in flight, durable storage per node and a drop filter. No clock,
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

namespace raftsim::sim {

/// What one node's host has made durable: what a restart reads back.
struct DurableStore {
    core::HardState hard_state;
    std::vector<core::Entry> entries;
    /// Count of Ready batches that carried something to persist.
    std::uint64_t persist_count = 0;

    void persist(const core::Ready& ready);
};

class Pump {
  public:
    /// Drop rule, consulted when a message is sent: return true to drop it.
    using DropFilter = std::function<bool(const core::Message&)>;

    /// Bootstraps `count` voters with ids 1..count.
    Pump(std::size_t count, const core::Config& config, std::uint64_t seed);

    [[nodiscard]] core::Node& node(core::NodeId id) { return nodes_.at(id); }
    [[nodiscard]] const core::Node& node(core::NodeId id) const { return nodes_.at(id); }
    [[nodiscard]] std::vector<core::NodeId> ids() const;
    [[nodiscard]] const DurableStore& durable(core::NodeId id) const { return durable_.at(id); }
    /// Every entry each node applied, in order.
    [[nodiscard]] const std::vector<core::Entry>& applied(core::NodeId id) const {
        return applied_.at(id);
    }
    [[nodiscard]] const std::vector<core::RequestResult>& results(core::NodeId id) const {
        return results_.at(id);
    }
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
    /// Ticks every node once, in id order, then stabilizes.
    void tick_all();
    /// Ticks all nodes until some node leads or `ticks_max` passes.
    core::NodeId run_until_leader(std::uint32_t ticks_max);
    /// The node with the highest term among those in the leader role, or 0.
    [[nodiscard]] core::NodeId leader() const;
    /// Replaces `id` with a node rebuilt from its durable store alone.
    void crash_and_restart(core::NodeId id);

    /// Messages delivered so far, and messages dropped.
    [[nodiscard]] std::uint64_t delivered_count() const noexcept { return delivered_count_; }
    [[nodiscard]] std::uint64_t dropped_count() const noexcept { return dropped_count_; }

  private:
    core::NodeOptions options_for(core::NodeId id);

    core::Config config_;
    std::uint64_t seed_ = 0;
    std::uint64_t incarnation_ = 0;
    std::map<core::NodeId, core::Node> nodes_;
    std::map<core::NodeId, DurableStore> durable_;
    std::map<core::NodeId, std::vector<core::Entry>> applied_;
    std::map<core::NodeId, std::vector<core::RequestResult>> results_;
    std::deque<core::Message> in_flight_;
    std::vector<core::NodeId> isolated_;
    DropFilter drop_filter_;
    std::uint64_t delivered_count_ = 0;
    std::uint64_t dropped_count_ = 0;
};

}  // namespace raftsim::sim
