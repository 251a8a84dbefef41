// STUB: being written (decode_cluster_case, swarm_scenario).
#include "raftsim/fuzz/cluster_case.hpp"

#include <string>

#include "raftsim/fuzz/byte_reader.hpp"

namespace raftsim::fuzz {

ClusterCase decode_cluster_case(std::span<const std::uint8_t> bytes, const CaseLimits& limits) {
    ByteReader reader(bytes);
    ClusterCase result;
    result.seed = reader.u64();
    result.scenario.name = "fuzz";
    const std::uint32_t voters = reader.range(1, limits.max_voters);
    for (std::uint32_t i = 0; i < voters; ++i) {
        result.scenario.cluster.names.push_back("n" + std::to_string(i + 1));
    }
    scenarios::Step step;
    step.kind = scenarios::Step::Kind::sleep;
    step.duration_us = 1000 * sim::us_per_ms;
    step.json_path = "steps[0]";
    result.scenario.steps.push_back(step);
    return result;
}

scenarios::Scenario swarm_scenario(std::uint64_t seed) {
    ClusterCase decoded = decode_cluster_case({}, swarm_limits);
    decoded.scenario.name = "swarm-" + std::to_string(seed);
    return decoded.scenario;
}

}  // namespace raftsim::fuzz
