// What a node under test reports, as the simulator records and checks it.
#include "host_env.hpp"

namespace raftsim::sim {

sut::TimeUs HostEnv::local_clock_us() const {
    // Drift stretches the server's clock as it stretches its tick period.
    return host().local_clock_us(sim_.now_);
}

void HostEnv::wake_after(sut::TimeUs delay_us, std::uint32_t token) {
    const std::uint64_t incarnation = host().incarnation;
    RAFT_ASSERT(incarnation < (std::uint64_t{1} << 32U));
    sim_.queue_.push(sim_.now_ + delay_us, EventKind::wake, static_cast<std::uint32_t>(id_),
                     (incarnation << 32U) | token);
}

core::Payload HostEnv::fsm_snapshot() const {
    return sim_.fsm_snapshot(host());
}

void HostEnv::observe_tick(core::Term term) {
    sim_.record(TraceRecord{.time = sim_.now_, .kind = TraceKind::tick, .node = id_, .term = term});
}

void HostEnv::observe_reject(const core::Message& message, core::RejectReason reason) {
    sim_.record(TraceRecord{.time = sim_.now_,
                            .kind = TraceKind::reject,
                            .sub = static_cast<std::uint8_t>(message.type),
                            .node = id_,
                            .peer = message.from,
                            .term = message.term,
                            .c = static_cast<std::uint64_t>(reason)});
}

void HostEnv::observe_role_change(const core::RoleChange& change) {
    sim_.record(TraceRecord{.time = sim_.now_,
                            .kind = TraceKind::role_change,
                            .sub = static_cast<std::uint8_t>(change.to),
                            .node = id_,
                            .term = change.term,
                            .a = static_cast<std::uint64_t>(change.from)});
    sim_.checkers_.on_role_change(id_, change, sim_.now_);
    if (sim_.observer_ != nullptr) {
        sim_.observer_->on_role_change(id_, change);
    }
    sim_.leaders_elected_ += change.to == core::Role::leader ? 1 : 0;
}

void HostEnv::observe_hard_state(const core::HardState& hard_state) {
    sim_.checkers_.on_hard_state(id_, hard_state, sim_.now_);
    if (sim_.observer_ != nullptr) {
        sim_.observer_->on_hard_state(id_, hard_state);
    }
}

void HostEnv::observe_log_write(const core::HardState& latest,
                                const std::vector<core::Entry>& entries) {
    sim_.record(TraceRecord{.time = sim_.now_,
                            .kind = TraceKind::persist,
                            .node = id_,
                            .term = latest.term,
                            .a = latest.voted_for,
                            .b = entries.empty() ? 0 : entries.front().index,
                            .c = entries.size()});
    sim_.checkers_.on_log_write(id_, sim_.checkers_.term_of(id_), entries, sim_.now_);
    if (sim_.observer_ != nullptr && !entries.empty()) {
        sim_.observer_->on_log_write(id_, entries);
    }
}

void HostEnv::observe_snapshot(const core::Snapshot& snapshot, core::Term term, bool restored,
                               bool discard_all) {
    sim_.record(TraceRecord{.time = sim_.now_,
                            .kind = TraceKind::snapshot,
                            .sub = restored ? std::uint8_t{1} : std::uint8_t{0},
                            .node = id_,
                            .term = term,
                            .a = snapshot.index,
                            .b = snapshot.term});
    sim_.checkers_.on_snapshot(id_, snapshot, restored, discard_all, sim_.now_);
    if (sim_.observer_ != nullptr) {
        sim_.observer_->on_snapshot(id_, snapshot, restored, discard_all);
    }
}

void HostEnv::observe_commit_index(core::Index commit_index) {
    commit_before_ = sim_.checkers_.mirror(id_).commit_index;
    if (commit_index > commit_before_) {
        sim_.fire_crash_trigger(host(), CrashTrigger::Kind::commit);
    }
    sim_.checkers_.on_commit_index(id_, commit_index, sim_.now_);
    if (sim_.observer_ != nullptr) {
        sim_.observer_->on_commit_index(id_, commit_index);
    }
}

void HostEnv::observe_configuration(const core::Configuration& configuration) {
    // An adapter's contract (sut/node.hpp): ids unique and ascending, which
    // the checkers' lookups rely on.
    RAFT_ASSERT(configuration.is_valid());
    sim_.checkers_.on_configuration(id_, configuration, sim_.now_);
    if (sim_.observer_ != nullptr) {
        sim_.observer_->on_configuration(id_, configuration);
    }
}

void HostEnv::observe_output_done() {
    Host& server = host();
    sim_.observe_progress(server);
    sim_.observe_leader(server, commit_before_);
    // A node that reports its commit index only when it moves (canonical)
    // must not have an old rise counted again at its next output.
    commit_before_ = sim_.checkers_.mirror(id_).commit_index;
    sim_.maybe_auto_snapshot(server);
}

}  // namespace raftsim::sim
