// The discrete-event simulator end to end: elections, replication and the
// final checks; determinism of the trace; every fault it offers (partitions,
// crashes with and without lost writes, slow votes, clock drift, message
// loss) with a measurable effect; and how it reports violations.
#include "raftsim/sim/simulation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "helpers.hpp"
#include "raftsim/core/assert.hpp"
#include "raftsim/core/config.hpp"

namespace raftsim::sim {
namespace {

using core::NodeId;

using test::core_of;
using test::describe;
using test::elect;
using test::long_wait;
using test::options;
using test::records_of;
using test::tick_us;
using test::traced;

/// A node other than `old` that is up and leads.
NodeId other_leader(const Simulation& sim, NodeId old) {
    for (NodeId id : sim.ids()) {
        if (id != old && sim.is_up(id) && sim.host(id).node->role() == core::Role::leader) {
            return id;
        }
    }
    return 0;
}

NodeId a_follower(const Simulation& sim) {
    for (NodeId id : sim.ids()) {
        if (id != sim.leader()) {
            return id;
        }
    }
    return 0;
}

void require_verified(Simulation& sim) {
    sim.verify(sim.now() + long_wait);
    INFO(describe(sim));
    REQUIRE_FALSE(sim.failed());
}

/// Every node's FSM holds exactly the commands of its durable log, in order.
void require_fsms_hold_logs(const Simulation& sim) {
    for (NodeId id : sim.ids()) {
        const Host& host = sim.host(id);
        std::vector<core::Index> commands;
        for (const core::Entry& entry : host.storage.durable_entries()) {
            if (entry.type == core::EntryType::command) {
                commands.push_back(entry.index);
            }
        }
        std::vector<core::Index> applied;
        for (const AppliedItem& item : host.fsm.applied()) {
            applied.push_back(item.index);
        }
        INFO("node " << id);
        CHECK(applied == commands);
    }
}

struct Latency {
    NodeId from = 0;
    NodeId to = 0;
    TimeUs sent = 0;
    TimeUs latency = 0;
};

/// Send-to-delivery time of every delivered message of `type` (by sender,
/// receiver and term, which name one message of each election).
std::vector<Latency> latencies(const Simulation& sim, core::MessageType type) {
    const auto sub = static_cast<std::uint8_t>(type);
    std::map<std::tuple<NodeId, NodeId, core::Term>, TimeUs> sent;
    for (const TraceRecord& record : records_of(sim, TraceKind::send)) {
        if (record.sub == sub) {
            sent.emplace(std::tuple{record.node, record.peer, record.term}, record.time);
        }
    }
    std::vector<Latency> result;
    for (const TraceRecord& record : records_of(sim, TraceKind::deliver)) {
        const auto it = sent.find(std::tuple{record.peer, record.node, record.term});
        if (record.sub == sub && it != sent.end()) {
            result.push_back(Latency{.from = record.peer,
                                     .to = record.node,
                                     .sent = it->second,
                                     .latency = record.time - it->second});
        }
    }
    return result;
}

/// A scripted run: elect, apply, partition the leader, heal, apply, verify.
std::uint64_t scripted_fingerprint(std::uint64_t seed) {
    Simulation sim(options(3, seed));
    const NodeId first = elect(sim);
    REQUIRE(sim.apply_n(20, sim.now() + long_wait) == 20);
    const std::uint32_t group = sim.partition_off({first});
    sim.run_for(5 * us_per_second);
    sim.heal(group);
    REQUIRE(sim.apply_n(20, sim.now() + long_wait) == 20);
    require_verified(sim);
    return sim.trace().fingerprint();
}

}  // namespace

TEST_CASE("simulation: a three-node cluster elects one leader", "[simulation]") {
    Simulation sim(options(3));
    CHECK(sim.ids() == std::vector<NodeId>{1, 2, 3});
    CHECK(sim.id_of("n2") == 2);
    CHECK(sim.name_of(3) == "n3");
    const NodeId leader = elect(sim);
    CHECK(leader != 0);
    CHECK(sim.now() > 0);
    int leaders = 0;
    for (NodeId id : sim.ids()) {
        leaders += sim.host(id).node->role() == core::Role::leader ? 1 : 0;
    }
    CHECK(leaders == 1);
    // The others learn of it.
    sim.run_for(2 * us_per_second);
    for (NodeId id : sim.ids()) {
        CHECK(sim.host(id).node->leader_id() == leader);
    }
    CHECK(sim.leader_plus(2).front() == leader);
    CHECK(sim.leader_plus(3).size() == 3);
    CHECK_FALSE(sim.failed());
}

TEST_CASE("simulation: event counts add up to the events run and match the trace", "[simulation]") {
    SimOptions opts = traced(3, 4);
    opts.disk_sync_us = 2 * us_per_ms;
    opts.link.latency_min_us = 20 * us_per_ms;
    opts.link.latency_max_us = 40 * us_per_ms;
    Simulation sim(std::move(opts));
    static_cast<void>(elect(sim));
    REQUIRE(sim.apply_n(10, sim.now() + long_wait) == 10);
    // Cut the leader off with messages on the way: they are dropped on
    // arrival, so delivery events outnumber messages handed over.
    const std::uint32_t group = sim.partition_off({sim.leader()});
    sim.run_for(3 * us_per_second);
    sim.heal(group);
    REQUIRE(sim.apply_n(10, sim.now() + long_wait) == 10);
    const EventCounts& counts = sim.event_counts();
    std::uint64_t wakes = 0;
    for (const std::uint64_t count : counts.wakes) {
        wakes += count;
    }
    // No node was paused, so there are no resume events.
    CHECK(counts.ticks + counts.deliveries + wakes + counts.client == sim.events());
    CHECK(counts.handed == records_of(sim, TraceKind::deliver).size());
    CHECK(counts.deliveries > counts.handed);
    CHECK(counts.ticks > 0);
    // raftsim's core asks for a wake-up (token 0) only for a disk sync.
    CHECK(counts.wakes[0] > 0);
    CHECK(wakes == counts.wakes[0]);
    CHECK_FALSE(sim.failed());
}

TEST_CASE("simulation: max_events halts the run after that many events, with no violation",
          "[simulation]") {
    SimOptions limited = options(3);
    limited.max_events = 40;
    Simulation sim(limited);
    sim.run_for(10 * us_per_second);
    CHECK(sim.events() == 40);
    CHECK(sim.halted());
    CHECK(sim.failed());                       // the run is over ...
    CHECK_FALSE(sim.violation().has_value());  // ... but nothing broke
    const TimeUs stopped_at = sim.now();
    CHECK(stopped_at < 10 * us_per_second);
    CHECK_FALSE(sim.run_until([] { return false; }, 20 * us_per_second));
    CHECK(sim.events() == 40);
    CHECK(sim.now() == stopped_at);

    // Without a limit the same run goes on.
    Simulation unlimited(options(3));
    unlimited.run_for(10 * us_per_second);
    CHECK(unlimited.events() > 40);
    CHECK_FALSE(unlimited.halted());
}

// ---------------------------------------------------------------- run limits

/// A short run using every limited quantity: three counted steps, each
/// applying five commands (a request each) and running a second.
void limited_workload(Simulation& sim) {
    for (int round = 0; round < 3; ++round) {
        if (!sim.count_step()) {
            return;
        }
        static_cast<void>(sim.apply_n(5, sim.now() + long_wait));
        sim.run_for(us_per_second);
    }
}

/// How much of `kind`'s quantity the run used.
std::uint64_t used(const Simulation& sim, LimitKind kind) {
    switch (kind) {
        case LimitKind::events:
            return sim.events();
        case LimitKind::simulated_time:
            return sim.now();
        case LimitKind::steps:
            return sim.steps();
        case LimitKind::requests:
            return sim.history().size();
    }
    return 0;
}

SimOptions limited_to(LimitKind kind, std::uint64_t value) {
    SimOptions result = options(3);
    switch (kind) {
        case LimitKind::events:
            result.limits.events = value;
            break;
        case LimitKind::simulated_time:
            result.limits.simulated_time_us = value;
            break;
        case LimitKind::steps:
            result.limits.steps = value;
            break;
        case LimitKind::requests:
            result.limits.requests = value;
            break;
    }
    return result;
}

TEST_CASE("simulation: a run at exactly a limit passes and one below it fails with its kind",
          "[simulation][limits]") {
    const LimitKind kind = GENERATE(LimitKind::events, LimitKind::simulated_time, LimitKind::steps,
                                    LimitKind::requests);
    INFO(to_string(kind));
    Simulation unlimited(options(3));
    limited_workload(unlimited);
    REQUIRE_FALSE(unlimited.failed());
    const std::uint64_t usage = used(unlimited, kind);
    REQUIRE(usage > 1);

    Simulation at_limit(limited_to(kind, usage));
    limited_workload(at_limit);
    CHECK_FALSE(at_limit.failed());
    // A limit that is not reached changes nothing in the run.
    CHECK(at_limit.trace().fingerprint() == unlimited.trace().fingerprint());

    Simulation below(limited_to(kind, usage - 1));
    limited_workload(below);
    REQUIRE(below.violation().has_value());
    CHECK(below.violation()->checker == Checker::limit);
    CHECK(below.violation()->kind == to_string(kind));
    CHECK_FALSE(below.halted());
    // The run stopped at the limit, not past it.
    CHECK(used(below, kind) == usage - 1);
    CHECK(below.violation()->time == below.now());
    CHECK(below.violation()->node == 0);
}

TEST_CASE("simulation: a limit violation names the limit, its value and how to raise it",
          "[simulation][limits]") {
    struct Case {
        LimitKind kind;
        std::uint64_t value;
        std::string detail;
    };
    const Case c = GENERATE(values<Case>({
        {LimitKind::events, 100,
         "the run reached its limit of 100 simulator events (raise limits.events in the "
         "scenario, or --max-events)"},
        {LimitKind::simulated_time, 90 * us_per_second,
         "the run reached its limit of 90s of simulated time (raise limits.simulated_time in "
         "the scenario, or --max-sim-time)"},
        {LimitKind::steps, 2,
         "the run reached its limit of 2 scenario steps (raise limits.steps in the scenario, "
         "or --max-steps)"},
        {LimitKind::requests, 7,
         "the run reached its limit of 7 client requests (raise limits.requests in the "
         "scenario, or --max-requests)"},
    }));
    Simulation sim(limited_to(c.kind, c.value));
    for (int i = 0; i < 3 && !sim.failed(); ++i) {
        static_cast<void>(sim.count_step());
    }
    static_cast<void>(sim.apply_n(10, sim.now() + long_wait));
    sim.run_for(100 * us_per_second);
    REQUIRE(sim.violation().has_value());
    CHECK(sim.violation()->checker == Checker::limit);
    CHECK(sim.violation()->kind == to_string(c.kind));
    CHECK(sim.violation()->detail == c.detail);
}

TEST_CASE("simulation: a sleep or wait past the time limit stops at the limit",
          "[simulation][limits]") {
    SimOptions limited = options(3);
    limited.limits.simulated_time_us = 30 * us_per_second;
    SECTION("a sleep") {
        Simulation sim(limited);
        sim.run_for(3'600 * us_per_second);
        REQUIRE(sim.violation().has_value());
        CHECK(sim.violation()->kind == "simulated_time");
        CHECK(sim.now() == 30 * us_per_second);
    }
    SECTION("a wait that cannot succeed") {
        Simulation sim(limited);
        CHECK_FALSE(sim.run_until([] { return false; }, 3'600 * us_per_second));
        REQUIRE(sim.violation().has_value());
        CHECK(sim.violation()->kind == "simulated_time");
        CHECK(sim.now() == 30 * us_per_second);
    }
    SECTION("a wait that succeeds before the limit is no failure") {
        Simulation sim(limited);
        CHECK(sim.run_until([&sim] { return sim.leader() != 0; }, 3'600 * us_per_second));
        CHECK_FALSE(sim.failed());
        CHECK(sim.now() < 30 * us_per_second);
    }
    SECTION("a sleep ending exactly at the limit is no failure") {
        Simulation sim(limited);
        sim.run_for(30 * us_per_second);
        CHECK_FALSE(sim.failed());
        CHECK(sim.now() == 30 * us_per_second);
    }
}

TEST_CASE("simulation: max_events below the events limit halts without a limit violation",
          "[simulation][limits]") {
    SimOptions both = options(3);
    both.max_events = 40;
    both.limits.events = 41;
    Simulation halted(both);
    halted.run_for(10 * us_per_second);
    CHECK(halted.halted());
    CHECK_FALSE(halted.violation().has_value());
    // At the same count the limit wins: the run without max_events would
    // fail there too, and a halted run must behave as that run up to it.
    both.limits.events = 40;
    Simulation limited(both);
    limited.run_for(10 * us_per_second);
    CHECK_FALSE(limited.halted());
    REQUIRE(limited.violation().has_value());
    CHECK(limited.violation()->kind == "events");
}

TEST_CASE("simulation: apply_n commits every command and verify passes", "[simulation]") {
    for (std::size_t count : {3U, 5U}) {
        DYNAMIC_SECTION(count << " nodes") {
            Simulation sim(options(count));
            CHECK(sim.apply_n(100, long_wait) == 100);
            CHECK(sim.successes() == 100);
            REQUIRE(sim.history().size() == 100);
            for (const ClientRequest& request : sim.history()) {
                CHECK(request.outcome == ClientOutcome::success);
                CHECK(request.index > 0);
                CHECK(request.data.size() == apply_entry_size_bytes);
            }
            CHECK(sim.wait_until_up_to_date(sim.now() + long_wait));
            require_verified(sim);
            const HashChainFsm& reference = sim.host(1).fsm;
            CHECK(reference.applied().size() == 100);
            for (NodeId id : sim.ids()) {
                CHECK(sim.host(id).fsm.hash() == reference.hash());
                CHECK(sim.host(id).fsm.last_index() == reference.last_index());
            }
            require_fsms_hold_logs(sim);
        }
    }
}

TEST_CASE("simulation: same options, seed and calls give the same trace fingerprint",
          "[simulation]") {
    const std::uint64_t first = scripted_fingerprint(5);
    CHECK(scripted_fingerprint(5) == first);
    CHECK(scripted_fingerprint(6) != first);
    CHECK(scripted_fingerprint(7) != first);
}

TEST_CASE("simulation: a partitioned leader is replaced and follows after healing",
          "[simulation]") {
    Simulation sim(options(5, 3));
    const NodeId old = elect(sim);
    REQUIRE(sim.apply_n(10, sim.now() + long_wait) == 10);
    const core::Term old_term = sim.host(old).node->term();
    const std::uint32_t group = sim.partition_off({old});
    NodeId fresh = 0;
    REQUIRE(sim.run_until(
        [&] {
            fresh = other_leader(sim, old);
            return fresh != 0;
        },
        sim.now() + long_wait));
    CHECK(sim.host(fresh).node->term() > old_term);
    // The majority makes progress without the old leader, which steps down
    // for want of a quorum (leader lease).
    REQUIRE(sim.run_until([&] { return sim.host(old).node->role() != core::Role::leader; },
                          sim.now() + long_wait));
    REQUIRE(sim.apply_n(10, sim.now() + long_wait) == 10);
    sim.heal(group);
    REQUIRE(sim.run_until(
        [&] {
            const core::Node& node = core_of(sim.host(old));
            const NodeId now_leader = sim.leader();
            return now_leader != 0 && now_leader != old && node.leader_id() == now_leader &&
                   node.role() == core::Role::follower;
        },
        sim.now() + long_wait));
    require_verified(sim);
    require_fsms_hold_logs(sim);
    CHECK(sim.host(old).fsm.applied().size() == 20);
}

TEST_CASE("simulation: a crashed follower or leader recovers and re-applies on restart",
          "[simulation]") {
    for (const bool crash_leader : {false, true}) {
        DYNAMIC_SECTION((crash_leader ? "leader" : "follower")) {
            Simulation sim(options(3, 11));
            const NodeId leader = elect(sim);
            REQUIRE(sim.apply_n(20, sim.now() + long_wait) == 20);
            REQUIRE(sim.wait_until_up_to_date(sim.now() + long_wait));
            const NodeId victim = crash_leader ? leader : a_follower(sim);
            sim.crash(victim, false);
            CHECK_FALSE(sim.is_up(victim));
            CHECK(sim.leader() != victim);
            CHECK(sim.apply_n(20, sim.now() + long_wait) == 20);
            CHECK(sim.leader() != victim);
            sim.restart(victim);
            REQUIRE(sim.is_up(victim));
            // The state machine is volatile: it starts empty and re-applies.
            CHECK(sim.host(victim).fsm.applied().empty());
            CHECK(sim.wait_until_up_to_date(sim.now() + long_wait));
            require_verified(sim);
            CHECK(sim.host(victim).fsm.applied().size() == 40);
            CHECK(sim.host(victim).fsm.hash() == sim.host(sim.leader()).fsm.hash());
            require_fsms_hold_logs(sim);
        }
    }
}

TEST_CASE("simulation: a crash loses unsynced writes only when asked to", "[simulation]") {
    for (const bool lose : {true, false}) {
        DYNAMIC_SECTION("lose_unsynced=" << lose) {
            SimOptions opts = options(3, 21);
            opts.disk_sync_us = 20 * us_per_ms;
            Simulation sim(opts);
            const NodeId leader = elect(sim);
            REQUIRE(sim.apply_n(5, sim.now() + long_wait) == 5);
            const NodeId victim = a_follower(sim);
            sim.start_workload(4);
            // Stop while the follower has written entries its disk has not synced.
            REQUIRE(sim.run_until(
                [&] {
                    const Host& host = sim.host(victim);
                    return host.is_up() && host.node->busy() && host.storage.has_unsynced() &&
                           core_of(host).log().last_index() > host.storage.durable_entries().size();
                },
                sim.now() + long_wait));
            sim.stop_workload();
            const std::size_t durable_before = sim.host(victim).storage.durable_entries().size();
            const core::Index written = core_of(sim.host(victim)).log().last_index();
            REQUIRE(written > durable_before);
            sim.crash(victim, lose);
            const std::size_t durable_after = sim.host(victim).storage.durable_entries().size();
            CHECK(durable_after == (lose ? durable_before : written));
            CHECK_FALSE(sim.host(victim).storage.has_unsynced());
            sim.restart(victim);
            CHECK(core_of(sim.host(victim)).log().last_index() == durable_after);
            CHECK(sim.leader() == leader);
            require_verified(sim);
            require_fsms_hold_logs(sim);
        }
    }
}

TEST_CASE("simulation: persist before send holds under a slow disk", "[simulation]") {
    SimOptions opts = options(3, 4);
    opts.disk_sync_us = 15 * us_per_ms;
    opts.keep_trace = true;
    Simulation sim(opts);
    elect(sim);
    REQUIRE(sim.apply_n(30, sim.now() + long_wait) == 30);
    const std::uint32_t group = sim.partition_off({sim.leader()});
    sim.run_for(10 * us_per_second);
    sim.heal(group);
    require_verified(sim);

    const std::vector<TraceRecord>& records = sim.trace().records();
    std::map<NodeId, TimeUs> blocked_until;
    std::map<NodeId, core::Term> persisted_term;
    std::size_t sends = 0;
    std::size_t released_at_sync = 0;
    // A pre-vote names the term its sender would campaign in, not its own.
    const auto pre_vote = static_cast<std::uint8_t>(core::MessageType::request_pre_vote);
    const auto pre_vote_response =
        static_cast<std::uint8_t>(core::MessageType::request_pre_vote_response);
    for (const TraceRecord& record : records) {
        if (record.kind == TraceKind::persist) {
            // A write blocks the node's output until its disk syncs.
            blocked_until[record.node] = record.time + opts.disk_sync_us;
            persisted_term[record.node] = std::max(persisted_term[record.node], record.term);
        } else if (record.kind == TraceKind::send && record.sub != pre_vote &&
                   record.sub != pre_vote_response) {
            INFO("node " << record.node << " sent at " << record.time);
            CHECK(record.time >= blocked_until[record.node]);
            // A message carries a term its sender has already persisted.
            CHECK(record.term <= persisted_term[record.node]);
            sends += 1;
            released_at_sync += record.time == blocked_until[record.node] ? 1 : 0;
        }
    }
    CHECK(sends > 100);
    // Messages held by a write leave exactly when the disk syncs.
    CHECK(released_at_sync > 10);
}

TEST_CASE("simulation: storage is durable whenever a node has no write in flight", "[simulation]") {
    SimOptions opts = options(3, 8);
    opts.disk_sync_us = 5 * us_per_ms;
    Simulation sim(opts);
    sim.start_workload(3);
    std::size_t checked = 0;
    for (int step = 0; step < 400; ++step) {
        sim.run_for(7 * us_per_ms);
        for (NodeId id : sim.ids()) {
            const Host& host = sim.host(id);
            if (host.node->busy()) {
                continue;
            }
            CHECK_FALSE(host.storage.has_unsynced());
            CHECK(host.storage.durable_hard_state() == core_of(host).hard_state());
            CHECK(host.storage.durable_entries().size() == core_of(host).log().last_index());
            checked += 1;
        }
    }
    sim.stop_workload();
    CHECK(checked > 100);
    CHECK(sim.successes() > 0);
    require_verified(sim);
}

TEST_CASE("simulation: slow votes delay vote requests to or responses from slow nodes",
          "[simulation]") {
    struct Row {
        SlowVoteMode mode;
        core::MessageType type;
    };
    const std::vector<Row> rows = {{SlowVoteMode::send, core::MessageType::request_vote},
                                   {SlowVoteMode::recv, core::MessageType::request_vote_response}};
    constexpr TimeUs delay_min = 200 * us_per_ms;
    constexpr TimeUs delay_max = 300 * us_per_ms;
    for (const Row& row : rows) {
        DYNAMIC_SECTION(core::to_string(row.type)) {
            SimOptions opts = options(3, 2);
            opts.keep_trace = true;
            Simulation sim(opts);
            sim.set_slow_votes(row.mode, {2, 3}, delay_min, delay_max);
            const NodeId first = elect(sim);
            sim.run_for(2 * us_per_second);
            // Cleared, votes travel at link speed again: force another election.
            const TimeUs cleared = sim.now();
            sim.clear_slow_votes();
            sim.crash(first, false);
            REQUIRE(sim.run_until([&] { return other_leader(sim, first) != 0; },
                                  sim.now() + long_wait));
            sim.run_for(2 * us_per_second);
            std::size_t slow = 0;
            std::size_t fast = 0;
            for (const Latency& latency : latencies(sim, row.type)) {
                const NodeId slow_end = row.mode == SlowVoteMode::send ? latency.to : latency.from;
                INFO("from " << latency.from << " to " << latency.to << " at " << latency.sent);
                if (latency.sent < cleared && (slow_end == 2 || slow_end == 3)) {
                    CHECK(latency.latency >= delay_min);
                    CHECK(latency.latency <= delay_max + opts.link.latency_max_us);
                    slow += 1;
                } else {
                    CHECK(latency.latency <= opts.link.latency_max_us);
                    fast += 1;
                }
            }
            CHECK(slow > 0);
            CHECK(fast > 0);
            CHECK(records_of(sim, TraceKind::slow_votes).size() == 1);
        }
    }
}

namespace {

/// Send-to-delivery times of every message of `type` on the link from
/// `from` to `to`, paired in order (a link without reorder or loss is FIFO).
std::vector<Latency> link_latencies(const Simulation& sim, NodeId from, NodeId to,
                                    core::MessageType type) {
    const auto sub = static_cast<std::uint8_t>(type);
    std::vector<TimeUs> sent;
    std::vector<TimeUs> delivered;
    for (const TraceRecord& record : sim.trace().records()) {
        if (record.sub != sub) {
            continue;
        }
        if (record.kind == TraceKind::send && record.node == from && record.peer == to) {
            sent.push_back(record.time);
        } else if (record.kind == TraceKind::deliver && record.node == to && record.peer == from) {
            delivered.push_back(record.time);
        }
    }
    REQUIRE(delivered.size() <= sent.size());
    std::vector<Latency> result;
    for (std::size_t i = 0; i < delivered.size(); ++i) {
        REQUIRE(delivered[i] >= sent[i]);
        result.push_back(
            Latency{.from = from, .to = to, .sent = sent[i], .latency = delivered[i] - sent[i]});
    }
    return result;
}

}  // namespace

TEST_CASE("simulation: slow links delay one direction, seen in the trace, until cleared",
          "[simulation][slow_link]") {
    SimOptions opts = options(3, 5);
    opts.keep_trace = true;
    Simulation sim(opts);
    sim.clear_slow_links();  // nothing to clear: no record
    const NodeId leader = elect(sim);
    sim.run_for(us_per_second);
    // Every message from the followers to the leader 300ms slower (below
    // the 500ms leader lease, so check-quorum keeps it leading); the
    // leader's own messages at link speed.
    constexpr TimeUs extra = 300 * us_per_ms;
    const TimeUs slowed = sim.now();
    std::vector<NodeId> followers;
    for (NodeId id : sim.ids()) {
        if (id != leader) {
            followers.push_back(id);
            sim.set_slow_link(id, leader, SlowLink{.delay_min_us = extra, .delay_max_us = extra});
        }
    }
    sim.run_for(2 * us_per_second);
    const TimeUs cleared = sim.now();
    sim.clear_slow_links();
    sim.run_for(2 * us_per_second);
    CHECK(sim.leader() == leader);
    std::size_t slow = 0;
    std::size_t fast = 0;
    for (NodeId follower : followers) {
        for (const Latency& ack :
             link_latencies(sim, follower, leader, core::MessageType::append_entries_response)) {
            INFO("ack from " << follower << " sent at " << ack.sent);
            if (ack.sent >= slowed && ack.sent < cleared) {
                CHECK(ack.latency >= extra + opts.link.latency_min_us);
                slow += 1;
            } else if (ack.sent >= cleared + extra) {
                CHECK(ack.latency <= opts.link.latency_max_us);
                fast += 1;
            }
        }
        for (const Latency& beat :
             link_latencies(sim, leader, follower, core::MessageType::append_entries)) {
            CHECK(beat.latency <= opts.link.latency_max_us);
        }
    }
    CHECK(slow > 20);  // heartbeats every 100ms for 2s, from two followers
    CHECK(fast > 20);
    // One record per link made slow and one for the clearing that changed
    // something (node 0); the first clear_slow_links had none.
    const std::vector<TraceRecord> records = records_of(sim, TraceKind::slow_link);
    REQUIRE(records.size() == 3);
    CHECK(records[0].peer == leader);
    CHECK(records[0].a == extra);
    CHECK(records[0].b == extra);
    CHECK(records[0].c == 0);
    CHECK(records[2].node == 0);
    CHECK(records[2].time == cleared);
    require_verified(sim);
}

TEST_CASE("simulation: clock drift changes a node's tick rate", "[simulation]") {
    // One node elects itself after its randomized timeout, counted in ticks:
    // a slower clock takes proportionally longer.
    const auto time_to_lead = [](std::int32_t drift_ppm) {
        Simulation sim(options(1, 9));
        sim.set_clock_drift(1, drift_ppm);
        elect(sim);
        return sim.now();
    };
    const TimeUs normal = time_to_lead(0);
    const TimeUs slow = time_to_lead(1'000'000);  // ticks twice as long
    const TimeUs fast = time_to_lead(-500'000);   // ticks half as long
    INFO("normal " << normal << " slow " << slow << " fast " << fast);
    CHECK(normal > 50 * tick_us);
    CHECK(slow > normal * 19 / 10);
    CHECK(slow < normal * 21 / 10);
    CHECK(fast > normal * 45 / 100);
    CHECK(fast < normal * 55 / 100);
}

// A system that reads a clock (canonical's io->time) sees it advance one
// tick per tick, and a drift change alters the rate from then on: the clock
// never jumps (it once jumped back by now x drift and let a canonical leader
// outlive its lease).
TEST_CASE("simulation: a node's clock follows its ticks and never jumps at a drift change",
          "[simulation]") {
    Simulation sim(options(1, 9));
    const Host& host = sim.host(1);
    sim.run_for(1'000'000);
    CHECK(host.env->local_clock_us() == 1'000'000);
    sim.set_clock_drift(1, 1'000'000);  // ticks twice as long: the clock at half speed
    CHECK(host.env->local_clock_us() == 1'000'000);
    sim.run_for(1'000'000);
    CHECK(host.env->local_clock_us() == 1'500'000);
    sim.set_clock_drift(1, -500'000);  // ticks half as long: the clock at twice the speed
    CHECK(host.env->local_clock_us() == 1'500'000);
    sim.run_for(1'000'000);
    CHECK(host.env->local_clock_us() == 3'500'000);
}

TEST_CASE("simulation: a lossy link shows dropped messages in the trace", "[simulation]") {
    SimOptions opts = options(3, 6);
    opts.keep_trace = true;
    Simulation sim(opts);
    elect(sim);
    sim.run_for(5 * us_per_second);
    const auto random_losses = [&sim] {
        const auto records = records_of(sim, TraceKind::drop);
        return std::count_if(records.begin(), records.end(), [](const TraceRecord& record) {
            return record.c == static_cast<std::uint64_t>(DropReason::random_loss);
        });
    };
    CHECK(random_losses() == 0);
    LinkConfig lossy = opts.link;
    lossy.drop = Ratio{1, 3};
    sim.set_link(lossy);
    CHECK(sim.link().drop == Ratio{1, 3});
    const std::size_t sends_before = records_of(sim, TraceKind::send).size();
    sim.run_for(10 * us_per_second);
    const auto sent =
        static_cast<std::ptrdiff_t>(records_of(sim, TraceKind::send).size() - sends_before);
    const std::ptrdiff_t lost = random_losses();
    INFO("sent " << sent << " lost " << lost);
    CHECK(lost > 0);
    // About a third of what was handed to the network.
    CHECK(lost * 100 > (sent + lost) * 25);
    CHECK(lost * 100 < (sent + lost) * 42);
    const auto network = records_of(sim, TraceKind::network);
    REQUIRE(network.size() == 1);
    CHECK(network.front().a == 333'333);
}

TEST_CASE("simulation: a stale replay reaches the receiver's next incarnation, late",
          "[simulation]") {
    // Method: replay the run's first message (a vote request of the first
    // election) 3 s late, crash and restart its receiver in between, and
    // look for the late copy's arrival in the trace: at exactly the time its
    // `replay` record says, at the new incarnation, long after the election.
    SimOptions opts = options(3, 5);
    opts.keep_trace = true;
    opts.message_faults = {MessageFault{
        .message = 1, .kind = MessageFault::Kind::replay, .delay_us = 3 * us_per_second}};
    Simulation sim(opts);
    elect(sim);
    const std::vector<TraceRecord> replays = records_of(sim, TraceKind::replay);
    REQUIRE(replays.size() == 1);
    const TraceRecord replay = replays.front();
    const TimeUs due = replay.time + replay.c;
    CHECK(replay.c >= 3 * us_per_second);
    REQUIRE(sim.now() < due);
    sim.crash(replay.peer, false);
    sim.run_for(100 * us_per_ms);
    sim.restart(replay.peer);
    const TimeUs restarted = sim.now();
    sim.run_for(due + us_per_second - sim.now());
    const std::vector<TraceRecord> delivered = records_of(sim, TraceKind::deliver);
    const auto late = std::find_if(delivered.begin(), delivered.end(), [&](const TraceRecord& r) {
        return r.time == due && r.node == replay.peer && r.peer == replay.node &&
               r.sub == replay.sub && r.term == replay.term;
    });
    REQUIRE(late != delivered.end());
    CHECK(late->time > restarted);
    INFO(describe(sim));
    CHECK_FALSE(sim.violation().has_value());
}

TEST_CASE("simulation: the cluster stays safe under stale replays", "[simulation]") {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        DYNAMIC_SECTION("seed " << seed) {
            SimOptions opts = options(5, seed);
            opts.keep_trace = true;
            opts.link.stale_replay = Ratio{1, 10};
            opts.link.stale_replay_delay_min_us = 500 * us_per_ms;
            opts.link.stale_replay_delay_max_us = 5 * us_per_second;
            Simulation sim(opts);
            sim.start_workload(5);
            sim.run_for(10 * us_per_second);
            const NodeId victim = elect(sim);
            sim.crash(victim, false);
            sim.run_for(5 * us_per_second);
            sim.restart(victim);
            sim.run_for(10 * us_per_second);
            sim.stop_workload();
            INFO(describe(sim));
            CHECK(sim.successes() > 0);
            // About one message in ten was replayed.
            const auto sends = records_of(sim, TraceKind::send).size();
            const auto replays = records_of(sim, TraceKind::replay).size();
            CHECK(replays * 100 > sends * 6);
            CHECK(replays * 100 < sends * 14);
            sim.set_link(LinkConfig{});
            require_verified(sim);
        }
    }
}

TEST_CASE("simulation: the cluster stays safe under loss, duplication and reordering",
          "[simulation]") {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        DYNAMIC_SECTION("seed " << seed) {
            SimOptions opts = options(5, seed);
            opts.link.drop = Ratio{1, 10};
            opts.link.duplicate = Ratio{1, 10};
            opts.link.reorder = Ratio{1, 10};
            opts.disk_sync_us = 2 * us_per_ms;
            Simulation sim(opts);
            sim.start_workload(5);
            sim.run_for(20 * us_per_second);
            const std::uint32_t group = sim.partition_off(sim.leader_plus(2));
            sim.run_for(10 * us_per_second);
            sim.heal(group);
            sim.crash(3, true);
            sim.run_for(5 * us_per_second);
            sim.restart(3);
            sim.run_for(10 * us_per_second);
            sim.stop_workload();
            INFO(describe(sim));
            CHECK(sim.successes() > 0);
            sim.set_link(LinkConfig{});
            require_verified(sim);
        }
    }
}

TEST_CASE("simulation: a liveness failure is reported by violation()", "[simulation]") {
    SECTION("raised by the caller") {
        Simulation sim(options(3));
        elect(sim);
        sim.fail(Checker::liveness, "no_leader", "no leader within the deadline");
        REQUIRE(sim.failed());
        CHECK(sim.violation()->checker == Checker::liveness);
        CHECK(sim.violation()->kind == "no_leader");
        CHECK(sim.violation()->time == sim.now());
        // The first violation is kept; every run call now stops at once.
        sim.fail(Checker::convergence, "later", "ignored");
        CHECK(sim.violation()->kind == "no_leader");
        const TimeUs now = sim.now();
        const std::uint64_t events = sim.events();
        sim.run_for(us_per_second);
        CHECK(sim.now() == now);
        CHECK(sim.events() == events);
        CHECK_FALSE(sim.run_until([] { return true; }, now + us_per_second));
    }
    SECTION("raised by verify when the logs never settle") {
        Simulation sim(options(3));
        for (NodeId id : sim.ids()) {
            static_cast<void>(sim.partition_off({id}));
        }
        sim.run_for(10 * us_per_second);
        CHECK(sim.leader() == 0);
        sim.verify(sim.now() + 10 * us_per_second);
        REQUIRE(sim.failed());
        CHECK(sim.violation()->checker == Checker::liveness);
        CHECK(sim.violation()->kind == "logs_did_not_settle");
        // Nobody committed the bootstrap configuration: every member is behind.
        CHECK(sim.violation()->detail ==
              "the members' logs were not all up, committed, applied and equal within 10000 ms "
              "of simulated time: highest last index of a live member 1; behind: n1 (up, last "
              "index 1, commit 0, applied 0); n2 (up, last index 1, commit 0, applied 0); n3 "
              "(up, last index 1, commit 0, applied 0)");
    }
    SECTION("verify names a crashed member and one that is cut off") {
        // Five nodes, so the other three still commit.
        Simulation sim(options(5));
        CHECK(sim.apply_n(5, long_wait) == 5);
        const NodeId leader = sim.leader();
        const NodeId crashed = leader % 5 + 1;
        const NodeId cut_off = crashed % 5 + 1;
        REQUIRE(sim.wait_until_up_to_date(sim.now() + long_wait));
        sim.crash(crashed, false);
        static_cast<void>(sim.partition_off({cut_off}));
        CHECK(sim.apply_n(3, sim.now() + long_wait) == 3);
        sim.verify(sim.now() + 5 * us_per_second);
        REQUIRE(sim.violation().has_value());
        CHECK(sim.violation()->kind == "logs_did_not_settle");
        const std::string& detail = sim.violation()->detail;
        CAPTURE(detail);
        const core::Index highest = core_of(sim.host(leader)).log().last_index();
        CHECK_THAT(detail, Catch::Contains(fmt::format(
                               "highest last index of a live member {}; behind: ", highest)));
        CHECK_THAT(detail, Catch::Contains(sim.name_of(crashed) + " (crashed, durable last index " +
                                           std::to_string(highest - 3) + ")"));
        CHECK_THAT(detail, Catch::Contains(sim.name_of(cut_off) + " (up, last index " +
                                           std::to_string(highest - 3)));
        CHECK_THAT(detail, !Catch::Contains(sim.name_of(leader) + " ("));
    }
    SECTION("a wait that cannot succeed returns false at its deadline") {
        Simulation sim(options(3));
        sim.crash(1, false);
        CHECK_FALSE(sim.wait_until_up_to_date(20 * us_per_second));
        CHECK(sim.now() == 20 * us_per_second);
        CHECK_FALSE(sim.failed());
    }
}

TEST_CASE("simulation: a broken invariant throws instead of aborting while it lives",
          "[simulation]") {
    // The reporting path of core_assert: the simulator's handler turns an
    // assertion into an exception (inside a run, guarded_process reports it
    // as Checker::core_assert). No legitimate input trips a core assertion
    // inside a run, so the handler is shown on a host-side precondition.
    Simulation sim(options(3));
    CHECK_THROWS_WITH(static_cast<void>(sim.host(0)), Catch::Contains("id >= 1"));
    CHECK_THROWS_WITH(static_cast<void>(sim.host(4)), Catch::Contains("hosts_.size()"));
    CHECK_FALSE(sim.failed());
    elect(sim);
    CHECK_FALSE(sim.failed());
}

// A single voter commits a batch inside the call that proposes it; apply_n
// must count those outcomes too (it once asserted, outside any guard).
TEST_CASE("simulation: apply_n on a single-node cluster counts every success", "[simulation]") {
    Simulation sim(options(1));
    elect(sim);
    std::uint64_t applied = 0;
    REQUIRE_NOTHROW(applied = sim.apply_n(10, sim.now() + long_wait));
    CHECK(applied == 10);
    CHECK_FALSE(sim.failed());
}

// A batch that commits within its own event must not re-arm the client at
// the same instant forever (it once did: time stood still).
TEST_CASE("simulation: a single-node workload lets simulated time advance", "[simulation]") {
    Simulation sim(options(1));
    elect(sim);
    const TimeUs start = sim.now();
    sim.start_workload(1);
    sim.run_until([&sim] { return sim.events() >= 100'000; }, start + 10 * us_per_second);
    sim.stop_workload();
    INFO("events " << sim.events() << " requests " << sim.history().size());
    CHECK(sim.now() > start + us_per_second);
}

// ~Simulation restores the handler it replaced (it once reset it to abort, so
// a simulation outliving another lost its core_assert reporting).
TEST_CASE("simulation: a second simulation's end leaves the first one's assert handler",
          "[simulation]") {
    Simulation first(options(3));
    const core::AssertHandler installed = core::set_assert_handler(nullptr);
    core::set_assert_handler(installed);
    { Simulation second(options(3)); }
    // `first` is still alive: an assertion in its run must still become a
    // reported core_assert violation, not an abort.
    const core::AssertHandler current = core::set_assert_handler(nullptr);
    core::set_assert_handler(current);
    CHECK(current == installed);
}

// Black-box mode: a failed core assertion is counted and the code goes on; a
// host (simulator) assertion still stops the run as a core_assert.
TEST_CASE("simulation: black-box mode lets core assertions pass and counts them", "[simulation]") {
    SimOptions black = options(3);
    black.black_box = true;
    Simulation simulation(black);
    const auto core_check = [](int value) {
        // Compiled in this file, so the recorder must be asked about a path
        // that names core/ -- exactly what it decides on.
        return core::assert_recorded("value == 1", "core/src/log.cpp", value);
    };
    CHECK(core_check(7));
    CHECK(core_check(8));
    CHECK_FALSE(core::assert_recorded("x", "sim/src/network.cpp", 9));
    CHECK(simulation.ignored_asserts().count == 2);
    CHECK(simulation.ignored_asserts().first == "value == 1 (core/src/log.cpp:7)");
    simulation.run_for(2 * us_per_second);
    CHECK_FALSE(simulation.failed());
}

TEST_CASE("simulation: without black-box mode no assertion is let pass", "[simulation]") {
    Simulation simulation(options(3));
    CHECK_FALSE(core::assert_recorded("value == 1", "core/src/log.cpp", 7));
    CHECK(simulation.ignored_asserts().count == 0);
}

TEST_CASE("simulation: the recorder ends with the black-box simulation", "[simulation]") {
    {
        SimOptions black = options(3);
        black.black_box = true;
        Simulation simulation(black);
    }
    CHECK_FALSE(core::assert_recorded("value == 1", "core/src/log.cpp", 7));
}

}  // namespace raftsim::sim
