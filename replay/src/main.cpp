// raftsim: deterministic simulation and fuzz testing for Raft.
#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "selfcheck.hpp"

namespace {

constexpr int exit_passed = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

void print_usage(std::FILE* out) {
    fmt::print(out,
               "usage: raftsim [selfcheck [--seeds N]]\n"
               "\n"
               "  selfcheck   drive 5-node clusters through leader isolation and message\n"
               "              loss and check election safety, state machine safety and\n"
               "              convergence (the default; --seeds defaults to 50)\n"
               "\n"
               "exit status: 0 all passed, 1 a check failed, 2 bad usage\n");
}

int run_selfcheck(std::uint64_t seeds) {
    std::uint64_t passed = 0;
    std::uint64_t delivered = 0;
    std::uint64_t committed = 0;
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
        const raftsim::replay::SelfcheckResult result = raftsim::replay::run_selfcheck(seed);
        delivered += result.messages_delivered;
        committed += result.entries_committed;
        if (!result.passed) {
            fmt::print("FAIL seed {}: {}\n", seed, result.failure);
            continue;
        }
        passed += 1;
    }
    fmt::print(
        "selfcheck: {} seeds, {} passed, {} failed ({} messages delivered, {} entries "
        "committed)\n",
        seeds, passed, seeds - passed, delivered, committed);
    return passed == seeds ? exit_passed : exit_failed;
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t seeds = 50;
    int arg = 1;
    if (arg < argc && std::string_view(argv[arg]) == "selfcheck") {
        arg += 1;
    } else if (arg < argc &&
               (std::string_view(argv[arg]) == "--help" || std::string_view(argv[arg]) == "-h")) {
        print_usage(stdout);
        return exit_passed;
    }
    for (; arg < argc; ++arg) {
        const std::string_view flag = argv[arg];
        if (flag == "--seeds" && arg + 1 < argc) {
            const std::string_view value = argv[++arg];
            const auto [end, error] =
                std::from_chars(value.data(), value.data() + value.size(), seeds);
            if (error != std::errc{} || end != value.data() + value.size() || seeds == 0) {
                fmt::print(stderr, "raftsim: --seeds expects a positive integer, got '{}'\n",
                           value);
                return exit_usage;
            }
            continue;
        }
        fmt::print(stderr, "raftsim: unknown argument '{}'\n", flag);
        print_usage(stderr);
        return exit_usage;
    }
    return run_selfcheck(seeds);
}
