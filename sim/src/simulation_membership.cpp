// Membership changes, leadership transfer and snapshots as the harness sees
// them (hashicorp fuzzy's CreateAndAddNode, RemoveNode, LeadershipTransfer),
// and the host's side of snapshots: taking them, storing, restoring.
#include <fmt/format.h>

#include "raftsim/core/assert.hpp"
#include "raftsim/sim/simulation.hpp"

namespace raftsim::sim {
namespace {

// Membership request ids live apart from client request ids.
constexpr core::RequestId change_id_bit = core::RequestId{1} << 63U;
// How soon a refused change (another change pending, no commit in term yet) is retried.
constexpr TimeUs change_retry_us = 20 * us_per_ms;

[[nodiscard]] bool transient(core::ChangeError error) {
    switch (error) {
        case core::ChangeError::not_leader:
        case core::ChangeError::leadership_transfer_in_progress:
        case core::ChangeError::leader_not_committed_in_term:
        case core::ChangeError::change_in_progress:
        case core::ChangeError::configuration_changed:
            return true;
        default:
            return false;
    }
}

}  // namespace

std::string_view to_string(ChangeOutcome outcome) noexcept {
    switch (outcome) {
        case ChangeOutcome::committed:
            return "committed";
        case ChangeOutcome::refused:
            return "refused";
        case ChangeOutcome::timed_out:
            return "timed_out";
    }
    return "?";
}

core::NodeId Simulation::create_node(std::string name) {
    RAFT_ASSERT(id_of(name) == 0);
    RAFT_ASSERT(hosts_.size() < 64);  // trace bitmasks hold 64 nodes
    Host& host = hosts_.emplace_back();
    host.id = hosts_.size();
    host.name = std::move(name);
    attach_env(host);
    host.node = system_.restart(*host.env, node_setup(host), core::DurableState{});
    host.member = false;  // until a committed configuration holds it
    record(TraceRecord{.time = now_, .kind = TraceKind::node_created, .node = host.id});
    // Not started: a new server has written nothing and handles whatever its
    // creation left pending with its first input.
    schedule_tick(host, tick_prng_.range_inclusive(1, options_.tick_us));
    return host.id;
}

std::vector<core::NodeId> Simulation::members() const {
    std::vector<core::NodeId> result;
    for (const Host& host : hosts_) {
        if (host.member) {
            result.push_back(host.id);
        }
    }
    return result;
}

// Done when the leader's committed configuration shows the change.
bool Simulation::change_done(core::ChangeKind kind, core::NodeId server) const {
    const core::NodeId leader_id = leader();
    if (leader_id == 0) {
        return false;
    }
    const sut::Node& leader = *host(leader_id).node;
    // A new leader that has not yet committed its bootstrap configuration
    // has an empty committed one, in which every server looks removed.
    if (leader.committed_configuration_index() == 0) {
        return false;
    }
    const core::Server* entry = leader.committed_configuration().find(server);
    switch (kind) {
        case core::ChangeKind::add_voter:
            return entry != nullptr && entry->suffrage == core::Suffrage::voter;
        case core::ChangeKind::add_nonvoter:
            return entry != nullptr;
        case core::ChangeKind::demote_voter:
            return entry == nullptr || entry->suffrage != core::Suffrage::voter;
        case core::ChangeKind::remove_server:
            return entry == nullptr;
    }
    return false;
}

// One proposal to the current leader; true once the change is appended.
bool Simulation::propose_change(core::ChangeKind kind, core::NodeId server, ChangeReport& report) {
    const core::NodeId leader_id = ready_leader();
    RAFT_ASSERT(leader_id != 0);
    Host& host = mutable_host(leader_id);
    const core::RequestId id = change_id_bit | next_change_id_++;
    const core::ChangeResult result = host.node->change_membership(
        id, core::ChangeRequest{.kind = kind, .server = server, .prev_index = 0});
    report.attempts += 1;
    report.last_error = result.error;
    record(TraceRecord{.time = now_,
                       .kind = TraceKind::membership,
                       .sub = static_cast<std::uint8_t>(kind),
                       .node = leader_id,
                       .peer = server,
                       .term = host.node->term(),
                       .a = static_cast<std::uint64_t>(result.error),
                       .b = result.index,
                       .c = static_cast<std::uint64_t>(MembershipEvent::proposed)});
    if (!result.ok()) {
        return false;
    }
    change_ = PendingChange{.id = id, .leader = leader_id};
    changes_appended_[id] = core::ChangeRequest{.kind = kind, .server = server, .prev_index = 0};
    guarded(leader_id, [&host] { host.node->flush(); });
    return true;
}

ChangeReport Simulation::change_membership(core::ChangeKind kind, core::NodeId server,
                                           TimeUs deadline) {
    ChangeReport report;
    while (!failed()) {
        if (!run_until([this] { return ready_leader() != 0; }, deadline)) {
            break;
        }
        if (change_done(kind, server)) {
            report.outcome = ChangeOutcome::committed;
            break;
        }
        const bool appended = propose_change(kind, server, report);
        if (!appended && !transient(report.last_error) &&
            report.last_error != core::ChangeError::nothing_to_change) {
            report.outcome = ChangeOutcome::refused;
            break;
        }
        // Wait for the outcome (or, after a refusal, a moment), then look again.
        const TimeUs pause = std::min(deadline, now_ + change_retry_us);
        run_until([this, appended] { return appended && change_->resolved; },
                  appended ? deadline : pause);
        change_.reset();
        if (now_ >= deadline) {
            break;
        }
    }
    change_.reset();
    return report;
}

void Simulation::on_change_result(Host& host, const core::RequestResult& result) {
    const auto it = changes_appended_.find(result.id);
    RAFT_ASSERT(it != changes_appended_.end());  // each appended change has one result
    const core::ChangeRequest request = it->second;
    changes_appended_.erase(it);
    const bool committed = result.outcome == core::RequestOutcome::committed;
    record(
        TraceRecord{.time = now_,
                    .kind = TraceKind::membership,
                    .sub = static_cast<std::uint8_t>(request.kind),
                    .node = host.id,
                    .peer = request.server,
                    .term = result.term,
                    .b = result.index,
                    .c = static_cast<std::uint64_t>(committed ? MembershipEvent::committed
                                                              : MembershipEvent::leadership_lost)});
    if (change_.has_value() && change_->id == result.id) {
        change_->resolved = true;
    }
}

TransferReport Simulation::transfer_leadership(core::NodeId target, TimeUs deadline) {
    TransferReport report;
    if (!run_until([this] { return ready_leader() != 0; }, deadline)) {
        return report;
    }
    Host& host = mutable_host(ready_leader());
    const core::TransferStart start = host.node->transfer_leadership(target);
    report.error = start.error;
    record(TraceRecord{.time = now_,
                       .kind = TraceKind::transfer,
                       .sub = static_cast<std::uint8_t>(TransferEvent::started),
                       .node = host.id,
                       .peer = start.ok() ? start.target : target,
                       .term = host.node->term(),
                       .a = static_cast<std::uint64_t>(start.error),
                       .b = host.node->term()});
    if (!start.ok()) {
        return report;
    }
    transfer_leader_ = host.id;
    transfer_result_.reset();
    guarded(host.id, [&host] { host.node->flush(); });
    run_until(
        [this] { return transfer_result_.has_value() || !this->host(transfer_leader_).is_up(); },
        deadline);
    report.result = transfer_result_;
    transfer_leader_ = 0;
    return report;
}

void Simulation::take_snapshot(core::NodeId id) {
    Host& host = mutable_host(id);
    if (!host.is_up() || host.node->busy() || host.paused) {
        return;
    }
    guarded(id, [&host] { host.node->take_snapshot(); });
}

void Simulation::maybe_auto_snapshot(Host& host) {
    if (host.is_up() && !host.node->busy() && host.node->wants_snapshot()) {
        take_snapshot(host.id);
    }
}

void Simulation::restore_snapshot(Host& host, const core::Snapshot& snapshot) {
    // fsm_snapshot's layout: the hash chain's words, then the key-value
    // store when the servers run one.
    const std::size_t chain_bytes = HashChainFsm::snapshot_size_bytes;
    RAFT_ASSERT(snapshot.data.size() >= chain_bytes);
    const core::Bytes chain(snapshot.data.begin(), snapshot.data.begin() + chain_bytes);
    const bool restored = host.fsm.restore(chain);
    RAFT_ASSERT(restored);  // only our own FSM's snapshots travel
    host.kv_applied_index = snapshot.index;
    if (options_.state_machine == StateMachineKind::kv) {
        const bool kv_restored = host.kv.restore(snapshot.data.begin() + chain_bytes,
                                                 snapshot.data.size() - chain_bytes);
        RAFT_ASSERT(kv_restored);
    } else {
        RAFT_ASSERT(snapshot.data.size() == chain_bytes);
    }
}

// After a leader's Ready: its commit must rest on a quorum of its voters,
// and any configuration it appended must follow the one-at-a-time rules.
void Simulation::observe_leader(Host& host, core::Index commit_before) {
    if (!host.is_up() || host.node->role() != core::Role::leader) {
        return;
    }
    const core::Index commit = host.node->commit_index();
    if (commit > commit_before) {
        checkers_.on_leader_commit(host.id, host.node->term(), commit, now_);
    }
    checkers_.on_leader_ready(host.id, host.node->term(), now_);
    update_members(*host.node);
}

// The members are the servers of the latest committed configuration (as
// hashicorp fuzzy's cluster drops a node once RemoveNode returns), less its
// staging servers where the leader does not replicate to them
// (Semantics::replicates_to_staging).
void Simulation::update_members(const sut::Node& leader) {
    const core::Index index = leader.committed_configuration_index();
    if (index <= members_configuration_index_) {
        return;
    }
    members_configuration_index_ = index;
    const core::Configuration& configuration = leader.committed_configuration();
    for (const core::Server& server : members_configuration_.servers) {
        if (configuration.find(server.id) == nullptr) {
            removed_in_term_[server.id] = leader.term();  // Simulation::wipe
        }
    }
    members_configuration_ = configuration;
    const bool staging_counts = system_.semantics().replicates_to_staging;
    for (Host& host : hosts_) {
        const core::Server* server = configuration.find(host.id);
        const bool member =
            server != nullptr && (staging_counts || server->suffrage != core::Suffrage::staging);
        if (member == host.member) {
            continue;
        }
        host.member = member;
        record(TraceRecord{.time = now_,
                           .kind = TraceKind::membership,
                           .peer = host.id,
                           .a = member ? 1U : 0U,
                           .b = index,
                           .c = static_cast<std::uint64_t>(MembershipEvent::members_changed)});
    }
}

}  // namespace raftsim::sim
