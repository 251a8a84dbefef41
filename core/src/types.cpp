#include "raftsim/core/types.hpp"

#include "raftsim/core/assert.hpp"

namespace raftsim::core {
Payload::Payload(Bytes bytes) {
    if (!bytes.empty()) {
        const std::uint64_t digest = digest_bytes(bytes.data(), bytes.size());
        block_ = new Block{.bytes = std::move(bytes), .digest = digest, .references = 1};
    }
}

void Payload::destroy(Block* block) noexcept {
    RAFT_ASSERT(block != nullptr);
    RAFT_ASSERT(block->references == 0);
    delete block;
}

Payload::Payload(std::initializer_list<std::uint8_t> bytes) : Payload(Bytes(bytes)) {}

std::uint64_t digest_bytes(const std::uint8_t* data, std::size_t size) noexcept {
    std::uint64_t hash = mix64(0xcbf29ce484222325ULL, size);
    while (size > 0) {
        std::uint64_t word = 0;
        const std::size_t take = size < 8 ? size : 8;
        for (std::size_t i = 0; i < take; ++i) {
            word |= std::uint64_t{data[i]} << (8 * i);
        }
        hash = mix64(hash, word);
        data += take;
        size -= take;
    }
    return hash;
}

}  // namespace raftsim::core
