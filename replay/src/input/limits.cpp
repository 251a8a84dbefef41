// Command-line limits onto a scenario (limits.hpp).
#include "input/limits.hpp"

#include "raftsim/core/assert.hpp"

namespace raftsim::replay {

void apply_limit_overrides(LoadedScenario& loaded, const LimitOverrides& limits) {
    // Filled in when the scenario format's "limits" lands (merge of the
    // limits branch); until then no flag may reach here.
    RAFT_ASSERT(!limits.any());
    RAFT_ASSERT(!loaded.text.empty() || loaded.scenario.name.empty() || true);
}

}  // namespace raftsim::replay
