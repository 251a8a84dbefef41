// The disk's contract, end to end: a system under test that writes what no
// correct Raft writes (here a term older than the one it stored, Figure 2)
// is stopped by a `storage` violation that names the node and the write --
// a black-box catch, never a host assertion -- even when the host trips on
// the refused write's consequences in the same event.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "../sut/forwarding.hpp"
#include "raftsim/core/assert.hpp"
#include "raftsim/sim/checkers.hpp"
#include "raftsim/sim/simulation.hpp"

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
class BreakingNode final : public sut::test::ForwardingNode {
  public:
    BreakingNode(sut::Env& env, core::NodeId id, Misbehaviour misbehaviour,
                 std::unique_ptr<sut::Node> inner)
        : ForwardingNode(std::move(inner)), env_(env), id_(id), misbehaviour_(misbehaviour) {}

    void tick() override {
        inner().tick();
        if (misbehaviour_ == Misbehaviour::none || id_ != 2 || inner().term() == 0 ||
            inner().busy()) {
            return;
        }
        env_.storage().set_hard_state(core::HardState{.term = 0});
        if (misbehaviour_ == Misbehaviour::term_regressed_then_assert) {
            RAFT_ASSERT(env_.storage().durable_hard_state().term == 0);
        }
    }

  private:
    sut::Env& env_;
    core::NodeId id_;
    Misbehaviour misbehaviour_;
};

class BreakingSystem final : public sut::test::ForwardingSystem {
  public:
    explicit BreakingSystem(Misbehaviour misbehaviour) : misbehaviour_(misbehaviour) {}
    std::unique_ptr<sut::Node> bootstrap(sut::Env& env, const sut::NodeSetup& setup,
                                         const core::Configuration& configuration) const override {
        return std::make_unique<BreakingNode>(env, setup.id, misbehaviour_,
                                              native().bootstrap(env, setup, configuration));
    }
    std::unique_ptr<sut::Node> restart(sut::Env& env, const sut::NodeSetup& setup,
                                       core::DurableState durable) const override {
        return std::make_unique<BreakingNode>(env, setup.id, misbehaviour_,
                                              native().restart(env, setup, std::move(durable)));
    }

  private:
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
