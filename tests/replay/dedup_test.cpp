// Failure signatures and groups: one bug hit on many seeds is one group; an
// assertion is located by its expression and source line, whatever the
// scenario and the build directory; other failures by checker, kind and row.
#include "report/dedup.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace raftsim::replay {
namespace {

FailureRecord failure(std::string row, std::uint64_t seed, std::string checker, std::string kind,
                      std::string detail = "") {
    FailureRecord record;
    record.scenario = row;
    record.row = std::move(row);
    record.seed = seed;
    record.checker = std::move(checker);
    record.kind = std::move(kind);
    record.detail = std::move(detail);
    record.replay = "raftsim replay out/" + record.scenario + "-seed" + std::to_string(seed);
    return record;
}

TEST_CASE("dedup: parses sim's core_assert detail into expression, file and line", "[dedup]") {
    const auto at = parse_assert_detail(
        "assertion failed on node 3: entry.index == last_index() + 1 (../core/src/log.cpp:88)");
    REQUIRE(at.has_value());
    CHECK(at->expression == "entry.index == last_index() + 1");
    CHECK(at->file == "core/src/log.cpp");
    CHECK(at->line == 88);
}

TEST_CASE("dedup: an expression holding parentheses and colons stays whole", "[dedup]") {
    const auto at = parse_assert_detail(
        "assertion failed on node 12: (a || b) && f(core::Role::leader) (../../sim/src/x.cpp:7)");
    REQUIRE(at.has_value());
    CHECK(at->expression == "(a || b) && f(core::Role::leader)");
    CHECK(at->file == "sim/src/x.cpp");
    CHECK(at->line == 7);
}

TEST_CASE("dedup: details of another form are not assertion locations", "[dedup]") {
    const std::string detail =
        GENERATE(as<std::string>{}, "", "no leader within 10ms",
                 "assertion failed on node 1: x (core/src/log.cpp)",
                 "assertion failed on node 1: x (core/src/log.cpp:7a)",
                 "assertion failed on node 1: x (:7)", "assertion failed on node 1: x (../:7)",
                 "assertion failed on node 1 x (core/src/log.cpp:7)");
    CHECK_FALSE(parse_assert_detail(detail).has_value());
}

TEST_CASE("dedup: an assertion's signature is its expression and location, in any scenario",
          "[dedup]") {
    const FailureRecord a = failure("LeaderPartitions", 4, "core_assert", "core_invariant",
                                    "assertion failed on node 2: x > 0 (../core/src/log.cpp:88)");
    const FailureRecord b =
        failure("Figure8", 9, "core_assert", "core_invariant",
                "assertion failed on node 5: x > 0 (../../core/src/log.cpp:88)");
    CHECK(failure_signature(a) == "core_assert/core_invariant `x > 0` at core/src/log.cpp:88");
    CHECK(failure_signature(a) == failure_signature(b));
    const FailureRecord other_line =
        failure("Figure8", 9, "core_assert", "core_invariant",
                "assertion failed on node 5: x > 0 (../core/src/log.cpp:89)");
    CHECK(failure_signature(a) != failure_signature(other_line));
}

TEST_CASE("dedup: other failures are grouped by checker, kind and row", "[dedup]") {
    CHECK(failure_signature(failure("LeaderPartitions", 1, "liveness", "no_leader", "n1 ...")) ==
          "liveness/no_leader in LeaderPartitions");
    CHECK(failure_signature(failure("LeaderPartitions", 1, "liveness", "no_leader", "a")) ==
          failure_signature(failure("LeaderPartitions", 2, "liveness", "no_leader", "b")));
    CHECK(failure_signature(failure("A", 1, "liveness", "no_leader")) !=
          failure_signature(failure("B", 1, "liveness", "no_leader")));
    // A core_assert whose detail cannot be parsed still gets a signature.
    CHECK(failure_signature(failure("A", 1, "core_assert", "host_invariant", "odd")) ==
          "core_assert/host_invariant in A");
}

TEST_CASE("dedup: groups list safety first, then liveness, then limits; by count within",
          "[dedup]") {
    const std::vector<FailureRecord> failures = {
        failure("B", 7, "liveness", "no_leader"),  failure("A", 5, "convergence", "log"),
        failure("B", 3, "liveness", "no_leader"),  failure("C", 2, "election_safety", "two"),
        failure("B", 11, "liveness", "no_leader"), failure("A", 1, "convergence", "log"),
        failure("D", 1, "limit", "events"),        failure("D", 2, "limit", "events"),
        failure("D", 3, "limit", "events"),        failure("D", 4, "limit", "events"),
    };
    const std::vector<FailureGroup> groups = group_failures(failures);
    REQUIRE(groups.size() == 4);
    // The rarest, but a safety violation: it leads.
    CHECK(groups[0].signature == "election_safety/two in C");
    CHECK(groups[0].count == 1);
    CHECK(groups[1].signature == "liveness/no_leader in B");
    CHECK(groups[1].count == 3);
    CHECK(groups[1].first.seed == 3);
    CHECK(groups[2].signature == "convergence/log in A");
    CHECK(groups[2].count == 2);
    CHECK(groups[2].first.seed == 1);
    CHECK(groups[3].signature == "limit/events in D");
    CHECK(group_failures({}).empty());
}

TEST_CASE("dedup: severity ranks safety, then liveness, then the harness's own", "[dedup]") {
    CHECK(severity_rank("durability") == 0);
    CHECK(severity_rank("core_assert") == 0);
    CHECK(severity_rank("liveness") == 1);
    CHECK(severity_rank("convergence") == 1);
    CHECK(severity_rank("limit") == 2);
    CHECK(severity_rank("crash") == 2);
    CHECK(severity_rank("expect") == 2);
}

TEST_CASE("dedup: among equal seeds the first reported failure represents the group", "[dedup]") {
    const char* detail_a = "assertion failed on node 1: x (../core/src/log.cpp:1)";
    const std::vector<FailureRecord> failures = {
        failure("Z", 4, "core_assert", "core_invariant", detail_a),
        failure("A", 4, "core_assert", "core_invariant", detail_a),
    };
    const std::vector<FailureGroup> groups = group_failures(failures);
    REQUIRE(groups.size() == 1);
    CHECK(groups[0].first.scenario == "Z");
}

TEST_CASE("dedup: the summary is a count line and one line per group", "[dedup]") {
    CHECK(render_groups({}).empty());
    const std::vector<FailureGroup> groups = group_failures({
        failure("B", 7, "liveness", "no_leader"),
        failure("B", 3, "liveness", "no_leader"),
        failure("A", 1, "convergence", "log"),
    });
    CHECK(render_groups(groups) ==
          "2 distinct failures:\n"
          "     2x  liveness/no_leader in B  (first: B seed 3)  raftsim replay out/B-seed3\n"
          "     1x  convergence/log in A  (first: A seed 1)  raftsim replay out/A-seed1\n");
    CHECK(render_groups(group_failures({failure("A", 1, "x", "y")}))
              .starts_with("1 distinct failure:\n"));
}

TEST_CASE("dedup: replay commands quote what a shell would split", "[dedup]") {
    CHECK(replay_command_for("raftsim-failures/A-seed1") ==
          "raftsim replay raftsim-failures/A-seed1");
    CHECK(replay_command_for("out/No Leader & <x>-seed1") ==
          "raftsim replay 'out/No Leader & <x>-seed1'");
    CHECK(shell_quote("it's") == "'it'\\''s'");
    CHECK(shell_quote("") == "''");
}

}  // namespace
}  // namespace raftsim::replay
