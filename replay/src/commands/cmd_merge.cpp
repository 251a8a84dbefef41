// raftsim merge: combine the JSON reports of a sharded sweep (stub until the
// report format carries cases).
#include <fmt/format.h>

#include "commands/commands.hpp"

namespace raftsim::replay {

int merge_command(const MergeCommand& command) {
    RAFT_ASSERT(!command.inputs.empty());
    fmt::print(stderr, "raftsim merge: not yet\n");
    return exit_usage;
}

}  // namespace raftsim::replay
