#include "report/dedup.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "raftsim/core/assert.hpp"
#include "text/escape.hpp"

namespace raftsim::replay {
namespace {

// __FILE__ is the path the compiler was given: with meson, relative to the
// build directory ("../core/src/log.cpp", "../../core/..." one level deeper).
// Dropping the leading "../" makes the location the same for every build
// directory, so g++, clang++ and sanitizer builds group together.
[[nodiscard]] std::string_view source_relative(std::string_view file) {
    while (file.starts_with("../") || file.starts_with("./")) {
        file.remove_prefix(file.starts_with("./") ? 2 : 3);
    }
    return file;
}

[[nodiscard]] bool shell_safe(char c) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return alnum || std::string_view("_./:=+-@%,").find(c) != std::string_view::npos;
}

}  // namespace

std::optional<AssertLocation> parse_assert_detail(std::string_view detail) {
    constexpr std::string_view prefix = "assertion failed on node ";
    if (!detail.starts_with(prefix) || !detail.ends_with(")")) {
        return std::nullopt;
    }
    const std::size_t colon = detail.find(": ", prefix.size());
    const std::size_t open = detail.rfind(" (");
    if (colon == std::string_view::npos || open == std::string_view::npos || open < colon) {
        return std::nullopt;
    }
    // The expression itself may hold " (" and ':'; the location is the last
    // parenthesised group and its line number follows the last ':'.
    const std::string_view location = detail.substr(open + 2, detail.size() - open - 3);
    const std::size_t line_at = location.rfind(':');
    if (line_at == std::string_view::npos || source_relative(location.substr(0, line_at)).empty()) {
        return std::nullopt;
    }
    AssertLocation result{.expression = std::string(detail.substr(colon + 2, open - colon - 2)),
                          .file = std::string(source_relative(location.substr(0, line_at)))};
    const std::string_view line = location.substr(line_at + 1);
    const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), result.line);
    if (error != std::errc{} || end != line.data() + line.size()) {
        return std::nullopt;
    }
    RAFT_ASSERT(!result.file.empty());
    RAFT_ASSERT(open + 2 + line_at < detail.size());
    return result;
}

std::string failure_signature(const FailureRecord& failure) {
    RAFT_ASSERT(!failure.checker.empty());
    if (failure.checker == "core_assert") {
        if (const std::optional<AssertLocation> at = parse_assert_detail(failure.detail)) {
            return fmt::format("{}/{} `{}` at {}:{}", failure.checker, failure.kind, at->expression,
                               at->file, at->line);
        }
    }
    RAFT_ASSERT(!failure.row.empty());
    return fmt::format("{}/{} in {}", failure.checker, failure.kind, failure.row);
}

int severity_rank(std::string_view checker) {
    if (checker == "liveness" || checker == "convergence") {
        return 1;
    }
    // An unexpected pass (expect/unexpected_pass) is news about a kept
    // finding, not a new breach of Raft.
    return checker == "limit" || checker == "crash" || checker == "expect" ? 2 : 0;
}

std::vector<FailureGroup> group_failures(const std::vector<FailureRecord>& failures) {
    std::map<std::string, FailureGroup> by_signature;
    for (const FailureRecord& failure : failures) {
        const std::string signature = failure_signature(failure);
        auto [it, inserted] = by_signature.try_emplace(signature);
        FailureGroup& group = it->second;
        if (inserted || failure.seed < group.first.seed) {
            group.first = failure;
        }
        group.signature = signature;
        group.count += 1;
    }
    std::vector<FailureGroup> groups;
    groups.reserve(by_signature.size());
    for (auto& [signature, group] : by_signature) {
        groups.push_back(std::move(group));
    }
    // Safety first, then liveness, then the harness's own (a limit, a dead
    // worker): a safety violation is the finding however rare it was. Then
    // by count; the map left them in signature order, which a stable sort
    // keeps among equals.
    std::stable_sort(groups.begin(), groups.end(),
                     [](const FailureGroup& a, const FailureGroup& b) {
                         const int rank_a = severity_rank(a.first.checker);
                         const int rank_b = severity_rank(b.first.checker);
                         return rank_a != rank_b ? rank_a < rank_b : a.count > b.count;
                     });
    RAFT_ASSERT(groups.size() <= failures.size());
    RAFT_ASSERT(groups.empty() == failures.empty());
    return groups;
}

std::string render_groups(const std::vector<FailureGroup>& groups) {
    if (groups.empty()) {
        return "";
    }
    std::string out =
        fmt::format("{} distinct failure{}:\n", groups.size(), groups.size() == 1 ? "" : "s");
    for (const FailureGroup& group : groups) {
        RAFT_ASSERT(group.count >= 1);
        // Names are checked when scenarios load; signatures quote details
        // and paths, which may hold anything: escaped for the terminal.
        out += fmt::format("  {:>4}x  {}  (first: {} seed {})  {}\n", group.count,
                           terminal_safe(group.signature), terminal_safe(group.first.scenario),
                           group.first.seed, terminal_safe(group.first.replay));
    }
    return out;
}

std::string shell_quote(std::string_view text) {
    if (!text.empty() && std::all_of(text.begin(), text.end(), shell_safe)) {
        return std::string(text);
    }
    std::string quoted = "'";
    for (char c : text) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    quoted += '\'';
    RAFT_ASSERT(quoted.size() >= text.size() + 2);
    return quoted;
}

std::string replay_command_for(std::string_view artifact_dir) {
    RAFT_ASSERT(!artifact_dir.empty());
    return "raftsim replay " + shell_quote(artifact_dir);
}

}  // namespace raftsim::replay
