#pragma once
// delta_debug (declared in shrink.hpp): ddmin's complement steps. The list
// is cut into n chunks; removing a chunk that leaves the failure in place is
// kept and the chunks coarsen again, else they are refined, until single
// items have been tried. Items marked `keep` are never in a chunk.

#include <algorithm>
#include <functional>
#include <vector>

#include "raftsim/core/assert.hpp"

namespace raftsim::replay {

template <typename T>
bool delta_debug(std::vector<T>& items, std::size_t min_size,
                 const std::function<bool(const T&)>& keep,
                 const std::function<bool(const std::vector<T>&)>& still_fails) {
    RAFT_ASSERT(static_cast<bool>(still_fails));
    bool removed_any = false;
    std::size_t chunks = 2;
    while (true) {
        std::vector<std::size_t> removable;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (!keep || !keep(items[i])) {
                removable.push_back(i);
            }
        }
        if (removable.empty() || items.size() <= min_size) {
            return removed_any;
        }
        chunks = std::min(chunks, removable.size());
        bool removed = false;
        for (std::size_t chunk = 0; chunk < chunks && !removed; ++chunk) {
            // Chunk `chunk` of the removable items: [begin, end) of `removable`.
            const std::size_t begin = removable.size() * chunk / chunks;
            const std::size_t end = removable.size() * (chunk + 1) / chunks;
            if (items.size() - (end - begin) < min_size) {
                continue;
            }
            std::vector<T> candidate;
            candidate.reserve(items.size());
            for (std::size_t i = 0, r = 0; i < items.size(); ++i) {
                const bool in_chunk =
                    r < removable.size() && removable[r] == i && r >= begin && r < end;
                r += (r < removable.size() && removable[r] == i) ? 1 : 0;
                if (!in_chunk) {
                    candidate.push_back(items[i]);
                }
            }
            RAFT_ASSERT(candidate.size() + (end - begin) == items.size());
            if (still_fails(candidate)) {
                items = std::move(candidate);
                removed = true;
            }
        }
        if (removed) {
            removed_any = true;
            chunks = std::max<std::size_t>(chunks - 1, 2);
        } else if (chunks >= removable.size()) {
            return removed_any;
        } else {
            chunks = std::min(chunks * 2, removable.size());
        }
    }
}

}  // namespace raftsim::replay
