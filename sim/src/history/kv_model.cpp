// The sequential key-value store the checker compares a history against, and
// the validation of a history before any search.

#include <map>
#include <set>

#include "raftsim/core/assert.hpp"
#include "search.hpp"

namespace raftsim::sim {

std::string_view to_string(OpKind kind) noexcept {
    switch (kind) {
        case OpKind::put:
            return "put";
        case OpKind::get:
            return "get";
        case OpKind::remove:
            return "delete";
        case OpKind::compare_and_set:
            return "cas";
    }
    return "?";
}

std::string_view to_string(ReadPath path) noexcept {
    switch (path) {
        case ReadPath::log:
            return "log";
        case ReadPath::read_index:
            return "read_index";
        case ReadPath::lease:
            return "lease";
    }
    return "?";
}

std::string_view to_string(HistoryError error) noexcept {
    switch (error) {
        case HistoryError::none:
            return "none";
        case HistoryError::duplicate_id:
            return "two operations share an id";
        case HistoryError::completes_before_invoke:
            return "completes before it is invoked";
        case HistoryError::duplicate_written_value:
            return "writes a value another operation writes (values must be unique)";
        case HistoryError::unexpected_output:
            return "has an output its kind or status does not have";
    }
    return "?";
}

namespace {

/// The outputs an operation may carry: a get's read and a CAS's flag, and
/// only when the client saw a response; and only a get is served other
/// than through the log.
bool has_expected_outputs(const Operation& op) {
    const bool determinate = op.status == OpStatus::ok;
    if (op.read_path != ReadPath::log && op.kind != OpKind::get) {
        return false;
    }
    if (op.read.has_value()) {
        if (op.kind != OpKind::get) {
            return false;
        }
        if (!determinate) {
            return false;
        }
    }
    if (op.cas_succeeded) {
        if (op.kind != OpKind::compare_and_set) {
            return false;
        }
        if (!determinate) {
            return false;
        }
    }
    return true;
}

}  // namespace

HistoryError validate_history(std::span<const Operation> history, OperationId& at) {
    std::set<OperationId> ids;
    std::set<KvValue> written;
    for (const Operation& op : history) {
        at = op.id;
        if (!ids.insert(op.id).second) {
            return HistoryError::duplicate_id;
        }
        if (op.status == OpStatus::ok && op.complete_us < op.invoke_us) {
            return HistoryError::completes_before_invoke;
        }
        if (!has_expected_outputs(op)) {
            return HistoryError::unexpected_output;
        }
        KvValue value = 0;
        if (history_detail::writes_value(op, value) && !written.insert(value).second) {
            return HistoryError::duplicate_written_value;
        }
    }
    RAFT_ASSERT(ids.size() == history.size());
    at = 0;
    return HistoryError::none;
}

namespace history_detail {

KvStep kv_step(const KvState& state, const Operation& op) {
    // One representation per state: the memo compares states whole.
    RAFT_ASSERT(state.present || state.value == 0);
    RAFT_ASSERT(!state.unobserved || (state.present && state.value == 0));
    const bool determinate = op.status == OpStatus::ok;
    switch (op.kind) {
        case OpKind::put:
            return KvStep{.legal = true, .next = KvState{.present = true, .value = op.value}};
        case OpKind::remove:
            return KvStep{.legal = true, .next = KvState{}};
        case OpKind::get: {
            if (!determinate) {
                return KvStep{.legal = true, .next = state};
            }
            const KvState seen{.present = op.read.has_value(), .value = op.read.value_or(0)};
            return KvStep{.legal = seen == state, .next = state};
        }
        case OpKind::compare_and_set: {
            const bool matches = state.present && !state.unobserved && state.value == op.expected;
            // An indeterminate CAS did whatever the state dictated; an ok one
            // must have seen the state its answer claims.
            const bool legal = !determinate || matches == op.cas_succeeded;
            if (!matches) {
                return KvStep{.legal = legal, .next = state};
            }
            return KvStep{.legal = legal, .next = KvState{.present = true, .value = op.value}};
        }
    }
    RAFT_UNREACHABLE("an operation kind the model does not know");
}

bool needs_written_value(const Operation& op, KvValue& seen) {
    const bool answered = op.status == OpStatus::ok;
    if (op.kind == OpKind::get && answered && op.read.has_value()) {
        seen = *op.read;
        return true;
    }
    if (op.kind == OpKind::compare_and_set && (op.cas_succeeded || !answered)) {
        seen = op.expected;
        return true;
    }
    return false;
}

bool writes_value(const Operation& op, KvValue& written) {
    const bool writes = op.kind == OpKind::put || op.kind == OpKind::compare_and_set;
    RAFT_MAYBE(op.status == OpStatus::indeterminate);
    if (writes) {
        written = op.value;
    }
    return writes;
}

}  // namespace history_detail
}  // namespace raftsim::sim
