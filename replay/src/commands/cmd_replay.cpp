// raftsim replay: re-run an artifact (or a scenario and seed) bit for bit,
// check the fingerprint, and show the events leading to the end.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <span>

#include "artifact/artifact.hpp"
#include "commands/commands.hpp"
#include "input/suite.hpp"
#include "input/target.hpp"
#include "raftsim/fuzz/cluster_case.hpp"
#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/write.hpp"
#include "report/dedup.hpp"
#include "report/sweep_report.hpp"
#include "text/escape.hpp"
#include "views/chrome_trace.hpp"
#include "views/html.hpp"
#include "views/timeline.hpp"
#include "workers/crash.hpp"
#include "workers/pool.hpp"
#include "workers/signals.hpp"

namespace raftsim::replay {
namespace {

// The first line where the artifact's stored trace (trace.jsonl, or
// trace.jsonl.zst) and the re-run's part, shown both ways: where another
// build (or a harness bug) first made a different decision.
void print_trace_divergence(const std::string& directory, const scenarios::RunResult& result) {
    const std::optional<std::string> stored = read_artifact_file(directory, "trace.jsonl").text;
    if (!stored.has_value()) {
        fmt::print("  (the artifact keeps no trace to compare with)\n");
        return;
    }
    const std::string rerun =
        render_jsonl(result.simulation->trace().records(), node_names(*result.simulation));
    std::size_t line = 1;
    std::size_t at = 0;
    while (at < stored->size() && at < rerun.size() && (*stored)[at] == rerun[at]) {
        line += (*stored)[at] == '\n' ? 1 : 0;
        at += 1;
    }
    const auto line_around = [at](const std::string& text) {
        const std::size_t start = text.rfind('\n', at == 0 ? 0 : at - 1);
        const std::size_t first = start == std::string::npos || at == 0 ? 0 : start + 1;
        const std::size_t end = std::min(text.find('\n', first), text.size());
        return first >= text.size() ? std::string("(end of trace)")
                                    : text.substr(first, end - first);
    };
    fmt::print("  the traces part at record {}:\n    artifact: {}\n    re-run:   {}\n", line,
               terminal_safe(line_around(*stored)), terminal_safe(line_around(rerun)));
}

// Whether the re-run reproduced the artifact: same fingerprint, same breach.
[[nodiscard]] bool check_reproduction(const std::string& directory,
                                      const ArtifactManifest& manifest,
                                      const scenarios::RunResult& result) {
    const bool same_fingerprint = manifest.fingerprint == result.fingerprint;
    const std::string checker =
        result.violation.has_value() ? std::string(sim::to_string(result.violation->checker)) : "";
    const std::string kind = result.violation.has_value() ? result.violation->kind : "";
    const bool same_violation = checker == manifest.checker && kind == manifest.kind;
    fmt::print("fingerprint: {:016x} {} (artifact {}, built by {}, now {})\n", result.fingerprint,
               same_fingerprint ? "MATCHES" : "DIFFERS",
               manifest.fingerprint.has_value() ? fmt::format("{:016x}", *manifest.fingerprint)
                                                : std::string("none"),
               terminal_safe(manifest.build), build_id());
    if (!same_fingerprint) {
        print_trace_divergence(directory, result);
    }
    if (!same_violation) {
        fmt::print("violation DIFFERS: artifact had {}/{}, re-run has {}/{}\n",
                   terminal_safe(manifest.checker), terminal_safe(manifest.kind),
                   checker.empty() ? "none" : checker, kind);
    }
    return same_fingerprint && same_violation;
}

// Checkers name nodes by id; the timeline by name. After a shrink removed
// nodes the two no longer line up by number, so the report says which is
// which: "node ids: 1 n1, 2 n2, 3 n6".
[[nodiscard]] std::string id_legend(const NodeNames& names) {
    std::string out = "node ids:";
    for (std::size_t id = 1; id < names.size(); ++id) {
        out += fmt::format("{} {} {}", id == 1 ? "" : ",", id, names[id]);
    }
    return out;
}

// " --sut NAME" for a system other than the default, else "".
[[nodiscard]] std::string sut_option(const sut::System& system) {
    return system.name() == sut::default_system_name
               ? std::string()
               : fmt::format(" --sut {}", shell_quote(system.name()));
}

// The command line that reproduces the target, for the HTML page (an
// artifact names its own system).
[[nodiscard]] std::string replay_line(const ReplayCommand& command, const Target& target) {
    if (!command.fuzz_input.empty()) {
        return fmt::format("raftsim replay --fuzz-input {}{}", shell_quote(command.fuzz_input),
                           sut_option(*target.system));
    }
    if (target.manifest.has_value()) {
        return fmt::format("raftsim replay {}", shell_quote(command.target));
    }
    return fmt::format("raftsim replay {} --seed {}{}", shell_quote(command.target), target.seed,
                       sut_option(*target.system));
}

// The records to print: --all, --around N (either side of the violation, or
// of the end), or the --last N before it.
[[nodiscard]] TimelineWindow chosen_window(const ReplayCommand& command,
                                           const std::vector<sim::TraceRecord>& records) {
    if (command.all) {
        return {.first = 0, .last = records.size(), .focus = violation_record(records)};
    }
    if (command.around.has_value()) {
        return window_around(records, *command.around);
    }
    return window_before(records, command.last);
}

[[nodiscard]] bool write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out) {
        fmt::print(stderr, "raftsim: cannot write {}\n", terminal_safe(path));
    }
    return static_cast<bool>(out);
}

// --trace-out, --html and --out: the files a replay writes besides its
// report. False if one could not be written.
[[nodiscard]] bool write_outputs(const ReplayCommand& command, const Target& target,
                                 const scenarios::RunResult& result) {
    const std::vector<sim::TraceRecord>& records = result.simulation->trace().records();
    const NodeNames names = node_names(*result.simulation);
    const std::string title = fmt::format("{} seed {}", target.loaded.scenario.name, target.seed);
    bool ok = true;
    if (!command.trace_out.empty()) {
        ok = write_file(command.trace_out, command.trace_format == "chrome"
                                               ? render_chrome_trace(records, names, title)
                                               : render_jsonl(records, names)) &&
             ok;
    }
    if (!command.html_out.empty()) {
        const TimelineWindow window = html_window(records);
        const std::vector<sim::Operation> operations = result.simulation->client_history();
        const std::optional<sim::LinearizabilityResult>& checked =
            result.simulation->linearizability();
        ok = write_file(command.html_out,
                        render_html({.title = title,
                                     .replay_command = replay_line(command, target),
                                     .fingerprint = result.fingerprint,
                                     .records = &records,
                                     .names = names,
                                     .violation = result.violation,
                                     .first = window.first,
                                     .last = window.last,
                                     .operations = operations,
                                     .linearizability = checked ? &*checked : nullptr})) &&
             ok;
        if (ok) {
            fmt::print("\nhtml: {} (records {}..{} of {})\n", terminal_safe(command.html_out),
                       window.first, window.last, records.size());
        }
    }
    if (!command.out_dir.empty()) {
        const std::string error =
            write_artifact(command.out_dir, target.loaded, target.seed, result).error;
        if (!error.empty()) {
            fmt::print(stderr, "raftsim: could not write {}: {}\n", terminal_safe(command.out_dir),
                       terminal_safe(error));
            return false;
        }
        fmt::print(
            "\nartifact: {}\n  scenario: {}/scenario.json (run it with --seed {})\n"
            "  replay:   raftsim replay {}\n",
            terminal_safe(command.out_dir), terminal_safe(command.out_dir), target.seed,
            terminal_safe(command.out_dir));
    }
    return ok;
}

// A line under the run's when its clients' history check was undecided: it
// did not fail the run, and must not read as if it had passed either.
void print_history_unknown(const ReplayCommand& command, const scenarios::RunResult& result) {
    const std::optional<sim::LinearizabilityResult>& checked = result.simulation->linearizability();
    if (!checked.has_value()) {
        return;
    }
    if (const std::optional<HistoryUnknown> unknown =
            history_unknown_of(*checked, history_limits(command.history_max_steps))) {
        fmt::print("history check UNKNOWN: {}; not a failure\n", history_unknown_text(*unknown));
    }
}

// How a run in a worker ended: the death's kind (death_kind), or for a run
// that finished, "finished: passed" (failed, skipped).
struct WorkerRun {
    bool died = false;
    std::string now;
    std::uint64_t events = 0;
    sim::TimeUs time_us = 0;
};

// Runs the target once in a worker process: a crash of the system under
// test ends that process, not this one.
[[nodiscard]] std::optional<WorkerRun> run_in_worker(const Target& target) {
    WorkerPool pool(1, [&target](std::string_view) {
        const scenarios::RunResult result = scenarios::run_scenario(
            target.loaded.scenario,
            {.seed = target.seed, .system = target.system, .progress = worker_progress()});
        return fmt::format("finished: {}", result.skipped  ? "skipped"
                                           : result.passed ? "passed"
                                                           : "failed");
    });
    if (!pool.submit(1, "run")) {
        fmt::print(stderr, "raftsim: cannot start a worker process\n");
        return std::nullopt;
    }
    std::vector<TaskResult> ended;
    while (ended.empty()) {
        ended = pool.wait(std::nullopt);
    }
    const TaskResult& result = ended.front();
    RAFT_ASSERT(result.end != TaskEnd::aborted);
    if (result.end != TaskEnd::died) {
        return WorkerRun{.now = result.output};
    }
    return WorkerRun{.died = true,
                     .now = death_kind(result.signal, result.exit_status),
                     .events = result.progress_events,
                     .time_us = result.progress_time_us};
}

// The message in flight in `slot`, in a few words.
[[nodiscard]] std::string message_text(const sim::Simulation& simulation, std::uint64_t slot,
                                       const NodeNames& names) {
    const core::Message* message = simulation.in_flight(slot);
    if (message == nullptr) {
        return "a message";
    }
    const std::string from =
        message->from < names.size() ? names[message->from] : fmt::format("{}", message->from);
    std::string text =
        fmt::format("{} from {} of term {}", core::to_string(message->type), from, message->term);
    if (message->type == core::MessageType::append_entries) {
        text +=
            fmt::format(" (prev {}/t{}, {} entries, commit {})", message->prev_log_index,
                        message->prev_log_term, message->entries.size(), message->leader_commit);
    } else if (message->type == core::MessageType::install_snapshot) {
        text += fmt::format(" (snapshot at {})", message->snapshot_index);
    }
    return simulation.is_late_copy(slot) ? text + ", a stale replay's late copy," : text;
}

// What the next event of a halted run is: the one a crash happened in.
[[nodiscard]] std::string next_event_text(const sim::Simulation& simulation,
                                          const NodeNames& names) {
    const std::optional<sim::Event> event = simulation.next_event();
    if (!event.has_value()) {
        return "after the last event";
    }
    const std::string node =
        event->node < names.size() ? names[event->node] : fmt::format("node {}", event->node);
    const auto what = [&]() -> std::string {
        switch (event->kind) {
            case sim::EventKind::tick:
                return fmt::format("a tick of {}", node);
            case sim::EventKind::deliver:
                return fmt::format("{} delivered to {}",
                                   message_text(simulation, event->payload, names), node);
            case sim::EventKind::wake:
                return fmt::format("a wake-up {} asked for", node);
            case sim::EventKind::client:
                return "the client workload's turn";
            case sim::EventKind::resume:
                return fmt::format("the end of {}'s pause", node);
        }
        return "an event";
    };
    return fmt::format("{} at {:.6f}s", what(), event->time / 1e6);
}

// The run up to the event before the one it died in, replayed here (the
// same run, stopped short: it cannot crash), with its timeline and the
// --html and --trace-out files. An artifact is not rewritten (--out): a
// crash artifact keeps no trace.
[[nodiscard]] bool show_before_crash(const ReplayCommand& command, const Target& target,
                                     const WorkerRun& crash) {
    RAFT_ASSERT(crash.died);
    if (crash.events <= 1) {
        fmt::print("  (it died in its first event: there is no run before it to show)\n");
        return true;
    }
    const scenarios::RunResult result =
        scenarios::run_scenario(target.loaded.scenario, {.seed = target.seed,
                                                         .keep_trace = true,
                                                         .max_events = crash.events - 1,
                                                         .system = target.system});
    RAFT_ASSERT(result.halted);
    RAFT_ASSERT(!result.violation.has_value());
    const std::vector<sim::TraceRecord>& records = result.simulation->trace().records();
    const NodeNames names = node_names(*result.simulation);
    fmt::print("\nthe run up to event {} (the worker died in the next, {}):\n{}", crash.events - 1,
               next_event_text(*result.simulation, names),
               render_window(records, names, chosen_window(command, records)));
    ReplayCommand outputs = command;
    if (!outputs.out_dir.empty()) {
        fmt::print("\n--out: not written; a crash keeps its artifact as it is (no trace)\n");
        outputs.out_dir.clear();
    }
    return write_outputs(outputs, target, result);
}

// An artifact of a run whose worker died (checker "crash") is replayed in a
// worker too: if the run kills it again the same way, it reproduced.
[[nodiscard]] int replay_crash(const ReplayCommand& command, const Target& target) {
    const ArtifactManifest& manifest = *target.manifest;
    const std::optional<WorkerRun> run = run_in_worker(target);
    if (!run.has_value()) {
        return exit_usage;
    }
    const bool reproduced = run->died && run->now == manifest.kind;
    fmt::print(
        "scenario {} seed {}: the artifact recorded crash/{}; the re-run {}: {}\n",
        terminal_safe(target.loaded.scenario.name), target.seed, terminal_safe(manifest.kind),
        reproduced ? "REPRODUCED it" : "DIFFERS",
        terminal_safe(run->died ? crash_detail(run->now, target.seed, run->events, run->time_us)
                                : run->now));
    if (run->died && !show_before_crash(command, target, *run)) {
        return exit_usage;
    }
    return reproduced ? exit_failed : exit_not_reproduced;
}

// A scenario and seed on a system that may crash (any but raftsim's own
// core) runs first in a worker: if it dies, that is the failure, shown up
// to the event before. nullopt: it did not die; replay it here.
[[nodiscard]] std::optional<int> replay_if_crashes(const ReplayCommand& command,
                                                   const Target& target) {
    if (target.system->name() == sut::default_system_name) {
        return std::nullopt;
    }
    const std::optional<WorkerRun> run = run_in_worker(target);
    if (!run.has_value()) {
        return exit_usage;
    }
    if (!run->died) {
        return std::nullopt;
    }
    fmt::print("scenario {} seed {} on {}: CRASHED: {}\n",
               terminal_safe(target.loaded.scenario.name), target.seed, target.system->name(),
               terminal_safe(crash_detail(run->now, target.seed, run->events, run->time_us)));
    return show_before_crash(command, target, *run) ? exit_failed : exit_usage;
}

}  // namespace

int replay_command(const ReplayCommand& command) {
    std::optional<Target> target = resolve_target({.target = command.target,
                                                   .has_seed = command.has_seed,
                                                   .seed = command.seed,
                                                   .fuzz_input = command.fuzz_input,
                                                   .limits = command.limits,
                                                   .system = command.system});
    if (!target.has_value()) {
        return exit_usage;
    }
    if (target->manifest.has_value() && target->manifest->checker == "crash") {
        return replay_crash(command, *target);
    }
    if (const std::optional<int> crashed = replay_if_crashes(command, *target)) {
        return *crashed;
    }
    const scenarios::RunResult result = scenarios::run_scenario(
        target->loaded.scenario,
        {.seed = target->seed,
         .keep_trace = true,
         .system = target->system,
         .linearizability_limits = history_limits(command.history_max_steps)});
    const std::string on = sut_option(*target->system).empty()
                               ? std::string()
                               : fmt::format(" on {}", target->system->name());
    if (result.skipped) {
        // Nothing ran, so there is nothing to show; and nothing passed.
        fmt::print(stderr, "raftsim: scenario {} seed {}{}: SKIPPED, not run: {}\n",
                   terminal_safe(target->loaded.scenario.name), target->seed, on,
                   terminal_safe(result.skip_reason));
        return exit_usage;
    }
    fmt::print("scenario {} seed {}{}: {} after {:.6f}s simulated, {} trace records\n",
               terminal_safe(target->loaded.scenario.name), target->seed, on,
               result.passed ? "passed" : "FAILED", result.simulated_us / 1e6,
               result.trace_records);
    print_history_unknown(command, result);
    bool reproduced = true;
    if (target->manifest.has_value()) {
        reproduced = check_reproduction(command.target, *target->manifest, result);
    } else {
        fmt::print("fingerprint: {:016x}\n", result.fingerprint);
    }
    const std::vector<sim::TraceRecord>& records = result.simulation->trace().records();
    fmt::print("\n{}", render_window(records, node_names(*result.simulation),
                                     chosen_window(command, records)));
    if (result.violation.has_value()) {
        const sim::Violation& violation = *result.violation;
        fmt::print("\nviolation: {}/{} at {:.6f}s\n  {}\n  ({})\n",
                   sim::to_string(violation.checker), violation.kind, violation.time / 1e6,
                   terminal_safe(violation.detail), id_legend(node_names(*result.simulation)));
    }
    if (!write_outputs(command, *target, result)) {
        return exit_usage;
    }
    if (!reproduced) {
        fmt::print("\nNOT REPRODUCED: the re-run differs from the artifact (exit {})\n",
                   exit_not_reproduced);
        return exit_not_reproduced;
    }
    return result.passed ? exit_passed : exit_failed;
}

}  // namespace raftsim::replay
