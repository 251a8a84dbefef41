// Running a shrink's candidates (shrink_runner.hpp).
#include "shrink/shrink_runner.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

#include "raftsim/core/assert.hpp"
#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/parse.hpp"
#include "raftsim/sut/registry.hpp"
#include "workers/crash.hpp"
#include "workers/pool.hpp"

namespace raftsim::replay {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

[[nodiscard]] Json outcome_json(const CandidateOutcome& outcome) {
    return Json{{"checker", outcome.checker},
                {"kind", outcome.kind},
                {"detail", outcome.detail},
                {"failed_step_path", outcome.failed_step_path},
                {"events", outcome.events},
                {"trace_records", outcome.trace_records},
                {"simulated_us", outcome.simulated_us}};
}

// The outcome of a task whose worker died: the signal, and the event and
// time the run had reached (the worker's progress page).
[[nodiscard]] CandidateOutcome died_outcome(const TaskResult& result) {
    RAFT_ASSERT(result.end != TaskEnd::aborted);
    return CandidateOutcome{.died = result.signal != 0 ? result.signal : -1,
                            .death = death_kind(result.signal, result.exit_status),
                            .events = result.progress_events,
                            .simulated_us = result.progress_time_us};
}

}  // namespace

CandidateOutcome run_candidate(const scenarios::Scenario& scenario, std::uint64_t seed,
                               std::uint64_t max_events, const sut::System* system) {
    const scenarios::RunResult result =
        scenarios::run_scenario(scenario, {.seed = seed,
                                           .keep_trace = false,
                                           .max_events = max_events,
                                           .system = system,
                                           .progress = worker_progress()});
    CandidateOutcome outcome{.failed_step_path = result.failed_step_path,
                             .events = result.events,
                             .trace_records = result.trace_records,
                             .simulated_us = result.simulated_us};
    if (result.violation.has_value()) {
        outcome.checker = std::string(sim::to_string(result.violation->checker));
        outcome.kind = result.violation->kind;
        outcome.detail = result.violation->detail;
    }
    RAFT_ASSERT(!outcome.checker.empty() || outcome.failed_step_path.empty());
    return outcome;
}

std::string encode_candidate_task(const CandidateTask& task, const sut::System& system) {
    RAFT_ASSERT(task.text != nullptr);
    return Json{{"text", *task.text},
                {"seed", task.seed},
                {"max_events", task.max_events},
                {"sut", system.name()}}
        .dump();
}

std::string run_candidate_task(std::string_view task) {
    // A worker often gets the same scenario on seed after seed (a seed
    // sweep, a change tried on many seeds): it keeps the last one parsed.
    // This lives only in worker processes, one task at a time.
    static std::string last_text;
    static std::optional<scenarios::Scenario> last_parsed;
    const Json json = Json::parse(task);
    std::string text = json.at("text").get<std::string>();
    if (!last_parsed.has_value() || text != last_text) {
        scenarios::ParseResult parsed = scenarios::parse_scenario(text, "candidate");
        // The parent parsed the same text before sending it.
        RAFT_ASSERT(!parsed.error.has_value());
        last_parsed = std::move(*parsed.scenario);
        last_text = std::move(text);
    }
    RAFT_ASSERT(last_parsed.has_value());
    // The parent named a system of this very build.
    const sut::System* system = sut::find_system(json.at("sut").get<std::string>());
    RAFT_ASSERT(system != nullptr);
    return outcome_json(run_candidate(*last_parsed, json.at("seed").get<std::uint64_t>(),
                                      json.at("max_events").get<std::uint64_t>(), system))
        .dump();
}

std::optional<CandidateOutcome> decode_candidate_outcome(std::string_view text) {
    const Json json = Json::parse(text, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
        return std::nullopt;
    }
    try {
        return CandidateOutcome{.checker = json.at("checker").get<std::string>(),
                                .kind = json.at("kind").get<std::string>(),
                                .detail = json.at("detail").get<std::string>(),
                                .failed_step_path = json.at("failed_step_path").get<std::string>(),
                                .events = json.at("events").get<std::uint64_t>(),
                                .trace_records = json.at("trace_records").get<std::uint64_t>(),
                                .simulated_us = json.at("simulated_us").get<std::uint64_t>()};
    } catch (const Json::exception&) {
        return std::nullopt;
    }
}

CandidateOutcome run_one(CandidateRunner& runner, const CandidateTask& task) {
    RAFT_ASSERT(runner.busy() == 0);
    const std::uint64_t id = runner.submit(task);
    for (;;) {
        std::optional<std::vector<std::pair<std::uint64_t, CandidateOutcome>>> ended =
            runner.wait();
        RAFT_ASSERT(ended.has_value());  // no stop function: it never gives up
        if (!ended->empty()) {
            RAFT_ASSERT(ended->size() == 1 && ended->front().first == id);
            return std::move(ended->front().second);
        }
    }
}

CandidateRunner::CandidateRunner(std::size_t jobs, std::function<bool()> stop,
                                 const sut::System* system)
    : stop_(std::move(stop)), system_(sut::system_or_default(system)) {
    if (jobs > 0) {
        pool_ = std::make_unique<WorkerPool>(jobs, run_candidate_task);
    }
}

CandidateRunner::~CandidateRunner() = default;

std::size_t CandidateRunner::capacity() const noexcept {
    return pool_ != nullptr ? pool_->jobs() : 1;
}

std::size_t CandidateRunner::busy() const noexcept {
    return ready_.size() + (pool_ != nullptr ? pool_->busy() : 0);
}

std::uint64_t CandidateRunner::submit(const CandidateTask& task) {
    RAFT_ASSERT(has_idle());
    RAFT_ASSERT(task.scenario != nullptr);
    const std::uint64_t id = next_id_++;
    // No worker could be started (fork failed): the run happens here, which
    // gives the same outcome unless it crashes.
    if (pool_ == nullptr || !pool_->submit(id, encode_candidate_task(task, system_))) {
        ready_.emplace_back(id,
                            run_candidate(*task.scenario, task.seed, task.max_events, &system_));
    }
    return id;
}

std::optional<std::vector<std::pair<std::uint64_t, CandidateOutcome>>> CandidateRunner::wait() {
    RAFT_ASSERT(busy() > 0);
    std::vector<std::pair<std::uint64_t, CandidateOutcome>> ended = std::move(ready_);
    ready_.clear();
    bool freed = false;  // a dropped task ended: its worker may take work
    while (ended.empty() && !freed) {
        if (stop_ && stop_()) {
            drop_all();
            return std::nullopt;
        }
        RAFT_ASSERT(pool_ != nullptr && pool_->busy() > 0);
        for (TaskResult& result : pool_->wait(200ms)) {
            if (dropped_.erase(result.id) > 0) {
                freed = true;
                continue;
            }
            constexpr double weight = 0.1;
            mean_task_seconds_ += weight * (result.wall_seconds - mean_task_seconds_);
            std::optional<CandidateOutcome> outcome = result.end == TaskEnd::done
                                                          ? decode_candidate_outcome(result.output)
                                                          : std::nullopt;
            // A worker that died, or answered nonsense, ran no run the
            // search can use: it is reported as dead, with how far it got.
            if (!outcome.has_value()) {
                outcome = died_outcome(result);
            }
            ended.emplace_back(result.id, std::move(*outcome));
        }
    }
    return ended;
}

void CandidateRunner::drop_all() {
    ready_.clear();
    if (pool_ == nullptr) {
        return;
    }
    // Past this a run is likely to go on long enough to pay for a new worker.
    constexpr double long_task_seconds = 0.005;
    for (const auto& [id, seconds] : pool_->running_seconds()) {
        dropped_.insert(id);
        if (mean_task_seconds_ > long_task_seconds) {
            pool_->abort(id);  // its end comes with the next wait()
        }
    }
    RAFT_ASSERT(dropped_.size() <= pool_->busy());
}

}  // namespace raftsim::replay
