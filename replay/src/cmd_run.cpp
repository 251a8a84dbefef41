// raftsim run: sweep scenarios over seeds; write an artifact per failure.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "artifact.hpp"
#include "commands.hpp"
#include "raftsim/scenarios/interpret.hpp"
#include "suite.hpp"

namespace raftsim::replay {
namespace {

struct ScenarioTally {
    std::uint64_t seeds = 0;
    std::uint64_t passed = 0;
    std::uint64_t simulated_us = 0;
    std::uint64_t events = 0;
    double wall_seconds = 0;
};

void print_header() {
    fmt::print("{:<24} {:>6} {:>7} {:>7} {:>12} {:>10} {:>12}\n", "scenario", "seeds", "passed",
               "failed", "sim time", "wall time", "events/s");
}

void print_row(const std::string& name, const ScenarioTally& tally) {
    const double rate = tally.wall_seconds > 0 ? tally.events / tally.wall_seconds : 0;
    fmt::print("{:<24} {:>6} {:>7} {:>7} {:>10.1f} s {:>8.2f} s {:>12.0f}\n", name, tally.seeds,
               tally.passed, tally.seeds - tally.passed, tally.simulated_us / 1e6,
               tally.wall_seconds, rate);
    std::fflush(stdout);
}

// Re-runs a failing seed with the full trace, checks it fails the same way
// (a different fingerprint would mean the harness is not deterministic), and
// writes the artifact.
void report_failure(const LoadedScenario& loaded, std::uint64_t seed,
                    const scenarios::RunResult& first, const std::string& out_dir) {
    const sim::Violation& violation = *first.violation;
    fmt::print("FAIL {} seed {}: {}/{} at {:.6f}s\n  {}\n", loaded.scenario.name, seed,
               sim::to_string(violation.checker), violation.kind, violation.time / 1e6,
               violation.detail);
    const scenarios::RunResult traced =
        scenarios::run_scenario(loaded.scenario, {.seed = seed, .keep_trace = true});
    if (traced.fingerprint != first.fingerprint) {
        fmt::print("  NON-DETERMINISM: the re-run's fingerprint {:016x} differs from {:016x}\n",
                   traced.fingerprint, first.fingerprint);
    }
    const std::string directory = fmt::format("{}/{}-seed{}", out_dir, loaded.scenario.name, seed);
    const std::string error = write_artifact(directory, loaded, seed, traced);
    if (!error.empty()) {
        fmt::print("  could not write the artifact: {}\n", error);
        return;
    }
    fmt::print("  artifact: {}\n  replay:   raftsim replay {}\n", directory, directory);
}

}  // namespace

int run_command(const RunCommand& command) {
    LoadResult loaded = load_scenarios(command.paths);
    if (loaded.error.has_value()) {
        fmt::print(stderr, "raftsim: {}\n", loaded.error->to_string());
        return exit_usage;
    }
    std::ofstream fingerprints;
    if (!command.fingerprints_path.empty()) {
        fingerprints.open(command.fingerprints_path);
        if (!fingerprints) {
            fmt::print(stderr, "raftsim: cannot write {}\n", command.fingerprints_path);
            return exit_usage;
        }
    }
    print_header();
    std::uint64_t position = 0;
    std::uint64_t failures = 0;
    for (const LoadedScenario& scenario : loaded.scenarios) {
        ScenarioTally tally;
        for (std::uint64_t seed = command.seed_first; seed <= command.seed_last; ++seed) {
            const bool mine = position % command.shard_count == command.shard_index - 1;
            position += 1;
            if (!mine) {
                continue;
            }
            const auto start = std::chrono::steady_clock::now();
            const scenarios::RunResult result =
                scenarios::run_scenario(scenario.scenario, {.seed = seed, .keep_trace = false});
            tally.wall_seconds +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            tally.seeds += 1;
            if (fingerprints.is_open()) {
                fingerprints << fmt::format("{} {} {:016x}\n", scenario.scenario.name, seed,
                                            result.fingerprint);
            }
            tally.simulated_us += result.simulated_us;
            tally.events += result.trace_records;
            if (result.passed) {
                tally.passed += 1;
                continue;
            }
            failures += 1;
            report_failure(scenario, seed, result, command.out_dir);
            if (command.fail_fast) {
                break;
            }
        }
        print_row(scenario.scenario.name, tally);
        if (command.fail_fast && failures > 0) {
            break;
        }
    }
    fmt::print("{}\n", failures == 0 ? "all passed" : fmt::format("{} failed", failures));
    return failures == 0 ? exit_passed : exit_failed;
}

}  // namespace raftsim::replay
