// Command-line limits onto a scenario (limits.hpp).
#include "input/limits.hpp"

#include "raftsim/core/assert.hpp"
#include "raftsim/scenarios/write.hpp"

namespace raftsim::replay {

void apply_limit_overrides(LoadedScenario& loaded, const LimitOverrides& limits) {
    if (!limits.any()) {
        return;
    }
    scenarios::LimitsSpec& spec = loaded.scenario.limits;
    spec.events = limits.events.value_or(spec.events);
    spec.simulated_time_us = limits.simulated_us.value_or(spec.simulated_time_us);
    spec.steps = limits.steps.value_or(spec.steps);
    spec.requests = limits.requests.value_or(spec.requests);
    loaded.scenario.checks.black_box = loaded.scenario.checks.black_box || limits.black_box;
    // The CLI keeps each value within what a file may say (spec.hpp), so
    // the rewritten text parses back to the same limits.
    RAFT_ASSERT(spec.events <= scenarios::LimitsSpec::max_events);
    RAFT_ASSERT(spec.requests <= scenarios::LimitsSpec::max_requests);
    // The artifact carries the scenario's text: it must say these limits,
    // so the run replays without the flags.
    loaded.text = scenarios::scenario_to_json(loaded.scenario);
}

sim::CheckLimits history_limits(std::optional<std::uint64_t> max_steps) {
    sim::CheckLimits limits;
    limits.max_steps = max_steps.value_or(limits.max_steps);
    RAFT_ASSERT(limits.max_steps >= 1);
    return limits;
}

}  // namespace raftsim::replay
