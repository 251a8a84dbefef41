#include "raftsim/core/progress.hpp"

#include "raftsim/core/assert.hpp"

namespace raftsim::core {

std::string_view to_string(ProgressState state) noexcept {
    switch (state) {
        case ProgressState::probe:
            return "probe";
        case ProgressState::replicate:
            return "replicate";
    }
    return "?";
}

void Progress::become_probe() {
    state = ProgressState::probe;
    probe_sent = false;
    inflight_last_indexes.clear();
    // Resume right after what is known to match (etcd's becomeProbe).
    next_index = match_index + 1;
    RAFT_ASSERT(match_index < next_index);
}

void Progress::become_replicate() {
    state = ProgressState::replicate;
    probe_sent = false;
    inflight_last_indexes.clear();
    next_index = match_index + 1;
    RAFT_ASSERT(match_index < next_index);
}

void Progress::free_inflight_through(Index index) {
    while (!inflight_last_indexes.empty() && inflight_last_indexes.front() <= index) {
        inflight_last_indexes.pop_front();
    }
    if (!inflight_last_indexes.empty()) {
        RAFT_ASSERT(inflight_last_indexes.front() > index);
    }
}

}  // namespace raftsim::core
