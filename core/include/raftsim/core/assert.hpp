#pragma once
// Always-on assertions for the Raft core.
//
// Assertions detect programmer errors: a broken internal invariant. They are
// never compiled out (NDEBUG has no effect) because the cost is negligible
// next to what a silent safety violation costs. Operating errors -- bad input
// from the network, a proposal to a follower -- are values, never assertions.
//
// The core performs no I/O, so a failed assertion calls a replaceable handler.
// The default handler aborts. The simulator installs one that throws, so the
// run stops and reports the failure as a violation with its seed. Therefore a
// function that asserts (directly or through a callee) is never noexcept.

namespace raftsim::core {

using AssertHandler = void (*)(const char* expression, const char* file, int line);

/// Replaces the process-wide assertion handler and returns the previous one.
/// The handler must not return normally; if it does, the core aborts.
AssertHandler set_assert_handler(AssertHandler handler) noexcept;

[[noreturn]] void assert_fail(const char* expression, const char* file, int line);

}  // namespace raftsim::core

// The condition is parenthesised so that `RAFT_ASSERT(a || b)` and friends
// bind as written.
#define RAFT_ASSERT(condition)                                            \
    do {                                                                  \
        if (!(condition)) [[unlikely]] {                                  \
            ::raftsim::core::assert_fail(#condition, __FILE__, __LINE__); \
        }                                                                 \
    } while (false)

/// Documents a condition that may or may not hold; it checks nothing. Used to
/// say "both cases are expected here" where a reader might otherwise wonder.
#define RAFT_MAYBE(condition) static_cast<void>(sizeof(static_cast<bool>(condition)))
