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
        case Checker::membership:
            return "membership";
        case Checker::commit_quorum:
            return "commit_quorum";
        case Checker::leadership_transfer:
            return "leadership_transfer";
        case Checker::snapshot:
            return "snapshot";
        case Checker::limit:
            return "limit";
        case Checker::durability:
            return "durability";
        case Checker::node_progress:
            return "node_progress";
        case Checker::claims:
            return "claims";
        case Checker::linearizability:
            return "linearizability";
        case Checker::storage:
            return "storage";
    }
    return "?";
}

// docs/invariants.md says why each is what it is.
CheckerLabel label_of(Checker checker) noexcept {
    switch (checker) {
        case Checker::election_safety:
        case Checker::transport:
        case Checker::leader_append_only:
        case Checker::log_matching:
        case Checker::leader_completeness:
        case Checker::state_machine_safety:
        case Checker::fsm_apply_order:
        case Checker::client_apply:
        case Checker::liveness:
        case Checker::convergence:
        case Checker::commit_quorum:
        case Checker::leadership_transfer:
        case Checker::snapshot:
        case Checker::durability:
        case Checker::node_progress:
        case Checker::claims:
        case Checker::linearizability:
        case Checker::storage:
            return CheckerLabel::universal;
        case Checker::leader_lease:
        case Checker::replication_progress:
        case Checker::membership:
            return CheckerLabel::semantics;
        case Checker::core_assert:
        case Checker::limit:
            return CheckerLabel::harness;
    }
    return CheckerLabel::harness;
}

std::string describe(const core::Configuration& configuration) {
    std::string text;
    for (const core::Server& server : configuration.servers) {
        const std::string_view suffrage = server.suffrage == core::Suffrage::voter      ? "voter"
                                          : server.suffrage == core::Suffrage::nonvoter ? "nonvoter"
                                                                                        : "staging";
        text += fmt::format("{}{} {}", text.empty() ? "" : ", ", server.id, suffrage);
    }
    return "{" + text + "}";
}

std::string_view to_string(CheckerLabel label) noexcept {
    switch (label) {
        case CheckerLabel::universal:
            return "universal";
        case CheckerLabel::semantics:
            return "semantics";
        case CheckerLabel::harness:
            return "harness";
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

// Every message goes to another server and carries the sender's term, which
// is never 0 (Figure 2: every RPC carries currentTerm; our core asserts this
// in Node::send, and a receiver's gate refuses such a message unseen).
bool Checkers::check_envelope(const core::Message& message, TimeUs now) {
    if (message.to != message.from && message.to != core::node_none && message.term != 0) {
        return true;
    }
    violate(Checker::transport, "malformed_envelope",
            fmt::format("node {} sent a {} to node {} in term {}", message.from,
                        core::to_string(message.type), message.to, message.term),
            now, message.from);
    return false;
}

// hashicorp fuzzy/verifier.go: every AppendEntries names its sender as the
// leader, and only one node sends AppendEntries in any term.
void Checkers::on_send(const core::Message& message, TimeUs now) {
    if (!check_envelope(message, now)) {
        return;
    }
    const bool acknowledgement = message.type == core::MessageType::append_entries_response ||
                                 message.type == core::MessageType::install_snapshot_response;
    if (message.type == core::MessageType::request_vote ||
        message.type == core::MessageType::request_pre_vote) {
        check_vote_request(message, now);
        return;
    }
    if (message.type == core::MessageType::request_vote_response && message.granted) {
        check_vote_grant(message, now);
        return;
    }
    if (message.type == core::MessageType::request_pre_vote_response && message.granted) {
        check_pre_vote_grant(message, now);
        return;
    }
    if (message.type == core::MessageType::install_snapshot) {
        replicator_of_term_.emplace(message.term, message.from);
        return;
    }
    if (message.type == core::MessageType::timeout_now) {
        timeout_now_sent_.emplace(message.to, message.term);
        return;
    }
    if (acknowledgement && message.success) {
        if (!check_acknowledgement(message, now)) {
            return;
        }
        MatchSeen& acknowledged = acknowledged_[message.from];
        if (acknowledged.term != message.term) {
            acknowledged = MatchSeen{.term = message.term, .match_index = 0};
        }
        acknowledged.match_index = std::max(acknowledged.match_index, message.match_index);
        core::Index& in_term = acknowledged_in_term_.get_or_insert(message.from, message.term);
        in_term = std::max(in_term, message.match_index);
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
    check_append_claims(message, now);
    replicator_of_term_.emplace(message.term, message.from);
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
    check_vote_quorum(node, change, now);
    if (change.to == core::Role::pre_candidate || change.to == core::Role::candidate) {
        check_campaign_suffrage(node, change, now);
        return;
    }
    if (change.to != core::Role::leader) {
        return;
    }
    leader_term_of_[node] = change.term;
    // §5.2 Election Safety: at most one leader can be elected in a term.
    const auto [it, inserted] = leader_of_term_.emplace(change.term, node);
    if (!inserted && it->second != node) {
        violate(Checker::election_safety, "two_leaders_in_term",
                fmt::format("nodes {} and {} both became leader of term {}", it->second, node,
                            change.term),
                now, node);
        return;
    }
    // §5.4 Leader Completeness: a leader's log holds every entry committed
    // in an earlier term. Not one committed in its own term or a later one:
    // a server that voted in term T and then moved on to T+1 may still
    // make a candidate of T leader after T+1's leader committed (legal, and
    // that leader can commit nothing). The commit term is not observable;
    // the lowest applier's term bounds it from above.
    const core::Index committed = committed_before_term(change.term);
    if (committed == 0) {
        return;
    }
    const LogMirror& log = logs_[node];
    const Committed& entry = *committed_[committed - 1];
    RAFT_ASSERT(entry.applied_term < change.term);
    if (log.last_index() < committed || log.chain_at(committed) != entry.chain) {
        violate(Checker::leader_completeness, "leader_missing_committed_entry",
                fmt::format("node {} became leader of term {} but its log (last index {}) "
                            "lacks the entry committed at index {} (term {}, applied first by "
                            "node {})",
                            node, change.term, log.last_index(), committed, entry.term, entry.node),
                now, node);
    }
}

// Thesis §4.2.1: only voters campaign; a non-voter, a staging server or a
// server outside the configuration must not (hashicorp: only a voter of its
// latest configuration). What the others use may be any configuration from
// the node's committed one on, so a voter of any of those may campaign; a
// node that is a voter of none (or holds no configuration) may not. The
// mirror is as of the node's last handled Ready, which suits our core: a
// campaign starts on a timer or a TimeoutNow, never in the step that appends
// a configuration (canonical 0.15: quiet on suite 1..5 and swarm 1..1000).
void Checkers::check_campaign_suffrage(core::NodeId node, const core::RoleChange& change,
                                       TimeUs now) {
    RAFT_ASSERT(change.to != core::Role::leader);
    RAFT_ASSERT(change.to != core::Role::follower);
    const LogMirror& log = logs_[node];
    std::size_t first = 0;
    for (std::size_t i = 0; i < log.configurations.size(); ++i) {
        first = log.configurations[i].index <= log.commit_index ? i : first;
    }
    for (std::size_t i = first; i < log.configurations.size(); ++i) {
        if (log.configurations[i].configuration.is_voter(node)) {
            return;
        }
    }
    const std::string held = log.configurations.empty()
                                 ? std::string("no configuration")
                                 : describe(log.configurations.back().configuration);
    violate(Checker::membership, "non_voter_campaigned",
            fmt::format("node {} became {} in term {} but is a voter of no configuration from its "
                        "committed one on (commit index {}; latest: {})",
                        node, core::to_string(change.to), change.term, log.commit_index, held),
            now, node);
}

core::Index Checkers::committed_before_term(core::Term term) const noexcept {
    for (core::Index index = committed_index_max(); index >= 1; --index) {
        const std::optional<Committed>& committed = committed_[index - 1];
        if (committed.has_value() && committed->applied_term < term) {
            return index;
        }
    }
    return 0;
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
        violate(Checker::durability, "acknowledged_entry_truncated",
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
    check_entry_terms(node, term, entries, now);
    if (overwrites) {
        check_committed_kept(node, term, first, entries, now);
    }
    DurableView& view = durable_[node];
    view.unsynced_from = view.unsynced_from == 0 ? first : std::min(view.unsynced_from, first);
    log.terms.resize(first - 1);
    log.chains.resize(first - 1);
    while (!log.configurations.empty() && log.configurations.back().index >= first) {
        log.configurations.pop_back();
    }
    for (const core::Entry& entry : entries) {
        append_mirror(log, entry);
        check_log_matching(node, entry.index, now);
    }
}

// A log's terms never fall (each entry comes from the leader of its term,
// whose log holds the earlier ones, §5.3), and a node holds no entry of a
// term it has not reached: it adopts a leader's term before taking its
// entries (Figure 2, "Rules for Servers").
void Checkers::check_entry_terms(core::NodeId node, core::Term term,
                                 const std::vector<core::Entry>& entries, TimeUs now) {
    const LogMirror& log = logs_[node];
    const core::Index first = entries.front().index;
    core::Term previous = first >= 2 && first - 1 <= log.last_index() ? log.terms[first - 2] : 0;
    // Figure 2, Rules for Servers (Leaders): a leader's own entries are new
    // ones of its current term (§5.3); it copies none from an older term,
    // whose replicas it may never count towards a commit (§5.4.2, Figure 8).
    const bool leader = term != 0 && role_of_[node] == core::Role::leader;
    for (const core::Entry& entry : entries) {
        if (entry.term < previous) {
            violate(Checker::log_matching, "log_terms_decrease",
                    fmt::format("node {} wrote index {} of term {} after an entry of term {}", node,
                                entry.index, entry.term, previous),
                    now, node);
            return;
        }
        if (leader && entry.term != term) {
            violate(Checker::leader_append_only, "leader_entry_of_other_term",
                    fmt::format("leader {} of term {} wrote index {} of term {}", node, term,
                                entry.index, entry.term),
                    now, node);
            return;
        }
        if (term != 0 && entry.term > term) {
            violate(Checker::log_matching, "entry_of_future_term",
                    fmt::format("node {} in term {} wrote index {} of term {}", node, term,
                                entry.index, entry.term),
                    now, node);
            return;
        }
        previous = entry.term;
    }
}

void Checkers::append_mirror(LogMirror& log, const core::Entry& entry) {
    RAFT_ASSERT(entry.index == log.last_index() + 1);
    const std::uint64_t previous = log.chains.empty() ? 0 : log.chains.back();
    log.terms.push_back(entry.term);
    log.chains.push_back(entry_hash(previous, entry));
    if (entry.type == core::EntryType::configuration) {
        log.configurations.push_back(
            LogMirror::ConfigurationAt{.index = entry.index, .configuration = entry.configuration});
    }
}

// §5.3 Log Matching: if two logs contain an entry with the same index and
// term, the logs are identical in all entries up through that index. The
// chain hash at i covers entries 1..i, so one comparison checks the prefix.
void Checkers::check_log_matching(core::NodeId node, core::Index index, TimeUs now) {
    const LogMirror& log = logs_[node];
    const core::Term term = log.terms[index - 1];
    const std::uint64_t chain = log.chains[index - 1];
    RAFT_ASSERT(node != core::node_none);
    if (first_claims_.size() < index) {
        first_claims_.resize(index);
    }
    const IndexClaim mine{.term = term, .chain = chain, .node = node};
    IndexClaim& first = first_claims_[index - 1];
    if (first.node == core::node_none) {
        first = mine;
        return;
    }
    const IndexClaim* same_term = first.term == term ? &first : nullptr;
    const auto [later_begin, later_end] = later_claims_.equal_range(index);
    for (auto it = later_begin; it != later_end && same_term == nullptr; ++it) {
        same_term = it->second.term == term ? &it->second : nullptr;
    }
    if (same_term == nullptr) {
        later_claims_.emplace(index, mine);  // after its equals: the order seen
        return;
    }
    if (same_term->chain != chain) {
        violate(Checker::log_matching, "same_index_and_term_different_logs",
                fmt::format("nodes {} and {} both hold an entry at index {} with term {}, "
                            "but their logs differ at or before it",
                            same_term->node, node, index, term),
                now, node);
    }
}

void Checkers::on_log_reset(core::NodeId node, const std::optional<core::Snapshot>& snapshot,
                            core::Index base_index, const std::vector<core::Entry>& entries,
                            const std::optional<core::HardState>& hard_state, TimeUs now) {
    LogMirror& log = logs_[node];
    log.terms.clear();
    log.chains.clear();
    log.configurations.clear();
    fill_committed_prefix(node, log, base_index, 0);
    if (snapshot.has_value() && snapshot->configuration_index <= base_index) {
        log.configurations.push_back(LogMirror::ConfigurationAt{
            .index = snapshot->configuration_index, .configuration = snapshot->configuration});
    }
    for (const core::Entry& entry : entries) {
        append_mirror(log, entry);
    }
    log.commit_index = snapshot.has_value() ? snapshot->index : 0;
    role_of_[node] = core::Role::follower;
    durable_[node].applied = log.commit_index;
    durable_[node].commit_reported = false;
    if (hard_state.has_value()) {
        check_restart(node, *hard_state, now);
    }
}

// A node's log below its base is a committed prefix: mirror it from what
// was committed (everything in a snapshot was applied somewhere first).
void Checkers::fill_committed_prefix(core::NodeId node, LogMirror& log, core::Index through,
                                     TimeUs now) {
    RAFT_ASSERT(log.last_index() == 0);
    if (through > committed_.size()) {
        violate(Checker::snapshot, "snapshot_not_committed",
                fmt::format("node {} holds a snapshot through index {} but only {} entries were "
                            "ever applied by anyone",
                            node, through, committed_.size()),
                now, node);
        return;
    }
    for (core::Index index = 1; index <= through; ++index) {
        const std::optional<Committed>& committed = committed_[index - 1];
        RAFT_ASSERT(committed.has_value());
        log.terms.push_back(committed->term);
        log.chains.push_back(committed->chain);
    }
}

// §7: a snapshot holds only committed state, and installing one never moves
// a node backwards.
void Checkers::on_snapshot(core::NodeId node, const core::Snapshot& snapshot, bool restore,
                           bool discard_all, TimeUs now) {
    LogMirror& log = logs_[node];
    const bool known = snapshot.index >= 1 && snapshot.index <= committed_.size() &&
                       committed_[snapshot.index - 1].has_value();
    if (!known || committed_[snapshot.index - 1]->term != snapshot.term) {
        violate(Checker::snapshot, "snapshot_not_committed",
                fmt::format("node {} stored a snapshot through index {} term {}, which is not "
                            "the entry committed there",
                            node, snapshot.index, snapshot.term),
                now, node);
        return;
    }
    if (restore && snapshot.index <= log.commit_index) {
        violate(Checker::snapshot, "snapshot_rolled_back",
                fmt::format("node {} restored a snapshot through index {} although it had "
                            "committed through {}",
                            node, snapshot.index, log.commit_index),
                now, node);
        return;
    }
    if (!discard_all) {
        check_snapshot_configuration(node, snapshot, now);
    }
    if (restore) {
        durable_[node].applied = snapshot.index;
    }
    if (!discard_all) {
        return;
    }
    check_snapshot_keeps_suffix(node, snapshot, now);
    durable_[node].unsynced_from = 1;
    log.terms.clear();
    log.chains.clear();
    log.configurations.clear();
    fill_committed_prefix(node, log, snapshot.index, now);
    log.configurations.push_back(LogMirror::ConfigurationAt{
        .index = snapshot.configuration_index, .configuration = snapshot.configuration});
    log.commit_index = snapshot.index;
}

// §5.4.3 State Machine Safety: a server never applies a different entry at
// an index where another server applied one.
void Checkers::on_apply(core::NodeId node, const core::Entry& entry, TimeUs now) {
    check_apply_progress(node, entry, now);
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
    const core::Term applied_term = durable_[node].issued.term;
    if (committed.has_value()) {
        committed->applied_term = std::min(committed->applied_term, applied_term);
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
    committed = Committed{.chain = chain,
                          .data_hash = data_hash,
                          .term = entry.term,
                          .node = node,
                          .applied_term = applied_term};
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
    // Figure 2: matchIndex is the highest entry *known* replicated on the
    // server, reinitialized to 0 when the leader is elected -- known from the
    // server's success replies of this term the leader received. A leader
    // ahead of them counts entries the server may not hold. A sanctioned
    // wipe forgets the replies leaders that know of the removal received
    // before it: the re-added server holds nothing (the simulator drops the
    // old self's replies still in flight; one that arrived would count
    // again -- no leader can tell them apart).
    const MatchSeen* delivered = delivered_acks_.find({leader, peer});
    const core::Index ceiling =
        delivered == nullptr || delivered->term != term ? 0 : delivered->match_index;
    if (match_index > ceiling) {
        violate(Checker::replication_progress, "match_index_unacknowledged",
                fmt::format("leader {} holds match index {} for node {} in term {}, but node {} "
                            "acknowledged at most index {} in that term",
                            leader, match_index, peer, term, peer, ceiling),
                now, leader);
    }
}

namespace {

// Whether some majority of a's voters and some majority of b's voters can be
// disjoint: take as many voters as possible from outside the other set.
bool majorities_can_be_disjoint(const core::Configuration& a, const core::Configuration& b) {
    std::size_t only_a = 0;
    std::size_t only_b = 0;
    std::size_t both = 0;
    for (const core::Server& server : a.servers) {
        if (server.suffrage == core::Suffrage::voter) {
            (b.is_voter(server.id) ? both : only_a) += 1;
        }
    }
    for (const core::Server& server : b.servers) {
        only_b += server.suffrage == core::Suffrage::voter && !a.is_voter(server.id) ? 1 : 0;
    }
    const std::size_t need_a = a.quorum_size() > only_a ? a.quorum_size() - only_a : 0;
    const std::size_t need_b = b.quorum_size() > only_b ? b.quorum_size() - only_b : 0;
    return need_a + need_b <= both;
}

}  // namespace

// hashicorp's staging design (thesis §4.2.1: a new server catches up before
// it votes): a staging server the leader makes a voter must have acknowledged
// in this term every entry through the commit index. Promoted earlier, it
// counts towards a quorum whose entries it does not hold yet (redisraft#125:
// one more failure then stalls the cluster). Semantics::promotes_once_caught_up.
void Checkers::check_promotions(core::NodeId leader, core::Term term,
                                const core::Configuration& previous,
                                const core::Configuration& current, core::Index commit_index,
                                TimeUs now) {
    for (const core::Server& server : current.servers) {
        if (server.suffrage != core::Suffrage::voter) {
            continue;
        }
        const core::Server* before = previous.find(server.id);
        if (before == nullptr || before->suffrage != core::Suffrage::staging) {
            continue;  // a voter already, or added straight as one
        }
        RAFT_ASSERT(server.id != leader);  // a staging server never leads
        const core::Index* acknowledged = acknowledged_in_term_.find(server.id, term);
        const core::Index held = acknowledged != nullptr ? *acknowledged : 0;
        if (held < commit_index) {
            violate(Checker::membership, "promoted_before_caught_up",
                    fmt::format("leader {} of term {} promoted staging server {} to voter with "
                                "commit index {}, but it had acknowledged only through {} in "
                                "this term",
                                leader, term, server.id, commit_index, held),
                    now, leader);
            return;
        }
    }
}

// Thesis §4.1: a leader changes the configuration one entry at a time, each
// after the previous one committed, and only once it has committed an entry
// of its own term.
void Checkers::on_leader_configuration(core::NodeId leader, core::Term term, core::Index index,
                                       core::Index commit_index, TimeUs now) {
    const LogMirror& log = logs_[leader];
    RAFT_ASSERT(index <= log.last_index());
    const LogMirror::ConfigurationAt* previous = nullptr;
    const LogMirror::ConfigurationAt* current = nullptr;
    for (const LogMirror::ConfigurationAt& at : log.configurations) {
        previous = at.index < index ? &at : previous;
        current = at.index == index ? &at : current;
    }
    RAFT_ASSERT(current != nullptr);
    // One voter at a time: any majority of the old voters must overlap any
    // majority of the new, or two leaders could each commit in this term.
    if (previous != nullptr &&
        majorities_can_be_disjoint(previous->configuration, current->configuration)) {
        violate(Checker::membership, "disjoint_majorities",
                fmt::format("leader {} of term {} went from {} (index {}) to {} (index {}) in "
                            "one change; their majorities need not overlap",
                            leader, term, describe(previous->configuration), previous->index,
                            describe(current->configuration), index),
                now, leader);
        return;
    }
    if (previous != nullptr && semantics_.promotes_once_caught_up) {
        check_promotions(leader, term, previous->configuration, current->configuration,
                         commit_index, now);
        if (violation_.has_value()) {
            return;
        }
    }
    for (const LogMirror::ConfigurationAt& at : log.configurations) {
        if (at.index < index && at.index > commit_index) {
            violate(Checker::membership, "two_uncommitted_configurations",
                    fmt::format("leader {} appended a configuration at index {} while the one "
                                "at index {} was uncommitted (commit index {})",
                                leader, index, at.index, commit_index),
                    now, leader);
            return;
        }
    }
    if (!semantics_.changes_after_commit_in_term) {
        return;
    }
    if (commit_index == 0 || commit_index > log.last_index() ||
        log.terms[commit_index - 1] != term) {
        violate(Checker::membership, "change_before_commit_in_term",
                fmt::format("leader {} of term {} appended a configuration at index {} before "
                            "committing an entry of its term (commit index {})",
                            leader, term, index, commit_index),
                now, leader);
    }
}

// §5.3/§4.1: an entry is committed once a majority of the voters of the
// leader's latest configuration hold it. Counted from what followers
// actually acknowledged in this term, not from the leader's own view. And
// §5.4.2 (Figure 8): a leader commits by counting replicas only an entry of
// its own term; earlier entries commit with it, never by themselves.
void Checkers::on_leader_commit(core::NodeId leader, core::Term term, core::Index commit_index,
                                TimeUs now) {
    const LogMirror& log = logs_[leader];
    if (log.configurations.empty() || commit_index == 0) {
        return;
    }
    RAFT_ASSERT(term > 0);
    if (semantics_.commits_only_own_term && commit_index <= log.last_index() &&
        log.terms[commit_index - 1] != term) {
        violate(Checker::commit_quorum, "commit_of_earlier_term_entry",
                fmt::format("leader {} of term {} raised its commit index to {}, an entry of "
                            "term {} (§5.4.2: only an entry of its own term commits by counting)",
                            leader, term, commit_index, log.terms[commit_index - 1]),
                now, leader);
        return;
    }
    const core::Configuration& configuration = log.configurations.back().configuration;
    std::size_t holders = 0;
    for (const core::Server& server : configuration.servers) {
        if (server.suffrage != core::Suffrage::voter) {
            continue;
        }
        if (server.id == leader) {
            // Thesis §10.2.1: the leader may send before its own write is
            // durable, but counts itself only once it is.
            const core::Index unsynced_from = durable_[leader].unsynced_from;
            const bool durable = unsynced_from == 0 || unsynced_from > commit_index;
            holders += log.last_index() >= commit_index && durable ? 1 : 0;
            continue;
        }
        const core::Index* acknowledged = acknowledged_in_term_.find(server.id, term);
        holders += acknowledged != nullptr && *acknowledged >= commit_index ? 1 : 0;
    }
    if (holders < configuration.quorum_size()) {
        violate(Checker::commit_quorum, "commit_without_quorum",
                fmt::format("leader {} of term {} committed index {} but only {} of its {} voters "
                            "hold it (a majority is {})",
                            leader, term, commit_index, holders, configuration.voter_count(),
                            configuration.quorum_size()),
                now, leader);
    }
}

// hashicorp / thesis §4.2.2: a leader that is not a voter of its committed
// configuration steps down once that configuration commits.
void Checkers::on_leader_ready(core::NodeId leader, core::Term term, TimeUs now) {
    check_self_vote(leader, term, "leads", now);
    const LogMirror& log = logs_[leader];
    if (log.configurations.empty()) {
        return;
    }
    const LogMirror::ConfigurationAt& latest = log.configurations.back();
    if (latest.index > log.commit_index || latest.configuration.is_voter(leader)) {
        return;
    }
    violate(Checker::membership, "removed_leader_still_leads",
            fmt::format("node {} still leads term {} although the configuration committed at "
                        "index {} does not hold it as a voter",
                        leader, term, latest.index),
            now, leader);
}

// hashicorp: the configuration in effect is the latest one in the log (or
// the snapshot), committed or not (thesis §4.1). A semantics check: another
// implementation may say otherwise.
void Checkers::on_configuration(core::NodeId node, const core::Configuration& configuration,
                                TimeUs now) {
    const LogMirror& log = logs_[node];
    if (log.configurations.empty() ||
        log.configurations.back().configuration.servers == configuration.servers) {
        return;
    }
    if (semantics_.configuration_in_effect_when_durable) {
        // The latest configuration at or below the durable prefix, which a
        // follower of such a system still uses while a later one is written.
        const DurableView& view = durable_[node];
        const core::Index durable_last =
            view.unsynced_from == 0 ? log.last_index() : view.unsynced_from - 1;
        const LogMirror::ConfigurationAt* durable = nullptr;
        for (const LogMirror::ConfigurationAt& at : log.configurations) {
            durable = at.index <= durable_last ? &at : durable;
        }
        if (durable != nullptr && durable->configuration.servers == configuration.servers) {
            return;
        }
    }
    violate(Checker::membership, "configuration_in_effect_differs",
            fmt::format("node {} uses the configuration {}, not the latest one in its log "
                        "(index {}: {})",
                        node, describe(configuration), log.configurations.back().index,
                        describe(log.configurations.back().configuration)),
            now, node);
}

void Checkers::on_transfer_result(core::NodeId node, const core::TransferResult& result,
                                  TimeUs now) {
    if (result.outcome != core::TransferOutcome::completed) {
        return;
    }
    const auto it = leader_of_term_.find(result.term);
    if (it == leader_of_term_.end() || it->second != result.target) {
        violate(Checker::leadership_transfer, "completed_but_target_not_leader",
                fmt::format("node {} reported its transfer to node {} completed in term {}, but "
                            "{} led that term",
                            node, result.target, result.term,
                            it == leader_of_term_.end() ? std::string("nobody")
                                                        : fmt::format("node {}", it->second)),
                now, node);
    }
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

// hashicorp VerifyLog: every member's log has the same last index and the
// same entries (term, index, type, data) where their logs overlap (the
// start differs once snapshots compact them); terms never go backwards; the
// members hold at least as many commands as applies succeeded; and each
// success sits at its index.
void Checkers::verify_log(const std::vector<MemberState>& members, std::uint64_t apply_count,
                          const std::vector<ClientSuccess>& successes, TimeUs now) {
    if (members.empty() || failed()) {
        return;
    }
    const MemberState* reference = &members.front();
    for (const MemberState& member : members) {
        reference = member.log_base_index < reference->log_base_index ? &member : reference;
    }
    for (const MemberState& member : members) {
        if (!verify_member_log(member, *reference, apply_count, now)) {
            return;
        }
    }
    const std::vector<core::Entry>& expected = *reference->log;
    const core::Index base = reference->log_base_index;
    for (const ClientSuccess& success : successes) {
        if (success.index >= 1 && success.index <= base) {
            continue;  // compacted into every member's snapshot
        }
        const bool present = success.index > base && success.index <= base + expected.size() &&
                             expected[success.index - base - 1].data == success.data;
        if (!present) {
            violate(Checker::client_apply, "success_missing_from_log",
                    fmt::format("a client apply succeeded at index {} but node {}'s log does "
                                "not hold its data there",
                                success.index, reference->name),
                    now, reference->id);
            return;
        }
    }
}

bool Checkers::verify_member_log(const MemberState& member, const MemberState& reference,
                                 std::uint64_t apply_count, TimeUs now) {
    const std::vector<core::Entry>& log = *member.log;
    const std::vector<core::Entry>& expected = *reference.log;
    const core::Index last = member.log_base_index + log.size();
    const core::Index expected_last = reference.log_base_index + expected.size();
    if (last != expected_last) {
        violate(Checker::convergence, "log_length_differs",
                fmt::format("node {} has last index {} but node {} has {}", member.name, last,
                            reference.name, expected_last),
                now, member.id);
        return false;
    }
    const auto commands = static_cast<std::uint64_t>(std::count_if(
        log.begin(), log.end(),
        [](const core::Entry& entry) { return entry.type == core::EntryType::command; }));
    // A compacted log holds only the tail: count what the state machine saw.
    const std::uint64_t held = member.log_base_index == 0 ? commands : member.fsm->command_count();
    if (held < apply_count) {
        violate(Checker::convergence, "log_shorter_than_applies",
                fmt::format("node {} holds {} commands but {} applies succeeded", member.name, held,
                            apply_count),
                now, member.id);
        return false;
    }
    for (std::size_t i = 0; i < log.size(); ++i) {
        const core::Index index = member.log_base_index + i + 1;
        const core::Entry& theirs = expected[index - reference.log_base_index - 1];
        const bool terms_fall = i > 0 && log[i].term < log[i - 1].term;
        if (log[i].index != index || terms_fall || !(log[i] == theirs)) {
            violate(Checker::convergence, "log_entries_differ",
                    fmt::format("node {} and node {} differ at index {} (terms {} and {})",
                                member.name, reference.name, index, log[i].term, theirs.term),
                    now, member.id);
            return false;
        }
    }
    return true;
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
        // Equal hash chains mean the same commands in the same order, so
        // different stores mean a snapshot restore (or an apply) that did
        // not do what the commands say: a restore that merged, for one.
        if (member.kv != nullptr && first.kv != nullptr && !(*member.kv == *first.kv)) {
            violate(Checker::convergence, "kv_store_differs",
                    fmt::format("node {} key-value store holds {}, node {} holds {}, after the "
                                "same commands through index {}",
                                member.name, member.kv->describe(), first.name,
                                first.kv->describe(), fsm.last_index()),
                    now, member.id);
            return;
        }
    }
}

}  // namespace raftsim::sim
