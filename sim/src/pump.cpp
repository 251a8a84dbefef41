#include "raftsim/sim/pump.hpp"

#include <algorithm>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/prng.hpp"

namespace raftsim::sim {

Pump::Pump(std::size_t count, const core::Config& config, std::uint64_t seed) : Pump(config, seed) {
    RAFT_ASSERT(count > 0);
    const core::Configuration configuration = core::Configuration::voters(count);
    for (const core::Server& server : configuration.servers) {
        bootstrap(server.id, configuration);
    }
    RAFT_ASSERT(nodes_.size() == count);
}

Pump::Pump(const core::Config& config, std::uint64_t seed) : config_(config), seed_(seed) {}

void Pump::bootstrap(core::NodeId id, const core::Configuration& configuration) {
    add_node(id, core::Node::bootstrap(options_for(id), configuration), Storage{});
}

void Pump::join(core::NodeId id) {
    add_node(id, core::Node::restart(options_for(id), core::DurableState{}), Storage{});
}

void Pump::add(core::NodeId id, core::DurableState durable) {
    Storage storage(durable);
    add_node(id, core::Node::restart(options_for(id), std::move(durable)), std::move(storage));
}

void Pump::add_node(core::NodeId id, core::Node node, Storage storage) {
    RAFT_ASSERT(!nodes_.contains(id));
    RAFT_ASSERT(node.id() == id);
    nodes_.emplace(id, std::move(node));
    durable_.emplace(id, std::move(storage));
    applied_[id] = {};
    results_[id] = {};
    transfer_results_[id] = {};
    read_results_[id] = {};
    restores_[id] = 0;
}

core::NodeOptions Pump::options_for(core::NodeId id) {
    // Each incarnation of each node gets its own PRNG stream.
    incarnation_ += 1;
    return core::NodeOptions{.id = id,
                             .config = config_,
                             .seed = core::derive_seed(core::derive_seed(seed_, id), incarnation_)};
}

std::vector<core::NodeId> Pump::ids() const {
    std::vector<core::NodeId> result;
    for (const auto& [id, node] : nodes_) {
        result.push_back(id);
    }
    return result;
}

void Pump::isolate(core::NodeId id) {
    if (!is_isolated(id)) {
        isolated_.push_back(id);
    }
}

void Pump::heal() {
    isolated_.clear();
}

bool Pump::is_isolated(core::NodeId id) const {
    return std::find(isolated_.begin(), isolated_.end(), id) != isolated_.end();
}

void Pump::process_ready(core::NodeId id) {
    core::Node& target = nodes_.at(id);
    // Bounded: each round hands out everything pending.
    for (int round = 0; round < 16 && target.has_ready(); ++round) {
        core::Ready ready = target.ready();
        durable_.at(id).persist(ready);  // 1. persist
        // The core's writes keep the disk's contract (sut::ContractBreach).
        RAFT_ASSERT(!durable_.at(id).breach().has_value());
        for (core::Message& message : ready.messages) {  // 2. then send
            RAFT_ASSERT(message.from == id);
            const bool cut = is_isolated(message.from) || is_isolated(message.to);
            if (cut || (drop_filter_ && drop_filter_(message))) {
                dropped_count_ += 1;
                continue;
            }
            in_flight_.push_back(std::move(message));
        }
        std::vector<core::Entry>& applied = applied_.at(id);  // 3. apply
        restores_.at(id) += ready.restore_snapshot ? 1 : 0;
        applied.insert(applied.end(), ready.committed_entries.begin(),
                       ready.committed_entries.end());
        std::vector<core::RequestResult>& results = results_.at(id);
        results.insert(results.end(), ready.request_results.begin(), ready.request_results.end());
        std::vector<core::TransferResult>& transfers = transfer_results_.at(id);
        transfers.insert(transfers.end(), ready.transfer_results.begin(),
                         ready.transfer_results.end());
        for (const core::ReadResult& read : ready.read_results) {
            read_results_.at(id).push_back(
                AnsweredRead{.result = read, .applied_count = applied.size()});
        }
        target.advance();  // 4. advance
    }
}

bool Pump::deliver_one() {
    if (in_flight_.empty()) {
        return false;
    }
    core::Message message = std::move(in_flight_.front());
    in_flight_.pop_front();
    const auto it = nodes_.find(message.to);
    if (it == nodes_.end() || is_isolated(message.to)) {
        dropped_count_ += 1;
        return true;
    }
    delivered_count_ += 1;
    static_cast<void>(it->second.step(message));
    process_ready(message.to);
    return true;
}

void Pump::stabilize() {
    for (int round = 0; round < 100'000; ++round) {
        for (auto& [id, node] : nodes_) {
            process_ready(id);
        }
        if (!deliver_one()) {
            return;
        }
    }
    RAFT_UNREACHABLE("a cluster that never goes quiet: a livelock");
}

void Pump::tick(core::NodeId id) {
    nodes_.at(id).tick();
    process_ready(id);
}

void Pump::tick_all(std::uint32_t times) {
    for (std::uint32_t i = 0; i < times; ++i) {
        for (auto& [id, node] : nodes_) {
            node.tick();
            process_ready(id);
        }
        stabilize();
    }
}

core::NodeId Pump::run_until_leader(std::uint32_t ticks_max) {
    for (std::uint32_t i = 0; i < ticks_max; ++i) {
        tick_all();
        if (leader() != core::node_none) {
            return leader();
        }
    }
    return core::node_none;
}

core::NodeId Pump::leader() const {
    core::NodeId best = core::node_none;
    core::Term best_term = 0;
    for (const auto& [id, node] : nodes_) {
        if (node.role() == core::Role::leader && node.term() >= best_term) {
            best = id;
            best_term = node.term();
        }
    }
    return best;
}

void Pump::crash_and_restart(core::NodeId id) {
    core::DurableState durable = durable_.at(id).durable_state();
    nodes_.erase(id);
    nodes_.emplace(id, core::Node::restart(options_for(id), std::move(durable)));
    // A restarted state machine starts from the snapshot (if any) and
    // re-applies the log after it.
    applied_.at(id).clear();
}

}  // namespace raftsim::sim
