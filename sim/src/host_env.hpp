#pragma once
// The host's side of the seam for one server: what a node under test may
// ask of the simulator (sut::Env), turned into trace records, observations
// for the checkers and the observer, network sends, disk writes and the
// host's state machine.

#include "raftsim/sim/simulation.hpp"
#include "raftsim/sut/node.hpp"

namespace raftsim::sim {

class HostEnv final : public sut::Env {
  public:
    HostEnv(Simulation& sim, core::NodeId id) : sim_(sim), id_(id) {}

    [[nodiscard]] sut::TimeUs now_us() const override { return sim_.now_; }
    [[nodiscard]] sut::TimeUs local_clock_us() const override;
    void wake_after(sut::TimeUs delay_us, std::uint32_t token) override;
    [[nodiscard]] sut::Storage& storage() override { return host().storage; }
    void send(core::Message&& message) override { sim_.send(std::move(message)); }
    void apply(const std::vector<core::Entry>& entries) override {
        sim_.apply_committed(host(), entries);
    }
    void restore(const core::Snapshot& snapshot) override {
        sim_.restore_snapshot(host(), snapshot);
    }
    [[nodiscard]] core::Payload fsm_snapshot() const override;
    void request_results(const std::vector<core::RequestResult>& results) override {
        sim_.on_request_results(host(), results);
    }
    void transfer_results(const std::vector<core::TransferResult>& results) override {
        sim_.on_transfer_results(host(), results);
    }
    void read_results(const std::vector<core::ReadResult>& results) override {
        sim_.on_read_results(host(), results);
    }

    void observe_tick(core::Term term) override;
    void observe_reject(const core::Message& message, core::RejectReason reason) override;
    void observe_role_change(const core::RoleChange& change) override;
    void observe_hard_state(const core::HardState& hard_state) override;
    void observe_log_write(const core::HardState& latest,
                           const std::vector<core::Entry>& entries) override;
    void observe_write_issued() override {
        sim_.fire_crash_trigger(host(), CrashTrigger::Kind::persist);
    }
    void observe_sync() override { sim_.checkers_.on_sync(id_); }
    void observe_durable(core::Index unsynced_from) override {
        sim_.checkers_.on_durable(id_, unsynced_from);
    }
    void observe_snapshot(const core::Snapshot& snapshot, core::Term term, bool restored,
                          bool discard_all) override;
    void observe_commit_index(core::Index commit_index) override;
    void observe_leader_configuration(core::Term term, core::Index index,
                                      core::Index commit_index) override {
        sim_.checkers_.on_leader_configuration(id_, term, index, commit_index, sim_.now_);
    }
    void observe_configuration(const core::Configuration& configuration) override;
    void observe_output_done() override;

  private:
    [[nodiscard]] Host& host() const { return sim_.mutable_host(id_); }

    Simulation& sim_;
    core::NodeId id_;
    /// The commit index before the latest observe_commit_index, for the
    /// leader's commit check at observe_output_done.
    core::Index commit_before_ = 0;
};

}  // namespace raftsim::sim
