// Membership changes (thesis §4.1, hashicorp membership.md): one server at a
// time, a configuration in effect as soon as it is appended, at most one
// uncommitted, and none before the leader has committed in its term.
#include <algorithm>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/node.hpp"
#include "raftsim/core/validate.hpp"

namespace raftsim::core {

ChangeResult Node::change_membership(RequestId id, const ChangeRequest& request) {
    RAFT_ASSERT(!ready_outstanding_);
    ChangeResult result;
    if (role_ != Role::leader) {
        result.error = ChangeError::not_leader;
    } else if (transfer_.has_value()) {
        result.error = ChangeError::leadership_transfer_in_progress;
    } else if (!committed_in_term()) {
        result.error = ChangeError::leader_not_committed_in_term;
    } else if (configuration_change_pending()) {
        result.error = ChangeError::change_in_progress;
    } else if (log_.last_index() >= index_max) {
        result.error = ChangeError::log_full;
    }
    if (!result.ok()) {
        return result;
    }
    const NextConfiguration next =
        next_configuration(configuration_, configuration_index(), request);
    if (next.error != ChangeError::none) {
        result.error = next.error;
        return result;
    }
    const bool appended = append_configuration(next.configuration);
    RAFT_ASSERT(appended);
    result.index = log_.last_index();
    result.term = hard_state_.term;
    pending_requests_.push_back(RequestResult{.id = id,
                                              .outcome = RequestOutcome::committed,
                                              .index = result.index,
                                              .term = result.term});
    check_invariants_fast();
    return result;
}

// The leader appends a configuration entry; it is in effect at once.
bool Node::append_configuration(const Configuration& configuration) {
    RAFT_ASSERT(role_ == Role::leader);
    RAFT_ASSERT(configuration.is_valid());
    if (!committed_in_term() || configuration_change_pending()) {
        return false;
    }
    append_entry(Entry{.term = hard_state_.term,
                       .index = log_.last_index() + 1,
                       .type = EntryType::configuration,
                       .data = {},
                       .configuration = configuration});
    sync_progress_with_configuration();
    restart_lease_rounds();
    // The quorum may have shrunk (a lagging voter left): commit may move.
    maybe_commit();
    return true;
}

bool Node::committed_in_term() const noexcept {
    // Thesis §4.1 (the 2015 fix): until the leader commits an entry of its
    // term, an uncommitted configuration of an earlier leader may still win.
    return role_ == Role::leader && term_start_index_ != 0 && commit_index_ >= term_start_index_;
}

// Thesis §4.2.2: a server that is not part of its own latest configuration
// still starts elections while that configuration is uncommitted, as it may be
// needed to elect the leader that commits it (its own vote does not count).
bool Node::may_campaign() const noexcept {
    // At the gate's bounds a node cannot lead: its next term, or its no-op,
    // would be refused by every receiver. Only forged input gets it there.
    if (hard_state_.term >= term_max || log_.last_index() >= index_max) {
        return false;
    }
    if (configuration_.is_voter(id_)) {
        return true;
    }
    // Any configuration from the committed one on may be what the others use.
    const Index committed_index = committed_configuration_index();
    for (auto it = configurations_.rbegin(); it != configurations_.rend(); ++it) {
        if (it->index < committed_index) {
            break;
        }
        if (it->configuration.is_voter(id_)) {
            return true;
        }
    }
    return false;
}

bool Node::configuration_change_pending() const noexcept {
    return configuration_index() > commit_index_;
}

Index Node::configuration_index() const noexcept {
    return configurations_.empty() ? 0 : configurations_.back().index;
}

const Configuration& Node::committed_configuration() const noexcept {
    static const Configuration empty{};
    const ConfigurationAt* committed = configuration_at(commit_index_);
    return committed != nullptr ? committed->configuration : empty;
}

Index Node::committed_configuration_index() const noexcept {
    const ConfigurationAt* committed = configuration_at(commit_index_);
    return committed != nullptr ? committed->index : 0;
}

// The latest configuration entry at or below `index`, or nullptr.
const Node::ConfigurationAt* Node::configuration_at(Index index) const noexcept {
    for (auto it = configurations_.rbegin(); it != configurations_.rend(); ++it) {
        if (it->index <= index) {
            return &*it;
        }
    }
    return nullptr;
}

void Node::refresh_configuration() {
    configuration_ =
        configurations_.empty() ? Configuration{} : configurations_.back().configuration;
}

// Rebuilds the list from the snapshot and the log (construction, restart).
void Node::rebuild_configuration() {
    configurations_.clear();
    if (snapshot_.index != 0 && !snapshot_.configuration.empty()) {
        configurations_.push_back(ConfigurationAt{.index = snapshot_.configuration_index,
                                                  .configuration = snapshot_.configuration});
    }
    for (const Entry& entry : log_.entries()) {
        if (entry.type == EntryType::configuration && entry.index > configuration_index()) {
            configurations_.push_back(
                ConfigurationAt{.index = entry.index, .configuration = entry.configuration});
        }
    }
    refresh_configuration();
}

void Node::note_configuration_appended(const Entry& entry) {
    RAFT_ASSERT(entry.type == EntryType::configuration);
    RAFT_ASSERT(entry.index > configuration_index());
    configurations_.push_back(
        ConfigurationAt{.index = entry.index, .configuration = entry.configuration});
    refresh_configuration();
}

// A truncated suffix takes its configurations with it: the node falls back
// to the latest one still in its log (thesis §4.1).
void Node::forget_configurations_from(Index index) {
    RAFT_ASSERT(index > commit_index_);
    while (!configurations_.empty() && configurations_.back().index >= index) {
        configurations_.pop_back();
    }
    refresh_configuration();
}

// The leader replicates to every server of its latest configuration.
void Node::sync_progress_with_configuration() {
    RAFT_ASSERT(role_ == Role::leader);
    std::erase_if(progress_,
                  [this](const auto& item) { return !configuration_.contains(item.first); });
    for (const Server& server : configuration_.servers) {
        if (server.id != id_ && !progress_.contains(server.id)) {
            progress_[server.id] =
                Progress{.next_index = log_.last_index() + 1, .last_contact_tick = leader_ticks_};
        }
    }
    if (transfer_.has_value() && !configuration_.is_voter(transfer_->target)) {
        finish_transfer(TransferOutcome::target_removed, hard_state_.term);
    }
}

// A staging server whose log has caught up with the leader's commit index
// is promoted to voter (hashicorp membership.md's intended promotion).
void Node::maybe_promote_staging() {
    RAFT_ASSERT(role_ == Role::leader);
    if (!committed_in_term() || configuration_change_pending() || transfer_.has_value() ||
        log_.last_index() >= index_max) {
        return;
    }
    for (const Server& server : configuration_.servers) {
        if (server.suffrage != Suffrage::staging) {
            continue;
        }
        const auto it = progress_.find(server.id);
        if (it == progress_.end() || it->second.match_index < commit_index_) {
            continue;
        }
        Configuration next = configuration_;
        next.servers[static_cast<std::size_t>(&server - configuration_.servers.data())].suffrage =
            Suffrage::voter;
        stats_.promotions += 1;
        const bool appended = append_configuration(next);
        RAFT_ASSERT(appended);
        return;  // one change at a time
    }
}

void Node::after_input() {
    if (role_ != Role::leader) {
        return;
    }
    maybe_step_down_when_removed();
    if (role_ == Role::leader) {
        maybe_promote_staging();
    }
}

// hashicorp: a leader that is no longer a voter of its committed
// configuration steps down (it led until the change committed).
void Node::maybe_step_down_when_removed() {
    if (role_ != Role::leader || configuration_change_pending()) {
        return;
    }
    if (!configuration_.is_voter(id_)) {
        become_follower(hard_state_.term, node_none);
    }
}

}  // namespace raftsim::core
