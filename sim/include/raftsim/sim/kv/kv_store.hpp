#pragma once
// The key-value state machine (issue 16): put, get, delete and
// compare-and-set over integer keys, beside the hash-chain state machine of
// hashicorp's fuzzy/fsm.go. A command carries the client operation it
// serves, so the server that answers a client can hand back what applying
// it returned (a read's value, a compare-and-set's verdict), as hashicorp's
// ApplyFuture.Response does. A snapshot holds the whole store, and a
// restore replaces it (thesis §5.1: the snapshot is the state machine's
// state at its index, not a delta).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "raftsim/core/types.hpp"
#include "raftsim/sim/history/operation.hpp"

namespace raftsim::sim {

/// One key-value command, as a client operation asks for it.
struct KvCommand {
    OperationId operation = 0;
    OpKind kind = OpKind::get;
    KvKey key = 0;
    /// put: the value written. compare_and_set: the new value.
    KvValue value = 0;
    /// compare_and_set: the value the key must hold.
    KvValue expected = 0;
    /// get: how the client asks (not encoded: the log holds only reads
    /// through the log).
    ReadPath read_path = ReadPath::log;

    friend bool operator==(const KvCommand&, const KvCommand&) = default;
};

/// What applying a command returned.
struct KvResponse {
    /// get: the value, or nullopt for "not found".
    std::optional<KvValue> read;
    /// compare_and_set: whether the swap happened.
    bool cas_succeeded = false;

    friend bool operator==(const KvResponse&, const KvResponse&) = default;
};

/// The command's bytes in a log entry: a tag no command of the seeded
/// source (ApplySource) begins with a length it has, then the fields.
[[nodiscard]] core::Payload encode_kv_command(const KvCommand& command);
/// nullopt when `data` is not a key-value command (the seeded source's
/// commands, or bytes of the wrong length or kind).
[[nodiscard]] std::optional<KvCommand> decode_kv_command(const core::Payload& data);

class KvStore {
  public:
    /// Applies one command; a get changes nothing.
    KvResponse apply(const KvCommand& command);

    /// The whole store: the number of keys, then (key, value) pairs in key
    /// order, little-endian.
    [[nodiscard]] core::Bytes snapshot() const;
    /// Replaces the store with a snapshot's. False (and nothing changed)
    /// if `bytes` is not one.
    [[nodiscard]] bool restore(const std::uint8_t* bytes, std::size_t size);

    [[nodiscard]] std::optional<KvValue> get(KvKey key) const;
    [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
    /// "k1=v7 k3=v9" in key order ("(empty)" for none), for reports.
    [[nodiscard]] std::string describe() const;

    friend bool operator==(const KvStore&, const KvStore&) = default;

  private:
    std::map<KvKey, KvValue> values_;
};

}  // namespace raftsim::sim
