#pragma once
// The deterministic discrete-event simulator. A run is a pure function of
// (SimOptions, the calls made on it, build): one root seed derives every
// random stream (network, nodes, scenario choices), time is an integer,
// events are ordered by (time, sequence number), and nothing reads a clock.
//
// Hosts follow the Ready contract: write, sync, then send, apply, advance.
// With disk_sync_us > 0 a write takes that long to become durable; a crash
// in between keeps it, loses it or keeps a prefix of it (crash(node, fate)).

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/node.hpp"
#include "raftsim/core/prng.hpp"
#include "raftsim/sim/apply_source.hpp"
#include "raftsim/sim/checkers.hpp"
#include "raftsim/sim/event_queue.hpp"
#include "raftsim/sim/history/linearizability.hpp"
#include "raftsim/sim/host.hpp"
#include "raftsim/sim/kv/clients.hpp"
#include "raftsim/sim/network.hpp"
#include "raftsim/sim/observer.hpp"
#include "raftsim/sim/progress.hpp"
#include "raftsim/sim/time.hpp"
#include "raftsim/sim/trace.hpp"
#include "raftsim/sut/system.hpp"

namespace raftsim::sim {

// Per-run bounds, the defaults of RunLimits and of a scenario's "limits",
// each at least 10x the most any run of the built-in suite (seeds 1..20) or
// the swarm sweep (seeds 1..300) used: 312,372 events (MembershipChurn seed
// 13), 377 s of simulated time (VoteCrash seed 11), 6,507 steps (VoteCrash
// seed 1), 67,845 requests (PreVotePartitions seed 14). The events limit
// also bounds a failing run's trace, which is re-run keeping every record;
// the requests limit bounds the client history, the logs and state machines
// (docs/invariants.md has the memory measured at each limit).
inline constexpr std::uint64_t default_limit_events = 4'000'000;
inline constexpr TimeUs default_limit_simulated_time_us = 2 * 3'600 * us_per_second;
inline constexpr std::uint64_t default_limit_steps = 100'000;
inline constexpr std::uint64_t default_limit_requests = 700'000;
/// Messages a paused node's inbox holds (Simulation::pause), like a socket
/// buffer; more are dropped.
inline constexpr std::size_t pause_inbox_max = 4096;

/// Bounds on one run, so every input finishes: reaching one is a
/// Checker::limit violation of that LimitKind, not a Raft failure, and
/// like any violation it replays exactly (docs/invariants.md).
struct RunLimits {
    /// Simulator events processed; the run fails when one more is due.
    std::uint64_t events = default_limit_events;
    /// Simulated time may reach this but not pass it, also not by the
    /// jump of a long sleep or wait.
    TimeUs simulated_time_us = default_limit_simulated_time_us;
    /// Scenario steps executed (count_step): every leaf step, every repeat
    /// iteration, every membership_churn round.
    std::uint64_t steps = default_limit_steps;
    /// Client requests submitted (history()), the run's memory stand-in.
    std::uint64_t requests = default_limit_requests;
};

/// Which RunLimits bound a run reached; its name is the violation's kind.
enum class LimitKind : std::uint8_t { events, simulated_time, steps, requests };

[[nodiscard]] std::string_view to_string(LimitKind kind) noexcept;

struct SimOptions {
    /// The bootstrap voters, given ids 1..n in this order.
    std::vector<std::string> names;
    /// The Raft implementation under test (nullptr: raftsim's own core).
    /// It must outlive the simulation.
    const sut::System* system = nullptr;
    core::Config raft;
    TimeUs tick_us = 10 * us_per_ms;
    /// How long a write takes to become durable; 0 = within the same event.
    TimeUs disk_sync_us = 0;
    LinkConfig link;
    /// Faults aimed at single messages by number (MessageFault).
    std::vector<MessageFault> message_faults{};
    std::uint64_t seed = 1;
    bool keep_trace = false;
    /// Names the seeded command source (hashicorp's newApplySource).
    std::string apply_source = "raftsim";
    /// The servers' state machine; key-value clients need StateMachineKind::kv.
    StateMachineKind state_machine = StateMachineKind::hash_chain;
    /// Jepsen-style key-value clients (none by default).
    KvClientOptions kv_clients{};
    /// Bounds on the linearizability check of their history.
    CheckLimits linearizability_limits{};
    /// Debug, for tests: keep when each key-value command was first applied
    /// (kv_commits()), and have check_client_history also check the history
    /// resolved with that knowledge (resolve_history), asserting the two
    /// verdicts do not contradict each other. The runs raftsim makes leave
    /// it off and pay nothing for it; it changes no event and no trace record.
    bool cross_check_history = false;
    /// Whether the leader_lease checker holds leaders to their lease; by
    /// default exactly when the core's check_quorum is on. Tests set it
    /// apart from the core's switch to show the checker fires.
    std::optional<bool> expect_leader_lease{};
    /// Stop after this many events (0: no limit), with no violation: the
    /// run is then halted(). raftsim shrink uses it so a candidate that has
    /// not failed by the best failure's event count costs no more than that.
    /// Unlike limits.events, reaching it is not a failure.
    std::uint64_t max_events = 0;
    /// Reaching one of these fails the run (Checker::limit).
    RunLimits limits{};
    /// Black-box mode: the core's failed RAFT_ASSERTs are counted and the
    /// run goes on, so only the checkers can fail it (the simulator's own
    /// assertions still stop it). docs/invariants.md.
    bool black_box = false;
    /// Where to publish how far the run has got, as each event starts
    /// (progress.hpp: a worker's page its parent reads if the worker dies).
    /// Only written; the run is the same without it.
    RunProgress* progress = nullptr;
};

/// Core assertions black-box mode let pass in one run.
struct IgnoredAsserts {
    std::uint64_t count = 0;
    /// The first one: "EXPR (FILE:LINE)".
    std::string first;
};

/// A workload's pause between a resolved batch and the next, by default.
inline constexpr TimeUs default_think_us = 100;

enum class ClientOutcome : std::uint8_t {
    pending,
    success,
    not_leader,
    too_many_uncommitted,
    /// Leadership changed before the entry committed; it may still commit.
    leadership_lost,
    /// The server holding the request crashed; it may still commit.
    node_crashed,
};

[[nodiscard]] std::string_view to_string(ClientOutcome outcome) noexcept;

struct ClientRequest {
    core::RequestId id = 0;
    core::NodeId node = 0;
    TimeUs submitted_us = 0;
    TimeUs resolved_us = 0;
    ClientOutcome outcome = ClientOutcome::pending;
    core::Index index = 0;
    core::Term term = 0;
    core::Payload data;
};

/// How a membership change ended (Simulation::change_membership).
enum class ChangeOutcome : std::uint8_t {
    /// The change's entry committed (for add_voter: and the server was
    /// promoted to voter), or there was nothing left to change.
    committed,
    /// The leader refused it for good (for instance no_voters_left).
    refused,
    /// The deadline passed first.
    timed_out,
};

[[nodiscard]] std::string_view to_string(ChangeOutcome outcome) noexcept;

struct ChangeReport {
    ChangeOutcome outcome = ChangeOutcome::timed_out;
    /// The last refusal seen (none if the change was appended).
    core::ChangeError last_error = core::ChangeError::none;
    /// Proposals made (one per leader or retry).
    std::uint32_t attempts = 0;
};

struct TransferReport {
    /// Why the leader refused to start, if it did.
    core::TransferError error = core::TransferError::none;
    /// The outcome, if one arrived before the deadline.
    std::optional<core::TransferResult> result{};
};

/// How a calm period went (Simulation::run_calm).
struct CalmOutcome {
    bool ok = true;
    /// calm_no_leader, calm_election_storm, calm_proposals_failed,
    /// calm_transfer_failed or calm_extra_elections.
    std::string kind;
    std::string detail;
};

/// A calm period's deadlines, derived from the configured timeouts.
struct CalmBounds {
    /// From the start (or a transfer) to a leader every up member follows;
    /// also the bound for proposals to commit and a transfer to end.
    TimeUs leader_us = 0;
    /// Commands proposed by each proposal probe.
    std::uint32_t proposals = 3;
};

/// A calm period's verdicts, apart from the simulation that tallies their
/// inputs, so each can be fed a crafted bad tally in a test
/// (tests/sim/calm_test.cpp) -- a correct core never produces most of them.
namespace calm {

/// Leaders elected between the faults healing and a stable leader: two, plus
/// one per up member without pre-vote (each may disrupt once on rejoining
/// with a higher term, thesis §9.6). More is calm_election_storm.
[[nodiscard]] std::uint64_t settling_elections_allowed(bool pre_vote, std::size_t up_members);
[[nodiscard]] CalmOutcome judge_settling(std::uint64_t elected, bool pre_vote,
                                         std::size_t up_members);

/// calm_proposals_failed unless all `proposed` commands committed; `outcomes`
/// are the requests' results, for the report.
[[nodiscard]] CalmOutcome judge_proposals(std::uint64_t committed, std::uint32_t proposed,
                                          const std::vector<ClientOutcome>& outcomes,
                                          TimeUs bound_us, std::string_view when);

/// What became of the calm period's leadership transfer.
struct TransferTally {
    /// Whether the transfer reported an outcome before the bound.
    std::optional<core::TransferOutcome> outcome{};
    /// The target (0: the leader's pick), and whether it was up.
    std::string target_name;
    bool target_up = true;
    /// The network and disk leave an election well inside the timeout.
    bool roomy = true;
    /// The target went on to lead, with every up member following it.
    bool target_leads = false;
};
/// calm_transfer_failed: a transfer with no outcome, or one to an up target
/// that did not end with the target leading while an election had room.
[[nodiscard]] CalmOutcome judge_transfer(const TransferTally& tally, TimeUs bound_us);

/// calm_extra_elections: leaders elected after the cluster settled beyond
/// the ones the transfer accounts for.
[[nodiscard]] CalmOutcome judge_stable_period(std::uint64_t elected, std::uint64_t allowed);

}  // namespace calm

/// The queue events a run has processed, by what they came to: counting
/// only, read by benchmarks that count events the way another simulator
/// does (bench/issue17_bench.cpp), never by the run itself.
struct EventCounts {
    /// Tick events popped (a crashed incarnation's included).
    std::uint64_t ticks = 0;
    /// Delivery events popped, and of those the messages handed to their
    /// receiver (the rest were dropped on arrival).
    std::uint64_t deliveries = 0;
    std::uint64_t handed = 0;
    /// Wake-up events popped, by the token the system under test asked
    /// with; tokens from wake_tokens_counted up share the last slot.
    static constexpr std::size_t wake_tokens_counted = 3;
    std::array<std::uint64_t, wake_tokens_counted + 1> wakes{};
    /// Client timer events popped.
    std::uint64_t client = 0;
};

enum class SlowVoteMode : std::uint8_t {
    /// RequestVote to a slow node is delayed (hashicorp SlowSendVote).
    send,
    /// A slow node's vote response is delayed (hashicorp SlowRecvVote).
    recv,
};

class Simulation {
  public:
    explicit Simulation(SimOptions options);
    ~Simulation();
    Simulation(const Simulation&) = delete;
    Simulation& operator=(const Simulation&) = delete;

    // Running. Every call stops early once a checker has failed, a run
    // limit was reached (SimOptions::limits, which fails the run) or
    // SimOptions::max_events halted it.
    [[nodiscard]] TimeUs now() const noexcept { return now_; }
    /// The event that would run next (nullopt: none is due). After a run
    /// halted at SimOptions::max_events, the one a crash happened in.
    [[nodiscard]] std::optional<Event> next_event() const {
        return queue_.empty() ? std::nullopt : std::optional<Event>(queue_.peek());
    }
    /// The message a deliver event carries (Event::payload is its slot),
    /// and whether it is a stale replay's late copy; nullptr for a slot
    /// not in flight.
    [[nodiscard]] const core::Message* in_flight(std::uint64_t slot) const noexcept {
        return slot < slab_.size() ? &slab_[slot] : nullptr;
    }
    [[nodiscard]] bool is_late_copy(std::uint64_t slot) const noexcept {
        return slot < fault_late_.size() && (fault_late_[slot] & late_copy_bit) != 0;
    }
    /// Runs every event up to now + duration; time is then exactly that,
    /// unless that is past RunLimits::simulated_time_us: the run then
    /// fails at the limit.
    void run_for(TimeUs duration);
    /// Runs until `done()` or `deadline` (absolute); returns done(). A
    /// deadline past RunLimits::simulated_time_us fails the run at the
    /// limit if `done()` has not come true by then.
    bool run_until(const std::function<bool()>& done, TimeUs deadline);
    /// The run is over early: a checker failed, or it was halted.
    [[nodiscard]] bool failed() const noexcept { return checkers_.failed() || halted_; }
    /// SimOptions::max_events stopped the run (violation() is then empty).
    [[nodiscard]] bool halted() const noexcept { return halted_; }
    [[nodiscard]] const std::optional<Violation>& violation() const noexcept {
        return checkers_.violation();
    }
    /// Black-box mode: the core assertions that failed and were let pass.
    [[nodiscard]] const IgnoredAsserts& ignored_asserts() const noexcept;
    /// Records a violation found outside the online checkers (a scenario's
    /// liveness deadline, the final checks).
    void fail(Checker checker, std::string_view kind, std::string detail);

    // Nodes.
    [[nodiscard]] std::vector<core::NodeId> ids() const;
    [[nodiscard]] core::NodeId id_of(std::string_view name) const;
    [[nodiscard]] const std::string& name_of(core::NodeId id) const;
    [[nodiscard]] const Host& host(core::NodeId id) const;
    [[nodiscard]] bool is_up(core::NodeId id) const { return host(id).is_up(); }
    /// The first node (in id order) that is up and believes it leads, as
    /// hashicorp fuzzy's cluster.Leader(); 0 if none.
    [[nodiscard]] core::NodeId leader() const;
    /// The leader (if any) and then other nodes in id order, `count` in all
    /// (hashicorp LeaderPlus).
    [[nodiscard]] std::vector<core::NodeId> leader_plus(std::size_t count) const;

    // Faults.
    [[nodiscard]] std::uint32_t partition_off(const std::vector<core::NodeId>& nodes);
    void heal(std::uint32_t group);
    void heal_all();
    void cut(core::NodeId from, core::NodeId to);
    void restore(core::NodeId from, core::NodeId to);
    void set_link(const LinkConfig& link);
    [[nodiscard]] const LinkConfig& link() const noexcept { return network_.default_link(); }
    void set_slow_votes(SlowVoteMode mode, const std::vector<core::NodeId>& nodes,
                        TimeUs delay_min_us, TimeUs delay_max_us);
    void clear_slow_votes();
    /// One direction of one link slower (sim::SlowLink): every message, or
    /// the types of `slow.type_mask`; replaces what was set on that link.
    void set_slow_link(core::NodeId from, core::NodeId to, const SlowLink& slow);
    /// Every link ordinary again (a `slow_link` record only if one was slow).
    void clear_slow_links();
    /// Crash `id`; `fate` says what becomes of its unsynced writes (a torn
    /// crash draws how many units survive, uniformly, from a stream of its own).
    void crash(core::NodeId id, UnsyncedWrites fate);
    void crash(core::NodeId id, bool lose_unsynced) {
        crash(id, lose_unsynced ? UnsyncedWrites::lost : UnsyncedWrites::kept);
    }
    /// Crash `id` right after the event `trigger` names (once; a crash for
    /// another reason disarms it).
    void arm_crash(core::NodeId id, const CrashTrigger& trigger);
    void restart(core::NodeId id);
    /// Amnesia: `id` crashes (losing its unsynced writes) and its disk is
    /// wiped; a restart brings it back with nothing -- no log, snapshot,
    /// term or vote. Sanctioned when the committed configuration no longer
    /// holds it (remove -> wipe -> re-add: it rejoins as a new server);
    /// otherwise unsafe for any Raft, and the checkers keep what it promised
    /// (sim/src/simulation_wipe.cpp).
    void wipe(core::NodeId id);
    void set_clock_drift(core::NodeId id, std::int32_t drift_ppm);
    /// A process pause (a GC pause, SIGSTOP): for `duration_us` the node
    /// gets no ticks, messages or wake-ups while time and the network go
    /// on; its messages wait in its inbox (at most pause_inbox_max, then
    /// dropped as paused_inbox_full) and requests wait as for a busy node.
    /// On resume it gets, in this order: every tick it missed (its clock,
    /// like a monotonic one, kept running), then the held messages in
    /// arrival order, then the held wake-ups -- so a paused leader resumes
    /// believing it leads, and finds out from its own clock first. A crash
    /// ends a pause, discarding what was held. Ignored for a node down or
    /// already paused.
    void pause(core::NodeId id, TimeUs duration_us);
    /// Ends a pause now (calm periods and the final checks end them all).
    void resume(core::NodeId id);
    void resume_all();
    [[nodiscard]] bool paused(core::NodeId id) const { return host(id).paused; }

    // Client.
    /// hashicorp ApplyN: waits for a leader, proposes `count` commands to it
    /// and runs until each has an outcome; returns how many succeeded.
    std::uint64_t apply_n(std::uint32_t count, TimeUs deadline);
    /// A background applier proposing batches of `batch` whenever a leader
    /// exists, `think_us` after the previous batch is resolved.
    void start_workload(std::uint32_t batch, TimeUs think_us = default_think_us);
    void stop_workload();
    /// hashicorp WaitTilUptoDate: every member up and applied to the same
    /// index, at least the last successful apply. False at the deadline.
    bool wait_until_up_to_date(TimeUs deadline);
    [[nodiscard]] const std::vector<ClientRequest>& history() const noexcept { return history_; }
    [[nodiscard]] std::uint64_t successes() const noexcept { return successes_; }

    // Key-value clients (simulation_kv.cpp, sim/kv/clients.hpp).
    /// Starts the SimOptions::kv_clients (each begins after a think time).
    void start_clients();
    /// No client starts another operation; outstanding ones still end.
    void stop_clients();
    /// Their operations so far; pending ones as indeterminate, given up now.
    [[nodiscard]] std::vector<Operation> client_history() const {
        return kv_clients_.history(now_);
    }
    /// Checks the clients' history for linearizability (once, at the end
    /// of a run): a not_linearizable verdict fails the run; unknown (a cap
    /// hit) does not, and is kept for the reports.
    void check_client_history();
    /// The verdict, once check_client_history ran on a history with operations.
    [[nodiscard]] const std::optional<LinearizabilityResult>& linearizability() const noexcept {
        return linearizability_;
    }
    /// With SimOptions::cross_check_history: each key-value command applied
    /// so far, by operation, with its first apply's time and answer.
    [[nodiscard]] const std::map<OperationId, KvCommit>& kv_commits() const noexcept {
        return kv_commits_;
    }
    /// With SimOptions::cross_check_history: the verdict on the history
    /// resolved with kv_commits() (Tighten::answered_too), once
    /// check_client_history ran.
    [[nodiscard]] const std::optional<LinearizabilityResult>& resolved_linearizability()
        const noexcept {
        return resolved_linearizability_;
    }

    // Membership, transfer, snapshots.
    /// hashicorp CreateAndAddNode's first half: a new server with empty
    /// storage and no configuration; it waits to hear from a leader and is
    /// a member once a committed configuration holds it. Returns its id.
    core::NodeId create_node(std::string name);
    /// Proposes the change to the leader, retrying on other leaders and on
    /// transient refusals, until it commits or `deadline`.
    ChangeReport change_membership(core::ChangeKind kind, core::NodeId server, TimeUs deadline);
    /// Asks the leader to hand over to `target` (0 = the most up-to-date
    /// voter) and runs until the outcome or `deadline`.
    TransferReport transfer_leadership(core::NodeId target, TimeUs deadline);
    /// The node's host snapshots its state machine now (if up and idle).
    void take_snapshot(core::NodeId id);
    /// Members: the servers of the latest committed configuration seen.
    [[nodiscard]] bool is_member(core::NodeId id) const { return host(id).member; }
    /// Whether wiping `id` now would be sanctioned: the configuration the
    /// leader last committed no longer holds it (Simulation::wipe).
    [[nodiscard]] bool wipe_is_sanctioned(core::NodeId id) const {
        return members_configuration_.find(id) == nullptr;
    }
    [[nodiscard]] std::vector<core::NodeId> members() const;

    /// A calm period (docs/scenarios.md, "calm"): heals the network, brings
    /// a quorum of the member voters up (a minority may stay down), then
    /// holds the cluster to liveness within CalmBounds: a leader; proposals
    /// commit; a transfer ends (and completes, to an up target); and no
    /// leader is elected in the period but the transfer's. Runs `duration`
    /// in all, or longer if the probes need it. A running workload pauses
    /// meanwhile (quiet means no overload) and resumes after.
    [[nodiscard]] CalmOutcome run_calm(TimeUs duration);
    [[nodiscard]] CalmBounds calm_bounds() const;
    /// Leaders elected so far (role changes to leader observed).
    [[nodiscard]] std::uint64_t leaders_elected() const noexcept { return leaders_elected_; }

    /// End of run (hashicorp VerifyLog + VerifyFSM over the members): waits
    /// up to `deadline` for logs to settle, then compares them.
    void verify(TimeUs deadline);

    // Observers.
    [[nodiscard]] const Trace& trace() const noexcept { return trace_; }
    [[nodiscard]] std::uint64_t events() const noexcept { return events_; }
    /// The queue events run so far by what they were (EventCounts).
    [[nodiscard]] const EventCounts& event_counts() const noexcept { return event_counts_; }
    [[nodiscard]] core::Prng& scenario_prng() noexcept { return scenario_prng_; }
    [[nodiscard]] const Checkers& checkers() const noexcept { return checkers_; }
    /// Hands the observation stream to `observer` as well as the checkers
    /// (nullptr: to nobody else). Set it before the run starts; it must
    /// outlive the run.
    void set_observer(Observer* observer) noexcept { observer_ = observer; }
    /// Marks the start of scenario step `number` in the trace.
    void mark_step(std::uint64_t number);
    /// Counts one scenario step (a leaf step, a repeat iteration, a
    /// membership_churn round) against RunLimits::steps: false, and the run
    /// fails, if the limit was already reached. Writes no trace record.
    [[nodiscard]] bool count_step();
    /// Scenario steps counted so far.
    [[nodiscard]] std::uint64_t steps() const noexcept { return steps_; }
    /// Runs a scenario step's calls (faults, proposals, restarts): a failed
    /// assertion inside becomes a core_assert violation, as within events.
    void run_step(const std::function<void()>& work) {
        guarded(0, work);
        crash_triggered();
    }

  private:
    friend class HostEnv;

    Host& mutable_host(core::NodeId id);
    [[nodiscard]] sut::NodeSetup node_setup(const Host& host) const;
    /// Gives `host` its node-side Env, once.
    void attach_env(Host& host);
    [[nodiscard]] TimeUs tick_period(const Host& host) const;
    void schedule_tick(Host& host, TimeUs delay_us);
    void process(const Event& event);
    void guarded_process(const Event& event);
    /// Whether the next event may run: false once RunLimits::events is
    /// reached (which fails the run) or SimOptions::max_events (which
    /// halts it).
    [[nodiscard]] bool may_run_event();
    /// Stores events_ and now_ into SimOptions::progress, if set.
    void publish_progress() noexcept;
    /// Sets halted_ once events_ reaches SimOptions::max_events.
    [[nodiscard]] bool reached_event_limit();
    /// Fails the run for reaching `kind`'s limit, naming it and how to
    /// raise it.
    void fail_limit(LimitKind kind);
    /// The deadline clipped to RunLimits::simulated_time_us.
    [[nodiscard]] TimeUs within_time_limit(TimeUs deadline) const noexcept {
        return std::min(deadline, options_.limits.simulated_time_us);
    }
    /// Runs `work` for `node`; a failed assertion inside becomes a
    /// core_assert violation instead of escaping the simulator.
    void guarded(core::NodeId node, const std::function<void()>& work);
    void report_storage_breach(const Host& host);
    void report_storage_breaches();
    void on_tick(const Event& event);
    void on_deliver(const Event& event);
    void on_wake(const Event& event);
    void on_client_timer(const Event& event);
    void on_resume(const Event& event);
    /// Hands a delivered message (slab `slot`) to the node, or holds it
    /// while the node is paused.
    void hand_to_node(Host& host, std::uint32_t slot);
    /// Discards what a pause held (a crash).
    void drop_pause(Host& host);
    void check_leader_lease(Host& host);
    void track_lease_configuration(Host& host);
    void observe_progress(const Host& host);
    void send(core::Message&& message);
    void apply_committed(Host& host, const std::vector<core::Entry>& entries);
    void on_request_results(Host& host, const std::vector<core::RequestResult>& results);
    void on_change_result(Host& host, const core::RequestResult& result);
    void on_transfer_results(Host& host, const std::vector<core::TransferResult>& results);
    void observe_leader(Host& host, core::Index commit_before);
    void restore_snapshot(Host& host, const core::Snapshot& snapshot);
    void maybe_auto_snapshot(Host& host);
    void update_members(const sut::Node& leader);
    [[nodiscard]] bool propose_change(core::ChangeKind kind, core::NodeId server,
                                      ChangeReport& report);
    [[nodiscard]] bool change_done(core::ChangeKind kind, core::NodeId server) const;
    [[nodiscard]] core::NodeId ready_leader() const;
    std::uint32_t submit_batch(std::uint32_t count);
    void arm_client_timer(TimeUs delay_us);
    void resolve_pending_on(core::NodeId node, ClientOutcome outcome);
    void on_resolved(const ClientRequest& request);
    [[nodiscard]] bool up_to_date() const;
    [[nodiscard]] bool settled() const;
    /// Why not settled(): the members behind, and where they are.
    [[nodiscard]] std::string unsettled_members() const;
    void record(const TraceRecord& record);

    // Key-value clients and state machine (simulation_kv.cpp).
    void arm_kv_client(ClientId client, TimeUs delay_us);
    void on_kv_client_timer(ClientId client, std::uint32_t generation);
    void kv_client_invoke(ClientId client);
    void on_kv_result(Host& host, const core::RequestResult& result);
    /// Starts `command` (a get) as a read without a log entry.
    [[nodiscard]] bool kv_start_read(Host& server, ClientId client, const KvCommand& command);
    void kv_refused(Host& server, ClientId client, const KvCommand& command, std::uint64_t error);
    void on_read_results(Host& host, const std::vector<core::ReadResult>& results);
    /// Completes `id` with `answer` from `host`.
    void complete_kv_operation(Host& host, OperationId id, const KvResponse& answer);
    /// Ends `id` without an answer and points its client elsewhere.
    void give_up_kv_operation(OperationId id, core::NodeId redirect);
    void apply_kv(Host& host, const core::Entry& entry);
    /// The crashed server's clients learn nothing more of their operations.
    void kv_on_crash(Host& host);
    void cross_check_client_history(const std::vector<Operation>& operations);
    [[nodiscard]] core::Payload fsm_snapshot(const Host& host) const;
    void record_client(ClientEvent event, core::NodeId node, std::uint64_t a, std::uint64_t b,
                       std::uint64_t c);
    [[nodiscard]] std::uint64_t node_mask(const std::vector<core::NodeId>& nodes) const;

    SimOptions options_;
    const sut::System& system_;
    TimeUs now_ = 0;
    std::uint64_t events_ = 0;
    EventCounts event_counts_;
    std::uint64_t steps_ = 0;
    bool halted_ = false;
    EventQueue queue_;
    Network network_;
    core::Prng scenario_prng_;
    core::Prng tick_prng_;
    /// Draws only at torn crashes, so a run without one draws what it did
    /// before they existed (and keeps its fingerprint).
    core::Prng torn_prng_;
    std::vector<Host> hosts_;
    /// In-flight messages, by slot; freed slots are reused.
    std::vector<core::Message> slab_;
    std::vector<std::uint32_t> free_slots_;
    /// By slot, like slab_: 0 for a copy on time; for one a fault made late
    /// (a stale replay's late copy, or held back at send by a delay, a slow
    /// link or a filter), (1 + calms_ when it was sent) << 1, with late_copy_bit
    /// set for a late copy. A calm period begun since drops it on arrival:
    /// it would be a fault inside the calm, and one can depose a stable
    /// leader (docs/scenarios.md, "stale replays").
    std::vector<std::uint64_t> fault_late_;
    static constexpr std::uint64_t late_copy_bit = 1;
    /// By slot, like slab_: the sender's Host::wipes when it was sent.
    std::vector<std::uint32_t> sender_wipes_;
    /// Calm periods begun so far.
    std::uint64_t calms_ = 0;
    Checkers checkers_;
    Observer* observer_ = nullptr;
    Trace trace_;

    ApplySource apply_source_;
    KvClients kv_clients_;
    bool kv_running_ = false;
    std::optional<LinearizabilityResult> linearizability_{};
    std::map<OperationId, KvCommit> kv_commits_;
    std::optional<LinearizabilityResult> resolved_linearizability_{};
    std::vector<ClientRequest> history_;
    std::uint64_t successes_ = 0;
    core::Index last_success_index_ = 0;
    std::uint32_t outstanding_ = 0;
    /// Requests with an id >= apply_n_first_id_ still pending (apply_n).
    core::RequestId apply_n_first_id_ = 0;
    std::uint64_t apply_n_pending_ = 0;
    /// The membership change in flight (change_membership).
    struct PendingChange {
        core::RequestId id = 0;
        core::NodeId leader = 0;
        bool resolved = false;
    };
    std::optional<PendingChange> change_{};
    /// Every appended change by request id, until its result arrives (a
    /// result may come after change_membership gave up on it).
    std::map<core::RequestId, core::ChangeRequest> changes_appended_{};
    core::RequestId next_change_id_ = 1;
    /// The committed configuration the members were last taken from.
    core::Index members_configuration_index_ = 0;
    /// Per server that left the committed configuration: the term of the
    /// leader that reported its removal committed (the latest removal).
    std::map<core::NodeId, core::Term> removed_in_term_;
    /// The latest committed configuration seen (update_members).
    core::Configuration members_configuration_{};
    std::uint64_t leaders_elected_ = 0;
    /// The transfer being waited for (transfer_leadership).
    core::NodeId transfer_leader_ = 0;
    std::optional<core::TransferResult> transfer_result_{};
    bool workload_running_ = false;
    std::uint32_t workload_batch_ = 0;
    TimeUs workload_think_us_ = default_think_us;
    bool client_timer_armed_ = false;
    /// Inside guarded_process (which records violations itself).
    bool in_event_ = false;
    /// The assertion handler to restore when this simulation ends.
    core::AssertHandler previous_assert_handler_ = nullptr;
    core::AssertRecorder previous_assert_recorder_ = nullptr;

    // Calm periods (simulation_calm.cpp).
    [[nodiscard]] CalmOutcome run_calm_probes(TimeUs duration);
    /// A trigger matched: the crash happens once the current event is done.
    void fire_crash_trigger(Host& host, CrashTrigger::Kind kind, core::MessageType type = {});
    void crash_triggered();
    /// Nodes whose trigger fired, with the fate of their unsynced writes,
    /// in firing order.
    std::vector<std::pair<core::NodeId, UnsyncedWrites>> crashes_due_;
    void calm_heal();
    [[nodiscard]] bool calm_quorums_up() const;
    [[nodiscard]] bool stable_leader() const;
    [[nodiscard]] CalmOutcome calm_proposals(const CalmBounds& bounds, std::string_view when);
    [[nodiscard]] CalmOutcome calm_transfer(const CalmBounds& bounds, std::uint64_t& allowed);
};

// Inline: every delivery, send, Ready and observation looks a host up, about
// five times per simulator event.
inline Host& Simulation::mutable_host(core::NodeId id) {
    RAFT_ASSERT(id >= 1);
    RAFT_ASSERT(id <= hosts_.size());
    return hosts_[id - 1];
}

inline const Host& Simulation::host(core::NodeId id) const {
    RAFT_ASSERT(id >= 1);
    RAFT_ASSERT(id <= hosts_.size());
    return hosts_[id - 1];
}

}  // namespace raftsim::sim
