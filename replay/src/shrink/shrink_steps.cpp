#include "shrink/shrink_steps.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "raftsim/scenarios/write.hpp"

namespace raftsim::replay::shrinking {

void number_steps(StepList& steps, std::uint64_t& next_id) {
    for (Step& step : steps) {
        RAFT_ASSERT(next_id > 0);
        step.id = next_id++;
        number_steps(step.steps, next_id);
        for (scenarios::Branch& branch : step.branches) {
            number_steps(branch.steps, next_id);
        }
    }
}

std::uint64_t max_step_id(const StepList& steps) {
    std::uint64_t most = 0;
    for (const Step& step : steps) {
        most = std::max({most, step.id, max_step_id(step.steps)});
        for (const scenarios::Branch& branch : step.branches) {
            most = std::max(most, max_step_id(branch.steps));
        }
    }
    return most;
}

void carry_step_ids(const StepList& from, StepList& to) {
    RAFT_ASSERT(from.size() == to.size());
    for (std::size_t i = 0; i < from.size(); ++i) {
        RAFT_ASSERT(from[i].kind == to[i].kind);
        RAFT_ASSERT(from[i].branches.size() == to[i].branches.size());
        to[i].id = from[i].id;
        carry_step_ids(from[i].steps, to[i].steps);
        for (std::size_t b = 0; b < from[i].branches.size(); ++b) {
            carry_step_ids(from[i].branches[b].steps, to[i].branches[b].steps);
        }
    }
}

const Step* find_step(const StepList& steps, std::string_view path) {
    for (const Step& step : steps) {
        if (step.json_path == path) {
            return &step;
        }
        // A nested step's path starts with its parent's.
        if (!path.starts_with(step.json_path)) {
            continue;
        }
        if (const Step* found = find_step(step.steps, path)) {
            return found;
        }
        for (const scenarios::Branch& branch : step.branches) {
            if (const Step* found = find_step(branch.steps, path)) {
                return found;
            }
        }
    }
    return nullptr;
}

[[nodiscard]] bool is_fault_step(Kind kind) {
    switch (kind) {
        case Kind::partition:
        case Kind::cut:
        case Kind::crash:
        case Kind::slow_votes:
        case Kind::slow_links:
        case Kind::clock_drift:
        case Kind::network:
            return true;
        default:
            return false;
    }
}

// Steps that undo a fault. Removing one from a run that failed a liveness
// check would leave the fault in place -- a partition never healed, a node
// never restarted -- and "fail" the same way without any bug; so for
// liveness failures they stay.
[[nodiscard]] bool is_recovery_step(const Step& step) {
    switch (step.kind) {
        case Kind::heal:
        case Kind::heal_all:
        case Kind::restore:
        case Kind::restart:
        case Kind::clear_slow_votes:
        case Kind::clear_slow_links:
        case Kind::network:
            return true;
        default:
            return false;
    }
}

[[nodiscard]] bool is_wait_step(const Step& step) {
    return step.kind == Kind::wait_for_leader || step.kind == Kind::wait_until_up_to_date;
}

[[nodiscard]] bool same_nodes(const std::vector<NodeSelector>& a,
                              const std::vector<NodeSelector>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const bool same = a[i].kind == b[i].kind && a[i].name == b[i].name &&
                          a[i].count_min == b[i].count_min && a[i].count_max == b[i].count_max;
        if (!same) {
            return false;
        }
    }
    return true;
}

// Whether `recovery` undoes exactly what `fault` did: the heal of its group,
// the restore of its cut, the restart of the nodes it crashed.
[[nodiscard]] bool undoes(const Step& recovery, const Step& fault) {
    switch (fault.kind) {
        case Kind::partition:
            return recovery.kind == Kind::heal && !fault.group.empty() &&
                   recovery.group == fault.group;
        case Kind::cut:
            return recovery.kind == Kind::restore && same_nodes({recovery.from}, {fault.from}) &&
                   same_nodes({recovery.to}, {fault.to});
        case Kind::crash:
        case Kind::wipe:
            return recovery.kind == Kind::restart && same_nodes(recovery.nodes, fault.nodes);
        case Kind::slow_votes:
            return recovery.kind == Kind::clear_slow_votes;
        case Kind::slow_links:
            return recovery.kind == Kind::clear_slow_links;
        default:
            return false;
    }
}

// A wipe crashes the node too (sim::Simulation::wipe).
[[nodiscard]] bool crashes(const Step& step) {
    return step.kind == Kind::crash || step.kind == Kind::wipe;
}

void summarize_faults(const StepList& steps, FaultSummary& summary) {
    for (const Step& step : steps) {
        summary.kinds.insert(step.kind);
        if (crashes(step)) {
            summary.kinds.insert(Kind::crash);
        }
        for (const NodeSelector& selector :
             crashes(step) ? step.nodes : std::vector<NodeSelector>{}) {
            if (selector.kind == NodeSelector::Kind::name) {
                summary.crashed.insert(selector.name);
            } else {
                summary.crashed_unnamed = true;
            }
        }
        summarize_faults(step.steps, summary);
        for (const scenarios::Branch& branch : step.branches) {
            summarize_faults(branch.steps, summary);
        }
    }
}

[[nodiscard]] bool may_undo(const Step& recovery, const FaultSummary& faults) {
    const auto has = [&faults](Kind kind) { return faults.kinds.count(kind) > 0; };
    switch (recovery.kind) {
        case Kind::heal:
        case Kind::heal_all:
            return has(Kind::partition) || has(Kind::cut);
        case Kind::restore:
            return has(Kind::cut);
        case Kind::restart:
            if (!has(Kind::crash)) {
                return false;
            }
            if (faults.crashed_unnamed) {
                return true;
            }
            // A restart of named nodes matters only if one of them crashes.
            return std::any_of(recovery.nodes.begin(), recovery.nodes.end(),
                               [&faults](const NodeSelector& selector) {
                                   return selector.kind != NodeSelector::Kind::name ||
                                          faults.crashed.count(selector.name) > 0;
                               });
        case Kind::clear_slow_votes:
            return has(Kind::slow_votes);
        case Kind::clear_slow_links:
            return has(Kind::slow_links);
        default:
            return true;
    }
}

void count_steps(const StepList& steps, RunSize& size) {
    for (const Step& step : steps) {
        size.steps += 1;
        size.faults += is_fault_step(step.kind) ? 1 : 0;
        count_steps(step.steps, size);
        for (const scenarios::Branch& branch : step.branches) {
            count_steps(branch.steps, size);
        }
    }
}

[[nodiscard]] bool lossy(const std::optional<sim::Ratio>& ratio) {
    return ratio.has_value() && !ratio->is_zero();
}

// Every step list in the scenario, parents before children.
void collect_lists(const StepList& steps, const ListPath& prefix, std::vector<ListPath>& out) {
    out.push_back(prefix);
    for (std::size_t i = 0; i < steps.size(); ++i) {
        ListPath child = prefix;
        child.emplace_back(i, -1);
        if (!steps[i].steps.empty()) {
            collect_lists(steps[i].steps, child, out);
        }
        for (std::size_t b = 0; b < steps[i].branches.size(); ++b) {
            child.back().second = static_cast<int>(b);
            collect_lists(steps[i].branches[b].steps, child, out);
        }
    }
}

[[nodiscard]] bool names_node(const NodeSelector& selector, const std::string& name) {
    return selector.kind == NodeSelector::Kind::name && selector.name == name;
}

// Drops `name` from every step's node set, and every step left with none or
// aimed at it alone. False if a list would be left empty.
[[nodiscard]] bool forget_node(StepList& steps, const std::string& name) {
    StepList kept;
    for (Step& step : steps) {
        const bool had_nodes = !step.nodes.empty();
        std::erase_if(step.nodes, [&](const NodeSelector& s) { return names_node(s, name); });
        bool orphaned = names_node(step.from, name) || names_node(step.to, name);
        orphaned = orphaned || (had_nodes && step.nodes.empty());
        if (!step.steps.empty() && !forget_node(step.steps, name)) {
            return false;
        }
        for (scenarios::Branch& branch : step.branches) {
            if (!forget_node(branch.steps, name)) {
                return false;
            }
        }
        if (!orphaned) {
            kept.push_back(std::move(step));
        }
    }
    steps = std::move(kept);
    return !steps.empty();
}

// A step edit: changes the step and says what it did, or returns "" when it
// has nothing (left) to change.
[[nodiscard]] std::string halve_duration(Step& step) {
    if (step.kind != Kind::sleep || step.duration_us < 2 * sim::us_per_ms) {
        return {};
    }
    step.duration_us /= 2;
    return fmt::format("sleep shortened to {}", scenarios::duration_text(step.duration_us));
}

[[nodiscard]] std::string halve_count(Step& step) {
    const bool counted = step.kind == Kind::apply || step.kind == Kind::repeat ||
                         step.kind == Kind::start_workload || step.kind == Kind::membership_churn;
    if (!counted || step.count <= 1) {
        return {};
    }
    step.count /= 2;
    return fmt::format("{} count cut to {}", step.json_path, step.count);
}

[[nodiscard]] std::string keep_synced_writes(Step& step) {
    if (step.kind != Kind::crash || (!step.lose_unsynced && !step.torn)) {
        return {};
    }
    step.lose_unsynced = false;
    step.torn = false;
    return "crash keeps unsynced writes";
}

// Every Raft timeout divided by `divisor` and rounded down to whole ticks
// (at least one), as the parser requires.
void scale_timings(core::DurationConfig& raft, sim::TimeUs tick_us, std::uint64_t divisor) {
    RAFT_ASSERT(tick_us > 0);
    RAFT_ASSERT(divisor >= 1);
    const auto scaled = [&](std::uint64_t value) {
        return std::max<std::uint64_t>(tick_us, value / divisor / tick_us * tick_us);
    };
    raft.heartbeat_timeout_us = scaled(raft.heartbeat_timeout_us);
    raft.election_timeout_us = scaled(raft.election_timeout_us);
    raft.commit_timeout_us = scaled(raft.commit_timeout_us);
    raft.leader_lease_us = scaled(raft.leader_lease_us);
}

// Repeat counts and sleeps divided by `divisor` (at least 1 and 1 ms);
// false if nothing changed.
[[nodiscard]] bool scale_down(StepList& steps, std::uint32_t divisor) {
    RAFT_ASSERT(divisor >= 2);
    bool changed = false;
    for (Step& step : steps) {
        if (step.kind == Kind::repeat && step.count > 1) {
            step.count = std::max<std::uint32_t>(1, step.count / divisor);
            changed = true;
        }
        if (step.kind == Kind::sleep && step.duration_us > sim::us_per_ms) {
            step.duration_us = std::max<sim::TimeUs>(sim::us_per_ms, step.duration_us / divisor);
            changed = true;
        }
        changed = scale_down(step.steps, divisor) || changed;
        for (scenarios::Branch& branch : step.branches) {
            changed = scale_down(branch.steps, divisor) || changed;
        }
    }
    return changed;
}

StepEdit pace_workload(const Scenario& scenario) {
    const sim::TimeUs default_think_us = scenario.workload.think_us;
    return [default_think_us](Step& step) -> std::string {
        const sim::TimeUs think = step.duration_us > 0 ? step.duration_us : default_think_us;
        if (step.kind != Kind::start_workload || think == 0 || think * 2 > sim::us_per_second) {
            return {};
        }
        step.duration_us = think * 2;
        return fmt::format("{} paced: think {}", step.json_path,
                           scenarios::duration_text(step.duration_us));
    };
}

}  // namespace raftsim::replay::shrinking
