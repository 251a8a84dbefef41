#include "raftsim/core/configuration.hpp"

#include <algorithm>

#include "raftsim/core/assert.hpp"

namespace raftsim::core {

std::string_view to_string(Suffrage suffrage) noexcept {
    switch (suffrage) {
        case Suffrage::voter:
            return "voter";
        case Suffrage::nonvoter:
            return "nonvoter";
        case Suffrage::staging:
            return "staging";
    }
    return "?";
}

bool Configuration::is_valid() const noexcept {
    NodeId previous = node_none;
    for (const Server& server : servers) {
        if (server.id == node_none || server.id <= previous) {
            return false;
        }
        if (static_cast<std::uint8_t>(server.suffrage) >
            static_cast<std::uint8_t>(Suffrage::staging)) {
            return false;
        }
        previous = server.id;
    }
    return true;
}

const Server* Configuration::find(NodeId id) const noexcept {
    const auto it =
        std::lower_bound(servers.begin(), servers.end(), id,
                         [](const Server& server, NodeId key) { return server.id < key; });
    if (it == servers.end() || it->id != id) {
        return nullptr;
    }
    return &*it;
}

bool Configuration::is_voter(NodeId id) const noexcept {
    const Server* server = find(id);
    return server != nullptr && server->suffrage == Suffrage::voter;
}

std::size_t Configuration::voter_count() const noexcept {
    return static_cast<std::size_t>(
        std::count_if(servers.begin(), servers.end(),
                      [](const Server& s) { return s.suffrage == Suffrage::voter; }));
}

std::size_t Configuration::quorum_size() const noexcept {
    return voter_count() / 2 + 1;
}

Configuration Configuration::voters(std::size_t count) {
    Configuration configuration;
    configuration.servers.reserve(count);
    for (std::size_t i = 1; i <= count; ++i) {
        configuration.servers.push_back(Server{.id = i, .suffrage = Suffrage::voter});
    }
    RAFT_ASSERT(configuration.is_valid());
    RAFT_ASSERT(configuration.voter_count() == count);
    return configuration;
}

}  // namespace raftsim::core
