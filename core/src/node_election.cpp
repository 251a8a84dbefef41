// The message gate, term handling and elections (Raft paper §5.1, §5.2,
// §5.4.1; thesis §9.6 for pre-vote, §3.10 for TimeoutNow).
#include "raftsim/core/assert.hpp"
#include "raftsim/core/node.hpp"
#include "raftsim/core/quorum.hpp"
#include "raftsim/core/validate.hpp"

namespace raftsim::core {

RejectReason Node::step(const Message& message) {
    RAFT_ASSERT(!ready_outstanding_);
    RejectReason reason = validate_message(message, id_);
    if (reason == RejectReason::none && maybe_step_term(message)) {
        reason = step_by_type(message);
    }
    after_input();
    if (reason != RejectReason::none) {
        stats_.rejects.count(reason);
    }
    check_invariants_fast();
    return reason;
}

RejectReason Node::step_by_type(const Message& message) {
    switch (message.type) {
        case MessageType::append_entries:
            return step_append_entries(message);
        case MessageType::append_entries_response:
            return step_append_entries_response(message);
        case MessageType::request_vote:
            step_request_vote(message);
            return RejectReason::none;
        case MessageType::request_pre_vote:
            step_request_pre_vote(message);
            return RejectReason::none;
        case MessageType::request_vote_response:
        case MessageType::request_pre_vote_response:
            step_vote_response(message);
            return RejectReason::none;
        case MessageType::timeout_now:
            step_timeout_now(message);
            return RejectReason::none;
        case MessageType::install_snapshot:
            return step_install_snapshot(message);
        case MessageType::install_snapshot_response:
            return step_install_snapshot_response(message);
    }
    RAFT_UNREACHABLE("validate_message refused unknown types");
    return RejectReason::unknown_message_type;
}

// Figure 2, "Rules for all servers": a higher term makes us a follower of
// that term; a lower term marks the message stale. Returns whether the
// message should go on to its handler.
bool Node::maybe_step_term(const Message& message) {
    const Term term = message.term;
    if (term > hard_state_.term) {
        // Pre-votes ask about a term nobody has entered: they change nothing.
        if (message.type == MessageType::request_pre_vote) {
            return true;
        }
        if (message.type == MessageType::request_pre_vote_response && message.granted) {
            return true;
        }
        // hashicorp checks membership and leader stickiness before the term:
        // a server outside our configuration (say, one we removed), or any
        // candidate while we follow a live leader, gets a refusal and does
        // not move our term.
        if (message.type == MessageType::request_vote &&
            (vote_blocked_by_sticky_leader(message) || !known_candidate(message.from))) {
            step_request_vote(message);
            return false;
        }
        const bool from_leader = message.type == MessageType::append_entries ||
                                 message.type == MessageType::install_snapshot;
        become_follower(term, from_leader ? message.from : node_none);
        return true;
    }
    if (term < hard_state_.term) {
        if (is_response(message.type)) {
            stats_.stale_responses += 1;
            return false;
        }
        // Figure 2: reply false to a request of an older term, with our term
        // in the reply so a stale leader or candidate steps down.
        switch (message.type) {
            case MessageType::append_entries:
                send_append_response(message, false, log_.last_index(), message.prev_log_index);
                break;
            case MessageType::request_vote:
            case MessageType::request_pre_vote:
                step_request_vote(message);
                break;
            case MessageType::install_snapshot:
                send(Message{.type = MessageType::install_snapshot_response,
                             .to = message.from,
                             .term = hard_state_.term,
                             .success = false});
                break;
            default:
                break;
        }
        return false;
    }
    return true;
}

bool Node::known_candidate(NodeId candidate) const {
    if (config_.vote_rule == VoteRule::thesis) {
        return true;  // §4.1: votes do not consult the configuration
    }
    return configuration_.empty() || configuration_.contains(candidate);
}

bool Node::may_vote_for(NodeId candidate) const {
    return config_.vote_rule == VoteRule::thesis || configuration_.is_voter(candidate);
}

bool Node::vote_blocked_by_sticky_leader(const Message& message) const {
    // Lease reads rest on every voter that acknowledged a round refusing
    // votes for a heartbeat timeout of its ticks: counted from the last
    // word of a leader (or a restart), not from a belief a stale higher
    // term can clear.
    const bool lease_sticky = lease_guard() &&
                              leader_contact_elapsed_ticks_ < config_.heartbeat_timeout_ticks &&
                              leader_id_ != message.from && !message.leadership_transfer;
    if (lease_sticky) {
        return true;
    }
    // hashicorp: "rejecting vote request since we have a leader", unless the
    // leader itself asked the candidate to campaign (leadership transfer).
    if (config_.vote_rule == VoteRule::thesis) {
        // Thesis §4.2.3: within the minimum election timeout of hearing from
        // a current leader, a server neither grants nor moves its term --
        // a clock, not a belief, since voting for a transfer target clears
        // the leader while the old one was heard a moment ago (§3.10's flag
        // still bypasses it).
        const bool heard_recently = role_ == Role::leader ||
                                    leader_contact_elapsed_ticks_ < config_.heartbeat_timeout_ticks;
        return heard_recently && leader_id_ != message.from && !message.leadership_transfer;
    }
    return leader_id_ != node_none && leader_id_ != message.from && !message.leadership_transfer;
}

// Answers request_vote and (when the term is stale) request_pre_vote with a
// refusal or a grant. §5.2: at most one vote per term, first come first
// served; §5.4.1: only for a candidate whose log is at least as up to date.
void Node::step_request_vote(const Message& message) {
    const bool pre_vote = message.type == MessageType::request_pre_vote;
    Message response{.type = pre_vote ? MessageType::request_pre_vote_response
                                      : MessageType::request_vote_response,
                     .to = message.from,
                     .term = hard_state_.term,
                     .granted = false};
    if (message.term < hard_state_.term) {
        send(std::move(response));
        return;
    }
    if (vote_blocked_by_sticky_leader(message)) {
        stats_.votes_rejected_sticky_leader += 1;
        send(std::move(response));
        return;
    }
    if (!known_candidate(message.from)) {
        send(std::move(response));
        return;
    }
    RAFT_ASSERT(message.term == hard_state_.term);
    RAFT_ASSERT(!pre_vote);
    // hashicorp: a server that is not a voter in our configuration cannot
    // become leader with our help (removed servers must not disrupt); the
    // thesis rule (§4.1) votes regardless (Config::vote_rule).
    const bool candidate_is_voter = may_vote_for(message.from);
    const bool fresh_vote = hard_state_.voted_for == node_none;
    const bool log_ok =
        log_.is_up_to_date(message.candidate_last_log_index, message.candidate_last_log_term);
    if (hard_state_.voted_for == message.from) {
        response.granted = true;  // a duplicate request gets the same answer
    } else if (fresh_vote && candidate_is_voter && log_ok) {
        // The vote is part of the hard state; the Ready carrying this
        // response also carries the vote, persisted before it is sent.
        hard_state_.voted_for = message.from;
        response.granted = true;
        election_elapsed_ticks_ = 0;
    }
    RAFT_ASSERT(!response.granted || hard_state_.voted_for == message.from);
    send(std::move(response));
}

// Thesis §9.6: grant a pre-vote if we would grant the vote in term+1. Changes
// no state at all, so a partitioned node cannot inflate terms.
void Node::step_request_pre_vote(const Message& message) {
    RAFT_ASSERT(message.term >= hard_state_.term);
    Message response{.type = MessageType::request_pre_vote_response,
                     .to = message.from,
                     .term = hard_state_.term,
                     .granted = false};
    if (vote_blocked_by_sticky_leader(message)) {
        stats_.votes_rejected_sticky_leader += 1;
    } else if (message.term > hard_state_.term && may_vote_for(message.from) &&
               log_.is_up_to_date(message.candidate_last_log_index,
                                  message.candidate_last_log_term)) {
        // Answer in the asked-for term so the pre-candidate can tell this
        // grant from a stale one.
        response.term = message.term;
        response.granted = true;
    }
    // A new server that has never entered a term (restarted from empty
    // storage) has no term to refuse in: every gate drops a term-0 message,
    // and a refusal changes nothing for a pre-candidate anyway, so it stays
    // silent (thesis §9.6: a pre-vote changes no state).
    if (!response.granted && response.term == 0) {
        return;
    }
    send(std::move(response));
}

void Node::step_vote_response(const Message& message) {
    const bool pre_vote = message.type == MessageType::request_pre_vote_response;
    const Role expected = pre_vote ? Role::pre_candidate : Role::candidate;
    const Term expected_term =
        pre_vote && message.granted ? hard_state_.term + 1 : hard_state_.term;
    if (role_ != expected || message.term != expected_term) {
        stats_.stale_responses += 1;
        return;
    }
    if (!configuration_.is_voter(message.from)) {
        return;
    }
    votes_[message.from] = message.granted;
    std::size_t granted = 0;
    for (const auto& [voter, vote] : votes_) {
        granted += (vote && configuration_.is_voter(voter)) ? 1 : 0;
    }
    if (!is_majority(granted, configuration_.voter_count())) {
        return;
    }
    if (pre_vote) {
        become_candidate(false);
    } else {
        become_leader();
    }
}

void Node::step_timeout_now(const Message& message) {
    RAFT_ASSERT(message.term == hard_state_.term);
    // Thesis §3.10: the leader asks us to campaign at once, bypassing
    // stickiness and pre-vote, because it is handing leadership over.
    if (role_ == Role::leader || !configuration_.is_voter(id_) || !may_campaign()) {
        return;
    }
    campaign_now(true);
}

void Node::become_pre_candidate() {
    RAFT_ASSERT(role_ != Role::leader);
    RAFT_ASSERT(config_.pre_vote);
    if (transfer_.has_value()) {
        // Nobody took over in time: this node's own timer fired first.
        finish_transfer(TransferOutcome::timed_out, hard_state_.term);
    }
    set_role(Role::pre_candidate);
    set_leader(node_none);
    votes_.clear();
    reset_election_timer();
    stats_.pre_votes_started += 1;
    votes_[id_] = true;
    if (is_majority(configuration_.is_voter(id_) ? 1 : 0, configuration_.voter_count())) {
        become_candidate(false);
        return;
    }
    for (const Server& server : configuration_.servers) {
        if (server.suffrage != Suffrage::voter || server.id == id_) {
            continue;
        }
        send(Message{.type = MessageType::request_pre_vote,
                     .to = server.id,
                     .term = hard_state_.term + 1,
                     .candidate_last_log_index = log_.last_index(),
                     .candidate_last_log_term = log_.last_term()});
    }
}

// §5.2: increment the term, vote for ourselves, ask every other voter.
void Node::become_candidate(bool leadership_transfer) {
    RAFT_ASSERT(role_ != Role::leader);
    RAFT_ASSERT(may_campaign());
    if (transfer_.has_value()) {
        finish_transfer(TransferOutcome::timed_out, hard_state_.term);
    }
    enter_term(hard_state_.term + 1);
    hard_state_.voted_for = id_;
    set_role(Role::candidate);
    set_leader(node_none);
    votes_.clear();
    campaign_is_transfer_ = leadership_transfer;
    reset_election_timer();
    stats_.elections_started += 1;
    votes_[id_] = true;
    if (is_majority(configuration_.is_voter(id_) ? 1 : 0, configuration_.voter_count())) {
        become_leader();
        return;
    }
    for (const Server& server : configuration_.servers) {
        if (server.suffrage != Suffrage::voter || server.id == id_) {
            continue;
        }
        send(Message{.type = MessageType::request_vote,
                     .to = server.id,
                     .term = hard_state_.term,
                     .candidate_last_log_index = log_.last_index(),
                     .candidate_last_log_term = log_.last_term(),
                     .leadership_transfer = leadership_transfer});
    }
}

}  // namespace raftsim::core
