// Reads that need no log entry (thesis §6.4): ReadIndex and lease reads.
//
// ReadIndex follows §6.4's four steps. The leader (1) has committed an
// entry of its own term, so its commit index covers every entry committed
// before it took over; (2) takes that commit index as the read index; (3)
// confirms it still led after the read arrived, by a heartbeat round that
// started after the read and that a quorum of voters acknowledged; and (4)
// answers once its state machine has applied through the read index.
//
// Rounds: a leader numbers its heartbeat rounds from 1 in each term; every
// AppendEntries carries the latest round and every response echoes it, so
// a response says "I still followed you when you sent round r". A round
// starts at every periodic heartbeat, when a term starts, and at the next
// Ready after a read arrives (reads in between share it, as etcd batches
// them). Acknowledgements live only as long as the term: a leader starts
// each term with none, so an echo from an earlier leadership can never
// confirm a read of this one.
//
// Lease reads (§6.4.1) skip step 3's round trip. A voter that acknowledged
// a round grants no vote for a heartbeat timeout of its own ticks after it
// received it (leader stickiness; with Config::lease_reads also after a
// restart, see Node::lease_guard). So until that long after the round's
// *start* -- not its acknowledgement's arrival, which can be much later --
// no other leader can be elected, less the clock drift bound
// (core::lease_read_ticks). A TimeoutNow lets its target skip stickiness,
// so a leader that started a transfer serves no lease read for the rest of
// its term: the message may still be in flight, or duplicated.
#include <algorithm>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/node.hpp"
#include "raftsim/core/quorum.hpp"

namespace raftsim::core {

ReadStart Node::read(RequestId id, ReadMode mode) {
    RAFT_ASSERT(!ready_outstanding_);
    ReadStart start;
    if (role_ != Role::leader) {
        start.error = ReadError::not_leader;
    } else if (!committed_in_term()) {
        start.error = ReadError::not_committed_in_term;
    } else if (pending_reads_.size() >= config_.max_uncommitted_entries) {
        start.error = ReadError::too_many_pending;
    } else if (mode == ReadMode::lease) {
        start.error = lease_read_refusal();
    }
    if (!start.ok()) {
        return start;
    }
    start.read_index = commit_index_;
    PendingRead pending{.id = id, .read_index = commit_index_};
    if (mode == ReadMode::lease) {
        pending.confirmed = true;
        stats_.lease_reads_served += 1;
    } else {
        read_round_wanted_ = true;
    }
    pending_reads_.push_back(pending);
    check_invariants_fast();
    return start;
}

bool Node::lease_guard() const noexcept {
    return config_.lease_reads && config_.check_quorum;
}

ReadError Node::lease_read_refusal() const {
    RAFT_ASSERT(role_ == Role::leader);
    if (!lease_guard()) {
        return ReadError::lease_reads_off;
    }
    if (lease_revoked_ || transfer_.has_value()) {
        return ReadError::lease_revoked_by_transfer;
    }
    const std::uint64_t round = quorum_read_round();
    if (round < lease_round_floor_) {
        return ReadError::lease_expired;
    }
    const auto start = std::find_if(round_starts_.begin(), round_starts_.end(),
                                    [round](const RoundStart& s) { return s.round == round; });
    if (start == round_starts_.end()) {
        return ReadError::lease_expired;  // pruned: it had expired
    }
    RAFT_ASSERT(start->leader_tick <= leader_ticks_);
    if (leader_ticks_ - start->leader_tick >= lease_read_ticks(config_)) {
        return ReadError::lease_expired;
    }
    return ReadError::none;
}

// The latest round a quorum of the voters acknowledged (the leader's own
// latest round counts for itself, if it is a voter).
std::uint64_t Node::quorum_read_round() const {
    RAFT_ASSERT(role_ == Role::leader);
    VoterIndexes rounds;
    for (const Server& server : configuration_.servers) {
        if (server.suffrage != Suffrage::voter) {
            continue;
        }
        if (server.id == id_) {
            rounds.push_back(read_round_);
            continue;
        }
        const auto ack = read_acks_.find(server.id);
        rounds.push_back(ack == read_acks_.end() ? 0 : ack->second);
    }
    return quorum_match_index(rounds.values());
}

void Node::start_read_round() {
    RAFT_ASSERT(role_ == Role::leader);
    read_round_ += 1;
    read_round_wanted_ = false;
    for (PendingRead& pending : pending_reads_) {
        if (pending.round == 0 && !pending.confirmed) {
            pending.round = read_round_;
        }
    }
    if (lease_guard()) {
        // Drop starts no lease can use again: below the acknowledged round,
        // or expired (both only move forward while the voters stay).
        const std::uint64_t acknowledged = quorum_read_round();
        const std::uint64_t lease_ticks = lease_read_ticks(config_);
        while (!round_starts_.empty() &&
               (round_starts_.front().round < acknowledged ||
                round_starts_.front().leader_tick + lease_ticks <= leader_ticks_)) {
            round_starts_.pop_front();
        }
        round_starts_.push_back(RoundStart{.round = read_round_, .leader_tick = leader_ticks_});
    }
    maybe_confirm_reads();  // a sole voter confirms its own round
}

void Node::note_read_ack(NodeId peer, std::uint64_t round) {
    RAFT_ASSERT(role_ == Role::leader);
    RAFT_ASSERT(peer != id_);
    if (round > read_round_) {
        // No follower can echo a round this leader has not sent in its
        // term: only forged input gets here.
        stats_.stale_responses += 1;
        return;
    }
    std::uint64_t& acknowledged = read_acks_[peer];
    acknowledged = std::max(acknowledged, round);
    maybe_confirm_reads();
}

void Node::maybe_confirm_reads() {
    if (pending_reads_.empty()) {
        return;
    }
    const std::uint64_t round = quorum_read_round();
    for (PendingRead& pending : pending_reads_) {
        if (!pending.confirmed && pending.round != 0 && pending.round <= round) {
            pending.confirmed = true;
            stats_.reads_served += 1;
        }
    }
}

bool Node::has_releasable_reads() const noexcept {
    return std::any_of(pending_reads_.begin(), pending_reads_.end(),
                       [this](const PendingRead& pending) {
                           return pending.confirmed && pending.read_index <= commit_index_;
                       });
}

// §6.4 step 4: a confirmed read is answered once the state machine has
// applied through its read index (the host applies `applied_through`
// before it answers).
void Node::release_reads(Index applied_through) {
    // Every Ready calls this; most have no read waiting.
    if (pending_reads_.empty()) {
        return;
    }
    std::size_t kept = 0;
    for (std::size_t i = 0; i < pending_reads_.size(); ++i) {
        const PendingRead pending = pending_reads_[i];
        if (pending.confirmed && pending.read_index <= applied_through) {
            read_results_.push_back(ReadResult{.id = pending.id,
                                               .outcome = ReadOutcome::ready,
                                               .read_index = pending.read_index,
                                               .term = hard_state_.term});
            continue;
        }
        pending_reads_[kept] = pending;
        kept += 1;
    }
    RAFT_ASSERT(kept <= pending_reads_.size());
    pending_reads_.resize(kept);
}

void Node::fail_pending_reads() {
    for (const PendingRead& pending : pending_reads_) {
        read_results_.push_back(ReadResult{.id = pending.id,
                                           .outcome = ReadOutcome::leadership_lost,
                                           .read_index = pending.read_index,
                                           .term = hard_state_.term});
    }
    pending_reads_.clear();
    read_round_wanted_ = false;
}

void Node::reset_reads() {
    RAFT_ASSERT(pending_reads_.empty());
    read_round_ = 0;
    read_round_wanted_ = false;
    read_acks_.clear();
    round_starts_.clear();
    lease_round_floor_ = 1;
    lease_revoked_ = false;
}

// A leader's voters changed: rounds sent before may have been acknowledged
// by a quorum of the old voters only, which need not intersect the new ones.
void Node::restart_lease_rounds() {
    RAFT_ASSERT(role_ == Role::leader);
    lease_round_floor_ = read_round_ + 1;
    round_starts_.clear();
}

}  // namespace raftsim::core
