// Expected failures (scenarios/expect.hpp): numeric dotted versions, when an
// entry applies to a system's version, and which entry a run looks up.
#include "raftsim/scenarios/expect.hpp"

#include <catch2/catch.hpp>
#include <compare>
#include <optional>
#include <string_view>
#include <vector>

namespace raftsim::test {
namespace {

using scenarios::compare_versions;
using scenarios::ExpectedFailure;

struct VersionCase {
    std::string_view a;
    std::string_view b;
    std::optional<std::strong_ordering> order;
};

TEST_CASE("expect: versions compare number by number, a missing part counting as 0", "[expect]") {
    const std::vector<VersionCase> cases = {
        {"0.15.0", "0.17.1", std::strong_ordering::less},
        {"0.17.1", "0.17.1", std::strong_ordering::equal},
        {"0.18.1", "0.17.1", std::strong_ordering::greater},
        {"0.9.0", "0.10.0", std::strong_ordering::less},  // numbers, not text
        {"0.17", "0.17.0", std::strong_ordering::equal},
        {"0.17", "0.17.1", std::strong_ordering::less},
        {"1", "0.99.99", std::strong_ordering::greater},
        {"1.2.3.4", "1.2.3", std::strong_ordering::greater},
        {"010.0.0", "10.0.0", std::strong_ordering::equal},  // leading zeros are numbers
        {"999999999.0.0", "1.0.0", std::strong_ordering::greater},
        // Not versions: no order.
        {"builtin", "0.17.1", std::nullopt},
        {"0.18.1-rc1", "0.17.1", std::nullopt},
        {"0.17.1", "v0.17.1", std::nullopt},
        {"", "1", std::nullopt},
        {"1..2", "1", std::nullopt},
        {"1.2.", "1", std::nullopt},
        {".1", "1", std::nullopt},
        {"1.2.3.4.5", "1", std::nullopt},
        {"1234567890.0", "1", std::nullopt},  // ten digits in a part
        {"1.-2", "1", std::nullopt},
    };
    for (const VersionCase& c : cases) {
        CAPTURE(c.a, c.b);
        CHECK(compare_versions(c.a, c.b) == c.order);
    }
}

TEST_CASE("expect: parse_version gives the numbers of a version", "[expect]") {
    CHECK(scenarios::parse_version("0.17.1") == std::vector<std::uint32_t>{0, 17, 1});
    CHECK(scenarios::parse_version("7") == std::vector<std::uint32_t>{7});
    CHECK(scenarios::parse_version("999999999.1.2.3") ==
          std::vector<std::uint32_t>{999999999, 1, 2, 3});
    CHECK_FALSE(scenarios::parse_version(" 1.2").has_value());
    CHECK_FALSE(scenarios::parse_version("1.2\n").has_value());
}

struct ApplyCase {
    std::string_view fixed_in;
    std::string_view version;
    bool applies;
};

TEST_CASE("expect: an entry applies without fixed_in or below it, not from it on", "[expect]") {
    const std::vector<ApplyCase> cases = {
        {"", "0.15.0", true},
        {"", "builtin", true},
        {"0.17.1", "0.15.0", true},
        {"0.17.1", "0.17.0", true},
        {"0.17.1", "0.17.1", false},
        {"0.17.1", "0.18.1", false},
        {"0.17.1", "0.17.1.0", false},
        {"0.17", "0.17.0", false},
        {"1.0.0", "0.99", true},
        // A version that is not numeric dotted cannot show the fix.
        {"0.17.1", "builtin", true},
        {"0.17.1", "0.18.1-rc1", true},
    };
    for (const ApplyCase& c : cases) {
        CAPTURE(c.fixed_in, c.version);
        ExpectedFailure entry{.sut = "canonical",
                              .seed = 1,
                              .checker = "durability",
                              .kind = "x",
                              .fixed_in = std::string(c.fixed_in),
                              .why = ""};
        CHECK(scenarios::expectation_applies(entry, c.version) == c.applies);
    }
}

TEST_CASE("expect: a run finds the entry of its system and seed", "[expect]") {
    scenarios::Scenario scenario;
    scenario.expect = {
        ExpectedFailure{.sut = "raftsim", .seed = 7, .checker = "liveness", .kind = "no_leader"},
        ExpectedFailure{.sut = "canonical", .seed = 7, .checker = "durability", .kind = "x"},
    };
    CHECK(scenarios::find_expectation(scenario, "raftsim", 7) == std::optional<std::size_t>{0});
    CHECK(scenarios::find_expectation(scenario, "canonical", 7) == std::optional<std::size_t>{1});
    CHECK_FALSE(scenarios::find_expectation(scenario, "raftsim", 8).has_value());
    CHECK_FALSE(scenarios::find_expectation(scenario, "other", 7).has_value());
    CHECK(scenarios::expected_signature(scenario.expect[1]) == "durability/x");
}

}  // namespace
}  // namespace raftsim::test
