#include "shrink/shrink.hpp"

#include <fmt/format.h>

#include <set>
#include <utility>

#include "raftsim/core/assert.hpp"
#include "raftsim/scenarios/parse.hpp"
#include "raftsim/scenarios/write.hpp"
#include "shrink/shrink_steps.hpp"

namespace raftsim::replay {
namespace {

// The search below is built from the pieces in shrink_steps.hpp.
using namespace shrinking;

class Shrinker {
  public:
    Shrinker(const ShrinkOptions& options, Scenario start, std::string text, RunSize size)
        : options_(options),
          best_(std::move(start)),
          best_text_(std::move(text)),
          best_size_(size) {}

    void run() {
        resample();
        try_seeds();
        spell_out();
        bool progress = true;
        while (progress && !stopped_) {
            progress = false;
            // Changes to the whole run first: each one they keep makes
            // every later candidate cheaper to run.
            progress = try_seeds() || progress;
            progress = shrink_nodes() || progress;
            progress = shrink_settings() || progress;
            progress = shrink_lists() || progress;
            progress = shrink_message_faults() || progress;
            progress = shrink_steps() || progress;
        }
    }

    [[nodiscard]] ShrinkResult result(RunSize before) const {
        return ShrinkResult{.scenario = best_,
                            .text = best_text_,
                            .seed = seed_,
                            .before = before,
                            .after = best_size_,
                            .runs = runs_,
                            .accepted = accepted_,
                            .invalid = invalid_,
                            .stopped_early = stopped_};
    }

  private:
    // Runs a candidate; keeps it if it fails the same way with no more
    // events than the best so far.
    bool try_candidate(const Scenario& candidate, const std::string& change) {
        return try_candidate(candidate, seed_, change);
    }

    bool try_candidate(const Scenario& candidate, std::uint64_t seed, const std::string& change) {
        if (stopped_ || runs_ >= options_.max_runs || (options_.stop && options_.stop())) {
            stopped_ = true;
            return false;
        }
        std::string text = scenarios::scenario_to_json(candidate);
        if (text == best_text_ && seed == seed_) {
            return false;
        }
        scenarios::ParseResult parsed = scenarios::parse_scenario(text, best_.source_path);
        if (parsed.error.has_value()) {
            invalid_ += 1;
            return false;
        }
        runs_ += 1;
        const scenarios::RunResult result = scenarios::run_scenario(
            *parsed.scenario, {.seed = seed,
                               .keep_trace = false,
                               .record_steps = false,
                               // It could not be kept past this many:
                               // stop it there.
                               .max_events = std::max<std::uint64_t>(1, best_size_.events)});
        const ShrinkGoal goal = goal_of(result);
        if (goal.checker != options_.goal.checker || goal.kind != options_.goal.kind) {
            return false;
        }
        const RunSize size = measure(*parsed.scenario, result);
        // A tuning change (faster timings, paced workloads) is no simpler
        // in itself: it must pay for itself in events.
        if (size.events > best_size_.events || (tuning_ && size.events == best_size_.events)) {
            return false;
        }
        best_ = std::move(*parsed.scenario);
        best_text_ = std::move(text);
        seed_ = seed;
        best_size_ = size;
        accepted_ += 1;
        if (options_.on_progress) {
            options_.on_progress({.runs = runs_, .change = change, .size = size});
        }
        return true;
    }

    // The same scenario on the next seeds: a seed on which the violation
    // comes sooner is a smaller run (ShrinkOptions::seeds_to_try).
    bool try_seeds() {
        bool progress = false;
        const std::uint64_t start = seed_;
        for (std::uint64_t k = 1; k <= options_.seeds_to_try && !stopped_; ++k) {
            const std::uint64_t seed = start + k;
            progress = try_candidate(best_, seed, fmt::format("seed {}", seed)) || progress;
        }
        return progress;
    }

    // A rare failure deep in a long random run is often also found early in
    // a short one on another seed -- and a short run is what a reader
    // wants. Repeats and sleeps are scaled down 32x, 16x, ... 2x, and each
    // shorter version runs on seeds 1, 2, ... up to seed_sweep runs in all;
    // the first (most scaled) that fails the same way with fewer events is
    // kept.
    void resample() {
        const std::uint64_t per_scale = options_.seed_sweep / 5;
        for (std::uint32_t divisor = 32; divisor >= 2 && !stopped_; divisor /= 2) {
            Scenario candidate = best_;
            if (!scale_down(candidate.steps, divisor)) {
                continue;
            }
            for (std::uint64_t seed = 1; seed <= per_scale && !stopped_; ++seed) {
                if (try_candidate(candidate, seed,
                                  fmt::format("repeats and sleeps / {}, seed {}", divisor, seed))) {
                    return;
                }
            }
        }
    }

    // The steps as they ran, as one flat list (RunResult::executed_steps):
    // repeats unrolled, one_of choices and random picks fixed. Without it,
    // removing an early iteration of a random loop would change every
    // choice after it, and the failure with them.
    void spell_out() {
        const scenarios::RunResult ran = scenarios::run_scenario(
            best_, {.seed = seed_, .keep_trace = false, .record_steps = true});
        runs_ += 1;
        if (ran.executed_steps.empty()) {
            return;
        }
        Scenario candidate = best_;
        candidate.steps = ran.executed_steps;
        static_cast<void>(try_candidate(
            candidate, fmt::format("{} steps as they ran: repeats unrolled, choices fixed",
                                   ran.executed_steps.size())));
    }

    [[nodiscard]] bool liveness() const { return options_.goal.checker == "liveness"; }

    // Delta debugging over every step list, outermost first.
    bool shrink_lists() {
        bool progress = false;
        std::vector<ListPath> paths;
        collect_lists(best_.steps, {}, paths);
        for (std::size_t i = 0; i < paths.size() && !stopped_; ++i) {
            const ListPath path = paths[i];
            StepList items = list_at(best_, path);
            FaultSummary faults;
            summarize_faults(best_.steps, faults);
            const std::function<bool(const Step&)> keep = [&](const Step& step) {
                const bool recovery = is_recovery_step(step) && may_undo(step, faults);
                return liveness() && (recovery || is_wait_step(step));
            };
            const bool removed = delta_debug<Step>(items, 1, keep, [&](const StepList& remaining) {
                Scenario candidate = best_;
                list_at(candidate, path) = remaining;
                return try_candidate(candidate,
                                     fmt::format("{} of {} steps left in {}", remaining.size(),
                                                 list_at(best_, path).size(), list_name(path)));
            });
            if (removed) {
                progress = true;
                paths.clear();  // indexes below this list may have moved
                collect_lists(best_.steps, {}, paths);
            }
        }
        return progress;
    }

    [[nodiscard]] std::string list_name(const ListPath& path) const {
        if (path.empty()) {
            return "the scenario";
        }
        const StepList& parent = list_at(best_, ListPath(path.begin(), path.end() - 1));
        return parent[path.back().first].json_path;
    }

    bool shrink_message_faults() {
        using Fault = sim::MessageFault;
        return delta_debug<Fault>(
            best_.message_faults, 0, {}, [&](const std::vector<Fault>& remaining) {
                Scenario candidate = best_;
                candidate.message_faults = remaining;
                return try_candidate(candidate,
                                     fmt::format("{} of {} message faults left", remaining.size(),
                                                 best_.message_faults.size()));
            });
    }

    // One node fewer, last first; steps aimed only at it go with it. Never
    // for a liveness failure: with fewer nodes the same crashes could take
    // the majority away, or a transfer have no one to go to, and the run
    // would "fail" the same way with no bug at all.
    bool shrink_nodes() {
        if (liveness()) {
            return false;
        }
        bool progress = false;
        for (std::size_t i = best_.cluster.names.size(); i > 0 && !stopped_; --i) {
            if (best_.cluster.names.size() <= 1 || i > best_.cluster.names.size()) {
                continue;
            }
            Scenario candidate = best_;
            const std::string name = candidate.cluster.names[i - 1];
            candidate.cluster.names.erase(candidate.cluster.names.begin() +
                                          static_cast<std::ptrdiff_t>(i - 1));
            if (forget_node(candidate.steps, name)) {
                progress =
                    try_on_seeds(candidate, fmt::format("node {} removed", name)) || progress;
            }
        }
        return progress;
    }

    // Applies `edit` to the step again and again while the result still
    // fails; stops at the first candidate that does not.
    bool repeat_edit(const ListPath& path, std::size_t index, const StepEdit& edit) {
        bool progress = false;
        while (!stopped_) {
            Scenario candidate = best_;
            StepList& list = list_at(candidate, path);
            RAFT_ASSERT(index < list.size());
            const std::string change = edit(list[index]);
            // A shorter sleep or a smaller count shifts everything after it:
            // a few other seeds get a chance too.
            if (change.empty() || !try_on_seeds(candidate, change, options_.seeds_per_change / 8)) {
                return progress;
            }
            progress = true;
        }
        return progress;
    }

    // A fault and the later step of the same list that undoes it, removed
    // together (a liveness failure's recovery steps are otherwise kept).
    bool remove_fault_pair(const ListPath& path, std::size_t index) {
        const StepList& list = list_at(best_, path);
        for (std::size_t later = index + 1; later < list.size(); ++later) {
            if (!undoes(list[later], list[index])) {
                continue;
            }
            Scenario candidate = best_;
            StepList& edited = list_at(candidate, path);
            const std::string change =
                fmt::format("{} removed with {}", edited[index].json_path, edited[later].json_path);
            edited.erase(edited.begin() + static_cast<std::ptrdiff_t>(later));
            edited.erase(edited.begin() + static_cast<std::ptrdiff_t>(index));
            return !edited.empty() && try_candidate(candidate, change);
        }
        return false;
    }

    // Two sleeps in a row become one (the run is the same; the file reads
    // better).
    bool merge_sleeps(const ListPath& path, std::size_t index) {
        const StepList& list = list_at(best_, path);
        if (index + 1 >= list.size() || list[index].kind != Kind::sleep ||
            list[index + 1].kind != Kind::sleep) {
            return false;
        }
        Scenario candidate = best_;
        StepList& edited = list_at(candidate, path);
        edited[index].duration_us += edited[index + 1].duration_us;
        edited.erase(edited.begin() + static_cast<std::ptrdiff_t>(index + 1));
        RAFT_ASSERT(!edited.empty());
        return try_candidate(candidate,
                             fmt::format("two sleeps merged into {}",
                                         scenarios::duration_text(edited[index].duration_us)));
    }

    // A one_of becomes the steps of one of its branches.
    bool flatten_choice(const ListPath& path, std::size_t index) {
        const Step& step = list_at(best_, path)[index];
        if (step.kind != Kind::one_of) {
            return false;
        }
        for (std::size_t b = 0; b < step.branches.size(); ++b) {
            Scenario candidate = best_;
            StepList& list = list_at(candidate, path);
            StepList branch = list[index].branches[b].steps;
            const std::string where = list[index].json_path;
            list.erase(list.begin() + static_cast<std::ptrdiff_t>(index));
            list.insert(list.begin() + static_cast<std::ptrdiff_t>(index), branch.begin(),
                        branch.end());
            if (try_candidate(candidate, fmt::format("{} replaced by branch {}", where, b))) {
                return true;
            }
        }
        return false;
    }

    // Simpler values, step by step: shorter sleeps, smaller counts, one
    // branch for a one_of, crashes that keep their writes.
    bool shrink_steps() {
        bool progress = false;
        std::vector<ListPath> paths;
        collect_lists(best_.steps, {}, paths);
        for (std::size_t p = 0; p < paths.size() && !stopped_; ++p) {
            for (std::size_t i = 0; i < list_at(best_, paths[p]).size() && !stopped_; ++i) {
                // Removing or splicing moves the steps after i: look again.
                bool changed = flatten_choice(paths[p], i) || remove_fault_pair(paths[p], i) ||
                               merge_sleeps(paths[p], i);
                if (!changed) {
                    changed = repeat_edit(paths[p], i, halve_duration);
                    changed = repeat_edit(paths[p], i, halve_count) || changed;
                    changed = repeat_edit(paths[p], i, keep_synced_writes) || changed;
                    changed = repeat_edit(paths[p], i, shorter_deadline()) || changed;
                    tuning_ = true;
                    changed = repeat_edit(paths[p], i, pace_workload(best_)) || changed;
                    tuning_ = false;
                }
                if (changed) {
                    progress = true;
                    paths.clear();
                    collect_lists(best_.steps, {}, paths);
                }
            }
        }
        return progress;
    }

    bool try_setting(const std::function<bool(Scenario&)>& edit, const std::string& change) {
        Scenario candidate = best_;
        return edit(candidate) && try_on_seeds(candidate, change);
    }

    // try_setting for a tuning change: kept only for strictly fewer events.
    bool try_tuning(const std::function<bool(Scenario&)>& edit, const std::string& change) {
        RAFT_ASSERT(!tuning_);
        tuning_ = true;
        const bool kept = try_setting(edit, change);
        tuning_ = false;
        return kept;
    }

    // A change to the whole run (a node fewer, other timings) perturbs every
    // interleaving, so the failure it keeps may show on another seed: this
    // seed first, then seeds 1, 2, ... up to seeds_per_change.
    bool try_on_seeds(const Scenario& candidate, const std::string& change) {
        return try_on_seeds(candidate, change, options_.seeds_per_change);
    }

    bool try_on_seeds(const Scenario& candidate, const std::string& change, std::uint64_t seeds) {
        if (try_candidate(candidate, change)) {
            return true;
        }
        const std::string text = scenarios::scenario_to_json(candidate);
        if (scenarios::parse_scenario(text, best_.source_path).error.has_value()) {
            return false;  // not expressible on any seed (counted once already)
        }
        const std::uint64_t current = seed_;
        for (std::uint64_t seed = 1; seed <= seeds && !stopped_; ++seed) {
            if (seed != current &&
                try_candidate(candidate, seed, fmt::format("{}, seed {}", change, seed))) {
                return true;
            }
        }
        return false;
    }

    // Scenario-wide settings: no random loss, duplication or reordering,
    // no continuous workload, smaller batches, instant disk syncs.
    bool shrink_settings() {
        bool progress = false;
        const auto clear = [](std::optional<sim::Ratio>& ratio) {
            const bool set = lossy(ratio);
            ratio = sim::Ratio{};
            return set;
        };
        progress = try_setting([&](Scenario& s) { return clear(s.network.drop); },
                               "no random message loss") ||
                   progress;
        progress = try_setting([&](Scenario& s) { return clear(s.network.duplicate); },
                               "no duplication") ||
                   progress;
        progress =
            try_setting([&](Scenario& s) { return clear(s.network.reorder); }, "no reordering") ||
            progress;
        progress =
            try_setting([](Scenario& s) { return std::exchange(s.workload.continuous, false); },
                        "no continuous workload") ||
            progress;
        // The scenario's workload settings matter only to a continuous
        // workload (start_workload steps carry their own).
        while (!stopped_ && best_.workload.continuous &&
               try_tuning(
                   [](Scenario& s) {
                       s.workload.batch /= 2;
                       return s.workload.batch >= 1;
                   },
                   "workload batch halved")) {
            progress = true;
        }
        while (!stopped_ && best_.workload.continuous &&
               try_tuning(
                   [](Scenario& s) {
                       s.workload.think_us *= 2;
                       return s.workload.think_us <= sim::us_per_second;
                   },
                   "workload paced: think time doubled")) {
            progress = true;
        }
        progress = shrink_timings() || progress;
        progress =
            try_setting([](Scenario& s) { return std::exchange(s.cluster.disk_sync_us, 0) != 0; },
                        "instant disk syncs") ||
            progress;
        return progress;
    }

    // A liveness wait's deadline halved, but never below the larger of
    // min_deadline_us and 20 election timeouts: a deadline that tight could
    // fail a correct cluster too (the same failure, without the bug).
    [[nodiscard]] StepEdit shorter_deadline() const {
        const sim::TimeUs floor =
            std::max<sim::TimeUs>(min_deadline_us, 20 * best_.raft.election_timeout_us);
        return [floor](Step& step) -> std::string {
            const bool waits =
                step.kind == Kind::wait_for_leader || step.kind == Kind::wait_until_up_to_date;
            if (!waits || step.duration_us / 2 < floor) {
                return {};
            }
            step.duration_us /= 2;
            return fmt::format("{} deadline cut to {}", step.json_path,
                               scenarios::duration_text(step.duration_us));
        };
    }

    // Faster Raft timings (every timeout halved) and coarser ticks (twice
    // as long): fewer ticks before each election, fewer events per second.
    // The parser refuses timings that stop being whole ticks or valid.
    bool shrink_timings() {
        bool progress = false;
        while (!stopped_ && try_tuning(
                                [](Scenario& s) {
                                    const core::DurationConfig before = s.raft;
                                    scale_timings(s.raft, s.cluster.tick_us, 2);
                                    return s.raft.election_timeout_us < before.election_timeout_us;
                                },
                                "Raft timeouts halved")) {
            progress = true;
        }
        while (!stopped_ && try_tuning(
                                [](Scenario& s) {
                                    s.cluster.tick_us *= 2;
                                    scale_timings(s.raft, s.cluster.tick_us, 1);
                                    return s.cluster.tick_us <= s.raft.leader_lease_us / 4;
                                },
                                "ticks twice as long")) {
            progress = true;
        }
        // Snapshots after fewer entries, keeping fewer behind: a snapshot
        // bug then needs fewer applies before it shows.
        while (!stopped_ && try_tuning(
                                [](Scenario& s) {
                                    s.raft.snapshot_threshold_entries /= 2;
                                    s.raft.trailing_log_entries /= 2;
                                    return s.raft.snapshot_threshold_entries >= 4;
                                },
                                "snapshot threshold and trailing logs halved")) {
            progress = true;
        }
        return progress;
    }

    const ShrinkOptions& options_;
    std::uint64_t seed_ = options_.seed;
    Scenario best_;
    std::string best_text_;
    RunSize best_size_;
    std::uint64_t runs_ = 0;
    std::uint64_t accepted_ = 0;
    std::uint64_t invalid_ = 0;
    bool stopped_ = false;
    /// Set while a tuning change runs: it must cut events, not only keep them.
    bool tuning_ = false;
};

}  // namespace

RunSize measure(const Scenario& scenario, const scenarios::RunResult& result) {
    RunSize size{.nodes = scenario.cluster.names.size(),
                 .events = result.events,
                 .trace_records = result.trace_records,
                 .simulated_us = result.simulated_us};
    count_steps(scenario.steps, size);
    size.faults += scenario.message_faults.size();
    size.faults += lossy(scenario.network.drop) ? 1 : 0;
    size.faults += lossy(scenario.network.duplicate) ? 1 : 0;
    size.faults += lossy(scenario.network.reorder) ? 1 : 0;
    RAFT_ASSERT(size.faults <= size.steps + scenario.message_faults.size() + 3);
    return size;
}

ShrinkGoal goal_of(const scenarios::RunResult& result) {
    if (!result.violation.has_value()) {
        return {};
    }
    return {.checker = std::string(sim::to_string(result.violation->checker)),
            .kind = result.violation->kind};
}

std::optional<ShrinkResult> shrink(const Scenario& scenario, const ShrinkOptions& options) {
    RAFT_ASSERT(!options.goal.checker.empty());
    // The start goes through the same text round trip as every candidate.
    std::string text = scenarios::scenario_to_json(scenario);
    scenarios::ParseResult parsed = scenarios::parse_scenario(text, scenario.source_path);
    RAFT_ASSERT(!parsed.error.has_value());
    const scenarios::RunResult first =
        scenarios::run_scenario(*parsed.scenario, {.seed = options.seed, .keep_trace = false});
    const ShrinkGoal goal = goal_of(first);
    if (goal.checker != options.goal.checker || goal.kind != options.goal.kind) {
        return std::nullopt;
    }
    const RunSize before = measure(*parsed.scenario, first);
    Shrinker shrinker(options, std::move(*parsed.scenario), std::move(text), before);
    shrinker.run();
    ShrinkResult result = shrinker.result(before);
    RAFT_ASSERT(result.after.events <= result.before.events);
    result.runs += 1;  // the first run
    return result;
}

}  // namespace raftsim::replay
