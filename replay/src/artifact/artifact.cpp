#include "artifact/artifact.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "views/timeline.hpp"

#ifndef RAFTSIM_BUILD_ID
#define RAFTSIM_BUILD_ID "unknown"
#endif

namespace raftsim::replay {
namespace {

namespace fs = std::filesystem;

[[nodiscard]] bool write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    return static_cast<bool>(out);
}

std::string log_dump(const std::vector<core::Entry>& entries) {
    std::string out;
    for (const core::Entry& entry : entries) {
        out += fmt::format("{:8} t{:<4} {:<13} ", entry.index, entry.term,
                           core::to_string(entry.type));
        for (std::uint8_t byte : entry.data) {
            out += fmt::format("{:02X}", byte);
        }
        out += '\n';
    }
    return out;
}

nlohmann::json manifest_json(const LoadedScenario& loaded, std::uint64_t seed,
                             const scenarios::RunResult& result, const std::string& directory) {
    nlohmann::json manifest = {
        {"scenario", loaded.scenario.name},
        {"scenario_file", loaded.scenario.source_path},
        {"seed", seed},
        {"build", build_id()},
        {"fingerprint", fmt::format("{:016x}", result.fingerprint)},
        {"queue_events", result.events},
        {"trace_records", result.trace_records},
        {"simulated_us", result.simulated_us},
        {"replay", fmt::format("raftsim replay {}", directory)},
    };
    if (result.violation.has_value()) {
        const sim::Violation& violation = *result.violation;
        manifest["violation"] = {{"checker", std::string(sim::to_string(violation.checker))},
                                 {"kind", violation.kind},
                                 {"detail", violation.detail},
                                 {"time_us", violation.time}};
    }
    return manifest;
}

}  // namespace

std::string build_id() {
    return RAFTSIM_BUILD_ID;
}

std::string timeline_tail(const scenarios::RunResult& result, std::size_t count) {
    const std::vector<sim::TraceRecord>& records = result.simulation->trace().records();
    const std::size_t last = records.size();
    const std::size_t first = last > count ? last - count : 0;
    return render_timeline(records, node_names(*result.simulation), first, last);
}

std::string write_artifact(const std::string& directory, const LoadedScenario& loaded,
                           std::uint64_t seed, const scenarios::RunResult& result) {
    std::error_code error;
    fs::create_directories(fs::path(directory) / "nodes", error);
    if (error) {
        return fmt::format("cannot create {}: {}", directory, error.message());
    }
    const sim::Simulation& simulation = *result.simulation;
    const NodeNames names = node_names(simulation);
    const std::vector<sim::TraceRecord>& records = simulation.trace().records();
    bool ok = write_text(fs::path(directory) / "scenario.json", loaded.text);
    ok = ok && write_text(fs::path(directory) / "run.json",
                          manifest_json(loaded, seed, result, directory).dump(2) + "\n");
    ok = ok && write_text(fs::path(directory) / "trace.jsonl", render_jsonl(records, names));
    ok = ok && write_text(fs::path(directory) / "timeline.txt", timeline_tail(result, 400));
    for (core::NodeId id : simulation.ids()) {
        const sim::Host& host = simulation.host(id);
        const fs::path node_dir = fs::path(directory) / "nodes" / host.name;
        fs::create_directories(node_dir, error);
        ok = ok && !error && write_text(node_dir / "fsm.txt", host.fsm.dump());
        ok = ok && write_text(node_dir / "log.txt", log_dump(host.storage.durable_entries()));
        ok = ok && write_text(node_dir / "transport.txt", render_transport_log(records, names, id));
    }
    return ok ? std::string() : fmt::format("cannot write the artifact in {}", directory);
}

std::optional<ArtifactManifest> read_artifact(const std::string& directory, std::string& error) {
    const FileText run_file = read_file((fs::path(directory) / "run.json").string());
    const FileText text_file = read_file((fs::path(directory) / "scenario.json").string());
    if (!run_file.text.has_value() || !text_file.text.has_value()) {
        const bool run_missing = !run_file.text.has_value();
        error =
            fmt::format("{}: not an artifact directory (run.json and scenario.json needed): {}: {}",
                        directory, run_missing ? "run.json" : "scenario.json",
                        run_missing ? run_file.problem : text_file.problem);
        return std::nullopt;
    }
    const std::optional<std::string>& run = run_file.text;
    const std::optional<std::string>& text = text_file.text;
    try {
        const nlohmann::json manifest = nlohmann::json::parse(*run);
        ArtifactManifest result{
            .scenario_text = *text,
            .scenario_name = manifest.at("scenario").get<std::string>(),
            .seed = manifest.at("seed").get<std::uint64_t>(),
            .fingerprint = std::stoull(manifest.at("fingerprint").get<std::string>(), nullptr, 16),
            .checker = manifest.contains("violation")
                           ? manifest["violation"].at("checker").get<std::string>()
                           : "",
            .kind = manifest.contains("violation")
                        ? manifest["violation"].at("kind").get<std::string>()
                        : "",
            .build = manifest.value("build", ""),
        };
        return result;
    } catch (const std::exception& failure) {
        error = fmt::format("{}/run.json: {}", directory, failure.what());
        return std::nullopt;
    }
}

}  // namespace raftsim::replay
