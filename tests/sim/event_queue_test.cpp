// The simulator's agenda: whatever the heap inside, events come out in
// (time, sequence) order -- earliest time first, and at one time in the order
// they were pushed. Every run's trace, and so every fingerprint, rests on it.
#include "raftsim/sim/event_queue.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "raftsim/core/prng.hpp"

namespace raftsim::sim {
namespace {

struct Pushed {
    TimeUs time = 0;
    std::uint64_t payload = 0;  // the push order
};

// Pops everything, checking each event against the order a stable sort of
// the pushes by time gives (a stable sort keeps push order among equal times).
void expect_sorted_order(EventQueue& queue, std::vector<Pushed> pushed) {
    std::stable_sort(pushed.begin(), pushed.end(),
                     [](const Pushed& a, const Pushed& b) { return a.time < b.time; });
    for (const Pushed& want : pushed) {
        REQUIRE_FALSE(queue.empty());
        REQUIRE(queue.next_time() == want.time);
        const Event event = queue.pop();
        REQUIRE(event.time == want.time);
        REQUIRE(event.payload == want.payload);
    }
    REQUIRE(queue.empty());
}

TEST_CASE("event queue: pops by time, and equal times in push order", "[event_queue]") {
    EventQueue queue;
    std::vector<Pushed> pushed;
    const std::vector<TimeUs> times = {50, 10, 50, 30, 10, 0, 70, 30, 30, 10, 90, 0, 50};
    for (const TimeUs time : times) {
        queue.push(time, EventKind::deliver, 1, pushed.size());
        pushed.push_back({time, pushed.size()});
    }
    REQUIRE(queue.size() == times.size());
    REQUIRE(queue.peek().time == 0);
    REQUIRE(queue.peek().payload == 5);  // the first of the two at time 0
    expect_sorted_order(queue, pushed);
}

TEST_CASE("event queue: interleaved pushes and pops keep the order, at every heap size",
          "[event_queue]") {
    core::Prng prng(17);
    for (int round = 0; round < 50; ++round) {
        EventQueue queue;
        std::vector<Pushed> pending;
        TimeUs now = 0;
        std::uint64_t next_payload = 0;
        // Never schedule into the past, as the simulator never does; few
        // distinct times, so many ties.
        for (int step = 0; step < 400; ++step) {
            if (prng.below(3) != 0 || queue.empty()) {
                const TimeUs time = now + prng.below(8);
                queue.push(time, EventKind::tick, 2, next_payload);
                pending.push_back({time, next_payload});
                next_payload += 1;
                continue;
            }
            std::stable_sort(pending.begin(), pending.end(),
                             [](const Pushed& a, const Pushed& b) { return a.time < b.time; });
            const Event event = queue.pop();
            REQUIRE(event.time == pending.front().time);
            REQUIRE(event.payload == pending.front().payload);
            REQUIRE(event.time >= now);
            now = event.time;
            pending.erase(pending.begin());
        }
        expect_sorted_order(queue, pending);
    }
}

}  // namespace
}  // namespace raftsim::sim
