// raftsim shrink: make a failing run small (shrink.hpp), then write it as an
// artifact whose scenario.json fails on its own with the same seed.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "artifact/artifact.hpp"
#include "commands/commands.hpp"
#include "input/target.hpp"
#include "raftsim/core/assert.hpp"
#include "raftsim/scenarios/parse.hpp"
#include "raftsim/scenarios/write.hpp"
#include "report/dedup.hpp"
#include "shrink/shrink.hpp"

namespace raftsim::replay {
namespace {

using Clock = std::chrono::steady_clock;

[[nodiscard]] std::string default_out_dir(const ShrinkCommand& command, const Target& target) {
    if (target.manifest.has_value()) {
        std::string directory = command.target;
        while (directory.size() > 1 && directory.back() == '/') {
            directory.pop_back();
        }
        return directory + "-shrunk";
    }
    return fmt::format("raftsim-shrunk/{}-seed{}", target.loaded.scenario.name, target.seed);
}

[[nodiscard]] std::string ratio_text(double before, double after) {
    return after > 0 ? fmt::format("{:.1f}x", before / after) : "";
}

[[nodiscard]] std::string size_table(const RunSize& before, const RunSize& after) {
    std::string out = fmt::format("  {:<14} {:>12} {:>12} {:>9}\n", "", "before", "after", "cut");
    const auto row = [&](std::string_view name, std::uint64_t a, std::uint64_t b) {
        out += fmt::format("  {:<14} {:>12} {:>12} {:>9}\n", name, a, b,
                           ratio_text(static_cast<double>(a), static_cast<double>(b)));
    };
    row("steps", before.steps, after.steps);
    row("faults", before.faults, after.faults);
    row("nodes", before.nodes, after.nodes);
    row("events", before.events, after.events);
    row("trace records", before.trace_records, after.trace_records);
    out += fmt::format("  {:<14} {:>10.3f} s {:>10.3f} s {:>9}\n", "simulated time",
                       before.simulated_us / 1e6, after.simulated_us / 1e6,
                       ratio_text(static_cast<double>(before.simulated_us),
                                  static_cast<double>(after.simulated_us)));
    return out;
}

// The shrunk scenario under its new name. The name does not change the run:
// the workload's command source, which defaults to the name, is written out
// explicitly by scenario_to_json.
[[nodiscard]] LoadedScenario renamed(const ShrinkResult& result, const Target& target) {
    scenarios::Scenario scenario = result.scenario;
    RAFT_ASSERT(!scenario.workload.source.empty());
    // Names are at most 64 characters (docs/scenarios.md): a long one is cut
    // to make room for the suffix.
    constexpr std::string_view suffix = "-shrunk";
    scenario.name = target.loaded.scenario.name.substr(0, 64 - suffix.size()) + std::string(suffix);
    scenario.description = fmt::format(
        "Shrunk by raftsim shrink from {} seed {} ({} steps, {} faults, {} events before; "
        "{} steps, {} faults, {} events after). Run it with --seed {}.",
        target.loaded.scenario.name, target.seed, result.before.steps, result.before.faults,
        result.before.events, result.after.steps, result.after.faults, result.after.events,
        result.seed);
    std::string text = scenarios::scenario_to_json(scenario);
    scenarios::ParseResult parsed = scenarios::parse_scenario(text, "shrunk");
    RAFT_ASSERT(!parsed.error.has_value());
    return LoadedScenario{.scenario = std::move(*parsed.scenario), .text = std::move(text)};
}

[[nodiscard]] bool write_summary(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    return static_cast<bool>(out);
}

// Writes the shrunk run as an artifact (and shrink.txt beside it), after
// checking once more that its own text fails the same way.
[[nodiscard]] int write_result(const ShrinkCommand& command, const Target& target,
                               const ShrinkGoal& goal, const ShrinkResult& result,
                               const std::string& summary) {
    LoadedScenario loaded = renamed(result, target);
    const scenarios::RunResult traced =
        scenarios::run_scenario(loaded.scenario, {.seed = result.seed, .keep_trace = true});
    RAFT_ASSERT(goal_of(traced).checker == goal.checker);
    RAFT_ASSERT(goal_of(traced).kind == goal.kind);
    const std::string out_dir =
        command.out_dir.empty() ? default_out_dir(command, target) : command.out_dir;
    loaded.scenario.source_path = out_dir + "/scenario.json";  // where it now lives
    const std::string error = write_artifact(out_dir, loaded, result.seed, traced).error;
    if (!error.empty() || !write_summary(out_dir + "/shrink.txt", summary)) {
        fmt::print(stderr, "raftsim: could not write {}: {}\n", out_dir, error);
        return exit_usage;
    }
    fmt::print(
        "\nshrunk artifact: {}\n  scenario: {}/scenario.json\n"
        "  run it:   raftsim run {}/scenario.json --seed {}\n"
        "  replay:   raftsim replay {} --around 20\n"
        "  diagram:  raftsim replay {} --html {}/diagram.html\n",
        out_dir, out_dir, shell_quote(out_dir), result.seed, shell_quote(out_dir),
        shell_quote(out_dir), shell_quote(out_dir));
    return exit_passed;
}

}  // namespace

int shrink_command(const ShrinkCommand& command) {
    const std::optional<Target> target = resolve_target({.target = command.target,
                                                         .has_seed = command.has_seed,
                                                         .seed = command.seed,
                                                         .fuzz_input = command.fuzz_input});
    if (!target.has_value()) {
        return exit_usage;
    }
    const scenarios::RunResult first =
        scenarios::run_scenario(target->loaded.scenario, {.seed = target->seed});
    const ShrinkGoal goal = goal_of(first);
    if (goal.checker.empty()) {
        fmt::print(stderr, "raftsim: {} seed {} passes: there is no failure to shrink\n",
                   target->loaded.scenario.name, target->seed);
        return exit_usage;
    }
    if (target->manifest.has_value() &&
        (target->manifest->checker != goal.checker || target->manifest->kind != goal.kind)) {
        fmt::print(stderr, "raftsim: the artifact recorded {}/{} but the re-run fails with {}/{}\n",
                   target->manifest->checker, target->manifest->kind, goal.checker, goal.kind);
        return exit_failed;
    }
    fmt::print("shrinking {} seed {}: {}/{}\n", target->loaded.scenario.name, target->seed,
               goal.checker, goal.kind);
    std::fflush(stdout);
    const Clock::time_point start = Clock::now();
    const auto elapsed = [start] {
        return std::chrono::duration<double>(Clock::now() - start).count();
    };
    ShrinkOptions options;
    options.seed = target->seed;
    options.goal = goal;
    options.max_runs = command.max_runs;
    options.seeds_to_try = command.keep_seed ? 0 : command.seeds_to_try;
    options.seed_sweep = command.keep_seed ? 0 : command.seed_sweep;
    options.seeds_per_change = command.keep_seed ? 0 : command.seeds_per_change;
    options.stop = [&] { return elapsed() >= command.budget_seconds; };
    if (command.progress) {
        options.on_progress = [&](const ShrinkProgress& step) {
            fmt::print(
                stderr,
                "  {:>7.1f}s run {:>5}: {:>4} steps {:>4} faults {:>2} nodes {:>10} events  ({})\n",
                elapsed(), step.runs, step.size.steps, step.size.faults, step.size.nodes,
                step.size.events, step.change);
        };
    }
    const std::optional<ShrinkResult> result = shrink(target->loaded.scenario, options);
    if (!result.has_value()) {
        fmt::print(stderr, "raftsim: the scenario's JSON form does not fail the same way\n");
        return exit_failed;
    }
    const std::string summary = fmt::format(
        "shrink of {} seed {} ({}/{}): {} runs ({} kept, {} not expressible), {:.1f} s, {}\n"
        "  seed {} -> {}\n{}",
        target->loaded.scenario.name, target->seed, goal.checker, goal.kind, result->runs,
        result->accepted, result->invalid, elapsed(),
        result->stopped_early ? "STOPPED by the budget (smaller may exist)"
                              : "done: no single change left keeps the failure",
        target->seed, result->seed, size_table(result->before, result->after));
    fmt::print("\n{}", summary);
    return write_result(command, *target, goal, *result, summary);
}

}  // namespace raftsim::replay
