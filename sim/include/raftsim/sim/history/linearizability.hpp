#pragma once
// A linearizability checker for the key-value model.
//
// A history is linearizable (Herlihy & Wing 1990) when every operation can be
// given a single point between its invocation and its response such that, in
// the order of those points, each output is what a sequential key-value store
// would have said. The search is Wing & Gong's (1993): extend a sequential
// prefix one operation at a time, in an order the real-time precedence
// allows, and backtrack when no operation fits. Lowe (2017, "Testing for
// linearizability") memoises (set of operations linearized, model state) so
// that the same configuration is never explored twice. As porcupine does
// (after Horn & Kroening's P-compositionality), the history is split by key
// first: a key-value store is linearizable iff each key is, and each key is a
// much smaller search.
//
// The search is bounded by counts (steps, and the memo's size in bytes
// counted from sizes), never by time or by the allocator, so the verdict
// depends only on the history, the limits and the build.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "raftsim/sim/history/operation.hpp"

namespace raftsim::sim {

struct CheckLimits {
    /// Search steps per key: one step is one look at an event of the history
    /// (trying an operation, or backing out of one).
    std::uint64_t max_steps = 2'000'000;
    /// Bytes the memo may hold per key. An entry holds one bit per operation
    /// on the key (about 1.3 KB on a key of 10,000 operations), and is
    /// charged that, its own size and a tree node's links: counted from
    /// sizes, never asked of the allocator.
    std::uint64_t max_memo_bytes = std::uint64_t{256} << 20;
    /// Candidate histories the window minimisation may check (each is a
    /// search under the two caps above).
    std::uint64_t max_window_checks = 5'000;
};

enum class Verdict : std::uint8_t {
    linearizable,
    not_linearizable,
    /// A cap was hit before the search could decide.
    unknown,
    /// The history itself is malformed (HistoryError).
    refused,
};

enum class SearchCap : std::uint8_t { none, steps, memo_bytes };

struct CheckStats {
    std::uint64_t operations = 0;
    std::uint64_t keys = 0;
    /// Summed over keys (and excluding the window minimisation).
    std::uint64_t steps = 0;
    /// The most memo entries, and bytes (as counted against
    /// max_memo_bytes), any one key's search held.
    std::uint64_t memo_entries_peak = 0;
    std::uint64_t memo_bytes_peak = 0;
    std::uint64_t window_checks = 0;
};

struct LinearizabilityResult {
    Verdict verdict = Verdict::linearizable;
    /// refused: why, and the first operation (by id) found at fault.
    HistoryError refusal = HistoryError::none;
    OperationId refused_operation = 0;
    /// not_linearizable: the smallest key that is not. unknown: the smallest
    /// key whose search hit a cap (when no key was found not linearizable).
    KvKey key = 0;
    /// unknown: which cap.
    SearchCap cap = SearchCap::none;
    /// not_linearizable: the longest sequential prefix of the key's
    /// operations the search found, in linearization order.
    std::vector<OperationId> partial_linearization;
    /// not_linearizable: a window, ordered by (invoke time, id): a subset of
    /// the key's operations that cannot be linearized on its own, nor with
    /// any other operations of the key added back (provided what their
    /// outputs rest on comes too: the write a read saw, the delete a
    /// "not found" may follow, the change a failed CAS may follow). It is
    /// 1-minimal: removing any one operation, and what rests on it, leaves a
    /// history the checker does not find non-linearizable under the same caps.
    std::vector<OperationId> window;
    /// False when max_window_checks ran out first: the window is then still
    /// not linearizable, but may not be minimal.
    bool window_minimal = false;
    CheckStats stats;
};

/// Checks a whole history. Never throws; a malformed history is `refused`.
/// The result does not depend on the order of `history`.
[[nodiscard]] LinearizabilityResult check_linearizability(std::span<const Operation> history,
                                                          const CheckLimits& limits = {});

/// The first problem with a history, or none; `at` gets the operation's id.
[[nodiscard]] HistoryError validate_history(std::span<const Operation> history, OperationId& at);

/// One operation's call and answer as a verdict's text writes it:
/// "put(k3, 17)", "get[lease](k3) -> 17" (a get names how it was served),
/// "get[log](k3) -> not found", "cas(k3, 5 -> 9) -> failed", "delete(k3)";
/// "-> ?" when no answer came.
[[nodiscard]] std::string describe_call(const Operation& op);

/// How many ids of the partial linearization a verdict's text lists: the
/// last ones, where the search got stuck, which is where to look; the
/// earlier ones are only counted. A history of thousands of operations
/// would otherwise put thousands of ids into every report that quotes the
/// violation (terminal, JUnit, JSON, the HTML page).
inline constexpr std::size_t partial_linearization_listed = 20;

/// The partial linearization's ids as a verdict's text lists them: all of
/// them when there are at most partial_linearization_listed, else the
/// count of the earlier ones and the last ones ("... 1034 earlier, #1035
/// #1036 ... #1054").
[[nodiscard]] std::string describe_partial_linearization(std::span<const OperationId> ids);

/// A verdict as text for an engineer: the verdict, the key, the partial
/// linearization (its length and its last ids) and every operation of the
/// window with client, kind, key, values and [invoke, complete] times.
[[nodiscard]] std::string render_verdict(const LinearizabilityResult& result,
                                         std::span<const Operation> history);

[[nodiscard]] std::string_view to_string(Verdict verdict) noexcept;
[[nodiscard]] std::string_view to_string(SearchCap cap) noexcept;

}  // namespace raftsim::sim
