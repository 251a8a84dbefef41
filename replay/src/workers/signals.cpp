// Interrupt handling (signals.hpp).
#include "workers/signals.hpp"

#include <csignal>

namespace raftsim::replay {
namespace {

volatile std::sig_atomic_t received = 0;

extern "C" void record_signal(int signal) {
    if (received == 0) {
        received = signal;
    }
}

}  // namespace

void install_interrupt_handlers() {
    struct sigaction action {};
    action.sa_handler = record_signal;
    sigemptyset(&action.sa_mask);
    // No SA_RESTART: poll() and read() return EINTR, so waits notice. The
    // handler resets itself: a second Ctrl-C ends the process at once.
    action.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

int interrupt_signal() noexcept {
    return received;
}

int interrupted_exit_status(int signal) noexcept {
    return 128 + signal;
}

const char* signal_name(int signal) noexcept {
    switch (signal) {
        case SIGINT:
            return "SIGINT";
        case SIGTERM:
            return "SIGTERM";
        case SIGKILL:
            return "SIGKILL";
        case SIGSEGV:
            return "SIGSEGV";
        case SIGABRT:
            return "SIGABRT";
        case SIGBUS:
            return "SIGBUS";
        case SIGFPE:
            return "SIGFPE";
        case SIGILL:
            return "SIGILL";
        case SIGPIPE:
            return "SIGPIPE";
        case SIGTRAP:
            return "SIGTRAP";
        default:
            return "signal";
    }
}

}  // namespace raftsim::replay
