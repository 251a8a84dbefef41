// The disk's contract, end to end: a system under test that writes what no
// correct Raft writes (here a term older than the one it stored, Figure 2)
// is stopped by a `storage` violation that names the node and the write --
// a black-box catch, never a host assertion -- even when the host trips on
// the refused write's consequences in the same event.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "raftsim/core/assert.hpp"
#include "raftsim/sim/checkers.hpp"
#include "raftsim/sim/simulation.hpp"
#include "raftsim/sut/raftsim/raftsim_system.hpp"

namespace raftsim::sim {
namespace {

enum class Misbehaviour {
    none,
    /// Stores term 0 over its term once it has one.
    term_regressed,
    /// The same, then an assertion of the host fails in the same call.
    term_regressed_then_assert,
};

// raftsim's core, with node 2's host writing a stale term to its disk on a
// tick once it is in a term.
class BreakingNode final : public sut::Node {
  public:
    BreakingNode(sut::Env& env, core::NodeId id, Misbehaviour misbehaviour,
                 std::unique_ptr<sut::Node> inner)
        : env_(env), id_(id), misbehaviour_(misbehaviour), inner_(std::move(inner)) {}

    void start() override { inner_->start(); }
    void tick() override {
        inner_->tick();
        if (misbehaviour_ == Misbehaviour::none || id_ != 2 || inner_->term() == 0 ||
            inner_->busy()) {
            return;
        }
        env_.storage().set_hard_state(core::HardState{.term = 0});
        if (misbehaviour_ == Misbehaviour::term_regressed_then_assert) {
            RAFT_ASSERT(env_.storage().durable_hard_state().term == 0);
        }
    }
    void receive(const core::Message& message) override { inner_->receive(message); }
    void wake(std::uint32_t token) override { inner_->wake(token); }
    core::ProposeResult propose(core::RequestId id, core::Payload data) override {
        return inner_->propose(id, std::move(data));
    }
    core::ReadStart read(core::RequestId id, core::ReadMode mode) override {
        return inner_->read(id, mode);
    }
    core::ChangeResult change_membership(core::RequestId id,
                                         const core::ChangeRequest& request) override {
        return inner_->change_membership(id, request);
    }
    core::TransferStart transfer_leadership(core::NodeId target) override {
        return inner_->transfer_leadership(target);
    }
    void take_snapshot() override { inner_->take_snapshot(); }
    void flush() override { inner_->flush(); }
    core::Role role() const override { return inner_->role(); }
    core::Term term() const override { return inner_->term(); }
    core::NodeId leader_id() const override { return inner_->leader_id(); }
    core::Index commit_index() const override { return inner_->commit_index(); }
    core::Index applied_index() const override { return inner_->applied_index(); }
    core::Index last_index() const override { return inner_->last_index(); }
    core::Index snapshot_index() const override { return inner_->snapshot_index(); }
    const core::Configuration& configuration() const override { return inner_->configuration(); }
    const core::Configuration& committed_configuration() const override {
        return inner_->committed_configuration();
    }
    core::Index committed_configuration_index() const override {
        return inner_->committed_configuration_index();
    }
    std::optional<core::Index> match_index(core::NodeId peer) const override {
        return inner_->match_index(peer);
    }
    bool busy() const override { return inner_->busy(); }
    bool has_backlog() const override { return inner_->has_backlog(); }
    bool wants_snapshot() const override { return inner_->wants_snapshot(); }

  private:
    sut::Env& env_;
    core::NodeId id_;
    Misbehaviour misbehaviour_;
    std::unique_ptr<sut::Node> inner_;
};

class BreakingSystem final : public sut::System {
  public:
    explicit BreakingSystem(Misbehaviour misbehaviour) : misbehaviour_(misbehaviour) {}
    std::string_view name() const override { return "breaking-test"; }
    std::string_view description() const override { return "test"; }
    std::string_view version() const override { return inner().version(); }
    const sut::Durability& durability() const override { return inner().durability(); }
    const sut::Capabilities& capabilities() const override { return inner().capabilities(); }
    const sut::Semantics& semantics() const override { return inner().semantics(); }
    std::optional<std::string> unsupported(const core::Config& config) const override {
        return inner().unsupported(config);
    }
    std::unique_ptr<sut::Node> bootstrap(sut::Env& env, const sut::NodeSetup& setup,
                                         const core::Configuration& configuration) const override {
        return std::make_unique<BreakingNode>(env, setup.id, misbehaviour_,
                                              inner().bootstrap(env, setup, configuration));
    }
    std::unique_ptr<sut::Node> restart(sut::Env& env, const sut::NodeSetup& setup,
                                       core::DurableState durable) const override {
        return std::make_unique<BreakingNode>(env, setup.id, misbehaviour_,
                                              inner().restart(env, setup, std::move(durable)));
    }

  private:
    static const sut::System& inner() { return sut::native::system(); }
    Misbehaviour misbehaviour_;
};

Simulation breaking_simulation(const BreakingSystem& system) {
    SimOptions options;
    options.names = {"a", "b", "c"};
    options.raft = core::to_ticks(core::DurationConfig{}, 10'000).config;
    options.system = &system;
    return Simulation(options);
}

TEST_CASE("storage: a stale term written to disk is a storage violation naming node and write",
          "[storage]") {
    const Misbehaviour misbehaviour =
        GENERATE(Misbehaviour::term_regressed, Misbehaviour::term_regressed_then_assert);
    CAPTURE(static_cast<int>(misbehaviour));
    const BreakingSystem system(misbehaviour);
    Simulation sim = breaking_simulation(system);
    sim.run_for(30 * us_per_second);
    REQUIRE(sim.failed());
    CHECK(sim.violation()->checker == Checker::storage);
    CHECK(sim.violation()->kind == "term_regressed");
    CHECK(sim.violation()->node == 2);
    CHECK_THAT(sim.violation()->detail, Catch::StartsWith("node b wrote to its disk: term 0 "
                                                          "stored over term "));
    CHECK(label_of(Checker::storage) == CheckerLabel::universal);
}

TEST_CASE("storage: the same system writing nothing wrong runs clean", "[storage]") {
    const BreakingSystem system(Misbehaviour::none);
    Simulation sim = breaking_simulation(system);
    sim.run_for(30 * us_per_second);
    CHECK_FALSE(sim.failed());
    CHECK(sim.leader() != 0);
}

}  // namespace
}  // namespace raftsim::sim
