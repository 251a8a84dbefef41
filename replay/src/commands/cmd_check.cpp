// raftsim check: parse and validate scenario files without running them,
// for editors, pre-commit hooks and the schema agreement test.
#include <fmt/format.h>

#include <cstdio>

#include "commands/commands.hpp"
#include "input/suite.hpp"
#include "text/escape.hpp"

namespace raftsim::replay {

int check_command(const CheckCommand& command) {
    RAFT_ASSERT(!command.paths.empty());
    int status = exit_passed;
    for (const std::string& path : command.paths) {
        const LoadResult loaded = load_scenarios({path});
        if (loaded.error.has_value()) {
            fmt::print(stderr, "raftsim: {}\n", terminal_safe(loaded.error->to_string()));
            status = exit_usage;
            continue;
        }
        RAFT_ASSERT(!loaded.scenarios.empty());
        for (const LoadedScenario& scenario : loaded.scenarios) {
            fmt::print("ok {} ({})\n", terminal_safe(scenario.scenario.source_path),
                       terminal_safe(scenario.scenario.name));
        }
    }
    return status;
}

}  // namespace raftsim::replay
