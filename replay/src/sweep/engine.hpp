#pragma once
// The sweep engine of `raftsim run`: hands the plan's runs to worker
// processes, takes their results in whatever order they finish, and deals
// with them strictly in position order -- the table, the FAIL lines, which
// failures get full artifacts, --fail-fast and the reports -- so the
// outcome is the same for --jobs 1 and --jobs N.
//
// Order of work: failure artifacts first (the report waits for them), then
// the first run of every row not yet started (so the progress line's ETA
// knows what each scenario costs from the start), then runs in position
// order, never more than a bounded window ahead of the first unfinished one.

#include <cstdint>
#include <string>
#include <vector>

#include "commands/commands.hpp"
#include "report/sweep_report.hpp"
#include "sweep/plan.hpp"

namespace raftsim::replay {

struct SweepOutcome {
    SweepReport report;
    /// "NAME SEED FINGERPRINT" per run made, in position order (an aborted
    /// run's third word is "aborted", a crashed run's "crashed").
    std::vector<std::string> fingerprint_lines;
    /// The SIGINT or SIGTERM that stopped the sweep, or 0.
    int interrupt = 0;
    /// Set when the sweep could not run at all (no worker could start).
    std::string error;
};

/// Runs the sweep. `report` comes filled with the sweep's description; its
/// rows and failures are filled here.
[[nodiscard]] SweepOutcome run_sweep(const SweepPlan& plan, const RunCommand& command,
                                     SweepReport report);

}  // namespace raftsim::replay
