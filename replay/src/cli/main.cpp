// raftsim: deterministic simulation and fuzz testing for Raft.
#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "commands/commands.hpp"

namespace {

using raftsim::replay::exit_usage;

constexpr std::string_view usage_text =
    "usage:\n"
    "  raftsim [run] [SCENARIO... | --swarm] [--seed N | --seeds A..B] [--shard I/N]\n"
    "              [--out DIR] [--fail-fast] [--fingerprints FILE] [--junit FILE]\n"
    "              [--json FILE] [--no-progress] [--check-determinism]\n"
    "      Run scenarios (files, directories of *.json, or built-in names; the\n"
    "      built-in suite when none is given) over seeds (default 1..20).\n"
    "      A failure writes an artifact under DIR (default raftsim-failures)\n"
    "      and prints the command that replays it; failures are grouped by\n"
    "      signature at the end. --shard I/N runs the I-th of N slices (CI\n"
    "      jobs). --fingerprints writes each run's trace fingerprint, to\n"
    "      compare builds. --junit and --json write JUnit XML and a JSON\n"
    "      summary (docs/ci.md). A progress line is drawn on stderr when it is\n"
    "      a terminal, unless --no-progress. --check-determinism runs each\n"
    "      seed twice and reports the first trace record where the runs differ.\n"
    "      --swarm runs each seed's own generated scenario (faults drawn per seed).\n"
    "  raftsim replay ARTIFACT-DIR [VIEW...]\n"
    "  raftsim replay SCENARIO --seed N [VIEW...]\n"
    "  raftsim replay --fuzz-input FILE [--out DIR] [VIEW...]\n"
    "      Re-run bit for bit, check the fingerprint, and show the run. VIEW:\n"
    "      --last N       the N events before the violation (default 40)\n"
    "      --around N     N events each side of the violation (or the end)\n"
    "      --all          the whole timeline\n"
    "      --html FILE    a self-contained space-time diagram (any browser)\n"
    "      --trace-out FILE [--trace-format jsonl|chrome]  the whole trace, as\n"
    "                     JSON lines or Chrome trace events (Perfetto)\n"
    "      --fuzz-input decodes a fuzz_cluster input (a crash file) into the\n"
    "      same run; --out DIR writes it as an artifact with scenario.json.\n"
    "  raftsim shrink ARTIFACT-DIR | SCENARIO --seed N | --fuzz-input FILE\n"
    "              [--out DIR] [--budget 300s] [--max-runs N] [--seed-sweep N]\n"
    "              [--seeds-to-try N] [--keep-seed] [--no-progress]\n"
    "      Minimize a failing run while the same violation (checker and kind)\n"
    "      still occurs. First --seed-sweep runs (default 5000) on copies with\n"
    "      repeats and sleeps scaled down, on seeds 1, 2, ...; then spell out\n"
    "      loops and random choices, drop steps, faults and applies, shorten\n"
    "      sleeps, remove nodes, speed up timings, thin a fuzz input's message\n"
    "      faults; a change to the whole run is also tried on seeds 1..512, and\n"
    "      each pass tries the next --seeds-to-try seeds (default 8).\n"
    "      --keep-seed: no other seed. Deterministic; stops at the budget (wall\n"
    "      time, e.g. 90s or 5m) or after --max-runs runs (default 100000),\n"
    "      keeping the smallest failure. Writes an artifact to DIR (default\n"
    "      ARTIFACT-DIR-shrunk) whose scenario.json fails on its own with the\n"
    "      seed it names.\n"
    "  raftsim check SCENARIO...\n"
    "      Parse and validate scenario files without running them: 'ok FILE'\n"
    "      per scenario, or the error (file, JSON path, expectation) and exit 2.\n"
    "  raftsim bench [--seeds N]\n"
    "      NoIssueSanity and LeaderPartitions: events/s, seeds/s, peak memory.\n"
    "\n"
    "exit status: 0 all passed, 1 a check failed, 2 bad input or usage\n";

[[nodiscard]] std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

// "A..B" or "I/N": two numbers around a separator.
[[nodiscard]] bool parse_pair(std::string_view text, std::string_view separator,
                              std::uint64_t& first, std::uint64_t& second) {
    const std::size_t at = text.find(separator);
    if (at == std::string_view::npos) {
        return false;
    }
    const std::optional<std::uint64_t> a = parse_number(text.substr(0, at));
    const std::optional<std::uint64_t> b = parse_number(text.substr(at + separator.size()));
    if (!a.has_value() || !b.has_value()) {
        return false;
    }
    first = *a;
    second = *b;
    return true;
}

int usage_error(std::string_view message) {
    fmt::print(stderr, "raftsim: {}\n\n{}", message, usage_text);
    return exit_usage;
}

class Arguments {
  public:
    Arguments(int argc, char** argv) : items_(argv + 1, argv + argc) {}
    [[nodiscard]] bool done() const { return position_ >= items_.size(); }
    [[nodiscard]] std::string_view next() { return items_[position_++]; }
    [[nodiscard]] std::optional<std::string_view> value() {
        if (done()) {
            return std::nullopt;
        }
        return next();
    }
    [[nodiscard]] std::string_view peek() const { return done() ? "" : items_[position_]; }

  private:
    std::vector<std::string_view> items_;
    std::size_t position_ = 0;
};

// The run options that take no value; false if `flag` is not one of them.
bool parse_run_switch(std::string_view flag, raftsim::replay::RunCommand& command) {
    if (flag == "--fail-fast") {
        command.fail_fast = true;
    } else if (flag == "--no-progress") {
        command.progress = false;
    } else if (flag == "--check-determinism") {
        command.check_determinism = true;
    } else if (flag == "--swarm") {
        command.swarm = true;
    } else {
        return false;
    }
    return true;
}

// The run options that name a file or directory; false if `flag` is not one.
bool parse_run_path(std::string_view flag, std::string_view value,
                    raftsim::replay::RunCommand& command) {
    if (flag == "--out") {
        command.out_dir = std::string(value);
    } else if (flag == "--fingerprints") {
        command.fingerprints_path = std::string(value);
    } else if (flag == "--junit") {
        command.junit_path = std::string(value);
    } else if (flag == "--json") {
        command.json_path = std::string(value);
    } else {
        return false;
    }
    return true;
}

int main_run(Arguments& args) {
    raftsim::replay::RunCommand command;
    while (!args.done()) {
        const std::string_view flag = args.next();
        if (parse_run_switch(flag, command)) {
            continue;
        }
        if (!flag.starts_with("-")) {
            command.paths.emplace_back(flag);
            continue;
        }
        const std::optional<std::string_view> value = args.value();
        if (flag == "--seed" && value && parse_number(*value)) {
            command.seed_first = command.seed_last = *parse_number(*value);
        } else if (flag == "--seeds" && value &&
                   parse_pair(*value, "..", command.seed_first, command.seed_last)) {
            if (command.seed_first > command.seed_last) {
                return usage_error("--seeds A..B needs A <= B");
            }
        } else if (flag == "--shard" && value &&
                   parse_pair(*value, "/", command.shard_index, command.shard_count)) {
            if (command.shard_count == 0 || command.shard_index == 0 ||
                command.shard_index > command.shard_count) {
                return usage_error("--shard I/N needs 1 <= I <= N");
            }
        } else if (!value || !parse_run_path(flag, *value, command)) {
            return usage_error(fmt::format("bad or incomplete option '{}'", flag));
        }
    }
    if (command.swarm && !command.paths.empty()) {
        return usage_error("--swarm and scenario paths are exclusive");
    }
    return raftsim::replay::run_command(command);
}

// What replay and shrink work on (an artifact, a scenario with --seed, or
// --fuzz-input) and --out: false if `flag` is none of them.
template <typename Command>
bool parse_target_option(std::string_view flag, std::optional<std::string_view> value,
                         Command& command) {
    if (flag == "--seed" && value && parse_number(*value)) {
        command.has_seed = true;
        command.seed = *parse_number(*value);
    } else if (flag == "--fuzz-input" && value) {
        command.fuzz_input = std::string(*value);
    } else if (flag == "--out" && value) {
        command.out_dir = std::string(*value);
    } else if (!flag.starts_with("-") && command.target.empty()) {
        command.target = std::string(flag);
    } else {
        return false;
    }
    return true;
}

int main_replay(Arguments& args) {
    raftsim::replay::ReplayCommand command;
    while (!args.done()) {
        const std::string_view flag = args.next();
        if (flag == "--all") {
            command.all = true;
            continue;
        }
        const std::optional<std::string_view> value =
            flag.starts_with("--") ? args.value() : std::nullopt;
        if (parse_target_option(flag, value, command)) {
            continue;
        }
        if (flag == "--last" && value && parse_number(*value)) {
            command.last = *parse_number(*value);
        } else if (flag == "--around" && value && parse_number(*value)) {
            command.around = *parse_number(*value);
        } else if (flag == "--trace-out" && value) {
            command.trace_out = std::string(*value);
        } else if (flag == "--trace-format" && value && (*value == "jsonl" || *value == "chrome")) {
            command.trace_format = std::string(*value);
        } else if (flag == "--html" && value) {
            command.html_out = std::string(*value);
        } else {
            return usage_error(fmt::format("bad or incomplete option '{}'", flag));
        }
    }
    if (command.target.empty() == command.fuzz_input.empty()) {
        return usage_error("replay needs one of: an artifact directory, a scenario, --fuzz-input");
    }
    return raftsim::replay::replay_command(command);
}

// "90" or "90s" seconds, "5m" minutes.
[[nodiscard]] std::optional<double> parse_budget(std::string_view text) {
    double scale = 1;
    if (text.ends_with("s")) {
        text.remove_suffix(1);
    } else if (text.ends_with("m")) {
        text.remove_suffix(1);
        scale = 60;
    }
    const std::optional<std::uint64_t> number = parse_number(text);
    if (!number.has_value() || *number == 0) {
        return std::nullopt;
    }
    return static_cast<double>(*number) * scale;
}

int main_shrink(Arguments& args) {
    raftsim::replay::ShrinkCommand command;
    while (!args.done()) {
        const std::string_view flag = args.next();
        if (flag == "--no-progress") {
            command.progress = false;
            continue;
        }
        if (flag == "--keep-seed") {
            command.keep_seed = true;
            continue;
        }
        const std::optional<std::string_view> value =
            flag.starts_with("--") ? args.value() : std::nullopt;
        if (parse_target_option(flag, value, command)) {
            continue;
        }
        if (flag == "--seeds-to-try" && value && parse_number(*value)) {
            command.seeds_to_try = *parse_number(*value);
        } else if (flag == "--seed-sweep" && value && parse_number(*value)) {
            command.seed_sweep = *parse_number(*value);
        } else if (flag == "--budget" && value && parse_budget(*value)) {
            command.budget_seconds = *parse_budget(*value);
        } else if (flag == "--max-runs" && value && parse_number(*value).value_or(0) > 0) {
            command.max_runs = *parse_number(*value);
        } else {
            return usage_error(fmt::format("bad or incomplete option '{}'", flag));
        }
    }
    if (command.target.empty() == command.fuzz_input.empty()) {
        return usage_error("shrink needs one of: an artifact directory, a scenario, --fuzz-input");
    }
    return raftsim::replay::shrink_command(command);
}

int main_check(Arguments& args) {
    raftsim::replay::CheckCommand command;
    while (!args.done()) {
        const std::string_view word = args.next();
        if (word.starts_with("-")) {
            return usage_error(fmt::format("bad option '{}'", word));
        }
        command.paths.emplace_back(word);
    }
    if (command.paths.empty()) {
        return usage_error("check needs at least one scenario file");
    }
    return raftsim::replay::check_command(command);
}

int main_bench(Arguments& args) {
    raftsim::replay::BenchCommand command;
    while (!args.done()) {
        const std::string_view flag = args.next();
        const std::optional<std::string_view> value = args.value();
        if (flag == "--seeds" && value && parse_number(*value) && *parse_number(*value) > 0) {
            command.seeds = *parse_number(*value);
        } else {
            return usage_error(fmt::format("bad or incomplete option '{}'", flag));
        }
    }
    return raftsim::replay::bench_command(command);
}

}  // namespace

int main(int argc, char** argv) {
    // A sweep builds and frees the same large logs seed after seed. Keeping
    // freed memory in the heap (instead of returning it to the kernel and
    // faulting it back in) roughly halves the time per seed; see
    // docs/performance.md. Tuning only: it changes no decision of a run.
    mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
    Arguments args(argc, argv);
    const std::string_view command = args.peek();
    // Help anywhere (`raftsim replay --help` too) prints the usage and
    // succeeds: asking is not a usage error.
    const std::span<char*> words(argv, static_cast<std::size_t>(argc));
    const bool help_asked = std::any_of(words.begin() + 1, words.end(), [](const char* word) {
        return std::string_view(word) == "--help" || std::string_view(word) == "-h";
    });
    if (help_asked || command == "help") {
        fmt::print("{}", usage_text);
        return 0;
    }
    if (command == "replay" || command == "bench" || command == "run" || command == "shrink" ||
        command == "check") {
        static_cast<void>(args.next());
    }
    if (command == "replay") {
        return main_replay(args);
    }
    if (command == "shrink") {
        return main_shrink(args);
    }
    if (command == "bench") {
        return main_bench(args);
    }
    if (command == "check") {
        return main_check(args);
    }
    return main_run(args);
}
