#pragma once
// The progress line of a long `raftsim run`: one line on stderr, rewritten in
// place, so a person at a terminal sees the sweep move. It is drawn only
// when stderr is a terminal -- a CI log would keep every rewrite -- and at
// most five times a second, so it costs nothing next to the runs.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace raftsim::replay {

class Progress {
  public:
    /// Shows nothing unless `enabled` and stderr is a terminal.
    Progress(bool enabled, std::uint64_t total_runs);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    /// Redraws the line if it is due (the first call always is). The ETA
    /// is the caller's estimate of the seconds left (none: "?").
    void update(std::uint64_t runs_done, std::uint64_t failures, std::string_view scenario,
                std::optional<double> eta_seconds);
    /// Erases the line; called before anything is printed to stdout, which
    /// is usually the same terminal.
    void clear();

    [[nodiscard]] bool active() const noexcept { return active_; }

  private:
    using Clock = std::chrono::steady_clock;

    bool active_ = false;
    bool shown_ = false;
    std::uint64_t total_runs_ = 0;
    Clock::time_point start_;
    std::optional<Clock::time_point> last_draw_;
};

/// "42s", "3m07s", "1h02m": a duration for the progress line.
[[nodiscard]] std::string short_duration(double seconds);

/// The progress line's text, without the terminal control characters.
[[nodiscard]] std::string progress_text(std::uint64_t runs_done, std::uint64_t total_runs,
                                        std::uint64_t failures, double elapsed_seconds,
                                        std::optional<double> eta_seconds,
                                        std::string_view scenario);

}  // namespace raftsim::replay
