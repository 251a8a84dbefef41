// Leadership transfer (thesis §3.10, hashicorp LeadershipTransfer): the
// leader stops taking proposals, brings the target's log up to date, then
// sends TimeoutNow; the target campaigns at once. The transfer ends when
// this node hears from the new leader, or after an election timeout.
#include "raftsim/core/assert.hpp"
#include "raftsim/core/node.hpp"

namespace raftsim::core {

TransferStart Node::transfer_leadership(NodeId target) {
    RAFT_ASSERT(!ready_outstanding_);
    TransferStart start;
    if (role_ != Role::leader) {
        start.error = TransferError::not_leader;
        return start;
    }
    if (transfer_.has_value()) {
        start.error = TransferError::transfer_in_progress;
        return start;
    }
    if (target == node_none) {
        target = most_up_to_date_voter();
        if (target == node_none) {
            start.error = TransferError::no_target;
            return start;
        }
    }
    if (target == id_ || !configuration_.is_voter(target)) {
        start.error = TransferError::target_not_voter;
        return start;
    }
    start.target = target;
    stats_.transfers_started += 1;
    transfer_ = Transfer{.target = target, .started_term = hard_state_.term};
    // Its TimeoutNow lets the target skip stickiness, now or whenever a
    // delayed copy arrives: no lease read for the rest of this term.
    lease_revoked_ = true;
    maybe_send_timeout_now(false);
    check_invariants_fast();
    return start;
}

NodeId Node::transfer_target() const noexcept {
    return transfer_.has_value() ? transfer_->target : node_none;
}

// hashicorp pickServer: the voter with the highest match index, first by id
// on ties.
NodeId Node::most_up_to_date_voter() const {
    NodeId best = node_none;
    Index best_match = 0;
    for (const auto& [peer, progress] : progress_) {
        if (!configuration_.is_voter(peer)) {
            continue;
        }
        if (best == node_none || progress.match_index > best_match) {
            best = peer;
            best_match = progress.match_index;
        }
    }
    return best;
}

// Once the target holds the leader's whole log, tell it to campaign. Sent
// again on later heartbeats (`resend`) while still leader, in case it was lost.
void Node::maybe_send_timeout_now(bool resend) {
    if (!transfer_.has_value() || role_ != Role::leader) {
        return;
    }
    if (transfer_->timeout_now_sent && !resend) {
        return;
    }
    const auto it = progress_.find(transfer_->target);
    RAFT_ASSERT(it != progress_.end());
    if (it->second.match_index != log_.last_index()) {
        return;  // replication (driven by Ready) keeps bringing it up to date
    }
    transfer_->timeout_now_sent = true;
    send(Message{
        .type = MessageType::timeout_now, .to = transfer_->target, .term = hard_state_.term});
}

void Node::tick_transfer() {
    if (!transfer_.has_value()) {
        return;
    }
    transfer_->elapsed_ticks += 1;
    // hashicorp: the transfer fails after an election timeout.
    if (transfer_->elapsed_ticks >= config_.election_timeout_ticks) {
        finish_transfer(TransferOutcome::timed_out, hard_state_.term);
    }
}

// Called when this node learns who leads (an AppendEntries or snapshot from
// a leader of its term).
void Node::on_transfer_leader_known(NodeId leader) {
    if (!transfer_.has_value() || role_ == Role::leader) {
        return;
    }
    RAFT_ASSERT(leader != node_none);
    const bool target_leads =
        leader == transfer_->target && hard_state_.term > transfer_->started_term;
    finish_transfer(target_leads ? TransferOutcome::completed : TransferOutcome::leadership_lost,
                    hard_state_.term);
}

// The leader is stepping down. Without a TimeoutNow sent, nobody was told to
// take over: the transfer failed. With one sent, wait to hear who leads.
void Node::on_transfer_role_lost() {
    if (transfer_.has_value() && !transfer_->timeout_now_sent) {
        finish_transfer(TransferOutcome::leadership_lost, hard_state_.term);
    }
}

void Node::finish_transfer(TransferOutcome outcome, Term term) {
    RAFT_ASSERT(transfer_.has_value());
    transfer_results_.push_back(TransferResult{.target = transfer_->target,
                                               .outcome = outcome,
                                               .started_term = transfer_->started_term,
                                               .term = term});
    transfer_.reset();
}

}  // namespace raftsim::core
