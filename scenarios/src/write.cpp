// Scenario -> JSON text (write.hpp), the inverse of parse.cpp.
//
// Two stages: the Scenario becomes a small tree of JSON values (Node) in the
// key order people expect (the action first, then its modifiers), and a
// layout pass prints the tree. Keeping layout apart from content means the
// round trip parse -> write -> parse -> write only depends on the content
// being complete: the same tree always prints the same text.
#include "raftsim/scenarios/write.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/types.hpp"

namespace raftsim::scenarios {
namespace {

using Kind = Step::Kind;
using SelectorKind = NodeSelector::Kind;

constexpr std::size_t line_width = 100;
constexpr std::size_t indent_step = 2;

// ---------------------------------------------------------------- the tree

/// A JSON value to print. Scalars are JSON text already; objects keep their
/// keys in insertion order (nlohmann's objects sort them).
struct Node {
    enum class Type : std::uint8_t { scalar, array, object };
    Type type = Type::scalar;
    std::string text;
    std::vector<std::string> keys;  // objects: parallel to `items`
    std::vector<Node> items;
    /// One element per line even when the whole would fit on one: lists of
    /// steps, branches and faults read (and diff) better that way.
    bool one_per_line = false;

    Node& add(std::string_view key, Node value) {
        RAFT_ASSERT(type == Type::object);
        keys.emplace_back(key);
        items.push_back(std::move(value));
        return *this;
    }
    Node& push(Node value) {
        RAFT_ASSERT(type == Type::array);
        items.push_back(std::move(value));
        return *this;
    }
};

/// A JSON string. Parsed text is always valid UTF-8; the replacement only
/// keeps a hand-built Scenario from throwing here.
std::string json_string(std::string_view text) {
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Node scalar(std::string text) {
    Node node;
    node.text = std::move(text);
    return node;
}

Node string_node(std::string_view text) {
    return scalar(json_string(text));
}

Node number_node(std::uint64_t value) {
    return scalar(fmt::format("{}", value));
}

Node duration_node(TimeUs duration_us) {
    return string_node(duration_text(duration_us));
}

Node object_node() {
    Node node;
    node.type = Node::Type::object;
    return node;
}

Node array_node(bool one_per_line = false) {
    Node node;
    node.type = Node::Type::array;
    node.one_per_line = one_per_line;
    return node;
}

Node pair_node(Node first, Node second) {
    Node node = array_node();
    node.push(std::move(first)).push(std::move(second));
    return node;
}

// ---------------------------------------------------------------- layout

/// The value on one line ("{"a": 1, "b": [2, 3]}"), or nothing if it or a
/// value inside it must break over lines.
std::optional<std::string> compact(const Node& node) {
    if (node.type == Node::Type::scalar) {
        return node.text;
    }
    if (node.one_per_line && !node.items.empty()) {
        return std::nullopt;
    }
    const bool is_object = node.type == Node::Type::object;
    RAFT_ASSERT(!is_object || node.keys.size() == node.items.size());
    std::string out = is_object ? "{" : "[";
    for (std::size_t i = 0; i < node.items.size(); ++i) {
        out += i == 0 ? "" : ", ";
        if (is_object) {
            out += json_string(node.keys[i]) + ": ";
        }
        const std::optional<std::string> item = compact(node.items[i]);
        if (!item) {
            return std::nullopt;
        }
        out += *item;
    }
    out += is_object ? "}" : "]";
    return out;
}

class Layout {
  public:
    /// Prints `node` starting at `column` of a line indented by `indent`;
    /// `tail` characters (a comma) will follow it on its last line.
    void value(const Node& node, std::size_t indent, std::size_t column, std::size_t tail);
    [[nodiscard]] std::string take() { return std::move(out_); }

  private:
    bool hanging(const Node& node, std::size_t indent, std::size_t column);
    void broken_object(const Node& node, std::size_t indent);
    void broken_array(const Node& node, std::size_t indent);
    void filled_array(const Node& node, std::size_t indent);
    void newline(std::size_t indent) {
        out_ += '\n';
        out_.append(indent, ' ');
    }

    std::string out_;
};

void Layout::value(const Node& node, std::size_t indent, std::size_t column, std::size_t tail) {
    const std::optional<std::string> text = compact(node);
    // A scalar cannot break: a long description stays one long line.
    if (text && (node.type == Node::Type::scalar || column + text->size() + tail <= line_width)) {
        out_ += *text;
        return;
    }
    RAFT_ASSERT(node.type != Node::Type::scalar);
    if (node.type == Node::Type::object) {
        if (node.one_per_line || !hanging(node, indent, column)) {
            broken_object(node, indent);
        }
        return;
    }
    const bool all_scalars = std::all_of(node.items.begin(), node.items.end(), [](const Node& n) {
        return n.type == Node::Type::scalar;
    });
    if (all_scalars && !node.one_per_line) {
        filled_array(node, indent);
    } else {
        broken_array(node, indent);
    }
}

/// {"repeat": 3, "steps": [ on one line, then the list one element per line,
/// then ]}: the layout of the built-in files. Nested steps sit one indent
/// deeper than their step, not two. Only when every other member fits on
/// that first line and the object ends in a non-empty array.
bool Layout::hanging(const Node& node, std::size_t indent, std::size_t column) {
    RAFT_ASSERT(node.type == Node::Type::object);
    if (node.items.empty() || node.items.back().type != Node::Type::array ||
        node.items.back().items.empty()) {
        return false;
    }
    std::string head = "{";
    for (std::size_t i = 0; i + 1 < node.items.size(); ++i) {
        const std::optional<std::string> item = compact(node.items[i]);
        if (!item) {
            return false;
        }
        head += json_string(node.keys[i]) + ": " + *item + ", ";
    }
    head += json_string(node.keys.back()) + ": [";
    if (column + head.size() > line_width) {
        return false;
    }
    out_ += head;
    const std::vector<Node>& list = node.items.back().items;
    for (std::size_t i = 0; i < list.size(); ++i) {
        newline(indent + indent_step);
        value(list[i], indent + indent_step, indent + indent_step, 1);
        out_ += i + 1 < list.size() ? "," : "";
    }
    newline(indent);
    out_ += "]}";
    return true;
}

void Layout::broken_object(const Node& node, std::size_t indent) {
    RAFT_ASSERT(node.keys.size() == node.items.size());
    out_ += "{";
    for (std::size_t i = 0; i < node.items.size(); ++i) {
        newline(indent + indent_step);
        const std::string key = json_string(node.keys[i]) + ": ";
        out_ += key;
        value(node.items[i], indent + indent_step, indent + indent_step + key.size(), 1);
        out_ += i + 1 < node.items.size() ? "," : "";
    }
    newline(indent);
    out_ += "}";
}

void Layout::broken_array(const Node& node, std::size_t indent) {
    RAFT_ASSERT(node.type == Node::Type::array);
    out_ += "[";
    for (std::size_t i = 0; i < node.items.size(); ++i) {
        newline(indent + indent_step);
        value(node.items[i], indent + indent_step, indent + indent_step, 1);
        out_ += i + 1 < node.items.size() ? "," : "";
    }
    newline(indent);
    out_ += "]";
}

/// Scalars packed as many to a line as fit (64 node names take a few lines,
/// not 64).
void Layout::filled_array(const Node& node, std::size_t indent) {
    RAFT_ASSERT(node.type == Node::Type::array);
    RAFT_ASSERT(!node.items.empty());
    out_ += "[";
    newline(indent + indent_step);
    std::size_t column = indent + indent_step;
    for (std::size_t i = 0; i < node.items.size(); ++i) {
        const std::string& text = node.items[i].text;
        if (i > 0 && column + 2 + text.size() + 1 > line_width) {
            out_ += ",";
            newline(indent + indent_step);
            column = indent + indent_step;
        } else if (i > 0) {
            out_ += ", ";
            column += 2;
        }
        out_ += text;
        column += text.size();
    }
    newline(indent);
    out_ += "]";
}

// ---------------------------------------------------------------- values

/// The number 0 for the default "off" ratio, as the built-in files write it;
/// [n, d] otherwise, kept as given ([2, 4] is not reduced to [1, 2]).
Node ratio_node(sim::Ratio ratio) {
    if (ratio == sim::Ratio{}) {
        return scalar("0");
    }
    return pair_node(number_node(ratio.numerator), number_node(ratio.denominator));
}

/// A fixed count is N, a drawn one [A, B].
Node count_node(const NodeSelector& selector) {
    RAFT_ASSERT(selector.count_min <= selector.count_max);
    if (selector.count_min == selector.count_max) {
        return number_node(selector.count_min);
    }
    return pair_node(number_node(selector.count_min), number_node(selector.count_max));
}

Node selector_node(const NodeSelector& selector) {
    Node node = object_node();
    switch (selector.kind) {
        case SelectorKind::name:
            RAFT_ASSERT(!selector.name.empty());
            return string_node(selector.name);
        case SelectorKind::leader:
            return string_node("leader");
        case SelectorKind::followers:
            return string_node("followers");
        case SelectorKind::all:
            return string_node("all");
        case SelectorKind::leader_plus:
            if (selector.count_min == selector.count_max) {
                return node.add("leader_plus", count_node(selector));
            }
            return node.add("leader_plus", object_node().add("random", count_node(selector)));
        case SelectorKind::random:
            return node.add("random", count_node(selector));
        case SelectorKind::follower:
            RAFT_ASSERT(selector.count_min == selector.count_max);
            return node.add("follower", number_node(selector.count_min));
        case SelectorKind::group:
            return node.add("group", string_node(selector.name));
    }
    RAFT_UNREACHABLE("every kind returned above");
    return node;
}

/// One selector is written bare, several as an array: the parser reads both.
Node node_set_node(const std::vector<NodeSelector>& nodes) {
    RAFT_ASSERT(!nodes.empty());
    if (nodes.size() == 1) {
        return selector_node(nodes.front());
    }
    Node node = array_node();
    for (const NodeSelector& selector : nodes) {
        node.push(selector_node(selector));
    }
    return node;
}

Node network_node(const NetworkSpec& network) {
    Node node = object_node();
    RAFT_ASSERT(network.latency_min_us.has_value() == network.latency_max_us.has_value());
    if (network.latency_min_us && network.latency_max_us) {
        node.add("latency", pair_node(duration_node(*network.latency_min_us),
                                      duration_node(*network.latency_max_us)));
    }
    const std::array<std::pair<std::string_view, const std::optional<sim::Ratio>*>, 3> ratios{{
        {"drop", &network.drop},
        {"duplicate", &network.duplicate},
        {"reorder", &network.reorder},
    }};
    for (const auto& [key, ratio] : ratios) {
        if (ratio->has_value()) {
            node.add(key, ratio_node(**ratio));
        }
    }
    if (network.reorder_delay_max_us) {
        node.add("reorder_delay_max", duration_node(*network.reorder_delay_max_us));
    }
    if (network.stale_replay.has_value()) {
        node.add("stale_replay", ratio_node(*network.stale_replay));
    }
    RAFT_ASSERT(network.stale_replay_delay_min_us.has_value() ==
                network.stale_replay_delay_max_us.has_value());
    if (network.stale_replay_delay_min_us && network.stale_replay_delay_max_us) {
        node.add("stale_replay_delay",
                 pair_node(duration_node(*network.stale_replay_delay_min_us),
                           duration_node(*network.stale_replay_delay_max_us)));
    }
    if (network.queue_capacity) {
        node.add("queue_capacity", number_node(*network.queue_capacity));
    }
    return node;
}

[[nodiscard]] bool network_is_empty(const NetworkSpec& network) {
    return !network.latency_min_us && !network.latency_max_us && !network.drop &&
           !network.duplicate && !network.reorder && !network.reorder_delay_max_us &&
           !network.stale_replay && !network.stale_replay_delay_min_us &&
           !network.stale_replay_delay_max_us && !network.queue_capacity;
}

// ---------------------------------------------------------------- sections

Node cluster_node(const ClusterSpec& cluster) {
    RAFT_ASSERT(!cluster.names.empty());
    RAFT_ASSERT(cluster.tick_us > 0);
    Node names = array_node();
    for (const std::string& name : cluster.names) {
        names.push(string_node(name));
    }
    Node node = object_node();
    node.add("names", std::move(names));
    node.add("tick", duration_node(cluster.tick_us));
    node.add("disk_sync", duration_node(cluster.disk_sync_us));
    return node;
}

Node bool_node(bool value) {
    return scalar(value ? "true" : "false");
}

Node raft_node(const core::DurationConfig& raft) {
    // The JSON has no key for the protocol version; see write.hpp.
    RAFT_ASSERT(raft.protocol_version == core::protocol_version_max);
    Node node = object_node();
    node.add("heartbeat_timeout", duration_node(raft.heartbeat_timeout_us));
    node.add("election_timeout", duration_node(raft.election_timeout_us));
    node.add("commit_timeout", duration_node(raft.commit_timeout_us));
    node.add("leader_lease", duration_node(raft.leader_lease_us));
    node.add("max_append_entries", number_node(raft.max_append_entries));
    node.add("max_inflight_appends", number_node(raft.max_inflight_appends));
    node.add("max_uncommitted_entries", number_node(raft.max_uncommitted_entries));
    node.add("snapshot_threshold", number_node(raft.snapshot_threshold_entries));
    node.add("trailing_logs", number_node(raft.trailing_log_entries));
    node.add("pre_vote", bool_node(raft.pre_vote));
    node.add("check_quorum", bool_node(raft.check_quorum));
    // Written only when not the default, so artifacts of runs that never
    // chose a rule read as before.
    if (raft.vote_rule != core::VoteRule::hashicorp) {
        node.add("vote_rule", string_node(core::to_string(raft.vote_rule)));
    }
    if (raft.lease_reads) {
        node.add("lease_reads", bool_node(true));
    }
    if (raft.clock_drift_bound_ppm != 0) {
        node.add("clock_drift_bound_ppm", number_node(raft.clock_drift_bound_ppm));
    }
    return node;
}

Node workload_node(const WorkloadSpec& workload) {
    RAFT_ASSERT(!workload.source.empty());
    RAFT_ASSERT(workload.batch >= 1);
    Node node = object_node();
    node.add("source", string_node(workload.source));
    node.add("batch", number_node(workload.batch));
    node.add("think", duration_node(workload.think_us));
    node.add("continuous", bool_node(workload.continuous));
    return node;
}

Node clients_node(const sim::KvClientOptions& clients) {
    RAFT_ASSERT(clients.clients >= 1);
    RAFT_ASSERT(clients.keys >= 1);
    // Every kind of the mix, its zeros too: a mix names what it wants.
    Node mix = object_node()
                   .add("put", number_node(clients.put_weight))
                   .add("get", number_node(clients.get_weight))
                   .add("delete", number_node(clients.delete_weight))
                   .add("cas", number_node(clients.cas_weight));
    // Reads without a log entry only when drawn, so earlier files read as before.
    if (clients.read_index_weight != 0) {
        mix.add("read_index", number_node(clients.read_index_weight));
    }
    if (clients.lease_read_weight != 0) {
        mix.add("lease_read", number_node(clients.lease_read_weight));
    }
    return object_node()
        .add("count", number_node(clients.clients))
        .add("keys", number_node(clients.keys))
        .add("mix", std::move(mix))
        .add("think", duration_node(clients.think_us))
        .add("timeout", duration_node(clients.timeout_us))
        .add("continuous", bool_node(clients.continuous));
}

Node message_fault_node(const sim::MessageFault& fault) {
    RAFT_ASSERT(fault.message >= 1);
    Node node = object_node();
    node.add("message", number_node(fault.message));
    switch (fault.kind) {
        case sim::MessageFault::Kind::drop:
            return node.add("drop", bool_node(true));
        case sim::MessageFault::Kind::duplicate:
            return node.add("duplicate", bool_node(true));
        case sim::MessageFault::Kind::delay:
            RAFT_ASSERT(fault.delay_us > 0);
            return node.add("delay", duration_node(fault.delay_us));
        case sim::MessageFault::Kind::replay:
            RAFT_ASSERT(fault.delay_us > 0);
            return node.add("replay", duration_node(fault.delay_us));
    }
    RAFT_UNREACHABLE("every kind returned above");
    return node;
}

// ---------------------------------------------------------------- steps

struct ActionKey {
    Kind kind;
    std::string_view key;
};

constexpr std::array<ActionKey, 34> action_keys{{
    {Kind::sleep, "sleep"},
    {Kind::wait_for_leader, "wait_for_leader"},
    {Kind::partition, "partition"},
    {Kind::heal, "heal"},
    {Kind::heal_all, "heal_all"},
    {Kind::cut, "cut"},
    {Kind::restore, "restore"},
    {Kind::slow_votes, "slow_votes"},
    {Kind::clear_slow_votes, "clear_slow_votes"},
    {Kind::slow_links, "slow_links"},
    {Kind::clear_slow_links, "clear_slow_links"},
    {Kind::network, "network"},
    {Kind::crash, "crash"},
    {Kind::restart, "restart"},
    {Kind::clock_drift, "clock_drift"},
    {Kind::apply, "apply"},
    {Kind::start_workload, "start_workload"},
    {Kind::stop_workload, "stop_workload"},
    {Kind::start_clients, "start_clients"},
    {Kind::stop_clients, "stop_clients"},
    {Kind::wait_until_up_to_date, "wait_until_up_to_date"},
    {Kind::repeat, "repeat"},
    {Kind::one_of, "one_of"},
    {Kind::add_voter, "add_voter"},
    {Kind::add_nonvoter, "add_nonvoter"},
    {Kind::demote_voter, "demote_voter"},
    {Kind::remove_server, "remove_server"},
    {Kind::create_node, "create_node"},
    {Kind::transfer_leadership, "transfer_leadership"},
    {Kind::snapshot, "snapshot"},
    {Kind::membership_churn, "membership_churn"},
    {Kind::calm, "calm"},
    {Kind::pause, "pause"},
    {Kind::wipe, "wipe"},
}};

std::string_view action_key(Kind kind) {
    const ActionKey* found = nullptr;
    for (const ActionKey& action : action_keys) {
        found = action.kind == kind ? &action : found;
    }
    RAFT_ASSERT(found != nullptr);
    return found->key;
}

/// Whether a step of this kind takes the "optional" modifier.
bool takes_optional(Kind kind) {
    switch (kind) {
        case Kind::wait_for_leader:
        case Kind::wait_until_up_to_date:
        case Kind::add_voter:
        case Kind::add_nonvoter:
        case Kind::demote_voter:
        case Kind::remove_server:
        case Kind::create_node:
        case Kind::transfer_leadership:
        case Kind::membership_churn:
        case Kind::wipe:
            return true;
        default:
            return false;
    }
}

Node steps_node(const std::vector<Step>& steps, bool top_level);

Node link_node(const Step& step) {
    Node node = object_node();
    node.add("from", selector_node(step.from));
    node.add("to", selector_node(step.to));
    return node;
}

/// The action's argument for the waits, the faults and the workload steps.
Node simple_argument(const Step& step) {
    switch (step.kind) {
        case Kind::sleep:
        case Kind::calm:
        case Kind::wait_for_leader:
        case Kind::wait_until_up_to_date:
            return duration_node(step.duration_us);
        case Kind::partition:
        case Kind::crash:
        case Kind::restart:
        case Kind::snapshot:
        case Kind::pause:
        case Kind::wipe:
            return node_set_node(step.nodes);
        case Kind::heal:
            RAFT_ASSERT(!step.group.empty());
            return string_node(step.group);
        case Kind::cut:
        case Kind::restore:
            return link_node(step);
        case Kind::slow_votes:
            return object_node()
                .add("mode",
                     string_node(step.slow_mode == sim::SlowVoteMode::send ? "send" : "recv"))
                .add("nodes", node_set_node(step.nodes))
                .add("delay",
                     pair_node(duration_node(step.delay_min_us), duration_node(step.delay_max_us)));
        case Kind::slow_links: {
            Node node = link_node(step);
            node.add("delay",
                     pair_node(duration_node(step.delay_min_us), duration_node(step.delay_max_us)));
            if (!step.message_types.empty()) {
                Node types = array_node(false);
                for (core::MessageType type : step.message_types) {
                    types.push(string_node(core::to_string(type)));
                }
                node.add("types", std::move(types));
            }
            return node;
        }
        case Kind::network:
            return network_node(step.network);
        case Kind::clock_drift:
            return object_node()
                .add("nodes", node_set_node(step.nodes))
                .add("ppm", scalar(fmt::format("{}", step.drift_ppm)));
        case Kind::apply:
            return number_node(step.count);
        case Kind::start_workload:
            // Written out: the parser's default is workload.batch, which a
            // reader of one step would have to look up.
            return object_node()
                .add("batch", number_node(step.count))
                .add("think", duration_node(step.duration_us));
        case Kind::heal_all:
        case Kind::clear_slow_votes:
        case Kind::clear_slow_links:
        case Kind::stop_workload:
        case Kind::start_clients:
        case Kind::stop_clients:
            return object_node();
        default: {
            // The flow-control and membership kinds are action_argument's; a
            // kind neither lists would be written without its argument.
            const bool kind_has_an_argument_writer = false;
            RAFT_ASSERT(kind_has_an_argument_writer);
            return object_node();
        }
    }
}

Node branches_node(const std::vector<Branch>& branches) {
    RAFT_ASSERT(!branches.empty());
    Node node = array_node(branches.size() > 1);
    for (const Branch& branch : branches) {
        RAFT_ASSERT(branch.weight >= 1);
        node.push(object_node()
                      .add("weight", number_node(branch.weight))
                      .add("steps", steps_node(branch.steps, false)));
    }
    return node;
}

/// The action's argument: the flow-control and membership steps here, the
/// others in simple_argument.
Node action_argument(const Step& step) {
    switch (step.kind) {
        case Kind::repeat:
            RAFT_ASSERT(step.count >= 1);
            return number_node(step.count);
        case Kind::one_of:
            return branches_node(step.branches);
        case Kind::add_voter:
        case Kind::add_nonvoter:
        case Kind::demote_voter:
        case Kind::remove_server:
            return node_set_node(step.nodes);
        case Kind::create_node:
            RAFT_ASSERT(!step.name.empty());
            return string_node(step.name);
        case Kind::transfer_leadership:
            // "any" is never a node name to this step (docs/scenarios.md).
            RAFT_ASSERT(step.any_target || step.to.kind != SelectorKind::name ||
                        step.to.name != "any");
            return step.any_target ? string_node("any") : selector_node(step.to);
        case Kind::membership_churn:
            return object_node()
                .add("changes", number_node(step.count))
                .add("interval", duration_node(step.duration_us));
        default:
            return simple_argument(step);
    }
}

/// The modifiers a step of its kind takes, in the order the docs list them.
void add_modifiers(Node& node, const Step& step) {
    switch (step.kind) {
        case Kind::partition:
            if (!step.group.empty()) {
                node.add("as", string_node(step.group));
            }
            break;
        case Kind::crash:
            if (step.lose_unsynced) {
                node.add("lose_unsynced", bool_node(true));
            }
            if (step.torn) {
                node.add("torn", bool_node(true));
            }
            if (!step.crash_after.empty()) {
                node.add("after", string_node(step.crash_after));
            }
            break;
        case Kind::repeat:
            node.add("steps", steps_node(step.steps, false));
            break;
        case Kind::pause:
            node.add("for", duration_node(step.duration_us));
            break;
        case Kind::create_node:
            node.add("as", string_node(step.suffrage));
            node.add("within", duration_node(step.duration_us));
            break;
        case Kind::add_voter:
        case Kind::add_nonvoter:
        case Kind::demote_voter:
        case Kind::remove_server:
        case Kind::transfer_leadership:
            node.add("within", duration_node(step.duration_us));
            break;
        default:
            break;
    }
    RAFT_ASSERT(!step.optional || takes_optional(step.kind));
    if (step.optional) {
        node.add("optional", bool_node(true));
    }
}

Node step_node(const Step& step) {
    Node node = object_node();
    node.add(action_key(step.kind), action_argument(step));
    add_modifiers(node, step);
    RAFT_ASSERT(!node.items.empty());
    return node;
}

/// The top-level list always has a step per line; a nested one from two steps
/// on (a single nested step reads fine inline: {"weight": 3, "steps": [...]}).
Node steps_node(const std::vector<Step>& steps, bool top_level) {
    Node node = array_node(top_level ? !steps.empty() : steps.size() > 1);
    for (const Step& step : steps) {
        node.push(step_node(step));
    }
    return node;
}

/// Every field but the empty optional ones, "sut" included: a kept file
/// says which system it is about even when that is the default.
Node expected_failure_node(const ExpectedFailure& entry) {
    RAFT_ASSERT(!entry.sut.empty());
    RAFT_ASSERT(!entry.checker.empty() && !entry.kind.empty());
    Node node = object_node()
                    .add("sut", string_node(entry.sut))
                    .add("seed", number_node(entry.seed))
                    .add("fails_with", object_node()
                                           .add("checker", string_node(entry.checker))
                                           .add("kind", string_node(entry.kind)));
    if (!entry.fixed_in.empty()) {
        node.add("fixed_in", string_node(entry.fixed_in));
    }
    if (!entry.why.empty()) {
        node.add("why", string_node(entry.why));
    }
    return node;
}

Node scenario_node(const Scenario& scenario) {
    RAFT_ASSERT(!scenario.name.empty());
    Node root = object_node();
    root.one_per_line = true;
    // First, where editors look for it.
    if (!scenario.schema.empty()) {
        root.add("$schema", string_node(scenario.schema));
    }
    root.add("name", string_node(scenario.name));
    if (!scenario.description.empty()) {
        root.add("description", string_node(scenario.description));
    }
    root.add("cluster", cluster_node(scenario.cluster));
    root.add("raft", raft_node(scenario.raft));
    if (!network_is_empty(scenario.network)) {
        root.add("network", network_node(scenario.network));
    }
    root.add("workload", workload_node(scenario.workload));
    // Only when used, so every other file's text stays as it was.
    if (scenario.state_machine != sim::StateMachineKind::hash_chain) {
        root.add("state_machine", string_node(sim::to_string(scenario.state_machine)));
    }
    if (scenario.clients.clients > 0) {
        root.add("clients", clients_node(scenario.clients));
    }
    root.add("steps", steps_node(scenario.steps, true));
    if (!scenario.message_faults.empty()) {
        Node faults = array_node(true);
        for (const sim::MessageFault& fault : scenario.message_faults) {
            faults.push(message_fault_node(fault));
        }
        root.add("message_faults", std::move(faults));
    }
    Node checks = object_node()
                      .add("verify", bool_node(scenario.checks.verify))
                      .add("settle", duration_node(scenario.checks.settle_us));
    // Only when set, so every other file's text stays as it was.
    if (scenario.checks.black_box) {
        checks.add("black_box", bool_node(true));
    }
    root.add("checks", std::move(checks));
    // Only when one differs, so the text of every file within the defaults
    // stays as it was before limits existed; then all four, as for checks.
    if (scenario.limits != LimitsSpec{}) {
        root.add("limits",
                 object_node()
                     .add("events", number_node(scenario.limits.events))
                     .add("simulated_time", duration_node(scenario.limits.simulated_time_us))
                     .add("steps", number_node(scenario.limits.steps))
                     .add("requests", number_node(scenario.limits.requests)));
    }
    // Only when there is one, so every other file's text stays as it was.
    if (!scenario.expect.empty()) {
        Node expect = array_node(true);
        for (const ExpectedFailure& entry : scenario.expect) {
            expect.push(expected_failure_node(entry));
        }
        root.add("expect", std::move(expect));
    }
    return root;
}

}  // namespace

std::string duration_text(TimeUs duration_us) {
    constexpr std::array<std::pair<TimeUs, std::string_view>, 4> units{{
        {3'600 * sim::us_per_second, "h"},
        {60 * sim::us_per_second, "m"},
        {sim::us_per_second, "s"},
        {sim::us_per_ms, "ms"},
    }};
    if (duration_us == 0) {
        return "0ms";
    }
    for (const auto& [unit_us, suffix] : units) {
        if (duration_us % unit_us == 0) {
            return fmt::format("{}{}", duration_us / unit_us, suffix);
        }
    }
    return fmt::format("{}us", duration_us);
}

std::string scenario_to_json(const Scenario& scenario) {
    Layout layout;
    layout.value(scenario_node(scenario), 0, 0, 0);
    std::string text = layout.take();
    text += '\n';
    RAFT_ASSERT(text.front() == '{');
    return text;
}

}  // namespace raftsim::scenarios
