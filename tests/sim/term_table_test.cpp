// The checkers' per (node, term) records: they must answer exactly as the
// std::map keyed by (node, term) they replaced, whatever order the terms
// come in -- a vote checker that loses a record cannot fire.
#include "raftsim/sim/term_table.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "raftsim/core/prng.hpp"

namespace raftsim::sim {
namespace {

using Key = std::pair<core::NodeId, core::Term>;

TEST_CASE("term table: finds what was inserted, in any term order, as a map would",
          "[term_table]") {
    core::Prng prng(17);
    TermTable<std::uint64_t> table;
    std::map<Key, std::uint64_t> model;
    for (std::uint64_t i = 0; i < 2000; ++i) {
        const core::NodeId node = 1 + prng.next_u64() % 5;
        // Mostly rising terms, as in a run, with some late and repeated ones.
        const core::Term term = prng.next_u64() % 4 == 0 ? 1 + prng.next_u64() % 50 : 1 + i / 8;
        const auto [record, inserted] = table.try_emplace(node, term, i);
        const auto [want, want_inserted] = model.try_emplace({node, term}, i);
        REQUIRE(inserted == want_inserted);
        REQUIRE(*record == want->second);
    }
    REQUIRE(table.size() == model.size());
    for (core::NodeId node = 1; node <= 6; ++node) {
        for (core::Term term = 0; term <= 260; ++term) {
            const std::uint64_t* found = table.find(node, term);
            const auto want = model.find({node, term});
            REQUIRE((found == nullptr) == (want == model.end()));
            if (found != nullptr) {
                CHECK(*found == want->second);
            }
        }
    }
}

TEST_CASE("term table: get_or_insert value-initialises once, then returns the same record",
          "[term_table]") {
    TermTable<std::vector<core::NodeId>> table;
    CHECK(table.find(2, 7) == nullptr);
    table.get_or_insert(2, 7).push_back(3);
    table.get_or_insert(2, 7).push_back(4);
    table.get_or_insert(2, 5).push_back(1);  // an earlier term, inserted before it
    REQUIRE(table.find(2, 7) != nullptr);
    CHECK(*table.find(2, 7) == std::vector<core::NodeId>{3, 4});
    CHECK(*table.find(2, 5) == std::vector<core::NodeId>{1});
    CHECK(table.find(3, 7) == nullptr);
    CHECK(table.size() == 2);
}

TEST_CASE("term table: erase_node forgets that node's records only", "[term_table]") {
    TermTable<core::NodeId> table;
    REQUIRE(table.try_emplace(1, 4, 2).second);
    REQUIRE(table.try_emplace(2, 4, 1).second);
    table.erase_node(1);
    CHECK(table.find(1, 4) == nullptr);
    REQUIRE(table.find(2, 4) != nullptr);
    CHECK(*table.find(2, 4) == 1);
    // Gone means a new vote in that term is a first vote again.
    CHECK(table.try_emplace(1, 4, 3).second);
}

}  // namespace
}  // namespace raftsim::sim
