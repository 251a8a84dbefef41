// The io's disk, network and clock for one canonical/raft server, and its
// state machine: every effect goes to the host's Env (canonical_node.hpp).
// The disk is one FIFO queue per server (notes F4, O5): appends, truncates
// and snapshot puts complete in the order issued, each disk_sync_us after
// the previous one; term and vote are durable when set (F6).
#include <algorithm>

#include "canonical_node.hpp"
#include "raftsim/core/assert.hpp"

namespace raftsim::sut::canonical {
int CanonicalNode::io_load(raft_term* term, raft_id* voted_for, struct raft_snapshot** snapshot,
                           raft_index* start_index, struct raft_entry* entries[],
                           size_t* n_entries) {
    core::DurableState durable = env_.storage().durable_state();
    hard_state_ = durable.hard_state;
    *term = durable.hard_state.term;
    *voted_for = durable.hard_state.voted_for;
    *snapshot = nullptr;
    if (durable.snapshot.has_value()) {
        *snapshot = snapshot_to_raft(*durable.snapshot);
        RAFT_ASSERT(*snapshot != nullptr);
        // The library restores the state machine from it at start; the host
        // already did, and applies resume after it.
        restore_index_ = durable.snapshot->index;
        reported_applied_ = durable.snapshot->index;
        snapshot_index_ = durable.snapshot->index;
    }
    *start_index = durable.log_base_index + 1;
    unsigned count = 0;
    RAFT_ASSERT(entries_to_raft(durable.entries, entries, &count));
    *n_entries = count;
    issued_base_ = durable.log_base_index;
    issued_ = std::move(durable.entries);
    return 0;
}

int CanonicalNode::io_start(unsigned msecs, raft_io_tick_cb tick, raft_io_recv_cb recv) {
    // The library wants a tick every `msecs` (its heartbeat timeout); the
    // host ticks more often, which only makes its timers finer-grained.
    RAFT_ASSERT(msecs >= 1);
    tick_callback_ = tick;
    recv_callback_ = recv;
    return 0;
}

int CanonicalNode::io_bootstrap(const struct raft_configuration* configuration) {
    struct raft_buffer encoded {};
    if (raft_configuration_encode(configuration, &encoded) != 0) {
        return RAFT_NOMEM;
    }
    const struct raft_entry written {
        .term = 1, .type = RAFT_CHANGE, .buf = encoded, .batch = nullptr
    };
    const core::Entry entry = to_core(written, 1);
    raft_free(encoded.base);
    hard_state_ = core::HardState{.term = 1, .voted_for = core::node_none};
    env_.storage().set_hard_state(hard_state_);
    env_.observe_hard_state(hard_state_);
    env_.observe_log_write(hard_state_, {entry});
    // Durable before the server runs (raft_start reads it back through
    // load), as hashicorp's BootstrapCluster: a crash never loses it.
    env_.storage().append({entry});
    env_.storage().sync_oldest();
    env_.observe_sync();
    return 0;
}

int CanonicalNode::io_set_term(raft_term term) {
    hard_state_ = core::HardState{.term = term, .voted_for = core::node_none};
    env_.storage().set_hard_state(hard_state_);
    unreported_hard_state_ = hard_state_;
    return 0;
}

int CanonicalNode::io_set_vote(raft_id server) {
    hard_state_.voted_for = server;
    env_.storage().set_hard_state(hard_state_);
    unreported_hard_state_ = hard_state_;
    return 0;
}

// The message is translated (a deep copy) before send returns: the library
// frees what it points to in the callback (F3), which runs as a 0-delay
// wake-up, never inside send.
int CanonicalNode::io_send(struct raft_io_send* request, const struct raft_message* message,
                           raft_io_send_cb callback) {
    poll_state();  // what the message rests on is reported first
    env_.send(to_core(*message, setup_.id));
    request->cb = callback;
    soon_.push_back(Soon{.send = request, .send_callback = callback});
    env_.wake_after(0, wake_soon);
    return 0;
}

int CanonicalNode::io_append(struct raft_io_append* request, const struct raft_entry entries[],
                             unsigned n, raft_io_append_cb callback) {
    RAFT_ASSERT(n >= 1);
    poll_state();  // a role change is reported before the write it comes with
    const core::Index first = last_index() + 1;
    std::vector<core::Entry> written;
    written.reserve(n);
    for (unsigned i = 0; i < n; ++i) {
        written.push_back(to_core(entries[i], first + i));
    }
    env_.observe_log_write(hard_state_, written);
    if (raft_.state == RAFT_LEADER) {
        for (const core::Entry& entry : written) {
            if (entry.type == core::EntryType::configuration) {
                env_.observe_leader_configuration(raft_.current_term, entry.index,
                                                  raft_.commit_index);
            }
        }
    }
    issued_.insert(issued_.end(), written.begin(), written.end());
    env_.storage().append(std::move(written));
    request->cb = callback;
    schedule_disk_op(DiskOp{.kind = DiskOp::Kind::append,
                            .append = request,
                            .append_callback = callback,
                            .first_index = first});
    return 0;
}

int CanonicalNode::io_truncate(raft_index index) {
    RAFT_ASSERT(index > issued_base_);
    if (index <= last_index()) {
        issued_.resize(index - issued_base_ - 1);
    }
    env_.storage().truncate(index);
    schedule_disk_op(DiskOp{.kind = DiskOp::Kind::truncate, .first_index = index});
    return 0;
}

int CanonicalNode::io_snapshot_put(unsigned trailing, struct raft_io_snapshot_put* request,
                                   const struct raft_snapshot* snapshot,
                                   raft_io_snapshot_put_cb callback) {
    poll();
    core::Snapshot stored = snapshot_to_core(*snapshot);
    // An install replaces the whole log (trailing 0, notes F12). The node's
    // own snapshot comes right after fsm->snapshot (takeSnapshot), and with
    // snapshot trailing set to 0 it passes 0 too, so that call tells them apart.
    const bool install = !own_snapshot_taken_;
    own_snapshot_taken_ = false;
    RAFT_ASSERT(!install || trailing == 0);
    if (!install) {
        // A snapshot of the node's own state follows the apply of its last
        // entry, which may be one the library applies without the state
        // machine (0.18 snapshots right after a configuration entry).
        RAFT_ASSERT(stored.index <= raft_.last_applied);
        report_applied_through(stored.index);
    }
    const core::Index keep_after = stored.index > trailing ? stored.index - trailing : 0;
    env_.observe_snapshot(stored, raft_.current_term, install, install);
    snapshot_index_ = stored.index;
    if (install) {
        issued_.clear();
        issued_base_ = stored.index;
        restore_index_ = stored.index;
    } else if (keep_after > issued_base_ && keep_after <= last_index()) {
        const auto drop = static_cast<std::ptrdiff_t>(keep_after - issued_base_);
        issued_.erase(issued_.begin(), issued_.begin() + drop);
        issued_base_ = keep_after;
    }
    env_.storage().put_snapshot(std::move(stored), install, keep_after);
    request->cb = callback;
    schedule_disk_op(DiskOp{.kind = DiskOp::Kind::snapshot_put,
                            .put = request,
                            .put_callback = callback,
                            .install = install});
    return 0;
}

int CanonicalNode::io_snapshot_get(struct raft_io_snapshot_get* request,
                                   raft_io_snapshot_get_cb callback) {
    request->cb = callback;
    soon_.push_back(Soon{.get = request, .get_callback = callback});
    env_.wake_after(0, wake_soon);
    return 0;
}

void CanonicalNode::schedule_disk_op(DiskOp op) {
    const TimeUs now = env_.now_us();
    const TimeUs done = std::max(now, disk_free_at_us_) + setup_.disk_sync_us;
    disk_free_at_us_ = done;
    if (const core::Index from = disk_op_from(op); from != 0) {
        disk_froms_.insert(from);
    }
    disk_.push_back(op);
    env_.observe_write_issued();
    env_.wake_after(done - now, wake_disk);
}

CanonicalNode::DiskOp CanonicalNode::pop_disk_op(bool newest) {
    RAFT_ASSERT(!disk_.empty());
    const DiskOp op = newest ? disk_.back() : disk_.front();
    if (newest) {
        disk_.pop_back();
    } else {
        disk_.pop_front();
    }
    if (const core::Index from = disk_op_from(op); from != 0) {
        const auto found = disk_froms_.find(from);
        RAFT_ASSERT(found != disk_froms_.end());
        disk_froms_.erase(found);
    }
    RAFT_ASSERT(disk_froms_.size() <= disk_.size());
    return op;
}

void CanonicalNode::complete_disk_op() {
    const DiskOp op = pop_disk_op(false);
    env_.storage().sync_oldest();
    env_.observe_durable(unsynced_from());
    finish_disk_op(op, 0);
}

// Tells the library an operation ended (a truncate has no callback).
void CanonicalNode::finish_disk_op(const DiskOp& op, int status) {
    if (op.kind == DiskOp::Kind::append && op.append_callback != nullptr) {
        op.append_callback(op.append, status);
    } else if (op.kind == DiskOp::Kind::snapshot_put && op.put_callback != nullptr) {
        op.put_callback(op.put, status);
    }
}

void CanonicalNode::complete_soon() {
    RAFT_ASSERT(!soon_.empty());
    const Soon soon = soon_.front();
    soon_.pop_front();
    if (soon.send != nullptr) {
        if (soon.send_callback != nullptr) {  // TimeoutNow is sent without one (F3)
            soon.send_callback(soon.send, 0);
        }
        return;
    }
    const std::optional<core::Snapshot>& durable = env_.storage().durable_snapshot();
    RAFT_ASSERT(durable.has_value());  // the library asks only once its put completed
    struct raft_snapshot* snapshot = snapshot_to_raft(*durable);
    RAFT_ASSERT(snapshot != nullptr);
    soon.get_callback(soon.get, snapshot, 0);
}

// Every pending operation completes, canceled, before the close callback:
// after it the library's state is freed (notes F7). Newest first: a leader
// whose append fails removes that append's entries from the end of its
// log (replication.c, removeSuffix), so the last one must go first.
void CanonicalNode::io_close(raft_io_close_cb callback) {
    closing_ = true;
    while (!disk_.empty()) {
        finish_disk_op(pop_disk_op(true), RAFT_CANCELED);
    }
    RAFT_ASSERT(disk_froms_.empty());
    while (!soon_.empty()) {
        const Soon soon = soon_.front();
        soon_.pop_front();
        if (soon.send != nullptr && soon.send_callback != nullptr) {
            soon.send_callback(soon.send, RAFT_CANCELED);
        } else if (soon.get != nullptr) {
            soon.get_callback(soon.get, nullptr, RAFT_CANCELED);
        }
    }
    callback(&io_);
}

raft_time CanonicalNode::io_time() const {
    return env_.local_clock_us() / 1000;
}

// In [min, max] as the caller asserts (election.c), drawn from the node's
// own stream.
int CanonicalNode::io_random(int min, int max) {
    if (max <= min) {
        return min;
    }
    const auto span = static_cast<std::uint64_t>(max - min);
    return min + static_cast<int>(prng_.range_inclusive(0, span - 1));
}

// ---- the state machine -------------------------------------------------

// The library applies index last_applied + 1 (replication.c's apply loop).
int CanonicalNode::fsm_apply(const struct raft_buffer* buffer) {
    poll_state();
    const core::Index index = raft_.last_applied + 1;
    report_applied_through(index - 1);
    const core::Entry* entry = issued_entry(index);
    RAFT_ASSERT(entry != nullptr);
    RAFT_ASSERT(entry->type == core::EntryType::command);
    RAFT_ASSERT(entry->data == payload_of(*buffer));
    reported_applied_ = index;
    env_.apply({*entry});
    return 0;
}

int CanonicalNode::fsm_snapshot(struct raft_buffer* buffers[], unsigned* count) {
    const core::Payload data = env_.fsm_snapshot();
    auto* out = static_cast<struct raft_buffer*>(raft_calloc(1, sizeof(struct raft_buffer)));
    if (out == nullptr) {
        return RAFT_NOMEM;
    }
    out->len = data.size();
    out->base = raft_malloc(data.size() == 0 ? 1 : data.size());
    if (out->base == nullptr) {
        raft_free(out);
        return RAFT_NOMEM;
    }
    std::copy(data.begin(), data.end(), static_cast<std::uint8_t*>(out->base));
    *buffers = out;
    *count = 1;
    // Only a snapshot that succeeded is followed by its snapshot_put; a
    // failed one must not make a later install look like the node's own.
    own_snapshot_taken_ = true;
    return 0;
}

int CanonicalNode::fsm_restore(struct raft_buffer* buffer) {
    env_.restore(core::Snapshot{.index = restore_index_, .data = payload_of(*buffer)});
    raft_free(buffer->base);  // the state machine owns it (F3)
    reported_applied_ = std::max(reported_applied_, restore_index_);
    return 0;
}

}  // namespace raftsim::sut::canonical
