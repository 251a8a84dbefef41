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

namespace detail {

/// Where a key sits in the flat array, if it does: a server id is its own
/// slot; a pair (from, to) is from * 16 + to.
struct NodeSlots {
    using Key = core::NodeId;
    static constexpr std::size_t count = node_table_dense_ids;
    [[nodiscard]] static bool is_dense(Key node) noexcept { return node < count; }
    [[nodiscard]] static std::size_t slot(Key node) noexcept { return node; }
    [[nodiscard]] static Key key(std::size_t slot) noexcept { return slot; }
};

struct PairSlots {
    using Key = std::pair<core::NodeId, core::NodeId>;
    static constexpr std::size_t count = node_table_dense_ids * node_table_dense_ids;
    [[nodiscard]] static bool is_dense(Key pair) noexcept {
        return pair.first < node_table_dense_ids && pair.second < node_table_dense_ids;
    }
    [[nodiscard]] static std::size_t slot(Key pair) noexcept {
        return static_cast<std::size_t>(pair.first * node_table_dense_ids + pair.second);
    }
    [[nodiscard]] static Key key(std::size_t slot) noexcept {
        return {slot / node_table_dense_ids, slot % node_table_dense_ids};
    }
};

template <typename Slots, typename Value>
class DenseTable {
  public:
    using Key = typename Slots::Key;

    [[nodiscard]] Value& operator[](Key key) {
        if (Slots::is_dense(key)) [[likely]] {
            present_.set(Slots::slot(key));
            return dense_[Slots::slot(key)];
        }
        return sparse_[key];
    }

    /// The entry of key, or nullptr when there is none.
    [[nodiscard]] Value* find(Key key) {
        return const_cast<Value*>(std::as_const(*this).find(key));
    }
    [[nodiscard]] const Value* find(Key key) const {
        if (Slots::is_dense(key)) [[likely]] {
            return present_.test(Slots::slot(key)) ? &dense_[Slots::slot(key)] : nullptr;
        }
        const auto it = sparse_.find(key);
        return it == sparse_.end() ? nullptr : &it->second;
    }
    [[nodiscard]] bool contains(Key key) const { return find(key) != nullptr; }

    void erase(Key key) {
        if (Slots::is_dense(key)) [[likely]] {
            present_.reset(Slots::slot(key));
            dense_[Slots::slot(key)] = Value{};
        } else {
            sparse_.erase(key);
        }
        RAFT_ASSERT(!contains(key));
    }

    void clear() {
        dense_ = {};
        present_.reset();
        sparse_.clear();
    }

    /// fn(key, value) for every entry: the flat array's in slot order, then
    /// the map's in key order. For NodeTable that is ascending id order, as
    /// a std::map's (every sparse id is above the dense ones); for
    /// NodePairTable it is not, so its users must not depend on the order.
    template <typename Fn>
    void for_each(Fn&& fn) const {
        visit(*this, fn);
    }
    template <typename Fn>
    void for_each(Fn&& fn) {
        visit(*this, fn);
    }

    /// Erases every entry for which pred(key, value) holds.
    template <typename Pred>
    void erase_if(Pred&& pred) {
        for (std::size_t slot = 0; slot < Slots::count; ++slot) {
            if (present_.test(slot) && pred(Slots::key(slot), std::as_const(dense_[slot]))) {
                erase(Slots::key(slot));
            }
        }
        std::erase_if(sparse_, [&pred](const auto& item) { return pred(item.first, item.second); });
    }

  private:
    template <typename Self, typename Fn>
    static void visit(Self& self, Fn& fn) {
        for (std::size_t slot = 0; slot < Slots::count; ++slot) {
            if (self.present_.test(slot)) {
                fn(Slots::key(slot), self.dense_[slot]);
            }
        }
        for (auto& [key, value] : self.sparse_) {
            RAFT_ASSERT(!Slots::is_dense(key));
            fn(key, value);
        }
    }

    std::array<Value, Slots::count> dense_{};
    std::bitset<Slots::count> present_;
    std::map<Key, Value> sparse_;
};

}  // namespace detail

template <typename Value>
using NodeTable = detail::DenseTable<detail::NodeSlots, Value>;

template <typename Value>
using NodePairTable = detail::DenseTable<detail::PairSlots, Value>;

}  // namespace raftsim::sim
