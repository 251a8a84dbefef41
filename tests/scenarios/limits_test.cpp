// A scenario's "limits" (LimitsSpec) in runs: each limit fires with its own
// kind on a crafted scenario, a run exactly at a limit passes, inputs that
// would never finish end at a default limit, and a limit failure replays
// exactly.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/parse.hpp"

namespace raftsim::test {
namespace {

using scenarios::RunResult;
using scenarios::Scenario;
using sim::LimitKind;

Scenario parsed(const std::string& text) {
    const scenarios::ParseResult result = scenarios::parse_scenario(text, "limits.json");
    INFO((result.error ? result.error->to_string() : std::string("no error")));
    CAPTURE(text);
    REQUIRE_FALSE(result.error);
    return *result.scenario;
}

/// Three nodes electing, applying, looping and churning: it uses every
/// limited quantity. `limits` is the "limits" object ("{}" for none).
std::string crafted(std::string_view limits) {
    return fmt::format(R"({{"name": "crafted", "cluster": {{"voters": 3}},
        "steps": [{{"wait_for_leader": "10s"}},
                  {{"repeat": 3, "steps": [{{"apply": 20}}, {{"sleep": "1s"}},
                                           {{"heal_all": {{}}}}]}},
                  {{"one_of": [{{"steps": [{{"sleep": "1s"}}]}}]}},
                  {{"membership_churn": {{"changes": 2, "interval": "1s"}}}}],
        "limits": {}}})",
                       limits);
}

/// How much of `kind`'s quantity the run used.
std::uint64_t used(const RunResult& result, LimitKind kind) {
    switch (kind) {
        case LimitKind::events:
            return result.events;
        case LimitKind::simulated_time:
            return result.simulated_us;
        case LimitKind::steps:
            return result.steps;
        case LimitKind::requests:
            return result.simulation->history().size();
    }
    return 0;
}

/// The "limits" object setting only `kind` to `value`.
std::string limit_of(LimitKind kind, std::uint64_t value) {
    if (kind == LimitKind::simulated_time) {
        return fmt::format(R"({{"simulated_time": "{}us"}})", value);
    }
    return fmt::format(R"({{"{}": {}}})", sim::to_string(kind), value);
}

TEST_CASE("limits: a run exactly at a limit passes, one below fails with the limit's kind",
          "[limits]") {
    const LimitKind kind = GENERATE(LimitKind::events, LimitKind::simulated_time, LimitKind::steps,
                                    LimitKind::requests);
    CAPTURE(sim::to_string(kind));
    const RunResult unlimited = scenarios::run_scenario(parsed(crafted("{}")), {.seed = 3});
    REQUIRE(unlimited.passed);
    const std::uint64_t usage = used(unlimited, kind);
    // Steps: wait, 3 iterations of 3 steps, the branch's sleep, the churn
    // step and its 2 rounds.
    CHECK(unlimited.steps == 1 + 3 * (1 + 3) + 1 + 1 + 2);

    const RunResult at =
        scenarios::run_scenario(parsed(crafted(limit_of(kind, usage))), {.seed = 3});
    CHECK(at.passed);
    CHECK(at.fingerprint == unlimited.fingerprint);

    const RunResult below =
        scenarios::run_scenario(parsed(crafted(limit_of(kind, usage - 1))), {.seed = 3});
    REQUIRE(below.violation.has_value());
    CHECK(below.violation->checker == sim::Checker::limit);
    CHECK(below.violation->kind == sim::to_string(kind));
    CHECK(used(below, kind) == usage - 1);
    CHECK_FALSE(below.halted);
}

TEST_CASE("limits: inputs that would never finish end at a default limit", "[limits]") {
    struct Case {
        std::string_view what;
        std::string steps;
        LimitKind kind;
    };
    const Case c = GENERATE(values<Case>({
        {"a million hour-long sleeps", R"({"repeat": 1000000, "steps": [{"sleep": "1h"}]})",
         LimitKind::simulated_time},
        {"an endless wait", R"({"repeat": 1000000, "steps": [{"wait_for_leader": "1000h"},
                                                         {"crash": "all"}]})",
         LimitKind::simulated_time},
        {"nested loops that make no events and take no time",
         R"({"repeat": 1000000, "steps": [{"repeat": 1000000, "steps": [
               {"repeat": 1000000, "steps": [{"heal_all": {}}]}]}]})",
         LimitKind::steps},
        {"nested loops of nothing", R"({"repeat": 1000000, "steps": [
               {"repeat": 1000000, "steps": [{"one_of": [{"steps": []}]}]}]})",
         LimitKind::steps},
        {"endless churn rounds", R"({"repeat": 1000000, "steps": [
               {"membership_churn": {"changes": 10000, "interval": "0ms"}}]})",
         LimitKind::steps},
        {"endless applies", R"({"repeat": 1000000, "steps": [{"apply": 1000000}]})",
         LimitKind::requests},
        {"a busy cluster for ever", R"({"repeat": 1000000, "steps": [
               {"start_workload": {"batch": 1, "think": "1s"}}, {"sleep": "1h"}]})",
         LimitKind::simulated_time},
    }));
    CAPTURE(c.what);
    const Scenario scenario = parsed(fmt::format(
        R"({{"name": "endless", "cluster": {{"voters": 1}}, "steps": [{}]}})", c.steps));
    const RunResult result = scenarios::run_scenario(scenario, {.seed = 1});
    REQUIRE(result.violation.has_value());
    CHECK(result.violation->checker == sim::Checker::limit);
    CHECK(result.violation->kind == sim::to_string(c.kind));
    CHECK(result.events <= scenarios::LimitsSpec::default_events);
    CHECK(result.simulated_us <= scenarios::LimitsSpec::default_simulated_time_us);
    CHECK(result.steps <= scenarios::LimitsSpec::default_steps);
    CHECK(result.simulation->history().size() <= scenarios::LimitsSpec::default_requests);
}

TEST_CASE("limits: a limit failure replays exactly, with or without the full trace", "[limits]") {
    const Scenario scenario = parsed(crafted(R"({"events": 2500})"));
    const RunResult first = scenarios::run_scenario(scenario, {.seed = 5});
    const RunResult traced = scenarios::run_scenario(scenario, {.seed = 5, .keep_trace = true});
    REQUIRE(first.violation.has_value());
    REQUIRE(traced.violation.has_value());
    CHECK(first.violation->kind == "events");
    CHECK(traced.fingerprint == first.fingerprint);
    CHECK(traced.violation->time == first.violation->time);
    CHECK(traced.violation->detail == first.violation->detail);
    CHECK(traced.events == 2500);
    // The violation is the trace's last record, as for any checker.
    REQUIRE_FALSE(traced.simulation->trace().records().empty());
    const sim::TraceRecord& last = traced.simulation->trace().records().back();
    CHECK(last.kind == sim::TraceKind::violation);
    CHECK(last.sub == static_cast<std::uint8_t>(sim::Checker::limit));
}

TEST_CASE("limits: max_events below every limit halts a run without a limit failure", "[limits]") {
    const Scenario scenario = parsed(crafted(R"({"events": 2500})"));
    const RunResult halted = scenarios::run_scenario(scenario, {.seed = 5, .max_events = 2000});
    CHECK(halted.halted);
    CHECK_FALSE(halted.violation.has_value());
    CHECK(halted.events == 2000);
}

}  // namespace
}  // namespace raftsim::test
