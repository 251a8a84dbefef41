// The node host: ticks, message delivery, the Ready loop (write, sync, then
// send, apply, advance), crashes and restarts.
#include <fmt/format.h>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/quorum.hpp"
#include "raftsim/sim/simulation.hpp"

namespace raftsim::sim {

void Simulation::on_tick(const Event& event) {
    Host& host = mutable_host(event.node);
    if (!host.is_up() || event.payload != host.incarnation) {
        return;  // a tick of an incarnation that crashed
    }
    schedule_tick(host, tick_period(host));
    if (host.syncing) {
        // The host is blocked on its disk; the tick is handled after the sync.
        host.missed_ticks += 1;
        return;
    }
    host.node->tick();
    if (host.node->has_ready()) {
        record(TraceRecord{
            .time = now_, .kind = TraceKind::tick, .node = host.id, .term = host.node->term()});
        handle_ready(host);
    }
    check_leader_lease(host);
}

// hashicorp's leader lease, as a promise: with check_quorum on, a leader
// counts a follower as in touch if it heard from it within leader_lease, and
// steps down when fewer than a quorum are. Hearing from a follower takes a
// delivered message, so if fewer than a quorum of voters delivered anything
// to the leader in the last lease (plus two ticks for the check, and a disk
// sync that delays handling), the leader must be gone. Checked on its ticks.
void Simulation::check_leader_lease(Host& host) {
    const bool expected = options_.expect_leader_lease.value_or(options_.raft.check_quorum);
    if (!expected || !host.is_up() || host.node->role() != core::Role::leader) {
        host.lease_term = 0;
        return;
    }
    const core::Configuration& configuration = host.node->configuration();
    if (host.lease_term != host.node->term()) {
        // A new leader treats everyone as just heard from, as the core does.
        host.lease_term = host.node->term();
        for (const core::Server& server : configuration.servers) {
            host.heard_from_us[server.id] = now_;
        }
    }
    const TimeUs allowance =
        (options_.raft.leader_lease_ticks + 2) * tick_period(host) + options_.disk_sync_us;
    std::size_t in_touch = 0;
    for (const core::Server& server : configuration.servers) {
        const auto it = host.heard_from_us.find(server.id);
        const bool recent = server.id == host.id ||
                            (it != host.heard_from_us.end() && now_ - it->second <= allowance);
        in_touch += server.suffrage == core::Suffrage::voter && recent ? 1 : 0;
    }
    if (!core::is_majority(in_touch, configuration.voter_count())) {
        fail(Checker::leader_lease, "leader_outlived_lease",
             fmt::format("{} still leads term {} although only {} of {} voters delivered "
                         "anything to it in the last {} ms (lease {} ms)",
                         host.name, host.node->term(), in_touch, configuration.voter_count(),
                         allowance / 1000,
                         options_.raft.leader_lease_ticks * tick_period(host) / 1000));
    }
}

void Simulation::observe_progress(const Host& host) {
    if (host.node->role() != core::Role::leader) {
        return;
    }
    for (const Host& peer : hosts_) {
        if (const core::Progress* progress = host.node->progress(peer.id)) {
            checkers_.on_progress(host.id, host.node->term(), peer.id, progress->match_index, now_);
            if (observer_ != nullptr) {
                observer_->on_progress(host.id, peer.id, progress->match_index);
            }
        } else {
            // Out of the configuration: if it comes back, the leader starts
            // its progress afresh (Figure 2's matchIndex starts at 0).
            checkers_.forget_progress(host.id, peer.id);
        }
    }
}

void Simulation::on_deliver(const Event& event) {
    const auto slot = static_cast<std::uint32_t>(event.payload);
    const core::Message& message = slab_[slot];
    DropReason reason = DropReason::filter;
    FilterVerdict verdict = network_.check_delivery(message, reason);
    const std::uint64_t late_copy_calm = late_copy_calm_[slot];
    if (late_copy_calm != 0 && late_copy_calm <= calms_) {
        verdict = FilterVerdict{.drop = true, .extra_delay_us = 0};
        reason = DropReason::calm;
    }
    if (!verdict.drop && verdict.extra_delay_us > 0) {
        // Held back by a before-delivery filter: still in the network.
        queue_.push(now_ + verdict.extra_delay_us, EventKind::deliver, event.node, slot);
        return;
    }
    network_.on_left_network(message.from, message.to);
    Host& host = mutable_host(message.to);
    const MessageFields fields = message_fields(message);
    const auto trace_message = [&](TraceKind kind, std::uint64_t c) {
        record(TraceRecord{.time = now_,
                           .kind = kind,
                           .sub = static_cast<std::uint8_t>(message.type),
                           .node = kind == TraceKind::drop ? message.from : message.to,
                           .peer = kind == TraceKind::drop ? message.to : message.from,
                           .term = message.term,
                           .a = fields.a,
                           .b = fields.b,
                           .c = c});
    };
    if (verdict.drop || !host.is_up()) {
        // A late drop keeps the drop reason in c, as a send-time drop does.
        const DropReason why = verdict.drop ? reason : DropReason::node_down;
        trace_message(TraceKind::drop, static_cast<std::uint64_t>(why));
    } else if (host.syncing) {
        host.heard_from_us[message.from] = now_;
        trace_message(TraceKind::deliver, fields.c);
        host.inbox.push_back(message);
    } else {
        host.heard_from_us[message.from] = now_;
        trace_message(TraceKind::deliver, fields.c);
        step_node(host, message);
        handle_ready(host);
    }
    free_slots_.push_back(slot);
}

void Simulation::step_node(Host& host, const core::Message& message) {
    const core::RejectReason reason = host.node->step(message);
    if (reason != core::RejectReason::none) {
        record(TraceRecord{.time = now_,
                           .kind = TraceKind::reject,
                           .sub = static_cast<std::uint8_t>(message.type),
                           .node = host.id,
                           .peer = message.from,
                           .term = message.term,
                           .c = static_cast<std::uint64_t>(reason)});
    }
}

void Simulation::on_sync_done(const Event& event) {
    Host& host = mutable_host(event.node);
    if (!host.is_up() || event.payload != host.incarnation || !host.syncing) {
        return;
    }
    host.syncing = false;
    core::Ready ready = std::move(host.held);
    host.held = core::Ready{};
    complete_ready(host, ready);
    // Catch up on what arrived while the disk was busy, in arrival order.
    while (!host.syncing && host.is_up() && !host.inbox.empty()) {
        const core::Message message = std::move(host.inbox.front());
        host.inbox.pop_front();
        step_node(host, message);
        handle_ready(host);
    }
    while (!host.syncing && host.is_up() && host.missed_ticks > 0) {
        host.missed_ticks -= 1;
        host.node->tick();
        handle_ready(host);
    }
    if (host.is_up()) {
        handle_ready(host);
    }
}

void Simulation::handle_ready(Host& host) {
    // Bounded: each Ready hands out everything pending; a node that keeps
    // producing output without input would be a core bug.
    for (int round = 0; round < 16 && host.is_up() && !host.syncing; ++round) {
        if (!host.node->has_ready()) {
            return;
        }
        core::Ready ready = host.node->ready();
        observe_ready(host, ready);
        const bool writes = ready.hard_state.has_value() || !ready.entries.empty() ||
                            ready.snapshot.has_value() || ready.compaction.has_value();
        host.storage.write(ready);  // takes the entries: they were observed above
        if (writes) {
            fire_crash_trigger(host, CrashTrigger::Kind::persist);
        }
        if (writes && options_.disk_sync_us > 0) {
            host.syncing = true;
            host.held = std::move(ready);
            queue_.push(now_ + options_.disk_sync_us, EventKind::sync_done,
                        static_cast<std::uint32_t>(host.id), host.incarnation);
            return;
        }
        complete_ready(host, ready);
    }
    RAFT_ASSERT(!host.is_up() || host.syncing || !host.node->has_ready());
}

void Simulation::observe_ready(Host& host, const core::Ready& ready) {
    observe_snapshot(host, ready);
    for (const core::RoleChange& change : ready.role_changes) {
        record(TraceRecord{.time = now_,
                           .kind = TraceKind::role_change,
                           .sub = static_cast<std::uint8_t>(change.to),
                           .node = host.id,
                           .term = change.term,
                           .a = static_cast<std::uint64_t>(change.from)});
        checkers_.on_role_change(host.id, change, now_);
        if (observer_ != nullptr) {
            observer_->on_role_change(host.id, change);
        }
        leaders_elected_ += change.to == core::Role::leader ? 1 : 0;
    }
    if (ready.hard_state.has_value()) {
        checkers_.on_hard_state(host.id, *ready.hard_state, now_);
        if (observer_ != nullptr) {
            observer_->on_hard_state(host.id, *ready.hard_state);
        }
    }
    if (ready.hard_state.has_value() || !ready.entries.empty()) {
        const core::HardState& hard = host.node->hard_state();
        record(TraceRecord{.time = now_,
                           .kind = TraceKind::persist,
                           .node = host.id,
                           .term = hard.term,
                           .a = hard.voted_for,
                           .b = ready.entries.empty() ? 0 : ready.entries.front().index,
                           .c = ready.entries.size()});
        checkers_.on_log_write(host.id, checkers_.term_of(host.id), ready.entries, now_);
        if (observer_ != nullptr && !ready.entries.empty()) {
            observer_->on_log_write(host.id, ready.entries);
        }
    }
    if (host.node->role() != core::Role::leader) {
        return;
    }
    for (const core::Entry& entry : ready.entries) {
        if (entry.type == core::EntryType::configuration) {
            checkers_.on_leader_configuration(host.id, host.node->term(), entry.index,
                                              host.node->commit_index(), now_);
        }
    }
}

// Step 2-4 of the Ready contract, once the write is durable.
void Simulation::complete_ready(Host& host, core::Ready& ready) {
    host.storage.sync();
    checkers_.on_sync(host.id);
    const core::Index commit_before = checkers_.mirror(host.id).commit_index;
    // The commit index as of this Ready: what its messages and applies rest on.
    checkers_.on_commit_index(host.id, host.node->commit_index(), now_);
    if (observer_ != nullptr) {
        observer_->on_commit_index(host.id, host.node->commit_index());
    }
    for (core::Message& message : ready.messages) {
        send(std::move(message));
    }
    if (ready.restore_snapshot) {
        RAFT_ASSERT(ready.snapshot.has_value());
        restore_snapshot(host, *ready.snapshot);
    }
    if (host.node->commit_index() > commit_before) {
        fire_crash_trigger(host, CrashTrigger::Kind::commit);
    }
    apply_committed(host, ready.committed_entries);
    on_request_results(host, ready.request_results);
    on_transfer_results(host, ready.transfer_results);
    host.node->advance(std::move(ready));
    checkers_.on_configuration(host.id, host.node->configuration(), now_);
    if (observer_ != nullptr) {
        observer_->on_configuration(host.id, host.node->configuration());
    }
    observe_progress(host);
    observe_leader(host, commit_before);
    maybe_auto_snapshot(host);
}

void Simulation::on_transfer_results(Host& host, const std::vector<core::TransferResult>& results) {
    for (const core::TransferResult& result : results) {
        record(TraceRecord{.time = now_,
                           .kind = TraceKind::transfer,
                           .sub = static_cast<std::uint8_t>(TransferEvent::ended),
                           .node = host.id,
                           .peer = result.target,
                           .term = result.started_term,
                           .a = static_cast<std::uint64_t>(result.outcome),
                           .b = result.term});
        checkers_.on_transfer_result(host.id, result, now_);
        if (host.id == transfer_leader_) {
            transfer_result_ = result;
        }
    }
}

void Simulation::send(core::Message message) {
    checkers_.on_send(message, now_);
    if (observer_ != nullptr) {
        observer_->on_send(message);
    }
    fire_crash_trigger(mutable_host(message.from), CrashTrigger::Kind::send, message.type);
    const SendPlan plan = network_.plan_send(message, now_);
    const MessageFields fields = message_fields(message);
    TraceRecord record_base{.time = now_,
                            .kind = TraceKind::send,
                            .sub = static_cast<std::uint8_t>(message.type),
                            .node = message.from,
                            .peer = message.to,
                            .term = message.term,
                            .a = fields.a,
                            .b = fields.b,
                            .c = fields.c};
    if (plan.dropped) {
        record_base.kind = TraceKind::drop;
        record_base.c = static_cast<std::uint64_t>(plan.drop_reason);
        record(record_base);
        return;
    }
    record(record_base);
    for (std::size_t copy = 0; copy < plan.delays_us.size(); ++copy) {
        // The last copy takes the message itself; a duplicate gets a copy.
        const bool last = copy + 1 == plan.delays_us.size();
        if (copy > 0 && last && plan.replayed) {
            // Says when the late copy is due, so a reader (and the arrow
            // matcher) can tell it from a copy of a later, equal message.
            record_base.kind = TraceKind::replay;
            record_base.c = plan.delays_us[copy];
            record(record_base);
        } else if (copy > 0) {
            record_base.kind = TraceKind::duplicate;
            record(record_base);
        }
        std::uint32_t slot = 0;
        if (free_slots_.empty()) {
            slot = static_cast<std::uint32_t>(slab_.size());
            slab_.emplace_back();
            late_copy_calm_.push_back(0);
        } else {
            slot = free_slots_.back();
            free_slots_.pop_back();
        }
        if (last) {
            slab_[slot] = std::move(message);
        } else {
            slab_[slot] = message;
        }
        late_copy_calm_[slot] = last && plan.replayed ? calms_ + 1 : 0;
        RAFT_ASSERT(late_copy_calm_.size() == slab_.size());
        queue_.push(now_ + plan.delays_us[copy], EventKind::deliver,
                    static_cast<std::uint32_t>(slab_[slot].to), slot);
    }
}

void Simulation::apply_committed(Host& host, const std::vector<core::Entry>& entries) {
    if (entries.empty()) {
        return;
    }
    std::uint64_t commands = 0;
    for (const core::Entry& entry : entries) {
        checkers_.on_apply(host.id, entry, now_);
        if (observer_ != nullptr) {
            observer_->on_apply(host.id, entry);
        }
        if (entry.type != core::EntryType::command) {
            continue;  // hashicorp hands only commands to FSM.Apply
        }
        commands += 1;
        if (!host.fsm.apply(entry)) {
            checkers_.on_fsm_order_violation(host.id, entry, host.fsm, now_);
        }
    }
    record(TraceRecord{.time = now_,
                       .kind = TraceKind::apply,
                       .node = host.id,
                       .term = entries.back().term,
                       .a = entries.front().index,
                       .b = entries.back().index,
                       .c = commands});
}

void Simulation::crash(core::NodeId id, bool lose_unsynced) {
    Host& host = mutable_host(id);
    if (!host.is_up()) {
        return;
    }
    if (lose_unsynced) {
        host.storage.drop_unsynced();
    } else {
        host.storage.sync();  // the OS got the writes to disk after all
    }
    checkers_.on_crash(id, lose_unsynced);
    if (observer_ != nullptr) {
        observer_->on_crash(id);
    }
    host.node.reset();
    host.crash_trigger.reset();
    host.syncing = false;
    host.held = core::Ready{};
    host.inbox.clear();
    host.missed_ticks = 0;
    host.incarnation += 1;
    record(TraceRecord{.time = now_, .kind = TraceKind::crash, .node = id, .a = lose_unsynced});
    resolve_pending_on(id, ClientOutcome::node_crashed);
    if (change_.has_value() && change_->leader == id) {
        change_->resolved = true;  // its outcome is unknown; change_membership looks again
    }
}

void Simulation::arm_crash(core::NodeId id, const CrashTrigger& trigger) {
    Host& host = mutable_host(id);
    if (host.is_up()) {
        host.crash_trigger = trigger;
    }
}

void Simulation::fire_crash_trigger(Host& host, CrashTrigger::Kind kind, core::MessageType type) {
    if (!host.crash_trigger.has_value() || host.crash_trigger->kind != kind) {
        return;
    }
    if (kind == CrashTrigger::Kind::send && host.crash_trigger->message_type != type) {
        return;
    }
    crashes_due_.emplace_back(host.id, host.crash_trigger->lose_unsynced);
    host.crash_trigger.reset();
}

// Crashes whose trigger fired during the event (or step) just done: after
// it, so the host is never torn down inside its own Ready loop.
void Simulation::crash_triggered() {
    for (const auto& [id, lose_unsynced] : crashes_due_) {
        crash(id, lose_unsynced);
    }
    crashes_due_.clear();
}

void Simulation::restart(core::NodeId id) {
    Host& host = mutable_host(id);
    if (host.is_up()) {
        return;
    }
    host.incarnation += 1;
    core::DurableState durable = host.storage.durable_state();
    checkers_.on_log_reset(id, durable.snapshot, durable.log_base_index, durable.entries,
                           durable.hard_state, now_);
    if (observer_ != nullptr) {
        observer_->on_restart(id, durable.snapshot, durable.entries);
    }
    // Volatile: the state machine restarts from the snapshot (hashicorp
    // restores it at startup) and re-applies the log after it.
    host.fsm = HashChainFsm{};
    if (durable.snapshot.has_value()) {
        restore_snapshot(host, *durable.snapshot);
    }
    host.node.emplace(core::Node::restart(node_options(host), std::move(durable)));
    record(
        TraceRecord{.time = now_, .kind = TraceKind::restart, .node = id, .a = host.incarnation});
    schedule_tick(host, tick_prng_.range_inclusive(1, options_.tick_us));
    guarded(id, [this, &host] { handle_ready(host); });
}

}  // namespace raftsim::sim
