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
//
// Black-box mode (docs/invariants.md): the simulator may also install a
// recorder. A failed assertion the recorder accepts (it returns true: one in
// the core, for the mutation self-test) is counted and execution goes on, so
// that only the harness's checkers can catch what the assertion would have.
// Code after an assertion must therefore not rely on it for memory safety
// where a recorder may be installed; RAFT_UNREACHABLE never continues.

namespace raftsim::core {

using AssertHandler = void (*)(const char* expression, const char* file, int line);
/// Returns true to let execution continue past the failed assertion.
using AssertRecorder = bool (*)(const char* expression, const char* file, int line);

/// Replaces the process-wide assertion handler and returns the previous one.
/// The handler must not return normally; if it does, the core aborts.
AssertHandler set_assert_handler(AssertHandler handler) noexcept;

/// Replaces the process-wide recorder (nullptr: none, the default) and
/// returns the previous one.
AssertRecorder set_assert_recorder(AssertRecorder recorder) noexcept;

/// True when a recorder is installed and accepted this failure.
[[nodiscard]] bool assert_recorded(const char* expression, const char* file, int line);

[[noreturn]] void assert_fail(const char* expression, const char* file, int line);

}  // namespace raftsim::core

// The condition is parenthesised so that `RAFT_ASSERT(a || b)` and friends
// bind as written.
#define RAFT_ASSERT(condition)                                                       \
    do {                                                                             \
        if (!(condition)) [[unlikely]] {                                             \
            if (!::raftsim::core::assert_recorded(#condition, __FILE__, __LINE__)) { \
                ::raftsim::core::assert_fail(#condition, __FILE__, __LINE__);        \
            }                                                                        \
        }                                                                            \
    } while (false)

/// A point control never reaches. Never recorded-and-continued: there is no
/// sensible way on.
#define RAFT_UNREACHABLE(why) ::raftsim::core::assert_fail("unreachable: " why, __FILE__, __LINE__)

/// Documents a condition that may or may not hold; it checks nothing. Used to
/// say "both cases are expected here" where a reader might otherwise wonder.
#define RAFT_MAYBE(condition) static_cast<void>(sizeof(static_cast<bool>(condition)))
