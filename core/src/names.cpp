// Names of the core's enums, for traces, errors and test output.
#include "raftsim/core/log_entry.hpp"
#include "raftsim/core/message.hpp"
#include "raftsim/core/node.hpp"
#include "raftsim/core/ready.hpp"
#include "raftsim/core/reject.hpp"

namespace raftsim::core {

std::string_view to_string(EntryType type) noexcept {
    switch (type) {
        case EntryType::command:
            return "command";
        case EntryType::noop:
            return "noop";
        case EntryType::configuration:
            return "configuration";
        case EntryType::barrier:
            return "barrier";
    }
    return "?";
}

std::string_view to_string(MessageType type) noexcept {
    switch (type) {
        case MessageType::append_entries:
            return "append_entries";
        case MessageType::append_entries_response:
            return "append_entries_response";
        case MessageType::request_vote:
            return "request_vote";
        case MessageType::request_vote_response:
            return "request_vote_response";
        case MessageType::request_pre_vote:
            return "request_pre_vote";
        case MessageType::request_pre_vote_response:
            return "request_pre_vote_response";
        case MessageType::timeout_now:
            return "timeout_now";
        case MessageType::install_snapshot:
            return "install_snapshot";
        case MessageType::install_snapshot_response:
            return "install_snapshot_response";
    }
    return "?";
}

bool is_response(MessageType type) noexcept {
    return type == MessageType::append_entries_response ||
           type == MessageType::request_vote_response ||
           type == MessageType::request_pre_vote_response ||
           type == MessageType::install_snapshot_response;
}

std::string_view to_string(Role role) noexcept {
    switch (role) {
        case Role::follower:
            return "follower";
        case Role::pre_candidate:
            return "pre_candidate";
        case Role::candidate:
            return "candidate";
        case Role::leader:
            return "leader";
    }
    return "?";
}

std::string_view to_string(RequestOutcome outcome) noexcept {
    switch (outcome) {
        case RequestOutcome::committed:
            return "committed";
        case RequestOutcome::leadership_lost:
            return "leadership_lost";
    }
    return "?";
}

std::string_view to_string(TransferOutcome outcome) noexcept {
    switch (outcome) {
        case TransferOutcome::completed:
            return "completed";
        case TransferOutcome::timed_out:
            return "timed_out";
        case TransferOutcome::leadership_lost:
            return "leadership_lost";
        case TransferOutcome::target_removed:
            return "target_removed";
    }
    return "?";
}

std::string_view to_string(ReadOutcome outcome) noexcept {
    switch (outcome) {
        case ReadOutcome::ready:
            return "ready";
        case ReadOutcome::leadership_lost:
            return "leadership_lost";
    }
    return "?";
}

std::string_view to_string(ReadMode mode) noexcept {
    switch (mode) {
        case ReadMode::read_index:
            return "read_index";
        case ReadMode::lease:
            return "lease";
    }
    return "?";
}

std::string_view to_string(ReadError error) noexcept {
    switch (error) {
        case ReadError::none:
            return "none";
        case ReadError::not_leader:
            return "not_leader";
        case ReadError::not_committed_in_term:
            return "not_committed_in_term";
        case ReadError::lease_reads_off:
            return "lease_reads_off";
        case ReadError::lease_expired:
            return "lease_expired";
        case ReadError::lease_revoked_by_transfer:
            return "lease_revoked_by_transfer";
        case ReadError::too_many_pending:
            return "too_many_pending";
    }
    return "?";
}

std::string_view to_string(TransferError error) noexcept {
    switch (error) {
        case TransferError::none:
            return "none";
        case TransferError::not_leader:
            return "not_leader";
        case TransferError::transfer_in_progress:
            return "transfer_in_progress";
        case TransferError::no_target:
            return "no_target";
        case TransferError::target_not_voter:
            return "target_not_voter";
    }
    return "?";
}

std::string_view to_string(CompactError error) noexcept {
    switch (error) {
        case CompactError::none:
            return "none";
        case CompactError::not_applied:
            return "not_applied";
        case CompactError::not_newer:
            return "not_newer";
    }
    return "?";
}

std::string_view to_string(ProposeError error) noexcept {
    switch (error) {
        case ProposeError::none:
            return "none";
        case ProposeError::not_leader:
            return "not_leader";
        case ProposeError::leadership_transfer_in_progress:
            return "leadership_transfer_in_progress";
        case ProposeError::too_many_uncommitted:
            return "too_many_uncommitted";
        case ProposeError::log_full:
            return "log_full";
    }
    return "?";
}

std::string_view to_string(RejectReason reason) noexcept {
    switch (reason) {
        case RejectReason::none:
            return "none";
        case RejectReason::unsupported_protocol_version:
            return "unsupported_protocol_version";
        case RejectReason::unknown_message_type:
            return "unknown_message_type";
        case RejectReason::sender_is_none:
            return "sender_is_none";
        case RejectReason::sender_is_self:
            return "sender_is_self";
        case RejectReason::wrong_recipient:
            return "wrong_recipient";
        case RejectReason::request_term_zero:
            return "request_term_zero";
        case RejectReason::term_out_of_range:
            return "term_out_of_range";
        case RejectReason::append_from_second_leader:
            return "append_from_second_leader";
        case RejectReason::unsupported_message:
            return "unsupported_message";
        case RejectReason::leader_id_mismatch:
            return "leader_id_mismatch";
        case RejectReason::prev_log_index_overflow:
            return "prev_log_index_overflow";
        case RejectReason::prev_log_term_without_index:
            return "prev_log_term_without_index";
        case RejectReason::prev_log_term_above_term:
            return "prev_log_term_above_term";
        case RejectReason::entries_too_many:
            return "entries_too_many";
        case RejectReason::entries_not_contiguous:
            return "entries_not_contiguous";
        case RejectReason::entry_term_above_message_term:
            return "entry_term_above_message_term";
        case RejectReason::entry_term_below_prev_log_term:
            return "entry_term_below_prev_log_term";
        case RejectReason::entry_terms_decreasing:
            return "entry_terms_decreasing";
        case RejectReason::entry_type_invalid:
            return "entry_type_invalid";
        case RejectReason::configuration_invalid:
            return "configuration_invalid";
        case RejectReason::candidate_log_term_above_term:
            return "candidate_log_term_above_term";
        case RejectReason::match_index_overflow:
            return "match_index_overflow";
        case RejectReason::snapshot_invalid:
            return "snapshot_invalid";
        case RejectReason::unknown_peer:
            return "unknown_peer";
        case RejectReason::conflict_below_commit:
            return "conflict_below_commit";
        case RejectReason::node_stopped:
            return "node_stopped";
        case RejectReason::first_entry_not_configuration:
            return "first_entry_not_configuration";
    }
    return "?";
}

std::uint64_t RejectCounters::total() const noexcept {
    std::uint64_t sum = 0;
    for (std::uint64_t count : by_reason) {
        sum += count;
    }
    return sum;
}

bool Ready::empty() const noexcept {
    return !hard_state.has_value() && entries.empty() && messages.empty() &&
           committed_entries.empty() && request_results.empty() && role_changes.empty() &&
           !leader_id.has_value() && !snapshot.has_value() && !compaction.has_value() &&
           transfer_results.empty() && read_results.empty();
}

}  // namespace raftsim::core
