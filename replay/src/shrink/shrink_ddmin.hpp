#pragma once
// delta_debug and delta_debug_first (declared in shrink.hpp): ddmin's
// complement steps. The list is cut into n chunks; removing a chunk that
// leaves the failure in place is kept and the chunks coarsen again, else
// they are refined, until single items have been tried. Items marked `keep`
// are never in a chunk. The candidates of one granularity are all known
// before any is tried, and the first in order that still fails is kept:
// delta_debug_first hands them over together, so they can run in parallel
// and still give the sequential answer.

#include <algorithm>
#include <functional>
#include <optional>
#include <vector>

#include "raftsim/core/assert.hpp"

namespace raftsim::replay {

namespace ddmin {

// `items` without chunk `chunk` of `chunks` of the removable ones (the
// indexes in `removable`).
template <typename T>
[[nodiscard]] std::vector<T> without_chunk(const std::vector<T>& items,
                                           const std::vector<std::size_t>& removable,
                                           std::size_t chunk, std::size_t chunks) {
    RAFT_ASSERT(chunk < chunks);
    RAFT_ASSERT(chunks <= removable.size());
    const std::size_t begin = removable.size() * chunk / chunks;
    const std::size_t end = removable.size() * (chunk + 1) / chunks;
    std::vector<T> candidate;
    candidate.reserve(items.size());
    for (std::size_t i = 0, r = 0; i < items.size(); ++i) {
        const bool removable_item = r < removable.size() && removable[r] == i;
        const bool in_chunk = removable_item && r >= begin && r < end;
        r += removable_item ? 1 : 0;
        if (!in_chunk) {
            candidate.push_back(items[i]);
        }
    }
    RAFT_ASSERT(candidate.size() + (end - begin) == items.size());
    return candidate;
}

}  // namespace ddmin

template <typename T>
bool delta_debug_first(std::vector<T>& items, std::size_t min_size,
                       const std::function<bool(const T&)>& keep,
                       const FirstFailing<T>& first_failing) {
    RAFT_ASSERT(static_cast<bool>(first_failing));
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
        // The chunks whose removal leaves at least min_size items.
        std::vector<std::size_t> fitting;
        for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
            const std::size_t size =
                removable.size() * (chunk + 1) / chunks - removable.size() * chunk / chunks;
            if (items.size() - size >= min_size) {
                fitting.push_back(chunk);
            }
        }
        // Made on demand: a fine granularity of a long list would not fit
        // in memory all at once. Made from a copy: `first_failing` may adopt a
        // candidate into the caller's state, and `items` may be part of it.
        const std::vector<T> current = items;
        const std::function<std::vector<T>(std::size_t)> candidate = [&](std::size_t i) {
            return ddmin::without_chunk(current, removable, fitting.at(i), chunks);
        };
        const std::optional<std::size_t> first =
            fitting.empty() ? std::nullopt : first_failing(fitting.size(), candidate);
        if (first.has_value()) {
            RAFT_ASSERT(*first < fitting.size());
            items = candidate(*first);
            removed_any = true;
            chunks = std::max<std::size_t>(chunks - 1, 2);
        } else if (chunks >= removable.size()) {
            return removed_any;
        } else {
            chunks = std::min(chunks * 2, removable.size());
        }
    }
}

template <typename T>
bool delta_debug(std::vector<T>& items, std::size_t min_size,
                 const std::function<bool(const T&)>& keep,
                 const std::function<bool(const std::vector<T>&)>& still_fails) {
    RAFT_ASSERT(static_cast<bool>(still_fails));
    return delta_debug_first<T>(
        items, min_size, keep,
        [&still_fails](std::size_t count, const std::function<std::vector<T>(std::size_t)>& make)
            -> std::optional<std::size_t> {
            for (std::size_t i = 0; i < count; ++i) {
                if (still_fails(make(i))) {
                    return i;
                }
            }
            return std::nullopt;
        });
}

}  // namespace raftsim::replay
