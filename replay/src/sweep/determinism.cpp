#include "sweep/determinism.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "raftsim/core/assert.hpp"

namespace raftsim::replay {
namespace {

// The timeline shows what a record means but not every field of every kind,
// so the two differing records are also shown raw: the difference may be in
// a field the timeline leaves out.
[[nodiscard]] std::string raw_record(const sim::TraceRecord& record) {
    return fmt::format("time_us={} kind={} sub={} node={} peer={} term={} a={} b={} c={}",
                       record.time, sim::to_string(record.kind), record.sub, record.node,
                       record.peer, record.term, record.a, record.b, record.c);
}

[[nodiscard]] std::string record_at(const std::vector<sim::TraceRecord>& records,
                                    const NodeNames& names, std::size_t index) {
    if (index >= records.size()) {
        return fmt::format("    (the trace ended after {} records)\n", records.size());
    }
    return render_timeline(records, names, index, index + 1) +
           fmt::format("              raw: {}\n", raw_record(records[index]));
}

[[nodiscard]] std::string describe_violation(const scenarios::RunResult& result) {
    if (!result.violation.has_value()) {
        return "none";
    }
    return fmt::format("{}/{}: {}", sim::to_string(result.violation->checker),
                       result.violation->kind, result.violation->detail);
}

}  // namespace

bool same_record(const sim::TraceRecord& a, const sim::TraceRecord& b) noexcept {
    return a.time == b.time && a.kind == b.kind && a.sub == b.sub && a.node == b.node &&
           a.peer == b.peer && a.term == b.term && a.a == b.a && a.b == b.b && a.c == b.c;
}

std::optional<std::size_t> first_divergence(const std::vector<sim::TraceRecord>& first,
                                            const std::vector<sim::TraceRecord>& second) {
    const std::size_t shared = std::min(first.size(), second.size());
    const auto [at_first, at_second] =
        std::mismatch(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(shared),
                      second.begin(), same_record);
    const auto index = static_cast<std::size_t>(at_first - first.begin());
    RAFT_ASSERT(index <= shared);
    RAFT_ASSERT(index == static_cast<std::size_t>(at_second - second.begin()));
    if (index == shared && first.size() == second.size()) {
        return std::nullopt;
    }
    return index;
}

std::string render_divergence(const std::vector<sim::TraceRecord>& first,
                              const NodeNames& first_names,
                              const std::vector<sim::TraceRecord>& second,
                              const NodeNames& second_names, std::size_t index,
                              std::size_t context) {
    RAFT_ASSERT(index <= first.size());
    RAFT_ASSERT(index <= second.size());
    std::string out = fmt::format(
        "the two runs' traces diverge at record {} (first run: {} records, second: {})\n", index,
        first.size(), second.size());
    const std::size_t from = index > context ? index - context : 0;
    if (from < index) {
        out += fmt::format("  records {}..{}, the same in both runs:\n", from, index - 1);
        out += render_timeline(first, first_names, from, index);
    }
    out += "  first run:\n" + record_at(first, first_names, index);
    out += "  second run:\n" + record_at(second, second_names, index);
    return out;
}

std::optional<Divergence> compare_runs(const scenarios::RunResult& first,
                                       const scenarios::RunResult& second, std::size_t context) {
    RAFT_ASSERT(first.simulation != nullptr);
    RAFT_ASSERT(second.simulation != nullptr);
    RAFT_ASSERT(first.simulation->trace().keeps_records());
    RAFT_ASSERT(second.simulation->trace().keeps_records());
    const std::vector<sim::TraceRecord>& a = first.simulation->trace().records();
    const std::vector<sim::TraceRecord>& b = second.simulation->trace().records();
    if (const std::optional<std::size_t> index = first_divergence(a, b)) {
        const std::vector<sim::TraceRecord>& present = *index < a.size() ? a : b;
        RAFT_ASSERT(*index < present.size());
        return Divergence{
            .kind = "trace_divergence",
            .record = *index,
            .time_us = present[*index].time,
            .report = render_divergence(a, node_names(*first.simulation), b,
                                        node_names(*second.simulation), *index, context)};
    }
    if (first.fingerprint != second.fingerprint) {
        return Divergence{
            .kind = "fingerprint_mismatch",
            .report = fmt::format("equal traces but fingerprints {:016x} and {:016x}\n",
                                  first.fingerprint, second.fingerprint)};
    }
    const std::string first_violation = describe_violation(first);
    const std::string second_violation = describe_violation(second);
    if (first_violation != second_violation) {
        return Divergence{.kind = "violation_mismatch",
                          .report = fmt::format("equal traces but violations differ:\n"
                                                "  first run:  {}\n  second run: {}\n",
                                                first_violation, second_violation)};
    }
    return std::nullopt;
}

}  // namespace raftsim::replay
