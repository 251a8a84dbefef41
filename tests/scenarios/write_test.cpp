// The scenario writer (write.hpp): what it writes parses back into the same
// Scenario, writing that again gives the same text, and the re-parsed
// built-in scenarios run exactly as the originals (same trace fingerprints).
#include "raftsim/scenarios/write.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "raftsim/core/prng.hpp"
#include "raftsim/scenarios/builtin.hpp"
#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/parse.hpp"

namespace raftsim::test {
namespace {

using scenarios::Branch;
using scenarios::NetworkSpec;
using scenarios::NodeSelector;
using scenarios::ParseResult;
using scenarios::Scenario;
using scenarios::Step;
using Kind = Step::Kind;
using SelectorKind = NodeSelector::Kind;

constexpr std::uint64_t ms = 1'000;
constexpr std::uint64_t second = 1'000'000;

Scenario parsed(std::string_view text, const std::string& file) {
    const ParseResult result = scenarios::parse_scenario(text, file);
    INFO((result.error ? result.error->to_string() : std::string("no error")));
    CAPTURE(text);
    REQUIRE_FALSE(result.error);
    REQUIRE(result.scenario);
    return *result.scenario;
}

// ---------------------------------------------------------------- equality

// Most of spec.hpp's structs have no operator== (nothing else needs one);
// these name the first field that differs, so a failure says what the
// writer lost.

std::string selector_difference(const NodeSelector& a, const NodeSelector& b,
                                const std::string& where) {
    if (a.kind != b.kind || a.name != b.name || a.count_min != b.count_min ||
        a.count_max != b.count_max) {
        return where;
    }
    return "";
}

std::string selectors_difference(const std::vector<NodeSelector>& a,
                                 const std::vector<NodeSelector>& b, const std::string& where) {
    if (a.size() != b.size()) {
        return where + ".size";
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::string d = selector_difference(a[i], b[i], fmt::format("{}[{}]", where, i));
            !d.empty()) {
            return d;
        }
    }
    return "";
}

bool same_network(const NetworkSpec& a, const NetworkSpec& b) {
    return a.latency_min_us == b.latency_min_us && a.latency_max_us == b.latency_max_us &&
           a.drop == b.drop && a.duplicate == b.duplicate && a.reorder == b.reorder &&
           a.reorder_delay_max_us == b.reorder_delay_max_us && a.stale_replay == b.stale_replay &&
           a.stale_replay_delay_min_us == b.stale_replay_delay_min_us &&
           a.stale_replay_delay_max_us == b.stale_replay_delay_max_us &&
           a.queue_capacity == b.queue_capacity;
}

std::string steps_difference(const std::vector<Step>& a, const std::vector<Step>& b,
                             const std::string& where, bool paths);

std::string step_difference(const Step& a, const Step& b, const std::string& where, bool paths) {
    const bool scalars_equal =
        a.kind == b.kind && (!paths || a.json_path == b.json_path) &&
        a.duration_us == b.duration_us && a.group == b.group && a.slow_mode == b.slow_mode &&
        a.delay_min_us == b.delay_min_us && a.delay_max_us == b.delay_max_us &&
        a.message_types == b.message_types && same_network(a.network, b.network) &&
        a.lose_unsynced == b.lose_unsynced && a.torn == b.torn && a.crash_after == b.crash_after &&
        a.drift_ppm == b.drift_ppm && a.count == b.count && a.optional == b.optional &&
        a.name == b.name && a.suffrage == b.suffrage && a.any_target == b.any_target;
    if (!scalars_equal) {
        return where;
    }
    std::string d = selectors_difference(a.nodes, b.nodes, where + ".nodes");
    d = d.empty() ? selector_difference(a.from, b.from, where + ".from") : d;
    d = d.empty() ? selector_difference(a.to, b.to, where + ".to") : d;
    d = d.empty() ? steps_difference(a.steps, b.steps, where + ".steps", paths) : d;
    if (d.empty() && a.branches.size() != b.branches.size()) {
        d = where + ".branches.size";
    }
    for (std::size_t i = 0; d.empty() && i < a.branches.size(); ++i) {
        const std::string branch = fmt::format("{}.branches[{}]", where, i);
        d = a.branches[i].weight != b.branches[i].weight ? branch + ".weight" : "";
        d = d.empty() ? steps_difference(a.branches[i].steps, b.branches[i].steps,
                                         branch + ".steps", paths)
                      : d;
    }
    return d;
}

std::string steps_difference(const std::vector<Step>& a, const std::vector<Step>& b,
                             const std::string& where, bool paths) {
    if (a.size() != b.size()) {
        return where + ".size";
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::string d = step_difference(a[i], b[i], fmt::format("{}[{}]", where, i), paths);
            !d.empty()) {
            return d;
        }
    }
    return "";
}

bool same_raft(const core::DurationConfig& a, const core::DurationConfig& b) {
    return a.heartbeat_timeout_us == b.heartbeat_timeout_us &&
           a.election_timeout_us == b.election_timeout_us &&
           a.commit_timeout_us == b.commit_timeout_us && a.leader_lease_us == b.leader_lease_us &&
           a.max_append_entries == b.max_append_entries &&
           a.max_inflight_appends == b.max_inflight_appends &&
           a.max_uncommitted_entries == b.max_uncommitted_entries &&
           a.snapshot_threshold_entries == b.snapshot_threshold_entries &&
           a.trailing_log_entries == b.trailing_log_entries && a.pre_vote == b.pre_vote &&
           a.check_quorum == b.check_quorum && a.protocol_version == b.protocol_version;
}

/// "" if `a` and `b` say the same (source_path aside; json_path too unless
/// `paths`), else where they differ.
std::string scenario_difference(const Scenario& a, const Scenario& b, bool paths = true) {
    if (a.schema != b.schema || a.name != b.name || a.description != b.description) {
        return "schema/name/description";
    }
    if (a.cluster.names != b.cluster.names || a.cluster.tick_us != b.cluster.tick_us ||
        a.cluster.disk_sync_us != b.cluster.disk_sync_us) {
        return "cluster";
    }
    if (!same_raft(a.raft, b.raft)) {
        return "raft";
    }
    if (!same_network(a.network, b.network)) {
        return "network";
    }
    if (a.workload.source != b.workload.source || a.workload.batch != b.workload.batch ||
        a.workload.think_us != b.workload.think_us ||
        a.workload.continuous != b.workload.continuous) {
        return "workload";
    }
    if (a.message_faults != b.message_faults) {
        return "message_faults";
    }
    if (a.checks.verify != b.checks.verify || a.checks.settle_us != b.checks.settle_us ||
        a.checks.black_box != b.checks.black_box) {
        return "checks";
    }
    if (a.limits != b.limits) {
        return "limits";
    }
    if (a.expect != b.expect) {
        return "expect";
    }
    return steps_difference(a.steps, b.steps, "steps", paths);
}

/// write -> parse gives the same scenario, and writing that gives the same text.
std::string round_trip(const Scenario& scenario, bool paths = true) {
    const std::string text = scenarios::scenario_to_json(scenario);
    CAPTURE(text);
    const Scenario again = parsed(text, "written.json");
    CHECK(scenario_difference(scenario, again, paths).empty());
    CHECK(scenarios::scenario_to_json(again) == text);
    return text;
}

// ---------------------------------------------------------------- built-ins

TEST_CASE("write: every built-in scenario round-trips to identical text", "[write][builtin]") {
    const auto suite = scenarios::builtin_scenarios();
    REQUIRE(suite.size() >= 22);
    for (const scenarios::BuiltinScenario& builtin : suite) {
        CAPTURE(builtin.name);
        const Scenario original = parsed(builtin.text, std::string(builtin.file_name));
        const std::string first = scenarios::scenario_to_json(original);
        const Scenario reparsed = parsed(first, "first.json");
        CHECK(scenario_difference(original, reparsed) == "");
        const std::string second = scenarios::scenario_to_json(reparsed);
        CHECK(second == first);
        CHECK(scenarios::scenario_to_json(parsed(second, "second.json")) == first);
        // Within the default limits nothing is written for them, so the
        // text is what it was before limits existed.
        CHECK_THAT(first, !Catch::Contains("limits"));
    }
}

TEST_CASE("write: re-parsed built-in scenarios run with the same fingerprints",
          "[write][builtin][run]") {
    for (const scenarios::BuiltinScenario& builtin : scenarios::builtin_scenarios()) {
        CAPTURE(builtin.name);
        const Scenario original = parsed(builtin.text, std::string(builtin.file_name));
        const Scenario reparsed =
            parsed(scenarios::scenario_to_json(original), std::string(builtin.file_name));
        for (std::uint64_t seed = 1; seed <= 2; ++seed) {
            CAPTURE(seed);
            const scenarios::RunResult a = scenarios::run_scenario(original, {.seed = seed});
            const scenarios::RunResult b = scenarios::run_scenario(reparsed, {.seed = seed});
            CHECK(a.passed);
            CHECK(a.fingerprint == b.fingerprint);
            CHECK(a.events == b.events);
        }
    }
}

// ---------------------------------------------------------------- layout

TEST_CASE("write: the layout is one step per line, nested lists hanging", "[write]") {
    const Scenario s = parsed(R"({"name": "small", "cluster": {"names": ["a", "b", "c"]},
        "workload": {"batch": 2},
        "steps": [{"wait_for_leader": "10s", "optional": true}, {"start_workload": {}},
                  {"repeat": 2, "steps": [{"partition": "leader", "as": "g"}, {"sleep": "1.5s"},
                                          {"one_of": [{"steps": []},
                                                      {"weight": 3, "steps": [{"heal": "g"}]}]}]},
                  {"add_voter": "a"}],
        "message_faults": [{"message": 3, "drop": true}, {"message": 9, "delay": "30ms"}]})",
                              "small.json");
    const std::string expected = R"({
  "name": "small",
  "cluster": {"names": ["a", "b", "c"], "tick": "10ms", "disk_sync": "0ms"},
  "raft": {
    "heartbeat_timeout": "1s",
    "election_timeout": "1s",
    "commit_timeout": "50ms",
    "leader_lease": "500ms",
    "max_append_entries": 64,
    "max_inflight_appends": 64,
    "max_uncommitted_entries": 65536,
    "snapshot_threshold": 8192,
    "trailing_logs": 10240,
    "pre_vote": false,
    "check_quorum": true
  },
  "workload": {"source": "small", "batch": 2, "think": "100us", "continuous": false},
  "steps": [
    {"wait_for_leader": "10s", "optional": true},
    {"start_workload": {"batch": 2, "think": "100us"}},
    {"repeat": 2, "steps": [
      {"partition": "leader", "as": "g"},
      {"sleep": "1500ms"},
      {"one_of": [
        {"weight": 1, "steps": []},
        {"weight": 3, "steps": [{"heal": "g"}]}
      ]}
    ]},
    {"add_voter": "a", "within": "1m"}
  ],
  "message_faults": [
    {"message": 3, "drop": true},
    {"message": 9, "delay": "30ms"}
  ],
  "checks": {"verify": true, "settle": "1m"}
}
)";
    CHECK(scenarios::scenario_to_json(s) == expected);
    round_trip(s);
}

TEST_CASE("write: durations use the largest unit that holds them exactly", "[write]") {
    const std::vector<std::pair<std::uint64_t, std::string>> cases = {
        {0, "0ms"},
        {1, "1us"},
        {250, "250us"},
        {1'500, "1500us"},
        {10 * ms, "10ms"},
        {1'500 * ms, "1500ms"},
        {2 * second, "2s"},
        {90 * second, "90s"},
        {120 * second, "2m"},
        {5'400 * second, "90m"},
        {3'600 * second, "1h"},
        {std::numeric_limits<std::uint64_t>::max(), "18446744073709551615us"},
    };
    for (const auto& [us, text] : cases) {
        CHECK(scenarios::duration_text(us) == text);
        CHECK(scenarios::parse_duration(text) == us);
    }
    core::Prng prng(5);
    for (int i = 0; i < 1000; ++i) {
        // Whole units of every size, and odd microseconds.
        const std::uint64_t unit = std::array<std::uint64_t, 4>{1, ms, second, 60 * second}[i % 4];
        const std::uint64_t us = prng.below(1'000'000) * unit;
        CHECK(scenarios::parse_duration(scenarios::duration_text(us)) == us);
    }
}

TEST_CASE("write: long lists break over lines and still round-trip", "[write]") {
    std::string names;
    for (int i = 0; i < 64; ++i) {
        names += fmt::format("{}\"node-with-a-long-name.{}\"", i == 0 ? "" : ", ", i);
    }
    const Scenario s = parsed(fmt::format(R"({{"name": "wide", "description": "{}",
        "cluster": {{"names": [{}]}},
        "steps": [{{"partition": ["node-with-a-long-name.1", "node-with-a-long-name.2",
                                  "node-with-a-long-name.3", {{"random": [1, 64]}}], "as": "g"}},
                  {{"crash": {{"group": "g"}}}}]}})",
                                          std::string(300, 'x'), names),
                              "wide.json");
    const std::string text = round_trip(s);
    std::size_t longest = 0;
    std::size_t start = 0;
    for (std::size_t end = text.find('\n'); end != std::string::npos;
         start = end + 1, end = text.find('\n', start)) {
        const std::string_view line(text.data() + start, end - start);
        // The description is one string and may not break.
        if (line.find("xxxxxxxx") == std::string_view::npos) {
            longest = std::max(longest, line.size());
        }
    }
    CHECK(longest <= 100);
}

// ---------------------------------------------------------------- hand-built

NodeSelector selector(SelectorKind kind, std::string name = "", std::uint32_t min = 0,
                      std::uint32_t max = 0) {
    return NodeSelector{.kind = kind, .name = std::move(name), .count_min = min, .count_max = max};
}

/// A step of `kind` at top-level position `index` (its json_path).
Step step(Kind kind, std::size_t index) {
    Step s;
    s.kind = kind;
    s.json_path = fmt::format("steps[{}]", index);
    return s;
}

// The slow_links steps of hand_built_steps (a whole link, then some types)
// and an optional wipe.
void add_slow_link_and_wipe_steps(std::vector<Step>& steps) {
    const auto add = [&steps](Kind kind) -> Step& {
        steps.push_back(step(kind, steps.size()));
        return steps.back();
    };
    Step& slow_link = add(Kind::slow_links);
    slow_link.from = selector(SelectorKind::followers);
    slow_link.to = selector(SelectorKind::leader);
    slow_link.delay_min_us = 0;
    slow_link.delay_max_us = 3'600 * second;
    Step& slow_acks = add(Kind::slow_links);
    slow_acks.from = selector(SelectorKind::name, "a");
    slow_acks.to = selector(SelectorKind::all);
    slow_acks.delay_min_us = 400 * ms;
    slow_acks.delay_max_us = 440 * ms;
    slow_acks.message_types = {core::MessageType::request_vote_response,
                               core::MessageType::append_entries_response};
    add(Kind::clear_slow_links);
    // The swarm's sanctioned wipe: only a removed node is wiped.
    Step& wipe = add(Kind::wipe);
    wipe.nodes = {selector(SelectorKind::name, "c")};
    wipe.optional = true;
}

std::vector<Step> hand_built_steps() {
    std::vector<Step> steps;
    const auto add = [&steps](Kind kind) -> Step& {
        steps.push_back(step(kind, steps.size()));
        return steps.back();
    };
    Step& partition = add(Kind::partition);
    partition.nodes = {selector(SelectorKind::leader),
                       selector(SelectorKind::name, "b"),
                       selector(SelectorKind::leader_plus, "", 2, 2),
                       selector(SelectorKind::leader_plus, "", 0, 3),
                       selector(SelectorKind::random, "", 1, 1),
                       selector(SelectorKind::random, "", 0, 2),
                       selector(SelectorKind::follower, "", 2, 2)};
    partition.group = "minority group";
    Step& crash = add(Kind::crash);
    crash.nodes = {selector(SelectorKind::group, "minority group"),
                   selector(SelectorKind::followers), selector(SelectorKind::all)};
    crash.lose_unsynced = true;
    Step& armed = add(Kind::crash);
    armed.nodes = {selector(SelectorKind::leader)};
    armed.crash_after = "append_entries_response";
    Step& torn = add(Kind::crash);
    torn.nodes = {selector(SelectorKind::random, "", 1, 1)};
    torn.torn = true;
    Step& torn_armed = add(Kind::crash);
    torn_armed.nodes = {selector(SelectorKind::leader)};
    torn_armed.torn = true;
    torn_armed.crash_after = "persist";
    Step& cut = add(Kind::cut);
    cut.from = selector(SelectorKind::follower, "", 1, 1);
    cut.to = selector(SelectorKind::random, "", 1, 2);
    Step& slow = add(Kind::slow_votes);
    slow.slow_mode = sim::SlowVoteMode::recv;
    slow.nodes = {selector(SelectorKind::name, "c")};
    slow.delay_min_us = 250;
    slow.delay_max_us = 2 * second;
    add_slow_link_and_wipe_steps(steps);
    Step& network = add(Kind::network);
    network.network.drop = sim::Ratio{.numerator = 0, .denominator = 5};
    network.network.reorder = sim::Ratio{};
    network.network.queue_capacity = 7;
    network.network.stale_replay = sim::Ratio{};
    Step& drift = add(Kind::clock_drift);
    drift.nodes = {selector(SelectorKind::all)};
    drift.drift_ppm = -999'999;
    Step& create = add(Kind::create_node);
    create.name = "d";
    create.suffrage = "none";
    create.duration_us = 90 * second;
    create.optional = true;
    Step& transfer = add(Kind::transfer_leadership);
    transfer.to = selector(SelectorKind::name, "d");
    transfer.duration_us = 5 * second;
    Step& churn = add(Kind::membership_churn);
    churn.count = 3;
    churn.duration_us = 0;
    churn.optional = true;
    Step& calm = add(Kind::calm);
    calm.duration_us = 20 * second;
    return steps;
}

Scenario hand_built() {
    Scenario s;
    s.name = "hand-built";
    // Free text is escaped; names are plain (the parser allows no quotes).
    s.description = "hand \"built\" \u00e9";
    s.cluster.names = {"a", "b", "c"};
    s.cluster.tick_us = 5 * ms;
    s.cluster.disk_sync_us = 1'500;
    s.raft.heartbeat_timeout_us = 500 * ms;
    s.raft.election_timeout_us = 500 * ms;
    s.raft.leader_lease_us = 250 * ms;
    s.raft.commit_timeout_us = 5 * ms;
    s.network.latency_min_us = 0;
    s.network.latency_max_us = 3 * ms;
    s.network.duplicate = sim::Ratio{.numerator = 2, .denominator = 4};
    s.network.reorder_delay_max_us = 1;
    s.network.stale_replay = sim::Ratio{.numerator = 1, .denominator = 50};
    s.network.stale_replay_delay_min_us = 1;
    s.network.stale_replay_delay_max_us = 3'600 * second;
    s.workload = {.source = "src", .batch = 1, .continuous = true};
    s.steps = hand_built_steps();
    s.message_faults = {
        {.message = 1, .kind = sim::MessageFault::Kind::drop, .delay_us = 0},
        {.message = std::numeric_limits<std::uint64_t>::max(),
         .kind = sim::MessageFault::Kind::duplicate,
         .delay_us = 0},
        {.message = 5, .kind = sim::MessageFault::Kind::delay, .delay_us = 30 * ms},
        {.message = 6, .kind = sim::MessageFault::Kind::replay, .delay_us = 5 * second},
    };
    s.checks = {.verify = false, .settle_us = 0, .black_box = true};
    return s;
}

TEST_CASE("write: a hand-built scenario with every selector kind and message faults round-trips",
          "[write]") {
    const Scenario s = hand_built();
    const std::string text = round_trip(s);
    CHECK_THAT(text, Catch::Contains(R"({"message": 18446744073709551615, "duplicate": true})"));
    CHECK_THAT(text, Catch::Contains(R"({"leader_plus": {"random": [0, 3]}})"));
    CHECK_THAT(text, Catch::Contains(R"("drop": [0, 5], "reorder": 0)"));
    CHECK_THAT(text, Catch::Contains(R"({"transfer_leadership": "d", "within": "5s"})"));
    CHECK_THAT(text, Catch::Contains(R"({"message": 6, "replay": "5s"})"));
    CHECK_THAT(text, Catch::Contains(R"("stale_replay": [1, 50],)"));
    CHECK_THAT(text, Catch::Contains(R"("stale_replay_delay": ["1us", "1h"])"));
    CHECK_THAT(text, Catch::Contains(R"("stale_replay": 0, "queue_capacity": 7)"));
    CHECK_THAT(text, Catch::Contains(R"({"crash": {"random": 1}, "torn": true})"));
    CHECK_THAT(text, Catch::Contains(R"({"crash": "leader", "torn": true, "after": "persist"})"));
    CHECK_THAT(text, Catch::Contains(R"("slow_links": {"from": "followers", "to": "leader")"));
    // The types in the file's order, not the enum's.
    const std::size_t vote = text.find(R"("request_vote_response")");
    REQUIRE(vote != std::string::npos);
    CHECK(text.find(R"("append_entries_response")", vote) != std::string::npos);
    CHECK_THAT(text, Catch::Contains(R"({"clear_slow_links": {}})"));
    CHECK_THAT(text, Catch::Contains(R"({"wipe": "c", "optional": true})"));
}

TEST_CASE("write: one_of and repeat nest to the parser's limit", "[write]") {
    std::string steps = R"({"sleep": "1s"})";
    for (int i = 0; i < 16; ++i) {
        steps = i % 2 == 0 ? R"({"repeat": 1000000, "steps": [)" + steps + R"(, {"apply": 1}]})"
                           : R"({"one_of": [{"weight": 4294967294, "steps": [)" + steps +
                                 R"(]}, {"steps": []}]})";
    }
    const Scenario s =
        parsed(R"({"name": "deep", "cluster": {"voters": 1}, "steps": [)" + steps + "]}", "d.json");
    round_trip(s);
}

TEST_CASE("write: membership steps keep their defaults explicit", "[write][membership]") {
    const Scenario s = parsed(R"({"name": "m", "cluster": {"voters": 3, "name_prefix": "x"},
        "steps": [{"add_voter": "x_0"}, {"add_nonvoter": ["x_1", "x_2"], "optional": true},
                  {"demote_voter": {"random": 1}}, {"remove_server": "leader", "within": "2m"},
                  {"create_node": "y"}, {"transfer_leadership": "any"}, {"snapshot": "all"},
                  {"membership_churn": {"changes": 2, "interval": "1s"}}, {"apply": 5},
                  {"stop_workload": {}}, {"heal_all": {}}, {"clear_slow_votes": {}},
                  {"restart": "y"}, {"restore": {"from": "x_0", "to": "leader"}},
                  {"wait_until_up_to_date": "1m"}]})",
                              "m.json");
    const std::string text = round_trip(s);
    CHECK_THAT(text, Catch::Contains(R"("names": ["x_0", "x_1", "x_2"])"));
    CHECK_THAT(text, Catch::Contains(R"({"add_voter": "x_0", "within": "1m"})"));
    CHECK_THAT(text, Catch::Contains(R"({"create_node": "y", "as": "voter", "within": "1m"})"));
    CHECK_THAT(text, Catch::Contains(R"({"transfer_leadership": "any", "within": "10s"})"));
}

TEST_CASE("write: limits are written only when one differs from its default, then all four",
          "[write][limits]") {
    const std::string base = R"({"name": "l", "cluster": {"voters": 1}, "steps": [])";
    const Scenario defaults = parsed(base + "}", "l.json");
    CHECK_THAT(round_trip(defaults), !Catch::Contains("limits"));
    const Scenario spelled_out =
        parsed(base + R"(, "limits": {"events": 4000000, "steps": 100000}})", "l.json");
    CHECK_THAT(round_trip(spelled_out), !Catch::Contains("limits"));

    const Scenario one = parsed(base + R"(, "limits": {"simulated_time": "90m"}})", "l.json");
    const std::string text = round_trip(one);
    CHECK_THAT(text,
               Catch::EndsWith("  \"limits\": {\"events\": 4000000, \"simulated_time\": \"90m\", "
                               "\"steps\": 100000, \"requests\": 700000}\n}\n"));
    Scenario all = defaults;
    all.limits = {.events = 7, .simulated_time_us = 1500, .steps = 9, .requests = 11};
    CHECK_THAT(round_trip(all),
               Catch::Contains(R"("limits": {"events": 7, "simulated_time": "1500us", "steps": 9, )"
                               R"("requests": 11})"));
}

TEST_CASE("write: expect is written only when there is one, every entry naming its system",
          "[write][expect]") {
    const std::string base = R"({"name": "x", "cluster": {"voters": 1}, "steps": [])";
    CHECK_THAT(round_trip(parsed(base + "}", "x.json")), !Catch::Contains("expect"));
    const Scenario kept = parsed(base + R"(, "expect": [
        {"seed": 254, "fails_with": {"checker": "liveness", "kind": "no_leader"}},
        {"sut": "canonical", "seed": 58,
         "fails_with": {"checker": "durability", "kind": "acknowledged_entry_truncated"},
         "fixed_in": "0.17.1", "why": "a stale tail"}]})",
                                 "x.json");
    const std::string text = round_trip(kept);
    CHECK_THAT(text, Catch::Contains(R"({"sut": "raftsim", "seed": 254, "fails_with": )"));
    // Too long for one line, the second breaks over lines like any object.
    CHECK_THAT(text, Catch::Contains(
                         "      \"fixed_in\": \"0.17.1\",\n      \"why\": \"a stale tail\"\n"));
    CHECK_THAT(text, !Catch::Contains(R"("seed": 254, "fails_with": {"checker": "liveness", )"
                                      R"("kind": "no_leader"}, "fixed_in")"));
}

TEST_CASE("write: \"$schema\" is written first, and only when set", "[write][schema]") {
    const Scenario with_schema = parsed(
        R"({"name": "s", "cluster": {"voters": 1}, "steps": [],
            "$schema": "../schema/scenario.schema.json"})",
        "s.json");
    CHECK(with_schema.schema == "../schema/scenario.schema.json");
    const std::string text = round_trip(with_schema);
    CHECK_THAT(text,
               Catch::StartsWith(
                   "{\n  \"$schema\": \"../schema/scenario.schema.json\",\n  \"name\": \"s\","));
    Scenario without = with_schema;
    without.schema.clear();
    CHECK_THAT(round_trip(without), !Catch::Contains("$schema"));
}

// ---------------------------------------------------------------- mutations

/// One random edit of the text: delete or duplicate a slice, or swap in a
/// token, so many variants still parse and reach the writer.
void mutate(std::string& text, core::Prng& prng) {
    static const std::array<std::string_view, 12> tokens = {
        "1",    "0",       "\"1.5s\"",  "\"leader\"", "{\"random\": [0, 1]}", "[1, 3]",
        "true", "\"all\"", "\"250us\"", "[]",         "{\"follower\": 1}",    "7",
    };
    const std::size_t at = prng.below(text.size() + 1);
    const std::size_t length = std::min<std::size_t>(prng.below(16), text.size() - at);
    switch (prng.below(3)) {
        case 0:
            text.erase(at, length);
            break;
        case 1:
            text.insert(at, text.substr(at, length));
            break;
        default:
            text.replace(at, length, tokens[prng.below(tokens.size())]);
            break;
    }
}

TEST_CASE("write: every accepted mutation of a built-in scenario round-trips",
          "[write][robustness]") {
    core::Prng prng(11);
    const auto suite = scenarios::builtin_scenarios();
    int accepted = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string text(suite[prng.below(suite.size())].text);
        for (std::uint64_t edits = 1 + prng.below(2); edits > 0; --edits) {
            mutate(text, prng);
        }
        const ParseResult result = scenarios::parse_scenario(text, "mutant.json");
        if (result.scenario) {
            CAPTURE(text);
            round_trip(*result.scenario);
            accepted += 1;
        }
    }
    CHECK(accepted > 100);
}

}  // namespace
}  // namespace raftsim::test
