// The scenario interpreter: each step maps onto simulator calls. Random
// choices (random nodes, leader_plus counts, one_of branches) draw from the
// simulation's scenario stream, so they too are fixed by the seed.
#include "raftsim/scenarios/interpret.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>

#include "raftsim/core/assert.hpp"
#include "raftsim/scenarios/requirements.hpp"
#include "raftsim/sut/raftsim/raftsim_system.hpp"

namespace raftsim::scenarios {
namespace {

sim::CrashTrigger crash_trigger(const Step& step) {
    const std::optional<sim::CrashTrigger> trigger =
        crash_trigger_named(step.crash_after, step.lose_unsynced, step.torn);
    RAFT_ASSERT(trigger.has_value());  // the parser checked the name
    return *trigger;
}

using core::NodeId;

// An apply step waits at most this long for a leader and for its outcomes
// (hashicorp's NoIssueSanity gives ApplyN a minute to find a leader).
constexpr TimeUs apply_deadline_us = 5 * 60 * sim::us_per_second;

class Interpreter {
  public:
    Interpreter(const Scenario& scenario, sim::Simulation& simulation, std::vector<Step>* executed)
        : scenario_(scenario), sim_(simulation), executed_(executed) {}

    [[nodiscard]] const std::string& failed_step_path() const { return failed_step_path_; }

    void run() {
        if (scenario_.workload.continuous) {
            sim_.start_workload(scenario_.workload.batch, scenario_.workload.think_us);
        }
        if (scenario_.clients.clients > 0 && scenario_.clients.continuous) {
            sim_.start_clients();
        }
        run_steps(scenario_.steps);
        if (scenario_.checks.verify && !sim_.failed()) {
            sim_.verify(sim_.now() + scenario_.checks.settle_us);
        }
        // With every other checker: the clients' history, once it is whole.
        if (!sim_.failed()) {
            sim_.check_client_history();
        }
    }

  private:
    void run_steps(const std::vector<Step>& steps) {
        for (const Step& step : steps) {
            if (sim_.failed()) {
                return;
            }
            // A repeat counts by its iterations, a one_of by its branch's
            // steps: a loop that makes no events and takes no time (a
            // repeat of heal_all) is still bounded by limits.steps.
            const bool composite =
                step.kind == Step::Kind::repeat || step.kind == Step::Kind::one_of;
            if (!composite && !sim_.count_step()) {
                return;
            }
            sim_.mark_step(step_number_);
            step_number_ += 1;
            choices_.clear();
            sim_.run_step([this, &step] { run_step(step); });
            record_executed(step);
        }
    }

    // RunOptions::record_steps: the step as it ran (see RunResult).
    void record_executed(const Step& step);
    [[nodiscard]] static bool drawn(const NodeSelector& selector) {
        return selector.kind == NodeSelector::Kind::random ||
               (selector.kind == NodeSelector::Kind::leader_plus &&
                selector.count_min != selector.count_max);
    }
    void note_choice(const NodeSelector& selector, const std::vector<NodeId>& out,
                     std::size_t first);

    void run_step(const Step& step);
    void run_fault_step(const Step& step);
    void run_node_fault(const Step& step);
    void run_wait(const Step& step);
    void run_calm(const Step& step);
    // A step's deadline passed: a liveness failure tied to that step.
    void fail_step(const Step& step, std::string_view kind, std::string detail);
    void run_one_of(const Step& step);
    void run_membership_step(const Step& step);
    void change(const Step& step, core::ChangeKind kind, NodeId id);
    void run_transfer(const Step& step);
    void churn_once(const Step& step);
    [[nodiscard]] static core::ChangeKind change_kind(Step::Kind kind);
    void apply_network(const NetworkSpec& network);
    [[nodiscard]] std::vector<NodeId> resolve(const std::vector<NodeSelector>& selectors);
    void resolve_one(const NodeSelector& selector, std::vector<NodeId>& out);
    [[nodiscard]] std::uint32_t draw_count(const NodeSelector& selector);

    const Scenario& scenario_;
    sim::Simulation& sim_;
    std::map<std::string, std::uint32_t> groups_;
    std::map<std::string, std::vector<NodeId>> group_nodes_;
    std::uint64_t step_number_ = 0;
    std::vector<Step>* executed_ = nullptr;
    /// RunResult::failed_step_path.
    std::string failed_step_path_;
    /// What the current step's random selectors picked, in the order they
    /// were resolved, as fixed selectors (names, or a leader_plus count).
    std::vector<std::vector<NodeSelector>> choices_;
    std::uint32_t last_count_ = 0;
};

NodeSelector fixed_selector(NodeSelector::Kind kind, std::string name, std::uint32_t count) {
    NodeSelector selector;
    selector.kind = kind;
    selector.name = std::move(name);
    selector.count_min = count;
    selector.count_max = count;
    return selector;
}

void Interpreter::note_choice(const NodeSelector& selector, const std::vector<NodeId>& out,
                              std::size_t first) {
    RAFT_ASSERT(drawn(selector));
    RAFT_ASSERT(first <= out.size());
    std::vector<NodeSelector> fixed;
    if (selector.kind == NodeSelector::Kind::leader_plus) {
        fixed.push_back(fixed_selector(NodeSelector::Kind::leader_plus, "", last_count_));
    } else {
        for (std::size_t i = first; i < out.size(); ++i) {
            fixed.push_back(fixed_selector(NodeSelector::Kind::name, sim_.name_of(out[i]), 0));
        }
    }
    choices_.push_back(std::move(fixed));
}

// Composite steps are not kept (their children are, as they run). A step
// whose random selectors were resolved is kept with what they picked, in
// the order nodes, from, to; if that order does not fit what was resolved,
// or a pick came up empty, the step is kept as written.
void Interpreter::record_executed(const Step& step) {
    if (executed_ == nullptr || step.kind == Step::Kind::repeat ||
        step.kind == Step::Kind::one_of) {
        return;
    }
    Step concrete = step;
    std::size_t next = 0;
    // Appends the selector, or what it picked; false if the pick is missing.
    const auto take = [&](const NodeSelector& selector, std::vector<NodeSelector>& into) {
        if (!drawn(selector)) {
            into.push_back(selector);
            return true;
        }
        const bool picked = next < choices_.size() && !choices_[next].empty();
        if (picked) {
            into.insert(into.end(), choices_[next].begin(), choices_[next].end());
        }
        next += 1;
        return picked;
    };
    bool fits = true;
    concrete.nodes.clear();
    for (const NodeSelector& selector : step.nodes) {
        fits = take(selector, concrete.nodes) && fits;
    }
    for (NodeSelector* end : {&concrete.from, &concrete.to}) {
        std::vector<NodeSelector> one;
        fits = take(*end, one) && fits;
        fits = fits && one.size() == 1;
        *end = one.empty() ? *end : one.front();
    }
    executed_->push_back(fits && next == choices_.size() ? std::move(concrete) : step);
}

void Interpreter::run_step(const Step& step) {
    switch (step.kind) {
        case Step::Kind::sleep:
            sim_.run_for(step.duration_us);
            return;
        case Step::Kind::wait_for_leader:
        case Step::Kind::wait_until_up_to_date:
            run_wait(step);
            return;
        case Step::Kind::calm:
            run_calm(step);
            return;
        case Step::Kind::apply:
            static_cast<void>(sim_.apply_n(step.count, sim_.now() + apply_deadline_us));
            return;
        case Step::Kind::start_workload:
            sim_.start_workload(
                step.count > 0 ? step.count : scenario_.workload.batch,
                step.duration_us > 0 ? step.duration_us : scenario_.workload.think_us);
            return;
        case Step::Kind::start_clients:
            sim_.start_clients();
            return;
        case Step::Kind::stop_clients:
            sim_.stop_clients();
            return;
        case Step::Kind::stop_workload:
            sim_.stop_workload();
            return;
        case Step::Kind::repeat:
            for (std::uint32_t i = 0; i < step.count && !sim_.failed(); ++i) {
                if (!sim_.count_step()) {
                    return;
                }
                run_steps(step.steps);
            }
            return;
        case Step::Kind::one_of:
            run_one_of(step);
            return;
        case Step::Kind::add_voter:
        case Step::Kind::add_nonvoter:
        case Step::Kind::demote_voter:
        case Step::Kind::remove_server:
        case Step::Kind::create_node:
        case Step::Kind::transfer_leadership:
        case Step::Kind::snapshot:
        case Step::Kind::membership_churn:
            run_membership_step(step);
            return;
        default:
            run_fault_step(step);
            return;
    }
}

void Interpreter::run_membership_step(const Step& step) {
    switch (step.kind) {
        case Step::Kind::add_voter:
        case Step::Kind::add_nonvoter:
        case Step::Kind::demote_voter:
        case Step::Kind::remove_server:
            for (NodeId id : resolve(step.nodes)) {
                change(step, change_kind(step.kind), id);
            }
            return;
        case Step::Kind::create_node: {
            // A repeated step finds its node already made: it only re-adds it.
            const NodeId existing = sim_.id_of(step.name);
            const NodeId id = existing != 0 ? existing : sim_.create_node(step.name);
            if (step.suffrage != "none") {
                change(step,
                       step.suffrage == "nonvoter" ? core::ChangeKind::add_nonvoter
                                                   : core::ChangeKind::add_voter,
                       id);
            }
            return;
        }
        case Step::Kind::transfer_leadership:
            run_transfer(step);
            return;
        case Step::Kind::snapshot:
            for (NodeId id : resolve(step.nodes)) {
                sim_.take_snapshot(id);
            }
            return;
        case Step::Kind::membership_churn:
            for (std::uint32_t i = 0; i < step.count && !sim_.failed(); ++i) {
                if (!sim_.count_step()) {
                    return;
                }
                churn_once(step);
                sim_.run_for(step.duration_us);
            }
            return;
        default:
            RAFT_UNREACHABLE("run_step dispatches only these kinds here");
    }
}

core::ChangeKind Interpreter::change_kind(Step::Kind kind) {
    switch (kind) {
        case Step::Kind::add_voter:
            return core::ChangeKind::add_voter;
        case Step::Kind::add_nonvoter:
            return core::ChangeKind::add_nonvoter;
        case Step::Kind::demote_voter:
            return core::ChangeKind::demote_voter;
        default:
            RAFT_ASSERT(kind == Step::Kind::remove_server);
            return core::ChangeKind::remove_server;
    }
}

void Interpreter::change(const Step& step, core::ChangeKind kind, NodeId id) {
    if (sim_.failed()) {
        return;
    }
    const sim::ChangeReport report =
        sim_.change_membership(kind, id, sim_.now() + step.duration_us);
    if (report.outcome == sim::ChangeOutcome::committed || step.optional || sim_.failed()) {
        return;
    }
    fail_step(step, "membership_change_failed",
              fmt::format("{}: {} {} {} after {} attempts (last refusal: {})", step.json_path,
                          core::to_string(kind), sim_.name_of(id), sim::to_string(report.outcome),
                          report.attempts, core::to_string(report.last_error)));
}

void Interpreter::run_transfer(const Step& step) {
    NodeId target = 0;
    if (!step.any_target) {
        const std::vector<NodeId> picked = resolve({step.to});
        if (picked.empty()) {
            return;  // e.g. "leader" while there is none: nothing to hand over to
        }
        target = picked.front();
    }
    const sim::TransferReport report =
        sim_.transfer_leadership(target, sim_.now() + step.duration_us);
    const bool completed =
        report.result.has_value() && report.result->outcome == core::TransferOutcome::completed;
    if (completed || step.optional || sim_.failed()) {
        return;
    }
    fail_step(step, "transfer_failed",
              fmt::format("{}: leadership transfer {}", step.json_path,
                          report.error != core::TransferError::none
                              ? fmt::format("refused: {}", core::to_string(report.error))
                          : report.result.has_value()
                              ? fmt::format("ended {}", core::to_string(report.result->outcome))
                              : std::string("had no outcome in time")));
}

// One random membership change, keeping at least three voters so the
// cluster stays able to elect and commit through the churn.
void Interpreter::churn_once(const Step& step) {
    if (sim_.leader() == 0) {
        return;  // nobody to ask; the next round tries again
    }
    const core::Configuration& configuration = sim_.host(sim_.leader()).node->configuration();
    std::vector<NodeId> voters;
    std::vector<NodeId> nonvoters;
    std::vector<NodeId> outsiders;
    for (NodeId id : sim_.ids()) {
        const core::Server* server = configuration.find(id);
        if (server == nullptr) {
            outsiders.push_back(id);
        } else {
            (server->suffrage == core::Suffrage::voter ? voters : nonvoters).push_back(id);
        }
    }
    core::Prng& prng = sim_.scenario_prng();
    const auto pick = [&prng](const std::vector<NodeId>& from) {
        return from[prng.below(from.size())];
    };
    const std::uint64_t roll = prng.below(10);
    Step quiet = step;
    quiet.optional = true;  // churn tolerates a change that does not land in time
    quiet.duration_us = 30 * sim::us_per_second;
    if (voters.size() > 3 && roll < 3) {
        // Mostly followers; now and then the leader itself (RemoveLeader).
        const NodeId victim = roll == 0 ? sim_.leader() : pick(voters);
        change(quiet,
               roll % 2 == 0 ? core::ChangeKind::remove_server : core::ChangeKind::demote_voter,
               victim);
    } else if (!outsiders.empty() && roll < 7) {
        change(quiet, core::ChangeKind::add_voter, pick(outsiders));
    } else if (!nonvoters.empty()) {
        change(quiet, core::ChangeKind::add_voter, pick(nonvoters));
    } else if (!outsiders.empty()) {
        change(quiet, core::ChangeKind::add_nonvoter, pick(outsiders));
    } else if (voters.size() > 3) {
        change(quiet, core::ChangeKind::demote_voter, pick(voters));
    }
}

void Interpreter::run_fault_step(const Step& step) {
    switch (step.kind) {
        case Step::Kind::partition: {
            const std::vector<NodeId> nodes = resolve(step.nodes);
            const std::uint32_t group = sim_.partition_off(nodes);
            if (!step.group.empty()) {
                groups_[step.group] = group;
                group_nodes_[step.group] = nodes;
            }
            return;
        }
        case Step::Kind::heal:
            // A group defined in a branch that did not run: nothing to heal.
            if (const auto it = groups_.find(step.group); it != groups_.end()) {
                sim_.heal(it->second);
            }
            return;
        case Step::Kind::heal_all:
            sim_.heal_all();
            return;
        case Step::Kind::cut:
        case Step::Kind::restore: {
            // Every link from a `from` node to a `to` node, one way.
            for (NodeId from : resolve({step.from})) {
                for (NodeId to : resolve({step.to})) {
                    if (from == to) {
                        continue;
                    }
                    if (step.kind == Step::Kind::cut) {
                        sim_.cut(from, to);
                    } else {
                        sim_.restore(from, to);
                    }
                }
            }
            return;
        }
        case Step::Kind::slow_votes:
            sim_.set_slow_votes(step.slow_mode, resolve(step.nodes), step.delay_min_us,
                                step.delay_max_us);
            return;
        case Step::Kind::clear_slow_votes:
            sim_.clear_slow_votes();
            return;
        case Step::Kind::slow_links: {
            sim::SlowLink slow{.delay_min_us = step.delay_min_us,
                               .delay_max_us = step.delay_max_us};
            for (core::MessageType type : step.message_types) {
                slow.type_mask |= sim::message_type_bit(type);
            }
            for (NodeId from : resolve({step.from})) {
                for (NodeId to : resolve({step.to})) {
                    if (from != to) {
                        sim_.set_slow_link(from, to, slow);
                    }
                }
            }
            return;
        }
        case Step::Kind::clear_slow_links:
            sim_.clear_slow_links();
            return;
        case Step::Kind::network:
            apply_network(step.network);
            return;
        default:
            run_node_fault(step);
            return;
    }
}

// Faults of the nodes themselves, each applied to every node the step names.
void Interpreter::run_node_fault(const Step& step) {
    switch (step.kind) {
        case Step::Kind::crash:
            for (NodeId id : resolve(step.nodes)) {
                if (step.crash_after.empty()) {
                    sim_.crash(id, sim::unsynced_writes(step.lose_unsynced, step.torn));
                } else {
                    sim_.arm_crash(id, crash_trigger(step));
                }
            }
            return;
        case Step::Kind::restart:
            for (NodeId id : resolve(step.nodes)) {
                sim_.restart(id);
            }
            return;
        case Step::Kind::wipe:
            for (NodeId id : resolve(step.nodes)) {
                // An optional wipe is the sanctioned procedure's, which a
                // removal that gave up has not made safe: skip it.
                if (!step.optional || sim_.wipe_is_sanctioned(id)) {
                    sim_.wipe(id);
                }
            }
            return;
        case Step::Kind::pause:
            for (NodeId id : resolve(step.nodes)) {
                sim_.pause(id, step.duration_us);
            }
            return;
        case Step::Kind::clock_drift:
            for (NodeId id : resolve(step.nodes)) {
                sim_.set_clock_drift(id, step.drift_ppm);
            }
            return;
        default:
            RAFT_UNREACHABLE("run_step handles every other kind");
    }
}

void Interpreter::run_wait(const Step& step) {
    const TimeUs deadline = sim_.now() + step.duration_us;
    const bool leader = step.kind == Step::Kind::wait_for_leader;
    const bool reached = leader ? sim_.run_until([this] { return sim_.leader() != 0; }, deadline)
                                : sim_.wait_until_up_to_date(deadline);
    if (reached || step.optional || sim_.failed()) {
        return;
    }
    fail_step(step, leader ? "no_leader" : "not_up_to_date",
              fmt::format("{}: {} within {} ms of simulated time", step.json_path,
                          leader ? "no leader was elected" : "the members did not catch up",
                          step.duration_us / sim::us_per_ms));
}

void Interpreter::run_calm(const Step& step) {
    const sim::CalmOutcome outcome = sim_.run_calm(step.duration_us);
    if (outcome.ok || sim_.failed()) {
        return;
    }
    fail_step(step, outcome.kind, fmt::format("{}: {}", step.json_path, outcome.detail));
}

void Interpreter::fail_step(const Step& step, std::string_view kind, std::string detail) {
    RAFT_ASSERT(!sim_.failed());
    // Structured, so raftsim shrink need not read the path out of the detail.
    failed_step_path_ = step.json_path;
    sim_.fail(sim::Checker::liveness, kind, std::move(detail));
    RAFT_ASSERT(sim_.failed());
}

void Interpreter::run_one_of(const Step& step) {
    RAFT_ASSERT(!step.branches.empty());
    std::uint64_t total = 0;
    for (const Branch& branch : step.branches) {
        total += branch.weight;
    }
    std::uint64_t pick = sim_.scenario_prng().below(total);
    for (const Branch& branch : step.branches) {
        if (pick < branch.weight) {
            run_steps(branch.steps);
            return;
        }
        pick -= branch.weight;
    }
    RAFT_UNREACHABLE("pick < total");
}

void Interpreter::apply_network(const NetworkSpec& network) {
    sim::LinkConfig link = sim_.link();
    link.latency_min_us = network.latency_min_us.value_or(link.latency_min_us);
    link.latency_max_us = network.latency_max_us.value_or(link.latency_max_us);
    link.drop = network.drop.value_or(link.drop);
    link.duplicate = network.duplicate.value_or(link.duplicate);
    link.reorder = network.reorder.value_or(link.reorder);
    link.reorder_delay_max_us = network.reorder_delay_max_us.value_or(link.reorder_delay_max_us);
    link.stale_replay = network.stale_replay.value_or(link.stale_replay);
    link.stale_replay_delay_min_us =
        network.stale_replay_delay_min_us.value_or(link.stale_replay_delay_min_us);
    link.stale_replay_delay_max_us =
        network.stale_replay_delay_max_us.value_or(link.stale_replay_delay_max_us);
    link.queue_capacity = network.queue_capacity.value_or(link.queue_capacity);
    sim_.set_link(link);
}

std::uint32_t Interpreter::draw_count(const NodeSelector& selector) {
    RAFT_ASSERT(selector.count_min <= selector.count_max);
    const std::uint64_t span = selector.count_max - selector.count_min;
    last_count_ =
        selector.count_min + static_cast<std::uint32_t>(sim_.scenario_prng().below(span + 1));
    return last_count_;
}

void Interpreter::resolve_one(const NodeSelector& selector, std::vector<NodeId>& out) {
    const NodeId leader = sim_.leader();
    switch (selector.kind) {
        case NodeSelector::Kind::name:
            out.push_back(sim_.id_of(selector.name));
            return;
        case NodeSelector::Kind::leader:
            if (leader != 0) {
                out.push_back(leader);
            }
            return;
        case NodeSelector::Kind::followers:
        case NodeSelector::Kind::all:
            for (NodeId id : sim_.ids()) {
                if (selector.kind == NodeSelector::Kind::all || id != leader) {
                    out.push_back(id);
                }
            }
            return;
        case NodeSelector::Kind::leader_plus: {
            const std::vector<NodeId> picked = sim_.leader_plus(draw_count(selector));
            out.insert(out.end(), picked.begin(), picked.end());
            return;
        }
        case NodeSelector::Kind::follower: {
            std::uint32_t seen = 0;
            for (NodeId id : sim_.members()) {
                if (id != leader && ++seen == selector.count_min) {
                    out.push_back(id);
                    return;
                }
            }
            return;
        }
        case NodeSelector::Kind::group:
            if (const auto it = group_nodes_.find(selector.name); it != group_nodes_.end()) {
                out.insert(out.end(), it->second.begin(), it->second.end());
            }
            return;
        case NodeSelector::Kind::random: {
            std::vector<NodeId> pool = sim_.ids();
            const std::size_t count = std::min<std::size_t>(draw_count(selector), pool.size());
            for (std::size_t i = 0; i < count; ++i) {  // partial Fisher-Yates
                const std::size_t j = i + sim_.scenario_prng().below(pool.size() - i);
                std::swap(pool[i], pool[j]);
                out.push_back(pool[i]);
            }
            return;
        }
    }
}

std::vector<NodeId> Interpreter::resolve(const std::vector<NodeSelector>& selectors) {
    std::vector<NodeId> out;
    for (const NodeSelector& selector : selectors) {
        const std::size_t first = out.size();
        resolve_one(selector, out);
        if (executed_ != nullptr && drawn(selector)) {
            note_choice(selector, out, first);
        }
    }
    // A node named twice is still one node.
    std::vector<NodeId> unique;
    for (NodeId id : out) {
        if (id != 0 && std::find(unique.begin(), unique.end(), id) == unique.end()) {
            unique.push_back(id);
        }
    }
    return unique;
}

}  // namespace

sim::SimOptions sim_options(const Scenario& scenario, const RunOptions& options) {
    const core::ConfigResult raft = core::to_ticks(scenario.raft, scenario.cluster.tick_us);
    RAFT_ASSERT(raft.error == core::ConfigError::ok);  // the parser validated it
    sim::LinkConfig link;
    link.latency_min_us = scenario.network.latency_min_us.value_or(link.latency_min_us);
    link.latency_max_us = scenario.network.latency_max_us.value_or(link.latency_max_us);
    link.drop = scenario.network.drop.value_or(link.drop);
    link.duplicate = scenario.network.duplicate.value_or(link.duplicate);
    link.reorder = scenario.network.reorder.value_or(link.reorder);
    link.reorder_delay_max_us =
        scenario.network.reorder_delay_max_us.value_or(link.reorder_delay_max_us);
    link.stale_replay = scenario.network.stale_replay.value_or(link.stale_replay);
    link.stale_replay_delay_min_us =
        scenario.network.stale_replay_delay_min_us.value_or(link.stale_replay_delay_min_us);
    link.stale_replay_delay_max_us =
        scenario.network.stale_replay_delay_max_us.value_or(link.stale_replay_delay_max_us);
    link.queue_capacity = scenario.network.queue_capacity.value_or(link.queue_capacity);
    return sim::SimOptions{
        .names = scenario.cluster.names,
        .system = options.system,
        .raft = raft.config,
        .tick_us = scenario.cluster.tick_us,
        .disk_sync_us = scenario.cluster.disk_sync_us,
        .link = link,
        .message_faults = scenario.message_faults,
        .seed = options.seed,
        .keep_trace = options.keep_trace,
        .apply_source = scenario.workload.source.empty() ? scenario.name : scenario.workload.source,
        .state_machine = scenario.state_machine,
        .kv_clients = scenario.clients,
        .linearizability_limits = options.linearizability_limits.value_or(sim::CheckLimits{}),
        .cross_check_history = options.cross_check_history,
        .max_events = options.max_events,
        .limits = {.events = scenario.limits.events,
                   .simulated_time_us = scenario.limits.simulated_time_us,
                   .steps = scenario.limits.steps,
                   .requests = scenario.limits.requests},
        .black_box = scenario.checks.black_box,
        .progress = options.progress,
    };
}

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
    RunResult result;
    result.system = options.system != nullptr ? options.system : &sut::native::system();
    // Checked before anything is built: a scenario the system cannot run
    // is not run at all (and not in a weakened form either).
    if (std::optional<std::string> reason = skip_reason(scenario, *result.system)) {
        result.skipped = true;
        result.skip_reason = std::move(*reason);
        return result;
    }
    result.simulation = std::make_unique<sim::Simulation>(sim_options(scenario, options));
    sim::Simulation& simulation = *result.simulation;
    simulation.set_observer(options.observer);
    Interpreter interpreter(scenario, simulation,
                            options.record_steps ? &result.executed_steps : nullptr);
    interpreter.run();
    result.violation = simulation.violation();
    result.failed_step_path = interpreter.failed_step_path();
    result.passed = !result.violation.has_value();
    result.halted = simulation.halted();
    result.fingerprint = simulation.trace().fingerprint();
    result.events = simulation.events();
    result.trace_records = simulation.trace().count();
    result.simulated_us = simulation.now();
    result.steps = simulation.steps();
    result.applies_succeeded = simulation.successes();
    result.ignored_asserts = simulation.ignored_asserts();
    return result;
}

}  // namespace raftsim::scenarios
