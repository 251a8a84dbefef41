// The online and end-of-run checkers, fed crafted histories: every checker
// (and every kind of breach it names) fires on a bad history and stays quiet
// on the matching good one. liveness and core_assert are raised by the
// Simulation itself and are tested in simulation_test.cpp.
#include "raftsim/sim/checkers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "../sut/forwarding.hpp"
#include "history_cases.hpp"
#include "raftsim/sim/fsm.hpp"
#include "raftsim/sim/simulation.hpp"
#include "raftsim/sut/raftsim/raftsim_system.hpp"

namespace raftsim::sim {
namespace {

/// A member's final log and state machine, for verify_log / verify_fsm.
struct Member {
    std::vector<Entry> log;
    HashChainFsm fsm;
    /// The log holds the entries after this index (the rest is in a snapshot).
    Index base = 0;
};

Member member_with(std::vector<Entry> log) {
    Member member{.log = std::move(log), .fsm = {}};
    for (const Entry& entry : member.log) {
        if (entry.type == core::EntryType::command) {
            REQUIRE(member.fsm.apply(entry));
        }
    }
    return member;
}

std::vector<MemberState> states(const std::vector<Member>& members) {
    std::vector<MemberState> result;
    for (std::size_t i = 0; i < members.size(); ++i) {
        result.push_back(MemberState{.id = i + 1,
                                     .name = "n" + std::to_string(i + 1),
                                     .log = &members[i].log,
                                     .log_base_index = members[i].base,
                                     .fsm = &members[i].fsm});
    }
    return result;
}

const std::vector<Entry> three_commands = {command(1, 1, 'a'), command(1, 2, 'b'),
                                           command(2, 3, 'c')};

}  // namespace

TEST_CASE("checkers: every checker has a distinct name", "[checkers]") {
    std::set<std::string> names;
    for (std::uint8_t i = 0; i < checker_count; ++i) {
        const std::string_view name = to_string(static_cast<Checker>(i));
        CHECK(name != "?");
        names.emplace(name);
    }
    CHECK(names.size() == checker_count);
    // The count covers every enumerator, the last one included.
    CHECK(checker_count == 23);
    CHECK(static_cast<std::uint8_t>(Checker::storage) + 1 == checker_count);
    CHECK(to_string(static_cast<Checker>(checker_count)) == "?");
    for (const Checker checker :
         {Checker::membership, Checker::commit_quorum, Checker::leadership_transfer,
          Checker::snapshot, Checker::limit}) {
        CHECK(names.count(std::string(to_string(checker))) == 1);
    }
}

TEST_CASE("checkers: election safety fires when two nodes lead one term", "[checkers]") {
    run_cases({
        {.name = "two leaders in term 2",
         .bad =
             [](Checkers& c) {
                 c.on_role_change(1, to_leader(2), 10);
                 c.on_role_change(2, to_leader(2), 20);
             },
         .good =
             [](Checkers& c) {
                 c.on_role_change(1, to_leader(2), 10);
                 c.on_role_change(1, to_follower(3), 15);
                 c.on_role_change(2, to_leader(3), 20);
                 c.on_role_change(1, to_leader(4), 30);
             },
         .checker = Checker::election_safety,
         .kind = "two_leaders_in_term"},
    });
}

TEST_CASE("checkers: election safety names the second leader and the time", "[checkers]") {
    Checkers checkers;
    checkers.on_role_change(3, to_leader(5), 100);
    checkers.on_role_change(1, to_leader(5), 250);
    require_violation(checkers, Checker::election_safety, "two_leaders_in_term");
    CHECK(checkers.violation()->node == 1);
    CHECK(checkers.violation()->time == 250);
}

TEST_CASE("checkers: transport fires on a foreign leader id and on two senders in a term",
          "[checkers]") {
    run_cases({
        {.name = "append entries naming another leader",
         .bad = [](Checkers& c) { c.on_send(append(1, 2, 3, 2), 10); },
         .good =
             [](Checkers& c) {
                 c.on_send(append(1, 2, 3, 1), 10);
                 c.on_send(append(1, 3, 3, 1), 10);
             },
         .checker = Checker::transport,
         .kind = "append_entries_names_other_leader"},
        {.name = "two append senders in one term",
         .bad =
             [](Checkers& c) {
                 c.on_send(append(1, 2, 3, 1), 10);
                 c.on_send(append(2, 3, 3, 2), 20);
             },
         .good =
             [](Checkers& c) {
                 c.on_send(append(1, 2, 3, 1), 10);
                 c.on_send(append(2, 3, 4, 2), 20);
                 // Other message types may be sent by anyone in any term.
                 c.on_hard_state(3, core::HardState{.term = 4, .voted_for = 3}, 30);
                 c.on_send(
                     Message{.type = MessageType::request_vote, .from = 3, .to = 1, .term = 4}, 30);
                 c.on_send(Message{.type = MessageType::append_entries_response,
                                   .from = 3,
                                   .to = 2,
                                   .term = 4},
                           30);
             },
         .checker = Checker::transport,
         .kind = "two_append_senders_in_term"},
    });
}

TEST_CASE("checkers: leader append-only fires when a leader rewrites its log", "[checkers]") {
    run_cases({
        {.name = "leader truncates its own entries",
         .bad =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a'), command(1, 2, 'b')}, 10);
                 c.on_role_change(1, to_leader(2), 20);
                 c.on_log_write(1, {command(2, 2, 'x')}, 30);
             },
         .good =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a'), command(1, 2, 'b')}, 10);
                 c.on_role_change(1, to_leader(2), 20);
                 c.on_log_write(1, {command(2, 3, 'x')}, 30);
                 // Once it steps down it may truncate uncommitted entries.
                 c.on_role_change(1, to_follower(3), 40);
                 c.on_log_write(1, {command(3, 3, 'y')}, 50);
             },
         .checker = Checker::leader_append_only,
         .kind = "leader_overwrote_entries"},
    });
}

TEST_CASE("checkers: log matching fires on a differing prefix, an overwritten commit, a gap",
          "[checkers]") {
    run_cases({
        {.name = "same index and term, different prefix",
         .bad =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a'), command(1, 2, 'b'), command(3, 3, 'c')},
                                10);
                 c.on_log_write(2, {command(1, 1, 'a'), command(2, 2, 'b'), command(3, 3, 'c')},
                                20);
             },
         .good =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a'), command(1, 2, 'b'), command(3, 3, 'c')},
                                10);
                 c.on_log_write(2, {command(1, 1, 'a'), command(1, 2, 'b'), command(3, 3, 'c')},
                                20);
                 // Diverging with another term at an index is legal (uncommitted).
                 c.on_log_write(3, {command(1, 1, 'a'), command(2, 2, 'z')}, 30);
             },
         .checker = Checker::log_matching,
         .kind = "same_index_and_term_different_logs"},
        {.name = "committed entry overwritten",
         .bad =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a'), command(1, 2, 'b'), command(1, 3, 'c')},
                                10);
                 c.on_commit_index(1, 2);
                 c.on_log_write(1, {command(2, 2, 'x')}, 20);
             },
         .good =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a'), command(1, 2, 'b'), command(1, 3, 'c')},
                                10);
                 c.on_commit_index(1, 2);
                 c.on_log_write(1, {command(2, 3, 'x')}, 20);
             },
         .checker = Checker::log_matching,
         .kind = "committed_entry_overwritten"},
        {.name = "log gap",
         .bad =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a')}, 10);
                 c.on_log_write(1, {command(1, 3, 'c')}, 20);
             },
         .good =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a')}, 10);
                 c.on_log_write(1, {command(1, 2, 'b')}, 20);
             },
         .checker = Checker::log_matching,
         .kind = "log_gap"},
    });
}

TEST_CASE("checkers: log matching accepts a log rebuilt from durable state", "[checkers]") {
    Checkers checkers;
    checkers.on_log_write(1, {command(1, 1, 'a'), command(1, 2, 'b'), command(1, 3, 'c')}, 10);
    checkers.on_commit_index(1, 3);
    // A restart with only two durable entries: the lost third is rewritten.
    checkers.on_log_reset(1, {command(1, 1, 'a'), command(1, 2, 'b')});
    CHECK(checkers.mirror(1).last_index() == 2);
    CHECK(checkers.mirror(1).commit_index == 0);
    checkers.on_log_write(1, {command(1, 3, 'c')}, 20);
    require_clean(checkers);
    CHECK(checkers.mirror(1).last_index() == 3);
}

namespace {

// Node 1 applies index 1 (term 1), then index 2 of term 7 while in term 7;
// node 2, holding only index 1, becomes leader of `term`.
void elect_after_term7_committed(Checkers& c, core::Term term) {
    c.on_log_write(1, {command(1, 1, 'a')}, 5);
    c.on_apply(1, command(1, 1, 'a'), 6);
    c.on_hard_state(1, core::HardState{.term = 7, .voted_for = 1}, 10);
    c.on_log_write(1, 7, {command(7, 2, 'b')}, 10);
    c.on_apply(1, command(7, 2, 'b'), 20);
    c.on_log_write(2, {command(1, 1, 'a')}, 30);
    c.on_role_change(2, to_leader(term), 40);
}

}  // namespace

TEST_CASE("checkers: leader completeness fires when a leader lacks a committed entry",
          "[checkers]") {
    run_cases({
        {.name = "new leader misses the committed entry",
         .bad =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a'), command(1, 2, 'b')}, 10);
                 c.on_apply(1, command(1, 1, 'a'), 20);
                 c.on_apply(1, command(1, 2, 'b'), 20);
                 c.on_log_write(2, {command(1, 1, 'a')}, 30);
                 c.on_role_change(2, to_leader(2), 40);
             },
         .good =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a'), command(1, 2, 'b')}, 10);
                 c.on_apply(1, command(1, 1, 'a'), 20);
                 c.on_apply(1, command(1, 2, 'b'), 20);
                 c.on_log_write(2, {command(1, 1, 'a'), command(1, 2, 'b')}, 30);
                 c.on_role_change(2, to_leader(2), 40);
             },
         .checker = Checker::leader_completeness,
         .kind = "leader_missing_committed_entry"},
        {.name = "new leader holds another entry at the committed index",
         .bad =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a'), command(1, 2, 'b')}, 10);
                 c.on_apply(1, command(1, 2, 'b'), 20);
                 c.on_log_write(2, {command(1, 1, 'a'), command(2, 2, 'x'), command(2, 3, 'y')},
                                30);
                 c.on_role_change(2, to_leader(3), 40);
             },
         .good =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a'), command(1, 2, 'b')}, 10);
                 c.on_apply(1, command(1, 2, 'b'), 20);
                 c.on_log_write(2, {command(1, 1, 'a'), command(1, 2, 'b'), command(2, 3, 'y')},
                                30);
                 c.on_role_change(2, to_leader(3), 40);
             },
         .checker = Checker::leader_completeness,
         .kind = "leader_missing_committed_entry"},
        // Canonical 0.18.1, built-in Swarm seed 52: a voter granted term 6
        // and moved on to term 7, whose leader committed; the candidate of
        // term 6 won later with that vote. It lacks term 7's entries, and
        // rightly so; a leader of term 8 may not.
        {.name = "a leader of a later term than the commit misses it",
         .bad = [](Checkers& c) { elect_after_term7_committed(c, 8); },
         .good = [](Checkers& c) { elect_after_term7_committed(c, 6); },
         .checker = Checker::leader_completeness,
         .kind = "leader_missing_committed_entry"},
    });
}

TEST_CASE("checkers: state machine safety fires on different applies and foreign entries",
          "[checkers]") {
    run_cases({
        {.name = "different entries applied at one index",
         .bad =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a')}, 10);
                 c.on_log_write(2, {command(2, 1, 'b')}, 10);
                 c.on_apply(1, command(1, 1, 'a'), 20);
                 c.on_apply(2, command(2, 1, 'b'), 30);
             },
         .good =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a')}, 10);
                 c.on_log_write(2, {command(1, 1, 'a')}, 10);
                 c.on_apply(1, command(1, 1, 'a'), 20);
                 c.on_apply(2, command(1, 1, 'a'), 30);
             },
         .checker = Checker::state_machine_safety,
         .kind = "different_entries_applied_at_index"},
        {.name = "applied entry beyond the log",
         .bad =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a')}, 10);
                 c.on_apply(1, command(1, 2, 'b'), 20);
             },
         .good =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a'), command(1, 2, 'b')}, 10);
                 c.on_apply(1, command(1, 2, 'b'), 20);
             },
         .checker = Checker::state_machine_safety,
         .kind = "applied_entry_not_in_log"},
        {.name = "applied entry of another term than the log's",
         .bad =
             [](Checkers& c) {
                 c.on_log_write(1, {command(1, 1, 'a')}, 10);
                 c.on_apply(1, command(2, 1, 'a'), 20);
             },
         .good =
             [](Checkers& c) {
                 c.on_log_write(1, {command(2, 1, 'a')}, 10);
                 c.on_apply(1, command(2, 1, 'a'), 20);
             },
         .checker = Checker::state_machine_safety,
         .kind = "applied_entry_not_in_log"},
    });
}

TEST_CASE("checkers: hash chain FSM refuses an out-of-order index and a lower term", "[checkers]") {
    struct Row {
        std::string name;
        Entry next;
        bool accepted;
    };
    // The FSM has applied index 5 of term 3.
    const std::vector<Row> rows = {
        {"next index, same term", command(3, 6, 'x'), true},
        {"gap in index, higher term", command(4, 9, 'x'), true},
        {"same index", command(3, 5, 'x'), false},
        {"lower index", command(3, 4, 'x'), false},
        {"lower term", command(2, 6, 'x'), false},
    };
    for (const Row& row : rows) {
        DYNAMIC_SECTION(row.name) {
            HashChainFsm fsm;
            REQUIRE(fsm.apply(command(3, 5, 'a')));
            const std::uint64_t hash = fsm.hash();
            CHECK(fsm.apply(row.next) == row.accepted);
            if (!row.accepted) {
                CHECK(fsm.last_index() == 5);
                CHECK(fsm.last_term() == 3);
                CHECK(fsm.hash() == hash);
                CHECK(fsm.applied().size() == 1);
            } else {
                CHECK(fsm.last_index() == row.next.index);
                CHECK(fsm.hash() != hash);
            }
        }
    }
}

TEST_CASE("checkers: hash chain FSMs agree only on the same commands in order", "[checkers]") {
    HashChainFsm first;
    HashChainFsm same;
    HashChainFsm other;
    for (const Entry& entry : three_commands) {
        REQUIRE(first.apply(entry));
        REQUIRE(same.apply(entry));
    }
    REQUIRE(other.apply(command(1, 1, 'a')));
    REQUIRE(other.apply(command(1, 2, 'b')));
    REQUIRE(other.apply(command(2, 3, 'z')));
    CHECK(first.hash() == same.hash());
    CHECK(first.hash() != other.hash());
    CHECK(first.dump() == same.dump());
    CHECK(first.dump() != other.dump());
}

TEST_CASE("checkers: hash chain FSM keeps only its latest commands for fsm.txt, all in the hash",
          "[checkers]") {
    constexpr std::size_t window = HashChainFsm::applied_window;
    // Past two windows, so the history has been cut back at least once.
    const std::size_t total = 2 * window + 5;
    HashChainFsm long_run;
    HashChainFsm prefix_only;
    for (std::size_t i = 1; i <= total; ++i) {
        const Entry entry = command(1, i, static_cast<std::uint8_t>('a' + i % 26));
        REQUIRE(long_run.apply(entry));
        if (i < total) {
            REQUIRE(prefix_only.apply(entry));
        }
    }
    CHECK(long_run.command_count() == total);
    REQUIRE(long_run.applied().size() == window);
    CHECK(long_run.applied().front().index == total - window + 1);
    CHECK(long_run.applied().back().index == total);
    // The forgotten commands still count in the hash: one more differs.
    CHECK(long_run.hash() != prefix_only.hash());
    const std::string dump = long_run.dump();
    CHECK_THAT(dump, Catch::StartsWith(
                         fmt::format("{} earlier commands: only in the hash\n", total - window)));
    CHECK(std::count(dump.begin(), dump.end(), '\n') == static_cast<long>(window + 1));
}

TEST_CASE("checkers: fsm apply order fires when the FSM refuses an entry", "[checkers]") {
    const auto feed = [](Checkers& c, const std::vector<Entry>& entries) {
        HashChainFsm fsm;
        for (const Entry& entry : entries) {
            if (!fsm.apply(entry)) {
                c.on_fsm_order_violation(7, entry, fsm, 99);
            }
        }
    };
    run_cases({
        {.name = "index repeats",
         .bad =
             [&](Checkers& c) {
                 feed(c, {command(1, 1, 'a'), command(1, 1, 'a')});
             },
         .good =
             [&](Checkers& c) {
                 feed(c, {command(1, 1, 'a'), command(1, 2, 'b')});
             },
         .checker = Checker::fsm_apply_order,
         .kind = "fsm_apply_out_of_order"},
        {.name = "term falls",
         .bad =
             [&](Checkers& c) {
                 feed(c, {command(2, 1, 'a'), command(1, 2, 'b')});
             },
         .good =
             [&](Checkers& c) {
                 feed(c, {command(1, 1, 'a'), command(2, 2, 'b')});
             },
         .checker = Checker::fsm_apply_order,
         .kind = "fsm_apply_out_of_order"},
    });
}

TEST_CASE("checkers: client apply fires when a success is not the committed entry", "[checkers]") {
    const auto committed = [](Checkers& c) {
        c.on_log_write(1, {command(1, 1, 'a'), command(1, 2, 'b')}, 10);
        c.on_apply(1, command(1, 1, 'a'), 20);
        c.on_apply(1, command(1, 2, 'b'), 20);
    };
    run_cases({
        {.name = "success reported after the apply",
         .bad =
             [&](Checkers& c) {
                 committed(c);
                 c.on_client_success(2, core::Payload{'x'}, 30);
             },
         .good =
             [&](Checkers& c) {
                 committed(c);
                 c.on_client_success(2, core::Payload{'b'}, 30);
             },
         .checker = Checker::client_apply,
         .kind = "success_not_applied_at_index"},
        {.name = "success reported before the apply",
         .bad =
             [&](Checkers& c) {
                 c.on_client_success(2, core::Payload{'x'}, 5);
                 committed(c);
             },
         .good =
             [&](Checkers& c) {
                 c.on_client_success(2, core::Payload{'b'}, 5);
                 committed(c);
             },
         .checker = Checker::client_apply,
         .kind = "success_not_applied_at_index"},
    });
}

TEST_CASE("checkers: verify_log fires when a success is missing from the log", "[checkers]") {
    struct Row {
        std::string name;
        ClientSuccess success;
    };
    const std::vector<Row> rows = {
        {"beyond the last index", ClientSuccess{.index = 4, .data = {'d'}}},
        {"other data at its index", ClientSuccess{.index = 2, .data = {'x'}}},
        {"index zero", ClientSuccess{.index = 0, .data = {'a'}}},
    };
    const std::vector<Member> members = {member_with(three_commands), member_with(three_commands)};
    for (const Row& row : rows) {
        DYNAMIC_SECTION(row.name) {
            Checkers checkers;
            checkers.verify_log(states(members), 1, {row.success}, 100);
            require_violation(checkers, Checker::client_apply, "success_missing_from_log");
        }
    }
    SECTION("every success at its index stays quiet") {
        Checkers checkers;
        const std::vector<ClientSuccess> successes = {{.index = 1, .data = {'a'}},
                                                      {.index = 3, .data = {'c'}}};
        checkers.verify_log(states(members), 2, successes, 100);
        require_clean(checkers);
    }
}

TEST_CASE("checkers: convergence fires when member logs differ", "[checkers]") {
    struct Row {
        std::string name;
        std::vector<Entry> second;
        std::uint64_t apply_count;
        std::string kind;
    };
    const std::vector<Row> rows = {
        {"log length differs", {command(1, 1, 'a'), command(1, 2, 'b')}, 0, "log_length_differs"},
        {"log longer",
         {three_commands[0], three_commands[1], three_commands[2], noop(2, 4)},
         0,
         "log_length_differs"},
        {"entries differ",
         {command(1, 1, 'a'), command(1, 2, 'x'), command(2, 3, 'c')},
         0,
         "log_entries_differ"},
        {"entry terms differ",
         {command(1, 1, 'a'), command(2, 2, 'b'), command(2, 3, 'c')},
         0,
         "log_entries_differ"},
        {"entry types differ",
         {command(1, 1, 'a'), command(1, 2, 'b'), noop(2, 3)},
         0,
         "log_entries_differ"},
        {"log shorter than the applies", three_commands, 4, "log_shorter_than_applies"},
    };
    for (const Row& row : rows) {
        DYNAMIC_SECTION(row.name) {
            const std::vector<Member> members = {member_with(three_commands),
                                                 member_with(row.second)};
            Checkers checkers;
            checkers.verify_log(states(members), row.apply_count, {}, 100);
            require_violation(checkers, Checker::convergence, row.kind);
        }
    }
    SECTION("equal logs holding every apply stay quiet") {
        const std::vector<Member> members = {
            member_with(three_commands), member_with(three_commands), member_with(three_commands)};
        Checkers checkers;
        checkers.verify_log(states(members), 3, {}, 100);
        checkers.verify_fsm(states(members), 100);
        require_clean(checkers);
    }
}

TEST_CASE("checkers: convergence fires when terms go backwards in equal logs", "[checkers]") {
    const std::vector<Entry> falling = {command(2, 1, 'a'), command(1, 2, 'b')};
    const std::vector<Member> members = {Member{.log = falling, .fsm = {}},
                                         Member{.log = falling, .fsm = {}}};
    Checkers checkers;
    checkers.verify_log(states(members), 0, {}, 100);
    require_violation(checkers, Checker::convergence, "log_entries_differ");
}

TEST_CASE("checkers: log_shorter_than_applies counts only commands", "[checkers]") {
    const std::vector<Entry> log = {noop(1, 1), command(1, 2, 'a'), noop(2, 3)};
    const std::vector<Member> members = {member_with(log), member_with(log)};
    Checkers quiet;
    quiet.verify_log(states(members), 1, {}, 100);
    require_clean(quiet);
    Checkers fires;
    fires.verify_log(states(members), 2, {}, 100);
    require_violation(fires, Checker::convergence, "log_shorter_than_applies");
}

TEST_CASE("checkers: convergence fires when member state machines differ", "[checkers]") {
    struct Row {
        std::string name;
        std::vector<Entry> applied;
    };
    const std::vector<Row> rows = {
        {"fewer commands applied", {command(1, 1, 'a'), command(1, 2, 'b')}},
        {"same index and term, other data",
         {command(1, 1, 'a'), command(1, 2, 'x'), command(2, 3, 'c')}},
        {"same index and data, other term",
         {command(1, 1, 'a'), command(1, 2, 'b'), command(3, 3, 'c')}},
    };
    for (const Row& row : rows) {
        DYNAMIC_SECTION(row.name) {
            std::vector<Member> members = {member_with(three_commands),
                                           member_with(three_commands)};
            members[1].fsm = HashChainFsm{};
            for (const Entry& entry : row.applied) {
                REQUIRE(members[1].fsm.apply(entry));
            }
            Checkers checkers;
            checkers.verify_fsm(states(members), 100);
            require_violation(checkers, Checker::convergence, "fsm_differs");
            CHECK(checkers.violation()->node == 2);
        }
    }
}

TEST_CASE("checkers: the first violation is kept", "[checkers]") {
    Checkers checkers;
    checkers.on_role_change(1, to_leader(2), 10);
    checkers.on_role_change(2, to_leader(2), 20);
    require_violation(checkers, Checker::election_safety, "two_leaders_in_term");
    // A later breach of another checker does not replace it...
    checkers.on_send(append(3, 1, 2, 1), 30);
    checkers.on_log_write(3, {command(1, 2, 'a')}, 40);
    checkers.fail(Violation{.checker = Checker::liveness,
                            .kind = "no_leader",
                            .detail = "late",
                            .time = 50,
                            .node = 0});
    require_violation(checkers, Checker::election_safety, "two_leaders_in_term");
    CHECK(checkers.violation()->time == 20);
    CHECK(checkers.violation()->node == 2);
    // ...and the end-of-run checks do not run once a checker has failed.
    const std::vector<Member> members = {member_with(three_commands), member_with({})};
    checkers.verify_log(states(members), 0, {}, 60);
    checkers.verify_fsm(states(members), 60);
    CHECK(checkers.violation()->checker == Checker::election_safety);
}

}  // namespace raftsim::sim

namespace raftsim::sim {
namespace {

core::Message success_reply(NodeId from, NodeId to, Term term, Index match) {
    return core::Message{.type = core::MessageType::append_entries_response,
                         .from = from,
                         .to = to,
                         .term = term,
                         .success = true,
                         .match_index = match};
}

TEST_CASE("checkers: replication progress fires when a leader's match index goes back in a term",
          "[checkers]") {
    Checkers checkers;
    // The leader's match index rests on the replies it received.
    checkers.on_deliver(success_reply(2, 1, 3, 12), 50);
    checkers.on_progress(1, 3, 2, 10, 100);
    checkers.on_progress(1, 3, 2, 12, 200);
    REQUIRE_FALSE(checkers.failed());
    // A new term starts from scratch: a lower value is not a decrease.
    checkers.on_deliver(success_reply(2, 1, 4, 5), 250);
    checkers.on_progress(1, 4, 2, 0, 300);
    checkers.on_progress(1, 4, 2, 5, 400);
    REQUIRE_FALSE(checkers.failed());
    checkers.on_progress(1, 4, 2, 4, 500);
    REQUIRE(checkers.failed());
    CHECK(checkers.violation()->checker == Checker::replication_progress);
    CHECK(checkers.violation()->kind == "match_index_decreased");
}

TEST_CASE(
    "checkers: replication progress starts afresh for a server that left the configuration "
    "and came back",
    "[checkers]") {
    Checkers checkers;
    checkers.on_deliver(success_reply(2, 1, 3, 10), 50);
    checkers.on_progress(1, 3, 2, 10, 100);
    // Without forgetting, a rejoined server's match index 0 is a decrease.
    checkers.forget_progress(1, 2);
    checkers.on_progress(1, 3, 2, 0, 200);
    checkers.on_progress(1, 3, 2, 4, 300);
    REQUIRE_FALSE(checkers.failed());
    checkers.on_progress(1, 3, 2, 3, 400);
    REQUIRE(checkers.failed());
    CHECK(checkers.violation()->kind == "match_index_decreased");
}

// The leader_lease checker holds a leader to hashicorp's lease. A core with
// check_quorum off never steps down, so a simulation that still expects the
// lease must report it once the leader is cut off.
TEST_CASE("checkers: leader lease fires when a cut-off leader keeps leading", "[checkers]") {
    const bool expect = GENERATE(true, false);
    CAPTURE(expect);
    SimOptions options;
    options.names = {"a", "b", "c"};
    options.raft = core::to_ticks(core::DurationConfig{}, 10'000).config;
    options.raft.check_quorum = false;
    options.expect_leader_lease = expect;
    Simulation sim(options);
    REQUIRE(sim.run_until([&sim] { return sim.leader() != 0; }, 30 * us_per_second));
    const core::NodeId leader = sim.leader();
    static_cast<void>(sim.partition_off({leader}));
    sim.run_for(3 * us_per_second);
    if (expect) {
        REQUIRE(sim.failed());
        CHECK(sim.violation()->checker == Checker::leader_lease);
        CHECK(sim.violation()->kind == "leader_outlived_lease");
    } else {
        CHECK_FALSE(sim.failed());
        CHECK(sim.host(leader).node->role() == core::Role::leader);  // the stale leader stays
    }
}

// raftsim's core behind different declared semantics: how a system like
// canonical/raft, whose lease is counted in election timeouts, is judged.
class LeaseInElectionTimeouts final : public sut::test::ForwardingSystem {
  public:
    explicit LeaseInElectionTimeouts(std::uint32_t timeouts) {
        semantics_.lease_election_timeouts = timeouts;
    }
    [[nodiscard]] const sut::Semantics& semantics() const override { return semantics_; }

  private:
    sut::Semantics semantics_{};
};

// Semantics::lease_election_timeouts = 2 gives a leader two election
// timeouts without a quorum (canonical checks contact once per timeout), and
// no more: one that never steps down is still caught.
// Three servers, default timings at 10 ms ticks, the lease checker on (as a
// system that always checks its quorum declares) and the core's
// check_quorum as given.
SimOptions lease_options(bool check_quorum) {
    SimOptions options;
    options.names = {"a", "b", "c"};
    options.raft = core::to_ticks(core::DurationConfig{}, 10'000).config;
    options.raft.check_quorum = check_quorum;
    options.expect_leader_lease = true;
    return options;
}

TEST_CASE("checkers: a lease of two election timeouts fires on a leader that keeps leading",
          "[checkers]") {
    const bool check_quorum = GENERATE(false, true);
    CAPTURE(check_quorum);
    const LeaseInElectionTimeouts system(2);
    SimOptions options = lease_options(check_quorum);
    options.system = &system;
    Simulation sim(options);
    REQUIRE(sim.run_until([&sim] { return sim.leader() != 0; }, 30 * us_per_second));
    const core::NodeId leader = sim.leader();
    static_cast<void>(sim.partition_off({leader}));
    sim.run_for(10 * us_per_second);
    if (check_quorum) {
        CHECK_FALSE(sim.failed());  // steps down within hashicorp's lease, well inside two
    } else {
        REQUIRE(sim.failed());
        CHECK(sim.violation()->checker == Checker::leader_lease);
        CHECK(sim.violation()->kind == "leader_outlived_lease");
        CHECK_THAT(sim.violation()->detail, Catch::Contains("lease 2000 ms"));
    }
}

// A leader that demotes itself while one voter is long cut off loses its
// quorum at once (it no longer counts itself). A system that checks its
// quorum once per lease (canonical: per election timeout) acts up to a lease
// later, so the checker restarts the lease when the voters change: one that
// never steps down (check_quorum off) is caught a whole lease after the
// change, not at the next tick; our core steps down inside it.
TEST_CASE("checkers: leader lease restarts when the voters change, and still fires after it",
          "[checkers]") {
    const bool check_quorum = GENERATE(true, false);
    CAPTURE(check_quorum);
    const SimOptions options = lease_options(check_quorum);
    Simulation sim(options);
    REQUIRE(sim.run_until([&sim] { return sim.leader() != 0; }, 30 * us_per_second));
    const core::NodeId leader = sim.leader();
    const core::NodeId cut_off = leader == 3 ? 2 : 3;
    static_cast<void>(sim.partition_off({cut_off}));
    sim.run_for(3 * us_per_second);
    REQUIRE_FALSE(sim.failed());
    REQUIRE(sim.leader() == leader);
    const TimeUs demoted_at = sim.now();
    const ChangeReport report = sim.change_membership(core::ChangeKind::demote_voter, leader,
                                                      sim.now() + 5 * us_per_second);
    if (check_quorum) {
        CHECK_FALSE(sim.failed());
        CHECK(report.outcome != ChangeOutcome::committed);  // the cut-off voter is needed
        CHECK(sim.host(leader).node->role() != core::Role::leader);
    } else {
        REQUIRE(sim.failed());
        CHECK(sim.violation()->kind == "leader_outlived_lease");
        CHECK_THAT(sim.violation()->detail, Catch::Contains("1 of 2 voters"));
        CHECK_THAT(sim.violation()->detail, Catch::Contains("it is not a voter itself"));
        const TimeUs lease_us = options.raft.leader_lease_ticks * 10'000;
        CHECK(sim.violation()->time > demoted_at + lease_us);
    }
}

TEST_CASE("checkers: leader lease stays quiet while a leader with check_quorum steps down",
          "[checkers]") {
    SimOptions options;
    options.names = {"a", "b", "c", "d", "e"};
    options.raft = core::to_ticks(core::DurationConfig{}, 10'000).config;
    Simulation sim(options);
    REQUIRE(sim.run_until([&sim] { return sim.leader() != 0; }, 30 * us_per_second));
    const core::NodeId leader = sim.leader();
    static_cast<void>(sim.partition_off({leader}));
    sim.run_for(5 * us_per_second);
    CHECK_FALSE(sim.failed());
    CHECK(sim.host(leader).node->role() != core::Role::leader);
}

}  // namespace
}  // namespace raftsim::sim

namespace raftsim::sim {
namespace {

core::Entry acked_entry(core::Term term, core::Index index) {
    return core::Entry{.term = term,
                       .index = index,
                       .type = core::EntryType::command,
                       .data = {static_cast<std::uint8_t>(index)},
                       .configuration = {}};
}

core::Message ack(core::NodeId from, core::Term term, core::Index match_index) {
    return core::Message{.type = core::MessageType::append_entries_response,
                         .from = from,
                         .to = 1,
                         .term = term,
                         .success = true,
                         .match_index = match_index};
}

// Figure 2: a success reply proves the follower's log matches the leader's
// through match_index; within that term nothing may truncate those entries.
TEST_CASE("checkers: replication progress fires when a follower truncates what it acknowledged",
          "[checkers]") {
    struct Case {
        const char* name;
        core::Term write_term;
        core::Index truncate_from;
        bool fires;
    };
    const Case c =
        GENERATE(Case{"same term, at the acknowledged index", 2, 3, true},
                 Case{"same term, below it", 2, 2, true}, Case{"same term, past it", 2, 4, false},
                 Case{"a later term's leader may truncate", 3, 2, false});
    CAPTURE(c.name);
    Checkers checkers;
    checkers.on_log_write(
        2, 2, {acked_entry(1, 1), acked_entry(2, 2), acked_entry(2, 3), acked_entry(2, 4)}, 10);
    checkers.on_sync(2);
    checkers.on_send(append(1, 2, 2, 1), 15);
    checkers.on_send(ack(2, 2, 3), 20);
    checkers.on_log_write(2, c.write_term, {acked_entry(c.write_term, c.truncate_from)}, 30);
    CHECK(checkers.failed() == c.fires);
    if (c.fires) {
        CHECK(checkers.violation()->checker == Checker::durability);
        CHECK(checkers.violation()->kind == "acknowledged_entry_truncated");
    }
}

}  // namespace
}  // namespace raftsim::sim

// The membership, commit_quorum, leadership_transfer and snapshot checkers,
// and verify_log over compacted logs.
namespace raftsim::sim {
namespace {

core::Configuration servers(std::vector<core::Server> list) {
    core::Configuration configuration{.servers = std::move(list)};
    REQUIRE(configuration.is_valid());
    return configuration;
}

core::Configuration voters_of(std::initializer_list<NodeId> ids) {
    std::vector<core::Server> list;
    for (const NodeId id : ids) {
        list.push_back(core::Server{.id = id, .suffrage = core::Suffrage::voter});
    }
    return servers(std::move(list));
}

Entry configuration_entry(Term term, Index index, core::Configuration configuration) {
    return Entry{.term = term,
                 .index = index,
                 .type = core::EntryType::configuration,
                 .data = {},
                 .configuration = std::move(configuration)};
}

/// Node 1 leads term 2: its log holds the bootstrap configuration at index
/// 1 (term 1) and its no-op at index 2.
/// Each of `voters` durably votes for `candidate` in `term` and says so.
void grant_votes(Checkers& c, NodeId candidate, std::initializer_list<NodeId> voters, Term term) {
    for (const NodeId voter : voters) {
        c.on_hard_state(voter, core::HardState{.term = term, .voted_for = candidate}, 30);
        c.on_sync(voter);
        c.on_send(Message{.type = MessageType::request_vote_response,
                          .from = voter,
                          .to = candidate,
                          .term = term,
                          .granted = true},
                  30);
    }
}

void leader_of_term_2(Checkers& c, const core::Configuration& bootstrap) {
    c.on_log_write(1, 1, {configuration_entry(1, 1, bootstrap)}, 10);
    // Every other node votes for node 1 (the election_safety vote count) and
    // holds the leader's log through index 2 (the claims checker verifies
    // every acknowledgement against it).
    for (NodeId node = 2; node <= 9; ++node) {
        c.on_hard_state(node, core::HardState{.term = 2, .voted_for = 1}, 15);
        c.on_log_write(node, 2, {configuration_entry(1, 1, bootstrap), noop(2, 2)}, 15);
        c.on_sync(node);
        c.on_send(Message{.type = MessageType::request_vote_response,
                          .from = node,
                          .to = 1,
                          .term = 2,
                          .granted = true},
                  15);
    }
    c.on_hard_state(1, core::HardState{.term = 2, .voted_for = 1}, 20);
    c.on_role_change(1, to_leader(2), 20);
    c.on_log_write(1, 2, {noop(2, 2)}, 30);
    c.on_sync(1);  // its no-op durable: the commit quorum counts it
    // Node 1 replicates in term 2, and did in term 1 (the bootstrap's): the
    // only node a success reply of those terms may go to.
    for (const Term term : {Term{1}, Term{2}}) {
        c.on_send(append(1, 2, term, 1), 30);
    }
}

/// The leader appends `configuration` at `index` with `commit_index`.
void leader_appends(Checkers& c, Index index, const core::Configuration& configuration,
                    Index commit_index) {
    c.on_commit_index(1, commit_index);
    c.on_log_write(1, 2, {configuration_entry(2, index, configuration)}, 40);
    c.on_sync(1);
    c.on_leader_configuration(1, 2, index, commit_index, 40);
}

}  // namespace

TEST_CASE("checkers: membership fires when majorities of one change need not overlap",
          "[checkers]") {
    struct Row {
        std::string name;
        core::Configuration next;
        bool fires;
    };
    const std::vector<Row> rows = {
        {"add one voter", voters_of({1, 2, 3, 4}), false},
        {"remove one voter", voters_of({1, 2}), false},
        {"add a non-voter",
         servers({{1, core::Suffrage::voter},
                  {2, core::Suffrage::voter},
                  {3, core::Suffrage::voter},
                  {4, core::Suffrage::nonvoter}}),
         false},
        {"add two voters", voters_of({1, 2, 3, 4, 5}), true},
        {"remove two voters", voters_of({1}), true},
        {"swap one voter for another", voters_of({1, 2, 4}), true},
    };
    for (const Row& row : rows) {
        DYNAMIC_SECTION(row.name) {
            Checkers checkers;
            leader_of_term_2(checkers, voters_of({1, 2, 3}));
            leader_appends(checkers, 3, row.next, 2);
            require_verdict(checkers, row.fires, Checker::membership, "disjoint_majorities", 1);
        }
    }
}

TEST_CASE(
    "checkers: membership fires on a second uncommitted change and on a change before "
    "the leader committed in its term",
    "[checkers]") {
    const core::Configuration three = voters_of({1, 2, 3});
    const core::Configuration four = voters_of({1, 2, 3, 4});
    const core::Configuration four_and_nonvoter = servers({{1, core::Suffrage::voter},
                                                           {2, core::Suffrage::voter},
                                                           {3, core::Suffrage::voter},
                                                           {4, core::Suffrage::voter},
                                                           {5, core::Suffrage::nonvoter}});
    run_cases({
        {.name = "second change while the first is uncommitted",
         .bad =
             [&](Checkers& c) {
                 leader_of_term_2(c, three);
                 leader_appends(c, 3, four, 2);
                 leader_appends(c, 4, four_and_nonvoter, 2);
             },
         .good =
             [&](Checkers& c) {
                 leader_of_term_2(c, three);
                 leader_appends(c, 3, four, 2);
                 leader_appends(c, 4, four_and_nonvoter, 3);
             },
         .checker = Checker::membership,
         .kind = "two_uncommitted_configurations"},
        {.name = "change before the leader's no-op committed",
         .bad =
             [&](Checkers& c) {
                 leader_of_term_2(c, three);
                 leader_appends(c, 3, four, 1);
             },
         .good =
             [&](Checkers& c) {
                 leader_of_term_2(c, three);
                 leader_appends(c, 3, four, 2);
             },
         .checker = Checker::membership,
         .kind = "change_before_commit_in_term"},
        {.name = "change after committing only an earlier leader's entries",
         .bad =
             [&](Checkers& c) {
                 leader_of_term_2(c, three);
                 c.on_role_change(1, to_follower(3), 32);
                 grant_votes(c, 1, {2, 3}, 4);
                 c.on_role_change(1, to_leader(4), 34);
                 c.on_log_write(1, 4, {noop(4, 3)}, 36);
                 c.on_commit_index(1, 2);
                 c.on_log_write(1, 4, {configuration_entry(4, 4, four)}, 40);
                 c.on_leader_configuration(1, 4, 4, 2, 40);
             },
         .good =
             [&](Checkers& c) {
                 leader_of_term_2(c, three);
                 c.on_role_change(1, to_follower(3), 32);
                 grant_votes(c, 1, {2, 3}, 4);
                 c.on_role_change(1, to_leader(4), 34);
                 c.on_log_write(1, 4, {noop(4, 3)}, 36);
                 c.on_commit_index(1, 3);
                 c.on_log_write(1, 4, {configuration_entry(4, 4, four)}, 40);
                 c.on_leader_configuration(1, 4, 4, 3, 40);
             },
         .checker = Checker::membership,
         .kind = "change_before_commit_in_term"},
    });
}

// Thesis §4.2.1: only voters campaign. A node may campaign as a voter of any
// configuration from its committed one on (what the others use may be any of
// them), and not otherwise.
TEST_CASE("checkers: membership fires when a node that is no voter campaigns", "[checkers]") {
    using core::Suffrage;
    const core::Configuration four_voters = voters_of({1, 2, 3, 4});
    const core::Configuration three_voters = voters_of({1, 2, 3});
    const auto four_as = [](Suffrage suffrage) {
        return servers(
            {{1, Suffrage::voter}, {2, Suffrage::voter}, {3, Suffrage::voter}, {4, suffrage}});
    };
    struct Row {
        std::string name;
        std::vector<core::Configuration> log;  // configuration entries at 1, 2, ...
        Index commit_index;
        Role role;
        bool fires;
    };
    const std::vector<Row> rows = {
        {"a non-voter", {four_as(Suffrage::nonvoter)}, 1, Role::candidate, true},
        {"a staging server asking for pre-votes",
         {four_as(Suffrage::staging)},
         1,
         Role::pre_candidate,
         true},
        {"a server outside the configuration", {three_voters}, 1, Role::candidate, true},
        {"a server holding no configuration", {}, 0, Role::candidate, true},
        {"a voter only before its committed configuration",
         {four_voters, three_voters},
         2,
         Role::candidate,
         true},
        {"a voter", {four_voters}, 1, Role::candidate, false},
        {"a voter of an uncommitted configuration",
         {four_as(Suffrage::nonvoter), four_voters},
         1,
         Role::pre_candidate,
         false},
        {"a voter of the committed configuration, removed by an uncommitted one",
         {four_voters, three_voters},
         1,
         Role::candidate,
         false},
    };
    for (const Row& row : rows) {
        DYNAMIC_SECTION(row.name) {
            Checkers checkers;
            std::vector<Entry> entries;
            for (const core::Configuration& configuration : row.log) {
                entries.push_back(configuration_entry(1, entries.size() + 1, configuration));
            }
            if (!entries.empty()) {
                checkers.on_log_write(4, 1, entries, 10);
            }
            checkers.on_commit_index(4, row.commit_index, 20);
            checkers.on_role_change(
                4, RoleChange{.from = Role::follower, .to = row.role, .term = 2}, 30);
            require_verdict(checkers, row.fires, Checker::membership, "non_voter_campaigned", 4);
        }
    }
}

// hashicorp's staging design: a staging server becomes a voter only once
// it has acknowledged, in the leader's term, everything through the commit
// index (redisraft#125 promoted one before it had caught up).
TEST_CASE("checkers: membership fires when a staging server is promoted before it caught up",
          "[checkers]") {
    struct Row {
        std::string name;
        std::vector<Index> acknowledged;  // node 4's match indexes sent in term 2, in order
        bool fires;
    };
    const std::vector<Row> rows = {
        {"no acknowledgement in the term", {}, true},
        {"acknowledged below the commit index", {1}, true},
        {"acknowledged the commit index", {2}, false},
        {"a late, older reply lowers nothing", {2, 1}, false},
    };
    for (const Row& row : rows) {
        DYNAMIC_SECTION(row.name) {
            Checkers checkers;
            leader_of_term_2(checkers, servers({{1, core::Suffrage::voter},
                                                {2, core::Suffrage::voter},
                                                {3, core::Suffrage::voter},
                                                {4, core::Suffrage::staging}}));
            for (const Index match_index : row.acknowledged) {
                checkers.on_send(Message{.type = MessageType::append_entries_response,
                                         .from = 4,
                                         .to = 1,
                                         .term = 2,
                                         .success = true,
                                         .match_index = match_index},
                                 35);
            }
            leader_appends(checkers, 3, voters_of({1, 2, 3, 4}), 2);  // commit index 2
            require_verdict(checkers, row.fires, Checker::membership, "promoted_before_caught_up",
                            1);
        }
    }
}

TEST_CASE("checkers: membership fires when a leader keeps leading after its removal committed",
          "[checkers]") {
    const core::Configuration without_leader = voters_of({2, 3});
    run_cases({
        {.name = "removal committed, still leading",
         .bad =
             [&](Checkers& c) {
                 leader_of_term_2(c, voters_of({1, 2, 3}));
                 leader_appends(c, 3, without_leader, 2);
                 c.on_commit_index(1, 3);
                 c.on_leader_ready(1, 2, 50);
             },
         // It may lead while the removal is uncommitted (thesis §4.2.2).
         .good =
             [&](Checkers& c) {
                 leader_of_term_2(c, voters_of({1, 2, 3}));
                 leader_appends(c, 3, without_leader, 2);
                 c.on_leader_ready(1, 2, 50);
             },
         .checker = Checker::membership,
         .kind = "removed_leader_still_leads"},
        {.name = "demotion committed, still leading",
         .bad =
             [&](Checkers& c) {
                 leader_of_term_2(c, voters_of({1, 2, 3}));
                 leader_appends(c, 3,
                                servers({{1, core::Suffrage::nonvoter},
                                         {2, core::Suffrage::voter},
                                         {3, core::Suffrage::voter}}),
                                2);
                 c.on_commit_index(1, 3);
                 c.on_leader_ready(1, 2, 50);
             },
         .good =
             [&](Checkers& c) {
                 leader_of_term_2(c, voters_of({1, 2, 3}));
                 c.on_commit_index(1, 2);
                 c.on_leader_ready(1, 2, 50);
             },
         .checker = Checker::membership,
         .kind = "removed_leader_still_leads"},
    });
}

TEST_CASE(
    "checkers: commit quorum fires when a leader commits what a majority did not "
    "acknowledge",
    "[checkers]") {
    const auto response = [](MessageType type, NodeId from, Term term, Index match, bool success) {
        return Message{.type = type,
                       .from = from,
                       .to = 1,
                       .term = term,
                       .success = success,
                       .match_index = match};
    };
    constexpr MessageType append_ack = MessageType::append_entries_response;
    struct Row {
        std::string name;
        core::Configuration configuration;
        std::vector<Message> sent;
        bool fires;
    };
    const core::Configuration three = voters_of({1, 2, 3});
    const std::vector<Row> rows = {
        {"nobody acknowledged", three, {}, true},
        {"one of two followers acknowledged", three, {ack(2, 2, 2)}, false},
        {"acknowledged past the commit index", three, {ack(3, 2, 5)}, false},
        {"an InstallSnapshot acknowledgement counts",
         three,
         {response(MessageType::install_snapshot_response, 2, 2, 2, true)},
         false},
        {"acknowledged in an earlier term", three, {ack(2, 1, 2)}, true},
        {"acknowledged below the commit index", three, {ack(2, 2, 1)}, true},
        {"a refusal", three, {response(append_ack, 2, 2, 2, false)}, true},
        {"a refused InstallSnapshot",
         three,
         {response(MessageType::install_snapshot_response, 2, 2, 2, false)},
         true},
        {"a server outside the configuration", three, {ack(9, 2, 2)}, true},
        {"only a non-voter acknowledged",
         servers({{1, core::Suffrage::voter},
                  {2, core::Suffrage::voter},
                  {3, core::Suffrage::voter},
                  {4, core::Suffrage::nonvoter}}),
         {ack(4, 2, 2)},
         true},
        {"two of five voters (with the leader)",
         voters_of({1, 2, 3, 4, 5}),
         {ack(2, 2, 2), ack(2, 2, 2)},
         true},
        {"three of five voters (with the leader)",
         voters_of({1, 2, 3, 4, 5}),
         {ack(2, 2, 2), ack(5, 2, 2)},
         false},
    };
    for (const Row& row : rows) {
        DYNAMIC_SECTION(row.name) {
            Checkers checkers;
            leader_of_term_2(checkers, row.configuration);
            // Node 3 and the leader hold more than the leader commits.
            for (const NodeId node : {NodeId{1}, NodeId{3}}) {
                checkers.on_log_write(node, 2, {noop(2, 3), noop(2, 4), noop(2, 5)}, 35);
                checkers.on_sync(node);
            }
            for (const Message& message : row.sent) {
                checkers.on_send(message, 40);
            }
            checkers.on_leader_commit(1, 2, 2, 50);
            require_verdict(checkers, row.fires, Checker::commit_quorum, "commit_without_quorum",
                            1);
            if (row.fires) {
                CHECK(checkers.violation()->time == 50);
            }
        }
    }
}

// Thesis §10.2.1: a leader may send before its own write is durable (as
// canonical/raft does), but counts itself only once it is.
TEST_CASE("checkers: commit_quorum counts the leader only through its durable prefix",
          "[checkers]") {
    const auto history = [](Checkers& c, bool leader_synced) {
        leader_of_term_2(c, voters_of({1, 2, 3}));
        c.on_log_write(1, 2, {noop(2, 3)}, 35);
        if (leader_synced) {
            c.on_sync(1);
        }
        c.on_log_write(2, 2, {noop(2, 3)}, 36);
        c.on_sync(2);
        c.on_send(ack(2, 2, 3), 40);
        c.on_leader_commit(1, 2, 3, 50);
    };
    run_cases({
        {.name = "the leader's copy not yet synced",
         .bad = [&](Checkers& c) { history(c, false); },
         .good = [&](Checkers& c) { history(c, true); },
         .checker = Checker::commit_quorum,
         .kind = "commit_without_quorum"},
    });
}

TEST_CASE("checkers: a leader commits by counting only an entry of its own term (Figure 8)",
          "[checkers]") {
    // Node 2 acknowledges the whole log; the leader's commit index rises to
    // the bootstrap entry of term 1 (bad) or to its own no-op (good).
    const auto history = [](Checkers& c, core::Index commit_index) {
        leader_of_term_2(c, voters_of({1, 2, 3}));
        c.on_send(ack(2, 2, 2), 40);
        c.on_leader_commit(1, 2, commit_index, 50);
    };
    run_cases({
        {.name = "commit index raised to an entry of term 1",
         .bad = [&](Checkers& c) { history(c, 1); },
         .good = [&](Checkers& c) { history(c, 2); },
         .checker = Checker::commit_quorum,
         .kind = "commit_of_earlier_term_entry"},
    });
}

TEST_CASE("checkers: commit quorum counts the voters of the leader's latest configuration",
          "[checkers]") {
    // After adding node 4 (uncommitted), a commit needs 3 of 4 voters.
    const auto history = [](Checkers& c, std::vector<NodeId> acknowledging) {
        leader_of_term_2(c, voters_of({1, 2, 3}));
        leader_appends(c, 3, voters_of({1, 2, 3, 4}), 2);
        for (const NodeId from : acknowledging) {
            c.on_log_write(from, 2, {configuration_entry(2, 3, voters_of({1, 2, 3, 4}))}, 45);
            c.on_sync(from);
            c.on_send(ack(from, 2, 3), 50);
        }
        c.on_leader_commit(1, 2, 3, 60);
    };
    run_cases({
        {.name = "one acknowledgement of four voters",
         .bad = [&](Checkers& c) { history(c, {2}); },
         .good =
             [&](Checkers& c) {
                 history(c, {2, 4});
             },
         .checker = Checker::commit_quorum,
         .kind = "commit_without_quorum"},
    });
}

TEST_CASE("checkers: leadership transfer fires when a completed transfer's target did not lead",
          "[checkers]") {
    const auto completed = [](NodeId target, Term term) {
        return core::TransferResult{.target = target,
                                    .outcome = core::TransferOutcome::completed,
                                    .started_term = 2,
                                    .term = term};
    };
    run_cases({
        {.name = "another node led the term",
         .bad =
             [&](Checkers& c) {
                 c.on_role_change(1, to_leader(2), 10);
                 c.on_role_change(3, to_leader(3), 20);
                 c.on_transfer_result(1, completed(2, 3), 30);
             },
         .good =
             [&](Checkers& c) {
                 c.on_role_change(1, to_leader(2), 10);
                 c.on_role_change(2, to_leader(3), 20);
                 c.on_transfer_result(1, completed(2, 3), 30);
             },
         .checker = Checker::leadership_transfer,
         .kind = "completed_but_target_not_leader"},
        {.name = "nobody led the term",
         .bad =
             [&](Checkers& c) {
                 c.on_role_change(1, to_leader(2), 10);
                 c.on_role_change(2, to_leader(4), 20);
                 c.on_transfer_result(1, completed(2, 3), 30);
             },
         .good =
             [&](Checkers& c) {
                 c.on_role_change(1, to_leader(2), 10);
                 // Only a completed transfer makes a promise about the term.
                 for (const core::TransferOutcome outcome :
                      {core::TransferOutcome::timed_out, core::TransferOutcome::leadership_lost,
                       core::TransferOutcome::target_removed}) {
                     c.on_transfer_result(
                         1,
                         core::TransferResult{
                             .target = 2, .outcome = outcome, .started_term = 2, .term = 3},
                         30);
                 }
             },
         .checker = Checker::leadership_transfer,
         .kind = "completed_but_target_not_leader"},
    });
}

namespace {

core::Snapshot snapshot_at(Index index, Term term) {
    return core::Snapshot{.index = index,
                          .term = term,
                          .configuration = voters_of({1, 2, 3}),
                          .configuration_index = 1,
                          .data = {static_cast<std::uint8_t>(index)}};
}

/// Node 1 holds (1,1,a) (1,2,b) (2,3,c) and applied the first `applied`.
void node_1_applied(Checkers& c, Index applied) {
    c.on_log_write(1, three_commands, 10);
    for (Index index = 1; index <= applied; ++index) {
        c.on_apply(1, three_commands[index - 1], 20);
    }
}

}  // namespace

TEST_CASE("checkers: snapshot fires when a snapshot holds what was never committed", "[checkers]") {
    run_cases({
        {.name = "stored beyond what anyone applied",
         .bad =
             [](Checkers& c) {
                 node_1_applied(c, 2);
                 c.on_snapshot(1, snapshot_at(3, 2), false, false, 30);
             },
         .good =
             [](Checkers& c) {
                 node_1_applied(c, 2);
                 c.on_snapshot(1, snapshot_at(2, 1), false, false, 30);
             },
         .checker = Checker::snapshot,
         .kind = "snapshot_not_committed"},
        {.name = "installed with another term than the committed entry",
         .bad =
             [](Checkers& c) {
                 node_1_applied(c, 3);
                 c.on_snapshot(2, snapshot_at(3, 3), true, true, 30);
             },
         .good =
             [](Checkers& c) {
                 node_1_applied(c, 3);
                 c.on_snapshot(2, snapshot_at(3, 2), true, true, 30);
             },
         .checker = Checker::snapshot,
         .kind = "snapshot_not_committed"},
        {.name = "index zero",
         .bad =
             [](Checkers& c) {
                 node_1_applied(c, 3);
                 c.on_snapshot(2, snapshot_at(0, 1), true, true, 30);
             },
         .good =
             [](Checkers& c) {
                 node_1_applied(c, 3);
                 c.on_snapshot(2, snapshot_at(1, 1), true, true, 30);
             },
         .checker = Checker::snapshot,
         .kind = "snapshot_not_committed"},
        {.name = "restarted from a snapshot nobody committed",
         .bad =
             [](Checkers& c) {
                 node_1_applied(c, 2);
                 c.on_log_reset(2, snapshot_at(3, 2), 3, {});
             },
         .good =
             [](Checkers& c) {
                 node_1_applied(c, 2);
                 c.on_log_reset(2, snapshot_at(2, 1), 2, {command(2, 3, 'c')});
             },
         .checker = Checker::snapshot,
         .kind = "snapshot_not_committed"},
    });
}

TEST_CASE("checkers: snapshot fires when installing a snapshot rolls a node back", "[checkers]") {
    const auto follower_committed = [](Checkers& c, Index commit_index) {
        node_1_applied(c, 3);
        c.on_log_write(2, three_commands, 30);
        c.on_commit_index(2, commit_index);
    };
    run_cases({
        {.name = "restore at the commit index",
         .bad =
             [&](Checkers& c) {
                 follower_committed(c, 2);
                 c.on_snapshot(2, snapshot_at(2, 1), true, true, 40);
             },
         .good =
             [&](Checkers& c) {
                 // Through its last entry: no suffix to keep (durability).
                 follower_committed(c, 1);
                 c.on_snapshot(2, snapshot_at(3, 2), true, true, 40);
             },
         .checker = Checker::snapshot,
         .kind = "snapshot_rolled_back"},
        {.name = "restore below the commit index",
         .bad =
             [&](Checkers& c) {
                 follower_committed(c, 3);
                 c.on_snapshot(2, snapshot_at(2, 1), true, true, 40);
             },
         .good =
             [&](Checkers& c) {
                 // Its own snapshot below its commit index restores nothing.
                 follower_committed(c, 3);
                 c.on_snapshot(2, snapshot_at(2, 1), false, false, 40);
             },
         .checker = Checker::snapshot,
         .kind = "snapshot_rolled_back"},
    });
}

TEST_CASE("checkers: an installed snapshot joins the committed chain for log matching",
          "[checkers]") {
    Checkers checkers;
    node_1_applied(checkers, 3);
    checkers.on_log_write(1, {command(2, 4, 'd')}, 25);
    // Node 2 had a diverging uncommitted entry; the snapshot replaces its log.
    checkers.on_log_write(2, {command(1, 1, 'a'), command(2, 2, 'z')}, 30);
    checkers.on_snapshot(2, snapshot_at(3, 2), true, true, 40);
    require_clean(checkers);
    CHECK(checkers.mirror(2).last_index() == 3);
    CHECK(checkers.mirror(2).commit_index == 3);
    CHECK(checkers.mirror(2).chain_at(3) == checkers.mirror(1).chain_at(3));
    REQUIRE(checkers.mirror(2).configurations.size() == 1);
    CHECK(checkers.mirror(2).configurations.front().index == 1);
    SECTION("the same next entry matches") {
        checkers.on_log_write(2, {command(2, 4, 'd')}, 50);
        checkers.on_apply(2, command(2, 4, 'd'), 60);
        require_clean(checkers);
    }
    SECTION("another entry of the same index and term does not") {
        checkers.on_log_write(2, {command(2, 4, 'x')}, 50);
        require_violation(checkers, Checker::log_matching, "same_index_and_term_different_logs");
    }
}

TEST_CASE("checkers: a log rebuilt from a snapshot and its tail keeps the committed prefix",
          "[checkers]") {
    Checkers checkers;
    node_1_applied(checkers, 3);
    checkers.on_log_write(1, {command(2, 4, 'd')}, 25);
    checkers.on_log_reset(2, snapshot_at(2, 1), 1, {command(1, 2, 'b'), command(2, 3, 'c')});
    require_clean(checkers);
    CHECK(checkers.mirror(2).last_index() == 3);
    CHECK(checkers.mirror(2).commit_index == 2);
    CHECK(checkers.mirror(2).chain_at(3) == checkers.mirror(1).chain_at(3));
    checkers.on_log_write(2, {command(2, 4, 'd')}, 30);
    checkers.on_apply(2, command(2, 3, 'c'), 40);
    require_clean(checkers);
}

namespace {

const std::vector<Entry> five_commands = {command(1, 1, 'a'), command(1, 2, 'b'),
                                          command(2, 3, 'c'), command(2, 4, 'd'),
                                          command(2, 5, 'e')};

/// A member whose snapshot covers `base` of `full`: its log holds the rest
/// and its state machine every command.
Member compacted(const std::vector<Entry>& full, Index base) {
    Member member = member_with(full);
    member.log.erase(member.log.begin(), member.log.begin() + static_cast<std::ptrdiff_t>(base));
    member.base = base;
    return member;
}

}  // namespace

TEST_CASE("checkers: verify_log accepts members with different log bases that agree",
          "[checkers]") {
    const std::vector<Member> members = {compacted(five_commands, 5), compacted(five_commands, 2),
                                         member_with(five_commands)};
    const std::vector<ClientSuccess> successes = {
        {.index = 1, .data = {'a'}}, {.index = 4, .data = {'d'}}, {.index = 5, .data = {'e'}}};
    Checkers checkers;
    checkers.verify_log(states(members), 5, successes, 100);
    checkers.verify_fsm(states(members), 100);
    require_clean(checkers);
    SECTION("a success compacted away everywhere is not looked for") {
        const std::vector<Member> compacted_only = {compacted(five_commands, 3),
                                                    compacted(five_commands, 2)};
        Checkers quiet;
        quiet.verify_log(states(compacted_only), 5, {{.index = 1, .data = {'?'}}}, 100);
        require_clean(quiet);
        Checkers fires;
        fires.verify_log(states(compacted_only), 5, {{.index = 4, .data = {'?'}}}, 100);
        require_violation(fires, Checker::client_apply, "success_missing_from_log");
        Checkers index_zero;
        index_zero.verify_log(states(compacted_only), 5, {{.index = 0, .data = {'a'}}}, 100);
        require_violation(index_zero, Checker::client_apply, "success_missing_from_log");
    }
}

TEST_CASE("checkers: verify_log fires when members with different log bases differ", "[checkers]") {
    struct Row {
        std::string name;
        std::vector<Entry> tail;  // after index 2
        std::string kind;
    };
    const std::vector<Row> rows = {
        {"other data in the overlap",
         {command(2, 3, 'c'), command(2, 4, 'x'), command(2, 5, 'e')},
         "log_entries_differ"},
        {"another term in the overlap",
         {command(1, 3, 'c'), command(2, 4, 'd'), command(2, 5, 'e')},
         "log_entries_differ"},
        {"an entry at the wrong index",
         {command(2, 3, 'c'), command(2, 5, 'd'), command(2, 5, 'e')},
         "log_entries_differ"},
        {"shorter tail", {command(2, 3, 'c'), command(2, 4, 'd')}, "log_length_differs"},
    };
    for (const Row& row : rows) {
        DYNAMIC_SECTION(row.name) {
            Member odd = compacted(five_commands, 2);
            odd.log = row.tail;
            // The compacted member first: the reference is the lowest base.
            const std::vector<Member> members = {odd, member_with(five_commands)};
            Checkers checkers;
            checkers.verify_log(states(members), 0, {}, 100);
            require_violation(checkers, Checker::convergence, row.kind);
            CHECK(checkers.violation()->node == 1);
        }
    }
    SECTION("a compacted member whose state machine saw fewer commands than succeeded") {
        const std::vector<Member> members = {member_with(five_commands),
                                             compacted(five_commands, 2)};
        Checkers checkers;
        checkers.verify_log(states(members), 5, {}, 100);
        require_clean(checkers);
        Checkers fires;
        std::vector<Member> short_fsm = members;
        short_fsm[0].log = {command(1, 1, 'a'), command(1, 2, 'b'), command(2, 3, 'c'),
                            command(2, 4, 'd'), noop(2, 5)};
        short_fsm[1] = compacted(short_fsm[0].log, 2);
        fires.verify_log(states(short_fsm), 5, {}, 100);
        require_violation(fires, Checker::convergence, "log_shorter_than_applies");
    }
}

}  // namespace raftsim::sim
