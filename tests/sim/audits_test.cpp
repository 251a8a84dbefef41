// The durable-state audits (durability), a node's own progress
// (node_progress), cross-checked claims (claims), the vote count behind an
// election and the configuration in effect, fed crafted histories: each kind
// fires on a bad history and stays quiet on the matching good one.
#include <catch2/catch.hpp>

#include "history_cases.hpp"
#include "raftsim/sim/checkers.hpp"

namespace raftsim::sim {
namespace {

using core::HardState;

Entry configuration_entry(Term term, Index index, std::size_t voters) {
    return Entry{.term = term,
                 .index = index,
                 .type = core::EntryType::configuration,
                 .configuration = core::Configuration::voters(voters)};
}

/// Node `node` holds a three-voter configuration at index 1, then commands
/// of `term` through `last`, all synced.
void write_log(Checkers& checkers, NodeId node, Term term, Index last) {
    std::vector<Entry> entries{configuration_entry(1, 1, 3)};
    for (Index index = 2; index <= last; ++index) {
        entries.push_back(command(term, index, static_cast<std::uint8_t>(index)));
    }
    checkers.on_log_write(node, term, entries, 1);
    checkers.on_sync(node);
}

Message vote_granted(NodeId from, NodeId to, Term term) {
    return Message{.type = MessageType::request_vote_response,
                   .from = from,
                   .to = to,
                   .term = term,
                   .granted = true};
}

Message ack_of(NodeId from, NodeId to, Term term, Index match) {
    return Message{.type = MessageType::append_entries_response,
                   .from = from,
                   .to = to,
                   .term = term,
                   .success = true,
                   .match_index = match};
}

Message vote_request(NodeId from, Term term, Index last_index, Term last_term) {
    return Message{.type = MessageType::request_vote,
                   .from = from,
                   .to = 2,
                   .term = term,
                   .candidate_last_log_index = last_index,
                   .candidate_last_log_term = last_term};
}

/// Pre-candidate 1 asks voter 2 about `term` (one past its own).
Message pre_vote_request(Term term, Index last_index, Term last_term) {
    Message message = vote_request(1, term, last_index, last_term);
    message.type = MessageType::request_pre_vote;
    return message;
}

Message pre_vote_granted(NodeId from, NodeId to, Term term) {
    Message message = vote_granted(from, to, term);
    message.type = MessageType::request_pre_vote_response;
    return message;
}

/// `voter` durably votes for `candidate` in `term` and says so.
void grant(Checkers& checkers, NodeId voter, NodeId candidate, Term term) {
    checkers.on_hard_state(voter, HardState{.term = term, .voted_for = candidate}, 5);
    checkers.on_sync(voter);
    checkers.on_send(vote_granted(voter, candidate, term), 6);
}

/// Node 1 applies indexes 1..through of its log (so they are known committed).
void commit_on_node1(Checkers& checkers, Term term, Index through) {
    write_log(checkers, 1, term, 3);
    checkers.on_commit_index(1, through, 2);
    checkers.on_apply(1, configuration_entry(1, 1, 3), 2);
    for (Index index = 2; index <= through; ++index) {
        checkers.on_apply(1, command(term, index, static_cast<std::uint8_t>(index)), 2);
    }
}

/// Node 1, holding the log of write_log(1, 2), votes for `vote` (itself
/// unless told) in `term` and becomes leader with node 2's vote.
void elect_node1(Checkers& checkers, Term term, NodeId vote = 1) {
    write_log(checkers, 1, 1, 2);
    checkers.on_hard_state(1, HardState{.term = term, .voted_for = vote}, 3);
    checkers.on_sync(1);
    grant(checkers, 2, 1, term);
    checkers.on_role_change(1, to_leader(term), 7);
}

std::vector<HistoryCase> vote_cases() {
    return {
        {"a vote changed within its term",
         [](Checkers& c) {
             c.on_hard_state(2, HardState{.term = 2, .voted_for = 3}, 1);
             c.on_hard_state(2, HardState{.term = 2, .voted_for = 4}, 2);
         },
         [](Checkers& c) {
             c.on_hard_state(2, HardState{.term = 2, .voted_for = 3}, 1);
             c.on_hard_state(2, HardState{.term = 3, .voted_for = 4}, 2);
         },
         Checker::durability, "vote_changed_in_term"},
        {"a vote cleared within its term",
         [](Checkers& c) {
             c.on_hard_state(2, HardState{.term = 2, .voted_for = 3}, 1);
             c.on_hard_state(2, HardState{.term = 2, .voted_for = 0}, 2);
         },
         [](Checkers& c) {
             c.on_hard_state(2, HardState{.term = 2, .voted_for = 0}, 1);
             c.on_hard_state(2, HardState{.term = 2, .voted_for = 3}, 2);
         },
         Checker::durability, "vote_changed_in_term"},
        {"a vote re-cast in its term after a restart",
         [](Checkers& c) {
             grant(c, 2, 3, 5);
             c.on_crash(2, true);
             c.on_log_reset(2, std::nullopt, 0, {}, HardState{.term = 5, .voted_for = 3}, 7);
             c.on_hard_state(2, HardState{.term = 5, .voted_for = 1}, 8);
         },
         [](Checkers& c) {
             grant(c, 2, 3, 5);
             c.on_crash(2, true);
             c.on_log_reset(2, std::nullopt, 0, {}, HardState{.term = 5, .voted_for = 3}, 7);
             c.on_hard_state(2, HardState{.term = 6, .voted_for = 1}, 8);
         },
         Checker::durability, "vote_changed_in_term"},
        {"the term went back",
         [](Checkers& c) {
             c.on_hard_state(2, HardState{.term = 3}, 1);
             c.on_hard_state(2, HardState{.term = 2}, 2);
         },
         [](Checkers& c) {
             c.on_hard_state(2, HardState{.term = 3}, 1);
             c.on_hard_state(2, HardState{.term = 3, .voted_for = 2}, 2);
         },
         Checker::durability, "term_decreased"},
        {"a vote granted before it was synced",
         [](Checkers& c) {
             c.on_hard_state(2, HardState{.term = 5, .voted_for = 1}, 1);
             c.on_send(vote_granted(2, 1, 5), 2);
         },
         [](Checkers& c) { grant(c, 2, 1, 5); }, Checker::durability, "vote_granted_not_durable"},
    };
}

std::vector<HistoryCase> storage_cases() {
    return {
        {"a restart lost a synced vote",
         [](Checkers& c) {
             grant(c, 2, 1, 5);
             c.on_crash(2, true);
             c.on_log_reset(2, std::nullopt, 0, {}, HardState{.term = 5, .voted_for = 0}, 7);
         },
         [](Checkers& c) {
             // Only the unsynced vote is lost: it was never promised.
             c.on_hard_state(2, HardState{.term = 4}, 1);
             c.on_sync(2);
             c.on_hard_state(2, HardState{.term = 5, .voted_for = 1}, 2);
             c.on_crash(2, true);
             c.on_log_reset(2, std::nullopt, 0, {}, HardState{.term = 4}, 7);
         },
         Checker::durability, "synced_hard_state_lost"},
        {"a restart whose log ends in an entry of a term above its own",
         [](Checkers& c) {
             // Entries of term 3 were synced, the term never was.
             c.on_hard_state(2, HardState{.term = 2}, 1);
             c.on_sync(2);
             c.on_crash(2, true);
             c.on_log_reset(2, std::nullopt, 0, {configuration_entry(1, 1, 3), command(3, 2, 7)},
                            HardState{.term = 2}, 7);
         },
         [](Checkers& c) {
             c.on_hard_state(2, HardState{.term = 3}, 1);
             c.on_sync(2);
             c.on_crash(2, true);
             c.on_log_reset(2, std::nullopt, 0, {configuration_entry(1, 1, 3), command(3, 2, 7)},
                            HardState{.term = 3}, 7);
         },
         Checker::durability, "log_ahead_of_term"},
        {"a restart lost synced entries",
         [](Checkers& c) {
             write_log(c, 2, 1, 3);
             c.on_crash(2, true);
             c.on_log_reset(2, std::nullopt, 0, {configuration_entry(1, 1, 3), command(1, 2, 2)},
                            HardState{.term = 1}, 7);
         },
         [](Checkers& c) {
             write_log(c, 2, 1, 2);
             c.on_log_write(2, 1, {command(1, 3, 3)}, 2);  // never synced
             c.on_crash(2, true);
             c.on_log_reset(2, std::nullopt, 0, {configuration_entry(1, 1, 3), command(1, 2, 2)},
                            HardState{.term = 1}, 7);
         },
         Checker::durability, "synced_entries_lost"},
        {"a restart found a log without a configuration",
         [](Checkers& c) {
             c.on_log_write(2, 1, {command(1, 1, 1)}, 1);
             c.on_sync(2);
             c.on_crash(2, true);
             c.on_log_reset(2, std::nullopt, 0, {command(1, 1, 1)}, HardState{.term = 1}, 7);
         },
         [](Checkers& c) {
             write_log(c, 2, 1, 2);
             c.on_crash(2, false);
             c.on_log_reset(2, std::nullopt, 0, {configuration_entry(1, 1, 3), command(1, 2, 2)},
                            HardState{.term = 1}, 7);
         },
         Checker::durability, "configuration_lost"},
    };
}

/// Node 2 holds the synced log of write_log(2, 1, synced_last) and enters
/// term 2 (synced too when `sync_term`); it writes `unsynced` in term 2
/// (replacing from its first index) and crashes torn.
void crash_torn_after(Checkers& c, Index synced_last, bool sync_term,
                      const std::vector<Entry>& unsynced) {
    write_log(c, 2, 1, synced_last);
    c.on_hard_state(2, HardState{.term = 2}, 2);
    if (sync_term) {
        c.on_sync(2);
    }
    c.on_log_write(2, 2, unsynced, 3);
    c.on_crash(2, UnsyncedWrites::torn);
}

/// write_log's entries through `last`, then `tail`.
std::vector<Entry> log_through(Index last, const std::vector<Entry>& tail = {}) {
    std::vector<Entry> entries{configuration_entry(1, 1, 3)};
    for (Index index = 2; index <= last; ++index) {
        entries.push_back(command(1, index, static_cast<std::uint8_t>(index)));
    }
    entries.insert(entries.end(), tail.begin(), tail.end());
    return entries;
}

/// Node 2 restarts and reads back `log` and term `term`.
void restart_with(Checkers& c, const std::vector<Entry>& log, Term term) {
    c.on_log_reset(2, std::nullopt, 0, log, HardState{.term = term}, 7);
}

// A torn crash (UnsyncedWrites::torn): the restart may find a prefix of the
// writes issued since the last sync -- a vote, a higher term, entries past
// the synced log, a truncation without its re-append -- and the audit lets
// it; what was synced before the crash it still demands. The hard state:
std::vector<HistoryCase> torn_hard_state_cases() {
    constexpr UnsyncedWrites torn = UnsyncedWrites::torn;
    return {
        {"a torn restart lost a synced vote (one issued after the sync may survive)",
         [](Checkers& c) {
             grant(c, 2, 1, 5);
             c.on_crash(2, torn);
             c.on_log_reset(2, std::nullopt, 0, {}, HardState{.term = 5, .voted_for = 0}, 7);
         },
         [](Checkers& c) {
             c.on_hard_state(2, HardState{.term = 5}, 1);
             c.on_sync(2);
             c.on_hard_state(2, HardState{.term = 5, .voted_for = 1}, 2);
             c.on_crash(2, torn);
             c.on_log_reset(2, std::nullopt, 0, {}, HardState{.term = 5, .voted_for = 1}, 7);
         },
         Checker::durability, "synced_hard_state_lost"},
        {"a torn restart kept entries of a term its hard state lacks",
         [](Checkers& c) {
             crash_torn_after(c, 3, false, {command(2, 4, 4)});
             restart_with(c, log_through(3, {command(2, 4, 4)}), 1);
         },
         [](Checkers& c) {
             crash_torn_after(c, 3, false, {command(2, 4, 4)});
             restart_with(c, log_through(3), 1);
         },
         Checker::durability, "log_ahead_of_term"},
    };
}

// The log after a torn crash: the synced prefix is demanded, what the torn
// prefix added or truncated past it is not.
std::vector<HistoryCase> torn_log_cases() {
    return {
        {"a torn restart lost a synced entry (a later term and entries may survive)",
         [](Checkers& c) {
             crash_torn_after(c, 3, false, {command(2, 4, 4), command(2, 5, 5)});
             restart_with(c, log_through(2), 2);
         },
         [](Checkers& c) {
             crash_torn_after(c, 3, false, {command(2, 4, 4), command(2, 5, 5)});
             restart_with(c, log_through(3, {command(2, 4, 4)}), 2);
         },
         Checker::durability, "synced_entries_lost"},
        {"a torn restart lost the entry before a truncation (which may survive alone)",
         [](Checkers& c) {
             crash_torn_after(c, 5, true, {command(2, 4, 9)});  // replaces 4..5
             restart_with(c, log_through(2), 2);
         },
         [](Checkers& c) {
             crash_torn_after(c, 5, true, {command(2, 4, 9)});
             restart_with(c, log_through(3), 2);
         },
         Checker::durability, "synced_entries_lost"},
    };
}

// Removal of a committed entry by a deposed leader of an earlier term is
// legal; by a write of the term the entry was applied in, it is not.
std::vector<HistoryCase> removal_by_term_cases() {
    return {
        {"a committed entry removed by a write of a term at or after its appliers'",
         // Node 1 applies in term 3. A leader of term 2 (deposed, yet not
         // told) may lack the entry and overwrite a follower still behind in
         // term: legal Raft (swarm seed 10141). One of term 3 may not.
         [](Checkers& c) {
             c.on_hard_state(1, HardState{.term = 3, .voted_for = 1}, 1);
             commit_on_node1(c, 1, 2);
             write_log(c, 2, 1, 3);
             c.on_log_write(2, 3, {command(3, 2, 9)}, 3);
         },
         [](Checkers& c) {
             c.on_hard_state(1, HardState{.term = 3, .voted_for = 1}, 1);
             commit_on_node1(c, 1, 2);
             write_log(c, 2, 1, 3);
             c.on_log_write(2, 2, {command(2, 2, 9)}, 3);
         },
         Checker::durability, "committed_entry_removed"},
    };
}

// A pipelined disk (canonical/raft) completes its writes one by one:
// Checkers::on_durable makes the log durable only below the first write
// still pending.
std::vector<HistoryCase> pipelined_cases() {
    return {
        {"an acknowledgement past a pipelined disk's durable prefix",
         [](Checkers& c) {
             c.on_log_write(2, 1, {configuration_entry(1, 1, 3), command(1, 2, 2)}, 1);
             c.on_log_write(2, 1, {command(1, 3, 3)}, 1);
             c.on_durable(2, 3);  // the first write completed, the second not yet
             c.on_send(append(1, 2, 1, 1), 2);
             c.on_send(ack_of(2, 1, 1, 3), 2);
         },
         [](Checkers& c) {
             c.on_log_write(2, 1, {configuration_entry(1, 1, 3), command(1, 2, 2)}, 1);
             c.on_log_write(2, 1, {command(1, 3, 3)}, 1);
             c.on_durable(2, 3);
             c.on_send(append(1, 2, 1, 1), 2);
             c.on_send(ack_of(2, 1, 1, 2), 2);
         },
         Checker::durability, "acknowledged_before_durable"},
    };
}

std::vector<HistoryCase> removal_cases() {
    return {
        {"an acknowledgement before the entries were synced",
         [](Checkers& c) {
             c.on_log_write(2, 1, {configuration_entry(1, 1, 3), command(1, 2, 2)}, 1);
             c.on_send(append(1, 2, 1, 1), 2);
             c.on_send(ack_of(2, 1, 1, 2), 2);
         },
         [](Checkers& c) {
             c.on_log_write(2, 1, {configuration_entry(1, 1, 3), command(1, 2, 2)}, 1);
             c.on_sync(2);
             c.on_send(append(1, 2, 1, 1), 2);
             c.on_send(ack_of(2, 1, 1, 2), 2);
         },
         Checker::durability, "acknowledged_before_durable"},
        {"a committed entry removed by a later write",
         [](Checkers& c) {
             commit_on_node1(c, 1, 2);
             write_log(c, 2, 1, 3);
             c.on_log_write(2, 2, {command(2, 2, 9)}, 3);
         },
         [](Checkers& c) {
             commit_on_node1(c, 1, 2);
             write_log(c, 2, 1, 3);
             c.on_log_write(2, 2, {command(2, 3, 9)}, 3);
         },
         Checker::durability, "committed_entry_removed"},
        {"a snapshot carrying a configuration past its index",
         [](Checkers& c) {
             commit_on_node1(c, 1, 3);
             c.on_log_write(1, 1, {configuration_entry(1, 4, 5)}, 3);
             c.on_snapshot(1,
                           core::Snapshot{.index = 3,
                                          .term = 1,
                                          .configuration = core::Configuration::voters(5),
                                          .configuration_index = 4},
                           false, false, 4);
         },
         [](Checkers& c) {
             commit_on_node1(c, 1, 3);
             c.on_log_write(1, 1, {configuration_entry(1, 4, 5)}, 3);
             c.on_snapshot(1,
                           core::Snapshot{.index = 3,
                                          .term = 1,
                                          .configuration = core::Configuration::voters(3),
                                          .configuration_index = 1},
                           false, false, 4);
         },
         Checker::snapshot, "snapshot_configuration_not_latest"},
        {"a snapshot install discarded a matching suffix",
         [](Checkers& c) {
             commit_on_node1(c, 1, 2);
             write_log(c, 2, 1, 3);
             c.on_snapshot(2, core::Snapshot{.index = 2, .term = 1}, true, true, 3);
         },
         [](Checkers& c) {
             commit_on_node1(c, 1, 2);
             c.on_log_write(2, 1, {configuration_entry(1, 1, 3)}, 1);
             c.on_snapshot(2, core::Snapshot{.index = 2, .term = 1}, true, true, 3);
         },
         Checker::durability, "matching_suffix_discarded"},
    };
}

std::vector<HistoryCase> progress_cases() {
    return {
        {"the commit index moved back",
         [](Checkers& c) {
             write_log(c, 2, 1, 3);
             c.on_commit_index(2, 3, 1);
             c.on_commit_index(2, 2, 2);
         },
         [](Checkers& c) {
             write_log(c, 2, 1, 3);
             c.on_commit_index(2, 2, 1);
             c.on_commit_index(2, 3, 2);
         },
         Checker::node_progress, "commit_index_decreased"},
        {"the commit index passed the log",
         [](Checkers& c) {
             write_log(c, 2, 1, 3);
             c.on_commit_index(2, 4, 1);
         },
         [](Checkers& c) {
             write_log(c, 2, 1, 3);
             c.on_commit_index(2, 3, 1);
         },
         Checker::node_progress, "commit_beyond_log"},
        {"an index applied out of order",
         [](Checkers& c) {
             write_log(c, 2, 1, 3);
             c.on_commit_index(2, 3, 1);
             c.on_apply(2, configuration_entry(1, 1, 3), 2);
             c.on_apply(2, command(1, 3, 3), 2);
         },
         [](Checkers& c) {
             write_log(c, 2, 1, 3);
             c.on_commit_index(2, 3, 1);
             c.on_apply(2, configuration_entry(1, 1, 3), 2);
             c.on_apply(2, command(1, 2, 2), 2);
         },
         Checker::node_progress, "applied_out_of_order"},
        {"an index applied before it committed",
         [](Checkers& c) {
             write_log(c, 2, 1, 3);
             c.on_commit_index(2, 1, 1);
             c.on_apply(2, configuration_entry(1, 1, 3), 2);
             c.on_apply(2, command(1, 2, 2), 2);
         },
         [](Checkers& c) {
             write_log(c, 2, 1, 3);
             c.on_commit_index(2, 2, 1);
             c.on_apply(2, configuration_entry(1, 1, 3), 2);
             c.on_apply(2, command(1, 2, 2), 2);
         },
         Checker::node_progress, "applied_beyond_commit"},
    };
}

/// Node 1 leads term 2 with a log through index 3 (term-1 entries).
void leader_of_term_2(Checkers& c) {
    write_log(c, 1, 1, 3);
    c.on_hard_state(1, HardState{.term = 2, .voted_for = 1}, 1);
    c.on_sync(1);
    grant(c, 2, 1, 2);
    c.on_role_change(1, to_leader(2), 7);
}

std::vector<HistoryCase> claims_cases() {
    return {
        {"an acknowledgement of more than the log holds",
         [](Checkers& c) {
             write_log(c, 2, 1, 2);
             c.on_send(append(1, 2, 1, 1), 2);
             c.on_send(ack_of(2, 1, 1, 3), 2);
         },
         [](Checkers& c) {
             write_log(c, 2, 1, 3);
             c.on_send(append(1, 2, 1, 1), 2);
             c.on_send(ack_of(2, 1, 1, 3), 2);
         },
         Checker::claims, "acknowledged_more_than_held"},
        {"an acknowledgement of entries that differ from the leader's",
         [](Checkers& c) {
             leader_of_term_2(c);
             c.on_log_write(2, 2, {configuration_entry(1, 1, 3), command(2, 2, 7)}, 8);
             c.on_sync(2);
             c.on_send(append(1, 2, 2, 1), 9);
             c.on_send(ack_of(2, 1, 2, 2), 9);
         },
         [](Checkers& c) {
             leader_of_term_2(c);
             c.on_log_write(2, 2, {configuration_entry(1, 1, 3), command(1, 2, 2)}, 8);
             c.on_sync(2);
             c.on_send(append(1, 2, 2, 1), 9);
             c.on_send(ack_of(2, 1, 2, 2), 9);
         },
         Checker::claims, "acknowledged_entry_differs"},
        {"a vote request misstating the candidate's log",
         [](Checkers& c) {
             write_log(c, 1, 1, 2);
             c.on_hard_state(1, HardState{.term = 2, .voted_for = 1}, 2);
             c.on_send(vote_request(1, 2, 3, 1), 2);
         },
         [](Checkers& c) {
             write_log(c, 1, 1, 2);
             c.on_hard_state(1, HardState{.term = 2, .voted_for = 1}, 2);
             c.on_send(vote_request(1, 2, 2, 1), 2);
         },
         Checker::claims, "vote_request_misstates_log"},
    };
}

std::vector<HistoryCase> vote_log_cases() {
    return {
        {"a vote granted to a candidate whose log is less up to date (§5.4.1)",
         [](Checkers& c) {
             // Candidate 1 ends at index 2 term 1; voter 2 at index 3 term 1.
             write_log(c, 1, 1, 2);
             write_log(c, 2, 1, 3);
             c.on_hard_state(1, HardState{.term = 2, .voted_for = 1}, 2);
             c.on_send(vote_request(1, 2, 2, 1), 2);
             grant(c, 2, 1, 2);
         },
         [](Checkers& c) {
             // The same voter, with a log no longer than the candidate's.
             write_log(c, 1, 1, 2);
             write_log(c, 2, 1, 2);
             c.on_hard_state(1, HardState{.term = 2, .voted_for = 1}, 2);
             c.on_send(vote_request(1, 2, 2, 1), 2);
             grant(c, 2, 1, 2);
             // Its log grows (the candidate won and replicated); a repeated
             // grant to a duplicate request is the same vote, not a new one.
             write_log(c, 2, 1, 4);
             c.on_send(vote_granted(2, 1, 2), 8);
         },
         Checker::election_safety, "vote_for_less_up_to_date_log"},
        {"a pre-vote granted to a pre-candidate whose log is less up to date (thesis §9.6)",
         [](Checkers& c) {
             // Pre-candidate 1 (term 1) ends at index 2; voter 2 at index 3.
             write_log(c, 1, 1, 2);
             write_log(c, 2, 1, 3);
             c.on_send(pre_vote_request(2, 2, 1), 2);
             c.on_send(pre_vote_granted(2, 1, 2), 3);
         },
         [](Checkers& c) {
             // Two rounds in one term: the first claims index 3, the second
             // (after a truncation) index 2. A late grant of the first round
             // by a voter at index 3 is justified by that round.
             write_log(c, 1, 1, 3);
             write_log(c, 2, 1, 3);
             c.on_send(pre_vote_request(2, 3, 1), 2);
             write_log(c, 1, 1, 2);
             c.on_send(pre_vote_request(2, 2, 1), 4);
             c.on_send(pre_vote_granted(2, 1, 2), 5);
         },
         Checker::election_safety, "pre_vote_for_less_up_to_date_log"},
    };
}

std::vector<HistoryCase> append_claims_cases() {
    return {
        {"an AppendEntries misstating the leader's log",
         [](Checkers& c) {
             write_log(c, 1, 1, 2);
             Message message = append(1, 2, 2, 1);
             message.prev_log_index = 2;
             message.prev_log_term = 2;
             c.on_send(message, 2);
         },
         [](Checkers& c) {
             write_log(c, 1, 1, 2);
             Message message = append(1, 2, 2, 1);
             message.prev_log_index = 2;
             message.prev_log_term = 1;
             c.on_send(message, 2);
         },
         Checker::claims, "append_entries_misstates_log"},
        {"an AppendEntries claiming a commit the leader did not make",
         [](Checkers& c) {
             write_log(c, 1, 1, 3);
             c.on_commit_index(1, 1, 1);
             Message message = append(1, 2, 2, 1);
             message.leader_commit = 2;
             c.on_send(message, 2);
         },
         [](Checkers& c) {
             write_log(c, 1, 1, 3);
             c.on_commit_index(1, 2, 1);
             Message message = append(1, 2, 2, 1);
             message.leader_commit = 2;
             c.on_send(message, 2);
         },
         Checker::claims, "append_entries_overstates_commit"},
    };
}

std::vector<HistoryCase> pre_vote_cases() {
    return {
        {"a candidate without a majority of pre-votes",
         [](Checkers& c) {
             write_log(c, 1, 1, 2);
             c.on_role_change(
                 1, RoleChange{.from = Role::pre_candidate, .to = Role::candidate, .term = 2}, 2);
         },
         [](Checkers& c) {
             write_log(c, 1, 1, 2);
             c.on_send(Message{.type = MessageType::request_pre_vote_response,
                               .from = 3,
                               .to = 1,
                               .term = 2,
                               .granted = true},
                       1);
             c.on_role_change(
                 1, RoleChange{.from = Role::pre_candidate, .to = Role::candidate, .term = 2}, 2);
         },
         Checker::claims, "candidate_without_pre_vote_quorum"},
        {"a leader granting a pre-vote",
         [](Checkers& c) {
             c.on_role_change(2, to_leader(2), 1);
             c.on_send(Message{.type = MessageType::request_pre_vote_response,
                               .from = 2,
                               .to = 1,
                               .term = 3,
                               .granted = true},
                       2);
         },
         [](Checkers& c) {
             c.on_role_change(2, to_leader(2), 1);
             c.on_role_change(2, to_follower(2), 1);
             c.on_send(Message{.type = MessageType::request_pre_vote_response,
                               .from = 2,
                               .to = 1,
                               .term = 3,
                               .granted = true},
                       2);
         },
         Checker::leader_lease, "leader_granted_pre_vote"},
        {"a pre-candidate campaigning on TimeoutNow skips the pre-vote count",
         [](Checkers& c) {
             write_log(c, 1, 1, 2);
             c.on_send(Message{.type = MessageType::timeout_now, .from = 2, .to = 1, .term = 3}, 1);
             c.on_role_change(
                 1, RoleChange{.from = Role::pre_candidate, .to = Role::candidate, .term = 2}, 2);
         },
         [](Checkers& c) {
             write_log(c, 1, 1, 2);
             c.on_send(Message{.type = MessageType::timeout_now, .from = 2, .to = 1, .term = 1}, 1);
             c.on_role_change(
                 1, RoleChange{.from = Role::pre_candidate, .to = Role::candidate, .term = 2}, 2);
         },
         Checker::claims, "candidate_without_pre_vote_quorum"},
    };
}

std::vector<HistoryCase> log_shape_cases() {
    return {
        {"an acknowledgement to a node that did not replicate in its term",
         [](Checkers& c) {
             write_log(c, 2, 1, 2);
             c.on_send(append(3, 2, 1, 3), 1);
             c.on_send(ack_of(2, 1, 1, 2), 2);
         },
         [](Checkers& c) {
             write_log(c, 2, 1, 2);
             c.on_send(append(1, 2, 1, 1), 1);
             c.on_send(ack_of(2, 1, 1, 2), 2);
         },
         Checker::claims, "acknowledged_to_non_leader"},
        {"a log whose terms fall",
         [](Checkers& c) {
             write_log(c, 2, 3, 3);
             c.on_log_write(2, 3, {command(2, 4, 4)}, 2);
         },
         [](Checkers& c) {
             write_log(c, 2, 3, 3);
             c.on_log_write(2, 3, {command(3, 4, 4)}, 2);
         },
         Checker::log_matching, "log_terms_decrease"},
        {"a leader writing an entry of another term",
         [](Checkers& c) {
             elect_node1(c, 2);
             c.on_log_write(1, 2, {command(1, 3, 3)}, 8);
         },
         [](Checkers& c) {
             elect_node1(c, 2);
             c.on_log_write(1, 2, {command(2, 3, 3)}, 8);
         },
         Checker::leader_append_only, "leader_entry_of_other_term"},
        {"an entry of a term the node has not reached",
         [](Checkers& c) { c.on_log_write(2, 2, {configuration_entry(3, 1, 3)}, 1); },
         [](Checkers& c) { c.on_log_write(2, 3, {configuration_entry(3, 1, 3)}, 1); },
         Checker::log_matching, "entry_of_future_term"},
    };
}

std::vector<HistoryCase> envelope_cases() {
    const auto sends = [](Message message) {
        return [message](Checkers& c) { c.on_send(message, 1); };
    };
    return {
        {"a message to the sender itself", sends(append(1, 1, 1, 1)), sends(append(1, 2, 1, 1)),
         Checker::transport, "malformed_envelope"},
        {"a message to nobody", sends(ack_of(2, core::node_none, 1, 0)), sends(append(1, 2, 1, 1)),
         Checker::transport, "malformed_envelope"},
        {"a message of term 0", sends(append(1, 2, 0, 1)), sends(append(1, 2, 1, 1)),
         Checker::transport, "malformed_envelope"},
    };
}

std::vector<HistoryCase> election_cases() {
    return {
        {"a candidate asking for votes without voting for itself",
         [](Checkers& c) {
             write_log(c, 1, 1, 2);
             c.on_hard_state(1, HardState{.term = 2, .voted_for = core::node_none}, 2);
             c.on_send(vote_request(1, 2, 2, 1), 3);
         },
         [](Checkers& c) {
             write_log(c, 1, 1, 2);
             c.on_hard_state(1, HardState{.term = 2, .voted_for = 1}, 2);
             c.on_send(vote_request(1, 2, 2, 1), 3);
         },
         Checker::election_safety, "self_vote_missing"},
        {"a leader that writes a later term and keeps leading (Figure 2, All Servers)",
         [](Checkers& c) {
             elect_node1(c, 2);
             c.on_hard_state(1, HardState{.term = 3, .voted_for = core::node_none}, 9);
         },
         [](Checkers& c) {
             // It steps down first: the role change comes before the write.
             elect_node1(c, 2);
             c.on_role_change(1, to_follower(3), 9);
             c.on_hard_state(1, HardState{.term = 3, .voted_for = core::node_none}, 9);
         },
         Checker::election_safety, "leader_in_later_term"},
        {"a leader whose vote in its term is for another node",
         [](Checkers& c) {
             elect_node1(c, 2, 3);
             c.on_leader_ready(1, 2, 9);
         },
         [](Checkers& c) {
             elect_node1(c, 2);
             c.on_leader_ready(1, 2, 9);
         },
         Checker::election_safety, "self_vote_missing"},
        {"a leader without a majority of votes",
         [](Checkers& c) {
             // Its own vote only: one of three.
             write_log(c, 1, 1, 2);
             c.on_hard_state(1, HardState{.term = 2, .voted_for = 1}, 5);
             c.on_role_change(1, to_leader(2), 7);
         },
         [](Checkers& c) {
             write_log(c, 1, 1, 2);
             grant(c, 3, 1, 2);
             c.on_role_change(1, to_leader(2), 7);
         },
         Checker::election_safety, "leader_without_vote_quorum"},
        {"a voter's repeated grant counted once",
         [](Checkers& c) {
             // Five voters: a duplicated grant makes two of five, not three.
             c.on_log_write(1, 1, {configuration_entry(1, 1, 5)}, 1);
             grant(c, 2, 1, 3);
             c.on_send(vote_granted(2, 1, 3), 6);
             c.on_role_change(1, to_leader(3), 7);
         },
         [](Checkers& c) {
             c.on_log_write(1, 1, {configuration_entry(1, 1, 5)}, 1);
             grant(c, 2, 1, 3);
             grant(c, 4, 1, 3);
             c.on_role_change(1, to_leader(3), 7);
         },
         Checker::election_safety, "leader_without_vote_quorum"},
    };
}

// Amnesia (Simulation::wipe): node 2 crashes, its disk is wiped, and it
// restarts empty; a sanctioned wipe follows a removal committed in term 3.
void wipe_and_restart(Checkers& c, bool sanctioned) {
    c.on_crash(2, true);
    c.on_wipe(2, sanctioned, 3);
    c.on_log_reset(2, std::nullopt, 0, {}, HardState{}, 7);
}

/// Leader 1 of term 3 holds match 9 for node 2 from its reply; node 2 is
/// removed (the leader drops its progress) and wiped by the procedure.
void remove_and_wipe_follower(Checkers& c) {
    c.on_deliver(ack_of(2, 1, 3, 9), 2);
    c.on_progress(1, 3, 2, 9, 2);
    c.forget_progress(1, 2);
    wipe_and_restart(c, true);
}

// A sanctioned wipe makes a new server; an unsanctioned one keeps what the
// old one promised.
std::vector<HistoryCase> wipe_cases() {
    return {
        {"a voter wiped without the procedure votes again in a term it voted in",
         [](Checkers& c) {
             grant(c, 2, 3, 5);
             wipe_and_restart(c, false);
             grant(c, 2, 4, 5);
         },
         [](Checkers& c) {
             grant(c, 2, 3, 5);
             wipe_and_restart(c, true);
             grant(c, 2, 4, 5);
         },
         Checker::durability, "voted_twice_in_term"},
        {"a leader hands a re-added server the match index of its wiped self",
         [](Checkers& c) {
             remove_and_wipe_follower(c);
             c.on_progress(1, 3, 2, 9, 4);
         },
         [](Checkers& c) {
             remove_and_wipe_follower(c);
             c.on_progress(1, 3, 2, 0, 4);
         },
         Checker::replication_progress, "match_index_unacknowledged"},
        {"a leader counts a reply the wiped self sent before the re-add (no leader can tell)",
         [](Checkers& c) {
             remove_and_wipe_follower(c);
             c.on_progress(1, 3, 2, 10, 4);
         },
         [](Checkers& c) {
             remove_and_wipe_follower(c);
             c.on_deliver(ack_of(2, 1, 3, 10), 3);  // in flight across the wipe
             c.on_progress(1, 3, 2, 10, 4);
         },
         Checker::replication_progress, "match_index_unacknowledged"},
        {"a leader cut off since before the removal keeps the progress the wiped self earned",
         [](Checkers& c) {
             c.on_deliver(ack_of(2, 4, 3, 7), 1);  // leader 4 of the removal's term
             c.on_progress(4, 3, 2, 7, 1);
             wipe_and_restart(c, true);
             c.on_progress(4, 3, 2, 7, 8);
         },
         [](Checkers& c) {
             c.on_deliver(ack_of(2, 4, 2, 7), 1);  // leader 4 of term 2, before it
             c.on_progress(4, 2, 2, 7, 1);
             wipe_and_restart(c, true);
             c.on_progress(4, 2, 2, 7, 8);
         },
         Checker::replication_progress, "match_index_unacknowledged"},
        {"a leader's match index runs ahead of the replies it received",
         [](Checkers& c) {
             c.on_deliver(ack_of(2, 1, 3, 4), 2);
             c.on_progress(1, 3, 2, 6, 3);
         },
         [](Checkers& c) {
             c.on_deliver(ack_of(2, 1, 3, 4), 2);
             c.on_progress(1, 3, 2, 4, 3);
         },
         Checker::replication_progress, "match_index_unacknowledged"},
    };
}

}  // namespace

TEST_CASE("durability: votes, syncs and restarts keep what Figure 2 says is stable",
          "[checkers][audits]") {
    run_cases(vote_cases());
    run_cases(storage_cases());
    run_cases(torn_hard_state_cases());
    run_cases(torn_log_cases());
    run_cases(removal_cases());
    run_cases(removal_by_term_cases());
    run_cases(pipelined_cases());
    run_cases(wipe_cases());
}

TEST_CASE("node_progress: a node's commit index and applied prefix never move back",
          "[checkers][audits]") {
    run_cases(progress_cases());
}

TEST_CASE("claims: what a node says in a message matches its log", "[checkers][audits]") {
    run_cases(claims_cases());
    run_cases(vote_log_cases());
    run_cases(append_claims_cases());
    run_cases(pre_vote_cases());
}

TEST_CASE("log shape: replies go to the term's leader; terms never fall nor run ahead",
          "[checkers][audits]") {
    run_cases(log_shape_cases());
}

// canonical's result has no success flag: refusing a stale request with
// prev_log_index 0 reads as a success (sut::Semantics::
// refusal_may_read_as_success). Such a reply is then a breach only where
// the leader of its term receives it, the one node that would count it.
namespace {

// Node 1 replicated in term 1 to node 2, whose log runs to `last` in term 1;
// `semantics` declared.
Checkers replicated_in_term1(const sut::Semantics& semantics, core::Index last) {
    Checkers c;
    c.set_semantics(semantics);
    write_log(c, 2, 1, last);
    c.on_send(append(1, 2, 1, 1), 1);
    return c;
}

}  // namespace

TEST_CASE("claims: a success that may be a refusal is judged where it is delivered",
          "[checkers][audits]") {
    const sut::Semantics semantics{.refusal_may_read_as_success = true};
    SECTION("bad: it reaches the term's leader, which had not replicated in the term") {
        Checkers c = replicated_in_term1(semantics, 2);
        elect_node1(c, 2);
        const Message ack = ack_of(2, 1, 2, 2);
        c.on_send(ack, 8);
        require_clean(c);  // nothing counts it yet
        c.on_deliver(ack, 9);
        REQUIRE(c.failed());
        CHECK(c.violation()->checker == Checker::claims);
        CHECK(c.violation()->kind == "acknowledged_to_non_leader");
    }
    SECTION("good: a stale leader gets it, and its term deposes it (Figure 2)") {
        Checkers c = replicated_in_term1(semantics, 2);
        c.on_hard_state(2, HardState{.term = 2, .voted_for = 3}, 2);
        const Message ack = ack_of(2, 1, 2, 2);
        c.on_send(ack, 8);
        c.on_deliver(ack, 9);
        require_clean(c);
    }
    SECTION("good: it arms no durability promise the term's real leader may overwrite") {
        Checkers c = replicated_in_term1(semantics, 4);
        c.on_hard_state(2, HardState{.term = 2, .voted_for = 3}, 2);
        const Message ack = ack_of(2, 1, 2, 4);
        c.on_send(ack, 3);
        // Node 3 leads term 2 and truncates node 2's tail.
        c.on_send(append(3, 2, 2, 3), 4);
        c.on_log_write(2, 2, {command(2, 3, 9)}, 5);
        c.on_deliver(ack, 6);  // node 1 is no leader of term 2
        require_clean(c);
    }
    SECTION("without the semantics, the same reply is a breach when sent") {
        Checkers c = replicated_in_term1({}, 2);
        c.on_hard_state(2, HardState{.term = 2, .voted_for = 3}, 2);
        c.on_send(ack_of(2, 1, 2, 2), 8);
        REQUIRE(c.failed());
        CHECK(c.violation()->kind == "acknowledged_to_non_leader");
    }
}

TEST_CASE("transport: every message goes to another server and carries a term",
          "[checkers][audits]") {
    run_cases(envelope_cases());
}

TEST_CASE("election_safety: a leader voted for itself and has a majority of votes",
          "[checkers][audits]") {
    run_cases(election_cases());
}

TEST_CASE("membership: the configuration in effect is the latest one in the log",
          "[checkers][audits]") {
    Checkers checkers;
    write_log(checkers, 2, 1, 2);
    checkers.on_configuration(2, core::Configuration::voters(3), 3);
    require_clean(checkers);
    checkers.on_configuration(2, core::Configuration::voters(5), 4);
    require_violation(checkers, Checker::membership, "configuration_in_effect_differs");
}

// canonical/raft's follower adopts a configuration entry once its write
// completes (sut::Semantics::configuration_in_effect_when_durable).
TEST_CASE("membership: a durable-adoption system may use the durable configuration meanwhile",
          "[checkers][audits]") {
    const auto pending_change = [](Checkers& checkers) {
        write_log(checkers, 2, 1, 2);
        checkers.on_log_write(2, 1, {configuration_entry(1, 3, 5)}, 3);
        checkers.on_durable(2, 3);  // the write of index 3 is still pending
    };
    SECTION("the strict default holds the node to the entry just written") {
        Checkers checkers;
        pending_change(checkers);
        checkers.on_configuration(2, core::Configuration::voters(3), 4);
        require_violation(checkers, Checker::membership, "configuration_in_effect_differs");
    }
    SECTION("declared: the configuration of the durable prefix is accepted") {
        Checkers checkers;
        checkers.set_semantics(sut::Semantics{.configuration_in_effect_when_durable = true});
        pending_change(checkers);
        checkers.on_configuration(2, core::Configuration::voters(3), 4);
        checkers.on_configuration(2, core::Configuration::voters(5), 5);
        require_clean(checkers);
    }
    SECTION("declared: a configuration in neither place still fires") {
        Checkers checkers;
        checkers.set_semantics(sut::Semantics{.configuration_in_effect_when_durable = true});
        pending_change(checkers);
        checkers.on_configuration(2, core::Configuration::voters(4), 4);
        require_violation(checkers, Checker::membership, "configuration_in_effect_differs");
    }
}

// canonical/raft: a sole voter becomes leader in its current term, with no
// election (sut::Semantics::sole_voter_leads_without_election).
TEST_CASE("election_safety: a declared sole voter may lead without its own vote",
          "[checkers][audits]") {
    const auto leads_unvoted = [](Checkers& checkers, std::size_t voters) {
        checkers.on_log_write(1, 1, {configuration_entry(1, 1, voters)}, 1);
        checkers.on_sync(1);
        checkers.on_leader_ready(1, 1, 2);  // what each Ready of a leader reports
    };
    SECTION("undeclared, the missing vote fires") {
        Checkers checkers;
        leads_unvoted(checkers, 1);
        require_violation(checkers, Checker::election_safety, "self_vote_missing");
    }
    SECTION("declared, a sole voter leads unvoted") {
        Checkers checkers;
        checkers.set_semantics(sut::Semantics{.sole_voter_leads_without_election = true});
        leads_unvoted(checkers, 1);
        require_clean(checkers);
    }
    SECTION("declared, a sole voter that demotes itself still leads its term") {
        Checkers checkers;
        checkers.set_semantics(sut::Semantics{.sole_voter_leads_without_election = true});
        leads_unvoted(checkers, 1);
        Entry demoted = configuration_entry(1, 2, 1);
        demoted.configuration.servers.front().suffrage = core::Suffrage::nonvoter;
        checkers.on_log_write(1, 1, {demoted}, 3);
        checkers.on_leader_ready(1, 1, 4);
        require_clean(checkers);
        checkers.on_leader_ready(1, 2, 5);  // a later term it did not begin as a sole voter
        require_violation(checkers, Checker::election_safety, "self_vote_missing");
    }
    SECTION("declared, one of three voters still needs its vote") {
        Checkers checkers;
        checkers.set_semantics(sut::Semantics{.sole_voter_leads_without_election = true});
        leads_unvoted(checkers, 3);
        require_violation(checkers, Checker::election_safety, "self_vote_missing");
    }
}

TEST_CASE("checkers: every checker is labelled universal, semantics or harness", "[checkers]") {
    std::size_t semantics = 0;
    for (std::uint8_t i = 0; i < checker_count; ++i) {
        const CheckerLabel label = label_of(static_cast<Checker>(i));
        CHECK(to_string(label) != "?");
        semantics += label == CheckerLabel::semantics ? 1 : 0;
    }
    CHECK(label_of(Checker::durability) == CheckerLabel::universal);
    CHECK(label_of(Checker::membership) == CheckerLabel::semantics);
    CHECK(label_of(Checker::core_assert) == CheckerLabel::harness);
    CHECK(semantics == 3);
}

}  // namespace raftsim::sim
