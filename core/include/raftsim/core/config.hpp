#pragma once
// Node configuration, in ticks. The caller chooses what a tick is worth and
// converts durations with `DurationConfig::to_ticks`; the core never sees time.

#include <cstdint>
#include <string_view>

#include "raftsim/core/types.hpp"

namespace raftsim::core {

/// Every way a Config can be invalid, each with its own name.
enum class ConfigError : std::uint8_t {
    ok = 0,
    heartbeat_timeout_too_low,
    election_timeout_too_low,
    election_timeout_below_heartbeat_timeout,
    commit_timeout_too_low,
    leader_lease_too_low,
    leader_lease_above_heartbeat_timeout,
    max_append_entries_zero,
    max_append_entries_too_large,
    max_inflight_appends_zero,
    max_inflight_appends_too_large,
    max_uncommitted_entries_too_low,
    protocol_version_unsupported,
    /// A drift bound of half a tick rate or more leaves no lease at all.
    clock_drift_bound_too_large,
    tick_length_zero,
    duration_not_multiple_of_tick,
    duration_too_long,
};

inline constexpr std::uint8_t config_error_count =
    static_cast<std::uint8_t>(ConfigError::duration_too_long) + 1;

[[nodiscard]] std::string_view to_string(ConfigError error) noexcept;

/// Which candidates a server may vote for, beyond term and log (§5.2, §5.4.1).
enum class VoteRule : std::uint8_t {
    /// hashicorp/raft (since hashicorp/raft#526): only a voter of our latest
    /// configuration, so a removed or not yet promoted server cannot win.
    hashicorp,
    /// Raft thesis §4.1: servers vote without consulting their configuration,
    /// because "this vote may occasionally be needed to keep the cluster
    /// available"; disruption is held off by §4.2.3's stickiness: no grant
    /// and no term change within the minimum election timeout of hearing
    /// from a leader (hashicorp's stickiness is "a leader is known").
    thesis,
};

[[nodiscard]] std::string_view to_string(VoteRule rule) noexcept;

/// Timing and limits of one node, in ticks of the caller's choosing.
///
/// Semantics follow hashicorp/raft's Config:
/// - a follower that has heard nothing from a leader for a random time in
///   [heartbeat_timeout, 2*heartbeat_timeout) becomes a candidate;
/// - a candidate restarts its election after a random time in
///   [election_timeout, 2*election_timeout);
/// - a leader sends heartbeats every heartbeat_timeout/10 (at least 1 tick);
/// - a leader propagates its commit index to followers at least every
///   commit_timeout;
/// - a leader that has not heard from a quorum of voters within leader_lease
///   steps down (when check_quorum is on).
struct Config {
    std::uint32_t heartbeat_timeout_ticks = 100;
    std::uint32_t election_timeout_ticks = 100;
    std::uint32_t commit_timeout_ticks = 5;
    std::uint32_t leader_lease_ticks = 50;
    /// Upper bound on entries in one AppendEntries message (hashicorp: 64, at most 1024).
    std::uint32_t max_append_entries = 64;
    /// Upper bound on unacknowledged AppendEntries messages that carry entries,
    /// per follower, while replicating optimistically.
    std::uint32_t max_inflight_appends = 64;
    /// A leader refuses new proposals while this many entries are uncommitted,
    /// so a leader cut off from its quorum cannot grow its log without bound.
    /// hashicorp has no such limit (Apply blocks instead); the default is far
    /// above what its fuzzy scenarios put in flight (10,000 at once).
    std::uint32_t max_uncommitted_entries = 65536;
    /// The host should snapshot once this many entries were applied since the
    /// last snapshot (hashicorp SnapshotThreshold); 0 = never.
    std::uint32_t snapshot_threshold_entries = 8192;
    /// Entries kept behind a snapshot so slightly lagging followers still get
    /// AppendEntries instead of a whole snapshot (hashicorp TrailingLogs).
    std::uint32_t trailing_log_entries = 10240;
    /// Raft thesis §9.6: campaign only after a pre-vote round shows a quorum would vote.
    bool pre_vote = false;
    /// Leader lease / check-quorum (hashicorp's checkLeaderLease). On by default
    /// because hashicorp's leader always does it.
    bool check_quorum = true;
    VoteRule vote_rule = VoteRule::hashicorp;
    std::uint32_t protocol_version = protocol_version_max;
    /// Lease reads (thesis §6.4.1): a leader answers a read from its own
    /// state while a quorum's recent acknowledgement guarantees no other
    /// leader can exist. Served only with check_quorum on; with both on, a
    /// server also refuses votes for a heartbeat timeout after it restarts
    /// or last heard from a leader, whatever it believes (the lease's
    /// other half: etcd's checkQuorum "in lease" rule).
    bool lease_reads = false;
    /// How far any two servers' tick rates may differ, in parts per
    /// million of each one's: the lease is shortened by it (thesis §6.4.1,
    /// "bounded clock drift"). A drift beyond it may break lease reads.
    std::uint32_t clock_drift_bound_ppm = 0;
};

/// The longest a lease read may be served after the start of the
/// heartbeat round a quorum acknowledged, in the leader's ticks: a voter
/// that acknowledged it grants no vote for heartbeat_timeout_ticks of its
/// own ticks after receiving it, and the first may come at once, so
/// (heartbeat_timeout_ticks - 1) of its ticks, stretched by the drift bound
/// both ways.
[[nodiscard]] std::uint64_t lease_read_ticks(const Config& config) noexcept;

[[nodiscard]] ConfigError validate(const Config& config) noexcept;

/// Hashicorp's Config as durations in microseconds, for callers that think in
/// time. Defaults are hashicorp's DefaultConfig().
struct DurationConfig {
    std::uint64_t heartbeat_timeout_us = 1'000'000;
    std::uint64_t election_timeout_us = 1'000'000;
    std::uint64_t commit_timeout_us = 50'000;
    std::uint64_t leader_lease_us = 500'000;
    std::uint32_t max_append_entries = 64;
    std::uint32_t max_inflight_appends = 64;
    std::uint32_t max_uncommitted_entries = 65536;
    std::uint32_t snapshot_threshold_entries = 8192;
    std::uint32_t trailing_log_entries = 10240;
    bool pre_vote = false;
    bool check_quorum = true;
    VoteRule vote_rule = VoteRule::hashicorp;
    std::uint32_t protocol_version = protocol_version_max;
    bool lease_reads = false;
    std::uint32_t clock_drift_bound_ppm = 0;
};

struct ConfigResult {
    Config config;
    ConfigError error = ConfigError::ok;
};

/// Converts durations to ticks of `tick_us` microseconds and validates the
/// result. A duration that is not a whole number of ticks is an error rather
/// than silently rounded, so a scenario's timing means what it says.
[[nodiscard]] ConfigResult to_ticks(const DurationConfig& durations, std::uint64_t tick_us);

}  // namespace raftsim::core
