#pragma once
// The built-in scenario suite, compiled into the binary from
// scenarios/builtin/*.json (the files are the source of truth).

#include <span>
#include <string_view>

namespace raftsim::scenarios {

struct BuiltinScenario {
    std::string_view name;
    std::string_view file_name;
    std::string_view text;
};

/// In suite order: hashicorp's fuzzy scenarios first, then ours.
[[nodiscard]] std::span<const BuiltinScenario> builtin_scenarios();

}  // namespace raftsim::scenarios
