#pragma once
// Ready: everything a node asks its host to do, in one batch.
//
// THE RULE: PERSIST BEFORE SEND. The host must, in this order,
//   1. make `hard_state`, `snapshot`, `compaction` and `entries` durable, in
//      that order: store the term and vote; store the snapshot as the latest
//      one; delete durable entries at or below compaction->base_index (every
//      entry, if discard_all); then delete every durable entry at index >=
//      entries.front().index and append `entries`. The term goes first so
//      that a crash part-way (a torn write) never leaves a snapshot or an
//      entry of a term the durable term has not reached (§5.1);
//   2. only then send `messages` -- a vote or an AppendEntries acknowledgement
//      promises that the state it depends on survives a crash (Raft paper
//      Figure 2: "respond to RPCs only after updating stable storage");
//   3. if `restore_snapshot`, reset the state machine from `snapshot`; then
//      apply `committed_entries` to it, in order;
//   4. call Node::advance(), before any other call into the node.
// A host that sends first can vote twice in a term after a crash; the
// simulator's node host follows this order and its tests check it.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "raftsim/core/log_entry.hpp"
#include "raftsim/core/message.hpp"
#include "raftsim/core/snapshot.hpp"
#include "raftsim/core/types.hpp"

namespace raftsim::core {

enum class Role : std::uint8_t {
    follower,
    /// Raft thesis §9.6: asking for pre-votes, term not yet incremented.
    pre_candidate,
    candidate,
    leader,
};

[[nodiscard]] std::string_view to_string(Role role) noexcept;

/// The state Figure 2 says must be on stable storage before answering RPCs.
struct HardState {
    Term term = 0;
    NodeId voted_for = node_none;
    friend bool operator==(const HardState&, const HardState&) = default;
};

struct RoleChange {
    Role from = Role::follower;
    Role to = Role::follower;
    Term term = 0;
    friend bool operator==(const RoleChange&, const RoleChange&) = default;
};

enum class RequestOutcome : std::uint8_t {
    /// The request's entry committed and is in this Ready's committed_entries.
    committed,
    /// Leadership was lost before the entry committed here. The entry may
    /// still commit under a later leader: the outcome is unknown, as with
    /// hashicorp's ErrLeadershipLost.
    leadership_lost,
};

[[nodiscard]] std::string_view to_string(RequestOutcome outcome) noexcept;

struct RequestResult {
    RequestId id = 0;
    RequestOutcome outcome = RequestOutcome::committed;
    Index index = 0;
    Term term = 0;
    friend bool operator==(const RequestResult&, const RequestResult&) = default;
};

enum class ReadOutcome : std::uint8_t {
    /// Leadership was confirmed after the read arrived and the state
    /// machine has applied through `read_index`: the host answers it from
    /// its state machine, after this Ready's committed_entries.
    ready,
    /// The node's term or role changed first: the read was not served.
    leadership_lost,
};

[[nodiscard]] std::string_view to_string(ReadOutcome outcome) noexcept;

struct ReadResult {
    RequestId id = 0;
    ReadOutcome outcome = ReadOutcome::ready;
    /// The leader's commit index when the read arrived.
    Index read_index = 0;
    Term term = 0;
    friend bool operator==(const ReadResult&, const ReadResult&) = default;
};

enum class TransferOutcome : std::uint8_t {
    /// The target became leader of a later term (this node heard from it).
    completed,
    /// No new leader within an election timeout of the transfer's start.
    timed_out,
    /// Another node became leader, or this one lost leadership before it
    /// could hand over.
    leadership_lost,
    /// The target left the configuration (or lost its vote) meanwhile.
    target_removed,
};

[[nodiscard]] std::string_view to_string(TransferOutcome outcome) noexcept;

struct TransferResult {
    NodeId target = node_none;
    TransferOutcome outcome = TransferOutcome::timed_out;
    /// The term the transfer started in; for `completed`, the term the
    /// target leads.
    Term started_term = 0;
    Term term = 0;
    friend bool operator==(const TransferResult&, const TransferResult&) = default;
};

struct Ready {
    /// A snapshot to store as the latest (taken by the host through
    /// Node::compact, or installed from the leader).
    std::optional<Snapshot> snapshot;
    /// Set when the state machine must be reset from `snapshot` (an
    /// InstallSnapshot replaced state this node had not applied).
    bool restore_snapshot = false;
    /// The durable log's new start.
    std::optional<LogCompaction> compaction;
    /// Set when term or vote changed since the last Ready.
    std::optional<HardState> hard_state;
    /// Entries to make durable; the first one's index is the truncation point.
    std::vector<Entry> entries;
    /// Messages to send once the above is durable.
    std::vector<Message> messages;
    /// Committed entries to apply, in index order, each exactly once.
    std::vector<Entry> committed_entries;
    /// Outcomes of this node's own proposals.
    std::vector<RequestResult> request_results;
    /// Outcomes of reads (Node::read), to answer once committed_entries
    /// are applied.
    std::vector<ReadResult> read_results;
    /// Outcomes of leadership transfers this node started.
    std::vector<TransferResult> transfer_results;
    /// Role transitions, in the order they happened.
    std::vector<RoleChange> role_changes;
    /// The leader this node believes in, when it changed.
    std::optional<NodeId> leader_id;

    [[nodiscard]] bool empty() const noexcept;
};

}  // namespace raftsim::core
