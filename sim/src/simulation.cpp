// Construction, the event loop, faults and observers of the simulator.
#include "raftsim/sim/simulation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "host_env.hpp"
#include "raftsim/core/assert.hpp"
#include "raftsim/sut/raftsim/raftsim_system.hpp"

namespace raftsim::sim {
namespace {

// Root-seed streams. Fixed numbers: changing one changes every run.
constexpr std::uint64_t stream_network = 1;
constexpr std::uint64_t stream_scenario = 2;
constexpr std::uint64_t stream_ticks = 3;
constexpr std::uint64_t stream_nodes = 4;
// Above every node's stream (stream_nodes + id, ids are 32-bit).
constexpr std::uint64_t stream_kv_clients = std::uint64_t{1} << 40U;
constexpr std::uint64_t stream_torn_writes = stream_kv_clients + 1;

/// Thrown by the assertion handler the simulator installs, so a broken
/// invariant ends the run as a reported violation instead of an abort.
bool is_core_file(const char* file) {
    return std::string_view(file).find("core/") != std::string_view::npos;
}

struct AssertionFailure : std::runtime_error {
    AssertionFailure(const char* expression, const char* file, int line)
        : std::runtime_error(fmt::format("{} ({}:{})", expression, file, line)),
          in_core(is_core_file(file)) {}
    bool in_core;
};

[[noreturn]] void throw_assertion(const char* expression, const char* file, int line) {
    throw AssertionFailure(expression, file, line);
}

// Black-box mode's tally. Process-wide like the handler it stands beside;
// a Simulation resets it when it starts and only one runs at a time.
IgnoredAsserts ignored_asserts_;

// Lets a failed core assertion pass (black-box mode); the simulator's own
// assertions still throw.
bool record_core_assertion(const char* expression, const char* file, int line) {
    if (!is_core_file(file)) {
        return false;
    }
    if (ignored_asserts_.count == 0) {
        ignored_asserts_.first = fmt::format("{} ({}:{})", expression, file, line);
    }
    ignored_asserts_.count += 1;
    return true;
}

}  // namespace

std::string_view to_string(ClientOutcome outcome) noexcept {
    switch (outcome) {
        case ClientOutcome::pending:
            return "pending";
        case ClientOutcome::success:
            return "success";
        case ClientOutcome::not_leader:
            return "not_leader";
        case ClientOutcome::too_many_uncommitted:
            return "too_many_uncommitted";
        case ClientOutcome::leadership_lost:
            return "leadership_lost";
        case ClientOutcome::node_crashed:
            return "node_crashed";
    }
    return "?";
}

Simulation::Simulation(SimOptions options)
    : options_(std::move(options)),
      system_(options_.system != nullptr ? *options_.system : sut::native::system()),
      network_(core::derive_seed(options_.seed, stream_network)),
      scenario_prng_(core::derive_seed(options_.seed, stream_scenario)),
      tick_prng_(core::derive_seed(options_.seed, stream_ticks)),
      torn_prng_(core::derive_seed(options_.seed, stream_torn_writes)),
      trace_(options_.keep_trace),
      apply_source_(options_.apply_source),
      kv_clients_(options_.kv_clients, core::derive_seed(options_.seed, stream_kv_clients)) {
    RAFT_ASSERT(!options_.names.empty());
    // Clients read the key-value store's answers.
    RAFT_ASSERT(options_.kv_clients.clients == 0 || options_.state_machine == StateMachineKind::kv);
    RAFT_ASSERT(options_.tick_us > 0);
    RAFT_ASSERT(core::validate(options_.raft) == core::ConfigError::ok);
    RAFT_ASSERT(options_.limits.events >= 1);
    RAFT_ASSERT(options_.limits.simulated_time_us >= 1);
    RAFT_ASSERT(options_.limits.steps >= 1);
    RAFT_ASSERT(options_.limits.requests >= 1);
    previous_assert_handler_ = core::set_assert_handler(&throw_assertion);
    ignored_asserts_ = IgnoredAsserts{};
    previous_assert_recorder_ =
        core::set_assert_recorder(options_.black_box ? &record_core_assertion : nullptr);
    checkers_.set_semantics(system_.semantics());
    network_.set_default_link(options_.link);
    network_.set_message_faults(options_.message_faults);
    const core::Configuration configuration = core::Configuration::voters(options_.names.size());
    members_configuration_ = configuration;
    hosts_.resize(options_.names.size());
    for (std::size_t i = 0; i < hosts_.size(); ++i) {
        Host& host = hosts_[i];
        host.id = i + 1;
        host.name = options_.names[i];
    }
    for (Host& host : hosts_) {
        attach_env(host);
        host.node = system_.bootstrap(*host.env, node_setup(host), configuration);
    }
    // Each node's clock starts at a random phase within one tick.
    for (Host& host : hosts_) {
        schedule_tick(host, tick_prng_.range_inclusive(1, options_.tick_us));
        guarded(host.id, [&host] { host.node->start(); });
        // hashicorp's BootstrapCluster writes the configuration before the
        // server runs, so it is durable from the start: a crash in the first
        // disk sync must not leave a bootstrap voter with no configuration.
        host.storage.sync();
        checkers_.on_sync(host.id);
    }
}

// Restores whatever handler was in place before, so nested or successive
// simulations (and tests) keep theirs.
Simulation::~Simulation() {
    core::set_assert_handler(previous_assert_handler_);
    core::set_assert_recorder(previous_assert_recorder_);
}

const IgnoredAsserts& Simulation::ignored_asserts() const noexcept {
    return ignored_asserts_;
}

sut::NodeSetup Simulation::node_setup(const Host& host) const {
    const std::uint64_t node_seed = core::derive_seed(options_.seed, stream_nodes + host.id);
    return sut::NodeSetup{.id = host.id,
                          .config = options_.raft,
                          .seed = core::derive_seed(node_seed, host.incarnation),
                          .tick_us = options_.tick_us,
                          .disk_sync_us = options_.disk_sync_us};
}

void Simulation::attach_env(Host& host) {
    RAFT_ASSERT(host.env == nullptr);
    host.env = std::make_unique<HostEnv>(*this, host.id);
}

TimeUs Simulation::tick_period(const Host& host) const {
    // Drift stretches (or shrinks) the tick: period * (1 + ppm / 10^6).
    const auto base = static_cast<std::int64_t>(options_.tick_us);
    const std::int64_t period = base + base * host.drift_ppm / 1'000'000;
    return static_cast<TimeUs>(std::max<std::int64_t>(period, 1));
}

void Simulation::schedule_tick(Host& host, TimeUs delay_us) {
    queue_.push(now_ + delay_us, EventKind::tick, static_cast<std::uint32_t>(host.id),
                host.incarnation);
}

void Simulation::record(const TraceRecord& record) {
    trace_.record(record);
}

void Simulation::fail(Checker checker, std::string_view kind, std::string detail) {
    if (failed()) {
        return;
    }
    checkers_.fail(Violation{.checker = checker,
                             .kind = std::string(kind),
                             .detail = std::move(detail),
                             .time = now_,
                             .node = 0});
    // Inside an event, guarded_process records it; outside (a scenario's
    // deadline, the final checks) nobody else would.
    if (!in_event_) {
        record(TraceRecord{
            .time = now_, .kind = TraceKind::violation, .sub = static_cast<std::uint8_t>(checker)});
    }
}

void Simulation::guarded(core::NodeId node, const std::function<void()>& work) {
    try {
        work();
    } catch (const AssertionFailure& failure) {
        // A write the disk refused comes first: what it left undone may be
        // what a later assertion tripped on.
        report_storage_breaches();
        fail(Checker::core_assert, failure.in_core ? "core_invariant" : "host_invariant",
             fmt::format("assertion failed on node {}: {}", node, failure.what()));
        return;
    }
    // A node's storage is written only in its own events and in the steps
    // (node 0) that crash it.
    if (node == 0) {
        report_storage_breaches();
    } else if (node <= hosts_.size()) {
        report_storage_breach(hosts_[node - 1]);
    }
}

// A write a node's storage refused (sut::ContractBreach): the system under
// test broke the disk's contract.
void Simulation::report_storage_breach(const Host& host) {
    const std::optional<sut::ContractBreach>& breach = host.storage.breach();
    if (!breach.has_value() || failed()) [[likely]] {
        return;
    }
    RAFT_ASSERT(!breach->kind.empty());
    checkers_.fail(
        Violation{.checker = Checker::storage,
                  .kind = std::string(breach->kind),
                  .detail = fmt::format("node {} wrote to its disk: {}", host.name, breach->detail),
                  .time = now_,
                  .node = host.id});
    if (!in_event_) {
        record(TraceRecord{.time = now_,
                           .kind = TraceKind::violation,
                           .sub = static_cast<std::uint8_t>(Checker::storage),
                           .node = host.id});
    }
}

void Simulation::report_storage_breaches() {
    for (const Host& host : hosts_) {
        report_storage_breach(host);
    }
}

void Simulation::guarded_process(const Event& event) {
    in_event_ = true;
    guarded(event.node, [this, &event] { process(event); });
    crash_triggered();
    in_event_ = false;
    if (checkers_.failed()) {
        const Violation& violation = *checkers_.violation();
        record(TraceRecord{.time = now_,
                           .kind = TraceKind::violation,
                           .sub = static_cast<std::uint8_t>(violation.checker),
                           .node = violation.node});
    }
}

void Simulation::publish_progress() noexcept {
    if (options_.progress != nullptr) {
        options_.progress->events.store(events_, std::memory_order_relaxed);
        options_.progress->time_us.store(now_, std::memory_order_relaxed);
    }
}

bool Simulation::reached_event_limit() {
    RAFT_ASSERT(!halted_);
    halted_ = options_.max_events != 0 && events_ >= options_.max_events;
    return halted_;
}

// The run limit goes first: a run halted at max_events behaves as the run
// without it up to that point, which may include failing at its limit.
bool Simulation::may_run_event() {
    if (events_ >= options_.limits.events) {
        fail_limit(LimitKind::events);
        return false;
    }
    return !reached_event_limit();
}

void Simulation::run_for(TimeUs duration) {
    // Scenario durations are capped far below this (1000h each).
    RAFT_ASSERT(duration <= std::numeric_limits<TimeUs>::max() - now_);
    const TimeUs deadline = now_ + duration;
    const TimeUs stop = within_time_limit(deadline);
    while (!failed() && !queue_.empty() && queue_.next_time() <= stop) {
        if (!may_run_event()) {
            return;
        }
        const Event event = queue_.pop();
        now_ = event.time;
        events_ += 1;
        publish_progress();
        guarded_process(event);
    }
    if (failed()) {
        return;
    }
    RAFT_ASSERT(now_ <= stop);
    now_ = stop;
    if (stop < deadline) {
        fail_limit(LimitKind::simulated_time);
    }
}

bool Simulation::run_until(const std::function<bool()>& done, TimeUs deadline) {
    const TimeUs stop = within_time_limit(deadline);
    while (!failed()) {
        if (done()) {
            return true;
        }
        if (queue_.empty() || queue_.next_time() > stop) {
            now_ = std::max(now_, stop);
            const bool reached = done();
            // Waiting on would take time past the limit.
            if (!reached && stop < deadline) {
                fail_limit(LimitKind::simulated_time);
            }
            return reached;
        }
        if (!may_run_event()) {
            return false;
        }
        const Event event = queue_.pop();
        now_ = event.time;
        events_ += 1;
        publish_progress();
        guarded_process(event);
    }
    return false;
}

void Simulation::process(const Event& event) {
    switch (event.kind) {
        case EventKind::tick:
            event_counts_.ticks += 1;
            on_tick(event);
            break;
        case EventKind::deliver:
            event_counts_.deliveries += 1;
            on_deliver(event);
            break;
        case EventKind::wake: {
            const std::uint64_t token = event.payload & 0xffff'ffffU;
            event_counts_.wakes[std::min<std::uint64_t>(token, EventCounts::wake_tokens_counted)] +=
                1;
            on_wake(event);
            break;
        }
        case EventKind::client:
            event_counts_.client += 1;
            on_client_timer(event);
            break;
        case EventKind::resume:
            on_resume(event);
            break;
    }
}

std::vector<core::NodeId> Simulation::ids() const {
    std::vector<core::NodeId> result;
    result.reserve(hosts_.size());
    for (const Host& host : hosts_) {
        result.push_back(host.id);
    }
    return result;
}

core::NodeId Simulation::id_of(std::string_view name) const {
    for (const Host& host : hosts_) {
        if (host.name == name) {
            return host.id;
        }
    }
    return 0;
}

const std::string& Simulation::name_of(core::NodeId id) const {
    return host(id).name;
}

core::NodeId Simulation::leader() const {
    for (const Host& host : hosts_) {
        // A paused leader believes it leads, but nobody can reach it.
        if (host.is_up() && !host.paused && host.node->role() == core::Role::leader) {
            return host.id;
        }
    }
    return 0;
}

std::vector<core::NodeId> Simulation::leader_plus(std::size_t count) const {
    std::vector<core::NodeId> result;
    const core::NodeId current = leader();
    if (current != 0) {
        result.push_back(current);
    }
    for (const Host& host : hosts_) {
        if (result.size() >= count) {
            break;
        }
        if (host.id != current) {
            result.push_back(host.id);
        }
    }
    return result;
}

std::uint64_t Simulation::node_mask(const std::vector<core::NodeId>& nodes) const {
    std::uint64_t mask = 0;
    for (core::NodeId id : nodes) {
        // Bit id-1: ids 1..64, the most a scenario may have.
        mask |= id >= 1 && id <= 64 ? (std::uint64_t{1} << (id - 1)) : 0;
    }
    return mask;
}

std::uint32_t Simulation::partition_off(const std::vector<core::NodeId>& nodes) {
    const std::uint32_t group = network_.partition_off(nodes);
    record(
        TraceRecord{.time = now_, .kind = TraceKind::partition, .a = group, .b = node_mask(nodes)});
    return group;
}

void Simulation::heal(std::uint32_t group) {
    network_.heal(group);
    record(TraceRecord{.time = now_, .kind = TraceKind::heal, .a = group});
}

void Simulation::heal_all() {
    network_.heal_all();
    record(TraceRecord{.time = now_, .kind = TraceKind::heal_all});
}

void Simulation::cut(core::NodeId from, core::NodeId to) {
    network_.cut(from, to);
    record(TraceRecord{.time = now_, .kind = TraceKind::cut, .node = from, .peer = to, .a = 1});
}

void Simulation::restore(core::NodeId from, core::NodeId to) {
    network_.restore(from, to);
    record(TraceRecord{.time = now_, .kind = TraceKind::cut, .node = from, .peer = to, .a = 0});
}

void Simulation::set_link(const LinkConfig& link) {
    RAFT_ASSERT(link.is_valid());
    network_.set_default_link(link);
    const auto per_million = [](Ratio ratio) {
        return std::uint64_t{ratio.numerator} * 1'000'000 / ratio.denominator;
    };
    record(TraceRecord{.time = now_,
                       .kind = TraceKind::network,
                       .a = per_million(link.drop),
                       .b = per_million(link.duplicate),
                       .c = per_million(link.reorder)});
}

// hashicorp fuzzy/slowvoter.go as filters: a delay of [min, max] on vote
// requests to (send) or vote responses from (recv) the slow nodes.
void Simulation::set_slow_votes(SlowVoteMode mode, const std::vector<core::NodeId>& nodes,
                                TimeUs delay_min_us, TimeUs delay_max_us) {
    RAFT_ASSERT(delay_min_us <= delay_max_us);
    const bool send_side = mode == SlowVoteMode::send;
    MessageFilter filter = [nodes, send_side, delay_min_us, delay_max_us](
                               const core::Message& message, core::Prng& prng) {
        const bool vote = send_side ? message.type == core::MessageType::request_vote
                                    : message.type == core::MessageType::request_vote_response;
        const core::NodeId slow_end = send_side ? message.to : message.from;
        const bool slow = std::find(nodes.begin(), nodes.end(), slow_end) != nodes.end();
        if (!vote || !slow) {
            return FilterVerdict{};
        }
        return FilterVerdict{.drop = false,
                             .extra_delay_us = prng.range_inclusive(delay_min_us, delay_max_us)};
    };
    network_.add_filter(send_side ? FilterStage::before_send : FilterStage::on_response,
                        "slow_votes", std::move(filter));
    record(TraceRecord{.time = now_,
                       .kind = TraceKind::slow_votes,
                       .a = static_cast<std::uint64_t>(mode),
                       .b = node_mask(nodes)});
}

void Simulation::clear_slow_votes() {
    network_.remove_filter("slow_votes");
}

void Simulation::set_slow_link(core::NodeId from, core::NodeId to, const SlowLink& slow) {
    RAFT_ASSERT(slow.is_valid());
    network_.set_slow_link(from, to, slow);
    record(TraceRecord{.time = now_,
                       .kind = TraceKind::slow_link,
                       .node = from,
                       .peer = to,
                       .a = slow.delay_min_us,
                       .b = slow.delay_max_us,
                       .c = slow.type_mask});
}

void Simulation::clear_slow_links() {
    // Recorded only when it changes something: every calm period clears
    // them, and a record would change the fingerprint of every run with one.
    if (network_.clear_slow_links()) {
        record(TraceRecord{.time = now_, .kind = TraceKind::slow_link});
    }
}

void Simulation::set_clock_drift(core::NodeId id, std::int32_t drift_ppm) {
    RAFT_ASSERT(drift_ppm > -1'000'000);
    Host& host = mutable_host(id);
    // Drift is a rate: a change must not make the clock jump (a clock set
    // back by now x drift let a canonical leader outlive its lease).
    host.clock_base_local_us = host.local_clock_us(now_);
    host.clock_base_us = now_;
    host.drift_ppm = drift_ppm;
    RAFT_ASSERT(host.local_clock_us(now_) == host.clock_base_local_us);
    record(TraceRecord{.time = now_,
                       .kind = TraceKind::clock_drift,
                       .node = id,
                       .a = static_cast<std::uint64_t>(static_cast<std::int64_t>(drift_ppm))});
}

void Simulation::mark_step(std::uint64_t number) {
    record(TraceRecord{.time = now_, .kind = TraceKind::step, .a = number});
}

}  // namespace raftsim::sim
