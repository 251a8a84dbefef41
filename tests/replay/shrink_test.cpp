// The shrinker: delta debugging on plain lists (table-driven), then whole
// scenarios -- a noisy run that fails a liveness check shrinks to the steps
// that cause it, keeps failing the same way from its own text, gives the
// same result every time and with any number of workers, stops at its
// budget with a failing result, and refuses a run that passes. What "the
// same failure" is: a deadline failure keeps its step (by identity, through
// the JSON round trip and the spelled-out run), an assertion its expression
// and place.
#include "shrink/shrink.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/parse.hpp"
#include "raftsim/scenarios/write.hpp"
#include "shrink/shrink_runner.hpp"
#include "shrink/shrink_steps.hpp"

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

[[nodiscard]] ShrinkOptions options_with(std::uint64_t max_runs, std::size_t jobs = 0) {
    ShrinkOptions options;
    options.max_runs = max_runs;
    options.jobs = jobs;
    return options;
}

// How `text` fails on `seed`, as a goal (its steps numbered as a shrink
// numbers them).
[[nodiscard]] ShrinkGoal goal_on(const std::string& text, std::uint64_t seed) {
    return start_shrink(parsed(text), seed).goal;
}

TEST_CASE("shrink: a noisy liveness failure shrinks to the crashes that cause it", "[shrink]") {
    const scenarios::Scenario noisy = parsed(noisy_no_leader);
    const std::optional<ShrinkResult> result = shrink(noisy, 3, options_with(1000));
    REQUIRE(result.has_value());
    CHECK(result->stop == ShrinkStop::done);
    CHECK(result->before.steps == 14);  // a repeat's body counts
    CHECK(result->after.steps <= 3);
    CHECK(result->after.events * 10 <= result->before.events);
    // The crash of three voters stays: without it a leader is elected. And
    // with a fault left, no node is removed (that could fake the failure).
    CHECK(result->text.find(R"({"crash": ["n3", "n4", "n5"]})") != std::string::npos);
    CHECK(result->after.nodes == 5);
    CHECK(result->text.find("apply") == std::string::npos);
    CHECK(result->text.find("partition") == std::string::npos);

    // The text it hands back fails the same way on its own, at the step
    // the goal names.
    const ShrinkGoal rerun = goal_on(result->text, 3);
    CHECK(rerun.checker == "liveness");
    CHECK(rerun.kind == "no_leader");
    CHECK(rerun.step_path == result->goal.step_path);
    CHECK(start_shrink(parsed(result->text), 3).size.events == result->after.events);
}

[[nodiscard]] std::string file_text(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST_CASE("shrink: a liveness failure keeps its cause, not a heartbeat under four ticks",
          "[shrink]") {
    // Method: the kept swarm 4506 (a deadlock of hashicorp's vote rule,
    // seen by a calm period). Its timeouts were once halved to a 2-tick
    // heartbeat, where split votes alone outlast the calm bound: the same
    // failure kind, another cause, and the membership steps were dropped.
    // Shrunk now, the heartbeat stays at four ticks or more, and the
    // changes that make the deadlock stay.
    const scenarios::Scenario found =
        parsed(file_text(std::string(RAFTSIM_FINDINGS_DIR) + "/swarm-4506-calm-no-leader.json"));
    const std::optional<ShrinkResult> result = shrink(found, 4506, options_with(2000));
    REQUIRE(result.has_value());
    CHECK(result->goal.kind == "calm_no_leader");
    const scenarios::Scenario shrunk = parsed(result->text);
    CHECK(shrunk.raft.heartbeat_timeout_us >= 4 * shrunk.cluster.tick_us);
    CHECK(result->text.find("demote_voter") != std::string::npos);
    CHECK(result->text.find("create_node") != std::string::npos);
}

TEST_CASE("shrink: the same input gives the same result", "[shrink]") {
    const scenarios::Scenario noisy = parsed(noisy_no_leader);
    const std::optional<ShrinkResult> first = shrink(noisy, 3, options_with(1000));
    const std::optional<ShrinkResult> second = shrink(noisy, 3, options_with(1000));
    REQUIRE(first.has_value());
    REQUIRE(second.has_value());
    CHECK(first->text == second->text);
    CHECK(first->runs == second->runs);
}

TEST_CASE("shrink: --max-runs bounds the candidate runs exactly and says it stopped the search",
          "[shrink]") {
    const scenarios::Scenario noisy = parsed(noisy_no_leader);
    for (const std::uint64_t max_runs : {1, 2, 3, 10}) {
        const std::optional<ShrinkResult> result = shrink(noisy, 3, options_with(max_runs));
        REQUIRE(result.has_value());
        INFO("max_runs " << max_runs);
        CHECK(result->stop == ShrinkStop::max_runs);
        CHECK(result->runs == max_runs);
        CHECK(goal_on(result->text, result->seed).kind == "no_leader");
    }
}

TEST_CASE("shrink: the caller's stop ends the search with a failing result", "[shrink]") {
    const scenarios::Scenario noisy = parsed(noisy_no_leader);
    int asked = 0;
    ShrinkOptions stopping = options_with(1000);
    stopping.stop = [&asked] { return ++asked > 2; };
    const std::optional<ShrinkResult> stopped = shrink(noisy, 3, stopping);
    REQUIRE(stopped.has_value());
    CHECK(stopped->stop == ShrinkStop::stopped);
    CHECK(stopped->runs == 2);
    CHECK(goal_on(stopped->text, stopped->seed).kind == "no_leader");

    // With workers the stop is also asked while waiting for them; the
    // search ends there just the same, whichever call says it.
    for (const int calls : {3, 6, 12, 40}) {
        int worker_asked = 0;
        ShrinkOptions parallel = options_with(1000, 2);
        parallel.seeds_per_change = 16;
        parallel.stop = [&worker_asked, calls] { return ++worker_asked > calls; };
        const std::optional<ShrinkResult> ended = shrink(noisy, 3, parallel);
        REQUIRE(ended.has_value());
        INFO("stop after " << calls << " calls");
        CHECK(ended->stop == ShrinkStop::stopped);
        CHECK(goal_on(ended->text, ended->seed).kind == "no_leader");
    }
}

TEST_CASE("shrink: a run that passes is refused", "[shrink]") {
    scenarios::Scenario quiet = parsed(noisy_no_leader);
    quiet.steps.resize(3);              // before any crash
    quiet.workload.continuous = false;  // so the logs settle at the end
    CHECK_FALSE(shrink(quiet, 3, options_with(100)).has_value());
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

namespace raftsim::replay {
namespace {

using scenarios::Step;

// Two waits for a leader, each after crashing a majority. The first fails;
// without the first crash (and the sleep after it) the run gets past it
// and fails at the second instead -- sooner, with fewer events.
constexpr const char* two_waits = R"({
  "name": "TwoWaits",
  "cluster": {"names": ["n1", "n2", "n3", "n4", "n5"]},
  "steps": [
    {"wait_for_leader": "10s"},
    {"crash": ["n3", "n4", "n5"]},
    {"sleep": "2s"},
    {"wait_for_leader": "60s"},
    {"crash": ["n1", "n2", "n3"]},
    {"sleep": "2s"},
    {"wait_for_leader": "3s"}
  ]
})";

// `scenario` written and parsed back, its step identities carried over,
// as the shrinker does with every candidate.
[[nodiscard]] scenarios::Scenario round_trip(const scenarios::Scenario& scenario) {
    scenarios::Scenario back = parsed(scenarios::scenario_to_json(scenario));
    shrinking::carry_step_ids(scenario.steps, back.steps);
    return back;
}

void collect_ids(const std::vector<Step>& steps, std::vector<std::uint64_t>& ids) {
    for (const Step& step : steps) {
        ids.push_back(step.id);
        collect_ids(step.steps, ids);
        for (const scenarios::Branch& branch : step.branches) {
            collect_ids(branch.steps, ids);
        }
    }
}

[[nodiscard]] std::vector<std::uint64_t> ids_of(const scenarios::Scenario& scenario) {
    std::vector<std::uint64_t> ids;
    collect_ids(scenario.steps, ids);
    return ids;
}

TEST_CASE("shrink goal: a no_leader failure moved to another wait step is not the same failure",
          "[shrink]") {
    const ShrinkStart start = start_shrink(parsed(two_waits), 1);
    REQUIRE(start.goal.kind == "no_leader");
    REQUIRE(start.goal.place == FailurePlace::step);
    CHECK(start.goal.step_path == "steps[3]");

    // The first crash and the sleep after it removed, identities kept.
    scenarios::Scenario candidate = start.scenario;
    candidate.steps.erase(candidate.steps.begin() + 1, candidate.steps.begin() + 3);
    const scenarios::Scenario written = round_trip(candidate);
    const scenarios::RunResult moved_run = scenarios::run_scenario(written, {.seed = 1});
    const ShrinkGoal moved = goal_of(written, moved_run);
    CHECK(moved.step_path == "steps[4]");
    // The old rule -- same checker and kind, no more events -- kept it.
    CHECK(moved.checker == start.goal.checker);
    CHECK(moved.kind == start.goal.kind);
    CHECK(moved_run.events <= start.size.events);
    CHECK_FALSE(same_failure(start.goal, moved));
    // The same removal seen from the other side: the wait that failed
    // first is still there, under another path, and is not the one that
    // failed now.
    const Step* first_wait = shrinking::find_step(written.steps, "steps[1]");
    REQUIRE(first_wait != nullptr);
    CHECK(first_wait->id == start.goal.step_id);
}

TEST_CASE("shrink: a liveness failure stays at its own wait step", "[shrink]") {
    const std::optional<ShrinkResult> result = shrink(parsed(two_waits), 1, options_with(2000));
    REQUIRE(result.has_value());
    // The crash that made the first wait fail stays; the second crash and
    // wait, which the old rule could have kept instead, are gone.
    CHECK(result->text.find(R"({"crash": ["n3", "n4", "n5"]})") != std::string::npos);
    CHECK(result->text.find(R"({"crash": ["n1", "n2", "n3"]})") == std::string::npos);
    const ShrinkGoal rerun = goal_on(result->text, result->seed);
    CHECK(rerun.step_path == result->goal.step_path);
}

TEST_CASE("shrink goal: a core assertion is the same failure only with its expression and place",
          "[shrink]") {
    const auto goal_for = [](const std::string& detail) {
        scenarios::RunResult result;
        result.violation = sim::Violation{
            .checker = sim::Checker::core_assert, .kind = "core_invariant", .detail = detail};
        return goal_of(parsed(two_waits), result);
    };
    const ShrinkGoal goal =
        goal_for("assertion failed on node 2: term >= last_term (core/src/log.cpp:88)");
    REQUIRE(goal.assertion.has_value());
    CHECK(goal.place == FailurePlace::anywhere);
    struct Case {
        const char* detail;
        bool same;
    };
    const std::vector<Case> cases = {
        {"assertion failed on node 2: term >= last_term (core/src/log.cpp:88)", true},
        {"assertion failed on node 5: term >= last_term (core/src/log.cpp:88)", true},
        {"assertion failed on node 2: index <= last_index (core/src/log.cpp:88)", false},
        {"assertion failed on node 2: term >= last_term (core/src/log.cpp:91)", false},
        {"assertion failed on node 2: term >= last_term (core/src/node.cpp:88)", false},
        {"something else broke", false},
    };
    for (const Case& c : cases) {
        INFO(c.detail);
        CHECK(same_failure(goal, goal_for(c.detail)) == c.same);
    }
}

TEST_CASE("shrink: step identities survive the JSON round trip", "[shrink]") {
    const ShrinkStart start = start_shrink(parsed(random_loop), 5);
    const std::vector<std::uint64_t> ids = ids_of(start.scenario);
    // Every step, nested ones and one_of branches included, has its own.
    REQUIRE(ids.size() == 10);
    CHECK(std::set<std::uint64_t>(ids.begin(), ids.end()).size() == ids.size());
    CHECK(std::find(ids.begin(), ids.end(), 0) == ids.end());
    CHECK(ids_of(round_trip(start.scenario)) == ids);
}

// A leader crashed per iteration: the fourth wait finds two of five nodes.
constexpr const char* leader_crashes = R"({
  "name": "LeaderCrashes",
  "cluster": {"names": ["n1", "n2", "n3", "n4", "n5"]},
  "steps": [{"repeat": 5, "steps": [{"wait_for_leader": "10s"}, {"crash": "leader"}]}]
})";

TEST_CASE("shrink: spelling out pins a deadline failure to the iteration that failed", "[shrink]") {
    const ShrinkStart start = start_shrink(parsed(leader_crashes), 1);
    REQUIRE(start.goal.step_path == "steps[0].repeat.steps[0]");
    // Two runs: the one that records the steps, and the spelled-out list.
    const ShrinkResult result = shrink(start, options_with(2));
    REQUIRE(result.accepted == 1);
    CHECK(result.runs == 2);
    // Seven steps ran: four waits and three crashes, the last wait failing.
    REQUIRE(result.scenario.steps.size() == 7);
    CHECK(result.goal.step_path == "steps[6]");
    CHECK(result.goal.step_id == result.scenario.steps.back().id);
    CHECK(result.goal.step_id != start.goal.step_id);
    const std::vector<std::uint64_t> ids = ids_of(result.scenario);
    CHECK(std::set<std::uint64_t>(ids.begin(), ids.end()).size() == ids.size());
    // The identities survive the round trip, and an earlier iteration's
    // wait is another step.
    const scenarios::Scenario written = round_trip(result.scenario);
    CHECK(same_failure(result.goal,
                       goal_of(written, scenarios::run_scenario(written, {.seed = result.seed}))));
    ShrinkGoal earlier = result.goal;
    earlier.step_id = written.steps[4].id;
    CHECK_FALSE(same_failure(result.goal, earlier));
}

TEST_CASE("shrink: worker processes give the same result as one process", "[shrink]") {
    const scenarios::Scenario noisy = parsed(noisy_no_leader);
    const auto shrunk = [&](std::size_t jobs) {
        ShrinkOptions options = options_with(400, jobs);
        options.seeds_to_try = 3;
        options.seeds_per_change = 12;
        options.seed_sweep = 60;
        const std::optional<ShrinkResult> result = shrink(noisy, 3, options);
        REQUIRE(result.has_value());
        return *result;
    };
    const ShrinkResult alone = shrunk(0);
    for (const std::size_t jobs : {1, 2, 3}) {
        INFO("jobs " << jobs);
        const ShrinkResult parallel = shrunk(jobs);
        CHECK(parallel.text == alone.text);
        CHECK(parallel.seed == alone.seed);
        CHECK(parallel.runs == alone.runs);
        CHECK(parallel.accepted == alone.accepted);
        CHECK(parallel.invalid == alone.invalid);
        CHECK(parallel.stop == alone.stop);
        CHECK(parallel.after.events == alone.after.events);
    }
}

TEST_CASE("shrink runner: a worker that dies on a candidate reports how, and the next one runs",
          "[shrink]") {
    const scenarios::Scenario scenario = parsed(noisy_no_leader);
    const std::string text = scenarios::scenario_to_json(scenario);
    // Text the worker cannot parse: its assertion kills it.
    const std::string broken = "{\"not\": \"a scenario\"}";
    CandidateRunner runner(1, {});
    // The worker is forked by the first submit. Without Catch2's SIGABRT
    // handler it dies of the plain signal, instead of printing a Catch2
    // failure report of its own from the child process.
    struct sigaction catch2_handler {};
    struct sigaction plain {};
    plain.sa_handler = SIG_DFL;
    sigaction(SIGABRT, &plain, &catch2_handler);
    const std::uint64_t first =
        runner.submit({.scenario = &scenario, .text = &broken, .seed = 3, .max_events = 100});
    sigaction(SIGABRT, &catch2_handler, nullptr);
    const auto died = runner.wait();
    REQUIRE(died.has_value());
    REQUIRE(died->size() == 1);
    CHECK(died->front().first == first);
    CHECK(died->front().second.died != 0);
    const std::uint64_t second =
        runner.submit({.scenario = &scenario, .text = &text, .seed = 3, .max_events = 1000000});
    CHECK(second != first);
    const auto ran = runner.wait();
    REQUIRE(ran.has_value());
    REQUIRE(ran->size() == 1);
    CHECK(ran->front().second.died == 0);
    CHECK(ran->front().second.kind == "no_leader");
    CHECK(ran->front().second.events ==
          run_candidate(scenario, 3, 1000000).events);  // the same run in this process
}

TEST_CASE("delta_debug_first: trying a granularity at once gives the one-by-one answer",
          "[shrink]") {
    for (const int size : {1, 8, 17, 40}) {
        Items one_by_one = iota(size);
        Items at_once = iota(size);
        int calls = 0;
        const auto fails = fails_while_contains({0, size / 2, size - 1}, calls);
        delta_debug<int>(one_by_one, 0, {}, fails);
        // Asks about every candidate of a granularity before answering.
        delta_debug_first<int>(
            at_once, 0, {},
            [&fails](std::size_t count, const std::function<Items(std::size_t)>& make) {
                std::vector<bool> failing;
                for (std::size_t i = 0; i < count; ++i) {
                    failing.push_back(fails(make(i)));
                }
                const auto first = std::find(failing.begin(), failing.end(), true);
                return first == failing.end() ? std::nullopt
                                              : std::optional<std::size_t>(first - failing.begin());
            });
        INFO("size " << size);
        CHECK(at_once == one_by_one);
    }
}

// The shrinker's callers keep the list inside the state a kept candidate
// replaces (message faults live in the scenario): adopting the candidate
// while it is being chosen must not change which list the next one is cut
// from. Swarm seed 396 on canonical aborted in without_chunk this way.
TEST_CASE("delta_debug_first: a candidate adopted into the list while chosen is cut correctly",
          "[shrink]") {
    for (const int size : {2, 6, 17}) {
        Items reference = iota(size);
        Items adopted = iota(size);
        int calls = 0;
        const auto fails = fails_while_contains({size - 1}, calls);
        delta_debug<int>(reference, 0, {}, fails);
        delta_debug_first<int>(
            adopted, 0, {},
            [&](std::size_t count,
                const std::function<Items(std::size_t)>& make) -> std::optional<std::size_t> {
                for (std::size_t i = 0; i < count; ++i) {
                    Items candidate = make(i);
                    if (fails(candidate)) {
                        adopted = std::move(candidate);  // as shrink's best_ does
                        return i;
                    }
                }
                return std::nullopt;
            });
        INFO("size " << size);
        CHECK(adopted == reference);
        CHECK(adopted == Items{size - 1});
    }
}

}  // namespace
}  // namespace raftsim::replay
