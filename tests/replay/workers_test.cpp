// Worker processes (replay/src/workers): a worker that dies says how far
// its run had got, through the progress page it shares with the parent, and
// a run publishes its progress as it goes.
#include <catch2/catch.hpp>
#include <csignal>
#include <string>
#include <vector>

#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/parse.hpp"
#include "workers/crash.hpp"
#include "workers/pool.hpp"

namespace {

using namespace raftsim;
using namespace raftsim::replay;

// Waits for the one task running on `pool`.
TaskResult wait_one(WorkerPool& pool) {
    std::vector<TaskResult> ended;
    while (ended.empty()) {
        ended = pool.wait(std::nullopt);
    }
    REQUIRE(ended.size() == 1);
    return ended.front();
}

}  // namespace

TEST_CASE("workers: a worker that dies reports the progress it last published") {
    CHECK(worker_progress() == nullptr);  // the parent has no page of its own
    // "die N": publish event N and die as a SIGSEGV would kill it (SIGKILL:
    // no sanitizer or test framework can catch it). Anything else: answer.
    WorkerPool pool(1, [](std::string_view task) {
        sim::RunProgress* progress = worker_progress();
        if (progress == nullptr) {
            return std::string("no page");
        }
        if (task.substr(0, 4) == "die ") {
            progress->events.store(std::stoull(std::string(task.substr(4))));
            progress->time_us.store(1234567);
            std::raise(SIGKILL);
        }
        return std::string("events ") + std::to_string(progress->events.load());
    });
    REQUIRE(pool.submit(1, "die 4242"));
    const TaskResult died = wait_one(pool);
    CHECK(died.end == TaskEnd::died);
    CHECK(died.signal == SIGKILL);
    CHECK(died.progress_events == 4242);
    CHECK(died.progress_time_us == 1234567);
    // A new worker takes the slot, and its page starts at zero: the dead
    // worker's numbers do not leak into the next task.
    REQUIRE(pool.submit(2, "ask"));
    const TaskResult answered = wait_one(pool);
    CHECK(answered.end == TaskEnd::done);
    CHECK(answered.output == "events 0");
    CHECK(answered.progress_events == 0);
}

TEST_CASE("workers: a run publishes its event count and time as it goes") {
    const scenarios::ParseResult parsed = scenarios::parse_scenario(
        R"({"name": "progress", "cluster": {"names": ["n1", "n2", "n3"]},
            "steps": [{"wait_for_leader": "2s"}, {"sleep": "300ms"}]})",
        "progress.json");
    REQUIRE(parsed.scenario.has_value());
    sim::RunProgress progress;
    const scenarios::RunResult result =
        scenarios::run_scenario(*parsed.scenario, {.seed = 5, .progress = &progress});
    REQUIRE(result.passed);
    CHECK(progress.events.load() == result.events);
    CHECK(progress.time_us.load() > 0);
    CHECK(progress.time_us.load() <= result.simulated_us);
    // Publishing changes nothing about the run.
    const scenarios::RunResult plain = scenarios::run_scenario(*parsed.scenario, {.seed = 5});
    CHECK(plain.fingerprint == result.fingerprint);
}

TEST_CASE("workers: a death is named by its signal or its exit status") {
    CHECK(death_kind(SIGSEGV, 0) == "SIGSEGV");
    CHECK(death_kind(0, 1) == "exit 1");
    CHECK(death_kind(SIGRTMIN + 3, 0) == "signal " + std::to_string(SIGRTMIN + 3));
    CHECK(crash_detail("SIGSEGV", 7, 0, 0).find("before the first event of seed 7") !=
          std::string::npos);
    CHECK(crash_detail("SIGSEGV", 7, 1234, 512000).find("in event 1234 at 0.512000s") !=
          std::string::npos);
}
