// fuzz_cluster: the input bytes decide a whole cluster run -- its size, Raft
// timings, network, and a schedule of partitions, cuts, crashes, restarts,
// membership changes, transfers, snapshots and faults aimed at single
// messages (fuzz/src/cluster_case.cpp). Every online checker runs, and the
// end-of-run VerifyLog / VerifyFSM; a violation aborts, so libFuzzer keeps
// the input. `raftsim replay --fuzz-input FILE` replays it as a timeline and
// writes it out as a scenario file.
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "raftsim/fuzz/cluster_case.hpp"
#include "raftsim/scenarios/interpret.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const raftsim::fuzz::ClusterCase decoded =
        raftsim::fuzz::decode_cluster_case(std::span<const std::uint8_t>(data, size));
    const raftsim::scenarios::RunResult result = raftsim::scenarios::run_scenario(
        decoded.scenario, {.seed = decoded.seed, .keep_trace = false});
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
