#include "raftsim/core/log.hpp"

#include <algorithm>
#include <utility>

#include "raftsim/core/assert.hpp"

namespace raftsim::core {

Log::Log(Index base_index, Term base_term, std::vector<Entry> entries)
    : base_index_(base_index), base_term_(base_term), entries_(std::move(entries)) {
    RAFT_ASSERT(is_well_formed());
    // A rebuilt log is exactly what the host had durable.
    written_index_ = last_index();
    RAFT_ASSERT(!unwritten_from_.has_value());
}

Term Log::last_term() const noexcept {
    return entries_.empty() ? base_term_ : entries_.back().term;
}

std::optional<Term> Log::term_at(Index index) const {
    if (index == base_index_) {
        return base_term_;
    }
    if (index < base_index_ || index > last_index()) {
        return std::nullopt;
    }
    const Entry& entry = entries_[index - base_index_ - 1];
    RAFT_ASSERT(entry.index == index);
    return entry.term;
}

const Entry& Log::at(Index index) const {
    RAFT_ASSERT(index > base_index_);
    RAFT_ASSERT(index <= last_index());
    return entries_[index - base_index_ - 1];
}

std::vector<Entry> Log::slice(Index low, Index high, std::size_t count_max) const {
    RAFT_ASSERT(low > base_index_);
    std::vector<Entry> result;
    if (low > high || low > last_index() || count_max == 0) {
        return result;
    }
    Index end = std::min(high, last_index());
    // Written as a span comparison so count_max may be SIZE_MAX.
    if (end - low >= count_max) {
        end = low + (count_max - 1);
    }
    const auto first = entries_.begin() + static_cast<std::ptrdiff_t>(low - base_index_ - 1);
    const auto last = entries_.begin() + static_cast<std::ptrdiff_t>(end - base_index_);
    result.assign(first, last);
    RAFT_ASSERT(result.size() <= count_max);
    RAFT_ASSERT(result.front().index == low);
    return result;
}

bool Log::is_up_to_date(Index other_last_index, Term other_last_term) const noexcept {
    // §5.4.1: "If the logs have last entries with different terms, then the log
    // with the later term is more up-to-date. If the logs end with the same
    // term, then whichever log is longer is more up-to-date."
    if (other_last_term != last_term()) {
        return other_last_term > last_term();
    }
    return other_last_index >= last_index();
}

void Log::append(Entry entry) {
    RAFT_ASSERT(entry.index == last_index() + 1);
    RAFT_ASSERT(entry.term >= last_term());
    if (!unwritten_from_.has_value()) {
        unwritten_from_ = entry.index;
    }
    entries_.push_back(std::move(entry));
}

void Log::truncate_from(Index index) {
    RAFT_ASSERT(index > base_index_);
    RAFT_ASSERT(index <= last_index());
    entries_.resize(index - base_index_ - 1);
    written_index_ = std::min(written_index_, last_index());
    // The host must rewrite from here: its durable copy past `index` is stale.
    unwritten_from_ = std::min(unwritten_from_.value_or(index), index);
    RAFT_ASSERT(last_index() == index - 1);
}

void Log::compact_to(Index index) {
    RAFT_ASSERT(index > base_index_);
    RAFT_ASSERT(index <= written_index_);  // only what the host already holds
    base_term_ = entries_[index - base_index_ - 1].term;
    entries_.erase(entries_.begin(),
                   entries_.begin() + static_cast<std::ptrdiff_t>(index - base_index_));
    base_index_ = index;
    RAFT_ASSERT(!unwritten_from_.has_value() || *unwritten_from_ > base_index_);
}

void Log::reset(Index index, Term term) {
    RAFT_ASSERT(index >= base_index_);
    RAFT_ASSERT(term >= base_term_);
    entries_.clear();
    base_index_ = index;
    base_term_ = term;
    // The host's durable log is replaced as a whole (LogCompaction::discard_all).
    written_index_ = index;
    unwritten_from_.reset();
    RAFT_ASSERT(last_index() == index);
}

std::optional<Index> Log::unwritten_from() const {
    if (unwritten_from_.has_value()) {
        RAFT_ASSERT(*unwritten_from_ > base_index_);
        RAFT_ASSERT(*unwritten_from_ <= last_index() + 1);
    }
    return unwritten_from_;
}

void Log::mark_written(Index index) {
    RAFT_ASSERT(index <= last_index());
    written_index_ = index;
    unwritten_from_.reset();
}

bool Log::is_well_formed() const noexcept {
    Term previous_term = base_term_;
    Index expected_index = base_index_ + 1;
    for (const Entry& entry : entries_) {
        if (entry.index != expected_index || entry.term < previous_term) {
            return false;
        }
        previous_term = entry.term;
        expected_index += 1;
    }
    return true;
}

}  // namespace raftsim::core
