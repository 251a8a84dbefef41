// A binary canonical_symbols.py must refuse: it defines a raft_ symbol, as a
// build with canonical/raft does, and draws from the C library's rand().
#include <cstdlib>

extern "C" int raft_pretend_linked() {
    return std::rand();
}

int main() {
    return raft_pretend_linked() < 0 ? 1 : 0;
}
