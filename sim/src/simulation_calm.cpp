// Calm periods: liveness that notices more than a missed deadline (after
// TigerBeetle VOPR's liveness mode). Once every fault heals and a quorum is
// up and connected, a correct Raft elects a leader, commits what it is
// given, ends a leadership transfer, and elects nobody else -- each within
// bounds derived from the configured timeouts.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/quorum.hpp"
#include "raftsim/sim/simulation.hpp"

namespace raftsim::sim {

// One election round is at most twice the election timeout (it is drawn
// from [T, 2T]) plus a vote's round trip and two disk syncs; pre-vote adds
// a second round trip. Forty rounds cover split votes with room: with a
// bare majority up and one node alone holding the longest log, only that
// node can win, and only by timing out first -- about one round in four
// (swarm seed 546 took 20); forty losing rounds in a row is ~1e-5.
CalmBounds Simulation::calm_bounds() const {
    const LinkConfig& base = network_.default_link();
    const TimeUs latency = std::max(base.latency_max_us, base.latency_min_us);
    // A node whose clock runs slow (clock_drift) takes longer to time out.
    std::int32_t slowest_ppm = 0;
    for (const Host& host : hosts_) {
        slowest_ppm = std::max(slowest_ppm, host.drift_ppm);
    }
    const TimeUs tick_us =
        options_.tick_us + options_.tick_us * static_cast<TimeUs>(slowest_ppm) / 1'000'000;
    const TimeUs timeout_us = 2 * options_.raft.election_timeout_ticks * tick_us;
    const TimeUs round_trips = (options_.raft.pre_vote ? 4 : 2) * (latency + options_.disk_sync_us);
    return CalmBounds{.leader_us = 40 * (timeout_us + round_trips), .proposals = 3};
}

// Whether a majority of each configuration in play is up: the members'
// (the latest committed one seen) and the one each up node uses, which may
// be a later, uncommitted one (hashicorp: the latest in the log).
bool Simulation::calm_quorums_up() const {
    const auto majority_up = [this](const core::Configuration& configuration) {
        std::size_t up = 0;
        for (const core::Server& server : configuration.servers) {
            up += server.suffrage == core::Suffrage::voter && is_up(server.id) ? 1 : 0;
        }
        return core::is_majority(up, configuration.voter_count());
    };
    if (!majority_up(members_configuration_)) {
        return false;
    }
    return std::all_of(hosts_.begin(), hosts_.end(), [&majority_up](const Host& other) {
        return !other.is_up() || other.node->configuration().voter_count() == 0 ||
               majority_up(other.node->configuration());
    });
}

// Heals every network fault (latency stays: it is not a fault, but a slow
// link is one and goes; scripted message faults and armed crash triggers go
// too) and restarts down nodes, in id order, until a majority of every
// configuration in play is up; the others stay down, so a calm period may
// run with a minority down. Only while every up node uses
// the members' configuration, though: hashicorp's voters refuse candidates
// outside their own (latest) configuration, so a stale node can refuse the
// only electable candidate while the one voter that would help is down --
// a deadlock of those semantics that a calm period with everyone up avoids.
void Simulation::calm_heal() {
    heal_all();
    clear_slow_votes();
    clear_slow_links();
    network_.set_message_faults({});
    for (Host& other : hosts_) {
        other.crash_trigger.reset();  // an armed crash is a fault too
    }
    LinkConfig link = network_.default_link();
    link.drop = Ratio{};
    link.duplicate = Ratio{};
    link.reorder = Ratio{};
    // Late copies already on their way are dropped when they arrive (a
    // replayed response can carry a removed server's inflated term to a
    // member and depose a stable leader: a fault, which a calm has none of).
    link.stale_replay = Ratio{};
    calms_ += 1;
    set_link(link);
    // Last: what a paused node held is handed over once no fault is left
    // armed (its held messages could fire a crash trigger).
    resume_all();
    const bool agreed = std::all_of(hosts_.begin(), hosts_.end(), [this](const Host& other) {
        return !other.is_up() ||
               other.node->configuration().servers == members_configuration_.servers;
    });
    for (const Host& other : hosts_) {
        if (agreed && calm_quorums_up()) {
            break;
        }
        if (!other.is_up()) {
            restart(other.id);
        }
    }
    RAFT_ASSERT(calm_quorums_up() || failed());
}

// A leader that every other up member follows, as a follower, in its term,
// with no backlog of messages waiting on its disk (a follower working off
// one handles the leader's heartbeats late and may time out: LeaderChurn
// seed 178, one entry per message and a sync each).
bool Simulation::stable_leader() const {
    const core::NodeId leader_id = leader();
    if (leader_id == 0) {
        return false;
    }
    const core::Term term = host(leader_id).node->term();
    return std::all_of(hosts_.begin(), hosts_.end(), [term, leader_id](const Host& other) {
        if (!other.member || !other.is_up()) {
            return true;
        }
        const bool follows = other.id == leader_id || (other.node->role() == core::Role::follower &&
                                                       other.node->leader_id() == leader_id);
        return other.node->term() == term && follows && !other.node->has_backlog();
    });
}

// Proposes `bounds.proposals` commands and requires them to commit within
// the bound. A refusal for an allowed reason (too many uncommitted, or not
// the leader: the client's name for a transfer in progress and a full log
// too) is retried until the deadline; a proposal lost with its leader, or
// refusals past the deadline, fail.
CalmOutcome Simulation::calm_proposals(const CalmBounds& bounds, std::string_view when) {
    const TimeUs deadline = now_ + bounds.leader_us;
    const core::RequestId first = history_.size() + 1;
    std::uint64_t committed = 0;
    bool lost = false;
    while (committed < bounds.proposals && !lost && now_ < deadline && !failed()) {
        const core::RequestId batch = history_.size() + 1;
        committed += apply_n(static_cast<std::uint32_t>(bounds.proposals - committed), deadline);
        for (core::RequestId id = batch; id <= history_.size(); ++id) {
            const ClientOutcome outcome = history_[id - 1].outcome;
            lost = lost || outcome == ClientOutcome::leadership_lost ||
                   outcome == ClientOutcome::node_crashed;
        }
        if (committed < bounds.proposals && !lost) {
            run_for(std::min<TimeUs>(deadline - std::min(deadline, now_), options_.tick_us));
        }
    }
    if (failed()) {
        return CalmOutcome{};
    }
    std::vector<ClientOutcome> outcomes;
    for (core::RequestId id = first; id <= history_.size(); ++id) {
        outcomes.push_back(history_[id - 1].outcome);
    }
    return calm::judge_proposals(committed, bounds.proposals, outcomes, bounds.leader_us, when);
}

// Hands leadership to a member voter that is down, if there is one (the
// transfer must time out and leave the leader taking proposals), else to
// the voter the leader picks (the most up to date; hashicorp waits for the
// target to catch up, so a lagging one may time out): it must lead.
// `allowed` counts the election a transfer makes.
CalmOutcome Simulation::calm_transfer(const CalmBounds& bounds, std::uint64_t& allowed) {
    const core::NodeId current = leader();
    core::NodeId down = 0;
    std::size_t voters = 0;
    for (const core::Server& server : members_configuration_.servers) {
        if (server.suffrage == core::Suffrage::voter && server.id != current) {
            voters += 1;
            down = down == 0 && !is_up(server.id) ? server.id : down;
        }
    }
    if (voters == 0) {
        return CalmOutcome{};  // a one-voter cluster: nobody to hand over to
    }
    const bool target_up = down == 0;
    const TransferReport report = transfer_leadership(down, now_ + bounds.leader_us);
    const core::NodeId target = report.result.has_value() ? report.result->target : down;
    if (report.error != core::TransferError::none || failed()) {
        return CalmOutcome{};  // refused up front (a change in progress): an allowed answer
    }
    const bool completed =
        report.result.has_value() && report.result->outcome == core::TransferOutcome::completed;
    // hashicorp gives up after an election timeout even if the target then
    // wins (its election can take longer than that): a transfer to an up
    // target must end, and the target must lead.
    // Only where the network and disk leave an election well inside the
    // timeout is a transfer that fails a liveness failure (swarm seed 477:
    // latency near the timeout, and hashicorp's transfer timed out).
    const TimeUs latency =
        std::max(network_.default_link().latency_max_us, network_.default_link().latency_min_us);
    const bool roomy = 4 * (latency + options_.disk_sync_us) <=
                       options_.raft.election_timeout_ticks * options_.tick_us;
    const bool target_leads =
        completed || (target_up && report.result.has_value() &&
                      run_until([this, target] { return stable_leader() && leader() == target; },
                                now_ + bounds.leader_us));
    allowed += target_leads ? 1 : 0;
    calm::TransferTally tally{
        .target_name = target == 0 ? std::string("the leader's pick") : name_of(target),
        .target_up = target_up,
        .roomy = roomy,
        .target_leads = target_leads};
    if (report.result.has_value()) {
        tally.outcome = report.result->outcome;
    }
    return calm::judge_transfer(tally, bounds.leader_us);
}

CalmOutcome Simulation::run_calm(TimeUs duration) {
    // Quiet means no overload either: the background workload pauses (a
    // saturated follower's disk backlog can hold a leader's heartbeats past
    // its election timeout -- LeaderChurn seed 13) and resumes afterwards.
    // The key-value clients too: they finish what they have outstanding.
    const bool workload = workload_running_;
    const bool clients = kv_running_;
    stop_workload();
    stop_clients();
    const CalmOutcome outcome = run_calm_probes(duration);
    if (workload && !failed()) {
        start_workload(workload_batch_, workload_think_us_);
    }
    if (clients && !failed()) {
        start_clients();
    }
    return outcome;
}

CalmOutcome Simulation::run_calm_probes(TimeUs duration) {
    const TimeUs end = now_ + duration;
    calm_heal();
    const CalmBounds bounds = calm_bounds();
    // Stable for a whole election timeout (twice the configured one: the
    // drawn maximum): by then every follower has heard from the leader and
    // restarted its timer, so an election after it is one too many.
    const TimeUs settle_us = 2 * options_.raft.election_timeout_ticks * options_.tick_us;
    const auto await_leader = [this, &bounds, settle_us](std::string_view when) {
        std::optional<TimeUs> stable_from;
        const auto settled = [this, &stable_from, settle_us] {
            if (!stable_leader()) {
                stable_from.reset();
                return false;
            }
            stable_from = stable_from.value_or(now_);
            return now_ - *stable_from >= settle_us;
        };
        if (run_until(settled, now_ + bounds.leader_us) || failed()) {
            return CalmOutcome{};
        }
        return CalmOutcome{.ok = false,
                           .kind = "calm_no_leader",
                           .detail = fmt::format("no leader every up member follows {} within {} "
                                                 "ms of a calm period",
                                                 when, bounds.leader_us / us_per_ms)};
    };
    const std::uint64_t elections_at_start = leaders_elected_;
    CalmOutcome outcome = await_leader("after the faults healed");
    // Settling may take a leader or two: a node with a higher term steps the
    // old leader down; without pre-vote each up member may do so once on
    // rejoining (thesis §9.6). More is an election storm.
    std::size_t up_members = 0;
    for (const Host& other : hosts_) {
        up_members += other.member && other.is_up() ? 1 : 0;
    }
    if (outcome.ok && !failed()) {
        outcome = calm::judge_settling(leaders_elected_ - elections_at_start,
                                       options_.raft.pre_vote, up_members);
    }
    const std::uint64_t elections_before = leaders_elected_;
    std::uint64_t allowed = 0;
    const auto step = [&outcome, this](const std::function<CalmOutcome()>& probe) {
        if (outcome.ok && !failed()) {
            outcome = probe();
        }
    };
    step([&] { return calm_proposals(bounds, "with a stable leader"); });
    step([&] { return calm_transfer(bounds, allowed); });
    step([&] { return await_leader("after a leadership transfer"); });
    step([&] { return calm_proposals(bounds, "after a leadership transfer"); });
    if (!outcome.ok || failed()) {
        return outcome;
    }
    if (now_ < end) {
        run_for(end - now_);
    }
    if (failed()) {
        return CalmOutcome{};
    }
    return calm::judge_stable_period(leaders_elected_ - elections_before, allowed);
}

namespace calm {

std::uint64_t settling_elections_allowed(bool pre_vote, std::size_t up_members) {
    return 2 + (pre_vote ? 0 : up_members);
}

CalmOutcome judge_settling(std::uint64_t elected, bool pre_vote, std::size_t up_members) {
    const std::uint64_t allowed = settling_elections_allowed(pre_vote, up_members);
    if (elected <= allowed) {
        return CalmOutcome{};
    }
    RAFT_ASSERT(elected > 2);
    return CalmOutcome{.ok = false,
                       .kind = "calm_election_storm",
                       .detail = fmt::format("{} leaders elected before the cluster settled in a "
                                             "calm period ({} allowed)",
                                             elected, allowed)};
}

CalmOutcome judge_proposals(std::uint64_t committed, std::uint32_t proposed,
                            const std::vector<ClientOutcome>& outcomes, TimeUs bound_us,
                            std::string_view when) {
    RAFT_ASSERT(proposed > 0);
    if (committed >= proposed) {
        return CalmOutcome{};
    }
    std::string listed;
    for (const ClientOutcome outcome : outcomes) {
        listed += fmt::format("{}{}", listed.empty() ? "" : ", ", to_string(outcome));
    }
    return CalmOutcome{
        .ok = false,
        .kind = "calm_proposals_failed",
        .detail = fmt::format("{} of {} commands proposed {} committed within {} ms ({})",
                              committed, proposed, when, bound_us / us_per_ms,
                              listed.empty() ? "none proposed" : listed)};
}

CalmOutcome judge_transfer(const TransferTally& tally, TimeUs bound_us) {
    // A transfer to a down target must merely end; where votes cannot beat
    // the timeout (!roomy) one that fails is the network's doing.
    if (tally.outcome.has_value() && (tally.target_leads || !tally.target_up || !tally.roomy)) {
        return CalmOutcome{};
    }
    RAFT_ASSERT(bound_us > 0);
    return CalmOutcome{
        .ok = false,
        .kind = "calm_transfer_failed",
        .detail = fmt::format(
            "a leadership transfer to {} ({}) {} within {} ms, and it did not lead",
            tally.target_name, tally.target_up ? "up" : "down",
            tally.outcome.has_value() ? fmt::format("ended {}", core::to_string(*tally.outcome))
                                      : std::string("had no outcome"),
            bound_us / us_per_ms)};
}

CalmOutcome judge_stable_period(std::uint64_t elected, std::uint64_t allowed) {
    if (elected <= allowed) {
        return CalmOutcome{};
    }
    RAFT_ASSERT(elected > 0);
    return CalmOutcome{.ok = false,
                       .kind = "calm_extra_elections",
                       .detail = fmt::format("{} leaders elected in a calm period with a stable "
                                             "leader ({} allowed: the transfer's)",
                                             elected, allowed)};
}

}  // namespace calm

}  // namespace raftsim::sim
