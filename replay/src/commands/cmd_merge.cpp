// raftsim merge: the JSON (and JUnit) report of a whole sharded sweep from
// its shards' JSON reports (report/merge.hpp says what is refused).
#include <fmt/format.h>

#include <cstdio>

#include "commands/commands.hpp"
#include "input/suite.hpp"
#include "report/merge.hpp"
#include "report/output_file.hpp"
#include "text/escape.hpp"

namespace raftsim::replay {
namespace {

[[nodiscard]] int refuse_merge(std::string_view message) {
    fmt::print(stderr, "raftsim merge: {}\n", terminal_safe(message));
    return exit_usage;
}

}  // namespace

int merge_command(const MergeCommand& command) {
    RAFT_ASSERT(!command.inputs.empty());
    RAFT_ASSERT(!command.json_path.empty());
    std::vector<ShardReport> shards;
    for (const std::string& file : command.inputs) {
        // A report lists every run: a big sweep's is far above 16 MiB.
        constexpr std::size_t max_report_bytes = std::size_t{4} << 30U;
        const FileText read = read_file(file, max_report_bytes);
        if (!read.text.has_value()) {
            return refuse_merge(fmt::format("cannot read {}: {}", file, read.problem));
        }
        const std::optional<std::string>& text = read.text;
        std::string error;
        std::optional<SweepReport> report = parse_json_report(*text, error);
        if (!report.has_value()) {
            return refuse_merge(
                fmt::format("{}: not a raftsim run --json report: {}", file, error));
        }
        shards.push_back(ShardReport{.file = file, .report = std::move(*report)});
    }
    std::string error;
    const std::optional<SweepReport> merged = merge_shards(shards, error);
    if (!merged.has_value()) {
        return refuse_merge(error);
    }
    for (const auto& [path, text] :
         {std::pair{command.json_path, render_json(*merged)},
          std::pair{command.junit_path, command.junit_path.empty() ? "" : render_junit(*merged)}}) {
        if (path.empty()) {
            continue;
        }
        if (const std::string problem = write_file_atomically(path, text); !problem.empty()) {
            return refuse_merge(problem);
        }
    }
    const std::size_t expected = merged->expected_failures.size();
    const std::string unknown = history_unknown_count_text(*merged);
    fmt::print("merged {} shards: {} runs, {} passed, {} failed, {} aborted, {} not run{}{}{}\n",
               shards.size(), merged->runs(),
               merged->runs() - merged->failures.size() - merged->aborted() - expected,
               merged->failures.size(), merged->aborted(), merged->not_run(),
               expected > 0 ? fmt::format("; {}", expected_failures_text(*merged)) : "",
               merged->skipped() > 0 ? fmt::format("; {}", skipped_text(*merged)) : "",
               unknown.empty() ? "" : "; " + unknown);
    if (!merged->failures.empty()) {
        return exit_failed;
    }
    // A shard stopped early or a run aborted: the sweep is not complete.
    return merged->stopped_early || merged->aborted() > 0 ? exit_aborted : exit_passed;
}

}  // namespace raftsim::replay
