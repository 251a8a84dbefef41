// The Ready/advance cycle and the node's local invariants.
#include <limits>
#include <utility>
#include <vector>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/node.hpp"

namespace raftsim::core {
namespace {

// Moves a batch into the Ready. An empty one stays where it is: most batches
// are empty, the test costs less than the move, and the buffer keeps its
// capacity for the next batch.
template <typename T>
void hand_over(std::vector<T>& batch, std::vector<T>& into) {
    if (!batch.empty()) {
        into = std::move(batch);
        batch.clear();
    }
}

}  // namespace

void Node::send(Message&& message) {
    RAFT_ASSERT(message.to != id_);
    RAFT_ASSERT(message.to != node_none);
    // The receiver's gate refuses term 0 (request_term_zero).
    RAFT_ASSERT(message.term != 0);
    message.from = id_;
    message.protocol_version = config_.protocol_version;
    outbox_.push_back(std::move(message));
}

// Runs after every input and in every host round, so the checks are inline
// and ordered cheapest first; ready() asserts what it then hands out.
bool Node::has_ready() const {
    if (hard_state_ != written_hard_state_ || log_.has_unwritten()) {
        return true;
    }
    if (!outbox_.empty() || !results_.empty() || !role_changes_.empty()) {
        return true;
    }
    if (snapshot_unwritten_ || compaction_unwritten_.has_value() || !transfer_results_.empty()) {
        return true;
    }
    if (commit_index_ > applied_index_ || reported_leader_id_ != leader_id_) {
        return true;
    }
    if (!read_results_.empty() || read_round_wanted_) {
        return true;
    }
    if (!pending_reads_.empty() && has_releasable_reads()) {
        return true;
    }
    if (role_ == Role::leader) {
        for (const auto& [peer, progress] : progress_) {
            if (needs_append(progress)) {
                return true;
            }
        }
    }
    return false;
}

Ready Node::ready() {
    RAFT_ASSERT(!ready_outstanding_);
    // Replication is flushed here, not on every proposal, so proposals made
    // between two Ready batches travel in one AppendEntries (batching).
    if (role_ == Role::leader) {
        if (read_round_wanted_) {
            // §6.4 step 3 for the reads that arrived since the last Ready.
            start_read_round();
            bcast_heartbeat();
        }
        bcast_append();
    }
    Ready ready;
    if (snapshot_unwritten_) {
        ready.snapshot = snapshot_;
        ready.restore_snapshot = restore_unwritten_;
        snapshot_unwritten_ = false;
        restore_unwritten_ = false;
    }
    RAFT_ASSERT(!restore_unwritten_);
    ready.compaction = compaction_unwritten_;
    compaction_unwritten_.reset();
    if (hard_state_ != written_hard_state_) {
        ready.hard_state = hard_state_;
        written_hard_state_ = hard_state_;
    }
    ready_written_through_ = 0;
    if (const std::optional<Index> from = log_.unwritten_from()) {
        ready.entries =
            log_.slice(*from, log_.last_index(), std::numeric_limits<std::size_t>::max());
        ready_written_through_ = log_.last_index();
        RAFT_ASSERT(!ready.entries.empty());
    }
    ready.messages = std::move(outbox_);
    outbox_.clear();
    if (commit_index_ > applied_index_) {
        ready.committed_entries =
            log_.slice(applied_index_ + 1, commit_index_, std::numeric_limits<std::size_t>::max());
    }
    ready_applied_through_ = commit_index_;
    // Proposals whose entries are now handed out for application succeeded.
    while (!pending_requests_.empty() && pending_requests_.front().index <= commit_index_) {
        const RequestResult& done = pending_requests_.front();
        RAFT_ASSERT(log_.term_at(done.index) == done.term);
        results_.push_back(done);
        pending_requests_.pop_front();
    }
    hand_over(results_, ready.request_results);
    release_reads(ready_applied_through_);
    hand_over(read_results_, ready.read_results);
    hand_over(transfer_results_, ready.transfer_results);
    hand_over(role_changes_, ready.role_changes);
    if (reported_leader_id_ != leader_id_) {
        ready.leader_id = leader_id_;
        reported_leader_id_ = leader_id_;
    }
    ready_outstanding_ = true;
    return ready;
}

void Node::advance(Ready&& spent) {
    // Only capacity is taken over: whatever the host left in the vectors is
    // discarded, and a buffer already refilled since ready() is kept.
    if (outbox_.empty() && spent.messages.capacity() > outbox_.capacity()) {
        spent.messages.clear();
        outbox_.swap(spent.messages);
        RAFT_ASSERT(outbox_.empty());
    }
    advance();
}

void Node::advance() {
    RAFT_ASSERT(ready_outstanding_);
    ready_outstanding_ = false;
    if (ready_written_through_ != 0) {
        log_.mark_written(ready_written_through_);
    }
    RAFT_ASSERT(ready_applied_through_ >= applied_index_);
    applied_index_ = ready_applied_through_;
    // The leader's own durable log counts towards the quorum only once the
    // host has persisted it, so commitment may move now.
    if (role_ == Role::leader) {
        maybe_commit();
    }
    after_input();
    check_invariants_fast();
}

void Node::check_invariants_fast() {
    RAFT_ASSERT(applied_index_ <= commit_index_);
    RAFT_ASSERT(commit_index_ <= log_.last_index());
    RAFT_ASSERT(log_.written_index() <= log_.last_index());
    RAFT_ASSERT(log_.last_term() <= hard_state_.term);
    RAFT_ASSERT(hard_state_.term >= checked_term_);
    // §7: a snapshot covers only committed state, and the log starts at or
    // before it.
    RAFT_ASSERT(snapshot_.index <= commit_index_);
    RAFT_ASSERT(log_.base_index() <= snapshot_.index);
    RAFT_ASSERT(commit_index_ >= checked_commit_index_);
    checked_term_ = hard_state_.term;
    checked_commit_index_ = commit_index_;
    if (role_ == Role::leader || role_ == Role::candidate) {
        RAFT_ASSERT(hard_state_.voted_for == id_);
    }
    if (role_ == Role::leader) {
        RAFT_ASSERT(leader_id_ == id_);
    } else {
        RAFT_ASSERT(leader_id_ != id_);
        RAFT_ASSERT(progress_.empty());
        RAFT_ASSERT(pending_requests_.empty());
        RAFT_ASSERT(pending_reads_.empty());
    }
}

bool Node::invariants_hold() const noexcept {
    if (applied_index_ > commit_index_ || commit_index_ > log_.last_index()) {
        return false;
    }
    if (!log_.is_well_formed() || log_.last_term() > hard_state_.term) {
        return false;
    }
    if (snapshot_.index > commit_index_ || log_.base_index() > snapshot_.index) {
        return false;
    }
    if ((role_ == Role::leader || role_ == Role::candidate) && hard_state_.voted_for != id_) {
        return false;
    }
    for (const auto& [peer, progress] : progress_) {
        if (progress.match_index >= progress.next_index) {
            return false;
        }
        if (progress.next_index > log_.last_index() + 1 || peer == id_) {
            return false;
        }
    }
    return configuration_.is_valid();
}

}  // namespace raftsim::core
