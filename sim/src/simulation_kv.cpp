// The key-value clients and state machine (issue 16; sim/kv/clients.hpp):
// a client's operation goes straight to the server it has in mind -- clients
// are not behind the servers' partitions, as Jepsen's are not -- as a
// command in the log; the server's own store answers it when it applies
// the command, and the answer reaches the client with the request's result.
#include <fmt/format.h>

#include "raftsim/core/assert.hpp"
#include "raftsim/sim/simulation.hpp"

namespace raftsim::sim {
namespace {

// Request ids of key-value operations: bit 62 set (membership changes have
// bit 63, the hash-chain workload neither).
constexpr core::RequestId kv_request_bit = core::RequestId{1} << 62U;
// How soon a client retries a server blocked on its disk.
constexpr TimeUs kv_busy_retry_us = us_per_ms;

}  // namespace

core::Payload Simulation::fsm_snapshot(const Host& host) const {
    core::Payload chain = host.fsm.snapshot();
    if (options_.state_machine != StateMachineKind::kv) {
        return chain;
    }
    // restore_snapshot reads this layout back.
    core::Bytes both = chain.to_bytes();
    const core::Bytes store = host.kv.snapshot();
    both.insert(both.end(), store.begin(), store.end());
    return both;
}

void Simulation::record_client(ClientEvent event, core::NodeId node, std::uint64_t a,
                               std::uint64_t b, std::uint64_t c) {
    record(TraceRecord{.time = now_,
                       .kind = TraceKind::client,
                       .sub = static_cast<std::uint8_t>(event),
                       .node = node,
                       .a = a,
                       .b = b,
                       .c = c});
}

void Simulation::start_clients() {
    if (kv_running_ || kv_clients_.count() == 0) {
        return;
    }
    kv_running_ = true;
    const std::vector<core::NodeId> nodes = ids();
    for (ClientId client = 0; client < kv_clients_.count(); ++client) {
        if (kv_clients_.hint(client) == 0) {
            kv_clients_.retarget(client, 0, nodes);
        }
        if (!kv_clients_.outstanding(client).has_value()) {
            arm_kv_client(client, kv_clients_.think(client));
        }
    }
}

void Simulation::stop_clients() {
    kv_running_ = false;
}

void Simulation::arm_kv_client(ClientId client, TimeUs delay_us) {
    const std::uint32_t generation = kv_clients_.next_generation(client);
    const std::uint64_t payload = (std::uint64_t{client} + 1) << 32U | generation;
    queue_.push(now_ + delay_us, EventKind::client, 0, payload);
}

void Simulation::on_kv_client_timer(ClientId client, std::uint32_t generation) {
    RAFT_ASSERT(client < kv_clients_.count());
    if (generation != kv_clients_.generation(client)) {
        return;  // a timer the client has since replaced
    }
    if (const std::optional<OperationId> open = kv_clients_.outstanding(client)) {
        // The client's patience ran out: it cannot know what happened.
        give_up_kv_operation(*open, 0);
        return;
    }
    if (kv_running_) {
        kv_client_invoke(client);
    }
}

void Simulation::kv_client_invoke(ClientId client) {
    const core::NodeId node = kv_clients_.hint(client);
    RAFT_ASSERT(node != 0);
    Host& server = mutable_host(node);
    if (!server.is_up()) {
        // Connection refused: nothing was sent, so nothing is recorded.
        kv_clients_.retarget(client, 0, ids());
        arm_kv_client(client, kv_clients_.think(client));
        return;
    }
    if (server.node->busy() || server.paused) {
        // Its request would wait in the server's socket: the client waits.
        arm_kv_client(client, kv_busy_retry_us);
        return;
    }
    if (history_.size() + kv_clients_.invoked() >= options_.limits.requests) {
        fail_limit(LimitKind::requests);
        return;
    }
    const KvCommand command = kv_clients_.draw(client);
    if (command.read_path != ReadPath::log) {
        if (!kv_start_read(server, client, command)) {
            return;
        }
    } else {
        core::ProposeResult result{};
        guarded(node, [&] {
            result = server.node->propose(kv_request_bit | command.operation,
                                          encode_kv_command(command));
        });
        if (!server.is_up() || failed()) {
            return;  // the proposal tripped an assertion
        }
        if (!result.ok()) {
            kv_refused(server, client, command, static_cast<std::uint64_t>(result.error));
            return;
        }
    }
    kv_clients_.invoke(client, command, node, now_);
    if (command.read_path != ReadPath::log) {
        record_client(ClientEvent::read_invoked, node, command.operation, command.key,
                      static_cast<std::uint64_t>(command.read_path));
    } else {
        record_client(ClientEvent::invoked, node, command.operation, command.key, command.value);
    }
    arm_kv_client(client, kv_clients_.options().timeout_us);
    guarded(node, [&server] { server.node->flush(); });
}

// Refused outright (not the leader, overloaded, no lease): it never took
// effect, so it is not in the history. A redirect names the leader the
// server knows.
void Simulation::kv_refused(Host& server, ClientId client, const KvCommand& command,
                            std::uint64_t error) {
    const ClientEvent event =
        command.read_path == ReadPath::log ? ClientEvent::refused : ClientEvent::read_refused;
    record_client(event, server.id, command.operation, command.key, error);
    const core::NodeId leader = server.node->leader_id();
    kv_clients_.retarget(client, leader != server.id ? leader : 0, ids());
    arm_kv_client(client, kv_clients_.think(client));
}

bool Simulation::kv_start_read(Host& server, ClientId client, const KvCommand& command) {
    RAFT_ASSERT(command.kind == OpKind::get);
    const core::ReadMode mode =
        command.read_path == ReadPath::lease ? core::ReadMode::lease : core::ReadMode::read_index;
    core::ReadStart start{};
    guarded(server.id,
            [&] { start = server.node->read(kv_request_bit | command.operation, mode); });
    if (!server.is_up() || failed()) {
        return false;  // the read tripped an assertion
    }
    if (!start.ok()) {
        kv_refused(server, client, command, static_cast<std::uint64_t>(start.error));
        return false;
    }
    return true;
}

void Simulation::on_read_results(Host& host, const std::vector<core::ReadResult>& results) {
    for (const core::ReadResult& result : results) {
        RAFT_ASSERT((result.id >> 62U) == 1);
        const OperationId id = result.id & ~kv_request_bit;
        const KvPending* pending = kv_clients_.pending(id);
        if (pending == nullptr || pending->node != host.id) {
            continue;  // the client gave up on it already
        }
        RAFT_ASSERT(pending->read_path != ReadPath::log);
        if (result.outcome != core::ReadOutcome::ready) {
            const core::NodeId leader = host.is_up() ? host.node->leader_id() : 0;
            give_up_kv_operation(id, leader != host.id ? leader : 0);
            continue;
        }
        // §6.4 step 4: the state machine has applied through the read
        // index (the node reports reads after the apply that reaches it).
        RAFT_ASSERT(host.kv_applied_index >= result.read_index);
        complete_kv_operation(host, id, KvResponse{.read = host.kv.get(pending->key)});
    }
}

void Simulation::complete_kv_operation(Host& host, OperationId id, const KvResponse& answer) {
    const KvPending* pending = kv_clients_.pending(id);
    RAFT_ASSERT(pending != nullptr);
    const ClientId client = pending->client;
    const OpKind kind = kv_clients_.kind_of(id);
    kv_clients_.complete_ok(id, answer, now_);
    std::uint64_t said = answer.cas_succeeded ? 1 : 0;
    if (answer.read.has_value()) {
        said = *answer.read + 1;
    }
    record_client(ClientEvent::ok, host.id, id, static_cast<std::uint64_t>(kind), said);
    arm_kv_client(client, kv_clients_.think(client));
}

void Simulation::on_kv_result(Host& host, const core::RequestResult& result) {
    const OperationId id = result.id & ~kv_request_bit;
    const KvPending* pending = kv_clients_.pending(id);
    if (pending == nullptr || pending->node != host.id) {
        host.kv_responses.erase(id);
        return;  // the client gave up on it already
    }
    const ClientId client = pending->client;
    const auto response = host.kv_responses.find(id);
    if (result.outcome != core::RequestOutcome::committed || response == host.kv_responses.end()) {
        // Leadership lost: the entry may still commit under another leader.
        // (A commit this server did not apply first cannot be answered.)
        const core::NodeId leader = host.is_up() ? host.node->leader_id() : 0;
        give_up_kv_operation(id, leader != host.id ? leader : 0);
        return;
    }
    static_cast<void>(client);
    const KvResponse answer = response->second;
    host.kv_responses.erase(response);
    complete_kv_operation(host, id, answer);
}

void Simulation::give_up_kv_operation(OperationId id, core::NodeId redirect) {
    const KvPending* pending = kv_clients_.pending(id);
    RAFT_ASSERT(pending != nullptr);
    const KvPending was = *pending;
    mutable_host(was.node).kv_responses.erase(id);
    kv_clients_.complete_indeterminate(id, now_);
    record_client(ClientEvent::indeterminate, was.node, id, 0, 0);
    kv_clients_.retarget(was.client, redirect, ids());
    arm_kv_client(was.client, kv_clients_.think(was.client));
}

void Simulation::apply_kv(Host& host, const core::Entry& entry) {
    if (options_.state_machine != StateMachineKind::kv) {
        return;
    }
    const std::optional<KvCommand> command = decode_kv_command(entry.data);
    if (!command.has_value()) {
        return;  // a command of the seeded source: the hash chain has it
    }
    const KvResponse response = host.kv.apply(*command);
    if (options_.cross_check_history) {
        // Later applies of the same command (by other servers, or again
        // after a restart) return the same: the first one is kept.
        kv_commits_.try_emplace(command->operation,
                                KvCommit{.first_applied_us = now_, .response = response});
    }
    const KvPending* pending = kv_clients_.pending(command->operation);
    if (pending != nullptr && pending->node == host.id) {
        host.kv_responses[command->operation] = response;
    }
}

void Simulation::kv_on_crash(Host& host) {
    host.kv_responses.clear();
    for (const OperationId id : kv_clients_.pending_on(host.id)) {
        give_up_kv_operation(id, 0);
    }
}

void Simulation::check_client_history() {
    if (linearizability_.has_value() || kv_clients_.invoked() == 0) {
        return;
    }
    const std::vector<Operation> operations = kv_clients_.history(now_);
    linearizability_ = check_linearizability(operations, options_.linearizability_limits);
    const LinearizabilityResult& result = *linearizability_;
    // The history is the simulator's own: a malformed one is a harness bug.
    RAFT_ASSERT(result.verdict != Verdict::refused);
    if (result.verdict == Verdict::not_linearizable && !failed()) {
        fail(Checker::linearizability, "not_linearizable", render_verdict(result, operations));
    }
    if (options_.cross_check_history) {
        cross_check_client_history(operations);
    }
}

// The history resolved with what the simulator knows took effect is a
// restriction of the clients' history (an indeterminate operation fixed to
// one of its possible outcomes, intervals only shortened), so whatever
// linearizes it linearizes theirs: when the checker decides both, it cannot
// accept the resolved one and refuse theirs. The converse is the tests'
// (tests/sim/history_cross_check_test.cpp): a correct system's resolved
// history is accepted too.
void Simulation::cross_check_client_history(const std::vector<Operation>& operations) {
    const std::vector<Operation> resolved =
        resolve_history(operations, kv_commits_, Tighten::answered_too);
    resolved_linearizability_ = check_linearizability(resolved, options_.linearizability_limits);
    RAFT_ASSERT(resolved_linearizability_->verdict != Verdict::refused);
    RAFT_ASSERT(resolved_linearizability_->verdict != Verdict::linearizable ||
                linearizability_->verdict != Verdict::not_linearizable);
}

}  // namespace raftsim::sim
