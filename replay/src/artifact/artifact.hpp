#pragma once
// A failure artifact (hashicorp fuzzy's RecordState, made reproducible): a
// directory holding everything needed to replay and read a failing run.
//
//   run.json           scenario name, seed, build, system under test
//                      ("sut"), fingerprint, violation, and the one-line
//                      replay command
//   scenario.json      the scenario's exact text
//   trace.jsonl.zst    every trace record, one JSON object per line (zstd)
//   timeline.txt       the events leading to the violation, readable
//   nodes/NAME/        fsm.txt (latest applied commands, fsm.go's format), log.txt
//                      (durable log), transport.txt.zst (messages sent and
//                      received, zstd)
//
// Traces and transport logs are compressed (compress.hpp); fsm.txt and
// log.txt are too when larger than 1 MiB. A directory is written whole or
// not at all: into a temporary sibling first, renamed into place at the
// end, so an interrupted sweep never leaves half an artifact.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "input/suite.hpp"
#include "raftsim/scenarios/interpret.hpp"
#include "raftsim/sut/registry.hpp"

namespace raftsim::replay {

/// Identifies the build that produced a run (compiler and build type).
[[nodiscard]] std::string build_id();

/// Files written beside the usual ones (a divergence report, a second
/// run's trace): name and content; a ".jsonl" file is compressed.
struct ArtifactExtras {
    std::vector<std::pair<std::string, std::string>> files;
};

struct ArtifactWrite {
    /// Empty on success.
    std::string error;
    /// Bytes written (after compression).
    std::uint64_t bytes = 0;
};

/// Writes the artifact of `result` (run with keep_trace) into `directory`,
/// replacing an artifact already there.
[[nodiscard]] ArtifactWrite write_artifact(const std::string& directory,
                                           const LoadedScenario& loaded, std::uint64_t seed,
                                           const scenarios::RunResult& result,
                                           const ArtifactExtras& extras = {});

/// Moves a complete artifact written elsewhere (a worker's pending
/// divergence artifact) into `directory`, replacing one already there;
/// `bytes` is the size of its files.
[[nodiscard]] ArtifactWrite adopt_artifact(const std::string& written,
                                           const std::string& directory);

/// The artifact of a run whose worker process died (a crash in the system
/// under test): its scenario and a run.json naming the failure, with no
/// trace and no fingerprint -- the run never finished.
[[nodiscard]] ArtifactWrite write_crash_artifact(const std::string& directory,
                                                 const LoadedScenario& loaded, std::uint64_t seed,
                                                 std::string_view sut, const std::string& kind,
                                                 const std::string& detail, std::uint64_t time_us);

struct ArtifactManifest {
    std::string scenario_text;
    std::string scenario_name;
    std::uint64_t seed = 0;
    /// Absent for a crash artifact (the run never finished).
    std::optional<std::uint64_t> fingerprint;
    std::string checker;
    std::string kind;
    /// The violation's detail ("" if run.json has none).
    std::string detail;
    std::string build;
    /// The system under test that made it (run.json's "sut"; raftsim for
    /// an artifact written before there was a choice).
    std::string sut = std::string(sut::default_system_name);
};

/// Reads run.json and scenario.json back; an error message on failure,
/// naming the file and what is wrong with it.
[[nodiscard]] std::optional<ArtifactManifest> read_artifact(const std::string& directory,
                                                            std::string& error);

/// An artifact file's text: `name`, or `name`.zst decompressed; without
/// text, why neither can be read.
[[nodiscard]] FileText read_artifact_file(const std::string& directory, const std::string& name);

/// The timeline around the end of a run: the `count` records before the
/// violation (or the end).
[[nodiscard]] std::string timeline_tail(const scenarios::RunResult& result, std::size_t count);

}  // namespace raftsim::replay
