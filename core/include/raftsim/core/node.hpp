#pragma once
// One Raft server as a pure state machine, shaped like etcd's RawNode.
//
// Inputs: tick(), step(message), propose(...). Output: a Ready batch, then
// advance(). The node performs no I/O, reads no clock and draws randomness only
// from its own seeded PRNG, so the same inputs always give the same outputs.
//
// Contract, checked by always-on assertions after every call:
//   applied <= commit <= last index; term and commit never decrease; the log's
//   terms never decrease and never exceed the current term; a leader or
//   candidate has voted for itself in its term.

#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "raftsim/core/config.hpp"
#include "raftsim/core/configuration.hpp"
#include "raftsim/core/log.hpp"
#include "raftsim/core/membership.hpp"
#include "raftsim/core/message.hpp"
#include "raftsim/core/prng.hpp"
#include "raftsim/core/progress.hpp"
#include "raftsim/core/ready.hpp"
#include "raftsim/core/reject.hpp"
#include "raftsim/core/snapshot.hpp"
#include "raftsim/core/types.hpp"

namespace raftsim::core {

enum class ProposeError : std::uint8_t {
    none = 0,
    not_leader,
    leadership_transfer_in_progress,
    too_many_uncommitted,
    /// The log has reached index_max (validate.hpp), which only forged input
    /// makes possible: an entry past it would be refused by every follower.
    log_full,
};

[[nodiscard]] std::string_view to_string(ProposeError error) noexcept;

struct ProposeResult {
    ProposeError error = ProposeError::none;
    /// Where the entry was appended, when error == none.
    Index index = 0;
    Term term = 0;
    [[nodiscard]] bool ok() const noexcept { return error == ProposeError::none; }
};

struct ChangeResult {
    ChangeError error = ChangeError::none;
    /// Where the configuration entry was appended, when error == none.
    Index index = 0;
    Term term = 0;
    [[nodiscard]] bool ok() const noexcept { return error == ChangeError::none; }
};

enum class TransferError : std::uint8_t {
    none = 0,
    not_leader,
    transfer_in_progress,
    /// No other voter to hand leadership to.
    no_target,
    /// The named target is not a voter of the latest configuration.
    target_not_voter,
};

[[nodiscard]] std::string_view to_string(TransferError error) noexcept;

struct TransferStart {
    TransferError error = TransferError::none;
    /// The chosen target, when error == none.
    NodeId target = node_none;
    [[nodiscard]] bool ok() const noexcept { return error == TransferError::none; }
};

enum class CompactError : std::uint8_t {
    none = 0,
    /// The index is above what the host has applied.
    not_applied,
    /// The index is not above the latest snapshot.
    not_newer,
};

[[nodiscard]] std::string_view to_string(CompactError error) noexcept;

/// How a read confirms this node still leads (thesis §6.4). A read
/// through the log is a proposal (Node::propose) instead.
enum class ReadMode : std::uint8_t {
    /// ReadIndex: a heartbeat round started after the read arrived, and
    /// acknowledged by a quorum, confirms leadership (hashicorp's
    /// VerifyLeader; etcd's ReadOnlySafe).
    read_index,
    /// The leader lease: no round trip while a quorum acknowledged a round
    /// recently enough (Config::lease_reads; etcd's ReadOnlyLeaseBased).
    lease,
};

[[nodiscard]] std::string_view to_string(ReadMode mode) noexcept;

enum class ReadError : std::uint8_t {
    none = 0,
    not_leader,
    /// §6.4 step 1: until the leader has committed an entry of its term
    /// it does not know the commit index, so it cannot name a read index.
    not_committed_in_term,
    /// Lease reads need Config::lease_reads and Config::check_quorum.
    lease_reads_off,
    /// No quorum acknowledged a round recent enough.
    lease_expired,
    /// This leader started a leadership transfer in its term: a TimeoutNow,
    /// possibly still in flight, lets its target be elected at once.
    lease_revoked_by_transfer,
    /// Config::max_uncommitted_entries reads are waiting already.
    too_many_pending,
};

[[nodiscard]] std::string_view to_string(ReadError error) noexcept;

struct ReadStart {
    ReadError error = ReadError::none;
    /// The commit index the read will be answered at, when error == none.
    Index read_index = 0;
    [[nodiscard]] bool ok() const noexcept { return error == ReadError::none; }
};

/// Counters a host or test can read; they never affect behaviour.
struct NodeStats {
    RejectCounters rejects;
    std::uint64_t elections_started = 0;
    std::uint64_t pre_votes_started = 0;
    std::uint64_t elections_won = 0;
    std::uint64_t lease_step_downs = 0;
    std::uint64_t stale_responses = 0;
    std::uint64_t votes_rejected_sticky_leader = 0;
    std::uint64_t entries_truncated = 0;
    std::uint64_t snapshots_sent = 0;
    std::uint64_t snapshots_installed = 0;
    std::uint64_t promotions = 0;
    std::uint64_t transfers_started = 0;
    std::uint64_t reads_served = 0;
    std::uint64_t lease_reads_served = 0;
};

struct NodeOptions {
    NodeId id = node_none;
    Config config;
    /// Seeds this node's PRNG (randomized timeouts).
    std::uint64_t seed = 0;
};

/// What a restarting node reads back from its durable storage: what the host
/// persisted from the Ready batches it handled, each batch's writes applied
/// whole and in ready.hpp's order -- or, after a torn write, the last batch's
/// only in part, a prefix in that order. An empty one is a brand-new server.
///
/// Node::restart trusts it, as its own earlier output (a violation is a
/// broken host, so a RAFT_ASSERT, not a refusal):
/// - `entries` are contiguous from log_base_index + 1, with terms that never
///   decrease, none below log_base_term and none above hard_state.term;
/// - without a snapshot, log_base_index is 0; with one, log_base_index <=
///   snapshot->index <= the last index, and the log's term there (the base
///   term, when they coincide) is snapshot->term;
/// - the snapshot's configuration is valid and from an index at or below
///   the snapshot's; configuration entries are valid, and the entry at index
///   1, when held, is the bootstrap configuration.
struct DurableState {
    HardState hard_state;
    /// The latest durable snapshot; the state machine is restored from it.
    std::optional<Snapshot> snapshot{};
    /// The durable log: entries follow (log_base_index, log_base_term).
    Index log_base_index = 0;
    Term log_base_term = 0;
    std::vector<Entry> entries{};
};

class Node {
  public:
    /// A brand new server of a new cluster: its log holds the bootstrap
    /// configuration at index 1, term 1 (hashicorp's BootstrapCluster), and
    /// the first Ready asks the host to persist it.
    [[nodiscard]] static Node bootstrap(const NodeOptions& options,
                                        const Configuration& configuration);

    /// Rebuilds a node from durable state alone (after a crash). Entries not in
    /// `durable` are gone; commit and applied restart from the snapshot's
    /// index (zero without one), as in hashicorp, which restores the state
    /// machine from the latest snapshot and replays the log after it. A
    /// brand new server that is to be added to a cluster starts here too,
    /// from an empty DurableState: it has no configuration and so waits to
    /// hear from a leader.
    [[nodiscard]] static Node restart(const NodeOptions& options, DurableState durable);

    /// Advances logical time by one tick.
    void tick();

    /// Feeds one message in. Structurally impossible input is counted and
    /// dropped with its reason; it never reaches the protocol code.
    [[nodiscard]] RejectReason step(const Message& message);

    /// Appends a client command, if this node is a leader that can accept it.
    [[nodiscard]] ProposeResult propose(RequestId id, Payload data);

    /// Appends a barrier (hashicorp Barrier): its result arrives in the Ready
    /// whose committed_entries reach it, so every earlier entry is applied.
    [[nodiscard]] ProposeResult barrier(RequestId id);

    /// Starts a read of the state machine (thesis §6.4) if this node is a
    /// leader that can serve one now. Its ReadResult arrives in the Ready
    /// whose committed_entries reach the read index, or in a later one;
    /// the host answers it after applying them.
    [[nodiscard]] ReadStart read(RequestId id, ReadMode mode);

    /// Proposes a membership change (hashicorp AddVoter, AddNonvoter,
    /// DemoteVoter, RemoveServer). Its outcome arrives as a RequestResult
    /// with `id`, once the configuration entry commits or leadership is lost.
    [[nodiscard]] ChangeResult change_membership(RequestId id, const ChangeRequest& request);

    /// Starts handing leadership to `target`, or to the most up-to-date
    /// voter when `target` is node_none (thesis §3.10). The outcome arrives
    /// as a TransferResult.
    [[nodiscard]] TransferStart transfer_leadership(NodeId target);

    /// The host took a snapshot of its state machine through `index` (which
    /// it has applied): the log before it may go, keeping
    /// Config::trailing_log_entries behind it.
    [[nodiscard]] CompactError compact(Index index, Payload data);
    /// Whether Config::snapshot_threshold_entries have been applied since
    /// the latest snapshot (hashicorp's shouldSnapshot).
    [[nodiscard]] bool wants_snapshot() const noexcept;

    /// Starts an election now, as if the election timer had fired (etcd's
    /// Campaign); ignored by a non-voter or a leader.
    void campaign();

    [[nodiscard]] bool has_ready() const;
    /// Collects the pending batch. Must be followed by advance().
    [[nodiscard]] Ready ready();
    /// Tells the node the last Ready was fully handled (see ready.hpp).
    void advance();
    /// The same, handing the spent batch back so the node can reuse its
    /// buffers' capacity (never their contents): a host that does this
    /// spares an allocation or more per batch.
    void advance(Ready&& spent);

    // Observers.
    [[nodiscard]] NodeId id() const noexcept { return id_; }
    [[nodiscard]] Role role() const noexcept { return role_; }
    [[nodiscard]] Term term() const noexcept { return hard_state_.term; }
    [[nodiscard]] NodeId voted_for() const noexcept { return hard_state_.voted_for; }
    [[nodiscard]] NodeId leader_id() const noexcept { return leader_id_; }
    [[nodiscard]] const HardState& hard_state() const noexcept { return hard_state_; }
    [[nodiscard]] const Log& log() const noexcept { return log_; }
    [[nodiscard]] Index commit_index() const noexcept { return commit_index_; }
    [[nodiscard]] Index applied_index() const noexcept { return applied_index_; }
    [[nodiscard]] const Config& config() const noexcept { return config_; }
    /// The latest configuration in the log (in effect, committed or not).
    [[nodiscard]] const Configuration& configuration() const noexcept { return configuration_; }
    /// Its log index (0 if none).
    [[nodiscard]] Index configuration_index() const noexcept;
    /// The latest configuration at or below the commit index (empty if none).
    [[nodiscard]] const Configuration& committed_configuration() const noexcept;
    [[nodiscard]] Index committed_configuration_index() const noexcept;
    /// The latest snapshot (index 0 when there is none).
    [[nodiscard]] const Snapshot& snapshot() const noexcept { return snapshot_; }
    /// The target of the leadership transfer this node is running, if any.
    [[nodiscard]] NodeId transfer_target() const noexcept;
    [[nodiscard]] const NodeStats& stats() const noexcept { return stats_; }
    /// A leader's view of `peer`, or nullptr.
    [[nodiscard]] const Progress* progress(NodeId peer) const noexcept;
    [[nodiscard]] std::uint32_t randomized_election_timeout_ticks() const noexcept {
        return randomized_timeout_ticks_;
    }

    /// Full O(log length) check of every local invariant; the hot path does
    /// the O(1) part after every call. Returns false instead of asserting so
    /// fuzzers and tests can report.
    [[nodiscard]] bool invariants_hold() const noexcept;

  private:
    Node(const NodeOptions& options, Log log, HardState hard_state);

    // Roles (Raft paper §5.2, thesis §9.6 for pre-vote).
    void become_follower(Term term, NodeId leader);
    void become_pre_candidate();
    void become_candidate(bool leadership_transfer);
    void enter_term(Term term);
    void become_leader();
    void set_role(Role role);
    void set_leader(NodeId leader);
    void reset_election_timer();

    // Ticks.
    void tick_election();
    void tick_leader();
    void maybe_check_quorum();

    // Messages.
    [[nodiscard]] bool maybe_step_term(const Message& message);
    [[nodiscard]] RejectReason step_by_type(const Message& message);
    [[nodiscard]] RejectReason accept_leader(const Message& message);
    [[nodiscard]] RejectReason step_append_entries(const Message& message);
    [[nodiscard]] RejectReason step_append_entries_response(const Message& message);
    void step_request_vote(const Message& message);
    void step_request_pre_vote(const Message& message);
    void step_vote_response(const Message& message);
    void step_timeout_now(const Message& message);
    [[nodiscard]] bool vote_blocked_by_sticky_leader(const Message& message) const;
    /// Config::lease_reads with check_quorum: votes wait out a heartbeat
    /// timeout from the last word of a leader, or from a restart.
    [[nodiscard]] bool lease_guard() const noexcept;
    [[nodiscard]] bool known_candidate(NodeId candidate) const;
    /// Whether our vote rule lets `candidate` have our vote (Config::vote_rule).
    [[nodiscard]] bool may_vote_for(NodeId candidate) const;
    [[nodiscard]] Index conflict_hint(Index prev_log_index) const;
    [[nodiscard]] RejectReason maybe_append_entries(const Message& message);
    /// Answers `request` (an append_entries), echoing its read round.
    void send_append_response(const Message& request, bool success, Index match_index,
                              Index rejected_prev);

    // Leader replication.
    [[nodiscard]] bool maybe_send_append(NodeId peer, Progress& progress, bool allow_empty);
    void bcast_append();
    void bcast_heartbeat();
    void maybe_commit();
    [[nodiscard]] bool needs_append(const Progress& progress) const;
    void append_entry(Entry entry);
    [[nodiscard]] ProposeResult propose_entry(RequestId id, EntryType type, Payload data);
    /// After any input: a leader that saw its own removal commit steps
    /// down; a caught-up staging server is promoted.
    void after_input();
    void fail_pending_requests();

    // By rvalue reference: a Message is large, and every caller hands over
    // a temporary, so one move into the outbox is enough.
    void send(Message&& message);
    void campaign_now(bool leadership_transfer);
    void check_invariants_fast();

    // Membership (node_membership.cpp; thesis §4.1).
    void rebuild_configuration();
    void refresh_configuration();
    void note_configuration_appended(const Entry& entry);
    void forget_configurations_from(Index index);
    void sync_progress_with_configuration();
    [[nodiscard]] bool configuration_change_pending() const noexcept;
    [[nodiscard]] bool committed_in_term() const noexcept;
    [[nodiscard]] bool may_campaign() const noexcept;
    void maybe_promote_staging();
    void maybe_step_down_when_removed();
    [[nodiscard]] bool append_configuration(const Configuration& configuration);

    // Reads (node_read.cpp; thesis §6.4).
    [[nodiscard]] ReadError lease_read_refusal() const;
    [[nodiscard]] std::uint64_t quorum_read_round() const;
    void start_read_round();
    void note_read_ack(NodeId peer, std::uint64_t round);
    void maybe_confirm_reads();
    void release_reads(Index applied_through);
    void fail_pending_reads();
    void reset_reads();
    void restart_lease_rounds();
    [[nodiscard]] bool has_releasable_reads() const noexcept;

    // Leadership transfer (node_transfer.cpp; thesis §3.10).
    void tick_transfer();
    void maybe_send_timeout_now(bool resend);
    void on_transfer_leader_known(NodeId leader);
    void on_transfer_role_lost();
    void finish_transfer(TransferOutcome outcome, Term term);
    [[nodiscard]] NodeId most_up_to_date_voter() const;

    // Snapshots (node_snapshot.cpp; §7).
    [[nodiscard]] RejectReason step_install_snapshot(const Message& message);
    [[nodiscard]] RejectReason step_install_snapshot_response(const Message& message);
    void send_snapshot(NodeId peer, Progress& progress);
    void install_snapshot(const Message& message);
    void send_snapshot_response(NodeId to, Index match_index);

    NodeId id_ = node_none;
    Config config_;
    Prng prng_;

    HardState hard_state_;
    /// The hard state last handed to the host in a Ready.
    HardState written_hard_state_;
    Log log_;
    /// Invariant: applied_index_ <= commit_index_ <= log_.last_index().
    Index commit_index_ = 0;
    /// Highest index handed to the host in committed_entries.
    Index applied_index_ = 0;
    /// Latest configuration in the log (thesis §4.1: in effect when appended);
    /// a copy of configurations_.back().
    Configuration configuration_;
    struct ConfigurationAt {
        Index index = 0;
        Configuration configuration{};
    };
    /// Every configuration entry still in the log, ascending by index, after
    /// the snapshot's configuration (which may lie below the log's start).
    /// Usually one or two entries: it is trimmed on compaction.
    std::vector<ConfigurationAt> configurations_;
    [[nodiscard]] const ConfigurationAt* configuration_at(Index index) const noexcept;
    /// The latest snapshot; index 0 = none.
    Snapshot snapshot_;
    /// Snapshot and compaction not yet handed to the host in a Ready.
    bool snapshot_unwritten_ = false;
    bool restore_unwritten_ = false;
    std::optional<LogCompaction> compaction_unwritten_;
    /// Leader: the index of its first entry of its term (the no-op).
    Index term_start_index_ = 0;

    struct Transfer {
        NodeId target = node_none;
        Term started_term = 0;
        std::uint32_t elapsed_ticks = 0;
        bool timeout_now_sent = false;
    };
    /// The leadership transfer in progress; kept after stepping down until
    /// the new leader is known or it times out.
    std::optional<Transfer> transfer_;
    std::vector<TransferResult> transfer_results_;

    Role role_ = Role::follower;
    NodeId leader_id_ = node_none;
    std::optional<NodeId> reported_leader_id_;
    std::uint32_t election_elapsed_ticks_ = 0;
    /// Ticks since a leader of our term was last heard (saturating; a fresh
    /// or restarted node has heard nobody): the thesis rule's stickiness.
    std::uint32_t leader_contact_elapsed_ticks_ = std::numeric_limits<std::uint32_t>::max();
    std::uint32_t randomized_timeout_ticks_ = 0;
    std::uint32_t heartbeat_elapsed_ticks_ = 0;
    std::uint32_t commit_elapsed_ticks_ = 0;
    /// Ticks since this node became leader; the clock of the leader lease.
    std::uint64_t leader_ticks_ = 0;
    /// Set when this node campaigns because of TimeoutNow.
    bool campaign_is_transfer_ = false;

    /// Votes received in the current (pre-)election, by voter. std::map keeps
    /// iteration order stable.
    std::map<NodeId, bool> votes_;
    /// The leader's view of each other server (empty unless leader).
    std::map<NodeId, Progress> progress_;
    struct PendingRead {
        RequestId id = 0;
        Index read_index = 0;
        /// The heartbeat round that confirms it; 0 until the round starts
        /// (at the next Ready, so reads between two share one round).
        std::uint64_t round = 0;
        bool confirmed = false;
    };
    /// Reads awaiting confirmation or application, in arrival order.
    std::deque<PendingRead> pending_reads_;
    std::vector<ReadResult> read_results_;
    /// Leader: its latest heartbeat round this term (0: none yet).
    std::uint64_t read_round_ = 0;
    /// A read waits for a round that has not started yet.
    bool read_round_wanted_ = false;
    /// Leader: the latest round each peer echoed this term.
    std::map<NodeId, std::uint64_t> read_acks_;
    struct RoundStart {
        std::uint64_t round = 0;
        std::uint64_t leader_tick = 0;
    };
    /// Leader with lease reads: when each recent round started, ascending.
    std::deque<RoundStart> round_starts_;
    /// Rounds below this one were sent to another set of voters: they
    /// grant no lease.
    std::uint64_t lease_round_floor_ = 1;
    /// This leader started a transfer in its term.
    bool lease_revoked_ = false;

    /// Proposals awaiting commitment, ascending by index. A deque: they
    /// complete from the front, often thousands at a time.
    std::deque<RequestResult> pending_requests_;

    // The batch being assembled for the next Ready.
    std::vector<Message> outbox_;
    std::vector<RequestResult> results_;
    std::vector<RoleChange> role_changes_;
    /// A Ready was handed out and advance() has not been called yet.
    bool ready_outstanding_ = false;
    Index ready_written_through_ = 0;
    Index ready_applied_through_ = 0;

    // Previous values for the "never decreases" invariants.
    Term checked_term_ = 0;
    Index checked_commit_index_ = 0;

    NodeStats stats_;
};

}  // namespace raftsim::core
