#include "raftsim/core/membership.hpp"

#include <algorithm>

#include "raftsim/core/assert.hpp"

namespace raftsim::core {

std::string_view to_string(ChangeKind kind) noexcept {
    switch (kind) {
        case ChangeKind::add_voter:
            return "add_voter";
        case ChangeKind::add_nonvoter:
            return "add_nonvoter";
        case ChangeKind::demote_voter:
            return "demote_voter";
        case ChangeKind::remove_server:
            return "remove_server";
    }
    return "?";
}

std::string_view to_string(ChangeError error) noexcept {
    switch (error) {
        case ChangeError::none:
            return "none";
        case ChangeError::not_leader:
            return "not_leader";
        case ChangeError::leadership_transfer_in_progress:
            return "leadership_transfer_in_progress";
        case ChangeError::leader_not_committed_in_term:
            return "leader_not_committed_in_term";
        case ChangeError::change_in_progress:
            return "change_in_progress";
        case ChangeError::configuration_changed:
            return "configuration_changed";
        case ChangeError::invalid_server:
            return "invalid_server";
        case ChangeError::nothing_to_change:
            return "nothing_to_change";
        case ChangeError::no_voters_left:
            return "no_voters_left";
        case ChangeError::log_full:
            return "log_full";
    }
    return "?";
}

namespace {

void upsert(Configuration& configuration, NodeId id, Suffrage suffrage) {
    auto& servers = configuration.servers;
    const auto it = std::lower_bound(servers.begin(), servers.end(), id,
                                     [](const Server& s, NodeId key) { return s.id < key; });
    if (it != servers.end() && it->id == id) {
        it->suffrage = suffrage;
        return;
    }
    servers.insert(it, Server{.id = id, .suffrage = suffrage});
}

void apply_change(Configuration& next, const ChangeRequest& request) {
    const Server* existing = next.find(request.server);
    switch (request.kind) {
        case ChangeKind::add_voter:
            // A voter keeps its vote; anyone else starts as staging and is
            // promoted by the leader once caught up.
            if (existing == nullptr || existing->suffrage != Suffrage::voter) {
                upsert(next, request.server, Suffrage::staging);
            }
            return;
        case ChangeKind::add_nonvoter:
            // hashicorp: an existing voter or staging server keeps its suffrage.
            if (existing == nullptr) {
                upsert(next, request.server, Suffrage::nonvoter);
            }
            return;
        case ChangeKind::demote_voter:
            if (existing != nullptr) {
                upsert(next, request.server, Suffrage::nonvoter);
            }
            return;
        case ChangeKind::remove_server:
            std::erase_if(next.servers,
                          [&request](const Server& s) { return s.id == request.server; });
            return;
    }
}

}  // namespace

NextConfiguration next_configuration(const Configuration& current, Index current_index,
                                     const ChangeRequest& request) {
    RAFT_ASSERT(current.is_valid());
    NextConfiguration result;
    if (request.prev_index != 0 && request.prev_index != current_index) {
        result.error = ChangeError::configuration_changed;
        return result;
    }
    if (request.server == node_none) {
        result.error = ChangeError::invalid_server;
        return result;
    }
    result.configuration = current;
    apply_change(result.configuration, request);
    RAFT_ASSERT(result.configuration.is_valid());
    if (result.configuration == current) {
        result.error = ChangeError::nothing_to_change;
    } else if (result.configuration.voter_count() == 0) {
        // hashicorp checkConfiguration: "need at least one voter".
        result.error = ChangeError::no_voters_left;
    }
    return result;
}

}  // namespace raftsim::core
