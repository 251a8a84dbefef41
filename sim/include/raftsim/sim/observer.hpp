#pragma once
// An optional extra reader of the observation stream (docs/architecture.md,
// "The observation stream"): the same black-box events the checkers see,
// handed to a passive observer. fuzz_cluster's protocol coverage
// (fuzz/include/raftsim/fuzz/protocol_coverage.hpp) is one. An observer only
// reads: it cannot change the run, so a run with one is the same run (same
// trace, same fingerprint) as without. Unset, it costs one branch a call.

#include <optional>
#include <vector>

#include "raftsim/core/configuration.hpp"
#include "raftsim/core/log_entry.hpp"
#include "raftsim/core/message.hpp"
#include "raftsim/core/ready.hpp"
#include "raftsim/core/snapshot.hpp"

namespace raftsim::sim {

class Observer {
  public:
    Observer() = default;
    Observer(const Observer&) = default;
    Observer& operator=(const Observer&) = default;
    virtual ~Observer() = default;

    virtual void on_role_change(core::NodeId node, const core::RoleChange& change) = 0;
    virtual void on_hard_state(core::NodeId node, const core::HardState& hard_state) = 0;
    /// Entries handed to storage; the first one's index is the truncation point.
    virtual void on_log_write(core::NodeId node, const std::vector<core::Entry>& entries) = 0;
    virtual void on_commit_index(core::NodeId node, core::Index commit_index) = 0;
    virtual void on_apply(core::NodeId node, const core::Entry& entry) = 0;
    virtual void on_send(const core::Message& message) = 0;
    /// The node stored a snapshot; `restore` when it replaced its state
    /// machine, `discard_all` when its whole log went too.
    virtual void on_snapshot(core::NodeId node, const core::Snapshot& snapshot, bool restore,
                             bool discard_all) = 0;
    virtual void on_crash(core::NodeId node) = 0;
    /// Restart: the durable state the node read back.
    virtual void on_restart(core::NodeId node, const std::optional<core::Snapshot>& snapshot,
                            const std::vector<core::Entry>& entries) = 0;
    /// Optional observations: the configuration the node says is in effect,
    /// and a leader's match index for a follower.
    virtual void on_configuration(core::NodeId node, const core::Configuration& configuration) = 0;
    virtual void on_progress(core::NodeId leader, core::NodeId peer, core::Index match_index) = 0;
};

}  // namespace raftsim::sim
