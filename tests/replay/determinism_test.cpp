// The determinism check's comparison: it finds the first differing record of
// two crafted traces (so a divergence can be reported at all), renders it
// with the records before, and on real runs stays quiet for one seed run
// twice and fires for two different seeds.
#include "sweep/determinism.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "input/suite.hpp"
#include "raftsim/scenarios/interpret.hpp"

namespace raftsim::replay {
namespace {

using sim::TraceKind;
using sim::TraceRecord;

std::vector<TraceRecord> crafted_trace(std::size_t length) {
    std::vector<TraceRecord> records;
    for (std::size_t i = 0; i < length; ++i) {
        records.push_back(TraceRecord{.time = 1000 * i,
                                      .kind = TraceKind::send,
                                      .sub = 0,
                                      .node = 1,
                                      .peer = 2,
                                      .term = 1,
                                      .a = i,
                                      .b = 0,
                                      .c = 0});
    }
    return records;
}

TEST_CASE("determinism: equal traces do not diverge", "[determinism]") {
    CHECK_FALSE(first_divergence(crafted_trace(20), crafted_trace(20)).has_value());
    CHECK_FALSE(first_divergence({}, {}).has_value());
}

TEST_CASE("determinism: the first differing record is found, in any field", "[determinism]") {
    const int field = GENERATE(range(0, 9));
    std::vector<TraceRecord> second = crafted_trace(20);
    TraceRecord& changed = second[13];
    switch (field) {
        case 0:
            changed.time += 1;
            break;
        case 1:
            changed.kind = TraceKind::deliver;
            break;
        case 2:
            changed.sub = 3;
            break;
        case 3:
            changed.node = 3;
            break;
        case 4:
            changed.peer = 3;
            break;
        case 5:
            changed.term = 2;
            break;
        case 6:
            changed.a += 1;
            break;
        case 7:
            changed.b = 1;
            break;
        default:
            changed.c = 1;
            break;
    }
    second[17].c = 5;  // a later difference does not hide the first
    const auto index = first_divergence(crafted_trace(20), second);
    REQUIRE(index.has_value());
    CHECK(*index == 13);
}

TEST_CASE("determinism: a trace that stops early diverges where it stops", "[determinism]") {
    CHECK(first_divergence(crafted_trace(20), crafted_trace(12)) == std::optional<std::size_t>(12));
    CHECK(first_divergence(crafted_trace(12), crafted_trace(20)) == std::optional<std::size_t>(12));
    CHECK(first_divergence({}, crafted_trace(1)) == std::optional<std::size_t>(0));
}

TEST_CASE("determinism: the report shows the records before and both records at the divergence",
          "[determinism]") {
    std::vector<TraceRecord> second = crafted_trace(20);
    second[13].a = 999;
    const NodeNames names = {"", "n1", "n2"};
    const std::string report = render_divergence(crafted_trace(20), names, second, names, 13, 4);
    CHECK(report.find("diverge at record 13") != std::string::npos);
    CHECK(report.find("records 9..12, the same in both runs") != std::string::npos);
    for (const char* number : {"       9  ", "      12  "}) {
        CHECK(report.find(number) != std::string::npos);
    }
    CHECK(report.find("       8  ") == std::string::npos);
    CHECK(report.find("raw: time_us=13000 kind=send sub=0 node=1 peer=2 term=1 a=13 ") !=
          std::string::npos);
    CHECK(report.find("raw: time_us=13000 kind=send sub=0 node=1 peer=2 term=1 a=999 ") !=
          std::string::npos);
    const std::string ended =
        render_divergence(crafted_trace(20), names, crafted_trace(13), names, 13, 4);
    CHECK(ended.find("(the trace ended after 13 records)") != std::string::npos);
}

TEST_CASE("determinism: one seed run twice matches; two seeds diverge", "[determinism]") {
    const LoadResult loaded = load_scenarios({"NoIssueSanity"});
    REQUIRE_FALSE(loaded.error.has_value());
    REQUIRE(loaded.scenarios.size() == 1);
    const scenarios::Scenario& scenario = loaded.scenarios.front().scenario;
    const auto run = [&scenario](std::uint64_t seed) {
        return scenarios::run_scenario(scenario, {.seed = seed, .keep_trace = true});
    };
    CHECK_FALSE(compare_runs(run(3), run(3)).has_value());
    const auto divergence = compare_runs(run(3), run(4));
    REQUIRE(divergence.has_value());
    CHECK(divergence->kind == "trace_divergence");
    CHECK(divergence->report.find("first run:") != std::string::npos);
}

}  // namespace
}  // namespace raftsim::replay
