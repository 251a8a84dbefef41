#include "selfcheck.hpp"

#include <fmt/format.h>

#include <map>

#include "raftsim/core/prng.hpp"
#include "raftsim/sim/pump.hpp"

namespace raftsim::replay {
namespace {

using core::NodeId;
using core::Term;

struct Monitor {
    std::map<Term, NodeId> leader_by_term;
    std::string failure;

    void observe(sim::Pump& pump) {
        for (NodeId id : pump.ids()) {
            const core::Node& node = pump.node(id);
            if (node.role() != core::Role::leader) {
                continue;
            }
            auto [it, inserted] = leader_by_term.emplace(node.term(), id);
            if (!inserted && it->second != id && failure.empty()) {
                failure = fmt::format("election safety: nodes {} and {} both lead term {}",
                                      it->second, id, node.term());
            }
        }
    }
};

[[nodiscard]] std::string check_applied_prefixes(sim::Pump& pump) {
    const std::vector<NodeId> ids = pump.ids();
    for (NodeId a : ids) {
        for (NodeId b : ids) {
            const auto& left = pump.applied(a);
            const auto& right = pump.applied(b);
            const std::size_t common = std::min(left.size(), right.size());
            for (std::size_t i = 0; i < common; ++i) {
                if (!(left[i] == right[i])) {
                    return fmt::format(
                        "state machine safety: nodes {} and {} applied different "
                        "entries at index {}",
                        a, b, left[i].index);
                }
            }
        }
    }
    return {};
}

}  // namespace

SelfcheckResult run_selfcheck(std::uint64_t seed) {
    core::Config config;
    config.heartbeat_timeout_ticks = 20;
    config.election_timeout_ticks = 20;
    config.leader_lease_ticks = 10;
    config.commit_timeout_ticks = 1;
    sim::Pump pump(5, config, seed);
    core::Prng chaos(core::derive_seed(seed, 0xC4A05));
    pump.set_drop_filter([&chaos](const core::Message&) { return chaos.chance(1, 20); });
    Monitor monitor;
    SelfcheckResult result;
    NodeId last_leader = core::node_none;
    core::RequestId next_request = 1;
    for (int tick = 0; tick < 3000 && monitor.failure.empty(); ++tick) {
        if (tick % 400 == 200 && pump.leader() != core::node_none) {
            pump.isolate(pump.leader());
        }
        if (tick % 400 == 320) {
            pump.heal();
        }
        if (const NodeId leader = pump.leader(); leader != core::node_none && tick < 2600) {
            static_cast<void>(pump.node(leader).propose(next_request++, core::Bytes{1, 2, 3}));
            if (leader != last_leader) {
                result.leader_changes += 1;
                last_leader = leader;
            }
        }
        pump.tick_all();
        monitor.observe(pump);
    }
    pump.heal();
    pump.set_drop_filter(nullptr);
    for (int tick = 0; tick < 500; ++tick) {
        pump.tick_all();
        monitor.observe(pump);
    }
    result.failure = monitor.failure;
    if (result.failure.empty()) {
        result.failure = check_applied_prefixes(pump);
    }
    const NodeId leader = pump.leader();
    if (result.failure.empty() && leader == core::node_none) {
        result.failure = "liveness: no leader 500 ticks after healing";
    }
    if (result.failure.empty()) {
        const std::size_t applied = pump.applied(leader).size();
        for (NodeId id : pump.ids()) {
            if (pump.applied(id).size() != applied) {
                result.failure = fmt::format("convergence: node {} applied {} entries, leader {}",
                                             id, pump.applied(id).size(), applied);
            }
        }
        result.entries_committed = applied;
    }
    result.passed = result.failure.empty();
    result.messages_delivered = pump.delivered_count();
    return result;
}

}  // namespace raftsim::replay
