// canonical/raft 0.15 behind the seam: a cluster elects, replicates,
// survives crashes and restarts, and is reproducible, with every checker on.
#include <catch2/catch.hpp>

#include "../sim/helpers.hpp"
#include "raftsim/sut/canonical/canonical_system.hpp"

namespace raftsim::sim {
namespace {

using test::describe;
using test::long_wait;

SimOptions canonical_options(std::size_t count, std::uint64_t seed) {
    SimOptions options = test::options(count, seed);
    options.system = &sut::canonical::system();
    return options;
}

TEST_CASE("canonical: a three-node cluster elects a leader and commits 200 commands") {
    Simulation sim(canonical_options(3, 1));
    REQUIRE(sim.run_until([&] { return sim.leader() != 0; }, long_wait));
    CHECK(sim.apply_n(200, sim.now() + long_wait) == 200);
    sim.verify(sim.now() + long_wait);
    INFO(describe(sim));
    CHECK_FALSE(sim.failed());
}

TEST_CASE("canonical: crashes that lose unsynced writes and restarts keep every checker quiet") {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        SimOptions options = canonical_options(3, seed);
        options.disk_sync_us = 2 * us_per_ms;
        Simulation sim(std::move(options));
        sim.start_workload(2);
        for (int round = 0; round < 6 && !sim.failed(); ++round) {
            sim.run_for(700 * us_per_ms);
            const core::NodeId victim = 1 + static_cast<core::NodeId>(round % 3);
            sim.crash(victim, true);
            sim.run_for(1500 * us_per_ms);
            sim.restart(victim);
        }
        sim.stop_workload();
        sim.verify(sim.now() + long_wait);
        CAPTURE(seed);
        INFO(describe(sim));
        CHECK_FALSE(sim.failed());
        CHECK(sim.successes() > 0);
    }
}

TEST_CASE(
    "canonical: torn crashes keep a prefix of the pending disk operations, and the node "
    "restarts from it") {
    std::size_t part_way = 0;
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        SimOptions options = canonical_options(3, seed);
        options.disk_sync_us = 2 * us_per_ms;
        options.keep_trace = true;
        Simulation sim(std::move(options));
        sim.start_workload(4);
        for (int round = 0; round < 6 && !sim.failed(); ++round) {
            sim.run_for(700 * us_per_ms);
            const core::NodeId victim = 1 + static_cast<core::NodeId>(round % 3);
            sim.arm_crash(victim, CrashTrigger{.kind = CrashTrigger::Kind::persist, .torn = true});
            sim.run_for(1500 * us_per_ms);
            for (const core::NodeId id : sim.ids()) {
                if (sim.is_up(id)) {
                    continue;
                }
                const sut::Storage& storage = sim.host(id).storage;
                const core::Index durable =
                    storage.log_base_index() + storage.durable_entries().size();
                sim.restart(id);
                // canonical loads exactly the prefix the crash kept.
                CHECK(sim.host(id).node->last_index() == durable);
            }
        }
        for (const TraceRecord& record : sim.trace().records()) {
            const bool torn = record.kind == TraceKind::crash &&
                              record.a == static_cast<std::uint64_t>(UnsyncedWrites::torn);
            part_way += torn && record.b > 0 && record.b < record.c ? 1 : 0;
        }
        sim.stop_workload();
        sim.verify(sim.now() + long_wait);
        CAPTURE(seed);
        INFO(describe(sim));
        CHECK_FALSE(sim.failed());
    }
    CHECK(part_way > 0);
}

TEST_CASE("canonical: the same seed gives the same fingerprint") {
    const auto fingerprint = [](std::uint64_t seed) {
        Simulation sim(canonical_options(5, seed));
        sim.start_workload(3);
        sim.run_for(5 * us_per_second);
        return sim.trace().fingerprint();
    };
    CHECK(fingerprint(7) == fingerprint(7));
    CHECK(fingerprint(7) != fingerprint(8));
}

}  // namespace
}  // namespace raftsim::sim

namespace raftsim::sim {
namespace {

TEST_CASE("canonical: an isolated leader steps down within two election timeouts") {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        Simulation sim(canonical_options(3, seed));
        REQUIRE(sim.run_until([&] { return sim.leader() != 0; }, test::long_wait));
        const core::NodeId old = sim.leader();
        const std::uint32_t group = sim.partition_off({old});
        // The leader_lease checker holds it to two election timeouts (2 s).
        sim.run_for(3 * us_per_second);
        CAPTURE(seed);
        INFO(test::describe(sim));
        CHECK_FALSE(sim.failed());
        CHECK(sim.host(old).node->role() != core::Role::leader);
        sim.heal(group);
    }
}

}  // namespace
}  // namespace raftsim::sim
