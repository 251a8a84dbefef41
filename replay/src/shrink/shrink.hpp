#pragma once
// Shrinking a failing run: the smallest run (scenario and seed) that still
// fails with the same failure (ShrinkGoal: the same checker and kind, and
// for a liveness failure the same step, for an assertion the same
// assertion).
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
// clock: the same input and budget of runs give the same result, whatever
// `jobs` is (shrink_runner.hpp). The caller may stop the search early (a
// wall-clock budget, an interrupt); the best so far stands.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/spec.hpp"
#include "report/dedup.hpp"

namespace raftsim::replay {

/// Where a failure was raised, as far as the goal pins it down.
enum class FailurePlace : std::uint8_t {
    /// A safety checker: wherever the run first breaks it.
    anywhere,
    /// A step's deadline (liveness): that step, by its identity (Step::id).
    step,
    /// The final checks at the end of the run (logs settled, VerifyLog,
    /// VerifyFSM: `convergence`, `liveness/logs_did_not_settle`).
    end,
};

/// What a failure must keep to count as the same failure (same_failure).
struct ShrinkGoal {
    std::string checker{};
    std::string kind{};
    FailurePlace place = FailurePlace::anywhere;
    /// place == step: the identity (Step::id) of the step whose deadline
    /// failed. A json_path would not do: every removal renumbers them.
    std::uint64_t step_id = 0;
    /// place == step: that step's json_path in the run the goal came from
    /// (for the reader; never compared).
    std::string step_path{};
    /// core_assert: the assertion that fired and where (not the node,
    /// which a shrink that removes nodes renumbers); nullopt if the detail
    /// did not say.
    std::optional<AssertLocation> assertion{};
};

/// The failure `result` (a run of `scenario`, whose steps carry their
/// identities) ended with; an empty checker if it passed.
[[nodiscard]] ShrinkGoal goal_of(const scenarios::Scenario& scenario,
                                 const scenarios::RunResult& result);

/// The same, from the parts of a run's violation (a worker's outcome).
[[nodiscard]] ShrinkGoal goal_of(const scenarios::Scenario& scenario, std::string checker,
                                 std::string kind, std::string_view detail,
                                 std::string_view failed_step_path);

/// A worker's death as a failure: checker "crash", kind `death`
/// (CandidateOutcome::death: "SIGSEGV", "exit 1"). A candidate is the same
/// crash if its worker dies the same way, by the event the best so far died
/// in.
[[nodiscard]] ShrinkGoal crash_goal(std::string death);
[[nodiscard]] bool is_crash(const ShrinkGoal& goal) noexcept;

/// Whether `candidate` is the failure `goal` asks for: the same checker and
/// kind; for a step's deadline the same step (by identity), for the final
/// checks the end; for core_assert the same expression, file and line.
[[nodiscard]] bool same_failure(const ShrinkGoal& goal, const ShrinkGoal& candidate);

/// "liveness/no_leader at the deadline of steps[11]", "core_assert/... `EXPR`
/// at core/src/log.cpp:88", "convergence/... in the final checks".
[[nodiscard]] std::string describe_goal(const ShrinkGoal& goal);

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
    /// the run (a violation ends it). For a crash: the event it died in and
    /// its time; no trace records are known.
    std::uint64_t events = 0;
    std::uint64_t trace_records = 0;
    sim::TimeUs simulated_us = 0;
};

[[nodiscard]] RunSize measure(const scenarios::Scenario& scenario,
                              const scenarios::RunResult& result);

/// What the shrink reports as it goes: a kept candidate, or a candidate
/// whose worker died (unless the goal is that crash, never the same
/// failure).
struct ShrinkProgress {
    std::uint64_t runs = 0;
    std::string change;  // what the candidate did
    RunSize size;        // the best so far (the candidate, if kept)
    /// Not empty: the worker running this candidate died so (death_kind:
    /// "SIGSEGV", "exit 1"), and the candidate was not kept.
    std::string died{};
};

struct ShrinkOptions {
    /// At most this many candidate runs (the run that spells the steps
    /// out included); the start and the caller's final check are not
    /// among them.
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
    /// Worker processes for candidate runs (0: run them in this process,
    /// one at a time). The result does not depend on it.
    std::size_t jobs = 0;
    /// The system under test every candidate runs on (nullptr: raftsim's
    /// core); the one start_shrink ran the failure on.
    const sut::System* system = nullptr;
    /// Asked before each candidate run (and while waiting for workers);
    /// true ends the search.
    std::function<bool()> stop;
    /// Called after each kept candidate, and each candidate a worker died on.
    std::function<void(const ShrinkProgress&)> on_progress;
};

/// Why the search ended.
enum class ShrinkStop : std::uint8_t {
    /// A whole pass kept nothing: no single change left keeps the failure.
    done,
    /// ShrinkOptions::max_runs: another candidate was due to run.
    max_runs,
    /// ShrinkOptions::stop said so (a wall-clock budget, an interrupt).
    stopped,
};

/// The run a shrink starts from: the scenario written and parsed back (as
/// every candidate is), its steps numbered (Step::id), and run once.
struct ShrinkStart {
    scenarios::Scenario scenario{};
    std::string text{};
    std::uint64_t seed = 0;
    /// How that run failed (an empty checker if it passed), and the
    /// violation's detail.
    ShrinkGoal goal{};
    std::string detail{};
    RunSize size{};
    /// Why the system under test skipped the run (then the goal is empty).
    std::string skip_reason{};
};

/// Runs on `system` (nullptr: raftsim's core); a run it skips has no
/// failure to shrink (an empty goal). With `jobs` > 0 the run happens in a
/// worker process, so a crash of the system under test is a failure to
/// shrink (crash_goal) rather than the end of this process.
[[nodiscard]] ShrinkStart start_shrink(const scenarios::Scenario& scenario, std::uint64_t seed,
                                       const sut::System* system = nullptr, std::size_t jobs = 0);

struct ShrinkResult {
    scenarios::Scenario scenario{};
    /// Its text, as scenario_to_json writes it, and the seed it fails on.
    std::string text{};
    std::uint64_t seed = 0;
    RunSize before{};
    RunSize after{};
    /// The goal as the result fails it (step_path: where the step is now).
    ShrinkGoal goal{};
    /// Candidate runs made (at most max_runs), and how many were kept.
    std::uint64_t runs = 0;
    std::uint64_t accepted = 0;
    /// Candidates the scenario format rejected (never run).
    std::uint64_t invalid = 0;
    /// Candidate runs whose worker died other than as the goal asks
    /// (counted in `runs`, never kept).
    std::uint64_t crashes = 0;
    /// Runs workers made ahead of the search that it did not need (with
    /// jobs > 1): not in `runs`, and no part of the result.
    std::uint64_t unused_runs = 0;
    ShrinkStop stop = ShrinkStop::done;
};

/// Shrinks the failure `start` has (its goal must have a checker).
[[nodiscard]] ShrinkResult shrink(const ShrinkStart& start, const ShrinkOptions& options);

/// start_shrink, then shrink; nullopt if the scenario passes on `seed`.
[[nodiscard]] std::optional<ShrinkResult> shrink(const scenarios::Scenario& scenario,
                                                 std::uint64_t seed, const ShrinkOptions& options);

/// The generic delta-debugging step: removes chunks of `items` (never
/// below `min_size` items, never the ones `keep` marks) while `still_fails`
/// holds for what remains. Returns whether anything was removed.
template <typename T>
bool delta_debug(std::vector<T>& items, std::size_t min_size,
                 const std::function<bool(const T&)>& keep,
                 const std::function<bool(const std::vector<T>&)>& still_fails);

/// Of the `count` candidate lists of one granularity (`candidate(i)` makes
/// the i-th), the index of the first in order that still fails (nullopt:
/// none). It may try several at once, as long as the answer is the first.
template <typename T>
using FirstFailing = std::function<std::optional<std::size_t>(
    std::size_t count, const std::function<std::vector<T>(std::size_t)>& candidate)>;

/// delta_debug, asking about a whole granularity at a time.
template <typename T>
bool delta_debug_first(std::vector<T>& items, std::size_t min_size,
                       const std::function<bool(const T&)>& keep,
                       const FirstFailing<T>& first_failing);

}  // namespace raftsim::replay

#include "shrink/shrink_ddmin.hpp"
