// The clients' lanes of the HTML page (clients.hpp).
#include "views/clients.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <limits>
#include <optional>
#include <set>
#include <string_view>

#include "raftsim/core/assert.hpp"
#include "text/escape.hpp"
#include "views/html_assets.hpp"
#include "views/time_axis.hpp"

namespace raftsim::replay {
namespace {

using sim::LinearizabilityResult;
using sim::Operation;
using sim::OpKind;
using sim::OpStatus;
using sim::TimeUs;
using sim::Verdict;

// Vertical geometry of the history chart: the ruler, then a lane per
// client, each with its operations' boxes and, below them, the tails of
// indeterminate ones (a client's next operation may start under a tail).
constexpr int history_ruler_height = 28;
constexpr int client_lane_height = 30;
constexpr int op_box_top = 4;
constexpr int op_box_height = 18;
constexpr int op_tail_y = 26;
// A monospace character of the 10 px labels is at most this wide.
constexpr int op_char_width = 7;
// The most ids of the window the verdict's text lists before "..." (the
// partial linearization lists its last ones, as the violation's text does).
constexpr std::size_t ids_listed = 24;

[[nodiscard]] bool by_invocation(const Operation* a, const Operation* b) {
    return a->invoke_us != b->invoke_us ? a->invoke_us < b->invoke_us : a->id < b->id;
}

// How a get was served, for its tooltip.
[[nodiscard]] std::string_view read_path_text(sim::ReadPath path) {
    switch (path) {
        case sim::ReadPath::log:
            return "through the log: a command its server answers when it applies it";
        case sim::ReadPath::read_index:
            return "by ReadIndex: answered once a heartbeat round confirms the leadership";
        case sim::ReadPath::lease:
            return "by the leader's lease: answered without a round, within the lease";
    }
    return "?";
}

// "#12 client 3: put(k3, 17)", how a get was served, and the times, for the
// tooltip.
[[nodiscard]] std::string operation_title(const Operation& op, bool in_window) {
    std::string title =
        fmt::format("#{} client {}: {}\n", op.id, op.client, sim::describe_call(op));
    if (op.kind == OpKind::get) {
        title += fmt::format("{}\n", read_path_text(op.read_path));
    }
    title += fmt::format("invoked {}", seconds(op.invoke_us));
    if (op.status == OpStatus::ok) {
        title += fmt::format(", answered {} (after {} us)", seconds(op.complete_us),
                             op.complete_us - op.invoke_us);
    } else {
        title += fmt::format(
            ", no answer: the client gave up at {}; it may take effect at any point after its "
            "invocation, or never",
            seconds(op.complete_us));
    }
    return in_window ? title + "\nin the violating window" : title;
}

[[nodiscard]] std::string operation_ids(const std::vector<sim::OperationId>& ids) {
    std::string out;
    for (std::size_t i = 0; i < ids.size() && i < ids_listed; ++i) {
        out += fmt::format("{}#{}", i == 0 ? "" : " ", ids[i]);
    }
    return ids.size() > ids_listed ? out + " ..." : out;
}

// Every operation overlapping [from, to] of the window's span; those on its
// key if they are too many; the window alone if those are too.
void select_around_window(const std::vector<const Operation*>& all,
                          const LinearizabilityResult& verdict, ClientSelection& selection) {
    const std::set<sim::OperationId> window(verdict.window.begin(), verdict.window.end());
    TimeUs from = std::numeric_limits<TimeUs>::max();
    TimeUs to = 0;
    std::vector<const Operation*> in_window;
    for (const Operation* op : all) {
        if (window.contains(op->id)) {
            from = std::min(from, op->invoke_us);
            to = std::max(to, op->complete_us);
            in_window.push_back(op);
        }
    }
    // The window names operations of this very history.
    RAFT_ASSERT(in_window.size() == window.size());
    std::vector<const Operation*> overlapping;
    std::vector<const Operation*> on_key;
    for (const Operation* op : all) {
        if (op->invoke_us <= to && op->complete_us >= from) {
            overlapping.push_back(op);
            if (op->key == verdict.key) {
                on_key.push_back(op);
            }
        }
    }
    const std::string span = fmt::format("{} to {}", seconds(from), seconds(to));
    if (overlapping.size() <= client_operation_limit) {
        selection.shown = std::move(overlapping);
        selection.caption =
            fmt::format("the {} operations, of every key, that overlap the violating window ({})",
                        selection.shown.size(), span);
    } else if (on_key.size() <= client_operation_limit) {
        selection.caption = fmt::format(
            "the {} operations on key {} that overlap the violating window ({}; {} of every key "
            "do, too many to draw)",
            on_key.size(), verdict.key, span, overlapping.size());
        selection.shown = std::move(on_key);
    } else {
        in_window.resize(std::min(in_window.size(), client_operation_limit));
        selection.shown = std::move(in_window);
        selection.caption = fmt::format(
            "the violating window's operations alone ({}; {} operations overlap it, too many to "
            "draw)",
            span, overlapping.size());
    }
}

}  // namespace

ClientSelection select_client_operations(const ClientHistoryView& view) {
    std::vector<const Operation*> all;
    all.reserve(view.history.size());
    for (const Operation& op : view.history) {
        all.push_back(&op);
    }
    std::sort(all.begin(), all.end(), by_invocation);
    ClientSelection selection;
    const LinearizabilityResult* verdict = view.verdict;
    if (verdict != nullptr && verdict->verdict == Verdict::not_linearizable &&
        !verdict->window.empty()) {
        selection.window = verdict->window;
        select_around_window(all, *verdict, selection);
    } else if (all.size() <= client_operation_limit) {
        selection.shown = std::move(all);
        selection.caption = fmt::format("all {} operations", selection.shown.size());
    } else {
        selection.caption = fmt::format("the last {} of {} operations (by invocation)",
                                        client_operation_limit, all.size());
        selection.shown.assign(all.end() - client_operation_limit, all.end());
    }
    RAFT_ASSERT(selection.shown.size() <= client_operation_limit);
    RAFT_ASSERT(std::is_sorted(selection.shown.begin(), selection.shown.end(), by_invocation));
    return selection;
}

namespace {

// The chart's state while it is drawn.
struct HistoryChart {
    const ClientSelection& selection;
    std::set<sim::OperationId> window;
    /// The violating key, when there is a window.
    std::optional<sim::KvKey> key;
    TimeAxis axis;
    std::size_t lanes = 0;
    std::string svg;

    [[nodiscard]] int lane_top(sim::ClientId client) const {
        return history_ruler_height + static_cast<int>(client) * client_lane_height;
    }
    [[nodiscard]] int bottom() const { return lane_top(static_cast<sim::ClientId>(lanes)); }
    [[nodiscard]] int height() const { return bottom() + 8; }
};

[[nodiscard]] std::vector<TimeUs> operation_times(const ClientSelection& selection) {
    std::vector<TimeUs> times;
    for (const Operation* op : selection.shown) {
        times.push_back(op->invoke_us);
        times.push_back(op->complete_us);
    }
    if (times.empty()) {
        times.push_back(0);
    }
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    RAFT_ASSERT(!times.empty());
    return times;
}

// One lane per client of the whole history (clients are numbered from 0),
// so a client without an operation in the selection keeps its lane.
[[nodiscard]] std::size_t client_lanes(std::span<const Operation> history) {
    std::size_t lanes = 0;
    for (const Operation& op : history) {
        lanes = std::max<std::size_t>(lanes, std::size_t{op.client} + 1);
    }
    RAFT_ASSERT(lanes >= 1 || history.empty());
    return lanes;
}

void draw_history_ruler(HistoryChart& chart) {
    const int base = history_ruler_height - 8;
    auto out = std::back_inserter(chart.svg);
    for (sim::ClientId client = 0; client < chart.lanes; ++client) {
        fmt::format_to(out,
                       "<g class=\"client\" data-client=\"{}\"><rect class=\"lane{}\" x=\"0\" "
                       "y=\"{}\" width=\"{}\" height=\"{}\"/></g>",
                       client, client % 2, chart.lane_top(client), chart.axis.width(),
                       client_lane_height);
    }
    fmt::format_to(out, "<line class=\"axis\" x1=\"0\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\"/>", base,
                   chart.axis.width());
    for (const Tick& tick : ruler_ticks(chart.axis)) {
        fmt::format_to(out,
                       "<line class=\"grid\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>"
                       "<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{3}\"/>"
                       "<text class=\"tick mono{4}\" x=\"{5}\" y=\"{6}\">{7}</text>",
                       tick.x, base, chart.bottom(), base - 5, tick.exact ? " exact" : "",
                       tick.x + 2, base - 4, xml_escape(tick.label));
    }
    RAFT_ASSERT(base > 0);
}

// The label inside the box: the whole call if it fits, else its kind and
// key, else none (the tooltip has it all). A window's operation is always
// labelled, on a halo, even past its box.
[[nodiscard]] std::string box_label(const Operation& op, int width, bool in_window) {
    const std::string call = sim::describe_call(op);
    const auto fits = [width](const std::string& text) {
        return static_cast<int>(text.size()) * op_char_width + 6 <= width;
    };
    if (fits(call) || in_window) {
        return call;
    }
    const std::string_view kind = op.kind == OpKind::remove ? "del" : sim::to_string(op.kind);
    if (op.kind == OpKind::get) {
        const std::string with_path =
            fmt::format("{}[{}] k{}", kind, sim::to_string(op.read_path), op.key);
        if (fits(with_path)) {
            return with_path;
        }
    }
    const std::string short_form = fmt::format("{} k{}", kind, op.key);
    return fits(short_form) ? short_form : "";
}

// A get served without a log entry is filled apart (html_assets.hpp), so its
// path shows even where its box is too narrow for a label.
[[nodiscard]] std::string_view read_path_class(const Operation& op) {
    if (op.kind != OpKind::get) {
        return "";
    }
    switch (op.read_path) {
        case sim::ReadPath::log:
            return "";
        case sim::ReadPath::read_index:
            return " rd-index";
        case sim::ReadPath::lease:
            return " rd-lease";
    }
    return "";
}

void draw_operation(HistoryChart& chart, const Operation& op) {
    const bool in_window = chart.window.contains(op.id);
    const bool on_key = chart.key.has_value() && op.key == *chart.key;
    const bool answered = op.status == OpStatus::ok;
    const int x0 = chart.axis.x(op.invoke_us);
    const int x1 = std::max(chart.axis.x(op.complete_us), x0 + 3);
    const int top = chart.lane_top(op.client);
    auto out = std::back_inserter(chart.svg);
    fmt::format_to(out,
                   "<g class=\"op {}{}{}\" data-op=\"{}\"><title>{}</title>"
                   "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\"/>",
                   answered ? "ok" : "ind",
                   in_window ? " win"
                   : on_key  ? " key"
                             : "",
                   read_path_class(op), op.id, xml_escape(operation_title(op, in_window)), x0,
                   top + op_box_top, x1 - x0, op_box_height);
    if (!answered) {
        // Open-ended: it may still take effect after its client gave up.
        const int end = chart.axis.width() - 6;
        fmt::format_to(out, "<path class=\"tail\" d=\"M{0},{1}H{2}m-5,-3l5,3l-5,3\"/>", x1,
                       top + op_tail_y, std::max(end, x1 + 6));
    }
    const std::string label = box_label(op, x1 - x0, in_window);
    if (!label.empty()) {
        fmt::format_to(out, "<text x=\"{}\" y=\"{}\">{}</text>", x0 + 3,
                       top + op_box_top + op_box_height - 5, xml_escape(label));
    }
    chart.svg += "</g>";
    RAFT_ASSERT(x1 > x0);
}

// Where the page scrolls the chart to: the window's right end, or the end.
[[nodiscard]] int focus_x(const HistoryChart& chart) {
    int focus = chart.axis.last_x();
    if (!chart.window.empty()) {
        focus = chart.axis.first_x();
        for (const Operation* op : chart.selection.shown) {
            if (chart.window.contains(op->id)) {
                focus = std::max(focus, chart.axis.x(op->complete_us));
            }
        }
    }
    RAFT_ASSERT(focus >= 0);
    return focus;
}

[[nodiscard]] std::string history_svg(HistoryChart& chart) {
    draw_history_ruler(chart);
    for (const Operation* op : chart.selection.shown) {
        draw_operation(chart, *op);
    }
    RAFT_ASSERT(chart.lanes >= 1);
    return fmt::format(
        "<svg class=\"history\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
        "data-operations=\"{2}\" data-focus-x=\"{3}\">{4}</svg>",
        chart.axis.width(), chart.height(), chart.selection.shown.size(), focus_x(chart),
        chart.svg);
}

// The fixed column of client names beside the chart; a client with an
// operation in the window is named in red.
[[nodiscard]] std::string client_labels_svg(const HistoryChart& chart) {
    std::set<sim::ClientId> bad;
    for (const Operation* op : chart.selection.shown) {
        if (chart.window.contains(op->id)) {
            bad.insert(op->client);
        }
    }
    std::string svg = fmt::format(
        "<svg class=\"labels\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\">"
        "<text class=\"caption\" x=\"8\" y=\"{2}\">time</text>",
        label_width, chart.height(), history_ruler_height - 14);
    for (sim::ClientId client = 0; client < chart.lanes; ++client) {
        fmt::format_to(std::back_inserter(svg),
                       "<text class=\"name{}\" x=\"8\" y=\"{}\">client {}</text>",
                       bad.contains(client) ? " bad" : "",
                       chart.lane_top(client) + client_lane_height / 2 + 5, client);
    }
    RAFT_ASSERT(chart.height() > 0);
    return svg + "</svg>";
}

[[nodiscard]] std::string unknown_text(const LinearizabilityResult& result) {
    const sim::CheckStats& stats = result.stats;
    return fmt::format(
        "<b>UNKNOWN</b>: the check reached its cap on {} on key {} before it could decide; "
        "this is not a failure, and not a pass of the check either. {} operations on {} keys, "
        "{} search steps, memo at most {} bytes on a key.",
        sim::to_string(result.cap), result.key, stats.operations, stats.keys, stats.steps,
        stats.memo_bytes_peak);
}

// The verdict above the lanes, and the CSS class of its box.
[[nodiscard]] std::pair<std::string_view, std::string> verdict_text(
    const LinearizabilityResult* result) {
    if (result == nullptr) {
        return {"none",
                "Not checked: the linearizability check runs at the end of a run that nothing "
                "else failed or stopped."};
    }
    const sim::CheckStats& stats = result->stats;
    switch (result->verdict) {
        case Verdict::linearizable:
            return {"good", fmt::format("Linearizable: {} operations on {} keys ({} search steps).",
                                        stats.operations, stats.keys, stats.steps)};
        case Verdict::unknown:
            return {"unknown", unknown_text(*result)};
        case Verdict::refused:
            return {"bad",
                    fmt::format("<b>REFUSED</b>: operation #{} {}.", result->refused_operation,
                                xml_escape(sim::to_string(result->refusal)))};
        case Verdict::not_linearizable:
            break;
    }
    return {"bad",
            fmt::format("<b>NOT LINEARIZABLE</b> on key {}: no order of the window's {} "
                        "operations explains their results ({}; outlined in red: {}). The "
                        "longest partial linearization ({} operations): {}.",
                        result->key, result->window.size(),
                        result->window_minimal ? "removing any one of them leaves a history that "
                                                 "can be linearized"
                                               : "the search for a smaller window ran out",
                        operation_ids(result->window), result->partial_linearization.size(),
                        sim::describe_partial_linearization(result->partial_linearization))};
}

}  // namespace

std::string render_client_lanes(const ClientHistoryView& view) {
    if (view.history.empty()) {
        return "";
    }
    const ClientSelection selection = select_client_operations(view);
    HistoryChart chart{.selection = selection,
                       .window = {selection.window.begin(), selection.window.end()},
                       .key = std::nullopt,
                       .axis = TimeAxis(operation_times(selection)),
                       .lanes = client_lanes(view.history),
                       .svg = {}};
    if (!selection.window.empty()) {
        chart.key = view.verdict->key;
    }
    const auto [verdict_class, verdict] = verdict_text(view.verdict);
    std::string html = fmt::format(
        "<section class=\"clients\" data-clients=\"{}\" data-operations=\"{}\">"
        "<h2>Client history</h2>\n<div class=\"hist {}\">{}</div>\n",
        chart.lanes, view.history.size(), verdict_class, verdict);
    html += html_assets::client_legend;
    const bool reads_apart =
        std::any_of(selection.shown.begin(), selection.shown.end(),
                    [](const Operation* op) { return !read_path_class(*op).empty(); });
    html += reads_apart ? html_assets::client_read_legend : "";
    html += selection.window.empty() ? "" : html_assets::client_window_legend;
    html += "</div>";
    html +=
        fmt::format("\n<div class=\"shown\">Showing {}.</div>\n", xml_escape(selection.caption));
    html += "<div class=\"diagram\">" + client_labels_svg(chart) + "<div class=\"scroll\">";
    html += history_svg(chart);
    html += "</div></div></section>\n";
    RAFT_ASSERT(chart.lanes >= 1);
    return html;
}

}  // namespace raftsim::replay
