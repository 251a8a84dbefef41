#pragma once
// Key-value clients as Jepsen runs them (issue 16): several concurrent
// clients, each with at most one operation outstanding, drawing from a
// seeded mix of puts, gets, deletes and compare-and-sets over a small key
// space. Every written value is unique. Each client keeps its own leader
// hint and changes it only on an error or a redirect, so a client goes on
// talking to a deposed leader it can still reach -- the stale-read case.
// An operation a server refused outright never took effect and is left out
// of the history; one whose outcome the client cannot know (a timeout, a
// lost leadership, a crash of its server) is recorded as indeterminate, and
// the client's retry is a new operation.
//
// This class is the clients' bookkeeping and choices; the simulator
// (simulation_kv.cpp) delivers their requests and results.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "raftsim/core/prng.hpp"
#include "raftsim/core/types.hpp"
#include "raftsim/sim/history/operation.hpp"
#include "raftsim/sim/kv/kv_store.hpp"
#include "raftsim/sim/time.hpp"

namespace raftsim::sim {

/// The state machine each server runs: hashicorp fuzzy's hash chain alone,
/// or with the key-value store beside it (its snapshots then hold both).
enum class StateMachineKind : std::uint8_t { hash_chain, kv };

[[nodiscard]] std::string_view to_string(StateMachineKind kind) noexcept;

struct KvClientOptions {
    /// Concurrent clients; 0 for none.
    std::uint32_t clients = 0;
    /// Keys 0 .. keys-1.
    std::uint32_t keys = 5;
    /// Relative weights of each kind of operation.
    std::uint32_t put_weight = 4;
    std::uint32_t get_weight = 4;
    std::uint32_t delete_weight = 1;
    std::uint32_t cas_weight = 2;
    /// Gets served by ReadIndex and by the leader lease (core::ReadMode);
    /// `get_weight` is gets through the log.
    std::uint32_t read_index_weight = 0;
    std::uint32_t lease_read_weight = 0;
    /// A client pauses a random time in [0, 2 think_us] between operations.
    TimeUs think_us = 10 * us_per_ms;
    /// A client gives up on an operation after this long: indeterminate.
    TimeUs timeout_us = us_per_second;
    /// Start the clients before the first step (else a start_clients step does).
    bool continuous = true;

    friend bool operator==(const KvClientOptions&, const KvClientOptions&) = default;
};

/// The sum of the mix's weights.
[[nodiscard]] std::uint64_t total_weight(const KvClientOptions& options) noexcept;

/// A client's record of one operation the simulator is delivering.
struct KvPending {
    ClientId client = 0;
    core::NodeId node = 0;
    KvKey key = 0;
    ReadPath read_path = ReadPath::log;
};

/// What the simulator knows of a key-value operation and its client may
/// not: that its command took effect, when a server first applied it, and
/// what applying it returned. Every server applies the same command at the
/// same index to the same store (state_machine_safety, convergence), so
/// the first apply's answer is the one. Kept only with
/// SimOptions::cross_check_history.
struct KvCommit {
    TimeUs first_applied_us = 0;
    KvResponse response;
};

/// Whether resolve_history also ends each answered operation through the
/// log when its command was first applied.
enum class Tighten : std::uint8_t { indeterminate_only, answered_too };

/// The history as it happened, by the simulator's knowledge (`commits`, by
/// operation): an indeterminate operation whose command took effect becomes
/// answered, with what applying it returned, and ends when it was first
/// applied (it cannot have taken effect later); one that never did is left
/// out, as is an indeterminate read by ReadIndex or the lease (no log
/// entry: it changed nothing and nobody saw its answer). With
/// Tighten::answered_too an answered operation through the log also ends at
/// its first apply (its answer came from an apply, so no earlier). From a
/// correct system the checker must accept this history as it accepts
/// `history`: the cross-check of the checker against the simulator.
[[nodiscard]] std::vector<Operation> resolve_history(std::span<const Operation> history,
                                                     const std::map<OperationId, KvCommit>& commits,
                                                     Tighten tighten);

/// What a trace `client` record says happened (sub).
enum class ClientEvent : std::uint8_t {
    invoked,        // a = operation, b = key, c = value written (or 0)
    ok,             // a = operation, b = OpKind, c = get: value read + 1 (0: none); CAS: swapped
    indeterminate,  // a = operation
    refused,        // the server refused it outright; c = ProposeError
    /// A get without a log entry: a = operation, b = key, c = ReadPath.
    read_invoked,
    /// Such a get refused outright: c = core::ReadError.
    read_refused,
};

[[nodiscard]] std::string_view to_string(ClientEvent event) noexcept;

class KvClients {
  public:
    KvClients(const KvClientOptions& options, std::uint64_t seed);

    [[nodiscard]] const KvClientOptions& options() const noexcept { return options_; }
    [[nodiscard]] std::uint32_t count() const noexcept { return options_.clients; }

    /// The server `client` will ask next (0: it has none yet).
    [[nodiscard]] core::NodeId hint(ClientId client) const;
    /// Points `client` at `node` (a redirect), or at one of `nodes` drawn
    /// at random when `node` is 0.
    void retarget(ClientId client, core::NodeId node, const std::vector<core::NodeId>& nodes);

    /// Draws `client`'s next operation: a kind from the mix, a key, a fresh
    /// value for a write, and for a compare-and-set the last value this
    /// client saw written to the key (so swaps succeed often enough).
    [[nodiscard]] KvCommand draw(ClientId client);
    /// The server accepted `command`: it is now in the history, invoked at `now`.
    void invoke(ClientId client, const KvCommand& command, core::NodeId node, TimeUs now);
    /// The pending operation `id`, if it still is.
    [[nodiscard]] const KvPending* pending(OperationId id) const;
    [[nodiscard]] std::optional<OperationId> outstanding(ClientId client) const;
    [[nodiscard]] OpKind kind_of(OperationId id) const;
    /// Completes `id` with what the server answered.
    void complete_ok(OperationId id, const KvResponse& response, TimeUs now);
    /// Completes `id` without an answer: it may have taken effect or not.
    void complete_indeterminate(OperationId id, TimeUs now);
    /// The pending operations sent to `node`, in id order.
    [[nodiscard]] std::vector<OperationId> pending_on(core::NodeId node) const;

    /// A pause before `client`'s next operation.
    [[nodiscard]] TimeUs think(ClientId client);
    /// Invalidates `client`'s armed timer and returns the new generation.
    std::uint32_t next_generation(ClientId client);
    [[nodiscard]] std::uint32_t generation(ClientId client) const;

    /// Every operation invoked, in id order; the ones still pending as
    /// indeterminate, given up at `now`.
    [[nodiscard]] std::vector<Operation> history(TimeUs now) const;
    [[nodiscard]] std::uint64_t invoked() const noexcept { return operations_.size(); }

  private:
    struct Client {
        core::NodeId hint = 0;
        std::optional<OperationId> outstanding;
        std::uint32_t generation = 0;
        /// Per key, the last value this client wrote or read there.
        std::map<KvKey, KvValue> last_seen;
    };
    Client& client(ClientId id);
    [[nodiscard]] const Client& client(ClientId id) const;
    Operation& operation(OperationId id);

    KvClientOptions options_;
    core::Prng prng_;
    std::vector<Client> clients_;
    /// By id - 1.
    std::vector<Operation> operations_;
    std::map<OperationId, KvPending> pending_;
    KvValue next_value_ = 1;
};

}  // namespace raftsim::sim
