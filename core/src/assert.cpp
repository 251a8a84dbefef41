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
// Black-box mode's recorder; none by default.
AssertRecorder recorder_ = nullptr;

}  // namespace

AssertHandler set_assert_handler(AssertHandler handler) noexcept {
    AssertHandler previous = handler_;
    handler_ = handler != nullptr ? handler : &abort_handler;
    return previous;
}

AssertRecorder set_assert_recorder(AssertRecorder recorder) noexcept {
    AssertRecorder previous = recorder_;
    recorder_ = recorder;
    return previous;
}

bool assert_recorded(const char* expression, const char* file, int line) {
    return recorder_ != nullptr && recorder_(expression, file, line);
}

void assert_fail(const char* expression, const char* file, int line) {
    handler_(expression, file, line);
    // A handler must not return; if one does, stopping is the only safe move.
    std::abort();
}

}  // namespace raftsim::core
