// Durable-state audits (Checker::durability) and a node's own progress
// (Checker::node_progress): universal rules, checked from the observation
// stream alone -- hard-state and log writes as issued, syncs, crashes,
// restarts, messages sent and entries applied (docs/architecture.md).
#include <fmt/format.h>

#include <algorithm>

#include "raftsim/core/assert.hpp"
#include "raftsim/sim/checkers.hpp"

namespace raftsim::sim {

// Figure 2: currentTerm and votedFor live on stable storage; currentTerm only
// grows, and a server votes for at most one candidate in a term (§5.2) --
// so votedFor, once set in a term, never changes or clears within it.
void Checkers::on_hard_state(core::NodeId node, const core::HardState& hard_state, TimeUs now) {
    DurableView& view = durable_[node];
    const core::HardState before = view.issued;
    view.issued = hard_state;
    if (hard_state.term < before.term) {
        violate(
            Checker::durability, "term_decreased",
            fmt::format("node {} wrote term {} after term {}", node, hard_state.term, before.term),
            now, node);
        return;
    }
    // Figure 2, All Servers: a term above currentTerm makes a server a
    // follower; role changes are observed before the hard state, so a node
    // still leading here moved to a later term without stepping down.
    if (role_of_[node] == core::Role::leader && hard_state.term > leader_term_of_[node]) {
        violate(Checker::election_safety, "leader_in_later_term",
                fmt::format("node {}, leader of term {}, wrote term {} and kept leading", node,
                            leader_term_of_[node], hard_state.term),
                now, node);
        return;
    }
    const bool same_term = hard_state.term == before.term;
    if (same_term && before.voted_for != core::node_none &&
        hard_state.voted_for != before.voted_for) {
        violate(Checker::durability, "vote_changed_in_term",
                fmt::format("node {} wrote vote {} in term {} after voting for node {} in it", node,
                            hard_state.voted_for == core::node_none
                                ? std::string("none")
                                : fmt::format("for node {}", hard_state.voted_for),
                            hard_state.term, before.voted_for),
                now, node);
    }
}

void Checkers::on_sync(core::NodeId node) {
    DurableView& view = durable_[node];
    view.durable = view.issued;
    view.unsynced_from = 0;
}

void Checkers::on_durable(core::NodeId node, core::Index unsynced_from) {
    DurableView& view = durable_[node];
    view.durable = view.issued;
    view.unsynced_from = unsynced_from;
}

void Checkers::on_crash(core::NodeId node, UnsyncedWrites fate) {
    DurableView& view = durable_[node];
    const LogMirror& log = logs_[node];
    if (fate == UnsyncedWrites::kept) {
        on_sync(node);
    }
    // What the restart must find again: the log up to the first unsynced
    // write, and the hard state last synced. A torn crash keeps a prefix of
    // the unsynced writes besides, which the restart may find or not: a
    // later term or vote, entries past the synced prefix, or a truncation
    // without the entries that were to replace it -- all at or after the
    // first unsynced write, so none of it is demanded here.
    const core::Index through = view.unsynced_from == 0
                                    ? log.last_index()
                                    : std::min(log.last_index(), view.unsynced_from - 1);
    RAFT_ASSERT(through <= log.last_index());
    view.synced_through = through;
    view.synced_chain = through == 0 ? 0 : log.chain_at(through);
    view.issued = view.durable;
    view.unsynced_from = 0;
    view.torn = fate == UnsyncedWrites::torn;
}

// The harness, not the node, lost the disk: the restart audit demands
// nothing, and the node's acknowledgements vouch for no log any more. A
// sanctioned wipe (the node was out of the committed configuration) makes it
// a new server: its votes and acknowledgements are forgotten too, so it may
// vote again in a term its old self voted in, and a leader may not count
// what its old self acknowledged. An unsanctioned one keeps them: the vote
// audit then sees a second vote in a term, and commit counting stays judged
// by what was acknowledged at the time.
void Checkers::on_wipe(core::NodeId node, bool sanctioned, core::Term removed_term) {
    RAFT_ASSERT(node != core::node_none);
    durable_[node] = DurableView{};
    logs_[node] = LogMirror{};
    acknowledged_.erase(node);
    if (!sanctioned) {
        return;
    }
    votes_cast_.erase_node(node);
    acknowledged_in_term_.erase_node(node);
    // A leader of a term before the removal committed may still lead, cut
    // off, holding the progress the old self earned it: only leaders that
    // know of the removal must have forgotten it (on_progress).
    delivered_acks_.erase_if([node, removed_term](const auto& pair, const MatchSeen& seen) {
        return pair.second == node && seen.term >= removed_term;
    });
    RAFT_ASSERT(!acknowledged_.contains(node));
}

// A restart reads back everything that was synced: the hard state (so a vote
// survives, Figure 2) and the log prefix (so an acknowledged entry does).
// Called once the mirror holds the log read back.
void Checkers::check_restart(core::NodeId node, const core::HardState& hard_state, TimeUs now) {
    DurableView& view = durable_[node];
    const core::HardState synced = view.durable;
    const core::Index through = view.synced_through;
    // After a torn crash a vote issued since the last sync may survive:
    // in a term synced without a vote, that vote is gained, not lost. A
    // vote once cast never changes within its term (§5.2), so any other
    // difference is a loss.
    const bool vote_gained = view.torn && synced.voted_for == core::node_none;
    view.issued = hard_state;
    view.durable = hard_state;
    view.synced_through = 0;
    view.torn = false;
    const bool vote_lost =
        hard_state.term == synced.term && hard_state.voted_for != synced.voted_for && !vote_gained;
    if (hard_state.term < synced.term || vote_lost) {
        violate(
            Checker::durability, "synced_hard_state_lost",
            fmt::format("node {} restarted with term {} vote {} but term {} vote {} had been "
                        "synced",
                        node, hard_state.term, hard_state.voted_for, synced.term, synced.voted_for),
            now, node);
        return;
    }
    const LogMirror& log = logs_[node];
    if (through != 0 &&
        (log.last_index() < through || log.chain_at(through) != view.synced_chain)) {
        violate(Checker::durability, "synced_entries_lost",
                fmt::format("node {} restarted with last index {} but its log through index {} "
                            "had been synced",
                            node, log.last_index(), through),
                now, node);
        return;
    }
    if (through != 0 && log.configurations.empty()) {
        violate(Checker::durability, "configuration_lost",
                fmt::format("node {} restarted with a log through index {} but no configuration",
                            node, log.last_index()),
                now, node);
        return;
    }
    // A server enters a term before it writes entries of that term (§5.1),
    // so its durable term must cover its durable log, or a restart could
    // vote in a term whose entries it already holds.
    const core::Term last_term = log.last_index() == 0 ? 0 : log.terms.back();
    if (last_term > hard_state.term) {
        violate(
            Checker::durability, "log_ahead_of_term",
            fmt::format("node {} restarted with term {} but its log ends in an entry of term {}",
                        node, hard_state.term, last_term),
            now, node);
    }
}

// An entry known to be committed (some node applied it) leaves a node's log
// only by compaction into a snapshot: no write in a term at or after the one
// it committed in may replace it (§5.4: every leader of those terms holds
// it, so none of their AppendEntries conflicts with it). A deposed leader of
// an earlier term may still overwrite a follower further behind in term --
// legal Raft (swarm seed 10141, decoder version 3) -- so a write in a term
// below every applier's term is let be; the commit term is not observable,
// and the lowest applier's term bounds it from above.
void Checkers::check_committed_kept(core::NodeId node, core::Term term, core::Index first,
                                    const std::vector<core::Entry>& entries, TimeUs now) {
    const LogMirror& log = logs_[node];
    const core::Index removed_last = std::min(log.last_index(), committed_index_max());
    for (core::Index index = first; index <= removed_last; ++index) {
        const std::optional<Committed>& committed = committed_[index - 1];
        if (!committed.has_value() || log.chain_at(index) != committed->chain) {
            continue;  // not known committed, or the node never held it
        }
        if (term < committed->applied_term) {
            continue;  // a leader of an earlier term, which may lack it
        }
        const std::size_t offset = index - first;
        const bool rewritten_same = offset < entries.size() &&
                                    entries[offset].term == committed->term &&
                                    hash_bytes(entries[offset].data) == committed->data_hash;
        if (rewritten_same) {
            continue;
        }
        violate(Checker::durability, "committed_entry_removed",
                fmt::format("node {} rewrote its log from index {}, removing index {} (term {}), "
                            "which node {} had applied",
                            node, first, index, committed->term, committed->node),
                now, node);
        return;
    }
}

// Figure 13 step 6: if the log holds an entry with the snapshot's last index
// and term, the entries after it are kept; only a conflicting log is
// discarded. Dropping a matching suffix loses entries this node may have
// acknowledged -- and that a leader counted towards a commit.
void Checkers::check_snapshot_keeps_suffix(core::NodeId node, const core::Snapshot& snapshot,
                                           TimeUs now) {
    const LogMirror& log = logs_[node];
    const bool holds_last = snapshot.index >= 1 && snapshot.index <= log.last_index() &&
                            log.terms[snapshot.index - 1] == snapshot.term;
    if (!holds_last || log.last_index() == snapshot.index) {
        return;
    }
    violate(Checker::durability, "matching_suffix_discarded",
            fmt::format("node {} installed a snapshot through index {} term {} and discarded "
                        "its log after it (last index {}), although its entry at {} matched",
                        node, snapshot.index, snapshot.term, log.last_index(), snapshot.index),
            now, node);
}

// §7 / Figure 12: a snapshot carries the latest configuration as of its
// last included index -- not a later, possibly uncommitted one, which a
// restart from the snapshot would then take as committed. Checked against
// the node's own log when it still holds the prefix (a snapshot it took).
void Checkers::check_snapshot_configuration(core::NodeId node, const core::Snapshot& snapshot,
                                            TimeUs now) {
    const LogMirror& log = logs_[node];
    const LogMirror::ConfigurationAt* latest = nullptr;
    for (const LogMirror::ConfigurationAt& at : log.configurations) {
        latest = at.index <= snapshot.index ? &at : latest;
    }
    if (latest == nullptr || snapshot.index > log.last_index()) {
        return;  // the log no longer shows it: nothing to compare with
    }
    if (latest->index == snapshot.configuration_index &&
        latest->configuration.servers == snapshot.configuration.servers) {
        return;
    }
    violate(
        Checker::snapshot, "snapshot_configuration_not_latest",
        fmt::format("node {} took a snapshot through index {} with the configuration {} of "
                    "index {}, but the latest at or below it is {} at index {}",
                    node, snapshot.index, describe(snapshot.configuration),
                    snapshot.configuration_index, describe(latest->configuration), latest->index),
        now, node);
}

// Within one incarnation a node's commit index never moves back, and never
// passes its own log (Figure 2: commitIndex increases monotonically; a
// follower sets it to min(leaderCommit, index of last new entry)).
void Checkers::on_commit_index(core::NodeId node, core::Index commit_index, TimeUs now) {
    LogMirror& log = logs_[node];
    if (commit_index < log.commit_index) {
        violate(Checker::node_progress, "commit_index_decreased",
                fmt::format("node {} lowered its commit index from {} to {}", node,
                            log.commit_index, commit_index),
                now, node);
        return;
    }
    if (commit_index > log.last_index()) {
        violate(Checker::node_progress, "commit_beyond_log",
                fmt::format("node {} reported commit index {} past its last index {}", node,
                            commit_index, log.last_index()),
                now, node);
        return;
    }
    log.commit_index = commit_index;
    durable_[node].commit_reported = true;
}

// Figure 2: lastApplied follows commitIndex one entry at a time; the state
// machine sees every committed entry once, in order, and nothing uncommitted.
void Checkers::check_apply_progress(core::NodeId node, const core::Entry& entry, TimeUs now) {
    DurableView& view = durable_[node];
    const LogMirror& log = logs_[node];
    if (!view.commit_reported) {
        view.applied = entry.index;
        return;
    }
    if (entry.index != view.applied + 1) {
        violate(
            Checker::node_progress, "applied_out_of_order",
            fmt::format("node {} applied index {} after index {}", node, entry.index, view.applied),
            now, node);
        return;
    }
    view.applied = entry.index;
    if (entry.index > log.commit_index) {
        violate(Checker::node_progress, "applied_beyond_commit",
                fmt::format("node {} applied index {} past its commit index {}", node, entry.index,
                            log.commit_index),
                now, node);
    }
}

}  // namespace raftsim::sim
