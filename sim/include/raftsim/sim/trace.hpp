#pragma once
// The trace: one fixed-size structured record per simulator event, and a
// running 64-bit fingerprint over all of them. Same scenario + seed + build
// => same fingerprint. Records are kept only when asked (replay, artifacts);
// the fingerprint is always computed. docs/trace-format.md lists the fields.

#include <cstdint>
#include <string_view>
#include <vector>

#include "raftsim/core/message.hpp"
#include "raftsim/core/types.hpp"
#include "raftsim/sim/time.hpp"

namespace raftsim::sim {

enum class TraceKind : std::uint8_t {
    send,            // node=from peer=to sub=message type
    deliver,         // node=to peer=from sub=message type
    drop,            // node=from peer=to sub=message type, c=DropReason
    duplicate,       // node=from peer=to sub=message type
    reject,          // node=receiver peer=sender sub=message type, c=RejectReason
    tick,            // node; recorded only when the tick produced output
    role_change,     // node sub=new role a=old role
    persist,         // node term=hard term a=voted_for b=first index c=entry count
    apply,           // node a=first index b=last index c=commands applied
    propose,         // node a=request id b=index sub=ProposeError
    request_result,  // node a=request id b=index sub=client outcome
    partition,       // a=group b=node bitmask
    heal,            // a=group
    heal_all,
    cut,          // node=from peer=to a=1 cut / 0 restored
    crash,        // node a=lose_unsynced
    restart,      // node a=incarnation
    clock_drift,  // node a=drift in ppm (two's complement)
    network,      // a=drop num b=duplicate num c=reorder num (per 1,000,000)
    slow_votes,   // a=mode b=node bitmask
    step,         // a=scenario step number
    violation,    // sub=checker
    // node=leader peer=server sub=ChangeKind a=ChangeError (0 = appended)
    // b=index c=MembershipEvent
    membership,
    // node=leader peer=target sub=TransferEvent a=TransferError or TransferOutcome b=term
    transfer,
    snapshot,      // node a=index b=term sub=0 taken / 1 installed (state machine reset)
    node_created,  // node
    // node=from peer=to sub=message type a,b=fields c=delay of the late copy
    // (a stale replay: the copy arrives c us after the send)
    replay,
    // A key-value client (sim/kv/clients.hpp): node=its server sub=ClientEvent
    // a=operation b=key c=value written / read + 1 / ProposeError
    client,
    // A process pause (Simulation::pause): node sub=0 paused a=resume time,
    // sub=1 resumed a=missed ticks b=held messages c=held wake-ups
    pause,
    // A disk wiped (Simulation::wipe): node a=1 when sanctioned (the node was
    // out of the committed configuration), 0 when not
    wipe,
    // A slow link (Simulation::set_slow_link): node=from peer=to a=delay min
    // b=delay max (us) c=message type mask (0: every message, FIFO); node=0
    // peer=0 when clear_slow_links made every slow link ordinary again.
    slow_link,
};

inline constexpr std::uint8_t trace_kind_count = 31;

/// What a `membership` record says happened to a change request.
enum class MembershipEvent : std::uint8_t {
    proposed,         // a = ChangeError: 0 when appended at b
    committed,        // the change's entry committed at b
    leadership_lost,  // the leader lost office before it committed
    members_changed,  // peer joined (a=1) or left (a=0) the members; b = configuration index
};

/// What a `transfer` record says: started (a = TransferError) or ended (a = outcome).
enum class TransferEvent : std::uint8_t {
    started,
    ended,
};

[[nodiscard]] std::string_view to_string(TraceKind kind) noexcept;

enum class DropReason : std::uint8_t {
    random_loss,
    partitioned,
    cut,
    queue_full,
    filter,
    node_down,
    /// A MessageFault of kind drop named this message.
    scripted,
    /// Still in flight when a calm period began, and late by a fault: a
    /// stale replay's late copy, or a copy a fault held back.
    calm,
    /// It arrived at a paused node whose inbox was full.
    paused_inbox_full,
    /// Its sender's disk was wiped since it was sent (Simulation::wipe).
    sender_wiped,
};

[[nodiscard]] std::string_view to_string(DropReason reason) noexcept;

struct TraceRecord {
    TimeUs time = 0;
    TraceKind kind = TraceKind::send;
    std::uint8_t sub = 0;
    core::NodeId node = 0;
    core::NodeId peer = 0;
    core::Term term = 0;
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::uint64_t c = 0;
};

/// The three numbers a send/deliver/drop record keeps about a message, by
/// type (docs/trace-format.md):
///   append_entries           a=prev_log_index b=entries c=leader_commit
///   append_entries_response  a=match or hint  b=success c=rejected_prev
///   request_vote, pre-vote   a=last_log_index b=last_log_term c=transfer
///   vote responses           b=granted
struct MessageFields {
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::uint64_t c = 0;
};

[[nodiscard]] MessageFields message_fields(const core::Message& message) noexcept;

class Trace {
  public:
    explicit Trace(bool keep_records) : keep_records_(keep_records) {}

    void record(const TraceRecord& record);
    [[nodiscard]] std::uint64_t fingerprint() const noexcept { return fingerprint_; }
    /// Number of records so far (kept or not): an event's position in the run.
    [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
    [[nodiscard]] bool keeps_records() const noexcept { return keep_records_; }
    [[nodiscard]] const std::vector<TraceRecord>& records() const noexcept { return records_; }

  private:
    bool keep_records_ = false;
    std::uint64_t fingerprint_ = 0xcbf29ce484222325ULL;
    std::uint64_t count_ = 0;
    std::vector<TraceRecord> records_;
};

}  // namespace raftsim::sim
