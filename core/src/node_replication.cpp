// Log replication and commitment (Raft paper §5.3, §5.4.2, Figure 2).
#include <algorithm>
#include <vector>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/node.hpp"
#include "raftsim/core/quorum.hpp"

namespace raftsim::core {

// ---------------------------------------------------------------- follower

// AppendEntries and InstallSnapshot come from the leader of our term: follow
// it. Returns a refusal if we lead this term ourselves.
RejectReason Node::accept_leader(const Message& message) {
    RAFT_ASSERT(message.term == hard_state_.term);
    RAFT_ASSERT(message.leader_id == message.from);
    if (role_ == Role::leader) {
        // Two leaders in one term: Election Safety is already broken
        // elsewhere. Drop it; the simulator's checkers name the culprit.
        return RejectReason::append_from_second_leader;
    }
    // A candidate that hears from a leader of its term lost the election (§5.2).
    if (role_ != Role::follower) {
        become_follower(message.term, message.from);
    }
    set_leader(message.from);
    on_transfer_leader_known(message.from);
    election_elapsed_ticks_ = 0;
    leader_contact_elapsed_ticks_ = 0;
    return RejectReason::none;
}

RejectReason Node::step_append_entries(const Message& message) {
    const RejectReason refused = accept_leader(message);
    if (refused != RejectReason::none) {
        return refused;
    }

    // Entries at or below our log's start are in our snapshot, so committed,
    // so equal to the leader's (§7): say what we hold instead (etcd does the same).
    if (message.prev_log_index < log_.base_index()) {
        RAFT_ASSERT(log_.base_index() <= commit_index_);
        send_append_response(message, true, commit_index_, 0);
        return RejectReason::none;
    }
    // Figure 2, receiver rule 2: reply false if the log has no entry at
    // prev_log_index whose term is prev_log_term.
    if (message.prev_log_index > log_.last_index()) {
        send_append_response(message, false, log_.last_index(), message.prev_log_index);
        return RejectReason::none;
    }
    const std::optional<Term> prev_term = log_.term_at(message.prev_log_index);
    RAFT_ASSERT(prev_term.has_value());  // base_index <= prev <= last_index
    if (*prev_term != message.prev_log_term) {
        send_append_response(message, false, conflict_hint(message.prev_log_index),
                             message.prev_log_index);
        return RejectReason::none;
    }
    const RejectReason append = maybe_append_entries(message);
    if (append != RejectReason::none) {
        return append;
    }
    // Figure 2, receiver rule 5: commit up to min(leaderCommit, index of
    // last new entry). Entries past what this message proved to match may be
    // stale, so they must not be committed on the leader's say.
    const Index last_new_index = message.prev_log_index + message.entries.size();
    if (message.leader_commit > commit_index_) {
        commit_index_ = std::max(commit_index_, std::min(message.leader_commit, last_new_index));
    }
    send_append_response(message, true, last_new_index, 0);
    return RejectReason::none;
}

// Figure 2, receiver rules 3 and 4: delete an existing entry that conflicts
// with a new one (same index, different term) and all that follow it; append
// any new entries. An entry already present with the same term is kept: a
// stale or duplicated message must never truncate (§5.3).
RejectReason Node::maybe_append_entries(const Message& message) {
    const std::vector<Entry>& entries = message.entries;
    std::size_t first_new = entries.size();
    bool conflict = false;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const Entry& entry = entries[i];
        if (entry.index > log_.last_index()) {
            first_new = i;
            break;
        }
        if (log_.term_at(entry.index) != entry.term) {
            first_new = i;
            conflict = true;
            break;
        }
    }
    if (first_new == entries.size()) {
        return RejectReason::none;  // everything already present: nothing to do
    }
    const Index first_new_index = entries[first_new].index;
    if (conflict) {
        if (first_new_index <= commit_index_) {
            return RejectReason::conflict_below_commit;
        }
        stats_.entries_truncated += log_.last_index() - first_new_index + 1;
        log_.truncate_from(first_new_index);
        forget_configurations_from(first_new_index);
    }
    for (std::size_t i = first_new; i < entries.size(); ++i) {
        log_.append(entries[i]);
        if (entries[i].type == EntryType::configuration) {
            note_configuration_appended(entries[i]);
        }
    }
    RAFT_ASSERT(log_.last_index() >= message.prev_log_index + entries.size());
    return RejectReason::none;
}

// The backoff hint (hashicorp returns its last index; we skip the whole run
// of the conflicting term, which is what the paper's §5.3 optimisation
// suggests): the last index before the first entry of the term at prev.
Index Node::conflict_hint(Index prev_log_index) const {
    const std::optional<Term> conflict_term = log_.term_at(prev_log_index);
    RAFT_ASSERT(conflict_term.has_value());
    Index index = prev_log_index;
    while (index > log_.first_index() && log_.term_at(index - 1) == conflict_term) {
        index -= 1;
    }
    RAFT_ASSERT(index >= 1);
    RAFT_ASSERT(index <= prev_log_index);
    return index - 1;
}

void Node::send_append_response(const Message& request, bool success, Index index,
                                Index rejected_prev) {
    Message response{.type = MessageType::append_entries_response,
                     .to = request.from,
                     .term = hard_state_.term,
                     .read_round = request.read_round,
                     .success = success};
    if (success) {
        response.match_index = index;
    } else {
        response.last_log_index = index;
        response.rejected_prev_log_index = rejected_prev;
    }
    send(std::move(response));
}

// ------------------------------------------------------------------ leader

RejectReason Node::step_append_entries_response(const Message& message) {
    RAFT_ASSERT(message.term == hard_state_.term);
    if (role_ != Role::leader) {
        stats_.stale_responses += 1;
        return RejectReason::none;
    }
    const auto it = progress_.find(message.from);
    if (it == progress_.end()) {
        return RejectReason::unknown_peer;
    }
    Progress& progress = it->second;
    progress.last_contact_tick = leader_ticks_;
    // Any answer of this term, a refusal too, shows the follower still
    // followed us when we sent the round it echoes (§6.4 step 3).
    note_read_ack(message.from, message.read_round);
    if (message.success) {
        if (message.match_index > log_.last_index()) {
            return RejectReason::match_index_overflow;  // acks what we never sent
        }
        // Figure 2: matchIndex only grows; a reordered old ack changes nothing.
        if (message.match_index > progress.match_index) {
            progress.match_index = message.match_index;
            maybe_commit();
        }
        if (progress.state == ProgressState::probe) {
            progress.become_replicate();
        } else {
            progress.free_inflight_through(message.match_index);
            progress.next_index = std::max(progress.next_index, progress.match_index + 1);
        }
        maybe_send_timeout_now(false);
        return RejectReason::none;
    }
    // A rejection for a position at or below what is known to match, or not
    // the one being probed, answers an older message: ignore it.
    const bool stale = message.rejected_prev_log_index <= progress.match_index ||
                       message.rejected_prev_log_index >= progress.next_index ||
                       (progress.state == ProgressState::probe &&
                        message.rejected_prev_log_index + 1 != progress.next_index);
    if (stale) {
        stats_.stale_responses += 1;
        return RejectReason::none;
    }
    // §5.3: decrement nextIndex and retry; the follower's hint lets us skip
    // ahead (never below what is known to match).
    progress.become_probe();
    progress.next_index =
        std::max(progress.match_index + 1,
                 std::min(message.rejected_prev_log_index, message.last_log_index + 1));
    RAFT_ASSERT(progress.next_index > progress.match_index);
    return RejectReason::none;
}

bool Node::needs_append(const Progress& progress) const {
    if (progress.next_index > log_.last_index()) {
        return false;
    }
    if (progress.state == ProgressState::probe) {
        return !progress.probe_sent;
    }
    return progress.inflight_last_indexes.size() < config_.max_inflight_appends;
}

// Takes the caller's Progress: every caller is already iterating progress_,
// and a second lookup per message cost more than the rest of the check.
bool Node::maybe_send_append(NodeId peer, Progress& progress, bool allow_empty) {
    RAFT_ASSERT(role_ == Role::leader);
    RAFT_ASSERT(peer != id_);
    if (progress.state == ProgressState::probe && progress.probe_sent) {
        return false;
    }
    const bool window_full = progress.state == ProgressState::replicate &&
                             progress.inflight_last_indexes.size() >= config_.max_inflight_appends;
    if (window_full && !allow_empty) {
        return false;
    }
    const Index prev_log_index = progress.next_index - 1;
    const std::optional<Term> prev_log_term = log_.term_at(prev_log_index);
    if (!prev_log_term.has_value()) {
        // §7: the entries this follower needs were compacted away.
        RAFT_ASSERT(prev_log_index < log_.base_index());
        send_snapshot(peer, progress);
        return true;
    }
    Message message{.type = MessageType::append_entries,
                    .to = peer,
                    .term = hard_state_.term,
                    .leader_id = id_,
                    .prev_log_index = prev_log_index,
                    .prev_log_term = *prev_log_term,
                    .leader_commit = commit_index_,
                    .read_round = read_round_};
    if (!window_full) {
        message.entries =
            log_.slice(progress.next_index, log_.last_index(), config_.max_append_entries);
    }
    if (message.entries.empty() && !allow_empty) {
        return false;
    }
    if (!message.entries.empty() && progress.state == ProgressState::replicate) {
        // Optimistic: assume delivery; a rejection sends us back to probe.
        progress.next_index = message.entries.back().index + 1;
        progress.inflight_last_indexes.push_back(message.entries.back().index);
    }
    if (progress.state == ProgressState::probe) {
        progress.probe_sent = true;
    }
    progress.commit_sent = commit_index_;
    send(std::move(message));
    return true;
}

void Node::bcast_append() {
    RAFT_ASSERT(role_ == Role::leader);
    for (auto& [peer, progress] : progress_) {
        // Bounded: each send fills one in-flight slot or sets probe_sent.
        for (std::uint32_t i = 0; i <= config_.max_inflight_appends; ++i) {
            if (!needs_append(progress) || !maybe_send_append(peer, progress, false)) {
                break;
            }
        }
    }
}

// Heartbeats are AppendEntries that may be empty. They assert leadership
// (§5.2) and, because they carry prev_log_index, they also re-probe a
// follower whose earlier messages were lost.
void Node::bcast_heartbeat() {
    RAFT_ASSERT(role_ == Role::leader);
    for (auto& [peer, progress] : progress_) {
        // A snapshot can be large: resend it only once a heartbeat timeout
        // has passed without an answer, not on every heartbeat.
        const bool snapshot_waiting =
            progress.snapshot_in_flight &&
            leader_ticks_ - progress.snapshot_sent_tick < config_.heartbeat_timeout_ticks;
        if (snapshot_waiting) {
            continue;
        }
        progress.probe_sent = false;
        static_cast<void>(maybe_send_append(peer, progress, true));
    }
}

// §5.3/§5.4.2: commit the highest index stored on a majority of voters, but
// only by counting replicas of an entry from the leader's current term
// (Figure 8); earlier entries then commit with it (Log Matching).
void Node::maybe_commit() {
    RAFT_ASSERT(role_ == Role::leader);
    VoterIndexes match_indexes;
    for (const Server& server : configuration_.servers) {
        if (server.suffrage != Suffrage::voter) {
            continue;
        }
        // The leader counts only what its host has made durable.
        match_indexes.push_back(server.id == id_ ? log_.written_index()
                                                 : progress_.at(server.id).match_index);
    }
    const Index quorum_index = quorum_match_index(match_indexes.values());
    if (quorum_index <= commit_index_) {
        return;
    }
    if (log_.term_at(quorum_index) != hard_state_.term) {
        return;
    }
    commit_index_ = quorum_index;
    RAFT_ASSERT(commit_index_ <= log_.last_index());
}

}  // namespace raftsim::core
