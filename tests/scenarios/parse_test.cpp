// The scenario parser (parse.hpp): every field lands in the struct it feeds,
// omitted fields take their documented defaults, every kind of bad input is
// refused with the file, the JSON path and what was expected, and no input at
// all makes it throw.
#include "raftsim/scenarios/parse.hpp"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raftsim/core/prng.hpp"

namespace raftsim::test {
namespace {

using scenarios::NodeSelector;
using scenarios::ParseResult;
using scenarios::Scenario;
using scenarios::Step;
using Kind = Step::Kind;
using SelectorKind = NodeSelector::Kind;

constexpr std::uint64_t ms = 1'000;
constexpr std::uint64_t second = 1'000'000;

ParseResult parse(std::string_view text) {
    return scenarios::parse_scenario(text, "test.json");
}

/// A valid scenario (nodes a, b, c) whose steps array holds `steps`.
std::string with_steps(std::string_view steps) {
    return std::string(R"({"name": "t", "cluster": {"names": ["a", "b", "c"]}, "steps": [)") +
           std::string(steps) + "]}";
}

/// A valid scenario (nodes a, b, c, no steps) with one more top-level field.
std::string with_field(std::string_view field) {
    return std::string(R"({"name": "t", "cluster": {"names": ["a", "b", "c"]}, )") +
           std::string(field) + R"(, "steps": []})";
}

const Scenario& parsed(const ParseResult& result) {
    INFO((result.error ? result.error->to_string() : std::string("no error")));
    REQUIRE_FALSE(result.error);
    REQUIRE(result.scenario);
    return *result.scenario;
}

/// Text, then the path and a part of the message the error must have.
struct ErrorCase {
    std::string text;
    std::string path;
    std::string message;
};

void check_error(const ErrorCase& c) {
    CAPTURE(c.text);
    const ParseResult result = parse(c.text);
    REQUIRE(result.error);
    CAPTURE(result.error->to_string());
    CHECK_FALSE(result.scenario);
    CHECK(result.error->file == "test.json");
    CHECK(result.error->path == c.path);
    CHECK_THAT(result.error->message, Catch::Contains(c.message));
}

const char* const full_scenario = R"({
  "name": "full",
  "description": "every section and every step",
  "cluster": {"names": ["a", "b", "c", "d", "e"], "tick": "5ms", "disk_sync": "2ms"},
  "raft": {"heartbeat_timeout": "500ms", "election_timeout": "750ms", "commit_timeout": "25ms",
           "leader_lease": "250ms", "max_append_entries": 32, "max_inflight_appends": 8,
           "max_uncommitted_entries": 1000, "snapshot_threshold": 200, "trailing_logs": 0,
           "pre_vote": true, "check_quorum": false, "vote_rule": "thesis"},
  "network": {"latency": ["2ms", "7ms"], "drop": [1, 100], "duplicate": 0, "reorder": [1, 10],
              "reorder_delay_max": "20ms", "queue_capacity": 128},
  "workload": {"source": "Full", "batch": 7, "continuous": true},
  "checks": {"verify": false, "settle": "30s"},
  "steps": [
    {"wait_for_leader": "10s", "optional": true},
    {"partition": ["leader", "b"], "as": "g"},
    {"heal": "g"},
    {"heal_all": {}},
    {"cut": {"from": "a", "to": "leader"}},
    {"restore": {"from": "a", "to": "leader"}},
    {"slow_votes": {"mode": "recv", "nodes": "followers", "delay": ["1s", "2s"]}},
    {"clear_slow_votes": {}},
    {"network": {"drop": [1, 2]}},
    {"crash": {"random": 2}, "lose_unsynced": true},
    {"restart": "all"},
    {"clock_drift": {"nodes": ["c"], "ppm": -5000}},
    {"apply": 100},
    {"start_workload": {"batch": 3}},
    {"start_workload": {}},
    {"stop_workload": {}},
    {"wait_until_up_to_date": "1m"},
    {"repeat": 3, "steps": [{"sleep": "1.5s"}]},
    {"one_of": [{"weight": 2, "steps": [{"sleep": "1h"}]}, {"steps": []}]}
  ]
})";

TEST_CASE("parse: a full scenario fills every section", "[parse]") {
    const ParseResult result = scenarios::parse_scenario(full_scenario, "dir/full.json");
    const Scenario& s = parsed(result);
    CHECK(s.name == "full");
    CHECK(s.description == "every section and every step");
    CHECK(s.source_path == "dir/full.json");
    CHECK(s.cluster.names == std::vector<std::string>{"a", "b", "c", "d", "e"});
    CHECK(s.cluster.tick_us == 5 * ms);
    CHECK(s.cluster.disk_sync_us == 2 * ms);
    CHECK(s.raft.heartbeat_timeout_us == 500 * ms);
    CHECK(s.raft.election_timeout_us == 750 * ms);
    CHECK(s.raft.commit_timeout_us == 25 * ms);
    CHECK(s.raft.leader_lease_us == 250 * ms);
    CHECK(s.raft.max_append_entries == 32);
    CHECK(s.raft.max_inflight_appends == 8);
    CHECK(s.raft.max_uncommitted_entries == 1000);
    CHECK(s.raft.snapshot_threshold_entries == 200);
    CHECK(s.raft.trailing_log_entries == 0);
    CHECK(s.raft.pre_vote);
    CHECK_FALSE(s.raft.check_quorum);
    CHECK(s.raft.vote_rule == core::VoteRule::thesis);
    CHECK(s.network.latency_min_us == 2 * ms);
    CHECK(s.network.latency_max_us == 7 * ms);
    CHECK(s.network.drop == sim::Ratio{.numerator = 1, .denominator = 100});
    CHECK(s.network.duplicate == sim::Ratio{.numerator = 0, .denominator = 1});
    CHECK(s.network.reorder == sim::Ratio{.numerator = 1, .denominator = 10});
    CHECK(s.network.reorder_delay_max_us == 20 * ms);
    CHECK(s.network.queue_capacity == 128U);
    CHECK(s.workload.source == "Full");
    CHECK(s.workload.batch == 7);
    CHECK(s.workload.continuous);
    CHECK_FALSE(s.checks.verify);
    CHECK(s.checks.settle_us == 30 * second);
    REQUIRE(s.steps.size() == 19);
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
        CHECK(s.steps[i].json_path == "steps[" + std::to_string(i) + "]");
    }
    const std::array<Kind, 19> kinds{
        Kind::wait_for_leader,
        Kind::partition,
        Kind::heal,
        Kind::heal_all,
        Kind::cut,
        Kind::restore,
        Kind::slow_votes,
        Kind::clear_slow_votes,
        Kind::network,
        Kind::crash,
        Kind::restart,
        Kind::clock_drift,
        Kind::apply,
        Kind::start_workload,
        Kind::start_workload,
        Kind::stop_workload,
        Kind::wait_until_up_to_date,
        Kind::repeat,
        Kind::one_of,
    };
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        CAPTURE(i);
        CHECK(s.steps[i].kind == kinds[i]);
    }
}

TEST_CASE("parse: a full scenario's steps carry every argument", "[parse]") {
    const Scenario s = parsed(parse(full_scenario));
    REQUIRE(s.steps.size() == 19);
    const std::vector<Step>& st = s.steps;
    CHECK(st[0].duration_us == 10 * second);
    CHECK(st[0].optional);
    REQUIRE(st[1].nodes.size() == 2);
    CHECK(st[1].nodes[0].kind == SelectorKind::leader);
    CHECK(st[1].nodes[1].kind == SelectorKind::name);
    CHECK(st[1].nodes[1].name == "b");
    CHECK(st[1].group == "g");
    CHECK(st[2].group == "g");
    CHECK(st[4].from.kind == SelectorKind::name);
    CHECK(st[4].from.name == "a");
    CHECK(st[4].to.kind == SelectorKind::leader);
    CHECK(st[5].from.name == "a");
    CHECK(st[6].slow_mode == sim::SlowVoteMode::recv);
    REQUIRE(st[6].nodes.size() == 1);
    CHECK(st[6].nodes[0].kind == SelectorKind::followers);
    CHECK(st[6].delay_min_us == 1 * second);
    CHECK(st[6].delay_max_us == 2 * second);
    CHECK(st[8].network.drop == sim::Ratio{.numerator = 1, .denominator = 2});
    CHECK_FALSE(st[8].network.latency_min_us);
    CHECK_FALSE(st[8].network.duplicate);
    REQUIRE(st[9].nodes.size() == 1);
    CHECK(st[9].nodes[0].kind == SelectorKind::random);
    CHECK(st[9].nodes[0].count_min == 2);
    CHECK(st[9].nodes[0].count_max == 2);
    CHECK(st[9].lose_unsynced);
    CHECK(st[10].nodes[0].kind == SelectorKind::all);
    CHECK_FALSE(st[10].lose_unsynced);
    CHECK(st[11].nodes[0].name == "c");
    CHECK(st[11].drift_ppm == -5000);
    CHECK(st[12].count == 100);
    CHECK(st[13].count == 3);
    CHECK(st[14].count == 7);  // workload.batch
    CHECK(st[16].duration_us == 60 * second);
    CHECK_FALSE(st[16].optional);
    CHECK(st[17].count == 3);
    REQUIRE(st[17].steps.size() == 1);
    CHECK(st[17].steps[0].duration_us == 1'500 * ms);
    REQUIRE(st[18].branches.size() == 2);
    CHECK(st[18].branches[0].weight == 2);
    REQUIRE(st[18].branches[0].steps.size() == 1);
    CHECK(st[18].branches[0].steps[0].duration_us == 3'600 * second);
    CHECK(st[18].branches[1].weight == 1);
    CHECK(st[18].branches[1].steps.empty());
}

TEST_CASE("parse: omitted sections and fields take their documented defaults", "[parse]") {
    const Scenario s = parsed(parse(R"({"name": "d", "cluster": {"voters": 3}, "steps": []})"));
    CHECK(s.description.empty());
    CHECK(s.source_path == "test.json");
    CHECK(s.cluster.names == std::vector<std::string>{"node_0", "node_1", "node_2"});
    CHECK(s.cluster.tick_us == 10 * ms);
    CHECK(s.cluster.disk_sync_us == 0);
    const core::DurationConfig hashicorp;
    CHECK(s.raft.heartbeat_timeout_us == 1 * second);
    CHECK(s.raft.election_timeout_us == 1 * second);
    CHECK(s.raft.commit_timeout_us == 50 * ms);
    CHECK(s.raft.leader_lease_us == 500 * ms);
    CHECK(s.raft.max_append_entries == hashicorp.max_append_entries);
    CHECK(s.raft.max_inflight_appends == hashicorp.max_inflight_appends);
    CHECK(s.raft.max_uncommitted_entries == hashicorp.max_uncommitted_entries);
    CHECK(s.raft.snapshot_threshold_entries == 8192);
    CHECK(s.raft.trailing_log_entries == 10240);
    CHECK(s.raft.pre_vote == hashicorp.pre_vote);
    CHECK(s.raft.check_quorum == hashicorp.check_quorum);
    CHECK(s.raft.vote_rule == core::VoteRule::hashicorp);
    CHECK_FALSE(s.network.latency_min_us);
    CHECK_FALSE(s.network.latency_max_us);
    CHECK_FALSE(s.network.drop);
    CHECK_FALSE(s.network.duplicate);
    CHECK_FALSE(s.network.reorder);
    CHECK_FALSE(s.network.reorder_delay_max_us);
    CHECK_FALSE(s.network.queue_capacity);
    CHECK(s.workload.source == "d");
    CHECK(s.workload.batch == 5);
    CHECK_FALSE(s.workload.continuous);
    CHECK(s.checks.verify);
    CHECK(s.checks.settle_us == 60 * second);
    CHECK(s.steps.empty());
    CHECK(s.limits.events == scenarios::LimitsSpec::default_events);
    CHECK(s.limits.simulated_time_us == scenarios::LimitsSpec::default_simulated_time_us);
    CHECK(s.limits.steps == scenarios::LimitsSpec::default_steps);
    CHECK(s.limits.requests == scenarios::LimitsSpec::default_requests);
}

TEST_CASE("parse: \"voters\" with a name prefix numbers the nodes from 0", "[parse]") {
    const Scenario s = parsed(
        parse(R"({"name": "p", "cluster": {"voters": 5, "name_prefix": "lp"}, "steps": []})"));
    CHECK(s.cluster.names == std::vector<std::string>{"lp_0", "lp_1", "lp_2", "lp_3", "lp_4"});
    const Scenario one = parsed(parse(R"({"name": "p", "cluster": {"voters": 1}, "steps": []})"));
    CHECK(one.cluster.names == std::vector<std::string>{"node_0"});
}

TEST_CASE("parse: \"checks\": \"all\" verifies with the default settle time", "[parse]") {
    const Scenario all = parsed(parse(with_field(R"("checks": "all")")));
    CHECK(all.checks.verify);
    CHECK(all.checks.settle_us == 60 * second);
    const Scenario settle = parsed(parse(with_field(R"("checks": {"settle": "5s"})")));
    CHECK(settle.checks.verify);
    CHECK(settle.checks.settle_us == 5 * second);
    CHECK_FALSE(settle.checks.black_box);
    const Scenario black = parsed(parse(with_field(R"("checks": {"black_box": true})")));
    const Scenario armed = parsed(parse(with_steps(
        R"({"crash": "leader", "after": "request_vote_response", "lose_unsynced": true})")));
    REQUIRE(armed.steps.size() == 1);
    CHECK(armed.steps[0].crash_after == "request_vote_response");
    CHECK(armed.steps[0].lose_unsynced);
    CHECK_FALSE(armed.steps[0].torn);
    const ParseResult bogus = parse(with_steps(R"({"crash": "leader", "after": "lunch"})"));
    REQUIRE(bogus.error.has_value());
    CHECK_THAT(bogus.error->to_string(), Catch::Contains("steps[0].after: expected \"persist\""));
    CHECK(black.checks.black_box);
    CHECK(black.checks.verify);
}

TEST_CASE("parse: a torn crash, now or armed, carries torn and not lose_unsynced", "[parse]") {
    const Scenario torn = parsed(parse(with_steps(
        R"({"crash": "a", "torn": true}, {"crash": "leader", "torn": true, "after": "persist"})")));
    REQUIRE(torn.steps.size() == 2);
    CHECK(torn.steps[0].torn);
    CHECK_FALSE(torn.steps[0].lose_unsynced);
    CHECK(torn.steps[0].crash_after.empty());
    CHECK(torn.steps[1].torn);
    CHECK(torn.steps[1].crash_after == "persist");
    const Scenario plain = parsed(parse(with_steps(R"({"crash": "a", "torn": false})")));
    CHECK_FALSE(plain.steps[0].torn);
}

TEST_CASE("parse: a wipe is optional only when it says so", "[parse]") {
    const Scenario wipes =
        parsed(parse(with_steps(R"({"wipe": "a"}, {"wipe": ["b", "c"], "optional": true})")));
    REQUIRE(wipes.steps.size() == 2);
    CHECK(wipes.steps[0].kind == Step::Kind::wipe);
    CHECK_FALSE(wipes.steps[0].optional);
    CHECK(wipes.steps[1].optional);
    CHECK(wipes.steps[1].nodes.size() == 2);
}

TEST_CASE("parse: malformed JSON is reported at \"$\" with its line and column", "[parse]") {
    const ErrorCase c = GENERATE(values<ErrorCase>({
        {R"({"name": "t",})", "$", "malformed JSON at line 1, column 14"},
        {"{\n  \"name\": \"t\"\n  \"cluster\": {}\n}", "$", "malformed JSON at line 3, column"},
        {"", "$", "malformed JSON at line 1, column 1: "},
        {R"({"name": "t")", "$", "unexpected end of input"},
        {"{\"name\": \"\xff\"}", "$", "ill-formed UTF-8"},
        {R"({"name": "t"} trailing)", "$", "malformed JSON at line 1"},
        // Found by fuzz_scenario: a number beyond a double's range is nlohmann's
        // out_of_range, not a parse_error, and was an "internal error".
        {with_field(R"("raft": {"trailing_logs": 1e400})"), "$",
         "malformed JSON: number overflow parsing '1e400'"},
        {"[" + std::string(300, '7') + "e3777]", "$",
         "malformed JSON: number overflow parsing '777777777777"},
    }));
    check_error(c);
}

TEST_CASE("parse: clients read with their defaults and make the state machine kv", "[parse]") {
    const Scenario plain = parsed(parse(with_field(R"("clients": {"count": 3})")));
    CHECK(plain.state_machine == sim::StateMachineKind::kv);
    CHECK(plain.clients == sim::KvClientOptions{.clients = 3});
    const Scenario mixed = parsed(
        parse(with_field(R"("clients": {"count": 2, "keys": 9, "mix": {"get": 3}, "think": "0ms",)"
                         R"( "timeout": "2s", "continuous": false}, "state_machine": "kv")")));
    CHECK(mixed.clients == sim::KvClientOptions{.clients = 2,
                                                .keys = 9,
                                                .put_weight = 0,
                                                .get_weight = 3,
                                                .delete_weight = 0,
                                                .cas_weight = 0,
                                                .think_us = 0,
                                                .timeout_us = 2 * sim::us_per_second,
                                                .continuous = false});
    const Scenario none = parsed(parse(with_field(R"("state_machine": "kv")")));
    CHECK(none.state_machine == sim::StateMachineKind::kv);
    CHECK(none.clients.clients == 0);
}

TEST_CASE("parse: rejects malformed clients, naming the path", "[parse]") {
    const ErrorCase c = GENERATE(values<ErrorCase>({
        {with_field(R"("clients": {"count": 0})"), "clients.count", "expected an integer"},
        {with_field(R"("clients": {"keys": 3})"), "clients", "missing required field 'count'"},
        {with_field(R"("clients": {"count": 1, "mix": {"put": 0}})"), "clients.mix",
         "at least one kind with a weight above 0"},
        {with_field(R"("clients": {"count": 1, "mix": {"update": 1}})"), "clients.mix.update",
         "unknown field 'update'"},
        {with_field(R"("clients": {"count": 1, "timeout": "0s"})"), "clients.timeout",
         "above zero"},
        {with_field(R"("clients": {"count": 1}, "state_machine": "hash_chain")"), "state_machine",
         "expected \"kv\""},
        {with_field(R"("state_machine": "sql")"), "state_machine",
         "expected \"hash_chain\" or \"kv\""},
        {with_steps(R"({"start_clients": {}})"), "steps[0].start_clients",
         "expected a scenario with \"clients\""},
    }));
    check_error(c);
}

TEST_CASE("parse: rejects an unknown field naming it and the allowed ones", "[parse]") {
    const ErrorCase c = GENERATE(values<ErrorCase>({
        {with_field(R"("stepz": [])"), "stepz",
         "unknown field 'stepz'; expected one of: $schema, name, description, cluster, raft, "
         "network, workload, state_machine, clients, checks, steps, message_faults, limits"},
        {R"({"name": "t", "cluster": {"voters": 3, "tik": "1ms"}, "steps": []})", "cluster.tik",
         "unknown field 'tik'; expected one of: voters, name_prefix, names, tick, disk_sync"},
        {with_field(R"("raft": {"election": "1s"})"), "raft.election",
         "unknown field 'election'; expected one of: heartbeat_timeout, election_timeout"},
        {with_field(R"("network": {"loss": 0})"), "network.loss",
         "unknown field 'loss'; expected one of: latency, drop, duplicate, reorder"},
        {with_field(R"("workload": {"size": 1})"), "workload.size",
         "unknown field 'size'; expected one of: source, batch, think, continuous"},
        {with_field(R"("checks": {"verfy": true})"), "checks.verfy",
         "unknown field 'verfy'; expected one of: verify, settle"},
        {with_field(R"("workload": {"think": "0ms"})"), "workload.think",
         "expected a duration above zero"},
        {with_steps(R"({"start_workload": {"think": "0us"}})"), "steps[0].start_workload.think",
         "expected a duration above zero"},
        {with_steps(R"({"sleep": "18446744073709551615us"})"), "steps[0].sleep",
         "expected a duration of at most 1000h"},
        {with_steps(R"({"wait_for_leader": "1001h"})"), "steps[0].wait_for_leader",
         "expected a duration of at most 1000h"},
        {with_steps(R"({"sleep": "1s", "sleeep": 1})"), "steps[0].sleeep",
         "unknown field 'sleeep'; expected one of: sleep, wait_for_leader, partition"},
        {with_steps(R"({"sleep": "1s", "as": "g"})"), "steps[0].as",
         "unknown field 'as' for a 'sleep' step; expected one of: sleep"},
        {with_steps(R"({"crash": "a", "optional": true})"), "steps[0].optional",
         "unknown field 'optional' for a 'crash' step; expected one of: crash, lose_unsynced"},
        {with_steps(R"({"slow_votes": {"mode": "send", "nodes": "a", "delay": ["1s", "2s"],
                       "jitter": 1}})"),
         "steps[0].slow_votes.jitter",
         "unknown field 'jitter'; expected one of: mode, nodes, delay"},
        {with_steps(R"({"slow_links": {"from": "a", "to": "b", "delay": ["1s", "2s"],
                       "type": ["timeout_now"]}})"),
         "steps[0].slow_links.type",
         "unknown field 'type'; expected one of: from, to, delay, types"},
        {with_steps(R"({"one_of": [{"weight": 1, "steps": [], "name": "x"}]})"),
         "steps[0].one_of[0].name", "unknown field 'name'; expected one of: weight, steps"},
        {with_steps(R"({"crash": {"leaderplus": 1}})"), "steps[0].crash.leaderplus",
         "unknown field 'leaderplus'; expected one of: leader_plus, random"},
        {with_steps(R"({"start_workload": {"size": 1}})"), "steps[0].start_workload.size",
         "unknown field 'size'; expected one of: batch"},
        // A key that cannot follow a '.' is quoted in the path; an empty key
        // used to give an empty path.
        {with_field(R"("": 1)"), R"($[""])",
         "unknown field ''; expected one of: $schema, name, description, cluster"},
        {R"({"name": "t", "cluster": {"voters": 1, "a.b": 2}, "steps": []})", R"(cluster["a.b"])",
         "unknown field 'a.b'"},
        {with_steps(R"({"sleep": "1s", "x \"y": 1})"), R"(steps[0]["x \"y"])",
         "unknown field 'x \"y'"},
        {R"({"name": "t", "": 1, "": 2, "cluster": {"voters": 1}, "steps": []})", R"($[""])",
         "duplicate field ''"},
    }));
    check_error(c);
}

TEST_CASE("parse: rejects a value of the wrong type saying what was expected and found",
          "[parse]") {
    const ErrorCase c = GENERATE(values<ErrorCase>({
        {"[1, 2]", "$", "expected a scenario object"},
        {R"({"name": 42, "cluster": {"voters": 3}, "steps": []})", "name",
         "expected a string, got 42"},
        {with_steps(R"({"sleep": 42})"), "steps[0].sleep",
         "expected a duration string like \"10s\", got 42"},
        {with_field(R"("raft": {"pre_vote": "yes"})"), "raft.pre_vote",
         "expected true or false, got \"yes\""},
        {with_field(R"("raft": {"vote_rule": "raft"})"), "raft.vote_rule",
         "expected \"hashicorp\" or \"thesis\", got \"raft\""},
        {with_field(R"("raft": {"vote_rule": true})"), "raft.vote_rule",
         "expected \"hashicorp\" or \"thesis\", got true"},
        {R"({"name": "t", "cluster": {"voters": "3"}, "steps": []})", "cluster.voters",
         "expected an integer in [1, 64], got \"3\""},
        {with_steps(R"({"apply": 2.5})"), "steps[0].apply",
         "expected an integer in [1, 1000000], got 2.5"},
        {R"({"name": "t", "cluster": {"voters": 3}, "steps": {}})", "steps",
         "expected an array of steps, got an empty object"},
        {with_steps("5"), "steps[0]", "expected a step object like {\"sleep\": \"1s\"}, got 5"},
        {with_steps(R"({"partition": 42})"), "steps[0].partition",
         "expected a node selector (\"leader\", \"followers\", \"all\", a node name, "
         "{\"leader_plus\": N}, {\"random\": K}, {\"follower\": N} or {\"group\": NAME}), "
         "got 42"},
        {with_field(R"("network": {"drop": "10%"})"), "network.drop",
         "expected a ratio [numerator, denominator] like [1, 100], or 0, got \"10%\""},
        {with_field(R"("network": {"latency": "5ms"})"), "network.latency",
         "expected [min, max] durations like [\"1ms\", \"5ms\"], got \"5ms\""},
        {with_field(R"("checks": "none")"), "checks",
         "expected \"all\" or {\"verify\": true, \"settle\": \"60s\"}, got \"none\""},
        {with_steps(R"({"heal_all": []})"), "steps[0].heal_all", "expected {}, got an empty array"},
        {with_steps(R"({"heal_all": {"x": 1}})"), "steps[0].heal_all",
         "expected {}, got an object"},
        {with_steps(R"({"wait_for_leader": "1s", "optional": 1})"), "steps[0].optional",
         "expected true or false, got 1"},
        {R"({"name": "t", "cluster": [], "steps": []})", "cluster",
         "expected an object, got an empty array"},
        {with_field(R"("description": null)"), "description", "expected a string, got null"},
    }));
    check_error(c);
}

// Values of the right type that cannot be meant, or cannot be run.
const std::vector<ErrorCase> impossible_values = {
    {R"({"name": "t", "cluster": {"voters": 0}, "steps": []})", "cluster.voters",
     "expected an integer in [1, 64], got 0"},
    {R"({"name": "t", "cluster": {"voters": 65}, "steps": []})", "cluster.voters",
     "expected an integer in [1, 64], got 65"},
    {R"({"name": "t", "cluster": {"names": ["a", "b", "a"]}, "steps": []})", "cluster.names[2]",
     "duplicate node name 'a' (also at cluster.names[0])"},
    {R"({"name": "t", "cluster": {"names": ["a", "b c"]}, "steps": []})", "cluster.names[1]",
     "expected a name of 1 to 64 characters from [A-Za-z0-9_.-], not starting with '.' or '-', "
     "got \"b c\""},
    {R"({"name": "t", "cluster": {"names": ["a", ""]}, "steps": []})", "cluster.names[1]",
     "expected a name of 1 to 64 characters"},
    {R"({"name": "t", "cluster": {"names": ["leader"]}, "steps": []})", "cluster.names[0]",
     "'leader' is a selector keyword and cannot name a node"},
    {R"({"name": "t", "cluster": {"names": []}, "steps": []})", "cluster.names",
     "expected an array of 1 to 64 node names, got an empty array"},
    {R"({"name": "t", "cluster": {"voters": 3, "names": ["a"]}, "steps": []})", "cluster",
     "give either \"voters\" (a count) or \"names\" (a list), not both"},
    {R"({"name": "t", "cluster": {"tick": "1ms"}, "steps": []})", "cluster",
     "missing \"voters\" (a count) or \"names\""},
    {R"({"name": "t", "cluster": {"names": ["a"], "name_prefix": "x"}, "steps": []})",
     "cluster.name_prefix", "\"name_prefix\" goes with \"voters\""},
    {R"({"name": "t", "cluster": {"voters": 2, "name_prefix": "a/b"}, "steps": []})",
     "cluster.name_prefix", "expected a name of 1 to 64 characters"},
    {R"({"name": "t", "cluster": {"voters": 2, "tick": "0ms"}, "steps": []})", "cluster.tick",
     "the tick must be longer than 0us"},
    {R"({"name": "", "cluster": {"voters": 2}, "steps": []})", "name",
     "expected a name of 1 to 64 characters from [A-Za-z0-9_.-], not starting with '.' or '-', "
     "got \"\""},
    {R"({"cluster": {"voters": 2}, "steps": []})", "$", "missing required field 'name'"},
    {R"({"name": "t", "steps": []})", "$", "missing required field 'cluster'"},
    {R"({"name": "t", "cluster": {"voters": 2}})", "$", "missing required field 'steps'"},
    {with_field(R"("network": {"latency": ["5ms", "1ms"]})"), "network.latency",
     "the minimum 5ms is above the maximum 1ms"},
    {with_field(R"("network": {"drop": [3, 2]})"), "network.drop",
     "numerator 3 is above denominator 2: a ratio is a probability"},
    {with_field(R"("network": {"drop": [1, 0]})"), "network.drop[1]",
     "expected a positive integer, got 0"},
    {with_field(R"("network": {"reorder": [-1, 2]})"), "network.reorder[0]",
     "expected a non-negative integer, got -1"},
    {with_field(R"("network": {"duplicate": 1})"), "network.duplicate",
     "expected a ratio [numerator, denominator] like [1, 100], or 0, got 1"},
    {with_field(R"("network": {"queue_capacity": 0})"), "network.queue_capacity",
     "expected a positive integer, got 0"},
    {with_field(R"("workload": {"batch": 0})"), "workload.batch",
     "expected an integer in [1, 10000], got 0"},
    {with_field(R"("workload": {"source": ""})"), "workload.source", "expected a non-empty string"},
    {with_steps(R"({"clock_drift": {"nodes": "a", "ppm": 1000000}})"), "steps[0].clock_drift.ppm",
     "expected an integer in [-999999, 999999], got 1000000"},
    {with_steps(R"({"clock_drift": {"nodes": "a", "ppm": -1000000}})"), "steps[0].clock_drift.ppm",
     "expected an integer in [-999999, 999999], got -1000000"},
    {with_steps(R"({"clock_drift": {"nodes": "a"}})"), "steps[0].clock_drift",
     "missing required field 'ppm'"},
    {with_steps(R"({"repeat": 0, "steps": []})"), "steps[0].repeat",
     "expected an integer in [1, 1000000], got 0"},
    {with_steps(R"({"repeat": 2})"), "steps[0]", "missing required field 'steps'"},
    {with_steps(R"({"one_of": []})"), "steps[0].one_of",
     "expected an array of 1 to 1024 branches like [{\"weight\": 1, \"steps\": []}], got an "
     "empty array"},
    {with_steps(R"({"one_of": [{"weight": 0, "steps": []}]})"), "steps[0].one_of[0].weight",
     "expected a positive integer, got 0"},
    {with_steps(R"({"one_of": [{"weight": 4294967295, "steps": []}, {"steps": []}]})"),
     "steps[0].one_of", "the branch weights add up to more than 4294967295"},
    {with_steps(R"({"slow_votes": {"mode": "both", "nodes": "a", "delay": ["1s", "2s"]}})"),
     "steps[0].slow_votes.mode", "expected \"send\" or \"recv\", got \"both\""},
    {with_steps(R"({"slow_votes": {"mode": "send", "nodes": "a", "delay": ["2s", "1s"]}})"),
     "steps[0].slow_votes.delay", "the minimum 2s is above the maximum 1s"},
    {with_steps(R"({"cut": {"from": "a", "to": "a"}})"), "steps[0].cut",
     "\"from\" and \"to\" are the same node"},
    {with_steps(R"({"restore": {"from": "leader", "to": "leader"}})"), "steps[0].restore",
     "\"from\" and \"to\" are the same node"},
    {with_steps(R"({"cut": {"from": ["a"], "to": "b"}})"), "steps[0].cut.from",
     "expected a node selector"},
    {with_steps(R"({"cut": {"from": "a"}})"), "steps[0].cut", "missing required field 'to'"},
    {with_steps(R"({"slow_links": {"from": "leader", "to": "leader", "delay": ["1s", "1s"]}})"),
     "steps[0].slow_links", "\"from\" and \"to\" are the same node: there is no link to slow down"},
    {with_steps(R"({"slow_links": {"from": "a", "to": "b", "delay": ["2s", "1s"]}})"),
     "steps[0].slow_links.delay", "the minimum 2s is above the maximum 1s"},
    {with_steps(R"({"slow_links": {"from": "a", "to": "b", "delay": ["0ms", "61m"]}})"),
     "steps[0].slow_links.delay[1]", "expected a delay of at most 1h, got \"61m\""},
    {with_steps(R"({"slow_links": {"from": "a", "to": "b"}})"), "steps[0].slow_links",
     "missing required field 'delay'"},
    {with_steps(R"({"slow_links": {"from": "a", "to": "b", "delay": ["1s", "1s"], "types": []}})"),
     "steps[0].slow_links.types",
     "expected a non-empty array of message types like [\"append_entries_response\"], got an "
     "empty array"},
    {with_steps(R"({"slow_links": {"from": "a", "to": "b", "delay": ["1s", "1s"],
                    "types": ["append_entries", "heartbeat"]}})"),
     "steps[0].slow_links.types[1]",
     "expected a message type: append_entries, append_entries_response, request_vote, "
     "request_vote_response, request_pre_vote, request_pre_vote_response, timeout_now, "
     "install_snapshot, install_snapshot_response, got \"heartbeat\""},
    {with_steps(R"({"slow_links": {"from": "a", "to": "b", "delay": ["1s", "1s"],
                    "types": ["timeout_now", "timeout_now"]}})"),
     "steps[0].slow_links.types[1]", "duplicate message type 'timeout_now'"},
    {with_steps(R"({"restart": []})"), "steps[0].restart",
     "expected a node selector or an array of 1 to 64 node selectors, got an empty array"},
    {with_steps(R"({"apply": 0})"), "steps[0].apply", "expected an integer in [1, 1000000], got 0"},
    {with_steps(R"({"partition": "a", "as": ""})"), "steps[0].as",
     "expected a non-empty string, got \"\""},
    // Numbered names follow the rules of listed names (at most 64 characters).
    {R"({"name": "t", "cluster": {"voters": 1, "name_prefix":
        "p23456789012345678901234567890123456789012345678901234567890123"}, "steps": []})",
     "cluster.name_prefix", "the prefix is too long: node name 'p234567890"},
    {R"({"name": "t", "cluster": {"voters": 11, "name_prefix":
        "p2345678901234567890123456789012345678901234567890123456789012"}, "steps": []})",
     "cluster.name_prefix", "would be longer than 64 characters"},
    // message_faults.
    {with_field(R"("message_faults": {})"), "message_faults",
     "expected an array of at most 65536 message faults like [{\"message\": 7, \"drop\": true}], "
     "got an empty object"},
    {with_field(R"("message_faults": [5])"), "message_faults[0]", "expected an object, got 5"},
    {with_field(R"("message_faults": [{"drop": true}])"), "message_faults[0]",
     "missing required field 'message'"},
    {with_field(R"("message_faults": [{"message": 0, "drop": true}])"), "message_faults[0].message",
     "expected a message number >= 1 (the 1st message sent in the run is 1), got 0"},
    {with_field(R"("message_faults": [{"message": -3, "drop": true}])"),
     "message_faults[0].message", "expected a message number >= 1"},
    {with_field(R"("message_faults": [{"message": 2.0, "drop": true}])"),
     "message_faults[0].message", "got 2.0"},
    {with_field(R"("message_faults": [{"message": "2", "drop": true}])"),
     "message_faults[0].message", "got \"2\""},
    {with_field(R"("message_faults": [{"message": 18446744073709551616, "drop": true}])"),
     "message_faults[0].message", "expected a message number >= 1"},
    {with_field(R"("message_faults": [{"message": 1}])"), "message_faults[0]",
     "a message fault has exactly one of drop, duplicate, delay or replay, found none"},
    {with_field(R"("message_faults": [{"message": 1, "delay": "1ms", "drop": true}])"),
     "message_faults[0]",
     "a message fault has exactly one of drop, duplicate, delay or replay, found 'drop' and "
     "'delay'"},
    {with_field(R"("message_faults": [{"message": 1, "drop": false}])"), "message_faults[0].drop",
     "expected true, got false"},
    {with_field(R"("message_faults": [{"message": 1, "duplicate": 1}])"),
     "message_faults[0].duplicate", "expected true, got 1"},
    {with_field(R"("message_faults": [{"message": 1, "delay": "0ms"}])"), "message_faults[0].delay",
     "expected a delay above 0us and at most 1h, got \"0ms\""},
    {with_field(R"("message_faults": [{"message": 1, "delay": "3600000001us"}])"),
     "message_faults[0].delay", "expected a delay above 0us and at most 1h"},
    {with_field(R"("message_faults": [{"message": 1, "replay": "0s"}])"),
     "message_faults[0].replay", "expected a delay above 0us and at most 1h, got \"0s\""},
    {with_field(R"("message_faults": [{"message": 1, "replay": "61m"}])"),
     "message_faults[0].replay", "expected a delay above 0us and at most 1h, got \"61m\""},
    {with_field(R"("message_faults": [{"message": 1, "replay": true}])"),
     "message_faults[0].replay", "expected a duration string like \"10s\", got true"},
    {with_field(R"("message_faults": [{"message": 1, "replay": "1s", "delay": "1s"}])"),
     "message_faults[0]",
     "a message fault has exactly one of drop, duplicate, delay or replay, found 'delay' and "
     "'replay'"},
    // A torn crash keeps a prefix of the unsynced writes; lose_unsynced none.
    {with_steps(R"({"crash": "a", "torn": true, "lose_unsynced": true})"), "steps[0].torn",
     "expected \"torn\" or \"lose_unsynced\", not both"},
    {with_steps(R"({"crash": "a", "lose_unsynced": true, "after": "persist", "torn": true})"),
     "steps[0].torn", "expected \"torn\" or \"lose_unsynced\", not both"},
    {with_steps(R"({"crash": "a", "torn": "yes"})"), "steps[0].torn",
     "expected true or false, got \"yes\""},
    {with_field(R"("network": {"stale_replay": [2, 1]})"), "network.stale_replay",
     "numerator 2 is above denominator 1"},
    {with_field(R"("network": {"stale_replay_delay": "5s"})"), "network.stale_replay_delay",
     "expected [min, max] durations like [\"1ms\", \"5ms\"], got \"5s\""},
    {with_field(R"("network": {"stale_replay_delay": ["0s", "5s"]})"),
     "network.stale_replay_delay[0]", "expected a delay above 0us and at most 1h, got \"0s\""},
    {with_field(R"("network": {"stale_replay_delay": ["1s", "2h"]})"),
     "network.stale_replay_delay[1]", "expected a delay above 0us and at most 1h, got \"2h\""},
    {with_field(R"("network": {"stale_replay_delay": ["5s", "1s"]})"), "network.stale_replay_delay",
     "the minimum 5s is above the maximum 1s"},
    {with_field(R"("message_faults": [{"message": 1, "delay": 30}])"), "message_faults[0].delay",
     "expected a duration string like \"10s\", got 30"},
    {with_field(R"("message_faults": [{"message": 1, "dropp": true}])"), "message_faults[0].dropp",
     "unknown field 'dropp'; expected one of: message, drop, duplicate, delay, replay"},
    {with_field(R"("message_faults": [{"message": 1, "drop": true}, {"message": 2, "drop": true},
                   {"message": 3, "delay": "1ms"}, {"message": 2, "duplicate": true}])"),
     "message_faults[3].message",
     "duplicate message number 2 (also at message_faults[1].message): a message has at most "
     "one fault"},
    {with_field(R"("message_faults": [{"message": 7, "drop": true, "message": 8}])"),
     "message_faults[0].message", "duplicate field 'message'"},
};

TEST_CASE("parse: rejects impossible values saying what is possible", "[parse]") {
    check_error(GENERATE(from_range(impossible_values)));
}

TEST_CASE("parse: slow_links carries its links, delay and message types", "[parse]") {
    const Scenario s = parsed(parse(with_steps(
        R"({"slow_links": {"from": "followers", "to": "leader", "delay": ["400ms", "440ms"]}},
           {"slow_links": {"from": {"follower": 1}, "to": "a", "delay": ["0ms", "1h"],
                           "types": ["append_entries_response", "request_vote"]}},
           {"clear_slow_links": {}})")));
    REQUIRE(s.steps.size() == 3);
    const Step& whole = s.steps[0];
    CHECK(whole.kind == Kind::slow_links);
    CHECK(whole.from.kind == SelectorKind::followers);
    CHECK(whole.to.kind == SelectorKind::leader);
    CHECK(whole.delay_min_us == 400 * ms);
    CHECK(whole.delay_max_us == 440 * ms);
    CHECK(whole.message_types.empty());  // every message, FIFO
    const Step& typed = s.steps[1];
    CHECK(typed.from.kind == SelectorKind::follower);
    CHECK(typed.to.name == "a");
    CHECK(typed.delay_min_us == 0);
    CHECK(typed.delay_max_us == 3'600 * second);
    // In the file's order.
    CHECK(typed.message_types ==
          std::vector<core::MessageType>{core::MessageType::append_entries_response,
                                         core::MessageType::request_vote});
    CHECK(s.steps[2].kind == Kind::clear_slow_links);
}

// ---------------------------------------------------------------- $schema

TEST_CASE("parse: an optional \"$schema\" string is kept for the writer", "[parse][schema]") {
    const Scenario s = parsed(parse(with_field(R"("$schema": "https://example.org/s.json")")));
    CHECK(s.schema == "https://example.org/s.json");
    CHECK(parsed(parse(with_steps(""))).schema.empty());
    const ErrorCase c = GENERATE(values<ErrorCase>({
        {with_field(R"("$schema": 5)"), R"($["$schema"])", "expected a string, got 5"},
        {with_field(R"("$schema": "a", "$schema": "b")"), R"($["$schema"])",
         "duplicate field '$schema'"},
        {with_field(R"("$schemas": "a")"), R"($["$schemas"])", "unknown field '$schemas'"},
    }));
    check_error(c);
}

// ---------------------------------------------------------------- limits

TEST_CASE("parse: limits set the run's bounds; an omitted one keeps its default",
          "[parse][limits]") {
    using scenarios::LimitsSpec;
    struct Case {
        std::string limits;
        LimitsSpec expected;
    };
    const Case c = GENERATE(values<Case>({
        {"{}", LimitsSpec{}},
        {R"({"events": 5})", LimitsSpec{.events = 5}},
        {R"({"simulated_time": "90m"})", LimitsSpec{.simulated_time_us = 90 * 60 * second}},
        {R"({"steps": 1})", LimitsSpec{.steps = 1}},
        {R"({"requests": 70})", LimitsSpec{.requests = 70}},
        {R"({"events": 40000000, "simulated_time": "1000h", "steps": 1000000,
             "requests": 7000000})",
         LimitsSpec{.events = 40'000'000,
                    .simulated_time_us = 1000ULL * 3600 * second,
                    .steps = 1'000'000,
                    .requests = 7'000'000}},
        {R"({"simulated_time": "1us", "requests": 1, "steps": 2, "events": 3})",
         LimitsSpec{.events = 3, .simulated_time_us = 1, .steps = 2, .requests = 1}},
    }));
    CAPTURE(c.limits);
    const Scenario s = parsed(parse(with_field(R"("limits": )" + c.limits)));
    CHECK(s.limits == c.expected);
}

TEST_CASE("parse: rejects limits below 1 or above ten times the default", "[parse][limits]") {
    const ErrorCase c = GENERATE(values<ErrorCase>({
        {with_field(R"("limits": 5)"), "limits", "expected an object, got 5"},
        {with_field(R"("limits": {"event": 5})"), "limits.event",
         "unknown field 'event'; expected one of: events, simulated_time, steps, requests"},
        {with_field(R"("limits": {"events": 0})"), "limits.events",
         "expected an integer in [1, 40000000], got 0"},
        {with_field(R"("limits": {"events": 40000001})"), "limits.events",
         "expected an integer in [1, 40000000], got 40000001"},
        {with_field(R"("limits": {"events": -1})"), "limits.events", "got -1"},
        {with_field(R"("limits": {"events": 1.5})"), "limits.events", "got 1.5"},
        {with_field(R"("limits": {"events": "5"})"), "limits.events", R"(got "5")"},
        {with_field(R"("limits": {"steps": 0})"), "limits.steps",
         "expected an integer in [1, 1000000], got 0"},
        {with_field(R"("limits": {"steps": 1000001})"), "limits.steps",
         "expected an integer in [1, 1000000], got 1000001"},
        {with_field(R"("limits": {"requests": 0})"), "limits.requests",
         "expected an integer in [1, 7000000], got 0"},
        {with_field(R"("limits": {"requests": 18446744073709551615})"), "limits.requests",
         "expected an integer in [1, 7000000]"},
        {with_field(R"("limits": {"simulated_time": "0s"})"), "limits.simulated_time",
         "expected a duration above zero"},
        {with_field(R"("limits": {"simulated_time": "1001h"})"), "limits.simulated_time",
         "expected a duration of at most 1000h"},
        {with_field(R"("limits": {"simulated_time": 60})"), "limits.simulated_time",
         "expected a duration string"},
        {with_field(R"("limits": {"steps": 5, "steps": 6})"), "limits.steps",
         "duplicate field 'steps'"},
    }));
    check_error(c);
}

TEST_CASE("parse: message_faults aim a drop, a duplicate or a delay at the N-th message",
          "[parse]") {
    const Scenario s = parsed(parse(with_field(R"("message_faults": [
        {"message": 12, "drop": true}, {"message": 3, "duplicate": true},
        {"delay": "30ms", "message": 18446744073709551615}, {"message": 1, "delay": "1us"},
        {"message": 2, "delay": "1h"}])")));
    using Fault = sim::MessageFault;
    // Kept in file order; the simulator sorts them by number.
    CHECK(
        s.message_faults ==
        std::vector<Fault>{{.message = 12, .kind = Fault::Kind::drop, .delay_us = 0},
                           {.message = 3, .kind = Fault::Kind::duplicate, .delay_us = 0},
                           {.message = 18'446'744'073'709'551'615ULL,
                            .kind = Fault::Kind::delay,
                            .delay_us = 30 * ms},
                           {.message = 1, .kind = Fault::Kind::delay, .delay_us = 1},
                           {.message = 2, .kind = Fault::Kind::delay, .delay_us = 3'600 * second}});
    CHECK(parsed(parse(with_field(R"("message_faults": [])"))).message_faults.empty());
    CHECK(parsed(parse(with_steps(""))).message_faults.empty());
}

TEST_CASE("parse: a replay fault and the stale replay link rate carry their delays", "[parse]") {
    const Scenario s = parsed(parse(with_field(
        R"("message_faults": [{"message": 4, "replay": "5s"}, {"message": 9, "replay": "1h"}],
           "network": {"stale_replay": [1, 20], "stale_replay_delay": ["1s", "10s"]})")));
    using Fault = sim::MessageFault;
    CHECK(s.message_faults ==
          std::vector<Fault>{
              {.message = 4, .kind = Fault::Kind::replay, .delay_us = 5 * second},
              {.message = 9, .kind = Fault::Kind::replay, .delay_us = 3'600 * second}});
    CHECK(s.network.stale_replay == sim::Ratio{.numerator = 1, .denominator = 20});
    CHECK(s.network.stale_replay_delay_min_us == 1 * second);
    CHECK(s.network.stale_replay_delay_max_us == 10 * second);
    // Omitted, they keep the simulator's defaults: off, 1 s to 10 s.
    const Scenario plain = parsed(parse(with_steps("")));
    CHECK_FALSE(plain.network.stale_replay);
    CHECK_FALSE(plain.network.stale_replay_delay_min_us);
    const sim::LinkConfig link;
    CHECK(link.stale_replay.is_zero());
    CHECK(link.stale_replay_delay_min_us == 1 * second);
    CHECK(link.stale_replay_delay_max_us == 10 * second);
}

// ---------------------------------------------------------------- names

/// A scenario whose name, cluster node or created node (per `where`) is the
/// JSON string `name` (already quoted and escaped).
std::string named(std::string_view where, std::string_view name) {
    const std::string quoted(name);
    if (where == "name") {
        return R"({"name": )" + quoted + R"(, "cluster": {"voters": 1}, "steps": []})";
    }
    if (where == "cluster.names[1]") {
        return R"({"name": "t", "cluster": {"names": ["a", )" + quoted + R"(]}, "steps": []})";
    }
    return with_steps(R"({"create_node": )" + quoted + "}");
}

TEST_CASE("parse: scenario and node names are safe as file names and command-line words",
          "[parse][names]") {
    const std::string where = GENERATE("name", "cluster.names[1]", "steps[0].create_node");
    CAPTURE(where);
    struct Case {
        std::string json;
        bool accepted;
    };
    const Case c = GENERATE(values<Case>({
        {R"("../../x")", false},
        {R"("a/b")", false},
        {R"("a\nb")", false},
        {R"("\u001b[31m")", false},
        {R"("a\\b")", false},
        {R"("a b")", false},
        {"\"" + std::string(65, 'x') + "\"", false},
        {R"("")", false},
        {R"(".")", false},
        {R"("..")", false},
        {R"(".hidden")", false},
        {R"("-x")", false},
        {R"("--help")", false},
        {R"("a.b-c_1")", true},
        {R"("x.")", true},
        {R"("x-")", true},
        {R"("_x")", true},
        {R"("9")", true},
        {"\"" + std::string(64, 'x') + "\"", true},
    }));
    CAPTURE(c.json);
    const ParseResult result = parse(named(where, c.json));
    if (c.accepted) {
        CHECK_FALSE(result.error);
        return;
    }
    REQUIRE(result.error);
    CHECK(result.error->path == where);
    CHECK_THAT(result.error->message,
               Catch::StartsWith("expected a name of 1 to 64 characters from [A-Za-z0-9_.-], not "
                                 "starting with '.' or '-', got "));
}

TEST_CASE("parse: a name prefix that would make unsafe node names is refused", "[parse][names]") {
    const std::string prefix = GENERATE(".", "..", ".x", "-", "-x", "a/b");
    CAPTURE(prefix);
    const ParseResult result = parse(R"({"name": "t", "cluster": {"voters": 2, "name_prefix": ")" +
                                     prefix + R"("}, "steps": []})");
    REQUIRE(result.error);
    CHECK(result.error->path == "cluster.name_prefix");
    CHECK_THAT(result.error->message, Catch::StartsWith("expected a name of 1 to 64 characters"));
}

TEST_CASE("parse: numbered node names may be 64 characters, not more", "[parse]") {
    const std::string prefix(61, 'p');  // "<61 p>_63" is 64 characters
    const Scenario s = parsed(parse(R"({"name": "t", "cluster": {"voters": 64, "name_prefix": ")" +
                                    prefix + R"("}, "steps": []})"));
    CHECK(s.cluster.names.back() == prefix + "_63");
    const ParseResult longer =
        parse(R"({"name": "t", "cluster": {"voters": 64, "name_prefix": "p)" + prefix +
              R"("}, "steps": []})");
    REQUIRE(longer.error);
    CHECK(longer.error->path == "cluster.name_prefix");
}

TEST_CASE("parse: rejects an unknown node name listing the cluster's nodes", "[parse]") {
    const ErrorCase c = GENERATE(values<ErrorCase>({
        {with_steps(R"({"crash": "z"})"), "steps[0].crash",
         "unknown node 'z'; the cluster's nodes are: a, b, c"},
        {with_steps(R"({"restart": ["a", "z"]})"), "steps[0].restart[1]",
         "unknown node 'z'; the cluster's nodes are: a, b, c"},
        {with_steps(R"({"cut": {"from": "a", "to": "Leader"}})"), "steps[0].cut.to",
         "unknown node 'Leader'"},
        {with_steps(R"({"partition": ""})"), "steps[0].partition", "unknown node ''"},
        {with_steps(R"({"slow_votes": {"mode": "send", "nodes": ["b", "node_0"],
                       "delay": ["1s", "2s"]}})"),
         "steps[0].slow_votes.nodes[1]", "unknown node 'node_0'"},
    }));
    check_error(c);
}

TEST_CASE("parse: a step has exactly one action", "[parse]") {
    const ErrorCase c = GENERATE(values<ErrorCase>({
        {with_steps("{}"), "steps[0]",
         "a step has exactly one action (sleep, wait_for_leader, partition, heal, heal_all, cut, "
         "restore, slow_votes, clear_slow_votes, slow_links, clear_slow_links, network, crash, "
         "restart, clock_drift, apply, start_workload, stop_workload, wait_until_up_to_date, "
         "repeat, one_of, add_voter, "
         "add_nonvoter, demote_voter, remove_server, create_node, transfer_leadership, snapshot, "
         "membership_churn, calm, start_clients, stop_clients, pause, wipe), found none"},
        {with_steps(R"({"sleep": "1s"}, {"optional": true})"), "steps[1]", "found none"},
        {with_steps(R"({"sleep": "1s", "apply": 3})"), "steps[0]",
         "a step has exactly one action, found 'apply' and 'sleep'"},
        {with_steps(R"({"repeat": 1, "steps": [{"heal_all": {}, "stop_workload": {}}]})"),
         "steps[0].repeat.steps[0]",
         "a step has exactly one action, found 'heal_all' and 'stop_workload'"},
    }));
    check_error(c);
}

TEST_CASE("parse: heal must name a group that a partition step defines", "[parse]") {
    const ErrorCase c = GENERATE(values<ErrorCase>({
        {with_steps(R"({"heal": "g"})"), "steps[0].heal",
         "unknown partition group 'g'; no partition step names a group with \"as\""},
        {with_steps(R"({"partition": "a", "as": "x"}, {"partition": "b", "as": "y"},
                       {"heal": "g"})"),
         "steps[2].heal", "unknown partition group 'g'; the groups named by \"as\" are: x, y"},
        {with_steps(R"({"heal": 3})"), "steps[0].heal", "expected a string, got 3"},
    }));
    check_error(c);
}

TEST_CASE("parse: a heal may precede, in the text, the partition that defines its group",
          "[parse]") {
    // In a one_of or a repeat the heal can come first in the file and still
    // run after the partition; order is the interpreter's business.
    const Scenario s = parsed(parse(with_steps(R"({"repeat": 3, "steps": [
        {"one_of": [{"steps": [{"heal": "g"}]}, {"steps": []}]},
        {"partition": "leader", "as": "g"}]})")));
    CHECK(s.steps[0].steps[0].branches[0].steps[0].group == "g");
}

TEST_CASE("parse: rejects a repeated key at its path", "[parse]") {
    const ErrorCase c = GENERATE(values<ErrorCase>({
        {with_steps(R"({"sleep": "1s"}, {"sleep": "1s", "sleep": "2s"})"), "steps[1].sleep",
         "duplicate field 'sleep'"},
        {R"({"name": "t", "name": "u", "cluster": {"voters": 1}, "steps": []})", "name",
         "duplicate field 'name'"},
        {R"({"name": "t", "cluster": {"voters": 1, "tick": "1ms", "tick": "2ms"}, "steps": []})",
         "cluster.tick", "duplicate field 'tick'"},
        {with_steps(R"({"one_of": [{"steps": []}, {"weight": 1, "steps": [{"apply": 1},
                       {"restart": "all", "restart": "a"}]}]})"),
         "steps[0].one_of[1].steps[1].restart", "duplicate field 'restart'"},
    }));
    check_error(c);
}

// ---------------------------------------------------------------- durations

struct DurationCase {
    std::string text;
    std::optional<std::uint64_t> us;
};

const std::vector<DurationCase> duration_cases = {
    {"0us", 0},
    {"0ms", 0},
    {"250us", 250},
    {"10ms", 10'000},
    {"1s", 1'000'000},
    {"1.5s", 1'500'000},
    {"2m", 120'000'000},
    {"1h", 3'600'000'000},
    {"1.5h", 5'400'000'000},
    {"0.001s", 1'000},
    {"0.000001s", 1},
    {"1.000001s", 1'000'001},
    {"1.0000ms", 1'000},
    {"1.00000000000000000000s", 1'000'000},
    {"0.00000001h", 36},
    {"007ms", 7'000},
    {"5124095576h", 18'446'744'073'600'000'000ULL},
    {"18446744073709551615us", 18'446'744'073'709'551'615ULL},
    {"18446744073709551.615ms", 18'446'744'073'709'551'615ULL},
    // Rejected: empty, no unit, no digits, a sign, unknown or misspelt units,
    // finer than a microsecond, malformed numbers, overflow.
    {"", std::nullopt},
    {"s", std::nullopt},
    {"10", std::nullopt},
    {"-1s", std::nullopt},
    {"+1s", std::nullopt},
    {"1.5us", std::nullopt},
    {"0.0001ms", std::nullopt},
    {"1.0000001s", std::nullopt},
    {"0.000000001h", std::nullopt},
    {"1.s", std::nullopt},
    {".5s", std::nullopt},
    {"1..5s", std::nullopt},
    {"1.5.5s", std::nullopt},
    {"1,5s", std::nullopt},
    {"1 s", std::nullopt},
    {" 1s", std::nullopt},
    {"1s ", std::nullopt},
    {"1sec", std::nullopt},
    {"10S", std::nullopt},
    {"1ns", std::nullopt},
    {"1d", std::nullopt},
    {"1e3ms", std::nullopt},
    {"1ms1", std::nullopt},
    {"18446744073709551616us", std::nullopt},
    {"18446744073709552ms", std::nullopt},
    {"18446744073709551.616ms", std::nullopt},
    {"5124095577h", std::nullopt},
    {"99999999999999999999999999h", std::nullopt},
};

TEST_CASE("parse: durations are whole microseconds from digits, a fraction and a unit",
          "[parse][duration]") {
    const DurationCase c = GENERATE(from_range(duration_cases));
    CAPTURE(c.text);
    CHECK(scenarios::parse_duration(c.text) == c.us);
}

TEST_CASE("parse: a duration field accepts what parse_duration accepts, up to 1000h",
          "[parse][duration]") {
    const DurationCase c = GENERATE(from_range(duration_cases));
    CAPTURE(c.text);
    const ParseResult result = parse(with_steps(R"({"sleep": ")" + c.text + R"("})"));
    constexpr std::uint64_t max_us = 1000ULL * 3600 * 1'000'000;
    if (c.us && *c.us > max_us) {
        REQUIRE(result.error);
        CHECK(result.error->path == "steps[0].sleep");
        CHECK_THAT(result.error->message, Catch::StartsWith("expected a duration of at most"));
    } else if (c.us) {
        REQUIRE(result.scenario);
        CHECK(result.scenario->steps[0].duration_us == *c.us);
    } else {
        REQUIRE(result.error);
        CHECK(result.error->path == "steps[0].sleep");
        CHECK_THAT(result.error->message, Catch::StartsWith("expected a duration string like "
                                                            "\"10s\", got \""));
    }
}

// ---------------------------------------------------------------- selectors

struct SelectorCase {
    std::string json;
    SelectorKind kind;
    std::string name;
    std::uint32_t count_min;
    std::uint32_t count_max;
};

TEST_CASE("parse: node selectors map to NodeSelector", "[parse][selector]") {
    const SelectorCase c = GENERATE(values<SelectorCase>({
        {R"("leader")", SelectorKind::leader, "", 0, 0},
        {R"("followers")", SelectorKind::followers, "", 0, 0},
        {R"("all")", SelectorKind::all, "", 0, 0},
        {R"("c")", SelectorKind::name, "c", 0, 0},
        {R"({"leader_plus": 2})", SelectorKind::leader_plus, "", 2, 2},
        {R"({"leader_plus": 0})", SelectorKind::leader_plus, "", 0, 0},
        {R"({"leader_plus": 3})", SelectorKind::leader_plus, "", 3, 3},
        {R"({"leader_plus": {"random": [0, 3]}})", SelectorKind::leader_plus, "", 0, 3},
        {R"({"random": 1})", SelectorKind::random, "", 1, 1},
        {R"({"random": [1, 3]})", SelectorKind::random, "", 1, 3},
        {R"({"random": [2, 2]})", SelectorKind::random, "", 2, 2},
        {R"({"follower": 1})", SelectorKind::follower, "", 1, 1},
        {R"({"follower": 3})", SelectorKind::follower, "", 3, 3},
    }));
    CAPTURE(c.json);
    const Scenario s = parsed(parse(with_steps(R"({"crash": )" + c.json + "}")));
    REQUIRE(s.steps[0].nodes.size() == 1);
    const NodeSelector& selector = s.steps[0].nodes[0];
    CHECK(selector.kind == c.kind);
    CHECK(selector.name == c.name);
    CHECK(selector.count_min == c.count_min);
    CHECK(selector.count_max == c.count_max);
}

TEST_CASE("parse: a node set is one selector or an array of them, in order", "[parse][selector]") {
    const Scenario s =
        parsed(parse(with_steps(R"({"partition": ["b", {"random": [0, 1]}, "leader"]})")));
    REQUIRE(s.steps[0].nodes.size() == 3);
    CHECK(s.steps[0].nodes[0].name == "b");
    CHECK(s.steps[0].nodes[1].kind == SelectorKind::random);
    CHECK(s.steps[0].nodes[2].kind == SelectorKind::leader);
    // cut / restore take one selector each; a multi-node one means every link.
    const Scenario cut = parsed(parse(with_steps(R"({"cut": {"from": {"random": 1},
                                                             "to": "followers"}})")));
    CHECK(cut.steps[0].from.kind == SelectorKind::random);
    CHECK(cut.steps[0].to.kind == SelectorKind::followers);
}

TEST_CASE("parse: a group selector names a partition group, wherever it is defined",
          "[parse][selector]") {
    const Scenario s = parsed(parse(with_steps(R"({"crash": {"group": "g"}},
        {"partition": {"follower": 2}, "as": "g"},
        {"cut": {"from": {"follower": 1}, "to": {"follower": 2}}})")));
    REQUIRE(s.steps[0].nodes.size() == 1);
    CHECK(s.steps[0].nodes[0].kind == SelectorKind::group);
    CHECK(s.steps[0].nodes[0].name == "g");
    CHECK(s.steps[1].nodes[0].kind == SelectorKind::follower);
    CHECK(s.steps[1].nodes[0].count_min == 2);
    CHECK(s.steps[2].from.count_min == 1);
    CHECK(s.steps[2].to.count_min == 2);
}

TEST_CASE("parse: rejects malformed selectors", "[parse][selector]") {
    const std::string any = "expected a node selector (\"leader\", \"followers\", \"all\"";
    const ErrorCase c = GENERATE_COPY(values<ErrorCase>({
        {with_steps(R"({"crash": null})"), "steps[0].crash", any + ", a node name, "},
        {with_steps(R"({"crash": true})"), "steps[0].crash", "got true"},
        {with_steps(R"({"crash": {}})"), "steps[0].crash", any},
        {with_steps(R"({"crash": {"leader_plus": 1, "random": 1}})"), "steps[0].crash",
         "got an object"},
        {with_steps(R"({"crash": {"random": 4}})"), "steps[0].crash.random",
         "expected an integer in [0, 3], got 4"},
        {with_steps(R"({"crash": {"random": [2, 1]}})"), "steps[0].crash.random",
         "the range [2, 1] has its minimum above its maximum"},
        {with_steps(R"({"crash": {"random": [1]}})"), "steps[0].crash.random",
         "expected a range [A, B] of node counts, got an array"},
        {with_steps(R"({"crash": {"random": [-1, 2]}})"), "steps[0].crash.random[0]",
         "expected an integer in [0, 3], got -1"},
        {with_steps(R"({"crash": {"random": {"random": [1, 2]}}})"), "steps[0].crash.random",
         "expected a count K or a range [A, B], got an object"},
        {with_steps(R"({"crash": {"leader_plus": [1, 2]}})"), "steps[0].crash.leader_plus",
         "expected a count N or {\"random\": [A, B]}, got an array"},
        {with_steps(R"({"crash": {"leader_plus": {"random": [0, 9]}}})"),
         "steps[0].crash.leader_plus.random[1]", "expected an integer in [0, 3], got 9"},
        {with_steps(R"({"crash": {"leader_plus": {"rand": [0, 1]}}})"),
         "steps[0].crash.leader_plus.rand", "unknown field 'rand'; expected one of: random"},
        {with_steps(R"({"crash": {"leader_plus": 1.5}})"), "steps[0].crash.leader_plus",
         "expected an integer in [0, 3], got 1.5"},
        {with_steps(R"({"crash": {"follower": 0}})"), "steps[0].crash.follower",
         "expected an integer in [1, 3], got 0"},
        {with_steps(R"({"crash": {"follower": 4}})"), "steps[0].crash.follower",
         "expected an integer in [1, 3], got 4"},
        {with_steps(R"({"crash": {"follower": [1, 2]}})"), "steps[0].crash.follower",
         "expected an integer in [1, 3], got an array"},
        {with_steps(R"({"crash": {"follower": 1, "group": "g"}})"), "steps[0].crash",
         "got an object"},
        {with_steps(R"({"crash": {"group": ""}})"), "steps[0].crash.group",
         "expected a non-empty string, got \"\""},
        {with_steps(R"({"crash": {"group": 1}})"), "steps[0].crash.group",
         "expected a string, got 1"},
        {with_steps(R"({"crash": {"group": "g"}})"), "steps[0].crash.group",
         "unknown partition group 'g'; no partition step names a group with \"as\""},
        {with_steps(R"({"partition": "a", "as": "x"}, {"remove_server": [{"group": "y"}]})"),
         "steps[1].remove_server[0].group",
         "unknown partition group 'y'; the groups named by \"as\" are: x"},
        {with_steps(R"({"cut": {"from": {"follower": 2}, "to": {"follower": 2}}})"), "steps[0].cut",
         "\"from\" and \"to\" are the same node"},
    }));
    check_error(c);
}

// ---------------------------------------------------------------- membership

const char* const membership_scenario = R"({
  "name": "membership",
  "cluster": {"names": ["a", "b", "c"]},
  "raft": {"snapshot_threshold": 0, "trailing_logs": 4294967295},
  "steps": [
    {"add_voter": "a"},
    {"add_nonvoter": ["b", "c"], "within": "30s", "optional": true},
    {"demote_voter": {"random": 1}, "optional": false},
    {"remove_server": "leader", "within": "2m"},
    {"create_node": "d"},
    {"create_node": "e", "as": "nonvoter", "within": "5s", "optional": true},
    {"create_node": "f", "as": "none"},
    {"add_voter": ["d", "e", "f"]},
    {"transfer_leadership": "any"},
    {"transfer_leadership": "e", "within": "3s", "optional": true},
    {"transfer_leadership": {"random": 6}},
    {"snapshot": ["leader", "d"]},
    {"snapshot": "all"},
    {"membership_churn": {"changes": 20, "interval": "500ms"}},
    {"membership_churn": {"changes": 1, "interval": "0ms"}, "optional": true}
  ]
})";

TEST_CASE("parse: membership, transfer and snapshot steps map to their kinds",
          "[parse][membership]") {
    const Scenario s = parsed(parse(membership_scenario));
    CHECK(s.raft.snapshot_threshold_entries == 0);
    CHECK(s.raft.trailing_log_entries == 4'294'967'295U);
    const std::array<Kind, 15> kinds{
        Kind::add_voter,
        Kind::add_nonvoter,
        Kind::demote_voter,
        Kind::remove_server,
        Kind::create_node,
        Kind::create_node,
        Kind::create_node,
        Kind::add_voter,
        Kind::transfer_leadership,
        Kind::transfer_leadership,
        Kind::transfer_leadership,
        Kind::snapshot,
        Kind::snapshot,
        Kind::membership_churn,
        Kind::membership_churn,
    };
    REQUIRE(s.steps.size() == kinds.size());
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        CAPTURE(i);
        CHECK(s.steps[i].kind == kinds[i]);
        CHECK(s.steps[i].json_path == "steps[" + std::to_string(i) + "]");
    }
}

TEST_CASE("parse: membership changes carry their node set, deadline and optional",
          "[parse][membership]") {
    const Scenario s = parsed(parse(membership_scenario));
    const std::vector<Step>& st = s.steps;
    REQUIRE(st.size() == 15);
    REQUIRE(st[0].nodes.size() == 1);
    CHECK(st[0].nodes[0].name == "a");
    CHECK(st[0].duration_us == 60 * second);  // the default "within"
    CHECK_FALSE(st[0].optional);
    REQUIRE(st[1].nodes.size() == 2);
    CHECK(st[1].nodes[1].name == "c");
    CHECK(st[1].duration_us == 30 * second);
    CHECK(st[1].optional);
    REQUIRE(st[2].nodes.size() == 1);
    CHECK(st[2].nodes[0].kind == SelectorKind::random);
    CHECK(st[2].nodes[0].count_min == 1);
    CHECK_FALSE(st[2].optional);
    CHECK(st[3].nodes[0].kind == SelectorKind::leader);
    CHECK(st[3].duration_us == 120 * second);
    // Created nodes are named by the later add_voter.
    REQUIRE(st[7].nodes.size() == 3);
    CHECK(st[7].nodes[0].kind == SelectorKind::name);
    CHECK(st[7].nodes[0].name == "d");
    CHECK(st[7].nodes[2].name == "f");
    REQUIRE(st[11].nodes.size() == 2);
    CHECK(st[11].nodes[1].name == "d");
    CHECK(st[12].nodes[0].kind == SelectorKind::all);
    CHECK(st[12].duration_us == 0);
}

TEST_CASE("parse: create_node carries its name, suffrage and deadline", "[parse][membership]") {
    const Scenario s = parsed(parse(membership_scenario));
    REQUIRE(s.steps.size() == 15);
    const Step& d = s.steps[4];
    CHECK(d.name == "d");
    CHECK(d.suffrage == "voter");  // the default "as"
    CHECK(d.duration_us == 60 * second);
    CHECK_FALSE(d.optional);
    CHECK(d.nodes.empty());
    const Step& e = s.steps[5];
    CHECK(e.name == "e");
    CHECK(e.suffrage == "nonvoter");
    CHECK(e.duration_us == 5 * second);
    CHECK(e.optional);
    CHECK(s.steps[6].name == "f");
    CHECK(s.steps[6].suffrage == "none");
    // Creating nodes does not change the cluster the run bootstraps.
    CHECK(s.cluster.names == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("parse: transfer_leadership takes \"any\" or one selector", "[parse][membership]") {
    const Scenario s = parsed(parse(membership_scenario));
    REQUIRE(s.steps.size() == 15);
    const Step& any = s.steps[8];
    CHECK(any.any_target);
    CHECK(any.duration_us == 10 * second);  // the default "within"
    CHECK_FALSE(any.optional);
    const Step& named = s.steps[9];
    CHECK_FALSE(named.any_target);
    CHECK(named.to.kind == SelectorKind::name);
    CHECK(named.to.name == "e");
    CHECK(named.duration_us == 3 * second);
    CHECK(named.optional);
    // Counts may reach the cluster plus the nodes created so far (3 + 3).
    const Step& random = s.steps[10];
    CHECK_FALSE(random.any_target);
    CHECK(random.to.kind == SelectorKind::random);
    CHECK(random.to.count_min == 6);
    CHECK(random.to.count_max == 6);
    const Scenario leader = parsed(parse(with_steps(R"({"transfer_leadership": "followers"})")));
    CHECK(leader.steps[0].to.kind == SelectorKind::followers);
}

TEST_CASE("parse: membership_churn carries its changes, interval and optional",
          "[parse][membership]") {
    const Scenario s = parsed(parse(membership_scenario));
    REQUIRE(s.steps.size() == 15);
    CHECK(s.steps[13].count == 20);
    CHECK(s.steps[13].duration_us == 500 * ms);
    CHECK_FALSE(s.steps[13].optional);
    CHECK(s.steps[14].count == 1);
    CHECK(s.steps[14].duration_us == 0);
    CHECK(s.steps[14].optional);
}

TEST_CASE("parse: a created node is known to every step after it in the file",
          "[parse][membership]") {
    // Later in the file counts, wherever the step sits: nested, in another
    // one_of branch, in an enclosing repeat after the one holding the create.
    const Scenario s = parsed(parse(with_steps(R"(
        {"one_of": [{"steps": [{"create_node": "d", "as": "none"}]},
                    {"steps": [{"crash": "d"}]}]},
        {"repeat": 2, "steps": [{"restart": ["d", "a"]}, {"remove_server": {"random": 4}}]},
        {"create_node": "e"},
        {"partition": "e", "as": "g"}, {"heal": "g"})")));
    CHECK(s.steps[0].branches[1].steps[0].nodes[0].name == "d");
    CHECK(s.steps[1].steps[0].nodes[0].name == "d");
    CHECK(s.steps[1].steps[1].nodes[0].count_max == 4);
    CHECK(s.steps[3].nodes[0].name == "e");
}

const std::vector<ErrorCase> membership_errors = {
    // Wrong types.
    {with_steps(R"({"add_voter": 42})"), "steps[0].add_voter", "expected a node selector"},
    {with_steps(R"({"remove_server": []})"), "steps[0].remove_server",
     "expected a node selector or an array of 1 to 64 node selectors, got an empty array"},
    {with_steps(R"({"create_node": 5})"), "steps[0].create_node", "expected a string, got 5"},
    {with_steps(R"({"create_node": ["d"]})"), "steps[0].create_node",
     "expected a string, got an array"},
    {with_steps(R"({"transfer_leadership": ["a"]})"), "steps[0].transfer_leadership",
     "expected \"any\" or a node selector like \"b\" or {\"random\": 1}, got an array"},
    {with_steps(R"({"transfer_leadership": true})"), "steps[0].transfer_leadership",
     "expected \"any\" or a node selector"},
    {with_steps(R"({"transfer_leadership": "Any"})"), "steps[0].transfer_leadership",
     "unknown node 'Any'; the cluster's nodes are: a, b, c"},
    {with_steps(R"({"snapshot": {}})"), "steps[0].snapshot", "expected a node selector"},
    {with_steps(R"({"membership_churn": 5})"), "steps[0].membership_churn",
     "expected an object, got 5"},
    {with_steps(R"({"membership_churn": {"changes": 0, "interval": "1s"}})"),
     "steps[0].membership_churn.changes", "expected an integer in [1, 10000], got 0"},
    {with_steps(R"({"membership_churn": {"changes": "3", "interval": "1s"}})"),
     "steps[0].membership_churn.changes", "expected an integer in [1, 10000], got \"3\""},
    {with_steps(R"({"membership_churn": {"interval": "1s"}})"), "steps[0].membership_churn",
     "missing required field 'changes'"},
    {with_steps(R"({"membership_churn": {"changes": 3}})"), "steps[0].membership_churn",
     "missing required field 'interval'"},
    {with_steps(R"({"add_voter": "a", "optional": "yes"})"), "steps[0].optional",
     "expected true or false, got \"yes\""},
    {with_steps(R"({"membership_churn": {"changes": 1, "interval": "1s"}, "optional": 1})"),
     "steps[0].optional", "expected true or false, got 1"},
    // Bad durations.
    {with_steps(R"({"add_voter": "a", "within": "10"})"), "steps[0].within",
     "expected a duration string like \"10s\", got \"10\""},
    {with_steps(R"({"create_node": "d", "within": 5})"), "steps[0].within",
     "expected a duration string like \"10s\", got 5"},
    {with_steps(R"({"transfer_leadership": "any", "within": "-1s"})"), "steps[0].within",
     "expected a duration string like \"10s\", got \"-1s\""},
    {with_steps(R"({"membership_churn": {"changes": 1, "interval": "1x"}})"),
     "steps[0].membership_churn.interval", "expected a duration string like \"10s\", got \"1x\""},
    // Unknown keys.
    {with_steps(R"({"add_voter": "a", "timeout": "1s"})"), "steps[0].timeout",
     "unknown field 'timeout'; expected one of: sleep, "},
    {with_steps(R"({"add_voter": "a", "as": "voter"})"), "steps[0].as",
     "unknown field 'as' for a 'add_voter' step; expected one of: add_voter, within, optional"},
    {with_steps(R"({"create_node": "d", "lose_unsynced": true})"), "steps[0].lose_unsynced",
     "unknown field 'lose_unsynced' for a 'create_node' step; expected one of: create_node, as, "
     "within, optional"},
    {with_steps(R"({"snapshot": "a", "within": "1s"})"), "steps[0].within",
     "unknown field 'within' for a 'snapshot' step; expected one of: snapshot"},
    {with_steps(R"({"membership_churn": {"changes": 1, "interval": "1s"}, "within": "1s"})"),
     "steps[0].within",
     "unknown field 'within' for a 'membership_churn' step; expected one of: membership_churn, "
     "optional"},
    {with_steps(R"({"membership_churn": {"changes": 1, "interval": "1s", "rate": 2}})"),
     "steps[0].membership_churn.rate", "unknown field 'rate'; expected one of: changes, interval"},
    {with_steps(R"({"wait_for_leader": "1s", "within": "1s"})"), "steps[0].within",
     "expected one of: wait_for_leader, optional"},
    // A pause needs its length, above zero.
    {with_steps(R"({"pause": "a"})"), "steps[0]", "missing required field 'for'"},
    {with_steps(R"({"pause": "a", "for": "0s"})"), "steps[0].for",
     "expected a duration above zero"},
    {with_steps(R"({"pause": "a", "for": "2s", "lose_unsynced": true})"), "steps[0].lose_unsynced",
     "unknown field 'lose_unsynced' for a 'pause' step; expected one of: pause, for"},
    // A wipe takes nodes and "optional" (it always loses unsynced writes).
    {with_steps(R"({"wipe": "a", "lose_unsynced": true})"), "steps[0].lose_unsynced",
     "unknown field 'lose_unsynced' for a 'wipe' step; expected one of: wipe, optional"},
    {with_steps(R"({"wipe": "a", "optional": 1})"), "steps[0].optional", "expected"},
    {with_steps(R"({"wipe": 3})"), "steps[0].wipe", "expected"},
    // A bad "as".
    {with_steps(R"({"create_node": "d", "as": "learner"})"), "steps[0].as",
     "expected \"voter\", \"nonvoter\" or \"none\", got \"learner\""},
    {with_steps(R"({"create_node": "d", "as": true})"), "steps[0].as",
     "expected \"voter\", \"nonvoter\" or \"none\", got true"},
    // Bad or taken names.
    {with_steps(R"({"create_node": "b"})"), "steps[0].create_node",
     "'b' already names a node of the cluster"},
    {R"({"name": "t", "cluster": {"voters": 2}, "steps": [{"create_node": "node_1"}]})",
     "steps[0].create_node", "'node_1' already names a node of the cluster"},
    {with_steps(R"({"create_node": "d"}, {"sleep": "1s"}, {"create_node": "d"})"),
     "steps[2].create_node", "duplicate node name 'd' (also created at steps[0].create_node)"},
    {with_steps(R"({"one_of": [{"steps": [{"create_node": "d"}]},
                               {"steps": [{"create_node": "d", "as": "none"}]}]})"),
     "steps[0].one_of[1].steps[0].create_node",
     "duplicate node name 'd' (also created at steps[0].one_of[0].steps[0].create_node)"},
    {with_steps(R"({"create_node": "leader"})"), "steps[0].create_node",
     "'leader' is a selector keyword and cannot name a node"},
    {with_steps(R"({"create_node": "all"})"), "steps[0].create_node",
     "'all' is a selector keyword"},
    {with_steps(R"({"create_node": "d e"})"), "steps[0].create_node",
     "expected a name of 1 to 64 characters from [A-Za-z0-9_.-], not starting with '.' or '-', "
     "got \"d e\""},
    {with_steps(R"({"create_node": ""})"), "steps[0].create_node",
     "expected a name of 1 to 64 characters"},
    // A created node is unknown before its create_node in the file.
    {with_steps(R"({"add_voter": "d"}, {"create_node": "d"})"), "steps[0].add_voter",
     "unknown node 'd'; the cluster's nodes are: a, b, c"},
    {with_steps(R"({"create_node": "d"}, {"create_node": "e"}, {"snapshot": ["d", "z"]})"),
     "steps[2].snapshot[1]",
     "unknown node 'z'; the cluster's nodes are: a, b, c; created by earlier create_node "
     "steps: d, e"},
    {with_steps(R"({"crash": {"random": 4}}, {"create_node": "d"})"), "steps[0].crash.random",
     "expected an integer in [0, 3], got 4"},
    {R"({"name": "t", "cluster": {"voters": 64}, "steps": [{"create_node": "x"}]})",
     "steps[0].create_node", "more than 64 nodes: the cluster's and the created ones count"},
    // Raft entry counts.
    {with_field(R"("raft": {"snapshot_threshold": -1})"), "raft.snapshot_threshold",
     "expected a non-negative integer, got -1"},
    {with_field(R"("raft": {"snapshot_threshold": "8192"})"), "raft.snapshot_threshold",
     "expected a non-negative integer, got \"8192\""},
    {with_field(R"("raft": {"trailing_logs": 4294967296})"), "raft.trailing_logs",
     "expected a non-negative integer, got 4294967296"},
    {with_field(R"("raft": {"trailing_logs": 1.5})"), "raft.trailing_logs",
     "expected a non-negative integer, got 1.5"},
    {with_field(R"("raft": {"trailing_log": 1})"), "raft.trailing_log",
     "unknown field 'trailing_log'; expected one of: heartbeat_timeout, election_timeout, "
     "commit_timeout, leader_lease, max_append_entries, max_inflight_appends, "
     "max_uncommitted_entries, snapshot_threshold, trailing_logs, pre_vote, check_quorum, "
     "vote_rule"},
};

TEST_CASE("parse: rejects malformed membership, transfer and snapshot steps",
          "[parse][membership]") {
    check_error(GENERATE(from_range(membership_errors)));
}

TEST_CASE("parse: 64 nodes in all may be named, the cluster's and created ones",
          "[parse][membership]") {
    std::string steps;
    for (int i = 0; i < 61; ++i) {
        steps += (i == 0 ? "" : ", ") + std::string(R"({"create_node": "x)") + std::to_string(i) +
                 R"("})";
    }
    const Scenario s = parsed(parse(with_steps(steps + R"(, {"crash": {"random": 64}})")));
    REQUIRE(s.steps.size() == 62);
    CHECK(s.steps[60].name == "x60");
    CHECK(s.steps[61].nodes[0].count_max == 64);
    const ParseResult more = parse(with_steps(steps + R"(, {"create_node": "y"})"));
    REQUIRE(more.error);
    CHECK(more.error->path == "steps[61].create_node");
}

// ---------------------------------------------------------------- nesting

TEST_CASE("parse: nested steps carry their path through repeat and one_of", "[parse][nesting]") {
    const Scenario s = parsed(parse(with_steps(R"({"sleep": "1s"},
        {"repeat": 2, "steps": [
            {"sleep": "1s"},
            {"one_of": [{"steps": [{"apply": 1}]},
                        {"weight": 3, "steps": [{"repeat": 1, "steps": [{"heal_all": {}}]}]}]}
        ]})")));
    REQUIRE(s.steps.size() == 2);
    CHECK(s.steps[0].json_path == "steps[0]");
    const Step& repeat = s.steps[1];
    CHECK(repeat.json_path == "steps[1]");
    CHECK(repeat.count == 2);
    REQUIRE(repeat.steps.size() == 2);
    CHECK(repeat.steps[0].json_path == "steps[1].repeat.steps[0]");
    const Step& one_of = repeat.steps[1];
    CHECK(one_of.json_path == "steps[1].repeat.steps[1]");
    REQUIRE(one_of.branches.size() == 2);
    CHECK(one_of.branches[0].steps[0].json_path == "steps[1].repeat.steps[1].one_of[0].steps[0]");
    CHECK(one_of.branches[1].weight == 3);
    const Step& inner = one_of.branches[1].steps[0];
    CHECK(inner.json_path == "steps[1].repeat.steps[1].one_of[1].steps[0]");
    REQUIRE(inner.steps.size() == 1);
    CHECK(inner.steps[0].kind == Kind::heal_all);
    CHECK(inner.steps[0].json_path ==
          "steps[1].repeat.steps[1].one_of[1].steps[0].repeat.steps[0]");
}

TEST_CASE("parse: errors inside nested steps name the nested path", "[parse][nesting]") {
    const ErrorCase c = GENERATE(values<ErrorCase>({
        {with_steps(R"({"sleep": "1s"}, {"repeat": 2, "steps": [{"sleep": 5}]})"),
         "steps[1].repeat.steps[0].sleep", "expected a duration string"},
        {with_steps(R"({"one_of": [{"steps": []}, {"steps": [{"apply": -1}]}]})"),
         "steps[0].one_of[1].steps[0].apply", "expected an integer in [1, 1000000], got -1"},
        {with_steps(R"({"repeat": 2, "steps": {}})"), "steps[0].repeat.steps",
         "expected an array of steps"},
        {with_steps(R"({"one_of": [{"weight": 1}]})"), "steps[0].one_of[0]",
         "missing required field 'steps'"},
        {with_steps(R"({"one_of": [5]})"), "steps[0].one_of[0]", "expected an object, got 5"},
    }));
    check_error(c);
}

/// `levels` repeats, each holding the next; the innermost holds one sleep.
std::string nested_repeats(int levels) {
    std::string steps = R"({"sleep": "1s"})";
    for (int i = 0; i < levels; ++i) {
        steps = R"({"repeat": 1, "steps": [)" + steps + "]}";
    }
    return with_steps(steps);
}

TEST_CASE("parse: steps nest 16 levels deep, not 17", "[parse][nesting]") {
    const Scenario s = parsed(parse(nested_repeats(16)));
    const Step* step = &s.steps[0];
    for (int i = 0; i < 16; ++i) {
        REQUIRE(step->steps.size() == 1);
        step = &step->steps[0];
    }
    CHECK(step->kind == Kind::sleep);
    const ParseResult deep = parse(nested_repeats(17));
    REQUIRE(deep.error);
    CHECK_THAT(deep.error->path, Catch::EndsWith("repeat.steps"));
    CHECK(std::count(deep.error->path.begin(), deep.error->path.end(), '.') == 2 * 17);
    CHECK(deep.error->message == "steps nested more than 16 levels deep (repeat, one_of)");
    // one_of branches are levels too.
    std::string branches = R"({"sleep": "1s"})";
    for (int i = 0; i < 17; ++i) {
        branches = R"({"one_of": [{"steps": [)" + branches + "]}]}";
    }
    const ParseResult deep_branches = parse(with_steps(branches));
    REQUIRE(deep_branches.error);
    CHECK(deep_branches.error->message == deep.error->message);
}

// ---------------------------------------------------------------- size bounds

TEST_CASE("parse: counts a step may ask for are bounded, the bound itself accepted",
          "[parse][bounds]") {
    struct Case {
        std::string text;
        std::string path;
        std::string expected;
    };
    std::string branches = R"({"steps": []})";
    for (int i = 1; i < 1024; ++i) {
        branches += R"(, {"steps": []})";
    }
    const Case c = GENERATE_COPY(values<Case>({
        {with_steps(R"({"apply": %})"), "steps[0].apply", "an integer in [1, 1000000]"},
        {with_steps(R"({"start_workload": {"batch": %}})"), "steps[0].start_workload.batch",
         "an integer in [1, 10000]"},
        {with_field(R"("workload": {"batch": %})"), "workload.batch", "an integer in [1, 10000]"},
        {with_steps(R"({"membership_churn": {"changes": %, "interval": "1s"}})"),
         "steps[0].membership_churn.changes", "an integer in [1, 10000]"},
        {with_steps(R"({"repeat": %, "steps": []})"), "steps[0].repeat",
         "an integer in [1, 1000000]"},
        {with_steps(R"({"one_of": [)" + branches + R"(%]})"), "steps[0].one_of",
         "an array of 1 to 1024 branches"},
    }));
    CAPTURE(c.path);
    // The bound ("%" gone, or the count itself) parses; one more does not.
    const std::string bound = c.expected.substr(c.expected.find(", ") + 2,
                                                c.expected.find(']') - c.expected.find(", ") - 2);
    const bool is_list = c.expected.find("branches") != std::string::npos;
    std::string at_bound = c.text;
    std::string above = c.text;
    at_bound.replace(at_bound.find('%'), 1, is_list ? "" : bound);
    above.replace(above.find('%'), 1,
                  is_list ? R"(, {"steps": []})" : std::to_string(std::stoull(bound) + 1));
    CHECK_FALSE(parse(at_bound).error);
    const ParseResult refused = parse(above);
    REQUIRE(refused.error);
    CHECK(refused.error->path == c.path);
    CHECK_THAT(refused.error->message, Catch::StartsWith("expected " + c.expected));
}

/// `count` copies of `step`, comma-separated.
std::string repeated(std::string_view step, std::size_t count) {
    std::string out;
    out.reserve(count * (step.size() + 2));
    for (std::size_t i = 0; i < count; ++i) {
        out += i == 0 ? "" : ", ";
        out += step;
    }
    return out;
}

TEST_CASE("parse: a file holds at most 100000 steps, nested ones counted", "[parse][bounds]") {
    const std::string_view tiny = R"({"heal_all": {}})";
    CHECK(parsed(parse(with_steps(repeated(tiny, 100'000)))).steps.size() == 100'000);
    const ParseResult flat = parse(with_steps(repeated(tiny, 100'001)));
    REQUIRE(flat.error);
    CHECK(flat.error->path == "steps[100000]");
    CHECK(flat.error->message == "more than 100000 steps in the file (nested ones count)");
    // Nested steps count where they sit: the repeat is step 1, its body
    // 2..99999, the one_of step 100000, its branch's first step one more.
    const std::string nested =
        with_steps(R"({"repeat": 1, "steps": [)" + repeated(tiny, 99'998) +
                   R"(]}, {"one_of": [{"steps": [)" + repeated(tiny, 2) + "]}]}");
    const ParseResult over = parse(nested);
    REQUIRE(over.error);
    CHECK(over.error->path == "steps[1].one_of[0].steps[0]");
    // The count runs before any step is parsed: a bad step beyond the bound
    // is not what is reported.
    const ParseResult first = parse(with_steps(repeated(tiny, 100'001) + R"(, {"sleep": 5})"));
    REQUIRE(first.error);
    CHECK(first.error->path == "steps[100000]");
}

TEST_CASE("parse: a text above 16 MiB is refused before it is parsed", "[parse][bounds]") {
    CHECK(scenarios::max_scenario_file_bytes == 16U * 1024 * 1024);
    std::string text = with_steps("");
    text.insert(text.size() - 2,
                std::string(scenarios::max_scenario_file_bytes - text.size(), ' '));
    REQUIRE(text.size() == scenarios::max_scenario_file_bytes);
    CHECK_FALSE(parse(text).error);
    text.insert(text.size() - 2, " ");
    const ParseResult refused = parse(text);
    REQUIRE(refused.error);
    CHECK(refused.error->path == "$");
    CHECK(refused.error->message == "the scenario is larger than 16777216 bytes (16 MiB)");
}

// ---------------------------------------------------------------- raft

TEST_CASE("parse: raft settings are validated as the simulator will convert them", "[parse]") {
    const ErrorCase c = GENERATE(values<ErrorCase>({
        {with_field(R"("raft": {"leader_lease": "2s"})"), "raft",
         "invalid raft settings: leader_lease_above_heartbeat_timeout"},
        {with_field(R"("raft": {"election_timeout": "500ms"})"), "raft",
         "invalid raft settings: election_timeout_below_heartbeat_timeout"},
        {with_field(R"("raft": {"commit_timeout": "15ms"})"), "raft",
         "invalid raft settings: duration_not_multiple_of_tick (cluster.tick is 10ms)"},
        {with_field(R"("raft": {"heartbeat_timeout": "10ms", "leader_lease": "10ms"})"), "raft",
         "invalid raft settings: heartbeat_timeout_too_low"},
        {with_field(R"("raft": {"max_append_entries": 2000})"), "raft",
         "invalid raft settings: max_append_entries_too_large"},
        {with_field(R"("raft": {"max_uncommitted_entries": 10})"), "raft",
         "invalid raft settings: max_uncommitted_entries_too_low"},
        {with_field(R"("raft": {"commit_timeout": "0ms"})"), "raft",
         "invalid raft settings: commit_timeout_too_low"},
        // The defaults themselves are checked against the tick.
        {R"({"name": "t", "cluster": {"voters": 3, "tick": "3ms"}, "steps": []})", "raft",
         "invalid raft settings: duration_not_multiple_of_tick (cluster.tick is 3ms)"},
        {R"({"name": "t", "cluster": {"voters": 3, "tick": "1us"}, "raft":
            {"heartbeat_timeout": "2h", "election_timeout": "2h"}, "steps": []})",
         "raft", "invalid raft settings: duration_too_long (cluster.tick is 1us)"},
        {with_field(R"("raft": {"max_append_entries": 0})"), "raft.max_append_entries",
         "expected a positive integer, got 0"},
        {with_field(R"("raft": {"heartbeat_timeout": "1.5us"})"), "raft.heartbeat_timeout",
         "expected a duration string like \"10s\", got \"1.5us\""},
    }));
    check_error(c);
}

TEST_CASE("parse: raft settings valid at a 1ms tick are kept as durations", "[parse]") {
    const Scenario s = parsed(parse(R"({"name": "t",
        "cluster": {"voters": 3, "tick": "1ms"},
        "raft": {"heartbeat_timeout": "150ms", "election_timeout": "300ms",
                 "commit_timeout": "1ms", "leader_lease": "150ms", "pre_vote": true},
        "steps": []})"));
    CHECK(s.raft.heartbeat_timeout_us == 150 * ms);
    CHECK(s.raft.election_timeout_us == 300 * ms);
    CHECK(s.raft.commit_timeout_us == 1 * ms);
    const core::ConfigResult ticks = core::to_ticks(s.raft, s.cluster.tick_us);
    REQUIRE(ticks.error == core::ConfigError::ok);
    CHECK(ticks.config.heartbeat_timeout_ticks == 150);
    CHECK(ticks.config.election_timeout_ticks == 300);
    CHECK(ticks.config.pre_vote);
}

// ---------------------------------------------------------------- files

TEST_CASE("parse: an expect entry carries its system, seed, signature, fix and reason",
          "[parse][expect]") {
    const ParseResult result = parse(with_field(R"("expect": [
        {"sut": "canonical", "seed": 58,
         "fails_with": {"checker": "durability", "kind": "acknowledged_entry_truncated"},
         "fixed_in": "0.17.1", "why": "a stale tail"},
        {"seed": 18446744073709551615, "fails_with": {"checker": "liveness", "kind": "no_leader"}},
        {"sut": "not-in-this-build", "seed": 58,
         "fails_with": {"checker": "liveness", "kind": "no_leader"}}])"));
    const Scenario& scenario = parsed(result);
    REQUIRE(scenario.expect.size() == 3);
    const scenarios::ExpectedFailure& first = scenario.expect[0];
    CHECK(first.sut == "canonical");
    CHECK(first.seed == 58);
    CHECK(first.checker == "durability");
    CHECK(first.kind == "acknowledged_entry_truncated");
    CHECK(first.fixed_in == "0.17.1");
    CHECK(first.why == "a stale tail");
    // Omitted: raftsim, not fixed, no reason.
    const scenarios::ExpectedFailure& second = scenario.expect[1];
    CHECK(second.sut == "raftsim");
    CHECK(second.seed == 18446744073709551615ULL);
    CHECK(second.fixed_in.empty());
    CHECK(second.why.empty());
    CHECK(scenario.expect[2].sut == "not-in-this-build");
    CHECK(parsed(parse(with_field(R"("expect": [])"))).expect.empty());
}

TEST_CASE("parse: rejects malformed expect entries at their path", "[parse][expect]") {
    const std::string fails = R"("fails_with": {"checker": "liveness", "kind": "no_leader"})";
    const std::vector<ErrorCase> cases = {
        {with_field(R"("expect": {"seed": 1})"), "expect", "expected an array of at most 1024"},
        {with_field(R"("expect": [7])"), "expect[0]", "expected an object, got 7"},
        {with_field(R"("expect": [{)" + fails + "}]"), "expect[0]",
         "missing required field 'seed'"},
        {with_field(R"("expect": [{"seed": -1, )" + fails + "}]"), "expect[0].seed",
         "expected an integer in [0, 18446744073709551615], got -1"},
        {with_field(R"("expect": [{"seed": 1.5, )" + fails + "}]"), "expect[0].seed",
         "expected an integer"},
        {with_field(R"("expect": [{"seed": 1}])"), "expect[0]",
         "missing required field 'fails_with'"},
        {with_field(R"("expect": [{"seed": 1, "fails_with": "liveness/no_leader"}])"),
         "expect[0].fails_with", "expected an object"},
        {with_field(R"("expect": [{"seed": 1, "fails_with": {"kind": "no_leader"}}])"),
         "expect[0].fails_with", "missing required field 'checker'"},
        {with_field(
             R"("expect": [{"seed": 1, "fails_with": {"checker": "liveness", "kind": ""}}])"),
         "expect[0].fails_with.kind", "expected a non-empty string, got \"\""},
        {with_field(
             R"("expect": [{"seed": 1, "fails_with": {"checker": "a", "kind": "b", "x": 1}}])"),
         "expect[0].fails_with.x", "unknown field 'x'; expected one of: checker, kind"},
        {with_field(R"("expect": [{"seed": 1, "fixed_in": "0.18.1-rc1", )" + fails + "}]"),
         "expect[0].fixed_in", "expected a version like \"0.17.1\""},
        {with_field(R"("expect": [{"seed": 1, "fixed_in": 17, )" + fails + "}]"),
         "expect[0].fixed_in", "expected a version like \"0.17.1\""},
        {with_field(R"("expect": [{"seed": 1, "sut": "Canonical", )" + fails + "}]"),
         "expect[0].sut", "expected a system name like \"canonical\""},
        {with_field(R"("expect": [{"seed": 1, "sut": "", )" + fails + "}]"), "expect[0].sut",
         "expected a system name"},
        {with_field(R"("expect": [{"seed": 1, "why": 3, )" + fails + "}]"), "expect[0].why",
         "expected a string, got 3"},
        {with_field(R"("expect": [{"seed": 1, "until": "1.0", )" + fails + "}]"), "expect[0].until",
         "unknown field 'until'; expected one of: sut, seed, fails_with"},
    };
    for (const ErrorCase& c : cases) {
        check_error(c);
    }
}

TEST_CASE("parse: one expectation per system and seed, raftsim the default system",
          "[parse][expect]") {
    const std::string fails = R"("fails_with": {"checker": "liveness", "kind": "no_leader"})";
    check_error({with_field(R"("expect": [{"seed": 7, )" + fails + R"(}, {"seed": 8, )" + fails +
                            R"(}, {"sut": "raftsim", "seed": 7, )" + fails + "}]"),
                 "expect[2]",
                 "duplicate expectation for sut \"raftsim\" seed 7 (also at expect[0])"});
    // The same seed for two systems is two runs.
    const ParseResult result =
        parse(with_field(R"("expect": [{"seed": 7, )" + fails +
                         R"(}, {"sut": "canonical", "seed": 7, )" + fails + "}]"));
    CHECK(parsed(result).expect.size() == 2);
}

TEST_CASE("parse: ScenarioError::to_string is FILE: PATH: MESSAGE", "[parse]") {
    const ParseResult result =
        scenarios::parse_scenario(with_steps(R"({"sleep": 42})"), "scenarios/x.json");
    REQUIRE(result.error);
    CHECK(result.error->to_string() ==
          "scenarios/x.json: steps[0].sleep: expected a duration string like \"10s\", got 42");
}

TEST_CASE("parse: load_scenario reads a file and names it in errors", "[parse][file]") {
    const std::filesystem::path dir = std::filesystem::temp_directory_path();
    const std::string good = (dir / "raftsim_parse_test_good.json").string();
    const std::string bad = (dir / "raftsim_parse_test_bad.json").string();
    std::ofstream(good) << full_scenario;
    std::ofstream(bad) << with_steps(R"({"crash": "z"})");
    const ParseResult loaded = scenarios::load_scenario(good);
    CHECK(parsed(loaded).source_path == good);
    CHECK(parsed(loaded).steps.size() == 19);
    const ParseResult refused = scenarios::load_scenario(bad);
    REQUIRE(refused.error);
    CHECK(refused.error->file == bad);
    CHECK(refused.error->path == "steps[0].crash");
    std::filesystem::remove(good);
    std::filesystem::remove(bad);
}

TEST_CASE("parse: load_scenario reports an unreadable file at \"$\"", "[parse][file]") {
    const std::string missing = "/nonexistent/raftsim/missing.json";
    const ParseResult absent = scenarios::load_scenario(missing);
    REQUIRE(absent.error);
    CHECK_FALSE(absent.scenario);
    CHECK(absent.error->file == missing);
    CHECK(absent.error->path == "$");
    CHECK_THAT(absent.error->message, Catch::StartsWith("cannot open the scenario: "));
    const std::string dir = std::filesystem::temp_directory_path().string();
    const ParseResult directory = scenarios::load_scenario(dir);
    REQUIRE(directory.error);
    CHECK(directory.error->path == "$");
    CHECK_THAT(directory.error->message, Catch::Contains("directory"));
    // A device is never opened (reading /dev/zero would not end before the
    // size bound, a terminal would wait).
    const ParseResult device = scenarios::load_scenario("/dev/zero");
    REQUIRE(device.error);
    CHECK(device.error->message == "cannot read the scenario: it is not a regular file");
}

TEST_CASE("parse: every built-in scenario file parses", "[parse][builtin]") {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(RAFTSIM_BUILTIN_DIR)) {
        if (entry.path().extension() == ".json") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    for (const std::filesystem::path& file : files) {
        const ParseResult result = scenarios::load_scenario(file.string());
        INFO((result.error ? result.error->to_string() : file.string()));
        CHECK_FALSE(result.error);
        if (result.scenario) {
            CHECK(result.scenario->name == file.stem().string());
        }
    }
    SUCCEED(files.size() << " built-in scenario files");
}

// ---------------------------------------------------------------- robustness

/// Either a scenario or an error with a file, a path and a message; never both.
void check_outcome(const ParseResult& result, std::string_view text) {
    CAPTURE(text);
    REQUIRE(result.scenario.has_value() != result.error.has_value());
    if (result.error) {
        CHECK(result.error->file == "fuzz.json");
        CHECK_FALSE(result.error->path.empty());
        CHECK_FALSE(result.error->message.empty());
        // The catch-all for exceptions the parser did not expect: every
        // input, however bad, has a reason of its own.
        CHECK_THAT(result.error->message, !Catch::StartsWith("internal error"));
    }
}

TEST_CASE("parse: random bytes never throw and fail with a path and a message",
          "[parse][robustness]") {
    core::Prng prng(20'240'601);
    // Half the inputs draw from JSON's own characters, so they get past the
    // first byte more often than uniformly random bytes would.
    const std::string_view alphabet = "{}[]\":,0123456789.-truefalsn \\ueE";
    for (int i = 0; i < 2000; ++i) {
        std::string text(prng.below(160), '\0');
        const bool json_like = prng.below(2) == 0;
        for (char& c : text) {
            c = json_like ? alphabet[prng.below(alphabet.size())]
                          : static_cast<char>(prng.below(256));
        }
        ParseResult result;
        REQUIRE_NOTHROW(result = scenarios::parse_scenario(text, "fuzz.json"));
        check_outcome(result, text);
    }
}

const std::array<std::string_view, 24> fuzz_tokens = {
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "0",
    "-1",
    "4294967296",
    "1e400",
    "null",
    "true",
    "\"1s\"",
    "\"leader\"",
    "\"a\"",
    "{\"random\": 9}",
    "[1, 0]",
    "[]",
    "{}",
    "\"1.5us\"",
    "\"\xff\"",
    "[[[[[[[[",
    "\"sleep\": \"1s\"",
};

/// One random edit: delete a slice, insert a token, replace a value after a
/// ':' with a token, or duplicate a slice.
void mutate(std::string& text, core::Prng& prng) {
    const std::size_t at = prng.below(text.size() + 1);
    const std::size_t length = std::min<std::size_t>(prng.below(12), text.size() - at);
    const std::string_view token = fuzz_tokens[prng.below(fuzz_tokens.size())];
    switch (prng.below(4)) {
        case 0:
            text.erase(at, length);
            break;
        case 1:
            text.insert(at, token);
            break;
        case 2: {
            const std::size_t colon = text.find(':', at);
            if (colon != std::string::npos) {
                const std::size_t end = text.find_first_of(",}]", colon + 1);
                text.replace(colon + 1, (end == std::string::npos ? text.size() : end) - colon - 1,
                             token);
            }
            break;
        }
        default:
            text.insert(at, text.substr(at, length));
            break;
    }
}

TEST_CASE("parse: random mutations of a valid scenario never throw", "[parse][robustness]") {
    core::Prng prng(77);
    int accepted = 0;
    int refused = 0;
    for (int i = 0; i < 2000; ++i) {
        std::string text = i % 2 == 0 ? full_scenario : membership_scenario;
        const std::uint64_t edits = 1 + prng.below(3);
        for (std::uint64_t e = 0; e < edits; ++e) {
            mutate(text, prng);
        }
        ParseResult result;
        REQUIRE_NOTHROW(result = scenarios::parse_scenario(text, "fuzz.json"));
        check_outcome(result, text);
        (result.scenario ? accepted : refused) += 1;
    }
    // Both outcomes occur, so the mutations reach past the JSON syntax into
    // the validation of every section.
    CHECK(accepted > 0);
    CHECK(refused > 0);
}

}  // namespace
}  // namespace raftsim::test
