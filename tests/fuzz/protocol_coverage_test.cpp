// Protocol coverage: observation histories that differ in a Raft state the
// abstraction keeps apart reach different features, values in one bucket
// reach the same ones, per-Ready states count only when they change, and
// observing a run does not change it.
#include "raftsim/fuzz/protocol_coverage.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "raftsim/core/prng.hpp"
#include "raftsim/fuzz/cluster_case.hpp"
#include "raftsim/scenarios/interpret.hpp"

namespace raftsim::fuzz {
namespace {

using core::Role;
using History = std::function<void(ProtocolCoverage&)>;

std::vector<std::size_t> features_of(const History& history) {
    ProtocolCoverage coverage;
    history(coverage);
    return coverage.features();
}

core::Entry entry(core::Index index, core::Term term) {
    return core::Entry{.term = term, .index = index};
}

core::Entry configuration_entry(core::Index index, core::Term term,
                                const core::Configuration& configuration) {
    return core::Entry{.term = term,
                       .index = index,
                       .type = core::EntryType::configuration,
                       .configuration = configuration};
}

// Node 1 is elected in `term` after the cluster saw term 5.
History elected_in(core::Term term) {
    return [term](ProtocolCoverage& coverage) {
        coverage.on_hard_state(2, {.term = 5, .voted_for = 2});
        coverage.on_role_change(1, {.from = Role::candidate, .to = Role::leader, .term = term});
    };
}

// Entries 1..10, all of `term`.
std::vector<core::Entry> ten_entries(core::Term term) {
    std::vector<core::Entry> log;
    for (core::Index index = 1; index <= 10; ++index) {
        log.push_back(entry(index, term));
    }
    return log;
}

// Node 1 holds entries 1..3 of term 1, then receives `entries`.
History follower_writes(std::vector<core::Entry> entries, bool with_snapshot = false) {
    return [entries = std::move(entries), with_snapshot](ProtocolCoverage& coverage) {
        coverage.on_log_write(1, {entry(1, 1), entry(2, 1), entry(3, 1)});
        if (with_snapshot) {
            coverage.on_snapshot(1, {.index = 1, .term = 1}, false, false);
        }
        coverage.on_log_write(1, entries);
    };
}

// Node 1 holds entries 1..10 and reports `commit`; node 2 committed 10.
History commits(core::Index commit) {
    return [commit](ProtocolCoverage& coverage) {
        const std::vector<core::Entry> log = ten_entries(1);
        coverage.on_commit_index(2, 10);
        coverage.on_log_write(1, log);
        coverage.on_commit_index(1, commit);
    };
}

// Leader 1 (log 1..10, commit 6) reports follower 2 at `match`.
History leader_sees_match(core::Index match) {
    return [match](ProtocolCoverage& coverage) {
        const std::vector<core::Entry> log = ten_entries(2);
        coverage.on_role_change(1, {.from = Role::candidate, .to = Role::leader, .term = 2});
        coverage.on_log_write(1, log);
        coverage.on_commit_index(1, 6);
        coverage.on_progress(1, 2, match);
    };
}

core::Configuration three_voters_with(core::NodeId id, core::Suffrage suffrage) {
    core::Configuration configuration = core::Configuration::voters(3);
    configuration.servers.push_back({.id = id, .suffrage = suffrage});
    return configuration;
}

// Node 4 reports the configuration at index 2, committed through `commit`.
History configuration_seen_by_4(core::Suffrage suffrage, core::Index commit) {
    return [suffrage, commit](ProtocolCoverage& coverage) {
        const core::Configuration configuration = three_voters_with(4, suffrage);
        coverage.on_log_write(4, {entry(1, 1), configuration_entry(2, 1, configuration)});
        coverage.on_commit_index(4, commit);
        coverage.on_configuration(4, configuration);
    };
}

// Node 1 is elected in term 3 while node 2, leader of term 2, is still up.
History elected_beside_stale_leader(bool stale_leader_up) {
    return [stale_leader_up](ProtocolCoverage& coverage) {
        coverage.on_role_change(2, {.from = Role::candidate, .to = Role::leader, .term = 2});
        if (!stale_leader_up) {
            coverage.on_crash(2);
        }
        coverage.on_role_change(1, {.from = Role::candidate, .to = Role::leader, .term = 3});
    };
}

struct Pair {
    std::string behaviour;
    History first;
    History second;
};

TEST_CASE(
    "protocol coverage: histories that differ in an abstract Raft state reach "
    "different features") {
    using core::Suffrage;
    const std::vector<Pair> pairs{
        {"a leader two terms ahead of the highest term seen vs one term ahead", elected_in(7),
         elected_in(6)},
        {"a leader elected in a term below the highest seen vs one above", elected_in(4),
         elected_in(6)},
        {"a follower truncating a conflicting suffix vs appending after its log",
         follower_writes({entry(2, 2)}), follower_writes({entry(4, 1)})},
        {"a truncation of two entries vs a rewrite of the same term",
         follower_writes({entry(2, 2)}), follower_writes({entry(2, 1)})},
        {"a write with a snapshot present vs without one", follower_writes({entry(4, 1)}, true),
         follower_writes({entry(4, 1)})},
        {"commit equal to the last index vs three behind it", commits(10), commits(7)},
        {"a follower's match index above the leader's commit vs equal to it", leader_sees_match(8),
         leader_sees_match(6)},
        {"a follower's match index at the leader's last index vs below it", leader_sees_match(10),
         leader_sees_match(9)},
        {"a staging server vs a voter", configuration_seen_by_4(Suffrage::staging, 2),
         configuration_seen_by_4(Suffrage::voter, 2)},
        {"an uncommitted configuration entry in the log vs a committed one",
         configuration_seen_by_4(Suffrage::nonvoter, 1),
         configuration_seen_by_4(Suffrage::nonvoter, 2)},
        {"a leader elected while an older leader is still up vs after it crashed",
         elected_beside_stale_leader(true), elected_beside_stale_leader(false)},
    };
    for (const Pair& pair : pairs) {
        INFO(pair.behaviour);
        CHECK(features_of(pair.first) != features_of(pair.second));
    }
}

TEST_CASE("protocol coverage: values in one bucket reach the same features") {
    const std::vector<Pair> pairs{
        {"commit 5 and 6 behind the last index (both in 4..7)", commits(5), commits(4)},
        {"a leader three and four terms ahead (both in 3..4)", elected_in(8), elected_in(9)},
        {"match index 2 and 3 below the leader's commit (both in 2..3)", leader_sees_match(4),
         leader_sees_match(3)},
    };
    for (const Pair& pair : pairs) {
        INFO(pair.behaviour);
        CHECK(features_of(pair.first) == features_of(pair.second));
    }
}

TEST_CASE("protocol coverage: a state reported every Ready counts once per entry into it") {
    ProtocolCoverage coverage;
    coverage.on_commit_index(2, 5);
    coverage.on_log_write(1, {entry(1, 1), entry(2, 1)});
    const std::vector<std::size_t> before = coverage.features();
    for (int ready = 0; ready < 10; ++ready) {
        coverage.on_commit_index(1, 2);  // at its last index, 3 behind node 2
    }
    const std::vector<std::size_t> after = coverage.features();
    REQUIRE(after.size() == before.size() + 1);
    std::size_t at_last_index = 0;
    for (const std::size_t id : after) {
        if (std::find(before.begin(), before.end(), id) == before.end()) {
            at_last_index = id;
        }
    }
    CHECK(coverage.counters()[at_last_index] == 1);
    // Leaving the state (an entry appended, commit one behind) and coming
    // back (commit 3: at its last index, 2 behind node 2: same bucket)
    // counts it again.
    coverage.on_log_write(1, {entry(3, 1)});
    coverage.on_commit_index(1, 2);
    coverage.on_commit_index(1, 3);
    CHECK(coverage.counters()[at_last_index] == 2);
}

TEST_CASE("protocol coverage: counters saturate at 255 and reset clears them") {
    ProtocolCoverage coverage;
    const core::Message heartbeat{.type = core::MessageType::append_entries, .from = 1, .to = 2};
    for (int i = 0; i < 300; ++i) {
        coverage.on_send(heartbeat);
    }
    const std::vector<std::size_t> reached = coverage.features();
    REQUIRE(reached.size() == 1);
    CHECK(coverage.counters()[reached[0]] == 255);
    coverage.reset();
    CHECK(coverage.features().empty());
}

TEST_CASE(
    "protocol coverage: observing a fuzz_cluster run leaves the run unchanged and "
    "reaches states of several families") {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        core::Prng prng(seed);
        std::vector<std::uint8_t> bytes(96);
        for (std::uint8_t& byte : bytes) {
            byte = static_cast<std::uint8_t>(prng.next_u64());
        }
        const ClusterCase decoded = decode_cluster_case(bytes);
        ProtocolCoverage coverage;
        const scenarios::RunResult observed = scenarios::run_scenario(
            decoded.scenario, {.seed = decoded.seed, .observer = &coverage});
        const scenarios::RunResult plain =
            scenarios::run_scenario(decoded.scenario, {.seed = decoded.seed});
        INFO("seed " << seed);
        CHECK(observed.fingerprint == plain.fingerprint);
        CHECK(observed.events == plain.events);
        // An election, log writes, commits, sends, applies at the least.
        CHECK(coverage.features().size() >= 10);
    }
}

}  // namespace
}  // namespace raftsim::fuzz
