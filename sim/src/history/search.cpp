// Wing & Gong's (1993) search for a linearization of one key's operations,
// with Lowe's (2017) memo, in the shape porcupine gives it: the history is a
// doubly linked list of call and return events in time order; linearizing an
// operation lifts its two events out of the list, and backing out puts them
// back (the list is only ever restored in reverse order, so each event's old
// neighbours are still the right ones).
//
// The search scans the list from its head. At a call it tries the operation
// on the model; if the output matches and the memo has not seen the
// resulting (linearized set, state) before, the operation is linearized and
// the scan starts again from the head. At a return, the operation returning
// there has not been linearized, and no operation invoked after that return
// may come before it (real-time order, Herlihy & Wing 1990), so the last
// choice is undone. An empty list is a linearization; a return with nothing
// to undo proves there is none.
//
// An indeterminate operation returns at +infinity, so it stays a candidate
// from its invocation to the end, and k of them pending would make the
// search try up to 2^k subsets. Two reductions keep the verdict and cut that:
//
// 1. Unobserved values (data independence, after Wolper 1986). A value is
//    observed when an operation of the key mentions it other than by writing
//    it: an answered read returned it, or a CAS (answered or not) expects it.
//    The model writes every unobserved value as one token (KvState::
//    unobserved); call that map on states alpha. A read compares the state
//    with an observed value or with "absent", a CAS compares it with an
//    observed expected value, and the token equals none of these, so every
//    operation's legality at s and at alpha(s) agree, and alpha(step(s, o)) =
//    step(alpha(s), o). Hence a sequence of operations is legal from s iff
//    it is from alpha(s), and Lowe's memo over (linearized set, alpha(state))
//    only merges configurations that have the same futures.
// 2. Interchangeable indeterminate operations (symmetry reduction, Ip & Dill
//    1996; the argument is a partial-order reduction's, Godefroid 1996). Two
//    indeterminate operations are in one class when they are always legal
//    and have the same effect on every abstract state: puts of unobserved
//    values, deletes, CASes from one expected value to unobserved values.
//    Among a class's candidates (calls before the first return left in the
//    list), the search tries only the first in (invoke time, id) order, a,
//    and skips every other, b. Nothing is lost: every complete
//    linearization places every operation (an indeterminate one that never
//    took effect is placed after all the others, where no output sees it),
//    so one that starts with b holds a later; swapping the two leaves every
//    state along it the same, so every output still matches; and real-time
//    order still holds, as neither returns before anything (+infinity), a
//    is a candidate now and b, a candidate now, stays one. What is tried
//    depends only on the linearized set, so a memo hit still means "already
//    explored by the same rule", and by induction on the operations left
//    the search finds a linearization iff there is one. The members of a
//    class linearized at any time are then a prefix of it in (invoke time,
//    id) order: k pending give k + 1 configurations, not 2^k.
// 3. Dead compare-and-sets (a persistent set of one operation, Godefroid
//    1996). An indeterminate CAS from e is dead once the state is not e and
//    e can never come back: no operation of the key writes e, or the one
//    that does is linearized (values are written once). It is always legal
//    and leaves every state from here on as it is, so any linearization
//    from here can move it to the front without changing a state or
//    breaking real-time order (it is a candidate now, and returns at
//    +infinity). When the scan meets a dead CAS it linearizes it and tries
//    nothing else in that configuration: backing out of it backs out of
//    the configuration too.
// Both depend on the operations given: the window minimisation, which
// searches subsets of a key, gets them recomputed for every subset.

#include "search.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/prng.hpp"

namespace raftsim::sim::history_detail {
namespace {

/// An indeterminate operation may take effect at any point after its
/// invocation, or never: it returns after everything else (Knossos, porcupine).
constexpr TimeUs never_returns_us = std::numeric_limits<TimeUs>::max();

/// An operation in no class of interchangeable operations.
constexpr std::size_t no_class = std::numeric_limits<std::size_t>::max();

/// What the memo is charged per entry, from sizes alone (never from the
/// allocator, so a cap hit is the same on every run of a build): a
/// balanced-tree node's links and colour, the entry, and its words.
constexpr std::uint64_t tree_node_bytes = 32;

struct Event {
    TimeUs time_us = 0;
    bool is_return = false;
    std::size_t op = 0;
};

/// Calls sort before returns at the same microsecond: two operations whose
/// intervals touch are concurrent, so the checker never blames a history for
/// an order the clock could not resolve (as porcupine orders them).
bool event_before(const Event& a, const Event& b) {
    return std::tie(a.time_us, a.is_return, a.op) < std::tie(b.time_us, b.is_return, b.op);
}

/// A set of operation indices with a hash kept as it changes (Zobrist: the
/// XOR of a fixed random word per member), so the memo compares full sets
/// only when hashes agree.
class OpSet {
  public:
    explicit OpSet(std::size_t size) : words_((size + 63) / 64, 0) {}

    void flip(std::size_t op) {
        RAFT_ASSERT(op / 64 < words_.size());
        words_[op / 64] ^= std::uint64_t{1} << (op % 64);
        std::uint64_t seed = op;
        hash_ ^= core::splitmix64(seed);
    }
    [[nodiscard]] bool contains(std::size_t op) const {
        RAFT_ASSERT(op / 64 < words_.size());
        return ((words_[op / 64] >> (op % 64)) & 1U) != 0;
    }
    [[nodiscard]] std::uint64_t hash() const noexcept { return hash_; }
    [[nodiscard]] const std::vector<std::uint64_t>& words() const noexcept { return words_; }

  private:
    std::vector<std::uint64_t> words_;
    std::uint64_t hash_ = 0;
};

struct MemoEntry {
    std::uint64_t hash = 0;
    KvState state;
    std::vector<std::uint64_t> words;
};

std::uint64_t memo_entry_bytes(std::size_t words) {
    return tree_node_bytes + sizeof(MemoEntry) + words * sizeof(std::uint64_t);
}

/// A lookup key that borrows the set instead of copying it.
struct MemoProbe {
    std::uint64_t hash = 0;
    KvState state;
    const std::vector<std::uint64_t>* words = nullptr;
};

struct MemoLess {
    using is_transparent = void;
    static auto key(const MemoEntry& e) { return std::tie(e.hash, e.state, e.words); }
    static auto key(const MemoProbe& p) { return std::tie(p.hash, p.state, *p.words); }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
        return key(a) < key(b);
    }
};

class Search {
  public:
    Search(std::span<const Operation* const> ops, const CheckLimits& limits)
        : ops_(ops), limits_(limits), linearized_(ops.size()) {}

    PartitionOutcome run();

  private:
    /// What the scan does at a call: the operation was linearized; it was
    /// not (illegal, seen, or skipped); or nothing more needs trying in this
    /// configuration.
    enum class Attempt : std::uint8_t { lifted, not_lifted, configuration_done };

    void build_classes();
    void build_events();
    [[nodiscard]] KvState abstracted(std::size_t op, const KvState& next) const;
    void lift(std::size_t call);
    void unlift(std::size_t call);
    [[nodiscard]] bool dead(std::size_t op) const;
    Attempt try_linearize(std::size_t call);
    bool back_out(std::size_t& cursor);
    bool memo_insert(const KvState& state);
    void backtrack();
    void remember_longest();

    struct Frame {
        std::size_t call = 0;
        KvState before;
        /// A dead CAS: the only operation tried in the configuration below.
        bool forced = false;
    };

    std::span<const Operation* const> ops_;
    const CheckLimits& limits_;
    std::vector<Event> events_;
    /// For a call's node, its return's node.
    std::vector<std::size_t> return_of_;
    /// The list: nodes are event indices, then a head and a tail sentinel.
    std::vector<std::size_t> next_;
    std::vector<std::size_t> prev_;
    std::size_t head_ = 0;
    std::size_t tail_ = 0;
    OpSet linearized_;
    KvState state_;
    std::vector<Frame> stack_;
    std::set<MemoEntry, MemoLess> memo_;
    std::uint64_t memo_bytes_ = 0;
    PartitionOutcome outcome_;
    /// Per operation: whether it writes a value nobody observes, and its
    /// class of interchangeable indeterminate operations (or no_class).
    std::vector<bool> hides_value_;
    std::vector<std::size_t> class_of_;
    /// Per class: its members in (invoke time, id) order, and how many of
    /// them (always the first ones) are linearized.
    std::vector<std::vector<std::size_t>> members_;
    std::vector<std::size_t> taken_;
    /// Per indeterminate CAS: the operation writing its expected value, or
    /// no_writer (also for every other operation).
    std::vector<std::size_t> expected_writer_;
    static constexpr std::size_t no_writer = std::numeric_limits<std::size_t>::max();
};

void Search::build_classes() {
    std::set<KvValue> observed;
    for (const Operation* op : ops_) {
        if (op->kind == OpKind::get && op->status == OpStatus::ok && op->read.has_value()) {
            observed.insert(*op->read);
        }
        if (op->kind == OpKind::compare_and_set) {
            observed.insert(op->expected);
        }
    }
    std::map<KvValue, std::size_t> writer;
    for (std::size_t i = 0; i < ops_.size(); ++i) {
        if (KvValue written = 0; writes_value(*ops_[i], written)) {
            writer.emplace(written, i);
        }
    }
    hides_value_.assign(ops_.size(), false);
    class_of_.assign(ops_.size(), no_class);
    expected_writer_.assign(ops_.size(), no_writer);
    // A class is named by the kind and the one input that still matters.
    std::map<std::pair<OpKind, KvValue>, std::size_t> classes;
    for (std::size_t i = 0; i < ops_.size(); ++i) {
        const Operation& op = *ops_[i];
        KvValue written = 0;
        hides_value_[i] = writes_value(op, written) && observed.count(written) == 0;
        if (op.status != OpStatus::indeterminate) {
            continue;
        }
        if (const auto found = writer.find(op.expected);
            op.kind == OpKind::compare_and_set && found != writer.end()) {
            expected_writer_[i] = found->second;
        }
        const bool hidden_write = hides_value_[i] && op.kind != OpKind::compare_and_set;
        const bool hidden_cas = hides_value_[i] && op.kind == OpKind::compare_and_set;
        if (!hidden_write && !hidden_cas && op.kind != OpKind::remove) {
            continue;
        }
        const KvValue input = hidden_cas ? op.expected : 0;
        const auto [at, added] = classes.try_emplace(std::pair(op.kind, input), members_.size());
        if (added) {
            members_.emplace_back();
        }
        class_of_[i] = at->second;
        // ops_ is in (invoke time, id) order, so each class is too.
        members_[at->second].push_back(i);
    }
    taken_.assign(members_.size(), 0);
}

KvState Search::abstracted(std::size_t op, const KvState& next) const {
    const bool wrote_own = next.present && !next.unobserved && next.value == ops_[op]->value;
    if (hides_value_[op] && wrote_own) {
        return KvState{.present = true, .unobserved = true, .value = 0};
    }
    return next;
}

void Search::build_events() {
    for (std::size_t i = 0; i < ops_.size(); ++i) {
        const Operation& op = *ops_[i];
        // A read without an answer constrains nothing and changes nothing:
        // it is left out of the search (it could go anywhere, or nowhere).
        if (op.kind == OpKind::get && op.status == OpStatus::indeterminate) {
            continue;
        }
        const bool answered = op.status == OpStatus::ok;
        events_.push_back(Event{.time_us = op.invoke_us, .is_return = false, .op = i});
        events_.push_back(Event{
            .time_us = answered ? op.complete_us : never_returns_us, .is_return = true, .op = i});
    }
    std::sort(events_.begin(), events_.end(), event_before);
    const std::size_t count = events_.size();
    head_ = count;
    tail_ = count + 1;
    next_.resize(count + 2);
    prev_.resize(count + 2);
    return_of_.assign(count, count);
    std::vector<std::size_t> call_of(ops_.size(), count);
    for (std::size_t node = 0; node < count; ++node) {
        next_[node] = node + 1 < count ? node + 1 : tail_;
        prev_[node] = node > 0 ? node - 1 : head_;
        const Event& event = events_[node];
        if (event.is_return) {
            RAFT_ASSERT(call_of[event.op] < node);
            return_of_[call_of[event.op]] = node;
        } else {
            call_of[event.op] = node;
        }
    }
    next_[head_] = count > 0 ? 0 : tail_;
    prev_[tail_] = count > 0 ? count - 1 : head_;
}

void Search::lift(std::size_t call) {
    const std::size_t ret = return_of_[call];
    RAFT_ASSERT(!events_[call].is_return);
    RAFT_ASSERT(events_[ret].is_return);
    for (const std::size_t node : {call, ret}) {
        next_[prev_[node]] = next_[node];
        prev_[next_[node]] = prev_[node];
    }
}

void Search::unlift(std::size_t call) {
    const std::size_t ret = return_of_[call];
    RAFT_ASSERT(!events_[call].is_return);
    // Reverse order of lift: the return went out last, so it comes back first.
    for (const std::size_t node : {ret, call}) {
        next_[prev_[node]] = node;
        prev_[next_[node]] = node;
    }
}

bool Search::memo_insert(const KvState& state) {
    const MemoProbe probe{
        .hash = linearized_.hash(), .state = state, .words = &linearized_.words()};
    auto at = memo_.lower_bound(probe);
    const bool seen = at != memo_.end() && !MemoLess{}(probe, *at);
    if (seen) {
        return false;
    }
    memo_.emplace_hint(at,
                       MemoEntry{.hash = probe.hash, .state = state, .words = linearized_.words()});
    memo_bytes_ += memo_entry_bytes(linearized_.words().size());
    return true;
}

bool Search::dead(std::size_t op) const {
    const Operation& cas = *ops_[op];
    if (cas.kind != OpKind::compare_and_set || cas.status != OpStatus::indeterminate) {
        return false;
    }
    const std::size_t writer = expected_writer_[op];
    const bool gone_for_good = writer == no_writer || linearized_.contains(writer);
    const bool holds = state_.present && !state_.unobserved && state_.value == cas.expected;
    return gone_for_good && !holds;
}

Search::Attempt Search::try_linearize(std::size_t call) {
    const std::size_t op = events_[call].op;
    const std::size_t group = class_of_[op];
    if (group != no_class) {
        RAFT_ASSERT(taken_[group] < members_[group].size());
        if (members_[group][taken_[group]] != op) {
            // An interchangeable operation invoked earlier is still pending:
            // only that one is tried (see the top of this file).
            return Attempt::not_lifted;
        }
    }
    const KvStep step = kv_step(state_, *ops_[op]);
    if (!step.legal) {
        return Attempt::not_lifted;
    }
    const bool forced = dead(op);
    const KvState next = abstracted(op, step.next);
    RAFT_ASSERT(!forced || next == state_);
    linearized_.flip(op);
    if (!memo_insert(next)) {
        // Lowe: this set of operations has already been linearized to this
        // state, and everything that follows from it has been explored. For
        // a dead CAS, that was all this configuration needed.
        linearized_.flip(op);
        return forced ? Attempt::configuration_done : Attempt::not_lifted;
    }
    stack_.push_back(Frame{.call = call, .before = state_, .forced = forced});
    state_ = next;
    if (group != no_class) {
        taken_[group] += 1;
    }
    lift(call);
    return Attempt::lifted;
}

void Search::remember_longest() {
    if (stack_.size() <= outcome_.longest.size()) {
        return;
    }
    outcome_.longest.clear();
    for (const Frame& frame : stack_) {
        outcome_.longest.push_back(events_[frame.call].op);
    }
}

void Search::backtrack() {
    RAFT_ASSERT(!stack_.empty());
    remember_longest();
    const Frame top = stack_.back();
    stack_.pop_back();
    state_ = top.before;
    const std::size_t op = events_[top.call].op;
    linearized_.flip(op);
    if (const std::size_t group = class_of_[op]; group != no_class) {
        RAFT_ASSERT(taken_[group] > 0);
        taken_[group] -= 1;
        RAFT_ASSERT(members_[group][taken_[group]] == op);
    }
    unlift(top.call);
    RAFT_ASSERT(next_[top.call] != tail_);
}

/// Leaves a configuration that has nothing more to try: undoes the last
/// choice and resumes the scan after it, or, when that choice was forced
/// (the only one its own configuration needed), leaves that one too. False
/// when there is nothing left to undo: there is no linearization.
bool Search::back_out(std::size_t& cursor) {
    for (;;) {
        if (stack_.empty()) {
            return false;
        }
        const Frame top = stack_.back();
        backtrack();
        cursor = next_[top.call];
        if (!top.forced) {
            return true;
        }
    }
}

PartitionOutcome Search::run() {
    build_classes();
    build_events();
    std::size_t cursor = next_[head_];
    while (next_[head_] != tail_) {
        // While operations remain, each one's return is still in the list
        // after its call, so the scan meets a return before the tail.
        RAFT_ASSERT(cursor != tail_);
        if (outcome_.steps >= limits_.max_steps) {
            outcome_.verdict = PartitionVerdict::cap;
            outcome_.cap = SearchCap::steps;
            break;
        }
        outcome_.steps += 1;
        const Attempt attempt =
            events_[cursor].is_return ? Attempt::configuration_done : try_linearize(cursor);
        if (attempt == Attempt::not_lifted) {
            cursor = next_[cursor];
            continue;
        }
        if (attempt == Attempt::lifted) {
            cursor = next_[head_];
            if (memo_bytes_ > limits_.max_memo_bytes) {
                outcome_.verdict = PartitionVerdict::cap;
                outcome_.cap = SearchCap::memo_bytes;
                break;
            }
            continue;
        }
        if (!back_out(cursor)) {
            outcome_.verdict = PartitionVerdict::not_linearizable;
            break;
        }
    }
    outcome_.memo_entries = memo_.size();
    outcome_.memo_bytes = memo_bytes_;
    return outcome_;
}

}  // namespace

PartitionOutcome search_partition(std::span<const Operation* const> ops,
                                  const CheckLimits& limits) {
    Search search(ops, limits);
    PartitionOutcome outcome = search.run();
    RAFT_ASSERT(outcome.longest.size() <= ops.size());
    RAFT_MAYBE(outcome.verdict == PartitionVerdict::cap);
    return outcome;
}

}  // namespace raftsim::sim::history_detail
