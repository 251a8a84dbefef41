// Fuzzer bytes -> a cluster run. Layout of an input (every byte optional;
// missing bytes read as zero):
//
//   header   21 bytes at fixed offsets: seed (4), voters, flags (pre-vote,
//            check-quorum, disk sync, continuous workload, vote rule), disk sync,
//            batch, heartbeat, election, lease, commit, sizes, trailing
//            logs, network (7: choice (its top bits: stale replays),
//            latency x2, drop, duplicate,
//            reorder, reorder delay)
//   ops      one op byte each (chosen by op_weights), then its arguments,
//            until the input or CaseLimits::max_steps runs out; message
//            faults do not count as steps
//
// fuzz/make_corpus.py writes inputs in this layout; keep the two in step.
//
// Version 5 adds no bytes: torn crashes, sanctioned wipes (after a removal)
// and slow links take spare values of bytes already read (docs/fuzzing.md).
//
// Each op is one of the fault kinds below. Nodes are named ("n1".."n7") or
// picked as "the leader" when the step runs, never drawn at random, so the
// bytes (and not the scenario stream) decide who is hit and libFuzzer's
// coverage feedback can steer it. After the ops a fixed epilogue heals
// everything, holds a calm period (with any minority still down), restarts
// every node, waits for a leader and for the members to catch up, and runs
// VerifyLog / VerifyFSM: a schedule that leaves the cluster unable to
// recover is a liveness failure like any other.
#include "raftsim/fuzz/cluster_case.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/prng.hpp"
#include "raftsim/fuzz/byte_reader.hpp"

namespace raftsim::fuzz {
namespace {

using scenarios::NodeSelector;
using scenarios::Scenario;
using scenarios::Step;
using sim::us_per_ms;

constexpr sim::TimeUs tick_us = 10 * us_per_ms;

// The epilogue's deadlines: generous next to the longest election timeout
// the header can choose (20 ticks, so at most 0.4 s per round).
constexpr sim::TimeUs recovery_deadline_us = 30 * sim::us_per_second;
// The epilogue's calm period: its probes take a few election timeouts.
constexpr sim::TimeUs calm_us = 2 * sim::us_per_second;
// The clock_drift op's range, either way.
constexpr std::uint32_t max_drift_ppm = 100'000;

enum class Op : std::uint8_t {
    sleep,
    partition,
    heal,
    cut,
    restore,
    crash,
    restart,
    workload,
    network,
    slow_votes,
    clock_drift,
    membership,
    create_node,
    transfer,
    snapshot,
    message_fault,
    wait_for_leader,
};
constexpr std::size_t op_count = static_cast<std::size_t>(Op::wait_for_leader) + 1;

// How often each op is drawn from an op byte: sleeps and message faults
// most, because timing is where Raft bugs hide.
constexpr std::array<std::uint8_t, op_count> op_weights = {
    6,  // sleep
    2,  // partition
    2,  // heal
    1,  // cut
    1,  // restore
    2,  // crash
    2,  // restart
    1,  // workload
    1,  // network
    1,  // slow_votes
    1,  // clock_drift
    2,  // membership
    1,  // create_node
    1,  // transfer
    1,  // snapshot
    4,  // message_fault
    1,  // wait_for_leader
};

// A client's pause between batches. A saturating client (no pause) applies
// over a thousand commands in a third of a simulated second, twenty times
// the cost of the rest of a run; a few commands per heartbeat keep logs
// growing and replication busy at a fuzzing pace.
[[nodiscard]] sim::TimeUs think_time(std::uint32_t choice) {
    constexpr std::array<std::uint32_t, 8> think_ms = {5, 10, 20, 20, 30, 50, 50, 100};
    return think_ms[choice % think_ms.size()] * us_per_ms;
}

// Designated initializers would have g++ warn about every defaulted member.
[[nodiscard]] NodeSelector selector(NodeSelector::Kind kind, std::uint32_t count = 0) {
    NodeSelector result;
    result.kind = kind;
    result.count_min = count;
    result.count_max = count;
    return result;
}

[[nodiscard]] Step make_step(Step::Kind kind, sim::TimeUs duration_us = 0) {
    Step step;
    step.kind = kind;
    step.duration_us = duration_us;
    return step;
}

class Decoder {
  public:
    Decoder(std::span<const std::uint8_t> bytes, const CaseLimits& limits,
            const sut::Capabilities& capabilities)
        : reader_(bytes), limits_(limits), capabilities_(capabilities) {}

    [[nodiscard]] ClusterCase decode();

  private:
    void decode_header();
    void add_clients();
    void decode_timings();
    void decode_network(scenarios::NetworkSpec& network);
    [[nodiscard]] Op decode_op();
    void decode_op_step(Op op);
    void decode_fault_step(Op op, Step& step);
    void decode_condition_step(Op op, Step& step);
    void decode_cluster_step(Op op, Step& step);
    void decode_message_fault();
    void add_epilogue();
    void decode_slow_link(Step& step);
    void add_sanctioned_wipe(const NodeSelector& node);
    [[nodiscard]] NodeSelector pick_node(std::uint32_t* spare = nullptr);
    [[nodiscard]] NodeSelector other_than(const NodeSelector& from) const;
    [[nodiscard]] NodeSelector name_of(std::size_t index) const;
    [[nodiscard]] std::size_t next_index(const std::string& name) const;
    [[nodiscard]] std::vector<NodeSelector> pick_nodes();
    [[nodiscard]] sim::TimeUs pick_sleep();
    void push(Step step);

    ByteReader reader_;
    CaseLimits limits_;
    sut::Capabilities capabilities_;
    ClusterCase case_;
    std::vector<std::string> names_;
    std::vector<std::string> groups_;
    std::uint64_t next_message_ = 0;
    std::uint32_t election_ticks_ = 0;
    bool pauses_ = false;
    /// The membership op just decoded removes a named server that is then
    /// wiped and added back (add_sanctioned_wipe).
    bool wipe_removed_ = false;
};

ClusterCase Decoder::decode() {
    decode_header();
    std::uint32_t steps = 0;
    while (!reader_.empty() && steps < limits_.max_steps) {
        const Op op = decode_op();
        if (op == Op::message_fault) {
            decode_message_fault();
            continue;
        }
        decode_op_step(op);
        steps += 1;
    }
    add_epilogue();
    RAFT_ASSERT(!case_.scenario.cluster.names.empty());
    RAFT_ASSERT(case_.scenario.message_faults.size() <= limits_.max_message_faults);
    return std::move(case_);
}

void Decoder::decode_header() {
    Scenario& scenario = case_.scenario;
    case_.seed = reader_.u32();
    static_assert(op_count <= 32, "CaseLimits::enabled_ops has a bit per op");
    scenario.name = "fuzz";
    scenario.description = "decoded from fuzzer input";
    // Named apart from the scenario, which replay renames after its file:
    // the commands applied must stay those the fuzzer's run applied.
    scenario.workload.source = "fuzz";
    const std::uint32_t voters = reader_.range(1, limits_.max_voters);
    for (std::uint32_t i = 0; i < voters; ++i) {
        names_.push_back(fmt::format("n{}", i + 1));
    }
    scenario.cluster.names = names_;
    scenario.cluster.tick_us = tick_us;
    // Fixed offsets (every byte read whatever the flags say), so a mutation
    // of one header field never shifts the ops after it.
    const std::uint8_t flags = reader_.byte();
    const std::uint32_t disk_sync_ms = reader_.range(1, 5);
    const std::uint8_t workload = reader_.byte();
    // A flag the system cannot honour reads as the setting it runs with.
    scenario.raft.pre_vote = (flags & 1U) != 0 && capabilities_.pre_vote;
    scenario.raft.check_quorum = (flags & 2U) == 0 || !capabilities_.check_quorum_optional;
    scenario.cluster.disk_sync_us = (flags & 4U) != 0 ? disk_sync_ms * us_per_ms : 0;
    scenario.workload.continuous = (flags & 8U) != 0;
    // Version 3: one input in four votes by the thesis rule (§4.1) instead
    // of hashicorp's, so both rules meet every fault.
    scenario.raft.vote_rule = (flags & 0x30U) == 0x30U && capabilities_.vote_rules
                                  ? core::VoteRule::thesis
                                  : core::VoteRule::hashicorp;
    scenario.workload.batch = 1 + (workload & 3U);
    scenario.workload.think_us = think_time(workload >> 2U);
    // Version 4, the flags' last spare bits (no byte moves): key-value
    // clients beside the workload, reading every way the system can, and
    // process pauses in place of some crashes (decode_fault_step).
    if ((flags & 0x40U) != 0) {
        add_clients();
    }
    pauses_ = (flags & 0x80U) != 0;
    case_.pauses = pauses_;
    decode_timings();
    decode_network(scenario.network);
    scenario.checks.verify = true;
    scenario.checks.settle_us = recovery_deadline_us;
}

// Timeouts of a few ticks keep a run to a few thousand events; the ratios
// between them (lease vs heartbeat vs election) are what the bytes vary.
// Few clients with a long think time: their operations, timers and
// messages must leave a long run inside its event limit.
void Decoder::add_clients() {
    Scenario& scenario = case_.scenario;
    scenario.state_machine = sim::StateMachineKind::kv;
    scenario.clients = sim::KvClientOptions{
        .clients = 3,
        .keys = 4,
        .put_weight = 4,
        .get_weight = 2,
        .delete_weight = 1,
        .cas_weight = 2,
        .read_index_weight = capabilities_.read_index ? 2U : 0U,
        .lease_read_weight = capabilities_.lease_reads ? 2U : 0U,
        .think_us = 20 * us_per_ms,
        .timeout_us = 500 * us_per_ms,
    };
    scenario.raft.lease_reads = capabilities_.lease_reads;
    // The clock_drift op draws up to 10% either way: the lease must allow for it.
    scenario.raft.clock_drift_bound_ppm = capabilities_.lease_reads ? max_drift_ppm : 0U;
}

void Decoder::decode_timings() {
    core::DurationConfig& raft = case_.scenario.raft;
    const std::uint32_t heartbeat_ticks = reader_.range(4, 12);
    election_ticks_ = heartbeat_ticks + reader_.below(9);
    raft.heartbeat_timeout_us = heartbeat_ticks * tick_us;
    raft.election_timeout_us = election_ticks_ * tick_us;
    // A lease shorter than a heartbeat round trip (up to two ticks of
    // latency plus a disk sync here) would depose every leader: a livelock
    // of the configuration, not a bug.
    raft.leader_lease_us =
        reader_.range(std::max(3U, heartbeat_ticks / 2), heartbeat_ticks) * tick_us;
    raft.commit_timeout_us = reader_.range(1, 4) * tick_us;
    // Snapshots always on: a follower far behind a leader that has run an
    // unthrottled workload must be able to catch up within the epilogue's
    // deadline, which one entry per round trip would not.
    constexpr std::array<std::uint32_t, 4> append_sizes = {64, 2, 5, 16};
    constexpr std::array<std::uint32_t, 4> inflight = {64, 1, 2, 8};
    constexpr std::array<std::uint32_t, 8> thresholds = {16, 4, 8, 32, 64, 256, 1024, 4096};
    constexpr std::array<std::uint32_t, 4> trailing = {2, 0, 5, 16};
    const std::uint8_t sizes = reader_.byte();
    raft.max_append_entries = append_sizes[sizes & 3U];
    raft.max_inflight_appends = inflight[(sizes >> 2U) & 3U];
    raft.snapshot_threshold_entries = thresholds[(sizes >> 4U) & 7U];
    raft.trailing_log_entries = trailing[reader_.below(4)];
    RAFT_ASSERT(raft.leader_lease_us <= raft.heartbeat_timeout_us);
    RAFT_ASSERT(raft.heartbeat_timeout_us <= raft.election_timeout_us);
}

void Decoder::decode_network(scenarios::NetworkSpec& network) {
    const std::uint8_t choice = reader_.byte();
    network.latency_min_us = reader_.range(0, 2) * us_per_ms;
    network.latency_max_us = *network.latency_min_us + reader_.range(0, 8) * us_per_ms;
    // Mostly a clean network: loss, duplication and reordering come from
    // the ops and the message faults, where the bytes say which and when.
    const std::uint32_t drop = reader_.range(1, 10);
    const std::uint32_t duplicate = reader_.range(1, 10);
    const std::uint32_t reorder = reader_.range(1, 10);
    network.drop = sim::Ratio{(choice & 1U) != 0 ? drop : 0, 100};
    network.duplicate = sim::Ratio{(choice & 2U) != 0 ? duplicate : 0, 100};
    network.reorder = sim::Ratio{(choice & 4U) != 0 ? reorder : 0, 100};
    network.reorder_delay_max_us = reader_.range(1, 30) * us_per_ms;
    // Stale replays (decoder version 3) take the choice's spare bits, so no
    // byte moves: on for a quarter of the choices, 1..8 in 100 messages
    // coming again one to sixteen election timeouts later.
    const bool stale = (choice & 0x18U) == 0x18U;
    network.stale_replay = sim::Ratio{stale ? 1U + (choice >> 5U) : 0U, 100};
    network.stale_replay_delay_min_us = election_ticks_ * tick_us;
    network.stale_replay_delay_max_us = 16 * election_ticks_ * tick_us;
    RAFT_ASSERT(*network.stale_replay_delay_min_us > 0);
}

// Whether the system can perform an op at all (requirements.cpp's table):
// one it cannot is never drawn, so its weight goes to the others.
[[nodiscard]] bool performable(const sut::Capabilities& capabilities, std::size_t op) {
    switch (static_cast<Op>(op)) {
        case Op::transfer:
            return capabilities.leadership_transfer;
        case Op::snapshot:
            return capabilities.snapshot_on_demand;
        default:
            return true;
    }
}

[[nodiscard]] bool enabled(const CaseLimits& limits, const sut::Capabilities& capabilities,
                           std::size_t op) {
    return op == static_cast<std::size_t>(Op::sleep) ||
           ((limits.enabled_ops >> op & 1U) != 0 && performable(capabilities, op));
}

Op Decoder::decode_op() {
    std::uint32_t total = 0;
    for (std::size_t op = 0; op < op_count; ++op) {
        total += enabled(limits_, capabilities_, op) ? op_weights[op] : 0;
    }
    RAFT_ASSERT(total > 0);  // sleep is always on
    std::uint32_t pick = reader_.below(total);
    for (std::size_t op = 0; op < op_count; ++op) {
        const std::uint32_t weight = enabled(limits_, capabilities_, op) ? op_weights[op] : 0;
        if (pick < weight) {
            return static_cast<Op>(op);
        }
        pick -= weight;
    }
    RAFT_UNREACHABLE("the weights sum to total");
    return Op::sleep;
}

void Decoder::push(Step step) {
    step.json_path = fmt::format("steps[{}]", case_.scenario.steps.size());
    case_.scenario.steps.push_back(std::move(step));
}

// Up to four election timeouts: long enough for an election or a lease to
// run out, short enough to keep runs cheap.
sim::TimeUs Decoder::pick_sleep() {
    const std::uint32_t max_ticks = std::max<std::uint32_t>(
        1,
        std::min<std::uint32_t>(4 * election_ticks_, limits_.max_sleep_ms * us_per_ms / tick_us));
    // Two reads, in two statements: the order of evaluation of operands in
    // one expression is unspecified, and gcc at -O2 and with ASan chose
    // differently, so a swarm seed decoded to different scenarios. This is
    // the order the optimised builds (and every swarm seed cited in docs/
    // and fuzz/findings/) used.
    const std::uint32_t ticks = reader_.range(1, max_ticks);
    const std::uint32_t halve = reader_.range(1, 2);
    return ticks * tick_us / halve;
}

// The index after `name` (wrapping), or 0 for a selector with no name.
std::size_t Decoder::next_index(const std::string& name) const {
    for (std::size_t i = 0; i < names_.size(); ++i) {
        if (names_[i] == name) {
            return (i + 1) % names_.size();
        }
    }
    return 0;
}

NodeSelector Decoder::name_of(std::size_t index) const {
    RAFT_ASSERT(index < names_.size());
    NodeSelector result = selector(NodeSelector::Kind::name);
    result.name = names_[index];
    return result;
}

// A quarter of the time "the leader" (whoever leads when the step runs),
// else a node by name. `spare` gets which of the three quarters named the
// node (1..3; 0 for the leader): a choice the bytes make without reading one.
NodeSelector Decoder::pick_node(std::uint32_t* spare) {
    const auto count = static_cast<std::uint32_t>(names_.size());
    const std::uint32_t choice = reader_.below(4 * count);
    if (spare != nullptr) {
        *spare = choice / count;
    }
    if (choice < count) {
        return selector(NodeSelector::Kind::leader);
    }
    return name_of(choice % count);
}

// `to` for a link from `from`: the parser refuses a link from a node to
// itself, so the next node instead (or the leader, for the only node).
NodeSelector Decoder::other_than(const NodeSelector& from) const {
    if (from.kind == NodeSelector::Kind::leader) {
        return name_of(0);
    }
    if (names_.size() == 1) {
        return selector(NodeSelector::Kind::leader);
    }
    return name_of(next_index(from.name));
}

// A nonempty set of named nodes, from a bit mask.
std::vector<NodeSelector> Decoder::pick_nodes() {
    const std::uint8_t mask = reader_.byte();
    std::vector<NodeSelector> nodes;
    for (std::size_t i = 0; i < names_.size() && i < 8; ++i) {
        if ((mask >> i & 1U) != 0) {
            nodes.push_back(name_of(i));
        }
    }
    if (nodes.empty()) {
        nodes.push_back(pick_node());
    }
    return nodes;
}

void Decoder::decode_op_step(Op op) {
    Step step;
    switch (op) {
        case Op::sleep:
            step.kind = Step::Kind::sleep;
            step.duration_us = pick_sleep();
            break;
        case Op::wait_for_leader:
            step.kind = Step::Kind::wait_for_leader;
            step.optional = true;
            step.duration_us = pick_sleep();
            break;
        case Op::membership:
        case Op::create_node:
        case Op::transfer:
        case Op::snapshot:
        case Op::workload:
            decode_cluster_step(op, step);
            break;
        default:
            decode_fault_step(op, step);
            break;
    }
    if (!wipe_removed_) {
        push(std::move(step));
        return;
    }
    wipe_removed_ = false;
    const NodeSelector removed = step.nodes.front();
    push(std::move(step));
    add_sanctioned_wipe(removed);
}

// Amnesia the sanctioned way (version 5; issue 16): the server just removed
// is wiped, restarted empty and added back under its name. The wipe is
// optional -- where the removal gave up, the server is still a member, and
// wiping it would be the unsafe procedure (scenarios/unsafe/UnsanctionedWipe).
void Decoder::add_sanctioned_wipe(const NodeSelector& node) {
    RAFT_ASSERT(node.kind == NodeSelector::Kind::name);
    Step wipe = make_step(Step::Kind::wipe);
    wipe.nodes = {node};
    wipe.optional = true;
    push(std::move(wipe));
    Step restart = make_step(Step::Kind::restart);
    restart.nodes = {node};
    push(std::move(restart));
    Step add = make_step(Step::Kind::add_voter, 4 * election_ticks_ * tick_us);
    add.nodes = {node};
    add.optional = true;
    push(std::move(add));
}

void Decoder::decode_fault_step(Op op, Step& step) {
    switch (op) {
        case Op::partition:
            step.kind = Step::Kind::partition;
            if (reader_.chance(96)) {
                const std::uint32_t extra =
                    reader_.below(static_cast<std::uint32_t>(names_.size()));
                step.nodes = {selector(NodeSelector::Kind::leader_plus, 1 + extra)};
            } else {
                step.nodes = pick_nodes();
            }
            step.group = fmt::format("g{}", groups_.size() + 1);
            groups_.push_back(step.group);
            return;
        case Op::heal:
            if (groups_.empty() || reader_.chance(64)) {
                step.kind = Step::Kind::heal_all;
            } else {
                step.kind = Step::Kind::heal;
                step.group = groups_[reader_.below(static_cast<std::uint32_t>(groups_.size()))];
            }
            return;
        case Op::cut:
        case Op::restore:
            step.kind = op == Op::cut ? Step::Kind::cut : Step::Kind::restore;
            step.from = pick_node();
            step.to = pick_node();
            if (step.to.kind == step.from.kind && step.to.name == step.from.name) {
                step.to = other_than(step.from);
            }
            return;
        case Op::crash:
            step.kind = Step::Kind::crash;
            step.nodes = {pick_node()};
            {
                // Version 5: the lowest quarter of the byte that chose lost
                // writes is a torn crash instead (a prefix of the unsynced
                // writes survives; issue 16), so no byte moves.
                const std::uint8_t fate = reader_.byte();
                step.torn = fate < 64;
                step.lose_unsynced = fate >= 64 && fate < 192;
            }
            // Half the crashes wait for the worst moment (issue 14 §5): right
            // after a vote or an acknowledgement leaves, a write is issued
            // but not yet synced, or a commit is learned.
            if (reader_.chance(128)) {
                constexpr std::array<std::string_view, 5> moments = {
                    "persist", "commit", "request_vote_response", "append_entries_response",
                    "install_snapshot_response"};
                step.crash_after = moments[reader_.range(0, moments.size() - 1)];
            }
            if (pauses_ && !step.lose_unsynced && !step.torn && step.crash_after.empty()) {
                // The same bytes, a pause instead of a plain crash: three
                // election timeouts, long enough to be deposed.
                step.kind = Step::Kind::pause;
                step.duration_us = 3 * election_ticks_ * tick_us;
            }
            return;
        case Op::restart:
            step.kind = Step::Kind::restart;
            step.nodes = reader_.chance(96)
                             ? std::vector<NodeSelector>{selector(NodeSelector::Kind::all)}
                             : pick_nodes();
            return;
        default:
            decode_condition_step(op, step);
            return;
    }
}

// Conditions that last until changed: link settings, slow votes, drift.
void Decoder::decode_condition_step(Op op, Step& step) {
    switch (op) {
        case Op::network:
            step.kind = Step::Kind::network;
            decode_network(step.network);
            return;
        case Op::slow_votes: {
            // Version 5: the top third of what cleared slow votes sets a
            // slow link instead (decode_slow_link).
            const std::uint8_t choice = reader_.byte();
            if (choice < 64) {
                step.kind = Step::Kind::clear_slow_votes;
                return;
            }
            if (choice < 96) {
                decode_slow_link(step);
                return;
            }
            step.kind = Step::Kind::slow_votes;
            step.slow_mode =
                reader_.chance(128) ? sim::SlowVoteMode::send : sim::SlowVoteMode::recv;
            step.nodes = pick_nodes();
            step.delay_min_us = reader_.range(1, 2 * election_ticks_) * tick_us;
            step.delay_max_us = step.delay_min_us + reader_.below(2 * election_ticks_) * tick_us;
            return;
        }
        case Op::clock_drift:
            step.kind = Step::Kind::clock_drift;
            step.nodes = {pick_node()};
            step.drift_ppm = static_cast<std::int32_t>(reader_.below(201)) * 1000 -
                             static_cast<std::int32_t>(max_drift_ppm);
            return;
        default:
            RAFT_UNREACHABLE("decode_fault_step routes only these ops here");
    }
}

// One direction of a link slower by up to two election timeouts (version 5):
// the whole link (still FIFO) or some message types, acknowledgements
// most -- the timing between a round's send and its acknowledgements'
// arrival that lease reads rest on. A calm period clears it.
void Decoder::decode_slow_link(Step& step) {
    constexpr std::array<core::MessageType, 4> slowed = {
        core::MessageType::append_entries_response, core::MessageType::request_vote_response,
        core::MessageType::append_entries, core::MessageType::install_snapshot_response};
    step.kind = Step::Kind::slow_links;
    step.from = pick_node();
    step.to = pick_node();
    if (step.to.kind == step.from.kind && step.to.name == step.from.name) {
        step.to = other_than(step.from);
    }
    step.delay_min_us = reader_.range(0, election_ticks_) * tick_us;
    step.delay_max_us = step.delay_min_us + reader_.below(election_ticks_ + 1) * tick_us;
    const std::uint8_t types = reader_.byte();
    for (std::size_t i = 0; i < slowed.size(); ++i) {
        if ((types >> (i + 1) & 1U) != 0 && (types & 1U) == 0) {
            step.message_types.push_back(slowed[i]);
        }
    }
    RAFT_ASSERT(step.delay_min_us <= step.delay_max_us);
    RAFT_ASSERT(step.message_types.size() <= slowed.size());
}

void Decoder::decode_cluster_step(Op op, Step& step) {
    // Membership and transfers give up quietly: whether a change can land
    // under the faults in force is not the question, safety is.
    step.optional = true;
    step.duration_us = pick_sleep();
    switch (op) {
        case Op::membership: {
            constexpr std::array<Step::Kind, 4> kinds = {
                Step::Kind::add_voter, Step::Kind::add_nonvoter, Step::Kind::demote_voter,
                Step::Kind::remove_server};
            step.kind = kinds[reader_.below(4)];
            if (!capabilities_.nonvoters) {
                // The same bytes, a change such a system can make: a voter
                // added instead of a non-voter, removed instead of demoted.
                step.kind = step.kind == Step::Kind::add_nonvoter   ? Step::Kind::add_voter
                            : step.kind == Step::Kind::demote_voter ? Step::Kind::remove_server
                                                                    : step.kind;
            }
            std::uint32_t spare = 0;
            step.nodes = {pick_node(&spare)};
            // Version 5: a named server removed on the third quarter of its
            // pick is then wiped and added back (add_sanctioned_wipe).
            wipe_removed_ = step.kind == Step::Kind::remove_server && spare == 3;
            return;
        }
        case Op::create_node:
            if (names_.size() >= limits_.max_voters + 2) {
                step.kind = Step::Kind::add_voter;
                step.nodes = {pick_node()};
                return;
            }
            step.kind = Step::Kind::create_node;
            step.name = fmt::format("n{}", names_.size() + 1);
            step.suffrage = reader_.chance(160) || !capabilities_.nonvoters ? "voter" : "nonvoter";
            names_.push_back(step.name);
            return;
        case Op::transfer:
            step.kind = Step::Kind::transfer_leadership;
            step.any_target = reader_.chance(128);
            if (!step.any_target) {
                step.to = name_of(reader_.below(static_cast<std::uint32_t>(names_.size())));
            }
            return;
        case Op::snapshot:
            step.kind = Step::Kind::snapshot;
            step.optional = false;
            step.duration_us = 0;
            step.nodes = pick_nodes();
            return;
        case Op::workload:
            step.optional = false;
            step.duration_us = 0;
            step.kind =
                reader_.chance(160) ? Step::Kind::start_workload : Step::Kind::stop_workload;
            if (step.kind == Step::Kind::start_workload) {
                const std::uint8_t workload = reader_.byte();
                step.count = 1 + (workload & 3U);
                step.duration_us = think_time(workload >> 2U);
            }
            return;
        default:
            RAFT_UNREACHABLE("decode_op_step routes only these ops here");
    }
}

// The next message fault lands 1..64 messages after the previous one.
void Decoder::decode_message_fault() {
    const std::uint8_t kind = reader_.byte();
    next_message_ += 1 + reader_.below(64);
    if (case_.scenario.message_faults.size() >= limits_.max_message_faults) {
        return;
    }
    sim::MessageFault fault;
    fault.message = next_message_;
    if (kind < 128) {
        fault.kind = sim::MessageFault::Kind::drop;
    } else if (kind < 176) {
        fault.kind = sim::MessageFault::Kind::duplicate;
    } else if (kind < 224) {
        fault.kind = sim::MessageFault::Kind::delay;
        fault.delay_us = reader_.range(1, 4 * election_ticks_) * tick_us;
    } else {
        // A very late duplicate (version 3). It reads the same bytes as a
        // delay, so the rest of the input decodes as it did; its copy comes
        // from just over one to 65 election timeouts after the message,
        // long after the exchange it belonged to is over.
        fault.kind = sim::MessageFault::Kind::replay;
        fault.delay_us = (election_ticks_ + 16 * reader_.range(1, 4 * election_ticks_)) * tick_us;
    }
    case_.scenario.message_faults.push_back(fault);
}

void Decoder::add_epilogue() {
    const NodeSelector all = selector(NodeSelector::Kind::all);
    push(make_step(Step::Kind::heal_all));
    push(make_step(Step::Kind::clear_slow_votes));
    Step calm = make_step(Step::Kind::network);
    calm.network.drop = sim::Ratio{0, 1};
    calm.network.duplicate = sim::Ratio{0, 1};
    calm.network.reorder = sim::Ratio{0, 1};
    calm.network.stale_replay = sim::Ratio{0, 1};
    push(calm);
    Step drift = make_step(Step::Kind::clock_drift);
    drift.nodes = {all};
    push(drift);
    // Liveness with a minority possibly still down, and a transfer that
    // must end (docs/scenarios.md, "calm"); then everyone comes back.
    push(make_step(Step::Kind::calm, calm_us));
    Step restart = make_step(Step::Kind::restart);
    restart.nodes = {all};
    push(restart);
    push(make_step(Step::Kind::wait_for_leader, recovery_deadline_us));
    push(make_step(Step::Kind::stop_workload));
    push(make_step(Step::Kind::wait_until_up_to_date, recovery_deadline_us));
}

}  // namespace

ClusterCase decode_cluster_case(std::span<const std::uint8_t> bytes, const CaseLimits& limits,
                                const sut::Capabilities& capabilities) {
    RAFT_ASSERT(limits.max_voters >= 1);
    RAFT_ASSERT(limits.max_voters <= 7);  // names fit a one-byte node mask
    return Decoder(bytes, limits, capabilities).decode();
}

std::span<const std::string_view> op_names() noexcept {
    static constexpr std::array<std::string_view, op_count> names = {
        "sleep",       "partition", "heal",     "cut",           "restore",        "crash",
        "restart",     "workload",  "network",  "slow_votes",    "clock_drift",    "membership",
        "create_node", "transfer",  "snapshot", "message_fault", "wait_for_leader"};
    return names;
}

scenarios::Scenario swarm_scenario(std::uint64_t seed, const sut::Capabilities& capabilities) {
    // The swarm's own stream, apart from the run's (which uses `seed` as is).
    core::Prng prng(core::derive_seed(seed, 0x5741524dULL));
    CaseLimits limits = swarm_limits;
    limits.enabled_ops = static_cast<std::uint32_t>(prng.next_u64());
    std::vector<std::uint8_t> bytes(1024);
    for (std::uint8_t& byte : bytes) {
        byte = static_cast<std::uint8_t>(prng.next_u64());
    }
    ClusterCase decoded = decode_cluster_case(bytes, limits, capabilities);
    std::string kinds;
    for (std::size_t op = 1; op < op_count; ++op) {
        if (enabled(limits, capabilities, op)) {
            kinds += kinds.empty() ? "" : ", ";
            kinds += op_names()[op];
        }
    }
    decoded.scenario.name = fmt::format("swarm-{}", seed);
    decoded.scenario.workload.source = decoded.scenario.name;
    decoded.scenario.description = fmt::format(
        "swarm seed {}: fault kinds on: {}{}{}{}", seed, kinds.empty() ? "none" : kinds,
        decoded.scenario.raft.vote_rule == core::VoteRule::thesis ? "; votes by the thesis rule"
                                                                  : "",
        decoded.scenario.clients.clients > 0 ? "; key-value clients" : "",
        decoded.pauses ? "; pauses instead of plain crashes" : "");
    return decoded.scenario;
}

}  // namespace raftsim::fuzz
