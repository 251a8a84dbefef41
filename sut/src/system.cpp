// Capabilities and durability contracts in words (system.hpp).
#include "raftsim/sut/system.hpp"

#include <array>

namespace raftsim::sut {
namespace {

constexpr std::array<CapabilityInfo, 9> capabilities_table{{
    {&Capabilities::pre_vote, "pre_vote", "pre-vote"},
    {&Capabilities::check_quorum_optional, "check_quorum_optional", "switching check-quorum off"},
    {&Capabilities::nonvoters, "nonvoters", "non-voting servers"},
    {&Capabilities::staging, "staging", "staging servers"},
    {&Capabilities::leadership_transfer, "leadership_transfer", "leadership transfer"},
    {&Capabilities::snapshot_on_demand, "snapshot_on_demand", "snapshots on demand"},
    {&Capabilities::vote_rules, "vote_rules", "the thesis vote rule"},
    {&Capabilities::read_index, "read_index", "ReadIndex reads"},
    {&Capabilities::lease_reads, "lease_reads", "lease reads"},
}};

// The names of the capabilities whose value is `wanted`, comma separated.
[[nodiscard]] std::string names_where(const Capabilities& capabilities, bool wanted) {
    std::string out;
    for (const CapabilityInfo& info : capabilities_table) {
        if (capabilities.*info.field == wanted) {
            out += out.empty() ? "" : ", ";
            out += info.name;
        }
    }
    return out.empty() ? "none" : out;
}

}  // namespace

std::span<const CapabilityInfo> capability_info() noexcept {
    return capabilities_table;
}

std::string describe(const Capabilities& capabilities) {
    return names_where(capabilities, true);
}

std::string describe_missing(const Capabilities& capabilities) {
    return names_where(capabilities, false);
}

std::string describe(const Durability& durability) {
    std::string out = durability.persist_before_send
                          ? "every write durable before a message resting on it is sent"
                          : "messages may leave before the writes they rest on are durable";
    if (durability.synchronous_hard_state) {
        out += "; term and vote durable when written";
    }
    if (durability.pipelined_log_writes) {
        out += "; log writes pipelined, completing in order";
    }
    if (durability.leader_sends_before_durable) {
        out += "; a leader sends entries before its own disk has them (thesis 10.2.1)";
    }
    return out;
}

}  // namespace raftsim::sut
