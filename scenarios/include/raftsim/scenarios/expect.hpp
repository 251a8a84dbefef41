#pragma once
// Expected failures (spec.hpp, ExpectedFailure): version numbers, and which
// entry of a scenario governs a run of a system under test and a seed.
// `raftsim run` decides with these what a run's result means
// (docs/scenarios.md, "expect"; docs/ci.md, "Expected failures").

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raftsim/scenarios/spec.hpp"

namespace raftsim::scenarios {

/// The most components a version may have ("1.2.3.4").
inline constexpr std::size_t max_version_components = 4;

/// A version's numbers: "0.17.1" gives {0, 17, 1}. One to
/// max_version_components decimal numbers of at most 9 digits each,
/// separated by single dots; nullopt for anything else ("v1", "1..2",
/// "0.18.1-rc1", "builtin").
[[nodiscard]] std::optional<std::vector<std::uint32_t>> parse_version(std::string_view text);

/// Numeric dotted comparison, a missing trailing component counting as 0
/// ("0.17" equals "0.17.0", "0.9" is below "0.10"); nullopt when either is
/// not a version.
[[nodiscard]] std::optional<std::strong_ordering> compare_versions(std::string_view a,
                                                                   std::string_view b);

/// Whether `entry` holds for a system of version `version`: it has no
/// `fixed_in`, or the version is below it. A version that is not numeric
/// dotted cannot show that it has the fix, so the entry holds.
[[nodiscard]] bool expectation_applies(const ExpectedFailure& entry, std::string_view version);

/// The entry of `scenario` for (sut, seed) and its index in
/// Scenario::expect, or nullopt (the parser allows at most one).
[[nodiscard]] std::optional<std::size_t> find_expectation(const Scenario& scenario,
                                                          std::string_view sut, std::uint64_t seed);

/// "checker/kind", as a failure's signature starts.
[[nodiscard]] std::string expected_signature(const ExpectedFailure& entry);

}  // namespace raftsim::scenarios
