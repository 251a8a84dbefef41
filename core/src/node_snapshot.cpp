// Snapshots and log compaction (Raft paper §7, hashicorp snapshot.go and
// InstallSnapshot): the host snapshots its state machine and the log before
// it goes; a follower behind the leader's log start gets the snapshot.
#include "raftsim/core/assert.hpp"
#include "raftsim/core/node.hpp"

namespace raftsim::core {

bool Node::wants_snapshot() const noexcept {
    const std::uint32_t threshold = config_.snapshot_threshold_entries;
    return threshold != 0 && applied_index_ >= snapshot_.index + threshold;
}

CompactError Node::compact(Index index, Payload data) {
    RAFT_ASSERT(!ready_outstanding_);
    if (index > applied_index_) {
        return CompactError::not_applied;
    }
    if (index <= snapshot_.index) {
        return CompactError::not_newer;
    }
    RAFT_ASSERT(index > log_.base_index());
    const ConfigurationAt* configuration = configuration_at(index);
    RAFT_ASSERT(configuration != nullptr);  // the bootstrap entry is below any applied index
    snapshot_ = Snapshot{.index = index,
                         .term = *log_.term_at(index),
                         .configuration = configuration->configuration,
                         .configuration_index = configuration->index,
                         .data = std::move(data)};
    snapshot_unwritten_ = true;
    // hashicorp compactLogs: keep trailing_log_entries behind the snapshot.
    const Index trailing = config_.trailing_log_entries;
    const Index keep_from = index > trailing ? index - trailing : 0;
    if (keep_from > log_.base_index()) {
        log_.compact_to(keep_from);
        compaction_unwritten_ =
            LogCompaction{.base_index = log_.base_index(), .base_term = log_.base_term()};
    }
    // Configurations below the snapshot's are no longer needed.
    while (configurations_.size() > 1 && configurations_[1].index <= index) {
        configurations_.erase(configurations_.begin());
    }
    RAFT_ASSERT(log_.base_index() <= snapshot_.index);
    check_invariants_fast();
    return CompactError::none;
}

// ---------------------------------------------------------------- follower

RejectReason Node::step_install_snapshot(const Message& message) {
    const RejectReason refused = accept_leader(message);
    if (refused != RejectReason::none) {
        return refused;
    }
    RAFT_ASSERT(role_ == Role::follower);
    // Terms never decrease along a log (§5.3), so a snapshot past our commit
    // index whose term is below our last committed entry's contradicts a
    // committed entry: only a broken leader sends it.
    const std::optional<Term> committed_term = log_.term_at(commit_index_);
    RAFT_ASSERT(committed_term.has_value());  // base_index <= commit_index
    if (message.snapshot_index > commit_index_ && message.snapshot_term < *committed_term) {
        return RejectReason::conflict_below_commit;
    }
    // §7: a snapshot at or below our commit index describes state we already
    // have; installing it would roll the state machine back.
    if (message.snapshot_index > commit_index_) {
        install_snapshot(message);
    }
    send_snapshot_response(message.from, message.snapshot_index);
    return RejectReason::none;
}

// §7: "If existing log entry has same index and term as snapshot's last
// included entry, retain log entries following it"; otherwise discard the
// whole log and reset the state machine from the snapshot.
void Node::install_snapshot(const Message& message) {
    RAFT_ASSERT(message.snapshot_index > commit_index_);
    const Index index = message.snapshot_index;
    snapshot_ = Snapshot{.index = index,
                         .term = message.snapshot_term,
                         .configuration = message.snapshot_configuration,
                         .configuration_index = message.snapshot_configuration_index,
                         .data = message.snapshot_data};
    snapshot_unwritten_ = true;
    stats_.snapshots_installed += 1;
    if (log_.term_at(index) == message.snapshot_term) {
        // The log already holds the snapshot's last entry: keep the suffix
        // and let the entries apply as usual. But if an earlier install's
        // restore is still to be handed out, the host will restore from this
        // snapshot instead, which covers every entry through `index`: those
        // must not be applied again (each committed entry exactly once).
        commit_index_ = index;
        if (restore_unwritten_) {
            applied_index_ = index;
        }
        return;
    }
    log_.reset(index, message.snapshot_term);
    compaction_unwritten_ =
        LogCompaction{.base_index = index, .base_term = message.snapshot_term, .discard_all = true};
    commit_index_ = index;
    applied_index_ = index;
    restore_unwritten_ = true;
    rebuild_configuration();
    RAFT_ASSERT(log_.last_index() == index);
}

void Node::send_snapshot_response(NodeId to, Index match_index) {
    send(Message{.type = MessageType::install_snapshot_response,
                 .to = to,
                 .term = hard_state_.term,
                 .success = true,
                 .match_index = match_index});
}

// ------------------------------------------------------------------ leader

void Node::send_snapshot(NodeId peer, Progress& progress) {
    RAFT_ASSERT(role_ == Role::leader);
    RAFT_ASSERT(snapshot_.index != 0);
    stats_.snapshots_sent += 1;
    progress.become_probe();
    progress.probe_sent = true;  // one at a time; heartbeats resend
    progress.snapshot_in_flight = true;
    progress.snapshot_sent_tick = leader_ticks_;
    progress.commit_sent = commit_index_;
    send(Message{.type = MessageType::install_snapshot,
                 .to = peer,
                 .term = hard_state_.term,
                 .leader_id = id_,
                 .leader_commit = commit_index_,
                 .snapshot_index = snapshot_.index,
                 .snapshot_term = snapshot_.term,
                 .snapshot_configuration = snapshot_.configuration,
                 .snapshot_configuration_index = snapshot_.configuration_index,
                 .snapshot_data = snapshot_.data});
}

RejectReason Node::step_install_snapshot_response(const Message& message) {
    RAFT_ASSERT(message.term == hard_state_.term);
    if (role_ != Role::leader) {
        stats_.stale_responses += 1;
        return RejectReason::none;
    }
    const auto it = progress_.find(message.from);
    if (it == progress_.end()) {
        return RejectReason::unknown_peer;
    }
    if (!message.success) {
        stats_.stale_responses += 1;  // only a stale-term refusal says no
        return RejectReason::none;
    }
    if (message.match_index > log_.last_index()) {
        return RejectReason::match_index_overflow;
    }
    Progress& progress = it->second;
    progress.last_contact_tick = leader_ticks_;
    progress.snapshot_in_flight = false;
    if (message.match_index > progress.match_index) {
        progress.match_index = message.match_index;
        maybe_commit();
    }
    // Continue with AppendEntries after what the follower now holds.
    progress.become_probe();
    progress.next_index = progress.match_index + 1;
    maybe_send_timeout_now(false);
    return RejectReason::none;
}

}  // namespace raftsim::core
