// raftsim run: sweep scenarios over seeds; write an artifact per failure.
// For CI it can also write JUnit XML and a JSON summary, draw a progress line
// at a terminal, run each seed twice to check the harness is deterministic,
// and sweep swarm scenarios; failures are grouped by signature at the end.
// docs/ci.md describes all of it.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "artifact/artifact.hpp"
#include "commands/commands.hpp"
#include "input/suite.hpp"
#include "raftsim/core/assert.hpp"
#include "raftsim/fuzz/cluster_case.hpp"
#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/write.hpp"
#include "report/dedup.hpp"
#include "report/progress.hpp"
#include "report/sweep_report.hpp"
#include "sweep/determinism.hpp"
#include "views/timeline.hpp"

namespace raftsim::replay {
namespace {

/// A table row: one loaded scenario, or (swarm, `fixed` null) each seed's own.
struct Row {
    std::string name;
    const LoadedScenario* fixed = nullptr;
};

/// The outputs a sweep writes as it goes, and what it has found so far.
struct Sweep {
    const RunCommand& command;
    SweepReport report;
    std::ofstream fingerprints;
    Progress progress;
    std::uint64_t runs_done = 0;
    std::uint64_t divergences = 0;
    /// Each (row, seed) pair's place in the whole sweep, for --shard.
    std::uint64_t position = 0;
};

/// A (scenario, seed) run, or in determinism mode both of its runs.
struct Outcome {
    scenarios::RunResult result{};
    std::optional<scenarios::RunResult> second{};
    std::optional<Divergence> divergence{};
};

void print_header() {
    fmt::print("{:<24} {:>6} {:>7} {:>7} {:>12} {:>10} {:>12}\n", "scenario", "seeds", "passed",
               "failed", "sim time", "wall time", "events/s");
}

void print_row(const RowReport& row) {
    const double rate = row.wall_seconds > 0 ? row.events / row.wall_seconds : 0;
    fmt::print("{:<24} {:>6} {:>7} {:>7} {:>10.1f} s {:>8.2f} s {:>12.0f}\n", row.name, row.seeds,
               row.passed, row.seeds - row.passed, row.simulated_us / 1e6, row.wall_seconds, rate);
    std::fflush(stdout);
}

// Without an artifact a failure is still replayable from its scenario --
// unless that is a swarm scenario, which only an artifact carries.
[[nodiscard]] std::string fallback_replay(const LoadedScenario& loaded, std::uint64_t seed) {
    const std::string& source = loaded.scenario.source_path;
    const bool file = !source.empty() && !source.starts_with("builtin:");
    return fmt::format("raftsim replay {} --seed {}",
                       shell_quote(file ? source : loaded.scenario.name), seed);
}

// Writes the artifact of a traced run and prints where it is and how to
// replay it; fills in the failure's artifact and replay command.
void write_and_print_artifact(const LoadedScenario& loaded, std::uint64_t seed,
                              const scenarios::RunResult& traced, const std::string& out_dir,
                              FailureRecord& failure) {
    RAFT_ASSERT(traced.simulation != nullptr);
    RAFT_ASSERT(traced.simulation->trace().keeps_records());
    const std::string directory = fmt::format("{}/{}-seed{}", out_dir, loaded.scenario.name, seed);
    const std::string error = write_artifact(directory, loaded, seed, traced);
    if (!error.empty()) {
        fmt::print("  could not write the artifact: {}\n", error);
        failure.replay = fallback_replay(loaded, seed);
        return;
    }
    failure.artifact = directory;
    failure.replay = replay_command_for(directory);
    fmt::print("  artifact: {}\n  replay:   {}\n", directory, failure.replay);
}

// Re-runs a failing seed with the full trace (unless this run kept it),
// checks it fails the same way (a different fingerprint would mean the
// harness is not deterministic), and writes the artifact.
[[nodiscard]] FailureRecord report_failure(const LoadedScenario& loaded, const std::string& row,
                                           std::uint64_t seed, const scenarios::RunResult& first,
                                           const std::string& out_dir) {
    RAFT_ASSERT(!first.passed);
    RAFT_ASSERT(first.violation.has_value());
    const sim::Violation& violation = *first.violation;
    fmt::print("FAIL {} seed {}: {}/{} at {:.6f}s\n  {}\n", loaded.scenario.name, seed,
               sim::to_string(violation.checker), violation.kind, violation.time / 1e6,
               violation.detail);
    FailureRecord failure{.scenario = loaded.scenario.name,
                          .row = row,
                          .seed = seed,
                          .checker = std::string(sim::to_string(violation.checker)),
                          .kind = violation.kind,
                          .detail = violation.detail,
                          .time_us = violation.time,
                          .fingerprint = first.fingerprint};
    const bool has_trace = first.simulation != nullptr && first.simulation->trace().keeps_records();
    if (has_trace) {
        write_and_print_artifact(loaded, seed, first, out_dir, failure);
        return failure;
    }
    const scenarios::RunResult traced =
        scenarios::run_scenario(loaded.scenario, {.seed = seed, .keep_trace = true});
    if (traced.fingerprint != first.fingerprint) {
        fmt::print("  NON-DETERMINISM: the re-run's fingerprint {:016x} differs from {:016x}\n",
                   traced.fingerprint, first.fingerprint);
    }
    write_and_print_artifact(loaded, seed, traced, out_dir, failure);
    return failure;
}

[[nodiscard]] std::string indented(const std::string& text, std::string_view indent) {
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        out += fmt::format("{}{}\n", indent, std::string_view(text).substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// Two runs of one (scenario, seed) disagreed. The artifact is the first
// run's, with the report and the second run's trace beside it.
[[nodiscard]] FailureRecord report_divergence(const LoadedScenario& loaded, const std::string& row,
                                              std::uint64_t seed, const Outcome& outcome,
                                              const std::string& out_dir) {
    RAFT_ASSERT(outcome.divergence.has_value());
    RAFT_ASSERT(outcome.second.has_value());
    const Divergence& divergence = *outcome.divergence;
    fmt::print("FAIL {} seed {}: determinism/{} at {:.6f}s\n{}", loaded.scenario.name, seed,
               divergence.kind, divergence.time_us / 1e6, indented(divergence.report, "  "));
    FailureRecord failure{.scenario = loaded.scenario.name,
                          .row = row,
                          .seed = seed,
                          .checker = "determinism",
                          .kind = divergence.kind,
                          .detail = divergence.report,
                          .time_us = divergence.time_us,
                          .fingerprint = outcome.result.fingerprint};
    write_and_print_artifact(loaded, seed, outcome.result, out_dir, failure);
    if (!failure.artifact.empty()) {
        const sim::Simulation& second = *outcome.second->simulation;
        std::ofstream(failure.artifact + "/divergence.txt", std::ios::binary) << divergence.report;
        std::ofstream(failure.artifact + "/trace-second-run.jsonl", std::ios::binary)
            << render_jsonl(second.trace().records(), node_names(second));
    }
    return failure;
}

[[nodiscard]] LoadedScenario swarm_loaded(std::uint64_t seed) {
    LoadedScenario loaded{.scenario = fuzz::swarm_scenario(seed), .text = ""};
    RAFT_ASSERT(!loaded.scenario.name.empty());
    if (loaded.scenario.source_path.empty()) {
        loaded.scenario.source_path = fmt::format("swarm:{}", seed);
    }
    // An artifact carries its scenario as text, and a swarm scenario has
    // none until it is written out.
    loaded.text = scenarios::scenario_to_json(loaded.scenario);
    RAFT_ASSERT(!loaded.text.empty());
    return loaded;
}

[[nodiscard]] Outcome run_outcome(const LoadedScenario& loaded, std::uint64_t seed,
                                  bool check_determinism) {
    const scenarios::RunOptions options{.seed = seed, .keep_trace = check_determinism};
    Outcome outcome{.result = scenarios::run_scenario(loaded.scenario, options)};
    if (check_determinism) {
        outcome.second = scenarios::run_scenario(loaded.scenario, options);
        outcome.divergence = compare_runs(outcome.result, *outcome.second);
    }
    return outcome;
}

// Runs one (scenario, seed) -- twice in determinism mode -- adds it to the
// row and reports it if it failed. Returns whether it passed.
[[nodiscard]] bool run_case(Sweep& sweep, const LoadedScenario& loaded, RowReport& row,
                            std::uint64_t seed) {
    const auto start = std::chrono::steady_clock::now();
    const Outcome outcome = run_outcome(loaded, seed, sweep.command.check_determinism);
    CaseReport run{
        .seed = seed,
        .wall_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
    row.wall_seconds += run.wall_seconds;
    row.seeds += 1;
    sweep.runs_done += 1;
    if (sweep.fingerprints.is_open()) {
        sweep.fingerprints << fmt::format("{} {} {:016x}\n", loaded.scenario.name, seed,
                                          outcome.result.fingerprint);
    }
    row.simulated_us += outcome.result.simulated_us;
    row.events += outcome.result.trace_records;
    const bool passed = outcome.result.passed && !outcome.divergence.has_value();
    if (!passed) {
        sweep.progress.clear();
        run.failure = sweep.report.failures.size();
        const std::string& out_dir = sweep.command.out_dir;
        sweep.divergences += outcome.divergence.has_value() ? 1 : 0;
        sweep.report.failures.push_back(
            outcome.divergence.has_value()
                ? report_divergence(loaded, row.name, seed, outcome, out_dir)
                : report_failure(loaded, row.name, seed, outcome.result, out_dir));
    }
    row.passed += passed ? 1 : 0;
    RAFT_ASSERT(run.failure.has_value() != passed);
    row.cases.push_back(run);
    RAFT_ASSERT(row.passed <= row.seeds);
    return passed;
}

// Runs the row's seeds that fall in this shard and prints its line of the
// table. Returns false when --fail-fast stops the sweep.
[[nodiscard]] bool run_row(Sweep& sweep, const Row& row) {
    const RunCommand& command = sweep.command;
    RAFT_ASSERT(command.shard_index >= 1);
    RAFT_ASSERT(command.shard_index <= command.shard_count);
    RowReport report{.name = row.name};
    bool stopped = false;
    // Counting up to seed_last inclusive, written so that a range ending at
    // the largest seed still ends.
    for (std::uint64_t seed = command.seed_first;; ++seed) {
        const bool mine = sweep.position % command.shard_count == command.shard_index - 1;
        sweep.position += 1;
        if (mine) {
            LoadedScenario swarm;
            const LoadedScenario& loaded =
                row.fixed != nullptr ? *row.fixed : (swarm = swarm_loaded(seed));
            sweep.progress.update(sweep.runs_done, sweep.report.failures.size(),
                                  loaded.scenario.name);
            stopped = !run_case(sweep, loaded, report, seed) && command.fail_fast;
        }
        if (stopped || seed == command.seed_last) {
            break;
        }
    }
    sweep.progress.clear();
    print_row(report);
    sweep.report.rows.push_back(std::move(report));
    return !stopped;
}

// How many runs this shard makes, for the progress line's ETA (saturating:
// a range of 2^64 seeds is never finished either way).
[[nodiscard]] std::uint64_t shard_runs(std::uint64_t rows, const RunCommand& command) {
    RAFT_ASSERT(command.seed_first <= command.seed_last);
    RAFT_ASSERT(command.shard_count >= 1);
    constexpr std::uint64_t most = ~std::uint64_t{0};
    const std::uint64_t span = command.seed_last - command.seed_first;
    if (span == most || (rows > 0 && span + 1 > most / rows)) {
        return most;
    }
    const std::uint64_t pairs = rows * (span + 1);
    const std::uint64_t index = command.shard_index - 1;
    return pairs / command.shard_count + (pairs % command.shard_count > index ? 1 : 0);
}

[[nodiscard]] std::string command_line(const RunCommand& command) {
    std::string out = "raftsim run";
    for (const std::string& path : command.paths) {
        // Two appends, not `" " + quoted`: g++ 12 at -O3 reports a false
        // -Wrestrict inside that operator+.
        out += ' ';
        out += shell_quote(path);
    }
    out += command.swarm ? " --swarm" : "";
    out += fmt::format(" --seeds {}..{}", command.seed_first, command.seed_last);
    if (command.shard_count > 1) {
        out += fmt::format(" --shard {}/{}", command.shard_index, command.shard_count);
    }
    out += command.check_determinism ? " --check-determinism" : "";
    out += command.fail_fast ? " --fail-fast" : "";
    out += " --out ";
    out += shell_quote(command.out_dir);
    return out;
}

[[nodiscard]] SweepReport new_report(const RunCommand& command) {
    return SweepReport{.command_line = command_line(command),
                       .mode = command.swarm ? "swarm" : "scenarios",
                       .check_determinism = command.check_determinism,
                       .seed_first = command.seed_first,
                       .seed_last = command.seed_last,
                       .shard_index = command.shard_index,
                       .shard_count = command.shard_count};
}

// Opens --fingerprints, and makes sure --junit and --json can be written
// before the sweep spends its time: a mistyped CI path fails at once.
[[nodiscard]] bool open_outputs(Sweep& sweep) {
    const RunCommand& command = sweep.command;
    if (!command.fingerprints_path.empty()) {
        sweep.fingerprints.open(command.fingerprints_path);
        if (!sweep.fingerprints) {
            fmt::print(stderr, "raftsim: cannot write {}\n", command.fingerprints_path);
            return false;
        }
    }
    for (const std::string* path : {&command.junit_path, &command.json_path}) {
        if (!path->empty() && !std::ofstream(*path)) {
            fmt::print(stderr, "raftsim: cannot write {}\n", *path);
            return false;
        }
    }
    return true;
}

[[nodiscard]] bool write_text_file(const std::string& path, const std::string& text) {
    if (path.empty()) {
        return true;
    }
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out) {
        fmt::print(stderr, "raftsim: cannot write {}\n", path);
        return false;
    }
    return true;
}

void print_summary(const Sweep& sweep) {
    const SweepReport& report = sweep.report;
    const std::uint64_t runs = report.runs();
    const std::size_t failures = report.failures.size();
    RAFT_ASSERT(failures <= runs);
    RAFT_ASSERT(sweep.divergences <= failures);
    if (sweep.command.check_determinism) {
        fmt::print("determinism: {} of {} runs matched their second run record for record{}\n",
                   runs - sweep.divergences, runs,
                   sweep.divergences == 0 ? "" : fmt::format(", {} diverged", sweep.divergences));
    }
    fmt::print("{}", render_groups(group_failures(report.failures)));
    fmt::print("{}\n", failures == 0 ? "all passed" : fmt::format("{} failed", failures));
}

}  // namespace

int run_command(const RunCommand& command) {
    if (command.swarm && !command.paths.empty()) {
        fmt::print(stderr, "raftsim: --swarm and scenario paths are exclusive\n");
        return exit_usage;
    }
    LoadResult loaded;
    if (!command.swarm) {
        loaded = load_scenarios(command.paths);
    }
    if (loaded.error.has_value()) {
        fmt::print(stderr, "raftsim: {}\n", loaded.error->to_string());
        return exit_usage;
    }
    std::vector<Row> rows;
    if (command.swarm) {
        rows.push_back(Row{.name = "swarm", .fixed = nullptr});
    }
    for (const LoadedScenario& scenario : loaded.scenarios) {
        rows.push_back(Row{.name = scenario.scenario.name, .fixed = &scenario});
    }
    Sweep sweep{.command = command,
                .report = new_report(command),
                .fingerprints = {},
                .progress = Progress(command.progress, shard_runs(rows.size(), command))};
    if (!open_outputs(sweep)) {
        return exit_usage;
    }
    print_header();
    for (const Row& row : rows) {
        if (!run_row(sweep, row)) {
            sweep.report.stopped_early = true;
            break;
        }
    }
    print_summary(sweep);
    bool written = write_text_file(command.junit_path, render_junit(sweep.report));
    written = write_text_file(command.json_path, render_json(sweep.report)) && written;
    if (!written) {
        return exit_usage;
    }
    return sweep.report.failures.empty() ? exit_passed : exit_failed;
}

}  // namespace raftsim::replay
