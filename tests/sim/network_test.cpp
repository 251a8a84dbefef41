// The network model driven directly: every fault (loss, duplication,
// reordering, latency, bounded queues, partitions, one-way cuts, filters)
// shows a measurable effect, and the same seed makes the same decisions.
#include "raftsim/sim/network.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

namespace raftsim::sim {
namespace {

using core::Message;
using core::MessageType;
using core::NodeId;

Message message(NodeId from, NodeId to, MessageType type = MessageType::append_entries) {
    return Message{.type = type, .from = from, .to = to, .term = 1};
}

LinkConfig quiet_link() {
    return LinkConfig{.latency_min_us = 1 * us_per_ms,
                      .latency_max_us = 5 * us_per_ms,
                      .drop = {},
                      .duplicate = {},
                      .reorder = {},
                      .reorder_delay_max_us = 50 * us_per_ms,
                      .stale_replay = {},
                      .stale_replay_delay_min_us = 1 * us_per_second,
                      .stale_replay_delay_max_us = 10 * us_per_second,
                      .queue_capacity = 4096};
}

/// Sends and immediately retires a message, so queues never fill.
SendPlan send_and_retire(Network& network, const Message& sent, TimeUs now) {
    SendPlan plan = network.plan_send(sent, now);
    for (std::size_t copy = 0; copy < plan.delays_us.size(); ++copy) {
        network.on_left_network(sent.from, sent.to);
    }
    return plan;
}

/// A plan's delivery delays, for comparing with a list.
std::vector<TimeUs> delays(const SendPlan& plan) {
    return {plan.delays_us.begin(), plan.delays_us.end()};
}

/// Whether `from` reaches `to` both at send time and at delivery time.
bool reaches(Network& network, NodeId from, NodeId to) {
    const Message sent = message(from, to);
    const SendPlan plan = network.plan_send(sent, 0);
    if (plan.dropped) {
        return false;
    }
    for (std::size_t copy = 0; copy < plan.delays_us.size(); ++copy) {
        network.on_left_network(from, to);
    }
    DropReason reason = DropReason::random_loss;
    return !network.check_delivery(sent, reason).drop;
}

FilterVerdict delay_by(TimeUs delay) {
    return FilterVerdict{.drop = false, .extra_delay_us = delay};
}

FilterVerdict dropped() {
    return FilterVerdict{.drop = true, .extra_delay_us = 0};
}

constexpr int sends = 4000;

}  // namespace

TEST_CASE("network: the drop ratio drops about that fraction of messages", "[network]") {
    struct Row {
        Ratio drop;
        int at_least;
        int at_most;
    };
    const std::vector<Row> rows = {
        {Ratio{0, 1}, 0, 0},
        {Ratio{1, 10}, sends * 7 / 100, sends * 13 / 100},
        {Ratio{1, 4}, sends * 20 / 100, sends * 30 / 100},
        {Ratio{1, 2}, sends * 45 / 100, sends * 55 / 100},
        {Ratio{1, 1}, sends, sends},
    };
    for (const Row& row : rows) {
        DYNAMIC_SECTION("drop " << row.drop.numerator << "/" << row.drop.denominator) {
            Network network(42);
            LinkConfig link = quiet_link();
            link.drop = row.drop;
            network.set_default_link(link);
            int drops = 0;
            for (int i = 0; i < sends; ++i) {
                const SendPlan plan = send_and_retire(network, message(1, 2), i * us_per_ms);
                if (plan.dropped) {
                    CHECK(plan.drop_reason == DropReason::random_loss);
                    CHECK(plan.delays_us.empty());
                    drops += 1;
                }
            }
            CHECK(drops >= row.at_least);
            CHECK(drops <= row.at_most);
        }
    }
}

TEST_CASE("network: a per-link config overrides the default for that direction only", "[network]") {
    Network network(1);
    network.set_default_link(quiet_link());
    LinkConfig lossy = quiet_link();
    lossy.drop = Ratio{1, 1};
    network.set_link(1, 2, lossy);
    for (int i = 0; i < 100; ++i) {
        CHECK(send_and_retire(network, message(1, 2), 0).dropped);
        CHECK_FALSE(send_and_retire(network, message(2, 1), 0).dropped);
        CHECK_FALSE(send_and_retire(network, message(1, 3), 0).dropped);
    }
}

TEST_CASE("network: duplication delivers a message twice", "[network]") {
    struct Row {
        Ratio duplicate;
        int at_least;
        int at_most;
    };
    const std::vector<Row> rows = {
        {Ratio{0, 1}, 0, 0},
        {Ratio{1, 2}, sends * 45 / 100, sends * 55 / 100},
        {Ratio{1, 1}, sends, sends},
    };
    for (const Row& row : rows) {
        DYNAMIC_SECTION("duplicate " << row.duplicate.numerator << "/"
                                     << row.duplicate.denominator) {
            Network network(7);
            LinkConfig link = quiet_link();
            link.duplicate = row.duplicate;
            network.set_default_link(link);
            int twice = 0;
            for (int i = 0; i < sends; ++i) {
                const SendPlan plan = send_and_retire(network, message(1, 2), i * us_per_ms);
                REQUIRE_FALSE(plan.dropped);
                REQUIRE((plan.delays_us.size() == 1 || plan.delays_us.size() == 2));
                twice += plan.delays_us.size() == 2 ? 1 : 0;
            }
            CHECK(twice >= row.at_least);
            CHECK(twice <= row.at_most);
        }
    }
}

TEST_CASE("network: latency stays within [min, max] and spans the range", "[network]") {
    Network network(3);
    LinkConfig link = quiet_link();
    link.latency_min_us = 3 * us_per_ms;
    link.latency_max_us = 7 * us_per_ms;
    network.set_default_link(link);
    TimeUs lowest = link.latency_max_us;
    TimeUs highest = link.latency_min_us;
    for (int i = 0; i < sends; ++i) {
        // Sends far apart, so FIFO order never holds one back.
        const SendPlan plan = send_and_retire(network, message(1, 2), i * us_per_second);
        REQUIRE(plan.delays_us.size() == 1);
        const TimeUs delay = plan.delays_us.front();
        CHECK(delay >= link.latency_min_us);
        CHECK(delay <= link.latency_max_us);
        lowest = std::min(lowest, delay);
        highest = std::max(highest, delay);
    }
    CHECK(lowest < link.latency_min_us + 100);
    CHECK(highest > link.latency_max_us - 100);
}

TEST_CASE("network: a link is FIFO without reorder and reorder breaks FIFO", "[network]") {
    const auto arrivals = [](Ratio reorder) {
        Network network(11);
        LinkConfig link = quiet_link();
        link.latency_min_us = 1 * us_per_ms;
        link.latency_max_us = 40 * us_per_ms;
        link.reorder = reorder;
        link.reorder_delay_max_us = 50 * us_per_ms;
        network.set_default_link(link);
        std::vector<TimeUs> result;
        for (int i = 0; i < sends; ++i) {
            const TimeUs now = static_cast<TimeUs>(i) * us_per_ms;
            const SendPlan plan = send_and_retire(network, message(1, 2), now);
            REQUIRE(plan.delays_us.size() == 1);
            CHECK(plan.delays_us.front() <= link.latency_max_us + link.reorder_delay_max_us);
            result.push_back(now + plan.delays_us.front());
        }
        return result;
    };
    const auto overtaken = [](const std::vector<TimeUs>& times) {
        int count = 0;
        for (std::size_t i = 1; i < times.size(); ++i) {
            count += times[i] < times[i - 1] ? 1 : 0;
        }
        return count;
    };
    SECTION("without reorder arrival times never decrease") {
        CHECK(overtaken(arrivals(Ratio{0, 1})) == 0);
    }
    SECTION("with reorder later messages arrive earlier") {
        CHECK(overtaken(arrivals(Ratio{1, 4})) > sends / 20);
    }
}

TEST_CASE("network: FIFO holds only per link", "[network]") {
    Network network(5);
    LinkConfig link = quiet_link();
    link.latency_min_us = 1 * us_per_ms;
    link.latency_max_us = 100 * us_per_ms;
    network.set_default_link(link);
    // A slow message on 1->2 does not hold back 1->3 or 2->1.
    TimeUs slow = 0;
    for (int i = 0; i < 50 && slow < 90 * us_per_ms; ++i) {
        slow = send_and_retire(network, message(1, 2), 0).delays_us.front();
    }
    REQUIRE(slow >= 90 * us_per_ms);
    bool overtook = false;
    for (int i = 0; i < 50; ++i) {
        overtook = overtook || send_and_retire(network, message(1, 3), 0).delays_us.front() < slow;
        overtook = overtook || send_and_retire(network, message(2, 1), 0).delays_us.front() < slow;
    }
    CHECK(overtook);
    CHECK(send_and_retire(network, message(1, 2), 0).delays_us.front() >= slow);
}

TEST_CASE("network: a full link queue drops with queue_full until a message leaves", "[network]") {
    Network network(9);
    LinkConfig link = quiet_link();
    link.queue_capacity = 3;
    network.set_default_link(link);
    for (int i = 0; i < 3; ++i) {
        CHECK_FALSE(network.plan_send(message(1, 2), 0).dropped);
    }
    const SendPlan full = network.plan_send(message(1, 2), 0);
    CHECK(full.dropped);
    CHECK(full.drop_reason == DropReason::queue_full);
    // Other links have queues of their own.
    CHECK_FALSE(network.plan_send(message(2, 1), 0).dropped);
    network.on_left_network(1, 2);
    CHECK_FALSE(network.plan_send(message(1, 2), 0).dropped);
    CHECK(network.plan_send(message(1, 2), 0).drop_reason == DropReason::queue_full);

    SECTION("a duplicate needs room for both copies") {
        LinkConfig twice = link;
        twice.duplicate = Ratio{1, 1};
        twice.queue_capacity = 2;
        Network duplicating(9);
        duplicating.set_default_link(twice);
        CHECK(duplicating.plan_send(message(1, 2), 0).delays_us.size() == 2);
        CHECK(duplicating.plan_send(message(1, 2), 0).drop_reason == DropReason::queue_full);
    }
}

TEST_CASE("network: partition_off separates groups both ways and heal reconnects", "[network]") {
    Network network(1);
    network.set_default_link(quiet_link());
    const std::uint32_t group = network.partition_off({1});
    CHECK(group != 0);
    CHECK(network.group_of(1) == group);
    CHECK(network.group_of(2) == 0);
    for (NodeId peer : {2, 3}) {
        CHECK_FALSE(network.connected(1, peer));
        CHECK_FALSE(network.connected(peer, 1));
        const SendPlan out = network.plan_send(message(1, peer), 0);
        CHECK(out.dropped);
        CHECK(out.drop_reason == DropReason::partitioned);
        CHECK(network.plan_send(message(peer, 1), 0).drop_reason == DropReason::partitioned);
    }
    CHECK(reaches(network, 2, 3));
    CHECK(reaches(network, 3, 2));
    network.heal(group);
    CHECK(network.group_of(1) == 0);
    CHECK(reaches(network, 1, 2));
    CHECK(reaches(network, 3, 1));
}

TEST_CASE("network: a node moved to a new group talks only to that group", "[network]") {
    Network network(1);
    network.set_default_link(quiet_link());
    const std::uint32_t first = network.partition_off({1, 2});
    CHECK(reaches(network, 1, 2));
    CHECK_FALSE(reaches(network, 1, 3));
    // Node 2 is moved into a group of its own with 4 (hashicorp PartitionOff).
    const std::uint32_t second = network.partition_off({2, 4});
    CHECK(second != first);
    CHECK_FALSE(reaches(network, 1, 2));
    CHECK_FALSE(reaches(network, 2, 1));
    CHECK(reaches(network, 2, 4));
    CHECK_FALSE(reaches(network, 2, 3));
    CHECK_FALSE(reaches(network, 4, 3));
    CHECK(reaches(network, 3, 5));
    // Healing the second group brings 2 and 4 back to the majority, not to 1.
    network.heal(second);
    CHECK(reaches(network, 2, 3));
    CHECK(reaches(network, 4, 3));
    CHECK_FALSE(reaches(network, 2, 1));
    network.heal(first);
    CHECK(reaches(network, 1, 2));
    CHECK(reaches(network, 1, 3));
}

TEST_CASE("network: heal_all clears every partition and every cut", "[network]") {
    Network network(1);
    network.set_default_link(quiet_link());
    static_cast<void>(network.partition_off({1}));
    static_cast<void>(network.partition_off({2}));
    network.cut(3, 4);
    CHECK_FALSE(reaches(network, 1, 2));
    CHECK_FALSE(reaches(network, 2, 3));
    CHECK_FALSE(reaches(network, 3, 4));
    network.heal_all();
    for (NodeId from : {1, 2, 3, 4}) {
        for (NodeId to : {1, 2, 3, 4}) {
            if (from != to) {
                CHECK(reaches(network, from, to));
            }
        }
    }
}

TEST_CASE("network: a one-way cut blocks only one direction until restored", "[network]") {
    Network network(1);
    network.set_default_link(quiet_link());
    network.cut(1, 2);
    network.cut(1, 2);  // idempotent
    CHECK_FALSE(network.connected(1, 2));
    CHECK(network.connected(2, 1));
    const SendPlan blocked = network.plan_send(message(1, 2), 0);
    CHECK(blocked.dropped);
    CHECK(blocked.drop_reason == DropReason::cut);
    CHECK(reaches(network, 2, 1));
    CHECK(reaches(network, 1, 3));
    network.restore(1, 2);
    CHECK(reaches(network, 1, 2));
}

TEST_CASE("network: check_delivery drops a message whose link broke while in flight", "[network]") {
    struct Row {
        std::string name;
        std::function<void(Network&)> fault;
        DropReason reason;
    };
    const std::vector<Row> rows = {
        {"partition of the sender", [](Network& n) { static_cast<void>(n.partition_off({1})); },
         DropReason::partitioned},
        {"partition of the receiver", [](Network& n) { static_cast<void>(n.partition_off({2})); },
         DropReason::partitioned},
        {"one-way cut", [](Network& n) { n.cut(1, 2); }, DropReason::cut},
    };
    for (const Row& row : rows) {
        DYNAMIC_SECTION(row.name) {
            Network network(1);
            network.set_default_link(quiet_link());
            const Message sent = message(1, 2);
            REQUIRE_FALSE(network.plan_send(sent, 0).dropped);
            DropReason reason = DropReason::random_loss;
            CHECK_FALSE(network.check_delivery(sent, reason).drop);
            row.fault(network);
            const FilterVerdict verdict = network.check_delivery(sent, reason);
            CHECK(verdict.drop);
            CHECK(reason == row.reason);
            network.heal_all();
            CHECK_FALSE(network.check_delivery(sent, reason).drop);
        }
    }
}

TEST_CASE("network: before_send filters delay or drop every message", "[network]") {
    Network network(1);
    LinkConfig link = quiet_link();
    link.latency_min_us = 2 * us_per_ms;
    link.latency_max_us = 2 * us_per_ms;
    network.set_default_link(link);
    network.add_filter(FilterStage::before_send, "slow",
                       [](const Message&, core::Prng&) { return delay_by(300 * us_per_ms); });
    CHECK(delays(send_and_retire(network, message(1, 2), 0)) ==
          std::vector<TimeUs>{302 * us_per_ms});
    const SendPlan response = send_and_retire(
        network, message(2, 1, MessageType::append_entries_response), 1 * us_per_second);
    CHECK(delays(response) == std::vector<TimeUs>{302 * us_per_ms});
    network.add_filter(FilterStage::before_send, "loss", [](const Message& m, core::Prng&) {
        return m.to == 3 ? dropped() : FilterVerdict{};
    });
    const SendPlan lost = network.plan_send(message(1, 3), 2 * us_per_second);
    CHECK(lost.dropped);
    CHECK(lost.drop_reason == DropReason::filter);
    CHECK_FALSE(send_and_retire(network, message(1, 2), 3 * us_per_second).dropped);
    network.remove_filter("slow");
    network.remove_filter("loss");
    CHECK(delays(send_and_retire(network, message(1, 2), 4 * us_per_second)) ==
          std::vector<TimeUs>{2 * us_per_ms});
    CHECK_FALSE(send_and_retire(network, message(1, 3), 5 * us_per_second).dropped);
}

TEST_CASE("network: on_response filters act on responses only", "[network]") {
    Network network(1);
    LinkConfig link = quiet_link();
    link.latency_min_us = 2 * us_per_ms;
    link.latency_max_us = 2 * us_per_ms;
    network.set_default_link(link);
    network.add_filter(FilterStage::on_response, "slow_responses",
                       [](const Message&, core::Prng&) { return delay_by(100 * us_per_ms); });
    struct Row {
        MessageType type;
        bool response;
    };
    const std::vector<Row> rows = {
        {MessageType::append_entries, false},
        {MessageType::append_entries_response, true},
        {MessageType::request_vote, false},
        {MessageType::request_vote_response, true},
        {MessageType::request_pre_vote, false},
        {MessageType::request_pre_vote_response, true},
        {MessageType::timeout_now, false},
        {MessageType::install_snapshot, false},
        {MessageType::install_snapshot_response, true},
    };
    REQUIRE(rows.size() == core::message_type_count);
    TimeUs now = 0;
    for (const Row& row : rows) {
        now += us_per_second;
        const SendPlan plan = send_and_retire(network, message(1, 2, row.type), now);
        INFO(core::to_string(row.type));
        const TimeUs expected = row.response ? 102 * us_per_ms : 2 * us_per_ms;
        CHECK(delays(plan) == std::vector<TimeUs>{expected});
    }
    network.add_filter(FilterStage::on_response, "slow_responses",
                       [](const Message&, core::Prng&) { return dropped(); });
    CHECK(network.plan_send(message(1, 2, MessageType::request_vote_response), now).dropped);
    CHECK_FALSE(send_and_retire(network, message(1, 2, MessageType::request_vote), now).dropped);
}

TEST_CASE("network: before_delivery filters act at arrival, not at send", "[network]") {
    Network network(1);
    LinkConfig link = quiet_link();
    link.latency_min_us = 2 * us_per_ms;
    link.latency_max_us = 2 * us_per_ms;
    network.set_default_link(link);
    network.add_filter(FilterStage::before_delivery, "hold", [](const Message& m, core::Prng&) {
        return m.to == 3 ? dropped() : delay_by(40 * us_per_ms);
    });
    const Message to_two = message(1, 2);
    const SendPlan plan = send_and_retire(network, to_two, 0);
    CHECK(delays(plan) == std::vector<TimeUs>{2 * us_per_ms});
    DropReason reason = DropReason::random_loss;
    const FilterVerdict held = network.check_delivery(to_two, reason);
    CHECK_FALSE(held.drop);
    CHECK(held.extra_delay_us == 40 * us_per_ms);
    const FilterVerdict lost = network.check_delivery(message(1, 3), reason);
    CHECK(lost.drop);
    CHECK(reason == DropReason::filter);
    network.remove_filter("hold");
    const FilterVerdict clear = network.check_delivery(to_two, reason);
    CHECK_FALSE(clear.drop);
    CHECK(clear.extra_delay_us == 0);
}

TEST_CASE("network: adding a filter under a used name replaces it", "[network]") {
    Network network(1);
    LinkConfig link = quiet_link();
    link.latency_min_us = 2 * us_per_ms;
    link.latency_max_us = 2 * us_per_ms;
    network.set_default_link(link);
    network.add_filter(FilterStage::before_send, "f",
                       [](const Message&, core::Prng&) { return delay_by(10 * us_per_ms); });
    network.add_filter(FilterStage::before_send, "f",
                       [](const Message&, core::Prng&) { return delay_by(20 * us_per_ms); });
    CHECK(delays(send_and_retire(network, message(1, 2), 0)) ==
          std::vector<TimeUs>{22 * us_per_ms});
    network.add_filter(FilterStage::before_delivery, "f",
                       [](const Message&, core::Prng&) { return dropped(); });
    CHECK(delays(send_and_retire(network, message(1, 2), us_per_second)) ==
          std::vector<TimeUs>{2 * us_per_ms});
    DropReason reason = DropReason::random_loss;
    CHECK(network.check_delivery(message(1, 2), reason).drop);
}

TEST_CASE("network: a message fault hits exactly the N-th message sent", "[network]") {
    struct Case {
        MessageFault::Kind kind;
        bool dropped;
        std::size_t copies;
        TimeUs min_delay_us;
    };
    const std::vector<Case> cases = {
        {MessageFault::Kind::drop, true, 0, 0},
        {MessageFault::Kind::duplicate, false, 2, 1 * us_per_ms},
        {MessageFault::Kind::delay, false, 1, 300 * us_per_ms},
        {MessageFault::Kind::replay, false, 2, 1 * us_per_ms},
    };
    for (const Case& c : cases) {
        INFO("kind " << to_string(c.kind));
        Network network(7);
        network.set_default_link(quiet_link());
        network.set_message_faults(
            {MessageFault{.message = 3, .kind = c.kind, .delay_us = 300 * us_per_ms}});
        for (std::uint64_t n = 1; n <= 5; ++n) {
            const SendPlan plan = send_and_retire(network, message(1, 2), 0);
            REQUIRE(network.messages_sent() == n);
            if (n != 3) {
                // Every other message goes through untouched.
                REQUIRE_FALSE(plan.dropped);
                REQUIRE(plan.delays_us.size() == 1);
                REQUIRE(plan.delays_us[0] <= 5 * us_per_ms);
                continue;
            }
            REQUIRE(plan.dropped == c.dropped);
            if (c.dropped) {
                REQUIRE(plan.drop_reason == DropReason::scripted);
            }
            REQUIRE(plan.delays_us.size() == c.copies);
            for (TimeUs delay : plan.delays_us) {
                REQUIRE(delay >= c.min_delay_us);
            }
        }
    }
}

TEST_CASE("network: a replay fault delivers message N again after its delay", "[network]") {
    // Method: script a 5 s replay of message 2 and send more messages on the
    // same link. Message 2 arrives in its FIFO place, and its late copy
    // exactly 5 s after it -- after every later message, which keep their
    // FIFO order, since the copy stands outside it as a delay does.
    Network network(7);
    network.set_default_link(quiet_link());
    network.set_message_faults({MessageFault{
        .message = 2, .kind = MessageFault::Kind::replay, .delay_us = 5 * us_per_second}});
    std::vector<TimeUs> arrivals;
    TimeUs replay_arrival = 0;
    for (int n = 1; n <= 6; ++n) {
        const TimeUs now = static_cast<TimeUs>(n) * 10 * us_per_ms;
        const SendPlan plan = send_and_retire(network, message(1, 2), now);
        REQUIRE_FALSE(plan.dropped);
        REQUIRE(plan.replayed == (n == 2));
        REQUIRE(plan.delays_us.size() == (n == 2 ? 2U : 1U));
        arrivals.push_back(now + plan.delays_us.front());
        if (plan.replayed) {
            CHECK(plan.delays_us[1] == plan.delays_us[0] + 5 * us_per_second);
            replay_arrival = now + plan.delays_us[1];
        }
    }
    CHECK(std::is_sorted(arrivals.begin(), arrivals.end()));
    CHECK(replay_arrival > arrivals.back());
}

TEST_CASE("network: a replay's late copy is checked against partitions when it arrives",
          "[network]") {
    // The copy is an ordinary message in flight: a partition at its arrival
    // drops it; once healed, an equal late copy gets through.
    Network network(7);
    network.set_default_link(quiet_link());
    network.set_message_faults(
        {MessageFault{.message = 1, .kind = MessageFault::Kind::replay, .delay_us = us_per_second},
         MessageFault{
             .message = 2, .kind = MessageFault::Kind::replay, .delay_us = us_per_second}});
    const Message sent = message(1, 2);
    REQUIRE(send_and_retire(network, sent, 0).replayed);
    REQUIRE(send_and_retire(network, sent, 0).replayed);
    const std::uint32_t group = network.partition_off({2});
    DropReason reason = DropReason::random_loss;
    CHECK(network.check_delivery(sent, reason).drop);
    CHECK(reason == DropReason::partitioned);
    network.heal(group);
    CHECK_FALSE(network.check_delivery(sent, reason).drop);
}

TEST_CASE("network: the stale replay rate replays about that fraction, late", "[network]") {
    struct Row {
        Ratio stale_replay;
        int at_least;
        int at_most;
    };
    const std::vector<Row> rows = {
        {Ratio{0, 1}, 0, 0},
        {Ratio{1, 10}, sends * 7 / 100, sends * 13 / 100},
        {Ratio{1, 1}, sends, sends},
    };
    for (const Row& row : rows) {
        DYNAMIC_SECTION("stale_replay " << row.stale_replay.numerator << "/"
                                        << row.stale_replay.denominator) {
            Network network(7);
            LinkConfig link = quiet_link();
            link.stale_replay = row.stale_replay;
            link.stale_replay_delay_min_us = 2 * us_per_second;
            link.stale_replay_delay_max_us = 3 * us_per_second;
            network.set_default_link(link);
            int replayed = 0;
            for (int i = 0; i < sends; ++i) {
                const SendPlan plan = send_and_retire(network, message(1, 2), i * us_per_ms);
                REQUIRE_FALSE(plan.dropped);
                REQUIRE(plan.delays_us.size() == (plan.replayed ? 2U : 1U));
                if (plan.replayed) {
                    const TimeUs late_us = plan.delays_us[1] - plan.delays_us[0];
                    REQUIRE(late_us >= 2 * us_per_second);
                    REQUIRE(late_us <= 3 * us_per_second);
                    replayed += 1;
                }
            }
            CHECK(replayed >= row.at_least);
            CHECK(replayed <= row.at_most);
        }
    }
}

TEST_CASE("network: a link without stale replays draws as it did before they existed",
          "[network]") {
    // The rate and delay draws happen only when the rate is on, so the
    // built-in suite's runs (and their known catches) stay what they were:
    // a rate-0 link with any replay delay range decides exactly like one
    // with the defaults.
    const auto decisions = [](TimeUs delay_max_us) {
        Network network(11);
        LinkConfig link = quiet_link();
        link.drop = Ratio{1, 5};
        link.duplicate = Ratio{1, 5};
        link.stale_replay_delay_max_us = delay_max_us;
        network.set_default_link(link);
        std::vector<std::vector<TimeUs>> result;
        for (int i = 0; i < 500; ++i) {
            result.push_back(delays(send_and_retire(network, message(1, 2), i * us_per_ms)));
        }
        return result;
    };
    CHECK(decisions(10 * us_per_second) == decisions(3'600 * us_per_second));
}

TEST_CASE("network: a slow link is slower one way only and stays FIFO", "[network][slow_link]") {
    Network network(21);
    LinkConfig link = quiet_link();
    network.set_default_link(link);
    network.set_slow_link(
        2, 1, SlowLink{.delay_min_us = 400 * us_per_ms, .delay_max_us = 440 * us_per_ms});
    TimeUs last_arrival = 0;
    for (int i = 0; i < 500; ++i) {
        const TimeUs now = static_cast<TimeUs>(i) * us_per_ms;
        // From 2 to 1: the latency plus [400ms, 440ms], in FIFO order even
        // though consecutive draws differ by up to 40ms.
        const SendPlan slow =
            send_and_retire(network, message(2, 1, MessageType::append_entries_response), now);
        REQUIRE(slow.delays_us.size() == 1);
        CHECK(slow.delays_us.front() >= 400 * us_per_ms + link.latency_min_us);
        CHECK(now + slow.delays_us.front() >= last_arrival);
        last_arrival = now + slow.delays_us.front();
        // From 1 to 2, and from 2 to 3: the network's latency alone.
        CHECK(send_and_retire(network, message(1, 2), now).delays_us.front() <=
              link.latency_max_us);
        CHECK(send_and_retire(network, message(2, 3), now).delays_us.front() <=
              link.latency_max_us);
    }
    // The draws span the range: the last arrival is not just FIFO's floor.
    CHECK(last_arrival - 499 * us_per_ms <= 445 * us_per_ms);
}

TEST_CASE("network: a slow link's message types leave FIFO order; other types overtake them",
          "[network][slow_link]") {
    Network network(22);
    network.set_default_link(quiet_link());
    network.set_slow_link(
        2, 1,
        SlowLink{.delay_min_us = 300 * us_per_ms,
                 .delay_max_us = 300 * us_per_ms,
                 .type_mask = message_type_bit(MessageType::append_entries_response)});
    const SendPlan ack =
        send_and_retire(network, message(2, 1, MessageType::append_entries_response), 0);
    const SendPlan vote =
        send_and_retire(network, message(2, 1, MessageType::request_vote_response), 0);
    REQUIRE(ack.delays_us.size() == 1);
    REQUIRE(vote.delays_us.size() == 1);
    CHECK(ack.delays_us.front() >= 301 * us_per_ms);
    CHECK(ack.delays_us.front() <= 305 * us_per_ms);
    CHECK(vote.delays_us.front() <= 5 * us_per_ms);  // sent later, arrives first
}

TEST_CASE("network: a zero delay or clear_slow_links makes a slow link ordinary again",
          "[network][slow_link]") {
    Network network(23);
    network.set_default_link(quiet_link());
    const SlowLink slow{.delay_min_us = 1 * us_per_second, .delay_max_us = 1 * us_per_second};
    network.set_slow_link(1, 2, slow);
    network.set_slow_link(1, 3, slow);
    CHECK(send_and_retire(network, message(1, 2), 0).delays_us.front() > us_per_second);
    network.set_slow_link(1, 2, SlowLink{});
    CHECK(send_and_retire(network, message(1, 2), 2 * us_per_second).delays_us.front() <=
          5 * us_per_ms);
    CHECK(send_and_retire(network, message(1, 3), 0).delays_us.front() > us_per_second);
    CHECK(network.clear_slow_links());
    CHECK_FALSE(network.clear_slow_links());  // nothing left to clear
    CHECK(send_and_retire(network, message(1, 3), 2 * us_per_second).delays_us.front() <=
          5 * us_per_ms);
}

TEST_CASE("network: slow links draw only for the messages they slow", "[network][slow_link]") {
    // A run without slow links, or whose slow links never carry a message,
    // decides exactly as before slow links existed: the built-in suite's
    // fingerprints stay what they were.
    const auto decisions = [](bool slow_elsewhere) {
        Network network(24);
        LinkConfig link = quiet_link();
        link.drop = Ratio{1, 5};
        link.duplicate = Ratio{1, 5};
        link.reorder = Ratio{1, 5};
        network.set_default_link(link);
        if (slow_elsewhere) {
            network.set_slow_link(3, 1, SlowLink{.delay_min_us = 0, .delay_max_us = us_per_second});
            network.set_slow_link(
                1, 2,
                SlowLink{.delay_min_us = 0,
                         .delay_max_us = us_per_second,
                         .type_mask = message_type_bit(MessageType::timeout_now)});
        }
        std::vector<std::vector<TimeUs>> result;
        for (int i = 0; i < 500; ++i) {
            result.push_back(delays(send_and_retire(network, message(1, 2), i * us_per_ms)));
        }
        return result;
    };
    CHECK(decisions(false) == decisions(true));
}

TEST_CASE("network: the same seed makes the same decisions", "[network]") {
    const auto decisions = [](std::uint64_t seed) {
        Network network(seed);
        LinkConfig link = quiet_link();
        link.latency_max_us = 30 * us_per_ms;
        link.drop = Ratio{1, 5};
        link.duplicate = Ratio{1, 5};
        link.reorder = Ratio{1, 5};
        network.set_default_link(link);
        network.add_filter(FilterStage::before_send, "jitter",
                           [](const Message&, core::Prng& prng) {
                               return delay_by(prng.range_inclusive(0, 1000));
                           });
        std::vector<TimeUs> result;
        for (int i = 0; i < 2000; ++i) {
            const NodeId from = 1 + static_cast<NodeId>(i % 3);
            const NodeId to = 1 + static_cast<NodeId>((i + 1) % 3);
            const SendPlan plan =
                send_and_retire(network, message(from, to), static_cast<TimeUs>(i) * 500);
            result.push_back(plan.dropped ? 1'000'000'000 + static_cast<TimeUs>(plan.drop_reason)
                                          : 0);
            result.insert(result.end(), plan.delays_us.begin(), plan.delays_us.end());
        }
        return result;
    };
    CHECK(decisions(17) == decisions(17));
    CHECK(decisions(17) != decisions(18));
}

}  // namespace raftsim::sim
