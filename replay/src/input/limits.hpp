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

}  // namespace raftsim::replay
