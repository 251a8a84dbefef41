#pragma once
// zstd (Debian's libzstd) for the large files of an artifact: the trace and
// the per-node transport logs are most of its bytes and compress about 10x.
// A reader opens FILE or, failing that, FILE.zst, so compressed and plain
// artifacts replay alike (`zstdcat FILE.zst` reads one by hand).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
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

/// One zstd frame written to `out` as its content arrives in chunks, so a
/// large text (a trace of millions of records) is never held whole. For
/// the same chunks it writes the same bytes.
class ZstdWriter {
  public:
    explicit ZstdWriter(std::ostream& out);
    ~ZstdWriter();
    ZstdWriter(const ZstdWriter&) = delete;
    ZstdWriter& operator=(const ZstdWriter&) = delete;

    void write(std::string_view chunk);
    /// Ends the frame. False if the stream failed.
    [[nodiscard]] bool finish();
    /// Compressed bytes written so far.
    [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }

  private:
    void drain(std::string_view chunk, bool end);

    std::ostream& out_;
    void* context_ = nullptr;  // ZSTD_CCtx, kept out of this header
    std::string buffer_;
    std::uint64_t bytes_ = 0;
    bool finished_ = false;
};

/// Whether `data` starts with the zstd frame magic number.
[[nodiscard]] bool is_zstd(std::string_view data) noexcept;

}  // namespace raftsim::replay
