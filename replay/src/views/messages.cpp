#include "views/messages.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <tuple>

#include "raftsim/core/assert.hpp"

namespace raftsim::replay {
namespace {

using sim::TraceKind;
using sim::TraceRecord;

// A message as the trace sees it, from its sender's side. `c` is left out:
// a drop record carries its reason there.
using LinkKey =
    std::tuple<core::NodeId, core::NodeId, std::uint8_t, core::Term, std::uint64_t, std::uint64_t>;

[[nodiscard]] LinkKey sender_key(const TraceRecord& record) {
    return {record.node, record.peer, record.sub, record.term, record.a, record.b};
}

// A `deliver` is recorded at the recipient: node and peer swap.
[[nodiscard]] LinkKey recipient_key(const TraceRecord& record) {
    return {record.peer, record.node, record.sub, record.term, record.a, record.b};
}

class Matcher {
  public:
    explicit Matcher(const std::vector<TraceRecord>& records) : records_(records) {}

    void add(std::size_t index) {
        const TraceRecord& record = records_[index];
        switch (record.kind) {
            case TraceKind::send:
                open(index, false, false);
                return;
            case TraceKind::duplicate:
                open(index, true, false);
                return;
            case TraceKind::replay:
                open(index, false, true);
                return;
            case TraceKind::deliver:
                close(recipient_key(record), index, false);
                return;
            case TraceKind::drop:
                drop(index);
                return;
            default:
                return;
        }
    }

    [[nodiscard]] std::vector<MessageArrow> take() { return std::move(arrows_); }

  private:
    void open(std::size_t index, bool duplicate, bool replay) {
        const TraceRecord& record = records_[index];
        pending_[sender_key(record)].push_back(arrows_.size());
        arrows_.push_back(MessageArrow{.sent = index,
                                       .ended = std::nullopt,
                                       .from = record.node,
                                       .to = record.peer,
                                       .dropped = false,
                                       .duplicate = duplicate,
                                       .replay = replay});
    }

    // Pairs with the oldest pending send; false if there is none.
    bool close(const LinkKey& key, std::size_t index, bool dropped) {
        const auto it = pending_.find(key);
        if (it == pending_.end()) {
            return false;
        }
        std::deque<std::size_t>& pending = it->second;
        const sim::TimeUs time = records_[index].time;
        const auto due = std::find_if(pending.begin(), pending.end(), [&](std::size_t arrow) {
            const TraceRecord& sent = records_[arrows_[arrow].sent];
            return !arrows_[arrow].replay || sent.time + sent.c <= time;
        });
        if (due == pending.end()) {
            return false;
        }
        MessageArrow& arrow = arrows_[*due];
        pending.erase(due);
        RAFT_ASSERT(!arrow.ended.has_value());
        RAFT_ASSERT(arrow.sent < index);
        arrow.ended = index;
        arrow.dropped = dropped;
        return true;
    }

    // A drop on arrival follows its send at a later time; a drop as it was
    // sent has no send record and is an arrow of its own.
    void drop(std::size_t index) {
        const TraceRecord& record = records_[index];
        const auto it = pending_.find(sender_key(record));
        const bool in_flight = it != pending_.end() && !it->second.empty() &&
                               records_[arrows_[it->second.front()].sent].time < record.time;
        if (in_flight && close(sender_key(record), index, true)) {
            return;
        }
        arrows_.push_back(MessageArrow{.sent = index,
                                       .ended = std::nullopt,
                                       .from = record.node,
                                       .to = record.peer,
                                       .dropped = true,
                                       .duplicate = false,
                                       .replay = false});
    }

    const std::vector<TraceRecord>& records_;
    std::vector<MessageArrow> arrows_;
    std::map<LinkKey, std::deque<std::size_t>> pending_;
};

}  // namespace

std::vector<MessageArrow> match_messages(const std::vector<TraceRecord>& records,
                                         std::size_t last) {
    RAFT_ASSERT(last <= records.size());
    Matcher matcher(records);
    for (std::size_t index = 0; index < last; ++index) {
        matcher.add(index);
    }
    std::vector<MessageArrow> arrows = matcher.take();
    RAFT_ASSERT(arrows.size() <= last);
    return arrows;
}

}  // namespace raftsim::replay
