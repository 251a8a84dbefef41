// What counts as the same failure while shrinking (ShrinkGoal, shrink.hpp).
//
// The checker and kind alone are too loose. A liveness failure comes from
// one step's deadline, and a candidate that misses another deadline (a
// split vote after a later heal instead of no leader after the first
// partition) is another story that happens to share a name; a core
// assertion names the broken invariant only in its expression and
// location. So those are part of the failure too -- not the node number
// or the step's json_path, which removing nodes and steps renumbers.
#include <fmt/format.h>

#include <utility>

#include "raftsim/core/assert.hpp"
#include "shrink/shrink.hpp"
#include "shrink/shrink_steps.hpp"

namespace raftsim::replay {
namespace {

// The final checks: VerifyLog / VerifyFSM, and the logs settling first.
[[nodiscard]] bool raised_at_end(std::string_view checker) {
    return checker == "convergence" || checker == "liveness";
}

[[nodiscard]] bool same_assertion(const std::optional<AssertLocation>& a,
                                  const std::optional<AssertLocation>& b) {
    if (a.has_value() != b.has_value()) {
        return false;
    }
    return !a.has_value() ||
           (a->expression == b->expression && a->file == b->file && a->line == b->line);
}

}  // namespace

ShrinkGoal goal_of(const scenarios::Scenario& scenario, std::string checker, std::string kind,
                   std::string_view detail, std::string_view failed_step_path) {
    ShrinkGoal goal{.checker = std::move(checker), .kind = std::move(kind)};
    if (goal.checker.empty()) {
        return goal;
    }
    if (!failed_step_path.empty()) {
        const scenarios::Step* step = shrinking::find_step(scenario.steps, failed_step_path);
        // The interpreter names a step of the scenario it ran.
        RAFT_ASSERT(step != nullptr);
        goal.place = FailurePlace::step;
        goal.step_id = step->id;
        goal.step_path = std::string(failed_step_path);
    } else if (raised_at_end(goal.checker)) {
        goal.place = FailurePlace::end;
    }
    if (goal.checker == "core_assert") {
        goal.assertion = parse_assert_detail(detail);
    }
    RAFT_ASSERT(goal.place != FailurePlace::step || goal.checker == "liveness");
    return goal;
}

ShrinkGoal goal_of(const scenarios::Scenario& scenario, const scenarios::RunResult& result) {
    if (!result.violation.has_value()) {
        RAFT_ASSERT(result.failed_step_path.empty());
        return {};
    }
    return goal_of(scenario, std::string(sim::to_string(result.violation->checker)),
                   result.violation->kind, result.violation->detail, result.failed_step_path);
}

ShrinkGoal crash_goal(std::string death) {
    RAFT_ASSERT(!death.empty());
    ShrinkGoal goal{.checker = "crash", .kind = std::move(death)};
    RAFT_ASSERT(goal.place == FailurePlace::anywhere);
    return goal;
}

bool is_crash(const ShrinkGoal& goal) noexcept {
    return goal.checker == "crash";
}

bool same_failure(const ShrinkGoal& goal, const ShrinkGoal& candidate) {
    RAFT_ASSERT(!goal.checker.empty());
    RAFT_ASSERT(goal.place != FailurePlace::step || goal.step_id != 0);
    if (candidate.checker != goal.checker || candidate.kind != goal.kind ||
        candidate.place != goal.place) {
        return false;
    }
    if (goal.place == FailurePlace::step && candidate.step_id != goal.step_id) {
        return false;
    }
    return same_assertion(goal.assertion, candidate.assertion);
}

std::string describe_goal(const ShrinkGoal& goal) {
    std::string text = fmt::format("{}/{}", goal.checker, goal.kind);
    switch (goal.place) {
        case FailurePlace::step:
            text += fmt::format(" at the deadline of {}", goal.step_path);
            break;
        case FailurePlace::end:
            text += " in the final checks at the end of the run";
            break;
        case FailurePlace::anywhere:
            break;
    }
    if (goal.assertion.has_value()) {
        text += fmt::format(" `{}` at {}:{}", goal.assertion->expression, goal.assertion->file,
                            goal.assertion->line);
    }
    return text;
}

}  // namespace raftsim::replay
