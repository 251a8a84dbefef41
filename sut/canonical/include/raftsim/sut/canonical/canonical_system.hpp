#pragma once
// canonical/raft 0.15 (Debian libraft-dev) as a system under test, driven
// through its struct raft_io so the simulator owns every clock, random
// draw, disk write and message (docs/adapters.md, the worked example).
// This header names nothing of the library: only sut/canonical/src
// includes raft.h.

#include "raftsim/sut/system.hpp"

namespace raftsim::sut::canonical {

/// The system, a stateless singleton.
[[nodiscard]] const System& system() noexcept;

}  // namespace raftsim::sut::canonical
