// libFuzzer target: arbitrary bytes as a scenario file.
//
// parse_scenario must refuse any input cleanly or accept it, and what it
// accepts must survive the writer: scenario_to_json's text parses again and
// writes the same text again. Anything else aborts, so libFuzzer (and the
// standalone corpus driver) report it as a crash with the input saved.
//
// Scenarios are never run here: a file may legally ask for a repeat of a
// million, sixteen levels deep, which is cheap to parse and write but runs
// until a run limit (millions of events) stops it. fuzz_cluster is the
// target that runs.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "raftsim/scenarios/parse.hpp"
#include "raftsim/scenarios/write.hpp"

namespace {

using raftsim::scenarios::ParseResult;
using raftsim::scenarios::ScenarioError;

constexpr std::string_view file_name = "fuzz.json";

/// Inputs above this are skipped. Parsing is linear, but a megabyte of JSON
/// spends the fuzzer's time on nlohmann's tokenizer, not on our checks; the
/// parser's own bound (load_scenario's 16 MiB) is tested elsewhere.
constexpr std::size_t max_input_bytes = 256U << 10U;

[[noreturn]] void fail(std::string_view what, std::string_view detail) {
    std::fprintf(stderr, "fuzz_scenario: %.*s\n%.*s\n", static_cast<int>(what.size()), what.data(),
                 static_cast<int>(detail.size()), detail.data());
    std::abort();
}

/// A path is "$", "$[...]" (an odd top-level key such as ""), or starts with
/// a top-level key ("steps[2].sleep").
bool is_valid_path(const std::string& path) {
    if (path.empty()) {
        return false;
    }
    const char first = path.front();
    const bool key_start = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') ||
                           (first >= '0' && first <= '9') || first == '_';
    return first == '$' || key_start;
}

void check_error(const ScenarioError& error) {
    if (error.file != file_name) {
        fail("error with the wrong file", error.to_string());
    }
    if (!is_valid_path(error.path)) {
        fail("error with an empty or malformed path", error.to_string());
    }
    if (error.message.empty()) {
        fail("error without a message", error.to_string());
    }
    // parse_scenario's catch-all for an exception the parser did not expect.
    // Only a prefix: messages quote the input, which may say anything.
    if (error.message.rfind("internal error", 0) == 0) {
        fail("internal error", error.to_string());
    }
}

/// write -> parse -> write gives the text the first write gave.
void check_round_trip(const ParseResult& result) {
    const std::string text = raftsim::scenarios::scenario_to_json(*result.scenario);
    const ParseResult again = raftsim::scenarios::parse_scenario(text, "written.json");
    if (again.error || !again.scenario) {
        fail("the written scenario does not parse",
             (again.error ? again.error->to_string() : std::string("no error")) + "\n" + text);
    }
    const std::string text_again = raftsim::scenarios::scenario_to_json(*again.scenario);
    if (text_again != text) {
        fail("writing the re-parsed scenario changed the text", text + "\n----\n" + text_again);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > max_input_bytes) {
        return 0;
    }
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const ParseResult result = raftsim::scenarios::parse_scenario(input, std::string(file_name));
    if (result.scenario.has_value() == result.error.has_value()) {
        fail("parse_scenario gave both or neither of a scenario and an error", input);
    }
    if (result.error) {
        check_error(*result.error);
        return 0;
    }
    if (result.scenario->source_path != file_name) {
        fail("the scenario's source_path is not the file name", result.scenario->source_path);
    }
    check_round_trip(result);
    return 0;
}
