#pragma once
// Messages between Raft nodes. One flat struct for every type (as etcd's
// raftpb.Message) keeps the simulator's filters, the trace and the fuzzers
// simple; `validate` at the gate says which fields each type may use.

#include <cstdint>
#include <string_view>
#include <vector>

#include "raftsim/core/log_entry.hpp"
#include "raftsim/core/types.hpp"

namespace raftsim::core {

enum class MessageType : std::uint8_t {
    append_entries,
    append_entries_response,
    request_vote,
    request_vote_response,
    /// Raft thesis §9.6: "would you vote for me in term+1?". Changes no state.
    request_pre_vote,
    request_pre_vote_response,
    /// Leadership transfer: "campaign now" (thesis §3.10).
    timeout_now,
    install_snapshot,
    install_snapshot_response,
};

inline constexpr std::uint8_t message_type_count = 9;

[[nodiscard]] std::string_view to_string(MessageType type) noexcept;
[[nodiscard]] bool is_response(MessageType type) noexcept;

struct Message {
    MessageType type = MessageType::append_entries;
    std::uint32_t protocol_version = protocol_version_max;
    NodeId from = node_none;
    NodeId to = node_none;
    /// The sender's current term; for request_pre_vote, the term it would campaign in.
    Term term = 0;

    // append_entries
    /// The leader the sender claims to be; must equal `from` (hashicorp's
    /// fuzzy verifier checks the same on the wire).
    NodeId leader_id = node_none;
    Index prev_log_index = 0;
    Term prev_log_term = 0;
    std::vector<Entry> entries{};
    Index leader_commit = 0;
    /// append_entries and its response: the leader's heartbeat round when
    /// it sent the request, echoed back, so a leader knows which of its
    /// rounds a follower acknowledged (ReadIndex and lease reads, thesis
    /// §6.4; etcd's heartbeat context). Counted per term, from 1.
    std::uint64_t read_round = 0;

    // append_entries_response
    bool success = false;
    /// On success: the index of the last entry known to match the leader's log
    /// through this request (prev_log_index + entries). Never the follower's
    /// last index, which may hold a stale suffix.
    Index match_index = 0;
    /// On rejection: the follower's last log index, the backoff hint.
    Index last_log_index = 0;
    /// On rejection: the prev_log_index of the request being answered, so a
    /// stale rejection cannot move next_index.
    Index rejected_prev_log_index = 0;

    // request_vote, request_pre_vote
    Index candidate_last_log_index = 0;
    Term candidate_last_log_term = 0;
    /// Set by a candidate campaigning because of a TimeoutNow: voters set aside
    /// leader stickiness (hashicorp's LeadershipTransfer flag).
    bool leadership_transfer = false;

    // request_vote_response, request_pre_vote_response
    bool granted = false;

    // install_snapshot (its response answers with success and match_index)
    Index snapshot_index = 0;
    Term snapshot_term = 0;
    Configuration snapshot_configuration{};
    Index snapshot_configuration_index = 0;
    Payload snapshot_data{};
};

}  // namespace raftsim::core
