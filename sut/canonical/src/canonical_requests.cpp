// Client requests to a canonical/raft server -- commands, membership
// changes, leadership transfer -- and their results; and the system's
// declarations (docs/adapters.md justifies each).
#include "canonical_node.hpp"
#include "raftsim/core/assert.hpp"
#include "raftsim/sut/canonical/canonical_system.hpp"

namespace raftsim::sut::canonical {
namespace {

// raft.h names these structs and functions alike (notes F12).
using ApplyRequest = struct raft_apply;
using ChangeRequest = struct raft_change;
using TransferRequest = struct raft_transfer;

extern "C" {
void c_apply_done(struct raft_apply* req, int status, void*) {
    static_cast<CanonicalNode*>(req->data)->on_applied(req, status);
}
void c_change_done(struct raft_change* req, int status) {
    static_cast<CanonicalNode*>(req->data)->on_changed(req, status);
}
void c_transfer_done(struct raft_transfer* req) {
    static_cast<CanonicalNode*>(req->data)->on_transferred(req);
}
}  // extern "C"

[[nodiscard]] core::ChangeError change_error(int rv) {
    switch (rv) {
        case RAFT_NOTLEADER:
            return core::ChangeError::not_leader;
        case RAFT_CANTCHANGE:
            return core::ChangeError::change_in_progress;
        case RAFT_BADROLE:
            return core::ChangeError::nothing_to_change;
        default:
            return core::ChangeError::invalid_server;  // RAFT_NOTFOUND, RAFT_BADID, ...
    }
}

}  // namespace

core::ProposeResult CanonicalNode::propose(core::RequestId id, core::Payload data) {
    if (raft_.state != RAFT_LEADER) {
        return core::ProposeResult{.error = core::ProposeError::not_leader};
    }
    struct raft_buffer buffer {};
    buffer.len = data.size();
    buffer.base = raft_malloc(data.size() == 0 ? 1 : data.size());
    RAFT_ASSERT(buffer.base != nullptr);
    std::copy(data.begin(), data.end(), static_cast<std::uint8_t*>(buffer.base));
    auto* request = new ApplyRequest{};
    request->data = this;
    const int rv = raft_apply(&raft_, request, &buffer, 1, c_apply_done);
    if (rv != 0) {
        // Ownership passes only on success (raft.h); a pending transfer
        // answers RAFT_NOTLEADER (notes F8).
        raft_free(buffer.base);
        delete request;
        return core::ProposeResult{.error = core::ProposeError::not_leader};
    }
    applies_[request] = PendingApply{.id = id, .index = request->index, .term = raft_.current_term};
    return core::ProposeResult{.index = request->index, .term = raft_.current_term};
}

void CanonicalNode::on_applied(struct raft_apply* request, int status) {
    const auto it = applies_.find(request);
    RAFT_ASSERT(it != applies_.end());
    const PendingApply pending = it->second;
    applies_.erase(it);
    delete request;
    if (closing_) {
        return;  // the host resolves it as crashed
    }
    results_.push_back(core::RequestResult{.id = pending.id,
                                           .outcome = status == 0
                                                          ? core::RequestOutcome::committed
                                                          : core::RequestOutcome::leadership_lost,
                                           .index = pending.index,
                                           .term = pending.term});
}

// One step of a change: adding a server makes it a spare (notes F8), so
// add_voter and add_nonvoter assign the role in a second step.
int CanonicalNode::change_step(const PendingChange& change) {
    auto* request = new ChangeRequest{};
    request->data = this;
    const core::NodeId server = change.request.server;
    const std::string address = address_of(server);
    int rv = RAFT_BADROLE;
    switch (change.request.kind) {
        case core::ChangeKind::add_voter:
            rv = change.assigning
                     ? raft_assign(&raft_, request, server, RAFT_VOTER, c_change_done)
                     : raft_add(&raft_, request, server, address.c_str(), c_change_done);
            break;
        case core::ChangeKind::add_nonvoter:
            rv = change.assigning
                     ? raft_assign(&raft_, request, server, RAFT_STANDBY, c_change_done)
                     : raft_add(&raft_, request, server, address.c_str(), c_change_done);
            break;
        case core::ChangeKind::demote_voter:
            rv = raft_assign(&raft_, request, server, RAFT_STANDBY, c_change_done);
            break;
        case core::ChangeKind::remove_server:
            rv = raft_remove(&raft_, request, server, c_change_done);
            break;
    }
    if (rv != 0) {
        delete request;
        return rv;
    }
    changes_[request] = change;
    return 0;
}

core::ChangeResult CanonicalNode::change_membership(core::RequestId id,
                                                    const core::ChangeRequest& request) {
    if (raft_.state != RAFT_LEADER) {
        return core::ChangeResult{.error = core::ChangeError::not_leader};
    }
    const core::Server* present = configuration_.find(request.server);
    PendingChange change{.id = id, .request = request, .term = raft_.current_term};
    // A server already in the configuration takes the assignment step only.
    change.assigning = present != nullptr;
    const bool nothing = (request.kind == core::ChangeKind::add_voter && present != nullptr &&
                          present->suffrage == core::Suffrage::voter) ||
                         (request.kind == core::ChangeKind::add_nonvoter && present != nullptr &&
                          present->suffrage != core::Suffrage::staging) ||
                         (request.kind == core::ChangeKind::demote_voter &&
                          (present == nullptr || present->suffrage != core::Suffrage::voter)) ||
                         (request.kind == core::ChangeKind::remove_server && present == nullptr);
    if (nothing) {
        return core::ChangeResult{.error = core::ChangeError::nothing_to_change};
    }
    const int rv = change_step(change);
    if (rv != 0) {
        return core::ChangeResult{.error = change_error(rv)};
    }
    return core::ChangeResult{.index = raft_last_index(&raft_), .term = raft_.current_term};
}

void CanonicalNode::on_changed(struct raft_change* request, int status) {
    const auto it = changes_.find(request);
    RAFT_ASSERT(it != changes_.end());
    PendingChange change = it->second;
    changes_.erase(it);
    delete request;
    if (closing_) {
        return;
    }
    const bool two_steps = change.request.kind == core::ChangeKind::add_voter ||
                           change.request.kind == core::ChangeKind::add_nonvoter;
    if (status == 0 && two_steps && !change.assigning) {
        change.assigning = true;
        follow_ups_.push_back(change);
        return;
    }
    results_.push_back(core::RequestResult{.id = change.id,
                                           .outcome = status == 0
                                                          ? core::RequestOutcome::committed
                                                          : core::RequestOutcome::leadership_lost,
                                           .index = committed_configuration_index_of(raft_),
                                           .term = change.term});
}

// Second steps, run from after_input once the library's call returned.
void CanonicalNode::run_follow_ups() {
    std::vector<PendingChange> due;
    due.swap(follow_ups_);
    for (const PendingChange& change : due) {
        if (change_step(change) != 0) {
            results_.push_back(core::RequestResult{.id = change.id,
                                                   .outcome = core::RequestOutcome::leadership_lost,
                                                   .term = change.term});
        }
    }
}

core::TransferStart CanonicalNode::transfer_leadership(core::NodeId target) {
    if (raft_.state != RAFT_LEADER) {
        return core::TransferStart{.error = core::TransferError::not_leader};
    }
    if (transfer_pending_) {
        return core::TransferStart{.error = core::TransferError::transfer_in_progress};
    }
    transfer_ = TransferRequest{};
    transfer_.data = this;
    const int rv = raft_transfer(&raft_, &transfer_, target, c_transfer_done);
    if (rv != 0) {
        return core::TransferStart{.error = rv == RAFT_NOTLEADER ? core::TransferError::not_leader
                                            : target == 0        ? core::TransferError::no_target
                                                          : core::TransferError::target_not_voter};
    }
    transfer_pending_ = true;
    transfer_started_ =
        core::TransferResult{.target = transfer_.id, .started_term = raft_.current_term};
    return core::TransferStart{.target = transfer_.id};
}

// The callback runs when the target leads or after an election timeout
// (tick.c); it carries no status, so the outcome is read from the state.
void CanonicalNode::on_transferred(struct raft_transfer* request) {
    RAFT_ASSERT(request == &transfer_);
    transfer_pending_ = false;
    if (closing_) {
        return;
    }
    core::TransferResult result = transfer_started_;
    result.term = raft_.current_term;
    if (raft_.state == RAFT_LEADER) {
        result.outcome = core::TransferOutcome::timed_out;
    } else if (leader_id() == result.target) {
        result.outcome = core::TransferOutcome::completed;
    } else {
        result.outcome = core::TransferOutcome::leadership_lost;
    }
    transfer_results_.push_back(result);
}

core::ReadStart CanonicalNode::read(core::RequestId, core::ReadMode) {
    RAFT_UNREACHABLE("the host reads through canonical/raft's log only (no read capability)");
    return core::ReadStart{.error = core::ReadError::not_leader};
}

}  // namespace raftsim::sut::canonical
