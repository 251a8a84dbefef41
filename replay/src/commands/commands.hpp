#pragma once
// The raftsim subcommands. Each returns the process exit status; the table
// of every status is in docs/ci.md ("Exit status").

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "input/limits.hpp"
#include "raftsim/core/assert.hpp"
#include "raftsim/sut/registry.hpp"
#include "raftsim/sut/system.hpp"

namespace raftsim::replay {

/// Every run passed (replay: the run passed, as its artifact recorded).
inline constexpr int exit_passed = 0;
/// A check failed: a violation, a limit (`limit/...`), a worker that died
/// on a signal (`crash/...`); replay: the artifact's failure reproduced.
inline constexpr int exit_failed = 1;
/// Bad input or usage; nothing ran (or, for an output, nothing was lost).
inline constexpr int exit_usage = 2;
/// replay: the re-run did not reproduce the artifact (another fingerprint
/// or another violation) -- a different build, or a harness bug.
inline constexpr int exit_not_reproduced = 3;
/// The wall-clock backstop (--timeout) aborted a run and nothing failed:
/// inconclusive, never a pass and never a failure.
inline constexpr int exit_aborted = 4;
// An interrupted sweep or shrink exits 128 + the signal (130 for SIGINT,
// 143 for SIGTERM), after writing what it has (workers/signals.hpp).

struct RunCommand {
    std::vector<std::string> paths;
    /// The system under test (`--sut`; nullptr: raftsim's own core). A
    /// scenario it cannot run is skipped with the reason.
    const sut::System* system = nullptr;
    /// `--list-suts`: print the systems this build has, run nothing.
    bool list_systems = false;
    std::uint64_t seed_first = 1;
    std::uint64_t seed_last = 20;
    /// Run only the (scenario, seed) pairs whose position modulo
    /// shard_count is shard_index - 1 (1-based, as CI matrices count).
    std::uint64_t shard_index = 1;
    std::uint64_t shard_count = 1;
    std::string out_dir = "raftsim-failures";
    /// Stop at the first failing run (mutation testing, bisecting).
    bool fail_fast = false;
    /// If set, "SCENARIO SEED FINGERPRINT" per run is written here, so two
    /// builds (g++ and clang++) can be compared run for run.
    std::string fingerprints_path;
    /// If set, JUnit XML (one test case per run) is written here, and the
    /// JSON summary of docs/ci.md to json_path.
    std::string junit_path;
    std::string json_path;
    /// Draw a progress line on stderr -- only ever when it is a terminal.
    bool progress = true;
    /// Run every (scenario, seed) twice and compare the traces record by
    /// record; a divergence is a failure of checker "determinism".
    bool check_determinism = false;
    /// Run fuzz::swarm_scenario(seed) for each seed instead of `paths`
    /// (which must then be empty).
    bool swarm = false;
    /// Worker processes (workers/pool.hpp); the results do not depend on it.
    std::size_t jobs = 1;
    LimitOverrides limits;
    /// Full artifacts for the first this-many failures of each signature
    /// (by position in the sweep); later ones get a one-line record.
    std::uint64_t artifacts_per_signature = 3;
    /// No more full artifacts once those written reach this many bytes.
    std::uint64_t artifact_budget_bytes = std::uint64_t{1} << 30U;
    /// The wall-clock backstop: a run still going after this many seconds
    /// is killed and reported aborted (inconclusive). Off by default; not
    /// deterministic, so it never decides a pass or a failure.
    std::optional<double> timeout_seconds;
    /// --history-max-steps: the linearizability check's search steps per
    /// key (history_limits). Not one of `limits`, which are written into
    /// the scenario: a cap cannot fail a run, only leave its check
    /// undecided (unknown), and a failure found under a lower cap is the
    /// same failure -- checker, kind, fingerprint -- under the default, so
    /// an artifact replays without it.
    std::optional<std::uint64_t> history_max_steps{};
};

struct ReplayCommand {
    /// An artifact directory, or a scenario (file or built-in name) with `seed`.
    std::string target;
    /// `--sut` as given (nullptr: not given -- an artifact's own system, or
    /// raftsim's core). Given with an artifact, it must be the artifact's.
    const sut::System* system = nullptr;
    bool has_seed = false;
    std::uint64_t seed = 0;
    /// How many events before the violation (or the end) to print.
    std::size_t last = 40;
    /// If set: print this many records on each side of the violation (or
    /// the end) instead of `last` before it.
    std::optional<std::size_t> around;
    /// Print the whole timeline (golden transcripts).
    bool all = false;
    /// If set, the trace is written there as `trace_format`: "jsonl" (one
    /// JSON object per record) or "chrome" (Chrome trace events, Perfetto).
    std::string trace_out;
    std::string trace_format = "jsonl";
    /// If set, a self-contained HTML space-time diagram is written there.
    std::string html_out;
    /// A fuzz_cluster input (a libFuzzer crash file): decoded into the run
    /// the fuzzer made, instead of `target`.
    std::string fuzz_input;
    /// If set, the run is written there as an artifact (scenario.json, the
    /// timeline, run.json with the seed), so it can be kept and replayed.
    std::string out_dir;
    LimitOverrides limits;
    /// As RunCommand::history_max_steps.
    std::optional<std::uint64_t> history_max_steps{};
};

struct ShrinkCommand {
    /// An artifact directory, or a scenario (file or built-in name) with `seed`.
    std::string target;
    /// As ReplayCommand::system.
    const sut::System* system = nullptr;
    bool has_seed = false;
    std::uint64_t seed = 0;
    /// A fuzz_cluster input, decoded into its run, instead of `target`.
    std::string fuzz_input;
    /// Where the shrunk artifact goes; default TARGET-shrunk (or
    /// raftsim-shrunk/NAME-seedN for a scenario or fuzz input).
    std::string out_dir;
    /// Wall-clock budget in seconds and a cap on candidate runs; the search
    /// stops at whichever comes first and keeps the smallest failure so far.
    /// Only the run cap gives the same result on every machine.
    double budget_seconds = 300;
    std::uint64_t max_runs = 100000;
    /// Also try this many following seeds per pass (0: keep the seed).
    std::uint64_t seeds_to_try = 8;
    /// Runs for scaled-down versions on seeds 1, 2, ... (shrink.hpp).
    std::uint64_t seed_sweep = 5000;
    /// Seeds a change to the whole run is tried on (shrink.hpp).
    std::uint64_t seeds_per_change = 512;
    /// --keep-seed: no other seed at all (the three above count as 0).
    bool keep_seed = false;
    /// Draw progress on stderr (one line per accepted reduction).
    bool progress = true;
    /// Worker processes for candidate runs; the result does not depend on it.
    std::size_t jobs = 1;
    LimitOverrides limits;
};

/// raftsim check: scenario files (or directories, built-in names) to parse
/// and validate without running them.
struct CheckCommand {
    std::vector<std::string> paths;
};

struct BenchCommand {
    std::uint64_t seeds = 5;
    /// As RunCommand::system.
    const sut::System* system = nullptr;
};

/// raftsim merge: the JSON reports of a sharded sweep's shards, combined.
struct MergeCommand {
    std::vector<std::string> inputs;
    std::string json_path;
    std::string junit_path;
};

[[nodiscard]] int run_command(const RunCommand& command);
/// raftsim run --list-suts: each system this build has, with its contract.
[[nodiscard]] int list_systems_command();
[[nodiscard]] int replay_command(const ReplayCommand& command);
[[nodiscard]] int shrink_command(const ShrinkCommand& command);
[[nodiscard]] int bench_command(const BenchCommand& command);
[[nodiscard]] int check_command(const CheckCommand& command);
[[nodiscard]] int merge_command(const MergeCommand& command);

/// The whole command line: parses argv (CLI11, in cli/cli.cpp) and runs
/// the subcommand. Usage errors are exit_usage, never CLI11's own codes.
[[nodiscard]] int cli_main(int argc, char** argv);

}  // namespace raftsim::replay
