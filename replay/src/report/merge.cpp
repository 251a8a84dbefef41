// Merging shard reports (merge.hpp).
#include "report/merge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "raftsim/core/assert.hpp"

namespace raftsim::replay {
namespace {

// What two shards of one sweep must agree on; empty if they do.
[[nodiscard]] std::string disagreement(const SweepReport& a, const SweepReport& b) {
    if (a.sweep_id != b.sweep_id) {
        return "another sweep (its scenarios, seeds or options differ)";
    }
    if (a.build != b.build) {
        return fmt::format("another build ({} against {})", b.build, a.build);
    }
    if (a.sut != b.sut) {
        return fmt::format("another system under test ({} against {})", b.sut, a.sut);
    }
    if (a.sut_version != b.sut_version) {
        return fmt::format("another version of {} ({} against {})", a.sut, b.sut_version,
                           a.sut_version);
    }
    if (a.shard_count != b.shard_count || a.mode != b.mode ||
        a.check_determinism != b.check_determinism || a.seed_first != b.seed_first ||
        a.seed_last != b.seed_last) {
        return "another sweep (its mode, seeds or shard count differ)";
    }
    if (a.rows.size() != b.rows.size()) {
        return "another list of scenarios";
    }
    for (std::size_t i = 0; i < a.rows.size(); ++i) {
        if (a.rows[i].name != b.rows[i].name) {
            return "another list of scenarios";
        }
    }
    return "";
}

// Every shard exactly once: 1..N.
[[nodiscard]] std::string check_indices(const std::vector<ShardReport>& shards) {
    const std::uint64_t count = shards.front().report.shard_count;
    std::map<std::uint64_t, std::string> seen;
    for (const ShardReport& shard : shards) {
        const std::uint64_t index = shard.report.shard_index;
        if (index == 0 || index > count) {
            return fmt::format("{}: shard {}/{} is not a shard of {}", shard.file, index,
                               shard.report.shard_count, count);
        }
        const auto [it, inserted] = seen.emplace(index, shard.file);
        if (!inserted) {
            return fmt::format("shard {}/{} given twice: {} and {}", index, count, it->second,
                               shard.file);
        }
    }
    for (std::uint64_t index = 1; index <= count; ++index) {
        if (!seen.contains(index)) {
            return fmt::format("shard {}/{} is missing: {} of {} shard reports given", index, count,
                               seen.size(), count);
        }
    }
    return "";
}

/// A merged case that failed, was skipped or failed as expected: where it
/// sits, and the shard's failure record, skip reason or expected failure.
struct PendingCase {
    std::uint64_t seed = 0;
    std::size_t row = 0;
    std::size_t case_index = 0;
    const FailureRecord* failure = nullptr;
    const std::string* skip_reason = nullptr;
    const ExpectedFailureRecord* expected = nullptr;
};

/// A shard's case, with what its indexes point at in that shard.
struct ShardCase {
    CaseReport run;
    const FailureRecord* failure = nullptr;
    const std::string* skip_reason = nullptr;
    const ExpectedFailureRecord* expected = nullptr;
};

[[nodiscard]] ShardCase shard_case(const SweepReport& report, const CaseReport& run) {
    return ShardCase{
        .run = run,
        .failure = run.failure.has_value() ? &report.failures[*run.failure] : nullptr,
        .skip_reason = run.skip.has_value() ? &report.skips[*run.skip].reason : nullptr,
        .expected = run.expected.has_value() ? &report.expected_failures[*run.expected] : nullptr};
}

// One row from every shard's copy of it, cases in seed order; its failing
// and skipped cases go to `pending`, to be numbered in position order
// across rows.
[[nodiscard]] RowReport merge_row(const std::vector<ShardReport>& shards, std::size_t row,
                                  std::vector<PendingCase>& pending) {
    RowReport merged{.name = shards.front().report.rows[row].name};
    std::vector<ShardCase> cases;
    for (const ShardReport& shard : shards) {
        const RowReport& part = shard.report.rows[row];
        merged.seeds += part.seeds;
        merged.passed += part.passed;
        merged.aborted += part.aborted;
        merged.skipped += part.skipped;
        merged.not_run += part.not_run;
        merged.expected_failures += part.expected_failures;
        merged.simulated_us += part.simulated_us;
        merged.events += part.events;
        merged.wall_seconds += part.wall_seconds;
        for (const CaseReport& run : part.cases) {
            cases.push_back(shard_case(shard.report, run));
        }
    }
    std::sort(cases.begin(), cases.end(),
              [](const auto& a, const auto& b) { return a.run.seed < b.run.seed; });
    for (const ShardCase& at : cases) {
        if (at.failure != nullptr || at.skip_reason != nullptr || at.expected != nullptr) {
            pending.push_back(PendingCase{.seed = at.run.seed,
                                          .row = row,
                                          .case_index = merged.cases.size(),
                                          .failure = at.failure,
                                          .skip_reason = at.skip_reason,
                                          .expected = at.expected});
        }
        merged.cases.push_back(at.run);
    }
    RAFT_ASSERT(merged.cases.size() == merged.seeds + merged.skipped + merged.not_run);
    return merged;
}

// Failures, skip reasons and expected failures are numbered in position order (plan.hpp: seed
// by seed, rows in order for each seed), as an unsharded sweep numbers them.
void number_cases(SweepReport& merged, std::vector<PendingCase>& pending) {
    std::sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) {
        return a.seed != b.seed ? a.seed < b.seed : a.row < b.row;
    });
    std::map<std::string, std::size_t> skip_index;
    for (const PendingCase& at : pending) {
        CaseReport& run = merged.rows[at.row].cases[at.case_index];
        if (at.failure != nullptr) {
            run.failure = merged.failures.size();
            merged.failures.push_back(*at.failure);
        }
        if (at.skip_reason != nullptr) {
            const auto [it, added] = skip_index.emplace(*at.skip_reason, merged.skips.size());
            if (added) {
                merged.skips.push_back(SkipRecord{.reason = *at.skip_reason, .count = 0});
            }
            run.skip = it->second;
            merged.skips[it->second].count += 1;
        }
        if (at.expected != nullptr) {
            run.expected = merged.expected_failures.size();
            merged.expected_failures.push_back(*at.expected);
        }
    }
}

// The shard's command without its --shard option.
[[nodiscard]] std::string unsharded(std::string command) {
    const std::size_t at = command.find(" --shard ");
    if (at != std::string::npos) {
        const std::size_t end = command.find(' ', at + 9);
        command.erase(at, end == std::string::npos ? std::string::npos : end - at);
    }
    return command;
}

}  // namespace

std::optional<SweepReport> merge_shards(const std::vector<ShardReport>& shards,
                                        std::string& error) {
    RAFT_ASSERT(!shards.empty());
    const SweepReport& first = shards.front().report;
    for (const ShardReport& shard : shards) {
        if (const std::string differs = disagreement(first, shard.report); !differs.empty()) {
            error = fmt::format("{} is from {} than {}", shard.file, differs, shards.front().file);
            return std::nullopt;
        }
    }
    if (error = check_indices(shards); !error.empty()) {
        return std::nullopt;
    }
    SweepReport merged = first;
    merged.command_line = unsharded(first.command_line);
    merged.shard_index = 1;
    merged.shard_count = 1;
    merged.rows.clear();
    merged.failures.clear();
    merged.skips.clear();
    merged.expected_failures.clear();
    merged.stop_reason.clear();
    for (const ShardReport& shard : shards) {
        if (shard.report.stopped_early) {
            merged.stopped_early = true;
            merged.stop_reason +=
                fmt::format("{}shard {}: {}", merged.stop_reason.empty() ? "" : "; ",
                            shard.report.shard_index, shard.report.stop_reason);
        }
    }
    std::vector<PendingCase> pending;
    for (std::size_t row = 0; row < first.rows.size(); ++row) {
        merged.rows.push_back(merge_row(shards, row, pending));
    }
    number_cases(merged, pending);
    return merged;
}

}  // namespace raftsim::replay
