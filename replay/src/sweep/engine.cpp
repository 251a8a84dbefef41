// The sweep engine (engine.hpp).
#include "sweep/engine.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <set>

#include "artifact/artifact.hpp"
#include "raftsim/core/assert.hpp"
#include "report/progress.hpp"
#include "sweep/case_work.hpp"
#include "sweep/expectation.hpp"
#include "text/escape.hpp"
#include "workers/crash.hpp"
#include "workers/pool.hpp"
#include "workers/signals.hpp"

namespace raftsim::replay {
namespace {

using namespace std::chrono_literals;

struct TaskInfo {
    bool artifact = false;
    CaseRef ref;
};

/// What a run's processing left waiting for its artifact task.
struct PendingFailure {
    std::uint64_t task = 0;
    CaseRef ref;
    FailureRecord failure;
};

/// Where a failure comes from, which decides its artifact: a run's
/// violation (re-run by a worker to write it), a worker that died (the
/// scenario and seed alone), or a run that passed where a failure was
/// expected (nothing to keep).
enum class FailureSource : std::uint8_t { run, crash, pass };

/// Per row: the cost of its finished runs, for the ETA.
struct RowCost {
    std::uint64_t finished = 0;
    double seconds = 0;
};

void print_header() {
    fmt::print("{:<24} {:>6} {:>7} {:>7} {:>7} {:>12} {:>10} {:>12}\n", "scenario", "seeds",
               "passed", "failed", "skipped", "sim time", "wall time", "events/s");
}

// `seeds` counts the seeds dealt with: the runs made and the runs skipped
// (the system cannot run the scenario); seeds a stopped sweep never reached
// are "not run", after the columns.
void print_row(const RowReport& row) {
    const double rate = row.wall_seconds > 0 ? row.events / row.wall_seconds : 0;
    // Expected failures are neither passed nor failed: they go after the
    // columns, as aborted runs do.
    const std::string expected = row.expected_failures > 0
                                     ? fmt::format("  {} expected failure{}", row.expected_failures,
                                                   row.expected_failures == 1 ? "" : "s")
                                     : std::string();
    const std::string extra =
        expected + (row.aborted > 0 ? fmt::format("  {} aborted", row.aborted) : std::string()) +
        (row.not_run > 0 ? fmt::format("  {} not run", row.not_run) : std::string());
    fmt::print("{:<24} {:>6} {:>7} {:>7} {:>7} {:>10.1f} s {:>8.2f} s {:>12.0f}{}\n",
               terminal_safe(row.name), row.seeds + row.skipped, row.passed, row.failed(),
               row.skipped, row.simulated_us / 1e6, row.wall_seconds, rate, extra);
    std::fflush(stdout);
}

class SweepEngine {
  public:
    SweepEngine(const SweepPlan& plan, const RunCommand& command, SweepReport report)
        : plan_(plan),
          command_(command),
          settings_{.plan = &plan,
                    .check_determinism = command.check_determinism,
                    .out_dir = command.out_dir,
                    .limits = command.limits,
                    .system = &sut::system_or_default(command.system),
                    .history_max_steps = command.history_max_steps},
          pool_(command.jobs,
                [this](std::string_view task) { return do_case_work(settings_, task); }),
          progress_(command.progress, plan.shard_runs()),
          costs_(plan.rows().size()),
          skip_printed_(plan.rows().size()) {
        outcome_.report = std::move(report);
        for (const SweepRow& row : plan.rows()) {
            outcome_.report.rows.push_back(RowReport{.name = row.label});
        }
        process_at_ = plan.next(std::nullopt);
        dispatch_at_ = process_at_;
        for (std::size_t row = 1; row < plan.rows().size(); ++row) {
            if (std::optional<CaseRef> first = plan.first_in_row(row, plan.seed_first())) {
                probes_.push_back(*first);
            }
        }
    }

    SweepOutcome run() {
        print_header();
        for (;;) {
            if (const int signal = interrupt_signal(); signal != 0) {
                interrupted(signal);
                break;
            }
            process();
            if (finished() || !dispatch()) {
                break;
            }
            // Not finished: the next run to process, or the artifact the
            // report waits for, is running (dispatch starts it first).
            RAFT_ASSERT(pool_.busy() > 0);
            for (const TaskResult& result : pool_.wait(200ms)) {
                on_result(result);
            }
            enforce_timeout();
            draw_progress();
        }
        progress_.clear();
        finish_rows();
        remove_unused_pending();
        return std::move(outcome_);
    }

  private:
    [[nodiscard]] bool finished() const { return done_ && !pending_.has_value(); }

    void stop(std::string reason) {
        if (outcome_.report.stop_reason.empty()) {
            outcome_.report.stopped_early = true;
            outcome_.report.stop_reason = std::move(reason);
        }
        stopping_ = true;
    }

    [[nodiscard]] std::string case_name(const CaseRef& ref) const {
        const SweepRow& row = plan_.rows()[ref.row];
        return row.scenario != nullptr ? row.label : fmt::format("swarm-{}", ref.seed);
    }

    [[nodiscard]] bool submit(std::string task, const TaskInfo& info) {
        const std::uint64_t id = next_task_++;
        if (!pool_.submit(id, task)) {
            outcome_.error = "cannot start a worker process (fork failed)";
            return false;
        }
        tasks_[id] = info;
        return true;
    }

    [[nodiscard]] bool started(const CaseRef& ref) const {
        return !dispatch_at_.has_value() || ref.position < dispatch_at_->position ||
               started_.contains(ref.position);
    }

    // The next run to start: the first unprocessed one if it has not
    // started (so the report always moves), then a row's first run (for
    // the ETA), then the next in position order.
    [[nodiscard]] std::optional<CaseRef> next_run(std::size_t window) {
        const bool behind = process_at_.has_value() && !started(*process_at_);
        if (!behind && !probes_.empty() && finished_.size() < window) {
            const CaseRef probe = probes_.front();
            probes_.pop_front();
            if (!started(probe)) {
                started_.insert(probe.position);
                return probe;
            }
        }
        if (!behind && finished_.size() >= window) {
            return std::nullopt;
        }
        while (dispatch_at_.has_value() && started_.erase(dispatch_at_->position) > 0) {
            dispatch_at_ = plan_.next(dispatch_at_);
        }
        const std::optional<CaseRef> next = dispatch_at_;
        if (next.has_value()) {
            dispatch_at_ = plan_.next(dispatch_at_);
        }
        return next;
    }

    // Keeps every worker busy: the artifact the report waits for first,
    // then runs. False if no worker could be started.
    [[nodiscard]] bool dispatch() {
        const std::size_t window = 4 * pool_.jobs() + 64;
        while (pool_.has_idle()) {
            if (queued_artifact_.has_value()) {
                RAFT_ASSERT(pending_.has_value());
                pending_->task = next_task_;
                const auto [task, info] = *std::exchange(queued_artifact_, std::nullopt);
                if (!submit(task, info)) {
                    return false;
                }
                continue;
            }
            const std::optional<CaseRef> next = stopping_ ? std::nullopt : next_run(window);
            if (!next.has_value()) {
                break;
            }
            if (!submit(run_task(*next), TaskInfo{.artifact = false, .ref = *next})) {
                return false;
            }
        }
        return true;
    }

    // SIGINT or SIGTERM: stop at once. The report keeps the runs processed
    // so far; a failure waiting for its artifact is kept without one.
    void interrupted(int signal) {
        outcome_.interrupt = signal;
        stop(signal_name(signal));
        pool_.stop_all();
        if (pending_.has_value()) {
            PendingFailure pending = std::move(*pending_);
            pending_.reset();
            remove_partial_artifact(pending.failure.artifact);
            pending.failure.artifact.clear();
            pending.failure.note = "the sweep was interrupted before its artifact was written";
            record_failure(pending.ref, std::move(pending.failure));
        }
    }

    void on_result(const TaskResult& result) {
        const auto it = tasks_.find(result.id);
        RAFT_ASSERT(it != tasks_.end());
        const TaskInfo info = it->second;
        tasks_.erase(it);
        if (info.artifact) {
            // Writing the artifact is part of the row's time.
            outcome_.report.rows[info.ref.row].wall_seconds += result.wall_seconds;
            RAFT_ASSERT(pending_.has_value() && pending_->task == result.id);
            artifact_done(result);
            return;
        }
        finished_.emplace(info.ref.position, std::make_pair(info.ref, result));
        completed_ += 1;
        RowCost& cost = costs_[info.ref.row];
        cost.finished += 1;
        cost.seconds += result.wall_seconds;
    }

    // Deals with finished runs in position order, as far as they go.
    void process() {
        while (!pending_.has_value() && !done_) {
            print_finished_rows();
            if (stopping_ || !process_at_.has_value()) {
                done_ = true;  // a stopped sweep processes nothing more
                return;
            }
            const auto it = finished_.find(process_at_->position);
            if (it == finished_.end()) {
                return;
            }
            const auto [ref, result] = std::move(it->second);
            finished_.erase(it);
            process_at_ = plan_.next(ref);
            take_result(ref, result);
        }
    }

    // Rows whose last run is before the next run to process are complete:
    // print them, in row order (runs go seed by seed, so most rows finish
    // in the sweep's last seed).
    void print_finished_rows() {
        const auto complete = [this](std::size_t row) {
            const std::optional<CaseRef> last = plan_.last_in_row(row);
            return !process_at_.has_value() || !last.has_value() ||
                   last->position < process_at_->position;
        };
        for (; rows_printed_ < plan_.rows().size() && complete(rows_printed_) && !stopping_;
             ++rows_printed_) {
            progress_.clear();
            print_row(outcome_.report.rows[rows_printed_]);
        }
    }

    void take_result(const CaseRef& ref, const TaskResult& result);
    void take_run(const CaseRef& ref, CaseReport run, const std::optional<CaseOutcome>& outcome,
                  const TaskResult& result);
    void take_expected_failure(const CaseRef& ref, CaseReport run, const Expectation& expectation,
                               const CaseViolation& violation, std::uint64_t fingerprint);
    void take_skip(const CaseRef& ref, const std::string& reason, CaseReport run);
    void note_history_unknown(const CaseRef& ref, CaseReport& run, const CaseOutcome& outcome);
    void remove_partial_artifact(const std::string& directory) const;
    void remove_unused_pending() const;
    [[nodiscard]] FailureRecord failure_record(const CaseRef& ref, const CaseViolation& violation,
                                               std::uint64_t fingerprint) const;
    void on_failure(const CaseRef& ref, FailureRecord failure, FailureSource source,
                    const std::string& pending);
    [[nodiscard]] std::string artifact_refusal(const FailureRecord& failure) const;
    void artifact_done(const TaskResult& result);
    void record_failure(const CaseRef& ref, FailureRecord failure, bool note_printed = false);
    void enforce_timeout();
    void draw_progress();
    void finish_rows();
    [[nodiscard]] std::string fallback_replay(const CaseRef& ref) const;

    const SweepPlan& plan_;
    const RunCommand& command_;
    CaseWorkSettings settings_;
    WorkerPool pool_;
    Progress progress_;
    SweepOutcome outcome_;
    std::vector<RowCost> costs_;
    /// Per row: the skip reason last printed (a named scenario's SKIP line
    /// is printed once for all its seeds).
    std::vector<std::string> skip_printed_;
    /// SweepReport::skips by reason.
    std::map<std::string, std::size_t> skip_index_;
    std::map<std::uint64_t, TaskInfo> tasks_;
    std::uint64_t next_task_ = 1;
    std::deque<CaseRef> probes_;
    std::set<std::uint64_t> started_;
    std::optional<CaseRef> dispatch_at_;
    std::optional<CaseRef> process_at_;
    std::map<std::uint64_t, std::pair<CaseRef, TaskResult>> finished_;
    std::optional<std::pair<std::string, TaskInfo>> queued_artifact_;
    std::optional<PendingFailure> pending_;
    std::map<std::string, std::uint64_t> artifacts_by_signature_;
    std::uint64_t artifact_bytes_ = 0;
    std::uint64_t completed_ = 0;
    std::size_t rows_printed_ = 0;
    bool stopping_ = false;
    bool done_ = false;
};

FailureRecord SweepEngine::failure_record(const CaseRef& ref, const CaseViolation& violation,
                                          std::uint64_t fingerprint) const {
    return FailureRecord{.scenario = case_name(ref),
                         .row = plan_.rows()[ref.row].label,
                         .seed = ref.seed,
                         .checker = violation.checker,
                         .kind = violation.kind,
                         .detail = violation.detail,
                         .time_us = violation.time_us,
                         .fingerprint = fingerprint};
}

// One run's result, in position order: the row's counts, the fingerprint,
// and a failure's report.
void SweepEngine::take_result(const CaseRef& ref, const TaskResult& result) {
    RowReport& row = outcome_.report.rows[ref.row];
    CaseReport run{.seed = ref.seed, .wall_seconds = result.wall_seconds};
    const std::string name = case_name(ref);
    row.wall_seconds += result.wall_seconds;
    std::optional<CaseOutcome> outcome;
    if (result.end == TaskEnd::done) {
        outcome = parse_case_outcome(result.output);
        RAFT_ASSERT(outcome.has_value());  // our own worker wrote it
    }
    if (outcome.has_value() && outcome->skipped) {
        take_skip(ref, outcome->skip_reason, run);
        return;
    }
    row.seeds += 1;
    if (result.end == TaskEnd::aborted) {
        run.status = CaseStatus::aborted;
        row.aborted += 1;
        row.cases.push_back(run);
        outcome_.fingerprint_lines.push_back(fmt::format("{} {} aborted", name, ref.seed));
        progress_.clear();
        fmt::print("ABORTED {} seed {}: ran longer than --timeout (wall clock); inconclusive\n",
                   terminal_safe(name), ref.seed);
        return;
    }
    if (outcome.has_value()) {
        row.simulated_us += outcome->simulated_us;
        row.events += outcome->trace_records;
        outcome_.fingerprint_lines.push_back(
            fmt::format("{} {} {:016x}", name, ref.seed, outcome->fingerprint));
    } else {
        outcome_.fingerprint_lines.push_back(fmt::format("{} {} crashed", name, ref.seed));
    }
    take_run(ref, run, outcome, result);
}

// The violation of a run whose worker died: a crash of the code under test
// (or of the harness).
[[nodiscard]] CaseViolation crash_violation(const CaseRef& ref, const TaskResult& result) {
    RAFT_ASSERT(result.end == TaskEnd::died);
    const std::string kind = death_kind(result.signal, result.exit_status);
    RAFT_ASSERT(!kind.empty());
    return CaseViolation{
        .checker = "crash",
        .kind = kind,
        .detail = crash_detail(kind, ref.seed, result.progress_events, result.progress_time_us),
        .time_us = result.progress_time_us};
}

// A run made and not aborted, judged against its scenario's expectation
// for this system and seed, if one applies (expectation.hpp): a pass, an
// expected failure, or a failure -- the run's own, or an unexpected pass.
void SweepEngine::take_run(const CaseRef& ref, CaseReport run,
                           const std::optional<CaseOutcome>& outcome, const TaskResult& result) {
    RowReport& row = outcome_.report.rows[ref.row];
    const std::optional<Expectation> expectation =
        applicable_expectation(plan_.rows()[ref.row], *settings_.system, ref.seed);
    if (outcome.has_value()) {
        note_history_unknown(ref, run, *outcome);
    }
    std::optional<CaseViolation> violation;
    if (!outcome.has_value()) {
        violation = crash_violation(ref, result);
    } else if (!outcome->passed) {
        RAFT_ASSERT(outcome->violation.has_value());
        violation = outcome->violation;
    }
    const ExpectVerdict verdict = judge(expectation, violation);
    const std::uint64_t fingerprint = outcome.has_value() ? outcome->fingerprint : 0;
    if (verdict == ExpectVerdict::none && !violation.has_value()) {
        row.passed += 1;
        row.cases.push_back(run);
        return;
    }
    if (verdict == ExpectVerdict::expected_failure) {
        take_expected_failure(ref, run, *expectation, *violation, fingerprint);
        return;
    }
    run.status = CaseStatus::failed;
    RAFT_ASSERT(!pending_.has_value());
    run.failure = outcome_.report.failures.size();
    row.cases.push_back(run);
    if (verdict == ExpectVerdict::unexpected_pass) {
        on_failure(
            ref,
            failure_record(ref, unexpected_pass(*expectation, outcome->simulated_us), fingerprint),
            FailureSource::pass, "");
        return;
    }
    if (verdict == ExpectVerdict::other_failure) {
        violation->detail = noting_expected(violation->detail, *expectation);
    }
    on_failure(ref, failure_record(ref, *violation, fingerprint),
               outcome.has_value() ? FailureSource::run : FailureSource::crash,
               outcome.has_value() ? outcome->pending_artifact : std::string());
}

// A run whose clients' history the check could not decide: an UNKNOWN line
// (it is neither a pass of the check nor a failure), kept in the report.
void SweepEngine::note_history_unknown(const CaseRef& ref, CaseReport& run,
                                       const CaseOutcome& outcome) {
    if (!outcome.history_unknown.has_value()) {
        return;
    }
    run.history_unknown = outcome.history_unknown;
    progress_.clear();
    fmt::print("UNKNOWN {} seed {}: history check undecided: {}; not a failure\n",
               terminal_safe(case_name(ref)), ref.seed, history_unknown_text(*run.history_unknown));
    std::fflush(stdout);
    RAFT_ASSERT(!run.history_unknown->cap.empty());
}

// A run that failed exactly as expected: counted apart from passes and
// failures, with an XFAIL line. It gets no artifact: its scenario and seed
// reproduce it, and a kept finding documents it already.
void SweepEngine::take_expected_failure(const CaseRef& ref, CaseReport run,
                                        const Expectation& expectation,
                                        const CaseViolation& violation, std::uint64_t fingerprint) {
    RAFT_ASSERT(expectation.entry != nullptr);
    RAFT_ASSERT(violation.checker == expectation.entry->checker);
    RowReport& row = outcome_.report.rows[ref.row];
    row.expected_failures += 1;
    run.status = CaseStatus::expected_failure;
    run.expected = outcome_.report.expected_failures.size();
    row.cases.push_back(run);
    const std::string name = case_name(ref);
    progress_.clear();
    fmt::print("XFAIL {} seed {}: {}/{} at {:.6f}s (expected: {})\n", terminal_safe(name), ref.seed,
               violation.checker, terminal_safe(violation.kind), violation.time_us / 1e6,
               terminal_safe(expectation_reason(*expectation.entry)));
    std::fflush(stdout);
    outcome_.report.expected_failures.push_back(
        ExpectedFailureRecord{.scenario = name,
                              .row = plan_.rows()[ref.row].label,
                              .seed = ref.seed,
                              .checker = violation.checker,
                              .kind = violation.kind,
                              .detail = violation.detail,
                              .time_us = violation.time_us,
                              .fingerprint = fingerprint,
                              .fixed_in = expectation.entry->fixed_in,
                              .why = expectation.entry->why,
                              .replay = fallback_replay(ref)});
}

// A run the system under test cannot run: counted as skipped with its
// reason, never as passed; its SKIP line is printed once per named
// scenario (the reason depends on the scenario and the system alone, so
// every seed of it is skipped alike), once per seed for swarm runs.
void SweepEngine::take_skip(const CaseRef& ref, const std::string& reason, CaseReport run) {
    RAFT_ASSERT(!reason.empty());
    RowReport& row = outcome_.report.rows[ref.row];
    row.skipped += 1;
    const auto [it, added] = skip_index_.emplace(reason, outcome_.report.skips.size());
    if (added) {
        outcome_.report.skips.push_back(SkipRecord{.reason = reason, .count = 0});
    }
    outcome_.report.skips[it->second].count += 1;
    run.status = CaseStatus::skipped;
    run.skip = it->second;
    row.cases.push_back(run);
    const std::string name = case_name(ref);
    outcome_.fingerprint_lines.push_back(fmt::format("{} {} skipped", name, ref.seed));
    const bool named = plan_.rows()[ref.row].scenario != nullptr;
    if (named && skip_printed_[ref.row] == reason) {
        return;
    }
    skip_printed_[ref.row] = reason;
    const std::uint64_t seeds = plan_.shard_runs_in_row(ref.row);
    progress_.clear();
    fmt::print("SKIP {} seed {}{}: {}\n", terminal_safe(name), ref.seed,
               named && seeds > 1 ? fmt::format(" (all {} seeds)", seeds) : std::string(),
               terminal_safe(reason));
    std::fflush(stdout);
}

// Why a failure gets no full artifact, or empty if it gets one.
std::string SweepEngine::artifact_refusal(const FailureRecord& failure) const {
    const auto kept = artifacts_by_signature_.find(failure_signature(failure));
    const std::uint64_t count = kept == artifacts_by_signature_.end() ? 0 : kept->second;
    if (count >= command_.artifacts_per_signature) {
        return fmt::format("{} already kept for this signature (--artifacts-per-signature {})",
                           count, command_.artifacts_per_signature);
    }
    if (artifact_bytes_ >= command_.artifact_budget_bytes) {
        return fmt::format("the artifacts written reached --artifact-budget ({} bytes)",
                           artifact_bytes_);
    }
    return "";
}

std::string SweepEngine::fallback_replay(const CaseRef& ref) const {
    const SweepRow& row = plan_.rows()[ref.row];
    const std::string_view system = settings_.system->name();
    const std::string sut = system == sut::default_system_name
                                ? std::string()
                                : fmt::format(" --sut {}", shell_quote(std::string(system)));
    if (row.scenario == nullptr) {
        return fmt::format("raftsim replay swarm:{} --seed {}{}", ref.seed, ref.seed, sut);
    }
    const std::string& source = row.scenario->scenario.source_path;
    const bool file = !source.empty() && !source.starts_with("builtin:");
    return fmt::format("raftsim replay {} --seed {}{}",
                       shell_quote(file ? source : row.scenario->scenario.name), ref.seed, sut);
}

void SweepEngine::on_failure(const CaseRef& ref, FailureRecord failure, FailureSource source,
                             const std::string& pending) {
    progress_.clear();
    fmt::print("FAIL {} seed {}: {}/{} at {:.6f}s\n  {}\n", terminal_safe(failure.scenario),
               ref.seed, failure.checker, terminal_safe(failure.kind), failure.time_us / 1e6,
               terminal_safe(failure.detail));
    if (command_.fail_fast) {
        stop("fail_fast");
        for (const auto& [id, info] : tasks_) {
            if (!info.artifact) {
                pool_.abort(id);
            }
        }
    }
    failure.replay = fallback_replay(ref);
    failure.note = source == FailureSource::pass
                       ? "the run passed: there is no failure to keep, and its scenario and seed "
                         "re-run it"
                       : artifact_refusal(failure);
    if (!failure.note.empty()) {
        if (!pending.empty()) {
            std::error_code error;
            std::filesystem::remove_all(pending, error);
        }
        fmt::print("  no artifact: {}\n  replay:   {}\n", failure.note,
                   terminal_safe(failure.replay));
        record_failure(ref, std::move(failure), true);
        return;
    }
    const std::string directory = (std::filesystem::path(command_.out_dir) /
                                   fmt::format("{}-seed{}", failure.scenario, ref.seed))
                                      .string();
    artifacts_by_signature_[failure_signature(failure)] += 1;
    if (source == FailureSource::crash) {
        LoadedScenario swarm;
        const LoadedScenario& loaded = case_scenario(settings_, ref, swarm);
        const ArtifactWrite written =
            write_crash_artifact(directory, loaded, ref.seed, settings_.system->name(),
                                 failure.kind, failure.detail, failure.time_us);
        artifact_bytes_ += written.bytes;
        failure.artifact = written.error.empty() ? directory : "";
        failure.note = written.error;
        record_failure(ref, std::move(failure));
        return;
    }
    if (!pending.empty()) {
        // A divergence: the worker wrote the artifact from the two runs.
        const ArtifactWrite moved = adopt_artifact(pending, directory);
        artifact_bytes_ += moved.bytes;
        failure.artifact = moved.error.empty() ? directory : "";
        failure.note = moved.error;
        record_failure(ref, std::move(failure));
        return;
    }
    pending_ = PendingFailure{.task = 0, .ref = ref, .failure = std::move(failure)};
    queued_artifact_.emplace(artifact_task(ref, directory), TaskInfo{.artifact = true, .ref = ref});
    pending_->failure.artifact = directory;
}

void SweepEngine::artifact_done(const TaskResult& result) {
    RAFT_ASSERT(pending_.has_value());
    PendingFailure pending = std::move(*pending_);
    pending_.reset();
    FailureRecord& failure = pending.failure;
    const std::optional<ArtifactOutcome> written =
        result.end == TaskEnd::done ? parse_artifact_outcome(result.output) : std::nullopt;
    if (!written.has_value() || !written->error.empty()) {
        failure.note = written.has_value() ? written->error
                       : result.end == TaskEnd::aborted
                           ? std::string("writing it ran longer than --timeout")
                           : std::string("the worker writing it died");
        failure.artifact.clear();
    } else {
        artifact_bytes_ += written->bytes;
        if (written->fingerprint != failure.fingerprint) {
            fmt::print("  NON-DETERMINISM: the re-run's fingerprint {:016x} differs from {:016x}\n",
                       written->fingerprint, failure.fingerprint);
        }
    }
    record_failure(pending.ref, std::move(failure));
}

// `note_printed`: on_failure printed why there is no artifact already.
void SweepEngine::record_failure(const CaseRef& ref, FailureRecord failure, bool note_printed) {
    RAFT_ASSERT(!pending_.has_value());
    static_cast<void>(ref);
    if (!failure.artifact.empty()) {
        failure.replay = replay_command_for(failure.artifact);
        fmt::print("  artifact: {}\n  replay:   {}\n", terminal_safe(failure.artifact),
                   terminal_safe(failure.replay));
    } else if (!failure.note.empty() && !note_printed) {
        fmt::print("  could not write the artifact: {}\n  replay:   {}\n",
                   terminal_safe(failure.note), terminal_safe(failure.replay));
    }
    std::fflush(stdout);
    outcome_.report.failures.push_back(std::move(failure));
}

// The wall-clock backstop: a task past --timeout is killed; its run is
// aborted, inconclusive (the next wait() reports it).
void SweepEngine::enforce_timeout() {
    if (!command_.timeout_seconds.has_value()) {
        return;
    }
    for (const auto& [id, seconds] : pool_.running_seconds()) {
        if (seconds > *command_.timeout_seconds) {
            pool_.abort(id);
        }
    }
}

void SweepEngine::draw_progress() {
    if (!progress_.active()) {
        return;
    }
    // The remaining runs of each row cost what its finished ones did on
    // average (every row's first run is started early for this); a row
    // with none finished yet costs the overall average.
    double total_seconds = 0;
    std::uint64_t total_finished = 0;
    for (const RowCost& cost : costs_) {
        total_seconds += cost.seconds;
        total_finished += cost.finished;
    }
    std::optional<double> eta;
    if (total_finished > 0) {
        double remaining = 0;
        for (std::size_t row = 0; row < costs_.size(); ++row) {
            const RowCost& cost = costs_[row];
            const double mean =
                cost.finished > 0 ? cost.seconds / cost.finished : total_seconds / total_finished;
            const std::uint64_t runs = plan_.shard_runs_in_row(row);
            remaining += mean * static_cast<double>(runs - std::min(runs, cost.finished));
        }
        eta = remaining / static_cast<double>(pool_.jobs());
    }
    const std::string label =
        process_at_.has_value() ? plan_.rows()[process_at_->row].label : std::string();
    progress_.update(completed_, outcome_.report.failures.size(), terminal_safe(label), eta);
}

// Prints the table, and lists the runs a stopped sweep did not make as not
// run (so JUnit shows them as skipped, and a merge sees them missing).
void SweepEngine::finish_rows() {
    for (std::optional<CaseRef> at = process_at_; at.has_value() && outcome_.report.stopped_early;
         at = plan_.next(at)) {
        RowReport& row = outcome_.report.rows[at->row];
        row.not_run += 1;
        row.cases.push_back(CaseReport{.seed = at->seed,
                                       .wall_seconds = 0,
                                       .failure = std::nullopt,
                                       .status = CaseStatus::not_run});
    }
    for (; rows_printed_ < outcome_.report.rows.size(); ++rows_printed_) {
        const RowReport& row = outcome_.report.rows[rows_printed_];
        RAFT_ASSERT(row.passed + row.aborted + row.expected_failures <= row.seeds);
        print_row(row);
    }
}

// Divergence artifacts of runs never processed (after --fail-fast or an
// interrupt) are not wanted: nothing pending stays under --out.
void SweepEngine::remove_unused_pending() const {
    namespace fs = std::filesystem;
    std::error_code error;
    for (const fs::directory_entry& entry : fs::directory_iterator(command_.out_dir, error)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with(".divergence-") && name.find(".pending") != std::string::npos) {
            fs::remove_all(entry.path(), error);
        }
    }
}

// A worker killed while writing an artifact leaves its temporary directory
// (DIR.tmp-PID, artifact.cpp): nothing half-written stays under --out.
void SweepEngine::remove_partial_artifact(const std::string& directory) const {
    namespace fs = std::filesystem;
    const fs::path path(directory);
    const std::string prefix = path.filename().string() + ".tmp-";
    std::error_code error;
    for (const fs::directory_entry& entry : fs::directory_iterator(path.parent_path(), error)) {
        if (entry.path().filename().string().starts_with(prefix)) {
            fs::remove_all(entry.path(), error);
        }
    }
}

}  // namespace

SweepOutcome run_sweep(const SweepPlan& plan, const RunCommand& command, SweepReport report) {
    RAFT_ASSERT(plan.problem().empty());
    RAFT_ASSERT(command.jobs >= 1);
    SweepEngine engine(plan, command, std::move(report));
    return engine.run();
}

}  // namespace raftsim::replay
