#pragma once
// Per-run limits given on the command line (--max-events, --max-sim-time,
// --max-steps, --max-requests). Each replaces the scenario's own value
// ("limits", docs/scenarios.md). They are written into the scenario itself,
// so the scenario.json of an artifact carries the limits its run had and
// replays exactly without the flags. --black-box (checks.black_box) travels
// the same way.

#include <cstdint>
#include <optional>

#include "input/suite.hpp"
#include "raftsim/sim/history/linearizability.hpp"

namespace raftsim::replay {

struct LimitOverrides {
    std::optional<std::uint64_t> events;
    std::optional<std::uint64_t> simulated_us;
    std::optional<std::uint64_t> steps;
    std::optional<std::uint64_t> requests;
    /// --black-box: the core's assertions record and continue.
    bool black_box = false;

    [[nodiscard]] bool any() const noexcept {
        return events.has_value() || simulated_us.has_value() || steps.has_value() ||
               requests.has_value() || black_box;
    }
};

/// Sets the given limits on `loaded` and, if any was given, rewrites its
/// text (scenario_to_json) to match.
void apply_limit_overrides(LoadedScenario& loaded, const LimitOverrides& limits);

/// The most --history-max-steps may ask for: 500 times the default. The
/// memo's byte cap still bounds a search's memory; this bounds its time.
inline constexpr std::uint64_t max_history_steps = 1'000'000'000;

/// The linearizability check's bounds for --history-max-steps: the
/// defaults (sim::CheckLimits), with `max_steps` if given.
[[nodiscard]] sim::CheckLimits history_limits(std::optional<std::uint64_t> max_steps);

}  // namespace raftsim::replay
