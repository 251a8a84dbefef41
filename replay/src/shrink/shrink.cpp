// The shrink search (shrink.hpp): which candidates to try, in which order,
// and which to keep. Every candidate goes through first_kept, which is where
// the search's order is kept while workers run candidates ahead of it.
#include "shrink/shrink.hpp"

#include <fmt/format.h>

#include <map>
#include <utility>

#include "raftsim/core/assert.hpp"
#include "raftsim/scenarios/parse.hpp"
#include "raftsim/scenarios/requirements.hpp"
#include "raftsim/scenarios/write.hpp"
#include "raftsim/sut/registry.hpp"
#include "shrink/shrink_runner.hpp"
#include "shrink/shrink_steps.hpp"
#include "workers/crash.hpp"

namespace raftsim::replay {
namespace {

// The search below is built from the pieces in shrink_steps.hpp.
using namespace shrinking;

// Candidates to try in order, where the first kept one wins: entry i runs
// scenario entries[i].key (made on demand by `build`; keys never decrease
// along the list, so only a few are alive at once) on entries[i].seed.
// Every such list is known before any of it runs, so its runs can go to
// several workers at once (Shrinker::first_kept).
struct CandidateList {
    struct Entry {
        std::size_t key = 0;
        std::uint64_t seed = 0;
    };
    std::vector<Entry> entries{};
    std::function<Scenario(std::size_t key)> build{};
    /// What entry i changes, for the progress line.
    std::function<std::string(std::size_t index)> change{};
};

// A candidate as written and parsed back: what would run.
struct Prepared {
    std::string text{};
    /// nullopt: the scenario format cannot say it (never run).
    std::optional<Scenario> parsed{};
    /// Counted in ShrinkResult::invalid (once, however many seeds).
    bool counted = false;
};

[[nodiscard]] RunSize measure_run(const Scenario& scenario, std::uint64_t events,
                                  std::uint64_t trace_records, sim::TimeUs simulated_us);

class Shrinker {
  public:
    Shrinker(const ShrinkOptions& options, const ShrinkStart& start)
        : options_(options),
          runner_(options.jobs, options.stop, options.system),
          goal_(start.goal),
          seed_(start.seed),
          best_(start.scenario),
          best_text_(start.text),
          best_size_(start.size),
          next_id_(max_step_id(start.scenario.steps) + 1) {
        RAFT_ASSERT(!goal_.checker.empty());
        RAFT_ASSERT(next_id_ > 1 || start.scenario.steps.empty());
    }

    void run() {
        resample();
        try_seeds();
        spell_out();
        bool progress = true;
        while (progress && !stopped()) {
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
                            .goal = goal_,
                            .runs = runs_,
                            .accepted = accepted_,
                            .invalid = invalid_,
                            .crashes = crashes_,
                            .unused_runs = unused_runs_,
                            .stop = stop_};
    }

  private:
    [[nodiscard]] bool stopped() const { return stop_ != ShrinkStop::done; }

    // Whether another candidate may run; if not, the search is over and
    // says why.
    [[nodiscard]] bool may_run() {
        if (!stopped() && runs_ >= options_.max_runs) {
            stop_ = ShrinkStop::max_runs;
        }
        if (!stopped() && options_.stop && options_.stop()) {
            stop_ = ShrinkStop::stopped;
        }
        return !stopped();
    }

    // What first_kept knows about the list it works through.
    struct Lookahead {
        const CandidateList& list;
        /// The next entry to judge, and the next to hand to a worker.
        std::size_t judge_at = 0;
        std::size_t submit_at = 0;
        /// Runs handed out and not judged yet.
        std::size_t pending = 0;
        /// The entry may_run() has allowed (it is asked once per entry).
        std::optional<std::size_t> allowed{};
        /// The entry each running task is, and the outcomes in by entry.
        std::map<std::uint64_t, std::size_t> tasks{};
        std::map<std::size_t, CandidateOutcome> outcomes{};
        std::map<std::size_t, Prepared> prepared{};
    };

    // Tries the entries of `list` from `from` on, in order, and keeps the
    // first that fails the same way: its index, or nullopt. With several
    // workers the entries after the one being judged run ahead, each with
    // the event limit of the best at the time. Judging stays in order and
    // against the current best, and a run cut off at a larger limit gets
    // the verdict it would have had at a smaller one (it is the same run up
    // to the cut), so the answer and the runs counted are those of trying
    // the entries one by one. Runs made ahead of a kept entry are dropped
    // (unused_runs).
    std::optional<std::size_t> first_kept(const CandidateList& list, std::size_t from = 0) {
        Lookahead ahead{.list = list, .judge_at = from, .submit_at = from};
        std::optional<std::size_t> kept;
        while (!judge_ready(ahead, kept)) {
            submit_ahead(ahead);
            std::optional<std::vector<std::pair<std::uint64_t, CandidateOutcome>>> ended =
                runner_.wait();
            if (!ended.has_value()) {
                stop_ = ShrinkStop::stopped;  // the caller's stop, asked while waiting
                break;
            }
            for (auto& [id, outcome] : *ended) {
                const auto task = ahead.tasks.find(id);
                RAFT_ASSERT(task != ahead.tasks.end());
                ahead.outcomes.emplace(task->second, std::move(outcome));
                ahead.tasks.erase(task);
            }
        }
        unused_runs_ += ahead.pending;
        runner_.drop_all();
        RAFT_ASSERT(!kept.has_value() || *kept < list.entries.size());
        return kept;
    }

    [[nodiscard]] bool runnable(const Prepared& candidate, std::uint64_t seed) const {
        return candidate.parsed.has_value() && (candidate.text != best_text_ || seed != seed_);
    }

    // Judges entries in order as far as their outcomes are in. True when
    // the list is settled (`kept` then names the winner, if any); false
    // when the next entry's outcome is still to come.
    bool judge_ready(Lookahead& ahead, std::optional<std::size_t>& kept) {
        const std::vector<CandidateList::Entry>& entries = ahead.list.entries;
        for (; ahead.judge_at < entries.size(); ++ahead.judge_at) {
            const CandidateList::Entry& entry = entries[ahead.judge_at];
            // Scenarios before this one are done with.
            ahead.prepared.erase(ahead.prepared.begin(), ahead.prepared.lower_bound(entry.key));
            Prepared& candidate = prepare(ahead, entry.key);
            if (!candidate.parsed.has_value() && !std::exchange(candidate.counted, true)) {
                invalid_ += 1;
            }
            if (!runnable(candidate, entry.seed)) {
                continue;
            }
            if (ahead.allowed != ahead.judge_at && !may_run()) {
                return true;
            }
            ahead.allowed = ahead.judge_at;
            const auto it = ahead.outcomes.find(ahead.judge_at);
            if (it == ahead.outcomes.end()) {
                return false;
            }
            runs_ += 1;
            ahead.pending -= 1;
            if (judge(candidate, entry.seed, it->second, ahead)) {
                kept = ahead.judge_at;
                return true;
            }
            ahead.outcomes.erase(it);
        }
        return true;
    }

    // Hands the next entries to idle workers: never more than a few
    // entries past the one being judged, nor runs past the budget (they
    // could never count).
    void submit_ahead(Lookahead& ahead) {
        const std::vector<CandidateList::Entry>& entries = ahead.list.entries;
        const std::size_t window = 4 * runner_.capacity();
        ahead.submit_at = std::max(ahead.submit_at, ahead.judge_at);
        while (runner_.has_idle() && ahead.submit_at < entries.size() &&
               ahead.submit_at < ahead.judge_at + window) {
            const CandidateList::Entry& entry = entries[ahead.submit_at];
            const Prepared& candidate = prepare(ahead, entry.key);
            if (runnable(candidate, entry.seed)) {
                if (runs_ + ahead.pending >= options_.max_runs) {
                    break;
                }
                // It could not be kept past the best's count: stop it there.
                const std::uint64_t id =
                    runner_.submit({.scenario = &*candidate.parsed,
                                    .text = &candidate.text,
                                    .seed = entry.seed,
                                    .max_events = std::max<std::uint64_t>(1, best_size_.events)});
                ahead.tasks.emplace(id, ahead.submit_at);
                ahead.pending += 1;
            }
            ahead.submit_at += 1;
        }
        // The entry being judged is running, or was just handed out.
        RAFT_ASSERT(runner_.busy() > 0);
    }

    // The candidate with key `key`, written and parsed back, with the step
    // identities the parser cannot know.
    Prepared& prepare(Lookahead& ahead, std::size_t key) {
        const auto found = ahead.prepared.find(key);
        if (found != ahead.prepared.end()) {
            return found->second;
        }
        const Scenario candidate = ahead.list.build(key);
        Prepared prepared{.text = scenarios::scenario_to_json(candidate)};
        scenarios::ParseResult parsed = scenarios::parse_scenario(prepared.text, best_.source_path);
        if (!parsed.error.has_value()) {
            carry_step_ids(candidate.steps, parsed.scenario->steps);
            prepared.parsed = std::move(*parsed.scenario);
        }
        return ahead.prepared.emplace(key, std::move(prepared)).first->second;
    }

    // Keeps the candidate if it failed the same way with no more events
    // than the best so far (strictly fewer for a tuning change).
    bool judge(const Prepared& candidate, std::uint64_t seed, const CandidateOutcome& outcome,
               const Lookahead& ahead) {
        RAFT_ASSERT(candidate.parsed.has_value());
        if (outcome.died != 0 && !same_failure(goal_, crash_goal(outcome.death))) {
            crashes_ += 1;
            report({.runs = runs_,
                    .change = ahead.list.change(ahead.judge_at),
                    .size = best_size_,
                    .died = outcome.death});
            return false;
        }
        const Scenario& parsed = *candidate.parsed;
        const ShrinkGoal goal = outcome.died != 0
                                    ? crash_goal(outcome.death)
                                    : goal_of(parsed, outcome.checker, outcome.kind, outcome.detail,
                                              outcome.failed_step_path);
        if (goal.checker.empty() || !same_failure(goal_, goal)) {
            return false;
        }
        const RunSize size =
            measure_run(parsed, outcome.events, outcome.trace_records, outcome.simulated_us);
        // A tuning change (faster timings, paced workloads) is no simpler
        // in itself: it must pay for itself in events.
        if (size.events > best_size_.events || (tuning_ && size.events == best_size_.events)) {
            return false;
        }
        const std::string change = ahead.list.change(ahead.judge_at);
        best_ = parsed;
        best_text_ = candidate.text;
        seed_ = seed;
        best_size_ = size;
        goal_.step_path = goal.step_path;
        accepted_ += 1;
        report({.runs = runs_, .change = change, .size = size});
        return true;
    }

    void report(const ShrinkProgress& progress) const {
        if (options_.on_progress) {
            options_.on_progress(progress);
        }
    }

    // One candidate, on the current seed or another.
    bool try_candidate(const Scenario& candidate, const std::string& change) {
        return try_candidate(candidate, seed_, change);
    }

    bool try_candidate(const Scenario& candidate, std::uint64_t seed, const std::string& change) {
        const CandidateList list{.entries = {{.key = 0, .seed = seed}},
                                 .build = [&candidate](std::size_t) { return candidate; },
                                 .change = [&change](std::size_t) { return change; }};
        return first_kept(list).has_value();
    }

    // The same scenario on the next seeds: a seed on which the violation
    // comes sooner is a smaller run (ShrinkOptions::seeds_to_try). The
    // scenario stays the same when one is kept, so the rest are still due.
    bool try_seeds() {
        const Scenario scenario = best_;
        CandidateList list{.build = [&scenario](std::size_t) { return scenario; }};
        for (std::uint64_t k = 1; k <= options_.seeds_to_try; ++k) {
            list.entries.push_back({.key = 0, .seed = seed_ + k});
        }
        list.change = [&list](std::size_t i) {
            return fmt::format("seed {}", list.entries[i].seed);
        };
        bool progress = false;
        std::size_t from = 0;
        while (const std::optional<std::size_t> kept = first_kept(list, from)) {
            progress = true;
            from = *kept + 1;
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
        std::vector<std::pair<std::uint32_t, Scenario>> scaled;
        for (std::uint32_t divisor = 32; divisor >= 2; divisor /= 2) {
            Scenario candidate = best_;
            if (scale_down(candidate.steps, divisor)) {
                scaled.emplace_back(divisor, std::move(candidate));
            }
        }
        CandidateList list{.build = [&scaled](std::size_t key) { return scaled[key].second; }};
        for (std::size_t key = 0; key < scaled.size(); ++key) {
            for (std::uint64_t seed = 1; seed <= per_scale; ++seed) {
                list.entries.push_back({.key = key, .seed = seed});
            }
        }
        list.change = [&](std::size_t i) {
            const CandidateList::Entry& entry = list.entries[i];
            return fmt::format("repeats and sleeps / {}, seed {}", scaled[entry.key].first,
                               entry.seed);
        };
        static_cast<void>(first_kept(list));
    }

    // The steps as they ran, as one flat list (RunResult::executed_steps):
    // repeats unrolled, one_of choices and random picks fixed. Without it,
    // removing an early iteration of a random loop would change every
    // choice after it, and the failure with them. Each step as it ran gets
    // an identity of its own, and a failure at a step's deadline is pinned
    // to the one that failed -- the last to run: one iteration of a loop,
    // where before any iteration of it would do.
    void spell_out() {
        if (!may_run()) {
            return;
        }
        runs_ += 1;  // the recording run is one of the search's runs
        // A crash would take this process with it: the recording stops at
        // the event before it (the same run up to there), and the steps
        // it records are all that had started by then.
        const bool crash = is_crash(goal_);
        if (crash && best_size_.events == 0) {
            return;  // it died before any step could run
        }
        const scenarios::RunResult ran =
            scenarios::run_scenario(best_, {.seed = seed_,
                                            .keep_trace = false,
                                            .record_steps = true,
                                            .max_events = crash ? best_size_.events - 1 : 0,
                                            .system = options_.system});
        RAFT_ASSERT(crash ? !ran.violation.has_value() : same_failure(goal_, goal_of(best_, ran)));
        if (ran.executed_steps.empty()) {
            return;
        }
        Scenario candidate = best_;
        candidate.steps = ran.executed_steps;
        const bool at_step = goal_.place == FailurePlace::step;
        // The step whose deadline failed ran last.
        RAFT_ASSERT(!at_step || candidate.steps.back().id == goal_.step_id);
        number_steps(candidate.steps, next_id_);
        ShrinkGoal target = goal_;
        target.step_id = at_step ? candidate.steps.back().id : 0;
        const ShrinkGoal before = std::exchange(goal_, target);
        if (!try_candidate(candidate,
                           fmt::format("{} steps as they ran: repeats unrolled, choices fixed",
                                       ran.executed_steps.size()))) {
            goal_ = before;
        }
    }

    [[nodiscard]] bool liveness() const { return goal_.checker == "liveness"; }

    // The first of `count` candidates on the current seed, candidate i
    // being the best so far changed by edit(candidate, i), that fails the
    // same way.
    std::optional<std::size_t> first_edit_kept(
        std::size_t count, const std::function<void(Scenario&, std::size_t)>& edit,
        const std::function<std::string(std::size_t)>& change) {
        CandidateList list{.build =
                               [&](std::size_t key) {
                                   Scenario candidate = best_;
                                   edit(candidate, key);
                                   return candidate;
                               },
                           .change = change};
        for (std::size_t i = 0; i < count; ++i) {
            list.entries.push_back({.key = i, .seed = seed_});
        }
        return first_kept(list);
    }

    // The first of `count` candidate lists (made by `make`) that, put in
    // place of the list at `path`, fails the same way.
    std::optional<std::size_t> first_list_kept(const ListPath& path, std::size_t count,
                                               const std::function<StepList(std::size_t)>& make) {
        const std::size_t size = list_at(best_, path).size();
        const std::string name = list_name(path);
        return first_edit_kept(
            count, [&](Scenario& candidate, std::size_t i) { list_at(candidate, path) = make(i); },
            [&](std::size_t i) {
                return fmt::format("{} of {} steps left in {}", make(i).size(), size, name);
            });
    }

    // Delta debugging over every step list, outermost first.
    bool shrink_lists() {
        bool progress = false;
        std::vector<ListPath> paths;
        collect_lists(best_.steps, {}, paths);
        for (std::size_t i = 0; i < paths.size() && !stopped(); ++i) {
            const ListPath path = paths[i];
            StepList items = list_at(best_, path);
            FaultSummary faults;
            summarize_faults(best_.steps, faults);
            const std::function<bool(const Step&)> keep = [&](const Step& step) {
                const bool recovery = is_recovery_step(step) && may_undo(step, faults);
                return liveness() && (recovery || is_wait_step(step));
            };
            const bool removed = delta_debug_first<Step>(
                items, 1, keep,
                [&](std::size_t count, const std::function<StepList(std::size_t)>& make) {
                    return first_list_kept(path, count, make);
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
        using Faults = std::vector<Fault>;
        const std::size_t size = best_.message_faults.size();
        // A copy, as for step lists: a kept candidate replaces best_ whole.
        Faults faults = best_.message_faults;
        return delta_debug_first<Fault>(
            faults, 0, {}, [&](std::size_t count, const std::function<Faults(std::size_t)>& make) {
                return first_edit_kept(
                    count,
                    [&](Scenario& candidate, std::size_t i) { candidate.message_faults = make(i); },
                    [&](std::size_t i) {
                        return fmt::format("{} of {} message faults left", make(i).size(), size);
                    });
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
        for (std::size_t i = best_.cluster.names.size(); i > 0 && !stopped(); --i) {
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
        while (!stopped()) {
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

    // A one_of becomes the steps of one of its branches (the first of them
    // that keeps the failure).
    bool flatten_choice(const ListPath& path, std::size_t index) {
        const Step& step = list_at(best_, path)[index];
        if (step.kind != Kind::one_of) {
            return false;
        }
        const std::string where = step.json_path;
        const auto splice = [&](Scenario& candidate, std::size_t b) {
            StepList& steps = list_at(candidate, path);
            const StepList branch = steps[index].branches[b].steps;
            steps.erase(steps.begin() + static_cast<std::ptrdiff_t>(index));
            steps.insert(steps.begin() + static_cast<std::ptrdiff_t>(index), branch.begin(),
                         branch.end());
        };
        return first_edit_kept(step.branches.size(), splice,
                               [&where](std::size_t b) {
                                   return fmt::format("{} replaced by branch {}", where, b);
                               })
            .has_value();
    }

    // Simpler values, step by step: shorter sleeps, smaller counts, one
    // branch for a one_of, crashes that keep their writes.
    bool shrink_steps() {
        bool progress = false;
        std::vector<ListPath> paths;
        collect_lists(best_.steps, {}, paths);
        for (std::size_t p = 0; p < paths.size() && !stopped(); ++p) {
            for (std::size_t i = 0; i < list_at(best_, paths[p]).size() && !stopped(); ++i) {
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
        CandidateList list{.entries = {{.key = 0, .seed = seed_}},
                           .build = [&candidate](std::size_t) { return candidate; }};
        for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
            if (seed != seed_) {
                list.entries.push_back({.key = 0, .seed = seed});
            }
        }
        // A candidate the format cannot say is counted once, and run on
        // no seed.
        list.change = [&](std::size_t i) {
            return i == 0 ? change : fmt::format("{}, seed {}", change, list.entries[i].seed);
        };
        return first_kept(list).has_value();
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
        progress = try_setting([&](Scenario& s) { return clear(s.network.stale_replay); },
                               "no stale replays") ||
                   progress;
        progress =
            try_setting([](Scenario& s) { return std::exchange(s.workload.continuous, false); },
                        "no continuous workload") ||
            progress;
        // The scenario's workload settings matter only to a continuous
        // workload (start_workload steps carry their own).
        while (!stopped() && best_.workload.continuous &&
               try_tuning(
                   [](Scenario& s) {
                       s.workload.batch /= 2;
                       return s.workload.batch >= 1;
                   },
                   "workload batch halved")) {
            progress = true;
        }
        while (!stopped() && best_.workload.continuous &&
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

    // For a liveness failure, timings are not cut below a heartbeat of
    // this many ticks (the swarm decoder's least): with fewer, a randomized
    // election timeout has so few distinct tick values that split votes can
    // outlast a calm period's bound with no bug at all -- the same failure
    // kind for another cause (swarm 4506 under decoder version 5 shrank so).
    static constexpr std::uint64_t liveness_min_heartbeat_ticks = 4;

    [[nodiscard]] bool timings_keep_liveness(const Scenario& s) const {
        return !liveness() ||
               s.raft.heartbeat_timeout_us >= liveness_min_heartbeat_ticks * s.cluster.tick_us;
    }

    // Faster Raft timings (every timeout halved) and coarser ticks (twice
    // as long): fewer ticks before each election, fewer events per second.
    // The parser refuses timings that stop being whole ticks or valid.
    bool shrink_timings() {
        bool progress = false;
        while (!stopped() && try_tuning(
                                 [this](Scenario& s) {
                                     const core::DurationConfig before = s.raft;
                                     scale_timings(s.raft, s.cluster.tick_us, 2);
                                     return s.raft.election_timeout_us <
                                                before.election_timeout_us &&
                                            timings_keep_liveness(s);
                                 },
                                 "Raft timeouts halved")) {
            progress = true;
        }
        while (!stopped() && try_tuning(
                                 [this](Scenario& s) {
                                     s.cluster.tick_us *= 2;
                                     scale_timings(s.raft, s.cluster.tick_us, 1);
                                     return s.cluster.tick_us <= s.raft.leader_lease_us / 4 &&
                                            timings_keep_liveness(s);
                                 },
                                 "ticks twice as long")) {
            progress = true;
        }
        // Snapshots after fewer entries, keeping fewer behind: a snapshot
        // bug then needs fewer applies before it shows.
        while (!stopped() && try_tuning(
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
    CandidateRunner runner_;
    /// The failure kept; spell_out re-targets it at the step as it ran.
    ShrinkGoal goal_;
    std::uint64_t seed_ = 0;
    Scenario best_;
    std::string best_text_;
    RunSize best_size_;
    /// The next fresh step identity.
    std::uint64_t next_id_ = 1;
    std::uint64_t runs_ = 0;
    std::uint64_t accepted_ = 0;
    std::uint64_t invalid_ = 0;
    std::uint64_t crashes_ = 0;
    std::uint64_t unused_runs_ = 0;
    ShrinkStop stop_ = ShrinkStop::done;
    /// Set while a tuning change runs: it must cut events, not only keep them.
    bool tuning_ = false;
};

RunSize measure_run(const Scenario& scenario, std::uint64_t events, std::uint64_t trace_records,
                    sim::TimeUs simulated_us) {
    RunSize size{.nodes = scenario.cluster.names.size(),
                 .events = events,
                 .trace_records = trace_records,
                 .simulated_us = simulated_us};
    count_steps(scenario.steps, size);
    size.faults += scenario.message_faults.size();
    size.faults += lossy(scenario.network.drop) ? 1 : 0;
    size.faults += lossy(scenario.network.duplicate) ? 1 : 0;
    size.faults += lossy(scenario.network.reorder) ? 1 : 0;
    size.faults += lossy(scenario.network.stale_replay) ? 1 : 0;
    RAFT_ASSERT(size.faults <= size.steps + scenario.message_faults.size() + 4);
    return size;
}

}  // namespace

RunSize measure(const Scenario& scenario, const scenarios::RunResult& result) {
    return measure_run(scenario, result.events, result.trace_records, result.simulated_us);
}

ShrinkStart start_shrink(const Scenario& scenario, std::uint64_t seed, const sut::System* system,
                         std::size_t jobs) {
    Scenario numbered = scenario;
    std::uint64_t next_id = 1;
    number_steps(numbered.steps, next_id);
    // The start goes through the same text round trip as every candidate.
    std::string text = scenarios::scenario_to_json(numbered);
    scenarios::ParseResult parsed = scenarios::parse_scenario(text, scenario.source_path);
    RAFT_ASSERT(!parsed.error.has_value());
    carry_step_ids(numbered.steps, parsed.scenario->steps);
    ShrinkStart start{
        .scenario = std::move(*parsed.scenario), .text = std::move(text), .seed = seed};
    if (std::optional<std::string> reason =
            scenarios::skip_reason(start.scenario, sut::system_or_default(system))) {
        start.skip_reason = std::move(*reason);
        return start;
    }
    // In a worker when there are workers: the system under test may crash,
    // and then the crash is the failure to shrink.
    CandidateRunner runner(std::min<std::size_t>(jobs, 1), {}, system);
    const CandidateOutcome first = run_one(
        runner, {.scenario = &start.scenario, .text = &start.text, .seed = seed, .max_events = 0});
    start.goal = first.died != 0 ? crash_goal(first.death)
                                 : goal_of(start.scenario, first.checker, first.kind, first.detail,
                                           first.failed_step_path);
    start.detail = first.died != 0
                       ? crash_detail(start.goal.kind, seed, first.events, first.simulated_us)
                       : first.detail;
    start.size = measure_run(start.scenario, first.events, first.trace_records, first.simulated_us);
    return start;
}

ShrinkResult shrink(const ShrinkStart& start, const ShrinkOptions& options) {
    RAFT_ASSERT(!start.goal.checker.empty());
    Shrinker shrinker(options, start);
    shrinker.run();
    ShrinkResult result = shrinker.result(start.size);
    RAFT_ASSERT(result.after.events <= result.before.events);
    RAFT_ASSERT(result.runs <= options.max_runs);
    return result;
}

std::optional<ShrinkResult> shrink(const Scenario& scenario, std::uint64_t seed,
                                   const ShrinkOptions& options) {
    const ShrinkStart start = start_shrink(scenario, seed, options.system, options.jobs);
    if (start.goal.checker.empty()) {
        return std::nullopt;
    }
    return shrink(start, options);
}

}  // namespace raftsim::replay
