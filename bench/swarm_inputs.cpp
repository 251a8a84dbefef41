// Issue 17's frozen fuzz_cluster corpus, its swarm-sized part: for each
// swarm seed S, the 1,024 bytes `fuzz::swarm_scenario(S)` draws before it
// decodes them (fuzz/src/cluster_case.cpp), written as a file that
// fuzz_cluster reads. The bytes come from core's own Prng, drawn in the
// swarm's order, so the same seed always gives the same file. fuzz_cluster
// decodes them under its own limits (16 steps, every op kind), so the file
// is not the swarm's schedule: it is a deterministic, larger and more varied
// input than the hand-made seeds, which is what the frozen corpus wants it
// for (bench/frozen/README.md).
//
//   swarm_inputs OUT_DIR FIRST_SEED LAST_SEED
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "raftsim/core/prng.hpp"

namespace {

// The swarm's stream tag, as swarm_scenario derives it ("WARM").
constexpr std::uint64_t swarm_stream = 0x5741524dULL;
constexpr std::size_t swarm_bytes = 1024;

std::vector<std::uint8_t> swarm_input(std::uint64_t seed) {
    raftsim::core::Prng prng(raftsim::core::derive_seed(seed, swarm_stream));
    // The swarm's first draw picks the enabled op kinds; skip it so the bytes
    // are the ones the swarm decodes.
    static_cast<void>(prng.next_u64());
    std::vector<std::uint8_t> bytes(swarm_bytes);
    for (std::uint8_t& byte : bytes) {
        byte = static_cast<std::uint8_t>(prng.next_u64());
    }
    return bytes;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: swarm_inputs OUT_DIR FIRST_SEED LAST_SEED\n");
        return 2;
    }
    const std::string out = argv[1];
    const std::uint64_t first = std::strtoull(argv[2], nullptr, 10);
    const std::uint64_t last = std::strtoull(argv[3], nullptr, 10);
    for (std::uint64_t seed = first; seed <= last; ++seed) {
        const std::vector<std::uint8_t> bytes = swarm_input(seed);
        const std::string path = out + "/swarm-" + std::to_string(seed);
        std::FILE* file = std::fopen(path.c_str(), "wb");
        if (file == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size()) {
            std::fprintf(stderr, "swarm_inputs: cannot write %s\n", path.c_str());
            return 1;
        }
        std::fclose(file);
    }
    return 0;
}
