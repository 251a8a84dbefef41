// The raftsim command line, on CLI11 (Debian's libcli11-dev). This is the one
// file that includes CLI11: it is header-only and slow to compile, and three
// builds compile the project.
//
// CLI11 parses the structure (subcommands, flags, which options exclude
// which, repeats); the values are taken as text and read here by strict
// parsers, so "-1", "1e3" or "12abc" are refused with a message rather
// than wrapped or truncated. Every usage error exits 2 (exit_usage), never
// with one of CLI11's own codes. CLI11 2.1 has no "did you mean": unknown
// options are collected as extras and answered with suggestions here.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/commands.hpp"
#include "raftsim/scenarios/parse.hpp"
#include "raftsim/sut/registry.hpp"
#include "text/escape.hpp"

namespace raftsim::replay {
namespace {

constexpr std::array<std::string_view, 6> subcommand_names{"run",   "replay", "shrink",
                                                           "bench", "check",  "merge"};
constexpr std::size_t max_jobs = 256;

/// A usage error: exit_usage with this message.
struct UsageError {
    std::string message;
};

/// What an option was given as, before it is read (empty: not given).
using Text = std::string;

[[nodiscard]] std::optional<std::uint64_t> parse_u64(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

// A whole number in [low, high], or a usage error naming the option.
[[nodiscard]] std::uint64_t read_number(const Text& text, std::string_view option,
                                        std::uint64_t low, std::uint64_t high) {
    const std::optional<std::uint64_t> value = parse_u64(text);
    if (!value.has_value() || *value < low || *value > high) {
        throw UsageError{fmt::format("{} needs a whole number from {} to {}, got '{}'", option, low,
                                     high, terminal_safe(text))};
    }
    return *value;
}

// "A..B" or "I/N".
[[nodiscard]] std::pair<std::uint64_t, std::uint64_t> read_pair(const Text& text,
                                                                std::string_view separator,
                                                                std::string_view option,
                                                                std::string_view form) {
    const std::size_t at = text.find(separator);
    const std::optional<std::uint64_t> first =
        at == std::string::npos ? std::nullopt : parse_u64(std::string_view(text).substr(0, at));
    const std::optional<std::uint64_t> second =
        at == std::string::npos ? std::nullopt
                                : parse_u64(std::string_view(text).substr(at + separator.size()));
    if (!first.has_value() || !second.has_value()) {
        throw UsageError{fmt::format("{} needs {}, got '{}'", option, form, terminal_safe(text))};
    }
    return {*first, *second};
}

// A simulated or wall-clock duration ("90s", "5m", "250ms"), in microseconds.
[[nodiscard]] std::uint64_t read_duration_us(const Text& text, std::string_view option) {
    const std::optional<sim::TimeUs> value = scenarios::parse_duration(text);
    if (!value.has_value() || *value == 0) {
        throw UsageError{fmt::format("{} needs a duration such as 90s, 5m or 250ms, got '{}'",
                                     option, terminal_safe(text))};
    }
    return *value;
}

// "512", "64k", "200M", "2G" bytes.
[[nodiscard]] std::uint64_t read_size(const Text& text, std::string_view option) {
    std::string_view digits = text;
    std::uint64_t scale = 1;
    constexpr std::array<std::pair<char, std::uint64_t>, 3> units{
        {{'k', 1ULL << 10U}, {'M', 1ULL << 20U}, {'G', 1ULL << 30U}}};
    for (const auto& [suffix, factor] : units) {
        if (digits.ends_with(suffix)) {
            digits.remove_suffix(1);
            scale = factor;
        }
    }
    const std::optional<std::uint64_t> value = parse_u64(digits);
    if (!value.has_value() || *value > (std::uint64_t{1} << 50U) / scale) {
        throw UsageError{fmt::format("{} needs a size such as 500M or 2G, got '{}'", option,
                                     terminal_safe(text))};
    }
    return *value * scale;
}

// The machine's cores: the default for --jobs.
[[nodiscard]] std::size_t machine_cores() {
    const long cores = ::sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : std::min<std::size_t>(static_cast<std::size_t>(cores), max_jobs);
}

[[nodiscard]] std::size_t read_jobs(const Text& text) {
    if (text.empty()) {
        return machine_cores();
    }
    return read_number(text, "--jobs", 1, max_jobs);
}

// ---------------------------------------------------------------- suggestions

[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

[[nodiscard]] std::vector<std::string> long_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::Option* option : app.get_options()) {
        for (const std::string& name : option->get_lnames()) {
            names.push_back("--" + name);
        }
    }
    return names;
}

// "did you mean --seeds?" for a misspelt option: the closest option of this
// subcommand (or, failing that, of another one) within two edits.
[[nodiscard]] std::string suggestion(const CLI::App& root, const CLI::App& app,
                                     std::string_view word) {
    const std::string flag(word.substr(0, word.find('=')));
    const auto closest = [&](const std::vector<std::string>& names) -> std::string {
        std::string best;
        std::size_t best_distance = 3;
        for (const std::string& name : names) {
            const std::size_t distance = edit_distance(flag, name);
            if (distance < best_distance) {
                best = name;
                best_distance = distance;
            }
        }
        return best;
    };
    if (std::string near = closest(long_names(app)); !near.empty()) {
        return fmt::format("; did you mean '{}'?", near);
    }
    for (const CLI::App* other : root.get_subcommands({})) {
        if (other == &app) {
            continue;
        }
        const std::vector<std::string> names = long_names(*other);
        if (std::find(names.begin(), names.end(), flag) != names.end() || !closest(names).empty()) {
            const std::string near = closest(names);
            return fmt::format("; '{}' is an option of 'raftsim {}'", near, other->get_name());
        }
    }
    return "";
}

// Extras CLI11 could not place: unknown options, or words where none belong.
void refuse_extras(const CLI::App& root, const CLI::App& app) {
    const std::vector<std::string> extras = app.remaining();
    if (extras.empty()) {
        return;
    }
    const std::string& word = extras.front();
    if (word.starts_with("-")) {
        throw UsageError{
            fmt::format("unknown option '{}'{}", terminal_safe(word), suggestion(root, app, word))};
    }
    throw UsageError{fmt::format("unexpected argument '{}'", terminal_safe(word))};
}

// CLI11's messages, in our words where theirs are obscure.
[[nodiscard]] std::string parse_error_text(const CLI::ParseError& error) {
    std::string text = error.what();
    const auto replace = [&text](std::string_view from, std::string_view to) {
        if (const std::size_t at = text.find(from); at != std::string::npos) {
            text.replace(at, from.size(), to);
        }
    };
    if (const std::size_t at = text.find(" was given a disallowed flag override");
        at != std::string::npos) {
        text = "--" + text.substr(0, at) + " takes no value";
    }
    if (const std::size_t at = text.find(": At Most 1 required but received ");
        at != std::string::npos) {
        text = text.substr(0, at) + " given more than once";
    }
    replace(" excludes ", " cannot be used with ");
    replace("1 required TEXT missing", "needs a value");
    return terminal_safe(text);
}

// ------------------------------------------------------------- subcommands

/// Options every command that runs scenarios has: the per-run limits.
struct LimitTexts {
    Text events;
    Text simulated_time;
    Text steps;
    Text requests;
    /// Bound at parse time, like RunTexts::no_progress.
    bool black_box = false;
};

CLI::Option* flag(CLI::App& app, const std::string& name, bool& value, const std::string& help) {
    return app.add_flag(name, value, help)->disable_flag_override();
}

void define_limits(CLI::App& app, LimitTexts& texts) {
    flag(app, "--black-box", texts.black_box,
         "the core's own assertions are counted and let pass: only the checkers can fail a "
         "run (checks.black_box)");
    app.add_option("--max-events", texts.events,
                   "per-run limit on simulator events (replaces the scenario's limits.events)");
    app.add_option("--max-sim-time", texts.simulated_time,
                   "per-run limit on simulated time, e.g. 6h (limits.simulated_time)");
    app.add_option("--max-steps", texts.steps,
                   "per-run limit on scenario steps run (limits.steps)");
    app.add_option("--max-requests", texts.requests,
                   "per-run limit on client requests (limits.requests)");
}

// --history-max-steps, for run and replay (commands.hpp says why it is not
// one of the limits above).
void define_history_steps(CLI::App& app, Text& text) {
    app.add_option("--history-max-steps", text,
                   fmt::format("cap the clients' linearizability check at N search steps per key "
                               "(default {}); a history it cannot decide within them is reported "
                               "unknown, not failed",
                               sim::CheckLimits{}.max_steps));
}

[[nodiscard]] std::optional<std::uint64_t> read_history_steps(const Text& text) {
    if (text.empty()) {
        return std::nullopt;
    }
    return read_number(text, "--history-max-steps", 1, max_history_steps);
}

/// --sut as given: the name, and its option, which says whether it was
/// given at all (`--sut ""` is a usage error, not the default).
struct SystemText {
    Text name;
    CLI::Option* option = nullptr;
};

void define_system(CLI::App& app, SystemText& text, std::string_view default_text) {
    text.option = app.add_option(
        "--sut", text.name,
        fmt::format("the system under test: {} (default {}; raftsim run --list-suts)",
                    sut::system_names(), default_text));
}

// The system named, nullptr when --sut was not given, or a usage error
// listing the systems this build has.
[[nodiscard]] const sut::System* read_system(const SystemText& text) {
    if (text.option == nullptr || text.option->count() == 0) {
        return nullptr;
    }
    if (const sut::System* system = sut::find_system(text.name)) {
        return system;
    }
    std::string message = fmt::format("--sut needs a system this build has ({}), got '{}'",
                                      sut::system_names(), terminal_safe(text.name));
    if (text.name == "canonical") {
        message +=
            "\nthis build has no canonical/raft adapter: install libraft-dev and reconfigure "
            "with -Dcanonical=enabled";
    }
    throw UsageError{message};
}

// Each within what a scenario file may say (scenarios::LimitsSpec), since
// the limits are written into the artifact's scenario.json.
[[nodiscard]] LimitOverrides read_limits(const LimitTexts& texts) {
    using Spec = scenarios::LimitsSpec;
    LimitOverrides limits;
    limits.black_box = texts.black_box;
    if (!texts.events.empty()) {
        limits.events = read_number(texts.events, "--max-events", 1, Spec::max_events);
    }
    if (!texts.simulated_time.empty()) {
        limits.simulated_us = read_duration_us(texts.simulated_time, "--max-sim-time");
        if (*limits.simulated_us > Spec::max_simulated_time_us) {
            throw UsageError{"--max-sim-time is at most 1000h"};
        }
    }
    if (!texts.steps.empty()) {
        limits.steps = read_number(texts.steps, "--max-steps", 1, Spec::max_steps);
    }
    if (!texts.requests.empty()) {
        limits.requests = read_number(texts.requests, "--max-requests", 1, Spec::max_requests);
    }
    return limits;
}

struct RunTexts {
    Text seed;
    Text seeds;
    Text shard;
    Text jobs;
    Text per_signature;
    Text artifact_budget;
    Text timeout;
    Text history_max_steps;
    LimitTexts limits;
    SystemText system;
    /// --no-progress binds here: CLI11 writes a flag's variable when it
    /// parses, long after define_run has returned.
    bool no_progress = false;
};

void define_run(CLI::App& app, RunCommand& command, RunTexts& texts) {
    CLI::Option* paths = app.add_option("scenarios", command.paths,
                                        "scenario files, directories of *.json, or built-in "
                                        "names (default: the built-in suite)");
    CLI::Option* seed = app.add_option("--seed", texts.seed, "one seed");
    app.add_option("--seeds", texts.seeds, "a seed range A..B (default 1..20)")->excludes(seed);
    app.add_option("--shard", texts.shard, "run the I-th of N slices of the sweep (CI jobs)");
    app.add_option("--out", command.out_dir,
                   "where failure artifacts go (default raftsim-failures)");
    flag(app, "--fail-fast", command.fail_fast, "stop at the first failing run (in sweep order)");
    app.add_option("--fingerprints", command.fingerprints_path,
                   "write SCENARIO SEED FINGERPRINT per run, to compare builds");
    app.add_option("--junit", command.junit_path, "write JUnit XML (one test case per run)");
    app.add_option("--json", command.json_path, "write the JSON summary (docs/ci.md)");
    flag(app, "--no-progress", texts.no_progress, "never draw the progress line")
        ->each([&command](const std::string&) { command.progress = false; });
    flag(app, "--check-determinism", command.check_determinism,
         "run each seed twice and compare the traces record by record");
    flag(app, "--swarm", command.swarm, "run each seed's own generated scenario")->excludes(paths);
    app.add_option("--jobs,-j", texts.jobs, "worker processes (default: the machine's cores)");
    app.add_option("--artifacts-per-signature", texts.per_signature,
                   "full artifacts for the first N failures of each signature (default 3)");
    app.add_option("--artifact-budget", texts.artifact_budget,
                   "stop writing full artifacts past this total size (default 1G)");
    app.add_option("--timeout", texts.timeout,
                   "wall-clock backstop per run, e.g. 10m: abort it as inconclusive (default off)");
    define_limits(app, texts.limits);
    define_history_steps(app, texts.history_max_steps);
    define_system(app, texts.system, "raftsim");
    flag(app, "--list-suts", command.list_systems,
         "list the systems under test this build has, with their capabilities, and exit")
        ->excludes(paths);
}

void finish_run(RunCommand& command, const RunTexts& texts) {
    constexpr std::uint64_t most = ~std::uint64_t{0};
    if (!texts.seed.empty()) {
        command.seed_first = command.seed_last = read_number(texts.seed, "--seed", 0, most);
    }
    if (!texts.seeds.empty()) {
        std::tie(command.seed_first, command.seed_last) =
            read_pair(texts.seeds, "..", "--seeds", "a range A..B");
        if (command.seed_first > command.seed_last) {
            throw UsageError{"--seeds A..B needs A <= B"};
        }
    }
    if (!texts.shard.empty()) {
        std::tie(command.shard_index, command.shard_count) =
            read_pair(texts.shard, "/", "--shard", "I/N");
        if (command.shard_count == 0 || command.shard_index == 0 ||
            command.shard_index > command.shard_count) {
            throw UsageError{"--shard I/N needs 1 <= I <= N"};
        }
    }
    command.jobs = read_jobs(texts.jobs);
    if (!texts.per_signature.empty()) {
        command.artifacts_per_signature =
            read_number(texts.per_signature, "--artifacts-per-signature", 0, 1'000'000);
    }
    if (!texts.artifact_budget.empty()) {
        command.artifact_budget_bytes = read_size(texts.artifact_budget, "--artifact-budget");
    }
    if (!texts.timeout.empty()) {
        command.timeout_seconds =
            static_cast<double>(read_duration_us(texts.timeout, "--timeout")) / 1e6;
    }
    command.limits = read_limits(texts.limits);
    command.history_max_steps = read_history_steps(texts.history_max_steps);
    command.system = read_system(texts.system);
    if (command.out_dir.empty()) {
        throw UsageError{"--out needs a directory"};
    }
}

/// What replay and shrink work on, as given.
struct TargetTexts {
    Text seed;
    LimitTexts limits;
    SystemText system;
};

template <typename Command>
void define_target(CLI::App& app, Command& command, TargetTexts& texts) {
    CLI::Option* target = app.add_option("target", command.target,
                                         "an artifact directory, or a scenario with --seed");
    app.add_option("--seed", texts.seed, "the seed to run the scenario with");
    app.add_option("--fuzz-input", command.fuzz_input, "a fuzz_cluster input (crash file)")
        ->excludes(target);
    app.add_option("--out", command.out_dir, "where to write the result as an artifact");
    define_limits(app, texts.limits);
    define_system(app, texts.system, "an artifact's own, else raftsim");
}

template <typename Command>
void finish_target(Command& command, const TargetTexts& texts, std::string_view verb) {
    if (!texts.seed.empty()) {
        command.has_seed = true;
        command.seed = read_number(texts.seed, "--seed", 0, ~std::uint64_t{0});
    }
    if (command.target.empty() == command.fuzz_input.empty()) {
        throw UsageError{fmt::format(
            "{} needs one of: an artifact directory, a scenario with --seed, --fuzz-input", verb)};
    }
    if (command.has_seed && !command.fuzz_input.empty()) {
        throw UsageError{"--seed cannot be used with --fuzz-input (the input names its seed)"};
    }
    command.limits = read_limits(texts.limits);
    command.system = read_system(texts.system);
}

struct ReplayTexts {
    TargetTexts target;
    Text last;
    Text around;
    Text history_max_steps;
};

void define_replay(CLI::App& app, ReplayCommand& command, ReplayTexts& texts) {
    define_target(app, command, texts.target);
    CLI::Option* last =
        app.add_option("--last", texts.last, "the N events before the violation (default 40)");
    CLI::Option* around = app.add_option("--around", texts.around,
                                         "N events each side of the violation (or the end)");
    around->excludes(last);
    flag(app, "--all", command.all, "the whole timeline")->excludes(last)->excludes(around);
    app.add_option("--html", command.html_out, "write a self-contained space-time diagram");
    app.add_option("--trace-out", command.trace_out, "write the whole trace");
    app.add_option("--trace-format", command.trace_format, "jsonl (default) or chrome (Perfetto)")
        ->check(CLI::IsMember({"jsonl", "chrome"}));
    define_history_steps(app, texts.history_max_steps);
}

void finish_replay(ReplayCommand& command, const ReplayTexts& texts) {
    finish_target(command, texts.target, "replay");
    constexpr std::uint64_t most_records = 1ULL << 40U;
    if (!texts.last.empty()) {
        command.last = read_number(texts.last, "--last", 0, most_records);
    }
    if (!texts.around.empty()) {
        command.around = read_number(texts.around, "--around", 0, most_records);
    }
    command.history_max_steps = read_history_steps(texts.history_max_steps);
}

struct ShrinkTexts {
    TargetTexts target;
    Text budget;
    Text max_runs;
    Text seed_sweep;
    Text seeds_to_try;
    Text jobs;
    /// As RunTexts::no_progress: it must outlive define_shrink.
    bool no_progress = false;
};

void define_shrink(CLI::App& app, ShrinkCommand& command, ShrinkTexts& texts) {
    define_target(app, command, texts.target);
    app.add_option("--budget", texts.budget, "wall-clock budget, e.g. 90s or 5m (default 300s)");
    app.add_option("--max-runs", texts.max_runs,
                   "at most N candidate runs (default 100000; the same result on any machine)");
    CLI::Option* sweep = app.add_option("--seed-sweep", texts.seed_sweep,
                                        "runs for scaled-down copies on seeds 1, 2, ... (5000)");
    CLI::Option* tries =
        app.add_option("--seeds-to-try", texts.seeds_to_try, "next seeds tried per pass (8)");
    flag(app, "--keep-seed", command.keep_seed, "never try another seed")
        ->excludes(sweep)
        ->excludes(tries);
    flag(app, "--no-progress", texts.no_progress, "no progress lines on stderr")
        ->each([&command](const std::string&) { command.progress = false; });
    app.add_option("--jobs,-j", texts.jobs,
                   "worker processes for candidate runs (default: the machine's cores; the "
                   "result is the same with any number)");
}

void finish_shrink(ShrinkCommand& command, const ShrinkTexts& texts) {
    finish_target(command, texts.target, "shrink");
    if (!texts.budget.empty()) {
        command.budget_seconds =
            static_cast<double>(read_duration_us(texts.budget, "--budget")) / 1e6;
    }
    if (!texts.max_runs.empty()) {
        command.max_runs = read_number(texts.max_runs, "--max-runs", 1, ~std::uint64_t{0});
    }
    if (!texts.seed_sweep.empty()) {
        command.seed_sweep = read_number(texts.seed_sweep, "--seed-sweep", 0, 100'000'000);
    }
    if (!texts.seeds_to_try.empty()) {
        command.seeds_to_try = read_number(texts.seeds_to_try, "--seeds-to-try", 0, 1'000'000);
    }
    command.jobs = read_jobs(texts.jobs);
}

// ------------------------------------------------------------------- main

constexpr std::string_view footer =
    "Exit status: 0 passed (runs the --sut cannot run are skipped, not failed);\n"
    "1 a check failed (a violation, limit/..., crash/...); 2 bad input or usage;\n"
    "3 replay did not reproduce; 4 a run was aborted by --timeout and nothing\n"
    "failed (inconclusive); 130/143 interrupted by SIGINT/SIGTERM (partial\n"
    "reports written). See docs/ci.md.";

// With no subcommand, raftsim runs: `raftsim --seeds 1..5` is `raftsim run
// --seeds 1..5`.
[[nodiscard]] std::vector<std::string> with_subcommand(int argc, char** argv) {
    std::vector<std::string> words(argv + 1, argv + argc);
    const bool named =
        !words.empty() &&
        (std::find(subcommand_names.begin(), subcommand_names.end(), words.front()) !=
             subcommand_names.end() ||
         words.front() == "help" || words.front() == "--help" || words.front() == "-h");
    if (!named) {
        words.insert(words.begin(), "run");
    }
    return words;
}

int usage_error(const CLI::App* app, std::string_view message) {
    const std::string command = app == nullptr ? "raftsim" : "raftsim " + app->get_name();
    fmt::print(stderr, "{}: {}\nRun '{} --help' for its options.\n", command, message, command);
    return exit_usage;
}

// `raftsim help [COMMAND]`.
int print_help(const CLI::App& root, const std::vector<std::string>& words) {
    if (words.size() > 1) {
        for (const CLI::App* sub : root.get_subcommands({})) {
            if (sub->get_name() == words[1]) {
                fmt::print("{}", sub->help("raftsim"));
                return exit_passed;
            }
        }
        return usage_error(nullptr, fmt::format("no command '{}'", terminal_safe(words[1])));
    }
    fmt::print("{}", root.help());
    return exit_passed;
}

/// Every subcommand, its options as given, and its CLI11 definition.
struct CommandLine {
    CLI::App root{"raftsim: deterministic simulation and fuzz testing for Raft.", "raftsim"};
    RunCommand run;
    RunTexts run_texts;
    ReplayCommand replay;
    ReplayTexts replay_texts;
    ShrinkCommand shrink;
    ShrinkTexts shrink_texts;
    BenchCommand bench;
    Text bench_seeds;
    SystemText bench_system;
    CheckCommand check;
    MergeCommand merge;
    CLI::App* run_app = nullptr;
    CLI::App* replay_app = nullptr;
    CLI::App* shrink_app = nullptr;
    CLI::App* bench_app = nullptr;
    CLI::App* check_app = nullptr;
    CLI::App* merge_app = nullptr;

    CommandLine() {
        root.footer(std::string(footer));
        root.require_subcommand(1);
        run_app = root.add_subcommand(
            "run", "Sweep scenarios over seeds; write an artifact per failure (the default).");
        define_run(*run_app, run, run_texts);
        replay_app = root.add_subcommand(
            "replay", "Re-run an artifact or a scenario and seed bit for bit and show the run.");
        define_replay(*replay_app, replay, replay_texts);
        shrink_app = root.add_subcommand(
            "shrink", "Minimize a failing run while the same failure still occurs.");
        define_shrink(*shrink_app, shrink, shrink_texts);
        bench_app =
            root.add_subcommand("bench", "Events/s, seeds/s and peak memory on fixed workloads.");
        bench_app->add_option("--seeds", bench_seeds, "seeds per workload (default 5)");
        define_system(*bench_app, bench_system, "raftsim");
        check_app = root.add_subcommand("check", "Parse and validate scenario files.");
        check_app->add_option("scenarios", check.paths, "scenario files")->required();
        merge_app =
            root.add_subcommand("merge", "Combine the JSON reports of a sharded sweep's shards.");
        merge_app->add_option("shards", merge.inputs, "each shard's --json report")->required();
        merge_app->add_option("--json", merge.json_path, "the merged JSON summary")->required();
        merge_app->add_option("--junit", merge.junit_path, "the merged JUnit XML");
        harden();
    }

    // Every subcommand: unknown words come back as extras (for suggestions),
    // an option given twice is an error, positional lists take any number.
    void harden() {
        for (CLI::App* sub : root.get_subcommands({})) {
            sub->allow_extras();
            sub->footer(std::string(footer));
            for (CLI::Option* option : sub->get_options()) {
                if (option->get_name() != "--help") {
                    option->multi_option_policy(CLI::MultiOptionPolicy::Throw);
                }
            }
        }
        for (CLI::Option* list :
             {run_app->get_option("scenarios"), check_app->get_option("scenarios"),
              merge_app->get_option("shards")}) {
            list->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
        }
    }

    // The parsed subcommand, run.
    [[nodiscard]] int dispatch() {
        if (run_app->parsed()) {
            finish_run(run, run_texts);
            return run.list_systems ? list_systems_command() : run_command(run);
        }
        if (replay_app->parsed()) {
            finish_replay(replay, replay_texts);
            return replay_command(replay);
        }
        if (shrink_app->parsed()) {
            finish_shrink(shrink, shrink_texts);
            return shrink_command(shrink);
        }
        if (bench_app->parsed()) {
            if (!bench_seeds.empty()) {
                bench.seeds = read_number(bench_seeds, "--seeds", 1, 1'000'000);
            }
            bench.system = read_system(bench_system);
            return bench_command(bench);
        }
        if (check_app->parsed()) {
            return check_command(check);
        }
        RAFT_ASSERT(merge_app->parsed());
        return merge_command(merge);
    }
};

}  // namespace

int cli_main(int argc, char** argv) {
    CommandLine line;
    std::vector<std::string> words = with_subcommand(argc, argv);
    if (words.front() == "help") {
        return print_help(line.root, words);
    }
    std::reverse(words.begin(), words.end());  // CLI11 takes them last first
    const CLI::App* current = nullptr;
    try {
        line.root.parse(words);
        for (CLI::App* sub : line.root.get_subcommands()) {
            current = sub;
            refuse_extras(line.root, *sub);
        }
        return line.dispatch();
    } catch (const CLI::CallForHelp&) {
        const std::vector<CLI::App*> chosen = line.root.get_subcommands();
        fmt::print("{}", chosen.empty() ? line.root.help() : chosen.front()->help("raftsim"));
        return exit_passed;
    } catch (const CLI::ParseError& error) {
        const std::vector<CLI::App*> chosen = line.root.get_subcommands();
        return usage_error(chosen.empty() ? nullptr : chosen.front(), parse_error_text(error));
    } catch (const UsageError& error) {
        return usage_error(current, error.message);
    }
}

}  // namespace raftsim::replay
