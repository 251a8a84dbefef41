#pragma once
// Writing outputs so that nothing is lost: a report is written whole or not
// at all (a temporary file beside it, renamed over it), so Ctrl-C or a CI
// timeout never leaves a truncated report, and an earlier report stays
// intact until the new one is complete. Paths are checked before a sweep
// spends its time, without touching what is there.

#include <string>
#include <string_view>

namespace raftsim::replay {

/// Writes `text` to `path` through a temporary file in the same directory
/// and a rename. Returns an error message, or empty.
[[nodiscard]] std::string write_file_atomically(const std::string& path, std::string_view text);

/// Whether a file can be written at `path`: its directory exists and takes
/// a new file (made and removed again), and `path` is not a directory. An
/// existing file at `path` is left as it is. An error message, or empty.
[[nodiscard]] std::string check_writable(const std::string& path);

/// Creates `directory` (and its parents) if needed and checks that a file
/// can be made in it. An error message, or empty.
[[nodiscard]] std::string prepare_output_directory(const std::string& directory);

}  // namespace raftsim::replay
