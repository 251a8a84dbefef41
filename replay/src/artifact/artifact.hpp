#pragma once
// A failure artifact (hashicorp fuzzy's RecordState, made reproducible): a
// directory holding everything needed to replay and read a failing run.
//
//   run.json        scenario name, seed, build, fingerprint, violation, and
//                   the one-line replay command
//   scenario.json   the scenario's exact text
//   trace.jsonl     every trace record, one JSON object per line
//   timeline.txt    the events leading to the violation, readable
//   nodes/NAME/     fsm.txt (applied commands, fsm.go's format), log.txt
//                   (durable log), transport.txt (messages sent/received)

#include <cstdint>
#include <optional>
#include <string>

#include "input/suite.hpp"
#include "raftsim/scenarios/interpret.hpp"

namespace raftsim::replay {

/// Identifies the build that produced a run (compiler and build type).
[[nodiscard]] std::string build_id();

/// Writes the artifact of `result` (run with keep_trace) into `directory`.
/// Returns an error message, or empty on success.
[[nodiscard]] std::string write_artifact(const std::string& directory, const LoadedScenario& loaded,
                                         std::uint64_t seed, const scenarios::RunResult& result);

struct ArtifactManifest {
    std::string scenario_text;
    std::string scenario_name;
    std::uint64_t seed = 0;
    std::uint64_t fingerprint = 0;
    std::string checker;
    std::string kind;
    std::string build;
};

/// Reads run.json and scenario.json back; an error message on failure.
[[nodiscard]] std::optional<ArtifactManifest> read_artifact(const std::string& directory,
                                                            std::string& error);

/// The timeline around the end of a run: the `count` records before the
/// violation (or the end).
[[nodiscard]] std::string timeline_tail(const scenarios::RunResult& result, std::size_t count);

}  // namespace raftsim::replay
