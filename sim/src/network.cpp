#include "raftsim/sim/network.hpp"

#include <algorithm>

#include "raftsim/core/assert.hpp"

namespace raftsim::sim {

bool LinkConfig::is_valid() const noexcept {
    return latency_min_us <= latency_max_us && drop.is_valid() && duplicate.is_valid() &&
           reorder.is_valid() && stale_replay.is_valid() && stale_replay_delay_min_us > 0 &&
           stale_replay_delay_min_us <= stale_replay_delay_max_us && queue_capacity > 0;
}

bool SlowLink::is_valid() const noexcept {
    constexpr std::uint32_t all_types = (1U << core::message_type_count) - 1;
    return delay_min_us <= delay_max_us && (type_mask & ~all_types) == 0;
}

bool SlowLink::slows(core::MessageType type) const noexcept {
    return type_mask == 0 || (type_mask & message_type_bit(type)) != 0;
}

void Network::set_link(core::NodeId from, core::NodeId to, const LinkConfig& link) {
    RAFT_ASSERT(link.is_valid());
    links_[{from, to}] = link;
}

const LinkConfig& Network::link(core::NodeId from, core::NodeId to) const {
    const auto it = links_.find({from, to});
    return it == links_.end() ? default_link_ : it->second;
}

std::uint32_t Network::partition_off(const std::vector<core::NodeId>& nodes) {
    const std::uint32_t group = next_group_;
    next_group_ += 1;
    for (core::NodeId node : nodes) {
        group_by_node_[node] = group;
    }
    RAFT_ASSERT(group > 0);
    return group;
}

void Network::heal(std::uint32_t group) {
    group_by_node_.for_each([group](core::NodeId, std::uint32_t& node_group) {
        if (node_group == group) {
            node_group = 0;
        }
    });
}

void Network::heal_all() {
    group_by_node_.clear();
    cuts_.clear();
}

void Network::cut(core::NodeId from, core::NodeId to) {
    if (std::find(cuts_.begin(), cuts_.end(), std::pair{from, to}) == cuts_.end()) {
        cuts_.emplace_back(from, to);
    }
}

void Network::restore(core::NodeId from, core::NodeId to) {
    std::erase(cuts_, std::pair{from, to});
}

void Network::set_slow_link(core::NodeId from, core::NodeId to, const SlowLink& slow) {
    RAFT_ASSERT(slow.is_valid());
    RAFT_ASSERT(from != to);
    if (slow.delay_max_us == 0) {
        slow_links_.erase({from, to});
        return;
    }
    slow_links_[{from, to}] = slow;
}

bool Network::clear_slow_links() {
    const bool any = !slow_links_.empty();
    slow_links_.clear();
    return any;
}

void Network::add_filter(FilterStage stage, std::string name, MessageFilter filter) {
    RAFT_ASSERT(filter != nullptr);
    remove_filter(name);
    filters_.push_back(
        NamedFilter{.stage = stage, .name = std::move(name), .filter = std::move(filter)});
}

void Network::remove_filter(const std::string& name) {
    std::erase_if(filters_, [&name](const NamedFilter& named) { return named.name == name; });
}

TimeUs Network::draw_delay(const LinkConfig& link, core::NodeId from, core::NodeId to, TimeUs now,
                           TimeUs slow_us) {
    const TimeUs latency =
        prng_.range_inclusive(link.latency_min_us, link.latency_max_us) + slow_us;
    if (!link.reorder.is_zero() && prng_.chance(link.reorder.numerator, link.reorder.denominator)) {
        // Out of order: overtaken by whatever is sent in the next while.
        return latency + prng_.range_inclusive(0, link.reorder_delay_max_us);
    }
    TimeUs& last = last_arrival_[{from, to}];
    const TimeUs arrival = std::max(now + latency, last);
    last = arrival;
    RAFT_ASSERT(arrival >= now);
    return arrival - now;
}

// How long after the message its stale replay arrives; 0 for none. The rate
// is drawn only when it is on, so a link without stale replays draws what it
// drew before they existed (the built-in suite's runs stay what they were).
TimeUs Network::draw_replay_delay(const LinkConfig& link, const MessageFault* scripted) {
    TimeUs delay_us = 0;
    if (!link.stale_replay.is_zero() &&
        prng_.chance(link.stale_replay.numerator, link.stale_replay.denominator)) {
        delay_us =
            prng_.range_inclusive(link.stale_replay_delay_min_us, link.stale_replay_delay_max_us);
        RAFT_ASSERT(delay_us > 0);
    }
    if (scripted != nullptr && scripted->kind == MessageFault::Kind::replay) {
        RAFT_ASSERT(scripted->delay_us > 0);
        delay_us = scripted->delay_us;  // the script says exactly when
    }
    return delay_us;
}

// A slow link's extra delay for this message: returned when the whole link
// is slow (it joins the latency, inside FIFO order), added to `verdict`
// when only its type is (held back outside FIFO order, like a delay fault).
// Drawn only for the messages a slow link slows, so a run without one draws
// what it drew before slow links existed (the suite's fingerprints).
TimeUs Network::draw_slow_link_delay(const core::Message& message, FilterVerdict& verdict) {
    if (slow_links_.empty()) {
        return 0;
    }
    const auto slow = slow_links_.find({message.from, message.to});
    if (slow == slow_links_.end() || !slow->second.slows(message.type)) {
        return 0;
    }
    const TimeUs drawn =
        prng_.range_inclusive(slow->second.delay_min_us, slow->second.delay_max_us);
    if (slow->second.type_mask == 0) {
        return drawn;
    }
    verdict.extra_delay_us += drawn;
    return 0;
}

FilterVerdict Network::run_filters(FilterStage stage, const core::Message& message) {
    FilterVerdict total;
    for (const NamedFilter& named : filters_) {
        if (named.stage != stage) {
            continue;
        }
        const FilterVerdict verdict = named.filter(message, prng_);
        total.drop = total.drop || verdict.drop;
        total.extra_delay_us += verdict.extra_delay_us;
    }
    return total;
}

std::string_view to_string(MessageFault::Kind kind) noexcept {
    switch (kind) {
        case MessageFault::Kind::drop:
            return "drop";
        case MessageFault::Kind::duplicate:
            return "duplicate";
        case MessageFault::Kind::delay:
            return "delay";
        case MessageFault::Kind::replay:
            return "replay";
    }
    return "?";
}

void Network::set_message_faults(std::vector<MessageFault> faults) {
    std::sort(faults.begin(), faults.end(),
              [](const MessageFault& a, const MessageFault& b) { return a.message < b.message; });
    for (std::size_t i = 1; i < faults.size(); ++i) {
        RAFT_ASSERT(faults[i - 1].message != faults[i].message);
    }
    message_faults_ = std::move(faults);
    next_fault_ = 0;
}

const MessageFault* Network::scripted_fault() const {
    if (next_fault_ >= message_faults_.size()) {
        return nullptr;
    }
    const MessageFault& fault = message_faults_[next_fault_];
    RAFT_ASSERT(fault.message >= messages_sent_);
    return fault.message == messages_sent_ ? &fault : nullptr;
}

SendPlan Network::plan_send(const core::Message& message, TimeUs now) {
    messages_sent_ += 1;
    while (next_fault_ < message_faults_.size() &&
           message_faults_[next_fault_].message < messages_sent_) {
        next_fault_ += 1;
    }
    const MessageFault* scripted = scripted_fault();
    SendPlan plan;
    const auto drop = [&plan](DropReason reason) {
        plan.dropped = true;
        plan.drop_reason = reason;
        return plan;
    };
    if (const std::optional<DropReason> why = blocked(message.from, message.to)) {
        return drop(*why);
    }
    FilterVerdict verdict = run_filters(FilterStage::before_send, message);
    if (core::is_response(message.type)) {
        const FilterVerdict response = run_filters(FilterStage::on_response, message);
        verdict.drop = verdict.drop || response.drop;
        verdict.extra_delay_us += response.extra_delay_us;
    }
    if (verdict.drop) {
        return drop(DropReason::filter);
    }
    // The loss draw happens whether or not a fault is scripted. (A scripted
    // drop skips the duplication and latency draws, so the messages after
    // it draw differently: one stream for the whole run keeps the built-in
    // suite's runs, and so its known catches, what they were.)
    const LinkConfig& config = link(message.from, message.to);
    const bool lost =
        !config.drop.is_zero() && prng_.chance(config.drop.numerator, config.drop.denominator);
    if (scripted != nullptr && scripted->kind == MessageFault::Kind::drop) {
        return drop(DropReason::scripted);
    }
    if (lost) {
        return drop(DropReason::random_loss);
    }
    std::uint32_t& in_flight = in_flight_[{message.from, message.to}];
    bool duplicated = !config.duplicate.is_zero() &&
                      prng_.chance(config.duplicate.numerator, config.duplicate.denominator);
    duplicated =
        duplicated || (scripted != nullptr && scripted->kind == MessageFault::Kind::duplicate);
    if (scripted != nullptr && scripted->kind == MessageFault::Kind::delay) {
        verdict.extra_delay_us += scripted->delay_us;
    }
    const TimeUs slow_us = draw_slow_link_delay(message, verdict);
    const TimeUs replay_delay_us = draw_replay_delay(config, scripted);
    const std::uint32_t timely = duplicated ? 2 : 1;
    const std::uint32_t copies = timely + (replay_delay_us > 0 ? 1 : 0);
    if (in_flight + copies > config.queue_capacity) {
        return drop(DropReason::queue_full);
    }
    for (std::uint32_t copy = 0; copy < timely; ++copy) {
        plan.delays_us.push_back(draw_delay(config, message.from, message.to, now, slow_us) +
                                 verdict.extra_delay_us);
    }
    if (replay_delay_us > 0) {
        // Counted from the message's own arrival, and outside the link's
        // FIFO order like a delay: later messages overtake the late copy.
        plan.delays_us.push_back(plan.delays_us.front() + replay_delay_us);
        plan.replayed = true;
    }
    RAFT_ASSERT(plan.delays_us.size() == copies);
    plan.held_back = verdict.extra_delay_us > 0 || slow_us > 0;
    in_flight += copies;
    RAFT_ASSERT(in_flight <= config.queue_capacity);
    return plan;
}

FilterVerdict Network::check_delivery(const core::Message& message, DropReason& reason) {
    if (const std::optional<DropReason> why = blocked(message.from, message.to)) {
        reason = *why;
        return FilterVerdict{.drop = true, .extra_delay_us = 0};
    }
    reason = DropReason::filter;
    return run_filters(FilterStage::before_delivery, message);
}

void Network::on_left_network(core::NodeId from, core::NodeId to) {
    std::uint32_t& in_flight = in_flight_[{from, to}];
    RAFT_ASSERT(in_flight > 0);
    in_flight -= 1;
}

}  // namespace raftsim::sim
