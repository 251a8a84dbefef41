// zstd compression of artifact files (compress.hpp).
#include "artifact/compress.hpp"

#include <zstd.h>

#include "raftsim/core/assert.hpp"

namespace raftsim::replay {
namespace {

// Level 3 is zstd's default: about 10x on traces, at hundreds of MB/s.
constexpr int level = 3;

}  // namespace

std::string zstd_compress(std::string_view text) {
    std::string out(ZSTD_compressBound(text.size()), '\0');
    const std::size_t size = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), level);
    // Compressing into a buffer of ZSTD_compressBound bytes cannot fail.
    RAFT_ASSERT(ZSTD_isError(size) == 0);
    RAFT_ASSERT(size <= out.size());
    out.resize(size);
    return out;
}

std::optional<std::string> zstd_decompress(std::string_view data, std::size_t max_bytes) {
    if (!is_zstd(data)) {
        return std::nullopt;
    }
    const unsigned long long size = ZSTD_getFrameContentSize(data.data(), data.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > max_bytes) {
        return std::nullopt;
    }
    std::string out(static_cast<std::size_t>(size), '\0');
    const std::size_t got = ZSTD_decompress(out.data(), out.size(), data.data(), data.size());
    if (ZSTD_isError(got) != 0 || got != out.size()) {
        return std::nullopt;
    }
    return out;
}

ZstdWriter::ZstdWriter(std::ostream& out)
    : out_(out), context_(ZSTD_createCCtx()), buffer_(ZSTD_CStreamOutSize(), '\0') {
    RAFT_ASSERT(context_ != nullptr);
    ZSTD_CCtx_setParameter(static_cast<ZSTD_CCtx*>(context_), ZSTD_c_compressionLevel, level);
}

ZstdWriter::~ZstdWriter() {
    ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(context_));
}

// Feeds `chunk` (and with `end`, the frame's end) through the compressor,
// writing out whatever it produces.
void ZstdWriter::drain(std::string_view chunk, bool end) {
    ZSTD_inBuffer input{chunk.data(), chunk.size(), 0};
    for (;;) {
        ZSTD_outBuffer output{buffer_.data(), buffer_.size(), 0};
        const std::size_t left = ZSTD_compressStream2(static_cast<ZSTD_CCtx*>(context_), &output,
                                                      &input, end ? ZSTD_e_end : ZSTD_e_continue);
        RAFT_ASSERT(ZSTD_isError(left) == 0);  // in-memory streaming cannot fail
        out_.write(buffer_.data(), static_cast<std::streamsize>(output.pos));
        bytes_ += output.pos;
        const bool consumed = input.pos == input.size;
        if (end ? left == 0 : consumed) {
            return;
        }
    }
}

void ZstdWriter::write(std::string_view chunk) {
    RAFT_ASSERT(!finished_);
    drain(chunk, false);
}

bool ZstdWriter::finish() {
    RAFT_ASSERT(!finished_);
    drain({}, true);
    finished_ = true;
    out_.flush();
    return static_cast<bool>(out_);
}

bool is_zstd(std::string_view data) noexcept {
    // 0xFD2FB528, little endian.
    return data.size() >= 4 && static_cast<unsigned char>(data[0]) == 0x28 &&
           static_cast<unsigned char>(data[1]) == 0xB5 &&
           static_cast<unsigned char>(data[2]) == 0x2F &&
           static_cast<unsigned char>(data[3]) == 0xFD;
}

}  // namespace raftsim::replay
