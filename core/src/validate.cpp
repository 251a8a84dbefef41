#include "raftsim/core/validate.hpp"

#include "raftsim/core/assert.hpp"

namespace raftsim::core {
namespace {

// Far above any configured max_append_entries (at most 1024): bounds the work
// a single message can cause before the node looks at it.
constexpr std::size_t entries_per_message_max = 4096;

[[nodiscard]] RejectReason validate_entries(const Message& message) noexcept {
    if (message.entries.size() > entries_per_message_max) {
        return RejectReason::entries_too_many;
    }
    Index expected_index = message.prev_log_index + 1;
    Term previous_term = message.prev_log_term;
    for (const Entry& entry : message.entries) {
        if (entry.index != expected_index) {
            return RejectReason::entries_not_contiguous;
        }
        if (entry.term > message.term) {
            return RejectReason::entry_term_above_message_term;
        }
        if (entry.term < message.prev_log_term) {
            return RejectReason::entry_term_below_prev_log_term;
        }
        if (entry.term < previous_term) {
            return RejectReason::entry_terms_decreasing;
        }
        if (static_cast<std::uint8_t>(entry.type) >= entry_type_count) {
            return RejectReason::entry_type_invalid;
        }
        // Every real configuration has a voter (next_configuration refuses
        // no_voters_left), as for snapshots below.
        if (entry.type == EntryType::configuration &&
            (!entry.configuration.is_valid() || entry.configuration.voter_count() == 0)) {
            return RejectReason::configuration_invalid;
        }
        // Index 1 of every log is the bootstrap configuration (hashicorp's
        // BootstrapCluster), so every log position has a configuration at or
        // below it, which a snapshot must carry (§7).
        if (entry.index == 1 && entry.type != EntryType::configuration) {
            return RejectReason::first_entry_not_configuration;
        }
        previous_term = entry.term;
        expected_index += 1;
    }
    return RejectReason::none;
}

[[nodiscard]] RejectReason validate_append_entries(const Message& message) noexcept {
    if (message.leader_id != message.from) {
        return RejectReason::leader_id_mismatch;
    }
    if (message.prev_log_index > index_max || message.leader_commit > index_max) {
        return RejectReason::prev_log_index_overflow;
    }
    // The entries must end within the bound too, or the follower's log (and
    // so its acknowledgements) would pass it.
    if (message.entries.size() > index_max - message.prev_log_index) {
        return RejectReason::prev_log_index_overflow;
    }
    if (message.prev_log_index == 0 && message.prev_log_term != 0) {
        return RejectReason::prev_log_term_without_index;
    }
    if (message.prev_log_term > message.term) {
        return RejectReason::prev_log_term_above_term;
    }
    return validate_entries(message);
}

[[nodiscard]] RejectReason validate_vote_request(const Message& message) noexcept {
    if (message.candidate_last_log_index > index_max) {
        return RejectReason::prev_log_index_overflow;
    }
    // A candidate's last entry was written in some term no later than the one
    // it campaigns in.
    if (message.candidate_last_log_term > message.term) {
        return RejectReason::candidate_log_term_above_term;
    }
    return RejectReason::none;
}

[[nodiscard]] RejectReason validate_append_response(const Message& message) noexcept {
    if (message.match_index > index_max || message.last_log_index > index_max ||
        message.rejected_prev_log_index > index_max) {
        return RejectReason::match_index_overflow;
    }
    return RejectReason::none;
}

[[nodiscard]] RejectReason validate_snapshot(const Message& message) noexcept {
    if (message.snapshot_index == 0 || message.snapshot_index > index_max) {
        return RejectReason::snapshot_invalid;
    }
    if (message.snapshot_term == 0 || message.snapshot_term > message.term) {
        return RejectReason::snapshot_invalid;
    }
    if (message.snapshot_configuration_index > message.snapshot_index) {
        return RejectReason::snapshot_invalid;
    }
    // Every real configuration has a voter (next_configuration refuses
    // no_voters_left), so a snapshot without one is garbage.
    if (!message.snapshot_configuration.is_valid() ||
        message.snapshot_configuration.voter_count() == 0) {
        return RejectReason::configuration_invalid;
    }
    if (message.leader_id != message.from) {
        return RejectReason::leader_id_mismatch;
    }
    return RejectReason::none;
}

[[nodiscard]] RejectReason validate_envelope(const Message& message, NodeId self) noexcept {
    if (message.protocol_version < protocol_version_min ||
        message.protocol_version > protocol_version_max) {
        return RejectReason::unsupported_protocol_version;
    }
    if (static_cast<std::uint8_t>(message.type) >= message_type_count) {
        return RejectReason::unknown_message_type;
    }
    if (message.from == node_none) {
        return RejectReason::sender_is_none;
    }
    if (message.from == self) {
        return RejectReason::sender_is_self;
    }
    if (message.to != self) {
        return RejectReason::wrong_recipient;
    }
    // Every message carries the sender's term; a sender is always at term
    // >= 1 (bootstrap starts at 1; a new server restarted from empty storage
    // sends nothing before it enters a term), so term 0 cannot be real.
    if (message.term == 0) {
        return RejectReason::request_term_zero;
    }
    // Terms, like indexes, are bounded far below overflow so that
    // "term + 1" (a campaign, a pre-vote) is always representable.
    if (message.term > term_max) {
        return RejectReason::term_out_of_range;
    }
    return RejectReason::none;
}

}  // namespace

RejectReason validate_message(const Message& message, NodeId self) {
    RAFT_ASSERT(self != node_none);
    const RejectReason envelope = validate_envelope(message, self);
    if (envelope != RejectReason::none) {
        return envelope;
    }
    switch (message.type) {
        case MessageType::append_entries:
            return validate_append_entries(message);
        case MessageType::append_entries_response:
        case MessageType::install_snapshot_response:
            return validate_append_response(message);
        case MessageType::request_vote:
        case MessageType::request_pre_vote:
            return validate_vote_request(message);
        case MessageType::install_snapshot:
            return validate_snapshot(message);
        case MessageType::request_vote_response:
        case MessageType::request_pre_vote_response:
        case MessageType::timeout_now:
            return RejectReason::none;
    }
    RAFT_UNREACHABLE("validate_envelope rejected unknown types");
    return RejectReason::unknown_message_type;
}

}  // namespace raftsim::core
