#include "views/chrome_trace.hpp"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "raftsim/core/assert.hpp"
#include "views/messages.hpp"

namespace raftsim::replay {
namespace {

using nlohmann::json;
using sim::TraceKind;
using sim::TraceRecord;

constexpr int process_id = 1;
// Thread 0 is the cluster (records with node 0); thread N is node N.
constexpr core::NodeId cluster_thread = 0;

[[nodiscard]] std::string thread_name(const NodeNames& names, core::NodeId id) {
    if (id == cluster_thread) {
        return "cluster";
    }
    return id < names.size() && !names[id].empty() ? names[id] : fmt::format("#{}", id);
}

[[nodiscard]] json metadata(const NodeNames& names, const std::string& title,
                            const std::vector<core::NodeId>& threads) {
    json events = json::array();
    events.push_back({{"ph", "M"},
                      {"pid", process_id},
                      {"name", "process_name"},
                      {"args", {{"name", "raftsim " + title}}}});
    for (core::NodeId id : threads) {
        events.push_back({{"ph", "M"},
                          {"pid", process_id},
                          {"tid", id},
                          {"name", "thread_name"},
                          {"args", {{"name", thread_name(names, id)}}}});
        events.push_back({{"ph", "M"},
                          {"pid", process_id},
                          {"tid", id},
                          {"name", "thread_sort_index"},
                          {"args", {{"sort_index", id}}}});
    }
    return events;
}

// A node's role-and-term slices: a new slice whenever the text of its view
// changes, closed by the next one or the end of the records.
class RoleSlices {
  public:
    void observe(const TraceRecord& record, json& events) {
        NodeView& view = views_[record.node];
        update_view(view, record);
        const std::string text = view_text(view);
        auto [open, fresh] = open_.try_emplace(record.node, Open{record.time, text});
        if (!fresh && open->second.text != text) {
            close(record.node, open->second, record.time, events);
            open->second = Open{record.time, text};
        }
    }

    void finish(sim::TimeUs end, json& events) {
        for (const auto& [node, open] : open_) {
            close(node, open, end, events);
        }
    }

  private:
    struct Open {
        sim::TimeUs start = 0;
        std::string text;
    };

    static void close(core::NodeId node, const Open& open, sim::TimeUs end, json& events) {
        RAFT_ASSERT(end >= open.start);
        events.push_back({{"ph", "X"},
                          {"pid", process_id},
                          {"tid", node},
                          {"ts", open.start},
                          {"dur", end - open.start},
                          {"name", open.text},
                          {"cat", "role"}});
    }

    std::map<core::NodeId, NodeView> views_;
    std::map<core::NodeId, Open> open_;
};

[[nodiscard]] json instant(const TraceRecord& record, std::size_t index, const NodeNames& names) {
    const bool violation = record.kind == TraceKind::violation;
    return {{"ph", "i"},
            {"pid", process_id},
            {"tid", record.node},
            {"ts", record.time},
            {"s", violation ? "g" : "t"},
            {"name", violation ? "VIOLATION" : std::string(sim::to_string(record.kind))},
            {"cat", std::string(sim::to_string(record.kind))},
            {"args", {{"record", index}, {"text", describe_record(record, names)}}}};
}

// A flow arrow per delivered or in-flight-dropped message: "s" on the
// sender's thread, "f" on the recipient's.
void add_flows(const std::vector<TraceRecord>& records, json& events) {
    const std::vector<MessageArrow> arrows = match_messages(records, records.size());
    for (std::size_t id = 0; id < arrows.size(); ++id) {
        const MessageArrow& arrow = arrows[id];
        if (!arrow.ended.has_value()) {
            continue;
        }
        const TraceRecord& sent = records[arrow.sent];
        const TraceRecord& ended = records[*arrow.ended];
        const std::string name(core::to_string(static_cast<core::MessageType>(sent.sub)));
        const std::string category = arrow.dropped ? "message,dropped" : "message";
        events.push_back({{"ph", "s"},
                          {"pid", process_id},
                          {"tid", arrow.from},
                          {"ts", sent.time},
                          {"id", id},
                          {"name", name},
                          {"cat", category}});
        events.push_back({{"ph", "f"},
                          {"bp", "e"},
                          {"pid", process_id},
                          {"tid", arrow.dropped ? arrow.from : arrow.to},
                          {"ts", ended.time},
                          {"id", id},
                          {"name", name},
                          {"cat", category}});
    }
}

}  // namespace

std::string render_chrome_trace(const std::vector<TraceRecord>& records, const NodeNames& names,
                                const std::string& title) {
    std::vector<core::NodeId> threads{cluster_thread};
    for (core::NodeId id = 1; id < names.size(); ++id) {
        threads.push_back(id);
    }
    json events = metadata(names, title, threads);
    RoleSlices slices;
    for (std::size_t index = 0; index < records.size(); ++index) {
        const TraceRecord& record = records[index];
        if (record.node != cluster_thread) {
            slices.observe(record, events);
        }
        events.push_back(instant(record, index, names));
    }
    slices.finish(records.empty() ? 0 : records.back().time, events);
    add_flows(records, events);
    const json document = {{"traceEvents", std::move(events)},
                           {"displayTimeUnit", "ms"},
                           {"otherData", {{"generator", "raftsim"}, {"run", title}}}};
    return document.dump() + "\n";
}

}  // namespace raftsim::replay
