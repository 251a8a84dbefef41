#include "input/suite.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

#include "raftsim/core/assert.hpp"
#include "raftsim/fuzz/cluster_case.hpp"
#include "raftsim/scenarios/builtin.hpp"
#include "raftsim/scenarios/write.hpp"

namespace raftsim::replay {
namespace {

namespace fs = std::filesystem;

/// A directory argument loads at most this many scenario files: beyond it
/// the argument is more likely a mistake than a suite.
constexpr std::size_t max_directory_files = 10'000;

[[nodiscard]] std::string too_large(std::size_t max_bytes) {
    return max_bytes == scenarios::max_scenario_file_bytes
               ? fmt::format("it is larger than {} bytes (16 MiB)", max_bytes)
               : fmt::format("it is larger than {} bytes", max_bytes);
}

/// Why a path that is not a regular file is refused: reading a FIFO or a
/// terminal waits for a writer, /dev/zero never ends.
[[nodiscard]] std::string not_regular(fs::file_type type) {
    switch (type) {
        case fs::file_type::directory:
            return "it is a directory, not a regular file";
        case fs::file_type::fifo:
            return "it is a FIFO (a pipe), not a regular file";
        case fs::file_type::socket:
            return "it is a socket, not a regular file";
        case fs::file_type::character:
            return "it is a character device, not a regular file";
        case fs::file_type::block:
            return "it is a block device, not a regular file";
        default:
            return "it is not a regular file";
    }
}

/// Reads an open file of at most `max_bytes`, in chunks: a file
/// that grows while it is read is refused once it passes the bound.
[[nodiscard]] FileText read_open_file(int descriptor, std::size_t max_bytes) {
    RAFT_ASSERT(descriptor >= 0);
    struct stat info {};
    // The path was a regular file when looked at; check what was opened.
    if (::fstat(descriptor, &info) != 0 || !S_ISREG(info.st_mode)) {
        return FileText{.text = std::nullopt, .problem = "it is not a regular file"};
    }
    std::string text;
    std::string chunk(std::size_t{1} << 16U, '\0');
    while (text.size() <= max_bytes) {
        const ssize_t got = ::read(descriptor, chunk.data(), chunk.size());
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            return FileText{.text = std::nullopt, .problem = std::strerror(errno)};
        }
        if (got == 0) {
            RAFT_ASSERT(text.size() <= max_bytes);
            return FileText{.text = std::move(text), .problem = ""};
        }
        text.append(chunk.data(), static_cast<std::size_t>(got));
    }
    return FileText{.text = std::nullopt, .problem = too_large(max_bytes)};
}

[[nodiscard]] std::optional<scenarios::ScenarioError> add(LoadResult& result, std::string text,
                                                          const std::string& file) {
    scenarios::ParseResult parsed = scenarios::parse_scenario(text, file);
    if (parsed.error.has_value()) {
        return parsed.error;
    }
    result.scenarios.push_back(
        LoadedScenario{.scenario = std::move(*parsed.scenario), .text = std::move(text)});
    return std::nullopt;
}

[[nodiscard]] std::optional<scenarios::ScenarioError> add_builtin(LoadResult& result,
                                                                  const std::string& name) {
    for (const scenarios::BuiltinScenario& builtin : scenarios::builtin_scenarios()) {
        if (name.empty() || builtin.name == name) {
            const std::string file = "builtin:" + std::string(builtin.file_name);
            if (auto error = add(result, std::string(builtin.text), file)) {
                return error;
            }
            if (!name.empty()) {
                return std::nullopt;
            }
        }
    }
    if (name.empty()) {
        return std::nullopt;
    }
    return scenarios::ScenarioError{
        .file = name, .path = "$", .message = "no such file, directory or built-in scenario"};
}

// "swarm:N": seed N's swarm scenario.
[[nodiscard]] std::optional<scenarios::ScenarioError> add_swarm(
    LoadResult& result, const std::string& argument, const sut::Capabilities& capabilities) {
    const std::string_view number = std::string_view(argument).substr(6);
    std::uint64_t seed = 0;
    const auto [end, code] = std::from_chars(number.data(), number.data() + number.size(), seed);
    if (number.empty() || code != std::errc{} || end != number.data() + number.size()) {
        return scenarios::ScenarioError{
            .file = argument, .path = "$", .message = "expected swarm:N with N a seed"};
    }
    result.scenarios.push_back(swarm_loaded(seed, capabilities));
    return std::nullopt;
}

[[nodiscard]] std::optional<scenarios::ScenarioError> add_path(
    LoadResult& result, const std::string& path, const sut::Capabilities& capabilities) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
        std::vector<std::string> files;
        for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
            // Only regular files count: a FIFO or a device named x.json is skipped.
            std::error_code type_error;
            if (entry.path().extension() != ".json" || !entry.is_regular_file(type_error)) {
                continue;
            }
            if (files.size() == max_directory_files) {
                return scenarios::ScenarioError{
                    .file = path,
                    .path = "$",
                    .message = fmt::format("the directory holds more than {} .json files",
                                           max_directory_files)};
            }
            files.push_back(entry.path().string());
        }
        std::sort(files.begin(), files.end());
        if (files.empty()) {
            return scenarios::ScenarioError{
                .file = path, .path = "$", .message = "the directory holds no *.json scenario"};
        }
        for (const std::string& file : files) {
            if (auto failure = add_path(result, file, capabilities)) {
                return failure;
            }
        }
        return std::nullopt;
    }
    if (!fs::exists(path, error)) {
        if (path.starts_with("swarm:")) {
            return add_swarm(result, path, capabilities);
        }
        return add_builtin(result, path);
    }
    FileText file = read_file(path);
    if (!file.text.has_value()) {
        return scenarios::ScenarioError{
            .file = path, .path = "$", .message = "cannot read the scenario: " + file.problem};
    }
    return add(result, std::move(*file.text), path);
}

}  // namespace

LoadedScenario swarm_loaded(std::uint64_t seed, const sut::Capabilities& capabilities) {
    LoadedScenario loaded{.scenario = fuzz::swarm_scenario(seed, capabilities), .text = ""};
    RAFT_ASSERT(!loaded.scenario.name.empty());
    loaded.scenario.source_path = fmt::format("swarm:{}", seed);
    // An artifact carries its scenario as text, and a swarm scenario has
    // none until it is written out.
    loaded.text = scenarios::scenario_to_json(loaded.scenario);
    RAFT_ASSERT(!loaded.text.empty());
    return loaded;
}

// The path is looked at before it is opened, so a FIFO, a socket or a device
// is refused unopened; it is opened without blocking, in case it was swapped
// for a FIFO in between, and what was opened is checked again.
FileText read_file(const std::string& path, std::size_t max_bytes) {
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (error) {
        return FileText{.text = std::nullopt, .problem = error.message()};
    }
    if (!fs::is_regular_file(status)) {
        return FileText{.text = std::nullopt, .problem = not_regular(status.type())};
    }
    const std::uintmax_t size = fs::file_size(path, error);
    if (!error && size > max_bytes) {
        return FileText{.text = std::nullopt, .problem = too_large(max_bytes)};
    }
    const int descriptor = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (descriptor < 0) {
        return FileText{.text = std::nullopt, .problem = std::strerror(errno)};
    }
    FileText file = read_open_file(descriptor, max_bytes);
    ::close(descriptor);
    RAFT_ASSERT(file.text.has_value() != !file.problem.empty());
    return file;
}

LoadResult load_scenarios(const std::vector<std::string>& arguments,
                          const sut::Capabilities& capabilities) {
    LoadResult result;
    if (arguments.empty()) {
        result.error = add_builtin(result, "");
        return result;
    }
    for (const std::string& argument : arguments) {
        result.error = add_path(result, argument, capabilities);
        if (result.error.has_value()) {
            return result;
        }
    }
    return result;
}

}  // namespace raftsim::replay
