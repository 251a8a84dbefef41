// Drawing a run: pairing sends with deliveries and drops (the arrows of the
// HTML diagram and the Chrome trace's flows), the Chrome trace-event JSON,
// and the --around window of the text timeline.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "input/suite.hpp"
#include "raftsim/scenarios/interpret.hpp"
#include "views/chrome_trace.hpp"
#include "views/messages.hpp"
#include "views/timeline.hpp"

namespace raftsim::replay {
namespace {

using sim::TraceKind;
using sim::TraceRecord;

constexpr auto vote = static_cast<std::uint8_t>(core::MessageType::request_vote);

[[nodiscard]] TraceRecord message(TraceKind kind, sim::TimeUs time, core::NodeId node,
                                  core::NodeId peer, std::uint64_t c = 0) {
    return TraceRecord{.time = time,
                       .kind = kind,
                       .sub = vote,
                       .node = node,
                       .peer = peer,
                       .term = 2,
                       .a = 1,
                       .b = 1,
                       .c = c};
}

// n1 asks n2 and n3 for votes. n2's copy is duplicated and both copies
// arrive; n3's is dropped on arrival (n3 is down); a third request to n3 is
// dropped as it is sent; a fourth is still in flight at the end.
[[nodiscard]] std::vector<TraceRecord> vote_round() {
    const auto node_down = static_cast<std::uint64_t>(sim::DropReason::node_down);
    const auto partitioned = static_cast<std::uint64_t>(sim::DropReason::partitioned);
    return {
        message(TraceKind::send, 100, 1, 2),                // 0
        message(TraceKind::duplicate, 100, 1, 2),           // 1
        message(TraceKind::send, 100, 1, 3),                // 2
        message(TraceKind::deliver, 900, 2, 1),             // 3 pairs with 0
        message(TraceKind::drop, 950, 1, 3, node_down),     // 4 pairs with 2
        message(TraceKind::deliver, 990, 2, 1),             // 5 pairs with 1
        message(TraceKind::drop, 1000, 1, 3, partitioned),  // 6 dropped at send
        message(TraceKind::send, 1000, 1, 2),               // 7 in flight
    };
}

TEST_CASE("messages: each send is paired with its delivery or drop", "[export]") {
    const std::vector<TraceRecord> records = vote_round();
    const std::vector<MessageArrow> arrows = match_messages(records, records.size());
    REQUIRE(arrows.size() == 5);
    struct Expected {
        std::size_t sent;
        std::optional<std::size_t> ended;
        bool dropped;
        bool duplicate;
    };
    const std::vector<Expected> expected = {
        {0, 3, false, false},
        {1, 5, false, true},
        {2, 4, true, false},
        {6, std::nullopt, true, false},
        {7, std::nullopt, false, false},
    };
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO("arrow " << i);
        CHECK(arrows[i].sent == expected[i].sent);
        CHECK(arrows[i].ended == expected[i].ended);
        CHECK(arrows[i].dropped == expected[i].dropped);
        CHECK(arrows[i].duplicate == expected[i].duplicate);
    }
    // Only the records before `last` count: the deliveries are not there yet.
    const std::vector<MessageArrow> early = match_messages(records, 3);
    REQUIRE(early.size() == 3);
    CHECK_FALSE(early[0].ended.has_value());
}

TEST_CASE("chrome trace: threads per node, role slices, flows per delivered message", "[export]") {
    std::vector<TraceRecord> records = vote_round();
    records.push_back(TraceRecord{.time = 1200,
                                  .kind = TraceKind::role_change,
                                  .sub = static_cast<std::uint8_t>(core::Role::leader),
                                  .node = 1,
                                  .term = 2,
                                  .a = static_cast<std::uint64_t>(core::Role::candidate)});
    const NodeNames names = {"", "n1", "n2", "n3"};
    const nlohmann::json trace =
        nlohmann::json::parse(render_chrome_trace(records, names, "crafted seed 1"));
    const nlohmann::json& events = trace.at("traceEvents");
    std::vector<std::string> threads;
    std::size_t slices = 0;
    std::size_t flow_starts = 0;
    std::size_t flow_ends = 0;
    std::size_t instants = 0;
    for (const nlohmann::json& event : events) {
        const std::string phase = event.at("ph");
        if (phase == "M" && event.at("name") == "thread_name") {
            threads.push_back(event.at("args").at("name"));
        }
        slices += phase == "X" ? 1 : 0;
        flow_starts += phase == "s" ? 1 : 0;
        flow_ends += phase == "f" ? 1 : 0;
        instants += phase == "i" ? 1 : 0;
    }
    CHECK(threads == std::vector<std::string>{"cluster", "n1", "n2", "n3"});
    CHECK(instants == records.size());
    // Three messages ended (two deliveries, one drop on arrival).
    CHECK(flow_starts == 3);
    CHECK(flow_ends == 3);
    // n1: "follower t1" then "leader t2"; n2 one slice. n3 has no record
    // of its own (the drops are recorded at the sender), so no slice.
    CHECK(slices == 3);
}

TEST_CASE("timeline: --around shows both sides of the violation and marks it", "[export]") {
    std::vector<TraceRecord> records = vote_round();
    records.insert(records.begin() + 4,
                   TraceRecord{.time = 920,
                               .kind = TraceKind::violation,
                               .sub = static_cast<std::uint8_t>(sim::Checker::election_safety)});
    const TimelineWindow window = window_around(records, 2);
    CHECK(window.first == 2);
    CHECK(window.last == 7);
    REQUIRE(window.focus == std::optional<std::size_t>(4));
    const std::string text = render_window(records, {"", "n1", "n2", "n3"}, window);
    CHECK(text.find("(2 earlier records)") != std::string::npos);
    CHECK(text.find("(2 later records)") != std::string::npos);
    CHECK(text.find(">>       4  ") != std::string::npos);
    CHECK(text.find("VIOLATION election_safety") != std::string::npos);

    const TimelineWindow before = window_before(records, 3);
    CHECK(before.first == 2);
    CHECK(before.last == 5);
}

}  // namespace
}  // namespace raftsim::replay
