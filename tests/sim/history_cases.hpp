#pragma once
// Crafted histories for the checkers' tests: each fires on a bad history and
// stays quiet on the matching good one (checkers_test.cpp, audits_test.cpp).

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "raftsim/sim/checkers.hpp"

namespace raftsim::sim {

using core::Entry;
using core::Index;
using core::Message;
using core::MessageType;
using core::NodeId;
using core::Role;
using core::RoleChange;
using core::Term;

inline Entry command(Term term, Index index, std::uint8_t byte) {
    return Entry{.term = term, .index = index, .type = core::EntryType::command, .data = {byte}};
}

inline Entry noop(Term term, Index index) {
    return Entry{.term = term, .index = index, .type = core::EntryType::noop};
}

inline RoleChange to_leader(Term term) {
    return RoleChange{.from = Role::candidate, .to = Role::leader, .term = term};
}

inline RoleChange to_follower(Term term) {
    return RoleChange{.from = Role::leader, .to = Role::follower, .term = term};
}

inline Message append(NodeId from, NodeId to, Term term, NodeId leader) {
    return Message{.type = MessageType::append_entries,
                   .from = from,
                   .to = to,
                   .term = term,
                   .leader_id = leader};
}

inline void require_violation(const Checkers& checkers, Checker checker, const std::string& kind) {
    REQUIRE(checkers.failed());
    REQUIRE(checkers.violation().has_value());
    CHECK(checkers.violation()->checker == checker);
    CHECK(checkers.violation()->kind == kind);
    CHECK_FALSE(checkers.violation()->detail.empty());
}

inline void require_clean(const Checkers& checkers) {
    INFO((checkers.violation() ? checkers.violation()->kind : std::string("none")));
    REQUIRE_FALSE(checkers.failed());
    REQUIRE_FALSE(checkers.violation().has_value());
}

/// A table row's verdict: the violation `kind`, raised by `node`, when the
/// row says it fires; nothing otherwise.
inline void require_verdict(const Checkers& checkers, bool fires, Checker checker,
                            const std::string& kind, core::NodeId node) {
    if (!fires) {
        require_clean(checkers);
        return;
    }
    require_violation(checkers, checker, kind);
    CHECK(checkers.violation()->node == node);
}

/// One crafted history, bad or good, with what it must (or must not) raise.
struct HistoryCase {
    std::string name;
    std::function<void(Checkers&)> bad;
    std::function<void(Checkers&)> good;
    Checker checker = Checker::election_safety;
    std::string kind;
};

inline void run_cases(const std::vector<HistoryCase>& cases) {
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

}  // namespace raftsim::sim
