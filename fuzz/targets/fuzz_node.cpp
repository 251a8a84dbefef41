// fuzz_node: one Raft node, driven input by input from fuzzer bytes.
//
// The bytes choose a Config, a configuration of 1-5 voters (plus maybe
// nonvoters and staging servers) and a start: bootstrap, a restart from a
// decoded durable history, or a restart from nothing (a new server). Then a
// sequence of operations: ticks, messages (plausible answers to what the node
// sent, plausible traffic from a leader or a candidate, and forgeries of
// every kind), client calls, membership changes, leadership transfer,
// compaction, campaigns, crashes and restarts, and Ready handling done as a
// real host does it (persist, send, apply, advance; ready.hpp). The peers are
// only names: the fuzzer speaks for them.
//
// After every operation the target checks the node's local invariants, the
// Ready contract and the shape of every message the node sends, and aborts
// on a violation. A RAFT_ASSERT in the core aborts too (the default handler),
// so libFuzzer saves the input either way. FUZZ_NODE_STATS=1 prints how deep
// the inputs got (elections won, snapshots, commits, ...) at exit;
// FUZZ_NODE_TRACE=1 prints every operation, message and node state.
//
// Input layout (every byte string decodes; reads past the end give zeros,
// and all-zero parameters mean "the plausible choice"):
//   header: start mode (% 4: 0-1 bootstrap, 2 restart from a decoded
//     history, 3 new server), voters (1 + b % 5), a u16 of 2-bit suffrages
//     for ids voters+1..7, which server we are, the Config fields
//     (decode_config), a u16 seed; for mode 2 the history (decode_durable).
//   then operations, opcode % 16 (Host::operate): 0-1 tick, 2 Ready,
//     3 a peer answers one sent message, 4-5 every peer answers, 6 leader
//     AppendEntries, 7 InstallSnapshot, 8 vote request / pre-vote /
//     TimeoutNow, 9 forgery, 10 propose or barrier, 11 membership change,
//     12 leadership transfer, 13 compact, 14 campaign, 15 crash and restart.
// The seed corpus in fuzz/corpus/fuzz_node was written against this layout.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "raftsim/core/node.hpp"
#include "raftsim/core/prng.hpp"
#include "raftsim/core/validate.hpp"
#include "raftsim/fuzz/byte_reader.hpp"
#include "raftsim/sut/storage.hpp"

namespace raftsim::fuzz {
namespace {

using core::ChangeKind;
using core::ChangeRequest;
using core::Configuration;
using core::DurableState;
using core::Entry;
using core::EntryType;
using core::Index;
using core::Message;
using core::MessageType;
using core::Node;
using core::NodeId;
using core::NodeOptions;
using core::Ready;
using core::RejectReason;
using core::RequestId;
using core::Role;
using core::Server;
using core::Suffrage;
using core::Term;

/// Operations per input: bounds the work of one run whatever its length.
constexpr std::size_t operations_max = 1500;
/// Messages the node sent that a peer may still answer; older ones are lost.
constexpr std::size_t inbox_max = 64;
/// Servers are named 1..server_id_max; forgeries also use 0 and above.
constexpr NodeId server_id_max = 7;
/// The gate's bound on terms and indexes (validate.hpp).
constexpr std::uint64_t value_bound = core::index_max;
static_assert(core::term_max == core::index_max);
constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

// ------------------------------------------------------------------ reports

/// How deep the inputs got; printed at exit with FUZZ_NODE_STATS=1.
struct DepthStats {
    std::uint64_t runs = 0;
    std::uint64_t operations = 0;
    std::uint64_t steps_accepted = 0;
    std::uint64_t steps_rejected = 0;
    std::uint64_t elections_won = 0;
    std::uint64_t runs_with_leader = 0;
    std::uint64_t entries_committed = 0;
    std::uint64_t proposals_committed = 0;
    std::uint64_t changes_appended = 0;
    std::uint64_t promotions = 0;
    std::uint64_t transfers_started = 0;
    std::uint64_t timeout_nows_sent = 0;
    std::uint64_t snapshots_sent = 0;
    std::uint64_t snapshots_installed = 0;
    std::uint64_t snapshots_restored = 0;
    std::uint64_t compactions = 0;
    std::uint64_t entries_truncated = 0;
    std::uint64_t restarts = 0;
    std::uint64_t max_term = 0;
    std::uint64_t max_commit = 0;
};
DepthStats depth;

void print_depth() {
    std::fprintf(stderr,
                 "fuzz_node depth: runs %llu ops %llu steps ok %llu rejected %llu | won %llu "
                 "(runs with a leader %llu) | committed %llu (proposals %llu) | changes %llu "
                 "promotions %llu | transfers %llu timeout_now %llu | snapshots sent %llu "
                 "installed %llu restored %llu compactions %llu | truncated %llu | restarts "
                 "%llu | max term %llu max commit %llu\n",
                 static_cast<unsigned long long>(depth.runs),
                 static_cast<unsigned long long>(depth.operations),
                 static_cast<unsigned long long>(depth.steps_accepted),
                 static_cast<unsigned long long>(depth.steps_rejected),
                 static_cast<unsigned long long>(depth.elections_won),
                 static_cast<unsigned long long>(depth.runs_with_leader),
                 static_cast<unsigned long long>(depth.entries_committed),
                 static_cast<unsigned long long>(depth.proposals_committed),
                 static_cast<unsigned long long>(depth.changes_appended),
                 static_cast<unsigned long long>(depth.promotions),
                 static_cast<unsigned long long>(depth.transfers_started),
                 static_cast<unsigned long long>(depth.timeout_nows_sent),
                 static_cast<unsigned long long>(depth.snapshots_sent),
                 static_cast<unsigned long long>(depth.snapshots_installed),
                 static_cast<unsigned long long>(depth.snapshots_restored),
                 static_cast<unsigned long long>(depth.compactions),
                 static_cast<unsigned long long>(depth.entries_truncated),
                 static_cast<unsigned long long>(depth.restarts),
                 static_cast<unsigned long long>(depth.max_term),
                 static_cast<unsigned long long>(depth.max_commit));
}

/// FUZZ_NODE_TRACE=1: print every operation, message and Ready (to
/// reproduce a finding by hand).
bool tracing = false;

void trace_message(const char* what, const Message& m) {
    if (!tracing) {
        return;
    }
    std::fprintf(
        stderr,
        "  %s %s v%u %llu->%llu t%llu lead=%llu prev=(%llu,%llu) commit=%llu ok=%d "
        "match=%llu last=%llu rprev=%llu cand=(%llu,%llu) xfer=%d granted=%d "
        "snap=(%llu,%llu,cfgidx %llu, %zu servers) entries=[",
        what, std::string(core::to_string(m.type)).c_str(), m.protocol_version,
        static_cast<unsigned long long>(m.from), static_cast<unsigned long long>(m.to),
        static_cast<unsigned long long>(m.term), static_cast<unsigned long long>(m.leader_id),
        static_cast<unsigned long long>(m.prev_log_index),
        static_cast<unsigned long long>(m.prev_log_term),
        static_cast<unsigned long long>(m.leader_commit), m.success ? 1 : 0,
        static_cast<unsigned long long>(m.match_index),
        static_cast<unsigned long long>(m.last_log_index),
        static_cast<unsigned long long>(m.rejected_prev_log_index),
        static_cast<unsigned long long>(m.candidate_last_log_index),
        static_cast<unsigned long long>(m.candidate_last_log_term), m.leadership_transfer ? 1 : 0,
        m.granted ? 1 : 0, static_cast<unsigned long long>(m.snapshot_index),
        static_cast<unsigned long long>(m.snapshot_term),
        static_cast<unsigned long long>(m.snapshot_configuration_index),
        m.snapshot_configuration.servers.size());
    for (const Entry& e : m.entries) {
        std::fprintf(stderr, " %llu:%llu:%d", static_cast<unsigned long long>(e.index),
                     static_cast<unsigned long long>(e.term), static_cast<int>(e.type));
    }
    std::fprintf(stderr, " ]\n");
}

void trace_node(const char* what, const Node& n) {
    if (!tracing) {
        return;
    }
    std::fprintf(
        stderr,
        "%s: id %llu %s term %llu vote %llu leader %llu log (%llu,%llu]..%llu:%llu "
        "commit %llu applied %llu snapshot %llu config@%llu %zu servers\n",
        what, static_cast<unsigned long long>(n.id()),
        std::string(core::to_string(n.role())).c_str(), static_cast<unsigned long long>(n.term()),
        static_cast<unsigned long long>(n.voted_for()),
        static_cast<unsigned long long>(n.leader_id()),
        static_cast<unsigned long long>(n.log().base_index()),
        static_cast<unsigned long long>(n.log().base_term()),
        static_cast<unsigned long long>(n.log().last_index()),
        static_cast<unsigned long long>(n.log().last_term()),
        static_cast<unsigned long long>(n.commit_index()),
        static_cast<unsigned long long>(n.applied_index()),
        static_cast<unsigned long long>(n.snapshot().index),
        static_cast<unsigned long long>(n.configuration_index()), n.configuration().servers.size());
}

[[noreturn]] void violation(const char* what, int line) {
    std::fprintf(stderr, "\nfuzz_node: check failed at fuzz_node.cpp:%d: %s\n", line, what);
    std::fflush(stderr);
    std::abort();
}

// The target's own checks: a failure is a finding, like a RAFT_ASSERT.
#define NODE_CHECK(condition)                \
    do {                                     \
        if (!(condition)) {                  \
            violation(#condition, __LINE__); \
        }                                    \
    } while (false)

// ----------------------------------------------------------------- decoding

/// A value for a numeric field: mostly at or near `base` (the node's term,
/// last index, commit...), sometimes at the edges the gate guards.
std::uint64_t pick_value(ByteReader& in, std::uint64_t base) {
    const std::uint8_t code = in.byte();
    const std::uint64_t small = code / 16;
    switch (code % 16) {
        case 0:
        case 1:
        case 2:
            return base;
        case 3:
            return base + 1;
        case 4:
            return base > 0 ? base - 1 : 0;
        case 5:
            return base + 2 + small;
        case 6:
            return base > small ? base - small : 0;
        case 7:
            return 0;
        case 8:
            return 1 + small;
        case 9:
            return value_bound - 1 + small % 3;
        case 10:
            return u64_max - small;
        case 11:
            return in.u64();
        case 12:
            return value_bound / 2 + small;
        default:
            return base + small;
    }
}

/// A term near `term`: mostly the same, sometimes newer or older.
Term near_term(ByteReader& in, Term term) {
    const std::uint8_t code = in.byte();
    switch (code % 16) {
        case 10:
        case 11:
            return term + 1;
        case 12:
            return term + 2 + code / 64;
        case 13:
            return term > 1 ? term - 1 : term;
        case 14:
            return term > 2 ? term - 2 : term;
        case 15:
            return pick_value(in, term);
        default:
            return term;
    }
}

/// Voters 1..v, then each of v+1..server_id_max absent, a nonvoter or
/// staging (two bits each).
Configuration decode_configuration(ByteReader& in) {
    const std::uint32_t voters = in.range(1, 5);
    const std::uint16_t others = in.u16();
    Configuration configuration;
    for (NodeId id = 1; id <= server_id_max; ++id) {
        if (id <= voters) {
            configuration.servers.push_back(Server{.id = id, .suffrage = Suffrage::voter});
            continue;
        }
        const unsigned bits = (others >> (2U * static_cast<unsigned>(id - voters - 1))) & 3U;
        if (bits == 1) {
            configuration.servers.push_back(Server{.id = id, .suffrage = Suffrage::nonvoter});
        } else if (bits == 2) {
            configuration.servers.push_back(Server{.id = id, .suffrage = Suffrage::staging});
        }
    }
    return configuration;
}

/// Any list of servers, valid or not: empty, unsorted, duplicated, id 0,
/// suffrage out of range, no voter.
Configuration decode_raw_configuration(ByteReader& in) {
    Configuration configuration;
    const std::uint32_t count = in.below(6);
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint8_t code = in.byte();
        configuration.servers.push_back(
            Server{.id = NodeId{code} % 10U, .suffrage = static_cast<Suffrage>((code / 10) % 4)});
    }
    return configuration;
}

/// A membership change request as a client would send it.
ChangeRequest decode_change(ByteReader& in, Index configuration_index) {
    const std::uint8_t code = in.byte();
    ChangeRequest request{.kind = static_cast<ChangeKind>(code % core::change_kind_count),
                          .server = (code / 4) % (server_id_max + 2),
                          .prev_index = 0};
    const std::uint8_t prev = in.byte();
    if (prev % 4 == 1) {
        request.prev_index = configuration_index;
    } else if (prev % 4 == 2) {
        request.prev_index = pick_value(in, configuration_index);
    }
    return request;
}

/// One of: `current`, `current` after one change, a decoded configuration,
/// or a raw (often invalid) list.
Configuration pick_configuration(ByteReader& in, const Configuration& current) {
    const std::uint8_t code = in.byte();
    switch (code % 8) {
        case 4:
        case 5: {
            const ChangeRequest change = decode_change(in, 0);
            const core::NextConfiguration next = current.is_valid()
                                                     ? core::next_configuration(current, 0, change)
                                                     : core::NextConfiguration{};
            return next.error == core::ChangeError::none ? next.configuration : current;
        }
        case 6:
            return decode_configuration(in);
        case 7:
            return decode_raw_configuration(in);
        default:
            return current;
    }
}

struct Flags {
    /// Handle the Ready after every operation (a host with a fast disk).
    bool auto_ready = false;
    /// Compact when the node wants a snapshot (hashicorp's snapshot loop).
    bool auto_snapshot = false;
};

core::Config decode_config(ByteReader& in, Flags& flags) {
    core::Config config;
    config.heartbeat_timeout_ticks = 2 + in.below(11);
    config.election_timeout_ticks = config.heartbeat_timeout_ticks + in.below(8);
    config.commit_timeout_ticks = 1 + in.below(5);
    config.leader_lease_ticks = 1 + in.below(config.heartbeat_timeout_ticks);
    config.max_append_entries = 1 + in.below(8);
    config.max_inflight_appends = 1 + in.below(4);
    const std::uint8_t uncommitted = in.byte();
    config.max_uncommitted_entries = config.max_append_entries + uncommitted % 64;
    const std::uint8_t threshold = in.byte();
    config.snapshot_threshold_entries = threshold < 64 ? 0 : 1 + threshold % 16;
    config.trailing_log_entries = in.below(6);
    const std::uint8_t bits = in.byte();
    config.pre_vote = (bits & 1U) != 0;
    config.check_quorum = (bits & 2U) == 0;
    config.protocol_version =
        (bits & 4U) != 0 ? core::protocol_version_min : core::protocol_version_max;
    flags.auto_ready = (bits & 8U) == 0;
    flags.auto_snapshot = (bits & 16U) != 0;
    config.vote_rule = (bits & 32U) != 0 ? core::VoteRule::thesis : core::VoteRule::hashicorp;
    NODE_CHECK(core::validate(config) == core::ConfigError::ok);
    return config;
}

/// The next entry of a decoded history: mostly commands, some no-ops,
/// barriers and (valid, one-change) configurations.
Entry decode_history_entry(ByteReader& in, Term& term, Index index, Configuration& current) {
    const std::uint8_t code = in.byte();
    if (code % 4 == 3) {
        term += 1 + (code >> 6U) % 2;
    }
    Entry entry{.term = term, .index = index, .type = EntryType::command, .data = {code}};
    const unsigned kind = (code >> 2U) % 8;
    if (kind == 5) {
        entry = Entry{.term = term, .index = index, .type = EntryType::noop};
    } else if (kind == 6) {
        entry = Entry{.term = term, .index = index, .type = EntryType::barrier};
    } else if (kind == 7) {
        const core::NextConfiguration next =
            core::next_configuration(current, 0, decode_change(in, 0));
        if (next.error == core::ChangeError::none) {
            current = next.configuration;
            entry = Entry{.term = term,
                          .index = index,
                          .type = EntryType::configuration,
                          .configuration = current};
        }
    }
    return entry;
}

/// A durable state a real host could hold (Node::restart's contract,
/// node.hpp): a history from the bootstrap entry, a snapshot of a prefix of
/// it (with the configuration in effect there), the log from a base at or
/// below the snapshot, and a hard state whose term covers the log.
DurableState decode_durable(ByteReader& in, const Configuration& initial, NodeId self) {
    std::vector<Entry> history{
        Entry{.term = 1, .index = 1, .type = EntryType::configuration, .configuration = initial}};
    Configuration current = initial;
    std::vector<std::pair<Index, Configuration>> configurations{{1, initial}};
    Term term = 1;
    const std::uint32_t extra = in.below(24);
    for (std::uint32_t i = 0; i < extra; ++i) {
        const Index index = history.size() + 1;
        history.push_back(decode_history_entry(in, term, index, current));
        if (history.back().type == EntryType::configuration) {
            configurations.emplace_back(index, current);
        }
    }
    DurableState durable;
    const Index last = history.size();
    const Index snapshot_index = in.below(static_cast<std::uint32_t>(last) + 1);
    if (snapshot_index != 0) {
        const auto* in_effect = &configurations.front();
        for (const auto& at : configurations) {
            in_effect = at.first <= snapshot_index ? &at : in_effect;
        }
        durable.snapshot = core::Snapshot{.index = snapshot_index,
                                          .term = history[snapshot_index - 1].term,
                                          .configuration = in_effect->second,
                                          .configuration_index = in_effect->first,
                                          .data = {static_cast<std::uint8_t>(snapshot_index)}};
        durable.log_base_index =
            snapshot_index - in.below(static_cast<std::uint32_t>(snapshot_index) + 1);
        durable.log_base_term =
            durable.log_base_index == 0 ? 0 : history[durable.log_base_index - 1].term;
    }
    durable.entries.assign(history.begin() + static_cast<std::ptrdiff_t>(durable.log_base_index),
                           history.end());
    durable.hard_state.term = term + in.below(3);
    const std::uint8_t vote = in.byte();
    durable.hard_state.voted_for = vote % 3 == 1 ? self : (vote % 3 == 2 ? 1 + vote % 5 : 0);
    return durable;
}

// -------------------------------------------------------------------- host

/// A host for one node: storage, a state machine reduced to what it has
/// applied, the network reduced to an inbox of sent messages the peers may
/// answer, and every check of the contract.
class Host {
  public:
    Host(NodeOptions options, Configuration names, Flags flags)
        : options_(options), names_(std::move(names)), flags_(flags) {}

    void bootstrap(const Configuration& configuration) {
        node_.emplace(Node::bootstrap(options_, configuration));
        after_start();
    }

    void restart(const DurableState& durable) {
        storage_ = sut::Storage(durable);
        start_from_storage();
    }

    void run(ByteReader& in);

  private:
    Node& node() { return *node_; }

    void operate(ByteReader& in);
    void start_from_storage();
    void after_start();
    void crash(ByteReader& in);

    // Ready handling.
    void handle_ready();
    void check_ready_shape(const Ready& ready);
    void check_sent(const Message& message);
    void apply(const Ready& ready);
    void check_results(const Ready& ready);
    void check_role_changes(const Ready& ready);

    // Inputs.
    void tick(ByteReader& in);
    void step(const Message& message);
    void answer(ByteReader& in, bool all);
    [[nodiscard]] std::optional<Message> answer_to(const Message& sent, std::uint8_t policy);
    [[nodiscard]] Message from_leader(ByteReader& in);
    [[nodiscard]] Message snapshot_from_leader(ByteReader& in);
    [[nodiscard]] Message from_candidate(ByteReader& in);
    [[nodiscard]] Message forged(ByteReader& in);
    void corrupt(ByteReader& in, Message& message);
    [[nodiscard]] Message maybe_corrupt(ByteReader& in, Message message);
    void corrupt_entries(ByteReader& in, Message& message);
    [[nodiscard]] std::vector<Entry> leader_entries(ByteReader& in, Index prev, Term prev_term,
                                                    Term term);
    void propose(ByteReader& in);
    void change_membership(ByteReader& in);
    void transfer_leadership(ByteReader& in);
    void compact(ByteReader& in);
    [[nodiscard]] NodeId pick_peer(ByteReader& in) const;
    /// The configuration a leader would build on: the node's, or (when it
    /// knows none yet) the named cluster's.
    [[nodiscard]] const Configuration& known_configuration() {
        return node().configuration().empty() ? names_ : node().configuration();
    }
    void account_incarnation();

    // Local invariants after every operation.
    void check_state();

    NodeOptions options_;
    /// The servers the fuzzer may speak for.
    Configuration names_;
    Flags flags_;
    std::optional<Node> node_;
    sut::Storage storage_;
    std::deque<Message> inbox_;
    std::uint64_t incarnation_ = 0;

    // The state machine of this incarnation: what it applied.
    Index fsm_applied_ = 0;
    std::map<Index, Term> applied_terms_;
    /// This incarnation's proposals awaiting a result: index and term.
    std::map<RequestId, std::pair<Index, Term>> pending_;
    RequestId next_request_ = 1;
    std::uint64_t transfers_outstanding_ = 0;
    Role reported_role_ = Role::follower;

    /// Granted votes sent, by term, over every incarnation: a second grant
    /// in a term to another candidate is a double vote (Figure 2).
    std::map<Term, NodeId> votes_sent_;

    // What the previous check saw, for "never decreases" and "set once".
    Term seen_term_ = 0;
    Index seen_commit_ = 0;
    NodeId seen_vote_ = core::node_none;
    bool led_ = false;
};

void Host::run(ByteReader& in) {
    std::size_t operations = 0;
    while (!in.empty() && operations < operations_max) {
        operate(in);
        check_state();
        if (flags_.auto_ready) {
            handle_ready();
            check_state();
        }
        operations += 1;
    }
    depth.operations += operations;
    // A host drains its node at the end; that Ready must be sound too.
    handle_ready();
    check_state();
    account_incarnation();
    depth.runs_with_leader += led_ ? 1 : 0;
}

void Host::operate(ByteReader& in) {
    const std::uint8_t code = in.byte();
    if (tracing) {
        std::fprintf(stderr, "op %u\n", static_cast<unsigned>(code % 16));
    }
    switch (code % 16) {
        case 0:
        case 1:
            tick(in);
            return;
        case 2:
            handle_ready();
            return;
        case 3:
            answer(in, false);
            return;
        case 4:
        case 5:
            answer(in, true);
            return;
        case 6:
            step(maybe_corrupt(in, from_leader(in)));
            return;
        case 7:
            step(maybe_corrupt(in, snapshot_from_leader(in)));
            return;
        case 8:
            step(maybe_corrupt(in, from_candidate(in)));
            return;
        case 9:
            step(forged(in));
            return;
        case 10:
            propose(in);
            return;
        case 11:
            change_membership(in);
            return;
        case 12:
            transfer_leadership(in);
            return;
        case 13:
            compact(in);
            return;
        case 14:
            node().campaign();
            return;
        default:
            crash(in);
            return;
    }
}

// ------------------------------------------------------- starts and crashes

void Host::start_from_storage() {
    const DurableState durable = storage_.durable_state();
    NodeOptions options = options_;
    options.seed = core::derive_seed(options_.seed, incarnation_);
    node_.emplace(Node::restart(options, durable));
    const Node& n = *node_;
    // Node::restart's promise (node.hpp): exactly the durable state, with
    // commit and applied at the snapshot.
    const Index snapshot_index = durable.snapshot.has_value() ? durable.snapshot->index : 0;
    NODE_CHECK(n.hard_state() == durable.hard_state);
    NODE_CHECK(n.commit_index() == snapshot_index);
    NODE_CHECK(n.applied_index() == snapshot_index);
    NODE_CHECK(n.log().last_index() == durable.log_base_index + durable.entries.size());
    NODE_CHECK(n.role() == Role::follower);
    fsm_applied_ = snapshot_index;
    after_start();
}

void Host::after_start() {
    applied_terms_.clear();
    pending_.clear();
    transfers_outstanding_ = 0;
    reported_role_ = Role::follower;
    seen_term_ = node().term();
    seen_commit_ = node().commit_index();
    seen_vote_ = node().voted_for();
    check_state();
}

// A crash loses everything not durable. The host may have persisted the
// pending Ready before it went down (but sent and applied nothing).
void Host::crash(ByteReader& in) {
    const std::uint8_t how = in.byte();
    if ((how & 1U) != 0 && node().has_ready()) {
        Ready ready = node().ready();
        storage_.persist(ready);
    }
    account_incarnation();
    node_.reset();
    incarnation_ += 1;
    depth.restarts += 1;
    start_from_storage();
}

// -------------------------------------------------------------- the Ready

void Host::handle_ready() {
    if (!node().has_ready()) {
        return;
    }
    Ready ready = node().ready();
    check_ready_shape(ready);
    // 1. Persist: snapshot, compaction, hard state, entries.
    storage_.persist(ready);
    // 2. Send, only now.
    for (const Message& message : ready.messages) {
        trace_message("sent", message);
        check_sent(message);
        inbox_.push_back(message);
        if (inbox_.size() > inbox_max) {
            inbox_.pop_front();
        }
    }
    // 3. Apply.
    apply(ready);
    check_results(ready);
    check_role_changes(ready);
    // 4. Advance.
    node().advance();
    NODE_CHECK(node().applied_index() == fsm_applied_);
    if (flags_.auto_snapshot && node().wants_snapshot()) {
        NODE_CHECK(node().compact(fsm_applied_, {1}) == core::CompactError::none);
        depth.compactions += 1;
    }
}

void Host::check_ready_shape(const Ready& ready) {
    const Node& n = node();
    if (ready.hard_state.has_value()) {
        NODE_CHECK(*ready.hard_state == n.hard_state());
        NODE_CHECK(ready.hard_state->term >= storage_.durable_hard_state().term);
    }
    for (std::size_t i = 0; i < ready.entries.size(); ++i) {
        NODE_CHECK(ready.entries[i].index == ready.entries.front().index + i);
        NODE_CHECK(ready.entries[i].term <= n.term());
    }
    if (ready.restore_snapshot) {
        NODE_CHECK(ready.snapshot.has_value());
    }
    if (ready.snapshot.has_value()) {
        NODE_CHECK(ready.snapshot->index <= n.commit_index());
        NODE_CHECK(ready.snapshot->configuration.is_valid());
        depth.snapshots_restored += ready.restore_snapshot ? 1 : 0;
    }
    if (ready.leader_id.has_value()) {
        NODE_CHECK(*ready.leader_id == n.leader_id());
    }
}

// Every message the node sends must pass the receiver's gate, come from the
// node and carry a term it has made durable (persist before send).
void Host::check_sent(const Message& message) {
    const Node& n = node();
    NODE_CHECK(message.from == n.id());
    NODE_CHECK(message.to != n.id());
    NODE_CHECK(message.to != core::node_none);
    NODE_CHECK(message.protocol_version == n.config().protocol_version);
    NODE_CHECK(core::validate_message(message, message.to) == RejectReason::none);
    const Term durable_term = storage_.durable_hard_state().term;
    if (message.type == MessageType::request_pre_vote) {
        // Thesis §9.6: the term it would campaign in, not entered yet.
        NODE_CHECK(message.term <= n.term() + 1);
    } else if (message.type != MessageType::request_pre_vote_response || !message.granted) {
        NODE_CHECK(message.term <= n.term());
        NODE_CHECK(message.term <= durable_term);
    }
    if (message.type == MessageType::request_vote_response && message.granted) {
        const auto [it, fresh] = votes_sent_.emplace(message.term, message.to);
        NODE_CHECK(fresh || it->second == message.to);
        if (storage_.durable_hard_state().term == message.term) {
            NODE_CHECK(storage_.durable_hard_state().voted_for == message.to);
        }
    }
    if (message.type == MessageType::append_entries) {
        NODE_CHECK(message.leader_commit <= n.commit_index());
    }
    depth.timeout_nows_sent += message.type == MessageType::timeout_now ? 1 : 0;
}

// The state machine: restore from the snapshot if told to, then apply each
// committed entry once, in order, and only what storage holds.
void Host::apply(const Ready& ready) {
    if (ready.restore_snapshot) {
        NODE_CHECK(ready.snapshot->index >= fsm_applied_);
        fsm_applied_ = ready.snapshot->index;
        applied_terms_.clear();
    }
    const std::vector<Entry>& durable = storage_.durable_entries();
    const Index base = storage_.log_base_index();
    for (const Entry& entry : ready.committed_entries) {
        NODE_CHECK(entry.index == fsm_applied_ + 1);
        NODE_CHECK(entry.index > base);
        NODE_CHECK(entry.index - base <= durable.size());
        const Entry& stored = durable[entry.index - base - 1];
        NODE_CHECK(stored.term == entry.term);
        NODE_CHECK(stored.type == entry.type);
        NODE_CHECK(stored.data == entry.data);
        fsm_applied_ = entry.index;
        applied_terms_[entry.index] = entry.term;
    }
    depth.entries_committed += ready.committed_entries.size();
    NODE_CHECK(fsm_applied_ <= node().commit_index());
}

void Host::check_results(const Ready& ready) {
    for (const core::RequestResult& result : ready.request_results) {
        const auto it = pending_.find(result.id);
        NODE_CHECK(it != pending_.end());
        NODE_CHECK(it->second.first == result.index);
        NODE_CHECK(it->second.second == result.term);
        pending_.erase(it);
        if (result.outcome == core::RequestOutcome::committed) {
            NODE_CHECK(result.index <= fsm_applied_);
            const auto applied = applied_terms_.find(result.index);
            NODE_CHECK(applied == applied_terms_.end() || applied->second == result.term);
            depth.proposals_committed += 1;
        }
    }
    for (const core::TransferResult& result : ready.transfer_results) {
        static_cast<void>(result);
        NODE_CHECK(transfers_outstanding_ > 0);
        transfers_outstanding_ -= 1;
    }
}

void Host::check_role_changes(const Ready& ready) {
    for (const core::RoleChange& change : ready.role_changes) {
        NODE_CHECK(change.from == reported_role_);
        NODE_CHECK(change.term <= node().term());
        reported_role_ = change.to;
        if (change.to == Role::leader) {
            depth.elections_won += 1;
            led_ = true;
        }
    }
    NODE_CHECK(reported_role_ == node().role());
}

// ------------------------------------------------------------------ inputs

void Host::tick(ByteReader& in) {
    const std::uint8_t code = in.byte();
    const std::uint32_t count = code < 240 ? 1 + code % 16 : 16U * (code - 239U);
    for (std::uint32_t i = 0; i < count; ++i) {
        node().tick();
    }
}

// Steps one message and checks the gate's accounting: a refusal is counted
// under its reason, exactly once; a message the gate refuses changes nothing.
void Host::step(const Message& message) {
    Node& n = node();
    const core::RejectCounters before = n.stats().rejects;
    const RejectReason gate = core::validate_message(message, n.id());
    const core::HardState hard_before = n.hard_state();
    const Index last_before = n.log().last_index();
    const Index commit_before = n.commit_index();
    const Role role_before = n.role();
    trace_message("step", message);
    const RejectReason reason = n.step(message);
    if (tracing) {
        std::fprintf(stderr, "  -> %s\n", std::string(core::to_string(reason)).c_str());
    }
    const core::RejectCounters& after = n.stats().rejects;
    if (reason == RejectReason::none) {
        NODE_CHECK(after.total() == before.total());
        depth.steps_accepted += 1;
    } else {
        NODE_CHECK(after.of(reason) == before.of(reason) + 1);
        NODE_CHECK(after.total() == before.total() + 1);
        depth.steps_rejected += 1;
    }
    if (gate != RejectReason::none) {
        NODE_CHECK(reason == gate);
        NODE_CHECK(n.hard_state() == hard_before);
        NODE_CHECK(n.log().last_index() == last_before);
        NODE_CHECK(n.commit_index() == commit_before);
        NODE_CHECK(n.role() == role_before);
    }
}

NodeId Host::pick_peer(ByteReader& in) const {
    const std::uint8_t code = in.byte();
    std::vector<NodeId> peers;
    for (const Server& server : names_.servers) {
        if (server.id != options_.id) {
            peers.push_back(server.id);
        }
    }
    if (code >= 232 || peers.empty()) {
        return code % (server_id_max + 2);  // anyone: unknown, self or none
    }
    return peers[code % peers.size()];
}

// A peer answers one message the node sent (or all of them), as it would:
// grant or refuse, acknowledge or reject, or answer from a newer term.
void Host::answer(ByteReader& in, bool all) {
    // Parameters are read whatever the state, so a byte means the same
    // thing wherever it is (hand-written seeds, and mutations, stay aligned).
    const std::uint8_t first = in.byte();
    const std::uint8_t policy = all ? 0 : in.byte();
    if (inbox_.empty()) {
        return;
    }
    if (!all) {
        const std::size_t at = first % inbox_.size();
        const Message sent = inbox_[at];
        // Policy 7 leaves it in flight, to be answered again (a duplicate).
        if (policy % 8 != 7) {
            inbox_.erase(inbox_.begin() + static_cast<std::ptrdiff_t>(at));
        }
        if (const std::optional<Message> reply = answer_to(sent, policy)) {
            step(*reply);
        }
        return;
    }
    // Everyone answers: the first eight by the bits of one byte (0 = yes).
    const std::uint8_t refusals = first;
    std::deque<Message> sent;
    sent.swap(inbox_);
    for (std::size_t i = 0; i < sent.size() && i < inbox_max; ++i) {
        const bool refuse = i < 8 && ((refusals >> i) & 1U) != 0;
        if (const std::optional<Message> reply = answer_to(sent[i], refuse ? 4 : 0)) {
            step(*reply);
        }
    }
}

// policy % 8: 0-3 and 7 yes, 4 no, 5 no from a newer term, 6 lost.
std::optional<Message> Host::answer_to(const Message& sent, std::uint8_t policy) {
    const unsigned kind = policy % 8;
    if (kind == 6 || core::is_response(sent.type)) {
        return std::nullopt;
    }
    const bool yes = kind != 4 && kind != 5;
    Message reply{.from = sent.to, .to = sent.from, .term = sent.term + (kind == 5 ? 1 : 0)};
    switch (sent.type) {
        case MessageType::request_vote:
            reply.type = MessageType::request_vote_response;
            reply.granted = yes;
            return reply;
        case MessageType::request_pre_vote:
            reply.type = MessageType::request_pre_vote_response;
            reply.granted = yes;
            // A refusal carries the voter's own term, the one before.
            reply.term = yes || kind == 5 ? reply.term : sent.term - 1;
            return reply;
        case MessageType::append_entries:
            reply.type = MessageType::append_entries_response;
            reply.success = yes;
            if (yes) {
                reply.match_index = sent.prev_log_index + sent.entries.size();
            } else {
                reply.rejected_prev_log_index = sent.prev_log_index;
                const Index back = (policy >> 3U) % 4;
                reply.last_log_index =
                    sent.prev_log_index > back ? sent.prev_log_index - back - 1 : 0;
            }
            return reply;
        case MessageType::install_snapshot:
            reply.type = MessageType::install_snapshot_response;
            reply.success = yes;
            reply.match_index = yes ? sent.snapshot_index : 0;
            return reply;
        case MessageType::timeout_now:
            // The target campaigns at once, asking for our vote.
            return Message{.type = MessageType::request_vote,
                           .from = sent.to,
                           .to = sent.from,
                           .term = sent.term + 1,
                           .candidate_last_log_index = node().log().last_index(),
                           .candidate_last_log_term = node().log().last_term(),
                           .leadership_transfer = true};
        default:
            return std::nullopt;
    }
}

/// Entries a leader of `term` sends after (prev, prev_term): terms never
/// decrease and never pass `term`; mostly commands.
std::vector<Entry> Host::leader_entries(ByteReader& in, Index prev, Term prev_term, Term term) {
    std::vector<Entry> entries;
    const std::uint32_t count = in.below(6);
    Term entry_term = prev_term;
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint8_t code = in.byte();
        if (code % 4 == 3 || (i == 0 && code % 4 == 2)) {
            entry_term = term;
        }
        entry_term = std::max<Term>(entry_term, 1);
        Entry entry{.term = entry_term, .index = prev + 1 + i, .data = {code}};
        switch ((code >> 2U) % 16) {
            case 12:
                entry.type = EntryType::noop;
                break;
            case 13:
                entry.type = EntryType::barrier;
                break;
            case 14:
            case 15:
                entry.type = EntryType::configuration;
                break;
            default:
                break;
        }
        // Index 1 is always the bootstrap configuration.
        if (entry.type == EntryType::configuration || entry.index == 1) {
            entry.type = EntryType::configuration;
            entry.configuration = pick_configuration(in, known_configuration());
        }
        entries.push_back(std::move(entry));
    }
    return entries;
}

// A leader's AppendEntries: usually at the end of the node's log (or a little
// before it) with the right prev_log_term, so it is accepted; sometimes a
// mismatch, a conflict or a commit index ahead.
Message Host::from_leader(ByteReader& in) {
    const Node& n = node();
    Message message{.type = MessageType::append_entries, .to = n.id()};
    message.from = pick_peer(in);
    message.leader_id = message.from;
    message.term = near_term(in, n.term());
    const std::uint8_t back = in.byte();
    const Index last = n.log().last_index();
    message.prev_log_index = back < 128 ? last : last - std::min<Index>(last, back % 8);
    const std::optional<Term> prev_term = n.log().term_at(message.prev_log_index);
    message.prev_log_term = prev_term.value_or(n.snapshot().term);
    const std::uint8_t mismatch = in.byte();
    if (mismatch >= 224) {
        message.prev_log_term = pick_value(in, message.prev_log_term);
    }
    message.prev_log_term = message.prev_log_index == 0 ? 0 : message.prev_log_term;
    message.prev_log_term = std::min(message.prev_log_term, message.term);
    message.entries =
        leader_entries(in, message.prev_log_index, message.prev_log_term, message.term);
    const std::uint8_t commit = in.byte();
    const Index last_new = message.prev_log_index + message.entries.size();
    switch (commit % 4) {
        case 0:
        case 1:
            message.leader_commit = last_new;
            break;
        case 2:
            message.leader_commit = n.commit_index();
            break;
        default:
            message.leader_commit = pick_value(in, last_new);
            break;
    }
    return message;
}

// A leader's InstallSnapshot: past our commit index (with or without a
// matching entry in our log), at or below it, or anywhere.
Message Host::snapshot_from_leader(ByteReader& in) {
    const Node& n = node();
    Message message{.type = MessageType::install_snapshot, .to = n.id()};
    message.from = pick_peer(in);
    message.leader_id = message.from;
    message.term = near_term(in, n.term());
    const std::uint8_t where = in.byte();
    const Index commit = n.commit_index();
    switch (where % 4) {
        case 0:
            message.snapshot_index = commit + 1 + (where >> 2U) % 8;
            break;
        case 1:
            message.snapshot_index = std::max(n.log().last_index(), commit + 1);
            break;
        case 2:
            message.snapshot_index = commit - std::min<Index>(commit, (where >> 2U) % 4);
            break;
        default:
            message.snapshot_index = pick_value(in, commit);
            break;
    }
    const std::optional<Term> at = n.log().term_at(message.snapshot_index);
    const std::uint8_t term_code = in.byte();
    message.snapshot_term =
        at.has_value() && term_code < 160
            ? *at
            : std::max<Term>(1, message.term - std::min<Term>(message.term, term_code % 3));
    message.snapshot_configuration = pick_configuration(in, known_configuration());
    const std::uint8_t configuration_at = in.byte();
    message.snapshot_configuration_index =
        message.snapshot_index - std::min<Index>(message.snapshot_index, configuration_at % 4);
    message.leader_commit = message.snapshot_index;
    message.snapshot_data = core::Bytes{where, term_code};
    return message;
}

// A candidate (or pre-candidate) asks for a vote, with a log about as up to
// date as ours, sometimes as a leadership transfer.
Message Host::from_candidate(ByteReader& in) {
    const Node& n = node();
    const std::uint8_t code = in.byte();
    const bool pre_vote = code % 4 == 1;
    Message message{.type = pre_vote ? MessageType::request_pre_vote : MessageType::request_vote,
                    .to = n.id()};
    message.from = pick_peer(in);
    message.term = near_term(in, n.term() + (code % 4 == 0 ? 0 : 1));
    message.candidate_last_log_index = pick_value(in, n.log().last_index());
    message.candidate_last_log_term = std::min(message.term, pick_value(in, n.log().last_term()));
    message.leadership_transfer = code >= 224;
    if (code % 4 == 3) {
        // The leader we follow hands over to this candidate first.
        message.type = MessageType::timeout_now;
        message.term = n.term();
    }
    return message;
}

// Anything at all: every field decoded, the type as any byte.
Message Host::forged(ByteReader& in) {
    const Node& n = node();
    const std::uint8_t code = in.byte();
    Message message{
        .type = static_cast<MessageType>(code < 240 ? code % core::message_type_count : in.byte()),
        .to = n.id()};
    message.from = pick_peer(in);
    message.term = pick_value(in, n.term());
    message.leader_id = message.from;
    switch (message.type) {
        case MessageType::append_entries_response:
        case MessageType::install_snapshot_response:
            message.success = (code & 16U) != 0;
            message.match_index = pick_value(in, n.log().last_index());
            message.last_log_index = pick_value(in, n.log().last_index());
            message.rejected_prev_log_index = pick_value(in, n.log().last_index());
            break;
        case MessageType::request_vote_response:
        case MessageType::request_pre_vote_response:
            message.granted = (code & 16U) != 0;
            break;
        default:
            break;
    }
    corrupt(in, message);
    return message;
}

void Host::corrupt_entries(ByteReader& in, Message& message) {
    const std::uint8_t code = in.byte();
    if (code >= 252) {
        // More entries than any message may carry.
        for (Index i = 0; i <= 4096; ++i) {
            message.entries.push_back(
                Entry{.term = message.prev_log_term, .index = message.prev_log_index + 1 + i});
        }
        return;
    }
    if (message.entries.empty() || code % 4 == 0) {
        message.entries.push_back(Entry{.term = pick_value(in, message.term),
                                        .index = pick_value(in, message.prev_log_index + 1),
                                        .data = {code}});
        return;
    }
    Entry& entry = message.entries[(code / 4) % message.entries.size()];
    switch (code % 4) {
        case 1:
            entry.index = pick_value(in, entry.index);
            break;
        case 2:
            entry.term = pick_value(in, entry.term);
            break;
        default:
            entry.type = static_cast<EntryType>(in.byte() % (core::entry_type_count + 2));
            entry.configuration = pick_configuration(in, known_configuration());
            break;
    }
}

// A plausible message, now and then with a few fields broken (ill-typed).
Message Host::maybe_corrupt(ByteReader& in, Message message) {
    if (in.byte() >= 224) {
        corrupt(in, message);
    }
    return message;
}

// Up to three fields set to anything, whether the type uses them or not.
void Host::corrupt(ByteReader& in, Message& message) {
    const Node& n = node();
    const std::uint32_t count = in.below(4);
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint8_t field = in.byte();
        switch (field % 20) {
            case 0:
                message.protocol_version = static_cast<std::uint32_t>(pick_value(in, 3));
                break;
            case 1:
                message.from = pick_value(in, message.from);
                break;
            case 2:
                message.to = pick_value(in, message.to);
                break;
            case 3:
                message.term = pick_value(in, message.term);
                break;
            case 4:
                message.leader_id = pick_value(in, message.leader_id);
                break;
            case 5:
                message.prev_log_index = pick_value(in, n.log().last_index());
                break;
            case 6:
                message.prev_log_term = pick_value(in, n.log().last_term());
                break;
            case 7:
                message.leader_commit = pick_value(in, n.commit_index());
                break;
            case 8:
                message.match_index = pick_value(in, n.log().last_index());
                break;
            case 9:
                message.last_log_index = pick_value(in, n.log().last_index());
                break;
            case 10:
                message.rejected_prev_log_index = pick_value(in, n.log().last_index());
                break;
            case 11:
                message.candidate_last_log_index = pick_value(in, n.log().last_index());
                break;
            case 12:
                message.candidate_last_log_term = pick_value(in, n.log().last_term());
                break;
            case 13:
                message.snapshot_index = pick_value(in, n.commit_index());
                break;
            case 14:
                message.snapshot_term = pick_value(in, n.term());
                break;
            case 15:
                message.snapshot_configuration = pick_configuration(in, known_configuration());
                break;
            case 16:
                message.snapshot_configuration_index = pick_value(in, n.commit_index());
                break;
            case 17:
                message.success = !message.success;
                message.granted = !message.granted;
                message.leadership_transfer = !message.leadership_transfer;
                break;
            default:
                corrupt_entries(in, message);
                break;
        }
    }
}

void Host::propose(ByteReader& in) {
    const std::uint8_t code = in.byte();
    const RequestId id = next_request_++;
    const core::ProposeResult result = code < 224 ? node().propose(id, {code}) : node().barrier(id);
    if (result.ok()) {
        NODE_CHECK(result.index == node().log().last_index());
        NODE_CHECK(result.term == node().term());
        pending_.emplace(id, std::make_pair(result.index, result.term));
    } else {
        NODE_CHECK(result.error != core::ProposeError::not_leader || node().role() != Role::leader);
    }
}

void Host::change_membership(ByteReader& in) {
    const RequestId id = next_request_++;
    const ChangeRequest request = decode_change(in, node().configuration_index());
    const core::ChangeResult result = node().change_membership(id, request);
    if (result.ok()) {
        NODE_CHECK(result.index == node().log().last_index());
        NODE_CHECK(node().configuration_index() == result.index);
        pending_.emplace(id, std::make_pair(result.index, result.term));
        depth.changes_appended += 1;
    }
}

void Host::transfer_leadership(ByteReader& in) {
    const std::uint8_t code = in.byte();
    const NodeId target = code < 128 ? core::node_none : code % (server_id_max + 2);
    const core::TransferStart start = node().transfer_leadership(target);
    if (start.ok()) {
        NODE_CHECK(node().transfer_target() == start.target);
        NODE_CHECK(node().configuration().is_voter(start.target));
        transfers_outstanding_ += 1;
        depth.transfers_started += 1;
    }
}

// The host snapshots its state machine: usually at what it applied (or a
// little before), sometimes anywhere.
void Host::compact(ByteReader& in) {
    const std::uint8_t code = in.byte();
    const Index index = code < 192 ? fsm_applied_ - std::min<Index>(fsm_applied_, code % 4)
                                   : pick_value(in, fsm_applied_);
    const core::CompactError error = node().compact(index, {code});
    if (error == core::CompactError::none) {
        NODE_CHECK(node().snapshot().index == index);
        depth.compactions += 1;
    } else if (error == core::CompactError::not_applied) {
        NODE_CHECK(index > fsm_applied_);
    }
}

// ------------------------------------------------------------- invariants

void Host::check_state() {
    const Node& n = node();
    trace_node("node", n);
    NODE_CHECK(n.invariants_hold());
    NODE_CHECK(n.term() >= seen_term_);
    NODE_CHECK(n.commit_index() >= seen_commit_);
    NODE_CHECK(n.applied_index() <= n.commit_index());
    NODE_CHECK(n.commit_index() <= n.log().last_index());
    NODE_CHECK(n.log().last_term() <= n.term());
    // §5.2: one vote per term, never taken back.
    if (n.term() == seen_term_ && seen_vote_ != core::node_none) {
        NODE_CHECK(n.voted_for() == seen_vote_);
    }
    if (n.role() == Role::leader || n.role() == Role::candidate) {
        NODE_CHECK(n.voted_for() == n.id());
    }
    NODE_CHECK((n.role() == Role::leader) == (n.leader_id() == n.id()));
    // Committed entries never change while they are in the log (§5.4).
    for (auto it = applied_terms_.upper_bound(n.log().base_index()); it != applied_terms_.end();
         ++it) {
        NODE_CHECK(n.log().term_at(it->first) == it->second);
    }
    seen_term_ = n.term();
    seen_commit_ = n.commit_index();
    seen_vote_ = n.voted_for();
    led_ = led_ || n.role() == Role::leader;
    depth.max_term = std::max(depth.max_term, n.term());
    depth.max_commit = std::max(depth.max_commit, n.commit_index());
}

void Host::account_incarnation() {
    const core::NodeStats& stats = node().stats();
    depth.snapshots_sent += stats.snapshots_sent;
    depth.snapshots_installed += stats.snapshots_installed;
    depth.entries_truncated += stats.entries_truncated;
    depth.promotions += stats.promotions;
}

// ------------------------------------------------------------------- setup

struct Setup {
    NodeOptions options;
    Configuration configuration;
    Flags flags;
};

/// The header: start mode, configuration, which server this node is, Config,
/// seed. All zeros: a bootstrapped single voter with default switches.
Setup decode_setup(ByteReader& in, std::uint8_t& mode) {
    Setup setup;
    mode = in.byte() % 4;
    setup.configuration = decode_configuration(in);
    const std::uint8_t self = in.byte();
    std::size_t voters = setup.configuration.voter_count();
    setup.options.id = self < 224 ? 1 + self % voters : 1 + self % server_id_max;
    setup.options.config = decode_config(in, setup.flags);
    setup.options.seed = in.u16();
    return setup;
}

void run_input(std::span<const std::uint8_t> bytes) {
    ByteReader in(bytes);
    std::uint8_t mode = 0;
    const Setup setup = decode_setup(in, mode);
    Host host(setup.options, setup.configuration, setup.flags);
    if (mode <= 1) {
        host.bootstrap(setup.configuration);
    } else if (mode == 2) {
        host.restart(decode_durable(in, setup.configuration, setup.options.id));
    } else {
        host.restart(DurableState{});  // a new server, waiting for a leader
    }
    host.run(in);
    depth.runs += 1;
}

}  // namespace
}  // namespace raftsim::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool report = [] {
        if (std::getenv("FUZZ_NODE_STATS") != nullptr) {
            std::atexit(&raftsim::fuzz::print_depth);
        }
        raftsim::fuzz::tracing = std::getenv("FUZZ_NODE_TRACE") != nullptr;
        return true;
    }();
    static_cast<void>(report);
    raftsim::fuzz::run_input(std::span<const std::uint8_t>(data, size));
    return 0;
}
