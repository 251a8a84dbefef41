// Naming a worker's death (crash.hpp).
#include "workers/crash.hpp"

#include <fmt/format.h>

#include "raftsim/core/assert.hpp"
#include "workers/signals.hpp"

namespace raftsim::replay {

std::string death_kind(int signal, int exit_status) {
    if (signal == 0) {
        return fmt::format("exit {}", exit_status);
    }
    const std::string_view name = signal_name(signal);
    RAFT_ASSERT(!name.empty());
    return name == "signal" ? fmt::format("signal {}", signal) : std::string(name);
}

std::string crash_detail(std::string_view kind, std::uint64_t seed, std::uint64_t events,
                         sim::TimeUs time_us) {
    RAFT_ASSERT(!kind.empty());
    if (events == 0) {
        return fmt::format(
            "the worker process died ({}) before the first event of seed {}: nothing of the "
            "run survives but its scenario and seed",
            kind, seed);
    }
    // The run is deterministic: the same run stopped one event earlier is
    // whole, and is what `raftsim replay` shows of a crash.
    return fmt::format(
        "the worker process died ({}) in event {} at {:.6f}s simulated, of seed {}: the "
        "artifact keeps the scenario and seed, and `raftsim replay` shows the run up to the "
        "event before",
        kind, events, time_us / 1e6, seed);
}

}  // namespace raftsim::replay
