// The per-server and per-pair tables of the network and the checkers: they
// must answer exactly as the std::maps they replaced, for the small ids a
// simulation gives its servers and for any id beyond the flat arrays -- a
// checker whose table loses an entry, or finds one that was erased, misjudges.
#include "raftsim/sim/node_table.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "raftsim/core/prng.hpp"

namespace raftsim::sim {
namespace {

// Ids on both sides of the dense bound, so both halves of each table are used.
core::NodeId draw_id(core::Prng& prng) {
    return prng.next_u64() % 4 == 0 ? node_table_dense_ids + prng.next_u64() % 6
                                    : prng.next_u64() % node_table_dense_ids;
}

TEST_CASE("node table: inserts, finds and erases as a map keyed by id would", "[node_table]") {
    core::Prng prng(23);
    NodeTable<std::uint64_t> table;
    std::map<core::NodeId, std::uint64_t> model;
    for (std::uint64_t i = 0; i < 3000; ++i) {
        const core::NodeId node = draw_id(prng);
        switch (prng.next_u64() % 3) {
            case 0:
                table[node] += i;
                model[node] += i;
                break;
            case 1:
                table.erase(node);
                model.erase(node);
                break;
            default:
                break;
        }
        const std::uint64_t* found = table.find(node);
        const auto want = model.find(node);
        REQUIRE((found == nullptr) == (want == model.end()));
        REQUIRE(table.contains(node) == model.contains(node));
        if (found != nullptr) {
            REQUIRE(*found == want->second);
        }
    }
    std::vector<std::pair<core::NodeId, std::uint64_t>> visited;
    table.for_each(
        [&visited](core::NodeId node, std::uint64_t value) { visited.emplace_back(node, value); });
    // Every entry, in ascending id order, as iterating the map gives them.
    CHECK(visited ==
          std::vector<std::pair<core::NodeId, std::uint64_t>>(model.begin(), model.end()));
}

TEST_CASE("node table: an erased entry comes back value-initialised, a default one is present",
          "[node_table]") {
    NodeTable<std::vector<int>> table;
    CHECK(table.find(3) == nullptr);
    CHECK(table[3].empty());
    CHECK(table.contains(3));  // operator[] inserts, as std::map's does
    table[3].push_back(7);
    table.erase(3);
    CHECK_FALSE(table.contains(3));
    CHECK(table[3].empty());
    table[40].push_back(1);
    table.clear();
    CHECK_FALSE(table.contains(3));
    CHECK_FALSE(table.contains(40));
}

TEST_CASE("node table: references stay valid while other entries come and go", "[node_table]") {
    NodeTable<std::uint64_t> table;
    std::uint64_t& low = table[2];
    std::uint64_t& high = table[100];
    // Other ids, dense and sparse, inserted and erased around them.
    for (core::NodeId node = 3; node < 64; ++node) {
        table[node * 3] = node;  // never 2 or 100
        table.erase(node * 3);
    }
    low = 5;
    high = 6;
    CHECK(*table.find(2) == 5);
    CHECK(*table.find(100) == 6);
}

TEST_CASE("node pair table: inserts, finds, erases and erase_if as a map keyed by the pair",
          "[node_table]") {
    using Pair = std::pair<core::NodeId, core::NodeId>;
    core::Prng prng(29);
    NodePairTable<std::uint64_t> table;
    std::map<Pair, std::uint64_t> model;
    for (std::uint64_t i = 0; i < 3000; ++i) {
        const Pair pair{draw_id(prng), draw_id(prng)};
        if (prng.next_u64() % 3 == 0) {
            table.erase(pair);
            model.erase(pair);
        } else {
            table[pair] += i;
            model[pair] += i;
        }
        const std::uint64_t* found = table.find(pair);
        REQUIRE((found == nullptr) == !model.contains(pair));
        if (found != nullptr) {
            REQUIRE(*found == model.at(pair));
        }
    }
    const auto odd_to_seven = [](const Pair& pair, std::uint64_t value) {
        return pair.second == 7 || value % 2 == 1;
    };
    table.erase_if(odd_to_seven);
    std::erase_if(model, [&](const auto& item) { return odd_to_seven(item.first, item.second); });
    REQUIRE_FALSE(model.empty());
    for (core::NodeId from = 0; from < node_table_dense_ids + 6; ++from) {
        for (core::NodeId to = 0; to < node_table_dense_ids + 6; ++to) {
            const std::uint64_t* found = table.find({from, to});
            REQUIRE((found == nullptr) == !model.contains({from, to}));
        }
    }
}

}  // namespace
}  // namespace raftsim::sim
