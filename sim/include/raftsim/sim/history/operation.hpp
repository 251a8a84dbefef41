#pragma once
// A client's view of a key-value store: one record per request, from its
// invocation to its response. Herlihy & Wing (1990, section 2) define a
// history as a sequence of invocation and response events; a record here is
// one matched pair, with the simulated times of its two events.
//
// A request that timed out, or whose leader was lost, has no response: its
// status is `indeterminate` (Knossos' :info). It may have taken effect at any
// point after its invocation, or never, so its completion time is kept for
// the reader only and the checker treats it as returning at +infinity.

#include <cstdint>
#include <optional>
#include <string_view>

#include "raftsim/sim/time.hpp"

namespace raftsim::sim {

using ClientId = std::uint32_t;
/// Chosen by whoever records the history; unique within it. Verdicts name
/// operations by id, never by position, so they do not depend on the order
/// the records were handed over in.
using OperationId = std::uint64_t;
using KvKey = std::uint32_t;
/// Every value written (by a put or as a compare-and-set's new value) is
/// unique in a history, so a read names the one write it saw.
using KvValue = std::uint64_t;

enum class OpKind : std::uint8_t {
    put,
    get,
    /// delete (a keyword in C++): the key becomes absent.
    remove,
    compare_and_set,
};

/// How a client's get reaches the state machine (thesis §6.4): as a
/// command in the log, or answered from the leader's state once it has
/// confirmed its leadership by a heartbeat round (ReadIndex) or by its lease.
enum class ReadPath : std::uint8_t { log, read_index, lease };

enum class OpStatus : std::uint8_t {
    /// The client saw a response; the outputs below are what it said.
    ok,
    /// No response: the operation took effect once after its invocation, or never.
    indeterminate,
};

struct Operation {
    OperationId id = 0;
    ClientId client = 0;
    KvKey key = 0;
    OpKind kind = OpKind::get;
    /// put: the value written. compare_and_set: the new value.
    KvValue value = 0;
    /// compare_and_set: the value the key must hold for the swap to happen.
    /// An absent key never matches.
    KvValue expected = 0;
    TimeUs invoke_us = 0;
    /// ok: when the response arrived. indeterminate: when the client gave up.
    TimeUs complete_us = 0;
    OpStatus status = OpStatus::ok;
    /// get, ok: the value seen, or nullopt for "not found" (an absent key is
    /// distinct from every value).
    std::optional<KvValue> read;
    /// compare_and_set, ok: whether the swap happened.
    bool cas_succeeded = false;
    /// get: how it was served, for the reader (the HTML lanes, a verdict's
    /// text). The checker does not look at it: a read is a read, and a stale
    /// one by any path shows. Anything but a get goes through the log.
    ReadPath read_path = ReadPath::log;
};

/// Why a history is refused: it is input from outside, validated, never asserted.
enum class HistoryError : std::uint8_t {
    none,
    duplicate_id,
    /// An operation with a response completes before it is invoked.
    completes_before_invoke,
    /// Two operations write the same value (values must be unique).
    duplicate_written_value,
    /// An output that its kind does not have: a put or delete with a read
    /// value, a CAS success flag on anything but a CAS, any output on an
    /// indeterminate operation, or a read path other than the log on
    /// anything but a get.
    unexpected_output,
};

[[nodiscard]] std::string_view to_string(OpKind kind) noexcept;
[[nodiscard]] std::string_view to_string(ReadPath path) noexcept;
[[nodiscard]] std::string_view to_string(HistoryError error) noexcept;

}  // namespace raftsim::sim
