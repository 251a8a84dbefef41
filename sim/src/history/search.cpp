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

#include "search.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <tuple>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/prng.hpp"

namespace raftsim::sim::history_detail {
namespace {

/// An indeterminate operation may take effect at any point after its
/// invocation, or never: it returns after everything else (Knossos, porcupine).
constexpr TimeUs never_returns_us = std::numeric_limits<TimeUs>::max();

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
    void build_events();
    void lift(std::size_t call);
    void unlift(std::size_t call);
    bool try_linearize(std::size_t call);
    bool memo_insert(const KvState& state);
    void backtrack();
    void remember_longest();

    struct Frame {
        std::size_t call = 0;
        KvState before;
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
    PartitionOutcome outcome_;
};

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
    return true;
}

bool Search::try_linearize(std::size_t call) {
    const std::size_t op = events_[call].op;
    const KvStep step = kv_step(state_, *ops_[op]);
    if (!step.legal) {
        return false;
    }
    linearized_.flip(op);
    if (!memo_insert(step.next)) {
        // Lowe: this set of operations has already been linearized to this
        // state, and everything that follows from it has been explored.
        linearized_.flip(op);
        return false;
    }
    stack_.push_back(Frame{.call = call, .before = state_});
    state_ = step.next;
    lift(call);
    return true;
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
    linearized_.flip(events_[top.call].op);
    unlift(top.call);
    RAFT_ASSERT(next_[top.call] != tail_);
}

PartitionOutcome Search::run() {
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
        if (!events_[cursor].is_return) {
            const bool lifted = try_linearize(cursor);
            cursor = lifted ? next_[head_] : next_[cursor];
            if (lifted && memo_.size() > limits_.max_memo_entries) {
                outcome_.verdict = PartitionVerdict::cap;
                outcome_.cap = SearchCap::memo_entries;
                break;
            }
            continue;
        }
        if (stack_.empty()) {
            outcome_.verdict = PartitionVerdict::not_linearizable;
            break;
        }
        const std::size_t undone = stack_.back().call;
        backtrack();
        cursor = next_[undone];
    }
    outcome_.memo_entries = memo_.size();
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
