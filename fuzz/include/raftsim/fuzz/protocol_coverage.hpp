#pragma once
// Protocol coverage: abstract Raft states a run reaches, as counters a
// fuzzer can treat like code coverage (issue 14 §6; the idea of
// model-guided fuzzers such as ModelFuzz). An input that reaches a new
// abstract state -- a leader elected two terms above anything seen, a
// follower that truncates a conflicting suffix while a snapshot is present,
// a leader whose follower's match index is above its commit -- is kept even
// when it runs no new line of code.
//
// Everything is computed from the observation stream (sim::Observer), never
// from a node's internals, so the same counters work for any implementation
// that produces the stream. Values are bucketed (log2-style gaps, small
// counts) so the feature set stays a few hundred reachable states, and the
// states read per Ready (commit index, configuration, progress) count only
// when they change, so a counter says how often a state was entered.
//
// Feature families (docs/fuzzing.md, "Protocol coverage"):
//   role_change     from role x to role x term vs the highest term seen
//   commit          role x (last index - commit) x commit vs the highest commit
//   progress        match vs leader commit x match vs leader last index x peer state
//   log_write       tail term count x write kind x entries dropped x snapshot x role
//   configuration   own suffrage x uncommitted config entries x role x voters
//   send            message type x sender role x term vs highest x granted/success
//   apply, crash, restart, snapshot, hard_state, leaders (at an election)

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "raftsim/sim/observer.hpp"

namespace raftsim::fuzz {

class ProtocolCoverage final : public sim::Observer {
  public:
    /// Counter slots: every feature id is below this (a static_assert in
    /// protocol_coverage.cpp checks the families fit).
    static constexpr std::size_t capacity = 2048;

    /// Forgets every node and zeroes the counters: call between runs.
    void reset();
    /// One saturating counter per feature: how often the run entered it.
    [[nodiscard]] std::span<const std::uint8_t> counters() const noexcept { return counters_; }
    /// The features reached, ascending.
    [[nodiscard]] std::vector<std::size_t> features() const;

    void on_role_change(core::NodeId node, const core::RoleChange& change) override;
    void on_hard_state(core::NodeId node, const core::HardState& hard_state) override;
    void on_log_write(core::NodeId node, const std::vector<core::Entry>& entries) override;
    void on_commit_index(core::NodeId node, core::Index commit_index) override;
    void on_apply(core::NodeId node, const core::Entry& entry) override;
    void on_send(const core::Message& message) override;
    void on_snapshot(core::NodeId node, const core::Snapshot& snapshot, bool restore,
                     bool discard_all) override;
    void on_crash(core::NodeId node) override;
    void on_restart(core::NodeId node, const std::optional<core::Snapshot>& snapshot,
                    const std::vector<core::Entry>& entries) override;
    void on_configuration(core::NodeId node, const core::Configuration& configuration) override;
    void on_progress(core::NodeId leader, core::NodeId peer, core::Index match_index) override;

  private:
    /// What the stream has told us about one node.
    struct NodeView {
        core::Role role = core::Role::follower;
        core::Term term = 0;
        bool up = true;
        /// The log: entry base_index + i + 1 has term terms[i].
        core::Index base_index = 0;
        std::vector<core::Term> terms;
        bool has_snapshot = false;
        core::Index commit_index = 0;
        /// Indexes of the configuration entries in the log.
        std::vector<core::Index> configuration_indexes;
        /// The last feature of each per-Ready family, to count entries only.
        std::size_t last_commit_feature = SIZE_MAX;
        std::size_t last_configuration_feature = SIZE_MAX;
        std::map<core::NodeId, std::size_t> last_progress_feature;

        [[nodiscard]] core::Index last_index() const noexcept { return base_index + terms.size(); }
    };

    void bump(std::size_t feature) noexcept;
    /// Bumps `feature` unless it equals `last`, which it then becomes.
    void bump_on_change(std::size_t feature, std::size_t& last) noexcept;
    void note_term(core::Term term) noexcept;
    [[nodiscard]] std::size_t tail_term_class(const NodeView& view) const noexcept;
    void count_leaders(const NodeView& leader);

    std::array<std::uint8_t, capacity> counters_{};
    std::map<core::NodeId, NodeView> nodes_;
    core::Term max_term_ = 0;
    core::Index max_commit_ = 0;
};

}  // namespace raftsim::fuzz
