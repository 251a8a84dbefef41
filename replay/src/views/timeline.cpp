#include "views/timeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "raftsim/core/assert.hpp"
#include "views/messages.hpp"

namespace raftsim::replay {
namespace {

using sim::TraceKind;
using sim::TraceRecord;

std::string name_of(const NodeNames& names, core::NodeId id) {
    if (id < names.size() && !names[id].empty()) {
        return names[id];
    }
    return id == 0 ? "-" : fmt::format("#{}", id);
}

std::string_view message_type(const TraceRecord& record) {
    return core::to_string(static_cast<core::MessageType>(record.sub));
}

std::string message_details(const TraceRecord& record) {
    using core::MessageType;
    switch (static_cast<MessageType>(record.sub)) {
        case MessageType::append_entries:
            return fmt::format("prev={} n={} commit={}", record.a, record.b, record.c);
        case MessageType::append_entries_response:
            return record.b != 0 ? fmt::format("ok match={}", record.a)
                                 : fmt::format("REJECT hint={} prev={}", record.a, record.c);
        case MessageType::request_vote:
        case MessageType::request_pre_vote:
            return fmt::format("last={}/t{}{}", record.a, record.b,
                               record.c != 0 ? " transfer" : "");
        case MessageType::request_vote_response:
        case MessageType::request_pre_vote_response:
            return record.b != 0 ? "granted" : "refused";
        case MessageType::install_snapshot:
            return fmt::format("through={}/t{} commit={}", record.a, record.b, record.c);
        case MessageType::install_snapshot_response:
            return record.b != 0 ? fmt::format("ok match={}", record.a) : "REFUSED (stale term)";
        default:
            return "";
    }
}

// "## SLOW LINK a -> b +1.5ms..3ms (append_entries_response)", or the
// clearing of every slow link (node 0).
std::string describe_slow_link(const TraceRecord& record, const NodeNames& names) {
    if (record.node == 0) {
        return "## SLOW LINKS CLEARED";
    }
    const auto ms = [](std::uint64_t us) {
        return us % 1000 == 0 ? fmt::format("{}ms", us / 1000)
                              : fmt::format("{}.{:03}ms", us / 1000, us % 1000);
    };
    std::string types;
    for (std::uint8_t type = 0; type < core::message_type_count; ++type) {
        if (((record.c >> type) & 1U) != 0) {
            types += types.empty() ? " (" : ", ";
            types += core::to_string(static_cast<core::MessageType>(type));
        }
    }
    types += types.empty() ? "" : ")";
    return fmt::format("## SLOW LINK {} -> {} +{}..{}{}", name_of(names, record.node),
                       name_of(names, record.peer), ms(record.a), ms(record.b), types);
}

// A key-value client's operation (sim/kv/clients.hpp), as the server it
// went to saw it.
std::string describe_client(const TraceRecord& record) {
    switch (static_cast<sim::ClientEvent>(record.sub)) {
        case sim::ClientEvent::invoked:
            return record.c == 0 ? fmt::format("client  op {} on key {}", record.a, record.b)
                                 : fmt::format("client  op {} on key {} writes {}", record.a,
                                               record.b, record.c);
        case sim::ClientEvent::ok:
            switch (static_cast<sim::OpKind>(record.b)) {
                case sim::OpKind::get:
                    return record.c == 0
                               ? fmt::format("client  op {} ok: not found", record.a)
                               : fmt::format("client  op {} ok: read {}", record.a, record.c - 1);
                case sim::OpKind::compare_and_set:
                    return fmt::format("client  op {} ok: {}", record.a,
                                       record.c != 0 ? "swapped" : "not swapped");
                default:
                    return fmt::format("client  op {} ok", record.a);
            }
        case sim::ClientEvent::indeterminate:
            return fmt::format("client  op {} INDETERMINATE (timed out, leader lost or crashed)",
                               record.a);
        case sim::ClientEvent::refused:
            return fmt::format("client  refused: {}",
                               core::to_string(static_cast<core::ProposeError>(record.c)));
        case sim::ClientEvent::read_invoked:
            return fmt::format("client  op {} reads key {} by {}", record.a, record.b,
                               sim::to_string(static_cast<sim::ReadPath>(record.c)));
        case sim::ClientEvent::read_refused:
            return fmt::format("client  read refused: {}",
                               core::to_string(static_cast<core::ReadError>(record.c)));
    }
    return "client  ?";
}

std::string describe_membership(const TraceRecord& record, const NodeNames& names) {
    const std::string peer = name_of(names, record.peer);
    if (record.kind == TraceKind::transfer) {
        if (static_cast<sim::TransferEvent>(record.sub) == sim::TransferEvent::started) {
            return record.a == 0
                       ? fmt::format("## TRANSFER leadership to {}", peer)
                       : fmt::format("transfer to {} refused: {}", peer,
                                     core::to_string(static_cast<core::TransferError>(record.a)));
        }
        return fmt::format("## TRANSFER to {} {} (term {})", peer,
                           core::to_string(static_cast<core::TransferOutcome>(record.a)), record.b);
    }
    if (record.kind == TraceKind::node_created) {
        return "## NODE CREATED";
    }
    if (record.kind != TraceKind::membership) {
        return {};
    }
    const auto change = core::to_string(static_cast<core::ChangeKind>(record.sub));
    switch (static_cast<sim::MembershipEvent>(record.c)) {
        case sim::MembershipEvent::proposed:
            return record.a == 0
                       ? fmt::format("## {} {} appended at {}", change, peer, record.b)
                       : fmt::format("{} {} refused: {}", change, peer,
                                     core::to_string(static_cast<core::ChangeError>(record.a)));
        case sim::MembershipEvent::committed:
            return fmt::format("## {} {} committed at {}", change, peer, record.b);
        case sim::MembershipEvent::leadership_lost:
            return fmt::format("{} {}: leadership lost before commit", change, peer);
        case sim::MembershipEvent::members_changed:
            return fmt::format("## {} {} the members (configuration at {})", peer,
                               record.a != 0 ? "joins" : "leaves", record.b);
    }
    return {};
}

std::string describe(const TraceRecord& record, const NodeNames& names) {
    const std::string peer = name_of(names, record.peer);
    switch (record.kind) {
        case TraceKind::send:
            return fmt::format("send    {} -> {} t{} {}", message_type(record), peer, record.term,
                               message_details(record));
        case TraceKind::deliver:
            return fmt::format("recv    {} <- {} t{} {}", message_type(record), peer, record.term,
                               message_details(record));
        case TraceKind::duplicate:
            return fmt::format("dup     {} -> {}", message_type(record), peer);
        case TraceKind::replay:
            return fmt::format("REPLAY  {} -> {} t{}: a stale copy arrives again {}.{:06}s later",
                               message_type(record), peer, record.term, record.c / 1'000'000,
                               record.c % 1'000'000);
        case TraceKind::drop:
            return fmt::format("DROP    {} -> {} t{} ({})", message_type(record), peer, record.term,
                               sim::to_string(static_cast<sim::DropReason>(record.c)));
        case TraceKind::reject:
            return fmt::format("REFUSE  {} <- {} t{}: {}", message_type(record), peer, record.term,
                               core::to_string(static_cast<core::RejectReason>(record.c)));
        case TraceKind::tick:
            return "tick";
        case TraceKind::role_change:
            return fmt::format("** {} -> {} (term {})",
                               core::to_string(static_cast<core::Role>(record.a)),
                               core::to_string(static_cast<core::Role>(record.sub)), record.term);
        case TraceKind::persist:
            return record.c == 0
                       ? fmt::format("persist term={} vote={}", record.term,
                                     name_of(names, record.a))
                       : fmt::format("persist term={} vote={} entries {}..{}", record.term,
                                     name_of(names, record.a), record.b, record.b + record.c - 1);
        case TraceKind::apply:
            return fmt::format("apply   {}..{} ({} command{})", record.a, record.b, record.c,
                               record.c == 1 ? "" : "s");
        case TraceKind::propose:
            return record.b == 0
                       ? fmt::format("propose #{} refused: {}", record.a,
                                     core::to_string(static_cast<core::ProposeError>(record.sub)))
                       : fmt::format("propose #{} at {}", record.a, record.b);
        case TraceKind::request_result:
            return fmt::format("result  #{} {} at {}", record.a,
                               sim::to_string(static_cast<sim::ClientOutcome>(record.sub)),
                               record.b);
        case TraceKind::snapshot:
            return fmt::format("{} snapshot through {} (term {})",
                               record.sub == 0 ? "took" : "INSTALLED", record.a, record.b);
        case TraceKind::client:
            return describe_client(record);
        case TraceKind::pause:
            return record.sub == 0
                       ? fmt::format("## PAUSED until {}.{:06}s", record.a / 1000000,
                                     record.a % 1000000)
                       : fmt::format("## RESUMED: {} missed ticks, {} held messages, {} wake-ups",
                                     record.a, record.b, record.c);
        default:
            return describe_membership(record, names);
    }
}

// a = sim::UnsyncedWrites; a torn crash says b units kept of c.
std::string describe_crash(const TraceRecord& record, const NodeNames& names) {
    const std::string node = name_of(names, record.node);
    switch (static_cast<sim::UnsyncedWrites>(record.a)) {
        case sim::UnsyncedWrites::kept:
            return fmt::format("## CRASH {}", node);
        case sim::UnsyncedWrites::lost:
            return fmt::format("## CRASH {} (losing unsynced writes)", node);
        case sim::UnsyncedWrites::torn:
            if (record.c == 0) {
                return fmt::format("## CRASH {} (torn: no unsynced writes)", node);
            }
            return fmt::format("## CRASH {} (torn: kept {} of {} unsynced write{})", node, record.b,
                               record.c, record.c == 1 ? "" : "s");
    }
    return fmt::format("## CRASH {} (unsynced writes: {}?)", node, record.a);
}

std::string describe_fault(const TraceRecord& record, const NodeNames& names) {
    switch (record.kind) {
        case TraceKind::partition: {
            std::string members;
            for (std::size_t id = 1; id <= 64; ++id) {
                if (((record.b >> (id - 1)) & 1U) == 0) {
                    continue;
                }
                if (!members.empty()) {
                    members += ',';
                }
                members += name_of(names, id);
            }
            return fmt::format("## PARTITION group {} = [{}]", record.a, members);
        }
        case TraceKind::heal:
            return fmt::format("## HEAL group {}", record.a);
        case TraceKind::heal_all:
            return "## HEAL ALL";
        case TraceKind::cut:
            return fmt::format("## {} {} -> {}", record.a != 0 ? "CUT" : "RESTORE",
                               name_of(names, record.node), name_of(names, record.peer));
        case TraceKind::crash:
            return describe_crash(record, names);
        case TraceKind::restart:
            return fmt::format("## RESTART {}", name_of(names, record.node));
        case TraceKind::wipe:
            return fmt::format("## WIPE {}'s disk ({})", name_of(names, record.node),
                               record.a != 0 ? "sanctioned: out of the configuration"
                                             : "UNSANCTIONED: still a member");
        case TraceKind::clock_drift:
            return fmt::format("## CLOCK DRIFT {} {} ppm", name_of(names, record.node),
                               static_cast<std::int64_t>(record.a));
        case TraceKind::network:
            return fmt::format("## NETWORK drop={}ppm dup={}ppm reorder={}ppm", record.a, record.b,
                               record.c);
        case TraceKind::slow_votes:
            return fmt::format("## SLOW VOTES ({})", record.a == 0 ? "send" : "recv");
        case TraceKind::slow_link:
            return describe_slow_link(record, names);
        case TraceKind::step:
            return fmt::format("-- step {}", record.a);
        case TraceKind::violation:
            return fmt::format("!! VIOLATION {}",
                               sim::to_string(static_cast<sim::Checker>(record.sub)));
        default:
            return describe(record, names);
    }
}

}  // namespace

void update_view(NodeView& view, const TraceRecord& record) {
    switch (record.kind) {
        case TraceKind::role_change:
            view.role = static_cast<core::Role>(record.sub);
            view.term = record.term;
            return;
        case TraceKind::persist:
            view.term = record.term;
            return;
        case TraceKind::crash:
            view.down = true;
            return;
        case TraceKind::restart:
            // A restarted node is a follower until it says otherwise.
            view.down = false;
            view.role = core::Role::follower;
            return;
        default:
            return;
    }
}

std::string view_text(const NodeView& view) {
    if (view.down) {
        return fmt::format("DOWN t{}", view.term);
    }
    return fmt::format("{} t{}", core::to_string(view.role), view.term);
}

std::string describe_record(const TraceRecord& record, const NodeNames& names) {
    std::string text = describe_fault(record, names);
    // A message without details (timeout_now) would end in a space.
    while (!text.empty() && text.back() == ' ') {
        text.pop_back();
    }
    return text;
}

NodeNames node_names(const sim::Simulation& simulation) {
    NodeNames names(1);
    for (core::NodeId id : simulation.ids()) {
        names.resize(id + 1);
        names[id] = simulation.name_of(id);
    }
    return names;
}

std::string render_timeline(const std::vector<TraceRecord>& records, const NodeNames& names,
                            std::size_t first, std::size_t last) {
    std::map<core::NodeId, NodeView> views;
    std::string out;
    for (std::size_t i = 0; i < records.size() && i < last; ++i) {
        const TraceRecord& record = records[i];
        NodeView& view = views[record.node];
        update_view(view, record);
        if (i < first) {
            continue;
        }
        const bool global = record.node == 0;
        out += fmt::format("{:>8}  {:>4}.{:06}s  {:<8} {:<13} {}\n", i, record.time / 1'000'000,
                           record.time % 1'000'000, global ? "" : name_of(names, record.node),
                           global ? "" : view_text(view), describe_record(record, names));
    }
    return out;
}

std::optional<std::size_t> violation_record(const std::vector<TraceRecord>& records) {
    for (std::size_t index = records.size(); index > 0; --index) {
        if (records[index - 1].kind == TraceKind::violation) {
            return index - 1;
        }
    }
    return std::nullopt;
}

TimelineWindow window_around(const std::vector<TraceRecord>& records, std::size_t count) {
    const std::optional<std::size_t> focus = violation_record(records);
    const std::size_t centre = focus.value_or(records.size());
    const std::size_t first = centre > count ? centre - count : 0;
    const std::size_t last = std::min(records.size(), centre + count + 1);
    RAFT_ASSERT(first <= last);
    return {.first = first, .last = last, .focus = focus};
}

TimelineWindow window_before(const std::vector<TraceRecord>& records, std::size_t count) {
    const std::optional<std::size_t> focus = violation_record(records);
    const std::size_t last = focus.has_value() ? *focus + 1 : records.size();
    const std::size_t first = last > count ? last - count : 0;
    RAFT_ASSERT(last <= records.size());
    return {.first = first, .last = last, .focus = focus};
}

TimelineWindow html_window(const std::vector<TraceRecord>& records) {
    return window_before(records, html_record_limit);
}

std::string render_window(const std::vector<TraceRecord>& records, const NodeNames& names,
                          const TimelineWindow& window) {
    RAFT_ASSERT(window.first <= window.last);
    RAFT_ASSERT(window.last <= records.size());
    std::string out = fmt::format("{:>10}  {:>12}  {:<8} {:<13} {}\n", "record", "time", "node",
                                  "role/term", "event");
    if (window.first > 0) {
        out += fmt::format("{:>10}  ({} earlier records)\n", "...", window.first);
    }
    const std::string lines = render_timeline(records, names, window.first, window.last);
    std::size_t start = 0;
    for (std::size_t index = window.first; index < window.last; ++index) {
        const std::size_t end = lines.find('\n', start);
        RAFT_ASSERT(end != std::string::npos);
        out += window.focus == index ? ">>" : "  ";
        out.append(lines, start, end - start + 1);
        start = end + 1;
    }
    if (window.last < records.size()) {
        out += fmt::format("{:>10}  ({} later records)\n", "...", records.size() - window.last);
    }
    return out;
}

std::string render_jsonl(const std::vector<TraceRecord>& records, const NodeNames& names,
                         std::size_t first, std::size_t last) {
    std::string out;
    last = std::min(last, records.size());
    for (std::size_t i = first; i < last; ++i) {
        const TraceRecord& record = records[i];
        out += fmt::format(R"({{"time_us":{},"kind":"{}","sub":{},"node":"{}","peer":"{}",)"
                           R"("term":{},"a":{},"b":{},"c":{},"text":"{}"}})",
                           record.time, sim::to_string(record.kind), record.sub,
                           name_of(names, record.node), name_of(names, record.peer), record.term,
                           record.a, record.b, record.c, describe_record(record, names));
        out += '\n';
    }
    return out;
}

std::string render_transport_log(const std::vector<TraceRecord>& records, const NodeNames& names,
                                 core::NodeId node, std::size_t first, std::size_t last) {
    std::string out;
    last = std::min(last, records.size());
    // The arrivals of stale replays' late copies, to say so at the receiver.
    std::map<std::size_t, std::size_t> replayed;
    for (const MessageArrow& arrow : match_messages(records, last)) {
        if (arrow.replay && arrow.ended.has_value()) {
            replayed.emplace(*arrow.ended, arrow.sent);
        }
    }
    for (std::size_t i = first; i < last; ++i) {
        const TraceRecord& record = records[i];
        const bool message = record.kind == TraceKind::send || record.kind == TraceKind::deliver ||
                             record.kind == TraceKind::drop || record.kind == TraceKind::replay;
        if (!message || record.node != node) {
            continue;
        }
        out += fmt::format("{}.{:06}s {}", record.time / 1'000'000, record.time % 1'000'000,
                           describe(record, names));
        if (const auto it = replayed.find(i); it != replayed.end()) {
            const sim::TimeUs sent = records[it->second].time;
            out += fmt::format(" (stale replay of the copy sent at {}.{:06}s)", sent / 1'000'000,
                               sent % 1'000'000);
        }
        out += '\n';
    }
    RAFT_ASSERT(replayed.size() <= last);
    return out;
}

}  // namespace raftsim::replay
