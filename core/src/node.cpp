// Node lifecycle, roles, ticks, the Ready/advance cycle and local invariants.
// Message handling is in node_election.cpp and node_replication.cpp.
#include "raftsim/core/node.hpp"

#include <limits>
#include <utility>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/quorum.hpp"
#include "raftsim/core/validate.hpp"

namespace raftsim::core {

Node::Node(const NodeOptions& options, Log log, HardState hard_state)
    : id_(options.id),
      config_(options.config),
      prng_(options.seed),
      hard_state_(hard_state),
      written_hard_state_(hard_state),
      log_(std::move(log)) {
    RAFT_ASSERT(id_ != node_none);
    RAFT_ASSERT(validate(config_) == ConfigError::ok);
    RAFT_ASSERT(log_.last_term() <= hard_state_.term);
    rebuild_configuration();
    reset_election_timer();
    checked_term_ = hard_state_.term;
}

Node Node::bootstrap(const NodeOptions& options, const Configuration& configuration) {
    RAFT_ASSERT(configuration.is_valid());
    RAFT_ASSERT(!configuration.empty());
    // hashicorp's BootstrapCluster: term 1 and the configuration at index 1.
    Node node(options, Log{}, HardState{.term = 1, .voted_for = node_none});
    node.written_hard_state_ = HardState{};
    node.log_.append(Entry{.term = 1,
                           .index = 1,
                           .type = EntryType::configuration,
                           .data = {},
                           .configuration = configuration});
    node.rebuild_configuration();
    node.check_invariants_fast();
    return node;
}

Node Node::restart(const NodeOptions& options, DurableState durable) {
    // Durable state is our own earlier output, so it is trusted: a malformed
    // one means the host broke the Ready contract.
    Log log(durable.log_base_index, durable.log_base_term, std::move(durable.entries));
    RAFT_ASSERT(log.last_term() <= durable.hard_state.term);
    Node node(options, std::move(log), durable.hard_state);
    if (node.lease_guard()) {
        // A restarted voter cannot know whom it acknowledged before the
        // crash: it waits out a heartbeat timeout before voting, so a
        // lease it helped grant runs out first (node_read.cpp).
        node.leader_contact_elapsed_ticks_ = 0;
    }
    // The contract of DurableState (node.hpp).
    RAFT_ASSERT(durable.snapshot.has_value() || node.log_.base_index() == 0);
    if (durable.snapshot.has_value()) {
        const Snapshot& snapshot = *durable.snapshot;
        RAFT_ASSERT(snapshot.index >= node.log_.base_index());
        RAFT_ASSERT(snapshot.index <= node.log_.last_index());
        RAFT_ASSERT(node.log_.term_at(snapshot.index) == snapshot.term);
        RAFT_ASSERT(snapshot.configuration.is_valid());
        RAFT_ASSERT(snapshot.configuration_index <= snapshot.index);
        node.snapshot_ = std::move(*durable.snapshot);
        // hashicorp restores the state machine from the snapshot at startup:
        // everything through it counts as committed and applied.
        node.commit_index_ = node.snapshot_.index;
        node.applied_index_ = node.snapshot_.index;
        node.checked_commit_index_ = node.commit_index_;
        node.rebuild_configuration();
    }
    node.check_invariants_fast();
    return node;
}

void Node::tick() {
    RAFT_ASSERT(!ready_outstanding_);
    if (role_ == Role::leader) {
        // A leader hears itself: once deposed, it too is sticky for a
        // minimum election timeout (thesis rule, §4.2.3).
        leader_contact_elapsed_ticks_ = 0;
        tick_leader();
    } else {
        tick_election();
    }
    after_input();
    check_invariants_fast();
}

void Node::campaign() {
    RAFT_ASSERT(!ready_outstanding_);
    if (role_ != Role::leader && configuration_.is_voter(id_) && may_campaign()) {
        campaign_now(false);
    }
    check_invariants_fast();
}

// Followers and candidates: a timeout with no word from a leader starts an
// election (§5.2). Only voters campaign (hashicorp: nonvoters never do).
void Node::tick_election() {
    RAFT_ASSERT(role_ != Role::leader);
    tick_transfer();
    election_elapsed_ticks_ += 1;
    if (leader_contact_elapsed_ticks_ < std::numeric_limits<std::uint32_t>::max()) {
        leader_contact_elapsed_ticks_ += 1;
    }
    if (election_elapsed_ticks_ < randomized_timeout_ticks_) {
        return;
    }
    if (!may_campaign()) {
        reset_election_timer();
        return;
    }
    campaign_now(false);
}

void Node::tick_leader() {
    RAFT_ASSERT(role_ == Role::leader);
    // hashicorp sends heartbeats every HeartbeatTimeout/10.
    const std::uint32_t heartbeat_interval_ticks =
        config_.heartbeat_timeout_ticks / 10 > 0 ? config_.heartbeat_timeout_ticks / 10 : 1;
    heartbeat_elapsed_ticks_ += 1;
    if (heartbeat_elapsed_ticks_ >= heartbeat_interval_ticks) {
        heartbeat_elapsed_ticks_ = 0;
        start_read_round();
        bcast_heartbeat();
        maybe_send_timeout_now(true);
    }
    tick_transfer();
    // Followers learn the commit index at least every commit timeout.
    commit_elapsed_ticks_ += 1;
    if (commit_elapsed_ticks_ >= config_.commit_timeout_ticks) {
        commit_elapsed_ticks_ = 0;
        for (auto& [peer, progress] : progress_) {
            if (progress.commit_sent < commit_index_) {
                static_cast<void>(maybe_send_append(peer, progress, true));
            }
        }
    }
    leader_ticks_ += 1;
    if (config_.check_quorum) {
        maybe_check_quorum();
    }
}

// Leader lease (hashicorp checkLeaderLease; thesis §6.2 "check quorum"): a
// leader steps down once it has not heard from a quorum of voters for longer
// than the lease, so a partitioned leader stops serving as one. Checked every
// tick against each follower's last contact, so the step-down comes
// leader_lease after the quorum was last heard from, not up to twice that.
void Node::maybe_check_quorum() {
    RAFT_ASSERT(role_ == Role::leader);
    std::size_t contacted = configuration_.is_voter(id_) ? 1 : 0;
    for (const auto& [peer, progress] : progress_) {
        RAFT_ASSERT(progress.last_contact_tick <= leader_ticks_);
        const bool recent =
            leader_ticks_ - progress.last_contact_tick <= config_.leader_lease_ticks;
        if (recent && configuration_.is_voter(peer)) {
            contacted += 1;
        }
    }
    if (!is_majority(contacted, configuration_.voter_count())) {
        stats_.lease_step_downs += 1;
        become_follower(hard_state_.term, node_none);
    }
}

void Node::campaign_now(bool leadership_transfer) {
    RAFT_ASSERT(role_ != Role::leader);
    RAFT_ASSERT(may_campaign());
    // A transfer target skips pre-vote: the leader asked it to campaign.
    if (config_.pre_vote && !leadership_transfer) {
        become_pre_candidate();
    } else {
        become_candidate(leadership_transfer);
    }
}

void Node::reset_election_timer() {
    // hashicorp: followers wait [HeartbeatTimeout, 2*HeartbeatTimeout),
    // candidates [ElectionTimeout, 2*ElectionTimeout). Randomization breaks
    // split votes (§5.2).
    const std::uint32_t base =
        role_ == Role::follower ? config_.heartbeat_timeout_ticks : config_.election_timeout_ticks;
    RAFT_ASSERT(base > 0);
    election_elapsed_ticks_ = 0;
    randomized_timeout_ticks_ = base + static_cast<std::uint32_t>(prng_.below(base));
    RAFT_ASSERT(randomized_timeout_ticks_ >= base);
}

void Node::set_role(Role role) {
    if (role != role_ || role == Role::candidate) {
        role_changes_.push_back(RoleChange{.from = role_, .to = role, .term = hard_state_.term});
    }
    role_ = role;
}

void Node::set_leader(NodeId leader) {
    RAFT_ASSERT(leader != id_ || role_ == Role::leader);
    leader_id_ = leader;
}

// §5.1: a server that sees a higher term, or a leader of its own term, is a
// follower.
void Node::become_follower(Term term, NodeId leader) {
    RAFT_ASSERT(term >= hard_state_.term);
    // Figure 2: a follower's timer restarts on word from a leader or a vote
    // it grants (step_request_vote), not on a higher term alone. A follower
    // that only adopts the term of a vote request keeps counting, as
    // hashicorp's runFollower does (it restarts on lastContact): else a
    // candidate with a stale log, timing out first again and again, could
    // keep every up-to-date follower from ever campaigning.
    const bool restart_timer = role_ != Role::follower || leader != node_none;
    if (term > hard_state_.term) {
        enter_term(term);
    }
    if (role_ == Role::leader) {
        on_transfer_role_lost();
        fail_pending_requests();
        fail_pending_reads();
        progress_.clear();
        term_start_index_ = 0;
    }
    set_role(Role::follower);
    set_leader(leader);
    votes_.clear();
    campaign_is_transfer_ = false;
    if (restart_timer) {
        reset_election_timer();
    }
    RAFT_ASSERT(role_ == Role::follower);
    RAFT_ASSERT(progress_.empty());
}

// §5.1: a new term, with no vote cast in it yet. A host may step several
// inputs before it takes one Ready (etcd's RawNode allows it). Messages
// queued in an older term then speak for a log the rest of the batch may
// truncate: an acknowledgement of entries an AppendEntries of the new term
// deletes would reach the old leader after the Ready's write, promising
// entries this node no longer holds (Figure 2: respond only after updating
// stable storage). They are dropped; a lost message is always safe.
void Node::enter_term(Term term) {
    RAFT_ASSERT(term > hard_state_.term);
    // The gate refuses terms beyond term_max, and may_campaign stops there.
    RAFT_ASSERT(term <= term_max);
    hard_state_.term = term;
    hard_state_.voted_for = node_none;
    std::erase_if(outbox_, [term](const Message& message) { return message.term < term; });
}

void Node::become_leader() {
    RAFT_ASSERT(role_ == Role::candidate);
    RAFT_ASSERT(hard_state_.voted_for == id_);
    set_role(Role::leader);
    set_leader(id_);
    leader_contact_elapsed_ticks_ = 0;
    stats_.elections_won += 1;
    campaign_is_transfer_ = false;
    votes_.clear();
    progress_.clear();
    for (const Server& server : configuration_.servers) {
        if (server.id != id_) {
            progress_[server.id] = Progress{.next_index = log_.last_index() + 1};
        }
    }
    heartbeat_elapsed_ticks_ = 0;
    commit_elapsed_ticks_ = 0;
    // Every follower counts as just heard from: the lease starts now
    // (hashicorp sets lastContact when replication starts).
    leader_ticks_ = 0;
    // Round 1 goes out with the no-op: reads of this term count only
    // echoes of this term's rounds.
    reset_reads();
    start_read_round();
    // Thesis §6.4 / hashicorp: a no-op of the new term lets the leader commit
    // (and so learn the commit index) without waiting for a client.
    term_start_index_ = log_.last_index() + 1;
    append_entry(Entry{.term = hard_state_.term,
                       .index = term_start_index_,
                       .type = EntryType::noop,
                       .data = {},
                       .configuration = {}});
}

void Node::fail_pending_requests() {
    for (RequestResult& request : pending_requests_) {
        // Entries already committed here succeeded, whoever leads next.
        const bool committed = request.index <= commit_index_;
        request.outcome = committed ? RequestOutcome::committed : RequestOutcome::leadership_lost;
        results_.push_back(request);
    }
    pending_requests_.clear();
}

ProposeResult Node::propose(RequestId id, Payload data) {
    return propose_entry(id, EntryType::command, std::move(data));
}

ProposeResult Node::barrier(RequestId id) {
    return propose_entry(id, EntryType::barrier, Payload{});
}

ProposeResult Node::propose_entry(RequestId id, EntryType type, Payload data) {
    RAFT_ASSERT(!ready_outstanding_);
    RAFT_ASSERT(type == EntryType::command || type == EntryType::barrier);
    ProposeResult result;
    if (role_ != Role::leader) {
        result.error = ProposeError::not_leader;
        return result;
    }
    // hashicorp: a leader handing over refuses new work (ErrLeadershipTransferInProgress).
    if (transfer_.has_value()) {
        result.error = ProposeError::leadership_transfer_in_progress;
        return result;
    }
    if (log_.last_index() - commit_index_ >= config_.max_uncommitted_entries) {
        result.error = ProposeError::too_many_uncommitted;
        return result;
    }
    if (log_.last_index() >= index_max) {
        result.error = ProposeError::log_full;
        return result;
    }
    result.index = log_.last_index() + 1;
    result.term = hard_state_.term;
    append_entry(Entry{.term = result.term,
                       .index = result.index,
                       .type = type,
                       .data = std::move(data),
                       .configuration = {}});
    pending_requests_.push_back(RequestResult{.id = id,
                                              .outcome = RequestOutcome::committed,
                                              .index = result.index,
                                              .term = result.term});
    check_invariants_fast();
    return result;
}

void Node::append_entry(Entry entry) {
    RAFT_ASSERT(role_ == Role::leader);
    RAFT_ASSERT(entry.term == hard_state_.term);
    // Callers refuse first: every follower's gate would refuse the entry.
    RAFT_ASSERT(entry.index <= index_max);
    const bool configuration = entry.type == EntryType::configuration;
    log_.append(std::move(entry));
    if (configuration) {
        note_configuration_appended(log_.at(log_.last_index()));
    }
}

const Progress* Node::progress(NodeId peer) const noexcept {
    const auto it = progress_.find(peer);
    return it == progress_.end() ? nullptr : &it->second;
}

}  // namespace raftsim::core
