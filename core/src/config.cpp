#include "raftsim/core/config.hpp"

#include <limits>
#include <utility>

#include "raftsim/core/assert.hpp"

namespace raftsim::core {
namespace {

// Bounds, in ticks. hashicorp requires timeouts of at least 5 ms; with ticks
// of the caller's choosing the meaningful floor is "long enough that a
// randomized timeout has room to vary".
constexpr std::uint32_t heartbeat_timeout_ticks_min = 2;
constexpr std::uint32_t election_timeout_ticks_min = 2;
constexpr std::uint32_t max_append_entries_max = 1024;  // hashicorp's limit
constexpr std::uint32_t max_inflight_appends_max = 1024;
constexpr std::uint64_t ppm_one = 1'000'000;
// At half of a tick rate's drift, the shortest voter tick is a third of the
// longest leader tick: a bound that high is a misconfiguration.
constexpr std::uint32_t clock_drift_bound_ppm_max = 500'000;

}  // namespace

std::string_view to_string(ConfigError error) noexcept {
    switch (error) {
        case ConfigError::ok:
            return "ok";
        case ConfigError::heartbeat_timeout_too_low:
            return "heartbeat_timeout_too_low";
        case ConfigError::election_timeout_too_low:
            return "election_timeout_too_low";
        case ConfigError::election_timeout_below_heartbeat_timeout:
            return "election_timeout_below_heartbeat_timeout";
        case ConfigError::commit_timeout_too_low:
            return "commit_timeout_too_low";
        case ConfigError::leader_lease_too_low:
            return "leader_lease_too_low";
        case ConfigError::leader_lease_above_heartbeat_timeout:
            return "leader_lease_above_heartbeat_timeout";
        case ConfigError::max_append_entries_zero:
            return "max_append_entries_zero";
        case ConfigError::max_append_entries_too_large:
            return "max_append_entries_too_large";
        case ConfigError::max_inflight_appends_zero:
            return "max_inflight_appends_zero";
        case ConfigError::max_inflight_appends_too_large:
            return "max_inflight_appends_too_large";
        case ConfigError::max_uncommitted_entries_too_low:
            return "max_uncommitted_entries_too_low";
        case ConfigError::protocol_version_unsupported:
            return "protocol_version_unsupported";
        case ConfigError::clock_drift_bound_too_large:
            return "clock_drift_bound_too_large";
        case ConfigError::tick_length_zero:
            return "tick_length_zero";
        case ConfigError::duration_not_multiple_of_tick:
            return "duration_not_multiple_of_tick";
        case ConfigError::duration_too_long:
            return "duration_too_long";
    }
    return "?";
}

ConfigError validate(const Config& config) noexcept {
    if (config.heartbeat_timeout_ticks < heartbeat_timeout_ticks_min) {
        return ConfigError::heartbeat_timeout_too_low;
    }
    if (config.election_timeout_ticks < election_timeout_ticks_min) {
        return ConfigError::election_timeout_too_low;
    }
    // hashicorp: "Election timeout must be equal or greater than Heartbeat Timeout".
    if (config.election_timeout_ticks < config.heartbeat_timeout_ticks) {
        return ConfigError::election_timeout_below_heartbeat_timeout;
    }
    if (config.commit_timeout_ticks == 0) {
        return ConfigError::commit_timeout_too_low;
    }
    if (config.leader_lease_ticks == 0) {
        return ConfigError::leader_lease_too_low;
    }
    // hashicorp: "Leader lease timeout cannot be larger than heartbeat timeout".
    if (config.leader_lease_ticks > config.heartbeat_timeout_ticks) {
        return ConfigError::leader_lease_above_heartbeat_timeout;
    }
    if (config.max_append_entries == 0) {
        return ConfigError::max_append_entries_zero;
    }
    if (config.max_append_entries > max_append_entries_max) {
        return ConfigError::max_append_entries_too_large;
    }
    if (config.max_inflight_appends == 0) {
        return ConfigError::max_inflight_appends_zero;
    }
    if (config.max_inflight_appends > max_inflight_appends_max) {
        return ConfigError::max_inflight_appends_too_large;
    }
    if (config.max_uncommitted_entries < config.max_append_entries) {
        return ConfigError::max_uncommitted_entries_too_low;
    }
    if (config.protocol_version < protocol_version_min ||
        config.protocol_version > protocol_version_max) {
        return ConfigError::protocol_version_unsupported;
    }
    if (config.clock_drift_bound_ppm >= clock_drift_bound_ppm_max) {
        return ConfigError::clock_drift_bound_too_large;
    }
    return ConfigError::ok;
}

std::uint64_t lease_read_ticks(const Config& config) noexcept {
    RAFT_ASSERT(config.heartbeat_timeout_ticks >= heartbeat_timeout_ticks_min);
    RAFT_ASSERT(config.clock_drift_bound_ppm < clock_drift_bound_ppm_max);
    // The leader's ticks may be (1 + bound) long and a voter's (1 - bound):
    // L * (1 + b) <= (H - 1) * (1 - b), rounded down.
    const std::uint64_t bound = config.clock_drift_bound_ppm;
    const std::uint64_t sticky_ticks = config.heartbeat_timeout_ticks - 1;
    return sticky_ticks * (ppm_one - bound) / (ppm_one + bound);
}

namespace {

[[nodiscard]] ConfigError to_ticks_one(std::uint64_t duration_us, std::uint64_t tick_us,
                                       std::uint32_t& ticks) {
    RAFT_ASSERT(tick_us > 0);
    if (duration_us % tick_us != 0) {
        return ConfigError::duration_not_multiple_of_tick;
    }
    const std::uint64_t count = duration_us / tick_us;
    if (count > std::numeric_limits<std::uint32_t>::max()) {
        return ConfigError::duration_too_long;
    }
    ticks = static_cast<std::uint32_t>(count);
    return ConfigError::ok;
}

}  // namespace

ConfigResult to_ticks(const DurationConfig& durations, std::uint64_t tick_us) {
    ConfigResult result;
    if (tick_us == 0) {
        result.error = ConfigError::tick_length_zero;
        return result;
    }
    Config& config = result.config;
    const std::pair<std::uint64_t, std::uint32_t*> conversions[] = {
        {durations.heartbeat_timeout_us, &config.heartbeat_timeout_ticks},
        {durations.election_timeout_us, &config.election_timeout_ticks},
        {durations.commit_timeout_us, &config.commit_timeout_ticks},
        {durations.leader_lease_us, &config.leader_lease_ticks},
    };
    for (const auto& [duration_us, ticks] : conversions) {
        result.error = to_ticks_one(duration_us, tick_us, *ticks);
        if (result.error != ConfigError::ok) {
            return result;
        }
    }
    config.max_append_entries = durations.max_append_entries;
    config.max_inflight_appends = durations.max_inflight_appends;
    config.max_uncommitted_entries = durations.max_uncommitted_entries;
    config.snapshot_threshold_entries = durations.snapshot_threshold_entries;
    config.trailing_log_entries = durations.trailing_log_entries;
    config.pre_vote = durations.pre_vote;
    config.check_quorum = durations.check_quorum;
    config.vote_rule = durations.vote_rule;
    config.protocol_version = durations.protocol_version;
    config.lease_reads = durations.lease_reads;
    config.clock_drift_bound_ppm = durations.clock_drift_bound_ppm;
    result.error = validate(config);
    return result;
}

std::string_view to_string(VoteRule rule) noexcept {
    switch (rule) {
        case VoteRule::hashicorp:
            return "hashicorp";
        case VoteRule::thesis:
            return "thesis";
    }
    return "unknown";
}

}  // namespace raftsim::core
