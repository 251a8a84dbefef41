#pragma once
// State kept per server (NodeTable) or per directed pair of servers
// (NodePairTable), where the simulator and the checkers look it up on every
// message. A simulation numbers its servers 1, 2, 3, ..., so the small ids
// sit in a flat array and any id beyond them in a std::map. A std::map keyed
// by the id, as these tables were, spent a tree walk on each of the dozen
// lookups a message costs (issue 17's profile).
//
// The tables behave as the maps did: operator[] inserts a value-initialised
// entry, find tells an absent entry from a default one, erase makes it
// absent again, and references stay valid until their entry is erased, as a
// std::map's do (entries never move). for_each visits entries in ascending
// id order: the dense ids come first and every sparse id is above them.

#include <array>
#include <bitset>
#include <cstddef>
#include <map>
#include <utility>

#include "raftsim/core/assert.hpp"
#include "raftsim/core/types.hpp"

namespace raftsim::sim {

/// Ids below this live in the flat arrays.
inline constexpr core::NodeId node_table_dense_ids = 16;

template <typename Value>
class NodeTable {
  public:
    [[nodiscard]] Value& operator[](core::NodeId node) {
        if (node < node_table_dense_ids) [[likely]] {
            present_.set(node);
            return dense_[node];
        }
        return sparse_[node];
    }

    /// The entry of node, or nullptr when there is none.
    [[nodiscard]] Value* find(core::NodeId node) {
        return const_cast<Value*>(std::as_const(*this).find(node));
    }
    [[nodiscard]] const Value* find(core::NodeId node) const {
        if (node < node_table_dense_ids) [[likely]] {
            return present_.test(node) ? &dense_[node] : nullptr;
        }
        const auto it = sparse_.find(node);
        return it == sparse_.end() ? nullptr : &it->second;
    }
    [[nodiscard]] bool contains(core::NodeId node) const { return find(node) != nullptr; }

    void erase(core::NodeId node) {
        if (node < node_table_dense_ids) [[likely]] {
            present_.reset(node);
            dense_[node] = Value{};
        } else {
            sparse_.erase(node);
        }
        RAFT_ASSERT(!contains(node));
    }

    void clear() {
        dense_ = {};
        present_.reset();
        sparse_.clear();
    }

    /// fn(node, value) for every entry, in ascending id order.
    template <typename Fn>
    void for_each(Fn&& fn) const {
        visit(*this, fn);
    }
    template <typename Fn>
    void for_each(Fn&& fn) {
        visit(*this, fn);
    }

  private:
    template <typename Self, typename Fn>
    static void visit(Self& self, Fn& fn) {
        for (core::NodeId node = 0; node < node_table_dense_ids; ++node) {
            if (self.present_.test(node)) {
                fn(node, self.dense_[node]);
            }
        }
        for (auto& [node, value] : self.sparse_) {
            RAFT_ASSERT(node >= node_table_dense_ids);
            fn(node, value);
        }
    }

    std::array<Value, node_table_dense_ids> dense_{};
    std::bitset<node_table_dense_ids> present_;
    std::map<core::NodeId, Value> sparse_;
};

template <typename Value>
class NodePairTable {
  public:
    using Pair = std::pair<core::NodeId, core::NodeId>;

    [[nodiscard]] Value& operator[](Pair pair) {
        if (is_dense(pair)) [[likely]] {
            present_.set(dense_slot(pair));
            return dense_[dense_slot(pair)];
        }
        return sparse_[pair];
    }

    /// The entry of pair, or nullptr when there is none.
    [[nodiscard]] const Value* find(Pair pair) const {
        if (is_dense(pair)) [[likely]] {
            return present_.test(dense_slot(pair)) ? &dense_[dense_slot(pair)] : nullptr;
        }
        const auto it = sparse_.find(pair);
        return it == sparse_.end() ? nullptr : &it->second;
    }

    void erase(Pair pair) {
        if (is_dense(pair)) [[likely]] {
            present_.reset(dense_slot(pair));
            dense_[dense_slot(pair)] = Value{};
        } else {
            sparse_.erase(pair);
        }
        RAFT_ASSERT(find(pair) == nullptr);
    }

    /// Erases every entry for which pred(pair, value) holds.
    template <typename Pred>
    void erase_if(Pred&& pred) {
        for (std::size_t slot = 0; slot < dense_slots; ++slot) {
            const Pair pair{slot / node_table_dense_ids, slot % node_table_dense_ids};
            if (present_.test(slot) && pred(pair, std::as_const(dense_[slot]))) {
                erase(pair);
            }
        }
        std::erase_if(sparse_, [&pred](const auto& item) { return pred(item.first, item.second); });
    }

  private:
    static constexpr std::size_t dense_slots = node_table_dense_ids * node_table_dense_ids;

    [[nodiscard]] static bool is_dense(Pair pair) noexcept {
        return pair.first < node_table_dense_ids && pair.second < node_table_dense_ids;
    }
    [[nodiscard]] static std::size_t dense_slot(Pair pair) noexcept {
        return static_cast<std::size_t>(pair.first * node_table_dense_ids + pair.second);
    }

    std::array<Value, dense_slots> dense_{};
    std::bitset<dense_slots> present_;
    std::map<Pair, Value> sparse_;
};

}  // namespace raftsim::sim
