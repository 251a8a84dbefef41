// A verdict as text: what an engineer needs to see the violation by hand
// (the key, the end of the longest prefix the search could justify, and the
// window's operations with their times), in an order fixed by ids and times
// alone.

#include <fmt/format.h>

#include <map>

#include "raftsim/core/assert.hpp"
#include "raftsim/sim/history/linearizability.hpp"

namespace raftsim::sim {
namespace {

std::string describe_times(const Operation& op) {
    if (op.status == OpStatus::ok) {
        return fmt::format("[{}, {}]", op.invoke_us, op.complete_us);
    }
    return fmt::format("[{}, ...) no response (gave up at {})", op.invoke_us, op.complete_us);
}

std::string render_violation(const LinearizabilityResult& result,
                             std::span<const Operation> history) {
    std::map<OperationId, const Operation*> by_id;
    std::size_t on_key = 0;
    for (const Operation& op : history) {
        by_id.emplace(op.id, &op);
        on_key += op.key == result.key ? 1 : 0;
    }
    std::string text = fmt::format("not linearizable: key {}\n", result.key);
    text += fmt::format("  longest partial linearization ({} of {} operations on key {}): {}",
                        result.partial_linearization.size(), on_key, result.key,
                        describe_partial_linearization(result.partial_linearization));
    text += fmt::format(
        "\n  smallest window ({} operations, {}):\n", result.window.size(),
        result.window_minimal ? "minimal" : "window checks ran out; may not be minimal");
    for (const OperationId id : result.window) {
        const auto found = by_id.find(id);
        RAFT_ASSERT(found != by_id.end());
        const Operation& op = *found->second;
        text += fmt::format("    #{:<6} client {:<4} {:<36} {}\n", op.id, op.client,
                            describe_call(op), describe_times(op));
    }
    return text;
}

}  // namespace

std::string describe_call(const Operation& op) {
    const bool answered = op.status == OpStatus::ok;
    switch (op.kind) {
        case OpKind::put:
            return fmt::format("put(k{}, {}){}", op.key, op.value, answered ? "" : " -> ?");
        case OpKind::remove:
            return fmt::format("delete(k{}){}", op.key, answered ? "" : " -> ?");
        case OpKind::get: {
            const std::string call = fmt::format("get[{}](k{})", to_string(op.read_path), op.key);
            if (!answered) {
                return call + " -> ?";
            }
            if (!op.read.has_value()) {
                return call + " -> not found";
            }
            return fmt::format("{} -> {}", call, *op.read);
        }
        case OpKind::compare_and_set: {
            const char* outcome = op.cas_succeeded ? "ok" : "failed";
            return fmt::format("cas(k{}, {} -> {}) -> {}", op.key, op.expected, op.value,
                               answered ? outcome : "?");
        }
    }
    return "?";
}

std::string describe_partial_linearization(std::span<const OperationId> ids) {
    const std::size_t skipped =
        ids.size() > partial_linearization_listed ? ids.size() - partial_linearization_listed : 0;
    std::string text = skipped == 0 ? "" : fmt::format("... {} earlier,", skipped);
    for (const OperationId id : ids.subspan(skipped)) {
        text += fmt::format("{}#{}", text.empty() ? "" : " ", id);
    }
    return ids.empty() ? "(none)" : text;
}

std::string render_verdict(const LinearizabilityResult& result,
                           std::span<const Operation> history) {
    const CheckStats& stats = result.stats;
    const std::string totals = fmt::format(
        "  operations {}, keys {}, search steps {}, memo at most {} entries ({} bytes) on a key\n",
        stats.operations, stats.keys, stats.steps, stats.memo_entries_peak, stats.memo_bytes_peak);
    switch (result.verdict) {
        case Verdict::linearizable:
            return "linearizable\n" + totals;
        case Verdict::refused:
            return fmt::format("refused: operation #{} {}\n", result.refused_operation,
                               to_string(result.refusal));
        case Verdict::unknown:
            return fmt::format("unknown: key {}: the search reached its cap on {}\n", result.key,
                               to_string(result.cap)) +
                   totals;
        case Verdict::not_linearizable:
            return render_violation(result, history) + totals;
    }
    RAFT_UNREACHABLE("a verdict the renderer does not know");
}

}  // namespace raftsim::sim
