// The linearizability checker against what the simulator knows (issue 16).
//
// A client that gave up on an operation (a timeout, a lost leader, a crash
// of its server) cannot tell whether it took effect, so the checker lets it
// take effect at any point after its invocation, or never. The simulator
// knows: a command took effect iff some server applied it, no later than the
// first apply, with what that apply returned. Over seeds of every built-in
// with key-value clients, the history with each indeterminate operation
// resolved that way must get the clients' history's verdict (linearizable),
// also with every answered operation through the log ending at its first
// apply. And the check can fail: claiming that a write some read saw never
// happened makes the resolved history not linearizable.
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "raftsim/scenarios/builtin.hpp"
#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/scenarios/parse.hpp"
#include "raftsim/sim/history/linearizability.hpp"
#include "raftsim/sim/kv/clients.hpp"

namespace raftsim::sim {
namespace {

// Each built-in with clients runs these seeds (a run is a few tenths of a
// second: the whole test takes seconds). Under the sanitizers, which make
// every run ten times slower, a third of them: the sanitizers look for
// memory and UB errors, which the first seeds reach as well.
constexpr std::uint64_t first_seed = 1;
#ifdef RAFTSIM_TEST_SANITIZED
constexpr std::uint64_t last_seed = 4;
#else
constexpr std::uint64_t last_seed = 12;
#endif

// The negative control's check stops minimising the window early: only the
// verdict matters, and a window on a key of thousands of operations would
// cost thousands of searches.
constexpr CheckLimits control_limits{.max_window_checks = 1};

struct Tally {
    std::uint64_t runs = 0;
    std::uint64_t operations = 0;
    std::uint64_t indeterminate = 0;
    /// Indeterminate operations the simulator knows took effect, or not.
    std::uint64_t took_effect = 0;
    std::uint64_t never = 0;
    /// Negative controls run (a resolved write some get saw, taken out).
    std::uint64_t controls = 0;
};

std::vector<scenarios::Scenario> builtins_with_clients() {
    std::vector<scenarios::Scenario> out;
    for (const scenarios::BuiltinScenario& builtin : scenarios::builtin_scenarios()) {
        const scenarios::ParseResult parsed =
            scenarios::parse_scenario(builtin.text, std::string(builtin.file_name));
        REQUIRE(parsed.scenario.has_value());
        if (parsed.scenario->clients.clients > 0) {
            out.push_back(*parsed.scenario);
        }
    }
    return out;
}

// The simulator's knowledge agrees with what the clients saw: an answered
// operation through the log was applied, no later than its answer, and
// answered with what its first apply returned; nothing off the log was
// applied. Returns the operations where it does not.
std::vector<OperationId> disagreeing_answers(const std::vector<Operation>& history,
                                             const std::map<OperationId, KvCommit>& commits) {
    std::vector<OperationId> out;
    for (const Operation& op : history) {
        const auto commit = commits.find(op.id);
        if (op.read_path != ReadPath::log || op.status != OpStatus::ok) {
            if (commit != commits.end() && op.read_path != ReadPath::log) {
                out.push_back(op.id);
            }
            continue;
        }
        const bool agrees = commit != commits.end() &&
                            commit->second.first_applied_us >= op.invoke_us &&
                            commit->second.first_applied_us <= op.complete_us &&
                            commit->second.response.read == op.read &&
                            commit->second.response.cas_succeeded == op.cas_succeeded;
        if (!agrees) {
            out.push_back(op.id);
        }
    }
    return out;
}

void count(const std::vector<Operation>& history, const std::map<OperationId, KvCommit>& commits,
           Tally& tally) {
    tally.runs += 1;
    tally.operations += history.size();
    for (const Operation& op : history) {
        if (op.status == OpStatus::indeterminate) {
            tally.indeterminate += 1;
            const bool applied = commits.contains(op.id);
            tally.took_effect += applied ? 1 : 0;
            tally.never += applied ? 0 : 1;
        }
    }
}

// A write the clients never learnt the outcome of, that the simulator knows
// took effect, and whose value an answered get read: the resolution to flip.
std::optional<OperationId> seen_resolved_write(const std::vector<Operation>& history,
                                               const std::vector<Operation>& resolved) {
    std::set<KvValue> read;
    for (const Operation& op : history) {
        if (op.status == OpStatus::ok && op.kind == OpKind::get && op.read.has_value()) {
            read.insert(*op.read);
        }
    }
    std::set<OperationId> indeterminate;
    for (const Operation& op : history) {
        if (op.status == OpStatus::indeterminate) {
            indeterminate.insert(op.id);
        }
    }
    for (const Operation& op : resolved) {
        const bool writes =
            op.kind == OpKind::put || (op.kind == OpKind::compare_and_set && op.cas_succeeded);
        if (writes && indeterminate.contains(op.id) && read.contains(op.value)) {
            return op.id;
        }
    }
    return std::nullopt;
}

// The wrong way: the write took effect, and a later read saw it, but the
// resolution says it never happened.
void check_control(std::vector<Operation> resolved, OperationId write) {
    std::erase_if(resolved, [write](const Operation& op) { return op.id == write; });
    const LinearizabilityResult result = check_linearizability(resolved, control_limits);
    CAPTURE(write);
    CHECK(result.verdict == Verdict::not_linearizable);
}

void cross_check(const scenarios::Scenario& scenario, std::uint64_t seed, Tally& tally) {
    CAPTURE(scenario.name, seed);
    const scenarios::RunResult run =
        scenarios::run_scenario(scenario, {.seed = seed, .cross_check_history = true});
    INFO((run.violation ? run.violation->detail : std::string("no violation")));
    REQUIRE(run.passed);
    const Simulation& sim = *run.simulation;
    const std::vector<Operation> history = sim.client_history();
    const std::map<OperationId, KvCommit>& commits = sim.kv_commits();
    CHECK(disagreeing_answers(history, commits).empty());
    count(history, commits, tally);

    REQUIRE(sim.linearizability().has_value());
    const Verdict raw = sim.linearizability()->verdict;
    CHECK(raw == Verdict::linearizable);
    const std::vector<Operation> resolved =
        resolve_history(history, commits, Tighten::indeterminate_only);
    CHECK(check_linearizability(resolved).verdict == raw);
    // Tighter still: every operation through the log ends at its first apply.
    REQUIRE(sim.resolved_linearizability().has_value());
    CHECK(sim.resolved_linearizability()->verdict == raw);

    if (const std::optional<OperationId> write = seen_resolved_write(history, resolved)) {
        tally.controls += 1;
        check_control(resolved, *write);
    }
}

TEST_CASE("cross-check: the simulator's committed operations resolve the history, same verdict",
          "[linearizability][cross-check]") {
    const std::vector<scenarios::Scenario> scenarios = builtins_with_clients();
    std::set<std::string> names;
    for (const scenarios::Scenario& scenario : scenarios) {
        names.insert(scenario.name);
    }
    REQUIRE(names.contains("KvReads"));
    REQUIRE(names.contains("KvPartitions"));
    Tally tally;
    for (const scenarios::Scenario& scenario : scenarios) {
        for (std::uint64_t seed = first_seed; seed <= last_seed; ++seed) {
            cross_check(scenario, seed, tally);
        }
    }
    INFO("runs " << tally.runs << ", operations " << tally.operations << ", indeterminate "
                 << tally.indeterminate << " (took effect " << tally.took_effect << ", never "
                 << tally.never << "), negative controls " << tally.controls);
    // Both resolutions happen, and the control ran: the check is not vacuous.
    CHECK(tally.took_effect > 0);
    CHECK(tally.never > 0);
    CHECK(tally.controls > 0);
}

TEST_CASE("cross-check: resolving keeps what the simulator knows, drops what never happened",
          "[linearizability][cross-check]") {
    // #1 answered put; #2 indeterminate put, applied at 40; #3 indeterminate
    // CAS, never applied; #4 indeterminate get through the log, applied at
    // 70 reading #2's value; #5 indeterminate lease read; #6 answered get by
    // ReadIndex; #7 answered get through the log, first applied at 85.
    auto op = [](OperationId id, OpKind kind, TimeUs invoke, TimeUs complete, OpStatus status) {
        return Operation{.id = id,
                         .client = static_cast<ClientId>(id),
                         .key = 1,
                         .kind = kind,
                         .value = kind == OpKind::get ? 0 : 10 + id,
                         .expected = 0,
                         .invoke_us = invoke,
                         .complete_us = complete,
                         .status = status,
                         .read = std::nullopt,
                         .cas_succeeded = false,
                         .read_path = ReadPath::log};
    };
    std::vector<Operation> history = {
        op(1, OpKind::put, 0, 10, OpStatus::ok),
        op(2, OpKind::put, 20, 30, OpStatus::indeterminate),
        op(3, OpKind::compare_and_set, 20, 30, OpStatus::indeterminate),
        op(4, OpKind::get, 50, 60, OpStatus::indeterminate),
        op(5, OpKind::get, 50, 60, OpStatus::indeterminate),
        op(6, OpKind::get, 80, 90, OpStatus::ok),
        op(7, OpKind::get, 80, 90, OpStatus::ok),
    };
    history[4].read_path = ReadPath::lease;
    history[5].read_path = ReadPath::read_index;
    history[5].read = 12;
    history[6].read = 12;
    const std::map<OperationId, KvCommit> commits = {
        {1, {.first_applied_us = 5, .response = {}}},
        {2, {.first_applied_us = 40, .response = {}}},
        {4, {.first_applied_us = 70, .response = {.read = 12}}},
        {7, {.first_applied_us = 85, .response = {.read = 12}}},
    };
    for (const Tighten tighten : {Tighten::indeterminate_only, Tighten::answered_too}) {
        const std::vector<Operation> resolved = resolve_history(history, commits, tighten);
        std::map<OperationId, const Operation*> by_id;
        for (const Operation& kept : resolved) {
            by_id.emplace(kept.id, &kept);
        }
        // #3 never happened; #5 read off the log, unanswered: it changed nothing.
        REQUIRE(by_id.size() == 5);
        CHECK_FALSE(by_id.contains(3));
        CHECK_FALSE(by_id.contains(5));
        CHECK(by_id.at(2)->status == OpStatus::ok);
        CHECK(by_id.at(2)->complete_us == 40);
        CHECK(by_id.at(4)->status == OpStatus::ok);
        CHECK(by_id.at(4)->read == KvValue{12});
        CHECK(by_id.at(4)->complete_us == 70);
        CHECK(by_id.at(6)->complete_us == 90);
        const bool tight = tighten == Tighten::answered_too;
        CHECK(by_id.at(1)->complete_us == (tight ? 5 : 10));
        CHECK(by_id.at(7)->complete_us == (tight ? 85 : 90));
        CHECK(check_linearizability(resolved).verdict == Verdict::linearizable);
    }
}

}  // namespace
}  // namespace raftsim::sim
