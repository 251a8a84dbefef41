// canonical/raft 0.15 as a system: what it declares about itself. Each
// field is justified from its sources in docs/adapters.md.
#include "raftsim/sut/canonical/canonical_system.hpp"

#include "canonical_node.hpp"

namespace raftsim::sut::canonical {
namespace {

class CanonicalSystem final : public System {
  public:
    [[nodiscard]] std::string_view name() const override { return "canonical"; }
    [[nodiscard]] std::string_view description() const override {
        return "canonical/raft (libraft), driven through its raft_io";
    }
    // pkg-config's version of the libraft this build links (sut/meson.build):
    // the same adapter builds against 0.15 and later releases, and reports
    // whichever it has.
    [[nodiscard]] std::string_view version() const override { return RAFTSIM_CANONICAL_VERSION; }
    [[nodiscard]] const Durability& durability() const override { return durability_; }
    [[nodiscard]] const Capabilities& capabilities() const override { return capabilities_; }
    [[nodiscard]] const Semantics& semantics() const override { return semantics_; }
    [[nodiscard]] std::optional<std::string> unsupported(const core::Config&) const override {
        return std::nullopt;
    }
    [[nodiscard]] std::unique_ptr<Node> bootstrap(
        Env& env, const NodeSetup& setup, const core::Configuration& configuration) const override {
        return std::make_unique<CanonicalNode>(env, setup, &configuration);
    }
    // The library reads its durable state back through io->load, from the
    // same storage `durable` was taken from.
    [[nodiscard]] std::unique_ptr<Node> restart(Env& env, const NodeSetup& setup,
                                                core::DurableState) const override {
        return std::make_unique<CanonicalNode>(env, setup, nullptr);
    }

  private:
    // Sends before its own append is durable (replication.c: appendLeader,
    // then triggerAll); set_term/set_vote durable on return (F5, F6).
    Durability durability_{.persist_before_send = false,
                           .synchronous_hard_state = true,
                           .pipelined_log_writes = true,
                           .leader_sends_before_durable = true};
    // Check-quorum always on (tick.c); snapshots on its own threshold
    // only; its vote rule is its own (F10).
    Capabilities capabilities_{.pre_vote = true,
                               .check_quorum_optional = false,
                               .nonvoters = true,
                               .staging = true,
                               .leadership_transfer = true,
                               .snapshot_on_demand = false,
                               .vote_rules = false,
                               // raft.h 0.15 offers raft_barrier only: reads
                               // go through the log (an entry or a barrier).
                               .read_index = false,
                               .lease_reads = false};
    // No no-op at election (F9).
    // 0.15's replicationQuorum commits any entry a majority stores whose
    // term is at most the leader's (replication.c): Figure 8's rule does
    // not hold -- a bug, fixed upstream in 0.17.1 (524f735, PR #336;
    // fuzz/findings/canonical). Declared so sweeps look past the rule to
    // its consequences, which every checker still sees.
    Semantics semantics_{.noop_on_election = false,
                         .commits_only_own_term = false,
                         .lease_election_timeouts = 2,
                         // membership.c refuses a change only while one is
                         // uncommitted or a promotion runs, never for want
                         // of a commit in the leader's term -- 0.18.1 too.
                         // A bug (findings: change-before-commit-in-term),
                         // declared so that this rule does not stop every
                         // run that meets it before the universal checkers
                         // see what it leads to, or before other findings.
                         .changes_after_commit_in_term = false,
                         // raft_assign promotes after catch-up rounds
                         // (thesis §4.2.1), not at the commit index.
                         .promotes_once_caught_up = false,
                         .configuration_in_effect_when_durable = true,
                         .replicates_to_staging = false,
                         .sole_voter_leads_without_election = true,
                         // recv_append_entries.c: rejected = prev_log_index.
                         .refusal_may_read_as_success = true};
};

}  // namespace

const System& system() noexcept {
    static const CanonicalSystem instance;
    return instance;
}

}  // namespace raftsim::sut::canonical
