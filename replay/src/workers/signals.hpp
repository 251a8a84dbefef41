#pragma once
// Interrupts: Ctrl-C (SIGINT) at a terminal and a CI timeout's SIGTERM.
// A sweep or a shrink stops cleanly at the first one -- it writes what it
// has, marked as stopped early, and exits 128 + the signal -- and a second
// one kills the process at once (the handler resets itself).

namespace raftsim::replay {

/// Installs the SIGINT and SIGTERM handlers. They only record the signal;
/// they do not restart interrupted calls, so a blocking wait returns and the
/// caller can look.
void install_interrupt_handlers();

/// The first SIGINT or SIGTERM received since installing, or 0.
[[nodiscard]] int interrupt_signal() noexcept;

/// The conventional exit status of a process stopped by `signal`: 128 + it
/// (130 for SIGINT, 143 for SIGTERM).
[[nodiscard]] int interrupted_exit_status(int signal) noexcept;

/// "SIGINT", "SIGTERM", "SIGSEGV", ... or "signal N".
[[nodiscard]] const char* signal_name(int signal) noexcept;

}  // namespace raftsim::replay
