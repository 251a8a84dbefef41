#pragma once
// raft.h has no extern "C" guard of its own (canonical-raft-0.15 notes,
// F12); every file of the adapter includes it through here.
extern "C" {
#include <raft.h>
}

// The adapter is written against 0.15.0, the Debian release, and also
// compiles against the later releases built in scratch space to confirm a
// finding is fixed upstream (docs/adapters.md). What differs:
//  - 0.17.1 gave every message a leading `version`, made the pre-vote flag
//    of a vote result a bool and `struct raft`'s log a pointer;
//  - 0.18.0 added feature flags to AppendEntries results and renamed the
//    committed configuration's index;
//  - 0.18.1 gave the tracer's emit callback more arguments.
// There is no version macro before 0.17.1, and 0.17.1's says major 1.
#if defined(RAFT_REQUEST_VOTE_RESULT_VERSION)
#define RAFTSIM_CANONICAL_VERSIONED_MESSAGES 1
#else
#define RAFTSIM_CANONICAL_VERSIONED_MESSAGES 0
#endif
#if defined(RAFT_APPEND_ENTRIES_RESULT_VERSION) && RAFT_APPEND_ENTRIES_RESULT_VERSION >= 1
#define RAFTSIM_CANONICAL_0_18 1
#else
#define RAFTSIM_CANONICAL_0_18 0
#endif
#if RAFTSIM_CANONICAL_0_18 && RAFT_VERSION_NUMBER >= 1801
#define RAFTSIM_CANONICAL_LEVELLED_TRACER 1
#else
#define RAFTSIM_CANONICAL_LEVELLED_TRACER 0
#endif

namespace raftsim::sut::canonical {

/// The index of the configuration the library holds committed.
[[nodiscard]] inline raft_index committed_configuration_index_of(const struct raft& raft) {
#if RAFTSIM_CANONICAL_0_18
    return raft.configuration_committed_index;
#else
    return raft.configuration_index;
#endif
}

}  // namespace raftsim::sut::canonical
