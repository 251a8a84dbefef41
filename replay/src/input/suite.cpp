#include "input/suite.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "raftsim/core/assert.hpp"
#include "raftsim/fuzz/cluster_case.hpp"
#include "raftsim/scenarios/builtin.hpp"
#include "raftsim/scenarios/write.hpp"

namespace raftsim::replay {
namespace {

namespace fs = std::filesystem;

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
[[nodiscard]] std::optional<scenarios::ScenarioError> add_swarm(LoadResult& result,
                                                                const std::string& argument) {
    const std::string_view number = std::string_view(argument).substr(6);
    std::uint64_t seed = 0;
    const auto [end, code] = std::from_chars(number.data(), number.data() + number.size(), seed);
    if (number.empty() || code != std::errc{} || end != number.data() + number.size()) {
        return scenarios::ScenarioError{
            .file = argument, .path = "$", .message = "expected swarm:N with N a seed"};
    }
    result.scenarios.push_back(swarm_loaded(seed));
    return std::nullopt;
}

[[nodiscard]] std::optional<scenarios::ScenarioError> add_path(LoadResult& result,
                                                               const std::string& path) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
        std::vector<std::string> files;
        for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
            if (entry.path().extension() == ".json") {
                files.push_back(entry.path().string());
            }
        }
        std::sort(files.begin(), files.end());
        if (files.empty()) {
            return scenarios::ScenarioError{
                .file = path, .path = "$", .message = "the directory holds no *.json scenario"};
        }
        for (const std::string& file : files) {
            if (auto failure = add_path(result, file)) {
                return failure;
            }
        }
        return std::nullopt;
    }
    if (!fs::exists(path, error)) {
        if (path.starts_with("swarm:")) {
            return add_swarm(result, path);
        }
        return add_builtin(result, path);
    }
    std::optional<std::string> text = read_file(path);
    if (!text.has_value()) {
        return scenarios::ScenarioError{.file = path, .path = "$", .message = "cannot read file"};
    }
    return add(result, std::move(*text), path);
}

}  // namespace

LoadedScenario swarm_loaded(std::uint64_t seed) {
    LoadedScenario loaded{.scenario = fuzz::swarm_scenario(seed), .text = ""};
    RAFT_ASSERT(!loaded.scenario.name.empty());
    loaded.scenario.source_path = fmt::format("swarm:{}", seed);
    // An artifact carries its scenario as text, and a swarm scenario has
    // none until it is written out.
    loaded.text = scenarios::scenario_to_json(loaded.scenario);
    RAFT_ASSERT(!loaded.text.empty());
    return loaded;
}

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

LoadResult load_scenarios(const std::vector<std::string>& arguments) {
    LoadResult result;
    if (arguments.empty()) {
        result.error = add_builtin(result, "");
        return result;
    }
    for (const std::string& argument : arguments) {
        result.error = add_path(result, argument);
        if (result.error.has_value()) {
            return result;
        }
    }
    return result;
}

}  // namespace raftsim::replay
