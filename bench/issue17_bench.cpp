// Issue 17, benchmark 1, raftsim's side: raftsim's core under the simulator,
// every checker on, driven as bench/canonical_fixture_bench.cpp drives
// canonical's fixture -- one entry proposed at a time (the next once the
// last has its outcome), optionally the leader and one follower cut off
// for 1.5 s every 3 s (flipped between proposals, as the fixture bench
// does) -- on the cluster, timings and network a scenario file gives
// (bench/workloads/issue17_fault_free.json). Prints CPU seconds
// (getrusage), committed entries per CPU-second and simulator events. Not a
// test: it reads the CPU clock.
//
//   issue17_bench SCENARIO.json ENTRIES [partitioned]
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/parse.hpp"
#include "raftsim/sim/simulation.hpp"

namespace {

using raftsim::sim::TimeUs;
using raftsim::sim::us_per_ms;
using raftsim::sim::us_per_second;

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// The leader and the node after it (by id) cut off from the rest, or healed.
struct Flipper {
    bool cut = false;
    std::uint32_t group = 0;
    TimeUs next_us = 3 * us_per_second;

    void maybe_flip(raftsim::sim::Simulation& sim) {
        if (sim.now() < next_us) {
            return;
        }
        next_us += 1500 * us_per_ms;
        if (cut) {
            sim.heal(group);
            cut = false;
            return;
        }
        const raftsim::core::NodeId leader = sim.leader();
        if (leader == 0) {
            return;
        }
        const raftsim::core::NodeId other = leader % 5 + 1;
        group = sim.partition_off({leader, other});
        cut = true;
    }
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: issue17_bench SCENARIO.json ENTRIES [partitioned]\n");
        return 2;
    }
    std::ifstream in(argv[1]);
    std::ostringstream text;
    text << in.rdbuf();
    const raftsim::scenarios::ParseResult parsed =
        raftsim::scenarios::parse_scenario(text.str(), argv[1]);
    if (parsed.error.has_value()) {
        std::fprintf(stderr, "%s\n", parsed.error->to_string().c_str());
        return 2;
    }
    const std::uint64_t entries = std::strtoull(argv[2], nullptr, 10);
    const bool partitioned = argc > 3 && std::string(argv[3]) == "partitioned";
    const double start = cpu_seconds();
    raftsim::sim::SimOptions options =
        raftsim::scenarios::sim_options(*parsed.scenario, {.seed = 1});
    // 100,000 entries take more events, requests and simulated time than a
    // scenario's default limits allow.
    options.limits.events = 1'000'000'000;
    options.limits.simulated_time_us = 1'000'000 * us_per_second;
    options.limits.requests = 10 * entries + 1000;
    raftsim::sim::Simulation sim(std::move(options));
    Flipper flipper;
    std::uint64_t committed = 0;
    while (committed < entries && !sim.failed()) {
        if (partitioned) {
            flipper.maybe_flip(sim);
        }
        // With partitions, an apply gives up at the next flip, so the cuts
        // keep their schedule while a proposal waits.
        const TimeUs deadline = partitioned ? std::max(flipper.next_us, sim.now() + us_per_ms)
                                            : sim.now() + 10 * us_per_second;
        committed += sim.apply_n(1, deadline);
    }
    const double cpu = cpu_seconds() - start;
    std::printf(
        "raftsim core %s: %llu entries, %.3f CPU s, %.0f entries/CPU-s, %llu events (%.0f "
        "events/CPU-s), %.1f s simulated%s\n",
        partitioned ? "partitioned" : "fault-free", static_cast<unsigned long long>(committed), cpu,
        static_cast<double>(committed) / cpu, static_cast<unsigned long long>(sim.events()),
        static_cast<double>(sim.events()) / cpu, static_cast<double>(sim.now()) / 1e6,
        sim.failed() ? " FAILED" : "");
    return sim.failed() ? 1 : 0;
}
