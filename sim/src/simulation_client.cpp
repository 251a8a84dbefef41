// The client workload (hashicorp fuzzy's ApplyN and background applier),
// WaitTilUptoDate, and the end-of-run VerifyLog / VerifyFSM.
#include <fmt/format.h>

#include <algorithm>

#include "raftsim/core/assert.hpp"
#include "raftsim/sim/simulation.hpp"

namespace raftsim::sim {
namespace {

// How often a client with no leader to talk to looks again.
constexpr TimeUs leader_poll_us = 10 * us_per_ms;
// How soon a client retries a leader whose loop is blocked on its disk.
constexpr TimeUs busy_retry_us = 1 * us_per_ms;
}  // namespace

core::NodeId Simulation::ready_leader() const {
    const core::NodeId leader_id = leader();
    // A host blocked on a disk sync takes no requests until it is done (its
    // node has a Ready outstanding), as hashicorp's Apply waits on applyCh.
    if (leader_id == 0 || host(leader_id).node->busy() || host(leader_id).paused) {
        return 0;
    }
    return leader_id;
}

std::uint32_t Simulation::submit_batch(std::uint32_t count) {
    const core::NodeId leader_id = ready_leader();
    if (leader_id == 0) {
        return 0;
    }
    Host& host = mutable_host(leader_id);
    std::uint32_t accepted = 0;
    for (std::uint32_t i = 0; i < count; ++i) {
        // The history keeps every request: its size is the run's memory.
        if (history_.size() >= options_.limits.requests) {
            fail_limit(LimitKind::requests);
            break;
        }
        ClientRequest request{.id = history_.size() + 1,
                              .node = leader_id,
                              .submitted_us = now_,
                              .data = apply_source_.next_entry()};
        const core::ProposeResult result = host.node->propose(request.id, request.data);
        record(TraceRecord{.time = now_,
                           .kind = TraceKind::propose,
                           .sub = static_cast<std::uint8_t>(result.error),
                           .node = leader_id,
                           .term = result.term,
                           .a = request.id,
                           .b = result.index});
        if (result.ok()) {
            request.index = result.index;
            request.term = result.term;
            accepted += 1;
            // Counted before the Ready below can resolve it (a one-node
            // cluster commits at once).
            apply_n_pending_ += apply_n_first_id_ != 0 ? 1 : 0;
        } else {
            request.resolved_us = now_;
            request.outcome = result.error == core::ProposeError::too_many_uncommitted
                                  ? ClientOutcome::too_many_uncommitted
                                  : ClientOutcome::not_leader;
        }
        history_.push_back(std::move(request));
    }
    outstanding_ += accepted;
    guarded(host.id, [&host] { host.node->flush(); });  // flushes replication
    return accepted;
}

void Simulation::on_request_results(Host& host, const std::vector<core::RequestResult>& results) {
    for (const core::RequestResult& result : results) {
        if ((result.id >> 63U) != 0) {
            on_change_result(host, result);  // a membership change, not a client request
            continue;
        }
        if ((result.id >> 62U) != 0) {
            on_kv_result(host, result);  // a key-value client's operation
            continue;
        }
        RAFT_ASSERT(result.id >= 1);
        RAFT_ASSERT(result.id <= history_.size());
        ClientRequest& request = history_[result.id - 1];
        if (request.outcome != ClientOutcome::pending) {
            continue;  // already resolved (for instance by a crash)
        }
        request.resolved_us = now_;
        request.index = result.index;
        const bool committed = result.outcome == core::RequestOutcome::committed;
        request.outcome = committed ? ClientOutcome::success : ClientOutcome::leadership_lost;
        record(TraceRecord{.time = now_,
                           .kind = TraceKind::request_result,
                           .sub = static_cast<std::uint8_t>(request.outcome),
                           .node = host.id,
                           .term = result.term,
                           .a = result.id,
                           .b = result.index});
        on_resolved(request);
        if (committed) {
            successes_ += 1;
            last_success_index_ = std::max(last_success_index_, result.index);
            checkers_.on_client_success(result.index, request.data, now_);
        }
        RAFT_ASSERT(outstanding_ > 0);
        outstanding_ -= 1;
    }
    if (workload_running_ && outstanding_ == 0) {
        arm_client_timer(workload_think_us_);
    }
}

void Simulation::resolve_pending_on(core::NodeId node, ClientOutcome outcome) {
    for (ClientRequest& request : history_) {
        if (request.node == node && request.outcome == ClientOutcome::pending) {
            request.outcome = outcome;
            request.resolved_us = now_;
            on_resolved(request);
            RAFT_ASSERT(outstanding_ > 0);
            outstanding_ -= 1;
        }
    }
    if (workload_running_ && outstanding_ == 0) {
        arm_client_timer(workload_think_us_);
    }
}

void Simulation::on_resolved(const ClientRequest& request) {
    if (apply_n_first_id_ != 0 && request.id >= apply_n_first_id_) {
        RAFT_ASSERT(apply_n_pending_ > 0);
        apply_n_pending_ -= 1;
    }
}

void Simulation::arm_client_timer(TimeUs delay_us) {
    if (client_timer_armed_) {
        return;
    }
    client_timer_armed_ = true;
    queue_.push(now_ + delay_us, EventKind::client, 0, 0);
}

void Simulation::on_client_timer(const Event& event) {
    if (event.payload != 0) {
        // A key-value client's timer: the client and its generation.
        on_kv_client_timer(static_cast<ClientId>((event.payload >> 32U) - 1),
                           static_cast<std::uint32_t>(event.payload));
        return;
    }
    client_timer_armed_ = false;
    if (!workload_running_ || outstanding_ > 0) {
        return;
    }
    if (submit_batch(workload_batch_) == 0) {
        arm_client_timer(leader() != 0 ? busy_retry_us : leader_poll_us);
    }
}

void Simulation::start_workload(std::uint32_t batch, TimeUs think_us) {
    RAFT_ASSERT(batch > 0);
    // Time must move on between batches, even when a one-node cluster
    // commits a batch within the event that proposed it.
    RAFT_ASSERT(think_us > 0);
    workload_running_ = true;
    workload_batch_ = batch;
    workload_think_us_ = think_us;
    arm_client_timer(0);
}

void Simulation::stop_workload() {
    workload_running_ = false;
}

std::uint64_t Simulation::apply_n(std::uint32_t count, TimeUs deadline) {
    const std::uint64_t before = successes_;
    if (!run_until([this] { return ready_leader() != 0; }, deadline)) {
        return 0;
    }
    apply_n_first_id_ = history_.size() + 1;
    apply_n_pending_ = 0;
    static_cast<void>(submit_batch(count));
    run_until([this] { return apply_n_pending_ == 0; }, deadline);
    apply_n_first_id_ = 0;
    apply_n_pending_ = 0;
    return successes_ - before;
}

bool Simulation::up_to_date() const {
    core::Index applied = 0;
    for (const Host& host : hosts_) {
        if (!host.member) {
            continue;
        }
        if (!host.is_up()) {
            return false;
        }
        applied = std::max(applied, host.node->applied_index());
    }
    if (applied < last_success_index_) {
        return false;
    }
    return std::all_of(hosts_.begin(), hosts_.end(), [applied](const Host& host) {
        return !host.member || host.node->applied_index() == applied;
    });
}

bool Simulation::wait_until_up_to_date(TimeUs deadline) {
    return run_until([this] { return up_to_date(); }, deadline);
}

bool Simulation::settled() const {
    const std::vector<core::NodeId> ids = members();
    if (ids.empty() || !host(ids.front()).is_up()) {
        return false;
    }
    const core::Index last = host(ids.front()).node->last_index();
    return std::all_of(ids.begin(), ids.end(), [this, last](core::NodeId id) {
        const Host& member = host(id);
        return member.is_up() && !member.node->busy() && member.node->last_index() == last &&
               member.node->commit_index() == last && member.node->applied_index() == last;
    });
}

// Names each member that keeps the logs from settling, against the highest
// last index of the members that are up: a crashed one with its durable last
// index (its state machine is gone), a live one with its last, commit and
// applied indexes, and whether a disk sync holds it.
std::string Simulation::unsettled_members() const {
    const std::vector<core::NodeId> ids = members();
    if (ids.empty()) {
        return "there are no members";
    }
    core::Index highest = 0;
    for (core::NodeId id : ids) {
        highest = host(id).is_up() ? std::max(highest, host(id).node->last_index()) : highest;
    }
    std::string behind;
    for (core::NodeId id : ids) {
        const Host& member = host(id);
        std::string state;
        if (!member.is_up()) {
            const core::Index durable =
                member.storage.log_base_index() + member.storage.durable_entries().size();
            state = fmt::format("crashed, durable last index {}", durable);
        } else {
            const sut::Node& node = *member.node;
            const core::Index last = node.last_index();
            const bool idle = !node.busy() && last == highest && node.commit_index() == last &&
                              node.applied_index() == last;
            state = idle ? ""
                         : fmt::format("up, last index {}, commit {}, applied {}{}", last,
                                       node.commit_index(), node.applied_index(),
                                       node.busy() ? ", syncing" : "");
        }
        if (!state.empty()) {
            behind += fmt::format("{}{} ({})", behind.empty() ? "" : "; ", member.name, state);
        }
    }
    RAFT_ASSERT(!behind.empty());  // settled() would have held
    return fmt::format("highest last index of a live member {}; behind: {}", highest, behind);
}

void Simulation::verify(TimeUs deadline) {
    if (failed()) {
        return;
    }
    // No new client operations: the logs could not settle under them.
    stop_clients();
    resume_all();  // a pause is a fault the final checks end, as partitions
    const TimeUs start = now_;
    if (!system_.semantics().noop_on_election) {
        // A leader that appends no entry of its own at election commits
        // earlier terms' entries only with a new one (canonical/raft, notes
        // F9); dqlite issues a barrier for that. One command does the same.
        apply_n(1, deadline);
    }
    if (!run_until([this] { return settled(); }, deadline)) {
        if (!failed()) {
            fail(Checker::liveness, "logs_did_not_settle",
                 fmt::format("the members' logs were not all up, committed, applied and equal "
                             "within {} ms of simulated time: {}",
                             (now_ - start) / us_per_ms, unsettled_members()));
        }
        return;
    }
    std::vector<MemberState> members;
    std::vector<ClientSuccess> successes;
    for (const Host& host : hosts_) {
        if (!host.member) {
            continue;  // hashicorp fuzzy verifies c.nodes, without removedNodes
        }
        members.push_back(
            MemberState{.id = host.id,
                        .name = host.name,
                        .log = &host.storage.durable_entries(),
                        .log_base_index = host.storage.log_base_index(),
                        .fsm = &host.fsm,
                        .kv = options_.state_machine == StateMachineKind::kv ? &host.kv : nullptr});
    }
    for (const ClientRequest& request : history_) {
        if (request.outcome == ClientOutcome::success) {
            successes.push_back(ClientSuccess{.index = request.index, .data = request.data});
        }
    }
    checkers_.verify_log(members, successes_, successes, now_);
    checkers_.verify_fsm(members, now_);
}

}  // namespace raftsim::sim
