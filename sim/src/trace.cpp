#include "raftsim/sim/trace.hpp"

namespace raftsim::sim {
void Trace::record(const TraceRecord& record) {
    std::uint64_t hash = fingerprint_;
    hash = core::mix64(hash, record.time);
    hash = core::mix64(hash, (static_cast<std::uint64_t>(record.kind) << 8U) | record.sub);
    hash = core::mix64(hash, record.node);
    hash = core::mix64(hash, record.peer);
    hash = core::mix64(hash, record.term);
    hash = core::mix64(hash, record.a);
    hash = core::mix64(hash, record.b);
    hash = core::mix64(hash, record.c);
    fingerprint_ = hash;
    count_ += 1;
    if (keep_records_) {
        records_.push_back(record);
    }
}

MessageFields message_fields(const core::Message& message) noexcept {
    using core::MessageType;
    switch (message.type) {
        case MessageType::append_entries:
            return {message.prev_log_index, message.entries.size(), message.leader_commit};
        case MessageType::append_entries_response:
            return {message.success ? message.match_index : message.last_log_index,
                    message.success ? 1U : 0U, message.rejected_prev_log_index};
        case MessageType::request_vote:
        case MessageType::request_pre_vote:
            return {message.candidate_last_log_index, message.candidate_last_log_term,
                    message.leadership_transfer ? 1U : 0U};
        case MessageType::request_vote_response:
        case MessageType::request_pre_vote_response:
            return {0, message.granted ? 1U : 0U, 0};
        case MessageType::install_snapshot:
            return {message.snapshot_index, message.snapshot_term, message.leader_commit};
        case MessageType::install_snapshot_response:
            return {message.match_index, message.success ? 1U : 0U, 0};
        case MessageType::timeout_now:
            break;
    }
    return {};
}

std::string_view to_string(TraceKind kind) noexcept {
    switch (kind) {
        case TraceKind::send:
            return "send";
        case TraceKind::deliver:
            return "deliver";
        case TraceKind::drop:
            return "drop";
        case TraceKind::duplicate:
            return "duplicate";
        case TraceKind::reject:
            return "reject";
        case TraceKind::tick:
            return "tick";
        case TraceKind::role_change:
            return "role_change";
        case TraceKind::persist:
            return "persist";
        case TraceKind::apply:
            return "apply";
        case TraceKind::propose:
            return "propose";
        case TraceKind::request_result:
            return "request_result";
        case TraceKind::partition:
            return "partition";
        case TraceKind::heal:
            return "heal";
        case TraceKind::heal_all:
            return "heal_all";
        case TraceKind::cut:
            return "cut";
        case TraceKind::crash:
            return "crash";
        case TraceKind::restart:
            return "restart";
        case TraceKind::clock_drift:
            return "clock_drift";
        case TraceKind::network:
            return "network";
        case TraceKind::slow_votes:
            return "slow_votes";
        case TraceKind::step:
            return "step";
        case TraceKind::violation:
            return "violation";
        case TraceKind::membership:
            return "membership";
        case TraceKind::transfer:
            return "transfer";
        case TraceKind::snapshot:
            return "snapshot";
        case TraceKind::node_created:
            return "node_created";
        case TraceKind::replay:
            return "replay";
        case TraceKind::client:
            return "client";
        case TraceKind::pause:
            return "pause";
        case TraceKind::wipe:
            return "wipe";
        case TraceKind::slow_link:
            return "slow_link";
    }
    return "?";
}

std::string_view to_string(DropReason reason) noexcept {
    switch (reason) {
        case DropReason::random_loss:
            return "random_loss";
        case DropReason::partitioned:
            return "partitioned";
        case DropReason::cut:
            return "cut";
        case DropReason::queue_full:
            return "queue_full";
        case DropReason::filter:
            return "filter";
        case DropReason::node_down:
            return "node_down";
        case DropReason::scripted:
            return "scripted";
        case DropReason::calm:
            return "calm";
        case DropReason::paused_inbox_full:
            return "paused_inbox_full";
        case DropReason::sender_wiped:
            return "sender_wiped";
    }
    return "?";
}

}  // namespace raftsim::sim
