#pragma once
// What the reports call a worker process that died mid-run (a crash of the
// system under test, usually a C library's SIGSEGV): its kind, and a detail
// that says where the run had got (the worker's progress page, pool.hpp).
// One wording for `run`, `shrink` and `replay`, so a shrink or a replay can
// match an artifact's record.

#include <cstdint>
#include <string>
#include <string_view>

#include "raftsim/sim/time.hpp"

namespace raftsim::replay {

/// "SIGSEGV", "signal 42", or for a worker that exited "exit 3".
[[nodiscard]] std::string death_kind(int signal, int exit_status);

/// "the worker process died (SIGSEGV) in event 1234, at 0.512000s simulated,
/// of seed 7: ...". `events` 0: the run had not started an event.
[[nodiscard]] std::string crash_detail(std::string_view kind, std::uint64_t seed,
                                       std::uint64_t events, sim::TimeUs time_us);

}  // namespace raftsim::replay
