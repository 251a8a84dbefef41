// Resolving what replay and shrink work on (target.hpp).
#include "input/target.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <span>

#include "raftsim/core/assert.hpp"
#include "raftsim/fuzz/cluster_case.hpp"
#include "raftsim/scenarios/write.hpp"
#include "raftsim/sut/registry.hpp"
#include "text/escape.hpp"

namespace raftsim::replay {
namespace {

// "fuzz-" and the input's file name, reduced to what a scenario name may
// hold (it names directories): other characters become '_', and it is cut
// to the longest name allowed.
[[nodiscard]] std::string fuzz_scenario_name(const std::string& path) {
    constexpr std::size_t max_name_length = 64;
    std::string name = "fuzz-" + std::filesystem::path(path).filename().string();
    for (char& c : name) {
        const bool alnum =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        c = alnum || c == '_' || c == '.' || c == '-' ? c : '_';
    }
    name.resize(std::min(name.size(), max_name_length));
    RAFT_ASSERT(name.starts_with("fuzz-"));
    return name;
}

// A fuzz_cluster input decodes to the scenario and seed the fuzzer ran.
[[nodiscard]] std::optional<Target> decode_fuzz_input(const std::string& path,
                                                      const sut::System& system) {
    const FileText file = read_file(path);
    if (!file.text.has_value()) {
        fmt::print(stderr, "raftsim: {}: cannot read the fuzz input: {}\n", terminal_safe(path),
                   file.problem);
        return std::nullopt;
    }
    const std::string* bytes = &*file.text;
    // Decoded for the system, as its fuzzer decodes it (cluster_case.hpp).
    fuzz::ClusterCase decoded = fuzz::decode_cluster_case(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes->data()),
                                      bytes->size()),
        fuzz::fuzz_limits, system.capabilities());
    decoded.scenario.name = fuzz_scenario_name(path);
    decoded.scenario.source_path = path;
    Target target;
    target.loaded.text = scenarios::scenario_to_json(decoded.scenario);
    target.loaded.scenario = std::move(decoded.scenario);
    target.seed = decoded.seed;
    return target;
}

// The system an artifact names, which must be in this build and agree
// with --sut if that was given; nullptr (after saying why) otherwise.
[[nodiscard]] const sut::System* artifact_system(const TargetSpec& command,
                                                 const ArtifactManifest& manifest) {
    const sut::System* recorded = sut::find_system(manifest.sut);
    if (recorded == nullptr) {
        fmt::print(stderr,
                   "raftsim: {} was made with the system '{}', which this build lacks ({})\n",
                   terminal_safe(command.target), terminal_safe(manifest.sut), sut::system_names());
        if (manifest.sut == "canonical") {
            fmt::print(stderr,
                       "this build has no canonical/raft adapter: install libraft-dev and "
                       "reconfigure with -Dcanonical=enabled\n");
        }
        return nullptr;
    }
    if (command.system != nullptr && command.system != recorded) {
        fmt::print(stderr,
                   "raftsim: --sut {} disagrees with {}, which was made with --sut {}: leave "
                   "--sut out to replay it as made\n",
                   command.system->name(), terminal_safe(command.target), recorded->name());
        return nullptr;
    }
    return recorded;
}

std::optional<Target> load_target(const TargetSpec& command) {
    const sut::System& chosen = sut::system_or_default(command.system);
    if (!command.fuzz_input.empty()) {
        std::optional<Target> target = decode_fuzz_input(command.fuzz_input, chosen);
        if (target.has_value()) {
            target->system = &chosen;
        }
        return target;
    }
    Target target;
    std::string error;
    if (!command.has_seed) {
        target.manifest = read_artifact(command.target, error);
        if (!target.manifest.has_value()) {
            fmt::print(stderr, "raftsim: {}\n", terminal_safe(error));
            return std::nullopt;
        }
        scenarios::ParseResult parsed = scenarios::parse_scenario(
            target.manifest->scenario_text, command.target + "/scenario.json");
        if (parsed.error.has_value()) {
            fmt::print(stderr, "raftsim: {}\n", terminal_safe(parsed.error->to_string()));
            return std::nullopt;
        }
        target.loaded = {.scenario = std::move(*parsed.scenario),
                         .text = target.manifest->scenario_text};
        target.seed = target.manifest->seed;
        target.system = artifact_system(command, *target.manifest);
        return target.system != nullptr ? std::optional(std::move(target)) : std::nullopt;
    }
    LoadResult loaded = load_scenarios({command.target}, chosen.capabilities());
    if (loaded.error.has_value() || loaded.scenarios.size() != 1) {
        fmt::print(
            stderr, "raftsim: {}\n",
            terminal_safe(loaded.error.has_value() ? loaded.error->to_string()
                                                   : command.target + ": expected one scenario"));
        return std::nullopt;
    }
    target.loaded = std::move(loaded.scenarios.front());
    target.seed = command.seed;
    target.system = &chosen;
    return target;
}

}  // namespace

std::optional<Target> resolve_target(const TargetSpec& spec) {
    std::optional<Target> target = load_target(spec);
    if (target.has_value()) {
        apply_limit_overrides(target->loaded, spec.limits);
    }
    return target;
}

}  // namespace raftsim::replay
