// The shrinker: delta debugging on plain lists (table-driven), then whole
// scenarios -- a noisy run that fails a liveness check shrinks to the steps
// that cause it, keeps failing the same way from its own text, gives the
// same result every time, stops at its budget with a failing result, and
// refuses a run that passes.
#include "shrink/shrink.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/parse.hpp"
#include "raftsim/scenarios/write.hpp"

namespace raftsim::replay {
namespace {

using Items = std::vector<int>;

[[nodiscard]] Items iota(int count) {
    Items items;
    for (int i = 0; i < count; ++i) {
        items.push_back(i);
    }
    return items;
}

// "Fails" while every one of `needed` is still in the list.
[[nodiscard]] std::function<bool(const Items&)> fails_while_contains(std::set<int> needed,
                                                                     int& calls) {
    return [needed = std::move(needed), &calls](const Items& items) {
        calls += 1;
        std::set<int> left = needed;
        for (int item : items) {
            left.erase(item);
        }
        return left.empty();
    };
}

TEST_CASE("delta_debug: cuts a list down to the items the failure needs", "[shrink]") {
    struct Case {
        int size;
        std::set<int> needed;
        std::size_t min_size;
        Items expected;
    };
    const std::vector<Case> cases = {
        {1, {0}, 0, {0}},
        {8, {3}, 0, {3}},
        {16, {3, 12}, 0, {3, 12}},
        {40, {0, 19, 39}, 0, {0, 19, 39}},
        {40, {}, 0, {}},
        {40, {}, 2, {38, 39}},  // never below min_size: the last chunk stands
        {64, {5, 6, 7}, 0, {5, 6, 7}},
    };
    for (const Case& c : cases) {
        Items items = iota(c.size);
        int calls = 0;
        delta_debug<int>(items, c.min_size, {}, fails_while_contains(c.needed, calls));
        INFO("size " << c.size << ", " << c.needed.size() << " needed");
        CHECK(items == c.expected);
        // ddmin is quadratic at worst; these inputs need far fewer runs.
        CHECK(calls <= 4 * c.size + 8);
    }
}

TEST_CASE("delta_debug: never removes kept items, and leaves a list that never fails alone",
          "[shrink]") {
    Items items = iota(10);
    int calls = 0;
    const std::function<bool(const int&)> keep_even = [](const int& item) { return item % 2 == 0; };
    CHECK(delta_debug<int>(items, 0, keep_even, fails_while_contains({7}, calls)));
    CHECK(items == Items{0, 2, 4, 6, 7, 8});

    Items untouched = iota(6);
    const bool removed = delta_debug<int>(untouched, 0, {}, [](const Items&) { return false; });
    CHECK_FALSE(removed);
    CHECK(untouched == iota(6));
}

// Five voters, a workload, a partition healed, a crash undone, applies and
// sleeps -- then three voters crash and no leader can be elected.
constexpr const char* noisy_no_leader = R"({
  "name": "NoisyNoLeader",
  "cluster": {"names": ["n1", "n2", "n3", "n4", "n5"]},
  "workload": {"continuous": true},
  "steps": [
    {"wait_for_leader": "10s"},
    {"apply": 50},
    {"sleep": "2s"},
    {"partition": ["n1"], "as": "lonely"},
    {"sleep": "1s"},
    {"heal": "lonely"},
    {"crash": ["n2"]},
    {"sleep": "500ms"},
    {"restart": ["n2"]},
    {"repeat": 3, "steps": [{"apply": 20}, {"sleep": "1s"}]},
    {"crash": ["n3", "n4", "n5"]},
    {"wait_for_leader": "3s"}
  ]
})";

[[nodiscard]] scenarios::Scenario parsed(const std::string& text) {
    scenarios::ParseResult result = scenarios::parse_scenario(text, "shrink_test");
    REQUIRE_FALSE(result.error.has_value());
    return std::move(*result.scenario);
}

[[nodiscard]] ShrinkOptions liveness_options(std::uint64_t max_runs) {
    ShrinkOptions options;
    options.seed = 3;
    options.goal = {.checker = "liveness", .kind = "no_leader"};
    options.max_runs = max_runs;
    return options;
}

TEST_CASE("shrink: a noisy liveness failure shrinks to the crashes that cause it", "[shrink]") {
    const scenarios::Scenario noisy = parsed(noisy_no_leader);
    const std::optional<ShrinkResult> result = shrink(noisy, liveness_options(1000));
    REQUIRE(result.has_value());
    CHECK_FALSE(result->stopped_early);
    CHECK(result->before.steps == 14);  // a repeat's body counts
    CHECK(result->after.steps <= 3);
    CHECK(result->after.events * 10 <= result->before.events);
    // The crash of three voters stays: without it a leader is elected. And
    // with a fault left, no node is removed (that could fake the failure).
    CHECK(result->text.find(R"({"crash": ["n3", "n4", "n5"]})") != std::string::npos);
    CHECK(result->after.nodes == 5);
    CHECK(result->text.find("apply") == std::string::npos);
    CHECK(result->text.find("partition") == std::string::npos);

    // The text it hands back fails the same way on its own.
    const scenarios::RunResult rerun = scenarios::run_scenario(parsed(result->text), {.seed = 3});
    CHECK(goal_of(rerun).checker == "liveness");
    CHECK(goal_of(rerun).kind == "no_leader");
    CHECK(rerun.events == result->after.events);
}

TEST_CASE("shrink: the same input gives the same result", "[shrink]") {
    const scenarios::Scenario noisy = parsed(noisy_no_leader);
    const std::optional<ShrinkResult> first = shrink(noisy, liveness_options(1000));
    const std::optional<ShrinkResult> second = shrink(noisy, liveness_options(1000));
    REQUIRE(first.has_value());
    REQUIRE(second.has_value());
    CHECK(first->text == second->text);
    CHECK(first->runs == second->runs);
}

TEST_CASE("shrink: a spent budget stops the search with a failing result", "[shrink]") {
    const scenarios::Scenario noisy = parsed(noisy_no_leader);
    const std::optional<ShrinkResult> result = shrink(noisy, liveness_options(3));
    REQUIRE(result.has_value());
    CHECK(result->stopped_early);
    CHECK(result->runs <= 4);  // the first run and three candidates
    const scenarios::RunResult rerun = scenarios::run_scenario(parsed(result->text), {.seed = 3});
    CHECK(goal_of(rerun).kind == "no_leader");

    int asked = 0;
    ShrinkOptions stopping = liveness_options(1000);
    stopping.stop = [&asked] { return ++asked > 2; };
    const std::optional<ShrinkResult> stopped = shrink(noisy, stopping);
    REQUIRE(stopped.has_value());
    CHECK(stopped->stopped_early);
}

TEST_CASE("shrink: a run that does not fail that way is refused", "[shrink]") {
    const scenarios::Scenario noisy = parsed(noisy_no_leader);
    ShrinkOptions options = liveness_options(100);
    options.goal.kind = "some_other_kind";
    CHECK_FALSE(shrink(noisy, options).has_value());
}

}  // namespace
}  // namespace raftsim::replay

namespace raftsim::replay {
namespace {

// Random choices in a loop: which branch, which nodes, how many.
constexpr const char* random_loop = R"({
  "name": "RandomLoop",
  "cluster": {"voters": 5},
  "workload": {"continuous": true, "think": "20ms"},
  "steps": [
    {"wait_for_leader": "10s"},
    {"repeat": 4, "steps": [
      {"one_of": [
        {"weight": 1, "steps": [{"partition": {"random": [1, 2]}, "as": "g"}]},
        {"weight": 1, "steps": [{"partition": {"leader_plus": {"random": [0, 1]}}, "as": "g"}]}
      ]},
      {"sleep": "300ms"},
      {"heal": "g"},
      {"crash": {"random": 1}},
      {"sleep": "200ms"},
      {"restart": "all"}
    ]}
  ]
})";

// The trace without its `step` records (a flat list has no records for
// the repeat and one_of steps it no longer has).
[[nodiscard]] std::vector<sim::TraceRecord> without_steps(const scenarios::RunResult& result) {
    std::vector<sim::TraceRecord> records;
    for (const sim::TraceRecord& record : result.simulation->trace().records()) {
        if (record.kind != sim::TraceKind::step) {
            records.push_back(record);
        }
    }
    return records;
}

[[nodiscard]] bool same_records(const std::vector<sim::TraceRecord>& a,
                                const std::vector<sim::TraceRecord>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const bool same = a[i].time == b[i].time && a[i].kind == b[i].kind &&
                          a[i].sub == b[i].sub && a[i].node == b[i].node &&
                          a[i].peer == b[i].peer && a[i].term == b[i].term && a[i].a == b[i].a &&
                          a[i].b == b[i].b && a[i].c == b[i].c;
        if (!same) {
            return false;
        }
    }
    return true;
}

TEST_CASE("interpret: recorded steps spell out loops and choices and replay the same run",
          "[shrink]") {
    const scenarios::Scenario looped = parsed(random_loop);
    const scenarios::RunResult original =
        scenarios::run_scenario(looped, {.seed = 5, .keep_trace = true, .record_steps = true});
    const std::vector<scenarios::Step>& flat = original.executed_steps;
    REQUIRE(flat.size() == 1 + 4 * 6);
    for (const scenarios::Step& step : flat) {
        CHECK(step.kind != scenarios::Step::Kind::repeat);
        CHECK(step.kind != scenarios::Step::Kind::one_of);
        for (const scenarios::NodeSelector& selector : step.nodes) {
            const bool random_count = selector.count_min != selector.count_max;
            CHECK(selector.kind != scenarios::NodeSelector::Kind::random);
            CHECK_FALSE(random_count);
        }
    }
    scenarios::Scenario spelled = looped;
    spelled.steps = flat;
    const scenarios::Scenario reparsed = parsed(scenarios::scenario_to_json(spelled));
    const scenarios::RunResult replayed =
        scenarios::run_scenario(reparsed, {.seed = 5, .keep_trace = true});
    CHECK(replayed.passed == original.passed);
    CHECK(same_records(without_steps(original), without_steps(replayed)));
    // Without recording, nothing is collected.
    CHECK(scenarios::run_scenario(looped, {.seed = 5}).executed_steps.empty());
}

}  // namespace
}  // namespace raftsim::replay
