#pragma once
// Test doubles for the sut seam: a System and a Node that forward every
// call to raftsim's own core, so a test overrides only what it changes
// (declared semantics or capabilities, a misbehaving host).

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "raftsim/sut/raftsim/raftsim_system.hpp"

namespace raftsim::sut::test {

/// raftsim's own system under another name; every call goes to it.
class ForwardingSystem : public System {
  public:
    [[nodiscard]] std::string_view name() const override { return "forwarding-test"; }
    [[nodiscard]] std::string_view description() const override {
        return "raftsim's core behind a test double";
    }
    [[nodiscard]] std::string_view version() const override { return native().version(); }
    [[nodiscard]] const Durability& durability() const override { return native().durability(); }
    [[nodiscard]] const Capabilities& capabilities() const override {
        return native().capabilities();
    }
    [[nodiscard]] const Semantics& semantics() const override { return native().semantics(); }
    [[nodiscard]] std::optional<std::string> unsupported(
        const core::Config& config) const override {
        return native().unsupported(config);
    }
    [[nodiscard]] std::unique_ptr<Node> bootstrap(
        Env& env, const NodeSetup& setup, const core::Configuration& configuration) const override {
        return native().bootstrap(env, setup, configuration);
    }
    [[nodiscard]] std::unique_ptr<Node> restart(Env& env, const NodeSetup& setup,
                                                core::DurableState durable) const override {
        return native().restart(env, setup, std::move(durable));
    }

  protected:
    [[nodiscard]] static const System& native() { return native::system(); }
};

/// A node that hands every input and question to `inner`.
class ForwardingNode : public Node {
  public:
    explicit ForwardingNode(std::unique_ptr<Node> inner) : inner_(std::move(inner)) {}

    void start() override { inner_->start(); }
    void tick() override { inner_->tick(); }
    void receive(const core::Message& message) override { inner_->receive(message); }
    void wake(std::uint32_t token) override { inner_->wake(token); }
    [[nodiscard]] core::ProposeResult propose(core::RequestId id, core::Payload data) override {
        return inner_->propose(id, std::move(data));
    }
    [[nodiscard]] core::ReadStart read(core::RequestId id, core::ReadMode mode) override {
        return inner_->read(id, mode);
    }
    [[nodiscard]] core::ChangeResult change_membership(
        core::RequestId id, const core::ChangeRequest& request) override {
        return inner_->change_membership(id, request);
    }
    [[nodiscard]] core::TransferStart transfer_leadership(core::NodeId target) override {
        return inner_->transfer_leadership(target);
    }
    void take_snapshot() override { inner_->take_snapshot(); }
    void flush() override { inner_->flush(); }
    [[nodiscard]] core::Role role() const override { return inner_->role(); }
    [[nodiscard]] core::Term term() const override { return inner_->term(); }
    [[nodiscard]] core::NodeId leader_id() const override { return inner_->leader_id(); }
    [[nodiscard]] core::Index commit_index() const override { return inner_->commit_index(); }
    [[nodiscard]] core::Index applied_index() const override { return inner_->applied_index(); }
    [[nodiscard]] core::Index last_index() const override { return inner_->last_index(); }
    [[nodiscard]] core::Index snapshot_index() const override { return inner_->snapshot_index(); }
    [[nodiscard]] const core::Configuration& configuration() const override {
        return inner_->configuration();
    }
    [[nodiscard]] const core::Configuration& committed_configuration() const override {
        return inner_->committed_configuration();
    }
    [[nodiscard]] core::Index committed_configuration_index() const override {
        return inner_->committed_configuration_index();
    }
    [[nodiscard]] std::optional<core::Index> match_index(core::NodeId peer) const override {
        return inner_->match_index(peer);
    }
    [[nodiscard]] bool busy() const override { return inner_->busy(); }
    [[nodiscard]] bool has_backlog() const override { return inner_->has_backlog(); }
    [[nodiscard]] bool wants_snapshot() const override { return inner_->wants_snapshot(); }

  protected:
    [[nodiscard]] Node& inner() { return *inner_; }

  private:
    std::unique_ptr<Node> inner_;
};

}  // namespace raftsim::sut::test
