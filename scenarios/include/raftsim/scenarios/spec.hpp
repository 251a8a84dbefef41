#pragma once
// A scenario as plain structs: what the JSON parser produces and the
// interpreter runs. Nothing here knows JSON; docs/scenarios.md documents the
// JSON form of every field.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raftsim/core/config.hpp"
#include "raftsim/sim/simulation.hpp"
#include "raftsim/sim/time.hpp"

namespace raftsim::scenarios {

/// A crash step's "after": "persist", "commit" or a message type's name, as
/// the simulator's trigger; nullopt for any other text.
[[nodiscard]] inline std::optional<sim::CrashTrigger> crash_trigger_named(std::string_view after,
                                                                          bool lose_unsynced,
                                                                          bool torn = false) {
    using Kind = sim::CrashTrigger::Kind;
    if (after == "persist" || after == "commit") {
        return sim::CrashTrigger{.kind = after == "persist" ? Kind::persist : Kind::commit,
                                 .lose_unsynced = lose_unsynced,
                                 .torn = torn};
    }
    for (std::uint8_t i = 0; i < core::message_type_count; ++i) {
        const auto type = static_cast<core::MessageType>(i);
        if (core::to_string(type) == after) {
            return sim::CrashTrigger{.kind = Kind::send,
                                     .message_type = type,
                                     .lose_unsynced = lose_unsynced,
                                     .torn = torn};
        }
    }
    return std::nullopt;
}

using sim::TimeUs;

/// Picks nodes when a step runs. JSON: "name", "leader", "followers", "all",
/// {"leader_plus": N}, {"leader_plus": {"random": [A, B]}}, {"random": K},
/// {"random": [A, B]}, {"follower": N}, {"group": NAME}.
struct NodeSelector {
    enum class Kind : std::uint8_t {
        name,         // the node called `name`
        leader,       // the current leader (none if there is none)
        followers,    // every node but the leader
        all,          // every node
        leader_plus,  // the leader and then others in id order: count in all
        random,       // `count` distinct nodes drawn at random
        follower,     // the count_min-th member that is not the leader, in id
                      // order (hashicorp's loops over cluster.nodes)
        group,        // the nodes a `partition ... "as": name` step cut off
    };
    Kind kind = Kind::name;
    std::string name;
    /// For leader_plus and random: the count is drawn uniformly from
    /// [count_min, count_max] (equal for a fixed count).
    std::uint32_t count_min = 0;
    std::uint32_t count_max = 0;
};

/// Overrides of the network's link settings; unset fields keep their value.
struct NetworkSpec {
    std::optional<TimeUs> latency_min_us;
    std::optional<TimeUs> latency_max_us;
    std::optional<sim::Ratio> drop;
    std::optional<sim::Ratio> duplicate;
    std::optional<sim::Ratio> reorder;
    std::optional<TimeUs> reorder_delay_max_us;
    std::optional<sim::Ratio> stale_replay;
    /// Set together: JSON "stale_replay_delay": [min, max].
    std::optional<TimeUs> stale_replay_delay_min_us;
    std::optional<TimeUs> stale_replay_delay_max_us;
    std::optional<std::uint32_t> queue_capacity;
};

struct Step;

struct Branch {
    std::uint32_t weight = 1;
    std::vector<Step> steps;
};

struct Step {
    enum class Kind : std::uint8_t {
        sleep,            // run for `duration_us`
        wait_for_leader,  // run until a leader exists; fails liveness at `duration_us`
        partition,        // partition off `nodes` as group `group`
        heal,             // heal group `group`
        heal_all,         // heal every partition and cut
        cut,              // one-way cut from `from` to `to`
        restore,          // undo a one-way cut
        slow_votes,       // delay votes to/from `nodes` by [delay_min, delay_max]
        clear_slow_votes,
        network,         // change link settings (`network`)
        crash,           // crash `nodes` (`lose_unsynced` or `torn`)
        restart,         // restart `nodes`
        clock_drift,     // set `drift_ppm` on `nodes`
        apply,           // hashicorp ApplyN: `count` commands, wait for outcomes
        start_workload,  // background applier, batches of `count`, think `duration_us`
        stop_workload,
        wait_until_up_to_date,  // hashicorp WaitTilUptoDate; fails liveness at `duration_us`
        repeat,                 // run `steps` `count` times
        one_of,                 // run one of `branches`, drawn by weight
        // Membership (hashicorp AddVoter, AddNonvoter, DemoteVoter,
        // RemoveServer): through the leader, retried until the change commits;
        // fails liveness at `duration_us` unless `optional`.
        add_voter,            // `nodes` join as staging, promoted once caught up
        add_nonvoter,         // `nodes` join as non-voters
        demote_voter,         // `nodes` lose their vote
        remove_server,        // `nodes` leave; they are no longer members
        create_node,          // hashicorp CreateAndAddNode: new empty server `name`,
                              // then add_voter / add_nonvoter per `suffrage`
        transfer_leadership,  // to `to` (kind leader_plus/name...) or any voter
                              // (`any_target`); waits for the outcome
        snapshot,             // `nodes` snapshot their state machine now
        membership_churn,     // `count` random changes, `duration_us` apart
        // Liveness beyond a deadline: heal every fault, keep a quorum up,
        // and hold the cluster to a leader, committed proposals, a finished
        // transfer and no extra election (sim::Simulation::run_calm).
        calm,  // for `duration_us` (or as long as the probes need)
        // The scenario's key-value clients ("clients"): start them, or let
        // them finish what they have outstanding and start nothing more.
        start_clients,
        stop_clients,
        // A process pause of `nodes` for `duration_us` (sim::Simulation::pause).
        pause,
        // Amnesia: `nodes` crash and their disks are wiped
        // (sim::Simulation::wipe); a restart brings them back empty.
        wipe,
        // Links from `from` to `to` slower by [delay_min, delay_max], for
        // every message (FIFO) or `message_types` (sim::SlowLink).
        slow_links,
        clear_slow_links,
    };
    Kind kind = Kind::sleep;
    /// Where the step came from in its file ("steps[3].repeat.steps[1]").
    std::string json_path;
    TimeUs duration_us = 0;
    std::vector<NodeSelector> nodes;
    std::string group;
    NodeSelector from;
    NodeSelector to;
    sim::SlowVoteMode slow_mode = sim::SlowVoteMode::send;
    TimeUs delay_min_us = 0;
    TimeUs delay_max_us = 0;
    /// slow_links: the message types it slows, in the file's order; empty
    /// for every message.
    std::vector<core::MessageType> message_types;
    NetworkSpec network;
    bool lose_unsynced = false;
    /// crash: a torn write -- a prefix of the unsynced writes survives
    /// (sim::UnsyncedWrites::torn); never with lose_unsynced.
    bool torn = false;
    /// crash: "" crashes now; "persist", "commit" or a message type's name
    /// ("request_vote_response", ...) arms a crash right after the node
    /// next does that (sim::CrashTrigger).
    std::string crash_after;
    std::int32_t drift_ppm = 0;
    std::uint32_t count = 0;
    std::vector<Step> steps;
    std::vector<Branch> branches;
    /// For wait_for_leader / wait_until_up_to_date / membership steps /
    /// transfer_leadership: a miss is not a failure.
    bool optional = false;
    /// create_node: the new server's name; transfer_leadership: "" = any.
    std::string name;
    /// create_node: how it joins ("voter", "nonvoter", or "none" = not added).
    std::string suffrage = "voter";
    /// transfer_leadership: true when no target is named (most up to date).
    bool any_target = false;
    /// An identity raftsim shrink gives each step (0: none), so a failure
    /// stays tied to its step while removals renumber every json_path. The
    /// parser, the writer and the interpreter ignore it.
    std::uint64_t id = 0;
};

struct ClusterSpec {
    /// Node names, bootstrapped as voters with ids 1..n in this order.
    std::vector<std::string> names;
    TimeUs tick_us = 10 * sim::us_per_ms;
    TimeUs disk_sync_us = 0;
};

struct WorkloadSpec {
    /// The apply source's name (hashicorp newApplySource); defaults to the
    /// scenario's name.
    std::string source;
    std::uint32_t batch = 5;
    /// JSON "think": the pause between a resolved batch and the next. Short
    /// by default (a saturating client); longer paces the workload.
    TimeUs think_us = sim::default_think_us;
    /// Start the background applier before the first step.
    bool continuous = false;
};

struct ChecksSpec {
    /// Run VerifyLog / VerifyFSM after the last step. The online safety
    /// checkers always run and cannot be turned off.
    bool verify = true;
    /// How long the final check waits for logs to settle.
    TimeUs settle_us = 60 * sim::us_per_second;
    /// JSON "black_box": the core's own assertions are counted and let
    /// pass, so only the checkers can fail the run (sim::SimOptions::
    /// black_box; `raftsim run --black-box` sets it).
    bool black_box = false;
};

/// JSON "limits": bounds on one run (sim::RunLimits). A run that reaches
/// one fails with a `limit` violation of that kind; every field defaults to
/// the simulator's default, and the parser refuses values outside
/// [1, the maximum] (docs/scenarios.md).
struct LimitsSpec {
    static constexpr std::uint64_t default_events = sim::default_limit_events;
    static constexpr TimeUs default_simulated_time_us = sim::default_limit_simulated_time_us;
    static constexpr std::uint64_t default_steps = sim::default_limit_steps;
    static constexpr std::uint64_t default_requests = sim::default_limit_requests;
    /// The largest limits a scenario (or the command line) may ask for: ten
    /// times the defaults. A limit may be raised, but not so far that it
    /// stops bounding the run's time and memory (a failing run is re-run
    /// keeping a trace record per event). Simulated time is a duration, so
    /// it is at most 1000h like any other.
    static constexpr std::uint64_t max_events = 10 * default_events;
    static constexpr std::uint64_t max_steps = 10 * default_steps;
    static constexpr std::uint64_t max_requests = 10 * default_requests;
    static constexpr TimeUs max_simulated_time_us = 1000ULL * 3600 * sim::us_per_second;

    /// Simulator events processed.
    std::uint64_t events = default_events;
    /// JSON "simulated_time": how far simulated time may go.
    TimeUs simulated_time_us = default_simulated_time_us;
    /// Steps executed: each leaf step, each repeat iteration, each
    /// membership_churn round.
    std::uint64_t steps = default_steps;
    /// Client requests submitted (apply and the workload).
    std::uint64_t requests = default_requests;

    friend bool operator==(const LimitsSpec&, const LimitsSpec&) = default;
};

/// JSON "expect": one entry. A kept finding fails on purpose for a system
/// under test and a seed; `raftsim run` reports that failure as expected
/// (it does not fail the sweep) while the entry applies, and fails the
/// sweep if the run passes instead (docs/scenarios.md, "expect").
struct ExpectedFailure {
    /// The system under test it is about (`--sut`); a name this build may
    /// lack, since a file outlives builds.
    std::string sut = "raftsim";
    std::uint64_t seed = 0;
    /// JSON "fails_with": the violation's checker and kind.
    std::string checker{};
    std::string kind{};
    /// The system's version that fixes it ("0.17.1"); empty: not fixed.
    /// A build of that version or later must pass the seed instead.
    std::string fixed_in{};
    /// Why it fails, for people.
    std::string why{};

    friend bool operator==(const ExpectedFailure&, const ExpectedFailure&) = default;
};

struct Scenario {
    /// JSON "$schema": where an editor finds the JSON Schema of the format
    /// (scenarios/schema/scenario.schema.json). raftsim does not read it;
    /// the writer puts it first when it is not empty.
    std::string schema;
    std::string name;
    std::string description;
    /// The file it was read from (for errors and artifacts).
    std::string source_path;
    ClusterSpec cluster;
    core::DurationConfig raft;
    NetworkSpec network;
    WorkloadSpec workload;
    /// JSON "state_machine": "hash_chain" (default) or "kv"; "clients"
    /// makes it "kv" when it is not given.
    sim::StateMachineKind state_machine = sim::StateMachineKind::hash_chain;
    /// JSON "clients": Jepsen-style key-value clients (count 0: none).
    sim::KvClientOptions clients{};
    std::vector<Step> steps;
    /// JSON "message_faults": [{"message": N, "drop": true} |
    /// {"message": N, "duplicate": true} | {"message": N, "delay": "30ms"} |
    /// {"message": N, "replay": "5s"}],
    /// faults aimed at the N-th message sent in the run (sim::MessageFault).
    /// The fuzzer's schedules use them; message numbers are unique.
    std::vector<sim::MessageFault> message_faults;
    ChecksSpec checks;
    LimitsSpec limits;
    /// JSON "expect": at most one entry per (sut, seed), in file order.
    std::vector<ExpectedFailure> expect;
};

}  // namespace raftsim::scenarios
