// A sweep worker's tasks (case_work.hpp).
#include "sweep/case_work.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "artifact/artifact.hpp"
#include "raftsim/core/assert.hpp"
#include "sweep/determinism.hpp"
#include "workers/pool.hpp"

namespace raftsim::replay {
namespace {

using Json = nlohmann::json;

/// A run, or in determinism mode both runs of it.
struct Runs {
    scenarios::RunResult first{};
    std::optional<scenarios::RunResult> second{};
    std::optional<Divergence> divergence{};
};

[[nodiscard]] Runs run_case(const CaseWorkSettings& settings, const LoadedScenario& loaded,
                            std::uint64_t seed, bool keep_trace) {
    const bool check_determinism = settings.check_determinism;
    // In a worker, the run says how far it got (a crash's detail).
    const scenarios::RunOptions options{
        .seed = seed,
        .keep_trace = keep_trace || check_determinism,
        .system = settings.system,
        .progress = worker_progress(),
        .linearizability_limits = history_limits(settings.history_max_steps)};
    Runs runs{.first = scenarios::run_scenario(loaded.scenario, options)};
    // A skipped run made nothing to compare: the skip is decided by the
    // scenario and the system alone, so a second one would skip the same.
    if (check_determinism && !runs.first.skipped) {
        runs.second = scenarios::run_scenario(loaded.scenario, options);
        runs.divergence = compare_runs(runs.first, *runs.second);
    }
    return runs;
}

// A run's undecided history check, as the parent reads it back.
[[nodiscard]] Json history_unknown_json(const HistoryUnknown& unknown) {
    return {{"cap", unknown.cap},
            {"limit", unknown.limit},
            {"key", unknown.key},
            {"operations", unknown.operations},
            {"keys", unknown.keys},
            {"steps", unknown.steps},
            {"memo_bytes_peak", unknown.memo_bytes_peak}};
}

[[nodiscard]] std::optional<HistoryUnknown> parse_history_unknown(const Json& out) {
    if (!out.contains("history_unknown")) {
        return std::nullopt;
    }
    const Json& json = out["history_unknown"];
    return HistoryUnknown{.cap = json.value("cap", ""),
                          .limit = json.value("limit", std::uint64_t{0}),
                          .key = json.value("key", std::uint64_t{0}),
                          .operations = json.value("operations", std::uint64_t{0}),
                          .keys = json.value("keys", std::uint64_t{0}),
                          .steps = json.value("steps", std::uint64_t{0}),
                          .memo_bytes_peak = json.value("memo_bytes_peak", std::uint64_t{0})};
}

[[nodiscard]] Json outcome_json(const CaseWorkSettings& settings, const Runs& runs) {
    const scenarios::RunResult& result = runs.first;
    if (result.skipped) {
        return {{"passed", false}, {"skipped", true}, {"skip_reason", result.skip_reason}};
    }
    Json out = {{"passed", result.passed && !runs.divergence.has_value()},
                {"fingerprint", result.fingerprint},
                {"events", result.events},
                {"trace_records", result.trace_records},
                {"simulated_us", result.simulated_us}};
    if (runs.divergence.has_value()) {
        out["diverged"] = true;
        out["violation"] = {{"checker", "determinism"},
                            {"kind", runs.divergence->kind},
                            {"detail", runs.divergence->report},
                            {"time_us", runs.divergence->time_us}};
    } else if (result.violation.has_value()) {
        out["violation"] = {{"checker", std::string(sim::to_string(result.violation->checker))},
                            {"kind", result.violation->kind},
                            {"detail", result.violation->detail},
                            {"time_us", result.violation->time}};
    }
    if (const auto& checked = result.simulation->linearizability()) {
        if (const std::optional<HistoryUnknown> unknown =
                history_unknown_of(*checked, history_limits(settings.history_max_steps))) {
            out["history_unknown"] = history_unknown_json(*unknown);
        }
    }
    return out;
}

// Writes the artifact of `runs` (made keeping their traces). After a
// divergence it is the first run's, with the divergence report and the
// second run's trace beside it.
[[nodiscard]] ArtifactWrite write_runs_artifact(const LoadedScenario& loaded, std::uint64_t seed,
                                                const Runs& runs, const std::string& directory) {
    ArtifactExtras extras;
    if (runs.divergence.has_value()) {
        const sim::Simulation& second = *runs.second->simulation;
        extras.files.emplace_back("divergence.txt", runs.divergence->report);
        extras.files.emplace_back("trace-second-run.jsonl",
                                  render_jsonl(second.trace().records(), node_names(second)));
    }
    return write_artifact(directory, loaded, seed, runs.first, extras);
}

// Re-runs a failing case keeping its trace and writes its artifact.
[[nodiscard]] Json write_case_artifact(const CaseWorkSettings& settings,
                                       const LoadedScenario& loaded, std::uint64_t seed,
                                       const std::string& directory) {
    const Runs runs = run_case(settings, loaded, seed, true);
    // Only failures get artifacts, and a skipped run cannot have failed.
    RAFT_ASSERT(!runs.first.skipped);
    const ArtifactWrite written = write_runs_artifact(loaded, seed, runs, directory);
    return {{"error", written.error},
            {"bytes", written.bytes},
            {"fingerprint", runs.first.fingerprint}};
}

// A run (twice in determinism mode); a divergence's artifact is written at
// once, while both traces are at hand (CaseOutcome::pending_artifact).
[[nodiscard]] Json run_and_report(const CaseWorkSettings& settings, const LoadedScenario& loaded,
                                  std::uint64_t seed, std::uint64_t position) {
    const Runs runs = run_case(settings, loaded, seed, false);
    Json out = outcome_json(settings, runs);
    if (runs.divergence.has_value()) {
        const std::string directory =
            fmt::format("{}/.divergence-{}.pending", settings.out_dir, position);
        const ArtifactWrite written = write_runs_artifact(loaded, seed, runs, directory);
        out["pending_artifact"] = written.error.empty() ? directory : "";
    }
    return out;
}

}  // namespace

const LoadedScenario& case_scenario(const CaseWorkSettings& settings, const CaseRef& ref,
                                    LoadedScenario& swarm) {
    RAFT_ASSERT(ref.row < settings.plan->rows().size());
    const SweepRow& row = settings.plan->rows()[ref.row];
    if (row.scenario != nullptr) {
        return *row.scenario;
    }
    RAFT_ASSERT(settings.system != nullptr);
    swarm = swarm_loaded(ref.seed, settings.system->capabilities());
    apply_limit_overrides(swarm, settings.limits);
    return swarm;
}

std::string run_task(const CaseRef& ref) {
    return Json{{"task", "run"}, {"row", ref.row}, {"seed", ref.seed}, {"position", ref.position}}
        .dump();
}

std::string artifact_task(const CaseRef& ref, const std::string& directory) {
    RAFT_ASSERT(!directory.empty());
    return Json{{"task", "artifact"}, {"row", ref.row}, {"seed", ref.seed}, {"dir", directory}}
        .dump();
}

std::string do_case_work(const CaseWorkSettings& settings, std::string_view task_text) {
    RAFT_ASSERT(settings.plan != nullptr);
    // The parent wrote the task: one that does not parse is a harness bug,
    // and the exception ends the worker (reported as its death).
    const Json task = Json::parse(task_text);
    const std::size_t row = task.at("row").get<std::size_t>();
    const std::uint64_t seed = task.at("seed").get<std::uint64_t>();
    RAFT_ASSERT(row < settings.plan->rows().size());
    LoadedScenario swarm;
    const LoadedScenario& loaded =
        case_scenario(settings, CaseRef{.position = 0, .row = row, .seed = seed}, swarm);
    if (task.at("task") == "artifact") {
        return write_case_artifact(settings, loaded, seed, task.at("dir").get<std::string>())
            .dump();
    }
    RAFT_ASSERT(task.at("task") == "run");
    return run_and_report(settings, loaded, seed, task.at("position").get<std::uint64_t>()).dump();
}

std::optional<CaseOutcome> parse_case_outcome(std::string_view text) {
    const Json out = Json::parse(text, nullptr, false);
    if (out.is_discarded() || !out.is_object()) {
        return std::nullopt;
    }
    CaseOutcome outcome{.passed = out.value("passed", false),
                        .skipped = out.value("skipped", false),
                        .skip_reason = out.value("skip_reason", ""),
                        .violation = std::nullopt,
                        .diverged = out.value("diverged", false),
                        .pending_artifact = out.value("pending_artifact", ""),
                        .fingerprint = out.value("fingerprint", std::uint64_t{0}),
                        .events = out.value("events", std::uint64_t{0}),
                        .trace_records = out.value("trace_records", std::uint64_t{0}),
                        .simulated_us = out.value("simulated_us", std::uint64_t{0}),
                        .history_unknown = parse_history_unknown(out)};
    if (out.contains("violation")) {
        const Json& violation = out["violation"];
        outcome.violation = CaseViolation{.checker = violation.value("checker", ""),
                                          .kind = violation.value("kind", ""),
                                          .detail = violation.value("detail", ""),
                                          .time_us = violation.value("time_us", std::uint64_t{0})};
    }
    if (outcome.skipped) {
        // Nothing ran: no pass, no violation, and a reason.
        const bool whole = !outcome.passed && !outcome.violation.has_value();
        return whole && !outcome.skip_reason.empty() ? std::optional(outcome) : std::nullopt;
    }
    if (outcome.passed == outcome.violation.has_value()) {
        return std::nullopt;
    }
    return outcome;
}

std::optional<ArtifactOutcome> parse_artifact_outcome(std::string_view text) {
    const Json out = Json::parse(text, nullptr, false);
    if (out.is_discarded() || !out.is_object()) {
        return std::nullopt;
    }
    return ArtifactOutcome{.error = out.value("error", ""),
                           .bytes = out.value("bytes", std::uint64_t{0}),
                           .fingerprint = out.value("fingerprint", std::uint64_t{0})};
}

}  // namespace raftsim::replay
