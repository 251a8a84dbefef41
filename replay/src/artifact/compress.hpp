#pragma once
// zstd (Debian's libzstd) for the large files of an artifact: the trace and
// the per-node transport logs are most of its bytes and compress about 10x.
// A reader opens FILE or, failing that, FILE.zst, so compressed and plain
// artifacts replay alike (`zstdcat FILE.zst` reads one by hand).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace raftsim::replay {

/// `text` as one zstd frame. Deterministic: the same bytes for the same
/// input, level and library version.
[[nodiscard]] std::string zstd_compress(std::string_view text);

/// The content of a zstd frame; nullopt if `data` is not one, or would
/// decompress to more than `max_bytes`.
[[nodiscard]] std::optional<std::string> zstd_decompress(std::string_view data,
                                                         std::size_t max_bytes);

/// Whether `data` starts with the zstd frame magic number.
[[nodiscard]] bool is_zstd(std::string_view data) noexcept;

}  // namespace raftsim::replay
