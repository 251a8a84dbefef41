#pragma once
// What a run's result means when its scenario expects it to fail: a
// scenario's "expect" entry for the system under test and the seed, while
// it applies to the system's version (scenarios/expect.hpp), turns a
// failure with exactly its checker and kind into an expected failure, a
// pass into a failure of the sweep (expect/unexpected_pass), and leaves
// any other failure a failure that says what was expected instead
// (docs/ci.md, "Expected failures").

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "raftsim/scenarios/spec.hpp"
#include "raftsim/sut/system.hpp"
#include "sweep/case_work.hpp"
#include "sweep/plan.hpp"

namespace raftsim::replay {

/// The entry that governs one run, with where it is in its file.
struct Expectation {
    const scenarios::ExpectedFailure* entry = nullptr;
    /// Its index in Scenario::expect.
    std::size_t index = 0;
};

enum class ExpectVerdict : std::uint8_t {
    /// No entry applies: a pass passes and a failure fails.
    none,
    /// Failed with exactly the expected checker and kind.
    expected_failure,
    /// Passed where a failure was expected.
    unexpected_pass,
    /// Failed, but not as expected.
    other_failure,
};

/// The entry of `row`'s scenario for `system` and `seed`, if there is one
/// and it applies to the system's version; nullopt otherwise (and for
/// swarm rows, whose scenarios have none).
[[nodiscard]] std::optional<Expectation> applicable_expectation(const SweepRow& row,
                                                                const sut::System& system,
                                                                std::uint64_t seed);

/// What a run means under `expectation`: `violation` is the run's, nullopt
/// for a pass.
[[nodiscard]] ExpectVerdict judge(const std::optional<Expectation>& expectation,
                                  const std::optional<CaseViolation>& violation);

/// Why the failure is expected, in a few words: "fixed upstream in
/// 0.17.1", else the entry's "why", else "a kept finding".
[[nodiscard]] std::string expectation_reason(const scenarios::ExpectedFailure& entry);

/// The failure an unexpected pass is reported as: checker "expect", kind
/// "unexpected_pass", at `end_us` (where the run ended).
[[nodiscard]] CaseViolation unexpected_pass(const Expectation& expectation, std::uint64_t end_us);

/// A failure's detail followed by what was expected instead.
[[nodiscard]] std::string noting_expected(const std::string& detail,
                                          const Expectation& expectation);

}  // namespace raftsim::replay
