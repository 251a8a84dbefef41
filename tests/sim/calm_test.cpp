// Calm periods (Simulation::run_calm): a healthy cluster passes one with a
// minority down and keeps it down; a cluster that cannot elect fails it;
// the bounds follow the configured timeouts.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "raftsim/sim/simulation.hpp"

namespace raftsim::sim {
namespace {

using test::options;

TEST_CASE("calm: a healthy cluster passes with a minority down, which stays down", "[calm]") {
    const std::uint64_t seed = GENERATE(range(1, 9));
    CAPTURE(seed);
    Simulation sim(options(5, seed));
    sim.run_for(3 * us_per_second);
    const std::uint32_t group = sim.partition_off({sim.ids().front()});
    static_cast<void>(group);
    sim.crash(5, true);
    sim.run_for(3 * us_per_second);
    const std::uint64_t elections = sim.leaders_elected();
    const CalmOutcome outcome = sim.run_calm(20 * us_per_second);
    INFO(outcome.kind << ": " << outcome.detail << " / " << test::describe(sim));
    CHECK(outcome.ok);
    CHECK_FALSE(sim.failed());
    CHECK_FALSE(sim.is_up(5));  // a quorum was up: nobody was restarted
    // The probes ran: commands committed and a transfer to the down voter
    // ended without a new leader (at most the settling elections).
    CHECK(sim.successes() >= 6);
    CHECK(sim.leaders_elected() - elections <= 2);
}

TEST_CASE("calm: a majority down is brought back up first", "[calm]") {
    Simulation sim(options(3, 4));
    sim.run_for(3 * us_per_second);
    sim.crash(1, false);
    sim.crash(2, false);
    const CalmOutcome outcome = sim.run_calm(10 * us_per_second);
    INFO(outcome.kind << ": " << outcome.detail);
    CHECK(outcome.ok);
    CHECK(sim.is_up(1));  // restarted, in id order, until a majority was up
    CHECK_FALSE(sim.is_up(2));
}

TEST_CASE("calm: no leader when votes take longer than the election timeout", "[calm]") {
    SimOptions slow = options(3, 2);
    // Every message takes three election timeouts: a candidate times out
    // before any vote can arrive, so nobody is ever elected. Latency is not
    // a fault, so the calm period keeps it.
    const TimeUs timeout_us = slow.raft.election_timeout_ticks * slow.tick_us;
    slow.link.latency_min_us = 3 * timeout_us;
    slow.link.latency_max_us = 3 * timeout_us;
    Simulation sim(slow);
    const CalmOutcome outcome = sim.run_calm(1 * us_per_second);
    CHECK_FALSE(outcome.ok);
    CHECK(outcome.kind == "calm_no_leader");
    CHECK_THAT(outcome.detail, Catch::Contains("no leader every up member follows"));
}

TEST_CASE("calm: the bounds follow the election timeout, latency, disk and drift", "[calm]") {
    SimOptions base = options(3);
    base.link.latency_min_us = 0;
    base.link.latency_max_us = 0;
    const Simulation plain(base);
    const TimeUs timeout_us = base.raft.election_timeout_ticks * base.tick_us;
    CHECK(plain.calm_bounds().leader_us == 40 * 2 * timeout_us);
    SimOptions pre_vote = base;
    pre_vote.raft.pre_vote = true;
    pre_vote.disk_sync_us = 1000;
    pre_vote.link.latency_max_us = 2000;
    const Simulation slower(pre_vote);
    CHECK(slower.calm_bounds().leader_us == 40 * (2 * timeout_us + 4 * (2000 + 1000)));
    Simulation drifting(base);
    drifting.set_clock_drift(1, 500'000);  // half again as slow
    CHECK(drifting.calm_bounds().leader_us == 40 * 2 * (timeout_us + timeout_us / 2));
}

}  // namespace
}  // namespace raftsim::sim
