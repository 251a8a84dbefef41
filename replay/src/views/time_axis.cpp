// The charts' time axis and ruler (time_axis.hpp).
#include "views/time_axis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdint>

#include "raftsim/core/assert.hpp"

namespace raftsim::replay {
namespace {

using sim::TimeUs;

// "1.5s" for a tick of a 500 ms ruler: as many decimals as the step needs.
[[nodiscard]] std::string tick_label(TimeUs time, TimeUs step) {
    int decimals = 6;
    for (TimeUs unit = 1; decimals > 0 && step % (unit * 10) == 0; unit *= 10) {
        --decimals;
    }
    if (decimals == 0) {
        return fmt::format("{}s", time / 1'000'000);
    }
    TimeUs scale = 1;
    for (int i = decimals; i < 6; ++i) {
        scale *= 10;
    }
    return fmt::format("{}.{:0{}}s", time / 1'000'000, (time % 1'000'000) / scale, decimals);
}

// A 1-2-5 step giving about one tick per 110 px on average.
[[nodiscard]] TimeUs ruler_step(const TimeAxis& axis) {
    const TimeUs span = axis.times().back() - axis.times().front();
    const auto ticks = static_cast<TimeUs>(std::max(1, (axis.last_x() - axis.first_x()) / 110));
    const TimeUs wanted = std::max<TimeUs>(1, span / ticks);
    TimeUs step = 1;
    for (int i = 0; step < wanted && i < 40; ++i) {
        step = (i % 3 == 1) ? step / 2 * 5 : step * 2;
    }
    RAFT_ASSERT(step >= wanted || step >= (TimeUs{1} << 40));
    return step;
}

// Ticks at round times, skipping those too close to the last one. x is not
// linear in time, so a long stretch without a round tick (events crowd
// there) gets the exact time of an event in it instead.
class RulerTicks {
  public:
    explicit RulerTicks(const TimeAxis& axis) : axis_(axis) {}

    [[nodiscard]] std::vector<Tick> make() {
        const TimeUs step = ruler_step(axis_);
        const TimeUs first = axis_.times().front();
        for (TimeUs time = (first + step - 1) / step * step; time <= axis_.times().back();
             time += step) {
            const int x = axis_.x(time);
            fill_before(x);
            if (x - last_x_ >= 70) {
                ticks_.push_back({x, tick_label(time, step), false});
                last_x_ = x;
            }
        }
        fill_before(axis_.last_x() + 150);
        RAFT_ASSERT(step > 0);
        return std::move(ticks_);
    }

  private:
    // Exact-time labels for the events left of `x` in a wide gap.
    void fill_before(int x) {
        for (; slot_ < axis_.times().size() && axis_.xs()[slot_] < x - 150; ++slot_) {
            const int slot_x = axis_.xs()[slot_];
            if (slot_x - last_x_ >= 240 && x - last_x_ > 400) {
                ticks_.push_back({slot_x, seconds(axis_.times()[slot_]), true});
                last_x_ = slot_x;
            }
        }
        RAFT_ASSERT(slot_ <= axis_.times().size());
    }

    const TimeAxis& axis_;
    std::vector<Tick> ticks_;
    int last_x_ = -1000;
    std::size_t slot_ = 0;
};

}  // namespace

std::string seconds(TimeUs time) {
    return fmt::format("{}.{:06}s", time / 1'000'000, time % 1'000'000);
}

TimeAxis::TimeAxis(std::vector<TimeUs> times) : times_(std::move(times)) {
    RAFT_ASSERT(!times_.empty());
    RAFT_ASSERT(std::is_sorted(times_.begin(), times_.end()));
    // The widest spacing that fits the window; a run too long for any
    // scrolls at a spacing that still separates a message's send from its
    // delivery.
    xs_ = layout(scroll_scale);
    for (const GapScale& scale : fit_scales) {
        std::vector<int> xs = layout(scale);
        if (xs.back() + chart_right_pad <= chart_min_width) {
            xs_ = std::move(xs);
            break;
        }
    }
    stretch();
}

int TimeAxis::x(TimeUs time) const {
    const auto it = std::lower_bound(times_.begin(), times_.end(), time);
    if (it == times_.begin()) {
        return xs_.front();
    }
    if (it == times_.end()) {
        return xs_.back();
    }
    const auto i = static_cast<std::size_t>(it - times_.begin());
    if (*it == time) {
        return xs_[i];
    }
    // Between two slots x is linear in time, so ruler ticks at round times
    // land between the events they separate.
    const TimeUs span = times_[i] - times_[i - 1];
    const auto pixels = static_cast<TimeUs>(xs_[i] - xs_[i - 1]);
    return xs_[i - 1] + static_cast<int>((time - times_[i - 1]) * pixels / span);
}

int TimeAxis::width() const {
    return std::max(xs_.back() + chart_right_pad, chart_min_width);
}

std::vector<int> TimeAxis::layout(GapScale scale) const {
    std::vector<int> xs{chart_left};
    for (std::size_t i = 1; i < times_.size(); ++i) {
        const auto doublings = static_cast<int>(std::bit_width((times_[i] - times_[i - 1]) / 128));
        xs.push_back(xs.back() + scale.base + scale.per_doubling * doublings);
    }
    RAFT_ASSERT(xs.size() == times_.size());
    return xs;
}

void TimeAxis::stretch() {
    const std::int64_t natural = xs_.back() - chart_left;
    const std::int64_t wanted = chart_min_width - chart_right_pad - chart_left;
    if (natural == 0 || natural >= wanted) {
        return;
    }
    for (int& x : xs_) {
        x = chart_left + static_cast<int>((x - chart_left) * wanted / natural);
    }
    RAFT_ASSERT(xs_.back() <= chart_left + wanted);
}

std::vector<Tick> ruler_ticks(const TimeAxis& axis) {
    return RulerTicks(axis).make();
}

}  // namespace raftsim::replay
