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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const raftsim::fuzz::ClusterCase decoded =
        raftsim::fuzz::decode_cluster_case(std::span<const std::uint8_t>(data, size));
    static raftsim::fuzz::ProtocolCoverage coverage;
    const bool counting = protocol_coverage_on();
    coverage.reset();
    const raftsim::scenarios::RunResult result = raftsim::scenarios::run_scenario(
        decoded.scenario,
        {.seed = decoded.seed, .keep_trace = false, .observer = counting ? &coverage : nullptr});
    if (counting) {
        const std::span<const std::uint8_t> counts = coverage.counters();
        std::copy(counts.begin(), counts.end(), std::begin(protocol_counters));
    }
    if (result.passed) {
        return 0;
    }
    const raftsim::sim::Violation& violation = *result.violation;
    fmt::print(stderr,
               "fuzz_cluster: {}/{} at {:.6f} s (seed {}, fingerprint {:016x})\n  {}\n"
               "  replay: raftsim replay --fuzz-input <this crash file>\n",
               raftsim::sim::to_string(violation.checker), violation.kind,
               static_cast<double>(violation.time) / 1e6, decoded.seed, result.fingerprint,
               violation.detail);
    std::abort();
}
