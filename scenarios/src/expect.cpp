// Expected failures: versions and look-ups (expect.hpp).
#include "raftsim/scenarios/expect.hpp"

#include <algorithm>

#include "raftsim/core/assert.hpp"

namespace raftsim::scenarios {
namespace {

// Nine digits always fit in 32 bits, so a component never overflows.
constexpr std::size_t max_component_digits = 9;

[[nodiscard]] std::optional<std::uint32_t> parse_component(std::string_view digits) {
    if (digits.empty() || digits.size() > max_component_digits) {
        return std::nullopt;
    }
    std::uint32_t value = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return value;
}

}  // namespace

std::optional<std::vector<std::uint32_t>> parse_version(std::string_view text) {
    std::vector<std::uint32_t> numbers;
    // Bounded: every pass takes one component, and there are at most
    // max_version_components of them.
    for (;;) {
        const std::size_t dot = text.find('.');
        const std::optional<std::uint32_t> number = parse_component(text.substr(0, dot));
        if (!number.has_value() || numbers.size() == max_version_components) {
            return std::nullopt;
        }
        numbers.push_back(*number);
        if (dot == std::string_view::npos) {
            break;
        }
        text.remove_prefix(dot + 1);
    }
    RAFT_ASSERT(!numbers.empty());
    RAFT_ASSERT(numbers.size() <= max_version_components);
    return numbers;
}

std::optional<std::strong_ordering> compare_versions(std::string_view a, std::string_view b) {
    const std::optional<std::vector<std::uint32_t>> left = parse_version(a);
    const std::optional<std::vector<std::uint32_t>> right = parse_version(b);
    if (!left.has_value() || !right.has_value()) {
        return std::nullopt;
    }
    const std::size_t size = std::max(left->size(), right->size());
    RAFT_ASSERT(size <= max_version_components);
    for (std::size_t i = 0; i < size; ++i) {
        const std::uint32_t x = i < left->size() ? (*left)[i] : 0;
        const std::uint32_t y = i < right->size() ? (*right)[i] : 0;
        if (x != y) {
            return x <=> y;
        }
    }
    return std::strong_ordering::equal;
}

bool expectation_applies(const ExpectedFailure& entry, std::string_view version) {
    if (entry.fixed_in.empty()) {
        return true;
    }
    RAFT_ASSERT(parse_version(entry.fixed_in).has_value());  // the parser checked it
    const std::optional<std::strong_ordering> order = compare_versions(version, entry.fixed_in);
    return !order.has_value() || *order == std::strong_ordering::less;
}

std::optional<std::size_t> find_expectation(const Scenario& scenario, std::string_view sut,
                                            std::uint64_t seed) {
    for (std::size_t i = 0; i < scenario.expect.size(); ++i) {
        const ExpectedFailure& entry = scenario.expect[i];
        if (entry.sut == sut && entry.seed == seed) {
            return i;
        }
    }
    return std::nullopt;
}

std::string expected_signature(const ExpectedFailure& entry) {
    RAFT_ASSERT(!entry.checker.empty());
    RAFT_ASSERT(!entry.kind.empty());
    return entry.checker + "/" + entry.kind;
}

}  // namespace raftsim::scenarios
