// The linearizability checker on histories like a faulty cluster gives: 8
// clients with one request outstanding each, over 10 keys, a seeded mix of
// get/put/delete/CAS, some requests timing out (indeterminate, taking effect
// later or never) and occasional long stalls. The outputs come from a
// sequential store per key run at points inside each request's interval, so
// the verdict must be "linearizable". Then a pathological history that must
// hit the step cap. Prints operations, verdict, search steps, memo entries (and bytes)
// and CPU time (std::clock: a benchmark, not part of any run).
//
// The same sizes are then taken from simulated runs: 5 servers, 8 clients
// over 10 keys (150 ms timeout), the leader partitioned off alone or crashed
// (losing unsynced writes) every 500 ms and everything healed between, until
// the history has the size asked for -- the histories the checker meets.
//
// Usage: linearizability_bench [OPERATIONS...]   (default 1000 10000 100000)

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "raftsim/core/prng.hpp"
#include "raftsim/sim/history/linearizability.hpp"
#include "raftsim/sim/simulation.hpp"

namespace {

using namespace raftsim;
using sim::Operation;

constexpr std::uint32_t clients = 8;
constexpr std::uint32_t keys = 10;
constexpr sim::TimeUs timeout_us = 1'000'000;

struct Planned {
    Operation op;
    sim::TimeUs point_us = 0;
    bool takes_effect = true;
};

/// One client's requests, one after another, with their linearization points.
void plan_client(std::uint32_t client, std::size_t count, core::Prng& prng,
                 std::vector<Planned>& plan) {
    sim::TimeUs now_us = prng.below(1000);
    for (std::size_t i = 0; i < count; ++i) {
        Planned planned;
        Operation& op = planned.op;
        op.id = plan.size() + 1;
        op.client = client;
        op.key = static_cast<sim::KvKey>(prng.below(keys));
        op.kind = static_cast<sim::OpKind>(prng.below(4));
        op.invoke_us = now_us;
        // Mostly 0.2-2 ms; one request in 200 stalls for 50-500 ms.
        sim::TimeUs latency_us = prng.range_inclusive(200, 2000);
        if (prng.chance(1, 200)) {
            latency_us = prng.range_inclusive(50'000, 500'000);
        }
        planned.point_us = op.invoke_us + prng.below(latency_us + 1);
        op.complete_us = op.invoke_us + latency_us;
        // 6% time out: half of them took effect (possibly after the client gave up).
        if (prng.chance(6, 100)) {
            op.status = sim::OpStatus::indeterminate;
            op.complete_us = op.invoke_us + timeout_us;
            planned.takes_effect = prng.chance(1, 2);
            planned.point_us = op.invoke_us + prng.below(3 * timeout_us);
        }
        now_us = op.complete_us + prng.below(500);
        plan.push_back(planned);
    }
}

/// Runs the sequential store in point order and fills in every output.
std::vector<Operation> run_store(std::vector<Planned>& plan, core::Prng& prng) {
    std::sort(plan.begin(), plan.end(), [](const Planned& a, const Planned& b) {
        return std::tie(a.point_us, a.op.id) < std::tie(b.point_us, b.op.id);
    });
    std::map<sim::KvKey, std::optional<sim::KvValue>> store;
    std::vector<Operation> history;
    for (Planned& planned : plan) {
        Operation& op = planned.op;
        std::optional<sim::KvValue>& slot = store[op.key];
        op.value = op.id;  // unique
        op.expected = slot.has_value() && prng.chance(3, 4) ? *slot : prng.below(op.id) + 1;
        const bool answered = op.status == sim::OpStatus::ok;
        const bool matches = slot.has_value() && *slot == op.expected;
        if (answered && op.kind == sim::OpKind::get) {
            op.read = slot;
        }
        op.cas_succeeded = answered && op.kind == sim::OpKind::compare_and_set && matches;
        if (planned.takes_effect) {
            if (op.kind == sim::OpKind::put ||
                (op.kind == sim::OpKind::compare_and_set && matches)) {
                slot = op.value;
            } else if (op.kind == sim::OpKind::remove) {
                slot.reset();
            }
        }
        history.push_back(op);
    }
    return history;
}

std::vector<Operation> cluster_history(std::size_t count, std::uint64_t seed) {
    core::Prng prng(seed);
    std::vector<Planned> plan;
    for (std::uint32_t client = 1; client <= clients; ++client) {
        plan_client(client, count / clients + (client <= count % clients ? 1 : 0), prng, plan);
    }
    return run_store(plan, prng);
}

/// Writes that all overlap, then a read of a value none wrote: proving
/// that takes the search through 2^n subsets of the writes.
std::vector<Operation> pathological_history(std::size_t writes) {
    std::vector<Operation> history;
    for (std::size_t i = 0; i < writes; ++i) {
        Operation op;
        op.id = i + 1;
        op.client = static_cast<sim::ClientId>(i + 1);
        op.kind = sim::OpKind::put;
        op.value = 100 + i;
        op.invoke_us = i;
        op.complete_us = 1000 + i;
        history.push_back(op);
    }
    Operation read;
    read.id = writes + 1;
    read.read = 7;
    read.invoke_us = 5000;
    read.complete_us = 5100;
    history.push_back(read);
    return history;
}

/// The same history with one read made stale (it sees the key's first
/// write): the verdict should be a violation, and this times the window's
/// minimisation on a large key.
std::vector<Operation> with_stale_read(std::vector<Operation> history) {
    for (std::size_t i = history.size() / 2; i < history.size(); ++i) {
        Operation& read = history[i];
        if (read.kind != sim::OpKind::get || !read.read.has_value()) {
            continue;
        }
        for (const Operation& write : history) {
            const bool first_put = write.kind == sim::OpKind::put && write.key == read.key;
            if (first_put && write.status == sim::OpStatus::ok && write.value != *read.read) {
                read.read = write.value;
                return history;
            }
        }
    }
    return history;
}

/// A history from a simulated cluster under partitions and crashes.
std::vector<Operation> simulated_history(std::size_t count, std::uint64_t seed) {
    constexpr sim::TimeUs tick_us = 10'000;
    sim::SimOptions options;
    for (int i = 1; i <= 5; ++i) {
        options.names.push_back(fmt::format("n{}", i));
    }
    options.raft = core::to_ticks(core::DurationConfig{}, tick_us).config;
    options.tick_us = tick_us;
    options.seed = seed;
    options.state_machine = sim::StateMachineKind::kv;
    // A short timeout: the clients give up during every election (>= 5%
    // of operations indeterminate).
    options.kv_clients =
        sim::KvClientOptions{.clients = clients, .keys = keys, .timeout_us = 150 * 1000};
    options.limits.events = 1'000'000'000;
    options.limits.simulated_time_us = 100'000 * sim::us_per_second;
    options.limits.requests = 10 * count + 1000;
    sim::Simulation simulation(options);
    simulation.start_clients();
    core::Prng prng(seed);
    std::vector<std::uint32_t> groups;
    while (simulation.client_history().size() < count && !simulation.failed()) {
        simulation.run_for(sim::us_per_second / 2);
        const core::NodeId leader = simulation.leader();
        const std::uint64_t fault = prng.below(3);
        if (fault == 0 && leader != 0) {
            groups.push_back(simulation.partition_off({leader}));
        } else if (fault == 1 && leader != 0) {
            simulation.crash(leader, true);
        } else {
            for (const std::uint32_t group : groups) {
                simulation.heal(group);
            }
            groups.clear();
            for (const core::NodeId id : simulation.ids()) {
                simulation.restart(id);
            }
        }
    }
    simulation.stop_clients();
    // Not cut to `count`: a read may have seen a write invoked after it.
    return simulation.client_history();
}

void measure(const std::string& name, const std::vector<Operation>& history) {
    const std::clock_t start = std::clock();
    const sim::LinearizabilityResult result = sim::check_linearizability(history);
    const std::clock_t end = std::clock();
    const double cpu_ms = 1000.0 * static_cast<double>(end - start) / CLOCKS_PER_SEC;
    std::string verdict(sim::to_string(result.verdict));
    if (result.verdict == sim::Verdict::unknown) {
        verdict += fmt::format(" (cap: {})", sim::to_string(result.cap));
    }
    std::size_t lost = 0;
    for (const Operation& op : history) {
        lost += op.status == sim::OpStatus::indeterminate ? 1 : 0;
    }
    fmt::print(
        "{:<13} ops {:>6}  indeterminate {:>4}  {:<27} steps {:>8}  memo {:>7} ({:>6.1f} MiB)",
        name, history.size(), lost, verdict, result.stats.steps, result.stats.memo_entries_peak,
        static_cast<double>(result.stats.memo_bytes_peak) / (1024.0 * 1024.0));
    fmt::print("  window {:>2} ({} checks)  cpu {:>7.1f} ms\n", result.window.size(),
               result.stats.window_checks, cpu_ms);
    if (result.verdict == sim::Verdict::not_linearizable && result.window.size() <= 8) {
        fmt::print("{}", sim::render_verdict(result, history));
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::size_t> sizes = {1'000, 10'000, 100'000};
    if (argc > 1) {
        sizes.clear();
        for (int i = 1; i < argc; ++i) {
            sizes.push_back(std::stoul(argv[i]));
        }
    }
    for (const std::size_t size : sizes) {
        const std::vector<Operation> history = cluster_history(size, 20240616 + size);
        measure("cluster", history);
        measure("stale read", with_stale_read(history));
    }
    for (const std::size_t size : sizes) {
        const std::vector<Operation> history = simulated_history(size, 7 + size);
        measure("run", history);
        measure("run stale", with_stale_read(history));
    }
    measure("pathological", pathological_history(40));
    return 0;
}
