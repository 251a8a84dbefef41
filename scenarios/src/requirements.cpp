// The capabilities each scenario step and Raft setting needs
// (requirements.hpp), as one table.
//
// Decisions the table encodes:
// - add_voter needs nothing beyond membership changes: it asks for a voter,
//   and a system without staging servers adds one its own way (hashicorp's
//   AddVoter makes a voter at once; docs/membership.md). So `staging` is
//   needed by no step.
// - raft.check_quorum: false needs nothing. A system that always checks
//   quorum (canonical/raft) runs the scenario with it on: no step relies
//   on a leader keeping its role without a quorum -- nothing in the step
//   language asserts it, no built-in scenario turns it off, and the
//   leader_lease checker holds a leader to its lease only when it is on
//   (it constrains a system more with it on, never less). So leaving it
//   off is a setting the system may tighten, not a behaviour the scenario
//   tests; `check_quorum_optional` tells the generators what to draw.
#include "raftsim/scenarios/requirements.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>

#include "raftsim/core/assert.hpp"

namespace raftsim::scenarios {
namespace {

using Kind = Step::Kind;

/// A step kind that needs a capability: the step's JSON key, when it needs
/// it (nullptr: always), and why, when that is not obvious.
struct StepNeed {
    Kind kind;
    std::string_view key;
    bool sut::Capabilities::*capability;
    bool (*applies)(const Step&);
    std::string_view why;
};

[[nodiscard]] bool joins_as_nonvoter(const Step& step) {
    return step.suffrage == "nonvoter";
}

constexpr std::array<StepNeed, 6> step_needs{{
    {Kind::add_nonvoter, "add_nonvoter", &sut::Capabilities::nonvoters, nullptr, ""},
    {Kind::demote_voter, "demote_voter", &sut::Capabilities::nonvoters, nullptr,
     " (a demoted voter stays on as a non-voter)"},
    {Kind::create_node, "create_node", &sut::Capabilities::nonvoters, &joins_as_nonvoter,
     " (it joins \"as\": \"nonvoter\")"},
    {Kind::membership_churn, "membership_churn", &sut::Capabilities::nonvoters, nullptr,
     " (its rounds add non-voters and demote voters)"},
    {Kind::transfer_leadership, "transfer_leadership", &sut::Capabilities::leadership_transfer,
     nullptr, ""},
    {Kind::snapshot, "snapshot", &sut::Capabilities::snapshot_on_demand, nullptr, ""},
}};

[[nodiscard]] std::string_view meaning_of(bool sut::Capabilities::*capability) {
    for (const sut::CapabilityInfo& info : sut::capability_info()) {
        if (info.field == capability) {
            return info.meaning;
        }
    }
    RAFT_UNREACHABLE("every capability is in sut::capability_info()");
    return "";
}

[[nodiscard]] std::string_view name_of(bool sut::Capabilities::*capability) {
    for (const sut::CapabilityInfo& info : sut::capability_info()) {
        if (info.field == capability) {
            return info.name;
        }
    }
    RAFT_UNREACHABLE("every capability is in sut::capability_info()");
    return "";
}

[[nodiscard]] std::string gap(std::string_view where, std::string_view what,
                              bool sut::Capabilities::*capability, std::string_view why,
                              const sut::System& system) {
    return fmt::format("{}: {} needs {}{}, which {} does not support (capability {})", where, what,
                       meaning_of(capability), why, system.name(), name_of(capability));
}

// The first step of `steps` (and of the steps inside them) that needs a
// capability the system lacks. `parent` is the path of the list, for steps
// made without one (json_path is set by the parser and the generators).
[[nodiscard]] std::optional<std::string> steps_gap(const std::vector<Step>& steps,
                                                   const std::string& parent,
                                                   const sut::System& system) {
    const sut::Capabilities& capabilities = system.capabilities();
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const Step& step = steps[i];
        const std::string path =
            step.json_path.empty() ? fmt::format("{}[{}]", parent, i) : step.json_path;
        for (const StepNeed& need : step_needs) {
            const bool needed =
                need.kind == step.kind && (need.applies == nullptr || need.applies(step));
            if (needed && !(capabilities.*need.capability)) {
                return gap(path, need.key, need.capability, need.why, system);
            }
        }
        if (auto inner = steps_gap(step.steps, path + ".repeat.steps", system)) {
            return inner;
        }
        for (std::size_t b = 0; b < step.branches.size(); ++b) {
            const std::string branch = fmt::format("{}.one_of[{}].steps", path, b);
            if (auto inner = steps_gap(step.branches[b].steps, branch, system)) {
                return inner;
            }
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> requirement_gap(const Scenario& scenario, const sut::System& system) {
    const sut::Capabilities& capabilities = system.capabilities();
    if (scenario.raft.pre_vote && !capabilities.pre_vote) {
        return gap("raft.pre_vote", "true", &sut::Capabilities::pre_vote, "", system);
    }
    if (scenario.raft.vote_rule != core::VoteRule::hashicorp && !capabilities.vote_rules) {
        return gap("raft.vote_rule",
                   fmt::format("\"{}\"", core::to_string(scenario.raft.vote_rule)),
                   &sut::Capabilities::vote_rules, "", system);
    }
    // raft.check_quorum: false needs nothing (the comment at the top).
    if (scenario.raft.lease_reads && !capabilities.lease_reads) {
        return gap("raft.lease_reads", "true", &sut::Capabilities::lease_reads, "", system);
    }
    const sim::KvClientOptions& clients = scenario.clients;
    if (clients.clients > 0 && clients.read_index_weight > 0 && !capabilities.read_index) {
        return gap("clients.mix.read_index", "a weight above 0", &sut::Capabilities::read_index, "",
                   system);
    }
    if (clients.clients > 0 && clients.lease_read_weight > 0 && !capabilities.lease_reads) {
        return gap("clients.mix.lease_read", "a weight above 0", &sut::Capabilities::lease_reads,
                   "", system);
    }
    return steps_gap(scenario.steps, "steps", system);
}

std::optional<std::string> skip_reason(const Scenario& scenario, const sut::System& system) {
    if (std::optional<std::string> gap = requirement_gap(scenario, system)) {
        return gap;
    }
    const core::ConfigResult raft = core::to_ticks(scenario.raft, scenario.cluster.tick_us);
    RAFT_ASSERT(raft.error == core::ConfigError::ok);  // the parser validated it
    if (std::optional<std::string> refused = system.unsupported(raft.config)) {
        return fmt::format("raft: {} cannot run these settings: {}", system.name(), *refused);
    }
    return std::nullopt;
}

}  // namespace raftsim::scenarios
