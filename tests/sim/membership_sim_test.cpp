// Membership changes, leadership transfer and snapshots in the simulator:
// the storage and state machine snapshots rest on, then each operation
// shown to happen in a run (hashicorp fuzzy's CreateAndAddNode, RemoveNode
// and LeadershipTransfer; §7 compaction and InstallSnapshot), every run
// ending free of violations.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "raftsim/core/config.hpp"
#include "raftsim/sim/fsm.hpp"
#include "raftsim/sim/simulation.hpp"
#include "raftsim/sut/storage.hpp"

namespace raftsim::sim {
namespace {

using core::Entry;
using core::Index;
using core::NodeId;
using core::Term;

using test::core_of;
using test::describe;
using test::elect;
using test::long_wait;
using test::records_of;
using test::tick_us;

/// Options with the trace kept, so tests can look for its records.
SimOptions options(std::size_t count, std::uint64_t seed) {
    SimOptions result = test::options(count, seed);
    result.keep_trace = true;
    return result;
}

/// Snapshots every `threshold` applied entries, keeping `trailing` behind.
SimOptions snapshotting(std::size_t count, std::uint64_t seed, std::uint32_t threshold,
                        std::uint32_t trailing) {
    SimOptions result = options(count, seed);
    result.raft.snapshot_threshold_entries = threshold;
    result.raft.trailing_log_entries = trailing;
    REQUIRE(core::validate(result.raft) == core::ConfigError::ok);
    return result;
}

NodeId a_follower(const Simulation& sim) {
    for (NodeId id : sim.ids()) {
        if (id != sim.leader() && sim.is_member(id)) {
            return id;
        }
    }
    return 0;
}

void apply(Simulation& sim, std::uint32_t count) {
    INFO(describe(sim));
    REQUIRE(sim.apply_n(count, sim.now() + long_wait) == count);
}

void require_verified(Simulation& sim) {
    sim.verify(sim.now() + long_wait);
    INFO(describe(sim));
    REQUIRE_FALSE(sim.failed());
}

/// The trace's membership records of `event` about `server`.
std::size_t membership_records(const Simulation& sim, MembershipEvent event, NodeId server) {
    const std::vector<TraceRecord> records = records_of(sim, TraceKind::membership);
    return static_cast<std::size_t>(
        std::count_if(records.begin(), records.end(), [event, server](const TraceRecord& record) {
            return record.c == static_cast<std::uint64_t>(event) && record.peer == server;
        }));
}

Entry command(Term term, Index index, std::uint8_t byte) {
    return Entry{.term = term, .index = index, .type = core::EntryType::command, .data = {byte}};
}

/// Commands first..last of `term`, data = the index.
std::vector<Entry> commands(Term term, Index first, Index last) {
    std::vector<Entry> result;
    for (Index index = first; index <= last; ++index) {
        result.push_back(command(term, index, static_cast<std::uint8_t>(index)));
    }
    return result;
}

core::Snapshot snapshot_at(Index index, Term term) {
    return core::Snapshot{.index = index,
                          .term = term,
                          .configuration = core::Configuration::voters(3),
                          .configuration_index = 1,
                          .data = {static_cast<std::uint8_t>(index), 0xAB}};
}

/// A storage holding the hard state (term 1) and commands 1..10 of term 1, synced.
Storage ten_entries() {
    Storage storage;
    core::Ready ready;
    ready.hard_state = core::HardState{.term = 1, .voted_for = 1};
    ready.entries = commands(1, 1, 10);
    storage.write(ready);
    CHECK(ready.entries.empty());  // moved into the storage
    CHECK(storage.has_unsynced());
    CHECK(storage.durable_entries().empty());
    storage.sync();
    REQUIRE(storage.durable_entries().size() == 10);
    REQUIRE_FALSE(storage.has_unsynced());
    return storage;
}

}  // namespace

TEST_CASE("storage: a snapshot, its compaction and new entries read back after a sync",
          "[storage]") {
    Storage storage = ten_entries();
    core::Ready ready;
    ready.snapshot = snapshot_at(6, 1);
    ready.compaction = core::LogCompaction{.base_index = 4, .base_term = 1};
    ready.hard_state = core::HardState{.term = 2, .voted_for = 2};
    ready.entries = {command(2, 9, 'x')};  // truncates 9..10, then appends
    storage.write(ready);
    CHECK_FALSE(storage.durable_snapshot().has_value());
    CHECK(storage.log_base_index() == 0);
    storage.sync();
    REQUIRE(storage.durable_snapshot().has_value());
    CHECK(*storage.durable_snapshot() == snapshot_at(6, 1));
    CHECK(storage.log_base_index() == 4);
    const std::vector<Entry>& entries = storage.durable_entries();
    REQUIRE(entries.size() == 5);
    CHECK(entries.front() == command(1, 5, 5));
    CHECK(entries.back() == command(2, 9, 'x'));

    const core::DurableState durable = storage.durable_state();
    CHECK(durable.hard_state == core::HardState{.term = 2, .voted_for = 2});
    REQUIRE(durable.snapshot.has_value());
    CHECK(durable.snapshot->index == 6);
    CHECK(durable.snapshot->data == core::Payload{6, 0xAB});
    CHECK(durable.log_base_index == 4);
    CHECK(durable.log_base_term == 1);
    CHECK(durable.entries == entries);

    SECTION("a later compaction moves the base again, keeping the rest") {
        core::Ready later;
        later.snapshot = snapshot_at(8, 1);
        later.compaction = core::LogCompaction{.base_index = 7, .base_term = 1};
        storage.write(later);
        storage.sync();
        CHECK(storage.durable_snapshot()->index == 8);
        CHECK(storage.log_base_index() == 7);
        REQUIRE(storage.durable_entries().size() == 2);
        CHECK(storage.durable_entries().front().index == 8);
        CHECK(storage.durable_state().log_base_term == 1);
    }
}

TEST_CASE("storage: discard_all drops every entry, also those past the new base", "[storage]") {
    Storage storage = ten_entries();
    core::Ready install;
    // An installed snapshot at index 5 of another term than the log's entry.
    install.snapshot = snapshot_at(5, 2);
    install.compaction = core::LogCompaction{.base_index = 5, .base_term = 2, .discard_all = true};
    install.hard_state = core::HardState{.term = 2, .voted_for = 0};
    storage.write(install);
    storage.sync();
    CHECK(storage.durable_entries().empty());
    CHECK(storage.log_base_index() == 5);
    const core::DurableState durable = storage.durable_state();
    CHECK(durable.log_base_index == 5);
    CHECK(durable.log_base_term == 2);
    CHECK(durable.entries.empty());
    REQUIRE(durable.snapshot.has_value());
    CHECK(durable.snapshot->term == 2);
    // The log then continues after the snapshot.
    core::Ready next;
    next.entries = {command(2, 6, 'y')};
    storage.write(next);
    storage.sync();
    REQUIRE(storage.durable_entries().size() == 1);
    CHECK(storage.durable_entries().front().index == 6);
    CHECK(storage.durable_state().entries.front() == command(2, 6, 'y'));
}

TEST_CASE("storage: a crash before sync loses an unsynced snapshot and its compaction",
          "[storage]") {
    Storage storage = ten_entries();
    core::Ready first;
    first.snapshot = snapshot_at(4, 1);
    first.compaction = core::LogCompaction{.base_index = 2, .base_term = 1};
    storage.write(first);
    storage.sync();
    REQUIRE(storage.durable_snapshot()->index == 4);

    core::Ready second;
    second.snapshot = snapshot_at(9, 1);
    second.compaction = core::LogCompaction{.base_index = 7, .base_term = 1};
    storage.write(second);
    CHECK(storage.has_unsynced());
    storage.drop_unsynced();
    CHECK_FALSE(storage.has_unsynced());
    const core::DurableState durable = storage.durable_state();
    REQUIRE(durable.snapshot.has_value());
    CHECK(durable.snapshot->index == 4);
    CHECK(durable.log_base_index == 2);
    REQUIRE(durable.entries.size() == 8);
    CHECK(durable.entries.front().index == 3);
    CHECK(durable.entries.back().index == 10);
    SECTION("nothing of it was half applied: the same write syncs later") {
        core::Ready again;
        again.snapshot = snapshot_at(9, 1);
        again.compaction = core::LogCompaction{.base_index = 7, .base_term = 1};
        storage.write(again);
        storage.sync();
        CHECK(storage.durable_snapshot()->index == 9);
        CHECK(storage.log_base_index() == 7);
        CHECK(storage.durable_entries().size() == 3);
    }
}

TEST_CASE("fsm: a snapshot restores the same state into another state machine", "[fsm]") {
    HashChainFsm original;
    for (const Entry& entry : {command(1, 2, 'a'), command(1, 3, 'b'), command(2, 5, 'c')}) {
        REQUIRE(original.apply(entry));
    }
    const core::Payload data = original.snapshot();
    CHECK(data.size() == 32);
    HashChainFsm copy;
    // A state machine that had applied something else is replaced as a whole.
    REQUIRE(copy.apply(command(7, 9, 'z')));
    REQUIRE(copy.restore(data));
    CHECK(copy.last_index() == 5);
    CHECK(copy.last_term() == 2);
    CHECK(copy.hash() == original.hash());
    CHECK(copy.command_count() == 3);
    CHECK(copy.applied().empty());
    CHECK(copy.snapshot() == data);
    CHECK_THAT(copy.dump(), Catch::StartsWith("restored from a snapshot: 3 commands through "
                                              "index 5\n"));
    // Both go on alike, and the apply order still holds after a restore.
    CHECK_FALSE(copy.apply(command(2, 5, 'x')));
    CHECK_FALSE(copy.apply(command(1, 6, 'x')));
    REQUIRE(original.apply(command(2, 6, 'd')));
    REQUIRE(copy.apply(command(2, 6, 'd')));
    CHECK(copy.hash() == original.hash());
    CHECK(copy.command_count() == 4);
    CHECK(copy.applied().size() == 1);
}

TEST_CASE("fsm: restore refuses data that is not a snapshot and changes nothing", "[fsm]") {
    HashChainFsm source;
    REQUIRE(source.apply(command(1, 1, 'a')));
    const core::Payload good = source.snapshot();
    core::Bytes longer(good.begin(), good.end());
    longer.push_back(0);
    core::Bytes shorter(good.begin(), good.end() - 1);
    struct Row {
        std::string name;
        core::Payload data;
    };
    const std::vector<Row> rows = {
        {"empty", core::Payload{}},
        {"one byte", core::Payload{'a'}},
        {"one byte short", core::Payload(shorter)},
        {"one byte long", core::Payload(longer)},
    };
    for (const Row& row : rows) {
        DYNAMIC_SECTION(row.name) {
            HashChainFsm fsm;
            REQUIRE(fsm.apply(command(2, 4, 'q')));
            const std::uint64_t hash = fsm.hash();
            const std::string dump = fsm.dump();
            CHECK_FALSE(fsm.restore(row.data));
            CHECK(fsm.last_index() == 4);
            CHECK(fsm.last_term() == 2);
            CHECK(fsm.hash() == hash);
            CHECK(fsm.command_count() == 1);
            CHECK(fsm.applied().size() == 1);
            CHECK(fsm.dump() == dump);
        }
    }
}

TEST_CASE("membership: a created node added as a voter holds the log and is a member",
          "[membership]") {
    Simulation sim(options(3, 31));
    const NodeId leader = elect(sim);
    apply(sim, 20);
    const NodeId fresh = sim.create_node("n4");
    CHECK(fresh == 4);
    CHECK(sim.ids().size() == 4);
    CHECK(sim.id_of("n4") == fresh);
    CHECK_FALSE(sim.is_member(fresh));
    CHECK(sim.members() == std::vector<NodeId>{1, 2, 3});
    CHECK(records_of(sim, TraceKind::node_created).size() == 1);
    // Without a configuration it neither campaigns nor hears from the leader.
    sim.run_for(5 * us_per_second);
    const core::Node& waiting = core_of(sim.host(fresh));
    CHECK(waiting.configuration().empty());
    CHECK(waiting.role() == core::Role::follower);
    CHECK(waiting.log().last_index() == 0);
    CHECK(waiting.stats().elections_started == 0);
    CHECK(sim.leader() == leader);

    const ChangeReport report =
        sim.change_membership(core::ChangeKind::add_voter, fresh, sim.now() + long_wait);
    INFO(describe(sim));
    REQUIRE(report.outcome == ChangeOutcome::committed);
    CHECK(report.attempts >= 1);
    CHECK(sim.is_member(fresh));
    CHECK(sim.members() == std::vector<NodeId>{1, 2, 3, 4});
    CHECK(membership_records(sim, MembershipEvent::members_changed, fresh) == 1);
    const core::Configuration& committed = sim.host(sim.leader()).node->committed_configuration();
    CHECK(committed.is_voter(fresh));
    CHECK(committed.voter_count() == 4);

    apply(sim, 20);
    REQUIRE(sim.wait_until_up_to_date(sim.now() + long_wait));
    const Host& joined = sim.host(fresh);
    const Host& reference = sim.host(sim.leader());
    CHECK(joined.node->configuration().is_voter(fresh));
    CHECK(core_of(joined).log().last_index() == core_of(reference).log().last_index());
    CHECK(joined.storage.durable_entries().size() == core_of(reference).log().last_index());
    CHECK(joined.fsm.command_count() == 40);
    CHECK(joined.fsm.hash() == reference.fsm.hash());
    // Adding it again is nothing to change: done at once.
    const ChangeReport again =
        sim.change_membership(core::ChangeKind::add_voter, fresh, sim.now() + long_wait);
    CHECK(again.outcome == ChangeOutcome::committed);
    CHECK(again.attempts == 0);
    require_verified(sim);
}

TEST_CASE("membership: a removed follower leaves the members and the rest go on", "[membership]") {
    Simulation sim(options(3, 32));
    elect(sim);
    apply(sim, 10);
    const NodeId removed = a_follower(sim);
    const ChangeReport report =
        sim.change_membership(core::ChangeKind::remove_server, removed, sim.now() + long_wait);
    INFO(describe(sim));
    REQUIRE(report.outcome == ChangeOutcome::committed);
    CHECK(report.last_error == core::ChangeError::none);
    CHECK_FALSE(sim.is_member(removed));
    const std::vector<NodeId> members = sim.members();
    CHECK(members.size() == 2);
    CHECK(std::find(members.begin(), members.end(), removed) == members.end());
    CHECK(membership_records(sim, MembershipEvent::members_changed, removed) == 1);
    const core::Configuration& committed = sim.host(sim.leader()).node->committed_configuration();
    CHECK_FALSE(committed.contains(removed));
    CHECK(committed.voter_count() == 2);
    // The two left commit on their own, the removed server still running.
    apply(sim, 20);
    sim.run_for(10 * us_per_second);
    CHECK(sim.is_up(removed));
    CHECK(sim.leader() != removed);
    apply(sim, 10);
    require_verified(sim);
}

TEST_CASE("membership: a removed leader steps down and another member leads", "[membership]") {
    Simulation sim(options(3, 33));
    const NodeId old = elect(sim);
    apply(sim, 10);
    const Term old_term = sim.host(old).node->term();
    const ChangeReport report =
        sim.change_membership(core::ChangeKind::remove_server, old, sim.now() + long_wait);
    INFO(describe(sim));
    REQUIRE(report.outcome == ChangeOutcome::committed);
    REQUIRE(sim.run_until([&] { return sim.leader() != 0 && sim.leader() != old; },
                          sim.now() + long_wait));
    const NodeId fresh = sim.leader();
    CHECK(sim.host(old).node->role() != core::Role::leader);
    CHECK(sim.host(fresh).node->term() > old_term);
    CHECK_FALSE(sim.is_member(old));
    std::vector<NodeId> expected;
    for (NodeId id : sim.ids()) {
        if (id != old) {
            expected.push_back(id);
        }
    }
    CHECK(sim.members() == expected);
    CHECK(membership_records(sim, MembershipEvent::members_changed, old) == 1);
    CHECK_FALSE(sim.host(fresh).node->committed_configuration().contains(old));
    apply(sim, 20);
    sim.run_for(5 * us_per_second);
    CHECK(sim.leader() != old);
    require_verified(sim);
}

TEST_CASE("transfer: leadership moves to the named target or the most up-to-date voter",
          "[transfer]") {
    const bool named = GENERATE(true, false);
    CAPTURE(named);
    Simulation sim(options(3, 34));
    const NodeId old = elect(sim);
    apply(sim, 10);
    REQUIRE(sim.wait_until_up_to_date(sim.now() + long_wait));
    const Term old_term = sim.host(old).node->term();
    const NodeId target = named ? a_follower(sim) : 0;
    const TransferReport report = sim.transfer_leadership(target, sim.now() + long_wait);
    INFO(describe(sim));
    CHECK(report.error == core::TransferError::none);
    REQUIRE(report.result.has_value());
    const core::TransferResult& result = *report.result;
    CHECK(result.outcome == core::TransferOutcome::completed);
    CHECK(result.started_term == old_term);
    CHECK(result.term > old_term);
    CHECK(result.target != old);
    if (named) {
        CHECK(result.target == target);
    }
    REQUIRE(sim.run_until([&] { return sim.leader() == result.target; }, sim.now() + long_wait));
    CHECK(sim.host(result.target).node->term() == result.term);
    CHECK(sim.host(old).node->role() == core::Role::follower);
    CHECK(records_of(sim, TraceKind::transfer).size() == 2);  // started, ended
    apply(sim, 10);
    require_verified(sim);
}

TEST_CASE("transfer: the leader refuses a target that is not a voter", "[transfer]") {
    Simulation sim(options(3, 35));
    const NodeId leader = elect(sim);
    const NodeId outsider = sim.create_node("n4");
    const TransferReport report = sim.transfer_leadership(outsider, sim.now() + long_wait);
    CHECK(report.error == core::TransferError::target_not_voter);
    CHECK_FALSE(report.result.has_value());
    CHECK(sim.leader() == leader);
    SECTION("a lone voter has nobody to hand over to") {
        Simulation alone(options(1, 35));
        elect(alone);
        const TransferReport lone = alone.transfer_leadership(0, alone.now() + long_wait);
        CHECK(lone.error == core::TransferError::no_target);
        CHECK_FALSE(lone.result.has_value());
    }
    CHECK_FALSE(sim.failed());
}

TEST_CASE("snapshots: every node snapshots at the threshold and compacts behind it", "[snapshot]") {
    Simulation sim(snapshotting(3, 36, 20, 5));
    elect(sim);
    apply(sim, 100);
    REQUIRE(sim.wait_until_up_to_date(sim.now() + long_wait));
    const std::vector<TraceRecord> records = records_of(sim, TraceKind::snapshot);
    for (NodeId id : sim.ids()) {
        INFO("node " << id);
        const Host& host = sim.host(id);
        REQUIRE(host.storage.durable_snapshot().has_value());
        const core::Snapshot& snapshot = *host.storage.durable_snapshot();
        CHECK(snapshot == core_of(host).snapshot());
        CHECK(snapshot.index + 20 > host.node->applied_index());
        CHECK(snapshot.index >= 80);
        CHECK(host.storage.log_base_index() == core_of(host).log().base_index());
        CHECK(host.storage.log_base_index() + host.storage.durable_entries().size() ==
              core_of(host).log().last_index());
        // The latest snapshot's record: one it took keeps 5 entries behind
        // it; one installed from the leader (a follower fallen behind the
        // leader's log start) replaced the whole log.
        const auto latest = std::find_if(records.rbegin(), records.rend(),
                                         [id](const TraceRecord& r) { return r.node == id; });
        REQUIRE(latest != records.rend());
        CHECK(latest->a == snapshot.index);
        CHECK(latest->b == snapshot.term);
        const bool installed = latest->sub == 1;
        CHECK(host.storage.log_base_index() == snapshot.index - (installed ? 0 : 5));
    }
    // The leader snapshots its own state machine.
    const NodeId leader = sim.leader();
    CHECK(std::any_of(records.begin(), records.end(), [leader](const TraceRecord& record) {
        return record.node == leader && record.sub == 0;
    }));
    require_verified(sim);
}

TEST_CASE("snapshots: take_snapshot stores the state machine and keeps the trailing entries",
          "[snapshot]") {
    Simulation sim(snapshotting(3, 37, 0, 3));
    const NodeId leader = elect(sim);
    apply(sim, 30);
    REQUIRE(sim.wait_until_up_to_date(sim.now() + long_wait));
    CHECK_FALSE(sim.host(leader).storage.durable_snapshot().has_value());  // threshold 0: never
    const core::Payload state = sim.host(leader).fsm.snapshot();
    const Index applied = sim.host(leader).node->applied_index();
    sim.take_snapshot(leader);
    const Host& host = sim.host(leader);
    REQUIRE(host.storage.durable_snapshot().has_value());
    CHECK(host.storage.durable_snapshot()->index == applied);
    CHECK(host.storage.durable_snapshot()->data == state);
    CHECK(host.storage.durable_snapshot()->configuration.voter_count() == 3);
    CHECK(host.storage.log_base_index() == applied - 3);
    // Nothing newer applied: a second call takes nothing.
    sim.take_snapshot(leader);
    CHECK(records_of(sim, TraceKind::snapshot).size() == 1);
    apply(sim, 10);
    require_verified(sim);
}

TEST_CASE("snapshots: a lagging follower is caught up by InstallSnapshot", "[snapshot]") {
    Simulation sim(snapshotting(3, 38, 20, 10));
    elect(sim);
    apply(sim, 10);
    REQUIRE(sim.wait_until_up_to_date(sim.now() + long_wait));
    const NodeId lagging = a_follower(sim);
    const std::uint32_t group = sim.partition_off({lagging});
    apply(sim, 300);
    const Index lagging_last = core_of(sim.host(lagging)).log().last_index();
    // Its next entry goes from every other log: only a snapshot can help.
    const auto compacted_past_it = [&] {
        const std::vector<NodeId> ids = sim.ids();
        return std::all_of(ids.begin(), ids.end(), [&](NodeId id) {
            return id == lagging || sim.host(id).storage.log_base_index() > lagging_last;
        });
    };
    REQUIRE(sim.run_until(compacted_past_it, sim.now() + long_wait));
    sim.heal(group);
    INFO(describe(sim));
    REQUIRE(sim.wait_until_up_to_date(sim.now() + long_wait));
    const Host& caught_up = sim.host(lagging);
    CHECK(core_of(caught_up).stats().snapshots_installed > 0);
    std::uint64_t sent = 0;
    for (NodeId id : sim.ids()) {
        sent += core_of(sim.host(id)).stats().snapshots_sent;
    }
    CHECK(sent > 0);
    const std::vector<TraceRecord> snapshots = records_of(sim, TraceKind::snapshot);
    CHECK(std::any_of(snapshots.begin(), snapshots.end(), [lagging](const TraceRecord& record) {
        return record.node == lagging && record.sub == 1;
    }));
    // Restored, not replayed: it applied only what came after the snapshot.
    CHECK(caught_up.fsm.command_count() == 310);
    CHECK(caught_up.fsm.applied().size() < 310);
    CHECK(caught_up.fsm.hash() == sim.host(sim.leader()).fsm.hash());
    apply(sim, 20);
    require_verified(sim);
    CHECK_FALSE(sim.failed());
}

TEST_CASE("snapshots: a server created after compaction joins through InstallSnapshot",
          "[snapshot]") {
    Simulation sim(snapshotting(3, 39, 20, 10));
    elect(sim);
    apply(sim, 100);
    const NodeId fresh = sim.create_node("n4");
    const ChangeReport report =
        sim.change_membership(core::ChangeKind::add_voter, fresh, sim.now() + long_wait);
    INFO(describe(sim));
    REQUIRE(report.outcome == ChangeOutcome::committed);
    REQUIRE(sim.wait_until_up_to_date(sim.now() + long_wait));
    const Host& joined = sim.host(fresh);
    CHECK(core_of(joined).stats().snapshots_installed > 0);
    CHECK(joined.fsm.command_count() == 100);
    CHECK(joined.fsm.hash() == sim.host(sim.leader()).fsm.hash());
    CHECK(joined.storage.log_base_index() > 0);
    apply(sim, 20);
    require_verified(sim);
}

TEST_CASE("snapshots: a restarted node restores its state machine from its snapshot",
          "[snapshot]") {
    const bool crash_leader = GENERATE(false, true);
    CAPTURE(crash_leader);
    // Enough trailing entries that the restarted node catches up by
    // AppendEntries: only its restart restores a snapshot.
    Simulation sim(snapshotting(3, 40, 20, 40));
    const NodeId leader = elect(sim);
    apply(sim, 50);
    REQUIRE(sim.wait_until_up_to_date(sim.now() + long_wait));
    const NodeId victim = crash_leader ? leader : a_follower(sim);
    const std::optional<core::Snapshot> snapshot = sim.host(victim).storage.durable_snapshot();
    REQUIRE(snapshot.has_value());
    HashChainFsm expected;
    REQUIRE(expected.restore(snapshot->data));
    CHECK(expected.command_count() > 0);

    sim.crash(victim, false);
    sim.restart(victim);
    REQUIRE(sim.is_up(victim));
    const Host& host = sim.host(victim);
    // Before hearing from anyone: the snapshot's state, nothing re-applied.
    CHECK(host.fsm.hash() == expected.hash());
    CHECK(host.fsm.last_index() == expected.last_index());
    CHECK(host.fsm.command_count() == expected.command_count());
    CHECK(host.fsm.applied().empty());
    CHECK(host.node->applied_index() == snapshot->index);
    CHECK(host.node->commit_index() == snapshot->index);
    CHECK(core_of(host).snapshot() == *snapshot);

    apply(sim, 20);
    REQUIRE(sim.wait_until_up_to_date(sim.now() + long_wait));
    CHECK(core_of(host).stats().snapshots_installed == 0);
    CHECK(host.fsm.command_count() == 70);
    CHECK(host.fsm.applied().size() == 70 - expected.command_count());
    CHECK(host.fsm.hash() == sim.host(sim.leader()).fsm.hash());
    require_verified(sim);
}

}  // namespace raftsim::sim
