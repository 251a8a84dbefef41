#include "report/progress.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include "raftsim/core/assert.hpp"

namespace raftsim::replay {
namespace {

constexpr auto redraw_interval = std::chrono::milliseconds(200);

// A line longer than the terminal wraps, and "\r" then returns only to the
// start of its last row: every redraw would leave a row behind.
[[nodiscard]] std::size_t terminal_columns() {
    winsize size{};
    if (ioctl(fileno(stderr), TIOCGWINSZ, &size) == 0 && size.ws_col > 1) {
        return size.ws_col;
    }
    return 80;
}

}  // namespace

std::string short_duration(double seconds) {
    const auto whole = static_cast<std::uint64_t>(seconds < 0 ? 0 : seconds + 0.5);
    if (whole < 60) {
        return fmt::format("{}s", whole);
    }
    if (whole < 3600) {
        return fmt::format("{}m{:02}s", whole / 60, whole % 60);
    }
    return fmt::format("{}h{:02}m", whole / 3600, whole % 3600 / 60);
}

std::string progress_text(std::uint64_t runs_done, std::uint64_t total_runs, std::uint64_t failures,
                          double elapsed_seconds, std::optional<double> eta_seconds,
                          std::string_view scenario) {
    RAFT_ASSERT(runs_done <= total_runs);
    RAFT_ASSERT(elapsed_seconds >= 0);
    // The caller estimates per scenario (sweep/engine.cpp); with nothing
    // finished there is nothing to go on.
    const std::string eta = eta_seconds.has_value() ? short_duration(*eta_seconds) : "?";
    return fmt::format("{}/{} runs, {} failed, {} elapsed, ETA {}: {}", runs_done, total_runs,
                       failures, short_duration(elapsed_seconds), eta, scenario);
}

Progress::Progress(bool enabled, std::uint64_t total_runs)
    : active_(enabled && isatty(fileno(stderr)) == 1),
      total_runs_(total_runs),
      start_(Clock::now()) {}

Progress::~Progress() {
    clear();
}

void Progress::update(std::uint64_t runs_done, std::uint64_t failures, std::string_view scenario,
                      std::optional<double> eta_seconds) {
    if (!active_) {
        return;
    }
    RAFT_ASSERT(runs_done <= total_runs_);
    const Clock::time_point now = Clock::now();
    // Erasing the line (clear) does not reset the clock: a sweep printing a
    // failure per run still redraws at most five times a second.
    if (last_draw_.has_value() && now - *last_draw_ < redraw_interval) {
        return;
    }
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    std::string line =
        progress_text(runs_done, total_runs_, failures, elapsed, eta_seconds, scenario);
    const std::size_t width = terminal_columns() - 1;
    if (line.size() > width) {
        line.resize(width);
    }
    // "\r" returns to the line's start; "\x1b[K" erases what a longer
    // previous line left on the right.
    fmt::print(stderr, "\r{}\x1b[K", line);
    std::fflush(stderr);
    shown_ = true;
}

void Progress::clear() {
    if (!shown_) {
        return;
    }
    RAFT_ASSERT(active_);
    fmt::print(stderr, "\r\x1b[K");
    std::fflush(stderr);
    shown_ = false;
}

}  // namespace raftsim::replay
