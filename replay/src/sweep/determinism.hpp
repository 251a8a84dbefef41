#pragma once
// The determinism check of `raftsim run --check-determinism`: a run is a
// function of (scenario, seed, build), so two runs of the same pair must
// write the same trace record for record. The first record where they part
// is where the hidden input (an uninitialised read, an address-ordered
// container, a clock) first changed a decision -- the place to start looking.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/sim/trace.hpp"
#include "views/timeline.hpp"

namespace raftsim::replay {

[[nodiscard]] bool same_record(const sim::TraceRecord& a, const sim::TraceRecord& b) noexcept;

/// The index of the first record where the traces differ -- the shorter
/// one's length if it is a prefix of the other -- or nullopt if they are equal.
[[nodiscard]] std::optional<std::size_t> first_divergence(
    const std::vector<sim::TraceRecord>& first, const std::vector<sim::TraceRecord>& second);

/// How two runs of one (scenario, seed) disagreed.
struct Divergence {
    /// "trace_divergence", "fingerprint_mismatch" or "violation_mismatch".
    std::string kind;
    /// The first differing record (a trace_divergence) and its simulated
    /// time in the first run (in the second if the first ended before it).
    std::size_t record = 0;
    std::uint64_t time_us = 0;
    /// Where, the `context` records before it that both runs share, and the
    /// two runs' records there, as timeline lines.
    std::string report;
};

/// Renders a divergence at `index` of two traces (each with its own node names).
[[nodiscard]] std::string render_divergence(const std::vector<sim::TraceRecord>& first,
                                            const NodeNames& first_names,
                                            const std::vector<sim::TraceRecord>& second,
                                            const NodeNames& second_names, std::size_t index,
                                            std::size_t context);

/// Compares two runs made with keep_trace: traces record by record, then the
/// fingerprints and violations. nullopt when they match.
[[nodiscard]] std::optional<Divergence> compare_runs(const scenarios::RunResult& first,
                                                     const scenarios::RunResult& second,
                                                     std::size_t context = 8);

}  // namespace raftsim::replay
