#pragma once
// raftsim's own core as a system under test: the first adapter. It drives
// core::Node through the Ready contract as a hashicorp-style host does --
// write, sync (blocking the node meanwhile), then send, apply, advance.

#include "raftsim/sut/system.hpp"

namespace raftsim::sut::native {

/// The system, a stateless singleton.
[[nodiscard]] const System& system() noexcept;

/// White-box access for tests of our own core: the core::Node behind a
/// node of this system (nullptr for another system's node).
[[nodiscard]] const core::Node* core_node(const Node& node) noexcept;

}  // namespace raftsim::sut::native
