#pragma once
// Where a shrink's candidate runs happen: in this process, one at a time,
// or in worker processes (workers/pool.hpp), several at a time.
//
// The search (shrink.cpp) decides which candidates to run and judges their
// outcomes in its own order; the runner only runs them. A candidate's run
// is a function of its text, seed and event limit, so which worker ran it,
// and when, changes nothing. A worker that dies on a candidate (a crash of
// the code under test) ends that one candidate: its outcome says `died`.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "raftsim/scenarios/spec.hpp"
#include "raftsim/sut/system.hpp"

namespace raftsim::replay {

class WorkerPool;

/// One candidate run: the scenario (parsed, for this process; as text, for
/// a worker, which parses it again), the seed and the event limit. The
/// system under test is the runner's.
struct CandidateTask {
    const scenarios::Scenario* scenario = nullptr;
    const std::string* text = nullptr;
    std::uint64_t seed = 0;
    std::uint64_t max_events = 0;
};

/// What the search needs of a candidate's run.
struct CandidateOutcome {
    /// Non-zero: the worker died on it -- of this signal, or -1 if it
    /// exited. Then only `events` and `simulated_us` below are known: the
    /// event the run died in (0 if it died before its first event) and its
    /// time.
    int died = 0;
    /// died: how, as reports name it (death_kind: "SIGSEGV", "exit 1").
    std::string death{};
    /// The violation; an empty checker if the run passed or was halted.
    std::string checker{};
    std::string kind{};
    std::string detail{};
    /// RunResult::failed_step_path.
    std::string failed_step_path{};
    std::uint64_t events = 0;
    std::uint64_t trace_records = 0;
    std::uint64_t simulated_us = 0;
};

/// Runs a candidate here and now, on `system` (nullptr: raftsim's core), at
/// most `max_events` events (0: no limit). A candidate the system cannot run
/// (RunResult::skipped) passes: it is not the failure. In a worker, the run
/// publishes its progress (workers/pool.hpp worker_progress).
[[nodiscard]] CandidateOutcome run_candidate(const scenarios::Scenario& scenario,
                                             std::uint64_t seed, std::uint64_t max_events,
                                             const sut::System* system = nullptr);

/// The worker's side of a task: text in, outcome out (as JSON text). The
/// text names the system, which the worker looks up in its registry.
[[nodiscard]] std::string encode_candidate_task(const CandidateTask& task,
                                                const sut::System& system);
[[nodiscard]] std::string run_candidate_task(std::string_view task);
[[nodiscard]] std::optional<CandidateOutcome> decode_candidate_outcome(std::string_view text);

class CandidateRunner;

/// Runs one task on `runner` (idle) and waits for its outcome; a worker that
/// died says so in `died`. The runner must have no stop function.
[[nodiscard]] CandidateOutcome run_one(CandidateRunner& runner, const CandidateTask& task);

class CandidateRunner {
  public:
    /// `jobs` worker processes, or with 0 none: runs happen in this process.
    /// `stop` is asked while waiting for workers; true drops every task.
    /// Every candidate runs on `system` (nullptr: raftsim's core).
    CandidateRunner(std::size_t jobs, std::function<bool()> stop,
                    const sut::System* system = nullptr);
    ~CandidateRunner();
    CandidateRunner(const CandidateRunner&) = delete;
    CandidateRunner& operator=(const CandidateRunner&) = delete;

    /// How many candidates run at once (1 in this process).
    [[nodiscard]] std::size_t capacity() const noexcept;
    /// Tasks running or with an outcome not yet returned, dropped ones
    /// still running included (they hold a worker).
    [[nodiscard]] std::size_t busy() const noexcept;
    [[nodiscard]] bool has_idle() const noexcept { return busy() < capacity(); }

    /// Starts the task (in this process: runs it) and returns its id.
    /// Requires has_idle().
    [[nodiscard]] std::uint64_t submit(const CandidateTask& task);

    /// Waits for tasks to end and returns their outcomes by id: at least
    /// one, or none when only dropped tasks ended (a worker is free again).
    /// nullopt if `stop` turned true first; every task is dropped then.
    /// Requires busy() > 0.
    [[nodiscard]] std::optional<std::vector<std::pair<std::uint64_t, CandidateOutcome>>> wait();

    /// Forgets every task not yet returned. Short runs are left to end
    /// (their outcomes are thrown away), long ones killed: starting a new
    /// worker costs about a millisecond, waiting for a long run its length.
    void drop_all();

  private:
    std::function<bool()> stop_;
    const sut::System& system_;
    std::unique_ptr<WorkerPool> pool_;
    std::uint64_t next_id_ = 0;
    /// In this process (or when no worker could be started): outcomes
    /// ready for the next wait().
    std::vector<std::pair<std::uint64_t, CandidateOutcome>> ready_;
    /// Dropped tasks still in a worker: their outcomes are thrown away.
    std::set<std::uint64_t> dropped_;
    /// A running mean of how long a task takes in a worker.
    double mean_task_seconds_ = 0;
};

}  // namespace raftsim::replay
