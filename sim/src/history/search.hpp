#pragma once
// The pieces of the linearizability checker that its files share: the
// sequential key-value model (kv_model.cpp), the search over one key's
// operations (search.cpp) and the window minimisation (minimize.cpp).

#include <cstdint>
#include <span>
#include <vector>

#include "raftsim/sim/history/linearizability.hpp"

namespace raftsim::sim::history_detail {

/// One key's state in the sequential model: absent, or holding a value. The
/// search writes every value that no operation of the key observes as one
/// token (present, `unobserved`, value 0): see search.cpp.
struct KvState {
    bool present = false;
    bool unobserved = false;
    KvValue value = 0;
    friend auto operator<=>(const KvState&, const KvState&) = default;
};

struct KvStep {
    /// Whether the operation's output is what the sequential store says.
    bool legal = false;
    KvState next;
};

/// The sequential specification: applies `op` to `state`. An indeterminate
/// operation matches any output (its effect is what the state dictates). The
/// unobserved token equals no value a read returns or a CAS expects.
[[nodiscard]] KvStep kv_step(const KvState& state, const Operation& op);

/// True when `op` needs the value some write left: an ok read of a value,
/// an ok successful CAS from it, or an indeterminate CAS from it (which
/// cannot have taken effect without that write).
[[nodiscard]] bool needs_written_value(const Operation& op, KvValue& seen);
/// True when `op` may have written a value (put, CAS, ok or indeterminate).
[[nodiscard]] bool writes_value(const Operation& op, KvValue& written);

enum class PartitionVerdict : std::uint8_t { linearizable, not_linearizable, cap };

struct PartitionOutcome {
    PartitionVerdict verdict = PartitionVerdict::linearizable;
    SearchCap cap = SearchCap::none;
    std::uint64_t steps = 0;
    std::uint64_t memo_entries = 0;
    /// What the memo held, counted from sizes (see CheckLimits::max_memo_bytes).
    std::uint64_t memo_bytes = 0;
    /// not_linearizable: the longest prefix found, as indices into the span.
    std::vector<std::size_t> longest;
};

/// Wing & Gong's search with Lowe's memo over one key's operations, which
/// must be ordered by (invoke time, id) so that the search is the same for
/// every order the history came in.
[[nodiscard]] PartitionOutcome search_partition(std::span<const Operation* const> ops,
                                                const CheckLimits& limits);

struct Window {
    /// Indices into the span, ascending.
    std::vector<std::size_t> ops;
    bool minimal = false;
    std::uint64_t checks = 0;
};

/// Shrinks a key's non-linearizable operations to a window (see
/// LinearizabilityResult::window for what minimal means).
[[nodiscard]] Window minimize_window(std::span<const Operation* const> ops,
                                     const CheckLimits& limits);

}  // namespace raftsim::sim::history_detail
