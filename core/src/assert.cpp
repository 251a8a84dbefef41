#include "raftsim/core/assert.hpp"

#include <cstdlib>

namespace raftsim::core {
namespace {

[[noreturn]] void abort_handler(const char* /*expression*/, const char* /*file*/, int /*line*/) {
    std::abort();
}

// The only mutable global in core: how to report a broken invariant. It is
// not part of any node's state and never influences a run's behaviour.
AssertHandler handler_ = &abort_handler;

}  // namespace

AssertHandler set_assert_handler(AssertHandler handler) noexcept {
    AssertHandler previous = handler_;
    handler_ = handler != nullptr ? handler : &abort_handler;
    return previous;
}

void assert_fail(const char* expression, const char* file, int line) {
    handler_(expression, file, line);
    // A handler must not return; if one does, stopping is the only safe move.
    std::abort();
}

}  // namespace raftsim::core
