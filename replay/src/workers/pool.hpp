#pragma once
// Worker processes for `raftsim run --jobs N` and `raftsim shrink --jobs N`.
//
// Workers are processes, not threads, for two reasons. The core's assertion
// handler is process-wide, so two simulations cannot run side by side in one
// process. And a system under test written in C may crash: in a worker, a
// SIGSEGV ends one task (reported as `died`, with the signal) instead of the
// whole sweep.
//
// The pool knows nothing of scenarios: a task is bytes in, bytes out, run by
// the `Work` function the pool was made with. Each worker is forked from the
// parent when first needed, so it starts with the parent's memory (the loaded
// scenarios) and receives only a short task description over a pipe. Tasks
// and results are framed as an 8-byte length and the bytes.
//
// Determinism: the pool hands out tasks in the order they are submitted, but
// they end in any order; callers that need an order (a sweep's report, a
// shrink's first accepted candidate) collect results by task id and process
// them in their own order. Nothing a task returns depends on which worker
// ran it, or when.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raftsim/sim/progress.hpp"

namespace raftsim::replay {

/// How a task ended.
enum class TaskEnd : std::uint8_t {
    /// The work function returned; `output` is what it returned.
    done,
    /// The worker died (a signal, or exit) before returning a result.
    died,
    /// abort() killed it (a wall-clock backstop): no result, inconclusive.
    aborted,
};

struct TaskResult {
    std::uint64_t id = 0;
    TaskEnd end = TaskEnd::done;
    std::string output;
    /// died: the signal that killed the worker, or 0 if it exited.
    int signal = 0;
    /// died without a signal: the worker's exit status.
    int exit_status = 0;
    /// From submit() to the result, measured by the parent.
    double wall_seconds = 0;
    /// died or aborted: how far the task's run had got, as it published
    /// through worker_progress() (0 events: it published nothing).
    std::uint64_t progress_events = 0;
    std::uint64_t progress_time_us = 0;
};

/// In a worker process: the progress page its parent reads if the worker
/// dies (sim/progress.hpp), reset before each task. nullptr elsewhere.
[[nodiscard]] sim::RunProgress* worker_progress() noexcept;

class WorkerPool {
  public:
    /// Runs a task in a worker; must not write to stdout (the parent owns it).
    using Work = std::function<std::string(std::string_view task)>;

    /// At most `jobs` workers (>= 1), started when first needed.
    WorkerPool(std::size_t jobs, Work work);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    [[nodiscard]] std::size_t jobs() const noexcept { return workers_.size(); }
    /// Tasks handed out whose result has not been returned by wait().
    [[nodiscard]] std::size_t busy() const noexcept;
    [[nodiscard]] bool has_idle() const noexcept { return busy() < workers_.size(); }

    /// Hands `task` to an idle worker, forking one if needed. Requires
    /// has_idle() and an id not in use. Returns false if no worker could be
    /// started (fork failed); the task is then not running.
    [[nodiscard]] bool submit(std::uint64_t id, std::string_view task);

    /// Waits until at least one task ends or `timeout` passes, and returns
    /// the tasks that ended (empty on a timeout, or when a signal
    /// interrupted the wait, so the caller can look at its flags).
    [[nodiscard]] std::vector<TaskResult> wait(std::optional<std::chrono::milliseconds> timeout);

    /// Kills the worker running task `id` (if it still runs); the task ends
    /// `aborted`, reported by the next wait().
    void abort(std::uint64_t id);

    /// The running tasks and how long each has run.
    [[nodiscard]] std::map<std::uint64_t, double> running_seconds() const;

    /// Kills and reaps every worker; running tasks are dropped unreported.
    void stop_all();

  private:
    using Clock = std::chrono::steady_clock;
    struct Worker {
        pid_t pid = -1;
        int task_fd = -1;    // the parent writes tasks here
        int result_fd = -1;  // and reads results here
        std::optional<std::uint64_t> task;
        Clock::time_point started{};
        /// Its slot in the shared progress page (nullptr: none could be
        /// mapped; crashes then say only the signal).
        sim::RunProgress* progress = nullptr;
    };

    [[nodiscard]] bool start(Worker& worker);
    void finish(Worker& worker, TaskResult& result);
    [[nodiscard]] TaskResult collect(Worker& worker);
    void reap(Worker& worker, TaskResult& result);
    [[noreturn]] void serve(int task_fd, int result_fd, sim::RunProgress* progress);

    Work work_;
    /// One RunProgress per worker, shared with the workers (mmap).
    void* progress_page_ = nullptr;
    std::size_t progress_bytes_ = 0;
    std::vector<Worker> workers_;
    std::vector<TaskResult> ready_;
};

/// Writes all of `bytes` to `fd` (retrying on EINTR); false on an error.
[[nodiscard]] bool write_frame(int fd, std::string_view bytes);
/// Reads one frame from `fd`; nullopt at end of file or on an error.
[[nodiscard]] std::optional<std::string> read_frame(int fd);

}  // namespace raftsim::replay
