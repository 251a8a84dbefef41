#pragma once
// Why the gate refused a message. Every refusal is counted per reason; none is
// an assertion, because anything arriving from the network may be garbage.

#include <array>
#include <cstdint>
#include <string_view>

namespace raftsim::core {

enum class RejectReason : std::uint8_t {
    none = 0,
    unsupported_protocol_version,
    unknown_message_type,
    sender_is_none,
    sender_is_self,
    wrong_recipient,
    request_term_zero,
    /// A term so large that campaigning from it would overflow.
    term_out_of_range,
    leader_id_mismatch,
    prev_log_index_overflow,
    prev_log_term_without_index,
    prev_log_term_above_term,
    entries_too_many,
    entries_not_contiguous,
    entry_term_above_message_term,
    entry_term_below_prev_log_term,
    entry_terms_decreasing,
    entry_type_invalid,
    configuration_invalid,
    candidate_log_term_above_term,
    match_index_overflow,
    snapshot_invalid,
    /// A response from a server this leader does not replicate to.
    unknown_peer,
    /// A conflicting entry at or below our commit index, or a snapshot past
    /// it whose term is below our last committed entry's: a committed entry
    /// cannot change, so the leader that sent this is broken. Dropped, never
    /// applied, so the simulator's checkers (not an assert) report the bug.
    conflict_below_commit,
    /// An AppendEntries of our own term while we lead it: Election Safety
    /// is broken elsewhere; dropped so the checkers, not an assert, report it.
    append_from_second_leader,
    /// A message kind this core does not implement. None today (snapshots
    /// were the last); kept so counters keep their layout.
    unsupported_message,
    /// The node was removed or is shut down and takes no input.
    node_stopped,
    /// An AppendEntries whose entry at index 1 is not a configuration: every
    /// log starts with the bootstrap configuration (hashicorp BootstrapCluster).
    first_entry_not_configuration,
};

inline constexpr std::size_t reject_reason_count = 28;

[[nodiscard]] std::string_view to_string(RejectReason reason) noexcept;

/// Count of refused messages per reason.
struct RejectCounters {
    std::array<std::uint64_t, reject_reason_count> by_reason{};

    void count(RejectReason reason) noexcept { by_reason[static_cast<std::size_t>(reason)] += 1; }
    [[nodiscard]] std::uint64_t of(RejectReason reason) const noexcept {
        return by_reason[static_cast<std::size_t>(reason)];
    }
    [[nodiscard]] std::uint64_t total() const noexcept;
};

}  // namespace raftsim::core
