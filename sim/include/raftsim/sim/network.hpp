#pragma once
// The network model: per-link latency, loss, duplication and reordering with
// bounded queues; partitions as groups (hashicorp fuzzy's Partitioner:
// PartitionOff / Heal / HealAll); one-way cuts; slow links (one direction of
// a link, or some message types on it, slower than the rest); and message
// filters that run before send, on responses, and before delivery, so
// faults such as "slow vote requests" are filters, never sleeps.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/message.hpp"
#include "raftsim/core/prng.hpp"
#include "raftsim/sim/node_table.hpp"
#include "raftsim/sim/time.hpp"
#include "raftsim/sim/trace.hpp"

namespace raftsim::sim {

/// A link is FIFO, like the TCP connections of hashicorp's transports: a
/// message never arrives before one sent earlier on the same link, whatever
/// latency it drew. Reordering is a fault of its own (`reorder`).
struct LinkConfig {
    TimeUs latency_min_us = 1 * us_per_ms;
    TimeUs latency_max_us = 5 * us_per_ms;
    Ratio drop{};
    Ratio duplicate{};
    /// With this probability a message leaves the FIFO order and is held
    /// back an extra [0, reorder_delay_max_us], so later messages overtake it.
    Ratio reorder{};
    TimeUs reorder_delay_max_us = 50 * us_per_ms;
    /// With this probability a message is also delivered a second time, a
    /// stale replay: a copy (same sender, term, everything) arrives again
    /// [stale_replay_delay_min_us, stale_replay_delay_max_us] after the
    /// message itself, out of FIFO order (MessageFault::Kind::replay).
    Ratio stale_replay{};
    TimeUs stale_replay_delay_min_us = 1 * us_per_second;
    TimeUs stale_replay_delay_max_us = 10 * us_per_second;
    /// Messages in flight on this link at once; more are dropped.
    std::uint32_t queue_capacity = 4096;

    [[nodiscard]] bool is_valid() const noexcept;
};

/// One direction of a link made slower than the network's latency: an
/// extra delay drawn uniformly from [delay_min_us, delay_max_us] per message
/// (Network::set_slow_link). Every message, or only the types in
/// `type_mask` (bit `1 << type` per core::MessageType). A whole slow link
/// stays FIFO -- the delay is part of its latency, so a link from A to B
/// slower than from B to A is asymmetric latency, as a congested uplink or
/// a far-away route gives. Slow message types leave FIFO order instead,
/// like a `delay` fault: later messages of other types overtake them (a
/// queue of its own, as a transport that sends votes or heartbeats on a
/// separate connection has).
struct SlowLink {
    TimeUs delay_min_us = 0;
    TimeUs delay_max_us = 0;
    /// 0: every message, in FIFO order.
    std::uint16_t type_mask = 0;

    [[nodiscard]] bool is_valid() const noexcept;
    [[nodiscard]] bool slows(core::MessageType type) const noexcept;
    friend bool operator==(const SlowLink&, const SlowLink&) = default;
};

/// The type_mask bit of a message type.
[[nodiscard]] constexpr std::uint16_t message_type_bit(core::MessageType type) noexcept {
    return static_cast<std::uint16_t>(1U << static_cast<unsigned>(type));
}

enum class FilterStage : std::uint8_t {
    /// Every message, when its sender hands it to the network.
    before_send,
    /// Responses only (vote, append, snapshot answers), when sent.
    on_response,
    /// Every message, when it is about to be delivered.
    before_delivery,
};

struct FilterVerdict {
    bool drop = false;
    TimeUs extra_delay_us = 0;
};

/// A fault aimed at one message: the `message`-th message sent in the run
/// (1-based, counting every send, including those a partition drops). The
/// fuzzer and scenarios use it to say exactly which message is lost,
/// duplicated, held back or replayed late, where link rates only say how
/// often.
///
/// A replay delivers the message as usual and a copy of it `delay_us` after
/// that (a very late duplicate, as a retransmitting or reconnecting
/// transport can produce). The copy is an ordinary message in flight: it is
/// dropped if the link is partitioned or cut, or the receiver is down, when
/// it arrives, and it reaches whatever incarnation of the receiver is up
/// then, whatever the sender did since, because a Raft node must tolerate
/// any old message at any time.
struct MessageFault {
    enum class Kind : std::uint8_t { drop, duplicate, delay, replay };
    std::uint64_t message = 0;
    Kind kind = Kind::drop;
    /// For delay: how long the message is held back (it leaves FIFO order).
    /// For replay: how long after the message its late copy arrives.
    TimeUs delay_us = 0;
    friend bool operator==(const MessageFault&, const MessageFault&) = default;
};

[[nodiscard]] std::string_view to_string(MessageFault::Kind kind) noexcept;

/// A filter may draw randomness only from the network stream it is given.
using MessageFilter = std::function<FilterVerdict(const core::Message&, core::Prng&)>;

/// The delivery delays of one sent message: one, plus one when duplicated,
/// plus one (the last) when replayed late.
/// Fixed capacity, because a plan is made for every message sent and a heap
/// allocation each time was a sixth of a fuzz run's allocations.
class CopyDelays {
  public:
    static constexpr std::size_t capacity = 3;

    void push_back(TimeUs delay_us) {
        RAFT_ASSERT(size_ < capacity);
        delays_us_[size_] = delay_us;
        size_ += 1;
    }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] TimeUs operator[](std::size_t copy) const {
        RAFT_ASSERT(copy < size_);
        return delays_us_[copy];
    }
    [[nodiscard]] TimeUs front() const { return (*this)[0]; }
    [[nodiscard]] const TimeUs* begin() const noexcept { return delays_us_.data(); }
    [[nodiscard]] const TimeUs* end() const noexcept { return delays_us_.data() + size_; }

  private:
    std::array<TimeUs, capacity> delays_us_{};
    std::size_t size_ = 0;
};

/// What happens to one sent message: dropped (with why), or delivered after
/// each of `delays_us` (one more when duplicated, and one more, the last,
/// when replayed late).
struct SendPlan {
    bool dropped = false;
    DropReason drop_reason = DropReason::random_loss;
    CopyDelays delays_us;
    /// The last of `delays_us` is a stale replay's late copy.
    bool replayed = false;
    /// A fault holds the timely copies back beyond the link's latency: a
    /// scripted delay, a slow link, or a filter's delay (slow votes).
    bool held_back = false;
};

class Network {
  public:
    explicit Network(std::uint64_t seed) : prng_(seed) {}

    void set_default_link(const LinkConfig& link) { default_link_ = link; }
    [[nodiscard]] const LinkConfig& default_link() const noexcept { return default_link_; }
    void set_link(core::NodeId from, core::NodeId to, const LinkConfig& link);

    /// Moves `nodes` into a new partition group; only nodes of one group talk.
    [[nodiscard]] std::uint32_t partition_off(const std::vector<core::NodeId>& nodes);
    void heal(std::uint32_t group);
    /// Heals every partition and every one-way cut.
    void heal_all();
    void cut(core::NodeId from, core::NodeId to);
    void restore(core::NodeId from, core::NodeId to);
    /// Makes the link from `from` to `to` slow (replacing what an earlier
    /// call set on it); a delay of [0, 0] makes it ordinary again.
    void set_slow_link(core::NodeId from, core::NodeId to, const SlowLink& slow);
    /// Every link ordinary again; whether any was slow.
    bool clear_slow_links();

    /// Replaces the message fault script; at most one fault per message.
    void set_message_faults(std::vector<MessageFault> faults);
    /// Messages sent so far (the numbering MessageFault::message uses).
    [[nodiscard]] std::uint64_t messages_sent() const noexcept { return messages_sent_; }

    void add_filter(FilterStage stage, std::string name, MessageFilter filter);
    void remove_filter(const std::string& name);

    /// Whether a message from `from` can reach `to` now.
    [[nodiscard]] bool connected(core::NodeId from, core::NodeId to) const {
        return !blocked(from, to).has_value();
    }
    [[nodiscard]] std::uint32_t group_of(core::NodeId node) const {
        const std::uint32_t* group = group_by_node_.find(node);
        return group == nullptr ? 0 : *group;
    }

    /// Decides the fate of a message being sent at `now`.
    [[nodiscard]] SendPlan plan_send(const core::Message& message, TimeUs now);
    /// Runs before_delivery filters and the connectivity check at arrival.
    [[nodiscard]] FilterVerdict check_delivery(const core::Message& message, DropReason& reason);
    /// A message on link (from, to) left the network (delivered or dropped late).
    void on_left_network(core::NodeId from, core::NodeId to);

    [[nodiscard]] core::Prng& prng() noexcept { return prng_; }

  private:
    /// Why a message from `from` cannot reach `to` now (partitioned or
    /// cut), or nothing when it can; every send and every delivery asks,
    /// so each group is looked up once.
    [[nodiscard]] std::optional<DropReason> blocked(core::NodeId from, core::NodeId to) const {
        if (group_of(from) != group_of(to)) {
            return DropReason::partitioned;
        }
        if (!cuts_.empty() &&
            std::find(cuts_.begin(), cuts_.end(), std::pair{from, to}) != cuts_.end()) {
            return DropReason::cut;
        }
        return std::nullopt;
    }
    [[nodiscard]] const LinkConfig& link(core::NodeId from, core::NodeId to) const;
    /// `slow_us` is a slow link's share of the latency, FIFO included.
    [[nodiscard]] TimeUs draw_delay(const LinkConfig& link, core::NodeId from, core::NodeId to,
                                    TimeUs now, TimeUs slow_us);
    [[nodiscard]] FilterVerdict run_filters(FilterStage stage, const core::Message& message);
    [[nodiscard]] TimeUs draw_slow_link_delay(const core::Message& message, FilterVerdict& verdict);
    [[nodiscard]] TimeUs draw_replay_delay(const LinkConfig& link, const MessageFault* scripted);

    struct NamedFilter {
        FilterStage stage = FilterStage::before_send;
        std::string name;
        MessageFilter filter;
    };

    /// The scripted fault of the message being planned, if any.
    [[nodiscard]] const MessageFault* scripted_fault() const;

    core::Prng prng_;
    LinkConfig default_link_;
    std::uint64_t messages_sent_ = 0;
    /// Sorted by message number; next_fault_ is the first not yet reached.
    std::vector<MessageFault> message_faults_;
    std::size_t next_fault_ = 0;
    std::map<std::pair<core::NodeId, core::NodeId>, LinkConfig> links_;
    /// Absent: group 0, the one every node starts in.
    NodeTable<std::uint32_t> group_by_node_;
    std::uint32_t next_group_ = 1;
    std::vector<std::pair<core::NodeId, core::NodeId>> cuts_;
    std::map<std::pair<core::NodeId, core::NodeId>, SlowLink> slow_links_;
    std::vector<NamedFilter> filters_;
    NodePairTable<std::uint32_t> in_flight_;
    /// Arrival time of the last in-order message on each link (FIFO).
    NodePairTable<TimeUs> last_arrival_;
};

}  // namespace raftsim::sim
