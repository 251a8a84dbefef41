// A canonical/raft server behind the seam: lifecycle, inputs, the io's
// disk/network/clock, the state machine, requests, and the polling that
// reports what the library did (canonical_node.hpp).
#include "canonical_node.hpp"

#include <algorithm>
#include <cstring>

#include "raftsim/core/assert.hpp"

namespace raftsim::sut::canonical {
namespace {

extern "C" {
void c_closed(struct raft* raft) {
    *static_cast<bool*>(raft->data) = true;
}
}  // extern "C"

// hashicorp's timings in the scenario, as canonical/raft's: its election
// timeout is the follower's (hashicorp's heartbeat timeout, which fuzzy's
// defaults make equal to the election timeout); its heartbeat is the
// leader's send interval, hashicorp's heartbeat timeout / 10.
unsigned election_timeout_ms(const NodeSetup& setup) {
    const TimeUs us = setup.config.election_timeout_ticks * setup.tick_us;
    return static_cast<unsigned>(std::max<TimeUs>(us / 1000, 2));
}

unsigned heartbeat_timeout_ms(const NodeSetup& setup) {
    const TimeUs us = setup.config.heartbeat_timeout_ticks * setup.tick_us / 10;
    return std::clamp(static_cast<unsigned>(us / 1000), 1U, election_timeout_ms(setup) - 1);
}

}  // namespace

CanonicalNode::CanonicalNode(Env& env, const NodeSetup& setup, const core::Configuration* bootstrap)
    : env_(env), setup_(setup), prng_(setup.seed), address_(address_of(setup.id)) {
    wire();
    init(bootstrap);
}

void CanonicalNode::init(const core::Configuration* bootstrap) {
    int rv = raft_init(&raft_, &io_, &fsm_, setup_.id, address_.c_str());
    RAFT_ASSERT(rv == 0);
    raft_.tracer = &tracer_;
    raft_.data = &closed_;
    raft_set_election_timeout(&raft_, election_timeout_ms(setup_));
    raft_set_heartbeat_timeout(&raft_, heartbeat_timeout_ms(setup_));
    raft_set_pre_vote(&raft_, setup_.config.pre_vote);
    const std::uint32_t threshold = setup_.config.snapshot_threshold_entries;
    raft_set_snapshot_threshold(&raft_, threshold == 0 ? 0xffffffffU : threshold);
    raft_set_snapshot_trailing(&raft_, setup_.config.trailing_log_entries);
    // Not a scenario setting; the 30 s default outlasts any calm period after
    // one lost InstallSnapshot reply (docs/adapters.md, "Timings").
    raft_set_install_snapshot_timeout(&raft_, 2 * election_timeout_ms(setup_));
    if (bootstrap != nullptr) {
        struct raft_configuration configuration {};
        raft_configuration_init(&configuration);
        RAFT_ASSERT(to_raft(*bootstrap, configuration));
        rv = raft_bootstrap(&raft_, &configuration);
        raft_configuration_close(&configuration);
        RAFT_ASSERT(rv == 0);
    }
    rv = raft_start(&raft_);
    RAFT_ASSERT(rv == 0);
    started_ = true;
}

// A crash: the library closes (failing its queued requests, which nobody
// hears of: the host resolves them as crashed), and io_close cancels every
// pending disk and network operation before the close callback, so nothing
// runs after the library freed its state (notes F7).
CanonicalNode::~CanonicalNode() {
    closing_ = true;
    if (started_) {
        raft_close(&raft_, c_closed);
        RAFT_ASSERT(closed_);
    }
    for (auto& [request, pending] : applies_) {
        delete request;
    }
    for (auto& [request, pending] : changes_) {
        delete request;
    }
}

// ---- inputs ----------------------------------------------------------

void CanonicalNode::tick() {
    if (tick_callback_ != nullptr) {
        tick_callback_(&io_);
    }
    after_input();
}

void CanonicalNode::receive(const core::Message& message) {
    struct raft_message converted {};
    if (recv_callback_ == nullptr || !to_raft(message, converted)) {
        env_.observe_reject(message, core::RejectReason::unknown_message_type);
        return;
    }
    converted.server_id = message.from;
    std::string& address = addresses_[message.from];
    if (address.empty()) {
        address = address_of(message.from);
    }
    converted.server_address = address.c_str();
    recv_callback_(&io_, &converted);  // the library owns the entries, conf and data now
    after_input();
}

void CanonicalNode::wake(std::uint32_t token) {
    if (token == wake_disk) {
        complete_disk_op();
    } else {
        RAFT_ASSERT(token == wake_soon);
        complete_soon();
    }
    after_input();
}

// What every input ends with: report what changed, then the request results.
void CanonicalNode::after_input() {
    run_follow_ups();
    poll();
    report_applied_through(raft_.last_applied);
    env_.request_results(results_);
    results_.clear();
    if (!transfer_results_.empty()) {
        env_.transfer_results(transfer_results_);
        transfer_results_.clear();
    }
    env_.observe_output_done();
}

}  // namespace raftsim::sut::canonical

namespace raftsim::sut::canonical {

// ---- what a host reads ---------------------------------------------------

core::Role CanonicalNode::role() const {
    switch (raft_.state) {
        case RAFT_LEADER:
            return core::Role::leader;
        case RAFT_CANDIDATE:
            return raft_.candidate_state.in_pre_vote ? core::Role::pre_candidate
                                                     : core::Role::candidate;
        default:
            return core::Role::follower;
    }
}

core::NodeId CanonicalNode::leader_id() const {
    if (raft_.state == RAFT_LEADER) {
        return setup_.id;
    }
    return raft_.state == RAFT_FOLLOWER ? raft_.follower_state.current_leader.id : core::node_none;
}

core::Index CanonicalNode::last_index() const {
    return issued_base_ + issued_.size();
}

// ---- the observation stream ----------------------------------------------

// The library keeps its state in struct raft and tells nobody when it
// changes (notes O8): after every input, and before every message and
// apply that may rest on a change, the node reports what moved.
void CanonicalNode::poll() {
    poll_state();
    poll_configuration();
}

void CanonicalNode::poll_state() {
    if (closing_) {
        return;
    }
    report_role();
    if (unreported_hard_state_.has_value()) {
        env_.observe_hard_state(*unreported_hard_state_);
        env_.observe_durable(unsynced_from());  // set_term/set_vote are synchronous (F6)
        unreported_hard_state_.reset();
    }
    if (raft_.commit_index != reported_commit_) {
        reported_commit_ = raft_.commit_index;
        env_.observe_commit_index(raft_.commit_index);
    }
}

void CanonicalNode::poll_configuration() {
    if (closing_) {
        return;
    }
    const core::Index committed_index = committed_configuration_index_of(raft_);
    if (committed_index != reported_configuration_index_ ||
        raft_.configuration_uncommitted_index != reported_uncommitted_index_) {
        reported_configuration_index_ = committed_index;
        reported_uncommitted_index_ = raft_.configuration_uncommitted_index;
        configuration_ = to_core(raft_.configuration);
        const core::Entry* committed = issued_entry(committed_index);
        if (raft_.configuration_uncommitted_index == 0) {
            committed_configuration_ = configuration_;
        } else if (committed != nullptr) {
            committed_configuration_ = committed->configuration;
        }
        env_.observe_configuration(configuration_);
    }
}

void CanonicalNode::report_role() {
    const core::Role now = role();
    const bool campaigning = now != core::Role::follower;
    if (now == reported_role_ && (!campaigning || raft_.current_term == reported_term_)) {
        reported_term_ = raft_.current_term;
        return;
    }
    env_.observe_role_change(
        core::RoleChange{.from = reported_role_, .to = now, .term = raft_.current_term});
    reported_role_ = now;
    reported_term_ = raft_.current_term;
}

// Entries the library applied without the state machine (barriers and
// configurations) are reported in index order with the commands around them.
void CanonicalNode::report_applied_through(core::Index index) {
    if (closing_ || index <= reported_applied_) {
        return;
    }
    std::vector<core::Entry> applied;
    for (core::Index next = reported_applied_ + 1; next <= index; ++next) {
        const core::Entry* entry = issued_entry(next);
        RAFT_ASSERT(entry != nullptr);
        RAFT_ASSERT(entry->type != core::EntryType::command);
        applied.push_back(*entry);
    }
    reported_applied_ = index;
    env_.apply(applied);
}

const core::Entry* CanonicalNode::issued_entry(core::Index index) const {
    if (index <= issued_base_ || index > issued_base_ + issued_.size()) {
        return nullptr;
    }
    return &issued_[index - issued_base_ - 1];
}

// The first log index a pending disk operation may still change (0: none).
core::Index CanonicalNode::disk_op_from(const DiskOp& op) noexcept {
    if (op.kind == DiskOp::Kind::snapshot_put) {
        return op.install ? 1 : 0;  // an install replaces the whole log
    }
    return op.first_index;
}

core::Index CanonicalNode::unsynced_from() const {
    return disk_froms_.empty() ? 0 : *disk_froms_.begin();
}

}  // namespace raftsim::sut::canonical
