// The node host: ticks, message delivery, wake-ups, sends and applies,
// crashes and restarts. How a node handles them is its system's business
// (sut/; our core's Ready loop is sut/raftsim).
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
    if (host.paused) {
        host.missed_ticks += 1;
        return;
    }
    // A node blocked on its disk handles the tick later, and its lease is
    // looked at on a tick it handles.
    const bool busy = host.node->busy();
    host.node->tick();
    if (!busy) {
        check_leader_lease(host);
    }
}

namespace {

// The trace record of `message` at `node` (its sender for send and drop
// records, its receiver for deliveries); `c` as message_fields gives it
// unless the record says something else there (a drop's reason).
TraceRecord message_record(TimeUs now, TraceKind kind, const core::Message& message,
                           std::uint64_t c) {
    const bool at_sender = kind == TraceKind::send || kind == TraceKind::drop;
    const MessageFields fields = message_fields(message);
    return TraceRecord{.time = now,
                       .kind = kind,
                       .sub = static_cast<std::uint8_t>(message.type),
                       .node = at_sender ? message.from : message.to,
                       .peer = at_sender ? message.to : message.from,
                       .term = message.term,
                       .a = fields.a,
                       .b = fields.b,
                       .c = c};
}

std::vector<core::NodeId> voter_ids(const core::Configuration& configuration) {
    std::vector<core::NodeId> ids;
    for (const core::Server& server : configuration.servers) {
        if (server.suffrage == core::Suffrage::voter) {
            ids.push_back(server.id);
        }
    }
    return ids;
}

// Whether `voters` are the voters of `configuration`, in its order: asked at
// every leader tick, so it allocates nothing (voter_ids did, each time).
bool same_voters(const std::vector<core::NodeId>& voters,
                 const core::Configuration& configuration) {
    std::size_t at = 0;
    for (const core::Server& server : configuration.servers) {
        if (server.suffrage != core::Suffrage::voter) {
            continue;
        }
        if (at == voters.size() || voters[at] != server.id) {
            return false;
        }
        at += 1;
    }
    return at == voters.size();
}

}  // namespace

// Starts the lease bookkeeping of a new term, and restarts the lease when the
// voters change. A leader's own quorum check runs at least once per lease
// (hashicorp: every leader_lease; canonical: every election timeout) with the
// configuration of that moment, so a change that takes away its quorum at
// once (it demotes itself, or a voter it never heard from is promoted) is
// acted on at the first check after the change, up to a lease later.
void Simulation::track_lease_configuration(Host& host) {
    const core::Configuration& configuration = host.node->configuration();
    if (host.lease_term != host.node->term()) {
        // A new leader treats everyone as just heard from, as the core does.
        host.lease_term = host.node->term();
        for (const core::Server& server : configuration.servers) {
            host.heard_from_us[server.id] = now_;
        }
        host.lease_voters = voter_ids(configuration);
        host.lease_voters_since_us = now_;
        return;
    }
    if (!same_voters(host.lease_voters, configuration)) {
        host.lease_voters = voter_ids(configuration);
        host.lease_voters_since_us = now_;
    }
    RAFT_ASSERT(same_voters(host.lease_voters, configuration));
    RAFT_ASSERT(host.lease_voters_since_us <= now_);
}

// hashicorp's leader lease, as a promise: with check_quorum on, a leader
// counts a follower as in touch if it heard from it within leader_lease, and
// steps down when fewer than a quorum are. Hearing from a follower takes a
// delivered message, so if fewer than a quorum of voters delivered anything
// to the leader in the last lease (plus two ticks for the check, and a disk
// sync that delays handling), the leader must be gone. Checked on its ticks.
void Simulation::check_leader_lease(Host& host) {
    // A system that always checks quorum is held to it whatever the setting.
    const bool expected = options_.expect_leader_lease.value_or(
        options_.raft.check_quorum || !system_.capabilities().check_quorum_optional);
    if (!expected || !host.is_up() || host.node->role() != core::Role::leader) {
        host.lease_term = 0;
        return;
    }
    track_lease_configuration(host);
    const core::Configuration& configuration = host.node->configuration();
    const std::uint32_t lease_timeouts = system_.semantics().lease_election_timeouts;
    const TimeUs lease_ticks = lease_timeouts == 0
                                   ? options_.raft.leader_lease_ticks
                                   : TimeUs{lease_timeouts} * options_.raft.election_timeout_ticks;
    const TimeUs allowance = (lease_ticks + 2) * tick_period(host) + options_.disk_sync_us;
    if (now_ - host.lease_voters_since_us <= allowance) {
        return;  // the voters changed within the lease: its first check may be ahead
    }
    std::size_t in_touch = 0;
    for (const core::Server& server : configuration.servers) {
        const std::uint64_t* heard_us = host.heard_from_us.find(server.id);
        const bool recent =
            server.id == host.id || (heard_us != nullptr && now_ - *heard_us <= allowance);
        in_touch += server.suffrage == core::Suffrage::voter && recent ? 1 : 0;
    }
    if (!core::is_majority(in_touch, configuration.voter_count())) {
        fail(Checker::leader_lease, "leader_outlived_lease",
             fmt::format("{} still leads term {} although only {} of {} voters delivered "
                         "anything to it in the last {} ms (lease {} ms){}",
                         host.name, host.node->term(), in_touch, configuration.voter_count(),
                         allowance / 1000, lease_ticks * tick_period(host) / 1000,
                         configuration.is_voter(host.id) ? "" : "; it is not a voter itself"));
    }
}

void Simulation::observe_progress(const Host& host) {
    if (host.node->role() != core::Role::leader) {
        return;
    }
    for (const Host& peer : hosts_) {
        if (const std::optional<core::Index> match = host.node->match_index(peer.id)) {
            checkers_.on_progress(host.id, host.node->term(), peer.id, *match, now_);
            if (observer_ != nullptr) {
                observer_->on_progress(host.id, peer.id, *match);
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
    const std::uint64_t late_since_calm = fault_late_[slot] >> 1U;
    if (late_since_calm != 0 && late_since_calm <= calms_) {
        verdict = FilterVerdict{.drop = true, .extra_delay_us = 0};
        reason = DropReason::calm;
    }
    if (!verdict.drop && sender_wipes_[slot] != host(message.from).wipes) {
        // Sent by the wiped node's old self: its connections died with it,
        // and the new server is not answerable for what the old one said.
        // Delivered, an old acknowledgement would vouch for entries the
        // re-added server no longer holds.
        verdict = FilterVerdict{.drop = true, .extra_delay_us = 0};
        reason = DropReason::sender_wiped;
    }
    if (!verdict.drop && verdict.extra_delay_us > 0) {
        // Held back by a before-delivery filter: still in the network. (No
        // fault holds messages at this stage; a fault that did would mark
        // the slot in fault_late_ so a calm period drops it.)
        queue_.push(now_ + verdict.extra_delay_us, EventKind::deliver, event.node, slot);
        return;
    }
    network_.on_left_network(message.from, message.to);
    Host& host = mutable_host(message.to);
    const auto trace_drop = [&](DropReason why) {
        record(message_record(now_, TraceKind::drop, message, static_cast<std::uint64_t>(why)));
    };
    if (verdict.drop || !host.is_up()) {
        // A late drop keeps the drop reason in c, as a send-time drop does.
        trace_drop(verdict.drop ? reason : DropReason::node_down);
    } else if (host.paused) {
        if (host.held_messages.size() < pause_inbox_max) {
            host.held_messages.push_back(slot);
            return;  // the slot stays taken until the resume
        }
        trace_drop(DropReason::paused_inbox_full);
    } else {
        hand_to_node(host, slot);
        return;
    }
    free_slots_.push_back(slot);
}

void Simulation::hand_to_node(Host& host, std::uint32_t slot) {
    const core::Message& message = slab_[slot];
    RAFT_ASSERT(message.to == host.id);
    RAFT_ASSERT(host.is_up());
    host.heard_from_us[message.from] = now_;
    record(message_record(now_, TraceKind::deliver, message, message_fields(message).c));
    checkers_.on_deliver(message, now_);
    event_counts_.handed += 1;
    host.node->receive(message);
    free_slots_.push_back(slot);
}

void Simulation::on_wake(const Event& event) {
    Host& host = mutable_host(event.node);
    if (!host.is_up() || (event.payload >> 32U) != host.incarnation) {
        return;  // asked for by an incarnation that crashed
    }
    const auto token = static_cast<std::uint32_t>(event.payload & 0xffff'ffffU);
    if (host.paused) {
        host.held_wakes.push_back(token);
        return;
    }
    host.node->wake(token);
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

void Simulation::send(core::Message&& message) {
    checkers_.on_send(message, now_);
    if (observer_ != nullptr) {
        observer_->on_send(message);
    }
    fire_crash_trigger(mutable_host(message.from), CrashTrigger::Kind::send, message.type);
    const SendPlan plan = network_.plan_send(message, now_);
    TraceRecord record_base =
        message_record(now_, TraceKind::send, message, message_fields(message).c);
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
            fault_late_.push_back(0);
            sender_wipes_.push_back(0);
        } else {
            slot = free_slots_.back();
            free_slots_.pop_back();
        }
        if (last) {
            slab_[slot] = std::move(message);
        } else {
            slab_[slot] = message;
        }
        const bool late_copy = last && plan.replayed;
        fault_late_[slot] = late_copy || plan.held_back
                                ? ((calms_ + 1) << 1U) | (late_copy ? late_copy_bit : 0)
                                : 0;
        sender_wipes_[slot] = host(slab_[slot].from).wipes;
        RAFT_ASSERT(fault_late_.size() == slab_.size());
        RAFT_ASSERT(sender_wipes_.size() == slab_.size());
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
        apply_kv(host, entry);
    }
    host.kv_applied_index = entries.back().index;
    record(TraceRecord{.time = now_,
                       .kind = TraceKind::apply,
                       .node = host.id,
                       .term = entries.back().term,
                       .a = entries.front().index,
                       .b = entries.back().index,
                       .c = commands});
}

void Simulation::crash(core::NodeId id, UnsyncedWrites fate) {
    Host& host = mutable_host(id);
    if (!host.is_up()) {
        return;
    }
    // A torn crash: of the units still unsynced (sut::Storage::unsynced_units),
    // a prefix of uniformly drawn length reaches the disk. Only a torn crash
    // with something unsynced draws, from its own stream.
    std::uint64_t units = 0;
    std::uint64_t kept = 0;
    switch (fate) {
        case UnsyncedWrites::kept:
            host.storage.sync();  // the OS got the writes to disk after all
            break;
        case UnsyncedWrites::lost:
            host.storage.drop_unsynced();
            break;
        case UnsyncedWrites::torn:
            units = host.storage.unsynced_units();
            kept = units == 0 ? 0 : torn_prng_.range_inclusive(0, units);
            host.storage.keep_unsynced_prefix(kept);
            break;
    }
    RAFT_ASSERT(kept <= units);
    RAFT_ASSERT(!host.storage.has_unsynced());
    // A crash triggered after an event runs outside any guarded call.
    report_storage_breach(host);
    checkers_.on_crash(id, fate);
    if (observer_ != nullptr) {
        observer_->on_crash(id);
    }
    drop_pause(host);
    host.node.reset();
    host.crash_trigger.reset();
    host.incarnation += 1;
    record(TraceRecord{.time = now_,
                       .kind = TraceKind::crash,
                       .node = id,
                       .a = static_cast<std::uint64_t>(fate),
                       .b = kept,
                       .c = units});
    resolve_pending_on(id, ClientOutcome::node_crashed);
    kv_on_crash(host);
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
    crashes_due_.emplace_back(host.id, host.crash_trigger->fate());
    host.crash_trigger.reset();
}

// Crashes whose trigger fired during the event (or step) just done: after
// it, so the host is never torn down inside its own Ready loop.
void Simulation::crash_triggered() {
    for (const auto& [id, fate] : crashes_due_) {
        crash(id, fate);
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
    host.kv = KvStore{};
    host.kv_applied_index = 0;
    if (durable.snapshot.has_value()) {
        restore_snapshot(host, *durable.snapshot);
    }
    // The marker first: a system may already act while it restarts
    // (canonical's sole voter leads and applies inside raft_start), and its
    // records belong to the new incarnation.
    record(
        TraceRecord{.time = now_, .kind = TraceKind::restart, .node = id, .a = host.incarnation});
    host.node = system_.restart(*host.env, node_setup(host), std::move(durable));
    schedule_tick(host, tick_prng_.range_inclusive(1, options_.tick_us));
    guarded(id, [&host] { host.node->start(); });
}

}  // namespace raftsim::sim
