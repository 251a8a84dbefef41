// raftsim bench: fixed workloads, reporting simulated events per second,
// seeds per second and peak memory. The figures in docs/performance.md come
// from here; it is a benchmark, never a pass/fail test.
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>

#include "commands/commands.hpp"
#include "input/suite.hpp"
#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/requirements.hpp"
#include "text/escape.hpp"

namespace raftsim::replay {
namespace {

[[nodiscard]] long peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

}  // namespace

int bench_command(const BenchCommand& command) {
    const sut::System& system = sut::system_or_default(command.system);
    LoadResult loaded = load_scenarios({"NoIssueSanity", "LeaderPartitions"});
    if (loaded.error.has_value()) {
        fmt::print(stderr, "raftsim: {}\n", terminal_safe(loaded.error->to_string()));
        return exit_usage;
    }
    fmt::print("{:<20} {:>6} {:>10} {:>12} {:>12} {:>12} {:>10} {:>12}\n", "workload", "seeds",
               "sim s/seed", "wall ms/seed", "events/s", "queue ev/s", "seeds/s", "peak RSS");
    bool all_passed = true;
    for (const LoadedScenario& scenario : loaded.scenarios) {
        if (const auto reason = scenarios::skip_reason(scenario.scenario, system)) {
            fmt::print("{:<20} skipped: {}\n", scenario.scenario.name, terminal_safe(*reason));
            continue;
        }
        std::uint64_t records = 0;
        std::uint64_t events = 0;
        std::uint64_t simulated_us = 0;
        const auto start = std::chrono::steady_clock::now();
        for (std::uint64_t seed = 1; seed <= command.seeds; ++seed) {
            const scenarios::RunResult result = scenarios::run_scenario(
                scenario.scenario, {.seed = seed, .keep_trace = false, .system = &system});
            all_passed = all_passed && result.passed;
            records += result.trace_records;
            events += result.events;
            simulated_us += result.simulated_us;
        }
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const auto seeds = static_cast<double>(command.seeds);
        fmt::print("{:<20} {:>6} {:>10.1f} {:>12.1f} {:>12.0f} {:>12.0f} {:>10.2f} {:>8} MiB\n",
                   scenario.scenario.name, command.seeds, simulated_us / 1e6 / seeds,
                   wall * 1e3 / seeds, records / wall, events / wall, seeds / wall,
                   peak_rss_kib() / 1024);
    }
    fmt::print(
        "events = trace records (every send, delivery, drop, persist, apply, role change, "
        "client request and fault); queue ev = simulator queue events (ticks, "
        "deliveries, syncs, client wake-ups). One thread, every checker on; system {}.\n",
        system.name());
    return all_passed ? exit_passed : exit_failed;
}

}  // namespace raftsim::replay
