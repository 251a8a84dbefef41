// The online and end-of-run checkers, fed crafted histories: every checker
// (and every kind of breach it names) fires on a bad history and stays quiet
// on the matching good one. liveness and core_assert are raised by the
// Simulation itself and are tested in simulation_test.cpp.
#include "raftsim/sim/checkers.hpp"

#include <catch2/catch.hpp>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "raftsim/sim/fsm.hpp"
#include "raftsim/sim/simulation.hpp"

namespace raftsim::sim {
namespace {

using core::Entry;
using core::Index;
using core::Message;
using core::MessageType;
using core::NodeId;
using core::Role;
using core::RoleChange;
using core::Term;

Entry command(Term term, Index index, std::uint8_t byte) {
    return Entry{.term = term, .index = index, .type = core::EntryType::command, .data = {byte}};
}

Entry noop(Term term, Index index) {
    return Entry{.term = term, .index = index, .type = core::EntryType::noop};
}

RoleChange to_leader(Term term) {
    return RoleChange{.from = Role::candidate, .to = Role::leader, .term = term};
}

RoleChange to_follower(Term term) {
    return RoleChange{.from = Role::leader, .to = Role::follower, .term = term};
}

Message append(NodeId from, NodeId to, Term term, NodeId leader) {
    return Message{.type = MessageType::append_entries,
                   .from = from,
                   .to = to,
                   .term = term,
                   .leader_id = leader};
}

void require_violation(const Checkers& checkers, Checker checker, const std::string& kind) {
    REQUIRE(checkers.failed());
    REQUIRE(checkers.violation().has_value());
    CHECK(checkers.violation()->checker == checker);
    CHECK(checkers.violation()->kind == kind);
    CHECK_FALSE(checkers.violation()->detail.empty());
}

void require_clean(const Checkers& checkers) {
    INFO((checkers.violation() ? checkers.violation()->kind : std::string("none")));
    REQUIRE_FALSE(checkers.failed());
    REQUIRE_FALSE(checkers.violation().has_value());
}

/// One crafted history, bad or good, with what it must (or must not) raise.
struct HistoryCase {
    std::string name;
    std::function<void(Checkers&)> bad;
    std::function<void(Checkers&)> good;
    Checker checker = Checker::election_safety;
    std::string kind;
};

void run_cases(const std::vector<HistoryCase>& cases) {
    for (const HistoryCase& history : cases) {
        DYNAMIC_SECTION(history.name << ": bad history fires") {
            Checkers checkers;
            history.bad(checkers);
            require_violation(checkers, history.checker, history.kind);
        }
        DYNAMIC_SECTION(history.name << ": good history stays quiet") {
            Checkers checkers;
            history.good(checkers);
            require_clean(checkers);
        }
    }
}

/// A member's final log and state machine, for verify_log / verify_fsm.
struct Member {
    std::vector<Entry> log;
    HashChainFsm fsm;
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

TEST_CASE("checkers: replication progress fires when a leader's match index goes back in a term",
          "[checkers]") {
    Checkers checkers;
    checkers.on_progress(1, 3, 2, 10, 100);
    checkers.on_progress(1, 3, 2, 12, 200);
    REQUIRE_FALSE(checkers.failed());
    // A new term starts from scratch: a lower value is not a decrease.
    checkers.on_progress(1, 4, 2, 0, 300);
    checkers.on_progress(1, 4, 2, 5, 400);
    REQUIRE_FALSE(checkers.failed());
    checkers.on_progress(1, 4, 2, 4, 500);
    REQUIRE(checkers.failed());
    CHECK(checkers.violation()->checker == Checker::replication_progress);
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
    checkers.on_send(ack(2, 2, 3), 20);
    checkers.on_log_write(2, c.write_term, {acked_entry(c.write_term, c.truncate_from)}, 30);
    CHECK(checkers.failed() == c.fires);
    if (c.fires) {
        CHECK(checkers.violation()->checker == Checker::replication_progress);
        CHECK(checkers.violation()->kind == "acknowledged_entry_truncated");
    }
}

}  // namespace
}  // namespace raftsim::sim
