// fuzz_cluster: the input bytes decide a whole cluster run -- its size, Raft
// timings, network, and a schedule of partitions, cuts, crashes, restarts,
// membership changes, transfers, snapshots and faults aimed at single
// messages (fuzz/src/cluster_case.cpp). Every online checker runs, and the
// end-of-run VerifyLog / VerifyFSM; a violation aborts, so libFuzzer keeps
// the input. `raftsim replay --fuzz-input FILE` replays it as a timeline and
// writes it out as a scenario file.
//
// Protocol coverage (docs/fuzzing.md): the abstract Raft states the run
// reached (fuzz/include/raftsim/fuzz/protocol_coverage.hpp) are handed to
// libFuzzer as extra coverage counters, so an input that reaches a new
// protocol state is kept even if it runs no new code. RAFTSIM_PROTOCOL_COVERAGE=0
// in the environment turns them off (code coverage alone).
//
// The system under test: RAFTSIM_SUT=NAME in the environment (default
// raftsim; `raftsim run --list-suts`). The bytes decode to what that system
// can perform, as `raftsim replay --fuzz-input FILE --sut NAME` decodes
// them, so a crash file replays there.
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "raftsim/fuzz/cluster_case.hpp"
#include "raftsim/fuzz/protocol_coverage.hpp"
#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/sut/registry.hpp"

namespace {

// libFuzzer treats every byte of this section as a coverage counter (its
// "extra counters"); it zeroes them before each input. Outside a libFuzzer
// build (the standalone replay driver, gcc) it is an ordinary array.
#if defined(RAFTSIM_LIBFUZZER)
__attribute__((used, section("__libfuzzer_extra_counters")))
#endif
std::uint8_t protocol_counters[raftsim::fuzz::ProtocolCoverage::capacity];

// Read once: the switch is for comparing runs, not for flipping mid-run.
bool protocol_coverage_on() {
    static const bool on = [] {
        const char* value = std::getenv("RAFTSIM_PROTOCOL_COVERAGE");
        return value == nullptr || std::string_view(value) != "0";
    }();
    return on;
}

// Read once, like the coverage switch; an unknown name stops the fuzzer at
// once rather than fuzzing the wrong system.
const raftsim::sut::System& system_under_test() {
    static const raftsim::sut::System& system = []() -> const raftsim::sut::System& {
        const char* name = std::getenv("RAFTSIM_SUT");
        if (name == nullptr || *name == '\0') {
            return raftsim::sut::system_or_default(nullptr);
        }
        const raftsim::sut::System* found = raftsim::sut::find_system(name);
        if (found == nullptr) {
            fmt::print(stderr,
                       "fuzz_cluster: RAFTSIM_SUT={}: no such system (this build has: {})\n", name,
                       raftsim::sut::system_names());
            std::exit(2);
        }
        return *found;
    }();
    return system;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const raftsim::sut::System& system = system_under_test();
    const raftsim::fuzz::ClusterCase decoded =
        raftsim::fuzz::decode_cluster_case(std::span<const std::uint8_t>(data, size),
                                           raftsim::fuzz::fuzz_limits, system.capabilities());
    static raftsim::fuzz::ProtocolCoverage coverage;
    const bool counting = protocol_coverage_on();
    coverage.reset();
    const raftsim::scenarios::RunResult result = raftsim::scenarios::run_scenario(
        decoded.scenario, {.seed = decoded.seed,
                           .keep_trace = false,
                           .observer = counting ? &coverage : nullptr,
                           .system = &system});
    if (counting) {
        const std::span<const std::uint8_t> counts = coverage.counters();
        std::copy(counts.begin(), counts.end(), std::begin(protocol_counters));
    }
    // Free the run's node views now, not at the next input's reset: libFuzzer
    // runs an input a second time, and then a leak check, whenever it made
    // more allocations than it freed (-detect_leaks, on by default), and
    // views kept until the next input made that so for many inputs (25 of
    // the frozen corpus's 57 as libFuzzer loaded it).
    coverage.reset();
    if (result.passed) {
        return 0;
    }
    if (result.skipped) {
        // The decoder draws only what the system can perform: a skip is its bug.
        fmt::print(stderr, "fuzz_cluster: {} cannot run the decoded case: {}\n", system.name(),
                   result.skip_reason);
        std::abort();
    }
    const raftsim::sim::Violation& violation = *result.violation;
    fmt::print(stderr,
               "fuzz_cluster: {}/{} at {:.6f} s (seed {}, fingerprint {:016x})\n  {}\n"
               "  replay: raftsim replay --fuzz-input <this crash file> --sut {}\n",
               raftsim::sim::to_string(violation.checker), violation.kind,
               static_cast<double>(violation.time) / 1e6, decoded.seed, result.fingerprint,
               violation.detail, system.name());
    std::abort();
}
