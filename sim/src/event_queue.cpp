#include "raftsim/sim/event_queue.hpp"

#include <algorithm>

#include "raftsim/core/assert.hpp"

namespace raftsim::sim {
namespace {

// std heap functions build a max-heap; "later" events compare greater-than,
// so the earliest (time, sequence) sits on top.
struct Later {
    bool operator()(const Event& a, const Event& b) const noexcept {
        if (a.time != b.time) {
            return a.time > b.time;
        }
        return a.sequence > b.sequence;
    }
};

}  // namespace

void EventQueue::push(TimeUs time, EventKind kind, std::uint32_t node, std::uint64_t payload) {
    heap_.push_back(Event{
        .time = time, .sequence = next_sequence_, .kind = kind, .node = node, .payload = payload});
    next_sequence_ += 1;
    std::push_heap(heap_.begin(), heap_.end(), Later{});
}

TimeUs EventQueue::next_time() const noexcept {
    RAFT_ASSERT(!heap_.empty());
    return heap_.front().time;
}

const Event& EventQueue::peek() const noexcept {
    RAFT_ASSERT(!heap_.empty());
    return heap_.front();
}

Event EventQueue::pop() {
    RAFT_ASSERT(!heap_.empty());
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    Event event = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) {
        RAFT_ASSERT(!Later{}(event, heap_.front()));
    }
    return event;
}

}  // namespace raftsim::sim
