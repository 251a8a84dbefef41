// The per-run limits (RunLimits): what reaching one reports. The checks
// themselves sit where the counted thing happens: the event loop
// (simulation.cpp), submit_batch (simulation_client.cpp) and count_step.
#include <fmt/format.h>

#include <array>
#include <utility>

#include "raftsim/core/assert.hpp"
#include "raftsim/sim/simulation.hpp"

namespace raftsim::sim {
namespace {

/// "24h", "90m", "1500ms": the largest unit that holds the time exactly, as
/// a scenario's "limits" would write it.
std::string time_text(TimeUs time_us) {
    constexpr std::array<std::pair<TimeUs, std::string_view>, 4> units{{
        {3'600 * us_per_second, "h"},
        {60 * us_per_second, "m"},
        {us_per_second, "s"},
        {us_per_ms, "ms"},
    }};
    for (const auto& [unit_us, suffix] : units) {
        if (time_us != 0 && time_us % unit_us == 0) {
            return fmt::format("{}{}", time_us / unit_us, suffix);
        }
    }
    return fmt::format("{}us", time_us);
}

}  // namespace

std::string_view to_string(LimitKind kind) noexcept {
    switch (kind) {
        case LimitKind::events:
            return "events";
        case LimitKind::simulated_time:
            return "simulated_time";
        case LimitKind::steps:
            return "steps";
        case LimitKind::requests:
            return "requests";
    }
    return "?";
}

// The detail says which limit, its value and both ways to raise it (the
// scenario's "limits" field and raftsim's flag), since a run that hits one
// is usually a scenario asking for more than the defaults allow.
void Simulation::fail_limit(LimitKind kind) {
    const RunLimits& limits = options_.limits;
    std::string what;
    std::string_view flag;
    switch (kind) {
        case LimitKind::events:
            what = fmt::format("{} simulator events", limits.events);
            flag = "--max-events";
            break;
        case LimitKind::simulated_time:
            what = fmt::format("{} of simulated time", time_text(limits.simulated_time_us));
            flag = "--max-sim-time";
            break;
        case LimitKind::steps:
            what = fmt::format("{} scenario steps", limits.steps);
            flag = "--max-steps";
            break;
        case LimitKind::requests:
            what = fmt::format("{} client requests", limits.requests);
            flag = "--max-requests";
            break;
    }
    RAFT_ASSERT(!flag.empty());
    fail(Checker::limit, to_string(kind),
         fmt::format("the run reached its limit of {} (raise limits.{} in the scenario, or {})",
                     what, to_string(kind), flag));
}

bool Simulation::count_step() {
    RAFT_ASSERT(options_.limits.steps >= 1);
    if (steps_ >= options_.limits.steps) {
        fail_limit(LimitKind::steps);
        return false;
    }
    steps_ += 1;
    return true;
}

}  // namespace raftsim::sim
