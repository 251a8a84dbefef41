#pragma once
// The in-memory Raft log of one node. The core owns it so a node is a plain
// value that is easy to copy, fuzz and check; durability is the host's job,
// driven by Ready (see ready.hpp).

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "raftsim/core/log_entry.hpp"
#include "raftsim/core/types.hpp"

namespace raftsim::core {

class Log {
  public:
    Log() = default;

    /// Rebuilds a log whose entries follow a compacted prefix ending at
    /// (base_index, base_term). The entries must be contiguous from base_index+1
    /// with non-decreasing terms >= base_term; the caller validates first.
    Log(Index base_index, Term base_term, std::vector<Entry> entries);

    /// Index of the last compacted entry (0 when nothing is compacted).
    [[nodiscard]] Index base_index() const noexcept { return base_index_; }
    [[nodiscard]] Term base_term() const noexcept { return base_term_; }
    [[nodiscard]] Index first_index() const noexcept { return base_index_ + 1; }
    [[nodiscard]] Index last_index() const noexcept { return base_index_ + entries_.size(); }
    [[nodiscard]] Term last_term() const noexcept;

    /// The term at `index`: known for base_index..last_index, nullopt otherwise.
    [[nodiscard]] std::optional<Term> term_at(Index index) const;
    /// The entry at `index`, which must be in [first_index, last_index].
    [[nodiscard]] const Entry& at(Index index) const;
    /// Entries [low, high], at most `count_max` of them. Requires first <= low.
    [[nodiscard]] std::vector<Entry> slice(Index low, Index high, std::size_t count_max) const;
    /// Every entry, in index order.
    [[nodiscard]] std::span<const Entry> entries() const noexcept { return entries_; }

    /// Raft paper §5.4.1: is a log ending at (last_index, last_term) at least as
    /// up to date as this one? Compares the last entry's term, then its index.
    [[nodiscard]] bool is_up_to_date(Index other_last_index, Term other_last_term) const noexcept;

    /// Appends one entry at last_index+1.
    void append(Entry entry);
    /// Deletes every entry at `index` and after. Requires index > base_index.
    void truncate_from(Index index);

    /// Drops every entry at or below `index` (base_index < index <= last
    /// index); (index, its term) becomes the base.
    void compact_to(Index index);
    /// Drops every entry: the log now starts after (index, term), as after
    /// installing a snapshot that the log did not match.
    void reset(Index index, Term term);

    /// Lowest index changed since the last `mark_written` (the point from which
    /// the host must rewrite its durable copy), or nullopt if nothing changed.
    [[nodiscard]] std::optional<Index> unwritten_from() const;
    /// unwritten_from().has_value(), inline for Node::has_ready.
    [[nodiscard]] bool has_unwritten() const noexcept { return unwritten_from_.has_value(); }
    /// Records that the host has made entries through `index` durable.
    void mark_written(Index index);
    /// Last index the host has made durable (<= last_index).
    [[nodiscard]] Index written_index() const noexcept { return written_index_; }

    /// Checks every entry: contiguous indexes, non-decreasing terms >= base_term.
    /// O(n); tests and fuzzers call it, the hot path checks incrementally.
    [[nodiscard]] bool is_well_formed() const noexcept;

  private:
    Index base_index_ = 0;
    Term base_term_ = 0;
    /// entries_[i].index == base_index_ + 1 + i.
    std::vector<Entry> entries_;
    /// Invariant: written_index_ <= last_index().
    Index written_index_ = 0;
    /// Invariant: when set, base_index_ < *unwritten_from_ <= last_index() + 1.
    std::optional<Index> unwritten_from_;
};

}  // namespace raftsim::core
