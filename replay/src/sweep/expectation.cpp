// Expected failures in a sweep (expectation.hpp).
#include "sweep/expectation.hpp"

#include <fmt/format.h>

#include "raftsim/core/assert.hpp"
#include "raftsim/scenarios/expect.hpp"

namespace raftsim::replay {

std::optional<Expectation> applicable_expectation(const SweepRow& row, const sut::System& system,
                                                  std::uint64_t seed) {
    if (row.scenario == nullptr) {
        return std::nullopt;
    }
    const scenarios::Scenario& scenario = row.scenario->scenario;
    const std::optional<std::size_t> index =
        scenarios::find_expectation(scenario, system.name(), seed);
    if (!index.has_value() ||
        !scenarios::expectation_applies(scenario.expect[*index], system.version())) {
        return std::nullopt;
    }
    RAFT_ASSERT(*index < scenario.expect.size());
    RAFT_ASSERT(scenario.expect[*index].seed == seed);
    return Expectation{.entry = &scenario.expect[*index], .index = *index};
}

ExpectVerdict judge(const std::optional<Expectation>& expectation,
                    const std::optional<CaseViolation>& violation) {
    if (!expectation.has_value()) {
        return ExpectVerdict::none;
    }
    RAFT_ASSERT(expectation->entry != nullptr);
    if (!violation.has_value()) {
        return ExpectVerdict::unexpected_pass;
    }
    const bool same = violation->checker == expectation->entry->checker &&
                      violation->kind == expectation->entry->kind;
    return same ? ExpectVerdict::expected_failure : ExpectVerdict::other_failure;
}

std::string expectation_reason(const scenarios::ExpectedFailure& entry) {
    if (!entry.fixed_in.empty()) {
        return fmt::format("fixed upstream in {}", entry.fixed_in);
    }
    return entry.why.empty() ? std::string("a kept finding") : entry.why;
}

CaseViolation unexpected_pass(const Expectation& expectation, std::uint64_t end_us) {
    RAFT_ASSERT(expectation.entry != nullptr);
    const scenarios::ExpectedFailure& entry = *expectation.entry;
    RAFT_ASSERT(!entry.checker.empty());
    return CaseViolation{
        .checker = "expect",
        .kind = "unexpected_pass",
        .detail = fmt::format(
            "expect[{}] expects {} on {} seed {} ({}), but the run passed: if it is fixed, "
            "update or remove the expectation",
            expectation.index, scenarios::expected_signature(entry), entry.sut, entry.seed,
            expectation_reason(entry)),
        .time_us = end_us};
}

std::string noting_expected(const std::string& detail, const Expectation& expectation) {
    RAFT_ASSERT(expectation.entry != nullptr);
    return fmt::format("{} (expect[{}] expects {} instead)", detail, expectation.index,
                       scenarios::expected_signature(*expectation.entry));
}

}  // namespace raftsim::replay
