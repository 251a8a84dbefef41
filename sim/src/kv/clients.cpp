#include "raftsim/sim/kv/clients.hpp"

#include "raftsim/core/assert.hpp"

namespace raftsim::sim {

std::string_view to_string(StateMachineKind kind) noexcept {
    switch (kind) {
        case StateMachineKind::hash_chain:
            return "hash_chain";
        case StateMachineKind::kv:
            return "kv";
    }
    return "?";
}

std::string_view to_string(ClientEvent event) noexcept {
    switch (event) {
        case ClientEvent::invoked:
            return "invoked";
        case ClientEvent::ok:
            return "ok";
        case ClientEvent::indeterminate:
            return "indeterminate";
        case ClientEvent::refused:
            return "refused";
        case ClientEvent::read_invoked:
            return "read_invoked";
        case ClientEvent::read_refused:
            return "read_refused";
    }
    return "?";
}

KvClients::KvClients(const KvClientOptions& options, std::uint64_t seed)
    : options_(options), prng_(seed), clients_(options.clients) {
    RAFT_ASSERT(options.clients == 0 || options.keys > 0);
    RAFT_ASSERT(options.clients == 0 || total_weight(options) > 0);
}

std::uint64_t total_weight(const KvClientOptions& options) noexcept {
    return std::uint64_t{options.put_weight} + options.get_weight + options.delete_weight +
           options.cas_weight + options.read_index_weight + options.lease_read_weight;
}

KvClients::Client& KvClients::client(ClientId id) {
    RAFT_ASSERT(id < clients_.size());
    return clients_[id];
}

const KvClients::Client& KvClients::client(ClientId id) const {
    RAFT_ASSERT(id < clients_.size());
    return clients_[id];
}

Operation& KvClients::operation(OperationId id) {
    RAFT_ASSERT(id >= 1);
    RAFT_ASSERT(id <= operations_.size());
    return operations_[id - 1];
}

core::NodeId KvClients::hint(ClientId id) const {
    return client(id).hint;
}

void KvClients::retarget(ClientId id, core::NodeId node, const std::vector<core::NodeId>& nodes) {
    if (node == 0) {
        RAFT_ASSERT(!nodes.empty());
        node = nodes[prng_.below(nodes.size())];
    }
    RAFT_ASSERT(node != 0);
    client(id).hint = node;
}

KvCommand KvClients::draw(ClientId id) {
    Client& drawing = client(id);
    RAFT_ASSERT(!drawing.outstanding.has_value());
    std::uint64_t pick = prng_.below(total_weight(options_));
    KvCommand command{.key = static_cast<KvKey>(prng_.below(options_.keys))};
    if (pick < options_.put_weight) {
        command.kind = OpKind::put;
    } else if ((pick -= options_.put_weight) < options_.get_weight) {
        command.kind = OpKind::get;
    } else if ((pick -= options_.get_weight) < options_.delete_weight) {
        command.kind = OpKind::remove;
    } else if ((pick -= options_.delete_weight) < options_.cas_weight) {
        command.kind = OpKind::compare_and_set;
        const auto seen = drawing.last_seen.find(command.key);
        command.expected = seen != drawing.last_seen.end() ? seen->second : 0;
    } else if ((pick -= options_.cas_weight) < options_.read_index_weight) {
        command.kind = OpKind::get;
        command.read_path = ReadPath::read_index;
    } else {
        RAFT_ASSERT(pick - options_.read_index_weight < options_.lease_read_weight);
        command.kind = OpKind::get;
        command.read_path = ReadPath::lease;
    }
    if (command.kind == OpKind::put || command.kind == OpKind::compare_and_set) {
        command.value = next_value_;  // unique in the history (operation.hpp)
        next_value_ += 1;
    }
    command.operation = operations_.size() + 1;
    return command;
}

void KvClients::invoke(ClientId id, const KvCommand& command, core::NodeId node, TimeUs now) {
    Client& invoking = client(id);
    RAFT_ASSERT(!invoking.outstanding.has_value());
    RAFT_ASSERT(command.operation == operations_.size() + 1);
    operations_.push_back(Operation{.id = command.operation,
                                    .client = id,
                                    .key = command.key,
                                    .kind = command.kind,
                                    .value = command.value,
                                    .expected = command.expected,
                                    .invoke_us = now,
                                    .complete_us = now,
                                    .status = OpStatus::indeterminate,
                                    .read = std::nullopt,
                                    .cas_succeeded = false,
                                    .read_path = command.read_path});
    if (command.kind == OpKind::put) {
        invoking.last_seen[command.key] = command.value;
    }
    invoking.outstanding = command.operation;
    pending_.emplace(
        command.operation,
        KvPending{.client = id, .node = node, .key = command.key, .read_path = command.read_path});
}

const KvPending* KvClients::pending(OperationId id) const {
    const auto found = pending_.find(id);
    return found == pending_.end() ? nullptr : &found->second;
}

OpKind KvClients::kind_of(OperationId id) const {
    RAFT_ASSERT(id >= 1);
    RAFT_ASSERT(id <= operations_.size());
    return operations_[id - 1].kind;
}

std::optional<OperationId> KvClients::outstanding(ClientId id) const {
    return client(id).outstanding;
}

void KvClients::complete_ok(OperationId id, const KvResponse& response, TimeUs now) {
    const auto found = pending_.find(id);
    RAFT_ASSERT(found != pending_.end());
    Operation& done = operation(id);
    Client& owner = client(found->second.client);
    RAFT_ASSERT(owner.outstanding == id);
    done.status = OpStatus::ok;
    done.complete_us = now;
    if (done.kind == OpKind::get) {
        done.read = response.read;
        if (response.read.has_value()) {
            owner.last_seen[done.key] = *response.read;
        }
    } else if (done.kind == OpKind::compare_and_set) {
        done.cas_succeeded = response.cas_succeeded;
        if (response.cas_succeeded) {
            owner.last_seen[done.key] = done.value;
        }
    }
    owner.outstanding.reset();
    pending_.erase(found);
}

void KvClients::complete_indeterminate(OperationId id, TimeUs now) {
    const auto found = pending_.find(id);
    RAFT_ASSERT(found != pending_.end());
    Operation& given_up = operation(id);
    RAFT_ASSERT(given_up.status == OpStatus::indeterminate);
    given_up.complete_us = now;
    Client& owner = client(found->second.client);
    RAFT_ASSERT(owner.outstanding == id);
    owner.outstanding.reset();
    pending_.erase(found);
}

std::vector<OperationId> KvClients::pending_on(core::NodeId node) const {
    std::vector<OperationId> out;
    for (const auto& [id, pending] : pending_) {
        if (pending.node == node) {
            out.push_back(id);
        }
    }
    return out;
}

TimeUs KvClients::think(ClientId id) {
    static_cast<void>(client(id));
    return prng_.range_inclusive(0, 2 * options_.think_us);
}

std::uint32_t KvClients::next_generation(ClientId id) {
    Client& bumped = client(id);
    bumped.generation += 1;
    return bumped.generation;
}

std::uint32_t KvClients::generation(ClientId id) const {
    return client(id).generation;
}

std::vector<Operation> KvClients::history(TimeUs now) const {
    std::vector<Operation> out = operations_;
    for (const auto& [id, pending] : pending_) {
        Operation& open = out[id - 1];
        RAFT_ASSERT(open.status == OpStatus::indeterminate);
        open.complete_us = now;
    }
    return out;
}

namespace {

/// `op` as the simulator knows it happened: answered with what its first
/// apply returned, ending no later than that apply.
Operation resolved(Operation op, const KvCommit& commit, Tighten tighten) {
    if (op.status == OpStatus::ok) {
        // The answer came from its server's apply, none of which comes
        // before the first.
        RAFT_ASSERT(commit.first_applied_us <= op.complete_us);
        if (tighten == Tighten::answered_too) {
            op.complete_us = commit.first_applied_us;
        }
        return op;
    }
    RAFT_ASSERT(commit.first_applied_us >= op.invoke_us);
    op.status = OpStatus::ok;
    op.complete_us = commit.first_applied_us;
    if (op.kind == OpKind::get) {
        op.read = commit.response.read;
    } else if (op.kind == OpKind::compare_and_set) {
        op.cas_succeeded = commit.response.cas_succeeded;
    }
    return op;
}

}  // namespace

std::vector<Operation> resolve_history(std::span<const Operation> history,
                                       const std::map<OperationId, KvCommit>& commits,
                                       Tighten tighten) {
    std::vector<Operation> out;
    out.reserve(history.size());
    for (const Operation& op : history) {
        const auto commit = commits.find(op.id);
        if (commit != commits.end()) {
            // Only a command in the log is applied.
            RAFT_ASSERT(op.read_path == ReadPath::log);
            out.push_back(resolved(op, commit->second, tighten));
        } else if (op.status == OpStatus::ok) {
            // Answered without an apply: only a read off the log can be.
            RAFT_ASSERT(op.read_path != ReadPath::log);
            out.push_back(op);
        }
        // Else indeterminate and never applied: it never happened.
    }
    return out;
}

}  // namespace raftsim::sim
