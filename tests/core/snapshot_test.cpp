// Snapshots and log compaction: Raft paper §7 (InstallSnapshot), hashicorp/raft
// snapshot.go (SnapshotThreshold, TrailingLogs, restore at startup) and its
// Barrier.
#include <vector>

#include "helpers.hpp"

namespace raftsim::test {
namespace {

using core::CompactError;
using core::Configuration;
using core::RejectReason;
using core::Role;
using core::Suffrage;

// ------------------------------------------------------------ local helpers

core::Config snapshot_config(std::uint32_t threshold, std::uint32_t trailing) {
    core::Config config = test_config();
    config.snapshot_threshold_entries = threshold;
    config.trailing_log_entries = trailing;
    return config;
}

/// The leader proposes `count` commands, every follower acknowledges them,
/// and the Ready that applies them is drained.
void commit_entries(core::Node& leader, int count) {
    for (int i = 0; i < count; ++i) {
        REQUIRE(leader.propose(static_cast<core::RequestId>(500 + i), {3}).ok());
    }
    static_cast<void>(drain(leader));
    const Index last = leader.log().last_index();
    ack_from_all(leader, last);
    REQUIRE(leader.commit_index() == last);
    REQUIRE(leader.applied_index() == last);
}

Message install_snapshot(NodeId from, NodeId to, Term term, Index index, Term snapshot_term,
                         Configuration configuration, Index configuration_index) {
    return Message{.type = MessageType::install_snapshot,
                   .from = from,
                   .to = to,
                   .term = term,
                   .leader_id = from,
                   .leader_commit = index,
                   .snapshot_index = index,
                   .snapshot_term = snapshot_term,
                   .snapshot_configuration = std::move(configuration),
                   .snapshot_configuration_index = configuration_index,
                   .snapshot_data = {9, 9}};
}

Message only(const core::Ready& ready, MessageType type) {
    const std::vector<Message> messages = of_type(ready, type);
    REQUIRE(messages.size() == 1);
    return messages.front();
}

std::vector<Index> indexes_of(const std::vector<Entry>& list) {
    std::vector<Index> result;
    for (const Entry& e : list) {
        result.push_back(e.index);
    }
    return result;
}

/// Voters 1..3 and a nonvoter 4: distinct from any bootstrap configuration.
Configuration with_nonvoter() {
    return Configuration{.servers = {{1, Suffrage::voter},
                                     {2, Suffrage::voter},
                                     {3, Suffrage::voter},
                                     {4, Suffrage::nonvoter}}};
}

/// Node 2 of voters 1..3 whose log holds, after the bootstrap entry,
/// entries of `terms` at indexes 2, 3, ... from leader 1 in term 2, with
/// `commit` committed and applied.
core::Node follower_with(const std::vector<Term>& terms, Index commit) {
    core::Node node = make_node(2, 3);
    REQUIRE(node.step(append_entries(1, 2, 2, 1, 1, entries(2, terms), commit)) ==
            RejectReason::none);
    static_cast<void>(drain(node));
    REQUIRE(node.log().last_index() == 1 + terms.size());
    REQUIRE(node.applied_index() == commit);
    return node;
}

// ----------------------------------------------------------- taking one

TEST_CASE(
    "snapshot: wants_snapshot once snapshot_threshold_entries were applied since the "
    "latest snapshot (hashicorp shouldSnapshot)",
    "[snapshot]") {
    core::Node leader = make_committed_leader(3, snapshot_config(4, 0));
    CHECK_FALSE(leader.wants_snapshot());  // applied 2
    commit_entries(leader, 1);
    CHECK_FALSE(leader.wants_snapshot());  // applied 3
    commit_entries(leader, 1);
    CHECK(leader.wants_snapshot());  // applied 4 = 0 + 4
    REQUIRE(leader.compact(4, {4}) == CompactError::none);
    CHECK_FALSE(leader.wants_snapshot());
    commit_entries(leader, 3);
    CHECK_FALSE(leader.wants_snapshot());  // applied 7 < 4 + 4
    commit_entries(leader, 1);
    CHECK(leader.wants_snapshot());  // applied 8 = 4 + 4

    // A threshold of 0 means never.
    core::Node never = make_committed_leader(3, snapshot_config(0, 0));
    commit_entries(never, 20);
    CHECK_FALSE(never.wants_snapshot());
}

struct TrailingCase {
    std::uint32_t trailing;
    Index base_index;
    Term base_term;
};

TEST_CASE(
    "snapshot: compact() keeps trailing_log_entries behind the snapshot (hashicorp "
    "TrailingLogs)",
    "[snapshot]") {
    const TrailingCase row = GENERATE(values<TrailingCase>({
        {0, 6, 2},
        {2, 4, 2},
        {5, 1, 1},
        {6, 0, 0},  // nothing before the kept entries to drop
        {100, 0, 0},
    }));
    CAPTURE(row.trailing);
    core::Node leader = make_committed_leader(3, snapshot_config(0, row.trailing));
    commit_entries(leader, 4);  // indexes 3..6
    REQUIRE(leader.compact(6, {42}) == CompactError::none);
    CHECK(leader.snapshot() == core::Snapshot{.index = 6,
                                              .term = 2,
                                              .configuration = Configuration::voters(3),
                                              .configuration_index = 1,
                                              .data = {42}});
    CHECK(leader.log().base_index() == row.base_index);
    CHECK(leader.log().base_term() == row.base_term);
    CHECK(leader.log().last_index() == 6);
    CHECK(leader.log().is_well_formed());
    CHECK(leader.invariants_hold());
}

TEST_CASE("snapshot: compact() refuses an index not yet applied, or not above the latest snapshot",
          "[snapshot]") {
    struct Step {
        Index index;
        CompactError error;
        Index snapshot_after;
    };
    core::Node leader = make_committed_leader(3, snapshot_config(0, 0));
    commit_entries(leader, 4);  // applied 6
    const std::vector<Step> steps = {
        {7, CompactError::not_applied, 0}, {4, CompactError::none, 4},
        {4, CompactError::not_newer, 4},   {3, CompactError::not_newer, 4},
        {6, CompactError::none, 6},        {6, CompactError::not_newer, 6},
        {7, CompactError::not_applied, 6},
    };
    for (const Step& step : steps) {
        CAPTURE(step.index);
        const CompactError error = leader.compact(step.index, {1});
        CHECK(core::to_string(error) == core::to_string(step.error));
        CHECK(leader.snapshot().index == step.snapshot_after);
        const core::Ready ready = drain(leader);
        CHECK(ready.snapshot.has_value() == (step.error == CompactError::none));
    }
}

TEST_CASE("snapshot: the Ready after compact() carries the snapshot and the compaction, once",
          "[snapshot]") {
    core::Node leader = make_committed_leader(3, snapshot_config(0, 2));
    commit_entries(leader, 4);  // indexes 3..6
    REQUIRE_FALSE(leader.has_ready());
    REQUIRE(leader.compact(6, {42}) == CompactError::none);
    CHECK(leader.has_ready());
    const core::Ready ready = drain(leader);
    REQUIRE(ready.snapshot.has_value());
    CHECK(*ready.snapshot == leader.snapshot());
    CHECK_FALSE(ready.restore_snapshot);  // the host took it from its own state
    CHECK(ready.compaction ==
          core::LogCompaction{.base_index = 4, .base_term = 2, .discard_all = false});
    CHECK(ready.entries.empty());
    CHECK(ready.committed_entries.empty());

    const core::Ready next = drain(leader);
    CHECK_FALSE(next.snapshot.has_value());
    CHECK_FALSE(next.compaction.has_value());
}

TEST_CASE("snapshot: compact() records the configuration in effect at the snapshot's index",
          "[snapshot]") {
    const Index index = GENERATE(Index{2}, Index{3}, Index{4});
    CAPTURE(index);
    core::Node leader = make_committed_leader(3, snapshot_config(0, 0));
    REQUIRE(leader
                .change_membership(
                    1, core::ChangeRequest{.kind = core::ChangeKind::add_nonvoter, .server = 4})
                .ok());  // index 3
    static_cast<void>(drain(leader));
    ack_from_all(leader, 3);
    commit_entries(leader, 1);  // index 4
    REQUIRE(leader.compact(index, {}) == CompactError::none);
    const bool after_change = index >= 3;
    CHECK(leader.snapshot().configuration ==
          (after_change ? with_nonvoter() : Configuration::voters(3)));
    CHECK(leader.snapshot().configuration_index == (after_change ? 3 : 1));
    CHECK(leader.configuration() == with_nonvoter());
    CHECK(leader.committed_configuration() == with_nonvoter());
}

// ------------------------------------------------------- sending, installing

TEST_CASE(
    "snapshot: a follower behind the leader's log start gets InstallSnapshot, then "
    "AppendEntries (§7)",
    "[snapshot]") {
    core::Node leader = make_node(1, 3, snapshot_config(0, 0));
    make_leader(leader, 3);
    // Only server 2 answers; server 3 stays at the bootstrap entry.
    REQUIRE(leader.step(append_response(2, 1, 2, true, 2)) == RejectReason::none);
    for (int i = 0; i < 3; ++i) {
        REQUIRE(leader.propose(static_cast<core::RequestId>(i), {1}).ok());  // 3..5
    }
    static_cast<void>(drain(leader));
    REQUIRE(leader.step(append_response(2, 1, 2, true, 5)) == RejectReason::none);
    static_cast<void>(drain(leader));
    REQUIRE(leader.applied_index() == 5);
    REQUIRE(leader.compact(5, {7}) == CompactError::none);
    static_cast<void>(drain(leader));
    REQUIRE(leader.log().base_index() == 5);

    leader.tick();  // the heartbeat re-probes server 3, whose entries are gone
    const Message snapshot = only(drain(leader), MessageType::install_snapshot);
    CHECK(snapshot.to == 3);
    CHECK(snapshot.term == 2);
    CHECK(snapshot.leader_id == 1);
    CHECK(snapshot.leader_commit == 5);
    CHECK(snapshot.snapshot_index == 5);
    CHECK(snapshot.snapshot_term == 2);
    CHECK(snapshot.snapshot_configuration == Configuration::voters(3));
    CHECK(snapshot.snapshot_configuration_index == 1);
    CHECK(snapshot.snapshot_data == core::Bytes{7});
    CHECK(leader.stats().snapshots_sent == 1);

    core::Node follower = make_node(3, 3);
    REQUIRE(follower.step(snapshot) == RejectReason::none);
    const Message response = only(drain(follower), MessageType::install_snapshot_response);
    REQUIRE(leader.step(response) == RejectReason::none);
    CHECK(leader.progress(3)->match_index == 5);
    CHECK(leader.progress(3)->next_index == 6);

    REQUIRE(leader.propose(9, {9}).ok());  // index 6
    std::vector<Message> appends;
    for (const Message& message : of_type(drain(leader), MessageType::append_entries)) {
        if (message.to == 3) {
            appends.push_back(message);
        }
    }
    REQUIRE(appends.size() == 1);
    const Message append = appends.front();
    CHECK(append.prev_log_index == 5);
    CHECK(append.prev_log_term == 2);
    CHECK(indexes_of(append.entries) == std::vector<Index>{6});
    REQUIRE(follower.step(append) == RejectReason::none);
    const Message ack = only(drain(follower), MessageType::append_entries_response);
    CHECK(ack.success);
    CHECK(ack.match_index == 6);
}

struct LaggingCase {
    const char* name;
    std::vector<Term> terms;  // the follower's entries at 2, 3, ...
};

TEST_CASE(
    "snapshot: installing on a lagging follower replaces its log, commit and applied index "
    "and asks for a restore (§7)",
    "[snapshot]") {
    const LaggingCase row = GENERATE(values<LaggingCase>({
        {"log ends before the snapshot", {}},
        {"log ends before the snapshot, matching so far", {2, 2}},
        {"log holds another term at the snapshot's index", {2, 2, 2, 2, 2, 2}},
    }));
    INFO(row.name);
    core::Node node = follower_with(row.terms, 1);
    REQUIRE(node.step(install_snapshot(1, 2, 3, 5, 3, with_nonvoter(), 4)) == RejectReason::none);
    const core::Ready ready = drain(node);
    REQUIRE(ready.snapshot.has_value());
    CHECK(*ready.snapshot == core::Snapshot{.index = 5,
                                            .term = 3,
                                            .configuration = with_nonvoter(),
                                            .configuration_index = 4,
                                            .data = {9, 9}});
    CHECK(ready.restore_snapshot);
    CHECK(ready.compaction ==
          core::LogCompaction{.base_index = 5, .base_term = 3, .discard_all = true});
    CHECK(ready.entries.empty());
    CHECK(ready.committed_entries.empty());
    const Message response = only(ready, MessageType::install_snapshot_response);
    CHECK(response.to == 1);
    CHECK(response.term == 3);
    CHECK(response.success);
    CHECK(response.match_index == 5);

    CHECK(node.log().base_index() == 5);
    CHECK(node.log().base_term() == 3);
    CHECK(node.log().last_index() == 5);
    CHECK(node.commit_index() == 5);
    CHECK(node.applied_index() == 5);
    CHECK(node.snapshot().index == 5);
    CHECK(node.configuration() == with_nonvoter());
    CHECK(node.configuration_index() == 4);
    CHECK(node.committed_configuration() == with_nonvoter());
    CHECK(node.leader_id() == 1);
    CHECK(node.stats().snapshots_installed == 1);
    CHECK(node.invariants_hold());
}

TEST_CASE(
    "snapshot: a snapshot at or below the commit index changes nothing but is acknowledged "
    "(§7, no rollback)",
    "[snapshot]") {
    const Index index = GENERATE(Index{4}, Index{6});
    CAPTURE(index);
    core::Node node = follower_with({2, 2, 2, 2, 2}, 6);  // indexes 2..6, all applied
    const std::vector<Entry> before(node.log().entries().begin(), node.log().entries().end());
    REQUIRE(node.step(install_snapshot(1, 2, 2, index, 2, Configuration::voters(3), 1)) ==
            RejectReason::none);
    const core::Ready ready = drain(node);
    CHECK_FALSE(ready.snapshot.has_value());
    CHECK_FALSE(ready.restore_snapshot);
    CHECK_FALSE(ready.compaction.has_value());
    CHECK(ready.committed_entries.empty());
    const Message response = only(ready, MessageType::install_snapshot_response);
    CHECK(response.success);
    CHECK(response.match_index == index);
    CHECK(std::vector<Entry>(node.log().entries().begin(), node.log().entries().end()) == before);
    CHECK(node.log().base_index() == 0);
    CHECK(node.commit_index() == 6);
    CHECK(node.applied_index() == 6);
    CHECK(node.snapshot().index == 0);
    CHECK(node.stats().snapshots_installed == 0);
}

TEST_CASE(
    "snapshot: a follower whose log holds the snapshot's last entry keeps the entries after "
    "it and applies up to it from the log (§7)",
    "[snapshot]") {
    core::Node node = follower_with({2, 2, 2, 2, 2}, 1);  // indexes 2..6, commit 1
    REQUIRE(node.step(install_snapshot(1, 2, 2, 4, 2, Configuration::voters(3), 1)) ==
            RejectReason::none);
    const core::Ready ready = drain(node);
    REQUIRE(ready.snapshot.has_value());
    CHECK(ready.snapshot->index == 4);
    CHECK_FALSE(ready.restore_snapshot);
    CHECK_FALSE(ready.compaction.has_value());
    CHECK(indexes_of(ready.committed_entries) == std::vector<Index>{2, 3, 4});
    CHECK(only(ready, MessageType::install_snapshot_response).match_index == 4);
    CHECK(node.log().base_index() == 0);
    CHECK(node.log().last_index() == 6);
    CHECK(node.log().term_at(6) == 2);
    CHECK(node.commit_index() == 4);
    CHECK(node.applied_index() == 4);
    CHECK(node.snapshot().index == 4);
    CHECK(node.invariants_hold());
}

// --------------------------------------------------------------- restart

TEST_CASE(
    "snapshot: a restarted node resumes from its snapshot: commit, applied index and "
    "configuration, then replays the log after it (hashicorp)",
    "[snapshot]") {
    const bool configuration_after = GENERATE(false, true);
    CAPTURE(configuration_after);
    const Configuration promoted = Configuration::voters(4);
    const core::Snapshot snapshot{.index = 5,
                                  .term = 2,
                                  .configuration = with_nonvoter(),
                                  .configuration_index = 3,
                                  .data = {5}};
    std::vector<Entry> log = entries(4, {2, 2, 3, 3});  // indexes 4..7, base 3
    if (configuration_after) {
        log[2] = configuration_entry(3, 6, promoted);
    }
    core::Node node = core::Node::restart(
        core::NodeOptions{.id = 2, .config = test_config(), .seed = 2},
        core::DurableState{.hard_state = {.term = 3, .voted_for = core::node_none},
                           .snapshot = snapshot,
                           .log_base_index = 3,
                           .log_base_term = 2,
                           .entries = log});
    CHECK(node.snapshot() == snapshot);
    CHECK(node.commit_index() == 5);
    CHECK(node.applied_index() == 5);
    CHECK(node.log().base_index() == 3);
    CHECK(node.log().last_index() == 7);
    CHECK(node.committed_configuration() == with_nonvoter());
    CHECK(node.committed_configuration_index() == 3);
    CHECK(node.configuration() == (configuration_after ? promoted : with_nonvoter()));
    CHECK(node.configuration_index() == (configuration_after ? 6 : 3));
    CHECK(node.invariants_hold());
    CHECK(drain(node).committed_entries.empty());

    // The leader's commit index brings the entries after the snapshot.
    REQUIRE(node.step(append_entries(1, 2, 3, 7, 3, {}, 7)) == RejectReason::none);
    CHECK(indexes_of(drain(node).committed_entries) == std::vector<Index>{6, 7});
}

TEST_CASE(
    "snapshot: a follower cut off while the leader compacts catches up through "
    "InstallSnapshot and restarts from it",
    "[snapshot]") {
    core::Config config = snapshot_config(0, 2);
    config.pre_vote = true;  // the cut-off follower must not inflate its term
    sim::Pump cluster(config, 1);
    for (NodeId id = 1; id <= 3; ++id) {
        cluster.bootstrap(id, Configuration::voters(3));
    }
    const NodeId leader = cluster.run_until_leader(300);
    REQUIRE(leader != core::node_none);
    const NodeId lagging = leader == 3 ? 2 : 3;
    cluster.set_drop_filter(
        [lagging](const Message& m) { return m.to == lagging || m.from == lagging; });
    for (int i = 0; i < 10; ++i) {
        REQUIRE(cluster.node(leader).propose(static_cast<core::RequestId>(i), {1}).ok());
        cluster.process_ready(leader);
        cluster.stabilize();
    }
    const Index snapshot_index = cluster.node(leader).applied_index();
    REQUIRE(snapshot_index >= 12);
    REQUIRE(cluster.node(leader).compact(snapshot_index, {0xab}) == CompactError::none);
    cluster.process_ready(leader);
    REQUIRE(cluster.node(leader).log().base_index() == snapshot_index - 2);

    cluster.set_drop_filter(nullptr);
    cluster.tick_all(5);
    REQUIRE(cluster.leader() == leader);
    core::Node& follower = cluster.node(lagging);
    CHECK(cluster.restores(lagging) == 1);
    CHECK(follower.snapshot().index == snapshot_index);
    CHECK(follower.snapshot().data == core::Bytes{0xab});
    CHECK(follower.log().last_index() == cluster.node(leader).log().last_index());
    CHECK(follower.commit_index() == cluster.node(leader).commit_index());
    CHECK(cluster.node(leader).stats().snapshots_sent >= 1);

    cluster.crash_and_restart(lagging);
    CHECK(cluster.node(lagging).commit_index() == snapshot_index);
    CHECK(cluster.node(lagging).applied_index() == snapshot_index);
    CHECK(cluster.node(lagging).snapshot().index == snapshot_index);
    REQUIRE(cluster.node(leader).propose(99, {2}).ok());
    cluster.process_ready(leader);
    cluster.tick_all(5);
    CHECK(cluster.node(lagging).commit_index() == cluster.node(leader).commit_index());
    REQUIRE_FALSE(cluster.applied(lagging).empty());
    CHECK(cluster.applied(lagging).front().index == snapshot_index + 1);
}

// --------------------------------------------------------------- barrier

TEST_CASE(
    "snapshot: a barrier's result arrives in the Ready whose committed entries reach it "
    "(hashicorp Barrier)",
    "[snapshot]") {
    core::Node leader = make_committed_leader(3);
    REQUIRE(leader.propose(10, {1}).ok());  // index 3
    const core::ProposeResult barrier = leader.barrier(55);
    REQUIRE(barrier.ok());
    CHECK(barrier.index == 4);
    REQUIRE(leader.propose(11, {2}).ok());  // index 5
    CHECK(drain(leader).request_results.empty());

    REQUIRE(leader.step(append_response(2, 1, 2, true, 4)) == RejectReason::none);
    const core::Ready ready = drain(leader);
    CHECK(indexes_of(ready.committed_entries) == std::vector<Index>{3, 4});
    REQUIRE(ready.committed_entries.size() == 2);
    CHECK(ready.committed_entries[1].type == core::EntryType::barrier);
    CHECK(ready.committed_entries[1].data.empty());
    CHECK(ready.request_results ==
          std::vector<core::RequestResult>{
              {.id = 10, .outcome = core::RequestOutcome::committed, .index = 3, .term = 2},
              {.id = 55, .outcome = core::RequestOutcome::committed, .index = 4, .term = 2}});
}

// Found by fuzz_node: a host that batches inputs collects one Ready for two
// snapshots. The first replaced the log (restore pending, applied 5); the
// second matched the log, so it kept the suffix. The Ready said "restore
// from snapshot 6" and also handed out entry 6 to apply: applied twice.
TEST_CASE(
    "snapshot: a matching snapshot after a pending restore is restored from, and its entries "
    "are not applied again",
    "[snapshot]") {
    core::Node node = make_node(2, 3);
    // Leader 1 of term 2: a snapshot through 5 the log does not hold...
    REQUIRE(node.step(install_snapshot(1, 2, 2, 5, 2, Configuration::voters(3), 1)) ==
            RejectReason::none);
    // ...then entry 6, then (say, after compacting further) a snapshot through 6.
    REQUIRE(node.step(append_entries(1, 2, 2, 5, 2, entries(6, {2}), 5)) == RejectReason::none);
    REQUIRE(node.step(install_snapshot(1, 2, 2, 6, 2, Configuration::voters(3), 1)) ==
            RejectReason::none);
    CHECK(node.stats().snapshots_installed == 2);
    CHECK(node.commit_index() == 6);
    CHECK(node.applied_index() == 6);

    const core::Ready ready = drain(node);
    REQUIRE(ready.snapshot.has_value());
    CHECK(ready.snapshot->index == 6);
    CHECK(ready.restore_snapshot);
    // The state machine is restored through 6: nothing at or below it to apply.
    for (const Entry& entry : ready.committed_entries) {
        CHECK(entry.index > 6);
    }
    CHECK(node.applied_index() == 6);
    CHECK(node.invariants_hold());
}

}  // namespace
}  // namespace raftsim::test
