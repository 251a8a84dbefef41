// Node configuration (config.hpp): hashicorp/raft's defaults and limits, and
// the conversion from durations to ticks.
#include "raftsim/core/config.hpp"

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "helpers.hpp"

namespace raftsim::test {
namespace {

using core::Config;
using core::ConfigError;
using core::DurationConfig;

using core::config_error_count;

TEST_CASE("config: hashicorp's DefaultConfig at 10 ms ticks is 100/100/5/50 ticks and valid",
          "[config]") {
    const core::ConfigResult result = core::to_ticks(DurationConfig{}, 10'000);
    REQUIRE(result.error == ConfigError::ok);
    const Config& config = result.config;
    CHECK(config.heartbeat_timeout_ticks == 100);  // 1 s
    CHECK(config.election_timeout_ticks == 100);   // 1 s
    CHECK(config.commit_timeout_ticks == 5);       // 50 ms
    CHECK(config.leader_lease_ticks == 50);        // 500 ms
    CHECK(config.max_append_entries == 64);
    CHECK(config.max_inflight_appends == 64);
    CHECK(config.max_uncommitted_entries == 65536);
    CHECK_FALSE(config.pre_vote);
    CHECK(config.check_quorum);
    CHECK(config.protocol_version == core::protocol_version_max);
    CHECK(core::validate(config) == ConfigError::ok);

    // A default-constructed Config is the same thing, already in ticks.
    const Config defaults;
    CHECK(defaults.heartbeat_timeout_ticks == config.heartbeat_timeout_ticks);
    CHECK(defaults.election_timeout_ticks == config.election_timeout_ticks);
    CHECK(defaults.commit_timeout_ticks == config.commit_timeout_ticks);
    CHECK(defaults.leader_lease_ticks == config.leader_lease_ticks);
    CHECK(defaults.max_append_entries == config.max_append_entries);
    CHECK(core::validate(defaults) == ConfigError::ok);
}

struct ConfigCase {
    std::string name;
    ConfigError expected;
    Config config;
};

/// The default (valid) config with one change.
template <typename Change>
Config with(Change change) {
    Config config;
    change(config);
    return config;
}

TEST_CASE("config: validate names the one rule a config breaks", "[config]") {
    const ConfigCase c = GENERATE(values<ConfigCase>({
        {"heartbeat timeout 1 tick", ConfigError::heartbeat_timeout_too_low,
         with([](Config& x) { x.heartbeat_timeout_ticks = 1; })},
        {"heartbeat timeout 0 ticks", ConfigError::heartbeat_timeout_too_low,
         with([](Config& x) { x.heartbeat_timeout_ticks = 0; })},
        // An election timeout under 2 ticks is necessarily also below the
        // (at least 2-tick) heartbeat timeout; the floor is reported first.
        {"election timeout 1 tick", ConfigError::election_timeout_too_low, with([](Config& x) {
             x.heartbeat_timeout_ticks = 2;
             x.election_timeout_ticks = 1;
             x.leader_lease_ticks = 2;
         })},
        {"election timeout below heartbeat timeout",
         ConfigError::election_timeout_below_heartbeat_timeout,
         with([](Config& x) { x.election_timeout_ticks = 99; })},
        {"commit timeout 0", ConfigError::commit_timeout_too_low,
         with([](Config& x) { x.commit_timeout_ticks = 0; })},
        {"leader lease 0", ConfigError::leader_lease_too_low,
         with([](Config& x) { x.leader_lease_ticks = 0; })},
        {"leader lease above heartbeat timeout", ConfigError::leader_lease_above_heartbeat_timeout,
         with([](Config& x) { x.leader_lease_ticks = 101; })},
        {"max_append_entries 0", ConfigError::max_append_entries_zero,
         with([](Config& x) { x.max_append_entries = 0; })},
        {"max_append_entries 1025", ConfigError::max_append_entries_too_large,
         with([](Config& x) { x.max_append_entries = 1025; })},
        {"max_inflight_appends 0", ConfigError::max_inflight_appends_zero,
         with([](Config& x) { x.max_inflight_appends = 0; })},
        {"max_inflight_appends 1025", ConfigError::max_inflight_appends_too_large,
         with([](Config& x) { x.max_inflight_appends = 1025; })},
        {"max_uncommitted_entries below max_append_entries",
         ConfigError::max_uncommitted_entries_too_low,
         with([](Config& x) { x.max_uncommitted_entries = 63; })},
        {"protocol version below min", ConfigError::protocol_version_unsupported,
         with([](Config& x) { x.protocol_version = core::protocol_version_min - 1; })},
        {"protocol version above max", ConfigError::protocol_version_unsupported,
         with([](Config& x) { x.protocol_version = core::protocol_version_max + 1; })},
    }));
    CAPTURE(c.name);
    CHECK(core::validate(c.config) == c.expected);
}

TEST_CASE("config: every limit itself is valid (the bounds are inclusive)", "[config]") {
    const ConfigCase c = GENERATE(values<ConfigCase>({
        {"heartbeat and election timeout 2 ticks, lease 1", ConfigError::ok, with([](Config& x) {
             x.heartbeat_timeout_ticks = 2;
             x.election_timeout_ticks = 2;
             x.leader_lease_ticks = 1;
         })},
        {"election timeout equal to heartbeat timeout", ConfigError::ok,
         with([](Config& x) { x.election_timeout_ticks = x.heartbeat_timeout_ticks; })},
        {"leader lease equal to heartbeat timeout", ConfigError::ok,
         with([](Config& x) { x.leader_lease_ticks = x.heartbeat_timeout_ticks; })},
        {"commit timeout 1", ConfigError::ok, with([](Config& x) { x.commit_timeout_ticks = 1; })},
        {"max_append_entries 1024", ConfigError::ok,
         with([](Config& x) { x.max_append_entries = 1024; })},
        {"max_append_entries 1", ConfigError::ok,
         with([](Config& x) { x.max_append_entries = 1; })},
        {"max_inflight_appends 1", ConfigError::ok,
         with([](Config& x) { x.max_inflight_appends = 1; })},
        {"max_inflight_appends 1024", ConfigError::ok,
         with([](Config& x) { x.max_inflight_appends = 1024; })},
        {"max_uncommitted_entries equal to max_append_entries", ConfigError::ok,
         with([](Config& x) { x.max_uncommitted_entries = x.max_append_entries; })},
        {"protocol version min", ConfigError::ok,
         with([](Config& x) { x.protocol_version = core::protocol_version_min; })},
        {"pre-vote on, check-quorum off", ConfigError::ok, with([](Config& x) {
             x.pre_vote = true;
             x.check_quorum = false;
         })},
    }));
    CAPTURE(c.name);
    CHECK(core::validate(c.config) == ConfigError::ok);
}

TEST_CASE("config: to_ticks refuses a zero tick length", "[config]") {
    CHECK(core::to_ticks(DurationConfig{}, 0).error == ConfigError::tick_length_zero);
}

struct DurationCase {
    std::string name;
    DurationConfig durations;
    std::uint64_t tick_us;
};

template <typename Change>
DurationConfig durations_with(Change change) {
    DurationConfig durations;
    change(durations);
    return durations;
}

TEST_CASE("config: to_ticks refuses a duration that is not a whole number of ticks", "[config]") {
    const DurationCase c = GENERATE(values<DurationCase>({
        {"defaults at 3 us ticks", DurationConfig{}, 3},
        {"defaults at 30 ms ticks (1 s is 33.3 ticks)", DurationConfig{}, 30'000},
        {"heartbeat 1 us over", durations_with([](DurationConfig& d) {
             d.heartbeat_timeout_us = 1'000'001;
             d.election_timeout_us = 2'000'000;
         }),
         10'000},
        {"election 1 us over",
         durations_with([](DurationConfig& d) { d.election_timeout_us = 1'000'001; }), 10'000},
        {"commit 1 us over",
         durations_with([](DurationConfig& d) { d.commit_timeout_us = 50'001; }), 10'000},
        {"lease 1 us under", durations_with([](DurationConfig& d) { d.leader_lease_us = 499'999; }),
         10'000},
    }));
    CAPTURE(c.name);
    CHECK(core::to_ticks(c.durations, c.tick_us).error ==
          ConfigError::duration_not_multiple_of_tick);
}

TEST_CASE("config: to_ticks refuses a duration too long for a 32-bit tick count", "[config]") {
    DurationConfig durations;
    // 2^32 ticks of 1 us: one more than a std::uint32_t can count.
    durations.election_timeout_us = std::uint64_t{1} << 32U;
    CHECK(core::to_ticks(durations, 1).error == ConfigError::duration_too_long);
    durations.election_timeout_us = (std::uint64_t{1} << 32U) - 1;
    CHECK(core::to_ticks(durations, 1).error != ConfigError::duration_too_long);
}

TEST_CASE("config: to_ticks converts exactly, passes the rest through and validates the result",
          "[config]") {
    SECTION("1 ms ticks") {
        DurationConfig durations;
        durations.max_append_entries = 32;
        durations.max_inflight_appends = 8;
        durations.max_uncommitted_entries = 100;
        durations.pre_vote = true;
        durations.check_quorum = false;
        durations.protocol_version = core::protocol_version_min;
        const core::ConfigResult result = core::to_ticks(durations, 1'000);
        REQUIRE(result.error == ConfigError::ok);
        CHECK(result.config.heartbeat_timeout_ticks == 1000);
        CHECK(result.config.election_timeout_ticks == 1000);
        CHECK(result.config.commit_timeout_ticks == 50);
        CHECK(result.config.leader_lease_ticks == 500);
        CHECK(result.config.max_append_entries == 32);
        CHECK(result.config.max_inflight_appends == 8);
        CHECK(result.config.max_uncommitted_entries == 100);
        CHECK(result.config.pre_vote);
        CHECK_FALSE(result.config.check_quorum);
        CHECK(result.config.protocol_version == core::protocol_version_min);
    }
    SECTION("whole ticks that break a rule report that rule") {
        // 1 s at 1 s ticks is one tick: below the 2-tick floor.
        CHECK(core::to_ticks(durations_with([](DurationConfig& d) {
                                 d.commit_timeout_us = 1'000'000;
                                 d.leader_lease_us = 1'000'000;
                             }),
                             1'000'000)
                  .error == ConfigError::heartbeat_timeout_too_low);
        CHECK(core::to_ticks(durations_with([](DurationConfig& d) { d.max_append_entries = 0; }),
                             10'000)
                  .error == ConfigError::max_append_entries_zero);
        CHECK(core::to_ticks(durations_with([](DurationConfig& d) { d.protocol_version = 9; }),
                             10'000)
                  .error == ConfigError::protocol_version_unsupported);
    }
    SECTION("a tick count that does not fit in 32 bits is refused, not truncated") {
        DurationConfig durations;
        durations.heartbeat_timeout_us = (1ULL << 33);
        durations.election_timeout_us = (1ULL << 33);
        durations.leader_lease_us = 1ULL << 20;
        durations.commit_timeout_us = 1ULL << 20;
        CHECK(core::to_ticks(durations, 1).error != ConfigError::ok);
    }
}

TEST_CASE("config: every ConfigError has its own name", "[config]") {
    std::set<std::string_view> names;
    for (std::uint8_t value = 0; value < config_error_count; ++value) {
        const std::string_view name = core::to_string(static_cast<ConfigError>(value));
        CAPTURE(static_cast<int>(value), name);
        CHECK(name != "?");
        CHECK_FALSE(name.empty());
        names.insert(name);
    }
    CHECK(names.size() == config_error_count);
    CHECK(core::to_string(ConfigError::ok) == "ok");
    // A value outside the enum (e.g. read from a corrupt file) is not mistaken for one.
    CHECK(core::to_string(static_cast<ConfigError>(config_error_count)) == "?");
}

}  // namespace
}  // namespace raftsim::test
