// The fuzz_cluster decoder and the swarm generator: every byte string is a
// valid run, the JSON `raftsim replay --fuzz-input` writes is that same run,
// and the swarm varies which fault kinds are on from seed to seed.
#include "raftsim/fuzz/cluster_case.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "raftsim/core/prng.hpp"
#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/parse.hpp"
#include "raftsim/scenarios/write.hpp"

namespace raftsim::fuzz {
namespace {

std::vector<std::uint8_t> random_bytes(std::uint64_t seed, std::size_t size) {
    core::Prng prng(seed);
    std::vector<std::uint8_t> bytes(size);
    for (std::uint8_t& byte : bytes) {
        byte = static_cast<std::uint8_t>(prng.next_u64());
    }
    return bytes;
}

std::uint64_t fingerprint(const scenarios::Scenario& scenario, std::uint64_t seed) {
    return scenarios::run_scenario(scenario, {.seed = seed, .keep_trace = false}).fingerprint;
}

// The written scenario parses back and runs the same, event for event.
void require_json_round_trip(const scenarios::Scenario& scenario, std::uint64_t seed) {
    const std::string json = scenarios::scenario_to_json(scenario);
    const scenarios::ParseResult parsed = scenarios::parse_scenario(json, "decoded.json");
    INFO(json);
    INFO((parsed.error.has_value() ? parsed.error->to_string() : std::string("parsed")));
    REQUIRE_FALSE(parsed.error.has_value());
    REQUIRE(fingerprint(*parsed.scenario, seed) == fingerprint(scenario, seed));
}

TEST_CASE("fuzz decode: the empty input is a valid run of one node", "[fuzz]") {
    const ClusterCase decoded = decode_cluster_case({});
    REQUIRE(decoded.scenario.cluster.names.size() == 1);
    REQUIRE_FALSE(decoded.scenario.steps.empty());
    REQUIRE(decoded.scenario.message_faults.empty());
    const scenarios::RunResult result =
        scenarios::run_scenario(decoded.scenario, {.seed = decoded.seed, .keep_trace = false});
    REQUIRE(result.passed);
}

// heal_all, clear_slow_votes, network, clock_drift, calm, restart,
// wait_for_leader, stop_workload, wait_until_up_to_date.
constexpr std::size_t epilogue_steps = 9;

TEST_CASE("fuzz decode: random inputs decode to runs that round-trip through JSON", "[fuzz]") {
    std::size_t with_faults = 0;
    std::set<std::size_t> cluster_sizes;
    for (std::uint64_t seed = 1; seed <= 60; ++seed) {
        const std::vector<std::uint8_t> bytes = random_bytes(seed, 8 + seed * 3);
        const ClusterCase decoded = decode_cluster_case(bytes);
        INFO("input seed " << seed);
        // A removal followed by a sanctioned wipe is four steps from one op.
        REQUIRE(decoded.scenario.steps.size() <= 4 * fuzz_limits.max_steps + epilogue_steps);
        with_faults += decoded.scenario.message_faults.empty() ? 0 : 1;
        cluster_sizes.insert(decoded.scenario.cluster.names.size());
        require_json_round_trip(decoded.scenario, decoded.seed);
    }
    // The decoder reaches its range, not one corner of it.
    REQUIRE(with_faults > 10);
    REQUIRE(cluster_sizes.size() == fuzz_limits.max_voters);
}

TEST_CASE("fuzz decode: the same bytes decode to the same run", "[fuzz]") {
    const std::vector<std::uint8_t> bytes = random_bytes(99, 120);
    const ClusterCase a = decode_cluster_case(bytes);
    const ClusterCase b = decode_cluster_case(bytes);
    REQUIRE(a.seed == b.seed);
    REQUIRE(scenarios::scenario_to_json(a.scenario) == scenarios::scenario_to_json(b.scenario));
    REQUIRE(fingerprint(a.scenario, a.seed) == fingerprint(b.scenario, b.seed));
}

TEST_CASE("fuzz decode: limits bound the steps and message faults", "[fuzz]") {
    CaseLimits limits = fuzz_limits;
    limits.max_steps = 3;
    limits.max_message_faults = 2;
    const ClusterCase decoded = decode_cluster_case(random_bytes(5, 4000), limits);
    // Three decoded steps plus the fixed epilogue.
    REQUIRE(decoded.scenario.steps.size() == 3 + epilogue_steps);
    REQUIRE(decoded.scenario.message_faults.size() <= 2);
}

TEST_CASE("fuzz decode: an op mask with only sleeps leaves every fault out", "[fuzz]") {
    CaseLimits limits = fuzz_limits;
    limits.enabled_ops = 0;
    const ClusterCase decoded = decode_cluster_case(random_bytes(6, 400), limits);
    REQUIRE(decoded.scenario.message_faults.empty());
    const std::size_t body = decoded.scenario.steps.size() - epilogue_steps;
    for (std::size_t i = 0; i < body; ++i) {
        REQUIRE(decoded.scenario.steps[i].kind == scenarios::Step::Kind::sleep);
    }
}

TEST_CASE("fuzz decode: version 3 draws the thesis vote rule when flag bits 4 and 5 are set",
          "[fuzz]") {
    // The flags byte is the header's sixth (after the seed and voters).
    for (const std::uint8_t flags : {0x00, 0x10, 0x20, 0x30, 0x3f, 0xf0, 0xcf}) {
        CAPTURE(flags);
        std::vector<std::uint8_t> bytes(21, 0);
        bytes[5] = flags;
        const ClusterCase decoded = decode_cluster_case(bytes);
        const bool thesis = (flags & 0x30) == 0x30;
        CHECK(decoded.scenario.raft.vote_rule ==
              (thesis ? core::VoteRule::thesis : core::VoteRule::hashicorp));
        CHECK(decoded.scenario.raft.pre_vote == ((flags & 1) != 0));
    }
    // About a quarter of random inputs (and so of swarm seeds) vote by it.
    std::size_t thesis_runs = 0;
    for (std::uint64_t seed = 1; seed <= 400; ++seed) {
        thesis_runs += decode_cluster_case(random_bytes(seed, 64)).scenario.raft.vote_rule ==
                               core::VoteRule::thesis
                           ? 1
                           : 0;
    }
    CHECK(thesis_runs > 60);
    CHECK(thesis_runs < 140);
}

TEST_CASE(
    "fuzz decode: version 4 draws key-value clients (with the system's read modes) and "
    "pauses in place of plain crashes",
    "[fuzz]") {
    REQUIRE(decoder_version >= 4);
    std::size_t with_clients = 0;
    std::size_t pauses = 0;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        const ClusterCase decoded = decode_cluster_case(random_bytes(seed, 600));
        const scenarios::Scenario& scenario = decoded.scenario;
        if (scenario.clients.clients > 0) {
            with_clients += 1;
            CHECK(scenario.state_machine == sim::StateMachineKind::kv);
            CHECK(scenario.clients.read_index_weight > 0);
            CHECK(scenario.clients.lease_read_weight > 0);
            CHECK(scenario.raft.lease_reads);
            // The lease allows for the widest drift the clock_drift op draws.
            CHECK(scenario.raft.clock_drift_bound_ppm == 100'000);
        }
        for (const scenarios::Step& step : scenario.steps) {
            if (step.kind == scenarios::Step::Kind::pause) {
                pauses += 1;
                CHECK(decoded.pauses);
                CHECK(step.duration_us == 3 * scenario.raft.election_timeout_us);
            }
        }
    }
    CHECK(with_clients > 60);  // one input in two
    CHECK(with_clients < 140);
    CHECK(pauses > 10);
    // A system without the read capabilities gets clients that read
    // through the log only.
    sut::Capabilities no_reads;
    no_reads.read_index = false;
    no_reads.lease_reads = false;
    for (std::uint64_t seed = 1; seed <= 50; ++seed) {
        const scenarios::Scenario scenario =
            decode_cluster_case(random_bytes(seed, 600), fuzz_limits, no_reads).scenario;
        CHECK(scenario.clients.read_index_weight == 0);
        CHECK(scenario.clients.lease_read_weight == 0);
        CHECK_FALSE(scenario.raft.lease_reads);
    }
}

// The wipe records of a run of `scenario`: how many were sanctioned and how
// many not.
std::pair<std::size_t, std::size_t> wipes_of(const scenarios::Scenario& scenario,
                                             std::uint64_t seed, bool& passed) {
    const scenarios::RunResult result =
        scenarios::run_scenario(scenario, {.seed = seed, .keep_trace = true});
    passed = result.passed;
    REQUIRE(result.simulation != nullptr);
    std::pair<std::size_t, std::size_t> counts{0, 0};
    for (const sim::TraceRecord& record : result.simulation->trace().records()) {
        if (record.kind == sim::TraceKind::wipe) {
            (record.a == 1 ? counts.first : counts.second) += 1;
        }
    }
    return counts;
}

TEST_CASE(
    "fuzz decode: version 5 draws torn crashes, slow links, and sanctioned wipes that "
    "follow a removal and are added back",
    "[fuzz]") {
    // Method: decode swarm-sized inputs; check each new draw's shape, then
    // run the first inputs with a wipe: a wipe that happens must be
    // sanctioned, and the runs pass.
    REQUIRE(decoder_version == 5);
    using Kind = scenarios::Step::Kind;
    std::size_t torn = 0;
    std::size_t slow_links = 0;
    std::size_t typed_links = 0;
    std::vector<ClusterCase> with_wipes;
    for (std::uint64_t seed = 1; seed <= 300; ++seed) {
        ClusterCase decoded = decode_cluster_case(random_bytes(seed, 1024), swarm_limits);
        const std::vector<scenarios::Step>& steps = decoded.scenario.steps;
        bool wipes = false;
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const scenarios::Step& step = steps[i];
            torn += step.kind == Kind::crash && step.torn ? 1 : 0;
            CHECK_FALSE((step.torn && step.lose_unsynced));
            slow_links += step.kind == Kind::slow_links ? 1 : 0;
            typed_links += step.kind == Kind::slow_links && !step.message_types.empty() ? 1 : 0;
            if (step.kind != Kind::wipe) {
                continue;
            }
            wipes = true;
            REQUIRE(step.optional);
            REQUIRE(i >= 1);
            REQUIRE(i + 2 < steps.size());
            const std::string& name = step.nodes.at(0).name;
            CHECK(steps[i - 1].kind == Kind::remove_server);
            CHECK(steps[i - 1].nodes.at(0).name == name);
            CHECK(steps[i + 1].kind == Kind::restart);
            CHECK(steps[i + 2].kind == Kind::add_voter);
            CHECK(steps[i + 2].nodes.at(0).name == name);
        }
        if (wipes) {
            with_wipes.push_back(std::move(decoded));
        }
    }
    CHECK(torn > 50);
    CHECK(slow_links > 20);
    CHECK(typed_links > 5);
    REQUIRE(with_wipes.size() > 20);
    std::size_t sanctioned = 0;
    for (std::size_t i = 0; i < 12; ++i) {
        bool passed = false;
        const auto [good, bad] = wipes_of(with_wipes[i].scenario, with_wipes[i].seed, passed);
        INFO("input " << i);
        CHECK(passed);
        CHECK(bad == 0);
        sanctioned += good;
    }
    CHECK(sanctioned > 3);
}

TEST_CASE("an optional wipe leaves a member alone and wipes a removed server", "[fuzz]") {
    // Method: the same steps with the removal before the optional wipe and
    // without it: the removed server is wiped (one sanctioned wipe record),
    // the member is left alone (no wipe record; ignoring `optional` would
    // make it an unsanctioned one).
    const auto run = [](const std::string& removal) {
        const std::string text = R"({"name": "w", "cluster": {"names": ["n1", "n2", "n3"]},
            "steps": [{"wait_for_leader": "10s"}, {"apply": 5}, )" +
                                 removal + R"({"wipe": "n3", "optional": true}]})";
        const scenarios::ParseResult parsed = scenarios::parse_scenario(text, "w.json");
        REQUIRE_FALSE(parsed.error.has_value());
        bool passed = false;
        const std::pair<std::size_t, std::size_t> wipes = wipes_of(*parsed.scenario, 1, passed);
        CHECK(passed);
        return wipes;
    };
    CHECK(run("") == std::pair<std::size_t, std::size_t>{0, 0});
    CHECK(run(R"({"remove_server": "n3"}, )") == std::pair<std::size_t, std::size_t>{1, 0});
}

TEST_CASE("fuzz decode: version 3 draws stale replays, as faults and as link rates", "[fuzz]") {
    // Method: decode many random inputs; replays must appear both as message
    // faults (late by more than an election timeout) and as the header's
    // link rate, in the bounds the decoder documents, and the epilogue's
    // calm network turns the rate off.
    REQUIRE(decoder_version >= 3);
    std::size_t replay_faults = 0;
    std::size_t replay_links = 0;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        const ClusterCase decoded = decode_cluster_case(random_bytes(seed, 600));
        const scenarios::Scenario& scenario = decoded.scenario;
        const sim::TimeUs election_us = scenario.raft.election_timeout_us;
        for (const sim::MessageFault& fault : scenario.message_faults) {
            if (fault.kind == sim::MessageFault::Kind::replay) {
                replay_faults += 1;
                REQUIRE(fault.delay_us > election_us);
                REQUIRE(fault.delay_us <= 65 * election_us);
            }
        }
        const sim::Ratio rate = scenario.network.stale_replay.value_or(sim::Ratio{});
        if (!rate.is_zero()) {
            replay_links += 1;
            REQUIRE(rate.numerator <= 8);
            REQUIRE(rate.denominator == 100);
            REQUIRE(scenario.network.stale_replay_delay_min_us == election_us);
            REQUIRE(scenario.network.stale_replay_delay_max_us == 16 * election_us);
        }
        const scenarios::Step& calm = scenario.steps[scenario.steps.size() - epilogue_steps + 2];
        REQUIRE(calm.kind == scenarios::Step::Kind::network);
        REQUIRE(calm.network.stale_replay.has_value());
        REQUIRE(calm.network.stale_replay->is_zero());
    }
    CHECK(replay_faults > 20);
    // A quarter of the network choices turn the rate on.
    CHECK(replay_links > 30);
    CHECK(replay_links < 70);
}

TEST_CASE("swarm: seeds differ in which fault kinds are on, and say so", "[fuzz]") {
    std::set<std::string> mixes;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        const scenarios::Scenario scenario = swarm_scenario(seed);
        REQUIRE(scenario.name == "swarm-" + std::to_string(seed));
        REQUIRE(scenario.description.find("fault kinds on:") != std::string::npos);
        mixes.insert(scenario.description.substr(scenario.description.find(':')));
    }
    REQUIRE(mixes.size() == 20);
}

TEST_CASE("swarm: a scenario is a function of its seed and round-trips through JSON", "[fuzz]") {
    for (std::uint64_t seed : {3U, 17U}) {
        REQUIRE(scenarios::scenario_to_json(swarm_scenario(seed)) ==
                scenarios::scenario_to_json(swarm_scenario(seed)));
        require_json_round_trip(swarm_scenario(seed), seed);
    }
}

// FNV-1a over the text of every swarm scenario of seeds 1..count, and of
// the decoder's cases of as many random inputs.
std::uint64_t decoded_text_hash(std::uint64_t count) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    const auto mix = [&hash](const std::string& text) {
        for (const char c : text) {
            hash = (hash ^ static_cast<std::uint8_t>(c)) * 0x100000001b3ULL;
        }
    };
    for (std::uint64_t seed = 1; seed <= count; ++seed) {
        mix(scenarios::scenario_to_json(swarm_scenario(seed)));
        mix(scenarios::scenario_to_json(decode_cluster_case(random_bytes(seed, 256)).scenario));
    }
    return hash;
}

TEST_CASE("swarm and the decoder: a seed means the same scenario in every build", "[fuzz]") {
    // Pinned: a swarm seed cited in a report, a finding or a CI log must
    // decode the same under gcc and clang, optimised or sanitized. (Two
    // draws in one expression once decoded differently with ASan; tidy now
    // refuses that.) A deliberate change to the draws bumps
    // cluster_case_format_version and this value together.
    CHECK(decoded_text_hash(60) == 0x693afb4f8c58876aULL);
}

// What a system without `capabilities` could not perform, anywhere in
// `scenario` (the decoder's steps are flat): "" if nothing.
std::string beyond(const scenarios::Scenario& scenario, const sut::Capabilities& capabilities) {
    using Kind = scenarios::Step::Kind;
    const scenarios::Step* found = nullptr;
    for (const scenarios::Step& step : scenario.steps) {
        const bool nonvoter = step.kind == Kind::add_nonvoter || step.kind == Kind::demote_voter ||
                              (step.kind == Kind::create_node && step.suffrage == "nonvoter");
        const bool needs =
            (nonvoter && !capabilities.nonvoters) ||
            (step.kind == Kind::transfer_leadership && !capabilities.leadership_transfer) ||
            (step.kind == Kind::snapshot && !capabilities.snapshot_on_demand);
        found = found == nullptr && needs ? &step : found;
    }
    const core::DurationConfig& raft = scenario.raft;
    if (found != nullptr) {
        return found->json_path;
    }
    if (raft.pre_vote && !capabilities.pre_vote) {
        return "raft.pre_vote";
    }
    if (raft.vote_rule != core::VoteRule::hashicorp && !capabilities.vote_rules) {
        return "raft.vote_rule";
    }
    return !raft.check_quorum && !capabilities.check_quorum_optional ? "raft.check_quorum" : "";
}

TEST_CASE("swarm and the decoder draw only what the system under test can perform", "[fuzz]") {
    // Method: each capability missing alone, then all of them, over swarm
    // seeds and random inputs: nothing drawn may need what is missing, and
    // what is left still varies (the ops' weight goes to the others).
    std::vector<sut::Capabilities> lacking;
    for (const sut::CapabilityInfo& info : sut::capability_info()) {
        sut::Capabilities capabilities;
        capabilities.*info.field = false;
        lacking.push_back(capabilities);
    }
    sut::Capabilities none;
    for (const sut::CapabilityInfo& info : sut::capability_info()) {
        none.*info.field = false;
    }
    lacking.push_back(none);
    for (const sut::Capabilities& capabilities : lacking) {
        CAPTURE(sut::describe_missing(capabilities));
        std::set<std::string> mixes;
        for (std::uint64_t seed = 1; seed <= 150; ++seed) {
            const scenarios::Scenario swarm = swarm_scenario(seed, capabilities);
            REQUIRE(beyond(swarm, capabilities).empty());
            mixes.insert(swarm.description.substr(swarm.description.find(':')));
            const ClusterCase decoded =
                decode_cluster_case(random_bytes(seed, 400), fuzz_limits, capabilities);
            REQUIRE(beyond(decoded.scenario, capabilities).empty());
        }
        CHECK(mixes.size() > 100);
    }
    // A swarm run for a system without transfers still passes.
    const scenarios::Scenario scenario = swarm_scenario(7, none);
    CHECK(scenarios::run_scenario(scenario, {.seed = 7}).passed);
}

}  // namespace
}  // namespace raftsim::fuzz
