// The key-value state machine, its commands and snapshots, the Jepsen-style
// clients, and a simulated cluster serving them: the history they record
// is checked for linearizability at the end of a run (issue 16).
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "raftsim/sim/kv/clients.hpp"
#include "raftsim/sim/kv/kv_store.hpp"
#include "raftsim/sim/simulation.hpp"

namespace raftsim::sim {
namespace {

using core::NodeId;
using test::long_wait;
using test::options;

KvCommand command(OpKind kind, KvKey key, KvValue value = 0, KvValue expected = 0) {
    static OperationId next = 1;
    return KvCommand{
        .operation = next++, .kind = kind, .key = key, .value = value, .expected = expected};
}

TEST_CASE("kv store: each kind of command does what a sequential store does", "[kv]") {
    struct Case {
        const char* what;
        std::vector<KvCommand> before;
        KvCommand command;
        KvResponse response;
        std::optional<KvValue> after;
    };
    const std::vector<Case> cases{
        {"get of an absent key: not found", {}, command(OpKind::get, 1), {}, std::nullopt},
        {"put then get", {command(OpKind::put, 1, 7)}, command(OpKind::get, 1), {.read = 7}, 7},
        {"put overwrites", {command(OpKind::put, 1, 7)}, command(OpKind::put, 1, 8), {}, 8},
        {"delete makes it absent",
         {command(OpKind::put, 1, 7)},
         command(OpKind::remove, 1),
         {},
         std::nullopt},
        {"cas on the expected value swaps",
         {command(OpKind::put, 1, 7)},
         command(OpKind::compare_and_set, 1, 9, 7),
         {.read = std::nullopt, .cas_succeeded = true},
         9},
        {"cas on another value does not",
         {command(OpKind::put, 1, 7)},
         command(OpKind::compare_and_set, 1, 9, 8),
         {.read = std::nullopt, .cas_succeeded = false},
         7},
        {"cas on an absent key never matches",
         {},
         command(OpKind::compare_and_set, 1, 9, 0),
         {.read = std::nullopt, .cas_succeeded = false},
         std::nullopt},
        {"other keys are untouched",
         {command(OpKind::put, 2, 5)},
         command(OpKind::remove, 1),
         {},
         std::nullopt},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        KvStore store;
        for (const KvCommand& earlier : c.before) {
            static_cast<void>(store.apply(earlier));
        }
        CHECK(store.apply(c.command) == c.response);
        CHECK(store.get(c.command.key) == c.after);
    }
}

TEST_CASE("kv store: commands round-trip through log entries, other bytes do not decode", "[kv]") {
    const KvCommand sent = command(OpKind::compare_and_set, 4'000'000'000U, 1ULL << 60U, 3);
    const core::Payload data = encode_kv_command(sent);
    REQUIRE(decode_kv_command(data) == sent);
    // The seeded source's 33-byte commands, and damaged ones, are not commands.
    CHECK_FALSE(decode_kv_command(core::Bytes(33, 'K')).has_value());
    core::Bytes damaged = data.to_bytes();
    damaged[2] = 9;  // no such kind
    CHECK_FALSE(decode_kv_command(damaged).has_value());
    damaged = data.to_bytes();
    damaged.pop_back();
    CHECK_FALSE(decode_kv_command(damaged).has_value());
}

TEST_CASE("kv store: a restore replaces the store, it never merges", "[kv]") {
    KvStore leader;
    static_cast<void>(leader.apply(command(OpKind::put, 1, 10)));
    static_cast<void>(leader.apply(command(OpKind::put, 2, 20)));
    const core::Bytes snapshot = leader.snapshot();

    KvStore follower;
    static_cast<void>(follower.apply(command(OpKind::put, 3, 30)));  // deleted since, say
    static_cast<void>(follower.apply(command(OpKind::put, 1, 99)));
    REQUIRE(follower.restore(snapshot.data(), snapshot.size()));
    CHECK(follower == leader);
    CHECK_FALSE(follower.get(3).has_value());
    CHECK(follower.describe() == "k1=v10 k2=v20");
}

TEST_CASE("kv store: a malformed snapshot is refused and changes nothing", "[kv]") {
    KvStore store;
    static_cast<void>(store.apply(command(OpKind::put, 1, 10)));
    core::Bytes good = store.snapshot();
    std::vector<core::Bytes> bad{{}, {1, 0, 0}, good};
    bad[2].push_back(0);  // a trailing byte
    core::Bytes unsorted = KvStore{}.snapshot();
    unsorted[0] = 2;  // two pairs, keys 5 then 5
    for (int i = 0; i < 2; ++i) {
        for (std::uint8_t byte : {5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}) {
            unsorted.push_back(byte);
        }
    }
    bad.push_back(unsorted);
    for (const core::Bytes& bytes : bad) {
        CHECK_FALSE(store.restore(bytes.data(), bytes.size()));
        CHECK(store.get(1) == KvValue{10});
    }
}

TEST_CASE("kv clients: written values are unique and operations keep their order of ids", "[kv]") {
    KvClientOptions chosen{.clients = 3, .keys = 2, .cas_weight = 5};
    KvClients clients(chosen, 7);
    std::set<KvValue> written;
    TimeUs now = 0;
    for (int round = 0; round < 200; ++round) {
        const ClientId client = static_cast<ClientId>(round % 3);
        const KvCommand drawn = clients.draw(client);
        REQUIRE(drawn.key < 2);
        if (drawn.kind == OpKind::put || drawn.kind == OpKind::compare_and_set) {
            REQUIRE(written.insert(drawn.value).second);
        }
        clients.invoke(client, drawn, 1, now);
        REQUIRE(clients.outstanding(client) == drawn.operation);
        now += 10;
        if (round % 5 == 0) {
            clients.complete_indeterminate(drawn.operation, now);
        } else {
            clients.complete_ok(drawn.operation, KvResponse{}, now);
        }
        REQUIRE_FALSE(clients.outstanding(client).has_value());
    }
    const std::vector<Operation> history = clients.history(now);
    REQUIRE(history.size() == 200);
    for (std::size_t i = 0; i < history.size(); ++i) {
        CHECK(history[i].id == i + 1);
        CHECK((history[i].status == OpStatus::indeterminate) == (i % 5 == 0));
    }
}

TEST_CASE("kv clients: an operation still pending at the end is indeterminate", "[kv]") {
    KvClients clients(KvClientOptions{.clients = 1}, 1);
    const KvCommand drawn = clients.draw(0);
    clients.invoke(0, drawn, 2, 100);
    REQUIRE(clients.pending_on(2) == std::vector<OperationId>{drawn.operation});
    const std::vector<Operation> history = clients.history(500);
    REQUIRE(history.size() == 1);
    CHECK(history[0].status == OpStatus::indeterminate);
    CHECK(history[0].complete_us == 500);
}

SimOptions kv_options(std::size_t nodes, std::uint64_t seed) {
    SimOptions chosen = options(nodes, seed);
    chosen.state_machine = StateMachineKind::kv;
    chosen.kv_clients = KvClientOptions{.clients = 4, .keys = 3};
    return chosen;
}

std::map<OpStatus, std::size_t> count_by_status(const std::vector<Operation>& history) {
    std::map<OpStatus, std::size_t> counts;
    for (const Operation& operation : history) {
        counts[operation.status] += 1;
    }
    return counts;
}

TEST_CASE("kv cluster: clients through a leader partition stay linearizable", "[kv]") {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        INFO("seed " << seed);
        Simulation sim(kv_options(3, seed));
        sim.start_clients();
        sim.run_for(3 * us_per_second);
        const NodeId old_leader = sim.leader();
        REQUIRE(old_leader != 0);
        const std::uint32_t group = sim.partition_off({old_leader});
        sim.run_for(5 * us_per_second);
        sim.heal(group);
        sim.run_for(3 * us_per_second);
        sim.verify(sim.now() + long_wait);
        sim.check_client_history();
        INFO(test::describe(sim));
        REQUIRE_FALSE(sim.failed());
        const std::vector<Operation> history = sim.client_history();
        std::map<OpStatus, std::size_t> counts = count_by_status(history);
        CHECK(counts.at(OpStatus::ok) > 100);
        // The clients bound to the cut-off leader give up on what they sent it.
        CHECK(counts[OpStatus::indeterminate] > 0);
        REQUIRE(sim.linearizability().has_value());
        CHECK(sim.linearizability()->verdict == Verdict::linearizable);
        CHECK(sim.linearizability()->stats.operations == history.size());
    }
}

TEST_CASE("kv cluster: snapshots carry the store to a lagging follower", "[kv]") {
    SimOptions chosen = kv_options(3, 3);
    chosen.raft.snapshot_threshold_entries = 16;
    chosen.raft.trailing_log_entries = 4;
    Simulation sim(chosen);
    sim.start_clients();
    sim.run_for(2 * us_per_second);
    const NodeId leader = sim.leader();
    REQUIRE(leader != 0);
    const NodeId lagging = leader == 1 ? 2 : 1;
    sim.crash(lagging, false);
    sim.run_for(5 * us_per_second);
    for (const NodeId id : sim.ids()) {
        sim.take_snapshot(id);
    }
    sim.run_for(us_per_second);
    sim.restart(lagging);
    sim.run_for(3 * us_per_second);
    sim.verify(sim.now() + long_wait);
    sim.check_client_history();
    INFO(test::describe(sim));
    REQUIRE_FALSE(sim.failed());
    CHECK(sim.host(lagging).kv == sim.host(leader).kv);
    CHECK(sim.host(leader).kv.size() > 0);
    CHECK(sim.linearizability()->verdict == Verdict::linearizable);
}

TEST_CASE("kv cluster: same seed, same trace and history", "[kv]") {
    std::vector<std::uint64_t> fingerprints;
    for (int run = 0; run < 2; ++run) {
        SimOptions chosen = kv_options(5, 11);
        chosen.keep_trace = true;
        Simulation sim(chosen);
        sim.start_clients();
        sim.run_for(4 * us_per_second);
        sim.crash(sim.leader(), true);
        sim.run_for(4 * us_per_second);
        fingerprints.push_back(sim.trace().fingerprint());
    }
    CHECK(fingerprints[0] == fingerprints[1]);
}

TEST_CASE("kv cluster: the history says how each get was served, as the trace does", "[kv]") {
    SimOptions chosen = kv_options(3, 5);
    chosen.keep_trace = true;
    chosen.raft.lease_reads = true;
    chosen.kv_clients.read_index_weight = 3;
    chosen.kv_clients.lease_read_weight = 3;
    Simulation sim(chosen);
    sim.start_clients();
    sim.run_for(4 * us_per_second);
    // The trace records each invocation: a get without a log entry as
    // read_invoked with its path, everything else as invoked.
    std::map<OperationId, ReadPath> traced;
    for (const TraceRecord& record : sim.trace().records()) {
        const auto event = static_cast<ClientEvent>(record.sub);
        if (record.kind == TraceKind::client && event == ClientEvent::read_invoked) {
            traced.emplace(record.a, static_cast<ReadPath>(record.c));
        } else if (record.kind == TraceKind::client && event == ClientEvent::invoked) {
            traced.emplace(record.a, ReadPath::log);
        }
    }
    std::map<ReadPath, std::size_t> gets;
    const std::vector<Operation> history = sim.client_history();
    REQUIRE(history.size() == traced.size());
    for (const Operation& op : history) {
        CAPTURE(op.id);
        CHECK(op.read_path == traced.at(op.id));
        CHECK((op.kind == OpKind::get || op.read_path == ReadPath::log));
        gets[op.read_path] += op.kind == OpKind::get ? 1 : 0;
    }
    CHECK(gets[ReadPath::log] > 10);
    CHECK(gets[ReadPath::read_index] > 10);
    CHECK(gets[ReadPath::lease] > 10);
}

}  // namespace
}  // namespace raftsim::sim
