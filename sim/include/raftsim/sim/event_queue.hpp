#pragma once
// The simulator's agenda: events ordered by (time, sequence number). The
// sequence number makes the order total, so two events at the same
// microsecond always run in the order they were scheduled.

#include <cstdint>
#include <vector>

#include "raftsim/sim/time.hpp"

namespace raftsim::sim {

enum class EventKind : std::uint8_t {
    /// A node's logical clock ticks. `payload` is the node's incarnation.
    tick,
    /// A message arrives. `payload` is its slot in the message slab.
    deliver,
    /// A wake-up the node asked for (sut::Env::wake_after): `payload` is
    /// the incarnation in the high 32 bits and the node's token in the low.
    wake,
    /// The client workload wakes up. `payload`: the client's timer id.
    client,
    /// A paused node resumes. `payload` is the paused incarnation.
    resume,
};

struct Event {
    TimeUs time = 0;
    std::uint64_t sequence = 0;
    EventKind kind = EventKind::tick;
    std::uint32_t node = 0;
    std::uint64_t payload = 0;
};

class EventQueue {
  public:
    void push(TimeUs time, EventKind kind, std::uint32_t node, std::uint64_t payload);
    [[nodiscard]] bool empty() const noexcept { return heap_.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return heap_.size(); }
    /// The earliest event's time. Requires !empty().
    [[nodiscard]] TimeUs next_time() const noexcept;
    /// The earliest event, left in place. Requires !empty().
    [[nodiscard]] const Event& peek() const noexcept;
    /// Removes and returns the earliest event. Requires !empty().
    [[nodiscard]] Event pop();

  private:
    std::vector<Event> heap_;
    std::uint64_t next_sequence_ = 0;
};

}  // namespace raftsim::sim
