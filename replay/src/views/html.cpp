#include "views/html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <string_view>

#include "raftsim/core/assert.hpp"
#include "text/escape.hpp"
#include "views/clients.hpp"
#include "views/html_assets.hpp"
#include "views/messages.hpp"
#include "views/time_axis.hpp"

namespace raftsim::replay {
namespace {

using sim::TimeUs;
using sim::TraceKind;
using sim::TraceRecord;

// Vertical geometry: the violation's banner, rows of fault labels, the time
// ruler, then one lane per node.
constexpr int banner_height = 24;
constexpr int flag_row_height = 15;
constexpr int max_flag_rows = 6;
constexpr int ruler_height = 24;
constexpr int lanes_height = 600;
// Text widths are estimated, not measured (no fonts at render time): a
// monospace character of the 10.5 px labels is at most this wide.
constexpr int char_width = 7;
// Repeats a long band's role label so it stays in view while scrolling.
constexpr int band_label_every = 640;

// Message type -> stroke colour; the arrow heads must match the arrows, so
// both are made from this table. Responses are a lighter tint of their
// request's colour.
constexpr std::array<std::string_view, 9> message_colours = {"#2563eb", "#8fb0ee", "#9333ea",
                                                             "#c7a0f0", "#d97706", "#eec07f",
                                                             "#db2777", "#78350f", "#b08a6a"};

// For text nodes and quoted attribute values alike (the HTML names the XML
// entities too). Node names are limited to [A-Za-z0-9_.-], but titles
// (scenario names) and violation details are free text.
[[nodiscard]] std::string escape(std::string_view text) {
    return xml_escape(text);
}

[[nodiscard]] std::string lane_name(const NodeNames& names, core::NodeId id) {
    if (id < names.size() && !names[id].empty()) {
        return names[id];
    }
    return id == 0 ? "cluster" : fmt::format("#{}", id);
}

[[nodiscard]] int text_width(std::string_view text) {
    return static_cast<int>(text.size()) * char_width;
}

struct Lanes {
    int top = 0;
    int height = 0;
    std::size_t count = 0;

    [[nodiscard]] bool has(core::NodeId id) const { return id >= 1 && id <= count; }
    [[nodiscard]] int lane_top(core::NodeId id) const {
        return top + static_cast<int>(id - 1) * height;
    }
    [[nodiscard]] int center(core::NodeId id) const { return lane_top(id) + height / 2; }
    [[nodiscard]] int bottom() const { return top + static_cast<int>(count) * height; }
};

// A cluster-wide event (partition, heal, cut, network change, scenario
// step): a vertical line through every lane, labelled in a row above them.
struct Flag {
    std::size_t record = 0;
    int x = 0;
    std::string_view cls;
    std::string label;
    /// -1 when no row had room: the line and its tooltip remain.
    int row = -1;
    bool right_aligned = false;
};

// Everything the chart is drawn from, and the SVG text drawn so far.
struct Chart {
    const HtmlPage& page;
    const std::vector<TraceRecord>& records;
    TimeAxis axis;
    std::vector<Flag> flags;
    int flag_rows = 0;
    Lanes lanes;
    std::string svg;

    [[nodiscard]] int flags_top() const { return banner_height; }
    [[nodiscard]] int ruler_top() const { return banner_height + flag_rows * flag_row_height + 4; }
    [[nodiscard]] int height() const { return lanes.bottom() + 10; }
    [[nodiscard]] int x_of(std::size_t index) const { return axis.x(records[index].time); }
};

[[nodiscard]] std::string squeeze_spaces(std::string text) {
    const auto end =
        std::unique(text.begin(), text.end(), [](char a, char b) { return a == ' ' && b == ' '; });
    text.erase(end, text.end());
    return text;
}

// "#17 1.056507s lp_4: send append_entries -> lp_1 t2 ...", escaped.
[[nodiscard]] std::string record_title(const Chart& chart, std::size_t index) {
    RAFT_ASSERT(index < chart.records.size());
    const TraceRecord& record = chart.records[index];
    const std::string text = fmt::format("#{} {} {}: {}", index, seconds(record.time),
                                         lane_name(chart.page.names, record.node),
                                         squeeze_spaces(describe_record(record, chart.page.names)));
    return escape(text);
}

// The distinct timestamps of the window, and the violation's time when it
// comes after the last record (a missed deadline has no record of its own).
[[nodiscard]] std::vector<TimeUs> window_times(const HtmlPage& page) {
    std::vector<TimeUs> times;
    for (std::size_t index = page.first; index < page.last; ++index) {
        times.push_back((*page.records)[index].time);
    }
    if (page.violation.has_value()) {
        if (times.empty() || page.violation->time > times.back()) {
            times.push_back(page.violation->time);
        }
    }
    if (times.empty()) {
        times.push_back(0);
    }
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    RAFT_ASSERT(!times.empty());
    return times;
}

// The CSS class of a cluster-wide event's flag; empty for other records.
[[nodiscard]] std::string_view flag_class(const TraceRecord& record) {
    switch (record.kind) {
        case TraceKind::partition:
            return "f-part";
        case TraceKind::heal:
        case TraceKind::heal_all:
            return "f-heal";
        case TraceKind::cut:
            return record.a != 0 ? "f-cut" : "f-restore";
        case TraceKind::network:
            return "f-net";
        case TraceKind::slow_votes:
        case TraceKind::slow_link:
            return "f-slow";
        case TraceKind::step:
            return "f-step";
        default:
            return "";
    }
}

[[nodiscard]] std::string flag_label(const TraceRecord& record, const NodeNames& names) {
    if (record.kind == TraceKind::step) {
        return fmt::format("step {}", record.a);
    }
    std::string text = describe_record(record, names);
    if (text.starts_with("## ")) {
        text.erase(0, 3);
    }
    return text;
}

[[nodiscard]] std::vector<Flag> collect_flags(const HtmlPage& page, const TimeAxis& axis) {
    std::vector<Flag> flags;
    for (std::size_t index = page.first; index < page.last; ++index) {
        const TraceRecord& record = (*page.records)[index];
        const std::string_view cls = flag_class(record);
        if (cls.empty()) {
            continue;
        }
        flags.push_back(Flag{.record = index,
                             .x = axis.x(record.time),
                             .cls = cls,
                             .label = flag_label(record, page.names)});
    }
    RAFT_ASSERT(flags.size() <= page.last - page.first);
    return flags;
}

// Greedy rows from `first_row` on: each label of the chosen kind (steps or
// faults) goes into the first row where it does not overlap the previous
// one; a label near the right edge is set to the left of its line. Returns
// the number of rows used.
[[nodiscard]] int place_rows(std::vector<Flag>& flags, int width, bool steps, int first_row,
                             std::size_t max_rows) {
    std::vector<int> row_end;
    for (Flag& flag : flags) {
        if ((flag.cls == "f-step") != steps) {
            continue;
        }
        const int wide = text_width(flag.label) + 4;
        flag.right_aligned = flag.x + 3 + wide > width;
        const int start = flag.right_aligned ? flag.x - 3 - wide : flag.x + 3;
        for (std::size_t row = 0; row < row_end.size() && flag.row < 0; ++row) {
            if (row_end[row] + 6 <= start) {
                flag.row = first_row + static_cast<int>(row);
            }
        }
        if (flag.row < 0 && row_end.size() < max_rows) {
            flag.row = first_row + static_cast<int>(row_end.size());
            row_end.push_back(0);
        }
        if (flag.row >= 0) {
            row_end[static_cast<std::size_t>(flag.row - first_row)] = start + wide;
        }
    }
    RAFT_ASSERT(row_end.size() <= max_rows);
    return static_cast<int>(row_end.size());
}

// Faults take up to all but one row; scenario steps, which matter less,
// share the last row below them.
[[nodiscard]] int place_flags(std::vector<Flag>& flags, int width) {
    const int fault_rows = place_rows(flags, width, false, 0, max_flag_rows - 1);
    const int step_rows = place_rows(flags, width, true, fault_rows, 1);
    RAFT_ASSERT(step_rows <= 1);
    return fault_rows + step_rows;
}

// One stretch of a node's role and term, as the text timeline tracks it.
struct Band {
    core::NodeId node = 0;
    std::size_t record = 0;
    int x0 = 0;
    int x1 = 0;
    NodeView view;
};

[[nodiscard]] bool same_view(const NodeView& a, const NodeView& b) {
    return a.role == b.role && a.term == b.term && a.down == b.down;
}

// Views are followed from record 0, so the first band of the window shows
// where each node stood when it opens.
[[nodiscard]] std::vector<Band> role_bands(const Chart& chart) {
    std::vector<NodeView> views(chart.lanes.count + 1);
    for (std::size_t index = 0; index < chart.page.first; ++index) {
        const TraceRecord& record = chart.records[index];
        if (chart.lanes.has(record.node)) {
            update_view(views[record.node], record);
        }
    }
    std::vector<Band> open;
    for (core::NodeId id = 0; id <= chart.lanes.count; ++id) {
        open.push_back(Band{.node = id, .record = chart.page.first, .x0 = 0, .view = views[id]});
    }
    std::vector<Band> bands;
    for (std::size_t index = chart.page.first; index < chart.page.last; ++index) {
        const TraceRecord& record = chart.records[index];
        if (!chart.lanes.has(record.node)) {
            continue;
        }
        NodeView next = views[record.node];
        update_view(next, record);
        if (!same_view(next, views[record.node])) {
            Band& band = open[record.node];
            band.x1 = chart.x_of(index);
            bands.push_back(band);
            band = Band{.node = record.node, .record = index, .x0 = band.x1, .view = next};
        }
        views[record.node] = next;
    }
    for (core::NodeId id = 1; id <= chart.lanes.count; ++id) {
        open[id].x1 = chart.axis.width();
        bands.push_back(open[id]);
    }
    RAFT_ASSERT(bands.size() >= chart.lanes.count);
    return bands;
}

void draw_band(Chart& chart, Band band) {
    const int top = chart.lanes.lane_top(band.node) + 3;
    const int height = chart.lanes.height - 6;
    const std::string role(band.view.down ? "down" : core::to_string(band.view.role));
    const std::string text = view_text(band.view);
    if (band.x1 <= band.x0) {
        // A view that changed again within the same microsecond (a leader
        // crashed as it was elected) still gets a sliver, drawn over its
        // neighbours.
        band.x0 -= 2;
        band.x1 = band.x0 + 4;
    }
    auto out = std::back_inserter(chart.svg);
    fmt::format_to(
        out,
        "<g><title>{}: {} from {} (record #{})</title><rect class=\"b b-{}\" x=\"{}\" "
        "y=\"{}\" width=\"{}\" height=\"{}\"/>",
        escape(lane_name(chart.page.names, band.node)), escape(text),
        seconds(band.record < chart.records.size() ? chart.records[band.record].time : 0),
        band.record, role, band.x0, top, band.x1 - band.x0, height);
    const int wide = static_cast<int>(text.size()) * 6 + 6;
    for (int x = band.x0 + 4; x + wide <= band.x1; x += band_label_every) {
        fmt::format_to(out, "<text class=\"bl{}\" x=\"{}\" y=\"{}\">{}</text>",
                       band.view.down ? " down" : "", x, top + 11, escape(text));
    }
    chart.svg += "</g>";
    RAFT_ASSERT(band.node >= 1);
}

void draw_lanes(Chart& chart) {
    for (core::NodeId id = 1; id <= chart.lanes.count; ++id) {
        fmt::format_to(std::back_inserter(chart.svg),
                       "<g class=\"lane\" data-node=\"{}\"><rect class=\"lane{}\" x=\"0\" y=\"{}\" "
                       "width=\"{}\" height=\"{}\"/></g>",
                       escape(lane_name(chart.page.names, id)), id % 2, chart.lanes.lane_top(id),
                       chart.axis.width(), chart.lanes.height);
    }
    const std::vector<Band> bands = role_bands(chart);
    for (const Band& band : bands) {
        if (band.x1 > band.x0) {
            draw_band(chart, band);
        }
    }
    for (const Band& band : bands) {
        if (band.x1 <= band.x0) {
            draw_band(chart, band);
        }
    }
    // The spine each lane's arrows start and end on.
    for (core::NodeId id = 1; id <= chart.lanes.count; ++id) {
        fmt::format_to(std::back_inserter(chart.svg),
                       "<line class=\"spine\" x1=\"0\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\"/>",
                       chart.lanes.center(id), chart.axis.width());
    }
    RAFT_ASSERT(chart.lanes.count == 0 || chart.lanes.height > 0);
}

void draw_ruler(Chart& chart) {
    const int base = chart.ruler_top() + ruler_height - 6;
    auto out = std::back_inserter(chart.svg);
    fmt::format_to(out, "<line class=\"axis\" x1=\"0\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\"/>", base,
                   chart.axis.width());
    for (const Tick& tick : ruler_ticks(chart.axis)) {
        fmt::format_to(out,
                       "<line class=\"grid\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>"
                       "<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{3}\"/>"
                       "<text class=\"tick mono{4}\" x=\"{5}\" y=\"{6}\">{7}</text>",
                       tick.x, base, chart.lanes.bottom(), base - 5, tick.exact ? " exact" : "",
                       tick.x + 2, base - 4, escape(tick.label));
    }
    RAFT_ASSERT(base < chart.lanes.top || chart.lanes.count == 0);
}

// A partition's members get a square on their lane; a cut or restore a
// thick stroke between the two lanes of its link.
void draw_flag_extras(Chart& chart, const Flag& flag) {
    const TraceRecord& record = chart.records[flag.record];
    auto out = std::back_inserter(chart.svg);
    if (record.kind == TraceKind::partition) {
        for (core::NodeId id = 1; id <= chart.lanes.count && id <= 64; ++id) {
            if (((record.b >> (id - 1)) & 1U) != 0) {
                fmt::format_to(out, "<rect x=\"{}\" y=\"{}\" width=\"8\" height=\"8\"/>",
                               flag.x - 4, chart.lanes.center(id) - 4);
            }
        }
    }
    if (record.kind == TraceKind::cut && chart.lanes.has(record.node) &&
        chart.lanes.has(record.peer)) {
        fmt::format_to(out, "<line class=\"link\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>",
                       flag.x, chart.lanes.center(record.node), chart.lanes.center(record.peer));
    }
    RAFT_MAYBE(record.kind == TraceKind::cut);
}

void draw_flags(Chart& chart) {
    for (const Flag& flag : chart.flags) {
        const int label_y = chart.flags_top() + (flag.row + 1) * flag_row_height - 3;
        const int line_top = flag.row >= 0 ? label_y - 10 : chart.ruler_top();
        fmt::format_to(std::back_inserter(chart.svg),
                       "<g class=\"flag {0}\"><title>{1}</title>"
                       "<line x1=\"{2}\" y1=\"{3}\" x2=\"{2}\" y2=\"{4}\"/>",
                       flag.cls, record_title(chart, flag.record), flag.x, line_top,
                       chart.lanes.bottom());
        draw_flag_extras(chart, flag);
        if (flag.row >= 0) {
            fmt::format_to(std::back_inserter(chart.svg),
                           "<text class=\"mono\" x=\"{}\" y=\"{}\"{}>{}</text>",
                           flag.right_aligned ? flag.x - 3 : flag.x + 3, label_y,
                           flag.right_aligned ? " text-anchor=\"end\"" : "", escape(flag.label));
        }
        chart.svg += "</g>";
    }
    RAFT_ASSERT(chart.flag_rows <= max_flag_rows);
}

[[nodiscard]] std::string arrow_title(const Chart& chart, const MessageArrow& arrow) {
    std::string title = record_title(chart, arrow.sent);
    if (arrow.ended.has_value()) {
        const TimeUs latency = chart.records[*arrow.ended].time - chart.records[arrow.sent].time;
        title += fmt::format("\n{} (after {} us)", record_title(chart, *arrow.ended), latency);
    } else if (!arrow.dropped) {
        title += "\n(still in flight when the records end)";
    }
    RAFT_ASSERT(!arrow.ended.has_value() || *arrow.ended > arrow.sent);
    return title;
}

// A dropped message: a dashed red line ending in an X -- most of the way to
// the recipient at the drop's time if it was lost in flight, a short stub
// if it was dropped as it was sent.
void draw_drop(Chart& chart, const MessageArrow& arrow, int x1, int y1) {
    const int y_to = chart.lanes.center(arrow.to);
    int x2 = x1 + 10;
    int y2 = y1 + (y_to - y1) * 3 / 10;
    if (arrow.ended.has_value()) {
        x2 = chart.x_of(*arrow.ended);
        y2 = y1 + (y_to - y1) * 8 / 10;
    }
    fmt::format_to(std::back_inserter(chart.svg),
                   "<g class=\"dr\"><title>{}</title><line x1=\"{}\" y1=\"{}\" x2=\"{}\" "
                   "y2=\"{}\"/><path d=\"M{},{}l8,8m-8,0l8,-8\"/></g>",
                   arrow_title(chart, arrow), x1, y1, x2, y2, x2 - 4, y2 - 4);
    RAFT_ASSERT(x2 >= x1);
}

// Draws one message; false if none of it falls in the window.
bool draw_arrow(Chart& chart, const MessageArrow& arrow) {
    const std::size_t end = arrow.ended.value_or(arrow.sent);
    if (end < chart.page.first || !chart.lanes.has(arrow.from) || !chart.lanes.has(arrow.to)) {
        return false;
    }
    // A message sent before the window comes in from its left edge.
    const int x1 = arrow.sent >= chart.page.first ? chart.x_of(arrow.sent) : 0;
    const int y1 = chart.lanes.center(arrow.from);
    if (arrow.dropped) {
        draw_drop(chart, arrow, x1, y1);
        return true;
    }
    const TraceRecord& sent = chart.records[arrow.sent];
    const int y_to = chart.lanes.center(arrow.to);
    int x2 = chart.x_of(end);
    int y2 = y_to;
    if (!arrow.ended.has_value()) {
        x2 = x1 + 16;
        y2 = y1 + (y_to - y1) / 2;
    }
    const bool heartbeat = sent.sub == 0 && sent.b == 0;
    fmt::format_to(std::back_inserter(chart.svg),
                   "<line class=\"m m{}{}{}{}{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\">"
                   "<title>{}</title></line>",
                   std::min<std::size_t>(sent.sub, message_colours.size() - 1),
                   heartbeat ? " hb" : "", arrow.duplicate ? " dup" : "", arrow.replay ? " rp" : "",
                   arrow.ended.has_value() ? "" : " fly", x1, y1, x2, y2,
                   arrow_title(chart, arrow));
    RAFT_ASSERT(x2 >= x1);
    return true;
}

[[nodiscard]] std::size_t draw_arrows(Chart& chart) {
    std::size_t drawn = 0;
    for (const MessageArrow& arrow : match_messages(chart.records, chart.page.last)) {
        drawn += draw_arrow(chart, arrow) ? 1 : 0;
    }
    RAFT_ASSERT(drawn <= chart.page.last);
    return drawn;
}

enum class Shape { cross, ring, square, triangle, diamond, tick_low, tick_high };

struct MarkerStyle {
    std::string_view cls;
    Shape shape = Shape::diamond;
};

// How a record about one node is marked on its lane; cls empty for
// records left unmarked (sends and deliveries are arrows, persists and
// ticks would only add noise).
[[nodiscard]] MarkerStyle marker_style(TraceKind kind) {
    switch (kind) {
        case TraceKind::crash:
        case TraceKind::wipe:
            return {"crash", Shape::cross};
        case TraceKind::restart:
            return {"restart", Shape::ring};
        case TraceKind::clock_drift:
            return {"drift", Shape::square};
        case TraceKind::reject:
            return {"reject", Shape::triangle};
        case TraceKind::propose:
            return {"propose", Shape::tick_low};
        case TraceKind::apply:
            return {"apply", Shape::tick_low};
        case TraceKind::role_change:
            return {"role", Shape::tick_high};
        case TraceKind::snapshot:
        case TraceKind::membership:
        case TraceKind::transfer:
        case TraceKind::node_created:
            return {"info", Shape::diamond};
        default:
            return {"", Shape::diamond};
    }
}

// The few markers worth a word on the lane; the rest explain themselves in
// their tooltips.
[[nodiscard]] std::string marker_label(const TraceRecord& record) {
    switch (record.kind) {
        case TraceKind::crash:
            // A torn crash: how many of its unsynced writes survived.
            return record.a == static_cast<std::uint64_t>(sim::UnsyncedWrites::torn)
                       ? fmt::format("CRASH torn {}/{}", record.b, record.c)
                       : "CRASH";
        case TraceKind::wipe:
            return record.a != 0 ? "WIPED" : "WIPED (unsanctioned)";
        case TraceKind::restart:
            return "RESTART";
        case TraceKind::clock_drift:
            return fmt::format("drift {:+}ppm", static_cast<std::int64_t>(record.a));
        case TraceKind::snapshot:
        case TraceKind::membership:
        case TraceKind::transfer:
            return std::string(sim::to_string(record.kind));
        case TraceKind::node_created:
            return "created";
        default:
            return "";
    }
}

[[nodiscard]] std::string shape_path(Shape shape, int x, int y, int half_lane) {
    switch (shape) {
        case Shape::cross:
            return fmt::format("<path d=\"M{},{}l12,12m-12,0l12,-12\"/>", x - 6, y - 6);
        case Shape::ring:
            return fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"5\"/>", x, y);
        case Shape::square:
            return fmt::format("<rect x=\"{}\" y=\"{}\" width=\"8\" height=\"8\"/>", x - 4, y - 4);
        case Shape::triangle:
            return fmt::format("<path d=\"M{},{}l4,8h-8z\"/>", x, y + 2);
        case Shape::diamond:
            return fmt::format("<path d=\"M{},{}l5,5l-5,5l-5,-5z\"/>", x, y - 5);
        case Shape::tick_low:
            return fmt::format("<path d=\"M{},{}v-7\"/>", x, y + half_lane - 3);
        case Shape::tick_high:
            return fmt::format("<path d=\"M{},{}v7\"/>", x, y - half_lane + 3);
    }
    return "";
}

void draw_markers(Chart& chart) {
    for (std::size_t index = chart.page.first; index < chart.page.last; ++index) {
        const TraceRecord& record = chart.records[index];
        const MarkerStyle style = marker_style(record.kind);
        if (style.cls.empty() || !chart.lanes.has(record.node)) {
            continue;
        }
        const int x = chart.x_of(index);
        const int y = chart.lanes.center(record.node);
        const std::string label = marker_label(record);
        auto out = std::back_inserter(chart.svg);
        fmt::format_to(out, "<g class=\"k {}\"><title>{}</title>{}", style.cls,
                       record_title(chart, index),
                       shape_path(style.shape, x, y, chart.lanes.height / 2));
        if (!label.empty()) {
            fmt::format_to(out, "<text x=\"{}\" y=\"{}\">{}</text>", x + 8, y - 7, escape(label));
        }
        chart.svg += "</g>";
    }
    RAFT_ASSERT(chart.page.last <= chart.records.size());
}

// The violation's x: its record if the window holds one, else its time.
[[nodiscard]] std::optional<int> violation_x(const Chart& chart) {
    const std::optional<std::size_t> record = violation_record(chart.records);
    if (record.has_value() && *record >= chart.page.first && *record < chart.page.last) {
        return chart.x_of(*record);
    }
    if (chart.page.violation.has_value()) {
        return chart.axis.x(chart.page.violation->time);
    }
    return std::nullopt;
}

[[nodiscard]] std::string violation_summary(const HtmlPage& page) {
    if (page.violation.has_value()) {
        return fmt::format("VIOLATION {}/{} at {}", sim::to_string(page.violation->checker),
                           page.violation->kind, seconds(page.violation->time));
    }
    return "VIOLATION";
}

void draw_violation(Chart& chart, int x) {
    const std::string text = violation_summary(chart.page);
    const int wide = static_cast<int>(text.size()) * 8 + 12;
    const int left = x + wide > chart.axis.width() ? x - wide : x;
    auto out = std::back_inserter(chart.svg);
    fmt::format_to(out,
                   "<g class=\"vio\"><title>{0}</title>"
                   "<line class=\"glow\" x1=\"{2}\" y1=\"0\" x2=\"{2}\" y2=\"{3}\"/>"
                   "<line x1=\"{2}\" y1=\"0\" x2=\"{2}\" y2=\"{3}\"/>"
                   "<rect x=\"{4}\" y=\"2\" width=\"{5}\" height=\"19\" rx=\"3\"/>"
                   "<text x=\"{6}\" y=\"16\">{1}</text>",
                   escape(chart.page.violation ? chart.page.violation->detail : text), escape(text),
                   x, chart.lanes.bottom(), left, wide, left + 6);
    const core::NodeId node = chart.page.violation ? chart.page.violation->node : 0;
    if (chart.lanes.has(node)) {
        fmt::format_to(out, "<circle cx=\"{}\" cy=\"{}\" r=\"11\"/>", x, chart.lanes.center(node));
    }
    chart.svg += "</g>";
    RAFT_ASSERT(left >= 0 || x < wide);
}

[[nodiscard]] std::string message_styles() {
    std::string css;
    for (std::size_t sub = 0; sub < message_colours.size(); ++sub) {
        css += fmt::format(".m{0} {{ stroke: {1}; marker-end: url(#a{0}); }}\n", sub,
                           message_colours[sub]);
    }
    RAFT_ASSERT(!css.empty());
    return css;
}

[[nodiscard]] std::string arrow_heads() {
    std::string defs = "<defs>";
    defs += html_assets::down_pattern;
    for (std::size_t sub = 0; sub < message_colours.size(); ++sub) {
        // Requests (even types) get a larger head than their responses.
        const int size = sub % 2 == 0 ? 8 : 7;
        defs += fmt::format(
            "<marker id=\"a{}\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\" markerWidth=\"{}\" "
            "markerHeight=\"{}\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">"
            "<path d=\"M0,0L8,4L0,8z\" fill=\"{}\"/></marker>",
            sub, size, size, message_colours[sub]);
    }
    defs += "</defs>";
    RAFT_ASSERT(defs.size() > 20);
    return defs;
}

[[nodiscard]] Chart make_chart(const HtmlPage& page) {
    Chart chart{.page = page,
                .records = *page.records,
                .axis = TimeAxis(window_times(page)),
                .flags = {},
                .flag_rows = 0,
                .lanes = {},
                .svg = {}};
    chart.flags = collect_flags(page, chart.axis);
    chart.flag_rows = place_flags(chart.flags, chart.axis.width());
    const std::size_t count = page.names.empty() ? 0 : page.names.size() - 1;
    chart.lanes =
        Lanes{.top = chart.ruler_top() + ruler_height,
              .height = std::clamp(lanes_height / std::max(1, static_cast<int>(count)), 36, 150),
              .count = count};
    RAFT_ASSERT(chart.lanes.top > 0);
    RAFT_ASSERT(chart.lanes.height >= 36);
    return chart;
}

// The chart proper: bands, flags, ruler, arrows, markers, violation, drawn
// back to front.
[[nodiscard]] std::string chart_svg(Chart& chart) {
    const std::optional<int> focus = violation_x(chart);
    draw_lanes(chart);
    draw_flags(chart);
    draw_ruler(chart);
    const std::size_t arrows = draw_arrows(chart);
    draw_markers(chart);
    if (focus.has_value()) {
        draw_violation(chart, *focus);
    }
    RAFT_ASSERT(chart.axis.width() > 0);
    return fmt::format(
        "<svg class=\"chart\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
        "data-arrows=\"{2}\" data-focus-x=\"{3}\">{4}{5}</svg>",
        chart.axis.width(), chart.height(), arrows, focus.value_or(chart.axis.last_x()),
        arrow_heads(), chart.svg);
}

// The fixed column of lane names beside the scrolling chart.
[[nodiscard]] std::string labels_svg(const Chart& chart) {
    std::string svg =
        fmt::format("<svg class=\"labels\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\">",
                    label_width, chart.height());
    if (chart.flag_rows > 0) {
        svg += fmt::format("<text class=\"caption\" x=\"8\" y=\"{}\">faults, steps</text>",
                           chart.flags_top() + flag_row_height - 3);
    }
    svg += fmt::format("<text class=\"caption\" x=\"8\" y=\"{}\">time</text>",
                       chart.ruler_top() + ruler_height - 10);
    const core::NodeId bad = chart.page.violation ? chart.page.violation->node : 0;
    for (core::NodeId id = 1; id <= chart.lanes.count; ++id) {
        const std::string name = lane_name(chart.page.names, id);
        svg += fmt::format(
            "<text class=\"name{}\" x=\"8\" y=\"{}\">{}</text>"
            "<text class=\"caption\" x=\"8\" y=\"{}\">node {}</text>",
            id == bad ? " bad" : "", chart.lanes.center(id) - 2, escape(name),
            chart.lanes.center(id) + 12, id);
    }
    RAFT_ASSERT(chart.height() > 0);
    return svg + "</svg>";
}

[[nodiscard]] std::string header_html(const HtmlPage& page) {
    const TimeUs from = page.first < page.last ? (*page.records)[page.first].time : 0;
    const TimeUs to = page.first < page.last ? (*page.records)[page.last - 1].time : 0;
    RAFT_ASSERT(page.first <= page.last);
    return fmt::format(
        "<header><h1>raftsim &middot; {}</h1><div class=\"meta\">"
        "<span>replay: <code>{}</code></span>"
        "<span>fingerprint <code>{:016x}</code></span>"
        "<span>records {}&ndash;{} of {}</span>"
        "<span>simulated {} &ndash; {}</span></div></header>",
        escape(page.title), escape(page.replay_command), page.fingerprint, page.first,
        page.last == 0 ? 0 : page.last - 1, page.records->size(), seconds(from), seconds(to));
}

[[nodiscard]] std::string verdict_html(const HtmlPage& page) {
    if (!page.violation.has_value()) {
        return "<div class=\"verdict good\">No violation: the run passed.</div>";
    }
    const sim::Violation& violation = *page.violation;
    const std::string node =
        violation.node == 0 ? "" : " on " + escape(lane_name(page.names, violation.node));
    return fmt::format(
        "<div class=\"verdict bad\"><b>VIOLATION</b> checker <code>{}</code> kind "
        "<code>{}</code> at {}{}<div class=\"detail\">{}</div></div>",
        escape(sim::to_string(violation.checker)), escape(violation.kind), seconds(violation.time),
        node, escape(violation.detail));
}

}  // namespace

std::string render_html(const HtmlPage& page) {
    RAFT_ASSERT(page.records != nullptr);
    RAFT_ASSERT(page.first <= page.last && page.last <= page.records->size());
    Chart chart = make_chart(page);
    std::string html = fmt::format(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<meta name=\"generator\" content=\"raftsim replay --html\">\n"
        "<title>raftsim: {}</title>\n<style>{}{}</style></head>\n<body data-rendered=\"no\">\n",
        escape(page.title), html_assets::style, message_styles());
    html += header_html(page) + "\n" + verdict_html(page) + "\n";
    html += html_assets::legend;
    html += "\n<div class=\"diagram\">" + labels_svg(chart) + "<div class=\"scroll\">";
    html += chart_svg(chart);
    html += "</div></div>\n";
    html += render_client_lanes({.history = page.operations, .verdict = page.linearizability});
    html +=
        "<div id=\"info\">Hover an arrow, band, marker or operation to see what it "
        "records.</div>\n<script>";
    html += html_assets::script;
    html += "</script>\n</body></html>\n";
    return html;
}

}  // namespace raftsim::replay
