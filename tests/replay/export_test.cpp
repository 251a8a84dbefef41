// Drawing a run: pairing sends with deliveries and drops (the arrows of the
// HTML diagram and the Chrome trace's flows), the Chrome trace-event JSON,
// the --around window of the text timeline, and the HTML page's client
// lanes (a real key-value run, and crafted histories for the violating
// window and the choice of operations drawn).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "input/suite.hpp"
#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/parse.hpp"
#include "views/chrome_trace.hpp"
#include "views/clients.hpp"
#include "views/html.hpp"
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

// How many times `pattern` matches in `text`.
[[nodiscard]] std::size_t count_matches(const std::string& text, const std::string& pattern) {
    const std::regex regex(pattern);
    return static_cast<std::size_t>(std::distance(
        std::sregex_iterator(text.begin(), text.end(), regex), std::sregex_iterator()));
}

// The client chart of a page or section (the legend draws operations too).
[[nodiscard]] std::string history_chart(const std::string& html) {
    const std::size_t at = html.find("<svg class=\"history\"");
    REQUIRE(at != std::string::npos);
    return html.substr(at, html.find("</svg>", at) - at);
}

// Three clients on two keys, the leader cut off for two seconds: the
// clients bound to it give up on what they sent (indeterminate).
constexpr std::string_view small_kv_scenario = R"json({
  "name": "SmallKv",
  "cluster": {"voters": 3},
  "clients": {"count": 3, "keys": 2, "think": "40ms", "timeout": "500ms"},
  "steps": [
    {"wait_for_leader": "10s"},
    {"sleep": "1s"},
    {"partition": "leader", "as": "g"},
    {"sleep": "2s"},
    {"heal": "g"},
    {"wait_for_leader": "10s"},
    {"sleep": "1s"},
    {"stop_clients": {}},
    {"wait_until_up_to_date": "1m"}
  ]
})json";

[[nodiscard]] std::string page_of(const scenarios::RunResult& result,
                                  const std::vector<sim::Operation>& operations) {
    const std::vector<TraceRecord>& records = result.simulation->trace().records();
    const TimelineWindow window = html_window(records);
    const auto& checked = result.simulation->linearizability();
    return render_html({.title = "SmallKv seed 1",
                        .replay_command = "raftsim replay SmallKv --seed 1",
                        .fingerprint = result.fingerprint,
                        .records = &records,
                        .names = node_names(*result.simulation),
                        .violation = result.violation,
                        .first = window.first,
                        .last = window.last,
                        .operations = operations,
                        .linearizability = checked ? &*checked : nullptr});
}

TEST_CASE("timeline: a crash says what became of the unsynced writes", "[export]") {
    const NodeNames names{"", "a"};
    const auto crash = [&](sim::UnsyncedWrites fate, std::uint64_t kept, std::uint64_t units) {
        return describe_record(TraceRecord{.time = 5,
                                           .kind = TraceKind::crash,
                                           .node = 1,
                                           .a = static_cast<std::uint64_t>(fate),
                                           .b = kept,
                                           .c = units},
                               names);
    };
    CHECK(crash(sim::UnsyncedWrites::kept, 0, 0) == "## CRASH a");
    CHECK(crash(sim::UnsyncedWrites::lost, 0, 0) == "## CRASH a (losing unsynced writes)");
    CHECK(crash(sim::UnsyncedWrites::torn, 3, 7) ==
          "## CRASH a (torn: kept 3 of 7 unsynced writes)");
    CHECK(crash(sim::UnsyncedWrites::torn, 1, 1) ==
          "## CRASH a (torn: kept 1 of 1 unsynced write)");
    CHECK(crash(sim::UnsyncedWrites::torn, 0, 0) == "## CRASH a (torn: no unsynced writes)");
}

TEST_CASE("html: a key-value run gets a lane per client and a box per operation",
          "[export][html]") {
    const scenarios::ParseResult parsed = scenarios::parse_scenario(small_kv_scenario, "kv.json");
    REQUIRE(parsed.scenario.has_value());
    const scenarios::RunResult result =
        scenarios::run_scenario(*parsed.scenario, {.seed = 1, .keep_trace = true});
    REQUIRE(result.passed);
    const std::vector<sim::Operation> history = result.simulation->client_history();
    std::size_t indeterminate = 0;
    for (const sim::Operation& op : history) {
        indeterminate += op.status == sim::OpStatus::indeterminate ? 1 : 0;
    }
    // Small enough to be drawn whole, and the partition left some open.
    REQUIRE(history.size() > 20);
    REQUIRE(history.size() <= client_operation_limit);
    REQUIRE(indeterminate > 0);
    const std::string page = page_of(result, history);
    CHECK(count_matches(page, "<section class=\"clients\"") == 1);
    CHECK(count_matches(page, "<g class=\"client\" data-client=\"") == 3);
    CHECK(count_matches(page, "<text class=\"name\" x=\"8\" y=\"[0-9]+\">client [0-2]</text>") ==
          3);
    const std::string chart = history_chart(page);
    CHECK(count_matches(chart, "<g class=\"op ") == history.size());
    CHECK(count_matches(chart, "<g class=\"op ind\"") == indeterminate);
    CHECK(count_matches(chart, "<path class=\"tail\"") == indeterminate);
    CHECK(page.find(fmt::format("data-operations=\"{}\"", history.size())) != std::string::npos);
    CHECK(page.find("<div class=\"hist good\">Linearizable: ") != std::string::npos);
    CHECK(page.find(" win\"") == std::string::npos);
    // The node diagram is as it was: a lane per node.
    CHECK(count_matches(page, "<g class=\"lane\" data-node=") == 3);
    // The same run, the same bytes.
    CHECK(page_of(result, history) == page);
}

TEST_CASE("html: a run without clients has no client section", "[export][html]") {
    const std::vector<TraceRecord> records = vote_round();
    const std::string page = render_html({.title = "votes",
                                          .replay_command = "",
                                          .fingerprint = 0,
                                          .records = &records,
                                          .names = {"", "n1", "n2", "n3"},
                                          .violation = std::nullopt,
                                          .first = 0,
                                          .last = records.size()});
    CHECK(page.find("class=\"clients\"") == std::string::npos);
    CHECK(page.find("class=\"history\"") == std::string::npos);
    CHECK(render_client_lanes({}).empty());
}

[[nodiscard]] sim::Operation kv_op(sim::OperationId id, sim::ClientId client, sim::OpKind kind,
                                   sim::KvKey key, sim::TimeUs invoke, sim::TimeUs complete) {
    sim::Operation op;
    op.id = id;
    op.client = client;
    op.key = key;
    op.kind = kind;
    op.invoke_us = invoke;
    op.complete_us = complete;
    return op;
}

// A stale read: #2 finds k1 absent after #1's put of it was answered. #3
// is on another key, #4 reads #1's value, #5 is an indeterminate put
// during #2 (of a value nobody reads: it cannot explain "not found").
[[nodiscard]] std::vector<sim::Operation> stale_read_history() {
    using sim::OpKind;
    std::vector<sim::Operation> history = {
        kv_op(1, 0, OpKind::put, 1, 0, 10),  kv_op(2, 1, OpKind::get, 1, 20, 30),
        kv_op(3, 2, OpKind::put, 2, 5, 25),  kv_op(4, 0, OpKind::get, 1, 15, 18),
        kv_op(5, 2, OpKind::put, 1, 25, 60),
    };
    history[0].value = 1;
    history[2].value = 2;
    history[3].read = 1;
    history[4].value = 3;
    history[4].status = sim::OpStatus::indeterminate;
    return history;
}

TEST_CASE("html: the violating window's operations are outlined, its key's others bold",
          "[export][html]") {
    const std::vector<sim::Operation> history = stale_read_history();
    const sim::LinearizabilityResult verdict = sim::check_linearizability(history);
    REQUIRE(verdict.verdict == sim::Verdict::not_linearizable);
    REQUIRE(verdict.key == 1);
    REQUIRE(verdict.window == std::vector<sim::OperationId>{1, 2});
    const std::string lanes = render_client_lanes({.history = history, .verdict = &verdict});
    CHECK(lanes.find("<div class=\"hist bad\"><b>NOT LINEARIZABLE</b> on key 1") !=
          std::string::npos);
    CHECK(lanes.find("outlined in red: #1 #2") != std::string::npos);
    CHECK(lanes.find(fmt::format("The longest partial linearization ({} operations): {}.",
                                 verdict.partial_linearization.size(),
                                 sim::describe_partial_linearization(
                                     verdict.partial_linearization))) != std::string::npos);
    CHECK(count_matches(lanes, "<g class=\"client\" data-client=\"") == 3);
    CHECK(count_matches(history_chart(lanes), "<g class=\"op [a-z ]*win\"") == 2);
    CHECK(lanes.find("<g class=\"op ok win\" data-op=\"1\">") != std::string::npos);
    CHECK(lanes.find("<g class=\"op ok win\" data-op=\"2\">") != std::string::npos);
    CHECK(lanes.find("<g class=\"op ok\" data-op=\"3\">") != std::string::npos);
    CHECK(lanes.find("<g class=\"op ok key\" data-op=\"4\">") != std::string::npos);
    CHECK(lanes.find("<g class=\"op ind key\" data-op=\"5\">") != std::string::npos);
    CHECK(lanes.find(">get[log](k1) -&gt; not found</text>") != std::string::npos);
    CHECK(lanes.find("in the violating window") != std::string::npos);
    // Clients 0 and 1 ran the window's operations; client 2 did not.
    CHECK(count_matches(lanes, "<text class=\"name bad\"[^>]*>client [01]</text>") == 2);
    CHECK(count_matches(lanes, "<text class=\"name\"[^>]*>client 2</text>") == 1);
}

TEST_CASE("html: a get's label and tooltip say how it was served", "[export][html]") {
    struct Case {
        sim::ReadPath path;
        std::string label;
        std::string tooltip;
        /// The box's class: a get without a log entry is filled apart.
        std::string box;
    };
    const std::vector<Case> cases = {
        {sim::ReadPath::log, "get[log](k3) -&gt; 17", "through the log", "op ok"},
        {sim::ReadPath::read_index, "get[read_index](k3) -&gt; 17", "by ReadIndex",
         "op ok rd-index"},
        {sim::ReadPath::lease, "get[lease](k3) -&gt; 17", "by the leader&apos;s lease",
         "op ok rd-lease"},
    };
    for (const Case& row : cases) {
        CAPTURE(sim::to_string(row.path));
        std::vector<sim::Operation> history = {kv_op(1, 0, sim::OpKind::put, 3, 0, 10),
                                               kv_op(2, 1, sim::OpKind::get, 3, 20, 30)};
        history[0].value = 17;
        history[1].read = 17;
        history[1].read_path = row.path;
        const std::string lanes = render_client_lanes({.history = history});
        const std::string chart = history_chart(lanes);
        CHECK(chart.find(">" + row.label + "</text>") != std::string::npos);
        CHECK(chart.find("<title>#2 client 1: " + row.label + "\n" + row.tooltip) !=
              std::string::npos);
        CHECK(chart.find("<g class=\"" + row.box + "\" data-op=\"2\">") != std::string::npos);
        // The legend explains the fills when some get has one.
        const bool apart = row.path != sim::ReadPath::log;
        CHECK((lanes.find("a get by the leader's lease</span>") != std::string::npos) == apart);
    }
}

TEST_CASE("html: an unknown verdict says so, and is not drawn as a failure", "[export][html]") {
    const std::vector<sim::Operation> history = stale_read_history();
    const sim::LinearizabilityResult verdict =
        sim::check_linearizability(history, {.max_steps = 1});
    REQUIRE(verdict.verdict == sim::Verdict::unknown);
    const std::string lanes = render_client_lanes({.history = history, .verdict = &verdict});
    CHECK(lanes.find("<div class=\"hist unknown\"><b>UNKNOWN</b>: the check reached its cap on "
                     "search steps on key ") != std::string::npos);
    CHECK(lanes.find(" win\"") == std::string::npos);
    const std::string unchecked = render_client_lanes({.history = history});
    CHECK(unchecked.find("<div class=\"hist none\">Not checked") != std::string::npos);
}

TEST_CASE("html: the lanes draw the window's stretch of time, or the history's end",
          "[export][html]") {
    // 1000 puts on key 0, one every 10 us; then a window on key 1 that 701
    // of them overlap.
    std::vector<sim::Operation> history;
    for (sim::OperationId id = 1; id <= 1000; ++id) {
        history.push_back(kv_op(id, id % 4, sim::OpKind::put, 0, id * 10, id * 10 + 5));
        history.back().value = id;
    }
    ClientSelection tail = select_client_operations({.history = history});
    REQUIRE(tail.shown.size() == client_operation_limit);
    CHECK(tail.shown.front()->id == 1000 - client_operation_limit + 1);
    CHECK(tail.shown.back()->id == 1000);
    CHECK(tail.caption == "the last 600 of 1000 operations (by invocation)");

    history.push_back(kv_op(1001, 4, sim::OpKind::put, 1, 1000, 4000));
    history.push_back(kv_op(1002, 5, sim::OpKind::get, 1, 5000, 8000));
    history.push_back(kv_op(1003, 5, sim::OpKind::get, 1, 9000, 9100));
    sim::LinearizabilityResult verdict;
    verdict.verdict = sim::Verdict::not_linearizable;
    verdict.key = 1;
    verdict.window = {1001, 1002};
    const ClientSelection around =
        select_client_operations({.history = history, .verdict = &verdict});
    // 701 puts on key 0 overlap [1000, 8000]: too many; key 1's two do.
    REQUIRE(around.shown.size() == 2);
    CHECK(around.shown[0]->id == 1001);
    CHECK(around.shown[1]->id == 1002);
    CHECK(around.window == std::vector<sim::OperationId>{1001, 1002});
    CHECK(around.caption.find("the 2 operations on key 1 that overlap the violating window") == 0);

    verdict.window = {1002, 1003};
    const ClientSelection near =
        select_client_operations({.history = history, .verdict = &verdict});
    // [5000, 9100] holds 411 puts and the window: all are drawn.
    CHECK(near.shown.size() == 411 + 2);
    CHECK(near.caption.find("that overlap the violating window (0.005000s to 0.009100s)") !=
          std::string::npos);
}

}  // namespace
}  // namespace raftsim::replay
