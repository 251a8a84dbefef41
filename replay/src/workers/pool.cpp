// Worker processes (pool.hpp).
#include "workers/pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <new>

#include "raftsim/core/assert.hpp"

namespace raftsim::replay {
namespace {

// A frame larger than this is corrupt (or hostile), not a result.
constexpr std::uint64_t max_frame_bytes = std::uint64_t{1} << 30U;

[[nodiscard]] bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t written = ::write(fd, data, size);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            return false;
        }
        data += written;
        size -= static_cast<std::size_t>(written);
    }
    return true;
}

// Reads exactly `size` bytes; false at end of file or on an error.
[[nodiscard]] bool read_all(int fd, char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t got = ::read(fd, data, size);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return false;
        }
        data += got;
        size -= static_cast<std::size_t>(got);
    }
    return true;
}

// This process's slot, set in a worker once forked.
sim::RunProgress* this_worker_progress = nullptr;

void close_fd(int& fd) {
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}

}  // namespace

sim::RunProgress* worker_progress() noexcept {
    return this_worker_progress;
}

bool write_frame(int fd, std::string_view bytes) {
    const std::uint64_t size = bytes.size();
    char header[sizeof size];
    std::memcpy(header, &size, sizeof size);
    return write_all(fd, header, sizeof header) && write_all(fd, bytes.data(), bytes.size());
}

std::optional<std::string> read_frame(int fd) {
    std::uint64_t size = 0;
    char header[sizeof size];
    if (!read_all(fd, header, sizeof header)) {
        return std::nullopt;
    }
    std::memcpy(&size, header, sizeof size);
    if (size > max_frame_bytes) {
        return std::nullopt;
    }
    std::string bytes(size, '\0');
    if (!read_all(fd, bytes.data(), bytes.size())) {
        return std::nullopt;
    }
    return bytes;
}

WorkerPool::WorkerPool(std::size_t jobs, Work work) : work_(std::move(work)), workers_(jobs) {
    RAFT_ASSERT(jobs >= 1);
    RAFT_ASSERT(work_ != nullptr);
    // A worker that died leaves a pipe without a reader: writing a task to
    // it must fail with EPIPE, not kill the parent.
    std::signal(SIGPIPE, SIG_IGN);
    // Shared with every worker forked later: where a worker that dies
    // mid-run has said how far it got.
    progress_bytes_ = jobs * sizeof(sim::RunProgress);
    void* page =
        ::mmap(nullptr, progress_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        progress_bytes_ = 0;
        return;  // crashes then name only their signal
    }
    progress_page_ = page;
    auto* slots = static_cast<sim::RunProgress*>(page);
    for (std::size_t i = 0; i < jobs; ++i) {
        workers_[i].progress = new (&slots[i]) sim::RunProgress();
    }
}

WorkerPool::~WorkerPool() {
    stop_all();
    if (progress_page_ != nullptr) {
        ::munmap(progress_page_, progress_bytes_);
    }
}

std::size_t WorkerPool::busy() const noexcept {
    std::size_t count = ready_.size();
    for (const Worker& worker : workers_) {
        count += worker.task.has_value() ? 1 : 0;
    }
    return count;
}

void WorkerPool::serve(int task_fd, int result_fd, sim::RunProgress* progress) {
    this_worker_progress = progress;
    // The parent decides what an interrupt means (partial reports, then
    // exit); a Ctrl-C at the terminal reaches the whole process group, and
    // must not kill workers mid-task as if they had crashed.
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGTERM, SIG_IGN);
    // No orphans: a worker goes when the parent does.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (;;) {
        const std::optional<std::string> task = read_frame(task_fd);
        if (!task.has_value()) {
            std::_Exit(0);  // the parent closed the pipe: no more work
        }
        if (progress != nullptr) {
            progress->reset();
        }
        const std::string output = work_(*task);
        if (!write_frame(result_fd, output)) {
            std::_Exit(1);
        }
    }
}

bool WorkerPool::start(Worker& worker) {
    RAFT_ASSERT(worker.pid < 0);
    RAFT_ASSERT(!worker.task.has_value());
    int tasks[2] = {-1, -1};
    int results[2] = {-1, -1};
    if (::pipe2(tasks, O_CLOEXEC) != 0) {
        return false;
    }
    if (::pipe2(results, O_CLOEXEC) != 0) {
        ::close(tasks[0]);
        ::close(tasks[1]);
        return false;
    }
    // Buffered output would be written twice, by parent and child.
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        // The other workers' pipe ends must not stay open in this one, or
        // they would never see end of file when the parent closes them.
        for (Worker& other : workers_) {
            close_fd(other.task_fd);
            close_fd(other.result_fd);
        }
        ::close(tasks[1]);
        ::close(results[0]);
        serve(tasks[0], results[1], worker.progress);
    }
    ::close(tasks[0]);
    ::close(results[1]);
    if (pid < 0) {
        ::close(tasks[1]);
        ::close(results[0]);
        return false;
    }
    worker.pid = pid;
    worker.task_fd = tasks[1];
    worker.result_fd = results[0];
    return true;
}

bool WorkerPool::submit(std::uint64_t id, std::string_view task) {
    RAFT_ASSERT(has_idle());
    for (const Worker& worker : workers_) {
        RAFT_ASSERT(worker.task != id);
    }
    Worker* idle = nullptr;
    for (Worker& worker : workers_) {
        if (!worker.task.has_value() && (idle == nullptr || (idle->pid < 0 && worker.pid >= 0))) {
            idle = &worker;  // a started worker if there is one
        }
    }
    RAFT_ASSERT(idle != nullptr);
    // A worker that died while idle (killed from outside) shows up only
    // here, as a failed write: start a new one and try once more.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (idle->pid < 0 && !start(*idle)) {
            return false;
        }
        if (write_frame(idle->task_fd, task)) {
            idle->task = id;
            idle->started = Clock::now();
            return true;
        }
        TaskResult ignored;
        reap(*idle, ignored);
    }
    return false;
}

void WorkerPool::reap(Worker& worker, TaskResult& result) {
    RAFT_ASSERT(worker.pid > 0);
    close_fd(worker.task_fd);
    close_fd(worker.result_fd);
    int status = 0;
    while (::waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status)) {
        result.signal = WTERMSIG(status);
    } else if (WIFEXITED(status)) {
        result.exit_status = WEXITSTATUS(status);
    }
    // The worker is gone: what it last published stays put.
    if (worker.progress != nullptr && worker.task.has_value()) {
        result.progress_events = worker.progress->events.load(std::memory_order_relaxed);
        result.progress_time_us = worker.progress->time_us.load(std::memory_order_relaxed);
    }
    worker.pid = -1;
}

void WorkerPool::finish(Worker& worker, TaskResult& result) {
    RAFT_ASSERT(worker.task.has_value());
    result.id = *worker.task;
    result.wall_seconds = std::chrono::duration<double>(Clock::now() - worker.started).count();
    worker.task.reset();
}

TaskResult WorkerPool::collect(Worker& worker) {
    TaskResult result;
    std::optional<std::string> output = read_frame(worker.result_fd);
    if (output.has_value()) {
        result.output = std::move(*output);
    } else {
        result.end = TaskEnd::died;
        reap(worker, result);
    }
    finish(worker, result);
    return result;
}

std::vector<TaskResult> WorkerPool::wait(std::optional<std::chrono::milliseconds> timeout) {
    std::vector<TaskResult> ended = std::move(ready_);
    ready_.clear();
    if (!ended.empty()) {
        return ended;
    }
    std::vector<pollfd> polled;
    std::vector<Worker*> owners;
    for (Worker& worker : workers_) {
        if (worker.task.has_value()) {
            polled.push_back(pollfd{.fd = worker.result_fd, .events = POLLIN, .revents = 0});
            owners.push_back(&worker);
        }
    }
    RAFT_ASSERT(!polled.empty());
    const int timeout_ms = timeout.has_value() ? static_cast<int>(timeout->count()) : -1;
    const int ready = ::poll(polled.data(), polled.size(), timeout_ms);
    if (ready <= 0) {
        return ended;  // a timeout, or a signal (EINTR) for the caller to see
    }
    for (std::size_t i = 0; i < polled.size(); ++i) {
        if ((polled[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            ended.push_back(collect(*owners[i]));
        }
    }
    return ended;
}

void WorkerPool::abort(std::uint64_t id) {
    for (Worker& worker : workers_) {
        if (worker.task == id) {
            ::kill(worker.pid, SIGKILL);
            TaskResult result;
            result.end = TaskEnd::aborted;
            reap(worker, result);
            finish(worker, result);
            ready_.push_back(std::move(result));
            return;
        }
    }
}

std::map<std::uint64_t, double> WorkerPool::running_seconds() const {
    std::map<std::uint64_t, double> running;
    const Clock::time_point now = Clock::now();
    for (const Worker& worker : workers_) {
        if (worker.task.has_value()) {
            running[*worker.task] = std::chrono::duration<double>(now - worker.started).count();
        }
    }
    return running;
}

void WorkerPool::stop_all() {
    for (Worker& worker : workers_) {
        if (worker.pid > 0) {
            // A busy worker is killed; an idle one sees its task pipe close
            // (reap closes it first) and exits on its own, as a profiler
            // or a sanitizer's leak check expects a process to end.
            if (worker.task.has_value()) {
                ::kill(worker.pid, SIGKILL);
            }
            TaskResult ignored;
            reap(worker, ignored);
        }
        worker.task.reset();
    }
    ready_.clear();
}

}  // namespace raftsim::replay
