// Quorum arithmetic (quorum.hpp): Raft paper §5.3/§5.4 commitment index and
// §5.2 election majorities.
#include "raftsim/core/quorum.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "helpers.hpp"
#include "raftsim/core/configuration.hpp"
#include "raftsim/core/prng.hpp"

namespace raftsim::test {
namespace {

using core::Index;

/// The dumbest correct answer: the largest I such that at least
/// floor(n/2)+1 voters have a match index >= I (0 when there are no voters).
Index reference_quorum_index(const std::vector<Index>& values) {
    if (values.empty()) {
        return 0;
    }
    const std::size_t quorum = values.size() / 2 + 1;
    Index best = 0;
    for (Index candidate : values) {
        const auto at_least = static_cast<std::size_t>(
            std::count_if(values.begin(), values.end(), [&](Index v) { return v >= candidate; }));
        if (at_least >= quorum && candidate > best) {
            best = candidate;
        }
    }
    return best;
}

struct QuorumCase {
    std::vector<Index> match_indexes;
    Index expected;
};

TEST_CASE("quorum: quorum_match_index is the highest index a majority has matched", "[quorum]") {
    const QuorumCase c = GENERATE(values<QuorumCase>({
        {{}, 0},  // no voters commit nothing
        {{5}, 5},
        {{0}, 0},
        {{3, 7}, 3},  // two voters: both are needed
        {{7, 3}, 3},
        {{1, 2, 3}, 2},
        {{3, 1, 2}, 2},
        {{3, 3, 1}, 3},
        {{0, 0, 9}, 0},
        {{5, 1, 4, 2}, 2},  // four voters: three are needed
        {{4, 4, 4, 0}, 4},
        {{4, 4, 0, 0}, 0},
        {{1, 2, 3, 4, 5}, 3},
        {{5, 4, 3, 2, 1}, 3},
        {{0, 0, 0, 9, 9}, 0},
        {{9, 9, 9, 0, 0}, 9},
        {{std::numeric_limits<Index>::max(), std::numeric_limits<Index>::max(), 1},
         std::numeric_limits<Index>::max()},
    }));
    CAPTURE(c.match_indexes);
    CHECK(core::quorum_match_index(c.match_indexes) == c.expected);
    CHECK(reference_quorum_index(c.match_indexes) == c.expected);  // the reference agrees
}

// In the style of etcd's quorum/quick_test.go: the optimised implementation
// against an obviously correct one, on many random inputs.
TEST_CASE("quorum: quorum_match_index agrees with a brute-force reference on 50,000 random inputs",
          "[quorum]") {
    core::Prng prng(20240607);
    for (int round = 0; round < 50'000; ++round) {
        // Up to 40 voters: past VoterIndexes' inline capacity of 16 too.
        const std::size_t voters = static_cast<std::size_t>(
            prng.chance(1, 5) ? prng.range_inclusive(10, 40) : prng.range_inclusive(1, 9));
        // Mostly small indexes so ties and duplicates are common; sometimes
        // the whole 64-bit range.
        const bool wide = prng.chance(1, 10);
        std::vector<Index> values;
        for (std::size_t i = 0; i < voters; ++i) {
            values.push_back(wide ? prng.next_u64() : prng.below(12));
        }
        const Index expected = reference_quorum_index(values);
        const std::vector<Index> before = values;
        const Index actual = core::quorum_match_index(values);
        if (actual != expected) {
            CAPTURE(round, values);
            REQUIRE(actual == expected);
        }
        REQUIRE(values == before);  // the input is left alone
    }
}

TEST_CASE("quorum: VoterIndexes keeps every value, in order, past its inline capacity",
          "[quorum]") {
    for (const std::size_t count :
         {std::size_t{0}, std::size_t{1}, std::size_t{16}, std::size_t{17}, std::size_t{40}}) {
        core::VoterIndexes indexes;
        std::vector<Index> expected;
        for (std::size_t i = 0; i < count; ++i) {
            indexes.push_back(i * 3 + 1);
            expected.push_back(i * 3 + 1);
        }
        const std::span<Index> values = indexes.values();
        CAPTURE(count);
        CHECK(std::vector<Index>(values.begin(), values.end()) == expected);
    }
}

TEST_CASE("quorum: quorum_match_index does not depend on the order of voters", "[quorum]") {
    std::vector<Index> values{9, 2, 7, 2, 5, 0};  // six voters: four are needed
    std::sort(values.begin(), values.end());
    const Index expected = core::quorum_match_index(values);
    CHECK(expected == 2);
    do {
        REQUIRE(core::quorum_match_index(values) == expected);
    } while (std::next_permutation(values.begin(), values.end()));
}

struct MajorityCase {
    std::size_t granted;
    std::size_t voters;
    bool expected;
};

TEST_CASE("quorum: is_majority needs floor(voters/2)+1 votes and never holds with no voters",
          "[quorum]") {
    static_assert(core::is_majority(2, 3));  // usable at compile time
    static_assert(!core::is_majority(0, 0));
    const MajorityCase c = GENERATE(values<MajorityCase>({
        {0, 0, false},
        {1, 0, false},
        {0, 1, false},
        {1, 1, true},
        {1, 2, false},
        {2, 2, true},
        {1, 3, false},
        {2, 3, true},
        {3, 3, true},
        {2, 4, false},
        {3, 4, true},
        {2, 5, false},
        {3, 5, true},
        {3, 6, false},
        {4, 6, true},
        {3, 7, false},
        {4, 7, true},
    }));
    CAPTURE(c.granted, c.voters);
    CHECK(core::is_majority(c.granted, c.voters) == c.expected);
}

TEST_CASE("quorum: is_majority agrees with Configuration::quorum_size", "[quorum]") {
    for (std::size_t voters = 1; voters <= 9; ++voters) {
        const core::Configuration configuration = core::Configuration::voters(voters);
        for (std::size_t granted = 0; granted <= voters; ++granted) {
            CAPTURE(voters, granted);
            CHECK(core::is_majority(granted, voters) == (granted >= configuration.quorum_size()));
        }
    }
}

}  // namespace
}  // namespace raftsim::test
