#include "raftsim/sim/kv/kv_store.hpp"

#include <fmt/format.h>

#include "raftsim/core/assert.hpp"

namespace raftsim::sim {
namespace {

// 'K', 'V', the kind, then operation (8), key (4), value (8), expected (8):
// 31 bytes, never the 33 of the seeded source's commands.
constexpr std::uint8_t tag_first = 'K';
constexpr std::uint8_t tag_second = 'V';
constexpr std::size_t command_size_bytes = 3 + 8 + 4 + 8 + 8;

void put_le(core::Bytes& out, std::uint64_t value, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) {
        out.push_back(static_cast<std::uint8_t>(value >> (8U * i)));
    }
}

std::uint64_t get_le(const std::uint8_t* in, unsigned bytes) {
    std::uint64_t value = 0;
    for (unsigned i = 0; i < bytes; ++i) {
        value |= static_cast<std::uint64_t>(in[i]) << (8U * i);
    }
    return value;
}

}  // namespace

core::Payload encode_kv_command(const KvCommand& command) {
    RAFT_ASSERT(command.operation != 0);
    RAFT_ASSERT(command.kind <= OpKind::compare_and_set);
    core::Bytes out;
    out.reserve(command_size_bytes);
    out.push_back(tag_first);
    out.push_back(tag_second);
    out.push_back(static_cast<std::uint8_t>(command.kind));
    put_le(out, command.operation, 8);
    put_le(out, command.key, 4);
    put_le(out, command.value, 8);
    put_le(out, command.expected, 8);
    RAFT_ASSERT(out.size() == command_size_bytes);
    return out;
}

std::optional<KvCommand> decode_kv_command(const core::Payload& data) {
    if (data.size() != command_size_bytes) {
        return std::nullopt;
    }
    const std::uint8_t* in = data.begin();
    if (in[0] != tag_first || in[1] != tag_second ||
        in[2] > static_cast<std::uint8_t>(OpKind::compare_and_set)) {
        return std::nullopt;
    }
    KvCommand command{.operation = get_le(in + 3, 8),
                      .kind = static_cast<OpKind>(in[2]),
                      .key = static_cast<KvKey>(get_le(in + 11, 4)),
                      .value = get_le(in + 15, 8),
                      .expected = get_le(in + 23, 8)};
    if (command.operation == 0) {
        return std::nullopt;
    }
    return command;
}

KvResponse KvStore::apply(const KvCommand& command) {
    KvResponse response;
    switch (command.kind) {
        case OpKind::put:
            values_[command.key] = command.value;
            break;
        case OpKind::get:
            response.read = get(command.key);
            break;
        case OpKind::remove:
            values_.erase(command.key);
            break;
        case OpKind::compare_and_set: {
            const auto found = values_.find(command.key);
            // An absent key matches no expected value (operation.hpp).
            response.cas_succeeded = found != values_.end() && found->second == command.expected;
            if (response.cas_succeeded) {
                found->second = command.value;
            }
            break;
        }
    }
    return response;
}

core::Bytes KvStore::snapshot() const {
    core::Bytes out;
    out.reserve(8 + values_.size() * 12);
    put_le(out, values_.size(), 8);
    for (const auto& [key, value] : values_) {
        put_le(out, key, 4);
        put_le(out, value, 8);
    }
    return out;
}

bool KvStore::restore(const std::uint8_t* bytes, std::size_t size) {
    if (size < 8) {
        return false;
    }
    const std::uint64_t count = get_le(bytes, 8);
    if (count > (size - 8) / 12 || size != 8 + count * 12) {
        return false;
    }
    std::map<KvKey, KvValue> values;
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint8_t* pair = bytes + 8 + i * 12;
        const auto key = static_cast<KvKey>(get_le(pair, 4));
        if (!values.empty() && key <= values.rbegin()->first) {
            return false;  // written in rising key order, each key once
        }
        values.emplace_hint(values.end(), key, get_le(pair + 4, 8));
    }
    // Replace, never merge: a key deleted before the snapshot's index must
    // be gone after it, whatever this server held.
    values_ = std::move(values);
    return true;
}

std::optional<KvValue> KvStore::get(KvKey key) const {
    const auto found = values_.find(key);
    if (found == values_.end()) {
        return std::nullopt;
    }
    return found->second;
}

std::string KvStore::describe() const {
    if (values_.empty()) {
        return "(empty)";
    }
    std::string out;
    for (const auto& [key, value] : values_) {
        out += fmt::format("{}k{}=v{}", out.empty() ? "" : " ", key, value);
    }
    return out;
}

}  // namespace raftsim::sim
