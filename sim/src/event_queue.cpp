#include "raftsim/sim/event_queue.hpp"

#include <algorithm>

#include "raftsim/core/assert.hpp"

namespace raftsim::sim {
namespace {

// A 4-ary min-heap on (time, sequence): half the levels of a binary heap, and
// a node's four children share a cache line or two, so a pop touches fewer
// lines (EventQueue::pop was the top simulator entry in the profile). The
// order is total, so any correct heap pops the same sequence of events.
constexpr std::size_t arity = 4;

bool earlier(const Event& a, const Event& b) noexcept {
    if (a.time != b.time) {
        return a.time < b.time;
    }
    return a.sequence < b.sequence;
}

void sift_up(std::vector<Event>& heap, std::size_t at) {
    const Event moving = heap[at];
    while (at > 0) {
        const std::size_t parent = (at - 1) / arity;
        if (!earlier(moving, heap[parent])) {
            break;
        }
        heap[at] = heap[parent];
        at = parent;
    }
    heap[at] = moving;
}

void sift_down(std::vector<Event>& heap, std::size_t at) {
    const std::size_t size = heap.size();
    const Event moving = heap[at];
    while (true) {
        const std::size_t first = at * arity + 1;
        if (first >= size) {
            break;
        }
        std::size_t best = first;
        const std::size_t end = std::min(first + arity, size);
        for (std::size_t child = first + 1; child < end; ++child) {
            best = earlier(heap[child], heap[best]) ? child : best;
        }
        if (!earlier(heap[best], moving)) {
            break;
        }
        heap[at] = heap[best];
        at = best;
    }
    heap[at] = moving;
}

}  // namespace

void EventQueue::push(TimeUs time, EventKind kind, std::uint32_t node, std::uint64_t payload) {
    heap_.push_back(Event{
        .time = time, .sequence = next_sequence_, .kind = kind, .node = node, .payload = payload});
    next_sequence_ += 1;
    sift_up(heap_, heap_.size() - 1);
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
    const Event event = heap_.front();
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) {
        sift_down(heap_, 0);
        // The negative space: nothing left may come before what was popped.
        RAFT_ASSERT(!earlier(heap_.front(), event));
    }
    return event;
}

}  // namespace raftsim::sim
