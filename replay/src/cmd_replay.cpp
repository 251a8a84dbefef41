// raftsim replay: re-run an artifact (or a scenario and seed) bit for bit,
// check the fingerprint, and show the events leading to the end.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <span>

#include "artifact.hpp"
#include "commands.hpp"
#include "raftsim/fuzz/cluster_case.hpp"
#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/write.hpp"
#include "suite.hpp"
#include "timeline.hpp"

namespace raftsim::replay {
namespace {

struct Target {
    LoadedScenario loaded;
    std::uint64_t seed = 0;
    std::optional<ArtifactManifest> manifest;
};

// A fuzz_cluster input decodes to the scenario and seed the fuzzer ran.
[[nodiscard]] std::optional<Target> decode_fuzz_input(const std::string& path) {
    const std::optional<std::string> bytes = read_file(path);
    if (!bytes.has_value()) {
        fmt::print(stderr, "raftsim: {}: cannot read file\n", path);
        return std::nullopt;
    }
    fuzz::ClusterCase decoded = fuzz::decode_cluster_case(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()));
    decoded.scenario.name = "fuzz-" + std::filesystem::path(path).filename().string();
    decoded.scenario.source_path = path;
    Target target;
    target.loaded.text = scenarios::scenario_to_json(decoded.scenario);
    target.loaded.scenario = std::move(decoded.scenario);
    target.seed = decoded.seed;
    return target;
}

[[nodiscard]] std::optional<Target> resolve_target(const ReplayCommand& command) {
    if (!command.fuzz_input.empty()) {
        return decode_fuzz_input(command.fuzz_input);
    }
    Target target;
    std::string error;
    if (!command.has_seed) {
        target.manifest = read_artifact(command.target, error);
        if (!target.manifest.has_value()) {
            fmt::print(stderr, "raftsim: {}\n", error);
            return std::nullopt;
        }
        scenarios::ParseResult parsed = scenarios::parse_scenario(
            target.manifest->scenario_text, command.target + "/scenario.json");
        if (parsed.error.has_value()) {
            fmt::print(stderr, "raftsim: {}\n", parsed.error->to_string());
            return std::nullopt;
        }
        target.loaded = {.scenario = std::move(*parsed.scenario),
                         .text = target.manifest->scenario_text};
        target.seed = target.manifest->seed;
        return target;
    }
    LoadResult loaded = load_scenarios({command.target});
    if (loaded.error.has_value() || loaded.scenarios.size() != 1) {
        fmt::print(stderr, "raftsim: {}\n",
                   loaded.error.has_value() ? loaded.error->to_string()
                                            : command.target + ": expected one scenario");
        return std::nullopt;
    }
    target.loaded = std::move(loaded.scenarios.front());
    target.seed = command.seed;
    return target;
}

// Whether the re-run reproduced the artifact: same fingerprint, same breach.
[[nodiscard]] bool check_reproduction(const ArtifactManifest& manifest,
                                      const scenarios::RunResult& result) {
    const bool same_fingerprint = manifest.fingerprint == result.fingerprint;
    const std::string checker =
        result.violation.has_value() ? std::string(sim::to_string(result.violation->checker)) : "";
    const std::string kind = result.violation.has_value() ? result.violation->kind : "";
    const bool same_violation = checker == manifest.checker && kind == manifest.kind;
    fmt::print("fingerprint: {:016x} {} (artifact {:016x}, built by {}, now {})\n",
               result.fingerprint, same_fingerprint ? "MATCHES" : "DIFFERS", manifest.fingerprint,
               manifest.build, build_id());
    if (!same_violation) {
        fmt::print("violation DIFFERS: artifact had {}/{}, re-run has {}/{}\n", manifest.checker,
                   manifest.kind, checker.empty() ? "none" : checker, kind);
    }
    return same_fingerprint && same_violation;
}

}  // namespace

int replay_command(const ReplayCommand& command) {
    std::optional<Target> target = resolve_target(command);
    if (!target.has_value()) {
        return exit_usage;
    }
    const scenarios::RunResult result = scenarios::run_scenario(
        target->loaded.scenario, {.seed = target->seed, .keep_trace = true});
    fmt::print("scenario {} seed {}: {} after {:.6f}s simulated, {} trace records\n",
               target->loaded.scenario.name, target->seed, result.passed ? "passed" : "FAILED",
               result.simulated_us / 1e6, result.trace_records);
    bool reproduced = true;
    if (target->manifest.has_value()) {
        reproduced = check_reproduction(*target->manifest, result);
    } else {
        fmt::print("fingerprint: {:016x}\n", result.fingerprint);
    }
    fmt::print("\n{}", timeline_tail(result, command.last));
    if (result.violation.has_value()) {
        const sim::Violation& violation = *result.violation;
        fmt::print("\nviolation: {}/{} at {:.6f}s\n  {}\n", sim::to_string(violation.checker),
                   violation.kind, violation.time / 1e6, violation.detail);
    }
    if (!command.trace_out.empty()) {
        std::ofstream out(command.trace_out, std::ios::binary);
        out << render_jsonl(result.simulation->trace().records(), node_names(*result.simulation));
    }
    if (!command.out_dir.empty()) {
        const std::string error =
            write_artifact(command.out_dir, target->loaded, target->seed, result);
        if (!error.empty()) {
            fmt::print(stderr, "raftsim: could not write {}: {}\n", command.out_dir, error);
            return exit_usage;
        }
        fmt::print(
            "\nartifact: {}\n  scenario: {}/scenario.json (run it with --seed {})\n"
            "  replay:   raftsim replay {}\n",
            command.out_dir, command.out_dir, target->seed, command.out_dir);
    }
    if (!reproduced) {
        return exit_failed;
    }
    return result.passed ? exit_passed : exit_failed;
}

}  // namespace raftsim::replay
