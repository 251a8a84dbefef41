#pragma once
// Cluster membership: which servers exist and whether they vote
// (hashicorp/raft configuration.go, membership.md).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "raftsim/core/types.hpp"

namespace raftsim::core {

/// Whether a server's vote counts (hashicorp ServerSuffrage).
enum class Suffrage : std::uint8_t {
    /// Votes in elections and counts towards the commit quorum.
    voter,
    /// Receives the log but never votes and never counts.
    nonvoter,
    /// Being caught up before promotion to voter; acts as a nonvoter.
    staging,
};

[[nodiscard]] std::string_view to_string(Suffrage suffrage) noexcept;

struct Server {
    NodeId id = node_none;
    Suffrage suffrage = Suffrage::voter;
    friend bool operator==(const Server&, const Server&) = default;
};

/// A set of servers.
/// Invariant (checked by `is_valid`): ids are non-zero, unique and sorted
/// ascending, so iteration order is stable and deterministic.
struct Configuration {
    std::vector<Server> servers{};

    [[nodiscard]] bool is_valid() const noexcept;
    [[nodiscard]] bool empty() const noexcept { return servers.empty(); }
    [[nodiscard]] const Server* find(NodeId id) const noexcept;
    [[nodiscard]] bool contains(NodeId id) const noexcept { return find(id) != nullptr; }
    [[nodiscard]] bool is_voter(NodeId id) const noexcept;
    [[nodiscard]] std::size_t voter_count() const noexcept;
    /// Votes needed for a majority of voters: floor(voters/2)+1 (§5.2).
    [[nodiscard]] std::size_t quorum_size() const noexcept;

    friend bool operator==(const Configuration&, const Configuration&) = default;

    /// A configuration of `count` voters with ids 1..count.
    [[nodiscard]] static Configuration voters(std::size_t count);
};

}  // namespace raftsim::core
