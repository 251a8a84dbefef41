#pragma once
// Shared by the simulator's tests: a cluster's options with hashicorp's
// default timings, a violation as one line, a trace's records of one kind,
// and waiting for a leader.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "raftsim/core/config.hpp"
#include "raftsim/sim/simulation.hpp"
#include "raftsim/sut/raftsim/raftsim_system.hpp"

namespace raftsim::sim::test {

inline constexpr TimeUs tick_us = 10 * us_per_ms;
inline constexpr TimeUs long_wait = 60 * us_per_second;

/// White-box: the core::Node behind an up host of raftsim's own system.
inline const core::Node& core_of(const Host& host) {
    REQUIRE(host.is_up());
    const core::Node* node = sut::native::core_node(*host.node);
    REQUIRE(node != nullptr);
    return *node;
}

/// `count` voters named n1..n`count`, hashicorp's DefaultConfig in ticks.
inline SimOptions options(std::size_t count, std::uint64_t seed = 1) {
    SimOptions result;
    for (std::size_t i = 1; i <= count; ++i) {
        result.names.push_back("n" + std::to_string(i));
    }
    const core::ConfigResult raft = core::to_ticks(core::DurationConfig{}, tick_us);
    REQUIRE(raft.error == core::ConfigError::ok);
    result.raft = raft.config;
    result.tick_us = tick_us;
    result.seed = seed;
    return result;
}

/// options() with every trace record kept, for tests that read the trace.
inline SimOptions traced(std::size_t count, std::uint64_t seed) {
    SimOptions result = options(count, seed);
    result.keep_trace = true;
    return result;
}

/// A node other than `leader` (the lowest id that is not it).
inline core::NodeId follower_of(core::NodeId leader) {
    return leader == 1 ? 2 : 1;
}

/// "checker/kind: detail", or "no violation".
inline std::string describe(const Simulation& sim) {
    if (!sim.violation().has_value()) {
        return "no violation";
    }
    const Violation& violation = *sim.violation();
    return std::string(to_string(violation.checker)) + "/" + violation.kind + ": " +
           violation.detail;
}

/// The trace's records of one kind, in order (the simulation must keep its trace).
inline std::vector<TraceRecord> records_of(const Simulation& sim, TraceKind kind) {
    std::vector<TraceRecord> result;
    for (const TraceRecord& record : sim.trace().records()) {
        if (record.kind == kind) {
            result.push_back(record);
        }
    }
    return result;
}

/// Runs until some node leads (within long_wait) and returns it.
inline core::NodeId elect(Simulation& sim) {
    REQUIRE(sim.run_until([&sim] { return sim.leader() != 0; }, sim.now() + long_wait));
    return sim.leader();
}

}  // namespace raftsim::sim::test
