#pragma once
// The pieces raftsim shrink's search (shrink.cpp) is made of: what a step
// is (a fault, a recovery, what undoes what), how to walk and edit a
// scenario's step lists, and the value edits a pass tries one at a time.

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "raftsim/core/assert.hpp"
#include "raftsim/scenarios/spec.hpp"
#include "shrink/shrink.hpp"

namespace raftsim::replay::shrinking {

using scenarios::NodeSelector;
using scenarios::Scenario;
using scenarios::Step;
using StepList = std::vector<Step>;
using Kind = Step::Kind;

// Where a step list sits: from the scenario's steps, per level the index of
// a step and which of its lists (-1 its `steps`, else a branch number).
using ListPath = std::vector<std::pair<std::size_t, int>>;

// A step edit: changes the step and says what it did, or returns "" when it
// has nothing (left) to change.
using StepEdit = std::function<std::string(Step&)>;

// The shortest deadline shorter_deadline leaves a liveness wait.
constexpr sim::TimeUs min_deadline_us = 10 * sim::us_per_second;

// The list at `path`, for a const or a mutable scenario.
template <typename S>
[[nodiscard]] auto& list_at(S& scenario, const ListPath& path) {
    auto* list = &scenario.steps;
    for (const auto& [index, which] : path) {
        RAFT_ASSERT(index < list->size());
        auto& step = (*list)[index];
        RAFT_ASSERT(which < 0 || static_cast<std::size_t>(which) < step.branches.size());
        list = which < 0 ? &step.steps : &step.branches[static_cast<std::size_t>(which)].steps;
    }
    return *list;
}

// Step identities (Step::id). The starting scenario's steps are numbered
// once; every edit that copies a step keeps its id, and the parsed copy of a
// written candidate gets them back (carry_step_ids). The spelled-out list
// numbers its steps afresh: a repeat's iterations are then different steps.

// Gives every step, nested ones included, the next id.
void number_steps(StepList& steps, std::uint64_t& next_id);

// The largest id in `steps` (0 if none).
[[nodiscard]] std::uint64_t max_step_id(const StepList& steps);

// Copies the ids of `from` onto `to`, which has the same shape (`to` is
// `from` written as JSON and parsed back).
void carry_step_ids(const StepList& from, StepList& to);

// The step whose json_path is `path`, or nullptr.
[[nodiscard]] const Step* find_step(const StepList& steps, std::string_view path);

[[nodiscard]] bool is_fault_step(Kind kind);

// Steps that undo a fault. Removing one from a run that failed a liveness
// check would leave the fault in place -- a partition never healed, a node
// never restarted -- and "fail" the same way without any bug; so for
// liveness failures they stay.
[[nodiscard]] bool is_recovery_step(const Step& step);

// A wait for a leader or for the members to catch up. A liveness failure
// keeps them: without the wait a later step (a transfer, a membership
// change) runs before there is a leader and fails for that reason alone.
[[nodiscard]] bool is_wait_step(const Step& step);

[[nodiscard]] bool same_nodes(const std::vector<NodeSelector>& a,
                              const std::vector<NodeSelector>& b);

// Whether `recovery` undoes exactly what `fault` did: the heal of its group,
// the restore of its cut, the restart of the nodes it crashed.
[[nodiscard]] bool undoes(const Step& recovery, const Step& fault);

/// What faults a scenario holds anywhere: the step kinds, and which nodes
/// crash steps name (or that one names nodes another way).
struct FaultSummary {
    std::set<Kind> kinds;
    std::set<std::string> crashed;
    bool crashed_unnamed = false;
};

void summarize_faults(const StepList& steps, FaultSummary& summary);

// Whether a recovery step may still have a fault to undo: a step of a kind
// it undoes is left somewhere in the scenario (for a restart of named
// nodes: a crash that may hit one of them).
[[nodiscard]] bool may_undo(const Step& recovery, const FaultSummary& faults);

void count_steps(const StepList& steps, RunSize& size);

[[nodiscard]] bool lossy(const std::optional<sim::Ratio>& ratio);

// Every step list in the scenario, parents before children.
void collect_lists(const StepList& steps, const ListPath& prefix, std::vector<ListPath>& out);

[[nodiscard]] bool names_node(const NodeSelector& selector, const std::string& name);

// Drops `name` from every step's node set, and every step left with none or
// aimed at it alone. False if a list would be left empty.
[[nodiscard]] bool forget_node(StepList& steps, const std::string& name);

// A step edit: changes the step and says what it did, or returns "" when it
// has nothing (left) to change.
[[nodiscard]] std::string halve_duration(Step& step);

[[nodiscard]] std::string halve_count(Step& step);

[[nodiscard]] std::string keep_synced_writes(Step& step);

/// A start_workload step's pause between batches doubled (up to a second):
/// fewer commands, fewer messages.
[[nodiscard]] StepEdit pace_workload(const Scenario& scenario);

// Every Raft timeout divided by `divisor` and rounded down to whole ticks
// (at least one), as the parser requires.
void scale_timings(core::DurationConfig& raft, sim::TimeUs tick_us, std::uint64_t divisor);

// Repeat counts and sleeps divided by `divisor` (at least 1 and 1 ms);
// false if nothing changed.
[[nodiscard]] bool scale_down(StepList& steps, std::uint32_t divisor);

}  // namespace raftsim::replay::shrinking
