#pragma once
// Builders for key-value client histories (the linearizability checker's
// tests), and an independent replay of a sequence of operations that the
// tests use to judge what the checker reports.

#include <algorithm>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "raftsim/core/prng.hpp"
#include "raftsim/sim/history/linearizability.hpp"

namespace raftsim::sim::kv_test {

inline constexpr std::optional<KvValue> not_found = std::nullopt;

inline Operation call(OperationId id, ClientId client, KvKey key, OpKind kind, TimeUs invoke_us,
                      TimeUs complete_us) {
    Operation op;
    op.id = id;
    op.client = client;
    op.key = key;
    op.kind = kind;
    op.invoke_us = invoke_us;
    op.complete_us = complete_us;
    return op;
}

inline Operation put(OperationId id, ClientId client, KvKey key, KvValue value, TimeUs invoke_us,
                     TimeUs complete_us) {
    Operation op = call(id, client, key, OpKind::put, invoke_us, complete_us);
    op.value = value;
    return op;
}

inline Operation get(OperationId id, ClientId client, KvKey key, std::optional<KvValue> read,
                     TimeUs invoke_us, TimeUs complete_us) {
    Operation op = call(id, client, key, OpKind::get, invoke_us, complete_us);
    op.read = read;
    return op;
}

inline Operation remove(OperationId id, ClientId client, KvKey key, TimeUs invoke_us,
                        TimeUs complete_us) {
    return call(id, client, key, OpKind::remove, invoke_us, complete_us);
}

inline Operation cas(OperationId id, ClientId client, KvKey key, KvValue expected, KvValue value,
                     bool succeeded, TimeUs invoke_us, TimeUs complete_us) {
    Operation op = call(id, client, key, OpKind::compare_and_set, invoke_us, complete_us);
    op.expected = expected;
    op.value = value;
    op.cas_succeeded = succeeded;
    return op;
}

/// The same operation without a response (timed out at complete_us).
inline Operation lost(Operation op) {
    op.status = OpStatus::indeterminate;
    op.read.reset();
    op.cas_succeeded = false;
    return op;
}

/// The sequential store, written separately from the checker's model: the
/// state of every key, and whether `op` says what the store would.
struct Register {
    std::map<KvKey, std::optional<KvValue>> keys;

    bool apply(const Operation& op) {
        std::optional<KvValue>& slot = keys[op.key];
        const bool answered = op.status == OpStatus::ok;
        switch (op.kind) {
            case OpKind::put:
                slot = op.value;
                return true;
            case OpKind::remove:
                slot.reset();
                return true;
            case OpKind::get:
                return !answered || slot == op.read;
            case OpKind::compare_and_set: {
                const bool matches = slot.has_value() && *slot == op.expected;
                if (matches) {
                    slot = op.value;
                }
                return !answered || matches == op.cas_succeeded;
            }
        }
        return false;
    }
};

/// Fisher-Yates with the project PRNG.
inline void shuffle(std::vector<Operation>& ops, core::Prng& prng) {
    for (std::size_t i = ops.size(); i > 1; --i) {
        const std::size_t j = prng.below(i);
        std::swap(ops[i - 1], ops[j]);
    }
}

}  // namespace raftsim::sim::kv_test
