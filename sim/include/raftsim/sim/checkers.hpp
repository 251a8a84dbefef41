#pragma once
// Online safety checkers. The simulator reports every relevant event; the
// first violation stops the run and names the checker, the kind of breach,
// the nodes and the time. Online checks cost O(1) per entry (log matching:
// O(distinct terms ever seen at that index)): each node's log is mirrored as
// a chain of hashes (entry i's hash covers entries 1..i), so "these two logs
// agree up to i" is one comparison.
//
// The end-of-run checks (hashicorp fuzzy's VerifyLog / VerifyFSM) compare
// whole logs and state machines of the surviving members.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "raftsim/core/message.hpp"
#include "raftsim/core/ready.hpp"
#include "raftsim/sim/fsm.hpp"
#include "raftsim/sim/host.hpp"
#include "raftsim/sim/kv/kv_store.hpp"
#include "raftsim/sim/node_table.hpp"
#include "raftsim/sim/term_table.hpp"
#include "raftsim/sim/time.hpp"
#include "raftsim/sut/system.hpp"

namespace raftsim::sim {

enum class Checker : std::uint8_t {
    election_safety,       // at most one leader per term (§5.2)
    transport,             // fuzzy/verifier.go: AE sender is the leader it names; one per term
    leader_append_only,    // a leader never overwrites or deletes its entries (§5.3)
    log_matching,          // same (index, term) => same prefix (§5.3)
    leader_completeness,   // a new leader holds every committed entry (§5.4)
    state_machine_safety,  // no two nodes apply different entries at one index (§5.4.3)
    fsm_apply_order,       // fsm.go: applied indexes rise, terms never fall
    client_apply,          // a successful apply is the entry committed at its index
    liveness,              // a leader / convergence within the scenario's deadline
    convergence,           // VerifyLog / VerifyFSM at the end of a run
    core_assert,           // the core's own always-on invariants
    leader_lease,          // a leader cut off from a quorum steps down within its lease
    replication_progress,  // a leader's match_index for a follower never decreases (Fig. 2)
    membership,            // one change at a time, after a commit in term; removed leaders go
    commit_quorum,         // a leader commits only what a majority of its voters acknowledged
    leadership_transfer,   // a transfer reported completed made its target leader
    snapshot,              // snapshots hold committed state and never roll a node back
    limit,                 // not a Raft property: the run stayed within its bounds (RunLimits)
    durability,            // votes and acknowledged entries survive: Figure 2's stable storage
    node_progress,         // a node's commit index and applied prefix never move back (Fig. 2)
    claims,                // what a node says in a message matches what its log holds
    linearizability,       // the clients' history is linearizable (Herlihy & Wing)
    storage,               // a node's disk writes keep a valid log (Figure 2, §7)
};

inline constexpr std::uint8_t checker_count = 23;

[[nodiscard]] std::string_view to_string(Checker checker) noexcept;
/// "{1 voter, 4 nonvoter, 6 staging}": a configuration in a violation's detail.
[[nodiscard]] std::string describe(const core::Configuration& configuration);

/// What kind of rule a checker enforces (docs/invariants.md).
enum class CheckerLabel : std::uint8_t {
    /// A Raft safety or liveness property every correct implementation keeps.
    universal,
    /// A rule of hashicorp/raft's design (or of our core's API) that another
    /// correct implementation may not share.
    semantics,
    /// Not a property of the system under test: the harness's own bounds,
    /// or the core's internal assertions.
    harness,
};

[[nodiscard]] CheckerLabel label_of(Checker checker) noexcept;
[[nodiscard]] std::string_view to_string(CheckerLabel label) noexcept;

struct Violation {
    Checker checker = Checker::election_safety;
    /// A short stable name for the kind of breach ("two_leaders_in_term").
    std::string kind;
    /// What happened, with nodes, terms and indexes.
    std::string detail;
    TimeUs time = 0;
    core::NodeId node = 0;
};

/// A node's log as the checkers see it: per entry its term and chain hash.
struct LogMirror {
    std::vector<core::Term> terms;
    std::vector<std::uint64_t> chains;
    /// The node's commit index as of its last handled Ready.
    core::Index commit_index = 0;
    struct ConfigurationAt {
        core::Index index = 0;
        core::Configuration configuration{};
    };
    /// Configuration entries in the log (and the snapshot's), ascending.
    std::vector<ConfigurationAt> configurations;

    [[nodiscard]] core::Index last_index() const noexcept { return terms.size(); }
    [[nodiscard]] std::uint64_t chain_at(core::Index index) const noexcept;
};

/// A member's final state, for VerifyLog / VerifyFSM.
struct MemberState {
    core::NodeId id = 0;
    std::string name;
    /// The durable log: entries after log_base_index (the rest is in a snapshot).
    const std::vector<core::Entry>* log = nullptr;
    core::Index log_base_index = 0;
    const HashChainFsm* fsm = nullptr;
    /// The key-value store, when the servers run one (else nullptr).
    const KvStore* kv = nullptr;
};

/// A client request that reported success, as recorded by the client.
struct ClientSuccess {
    core::Index index = 0;
    core::Payload data;
};

class Checkers {
  public:
    /// The semantics the system under test declared (sut::Semantics).
    void set_semantics(const sut::Semantics& semantics) { semantics_ = semantics; }

    [[nodiscard]] std::uint64_t entry_hash(std::uint64_t previous_chain,
                                           const core::Entry& entry) const;

    void on_send(const core::Message& message, TimeUs now);
    /// A message the network hands to its addressee (before it receives it).
    void on_deliver(const core::Message& message, TimeUs now);
    void on_role_change(core::NodeId node, const core::RoleChange& change, TimeUs now);
    /// The node, now in `term`, wrote `entries` (truncating from
    /// entries.front().index).
    void on_log_write(core::NodeId node, core::Term term, const std::vector<core::Entry>& entries,
                      TimeUs now);
    /// The same, for histories that do not track terms (no acknowledgement
    /// is ever of term 0, so the acknowledged-entry check stays out).
    void on_log_write(core::NodeId node, const std::vector<core::Entry>& entries, TimeUs now) {
        on_log_write(node, 0, entries, now);
    }
    /// The node's commit index as of a Ready, reported before that Ready's
    /// messages are sent and its committed entries applied.
    void on_commit_index(core::NodeId node, core::Index commit_index, TimeUs now = 0);
    /// The node handed its hard state (term, vote) to storage (not yet synced).
    void on_hard_state(core::NodeId node, const core::HardState& hard_state, TimeUs now);
    /// Everything the node handed to storage so far is durable (fsync returned).
    /// The node's hard state and its log below `unsynced_from` (0: all of
    /// it) are durable; later log writes are not (a pipelined disk).
    void on_durable(core::NodeId node, core::Index unsynced_from);
    void on_sync(core::NodeId node);
    /// The node crashed; `fate` says what became of its unsynced writes.
    /// The restart audit then demands what was synced before, never more:
    /// after a torn crash the node may also find a prefix of the rest.
    void on_crash(core::NodeId node, UnsyncedWrites fate);
    /// With `lose_unsynced` its unsynced writes are gone, else all kept.
    void on_crash(core::NodeId node, bool lose_unsynced) {
        on_crash(node, lose_unsynced ? UnsyncedWrites::lost : UnsyncedWrites::kept);
    }
    /// The harness wiped the (crashed) node's disk. The restart audit
    /// expects nothing of it then, and its acknowledgements no longer vouch
    /// for a log. `sanctioned`: it was out of the committed configuration,
    /// so it rejoins as a new server and its vote history goes too, as do
    /// the replies of its old self that leaders of `removed_term` or later
    /// received (the term of the leader that reported its removal committed;
    /// 0 for a server never in a committed configuration).
    void on_wipe(core::NodeId node, bool sanctioned, core::Term removed_term);
    /// The node's log was rebuilt from durable state (restart): its snapshot
    /// (if any) and the entries after `base_index`. With `hard_state`, the
    /// restart audit checks that nothing synced was lost.
    void on_log_reset(core::NodeId node, const std::optional<core::Snapshot>& snapshot,
                      core::Index base_index, const std::vector<core::Entry>& entries,
                      const std::optional<core::HardState>& hard_state = std::nullopt,
                      TimeUs now = 0);
    void on_log_reset(core::NodeId node, const std::vector<core::Entry>& entries) {
        on_log_reset(node, std::nullopt, 0, entries);
    }
    /// The configuration the node says is in effect (an optional observation:
    /// hashicorp's semantics, the latest configuration entry it holds).
    void on_configuration(core::NodeId node, const core::Configuration& configuration, TimeUs now);
    /// The node stored `snapshot`; `restore` when it replaced its state
    /// machine (an InstallSnapshot), `discard_all` when its log went too.
    void on_snapshot(core::NodeId node, const core::Snapshot& snapshot, bool restore,
                     bool discard_all, TimeUs now);
    /// A leader's commit index after a handled Ready, with its latest
    /// configuration: a majority of its voters must have acknowledged it.
    void on_leader_commit(core::NodeId leader, core::Term term, core::Index commit_index,
                          TimeUs now);
    /// A leader wrote configuration entries: at most one may be uncommitted,
    /// and only after the leader committed an entry of its term.
    void on_leader_configuration(core::NodeId leader, core::Term term, core::Index index,
                                 core::Index commit_index, TimeUs now);
    void on_transfer_result(core::NodeId node, const core::TransferResult& result, TimeUs now);
    /// A node still leads after a handled Ready: its committed configuration
    /// (as mirrored) must keep it a voter.
    void on_leader_ready(core::NodeId leader, core::Term term, TimeUs now);
    void on_apply(core::NodeId node, const core::Entry& entry, TimeUs now);
    void on_fsm_order_violation(core::NodeId node, const core::Entry& entry,
                                const HashChainFsm& fsm, TimeUs now);
    void on_client_success(core::Index index, const core::Payload& data, TimeUs now);
    /// A leader's view of a follower after a handled Ready.
    void on_progress(core::NodeId leader, core::Term term, core::NodeId peer,
                     core::Index match_index, TimeUs now);

    /// The leader stopped replicating to `peer` (it left the configuration).
    void forget_progress(core::NodeId leader, core::NodeId peer) {
        match_seen_.erase({leader, peer});
    }

    /// End of run: every member's log and FSM equal, and every success present.
    void verify_log(const std::vector<MemberState>& members, std::uint64_t apply_count,
                    const std::vector<ClientSuccess>& successes, TimeUs now);
    void verify_fsm(const std::vector<MemberState>& members, TimeUs now);

    void fail(Violation violation);
    [[nodiscard]] const std::optional<Violation>& violation() const noexcept { return violation_; }
    [[nodiscard]] bool failed() const noexcept { return violation_.has_value(); }

    [[nodiscard]] const LogMirror& mirror(core::NodeId node) { return logs_[node]; }
    /// The term of the node's latest hard-state write (on_hard_state).
    [[nodiscard]] core::Term term_of(core::NodeId node) { return durable_[node].issued.term; }
    [[nodiscard]] core::Index committed_index_max() const noexcept { return committed_.size(); }
    /// The highest index known committed in a term below `term` (applied
    /// by some node while it was in a lower term); 0 if none.
    [[nodiscard]] core::Index committed_before_term(core::Term term) const noexcept;

  private:
    struct IndexClaim {
        core::Term term = 0;
        std::uint64_t chain = 0;
        core::NodeId node = 0;
    };
    struct Committed {
        std::uint64_t chain = 0;
        std::uint64_t data_hash = 0;
        core::Term term = 0;
        core::NodeId node = 0;
        /// The lowest term a node was in when it applied the entry: at or
        /// above the term the entry committed in.
        core::Term applied_term = 0;
    };

    /// Per node: what it handed to storage and what is durable.
    struct DurableView {
        core::HardState issued{};
        core::HardState durable{};
        /// The lowest log index written since the last sync (none: 0).
        core::Index unsynced_from = 0;
        /// At the last crash: the log prefix that was durable, for the
        /// restart audit (index 0: nothing to check).
        core::Index synced_through = 0;
        std::uint64_t synced_chain = 0;
        /// The last crash was torn: the restart may find writes issued
        /// after the last sync too (a prefix of them).
        bool torn = false;
        /// The last index applied in this incarnation (or restored from a
        /// snapshot).
        core::Index applied = 0;
        /// Whether the node reported a commit index in this incarnation: the
        /// apply-order audits start then (a host reports one with every
        /// Ready; crafted histories about other rules may not).
        bool commit_reported = false;
    };

    void violate(Checker checker, std::string_view kind, std::string detail, TimeUs now,
                 core::NodeId node);
    [[nodiscard]] bool check_envelope(const core::Message& message, TimeUs now);
    [[nodiscard]] bool check_acknowledgement(const core::Message& message, TimeUs now);
    void check_entry_terms(core::NodeId node, core::Term term,
                           const std::vector<core::Entry>& entries, TimeUs now);
    void check_vote_grant(const core::Message& message, TimeUs now);
    void check_pre_vote_grant(const core::Message& message, TimeUs now);
    void check_vote_request(const core::Message& message, TimeUs now);
    void check_voter_log(const core::Message& grant, TimeUs now);
    void check_append_claims(const core::Message& message, TimeUs now);
    void check_vote_quorum(core::NodeId node, const core::RoleChange& change, TimeUs now);
    [[nodiscard]] bool sole_voter(core::NodeId node);
    void check_self_vote(core::NodeId node, core::Term term, std::string_view act, TimeUs now);
    void check_campaign_suffrage(core::NodeId node, const core::RoleChange& change, TimeUs now);
    void check_promotions(core::NodeId leader, core::Term term, const core::Configuration& previous,
                          const core::Configuration& current, core::Index commit_index, TimeUs now);
    void check_committed_kept(core::NodeId node, core::Term term, core::Index first,
                              const std::vector<core::Entry>& entries, TimeUs now);
    void check_restart(core::NodeId node, const core::HardState& hard_state, TimeUs now);
    void check_snapshot_keeps_suffix(core::NodeId node, const core::Snapshot& snapshot, TimeUs now);
    void check_apply_progress(core::NodeId node, const core::Entry& entry, TimeUs now);
    void check_snapshot_configuration(core::NodeId node, const core::Snapshot& snapshot,
                                      TimeUs now);
    void check_log_matching(core::NodeId node, core::Index index, TimeUs now);
    void check_client_success(core::Index index, std::uint64_t data_hash, TimeUs now);
    void append_mirror(LogMirror& log, const core::Entry& entry);
    [[nodiscard]] bool verify_member_log(const MemberState& member, const MemberState& reference,
                                         std::uint64_t apply_count, TimeUs now);
    void fill_committed_prefix(core::NodeId node, LogMirror& log, core::Index through, TimeUs now);

    std::optional<Violation> violation_;
    NodeTable<DurableView> durable_;
    /// The term each node began to lead as a sole voter without a vote
    /// (Semantics::sole_voter_leads_without_election).
    NodeTable<core::Term> unvoted_leader_term_;
    /// Granted votes (and pre-votes) sent, per (candidate, term): the voters.
    TermTable<std::vector<core::NodeId>> votes_granted_;
    TermTable<std::vector<core::NodeId>> pre_votes_granted_;
    /// The candidate each voter granted its vote to, per (voter, term),
    /// across crashes and unsanctioned wipes (Figure 2: one vote per term).
    TermTable<core::NodeId> votes_cast_;
    /// The (last log index, last log term) each candidate's latest
    /// RequestVote of a term claimed, per (candidate, term); `claims` has
    /// checked it against the candidate's log.
    TermTable<std::pair<core::Index, core::Term>> vote_claims_;
    /// For RequestPreVote, per (pre-candidate, the term it asks about): the
    /// most up-to-date claim of that term's rounds (a late grant may answer
    /// any of them).
    TermTable<std::pair<core::Index, core::Term>> pre_vote_claims_;
    /// Per term: the node that sent AppendEntries or InstallSnapshot in it
    /// (transport makes sure there is one), the only one a success reply
    /// of that term may go to.
    std::map<core::Term, core::NodeId> replicator_of_term_;
    /// Success replies sent to a node that had not replicated in their term:
    /// (follower, addressee, term, match). Harmless unless one reaches the
    /// leader of that term (checked in on_deliver).
    std::set<std::tuple<core::NodeId, core::NodeId, core::Term, core::Index>> unsolicited_acks_;
    /// TimeoutNow sent, per (target, term): the target may skip pre-vote.
    std::set<std::pair<core::NodeId, core::Term>> timeout_now_sent_;
    std::map<core::Term, core::NodeId> leader_of_term_;
    std::map<core::Term, core::NodeId> append_sender_of_term_;
    NodeTable<core::Role> role_of_;
    /// The term each node last became leader in.
    NodeTable<core::Term> leader_term_of_;
    struct MatchSeen {
        core::Term term = 0;
        core::Index match_index = 0;
    };
    NodePairTable<MatchSeen> match_seen_;
    /// Per (leader, follower): the highest match of the success replies the
    /// leader received, in the latest term of one.
    NodePairTable<MatchSeen> delivered_acks_;
    /// Per follower: the highest index it acknowledged, and in which term.
    NodeTable<MatchSeen> acknowledged_;
    /// Per (follower, term): the highest index it acknowledged in that term.
    TermTable<core::Index> acknowledged_in_term_;

    NodeTable<LogMirror> logs_;
    /// The (term, chain) pairs any node has held at each index: the first
    /// one at index i in first_claims_[i-1] (node_none: none yet), any with
    /// another term after it in later_claims_, in the order seen. Nearly
    /// every index has one term only, so this spends no allocation on it.
    std::vector<IndexClaim> first_claims_;
    std::multimap<core::Index, IndexClaim> later_claims_;
    /// committed_[i-1]: the entry applied at index i, once anyone applied it.
    std::vector<std::optional<Committed>> committed_;
    /// Successful client applies not yet checked against a committed entry.
    std::map<core::Index, std::uint64_t> expected_data_hash_;
    sut::Semantics semantics_{};
};

/// 64-bit FNV-1a of a byte string.
[[nodiscard]] std::uint64_t hash_bytes(const core::Payload& bytes) noexcept;

}  // namespace raftsim::sim
