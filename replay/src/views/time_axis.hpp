#pragma once
// The horizontal axis the HTML page's charts share (html.cpp, clients.cpp):
// the label column's and the chart's widths, where each moment is drawn,
// and the ruler's ticks. Integer arithmetic
// only, so the same run gives the same bytes whatever the libm.

#include <array>
#include <string>
#include <vector>

#include "raftsim/sim/time.hpp"

namespace raftsim::replay {

// Horizontal geometry, in CSS pixels. A short run is stretched to fill a
// 1600-pixel-wide window beside the label column; a long one scrolls.
inline constexpr int label_width = 132;
inline constexpr int chart_left = 16;
inline constexpr int chart_right_pad = 56;
inline constexpr int chart_min_width = 1440;

/// "1.056507s".
[[nodiscard]] std::string seconds(sim::TimeUs time);

// Where each moment of the window is drawn. x advances once per distinct
// timestamp, by a step that grows with the logarithm of the gap: a burst of
// messages a millisecond apart gets room to show its arrows, and seconds of
// quiet do not take the page.
class TimeAxis {
  public:
    /// `times`: the distinct moments to give a slot, sorted, at least one.
    explicit TimeAxis(std::vector<sim::TimeUs> times);

    [[nodiscard]] int x(sim::TimeUs time) const;
    [[nodiscard]] int width() const;
    [[nodiscard]] int first_x() const { return xs_.front(); }
    [[nodiscard]] int last_x() const { return xs_.back(); }
    [[nodiscard]] const std::vector<sim::TimeUs>& times() const { return times_; }
    [[nodiscard]] const std::vector<int>& xs() const { return xs_; }

  private:
    // A slot is `base` px plus `per_doubling` px per doubling of the gap
    // above 128 us: at {6, 4} 1 ms is 18 px, 5 ms 30 px, 500 ms 54 px.
    struct GapScale {
        int base = 0;
        int per_doubling = 0;
    };
    static constexpr std::array<GapScale, 4> fit_scales = {{{6, 4}, {5, 3}, {4, 2}, {3, 2}}};
    static constexpr GapScale scroll_scale = {5, 3};

    [[nodiscard]] std::vector<int> layout(GapScale scale) const;
    void stretch();

    std::vector<sim::TimeUs> times_;
    std::vector<int> xs_;
};

/// A mark on the ruler: at a round time, or (`exact`) at the exact time of
/// an event in a long stretch without a round one.
struct Tick {
    int x = 0;
    std::string label;
    bool exact = false;
};

/// The ruler's ticks for `axis`, left to right, at least 70 px apart.
[[nodiscard]] std::vector<Tick> ruler_ticks(const TimeAxis& axis);

}  // namespace raftsim::replay
