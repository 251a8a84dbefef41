// Claims, cross-checked (Checker::claims): what a node says in a message is
// verified against what it durably holds, so no checker has to believe it.
// Also the vote count behind each election (Checker::election_safety), from
// the grants voters actually sent.
#include <fmt/format.h>

#include <algorithm>

#include "raftsim/core/assert.hpp"
#include "raftsim/sim/checkers.hpp"

namespace raftsim::sim {

namespace {

// §5.4.1: a log ending at (index, term) is more up to date than one ending at
// (other_index, other_term) if its last term is later, or the same and it is
// longer.
bool ends_later(core::Index index, core::Term term, core::Index other_index,
                core::Term other_term) noexcept {
    return term > other_term || (term == other_term && index > other_index);
}

}  // namespace

// Figure 2: a success reply says the follower's log matches the leader's
// through match_index, and Figure 2's "respond only after updating stable
// storage" says those entries are durable. The commit-quorum check counts
// these replies, so each one is verified here against the follower's log.
bool Checkers::check_acknowledgement(const core::Message& message, TimeUs now) {
    const core::NodeId follower = message.from;
    const core::Index match = message.match_index;
    const LogMirror& log = logs_[follower];
    // A node answers success only to the leader of its term, which must have
    // sent it AppendEntries or InstallSnapshot in that term (§5.1, §5.3).
    const auto replicator = replicator_of_term_.find(message.term);
    if (replicator == replicator_of_term_.end() || replicator->second != message.to) {
        if (semantics_.refusal_may_read_as_success) {
            // Figure 2: a reply whose term is above the addressee's makes it
            // step down, and one to a non-leader of its own term is ignored;
            // only the leader of message.term could count it (on_deliver).
            unsolicited_acks_.emplace(follower, message.to, message.term, match);
            return false;
        }
        violate(Checker::claims, "acknowledged_to_non_leader",
                fmt::format("node {} acknowledged index {} to node {} in term {}, but {} "
                            "replicated in that term",
                            follower, match, message.to, message.term,
                            replicator == replicator_of_term_.end()
                                ? std::string("nobody")
                                : fmt::format("node {}", replicator->second)),
                now, follower);
        return false;
    }
    if (match > log.last_index()) {
        violate(Checker::claims, "acknowledged_more_than_held",
                fmt::format("node {} acknowledged index {} in term {} but its log ends at {}",
                            follower, match, message.term, log.last_index()),
                now, follower);
        return true;
    }
    const core::Index unsynced_from = durable_[follower].unsynced_from;
    if (match >= 1 && unsynced_from != 0 && unsynced_from <= match) {
        violate(Checker::durability, "acknowledged_before_durable",
                fmt::format("node {} acknowledged index {} in term {} before its write from index "
                            "{} was synced",
                            follower, match, message.term, unsynced_from),
                now, follower);
        return true;
    }
    // Against the leader's own log, while it still leads that term (it never
    // rewrites its log in its term, §5.3, so what it sent is still there).
    const core::NodeId leader = message.to;
    const auto led = leader_of_term_.find(message.term);
    const bool leads = led != leader_of_term_.end() && led->second == leader &&
                       role_of_[leader] == core::Role::leader &&
                       durable_[leader].issued.term == message.term;
    const LogMirror& theirs = logs_[leader];
    if (!leads || match == 0 || match > theirs.last_index()) {
        return true;
    }
    if (log.chain_at(match) != theirs.chain_at(match)) {
        violate(Checker::claims, "acknowledged_entry_differs",
                fmt::format("node {} acknowledged index {} to leader {} of term {}, but their "
                            "logs differ at or before it",
                            follower, match, leader, message.term),
                now, follower);
    }
    return true;
}

void Checkers::on_deliver(const core::Message& message, TimeUs now) {
    const bool acknowledgement = message.type == core::MessageType::append_entries_response ||
                                 message.type == core::MessageType::install_snapshot_response;
    if (!acknowledgement || !message.success) {
        return;
    }
    // What the addressee may know of the sender's log (on_progress); a
    // reply of an older term than one already received counts for nothing.
    MatchSeen& delivered = delivered_acks_[{message.to, message.from}];
    if (message.term > delivered.term) {
        delivered = MatchSeen{.term = message.term, .match_index = 0};
    }
    if (message.term == delivered.term) {
        delivered.match_index = std::max(delivered.match_index, message.match_index);
    }
    if (message.type != core::MessageType::append_entries_response) {
        return;
    }
    // Only a system whose refusals may read as successes defers the check
    // to delivery; for any other it was judged at send.
    RAFT_ASSERT(semantics_.refusal_may_read_as_success || unsolicited_acks_.empty());
    const auto key = std::make_tuple(message.from, message.to, message.term, message.match_index);
    if (!unsolicited_acks_.contains(key)) {
        return;
    }
    // Harmless unless the addressee leads the reply's term now: a leader of
    // a lower term steps down for it, anyone else ignores it (Figure 2).
    const core::Role* role = role_of_.find(message.to);
    if (role == nullptr || *role != core::Role::leader) {
        return;
    }
    const core::Term* led = leader_term_of_.find(message.to);
    RAFT_ASSERT(led != nullptr);  // a leader leads some term
    if (*led != message.term) {
        return;
    }
    violate(Checker::claims, "acknowledged_to_non_leader",
            fmt::format("node {} acknowledged index {} in term {} to node {} before that node "
                        "replicated in the term, and node {} now leads term {}",
                        message.from, message.match_index, message.term, message.to, message.to,
                        message.term),
            now, message.from);
}

// A granted vote is a promise that survives a crash: the voter's durable
// votedFor names the candidate in that term before the reply leaves (Fig. 2).
void Checkers::check_vote_grant(const core::Message& message, TimeUs now) {
    const core::HardState& durable = durable_[message.from].durable;
    if (durable.term != message.term || durable.voted_for != message.to) {
        violate(
            Checker::durability, "vote_granted_not_durable",
            fmt::format("node {} granted its vote to node {} in term {} but its durable vote "
                        "is for node {} in term {}",
                        message.from, message.to, message.term, durable.voted_for, durable.term),
            now, message.from);
        return;
    }
    const auto [cast, first_grant] =
        votes_cast_.try_emplace(message.from, message.term, message.to);
    if (!first_grant && *cast != message.to) {
        violate(Checker::durability, "voted_twice_in_term",
                fmt::format("node {} granted its vote in term {} to node {} after granting it to "
                            "node {}",
                            message.from, message.term, message.to, *cast),
                now, message.from);
        return;
    }
    std::vector<core::NodeId>& voters = votes_granted_.get_or_insert(message.to, message.term);
    if (std::find(voters.begin(), voters.end(), message.from) == voters.end()) {
        // Only the first grant: a repeated one answers a duplicate request
        // with the vote already cast, and the voter's log may have grown.
        check_voter_log(message, now);
        voters.push_back(message.from);
    }
}

// Thesis §9.6: a server grants a pre-vote only if it has not heard from a
// leader within an election timeout; a leader hears itself.
void Checkers::check_pre_vote_grant(const core::Message& message, TimeUs now) {
    RAFT_ASSERT(message.type == core::MessageType::request_pre_vote_response);
    RAFT_ASSERT(message.granted);
    if (role_of_[message.from] == core::Role::leader) {
        violate(Checker::leader_lease, "leader_granted_pre_vote",
                fmt::format("leader {} granted node {} a pre-vote for term {}", message.from,
                            message.to, message.term),
                now, message.from);
        return;
    }
    // Thesis §9.6: a pre-vote is granted only if the vote would be, log
    // included, so a server with a stale log cannot raise everyone's term.
    check_voter_log(message, now);
    std::vector<core::NodeId>& voters = pre_votes_granted_.get_or_insert(message.to, message.term);
    if (std::find(voters.begin(), voters.end(), message.from) == voters.end()) {
        voters.push_back(message.from);
    }
}

// §5.4.1: a voter denies its vote if its own log is more up-to-date than the
// candidate's: a later last term, or the same last term and a longer log.
// Judged against what the candidate's request claimed (verified against its
// log by check_vote_request) and the voter's log as it had written it.
void Checkers::check_voter_log(const core::Message& grant, TimeUs now) {
    const bool pre_vote = grant.type == core::MessageType::request_pre_vote_response;
    RAFT_ASSERT(pre_vote || grant.type == core::MessageType::request_vote_response);
    RAFT_ASSERT(grant.granted);
    const auto* claim = (pre_vote ? pre_vote_claims_ : vote_claims_).find(grant.to, grant.term);
    if (claim == nullptr) {
        return;  // no request seen (a forged grant is transport's to judge)
    }
    const auto [candidate_index, candidate_term] = *claim;
    const LogMirror& log = logs_[grant.from];
    const core::Term voter_term = log.last_index() == 0 ? 0 : log.terms.back();
    if (!ends_later(log.last_index(), voter_term, candidate_index, candidate_term)) {
        return;
    }
    violate(Checker::election_safety,
            pre_vote ? "pre_vote_for_less_up_to_date_log" : "vote_for_less_up_to_date_log",
            fmt::format("node {} granted its {} in term {} to node {}, whose log ends at index "
                        "{} term {}, but its own log ends at index {} term {} (§5.4.1{})",
                        grant.from, pre_vote ? "pre-vote" : "vote", grant.term, grant.to,
                        candidate_index, candidate_term, log.last_index(), voter_term,
                        pre_vote ? ", thesis §9.6" : ""),
            now, grant.from);
}

// §5.4.1: voters judge "at least as up-to-date" from the candidate's last log
// index and term; a candidate that misstates them gets votes it should not.
// A candidate (not a pre-candidate) must also have voted for itself.
void Checkers::check_vote_request(const core::Message& message, TimeUs now) {
    if (message.type == core::MessageType::request_vote) {
        check_self_vote(message.from, message.term, "asked for votes", now);
    }
    const LogMirror& log = logs_[message.from];
    const core::Term last_term = log.last_index() == 0 ? 0 : log.terms.back();
    if (message.candidate_last_log_index == log.last_index() &&
        message.candidate_last_log_term == last_term) {
        const std::pair<core::Index, core::Term> claim{message.candidate_last_log_index,
                                                       message.candidate_last_log_term};
        if (message.type == core::MessageType::request_vote) {
            vote_claims_.get_or_insert(message.from, message.term) = claim;
            return;
        }
        // A pre-candidate may ask again in the same term with another log (it
        // followed a leader meanwhile): a late grant answers an earlier round,
        // so keep the most up-to-date claim, and flag only a grant no round
        // of the term could justify.
        auto& best = pre_vote_claims_.get_or_insert(message.from, message.term);
        if (ends_later(claim.first, claim.second, best.first, best.second)) {
            best = claim;
        }
        return;
    }
    violate(
        Checker::claims, "vote_request_misstates_log",
        fmt::format("node {} asked for a {}vote in term {} claiming last log index {} term "
                    "{}, but its log ends at index {} term {}",
                    message.from, message.type == core::MessageType::request_pre_vote ? "pre-" : "",
                    message.term, message.candidate_last_log_index, message.candidate_last_log_term,
                    log.last_index(), last_term),
        now, message.from);
}

// §5.3: AppendEntries carries the entry preceding the new ones and the new
// ones themselves, all from the leader's log; and a leader only tells
// followers of commits it made.
void Checkers::check_append_claims(const core::Message& message, TimeUs now) {
    const LogMirror& log = logs_[message.from];
    const core::Index prev = message.prev_log_index;
    const core::Index last = prev + message.entries.size();
    bool holds = prev <= log.last_index() && last <= log.last_index() &&
                 (prev == 0 || log.terms[prev - 1] == message.prev_log_term);
    for (std::size_t i = 0; holds && i < message.entries.size(); ++i) {
        const core::Entry& entry = message.entries[i];
        holds = entry.index == prev + i + 1 && log.terms[entry.index - 1] == entry.term;
    }
    if (!holds) {
        violate(Checker::claims, "append_entries_misstates_log",
                fmt::format("leader {} sent AppendEntries in term {} with prev {} term {} and {} "
                            "entries that its log (last index {}) does not hold",
                            message.from, message.term, prev, message.prev_log_term,
                            message.entries.size(), log.last_index()),
                now, message.from);
        return;
    }
    if (message.leader_commit > log.commit_index) {
        violate(Checker::claims, "append_entries_overstates_commit",
                fmt::format("leader {} sent leader_commit {} in term {} but its commit index is {}",
                            message.from, message.leader_commit, message.term, log.commit_index),
                now, message.from);
    }
}

// Figure 2, Rules for Servers (Candidates): on conversion to candidate a
// server increments its term and votes for itself (§5.2). The vote count
// below takes that vote for granted, so it is verified against the hard
// state the node handed to storage: when it asks for votes, and after each
// Ready in which it leads.
void Checkers::check_self_vote(core::NodeId node, core::Term term, std::string_view act,
                               TimeUs now) {
    const core::HardState& issued = durable_[node].issued;
    if (issued.term == term && issued.voted_for == node) {
        return;
    }
    if (semantics_.sole_voter_leads_without_election) {
        // Declared: what it leads to is still checked (Log Matching, claims).
        // Judged when the term's leadership began: a sole voter may go on to
        // change the configuration, even to demote itself, in that term.
        core::Term& unvoted = unvoted_leader_term_[node];
        if (unvoted == term || sole_voter(node)) {
            unvoted = term;
            return;
        }
    }
    violate(Checker::election_safety, "self_vote_missing",
            fmt::format("node {} {} in term {} but its latest hard state is term {} vote {}", node,
                        act, term, issued.term, issued.voted_for),
            now, node);
}

// Whether `node`'s latest configuration has it as its only voter.
bool Checkers::sole_voter(core::NodeId node) {
    const LogMirror& log = logs_[node];
    if (log.configurations.empty()) {
        return false;
    }
    const core::Configuration& latest = log.configurations.back().configuration;
    return latest.voter_count() == 1 && latest.is_voter(node);
}

// §5.2: a candidate becomes leader with the votes of a majority of the
// voters (of the latest configuration it holds, thesis §4.1), each voter
// granting one candidate per term; thesis §9.6: a pre-candidate becomes a
// candidate with a majority of pre-votes -- unless a leader handing over
// sent it TimeoutNow (thesis §3.10: it campaigns at once). Counted from
// grants sent.
void Checkers::check_vote_quorum(core::NodeId node, const core::RoleChange& change, TimeUs now) {
    const bool elected = change.to == core::Role::leader;
    const bool pre_voted =
        change.from == core::Role::pre_candidate && change.to == core::Role::candidate;
    const LogMirror& log = logs_[node];
    if ((!elected && !pre_voted) || log.configurations.empty()) {
        return;
    }
    if (pre_voted && timeout_now_sent_.contains({node, change.term - 1})) {
        return;
    }
    const core::Configuration& configuration = log.configurations.back().configuration;
    const auto& tally = elected ? votes_granted_ : pre_votes_granted_;
    const std::vector<core::NodeId>* voters = tally.find(node, change.term);
    std::size_t granted = configuration.is_voter(node) ? 1 : 0;
    if (voters != nullptr) {
        for (const core::NodeId voter : *voters) {
            granted += voter != node && configuration.is_voter(voter) ? 1 : 0;
        }
    }
    if (granted >= configuration.quorum_size()) {
        return;
    }
    violate(elected ? Checker::election_safety : Checker::claims,
            elected ? "leader_without_vote_quorum" : "candidate_without_pre_vote_quorum",
            fmt::format("node {} became {} of term {} with {} of {} voters' {}votes (a majority "
                        "is {})",
                        node, core::to_string(change.to), change.term, granted,
                        configuration.voter_count(), elected ? "" : "pre-",
                        configuration.quorum_size()),
            now, node);
}

}  // namespace raftsim::sim
