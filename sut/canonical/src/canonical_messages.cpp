// Message, entry and configuration translation (canonical_messages.hpp).
#include "canonical_messages.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "raftsim/core/assert.hpp"

namespace raftsim::sut::canonical {
namespace {

constexpr std::uint8_t configuration_format = 1;

[[nodiscard]] std::uint64_t get64(const std::uint8_t* at) {
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i) {
        value = (value << 8U) | at[i];
    }
    return value;
}

[[nodiscard]] core::Suffrage suffrage_of(int role) {
    switch (role) {
        case RAFT_VOTER:
            return core::Suffrage::voter;
        case RAFT_STANDBY:
            return core::Suffrage::nonvoter;
        default:
            return core::Suffrage::staging;  // RAFT_SPARE
    }
}

[[nodiscard]] int role_of(core::Suffrage suffrage) {
    switch (suffrage) {
        case core::Suffrage::voter:
            return RAFT_VOTER;
        case core::Suffrage::nonvoter:
            return RAFT_STANDBY;
        case core::Suffrage::staging:
            return RAFT_SPARE;
    }
    return RAFT_SPARE;
}

[[nodiscard]] core::EntryType entry_type_of(unsigned short type) {
    switch (type) {
        case RAFT_BARRIER:
            return core::EntryType::barrier;
        case RAFT_CHANGE:
            return core::EntryType::configuration;
        default:
            return core::EntryType::command;
    }
}

[[nodiscard]] unsigned short raft_entry_type(core::EntryType type) {
    switch (type) {
        case core::EntryType::barrier:
            return RAFT_BARRIER;
        case core::EntryType::configuration:
            return RAFT_CHANGE;
        default:
            return RAFT_COMMAND;
    }
}

// A raft_malloc'd copy of `payload` (the library frees it).
[[nodiscard]] bool copy_out(const core::Payload& payload, struct raft_buffer& out) {
    out.len = payload.size();
    out.base = raft_malloc(payload.size() == 0 ? 1 : payload.size());
    if (out.base == nullptr) {
        return false;
    }
    if (payload.size() > 0) {
        std::memcpy(out.base, payload.begin(), payload.size());
    }
    return true;
}

}  // namespace

core::Payload payload_of(const struct raft_buffer& buffer) {
    const auto* bytes = static_cast<const std::uint8_t*>(buffer.base);
    return buffer.len == 0 ? core::Payload{}
                           : core::Payload(core::Bytes(bytes, bytes + buffer.len));
}

bool entries_to_raft(const std::vector<core::Entry>& entries, struct raft_entry** out,
                     unsigned* count) {
    *out = nullptr;
    *count = 0;
    if (entries.empty()) {
        return true;
    }
    std::size_t total = 0;
    for (const core::Entry& entry : entries) {
        total += entry.data.size();
    }
    auto* array = static_cast<struct raft_entry*>(raft_calloc(entries.size(), sizeof(raft_entry)));
    auto* batch = static_cast<std::uint8_t*>(raft_malloc(total == 0 ? 1 : total));
    if (array == nullptr || batch == nullptr) {
        raft_free(array);
        raft_free(batch);
        return false;
    }
    std::size_t offset = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const core::Entry& entry = entries[i];
        array[i].term = entry.term;
        array[i].type = raft_entry_type(entry.type);
        array[i].buf.base = batch + offset;
        array[i].buf.len = entry.data.size();
        array[i].batch = batch;
        if (entry.data.size() > 0) {
            std::memcpy(batch + offset, entry.data.begin(), entry.data.size());
        }
        offset += entry.data.size();
    }
    *out = array;
    *count = static_cast<unsigned>(entries.size());
    return true;
}

struct raft_snapshot* snapshot_to_raft(const core::Snapshot& snapshot) {
    auto* out = static_cast<struct raft_snapshot*>(raft_calloc(1, sizeof(struct raft_snapshot)));
    auto* buffers = static_cast<struct raft_buffer*>(raft_calloc(1, sizeof(struct raft_buffer)));
    if (out == nullptr || buffers == nullptr || !copy_out(snapshot.data, buffers[0])) {
        raft_free(out);
        raft_free(buffers);
        return nullptr;
    }
    out->index = snapshot.index;
    out->term = snapshot.term;
    out->configuration_index = snapshot.configuration_index;
    raft_configuration_init(&out->configuration);
    if (!to_raft(snapshot.configuration, out->configuration)) {
        raft_free(buffers[0].base);
        raft_free(buffers);
        raft_free(out);
        return nullptr;
    }
    out->bufs = buffers;
    out->n_bufs = 1;
    return out;
}

core::Snapshot snapshot_to_core(const struct raft_snapshot& snapshot) {
    core::Bytes data;
    for (unsigned i = 0; i < snapshot.n_bufs; ++i) {
        const auto* bytes = static_cast<const std::uint8_t*>(snapshot.bufs[i].base);
        data.insert(data.end(), bytes, bytes + snapshot.bufs[i].len);
    }
    return core::Snapshot{.index = snapshot.index,
                          .term = snapshot.term,
                          .configuration = to_core(snapshot.configuration),
                          .configuration_index = snapshot.configuration_index,
                          .data = data.empty() ? core::Payload{} : core::Payload(std::move(data))};
}

std::string address_of(core::NodeId id) {
    return std::to_string(id);
}

namespace {

// canonical keeps servers in the order they were added (configuration.c), so
// a server removed and added back comes last; core::Configuration keeps them
// sorted by id, which its lookups (a binary search) rely on.
core::Configuration sorted_by_id(core::Configuration configuration) {
    std::sort(configuration.servers.begin(), configuration.servers.end(),
              [](const core::Server& a, const core::Server& b) { return a.id < b.id; });
    return configuration;
}

}  // namespace

std::optional<core::Configuration> decode_configuration(const core::Payload& data) {
    const std::uint8_t* at = data.begin();
    const std::uint8_t* end = data.end();
    if (data.size() < 9 || at[0] != configuration_format) {
        return std::nullopt;
    }
    const std::uint64_t count = get64(at + 1);
    at += 9;
    core::Configuration configuration;
    for (std::uint64_t i = 0; i < count; ++i) {
        if (end - at < 8) {
            return std::nullopt;
        }
        const std::uint64_t id = get64(at);
        at += 8;
        const auto* nul = static_cast<const std::uint8_t*>(std::memchr(at, 0, end - at));
        if (nul == nullptr || end - nul < 2) {
            return std::nullopt;
        }
        at = nul + 1;
        configuration.servers.push_back(core::Server{.id = id, .suffrage = suffrage_of(*at)});
        at += 1;
    }
    return sorted_by_id(std::move(configuration));
}

core::Configuration to_core(const struct raft_configuration& configuration) {
    core::Configuration result;
    for (unsigned i = 0; i < configuration.n; ++i) {
        const struct raft_server& server = configuration.servers[i];
        result.servers.push_back(
            core::Server{.id = server.id, .suffrage = suffrage_of(server.role)});
    }
    return sorted_by_id(std::move(result));
}

bool to_raft(const core::Configuration& configuration, struct raft_configuration& out) {
    for (const core::Server& server : configuration.servers) {
        const std::string address = address_of(server.id);
        if (raft_configuration_add(&out, server.id, address.c_str(), role_of(server.suffrage)) !=
            0) {
            raft_configuration_close(&out);
            raft_configuration_init(&out);
            return false;
        }
    }
    return true;
}

// The encoding pads to 8 bytes without clearing the padding (whatever the
// allocator left there), so two servers encoding the same configuration
// differ in those bytes: they are cleared here, which keeps payload digests
// (log matching, the trace fingerprint) a function of the run alone.
[[nodiscard]] core::Payload configuration_payload(const struct raft_buffer& buffer) {
    const auto* bytes = static_cast<const std::uint8_t*>(buffer.base);
    core::Bytes copy(bytes, bytes + buffer.len);
    std::size_t used = 9;
    if (copy.size() >= used && copy[0] == configuration_format) {
        const std::uint64_t count = get64(copy.data() + 1);
        for (std::uint64_t i = 0; i < count && used + 8 < copy.size(); ++i) {
            used += 8;
            while (used < copy.size() && copy[used] != 0) {
                used += 1;
            }
            used += 2;  // the NUL and the role
        }
        for (std::size_t at = std::min(used, copy.size()); at < copy.size(); ++at) {
            copy[at] = 0;
        }
    }
    return core::Payload(std::move(copy));
}

core::Entry to_core(const struct raft_entry& entry, core::Index index) {
    core::Entry result{.term = entry.term, .index = index, .type = entry_type_of(entry.type)};
    if (result.type == core::EntryType::configuration) {
        result.data = configuration_payload(entry.buf);
        result.configuration = decode_configuration(result.data).value_or(core::Configuration{});
    } else {
        result.data = payload_of(entry.buf);
    }
    return result;
}

namespace {

void append_entries_to_core(const struct raft_append_entries& in, core::Message& out) {
    out.type = core::MessageType::append_entries;
    out.leader_id = out.from;
    out.prev_log_index = in.prev_log_index;
    out.prev_log_term = in.prev_log_term;
    out.leader_commit = in.leader_commit;
    out.entries.reserve(in.n_entries);
    for (unsigned i = 0; i < in.n_entries; ++i) {
        out.entries.push_back(to_core(in.entries[i], in.prev_log_index + 1 + i));
    }
}

// canonical answers with `rejected` (the prev_log_index it refused, or 0)
// and its last index as a hint either way: success carries the hint as the
// match, a refusal as last_log_index (lossless both ways).
void append_result_to_core(const struct raft_append_entries_result& in, core::Message& out) {
    out.type = core::MessageType::append_entries_response;
    out.success = in.rejected == 0;
    out.match_index = out.success ? in.last_log_index : 0;
    out.last_log_index = out.success ? 0 : in.last_log_index;
    out.rejected_prev_log_index = in.rejected;
}

void vote_result_to_raft(const core::Message& message, struct raft_request_vote_result& result) {
    result = raft_request_vote_result{};
    result.term = message.term;
    result.vote_granted = message.granted;
    const bool pre_vote = message.type == core::MessageType::request_pre_vote_response;
#if RAFTSIM_CANONICAL_VERSIONED_MESSAGES
    result.version = RAFT_REQUEST_VOTE_RESULT_VERSION;
    result.pre_vote = pre_vote;
#else
    result.pre_vote = pre_vote ? raft_tribool_true : raft_tribool_false;
#endif
}

[[nodiscard]] bool install_snapshot_to_raft(const core::Message& message,
                                            struct raft_install_snapshot& snapshot) {
    snapshot = raft_install_snapshot{};
    snapshot.term = message.term;
    snapshot.last_index = message.snapshot_index;
    snapshot.last_term = message.snapshot_term;
    snapshot.conf_index = message.snapshot_configuration_index;
#if RAFTSIM_CANONICAL_VERSIONED_MESSAGES
    snapshot.version = RAFT_INSTALL_SNAPSHOT_VERSION;
#endif
    raft_configuration_init(&snapshot.conf);
    if (!to_raft(message.snapshot_configuration, snapshot.conf)) {
        return false;
    }
    if (!copy_out(message.snapshot_data, snapshot.data)) {
        raft_configuration_close(&snapshot.conf);
        return false;
    }
    return true;
}

}  // namespace

core::Message to_core(const struct raft_message& message, core::NodeId from) {
    core::Message out;
    out.from = from;
    out.to = message.server_id;
    switch (message.type) {
        case RAFT_IO_REQUEST_VOTE: {
            const struct raft_request_vote& in = message.request_vote;
            out.type =
                in.pre_vote ? core::MessageType::request_pre_vote : core::MessageType::request_vote;
            out.term = in.term;
            out.candidate_last_log_index = in.last_log_index;
            out.candidate_last_log_term = in.last_log_term;
            out.leadership_transfer = in.disrupt_leader;
            break;
        }
        case RAFT_IO_REQUEST_VOTE_RESULT: {
            const struct raft_request_vote_result& in = message.request_vote_result;
#if RAFTSIM_CANONICAL_VERSIONED_MESSAGES
            const bool pre_vote = in.pre_vote;
#else
            const bool pre_vote = in.pre_vote == raft_tribool_true;
#endif
            out.type = pre_vote ? core::MessageType::request_pre_vote_response
                                : core::MessageType::request_vote_response;
            out.term = in.term;
            out.granted = in.vote_granted;
            break;
        }
        case RAFT_IO_APPEND_ENTRIES:
            out.term = message.append_entries.term;
            append_entries_to_core(message.append_entries, out);
            break;
        case RAFT_IO_APPEND_ENTRIES_RESULT:
            out.term = message.append_entries_result.term;
            append_result_to_core(message.append_entries_result, out);
            break;
        case RAFT_IO_INSTALL_SNAPSHOT: {
            const struct raft_install_snapshot& in = message.install_snapshot;
            out.type = core::MessageType::install_snapshot;
            out.term = in.term;
            out.leader_id = from;
            out.snapshot_index = in.last_index;
            out.snapshot_term = in.last_term;
            out.snapshot_configuration = to_core(in.conf);
            out.snapshot_configuration_index = in.conf_index;
            out.snapshot_data = payload_of(in.data);
            break;
        }
        case RAFT_IO_TIMEOUT_NOW:
            out.type = core::MessageType::timeout_now;
            out.term = message.timeout_now.term;
            out.candidate_last_log_index = message.timeout_now.last_log_index;
            out.candidate_last_log_term = message.timeout_now.last_log_term;
            break;
        default:
            RAFT_UNREACHABLE("canonical/raft sent a message type it does not define");
    }
    return out;
}

// Each payload is value-initialised first (so fields a later release added
// start at zero) and versioned as the library versions its own.
bool to_raft(const core::Message& message, struct raft_message& out) {
    switch (message.type) {
        case core::MessageType::request_vote:
        case core::MessageType::request_pre_vote: {
            out.type = RAFT_IO_REQUEST_VOTE;
            struct raft_request_vote& vote = out.request_vote;
            vote = raft_request_vote{};
            vote.term = message.term;
            vote.candidate_id = message.from;
            vote.last_log_index = message.candidate_last_log_index;
            vote.last_log_term = message.candidate_last_log_term;
            vote.disrupt_leader = message.leadership_transfer;
            vote.pre_vote = message.type == core::MessageType::request_pre_vote;
#if RAFTSIM_CANONICAL_VERSIONED_MESSAGES
            vote.version = RAFT_REQUEST_VOTE_VERSION;
#endif
            return true;
        }
        case core::MessageType::request_vote_response:
        case core::MessageType::request_pre_vote_response:
            out.type = RAFT_IO_REQUEST_VOTE_RESULT;
            vote_result_to_raft(message, out.request_vote_result);
            return true;
        case core::MessageType::append_entries: {
            out.type = RAFT_IO_APPEND_ENTRIES;
            struct raft_append_entries& append = out.append_entries;
            append = raft_append_entries{};
            append.term = message.term;
            append.prev_log_index = message.prev_log_index;
            append.prev_log_term = message.prev_log_term;
            append.leader_commit = message.leader_commit;
#if RAFTSIM_CANONICAL_VERSIONED_MESSAGES
            append.version = RAFT_APPEND_ENTRIES_VERSION;
#endif
            return entries_to_raft(message.entries, &append.entries, &append.n_entries);
        }
        case core::MessageType::append_entries_response: {
            out.type = RAFT_IO_APPEND_ENTRIES_RESULT;
            struct raft_append_entries_result& result = out.append_entries_result;
            result = raft_append_entries_result{};
            result.term = message.term;
            result.rejected = message.success ? 0 : message.rejected_prev_log_index;
            result.last_log_index = message.success ? message.match_index : message.last_log_index;
#if RAFTSIM_CANONICAL_VERSIONED_MESSAGES
            result.version = RAFT_APPEND_ENTRIES_RESULT_VERSION;
#endif
            return true;
        }
        case core::MessageType::install_snapshot:
            out.type = RAFT_IO_INSTALL_SNAPSHOT;
            return install_snapshot_to_raft(message, out.install_snapshot);
        case core::MessageType::timeout_now: {
            out.type = RAFT_IO_TIMEOUT_NOW;
            struct raft_timeout_now& timeout = out.timeout_now;
            timeout = raft_timeout_now{};
            timeout.term = message.term;
            timeout.last_log_index = message.candidate_last_log_index;
            timeout.last_log_term = message.candidate_last_log_term;
#if RAFTSIM_CANONICAL_VERSIONED_MESSAGES
            timeout.version = RAFT_TIMEOUT_NOW_VERSION;
#endif
            return true;
        }
        case core::MessageType::install_snapshot_response:
            return false;  // canonical answers InstallSnapshot with AppendEntriesResult
    }
    return false;
}

}  // namespace raftsim::sut::canonical
