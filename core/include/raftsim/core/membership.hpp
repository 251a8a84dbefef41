#pragma once
// Membership change requests and the pure rule that turns one configuration
// into the next (hashicorp/raft configuration.go nextConfiguration,
// membership.md). One server at a time (thesis §4.1): any majority of the old
// voters overlaps any majority of the new ones, so no joint consensus is needed.

#include <cstdint>
#include <string_view>

#include "raftsim/core/configuration.hpp"
#include "raftsim/core/types.hpp"

namespace raftsim::core {

enum class ChangeKind : std::uint8_t {
    /// Joins as staging (a non-voter being caught up); the leader promotes
    /// it to voter once its log has caught up. A voter stays a voter.
    add_voter,
    /// Joins as a non-voter; a voter or staging server keeps its suffrage (hashicorp).
    add_nonvoter,
    /// A voter becomes a non-voter.
    demote_voter,
    /// Leaves the configuration.
    remove_server,
};

inline constexpr std::uint8_t change_kind_count = 4;

[[nodiscard]] std::string_view to_string(ChangeKind kind) noexcept;

struct ChangeRequest {
    ChangeKind kind = ChangeKind::add_voter;
    NodeId server = node_none;
    /// hashicorp's prevIndex: when non-zero, apply the change only if the
    /// latest configuration is still the one at this log index.
    Index prev_index = 0;
};

enum class ChangeError : std::uint8_t {
    none = 0,
    not_leader,
    leadership_transfer_in_progress,
    /// The leader has not committed an entry of its own term yet (thesis
    /// §4.1 bug fix: a new leader's configuration may still be superseded).
    leader_not_committed_in_term,
    /// Another configuration change is appended but not committed.
    change_in_progress,
    /// prev_index is set and the latest configuration is at another index.
    configuration_changed,
    /// The server id is node_none.
    invalid_server,
    /// The change leaves the configuration as it is (already applied).
    nothing_to_change,
    /// The change would leave no voter at all.
    no_voters_left,
    /// The log has reached index_max (validate.hpp; only forged input gets
    /// it there): a configuration entry past it would be refused everywhere.
    log_full,
};

inline constexpr std::uint8_t change_error_count = 10;

[[nodiscard]] std::string_view to_string(ChangeError error) noexcept;

struct NextConfiguration {
    Configuration configuration;
    ChangeError error = ChangeError::none;
};

/// The configuration after `request`, or why there is none. Pure; the
/// checks that need leader state (not_leader and the like) are the node's.
[[nodiscard]] NextConfiguration next_configuration(const Configuration& current,
                                                   Index current_index,
                                                   const ChangeRequest& request);

}  // namespace raftsim::core
