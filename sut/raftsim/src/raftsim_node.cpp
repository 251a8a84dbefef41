// raftsim's core behind the seam: a hashicorp-style host loop over the
// Ready contract. Each Ready is observed, written to storage, made durable
// (the node blocks meanwhile: what arrives waits in an inbox, ticks are
// counted), and only then are its messages sent, its entries applied and
// its results reported -- persist before send.
#include <deque>

#include "raftsim/core/assert.hpp"
#include "raftsim/sut/raftsim/raftsim_system.hpp"

namespace raftsim::sut::native {
namespace {

class RaftsimNode final : public Node {
  public:
    RaftsimNode(Env& env, const NodeSetup& setup, core::Node node)
        : env_(env), disk_sync_us_(setup.disk_sync_us), node_(std::move(node)) {}

    [[nodiscard]] const core::Node& core() const noexcept { return node_; }

    void start() override { handle_ready(); }
    void tick() override;
    void receive(const core::Message& message) override;
    void wake(std::uint32_t token) override;
    [[nodiscard]] core::ProposeResult propose(core::RequestId id, core::Payload data) override {
        return node_.propose(id, std::move(data));
    }
    [[nodiscard]] core::ReadStart read(core::RequestId id, core::ReadMode mode) override {
        return node_.read(id, mode);
    }
    [[nodiscard]] core::ChangeResult change_membership(
        core::RequestId id, const core::ChangeRequest& request) override {
        return node_.change_membership(id, request);
    }
    [[nodiscard]] core::TransferStart transfer_leadership(core::NodeId target) override {
        return node_.transfer_leadership(target);
    }
    void take_snapshot() override;
    void flush() override { handle_ready(); }

    [[nodiscard]] core::Role role() const override { return node_.role(); }
    [[nodiscard]] core::Term term() const override { return node_.term(); }
    [[nodiscard]] core::NodeId leader_id() const override { return node_.leader_id(); }
    [[nodiscard]] core::Index commit_index() const override { return node_.commit_index(); }
    [[nodiscard]] core::Index applied_index() const override { return node_.applied_index(); }
    [[nodiscard]] core::Index last_index() const override { return node_.log().last_index(); }
    [[nodiscard]] core::Index snapshot_index() const override { return node_.snapshot().index; }
    [[nodiscard]] const core::Configuration& configuration() const override {
        return node_.configuration();
    }
    [[nodiscard]] const core::Configuration& committed_configuration() const override {
        return node_.committed_configuration();
    }
    [[nodiscard]] core::Index committed_configuration_index() const override {
        return node_.committed_configuration_index();
    }
    [[nodiscard]] std::optional<core::Index> match_index(core::NodeId peer) const override {
        if (node_.role() != core::Role::leader) {
            return std::nullopt;
        }
        const core::Progress* progress = node_.progress(peer);
        return progress == nullptr ? std::nullopt : std::optional{progress->match_index};
    }
    [[nodiscard]] bool busy() const override { return syncing_; }
    [[nodiscard]] bool has_backlog() const override { return !inbox_.empty(); }
    [[nodiscard]] bool wants_snapshot() const override { return node_.wants_snapshot(); }

  private:
    void step(const core::Message& message);
    void handle_ready();
    void observe_ready(const core::Ready& ready);
    void complete_ready(core::Ready& ready);

    Env& env_;
    TimeUs disk_sync_us_ = 0;
    core::Node node_;
    /// A Ready is written but not yet synced: its messages and effects wait.
    bool syncing_ = false;
    core::Ready held_;
    /// What arrived while syncing, handled once the sync completes.
    std::deque<core::Message> inbox_;
    std::uint32_t missed_ticks_ = 0;
};

void RaftsimNode::tick() {
    if (syncing_) {
        // The host is blocked on its disk; the tick is handled after the sync.
        missed_ticks_ += 1;
        return;
    }
    node_.tick();
    if (node_.has_ready()) {
        env_.observe_tick(node_.term());
        handle_ready();
    }
}

void RaftsimNode::receive(const core::Message& message) {
    if (syncing_) {
        inbox_.push_back(message);
        return;
    }
    step(message);
    handle_ready();
}

void RaftsimNode::step(const core::Message& message) {
    const core::RejectReason reason = node_.step(message);
    if (reason != core::RejectReason::none) {
        env_.observe_reject(message, reason);
    }
}

// The sync asked for in handle_ready completed (the only wake-up we ask for).
void RaftsimNode::wake(std::uint32_t token) {
    RAFT_ASSERT(token == 0);
    if (!syncing_) {
        return;
    }
    syncing_ = false;
    // Moved out, not completed in place: complete_ready may reach
    // handle_ready again, which refills held_. What the move leaves in held_
    // (empty vectors, moved-from optionals) is never read: held_ is only
    // read here, after handle_ready has assigned every member anew.
    core::Ready ready = std::move(held_);
    RAFT_ASSERT(held_.messages.empty() && held_.entries.empty());
    complete_ready(ready);
    // Catch up on what arrived while the disk was busy, in arrival order.
    while (!syncing_ && !inbox_.empty()) {
        const core::Message message = std::move(inbox_.front());
        inbox_.pop_front();
        step(message);
        handle_ready();
    }
    while (!syncing_ && missed_ticks_ > 0) {
        missed_ticks_ -= 1;
        node_.tick();
        handle_ready();
    }
    handle_ready();
}

void RaftsimNode::take_snapshot() {
    RAFT_ASSERT(!syncing_);
    const core::Index index = node_.applied_index();
    if (index <= node_.snapshot().index) {
        return;
    }
    const core::CompactError error = node_.compact(index, env_.fsm_snapshot());
    RAFT_ASSERT(error == core::CompactError::none);
    handle_ready();
}

void RaftsimNode::handle_ready() {
    // Bounded: each Ready hands out everything pending; a node that keeps
    // producing output without input would be a core bug.
    for (int round = 0; round < 16 && !syncing_; ++round) {
        if (!node_.has_ready()) {
            return;
        }
        core::Ready ready = node_.ready();
        observe_ready(ready);
        const bool writes = ready.hard_state.has_value() || !ready.entries.empty() ||
                            ready.snapshot.has_value() || ready.compaction.has_value();
        env_.storage().write(ready);  // takes the entries: they were observed above
        if (writes) {
            env_.observe_write_issued();
        }
        if (writes && disk_sync_us_ > 0) {
            syncing_ = true;
            held_ = std::move(ready);
            env_.wake_after(disk_sync_us_, 0);
            return;
        }
        complete_ready(ready);
    }
    RAFT_ASSERT(syncing_ || !node_.has_ready());
}

void RaftsimNode::observe_ready(const core::Ready& ready) {
    if (ready.snapshot.has_value()) {
        const bool discard = ready.compaction.has_value() && ready.compaction->discard_all;
        env_.observe_snapshot(*ready.snapshot, node_.term(), ready.restore_snapshot, discard);
    }
    for (const core::RoleChange& change : ready.role_changes) {
        env_.observe_role_change(change);
    }
    if (ready.hard_state.has_value()) {
        env_.observe_hard_state(*ready.hard_state);
    }
    if (ready.hard_state.has_value() || !ready.entries.empty()) {
        env_.observe_log_write(node_.hard_state(), ready.entries);
    }
    if (node_.role() != core::Role::leader) {
        return;
    }
    for (const core::Entry& entry : ready.entries) {
        if (entry.type == core::EntryType::configuration) {
            env_.observe_leader_configuration(node_.term(), entry.index, node_.commit_index());
        }
    }
}

// Step 2-4 of the Ready contract, once the write is durable.
void RaftsimNode::complete_ready(core::Ready& ready) {
    env_.storage().sync();
    env_.observe_sync();
    // The commit index as of this Ready: what its messages and applies rest on.
    env_.observe_commit_index(node_.commit_index());
    for (core::Message& message : ready.messages) {
        env_.send(std::move(message));
    }
    if (ready.restore_snapshot) {
        RAFT_ASSERT(ready.snapshot.has_value());
        env_.restore(*ready.snapshot);
    }
    env_.apply(ready.committed_entries);
    env_.request_results(ready.request_results);
    env_.transfer_results(ready.transfer_results);
    if (!ready.read_results.empty()) {
        env_.read_results(ready.read_results);
    }
    node_.advance(std::move(ready));
    env_.observe_configuration(node_.configuration());
    env_.observe_output_done();
}

class RaftsimSystem final : public System {
  public:
    [[nodiscard]] std::string_view name() const override { return "raftsim"; }
    [[nodiscard]] std::string_view description() const override {
        return "raftsim's own core (hashicorp/raft semantics), persist before send";
    }
    // The project's version (meson.build), set by sut/meson.build.
    [[nodiscard]] std::string_view version() const override { return RAFTSIM_VERSION; }
    [[nodiscard]] const Durability& durability() const override { return durability_; }
    [[nodiscard]] const Capabilities& capabilities() const override { return capabilities_; }
    [[nodiscard]] const Semantics& semantics() const override { return semantics_; }
    [[nodiscard]] std::optional<std::string> unsupported(const core::Config&) const override {
        return std::nullopt;  // the scenario language is this core's settings
    }
    [[nodiscard]] std::unique_ptr<Node> bootstrap(
        Env& env, const NodeSetup& setup, const core::Configuration& configuration) const override {
        return std::make_unique<RaftsimNode>(env, setup,
                                             core::Node::bootstrap(options(setup), configuration));
    }
    [[nodiscard]] std::unique_ptr<Node> restart(Env& env, const NodeSetup& setup,
                                                core::DurableState durable) const override {
        return std::make_unique<RaftsimNode>(
            env, setup, core::Node::restart(options(setup), std::move(durable)));
    }

  private:
    [[nodiscard]] static core::NodeOptions options(const NodeSetup& setup) {
        return core::NodeOptions{.id = setup.id, .config = setup.config, .seed = setup.seed};
    }

    Durability durability_{};
    Capabilities capabilities_{};
    Semantics semantics_{};
};

}  // namespace

const System& system() noexcept {
    static const RaftsimSystem instance;
    return instance;
}

const core::Node* core_node(const Node& node) noexcept {
    const auto* ours = dynamic_cast<const RaftsimNode*>(&node);
    return ours == nullptr ? nullptr : &ours->core();
}

}  // namespace raftsim::sut::native
