// raftsim shrink: make a failing run small (shrink.hpp), then write it as an
// artifact whose scenario.json fails on its own with the same seed.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "artifact/artifact.hpp"
#include "commands/commands.hpp"
#include "input/target.hpp"
#include "raftsim/core/assert.hpp"
#include "raftsim/scenarios/parse.hpp"
#include "raftsim/scenarios/write.hpp"
#include "report/dedup.hpp"
#include "report/output_file.hpp"
#include "shrink/shrink.hpp"
#include "shrink/shrink_runner.hpp"
#include "shrink/shrink_steps.hpp"
#include "workers/crash.hpp"
#include "workers/signals.hpp"

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
    // The same steps: the goal's step identity applies to them too.
    shrinking::carry_step_ids(result.scenario.steps, parsed.scenario->steps);
    return LoadedScenario{.scenario = std::move(*parsed.scenario), .text = std::move(text)};
}

[[nodiscard]] bool write_summary(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    return static_cast<bool>(out);
}

// The artifact of a shrunk crash, after the final check in a worker: its own
// text dies the same way, in the same event. Like any crash artifact it
// keeps no trace; `raftsim replay` shows the run up to the event before.
[[nodiscard]] std::string write_crash_result(const std::string& out_dir, const Target& target,
                                             LoadedScenario& loaded, const ShrinkResult& result) {
    CandidateRunner runner(1, {}, target.system);
    const CandidateOutcome final_run = run_one(
        runner,
        {.scenario = &loaded.scenario, .text = &loaded.text, .seed = result.seed, .max_events = 0});
    RAFT_ASSERT(final_run.died != 0);
    RAFT_ASSERT(same_failure(result.goal, crash_goal(final_run.death)));
    RAFT_ASSERT(final_run.events == result.after.events);
    loaded.scenario.source_path = out_dir + "/scenario.json";  // where it now lives
    return write_crash_artifact(out_dir, loaded, result.seed, target.system->name(),
                                result.goal.kind,
                                crash_detail(result.goal.kind, result.seed, final_run.events,
                                             final_run.simulated_us),
                                final_run.simulated_us)
        .error;
}

// The artifact of a shrunk violation, after the final check: its own text
// fails the same way.
[[nodiscard]] std::string write_violation_result(const std::string& out_dir, const Target& target,
                                                 LoadedScenario& loaded,
                                                 const ShrinkResult& result) {
    const scenarios::RunResult traced = scenarios::run_scenario(
        loaded.scenario, {.seed = result.seed, .keep_trace = true, .system = target.system});
    RAFT_ASSERT(same_failure(result.goal, goal_of(loaded.scenario, traced)));
    RAFT_ASSERT(traced.events == result.after.events);
    loaded.scenario.source_path = out_dir + "/scenario.json";  // where it now lives
    return write_artifact(out_dir, loaded, result.seed, traced).error;
}

// Writes the shrunk run as an artifact (and shrink.txt beside it), after
// checking once more (the final check) that its own text fails the same way.
[[nodiscard]] int write_result(const std::string& out_dir, const Target& target,
                               const ShrinkResult& result, const std::string& summary) {
    LoadedScenario loaded = renamed(result, target);
    const std::string error = is_crash(result.goal)
                                  ? write_crash_result(out_dir, target, loaded, result)
                                  : write_violation_result(out_dir, target, loaded, result);
    if (!error.empty() || !write_summary(out_dir + "/shrink.txt", summary)) {
        fmt::print(stderr, "raftsim: could not write {}: {}\n", out_dir, error);
        return exit_usage;
    }
    const std::string_view system = target.system->name();
    const std::string sut = system == sut::default_system_name
                                ? std::string()
                                : fmt::format(" --sut {}", shell_quote(system));
    fmt::print(
        "\nshrunk artifact: {}\n  scenario: {}/scenario.json\n"
        "  run it:   raftsim run {}/scenario.json --seed {}{}\n"
        "  replay:   raftsim replay {} --around 20\n"
        "  diagram:  raftsim replay {} --html {}/diagram.html\n",
        out_dir, out_dir, shell_quote(out_dir), result.seed, sut, shell_quote(out_dir),
        shell_quote(out_dir), shell_quote(out_dir));
    return exit_passed;
}

// Whether the re-run fails as the artifact recorded: the same checker and
// kind; for an assertion the same assertion; for a step's deadline the same
// detail, which names the step (its path in this very scenario.json).
[[nodiscard]] bool matches_record(const ArtifactManifest& manifest, const ShrinkStart& start) {
    if (manifest.checker != start.goal.checker || manifest.kind != start.goal.kind) {
        return false;
    }
    if (manifest.detail.empty()) {
        return true;  // run.json without a detail: nothing more to compare
    }
    ShrinkGoal recorded = start.goal;
    recorded.assertion =
        recorded.checker == "core_assert" ? parse_assert_detail(manifest.detail) : std::nullopt;
    const bool same_step =
        start.goal.place != FailurePlace::step || manifest.detail == start.detail;
    return same_step && same_failure(recorded, start.goal);
}

// The directories prepare_output_directory would make for `directory`,
// deepest first.
[[nodiscard]] std::vector<std::filesystem::path> missing_directories(const std::string& directory) {
    std::vector<std::filesystem::path> missing;
    std::error_code error;
    for (std::filesystem::path path = std::filesystem::path(directory).lexically_normal();
         !path.empty() && !std::filesystem::exists(path, error) && missing.size() < 64;
         path = path.parent_path()) {
        missing.push_back(path);
    }
    return missing;
}

// The run to shrink, once: an exit status if there is nothing to shrink.
[[nodiscard]] std::optional<int> refuse_start(const Target& target, const ShrinkStart& start) {
    if (!start.skip_reason.empty()) {
        fmt::print(stderr, "raftsim: {} seed {} is skipped on {}, not run: {}\n",
                   target.loaded.scenario.name, target.seed, target.system->name(),
                   start.skip_reason);
        return exit_usage;
    }
    if (start.goal.checker.empty()) {
        fmt::print(stderr, "raftsim: {} seed {} passes: there is no failure to shrink\n",
                   target.loaded.scenario.name, target.seed);
        return exit_usage;
    }
    if (target.manifest.has_value() && !matches_record(*target.manifest, start)) {
        fmt::print(stderr,
                   "raftsim: the artifact recorded {}/{} ({}) but the re-run fails with {} ({})\n",
                   target.manifest->checker, target.manifest->kind, target.manifest->detail,
                   describe_goal(start.goal), start.detail);
        return exit_failed;
    }
    return std::nullopt;
}

[[nodiscard]] std::string seconds_text(double seconds) {
    return fmt::format("{:g}s", seconds);
}

// Why the search ended, as the summary says it.
[[nodiscard]] std::string stop_text(const ShrinkCommand& command, const ShrinkResult& result,
                                    const std::string& stopped_by) {
    switch (result.stop) {
        case ShrinkStop::done:
            return "done: no single change left keeps the failure";
        case ShrinkStop::max_runs:
            return fmt::format("STOPPED by --max-runs {} (smaller may exist)", command.max_runs);
        case ShrinkStop::stopped:
            break;
    }
    RAFT_ASSERT(!stopped_by.empty());
    return fmt::format("STOPPED by {} (smaller may exist)", stopped_by);
}

[[nodiscard]] std::string summary_text(const ShrinkCommand& command, const Target& target,
                                       const ShrinkStart& start, const ShrinkResult& result,
                                       const std::string& stopped_by, double seconds) {
    // Runs the workers made ahead of the search that it did not need: they
    // cost time, but count nowhere else (the result is that of one worker).
    const std::string unused =
        result.unused_runs > 0
            ? fmt::format("; runs made ahead by workers and not needed: {}", result.unused_runs)
            : std::string();
    return fmt::format(
        "shrink of {} seed {}: {}\n"
        "  {} candidate run{} ({} kept, {} not expressible, {} crashed), plus 2 runs: the start "
        "and the final check\n"
        "  --jobs {}, {:.1f} s{}\n"
        "  {}\n"
        "  seed {} -> {}; the shrunk run fails with {}\n{}",
        target.loaded.scenario.name, target.seed, describe_goal(start.goal), result.runs,
        result.runs == 1 ? "" : "s", result.accepted, result.invalid, result.crashes, command.jobs,
        seconds, unused, stop_text(command, result, stopped_by), target.seed, result.seed,
        describe_goal(result.goal), size_table(result.before, result.after));
}

void print_progress(const ShrinkProgress& step, double seconds) {
    if (!step.died.empty()) {
        fmt::print(stderr,
                   "  {:>7.1f}s run {:>5}: the worker died ({}) on this candidate, which is not "
                   "the same failure  ({})\n",
                   seconds, step.runs, step.died, step.change);
        return;
    }
    fmt::print(stderr,
               "  {:>7.1f}s run {:>5}: {:>4} steps {:>4} faults {:>2} nodes {:>10} events  ({})\n",
               seconds, step.runs, step.size.steps, step.size.faults, step.size.nodes,
               step.size.events, step.change);
}

}  // namespace

int shrink_command(const ShrinkCommand& command) {
    install_interrupt_handlers();
    const std::optional<Target> target = resolve_target({.target = command.target,
                                                         .has_seed = command.has_seed,
                                                         .seed = command.seed,
                                                         .fuzz_input = command.fuzz_input,
                                                         .limits = command.limits,
                                                         .system = command.system});
    if (!target.has_value()) {
        return exit_usage;
    }
    // Before any run: a shrink that cannot write its result is wasted.
    const std::string out_dir =
        command.out_dir.empty() ? default_out_dir(command, *target) : command.out_dir;
    const std::vector<std::filesystem::path> made = missing_directories(out_dir);
    if (const std::string error = prepare_output_directory(out_dir); !error.empty()) {
        fmt::print(stderr, "raftsim: --out: {}\n", error);
        return exit_usage;
    }
    // In a worker (--jobs >= 1): a crash of the system under test is a
    // failure to shrink like any other.
    const ShrinkStart start =
        start_shrink(target->loaded.scenario, target->seed, target->system, command.jobs);
    if (const std::optional<int> refused = refuse_start(*target, start)) {
        // Nothing to write: the directories made for it go again.
        std::error_code ignored;
        for (const std::filesystem::path& directory : made) {
            std::filesystem::remove(directory, ignored);  // only if still empty
        }
        return *refused;
    }
    fmt::print("shrinking {} seed {}: {}\n", target->loaded.scenario.name, target->seed,
               describe_goal(start.goal));
    std::fflush(stdout);
    const Clock::time_point began = Clock::now();
    const auto elapsed = [began] {
        return std::chrono::duration<double>(Clock::now() - began).count();
    };
    std::string stopped_by;  // what said stop first: a signal or --budget
    ShrinkOptions options;
    options.max_runs = command.max_runs;
    options.seeds_to_try = command.keep_seed ? 0 : command.seeds_to_try;
    options.seeds_per_change = command.keep_seed ? 0 : command.seeds_per_change;
    options.seed_sweep = command.keep_seed ? 0 : command.seed_sweep;
    options.jobs = command.jobs;
    options.system = target->system;
    options.stop = [&] {
        if (stopped_by.empty() && interrupt_signal() != 0) {
            stopped_by = signal_name(interrupt_signal());
        } else if (stopped_by.empty() && elapsed() >= command.budget_seconds) {
            stopped_by = "--budget " + seconds_text(command.budget_seconds);
        }
        return !stopped_by.empty();
    };
    if (command.progress) {
        options.on_progress = [&](const ShrinkProgress& step) { print_progress(step, elapsed()); };
    }
    const ShrinkResult result = shrink(start, options);
    const std::string summary =
        summary_text(command, *target, start, result, stopped_by, elapsed());
    fmt::print("\n{}", summary);
    const int status = write_result(out_dir, *target, result, summary);
    const int signal = interrupt_signal();
    return status == exit_passed && signal != 0 ? interrupted_exit_status(signal) : status;
}

}  // namespace raftsim::replay
