// Issue 17, benchmarks 1 and 2, the raftsim side: a system under test
// (raftsim's own core, or canonical/raft with `--sut canonical`) under the
// simulator, every checker on, driven as bench/canonical_fixture_bench.cpp
// drives canonical's fixture -- one entry proposed at a time (the next once
// the last has its outcome), optionally the leader and one follower cut off
// for 1.5 s every 3 s (flipped between proposals, as the fixture bench
// does) -- on the cluster, timings and network a scenario file gives
// (bench/workloads/issue17_fault_free.json). Prints CPU seconds
// (getrusage), committed entries per CPU-second, events and simulated
// seconds. Not a test: it reads the CPU clock.
//
// Events are counted as the fixture bench counts them, so the two sides'
// figures mean the same thing: one event is one server tick, one message
// handed to its receiver, or one asynchronous disk operation completing
// (raftsim's core: the sync of one Ready; canonical under raftsim: one
// append, truncate or snapshot put). Not counted, on either side, is the
// bookkeeping only one side has: here the simulator's client timers, the
// canonical adapter's 0-delay wake-ups (send callbacks, snapshot loads) and
// messages dropped on arrival at a cut link; `sim events` is the simulator's
// own count (Simulation::events(), every queue event, those included).
//
//   issue17_bench [--sut NAME] SCENARIO.json ENTRIES [partitioned]
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "raftsim/core/assert.hpp"
#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/parse.hpp"
#include "raftsim/scenarios/requirements.hpp"
#include "raftsim/sim/simulation.hpp"
#include "raftsim/sut/registry.hpp"

namespace {

using raftsim::sim::Simulation;
using raftsim::sim::TimeUs;
using raftsim::sim::us_per_ms;
using raftsim::sim::us_per_second;

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// The leader and the node after it (by id) cut off from the rest, or healed.
struct Flipper {
    bool cut = false;
    std::uint32_t group = 0;
    std::vector<raftsim::core::NodeId> nodes;
    TimeUs next_us = 3 * us_per_second;

    void maybe_flip(Simulation& sim) {
        if (sim.now() < next_us) {
            return;
        }
        next_us += 1500 * us_per_ms;
        if (cut) {
            sim.heal(group);
            cut = false;
            return;
        }
        const raftsim::core::NodeId leader = sim.leader();
        if (leader == 0) {
            return;
        }
        nodes = {leader, leader % 5 + 1};
        group = sim.partition_off(nodes);
        cut = true;
    }
};

// The events of the run by kind, from the simulator's own counts
// (Simulation::event_counts): counting them here, by peeking at each queue
// event before it ran, cost the raftsim side about 3% of its CPU, where the
// fixture bench reads the kind off the event its step returns.
struct EventTally {
    std::uint64_t ticks = 0;
    std::uint64_t delivered = 0;
    std::uint64_t disk = 0;
    // Seen but not counted as events (see the header).
    std::uint64_t dropped_on_arrival = 0;
    std::uint64_t other_wakes = 0;
    std::uint64_t client = 0;
    std::uint64_t unclassified = 0;

    [[nodiscard]] std::uint64_t events() const { return ticks + delivered + disk; }

    // `disk_token`: the wake-up token that means "a disk operation
    // completed", by system: raftsim's core asks for one only for a sync
    // (token 0); the canonical adapter uses 1 for its disk (wake_disk) and 2
    // for 0-delay callbacks.
    static EventTally of(const Simulation& sim, std::uint32_t disk_token) {
        const raftsim::sim::EventCounts& counts = sim.event_counts();
        RAFT_ASSERT(disk_token < raftsim::sim::EventCounts::wake_tokens_counted);
        EventTally tally;
        tally.ticks = counts.ticks;
        tally.delivered = counts.handed;
        tally.disk = counts.wakes[disk_token];
        std::uint64_t wakes = 0;
        for (const std::uint64_t count : counts.wakes) {
            wakes += count;
        }
        tally.other_wakes = wakes - tally.disk;
        tally.client = counts.client;
        // Dropped on arrival: at a cut link, in this workload.
        tally.dropped_on_arrival = counts.deliveries - counts.handed;
        // The rest of the queue events (a paused node's resumes).
        tally.unclassified =
            sim.events() - counts.ticks - counts.deliveries - wakes - counts.client;
        return tally;
    }
};

// Simulation::apply_n(1, deadline) through the public workload switch, so
// every event runs inside a run_until whose `done` the tally sees: wait for
// a leader that takes requests, have the client propose one entry there
// (one client event), then run until it has an outcome or the deadline.
void propose_one(Simulation& sim, Flipper& flipper, TimeUs deadline,
                 const std::function<void(Simulation&, Flipper&)>& flip) {
    // The partition flipper gets its turn before every event, whatever
    // `done` waits for.
    const auto run_flipping = [&](const auto& done) {
        return sim.run_until(
            [&] {
                flip(sim, flipper);
                return done();
            },
            deadline);
    };
    const auto ready_leader = [&sim] {
        const raftsim::core::NodeId leader = sim.leader();
        return leader != 0 && !sim.host(leader).node->busy() && !sim.paused(leader);
    };
    const bool ready = run_flipping(ready_leader);
    if (!ready) {
        return;
    }
    const std::size_t before = sim.history().size();
    sim.start_workload(1);
    const auto resolved = [&sim, before] {
        if (sim.history().size() <= before) {
            return false;
        }
        // Proposed: no further batch once this one resolves.
        sim.stop_workload();
        return sim.history().back().outcome != raftsim::sim::ClientOutcome::pending;
    };
    static_cast<void>(run_flipping(resolved));
    sim.stop_workload();
}

struct Arguments {
    const raftsim::sut::System* system = nullptr;
    std::string scenario;
    std::uint64_t entries = 0;
    bool partitioned = false;
};

std::optional<Arguments> parse_arguments(int argc, char** argv) {
    Arguments parsed;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--sut" && i + 1 < argc) {
            parsed.system = raftsim::sut::find_system(argv[++i]);
            if (parsed.system == nullptr) {
                std::fprintf(stderr, "issue17_bench: no system %s in this build (have: %s)\n",
                             argv[i], raftsim::sut::system_names().c_str());
                return std::nullopt;
            }
        } else {
            positional.push_back(arg);
        }
    }
    if (positional.size() < 2) {
        std::fprintf(stderr,
                     "usage: issue17_bench [--sut NAME] SCENARIO.json ENTRIES [partitioned]\n");
        return std::nullopt;
    }
    parsed.scenario = positional[0];
    parsed.entries = std::strtoull(positional[1].c_str(), nullptr, 10);
    parsed.partitioned = positional.size() > 2 && positional[2] == "partitioned";
    return parsed;
}

void report(const raftsim::sut::System& system, const Arguments& args, const Simulation& sim,
            const EventTally& tally, double cpu) {
    const auto committed = static_cast<double>(sim.successes());
    std::printf(
        "%s under raftsim %s: %llu entries, %.3f CPU s, %.0f entries/CPU-s, %llu events "
        "(%.0f events/CPU-s; ticks %llu, delivered %llu, disk %llu), %llu sim events "
        "(not counted: %llu dropped on arrival, %llu other wake-ups, %llu client, %llu "
        "unclassified), %.1f s simulated%s\n",
        std::string(system.name()).c_str(), args.partitioned ? "partitioned" : "fault-free",
        static_cast<unsigned long long>(sim.successes()), cpu, committed / cpu,
        static_cast<unsigned long long>(tally.events()), static_cast<double>(tally.events()) / cpu,
        static_cast<unsigned long long>(tally.ticks),
        static_cast<unsigned long long>(tally.delivered),
        static_cast<unsigned long long>(tally.disk), static_cast<unsigned long long>(sim.events()),
        static_cast<unsigned long long>(tally.dropped_on_arrival),
        static_cast<unsigned long long>(tally.other_wakes),
        static_cast<unsigned long long>(tally.client),
        static_cast<unsigned long long>(tally.unclassified), static_cast<double>(sim.now()) / 1e6,
        sim.failed() ? " FAILED" : "");
    if (sim.violation().has_value()) {
        std::fprintf(stderr, "violation: %s: %s\n", sim.violation()->kind.c_str(),
                     sim.violation()->detail.c_str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::optional<Arguments> args = parse_arguments(argc, argv);
    if (!args.has_value()) {
        return 2;
    }
    std::ifstream in(args->scenario);
    std::ostringstream text;
    text << in.rdbuf();
    const raftsim::scenarios::ParseResult parsed =
        raftsim::scenarios::parse_scenario(text.str(), args->scenario);
    if (parsed.error.has_value()) {
        std::fprintf(stderr, "%s\n", parsed.error->to_string().c_str());
        return 2;
    }
    const raftsim::sut::System& system = raftsim::sut::system_or_default(args->system);
    // A system that cannot perform the workload is said so, never run weakened.
    if (const auto gap = raftsim::scenarios::skip_reason(*parsed.scenario, system)) {
        std::fprintf(stderr, "issue17_bench: %s cannot run this workload: %s\n",
                     std::string(system.name()).c_str(), gap->c_str());
        return 3;
    }
    const double start = cpu_seconds();
    raftsim::sim::SimOptions options =
        raftsim::scenarios::sim_options(*parsed.scenario, {.seed = 1, .system = &system});
    // 100,000 entries take more events, requests and simulated time than a
    // scenario's default limits allow.
    options.limits.events = 1'000'000'000;
    options.limits.simulated_time_us = 1'000'000 * us_per_second;
    options.limits.requests = 10 * args->entries + 1000;
    Simulation sim(std::move(options));
    Flipper flipper;
    // The cuts keep their schedule while a proposal waits: they flip between
    // events, before the first one due at or after the flip time.
    const auto flip = [partitioned = args->partitioned](Simulation& run, Flipper& flips) {
        if (partitioned) {
            flips.maybe_flip(run);
        }
    };
    while (sim.successes() < args->entries && !sim.failed()) {
        propose_one(sim, flipper, sim.now() + 60 * us_per_second, flip);
    }
    const double cpu = cpu_seconds() - start;
    const EventTally tally = EventTally::of(sim, system.name() == "canonical" ? 1 : 0);
    report(system, *args, sim, tally, cpu);
    return sim.failed() ? 1 : 0;
}
