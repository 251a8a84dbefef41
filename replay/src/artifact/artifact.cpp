#include "artifact/artifact.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "artifact/compress.hpp"
#include "raftsim/core/assert.hpp"
#include "views/timeline.hpp"

#ifndef RAFTSIM_BUILD_ID
#define RAFTSIM_BUILD_ID "unknown"
#endif

namespace raftsim::replay {
namespace {

namespace fs = std::filesystem;

// Files above this size are compressed even where plain text is the rule.
constexpr std::size_t compress_above_bytes = 1U << 20U;
// What an artifact file may decompress to (a trace of the largest run the
// default limits allow fits), and its compressed size.
constexpr std::size_t max_decompressed_bytes = std::size_t{4} << 30U;
constexpr std::size_t max_compressed_bytes = std::size_t{1} << 30U;

/// Writes an artifact's files into one directory, counting bytes.
class ArtifactFiles {
  public:
    explicit ArtifactFiles(fs::path root) : root_(std::move(root)) {}

    /// `name` under the root, compressed (as name.zst) when `compress`.
    void write(const fs::path& name, const std::string& text, bool compress) {
        if (!ok_) {
            return;
        }
        const fs::path path = root_ / (compress ? fs::path(name.string() + ".zst") : name);
        std::error_code error;
        fs::create_directories(path.parent_path(), error);
        const std::string bytes = compress ? zstd_compress(text) : std::string();
        const std::string& content = compress ? bytes : text;
        std::ofstream out(path, std::ios::binary);
        out << content;
        out.close();
        ok_ = !error && static_cast<bool>(out);
        bytes_ += content.size();
    }
    /// Plain unless large.
    void write_text(const fs::path& name, const std::string& text) {
        write(name, text, text.size() > compress_above_bytes);
    }
    /// `name`.zst, compressed as it is rendered: `render(first, last)` gives
    /// the text of records [first, last), asked for a slice at a time, so
    /// a trace of millions of records is never held as one string.
    void write_rendered(const fs::path& name, std::size_t records,
                        const std::function<std::string(std::size_t, std::size_t)>& render) {
        constexpr std::size_t slice = 1U << 16U;
        if (!ok_) {
            return;
        }
        const fs::path path = root_ / fs::path(name.string() + ".zst");
        std::error_code error;
        fs::create_directories(path.parent_path(), error);
        std::ofstream out(path, std::ios::binary);
        ZstdWriter writer(out);
        for (std::size_t first = 0; first < records; first += slice) {
            writer.write(render(first, std::min(records, first + slice)));
        }
        ok_ = !error && writer.finish();
        bytes_ += writer.bytes();
    }

    [[nodiscard]] bool ok() const noexcept { return ok_; }
    [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }

  private:
    fs::path root_;
    bool ok_ = true;
    std::uint64_t bytes_ = 0;
};

// Moves the finished temporary directory into place, replacing what was
// there: the old artifact goes aside first, so `directory` is at every
// moment either the old artifact or the new one, never half of either.
[[nodiscard]] std::string move_into_place(const fs::path& temporary, const fs::path& directory) {
    std::error_code error;
    const fs::path aside = fs::path(directory.string() + ".old-" + std::to_string(::getpid()));
    const bool existed = fs::exists(directory, error);
    if (existed) {
        fs::rename(directory, aside, error);
    }
    if (!error) {
        fs::rename(temporary, directory, error);
    }
    if (error) {
        fs::remove_all(temporary, error);
        return fmt::format("cannot move the artifact into {}", directory.string());
    }
    if (existed) {
        fs::remove_all(aside, error);
    }
    return "";
}

// Runs `fill` on a temporary sibling of `directory`, then moves it in place.
template <typename Fill>
[[nodiscard]] ArtifactWrite write_directory(const std::string& directory, const Fill& fill) {
    const fs::path final_path(directory);
    const fs::path temporary = fs::path(directory + ".tmp-" + std::to_string(::getpid()));
    std::error_code error;
    fs::remove_all(temporary, error);
    fs::create_directories(temporary, error);
    if (error) {
        return {.error = fmt::format("cannot create {}: {}", directory, error.message()),
                .bytes = 0};
    }
    ArtifactFiles files(temporary);
    fill(files);
    if (!files.ok()) {
        fs::remove_all(temporary, error);
        return {.error = fmt::format("cannot write the artifact in {}", directory), .bytes = 0};
    }
    return {.error = move_into_place(temporary, final_path), .bytes = files.bytes()};
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
        {"sut", std::string(result.system->name())},
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

ArtifactWrite write_artifact(const std::string& directory, const LoadedScenario& loaded,
                             std::uint64_t seed, const scenarios::RunResult& result,
                             const ArtifactExtras& extras) {
    RAFT_ASSERT(result.simulation != nullptr);
    RAFT_ASSERT(result.system != nullptr);
    RAFT_ASSERT(!directory.empty());
    const sim::Simulation& simulation = *result.simulation;
    const NodeNames names = node_names(simulation);
    const std::vector<sim::TraceRecord>& records = simulation.trace().records();
    return write_directory(directory, [&](ArtifactFiles& files) {
        files.write("scenario.json", loaded.text, false);
        files.write("run.json", manifest_json(loaded, seed, result, directory).dump(2) + "\n",
                    false);
        files.write_rendered("trace.jsonl", records.size(), [&](std::size_t a, std::size_t b) {
            return render_jsonl(records, names, a, b);
        });
        files.write_text("timeline.txt", timeline_tail(result, 400));
        for (core::NodeId id : simulation.ids()) {
            const sim::Host& host = simulation.host(id);
            const fs::path node_dir = fs::path("nodes") / host.name;
            files.write_text(node_dir / "fsm.txt", host.fsm.dump());
            files.write_text(node_dir / "log.txt", log_dump(host.storage.durable_entries()));
            files.write_rendered(node_dir / "transport.txt", records.size(),
                                 [&](std::size_t a, std::size_t b) {
                                     return render_transport_log(records, names, id, a, b);
                                 });
        }
        for (const auto& [name, text] : extras.files) {
            files.write(name, text, name.ends_with(".jsonl"));
        }
    });
}

ArtifactWrite adopt_artifact(const std::string& written, const std::string& directory) {
    RAFT_ASSERT(!written.empty());
    RAFT_ASSERT(written != directory);
    std::uint64_t bytes = 0;
    std::error_code error;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(written, error)) {
        bytes += entry.is_regular_file(error) ? entry.file_size(error) : 0;
    }
    return {.error = move_into_place(written, directory), .bytes = bytes};
}

ArtifactWrite write_crash_artifact(const std::string& directory, const LoadedScenario& loaded,
                                   std::uint64_t seed, std::string_view sut,
                                   const std::string& kind, const std::string& detail,
                                   std::uint64_t time_us) {
    RAFT_ASSERT(!directory.empty());
    RAFT_ASSERT(!kind.empty());
    const nlohmann::json manifest = {
        {"scenario", loaded.scenario.name},
        {"scenario_file", loaded.scenario.source_path},
        {"seed", seed},
        {"build", build_id()},
        {"sut", std::string(sut)},
        {"fingerprint", nullptr},
        {"replay", fmt::format("raftsim replay {}", directory)},
        {"violation",
         {{"checker", "crash"}, {"kind", kind}, {"detail", detail}, {"time_us", time_us}}},
    };
    return write_directory(directory, [&](ArtifactFiles& files) {
        files.write("scenario.json", loaded.text, false);
        files.write("run.json", manifest.dump(2) + "\n", false);
    });
}

FileText read_artifact_file(const std::string& directory, const std::string& name) {
    const fs::path path = fs::path(directory) / name;
    FileText plain = read_file(path.string());
    std::error_code error;
    if (plain.text.has_value() || !fs::exists(path.string() + ".zst", error)) {
        return plain;
    }
    // A compressed trace of a long run can pass the 16 MiB of a plain file.
    const FileText packed = read_file(path.string() + ".zst", max_compressed_bytes);
    if (!packed.text.has_value()) {
        return packed;
    }
    std::optional<std::string> text = zstd_decompress(*packed.text, max_decompressed_bytes);
    return text.has_value()
               ? FileText{.text = std::move(text), .problem = ""}
               : FileText{.text = std::nullopt, .problem = "not a zstd frame, or too large"};
}

namespace {

// A string field of run.json, or why not.
[[nodiscard]] std::optional<std::string> text_field(const nlohmann::json& object,
                                                    std::string_view key, std::string& problem) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string()) {
        problem = fmt::format("\"{}\" must be a string", key);
        return std::nullopt;
    }
    return it->get<std::string>();
}

// The fingerprint: 16 hex digits, or null for a crash artifact.
[[nodiscard]] bool read_fingerprint(const nlohmann::json& manifest, ArtifactManifest& out,
                                    std::string& problem) {
    const auto it = manifest.find("fingerprint");
    if (it != manifest.end() && it->is_null()) {
        return true;
    }
    std::string hex;
    if (const std::optional<std::string> text = text_field(manifest, "fingerprint", problem)) {
        hex = *text;
    }
    std::uint64_t value = 0;
    const auto [end, code] = std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
    if (hex.empty() || code != std::errc{} || end != hex.data() + hex.size()) {
        problem = "\"fingerprint\" must be 16 hex digits (or null)";
        return false;
    }
    out.fingerprint = value;
    return true;
}

[[nodiscard]] bool read_manifest(const nlohmann::json& manifest, ArtifactManifest& out,
                                 std::string& problem) {
    if (!manifest.is_object()) {
        problem = "not a JSON object";
        return false;
    }
    const std::optional<std::string> name = text_field(manifest, "scenario", problem);
    const auto seed = manifest.find("seed");
    if (!name.has_value()) {
        return false;
    }
    if (seed == manifest.end() || !seed->is_number_unsigned()) {
        problem = "\"seed\" must be a whole number";
        return false;
    }
    out.scenario_name = *name;
    out.seed = seed->get<std::uint64_t>();
    out.build = manifest.contains("build") && manifest["build"].is_string()
                    ? manifest["build"].get<std::string>()
                    : "";
    // Artifacts from before the system-under-test seam have no "sut": they
    // were all made by raftsim's own core.
    if (manifest.contains("sut")) {
        const std::optional<std::string> sut = text_field(manifest, "sut", problem);
        if (!sut.has_value() || sut->empty()) {
            problem = "\"sut\" must name a system under test";
            return false;
        }
        out.sut = *sut;
    }
    if (!read_fingerprint(manifest, out, problem)) {
        return false;
    }
    if (const auto violation = manifest.find("violation"); violation != manifest.end()) {
        const std::optional<std::string> checker =
            violation->is_object() ? text_field(*violation, "checker", problem) : std::nullopt;
        const std::optional<std::string> kind =
            checker.has_value() ? text_field(*violation, "kind", problem) : std::nullopt;
        if (!kind.has_value()) {
            problem = "\"violation\" must name its \"checker\" and \"kind\"";
            return false;
        }
        out.checker = *checker;
        out.kind = *kind;
        const auto detail = violation->find("detail");
        out.detail = detail != violation->end() && detail->is_string() ? detail->get<std::string>()
                                                                       : std::string();
    }
    return true;
}

}  // namespace

std::optional<ArtifactManifest> read_artifact(const std::string& directory, std::string& error) {
    const FileText run = read_artifact_file(directory, "run.json");
    const FileText text = read_artifact_file(directory, "scenario.json");
    if (!run.text.has_value() || !text.text.has_value()) {
        const bool run_missing = !run.text.has_value();
        error = fmt::format(
            "{}: not an artifact directory (run.json and scenario.json needed): {}: {}", directory,
            run_missing ? "run.json" : "scenario.json", run_missing ? run.problem : text.problem);
        return std::nullopt;
    }
    const nlohmann::json manifest = nlohmann::json::parse(*run.text, nullptr, false);
    ArtifactManifest result;
    result.scenario_text = *text.text;
    std::string problem = "not valid JSON";
    if (manifest.is_discarded() || !read_manifest(manifest, result, problem)) {
        error = fmt::format("{}/run.json: not a raftsim artifact manifest: {}", directory, problem);
        return std::nullopt;
    }
    RAFT_ASSERT(error.empty());
    return result;
}

}  // namespace raftsim::replay
