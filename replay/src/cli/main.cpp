// raftsim: deterministic simulation and fuzz testing for Raft. The command
// line itself is in cli.cpp.
#include <malloc.h>

#include "commands/commands.hpp"

int main(int argc, char** argv) {
    // A sweep builds and frees the same large logs seed after seed. Keeping
    // freed memory in the heap (instead of returning it to the kernel and
    // faulting it back in) roughly halves the time per seed; see
    // docs/performance.md. Tuning only: it changes no decision of a run.
    mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
    return raftsim::replay::cli_main(argc, argv);
}
