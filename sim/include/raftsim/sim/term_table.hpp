#pragma once
// Records the checkers keep per (node, term): votes cast, votes granted,
// what a candidate's request claimed. A node's terms mostly rise, so each
// node's records sit in one vector sorted by term, new ones nearly always
// at its end: a few words per record, where a std::map keyed by the pair
// spent a tree node and an allocation on each (issue 17: these grew with
// the number of elections, to 11 MB in a 100,000-entry partitioned run).
// Lookups and iteration order are the map's: by node, then by term.

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/types.hpp"
#include "raftsim/sim/node_table.hpp"

namespace raftsim::sim {

template <typename Value>
class TermTable {
  public:
    /// The record of (node, term), or nullptr. Valid until the next insert.
    [[nodiscard]] const Value* find(core::NodeId node, core::Term term) const {
        const Row* row = rows_.find(node);
        if (row == nullptr) {
            return nullptr;
        }
        const auto it = lower_bound(*row, term);
        if (it == row->end() || it->first != term) {
            return nullptr;
        }
        return &it->second;
    }

    /// The record of (node, term), inserted value-initialised if missing.
    Value& get_or_insert(core::NodeId node, core::Term term) {
        return *try_emplace(node, term, Value{}).first;
    }

    /// Inserts value as (node, term)'s record unless there is one: returns
    /// the record and whether it was inserted.
    std::pair<Value*, bool> try_emplace(core::NodeId node, core::Term term, Value value) {
        Row& row = rows_[node];
        auto it = lower_bound(row, term);
        if (it != row.end() && it->first == term) {
            return {&it->second, false};
        }
        it = row.insert(it, {term, std::move(value)});
        RAFT_ASSERT(it + 1 == row.end() || (it + 1)->first > term);
        RAFT_ASSERT(it == row.begin() || (it - 1)->first < term);
        return {&it->second, true};
    }

    /// Forgets every record of node.
    void erase_node(core::NodeId node) { rows_.erase(node); }

    [[nodiscard]] std::size_t size() const noexcept {
        std::size_t total = 0;
        rows_.for_each([&total](core::NodeId, const Row& row) { total += row.size(); });
        return total;
    }

  private:
    using Row = std::vector<std::pair<core::Term, Value>>;

    template <typename R>
    static auto lower_bound(R& row, core::Term term) {
        // Most lookups are for the newest term: try the end first.
        if (row.empty() || row.back().first < term) {
            return row.end();
        }
        return std::lower_bound(row.begin(), row.end(), term,
                                [](const auto& record, core::Term t) { return record.first < t; });
    }

    NodeTable<Row> rows_;
};

}  // namespace raftsim::sim
