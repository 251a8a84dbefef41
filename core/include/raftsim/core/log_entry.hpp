#pragma once
// One entry of the replicated log.

#include <cstdint>
#include <string_view>

#include "raftsim/core/configuration.hpp"
#include "raftsim/core/types.hpp"

namespace raftsim::core {

enum class EntryType : std::uint8_t {
    /// A client command for the state machine.
    command,
    /// Appended by a new leader so it can commit an entry of its own term at
    /// once (Raft thesis §6.4; hashicorp's LogNoop).
    noop,
    /// A membership configuration; takes effect when appended (thesis §4.1).
    configuration,
    /// Client barrier: applies nothing, but its application proves every
    /// earlier entry applied.
    barrier,
};

inline constexpr std::uint8_t entry_type_count = 4;

[[nodiscard]] std::string_view to_string(EntryType type) noexcept;

struct Entry {
    Term term = 0;
    Index index = 0;
    EntryType type = EntryType::command;
    Payload data{};
    /// Only for EntryType::configuration; empty otherwise.
    Configuration configuration{};

    friend bool operator==(const Entry&, const Entry&) = default;
};

}  // namespace raftsim::core
