#pragma once
// raft.h has no extern "C" guard of its own (canonical-raft-0.15 notes,
// F12); every file of the adapter includes it through here.
extern "C" {
#include <raft.h>
}
