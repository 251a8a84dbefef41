// raftsim run: sweep scenarios over seeds in worker processes, writing an
// artifact per failure (the first few of each signature), and for CI JUnit
// XML, a JSON summary and fingerprints -- each written whole, also when the
// sweep is interrupted. docs/ci.md describes all of it; the sweep itself is
// sweep/engine.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string_view>
#include <vector>

#include "artifact/artifact.hpp"
#include "commands/commands.hpp"
#include "raftsim/core/assert.hpp"
#include "report/output_file.hpp"
#include "report/sweep_report.hpp"
#include "sweep/engine.hpp"
#include "sweep/plan.hpp"
#include "text/escape.hpp"
#include "workers/signals.hpp"

namespace raftsim::replay {
namespace {

[[nodiscard]] std::string command_line(const RunCommand& command) {
    std::string out = "raftsim run";
    for (const std::string& path : command.paths) {
        // Two appends, not `" " + quoted`: g++ 12 at -O3 reports a false
        // -Wrestrict inside that operator+.
        out += ' ';
        out += shell_quote(path);
    }
    out += command.swarm ? " --swarm" : "";
    if (command.system != nullptr && command.system->name() != sut::default_system_name) {
        out += " --sut ";
        out += shell_quote(command.system->name());
    }
    out += fmt::format(" --seeds {}..{}", command.seed_first, command.seed_last);
    if (command.shard_count > 1) {
        out += fmt::format(" --shard {}/{}", command.shard_index, command.shard_count);
    }
    out += command.check_determinism ? " --check-determinism" : "";
    if (command.history_max_steps.has_value()) {
        out += fmt::format(" --history-max-steps {}", *command.history_max_steps);
    }
    out += command.fail_fast ? " --fail-fast" : "";
    out += " --out ";
    out += shell_quote(command.out_dir);
    return out;
}

// FNV-1a over everything that decides the runs of a sweep, apart from how
// it is sharded: the shards of one sweep agree on it, and so does the
// report they merge into with the unsharded sweep's.
[[nodiscard]] std::string sweep_identity(const RunCommand& command, const SweepPlan& plan) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    const auto mix = [&hash](std::string_view text) {
        for (const char c : text) {
            hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
        }
        hash = (hash ^ 0xffU) * 0x100000001b3ULL;  // a separator
    };
    mix(build_id());
    mix(sut::system_or_default(command.system).name());
    mix(command.swarm ? "swarm" : "scenarios");
    mix(command.check_determinism ? "twice" : "once");
    mix(fmt::format("{}..{}", command.seed_first, command.seed_last));
    for (const SweepRow& row : plan.rows()) {
        mix(row.label);
        mix(row.scenario != nullptr ? row.scenario->text : "");
    }
    // A scenario's text carries its limits; swarm scenarios get them here.
    const LimitOverrides& limits = command.limits;
    mix(fmt::format("{} {} {} {}", limits.events.value_or(0), limits.simulated_us.value_or(0),
                    limits.steps.value_or(0), limits.requests.value_or(0)));
    // It decides which histories are unknown (and, below the default, may
    // turn a not-linearizable verdict into one).
    if (command.history_max_steps.has_value()) {
        mix(fmt::format("history-max-steps {}", *command.history_max_steps));
    }
    return fmt::format("{:016x}", hash);
}

[[nodiscard]] SweepReport new_report(const RunCommand& command, const SweepPlan& plan) {
    return SweepReport{.command_line = command_line(command),
                       .mode = command.swarm ? "swarm" : "scenarios",
                       .build = build_id(),
                       .sut = std::string(sut::system_or_default(command.system).name()),
                       .sut_version = std::string(sut::system_or_default(command.system).version()),
                       .check_determinism = command.check_determinism,
                       .seed_first = command.seed_first,
                       .seed_last = command.seed_last,
                       .shard_index = command.shard_index,
                       .shard_count = command.shard_count,
                       .stopped_early = false,
                       .stop_reason = "",
                       .sweep_id = sweep_identity(command, plan)};
}

// Before any run: the artifact directory exists and takes files, and every
// report path can be written (without truncating what is there now).
[[nodiscard]] std::string check_outputs(const RunCommand& command) {
    std::string problem = prepare_output_directory(command.out_dir);
    for (const std::string* path :
         {&command.fingerprints_path, &command.junit_path, &command.json_path}) {
        if (problem.empty() && !path->empty()) {
            problem = check_writable(*path);
        }
    }
    return problem;
}

[[nodiscard]] std::string joined_lines(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& line : lines) {
        out += line;
        out += '\n';
    }
    return out;
}

// The reports, each written whole. False if one could not be written.
[[nodiscard]] bool write_reports(const RunCommand& command, const SweepOutcome& outcome) {
    const std::pair<const std::string*, std::string> outputs[] = {
        {&command.junit_path, command.junit_path.empty() ? "" : render_junit(outcome.report)},
        {&command.json_path, command.json_path.empty() ? "" : render_json(outcome.report)},
        {&command.fingerprints_path, joined_lines(outcome.fingerprint_lines)},
    };
    bool written = true;
    for (const auto& [path, text] : outputs) {
        if (path->empty()) {
            continue;
        }
        if (const std::string error = write_file_atomically(*path, text); !error.empty()) {
            fmt::print(stderr, "raftsim: {}\n", terminal_safe(error));
            written = false;
        }
    }
    return written;
}

// The rows with runs skipped for reason `skip`: "(in A, B, C, ...)".
[[nodiscard]] std::string skipped_rows(const SweepReport& report, std::size_t skip) {
    constexpr std::size_t shown = 3;
    std::vector<std::string_view> names;
    for (const RowReport& row : report.rows) {
        const bool has = std::any_of(row.cases.begin(), row.cases.end(),
                                     [skip](const CaseReport& run) { return run.skip == skip; });
        if (has) {
            names.push_back(row.name);
        }
    }
    RAFT_ASSERT(!names.empty());
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < shown; ++i) {
        out += fmt::format("{}{}", i == 0 ? "" : ", ", terminal_safe(names[i]));
    }
    return fmt::format("(in {}{})", out, names.size() > shown ? ", ..." : "");
}

// The runs skipped, by reason, with the scenarios they are in.
void print_skips(const RunCommand& command, const SweepReport& report) {
    if (report.skips.empty()) {
        return;
    }
    fmt::print("{} skipped: {} cannot run {}:\n", report.skipped(),
               sut::system_or_default(command.system).name(),
               report.skipped() == 1 ? "it" : "them");
    for (std::size_t i = 0; i < report.skips.size(); ++i) {
        const SkipRecord& skip = report.skips[i];
        fmt::print("  {:>5}x  {}  {}\n", skip.count, terminal_safe(skip.reason),
                   skipped_rows(report, i));
    }
}

// The verdict, last: a stopped sweep never reads "all passed", nor does a
// sweep with skipped runs read as if they had passed, nor one with
// expected failures as if they had not failed, nor one with undecided
// history checks as if every check had passed.
void print_verdict(const SweepReport& report) {
    const std::uint64_t runs = report.runs();
    const std::size_t failures = report.failures.size();
    const std::string skipped = skipped_text(report);
    const std::string expected = expected_failures_text(report);
    const std::string unknown = history_unknown_count_text(report);
    std::string also = expected.empty() ? "" : "; " + expected;
    also += skipped.empty() ? "" : "; " + skipped;
    also += unknown.empty() ? "" : "; " + unknown;
    if (failures > 0) {
        fmt::print("{} failed{}\n", failures, also);
    } else if (report.stopped_early || report.aborted() > 0) {
        fmt::print("inconclusive: no failure in the {} runs made{}\n", runs - report.aborted(),
                   also);
    } else if (runs == 0 && !skipped.empty()) {
        fmt::print("nothing ran: {}\n", skipped);
    } else if (!expected.empty()) {
        fmt::print("all {} runs made passed or failed as expected{}\n", runs, also);
    } else if (!also.empty()) {
        fmt::print("all {} runs made passed{}\n", runs, also);
    } else {
        fmt::print("all passed\n");
    }
}

void print_summary(const RunCommand& command, const SweepOutcome& outcome) {
    const SweepReport& report = outcome.report;
    const std::uint64_t runs = report.runs();
    const std::size_t failures = report.failures.size();
    RAFT_ASSERT(failures + report.aborted() <= runs);
    if (command.check_determinism) {
        std::uint64_t diverged = 0;
        for (const FailureRecord& failure : report.failures) {
            diverged += failure.checker == "determinism" ? 1 : 0;
        }
        fmt::print("determinism: {} of {} runs matched their second run record for record{}\n",
                   runs - diverged, runs,
                   diverged == 0 ? "" : fmt::format(", {} diverged", diverged));
    }
    fmt::print("{}", render_groups(group_failures(report.failures)));
    print_skips(command, report);
    if (report.stopped_early) {
        fmt::print("stopped early ({}): {} runs not made\n", report.stop_reason, report.not_run());
    }
    if (report.aborted() > 0) {
        fmt::print("{} runs aborted by --timeout: inconclusive\n", report.aborted());
    }
    if (const std::uint64_t unknown = report.history_unknown(); unknown > 0) {
        fmt::print(
            "history check unknown in {} of {} runs: the linearizability check reached a cap "
            "before deciding (the UNKNOWN lines); not failures, and not passes of the check "
            "(--history-max-steps raises the steps cap)\n",
            unknown, runs);
    }
    print_verdict(report);
}

[[nodiscard]] int exit_status(const SweepOutcome& outcome) {
    if (outcome.interrupt != 0) {
        return interrupted_exit_status(outcome.interrupt);
    }
    if (!outcome.report.failures.empty()) {
        return exit_failed;
    }
    return outcome.report.aborted() > 0 ? exit_aborted : exit_passed;
}

[[nodiscard]] int refuse(std::string_view message) {
    fmt::print(stderr, "raftsim: {}\n", terminal_safe(message));
    return exit_usage;
}

}  // namespace

int list_systems_command() {
    for (const sut::System* system : sut::systems()) {
        fmt::print("{}{}\n  {}\n", system->name(),
                   system->name() == sut::default_system_name ? " (the default)" : "",
                   system->description());
        fmt::print("  version:      {}\n", system->version());
        fmt::print("  durability:   {}\n", sut::describe(system->durability()));
        fmt::print("  capabilities: {}\n", sut::describe(system->capabilities()));
        fmt::print("  lacks:        {}\n", sut::describe_missing(system->capabilities()));
    }
    if (sut::find_system("canonical") == nullptr) {
        fmt::print(
            "(canonical/raft is not in this build: install libraft-dev and reconfigure with "
            "-Dcanonical=enabled)\n");
    }
    return exit_passed;
}

int run_command(const RunCommand& command) {
    RAFT_ASSERT(!(command.swarm && !command.paths.empty()));
    RAFT_ASSERT(command.jobs >= 1);
    LoadResult loaded;
    if (!command.swarm) {
        loaded =
            load_scenarios(command.paths, sut::system_or_default(command.system).capabilities());
        if (loaded.error.has_value()) {
            return refuse(loaded.error->to_string());
        }
        if (loaded.scenarios.empty()) {
            return refuse("no scenario selected: nothing to run");
        }
        for (LoadedScenario& scenario : loaded.scenarios) {
            apply_limit_overrides(scenario, command.limits);
        }
    }
    std::vector<SweepRow> rows;
    if (command.swarm) {
        rows.push_back(SweepRow{.label = "swarm", .scenario = nullptr});
    }
    const std::vector<std::string> labels = row_labels(loaded.scenarios);
    for (std::size_t i = 0; i < loaded.scenarios.size(); ++i) {
        rows.push_back(SweepRow{.label = labels[i], .scenario = &loaded.scenarios[i]});
    }
    const SweepPlan plan(std::move(rows), command.seed_first, command.seed_last,
                         command.shard_index, command.shard_count);
    if (const std::string problem = plan.problem(); !problem.empty()) {
        return refuse(problem);
    }
    std::error_code error;
    const bool out_existed = std::filesystem::exists(command.out_dir, error);
    if (const std::string problem = check_outputs(command); !problem.empty()) {
        return refuse(problem);
    }
    install_interrupt_handlers();
    const SweepOutcome outcome = run_sweep(plan, command, new_report(command, plan));
    if (!out_existed) {
        // Made only to check it could be: a sweep without artifacts leaves
        // no empty directory behind.
        std::filesystem::remove(command.out_dir, error);  // only if empty
    }
    if (!outcome.error.empty()) {
        return refuse(outcome.error);
    }
    print_summary(command, outcome);
    if (!write_reports(command, outcome)) {
        return exit_usage;
    }
    return exit_status(outcome);
}

}  // namespace raftsim::replay
