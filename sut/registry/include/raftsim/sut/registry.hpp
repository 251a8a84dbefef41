#pragma once
// Every system under test this build can drive, by name (`--sut NAME`).
// raftsim's own core is always there; canonical/raft when the build found
// libraft (meson option `canonical`, docs/adapters.md).

#include <string_view>
#include <vector>

#include "raftsim/sut/system.hpp"

namespace raftsim::sut {

/// The default system's name.
inline constexpr std::string_view default_system_name = "raftsim";

/// The systems built in, the default first.
[[nodiscard]] std::vector<const System*> systems();
/// The system called `name`, or nullptr.
[[nodiscard]] const System* find_system(std::string_view name);
/// `chosen`, or the default system (raftsim's own core) when it is null.
[[nodiscard]] const System& system_or_default(const System* chosen);
/// The names of the systems built in, comma separated (for messages).
[[nodiscard]] std::string system_names();

}  // namespace raftsim::sut
