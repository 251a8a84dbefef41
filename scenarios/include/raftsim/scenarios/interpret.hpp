#pragma once
// Runs a Scenario on the simulator: one seed, one run, deterministic.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "raftsim/scenarios/spec.hpp"
#include "raftsim/sim/simulation.hpp"

namespace raftsim::scenarios {

struct RunOptions {
    std::uint64_t seed = 1;
    /// Keep every trace record (for replay and artifacts); the fingerprint
    /// is computed either way and does not depend on this.
    bool keep_trace = false;
    /// Fill RunResult::executed_steps (raftsim shrink). Changes nothing else.
    bool record_steps = false;
    /// Stop the run after this many simulator events (0: no limit); see
    /// SimOptions::max_events and RunResult::halted.
    std::uint64_t max_events = 0;
    /// Also hands the observation stream to this (fuzz_cluster's protocol
    /// coverage). Only reads: the run is the same with or without it.
    sim::Observer* observer = nullptr;
    /// The Raft implementation to drive (nullptr: raftsim's own core). It
    /// must outlive the run.
    const sut::System* system = nullptr;
    /// SimOptions::progress: where a worker publishes how far the run got,
    /// so its parent can say where a crash happened. Only written.
    sim::RunProgress* progress = nullptr;
    /// Bounds on the clients' linearizability check (raftsim's
    /// --history-max-steps); nullopt: sim::CheckLimits' defaults. They
    /// cannot fail a run, only leave its check undecided (unknown).
    std::optional<sim::CheckLimits> linearizability_limits{};
    /// SimOptions::cross_check_history (tests only): the run also keeps
    /// which key-value commands took effect and checks the history resolved
    /// with that. Changes no event and no trace record.
    bool cross_check_history = false;
};

struct RunResult {
    bool passed = false;
    /// The system cannot run the scenario (scenarios::skip_reason): nothing
    /// ran -- `passed` is false, there is no violation, no simulation, and
    /// the fingerprint and counts are 0. `skip_reason` says why.
    bool skipped = false;
    std::string skip_reason;
    /// The system that ran it (or would have): never null.
    const sut::System* system = nullptr;
    /// RunOptions::max_events stopped the run before it ended; `passed`
    /// then means only that nothing failed so far.
    bool halted = false;
    std::optional<sim::Violation> violation;
    /// When a step's deadline raised the violation (liveness: no_leader,
    /// not_up_to_date, membership_change_failed, transfer_failed): that
    /// step's json_path. Empty for any other violation, and for a pass.
    std::string failed_step_path;
    std::uint64_t fingerprint = 0;
    /// Simulator events processed, and structured trace records written.
    std::uint64_t events = 0;
    std::uint64_t trace_records = 0;
    TimeUs simulated_us = 0;
    /// Steps executed, as counted against Scenario::limits.steps.
    std::uint64_t steps = 0;
    std::uint64_t applies_succeeded = 0;
    /// Black-box mode: the core assertions that failed and were let pass.
    sim::IgnoredAsserts ignored_asserts{};
    /// With RunOptions::record_steps: the steps that ran, in order, as one
    /// flat list -- each repeat iteration and chosen one_of branch spelled
    /// out, random node picks and counts fixed to what was drawn. Run as a
    /// scenario it usually replays the same run without drawing choices.
    std::vector<Step> executed_steps;
    /// The finished simulation, for artifacts and inspection.
    std::unique_ptr<sim::Simulation> simulation;
};

/// The simulator options a scenario describes (its raft timings converted at
/// its tick length, which the parser has validated).
[[nodiscard]] sim::SimOptions sim_options(const Scenario& scenario, const RunOptions& options);

[[nodiscard]] RunResult run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace raftsim::scenarios
