#pragma once
// One canonical/raft server behind the seam: a struct raft driven through a
// struct raft_io (canonical_io.cpp) whose every effect goes to the host's
// Env, and the polling that turns the library's state into the observation
// stream (role, term, commit index, configuration; notes O8).

#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "canonical_messages.hpp"
#include "raft_c.hpp"
#include "raftsim/core/prng.hpp"
#include "raftsim/sut/node.hpp"

namespace raftsim::sut::canonical {

/// Wake-up tokens: the disk's oldest operation completes; a deferred
/// callback runs.
inline constexpr std::uint32_t wake_disk = 1;
inline constexpr std::uint32_t wake_soon = 2;

class CanonicalNode final : public Node {
  public:
    /// Creates the server and starts it: `bootstrap` (a new cluster's
    /// voter) writes that configuration at index 1 first.
    CanonicalNode(Env& env, const NodeSetup& setup, const core::Configuration* bootstrap);
    ~CanonicalNode() override;
    CanonicalNode(const CanonicalNode&) = delete;
    CanonicalNode& operator=(const CanonicalNode&) = delete;

    /// Why the server could not be created (empty: it runs).
    [[nodiscard]] const std::string& failure() const noexcept { return failure_; }

    void start() override { after_input(); }
    void tick() override;
    void receive(const core::Message& message) override;
    void wake(std::uint32_t token) override;
    [[nodiscard]] core::ProposeResult propose(core::RequestId id, core::Payload data) override;
    [[nodiscard]] core::ChangeResult change_membership(core::RequestId id,
                                                       const core::ChangeRequest& request) override;
    [[nodiscard]] core::TransferStart transfer_leadership(core::NodeId target) override;
    /// Never called: the system declares neither read capability.
    [[nodiscard]] core::ReadStart read(core::RequestId id, core::ReadMode mode) override;
    void take_snapshot() override {}  // canonical snapshots on its own threshold
    void flush() override { after_input(); }

    [[nodiscard]] core::Role role() const override;
    [[nodiscard]] core::Term term() const override { return raft_.current_term; }
    [[nodiscard]] core::NodeId leader_id() const override;
    [[nodiscard]] core::Index commit_index() const override { return raft_.commit_index; }
    [[nodiscard]] core::Index applied_index() const override { return raft_.last_applied; }
    [[nodiscard]] core::Index last_index() const override;
    [[nodiscard]] core::Index snapshot_index() const override { return snapshot_index_; }
    [[nodiscard]] const core::Configuration& configuration() const override {
        return configuration_;
    }
    [[nodiscard]] const core::Configuration& committed_configuration() const override {
        return committed_configuration_;
    }
    [[nodiscard]] core::Index committed_configuration_index() const override {
        return committed_configuration_index_of(raft_);
    }
    [[nodiscard]] std::optional<core::Index> match_index(core::NodeId) const override {
        return std::nullopt;  // struct raft_progress is opaque in raft.h
    }
    [[nodiscard]] bool busy() const override { return false; }
    [[nodiscard]] bool has_backlog() const override { return false; }
    [[nodiscard]] bool wants_snapshot() const override { return false; }

    // The io, called by canonical_io.cpp's trampolines.
    int io_load(raft_term* term, raft_id* voted_for, struct raft_snapshot** snapshot,
                raft_index* start_index, struct raft_entry* entries[], size_t* n_entries);
    int io_start(unsigned msecs, raft_io_tick_cb tick, raft_io_recv_cb recv);
    int io_bootstrap(const struct raft_configuration* configuration);
    int io_set_term(raft_term term);
    int io_set_vote(raft_id server);
    int io_send(struct raft_io_send* request, const struct raft_message* message,
                raft_io_send_cb callback);
    int io_append(struct raft_io_append* request, const struct raft_entry entries[], unsigned n,
                  raft_io_append_cb callback);
    int io_truncate(raft_index index);
    int io_snapshot_put(unsigned trailing, struct raft_io_snapshot_put* request,
                        const struct raft_snapshot* snapshot, raft_io_snapshot_put_cb callback);
    int io_snapshot_get(struct raft_io_snapshot_get* request, raft_io_snapshot_get_cb callback);
    void io_close(raft_io_close_cb callback);
    [[nodiscard]] raft_time io_time() const;
    [[nodiscard]] int io_random(int min, int max);
    // The state machine.
    int fsm_apply(const struct raft_buffer* buffer);
    int fsm_snapshot(struct raft_buffer* buffers[], unsigned* count);
    int fsm_restore(struct raft_buffer* buffer);
    // Request callbacks.
    void on_applied(struct raft_apply* request, int status);
    void on_changed(struct raft_change* request, int status);
    void on_transferred(struct raft_transfer* request);

  private:
    /// A disk operation in the FIFO queue (notes F4): completes in order.
    struct DiskOp {
        enum class Kind : std::uint8_t { append, truncate, snapshot_put } kind = Kind::append;
        struct raft_io_append* append = nullptr;
        raft_io_append_cb append_callback = nullptr;
        struct raft_io_snapshot_put* put = nullptr;
        raft_io_snapshot_put_cb put_callback = nullptr;
        /// The first log index it writes or deletes (append, truncate).
        core::Index first_index = 0;
        bool install = false;
    };
    /// A callback the library expects soon but not inside the call (send,
    /// snapshot_get), run as a 0-delay wake-up.
    struct Soon {
        struct raft_io_send* send = nullptr;
        raft_io_send_cb send_callback = nullptr;
        struct raft_io_snapshot_get* get = nullptr;
        raft_io_snapshot_get_cb get_callback = nullptr;
    };
    struct PendingApply {
        core::RequestId id = 0;
        core::Index index = 0;
        core::Term term = 0;
    };
    struct PendingChange {
        core::RequestId id = 0;
        core::ChangeRequest request{};
        core::Term term = 0;
        /// add_voter and add_nonvoter first add the server (as a spare),
        /// then assign its role: false while the add is the step in flight.
        bool assigning = false;
    };

    /// Points the io's and the FSM's callbacks at this node.
    void wire();
    void init(const core::Configuration* bootstrap);
    void after_input();
    /// Reports what changed in the library since the last poll: poll_state
    /// (role, term and vote, commit index) then poll_configuration. Inside
    /// the library's io and fsm callbacks only poll_state runs: releases
    /// differ in when, within one call, the configuration is updated against
    /// its entry's write (0.15 before io->append, 0.18 after), so the
    /// configuration in effect is read once the call has returned
    /// (after_input), when it is consistent with the log.
    void poll();
    void poll_state();
    void poll_configuration();
    void report_role();
    void report_applied_through(core::Index index);
    void schedule_disk_op(DiskOp op);
    /// Takes the oldest (or with `newest`, the newest) operation off the
    /// queue.
    [[nodiscard]] DiskOp pop_disk_op(bool newest);
    /// The first log index `op` rewrites (an install: 1, the whole log);
    /// 0 for one that rewrites none (the node's own snapshot).
    [[nodiscard]] static core::Index disk_op_from(const DiskOp& op) noexcept;
    void complete_disk_op();
    void finish_disk_op(const DiskOp& op, int status);
    void complete_soon();
    [[nodiscard]] core::Index unsynced_from() const;
    [[nodiscard]] const core::Entry* issued_entry(core::Index index) const;
    [[nodiscard]] int change_step(const PendingChange& change);
    void run_follow_ups();

    Env& env_;
    NodeSetup setup_;
    core::Prng prng_;
    std::string address_;
    std::map<core::NodeId, std::string> addresses_;
    std::string failure_;

    struct raft raft_ {};
    struct raft_io io_ {};
    struct raft_fsm fsm_ {};
    struct raft_tracer tracer_ {};
    raft_io_tick_cb tick_callback_ = nullptr;
    raft_io_recv_cb recv_callback_ = nullptr;
    bool started_ = false;
    bool closing_ = false;
    /// fsm->snapshot ran and its snapshot_put has not come yet: that put
    /// is the node's own snapshot, not an install.
    bool own_snapshot_taken_ = false;
    bool closed_ = false;
    /// Inside a library call: hard-state observations wait for the role
    /// change that comes with them (poll).
    std::optional<core::HardState> unreported_hard_state_{};

    std::deque<DiskOp> disk_;
    /// The first index each queued operation rewrites (disk_op_from; 0s
    /// left out), so unsynced_from is the least, not a scan of a backlog
    /// that a saturated leader grows to thousands.
    std::multiset<core::Index> disk_froms_;
    TimeUs disk_free_at_us_ = 0;
    std::deque<Soon> soon_;

    /// The log as issued to the disk (appends, truncations, snapshots), for
    /// the entries the state machine applies; first entry at issued_base_ + 1.
    core::Index issued_base_ = 0;
    std::vector<core::Entry> issued_;
    core::HardState hard_state_{};
    /// The index of the snapshot the state machine is restored from next
    /// (the one loaded at start, or one being installed).
    core::Index restore_index_ = 0;
    /// The latest snapshot stored (loaded, taken or installed).
    core::Index snapshot_index_ = 0;

    // What was last reported.
    core::Role reported_role_ = core::Role::follower;
    core::Term reported_term_ = 0;
    core::Index reported_commit_ = 0;
    core::Index reported_applied_ = 0;
    core::Configuration configuration_{};
    core::Configuration committed_configuration_{};
    core::Index reported_configuration_index_ = 0;
    core::Index reported_uncommitted_index_ = 0;

    std::map<struct raft_apply*, PendingApply> applies_;
    std::map<struct raft_change*, PendingChange> changes_;
    /// Changes whose first step committed, to take their next step once
    /// the library's call returned (never from inside a callback, O4).
    std::vector<PendingChange> follow_ups_;
    std::vector<core::RequestResult> results_;
    std::vector<core::TransferResult> transfer_results_;
    struct raft_transfer transfer_ {};
    bool transfer_pending_ = false;
    core::TransferResult transfer_started_{};
};

}  // namespace raftsim::sut::canonical
