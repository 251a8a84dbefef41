#pragma once
// Shrinking a failing run: the smallest run (scenario and seed) that still
// fails with the same violation -- same checker, same kind.
//
// First, scaled-down copies of the scenario (repeats and sleeps / 32 ... / 2)
// on seeds 1, 2, ... (seed_sweep): a rare failure late in a long run is
// often found early in a short one. Then the run is spelled out as a flat
// step list (RunResult::executed_steps), and the search is delta debugging
// (Zeller and Hildebrandt, "Simplifying and Isolating Failure-Inducing
// Input", TSE 2002) over each step list and the message faults, and simpler
// values one at a time: fewer nodes, faster timings, no network faults or
// workload, shorter sleeps, smaller counts, fault+recovery pairs removed. A
// change that loses the failure on the current seed may be tried on others
// (seeds_per_change). A candidate is kept when it fails the same way and
// needs no more simulator events than the best so far (strictly fewer for a
// tuning change); it runs with that many as its event limit, so it never
// costs more than the best. Passes repeat until none makes progress.
// Liveness failures keep their recovery and wait steps and their nodes
// (shrink.cpp says why).
//
// Each candidate goes through scenario_to_json and back through
// parse_scenario before it runs, so what is kept is exactly what the written
// scenario.json says, and candidates the format cannot express (a heal of a
// group no step names any more) are rejected, not run. Nothing here reads a
// clock: the same input and budget of runs give the same result. The caller
// may stop the search early (a wall-clock budget); the best so far stands.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/spec.hpp"

namespace raftsim::replay {

/// What a failure must keep to count as the same failure.
struct ShrinkGoal {
    std::string checker;
    std::string kind;
};

/// How big a run is: what a reader has to take in, and what it costs.
struct RunSize {
    /// Steps in the file, nested ones included (a repeat's body once).
    std::uint64_t steps = 0;
    /// Fault steps (partition, cut, crash, slow votes, clock drift, network)
    /// plus message faults plus the network's loss, duplication and
    /// reordering when set.
    std::uint64_t faults = 0;
    std::uint64_t nodes = 0;
    /// Simulator events, trace records and simulated time up to the end of
    /// the run (a violation ends it).
    std::uint64_t events = 0;
    std::uint64_t trace_records = 0;
    sim::TimeUs simulated_us = 0;
};

[[nodiscard]] RunSize measure(const scenarios::Scenario& scenario,
                              const scenarios::RunResult& result);

struct ShrinkProgress {
    std::uint64_t runs = 0;
    std::string change;  // what the accepted candidate did
    RunSize size;
};

struct ShrinkOptions {
    std::uint64_t seed = 1;
    ShrinkGoal goal;
    std::uint64_t max_runs = 100000;
    /// Also try the scenario on the next this-many seeds (seed+1, ...) at
    /// the start of each pass: a seed on which the same violation comes
    /// with fewer events is kept. 0 keeps the seed.
    std::uint64_t seeds_to_try = 0;
    /// A change to the whole run (a node fewer, faster timings, no network
    /// faults) that loses the failure on this seed is also tried on seeds
    /// 1..seeds_per_change: it perturbs every interleaving, and the same
    /// violation often shows on another. 0 keeps the seed.
    std::uint64_t seeds_per_change = 0;
    /// Runs spent, first of all, on scaled-down versions of the scenario
    /// (repeats and sleeps divided by 32, 16, ... 2) on seeds 1, 2, ...:
    /// a rare failure late in a long run is often found early in a short
    /// one. 0 skips it.
    std::uint64_t seed_sweep = 0;
    /// Asked before each candidate run; true ends the search.
    std::function<bool()> stop;
    /// Called after each accepted candidate.
    std::function<void(const ShrinkProgress&)> on_progress;
};

struct ShrinkResult {
    scenarios::Scenario scenario;
    /// Its text, as scenario_to_json writes it, and the seed it fails on.
    std::string text;
    std::uint64_t seed = 0;
    RunSize before;
    RunSize after;
    /// Candidate runs made, and how many were kept.
    std::uint64_t runs = 0;
    std::uint64_t accepted = 0;
    /// Candidates the scenario format rejected (never run).
    std::uint64_t invalid = 0;
    /// True if the budget (runs or the caller's stop) ended the search
    /// before a full pass made no progress.
    bool stopped_early = false;
};

/// The violation `result` ended with, as a goal; empty checker if it passed.
[[nodiscard]] ShrinkGoal goal_of(const scenarios::RunResult& result);

/// Shrinks `scenario`, which must fail with `options.goal` on
/// `options.seed` (nullopt if it does not). A candidate is kept when its
/// text (and seed, with seeds_to_try) fails with the same checker and kind
/// using no more simulator events than the best so far.
[[nodiscard]] std::optional<ShrinkResult> shrink(const scenarios::Scenario& scenario,
                                                 const ShrinkOptions& options);

/// The generic delta-debugging step: removes chunks of `items` (never
/// below `min_size` items, never the ones `keep` marks) while `still_fails`
/// holds for what remains. Returns whether anything was removed.
template <typename T>
bool delta_debug(std::vector<T>& items, std::size_t min_size,
                 const std::function<bool(const T&)>& keep,
                 const std::function<bool(const std::vector<T>&)>& still_fails);

}  // namespace raftsim::replay

#include "shrink/shrink_ddmin.hpp"
