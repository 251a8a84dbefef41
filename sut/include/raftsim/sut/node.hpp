#pragma once
// The system-under-test seam (docs/adapters.md). A Raft implementation plugs
// into the simulator as a sut::Node per server incarnation, created by its
// sut::System. The node sees the world only through its sut::Env: the
// simulated clock, wake-ups it asks for, the host's disk (sut::Storage), the
// network (send) and the host's state machine (apply). Everything it does is
// reported through the Env as the observation stream the checkers read
// (docs/architecture.md, "The observation stream"). Nothing here names a
// foreign library: each adapter translates its implementation to these
// types, the harness's message and log model (core/message.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "raftsim/core/node.hpp"
#include "raftsim/sut/storage.hpp"

namespace raftsim::sut {

/// Simulated time in microseconds, as sim::TimeUs.
using TimeUs = std::uint64_t;

/// What a node is created with.
struct NodeSetup {
    core::NodeId id = core::node_none;
    /// The scenario's Raft settings; each adapter maps what it can
    /// (System::unsupported says which settings it cannot honour).
    core::Config config{};
    /// This incarnation's random stream: a node draws nothing else.
    std::uint64_t seed = 0;
    /// The host's tick period (before drift).
    TimeUs tick_us = 0;
    /// How long the host's disk takes to make a write durable (0: within
    /// the same event).
    TimeUs disk_sync_us = 0;
};

/// The host's side of the seam: one per server, outliving its incarnations.
/// Calls are made by the node while it handles an input (never on its own).
class Env {
  public:
    virtual ~Env() = default;

    // Time.
    /// The simulated time now.
    [[nodiscard]] virtual TimeUs now_us() const = 0;
    /// This server's own clock: simulated time stretched by its drift.
    [[nodiscard]] virtual TimeUs local_clock_us() const = 0;
    /// Calls Node::wake(token) after `delay_us`, unless the node crashed
    /// meanwhile. Wake-ups due at the same time run in the order asked.
    virtual void wake_after(TimeUs delay_us, std::uint32_t token) = 0;

    // Disk and network.
    [[nodiscard]] virtual Storage& storage() = 0;
    /// Hands a message to the network; the node keeps nothing of it. By
    /// rvalue reference: a Message is large, and a by-value parameter cost
    /// a move on each hop from the node to the network's slab.
    virtual void send(core::Message&& message) = 0;

    // The state machine, which the host owns (it is volatile: a restart
    // begins empty, restored from the durable snapshot by the host).
    /// Applies committed entries, in index order, each exactly once.
    virtual void apply(const std::vector<core::Entry>& entries) = 0;
    /// Resets the state machine from an installed snapshot.
    virtual void restore(const core::Snapshot& snapshot) = 0;
    /// The state machine's snapshot of everything applied so far.
    [[nodiscard]] virtual core::Payload fsm_snapshot() const = 0;

    // Results of requests the host made through Node.
    virtual void request_results(const std::vector<core::RequestResult>& results) = 0;
    virtual void transfer_results(const std::vector<core::TransferResult>& results) = 0;
    /// Reads (Node::read) to answer now from the state machine, which has
    /// applied through each one's read index; called after apply().
    virtual void read_results(const std::vector<core::ReadResult>& results) = 0;

    // The observation stream (docs/architecture.md). Each is reported when
    // it happens, in the order the node did things.
    /// A tick changed something (traced; a tick that did nothing is not).
    virtual void observe_tick(core::Term term) = 0;
    /// A message the node refused at its gate, and why.
    virtual void observe_reject(const core::Message& message, core::RejectReason reason) = 0;
    virtual void observe_role_change(const core::RoleChange& change) = 0;
    /// Term and vote handed to storage (not yet durable unless the
    /// System's contract says writes of them are synchronous).
    virtual void observe_hard_state(const core::HardState& hard_state) = 0;
    /// Entries handed to storage, the first one's index the truncation
    /// point; `latest` is the node's hard state as it wrote them.
    virtual void observe_log_write(const core::HardState& latest,
                                   const std::vector<core::Entry>& entries) = 0;
    /// A write was issued to the disk (arms "crash after persist").
    virtual void observe_write_issued() = 0;
    /// Every write issued so far is durable.
    virtual void observe_sync() = 0;
    /// Some writes are durable (a disk completing them in order): the hard
    /// state, and the log below `unsynced_from` (0: all of it).
    virtual void observe_durable(core::Index unsynced_from) = 0;
    /// A snapshot stored (taken, or installed from a leader when
    /// `restored`); `discard_all` when the whole log went with it.
    virtual void observe_snapshot(const core::Snapshot& snapshot, core::Term term, bool restored,
                                  bool discard_all) = 0;
    /// The commit index the messages and applies that follow rest on.
    virtual void observe_commit_index(core::Index commit_index) = 0;
    /// A leader appended a configuration entry while its commit index was
    /// `commit_index` (one change at a time, thesis §4.1).
    virtual void observe_leader_configuration(core::Term term, core::Index index,
                                              core::Index commit_index) = 0;
    /// The configuration the node uses now (optional, semantics checkers).
    virtual void observe_configuration(const core::Configuration& configuration) = 0;
    /// The node finished handling an input: the host looks at what it can
    /// read of it (a leader's commit and progress, members, snapshots).
    virtual void observe_output_done() = 0;
};

/// One incarnation of a server under test. Created by System, destroyed at
/// a crash (the adapter then discards its pending I/O and reports nothing
/// more). Inputs run to completion: a node never calls back into the host
/// after returning, except through wake-ups it asked for.
class Node {
  public:
    virtual ~Node() = default;
    Node() = default;
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    // Inputs.
    /// Handles whatever the node produced while being created (called after
    /// bootstrap and restart; a server created empty starts on its first input).
    virtual void start() = 0;
    /// One tick of the host's clock.
    virtual void tick() = 0;
    /// A message delivered by the network.
    virtual void receive(const core::Message& message) = 0;
    /// A wake-up it asked for (Env::wake_after).
    virtual void wake(std::uint32_t token) = 0;
    /// A client command; the result comes through Env::request_results.
    [[nodiscard]] virtual core::ProposeResult propose(core::RequestId id, core::Payload data) = 0;
    /// A read that confirms leadership without a log entry (only when the
    /// System declares the capability for `mode`); the result comes
    /// through Env::read_results.
    [[nodiscard]] virtual core::ReadStart read(core::RequestId id, core::ReadMode mode) = 0;
    [[nodiscard]] virtual core::ChangeResult change_membership(
        core::RequestId id, const core::ChangeRequest& request) = 0;
    /// Hands leadership to `target` (node_none: the node's choice).
    [[nodiscard]] virtual core::TransferStart transfer_leadership(core::NodeId target) = 0;
    /// Snapshots the state machine now (Env::fsm_snapshot), compacting the log.
    virtual void take_snapshot() = 0;
    /// Handles the output of the requests just made (a batch of proposals).
    virtual void flush() = 0;

    // What a host can read of any implementation.
    [[nodiscard]] virtual core::Role role() const = 0;
    [[nodiscard]] virtual core::Term term() const = 0;
    /// The leader it follows (node_none if it knows none).
    [[nodiscard]] virtual core::NodeId leader_id() const = 0;
    [[nodiscard]] virtual core::Index commit_index() const = 0;
    [[nodiscard]] virtual core::Index applied_index() const = 0;
    [[nodiscard]] virtual core::Index last_index() const = 0;
    [[nodiscard]] virtual core::Index snapshot_index() const = 0;
    [[nodiscard]] virtual const core::Configuration& configuration() const = 0;
    [[nodiscard]] virtual const core::Configuration& committed_configuration() const = 0;
    [[nodiscard]] virtual core::Index committed_configuration_index() const = 0;
    /// A leader's match index for `peer` (white-box, optional): empty when
    /// not a leader, `peer` is not replicated to, or the SUT does not say.
    [[nodiscard]] virtual std::optional<core::Index> match_index(core::NodeId peer) const = 0;
    /// Blocked on its disk: takes no client request now.
    [[nodiscard]] virtual bool busy() const = 0;
    /// Holds delivered messages it has not handled yet.
    [[nodiscard]] virtual bool has_backlog() const = 0;
    /// The node asks the host for a snapshot (its log grew past a threshold).
    [[nodiscard]] virtual bool wants_snapshot() const = 0;
};

}  // namespace raftsim::sut
