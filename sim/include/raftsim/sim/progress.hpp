#pragma once
// How far a run has got, published for a process that may die mid-run.
//
// A system under test written in C can crash its process. raftsim runs it in
// a worker (replay/src/workers/pool.hpp) whose parent survives; the parent
// can then say where the run died only if the run told it beforehand. The
// worker's RunProgress lives in a page shared with the parent, and the
// simulation stores its event count and time into it as each event starts.
// A run is the same with or without it: nothing reads it in the process
// that writes it.

#include <atomic>
#include <cstdint>

#include "raftsim/sim/time.hpp"

namespace raftsim::sim {

struct RunProgress {
    /// The events started so far: a crash happened in event `events` (or,
    /// for a crash in a scenario step, just after it). A run limited to
    /// `events - 1` events stops short of the crash.
    std::atomic<std::uint64_t> events{0};
    /// Simulated time of that event.
    std::atomic<TimeUs> time_us{0};

    void reset() noexcept {
        events.store(0, std::memory_order_relaxed);
        time_us.store(0, std::memory_order_relaxed);
    }
};

// Lock-free, so a plain store is all a crash can interrupt: the parent never
// sees a torn value.
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<TimeUs>::is_always_lock_free);

}  // namespace raftsim::sim
