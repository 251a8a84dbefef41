#pragma once
// What a scenario asks of the system under test, against what the system
// declares it can do (sut::Capabilities, sut::System::unsupported). A
// scenario asking for something the system lacks is skipped with the
// reason -- never run in a weakened form, never counted as passed.

#include <optional>
#include <string>

#include "raftsim/scenarios/spec.hpp"
#include "raftsim/sut/system.hpp"

namespace raftsim::scenarios {

/// The first step (in file order, through repeat and one_of) or Raft
/// setting of `scenario` that needs a capability `system` lacks, as a
/// reason naming its JSON path, what it needs and the capability:
/// `steps[3]: transfer_leadership needs leadership transfer, which
/// canonical does not support (capability leadership_transfer)`.
/// nullopt when the system can perform every step.
[[nodiscard]] std::optional<std::string> requirement_gap(const Scenario& scenario,
                                                         const sut::System& system);

/// Why `system` cannot run `scenario` at all: its requirement_gap, or the
/// system's refusal of the scenario's Raft settings
/// (sut::System::unsupported). nullopt when it can. It depends on the
/// scenario and the system only, never on the seed.
[[nodiscard]] std::optional<std::string> skip_reason(const Scenario& scenario,
                                                     const sut::System& system);

}  // namespace raftsim::scenarios
