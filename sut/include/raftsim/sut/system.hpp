#pragma once
// A system under test: the Raft implementation the simulator drives, with
// what it declares about itself -- its durability and ordering contract,
// the scenario steps it can perform, and the semantics the checkers hold it
// to (docs/adapters.md says what each field means and how to justify it).

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "raftsim/sut/node.hpp"

namespace raftsim::sut {

/// When writes become durable and what may be sent before they are: a
/// declaration the adapter carries out with sut::Storage's operations. The
/// checkers enforce only the universal part (a vote or an acknowledgement
/// rests on durable state), and a crash loses exactly what is unsynced (or,
/// torn, all but a prefix of it).
struct Durability {
    /// Every write a node issues is durable before any message or effect
    /// resting on it leaves the node, and the node handles no input
    /// meanwhile (hashicorp's persist-before-send; our core).
    bool persist_before_send = true;
    /// Term and vote are durable when the write returns (canonical/raft's
    /// synchronous set_term and set_vote).
    bool synchronous_hard_state = false;
    /// Several log writes may be outstanding; they complete in the order
    /// they were issued.
    bool pipelined_log_writes = false;
    /// A leader may send entries its own disk has not made durable yet
    /// (thesis §10.2.1); it counts itself in a commit quorum only once they are.
    bool leader_sends_before_durable = false;
};

/// The scenario steps and settings a system can perform. A scenario asking
/// for one it lacks is skipped with the reason, never passed.
struct Capabilities {
    bool pre_vote = true;
    /// Check-quorum can be switched off (canonical/raft: always on).
    bool check_quorum_optional = true;
    bool nonvoters = true;
    /// Staging servers (a voter-to-be catching up before it counts).
    bool staging = true;
    bool leadership_transfer = true;
    /// A snapshot taken on the host's request (take_snapshot).
    bool snapshot_on_demand = true;
    /// The thesis vote rule (Config::vote_rule) as well as hashicorp's.
    bool vote_rules = true;
    /// ReadIndex reads (Node::read, core::ReadMode::read_index).
    bool read_index = true;
    /// Lease reads (core::ReadMode::lease, Config::lease_reads).
    bool lease_reads = true;
};

/// A capability by name, for listings (`raftsim run --list-suts`) and for
/// the reasons a scenario is skipped (scenarios/requirements.hpp).
struct CapabilityInfo {
    bool Capabilities::*field = nullptr;
    /// The field's name ("leadership_transfer").
    std::string_view name;
    /// What it is, in words ("leadership transfer").
    std::string_view meaning;
};

/// Every capability, in the order Capabilities declares them.
[[nodiscard]] std::span<const CapabilityInfo> capability_info() noexcept;

/// "pre_vote, nonvoters, ..." (the ones it has), or "none".
[[nodiscard]] std::string describe(const Capabilities& capabilities);
/// The ones it lacks, the same way.
[[nodiscard]] std::string describe_missing(const Capabilities& capabilities);
/// The durability contract in words: "persist before send, ...".
[[nodiscard]] std::string describe(const Durability& durability);

/// What the semantics checkers and the host's final checks expect, each one
/// justified per system in docs/adapters.md. The universal checkers hold
/// for every system.
struct Semantics {
    /// A new leader appends an entry of its own term (thesis §6.4's no-op),
    /// so earlier entries commit without client traffic. Without it,
    /// verify() commits one command before waiting for the logs to settle.
    bool noop_on_election = true;
    /// A leader commits by counting replicas only an entry of its own term
    /// (§5.4.2, Figure 8); commit_quorum/commit_of_earlier_term_entry holds
    /// it to that. A system declared without it is still held to what
    /// breaking it leads to: diverging logs and state machines, lost
    /// committed entries (docs/adapters.md says which system and why).
    bool commits_only_own_term = true;
    /// How long a leader may go without hearing from a quorum before it
    /// must have stepped down (the leader_lease checker): 0 means the
    /// scenario's leader lease (hashicorp's LeaderLeaseTimeout); N means N
    /// election timeouts (canonical/raft checks contact once per election
    /// timeout, so a quorum last heard just after one check is judged two
    /// checks later).
    std::uint32_t lease_election_timeouts = 0;
    /// A leader appends a configuration only once an entry of its own term
    /// committed (thesis §4.1, the fix to single-server changes);
    /// membership/change_before_commit_in_term holds it to that. Without
    /// it, the other one-at-a-time rules still hold.
    bool changes_after_commit_in_term = true;
    /// A leader promotes a staging server to voter only once that server
    /// has acknowledged, in the leader's term, every entry through the
    /// leader's commit index (hashicorp's staging design);
    /// membership/promoted_before_caught_up holds it to that. Without it
    /// (another catch-up rule, such as thesis §4.2.1's rounds, which may
    /// promote a server still missing the last round's entries), the quorum
    /// checkers still judge every commit under the promoted configuration.
    bool promotes_once_caught_up = true;
    /// A server uses the latest configuration in its log once that entry is
    /// appended (thesis §4.1, hashicorp). With this set, a follower adopts
    /// it only once its write is durable, and the one before stays in
    /// effect meanwhile (canonical/raft's appendFollowerCb);
    /// membership/configuration_in_effect_differs then accepts either.
    bool configuration_in_effect_when_durable = false;
    /// A leader replicates to staging servers, so they keep up and take
    /// part in the cluster's liveness (hashicorp's staging). Without it
    /// (canonical's spares get entries only while being promoted,
    /// replication.c), a staging server counts as a member -- for the
    /// calm period's stable leader, the final settle and verify -- only
    /// once it holds a replicated role.
    bool replicates_to_staging = true;
    /// A server that is the only voter of its configuration leads by
    /// holding an election: a new term and its own vote (§5.2). Without it
    /// (canonical/raft: convertToCandidate makes a sole voter leader in its
    /// current term, with no vote, at start and after every restart),
    /// election_safety/self_vote_missing is not raised for a sole voter,
    /// and the checkers look at what it leads to instead: two leaderships
    /// of one term may write different entries at one index and term.
    bool sole_voter_leads_without_election = false;
    /// Every success reply answers AppendEntries the receiver accepted, so
    /// one sent to a node that did not replicate in its term is a breach at
    /// once (claims/acknowledged_to_non_leader). With this set (canonical:
    /// a result has no success flag, a refusal carries rejected =
    /// prev_log_index, so refusing a stale request with prev_log_index 0
    /// reads as a success), such a reply is a breach only if it reaches the
    /// leader of its term, the one node that would count it.
    bool refusal_may_read_as_success = false;
};

class System {
  public:
    virtual ~System() = default;
    [[nodiscard]] virtual std::string_view name() const = 0;
    /// One line for `--sut` listings and reports.
    [[nodiscard]] virtual std::string_view description() const = 0;
    /// The version of the implementation this build drives ("0.15.0"),
    /// numeric dotted where the build knows it: a scenario's expected
    /// failure with `fixed_in` holds only below it (scenarios/expect.hpp).
    [[nodiscard]] virtual std::string_view version() const = 0;
    [[nodiscard]] virtual const Durability& durability() const = 0;
    [[nodiscard]] virtual const Capabilities& capabilities() const = 0;
    [[nodiscard]] virtual const Semantics& semantics() const = 0;
    /// Why the system cannot run with these settings (empty: it can).
    [[nodiscard]] virtual std::optional<std::string> unsupported(
        const core::Config& config) const = 0;

    /// A bootstrap voter holding `configuration` at index 1; the host makes
    /// what it wrote durable before the run starts (hashicorp's
    /// BootstrapCluster).
    [[nodiscard]] virtual std::unique_ptr<Node> bootstrap(
        Env& env, const NodeSetup& setup, const core::Configuration& configuration) const = 0;
    /// A restart from what its storage holds durably (empty for a new
    /// server that waits to hear from a leader).
    [[nodiscard]] virtual std::unique_ptr<Node> restart(Env& env, const NodeSetup& setup,
                                                        core::DurableState durable) const = 0;
};

}  // namespace raftsim::sut
