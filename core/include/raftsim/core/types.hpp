#pragma once
// Basic vocabulary of the core: terms, indexes, node ids and byte strings.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <utility>
#include <vector>

namespace raftsim::core {

/// A Raft term (Raft paper §5.1). Term 0 means "no term yet".
using Term = std::uint64_t;
/// A log position, 1-based. Index 0 is the empty prefix before the first entry.
using Index = std::uint64_t;
/// A server id. 0 is reserved for "nobody" (no leader known, no vote cast).
using NodeId = std::uint64_t;
/// An opaque client payload.
using Bytes = std::vector<std::uint8_t>;

inline constexpr NodeId node_none = 0;

/// Folds `value` into a running 64-bit hash (multiply-xorshift). The one
/// mixer behind payload digests, the checkers' chain hashes and the trace
/// fingerprint.
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t hash, std::uint64_t value) noexcept {
    hash ^= value;
    hash *= 0x9e3779b97f4a7c15ULL;
    return hash ^ (hash >> 31U);
}

/// 64-bit digest of a byte string (8 bytes per step, then a final mix).
[[nodiscard]] std::uint64_t digest_bytes(const std::uint8_t* data, std::size_t size) noexcept;

/// An entry's payload: an immutable byte string shared by every copy of the
/// entry. A command travels through the leader's log, AppendEntries to each
/// follower, their logs, Ready batches, storage and state machines; sharing
/// makes each of those copies cost a reference count, not an allocation. Its
/// digest is computed once, for the simulator's checkers.
///
/// The count is not atomic: core and sim are single-threaded by rule (the
/// tidy test bans threads there), and std::shared_ptr's atomic counts cost
/// measurably on every copy. A Payload must never be shared across threads.
class Payload {
  public:
    Payload() = default;
    // Implicit: a payload is its bytes.
    Payload(Bytes bytes);  // NOLINT(google-explicit-constructor)
    Payload(std::initializer_list<std::uint8_t> bytes);
    Payload(const Payload& other) noexcept : block_(other.block_) { retain(); }
    Payload(Payload&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
    Payload& operator=(const Payload& other) noexcept {
        if (this != &other) {
            release();
            block_ = other.block_;
            retain();
        }
        return *this;
    }
    Payload& operator=(Payload&& other) noexcept {
        if (this != &other) {
            release();
            block_ = std::exchange(other.block_, nullptr);
        }
        return *this;
    }
    ~Payload() { release(); }

    [[nodiscard]] bool empty() const noexcept { return block_ == nullptr; }
    [[nodiscard]] std::size_t size() const noexcept { return block_ ? block_->bytes.size() : 0; }
    [[nodiscard]] const std::uint8_t* begin() const noexcept {
        return block_ ? block_->bytes.data() : nullptr;
    }
    [[nodiscard]] const std::uint8_t* end() const noexcept { return begin() + size(); }
    [[nodiscard]] Bytes to_bytes() const { return Bytes(begin(), end()); }
    /// digest_bytes of the content (of nothing, when empty).
    [[nodiscard]] std::uint64_t digest() const noexcept {
        return block_ ? block_->digest : digest_bytes(nullptr, 0);
    }

    friend bool operator==(const Payload& a, const Payload& b) noexcept {
        return a.block_ == b.block_ || equal_bytes(a, b.begin(), b.size());
    }
    friend bool operator==(const Payload& a, const Bytes& b) noexcept {
        return equal_bytes(a, b.data(), b.size());
    }

  private:
    struct Block {
        Bytes bytes;
        std::uint64_t digest = 0;
        std::uint64_t references = 1;
    };

    void retain() noexcept {
        if (block_ != nullptr) {
            block_->references += 1;
        }
    }
    // Inline: an entry copy is dropped on every AppendEntries, Ready and
    // storage batch, so the common case (another copy remains) must not
    // cost a call.
    void release() noexcept {
        if (block_ != nullptr) {
            block_->references -= 1;
            if (block_->references == 0) [[unlikely]] {
                destroy(block_);
            }
            block_ = nullptr;
        }
    }
    static void destroy(Block* block) noexcept;

    static bool equal_bytes(const Payload& a, const std::uint8_t* data, std::size_t size) noexcept {
        if (a.size() != size) {
            return false;
        }
        for (std::size_t i = 0; i < size; ++i) {
            if (a.begin()[i] != data[i]) {
                return false;
            }
        }
        return true;
    }

    Block* block_ = nullptr;
};

/// Identifies a local request (proposal) so its result can be matched later.
using RequestId = std::uint64_t;

/// The wire protocol version this core speaks, and the oldest one it accepts.
/// A message outside [min, max] is rejected at the gate (hashicorp's
/// checkRPCHeader does the same with ProtocolVersionMin/Max).
inline constexpr std::uint32_t protocol_version_max = 3;
inline constexpr std::uint32_t protocol_version_min = 2;

}  // namespace raftsim::core
