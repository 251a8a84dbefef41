#include "raftsim/sim/checkers.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "raftsim/core/assert.hpp"

namespace raftsim::sim {
std::string_view to_string(Checker checker) noexcept {
    switch (checker) {
        case Checker::election_safety:
            return "election_safety";
        case Checker::transport:
            return "transport";
        case Checker::leader_append_only:
            return "leader_append_only";
        case Checker::log_matching:
            return "log_matching";
        case Checker::leader_completeness:
            return "leader_completeness";
        case Checker::state_machine_safety:
            return "state_machine_safety";
        case Checker::fsm_apply_order:
            return "fsm_apply_order";
        case Checker::client_apply:
            return "client_apply";
        case Checker::liveness:
            return "liveness";
        case Checker::convergence:
            return "convergence";
        case Checker::core_assert:
            return "core_assert";
        case Checker::leader_lease:
            return "leader_lease";
        case Checker::replication_progress:
            return "replication_progress";
    }
    return "?";
}

std::uint64_t hash_bytes(const core::Payload& bytes) noexcept {
    return bytes.digest();
}

std::uint64_t LogMirror::chain_at(core::Index index) const noexcept {
    RAFT_ASSERT(index >= 1);
    RAFT_ASSERT(index <= chains.size());
    return chains[index - 1];
}

std::uint64_t Checkers::entry_hash(std::uint64_t previous_chain, const core::Entry& entry) const {
    std::uint64_t hash = core::mix64(previous_chain, entry.index);
    hash = core::mix64(hash, entry.term);
    hash = core::mix64(hash, static_cast<std::uint64_t>(entry.type));
    hash = core::mix64(hash, hash_bytes(entry.data));
    for (const core::Server& server : entry.configuration.servers) {
        hash = core::mix64(hash, (server.id << 2U) | static_cast<std::uint64_t>(server.suffrage));
    }
    return hash;
}

void Checkers::fail(Violation violation) {
    if (!violation_.has_value()) {
        violation_ = std::move(violation);
    }
}

void Checkers::violate(Checker checker, std::string_view kind, std::string detail, TimeUs now,
                       core::NodeId node) {
    fail(Violation{.checker = checker,
                   .kind = std::string(kind),
                   .detail = std::move(detail),
                   .time = now,
                   .node = node});
}

// hashicorp fuzzy/verifier.go: every AppendEntries names its sender as the
// leader, and only one node sends AppendEntries in any term.
void Checkers::on_send(const core::Message& message, TimeUs now) {
    if (message.type == core::MessageType::append_entries_response && message.success) {
        MatchSeen& acknowledged = acknowledged_[message.from];
        if (acknowledged.term != message.term) {
            acknowledged = MatchSeen{.term = message.term, .match_index = 0};
        }
        acknowledged.match_index = std::max(acknowledged.match_index, message.match_index);
        return;
    }
    if (message.type != core::MessageType::append_entries) {
        return;
    }
    if (message.leader_id != message.from) {
        violate(Checker::transport, "append_entries_names_other_leader",
                fmt::format("node {} sent AppendEntries for term {} naming node {} as leader",
                            message.from, message.term, message.leader_id),
                now, message.from);
        return;
    }
    const auto [it, inserted] = append_sender_of_term_.emplace(message.term, message.from);
    if (!inserted && it->second != message.from) {
        violate(Checker::transport, "two_append_senders_in_term",
                fmt::format("nodes {} and {} both sent AppendEntries in term {}", it->second,
                            message.from, message.term),
                now, message.from);
    }
}

void Checkers::on_role_change(core::NodeId node, const core::RoleChange& change, TimeUs now) {
    role_of_[node] = change.to;
    if (change.to != core::Role::leader) {
        return;
    }
    // §5.2 Election Safety: at most one leader can be elected in a term.
    const auto [it, inserted] = leader_of_term_.emplace(change.term, node);
    if (!inserted && it->second != node) {
        violate(Checker::election_safety, "two_leaders_in_term",
                fmt::format("nodes {} and {} both became leader of term {}", it->second, node,
                            change.term),
                now, node);
        return;
    }
    // §5.4 Leader Completeness: a leader's log holds every committed entry.
    const core::Index committed = committed_index_max();
    if (committed == 0) {
        return;
    }
    const LogMirror& log = logs_[node];
    const Committed& entry = *committed_[committed - 1];
    if (log.last_index() < committed || log.chain_at(committed) != entry.chain) {
        violate(Checker::leader_completeness, "leader_missing_committed_entry",
                fmt::format("node {} became leader of term {} but its log (last index {}) "
                            "lacks the entry committed at index {} (term {}, applied first by "
                            "node {})",
                            node, change.term, log.last_index(), committed, entry.term, entry.node),
                now, node);
    }
}

void Checkers::on_log_write(core::NodeId node, core::Term term,
                            const std::vector<core::Entry>& entries, TimeUs now) {
    if (entries.empty()) {
        return;
    }
    LogMirror& log = logs_[node];
    const core::Index first = entries.front().index;
    RAFT_ASSERT(first >= 1);
    const bool overwrites = first <= log.last_index();
    // Figure 2: a success reply says the log matches the leader's through
    // match_index. The leader of that term never changes those entries, so
    // within the term nothing may truncate them (a stale or duplicated
    // AppendEntries must not, §5.3); only a later leader may.
    const MatchSeen& acknowledged = acknowledged_[node];
    if (overwrites && acknowledged.term == term && first <= acknowledged.match_index) {
        violate(Checker::replication_progress, "acknowledged_entry_truncated",
                fmt::format("node {} rewrote its log from index {} in term {}, after "
                            "acknowledging index {} to that term's leader",
                            node, first, term, acknowledged.match_index),
                now, node);
        return;
    }
    if (overwrites && role_of_[node] == core::Role::leader) {
        violate(Checker::leader_append_only, "leader_overwrote_entries",
                fmt::format("leader {} rewrote its log from index {} (its last index was {})", node,
                            first, log.last_index()),
                now, node);
        return;
    }
    // The commit index from before this write: a step may truncate and then
    // commit past the truncation point, which is legal.
    if (overwrites && first <= log.commit_index) {
        violate(Checker::log_matching, "committed_entry_overwritten",
                fmt::format("node {} rewrote index {} at or below its commit index {}", node, first,
                            log.commit_index),
                now, node);
        return;
    }
    if (first > log.last_index() + 1) {
        violate(Checker::log_matching, "log_gap",
                fmt::format("node {} wrote index {} after last index {}", node, first,
                            log.last_index()),
                now, node);
        return;
    }
    log.terms.resize(first - 1);
    log.chains.resize(first - 1);
    for (const core::Entry& entry : entries) {
        const std::uint64_t previous = log.chains.empty() ? 0 : log.chains.back();
        log.terms.push_back(entry.term);
        log.chains.push_back(entry_hash(previous, entry));
        check_log_matching(node, entry.index, now);
    }
}

// §5.3 Log Matching: if two logs contain an entry with the same index and
// term, the logs are identical in all entries up through that index. The
// chain hash at i covers entries 1..i, so one comparison checks the prefix.
void Checkers::check_log_matching(core::NodeId node, core::Index index, TimeUs now) {
    const LogMirror& log = logs_[node];
    const core::Term term = log.terms[index - 1];
    const std::uint64_t chain = log.chains[index - 1];
    if (claims_.size() < index) {
        claims_.resize(index);
    }
    std::vector<IndexClaim>& claims = claims_[index - 1];
    for (const IndexClaim& claim : claims) {
        if (claim.term != term) {
            continue;
        }
        if (claim.chain != chain) {
            violate(Checker::log_matching, "same_index_and_term_different_logs",
                    fmt::format("nodes {} and {} both hold an entry at index {} with term {}, "
                                "but their logs differ at or before it",
                                claim.node, node, index, term),
                    now, node);
        }
        return;
    }
    claims.push_back(IndexClaim{.term = term, .chain = chain, .node = node});
}

void Checkers::on_log_reset(core::NodeId node, const std::vector<core::Entry>& entries) {
    LogMirror& log = logs_[node];
    log.terms.clear();
    log.chains.clear();
    for (const core::Entry& entry : entries) {
        const std::uint64_t previous = log.chains.empty() ? 0 : log.chains.back();
        log.terms.push_back(entry.term);
        log.chains.push_back(entry_hash(previous, entry));
    }
    log.commit_index = 0;
    role_of_[node] = core::Role::follower;
}

// §5.4.3 State Machine Safety: a server never applies a different entry at
// an index where another server applied one.
void Checkers::on_apply(core::NodeId node, const core::Entry& entry, TimeUs now) {
    const LogMirror& log = logs_[node];
    if (entry.index > log.last_index() || log.terms[entry.index - 1] != entry.term) {
        violate(Checker::state_machine_safety, "applied_entry_not_in_log",
                fmt::format("node {} applied index {} term {} that its log does not hold", node,
                            entry.index, entry.term),
                now, node);
        return;
    }
    const std::uint64_t chain = log.chain_at(entry.index);
    if (committed_.size() < entry.index) {
        committed_.resize(entry.index);
    }
    std::optional<Committed>& committed = committed_[entry.index - 1];
    if (committed.has_value()) {
        if (committed->chain != chain) {
            violate(Checker::state_machine_safety, "different_entries_applied_at_index",
                    fmt::format("node {} applied index {} (term {}) but node {} applied a "
                                "different entry there (term {})",
                                node, entry.index, entry.term, committed->node, committed->term),
                    now, node);
        }
        return;
    }
    const std::uint64_t data_hash = hash_bytes(entry.data);
    committed = Committed{.chain = chain, .data_hash = data_hash, .term = entry.term, .node = node};
    const auto expected = expected_data_hash_.find(entry.index);
    if (expected != expected_data_hash_.end()) {
        const std::uint64_t want = expected->second;
        expected_data_hash_.erase(expected);
        check_client_success(entry.index, want, now);
    }
}

void Checkers::on_fsm_order_violation(core::NodeId node, const core::Entry& entry,
                                      const HashChainFsm& fsm, TimeUs now) {
    violate(Checker::fsm_apply_order, "fsm_apply_out_of_order",
            fmt::format("node {} FSM received index {} term {} after index {} term {}", node,
                        entry.index, entry.term, fsm.last_index(), fsm.last_term()),
            now, node);
}

// hashicorp VerifyLog: the log holds, at its index, every command whose
// Apply reported success. Checked online as soon as both sides are known.
void Checkers::on_client_success(core::Index index, const core::Payload& data, TimeUs now) {
    const std::uint64_t data_hash = hash_bytes(data);
    if (index <= committed_.size() && committed_[index - 1].has_value()) {
        check_client_success(index, data_hash, now);
        return;
    }
    expected_data_hash_[index] = data_hash;
}

// Figure 2: matchIndex increases monotonically while a leader leads its term.
// A reordered or duplicated old acknowledgement must not lower it.
void Checkers::on_progress(core::NodeId leader, core::Term term, core::NodeId peer,
                           core::Index match_index, TimeUs now) {
    MatchSeen& seen = match_seen_[{leader, peer}];
    if (seen.term == term && match_index < seen.match_index) {
        violate(Checker::replication_progress, "match_index_decreased",
                fmt::format("leader {} lowered its match index for node {} from {} to {} in "
                            "term {}",
                            leader, peer, seen.match_index, match_index, term),
                now, leader);
        return;
    }
    seen = MatchSeen{.term = term, .match_index = match_index};
}

void Checkers::check_client_success(core::Index index, std::uint64_t data_hash, TimeUs now) {
    const Committed& committed = *committed_[index - 1];
    if (committed.data_hash != data_hash) {
        violate(Checker::client_apply, "success_not_applied_at_index",
                fmt::format("a client apply succeeded at index {} but the entry committed there "
                            "(term {}) holds other data",
                            index, committed.term),
                now, committed.node);
    }
}

// hashicorp VerifyLog: every member's log has the same first and last index
// and the same entries (term, index, type, data); terms never go backwards;
// the log is at least as long as the successful applies; and each success
// sits at its index.
void Checkers::verify_log(const std::vector<MemberState>& members, std::uint64_t apply_count,
                          const std::vector<ClientSuccess>& successes, TimeUs now) {
    if (members.empty() || failed()) {
        return;
    }
    const MemberState& first = members.front();
    const std::vector<core::Entry>& expected = *first.log;
    for (const MemberState& member : members) {
        const std::vector<core::Entry>& log = *member.log;
        if (log.size() != expected.size()) {
            violate(Checker::convergence, "log_length_differs",
                    fmt::format("node {} has last index {} but node {} has {}", member.name,
                                log.size(), first.name, expected.size()),
                    now, member.id);
            return;
        }
        const auto commands = static_cast<std::uint64_t>(std::count_if(
            log.begin(), log.end(),
            [](const core::Entry& entry) { return entry.type == core::EntryType::command; }));
        if (commands < apply_count) {
            violate(Checker::convergence, "log_shorter_than_applies",
                    fmt::format("node {} holds {} commands but {} applies succeeded", member.name,
                                commands, apply_count),
                    now, member.id);
            return;
        }
        for (std::size_t i = 0; i < log.size(); ++i) {
            const bool terms_fall = i > 0 && log[i].term < log[i - 1].term;
            if (log[i].index != i + 1 || terms_fall || !(log[i] == expected[i])) {
                violate(Checker::convergence, "log_entries_differ",
                        fmt::format("node {} and node {} differ at index {} (terms {} and {})",
                                    member.name, first.name, i + 1, log[i].term, expected[i].term),
                        now, member.id);
                return;
            }
        }
    }
    for (const ClientSuccess& success : successes) {
        const bool present = success.index >= 1 && success.index <= expected.size() &&
                             expected[success.index - 1].data == success.data;
        if (!present) {
            violate(Checker::client_apply, "success_missing_from_log",
                    fmt::format("a client apply succeeded at index {} but node {}'s log does "
                                "not hold its data there",
                                success.index, first.name),
                    now, first.id);
            return;
        }
    }
}

// hashicorp VerifyFSM: every member's state machine reached the same last
// index, last term and hash.
void Checkers::verify_fsm(const std::vector<MemberState>& members, TimeUs now) {
    if (members.empty() || failed()) {
        return;
    }
    const MemberState& first = members.front();
    for (const MemberState& member : members) {
        const HashChainFsm& fsm = *member.fsm;
        const bool same = fsm.last_index() == first.fsm->last_index() &&
                          fsm.last_term() == first.fsm->last_term() &&
                          fsm.hash() == first.fsm->hash();
        if (!same) {
            violate(
                Checker::convergence, "fsm_differs",
                fmt::format("node {} FSM is at index {} term {} hash {:016x}, node {} at "
                            "index {} term {} hash {:016x}",
                            member.name, fsm.last_index(), fsm.last_term(), fsm.hash(), first.name,
                            first.fsm->last_index(), first.fsm->last_term(), first.fsm->hash()),
                now, member.id);
            return;
        }
    }
}

}  // namespace raftsim::sim
